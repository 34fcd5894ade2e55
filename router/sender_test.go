package router

import (
	"math"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/gallant-sms/gallant/sms"
	"github.com/prometheus/client_golang/prometheus"
)

// TestSenderTPSQueuesPerSender: on a route with SenderTPS 2, each source
// address sends at most two segments a second, in order, while another
// sender on the route and the same sender on a route without the limit
// are not held up; nothing fails, the excess waits.
func TestSenderTPSQueuesPerSender(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		b := newFakeSender("b0", 10, 0)
		reg := prometheus.NewRegistry()
		rec := newRecorder(t, 100)
		r := startRouter(t, Config{
			Carriers: []Carrier{carrierCfg("A", 0, 0, b)},
			Routes: []Route{
				{Prefix: "1", Carriers: []Choice{{Carrier: "A"}}, SenderTPS: 2},
				{Prefix: "44", Carriers: []Choice{{Carrier: "A"}}},
			},
		}, rec, reg)
		defer stopAll(r, b)
		start := time.Now()
		from := map[sms.ID]string{}
		jobs := map[sms.ID]int{}
		id := sms.ID(0)
		dispatch := func(sender, dest string) {
			id++
			j := newJob(r, id, 1, dest, 1)
			j.Msg.Source = sms.Address{TON: 1, NPI: 1, Addr: sender}
			if err := r.Dispatch(j); err != nil {
				t.Fatalf("Dispatch: %v", err)
			}
			from[id], jobs[id] = sender+">"+dest[:2], 1
		}
		for range 6 {
			dispatch("15550001", "15551234567")
			dispatch("15550002", "15551234567")
			dispatch("15550001", "447700900123")
		}
		rec.waitDone(t, len(jobs), time.Minute)
		rec.checkExactlyOnce(t, jobs)

		last := map[string]sms.ID{}
		at := map[string][]time.Duration{}
		for _, s := range b.submits() {
			k := from[s.id]
			if s.id < last[k] {
				t.Errorf("%s: message %v sent after %v", k, s.id, last[k])
			}
			last[k] = s.id
			at[k] = append(at[k], s.at.Sub(start))
		}
		for _, k := range []string{"15550001>15", "15550002>15"} {
			ts := at[k]
			if len(ts) != 6 || ts[0] != 0 {
				t.Fatalf("%s sent at %v, want 6 starting at once", k, ts)
			}
			for i := 1; i < len(ts); i++ {
				if ts[i]-ts[i-1] < 500*time.Millisecond {
					t.Errorf("%s: segments %d and %d %v apart, want at least 500ms (2/s)", k, i-1, i, ts[i]-ts[i-1])
				}
			}
			if ts[5] > 3*time.Second {
				t.Errorf("%s: last segment at %v, want about 2.5s", k, ts[5])
			}
		}
		for _, d := range at["15550001>44"] {
			if d != 0 {
				t.Errorf("the route without a sender rate waited %v", d)
			}
		}
		if n := counterValue(t, reg, "gallant_router_sender_waits_total", map[string]string{"carrier": "A"}); n != 10 {
			t.Errorf("sender_waits_total %v, want 10", n)
		}
	})
}

func TestSenderTPSValidated(t *testing.T) {
	for _, v := range []float64{-1, math.NaN(), math.Inf(1)} {
		cfg := Config{Carriers: []Carrier{carrierCfg("A", 0, 0, newFakeSender("b", 1, 0))},
			Routes: []Route{{Prefix: "1", Carriers: []Choice{{Carrier: "A"}}, SenderTPS: v}}}
		if err := cfg.Validate(); err == nil || !strings.Contains(err.Error(), "sender tps") {
			t.Errorf("sender tps %v: %v, want an error naming it", v, err)
		}
	}
}

// TestSenderGCRAForgetsIdleSenders: the built-in limiter spaces one
// sender's slots and drops senders whose slots are past at its sweep.
func TestSenderGCRAForgetsIdleSenders(t *testing.T) {
	now := int64(0)
	g := newSenderGCRA(func() int64 { return now })
	for i, want := range []time.Duration{0, 250 * time.Millisecond, 500 * time.Millisecond} {
		if w, ok, err := g.Reserve("1", "a", 4); w != want || !ok || err != nil {
			t.Fatalf("slot %d: %v %v %v, want %v", i, w, ok, err, want)
		}
	}
	if w, _, _ := g.Reserve("1", "b", 4); w != 0 {
		t.Fatalf("another sender waits %v", w)
	}
	now = int64(2 * senderSweepEvery)
	if w, _, _ := g.Reserve("1", "c", 4); w != 0 {
		t.Fatalf("a new sender waits %v", w)
	}
	if len(g.tat) != 1 {
		t.Fatalf("%d senders kept after the sweep, want 1", len(g.tat))
	}
}
