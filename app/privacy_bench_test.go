package app

import (
	"context"
	"io"
	"runtime"
	"testing"
	"time"

	"github.com/gallant-sms/gallant/account"
	"github.com/gallant-sms/gallant/sms"
	"github.com/gallant-sms/gallant/store"
	"github.com/gallant-sms/gallant/store/storetest"
)

// benchSubjectMessages is how many messages the benchmarks' number has,
// among as many to other numbers.
const benchSubjectMessages = 20_000

// BenchmarkPrivacy measures a data-subject export (streamed to
// io.Discard) and an erasure of a number with benchSubjectMessages
// messages on each store; msgs/s is messages of the number per second,
// and peak-heap-MiB the largest live heap seen while exporting.
//
//	go test -run '^$' -bench BenchmarkPrivacy -benchtime 3x ./app/
func BenchmarkPrivacy(b *testing.B) {
	for _, driver := range storetest.Drivers {
		b.Run(driver, func(b *testing.B) {
			ctx := context.Background()
			st := storetest.Open(b, driver)
			acc := account.New(st, nil)
			c, err := acc.CreateAccountWith(ctx, account.AccountSpec{Name: "Bench"})
			if err != nil {
				b.Fatal(err)
			}
			pv := NewPrivacy(st, acc, nil, nil)
			owner := Principal{AccountID: c.AccountID, KeyID: 1, Role: RoleOwner, Scopes: []string{ScopeAdmin}}
			gen, err := sms.NewIDGenerator(2, 0)
			if err != nil {
				b.Fatal(err)
			}
			const phone = "447700988123"
			seed := func() {
				rows := make([]store.Row, 0, 1000)
				for i := range 2 * benchSubjectMessages {
					to := phone
					if i%2 == 1 {
						to = "4477009" + string(rune('1'+i%9)) + "0000"
					}
					rows = append(rows, &sms.Message{ID: gen.Next(), AccountID: c.AccountID, Source: sms.Address{Addr: "Shop"},
						Dest: sms.Address{TON: 1, NPI: 1, Addr: to}, Body: []byte("Your parcel arrives today between 9 and 12."),
						Segments: 1, Price: 50_000, CreatedAt: time.Now().UTC(), Status: sms.StatusAccepted})
					if len(rows) == cap(rows) {
						if err := st.Insert(ctx, rows...); err != nil {
							b.Fatal(err)
						}
						rows = rows[:0]
					}
				}
			}
			seed()
			b.Run("export", func(b *testing.B) {
				var peak uint64
				done := make(chan struct{})
				sampled := make(chan struct{})
				go func() { // sample the live heap while the export runs
					defer close(sampled)
					var ms runtime.MemStats
					t := time.NewTicker(20 * time.Millisecond)
					defer t.Stop()
					for {
						select {
						case <-done:
							return
						case <-t.C:
							runtime.ReadMemStats(&ms)
							peak = max(peak, ms.HeapAlloc)
						}
					}
				}()
				b.ReportAllocs()
				for b.Loop() {
					write, err := pv.PrepareExport(ctx, owner, PrivacyQuery{Phone: "+" + phone})
					if err != nil {
						b.Fatal(err)
					}
					if err := write(ctx, io.Discard); err != nil {
						b.Fatal(err)
					}
				}
				close(done)
				<-sampled
				b.ReportMetric(float64(benchSubjectMessages)*float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
				b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MiB")
			})
			seeded := true
			b.Run("erase", func(b *testing.B) {
				for i := 0; i < b.N; i++ {
					if !seeded { // the last run erased them
						b.StopTimer()
						seed()
						b.StartTimer()
					}
					seeded = false
					res, err := pv.Erase(ctx, owner, PrivacyQuery{Phone: "+" + phone})
					if err != nil {
						b.Fatal(err)
					}
					if res.Rows["messages"] != benchSubjectMessages {
						b.Fatalf("erased %d messages, want %d", res.Rows["messages"], benchSubjectMessages)
					}
				}
				b.ReportMetric(float64(benchSubjectMessages)*float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
			})
		})
	}
}
