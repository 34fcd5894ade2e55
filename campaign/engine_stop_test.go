package campaign

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/gallant-sms/gallant/internal/testutil"
	"github.com/gallant-sms/gallant/store"
	"github.com/gallant-sms/gallant/store/storetest"
)

// TestEngineStopHandsOverAtOnce: an engine that stops cleanly releases
// its campaign lease and the statistics tails' lease, so a second engine
// drives the campaign and applies the tails at once, long before the
// first's leases would have expired; every recipient is sent once.
// (Before: the tails' lease was kept until it expired.)
func TestEngineStopHandsOverAtOnce(t *testing.T) {
	for _, driver := range storetest.Drivers {
		t.Run(driver, func(t *testing.T) {
			st := storetest.Open(t, driver)
			ctx := context.Background()
			clk := &fakeClock{t: time.Date(2026, 3, 2, 15, 0, 0, 0, time.UTC)}
			gwA, gwB := newFakeGateway(), newFakeGateway()
			const ttl = time.Minute
			cfg := Config{Now: clk.Now, LeaseTTL: ttl, Tick: 10 * time.Millisecond, QuietHours: []QuietRule{}}
			a, _ := NewEngine(st, gwA, nil, cfg, nil)
			b, _ := NewEngine(st, gwB, nil, cfg, nil)
			nums := numbers("4420", 50)
			c := &store.Campaign{Name: "t", Kind: KindTransactional, Sender: "Shop", Body: "Hi", Numbers: nums, MaxRate: 10}
			launch(t, st, c)

			a.Start()
			testutil.Eventually(t, "the first engine sending", func() (bool, string) {
				total, _ := gwA.count()
				return total > 0, fmt.Sprint(total)
			})
			// Its leases are live: another holder gets neither.
			leasedAt := clk.Now()
			if ok, err := st.LeaseCampaign(ctx, c.ID, "probe", leasedAt, leasedAt.Add(ttl)); err != nil || ok {
				t.Fatalf("campaign lease taken from a live engine: %v %v", ok, err)
			}
			if ok, err := st.LeaseCampaignTails(ctx, "probe", leasedAt, leasedAt.Add(ttl)); err != nil || ok {
				t.Fatalf("tails lease taken from a live engine: %v %v", ok, err)
			}
			stopCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
			defer cancel()
			if err := a.Stop(stopCtx); err != nil {
				t.Fatal(err)
			}
			sentByA, _ := gwA.count()

			// The second engine takes over at once: the clock has not moved.
			if err := b.Pass(ctx); err != nil {
				t.Fatal(err)
			}
			if total, _ := gwB.count(); total == 0 {
				t.Fatal("the second engine did not take the campaign over after a clean stop")
			}
			if b.tails.IsZero() {
				t.Fatal("the second engine did not get the statistics tails after a clean stop")
			}
			passUntil(t, b, clk, time.Second, 50, func() bool { return state(t, st, c.ID) == store.CampaignCompleted })
			if took := clk.Now().Sub(leasedAt); took >= ttl {
				t.Fatalf("the campaign completed %v after the stop: not before the lease (%v) would have expired", took, ttl)
			}
			for _, n := range nums {
				if gwA.got[n]+gwB.got[n] != 1 {
					t.Fatalf("%s sent %d+%d times", n, gwA.got[n], gwB.got[n])
				}
			}
			t.Logf("%d sent before the stop, the rest by the second engine within %v of fake time", sentByA, clk.Now().Sub(leasedAt))
		})
	}
}
