package campaign

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/gallant-sms/gallant/store"
	"github.com/gallant-sms/gallant/store/storetest"
)

// BenchmarkDripSegmentEnroll: a drip sequence on a segment of 100,000
// contacts (a tag) on SQLite. It reports the time to enroll them all
// (first cycle, include_existing: a step row each, in passes of up to
// 100 ms, one per engine tick) and the cost of a steady-state enrollment pass
// (everyone enrolled: the store tests each contact and returns no
// candidate: one query, and the next cycle waits 20 times that, at
// least 10 s), with the RSS after.
//
//	go test ./campaign -run '^$' -bench DripSegmentEnroll -benchtime 1x
func BenchmarkDripSegmentEnroll(b *testing.B) {
	for b.Loop() {
		st := storetest.Open(b, storetest.SQLite)
		ctx := context.Background()
		const n = 100_000
		batch := make([]store.Contact, 0, 5000)
		for i := range n {
			batch = append(batch, store.Contact{Phone: fmt.Sprintf("4477%08d", i), Tags: []string{"vip"}, TimeZone: "Europe/London"})
			if len(batch) == cap(batch) {
				if _, _, err := st.UpsertContacts(ctx, 1, batch); err != nil {
					b.Fatal(err)
				}
				batch = batch[:0]
			}
		}
		seg := &store.Segment{AccountID: 1, Name: "vip", Rules: store.SegmentRules{Conditions: []store.SegmentCondition{
			{Field: "tags", Op: "has", Value: json.RawMessage(`"vip"`)}}}}
		if err := st.CreateSegment(ctx, seg); err != nil {
			b.Fatal(err)
		}
		clk := &fakeClock{t: time.Date(2026, 3, 2, 12, 0, 0, 0, time.UTC)}
		e, _ := NewEngine(st, newFakeGateway(), nil, Config{Now: clk.Now, QuietHours: []QuietRule{}}, nil)
		c := &store.Campaign{AccountID: 1, Name: "drip", Kind: KindTransactional, Sender: "Shop",
			Options: Options{Drip: &Drip{SegmentID: seg.ID, IncludeExisting: true, Steps: []DripStep{{Delay: 30 * 86400, Text: "Later"}}}}.JSON()}
		if err := st.CreateCampaign(ctx, c); err != nil {
			b.Fatal(err)
		}
		if err := st.SetCampaignState(ctx, 1, c.ID, []string{store.CampaignDraft}, store.CampaignLaunching, ""); err != nil {
			b.Fatal(err)
		}
		if err := st.StartCampaign(ctx, 1, c.ID, 0, 0, false, []int64{}); err != nil {
			b.Fatal(err)
		}
		t0 := time.Now()
		passes := 0
		for ; passes < 100; passes++ {
			if err := e.Pass(ctx); err != nil {
				b.Fatal(err)
			}
			clk.Add(enrollEvery)
			if s := targeted(b, st, c.ID); s == n {
				break
			}
		}
		enrollAll := time.Since(t0)
		if s := targeted(b, st, c.ID); s != n {
			b.Fatalf("enrolled %d of %d", s, n)
		}
		// A steady-state cycle: everyone enrolled, no candidate.
		r := e.runs[c.ID]
		if r == nil || r.dripCursor != 0 {
			b.Fatal("the first cycle did not end")
		}
		r.enrolled = time.Time{}
		if err := e.Pass(ctx); err != nil {
			b.Fatal(err)
		}
		if r.dripCursor != 0 {
			b.Fatal("a steady cycle took more than a pass")
		}
		b.ReportMetric(enrollAll.Seconds(), "s-enroll-100k")
		b.ReportMetric(float64(passes+1), "passes")
		b.ReportMetric(float64(r.dripCost.Microseconds())/1000, "ms/steady-cycle")
		b.ReportMetric(vmRSS(), "MiB-RSS")
	}
}

func targeted(b *testing.B, st *store.Store, id int64) int64 {
	rows, err := st.CampaignStats(context.Background(), id)
	if err != nil {
		b.Fatal(err)
	}
	var n int64
	for _, r := range rows {
		n += r.Targeted
	}
	return n
}
