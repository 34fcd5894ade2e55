package store

import (
	"testing"
	"time"

	"github.com/gallant-sms/gallant/sms"
)

// benchmarkPurge measures one PurgeMessages batch of 1,000 delivered
// messages (two events each, a ledger charge each) with the rollup
// upsert: how long the purge holds the writer per batch.
func benchmarkPurge(b *testing.B, driver string) {
	s := newTestStore(b, driver)
	ctx := testCtx(b)
	const batch = 1000
	old := time.Now().Add(-72 * time.Hour)
	next := IDAt(old)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		rows := make([]Row, 0, 3*batch)
		for j := range batch {
			next += 1 << (sms.NodeBits + sms.SeqBits) // a millisecond later
			m := testMessage(int64(1+j%10), next|1)
			m.Price = 40_000
			rows = append(rows, m, ev(m.AccountID, m.ID, sms.StatusSubmitted, old, 1, "c1", "x", ""),
				ev(m.AccountID, m.ID, sms.StatusDelivered, old, 1, "c1", "x", ""))
		}
		if err := s.Insert(ctx, rows...); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		p, err := s.PurgeMessages(ctx, time.Now().Add(-24*time.Hour), 0, batch)
		if err != nil || p.Messages != batch {
			b.Fatalf("purged %+v, %v", p, err)
		}
	}
	b.ReportMetric(float64(b.N*batch)/b.Elapsed().Seconds(), "messages/s")
}

func BenchmarkPurgeMessagesSQLite(b *testing.B) { benchmarkPurge(b, DriverSQLite) }

func BenchmarkPurgeMessagesMySQL(b *testing.B) { benchmarkPurge(b, DriverMySQL) }
