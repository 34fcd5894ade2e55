package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/gallant-sms/gallant/store/storetest"
)

// TestE2ECleanStopTakenOverBySurvivor: two instances on one MariaDB with
// a 30 s node lease. The first accepts messages to send now (its carrier
// is slow) and messages scheduled 3 s ahead, and is stopped cleanly a
// moment later. Its leases are released at the stop: the survivor sends
// what it left unsent at its next recovery pass (a third of the lease)
// and the scheduled messages at their time, long before the first's
// lease would have expired (two thirds of it after the stop at the
// earliest); each once, except what was in flight at the stop.
func TestE2ECleanStopTakenOverBySurvivor(t *testing.T) {
	t.Run(storetest.MySQL, func(t *testing.T) {
		ac := &arrivalCarrier{at: map[string][]time.Time{}}
		c := newCarrier(t, ac.decide)
		c.SetDelay(300 * time.Millisecond) // window 10: about 33 msg/s
		const ttl = 30 * time.Second
		cfg := testConfig(t, storetest.MySQL, c.Addr())
		cfg.HTTP.RateLimitPerKey, cfg.HTTP.RateLimitPerIP = 0, 0
		cfg.Store.NodeLeaseTTL = ttl
		a1 := startApp(t, cfg)
		a2 := startApp(t, cfg)
		if a1.node == a2.node {
			t.Fatalf("both instances have node %d", a1.node)
		}
		cust := a1.customer(t, "Survivor", "")

		const n, scheduled = 200, 20
		due := time.Now().Add(3 * time.Second).UTC()
		items := make([]map[string]any, 0, n+scheduled)
		for i := range n {
			items = append(items, map[string]any{"to": "+447700900123", "text": fmt.Sprintf("now %03d", i)})
		}
		for i := range scheduled {
			items = append(items, map[string]any{"to": "+447700900124", "text": fmt.Sprintf("later %02d", i),
				"send_at": due.Format(time.RFC3339Nano)})
		}
		body, _ := json.Marshal(map[string]any{"messages": items})
		if r := a1.do(t, http.MethodPost, "/v1/messages/batch", cust.APIKey, string(body)); r.status != http.StatusAccepted {
			t.Fatalf("batch: %d %s", r.status, r.body)
		}
		eventually(t, "the first messages at the carrier", func() (bool, string) {
			return len(c.Submits()) > 0, "none"
		})
		a1.once.Do(func() {
			ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
			defer cancel()
			_ = a1.shutdown(ctx) // the router reports what it left unsent
		})
		stopped := time.Now()
		atStop := len(c.Submits())
		if atStop >= n {
			t.Fatalf("all %d messages reached the carrier before the stop", n)
		}
		c.SetDelay(0)
		eventually(t, "every message at the carrier", func() (bool, string) {
			missing := 0
			for _, it := range items {
				if len(ac.arrivals(it["text"].(string))) == 0 {
					missing++
				}
			}
			return missing == 0, fmt.Sprintf("%d of %d missing", missing, len(items))
		})
		var lastNow, lastLater time.Time
		dups := 0
		for _, it := range items {
			text := it["text"].(string)
			at := ac.arrivals(text)
			if len(at) > 1 {
				dups++
			}
			if _, ok := it["send_at"]; ok {
				if at[0].Before(due) {
					t.Errorf("%q reached the carrier %v before its send time", text, due.Sub(at[0]))
				}
				if at[0].After(lastLater) {
					lastLater = at[0]
				}
			} else if at[0].After(lastNow) {
				lastNow = at[0]
			}
		}
		if took := lastNow.Sub(stopped); took >= 2*ttl/3 {
			t.Errorf("the survivor sent what the stop left %v after it: it waited for the lease (%v) to expire", took, ttl)
		}
		if late := lastLater.Sub(due); late >= ttl/2 {
			t.Errorf("the scheduled messages reached the carrier %v after their time: their claims were not handed back", late)
		}
		if dups > cfg.Carriers[0].Window*cfg.Carriers[0].Binds {
			t.Errorf("%d messages sent twice; at most the %d in flight at the stop may be", dups, cfg.Carriers[0].Window*cfg.Carriers[0].Binds)
		}
		if err := a2.gw.Ready(testContext(t)); err != nil {
			t.Errorf("survivor: %v", err)
		}
		t.Logf("%d of %d at the carrier at the stop; the rest by the survivor %v after it; scheduled ones at most %v after their time; %d sent twice (in flight at the stop)",
			atStop, n, lastNow.Sub(stopped).Round(time.Millisecond), lastLater.Sub(due).Round(time.Millisecond), dups)
	})
}
