package campaign

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gallant-sms/gallant/store"
	"github.com/gallant-sms/gallant/store/storetest"
)

// vmRSS is the process's resident set, in MiB (Linux; 0 elsewhere).
func vmRSS() float64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, _ := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 64)
			return kb / 1024
		}
	}
	return 0
}

// BenchmarkEngineFeed1M feeds 1,000,000 recipients (ten campaigns of
// 100,000 numbers, running together) through the engine on SQLite into
// a submitter that accepts at once: the engine's own cost (claim,
// render, record, in the store) and the feed rate it can sustain, with
// the process's peak RSS. The audience is never held in memory: pages
// of PageSize recipients are.
//
//	go test ./campaign -run '^$' -bench EngineFeed1M -benchtime 1x
func BenchmarkEngineFeed1M(b *testing.B) {
	for b.Loop() {
		st := storetest.Open(b, storetest.SQLite)
		gw := newFakeGateway()
		e, err := NewEngine(st, gw, nil, Config{MaxRate: 1e9, PageSize: 5000, QuietHours: []QuietRule{}}, nil)
		if err != nil {
			b.Fatal(err)
		}
		ctx := context.Background()
		const campaigns, each = 10, 100_000
		ids := make([]int64, campaigns)
		for k := range campaigns {
			c := &store.Campaign{AccountID: 1, Name: "feed", Kind: KindTransactional, Sender: "Shop", Body: "Hello",
				Numbers: numbers(fmt.Sprintf("44%d", 70+k), each)}
			if err := st.CreateCampaign(ctx, c); err != nil {
				b.Fatal(err)
			}
			if err := st.SetCampaignState(ctx, 1, c.ID, []string{store.CampaignDraft}, store.CampaignLaunching, ""); err != nil {
				b.Fatal(err)
			}
			n, err := st.MaterializeCampaign(ctx, c)
			if err != nil {
				b.Fatal(err)
			}
			if err := st.StartCampaign(ctx, 1, c.ID, n, 0, false, nil); err != nil {
				b.Fatal(err)
			}
			ids[k] = c.ID
		}
		gw.countOnly = true
		base := vmRSS()
		peak := base
		stop := make(chan struct{})
		sampled := make(chan struct{})
		go func() {
			defer close(sampled)
			t := time.NewTicker(100 * time.Millisecond)
			defer t.Stop()
			for {
				select {
				case <-stop:
					return
				case <-t.C:
					peak = max(peak, vmRSS())
				}
			}
		}()
		start := time.Now()
		for range 100_000 {
			if err := e.Pass(ctx); err != nil {
				b.Fatal(err)
			}
			if total, _ := gw.count(); total >= campaigns*each && mustState(b, st, ids[campaigns-1]) == store.CampaignCompleted {
				break
			}
		}
		took := time.Since(start)
		close(stop)
		<-sampled
		total, _ := gw.count()
		if total != campaigns*each {
			b.Fatalf("%d sent", total)
		}
		for _, id := range ids {
			if state := mustState(b, st, id); state != store.CampaignCompleted {
				b.Fatalf("campaign %d %s", id, state)
			}
		}
		b.ReportMetric(float64(total)/took.Seconds(), "msg/s")
		b.ReportMetric(base, "RSS-before-MiB")
		b.ReportMetric(peak-base, "RSS-growth-MiB")
	}
}

func mustState(tb testing.TB, st *store.Store, id int64) string {
	c, err := st.CampaignByID(context.Background(), 0, id)
	if err != nil {
		tb.Fatal(err)
	}
	return c.State
}
