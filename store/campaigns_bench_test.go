package store

import (
	"context"
	"slices"
	"testing"
	"time"
)

// BenchmarkCampaignStats1M times what GET /v1/campaigns/{id}/stats reads
// for a campaign of 1,000,000 recipients on SQLite: the campaign, its
// counters and its per-minute series (a day of minutes). The counters
// are kept as events arrive, so no recipient row is read.
//
//	go test ./store -run '^$' -bench CampaignStats1M -benchtime 200x
func BenchmarkCampaignStats1M(b *testing.B) {
	s := newTestStore(b, DriverSQLite)
	ctx := context.Background()
	c := &Campaign{AccountID: 1, Name: "big", Kind: "marketing", Sender: "Shop", Body: "Hi"}
	if err := s.CreateCampaign(ctx, c); err != nil {
		b.Fatal(err)
	}
	const n = 1_000_000
	if _, err := s.w.ExecContext(ctx, "WITH RECURSIVE seq(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM seq WHERE i < ?) "+
		"INSERT INTO campaign_recipients ("+recipientInsertCols+", sent_at) "+
		"SELECT ?, '4477' || (1000000 + i), i, 0, 0, 2, 5, i, 40000, '', 0, 0, ? FROM seq", n, c.ID, s.timeArg(time.Now())); err != nil {
		b.Fatal(err)
	}
	if _, err := s.w.ExecContext(ctx, "INSERT INTO campaign_stats (campaign_id, variant, step, targeted, sent, delivered, spend) "+
		"VALUES (?, 0, 0, ?, ?, ?, ?)", c.ID, n, n, n, int64(n)*40000); err != nil {
		b.Fatal(err)
	}
	start := time.Now().Unix() / 60
	for m := range int64(1440) {
		if err := s.addSeries(ctx, s.w, c.ID, start+m, 700, 690, 10); err != nil {
			b.Fatal(err)
		}
	}
	var count int
	if err := s.r.GetContext(ctx, &count, "SELECT COUNT(*) FROM campaign_recipients WHERE campaign_id = ?", c.ID); err != nil || count != n {
		b.Fatalf("%d recipients, %v", count, err)
	}
	b.ResetTimer()
	var took []time.Duration
	for b.Loop() {
		t0 := time.Now()
		if _, err := s.CampaignByID(ctx, 1, c.ID); err != nil {
			b.Fatal(err)
		}
		st, err := s.CampaignStats(ctx, c.ID)
		if err != nil || len(st) != 1 || st[0].Delivered != n {
			b.Fatalf("stats %v %v", st, err)
		}
		pts, err := s.CampaignSeries(ctx, c.ID, start, 1440)
		if err != nil || len(pts) != 1440 {
			b.Fatalf("series %d %v", len(pts), err)
		}
		took = append(took, time.Since(t0))
	}
	slices.Sort(took)
	p99 := took[len(took)*99/100]
	b.ReportMetric(float64(took[len(took)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(p99.Microseconds())/1000, "p99-ms")
	if p99 > 50*time.Millisecond {
		b.Errorf("stats reads took %v (p99) at 1,000,000 recipients, over 50 ms", p99)
	}
}
