package router

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/gallant-sms/gallant/internal/testutil"
	"github.com/gallant-sms/gallant/sms"
)

// TestAddCarrier: a carrier added while jobs stream in gets its queue,
// binds and metrics; routes may name it only once it exists, and jobs
// reach it as soon as they do, each exactly once.
func TestAddCarrier(t *testing.T) {
	const n = 2000
	a := newFakeSender("a0", 8, 200*time.Microsecond)
	b := []*fakeSender{newFakeSender("b0", 8, 200*time.Microsecond), newFakeSender("b1", 8, 200*time.Microsecond)}
	rec := newRecorder(t, n)
	reg := prometheus.NewRegistry()
	r := startRouter(t, Config{
		Carriers: []Carrier{carrierCfg("A", 0, 500, a)},
		Routes:   []Route{{Prefix: "", Carriers: []Choice{{Carrier: "A"}}}},
		Shards:   2,
	}, rec, reg)
	defer stopAll(r, a, b[0], b[1])

	toB := []Route{{Prefix: "", Carriers: []Choice{{Carrier: "B"}}}}
	if err := r.SetRoutes(toB, nil); err == nil {
		t.Fatal("routes naming a carrier not added yet accepted")
	}
	all := ids(n)
	jobs := map[sms.ID]int{}
	for i, id := range all {
		jobs[id] = 1 + i%2
	}
	var wg sync.WaitGroup
	wg.Go(func() {
		for i, id := range all {
			dispatchRetrying(t, r, newJob(r, id, 1, "4477009", 1+i%2))
		}
	})
	testutil.Eventually(t, "A busy", func() (bool, string) {
		return len(a.submits()) > 100, fmt.Sprint(len(a.submits()))
	})
	if err := r.AddCarrier(carrierCfg("B", 500, 500, b[0], b[1])); err != nil {
		t.Fatal(err)
	}
	if err := r.AddCarrier(carrierCfg("B", 0, 0, b[0])); err == nil {
		t.Fatal("a carrier added twice")
	}
	if err := r.AddCarrier(Carrier{Name: "C"}); err == nil {
		t.Fatal("a carrier without binds added")
	}
	if err := r.SetRoutes(toB, nil); err != nil {
		t.Fatal(err)
	}
	wg.Wait()
	rec.waitDone(t, n, 30*time.Second)
	rec.checkExactlyOnce(t, jobs)
	if got := len(b[0].submits()) + len(b[1].submits()); got == 0 {
		t.Fatal("the new carrier sent nothing")
	}
	if got := r.CarrierTPS("B"); got != 500 {
		t.Fatalf("B runs at %v, want 500", got)
	}
	if q := counterValue(t, reg, "gallant_router_submitted_total", map[string]string{"carrier": "B"}); q <= 0 {
		t.Fatalf("B's submitted_total = %v, want > 0", q)
	}
	if got := r.Carriers(); len(got) != 2 || got[1] != "B" {
		t.Fatalf("carriers %v", got)
	}
	if st := r.Status(); len(st) != 2 || st[1].Name != "B" {
		t.Fatalf("status %+v", st)
	}
}

// throttleEvery answers every k-th submit with ESME_RTHROTTLED.
func throttleEvery(k int) func(*fakeSender, *Outgoing, int) error {
	return func(_ *fakeSender, _ *Outgoing, n int) error {
		if n%k == 0 {
			return &SubmitError{Code: 0x58, Kind: Throttled}
		}
		return nil
	}
}

// TestRemoveCarrier: a carrier removed under load takes no new job; the
// segments queued for it, and those that come back to it (throttled
// answers, temporary failures retried), move to the carrier the new
// route names; what its binds have in flight completes through them;
// its binds' goroutines end, its metrics go, and nothing is lost or
// sent twice.
func TestRemoveCarrier(t *testing.T) {
	const n = 3000
	a := []*fakeSender{newFakeSender("a0", 4, 2*time.Millisecond), newFakeSender("a1", 4, 2*time.Millisecond)}
	a[0].behave = throttleEvery(7)
	a[1].behave = func(_ *fakeSender, _ *Outgoing, n int) error {
		if n%5 == 0 {
			return &SubmitError{Code: 0x08, Kind: Temporary} // temporary: retried after a back-off
		}
		return nil
	}
	b := newFakeSender("b0", 16, 100*time.Microsecond)
	rec := newRecorder(t, n)
	reg := prometheus.NewRegistry()
	r := startRouter(t, Config{
		Carriers:      []Carrier{carrierCfg("A", 0, 100_000, a[0], a[1]), carrierCfg("B", 0, 100_000, b)},
		Routes:        []Route{{Prefix: "", Carriers: []Choice{{Carrier: "A"}}}},
		Shards:        2,
		BackoffMin:    20 * time.Millisecond,
		BackoffMax:    50 * time.Millisecond,
		ThrottlePause: 5 * time.Millisecond,
	}, rec, reg)
	defer stopAll(r, a[0], a[1], b)

	all := ids(n)
	jobs := map[sms.ID]int{}
	for i, id := range all {
		jobs[id] = 1 + i%2
		dispatchRetrying(t, r, newJob(r, id, 1, "4477009", 1+i%2))
	}
	testutil.Eventually(t, "A busy", func() (bool, string) {
		k := len(a[0].submits()) + len(a[1].submits())
		return k > 100, fmt.Sprint(k)
	})
	if _, err := r.RemoveCarrier("A"); !errors.Is(err, ErrCarrierRouted) {
		t.Fatalf("removing a routed carrier: %v, want ErrCarrierRouted", err)
	}
	if err := r.SetRoutes([]Route{{Prefix: "", Carriers: []Choice{{Carrier: "B"}}}}, nil); err != nil {
		t.Fatal(err)
	}
	queued := r.QueueDepth("A")
	wait, err := r.RemoveCarrier("A")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := wait(ctx); err != nil {
		t.Fatalf("A's binds did not stop: %v", err)
	}
	before := len(a[0].submits()) + len(a[1].submits())
	rec.waitDone(t, n, 30*time.Second)
	rec.checkExactlyOnce(t, jobs)
	if after := len(a[0].submits()) + len(a[1].submits()); after != before {
		t.Fatalf("A's binds took %d submits after they stopped", after-before)
	}
	if len(b.submits()) < queued {
		t.Fatalf("B sent %d segments; %d were queued at A when it was removed", len(b.submits()), queued)
	}
	if r.QueueDepth("A") != -1 || r.CarrierTPS("A") != -1 {
		t.Fatal("A still known")
	}
	if v := counterValue(t, reg, "gallant_router_submitted_total", map[string]string{"carrier": "A"}); v != -1 {
		t.Fatalf("A's metrics still registered (%v)", v)
	}
	if err := r.SetRoutes([]Route{{Prefix: "", Carriers: []Choice{{Carrier: "A"}}}}, nil); err == nil {
		t.Fatal("a route to a removed carrier accepted")
	}
	if _, err := r.ReplaceBinds("A", []Sender{b}, 0); err == nil {
		t.Fatal("binds of a removed carrier replaced")
	}
	// The name may come back, as a new carrier with its own metrics.
	a2 := newFakeSender("a2", 4, 0)
	defer a2.close()
	if err := r.AddCarrier(carrierCfg("A", 0, 0, a2)); err != nil {
		t.Fatal(err)
	}
	if err := r.SetRoutes([]Route{{Prefix: "", Carriers: []Choice{{Carrier: "A"}}}}, nil); err != nil {
		t.Fatal(err)
	}
	id := sms.ID(1 << 40)
	if err := r.Dispatch(newJob(r, id, 1, "4477009", 1)); err != nil {
		t.Fatal(err)
	}
	rec.waitDone(t, 1, 10*time.Second)
	if got := rec.submitted(segKey{id, 0}); len(got) != 1 || got[0] != "A/a2-1" {
		t.Fatalf("after A came back: %v", got)
	}
}

// TestRemoveCarrierNoRouteLeft: segments queued for a removed carrier
// whose route no longer exists fail (no carrier left), they do not wait
// for ever.
func TestRemoveCarrierNoRouteLeft(t *testing.T) {
	a := newFakeSender("a0", 1, 0)
	a.setBound(false) // nothing leaves A's queue
	rec := newRecorder(t, 10)
	r := startRouter(t, Config{
		Carriers: []Carrier{carrierCfg("A", 0, 0, a)},
		Routes:   []Route{{Prefix: "44", Carriers: []Choice{{Carrier: "A"}}}},
		Shards:   1,
	}, rec, nil)
	defer stopAll(r, a)
	for _, id := range ids(10) {
		if err := r.Dispatch(newJob(r, id, 1, "4477009", 1)); err != nil {
			t.Fatal(err)
		}
	}
	if err := r.SetRoutes(nil, nil); err != nil {
		t.Fatal(err)
	}
	wait, err := r.RemoveCarrier("A")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := wait(ctx); err != nil {
		t.Fatal(err)
	}
	rec.waitDone(t, 10, 10*time.Second)
	for _, id := range ids(10) {
		if f := rec.failed(segKey{id, 0}); len(f) != 1 || f[0].status != sms.StatusFailed {
			t.Fatalf("%v: %+v, want failed", id, f)
		}
	}
	if len(a.submits()) != 0 {
		t.Fatal("A sent while unbound")
	}
}

// TestRemoveCarrierLeastCost: once a carrier of a lower index is
// removed, least-cost routes still find the buy rates of the others by
// name (carrier indexes have a hole).
func TestRemoveCarrierLeastCost(t *testing.T) {
	a, b, c := newFakeSender("a", 0, 0), newFakeSender("b", 0, 0), newFakeSender("c", 0, 0)
	rec := newRecorder(t, 10)
	r := startRouter(t, Config{
		Carriers: []Carrier{carrierCfg("A", 0, 0, a), carrierCfg("B", 0, 0, b), carrierCfg("C", 0, 0, c)},
		Routes:   []Route{{Prefix: "", Carriers: []Choice{{Carrier: "A"}}}},
		BuyRates: map[string][]BuyRate{"B": {{Prefix: "44", Price: 5}}, "C": {{Prefix: "44", Price: 3}}},
		Shards:   1,
	}, rec, nil)
	defer stopAll(r, a, b, c)
	lcr := []Route{{Prefix: "", LeastCost: true, Carriers: []Choice{{Carrier: "B", Weight: 1}, {Carrier: "C", Weight: 1}}}}
	if err := r.SetRoutes(lcr, nil); err != nil {
		t.Fatal(err)
	}
	wait, err := r.RemoveCarrier("A")
	if err != nil {
		t.Fatal(err)
	}
	if err := wait(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := r.SetBuyRates(map[string][]BuyRate{"B": {{Prefix: "44", Price: 2}}, "C": {{Prefix: "44", Price: 3}}}); err != nil {
		t.Fatal(err)
	}
	if err := r.SetRoutes(lcr, nil); err != nil {
		t.Fatal(err)
	}
	for _, id := range ids(4) {
		if err := r.Dispatch(newJob(r, id, 1, "4477009", 1)); err != nil {
			t.Fatal(err)
		}
	}
	rec.waitDone(t, 4, 10*time.Second)
	if len(b.submits()) != 4 || len(c.submits()) != 0 {
		t.Fatalf("B %d, C %d; want all 4 on B, now the cheaper", len(b.submits()), len(c.submits()))
	}
}
