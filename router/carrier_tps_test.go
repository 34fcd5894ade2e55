package router

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/gallant-sms/gallant/internal/testutil"
	"github.com/gallant-sms/gallant/sms"
)

// TestSetCarrierTPS: a carrier's new rate is split over its binds and
// set on their limiters at once; an unknown carrier, a rate of 0 and a
// carrier built without a limit are refused and change nothing.
func TestSetCarrierTPS(t *testing.T) {
	var lims []*fakeLimiter
	cfg := DefaultConfig()
	cfg.NewLimiter = func(perSecond float64) Limiter {
		l := &fakeLimiter{rate: perSecond}
		lims = append(lims, l)
		return l
	}
	a1, a2, u := newFakeSender("a1", 10, 0), newFakeSender("a2", 10, 0), newFakeSender("u", 10, 0)
	cfg.Carriers = []Carrier{carrierCfg("a", 100, 0, a1, a2), carrierCfg("u", 0, 0, u)}
	cfg.Routes = []Route{{Prefix: "", Carriers: []Choice{{Carrier: "a"}}}}
	r := startRouter(t, cfg, &nopRecorder{}, nil)
	defer stopAll(r, a1, a2, u)
	if len(lims) != 2 || r.CarrierTPS("a") != 100 {
		t.Fatalf("built with %d limiters, carrier a at %v", len(lims), r.CarrierTPS("a"))
	}
	if err := r.SetCarrierTPS("a", 30); err != nil {
		t.Fatal(err)
	}
	for i, l := range lims {
		if l.Rate() != 15 {
			t.Fatalf("bind %d limiter at %v, want 15 (30 over 2 binds)", i, l.Rate())
		}
	}
	if got := r.CarrierTPS("a"); got != 30 {
		t.Fatalf("carrier a at %v, want 30", got)
	}
	if err := r.SetCarrierTPS("ghost", 5); err == nil {
		t.Fatal("unknown carrier accepted")
	}
	if err := r.SetCarrierTPS("a", 0); !errors.Is(err, ErrUnlimitedCarrier) {
		t.Fatalf("tps 0: %v", err)
	}
	if err := r.SetCarrierTPS("u", 5); !errors.Is(err, ErrUnlimitedCarrier) {
		t.Fatalf("unlimited carrier: %v", err)
	}
	if r.CarrierTPS("a") != 30 || r.CarrierTPS("u") != 0 || r.CarrierTPS("ghost") != -1 {
		t.Fatalf("after refusals: a %v, u %v", r.CarrierTPS("a"), r.CarrierTPS("u"))
	}
}

// TestReplaceBinds: binds replaced while jobs stream in and submits are
// in flight: every segment gets exactly one outcome, the new binds take
// the rest, the old ones take nothing once their goroutines ended, and
// their in-flight submits still complete.
func TestReplaceBinds(t *testing.T) {
	const n = 3000
	old := []*fakeSender{newFakeSender("o0", 8, 300*time.Microsecond), newFakeSender("o1", 8, 300*time.Microsecond)}
	next := []*fakeSender{newFakeSender("n0", 8, 200*time.Microsecond), newFakeSender("n1", 8, 200*time.Microsecond),
		newFakeSender("n2", 8, 200*time.Microsecond)}
	rec := newRecorder(t, n)
	r := startRouter(t, Config{
		Carriers: []Carrier{carrierCfg("A", 0, 500, old[0], old[1])},
		Routes:   []Route{{Prefix: "", Carriers: []Choice{{Carrier: "A"}}}},
		Shards:   2,
	}, rec, nil)
	defer stopAll(r, append(old, next...)...)

	all := ids(n)
	jobs := map[sms.ID]int{}
	var wg sync.WaitGroup
	wg.Go(func() {
		for i, id := range all {
			dispatchRetrying(t, r, newJob(r, id, 1, "4477009", 1+i%2))
		}
	})
	for i, id := range all {
		jobs[id] = 1 + i%2
	}
	testutil.Eventually(t, "the old binds busy", func() (bool, string) {
		k := len(old[0].submits()) + len(old[1].submits())
		return k > 200, fmt.Sprintf("%d submits", k)
	})
	wait, err := r.ReplaceBinds("A", []Sender{next[0], next[1], next[2]}, 0)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := wait(ctx); err != nil {
		t.Fatalf("old binds did not stop: %v", err)
	}
	before := len(old[0].submits()) + len(old[1].submits())
	wg.Wait()
	rec.waitDone(t, n, 30*time.Second)
	rec.checkExactlyOnce(t, jobs)
	if after := len(old[0].submits()) + len(old[1].submits()); after != before {
		t.Fatalf("old binds took %d submits after they stopped", after-before)
	}
	if got := len(next[0].submits()) + len(next[1].submits()) + len(next[2].submits()); got == 0 {
		t.Fatal("the new binds sent nothing")
	}
	if _, err := r.ReplaceBinds("ghost", []Sender{next[0]}, 0); err == nil {
		t.Fatal("unknown carrier accepted")
	}
	if _, err := r.ReplaceBinds("A", nil, 0); err == nil {
		t.Fatal("no senders accepted")
	}
}
