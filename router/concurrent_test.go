package router

import (
	"errors"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gallant-sms/gallant/sms"
)

// dispatchRetrying dispatches j, waiting out backpressure.
func dispatchRetrying(t testing.TB, r *Router, j *Job) {
	for {
		err := r.Dispatch(j)
		if err == nil {
			return
		}
		if !errors.Is(err, ErrBackpressure) {
			t.Errorf("Dispatch: %v", err)
			return
		}
		time.Sleep(100 * time.Microsecond)
	}
}

func TestConcurrentDispatch(t *testing.T) {
	const workers, per = 16, 300
	senders := []*fakeSender{
		newFakeSender("a0", 0, 0), newFakeSender("a1", 8, 200*time.Microsecond),
		newFakeSender("b0", 0, 0), newFakeSender("b1", 8, 300*time.Microsecond),
	}
	senders[1].behave = func(f *fakeSender, o *Outgoing, n int) error {
		if n%50 == 0 {
			return &SubmitError{Code: 0x58, Kind: Throttled}
		}
		return nil
	}
	senders[2].behave = func(f *fakeSender, o *Outgoing, n int) error {
		if n%40 == 0 {
			return &SubmitError{Code: 0x0B, Kind: Permanent}
		}
		return nil
	}
	rec := newRecorder(t, workers*per)
	r := startRouter(t, Config{
		Carriers: []Carrier{
			carrierCfg("A", 0, 500, senders[0], senders[1]),
			carrierCfg("B", 0, 500, senders[2], senders[3]),
		},
		Routes:        []Route{{Prefix: "", Carriers: []Choice{{Carrier: "A"}, {Carrier: "B"}}}},
		ThrottlePause: time.Millisecond,
		Shards:        4,
	}, rec, nil)
	defer stopAll(r, senders...)

	all := ids(workers * per)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := range per {
				id := all[w*per+i]
				dispatchRetrying(t, r, newJob(r, id, int64(w), "4477009", 1+i%2))
			}
		})
	}
	wg.Wait()
	rec.waitDone(t, workers*per, 30*time.Second)
	jobs := map[sms.ID]int{}
	for w := range workers {
		for i := range per {
			jobs[all[w*per+i]] = 1 + i%2
		}
	}
	rec.checkExactlyOnce(t, jobs)
}

func TestSetRoutesWhileDispatching(t *testing.T) {
	a, b := newFakeSender("a", 0, 0), newFakeSender("b", 0, 0)
	rec := newRecorder(t, 10_000)
	toA := []Route{{Prefix: "", Carriers: []Choice{{Carrier: "A"}}}}
	toB := []Route{{Prefix: "", Carriers: []Choice{{Carrier: "B"}}}}
	r := startRouter(t, Config{
		Carriers:      []Carrier{carrierCfg("A", 0, 0, a), carrierCfg("B", 0, 0, b)},
		Routes:        toA,
		AccountRoutes: map[int64][]Route{3: toB},
	}, rec, nil)
	defer stopAll(r, a, b)

	if err := r.SetRoutes([]Route{{Prefix: "", Carriers: []Choice{{Carrier: "Z"}}}}, nil); err == nil {
		t.Fatal("SetRoutes accepted an unknown carrier")
	}
	var stop atomic.Bool
	var swaps atomic.Int64
	var wg sync.WaitGroup
	wg.Go(func() {
		for i := 0; !stop.Load(); i++ {
			plan := toA
			if i%2 == 1 {
				plan = toB
			}
			if err := r.SetRoutes(plan, map[int64][]Route{3: toB}); err != nil {
				t.Error(err)
				return
			}
			swaps.Add(1)
			runtime.Gosched()
		}
	})
	const workers, per = 4, 1000
	all := ids(workers * per)
	jobs := map[sms.ID]int{}
	for _, id := range all {
		jobs[id] = 1
	}
	var dw sync.WaitGroup
	for w := range workers {
		dw.Go(func() {
			seen := swaps.Load()
			for i := range per {
				dispatchRetrying(t, r, newJob(r, all[w*per+i], int64(w), "1", 1))
				if i%250 == 249 { // let the routes change under us
					for swaps.Load() == seen {
						runtime.Gosched()
					}
					seen = swaps.Load()
				}
			}
		})
	}
	dw.Wait()
	stop.Store(true)
	wg.Wait()
	rec.waitDone(t, len(jobs), 30*time.Second)
	rec.checkExactlyOnce(t, jobs)
	if len(a.submits()) == 0 || len(b.submits()) == 0 {
		t.Fatalf("A got %d and B %d segments: the swaps did not take effect", len(a.submits()), len(b.submits()))
	}
	// Account 3 always had its own plan to B.
	for i := range per {
		if got := rec.submitted(segKey{all[3*per+i], 0}); len(got) != 1 || got[0][0] != 'B' {
			t.Fatalf("account 3 job went to %v, want B", got)
		}
	}

	// After the last swap every new job follows the new plan.
	if err := r.SetRoutes(toB, nil); err != nil {
		t.Fatal(err)
	}
	before := len(a.submits())
	next := ids(workers*per + 100)[workers*per:]
	for _, id := range next {
		dispatchRetrying(t, r, newJob(r, id, 0, "1", 1))
	}
	rec.waitDone(t, len(next), 10*time.Second)
	if len(a.submits()) != before {
		t.Fatalf("A got %d submits after the routes moved to B", len(a.submits())-before)
	}
}
