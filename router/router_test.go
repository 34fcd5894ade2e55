package router

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"testing/synctest"
	"time"

	"github.com/gallant-sms/gallant/sms"
	"github.com/prometheus/client_golang/prometheus"
)

func TestDispatchEndToEnd(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		b0, b1 := newFakeSender("b0", 5, 10*time.Millisecond), newFakeSender("b1", 5, 10*time.Millisecond)
		reg := prometheus.NewRegistry()
		rec := newRecorder(t, 1000)
		r := startRouter(t, Config{
			Carriers: []Carrier{carrierCfg("A", 1000, 0, b0, b1)},
			Routes:   []Route{{Prefix: "", Carriers: []Choice{{Carrier: "A"}}}},
		}, rec, reg)
		defer stopAll(r, b0, b1)
		jobs := map[sms.ID]int{}
		total := 0
		for i, id := range ids(200) {
			n := 1 + i%3
			if err := r.Dispatch(newJob(r, id, 1, "447700900000", n)); err != nil {
				t.Fatalf("Dispatch %d: %v", i, err)
			}
			jobs[id] = n
			total += n
		}
		rec.waitDone(t, len(jobs), time.Minute)
		rec.checkExactlyOnce(t, jobs)

		// Every carrier message id given to the Recorder is one a bind
		// handed out, and each segment was submitted exactly once.
		given := map[string]bool{}
		for _, f := range []*fakeSender{b0, b1} {
			for _, s := range f.submits() {
				if s.err != nil {
					t.Fatalf("unexpected error answer %v", s.err)
				}
			}
			for i := 1; i <= len(f.submits()); i++ {
				given[fmt.Sprintf("A/%s-%d", f.name, i)] = true
			}
		}
		if len(given) != total {
			t.Fatalf("binds saw %d submits, want %d", len(given), total)
		}
		for id, n := range jobs {
			for s := range n {
				for _, got := range rec.submitted(segKey{id, s}) {
					if !given[got] {
						t.Fatalf("segment %v recorded as %q, which no bind gave", segKey{id, s}, got)
					}
				}
			}
		}
		if len(b0.submits()) == 0 || len(b1.submits()) == 0 {
			t.Errorf("binds shared the work unevenly: %d and %d", len(b0.submits()), len(b1.submits()))
		}
		if got := counterValue(t, reg, "gallant_router_submitted_total", map[string]string{"carrier": "A"}); got != float64(total) {
			t.Errorf("submitted_total = %v, want %d", got, total)
		}
		if got := counterValue(t, reg, "gallant_router_queued_total", map[string]string{"carrier": "A"}); got != float64(total) {
			t.Errorf("queued_total = %v, want %d", got, total)
		}
		if got := counterValue(t, reg, "gallant_router_reserved", map[string]string{"carrier": "A"}); got != 0 {
			t.Errorf("reserved = %v after every answer, want 0", got)
		}
		stopAll(r, b0, b1)
		if got := counterValue(t, reg, "gallant_router_submitted_total", nil); got != -1 {
			t.Errorf("metrics still registered after Stop")
		}
	})
}

func TestDispatchRefusals(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := newFakeSender("f", 0, 0)
		reg := prometheus.NewRegistry()
		r := startRouter(t, Config{
			Carriers: []Carrier{carrierCfg("A", 0, 0, f)},
			Routes:   []Route{{Prefix: "44", Carriers: []Choice{{Carrier: "A"}}}},
		}, &nopRecorder{}, reg)
		defer stopAll(r, f)

		tooMany := newJob(r, 9, 0, "44", maxSegments+1)
		bad := []*Job{nil, {}, {Msg: &sms.Message{ID: 1}}, tooMany}
		for i, j := range bad {
			if err := r.Dispatch(j); !errors.Is(err, ErrInvalidJob) {
				t.Errorf("bad job %d: Dispatch = %v, want ErrInvalidJob", i, err)
			}
		}
		if err := r.Dispatch(newJob(r, 2, 0, "15551234567", 1)); !errors.Is(err, ErrNoRoute) {
			t.Errorf("Dispatch without route = %v, want ErrNoRoute", err)
		}
		if err := r.Dispatch(newJob(r, 3, 0, "", 1)); !errors.Is(err, ErrNoRoute) {
			t.Errorf("Dispatch with empty destination = %v, want ErrNoRoute", err)
		}
		f.setBound(false) // keep the next job in the router
		held := newJob(r, 4, 0, "447700900000", 1)
		if err := r.Dispatch(held); err != nil {
			t.Fatal(err)
		}
		if err := r.Dispatch(held); !errors.Is(err, ErrInvalidJob) {
			t.Errorf("dispatching a held job again = %v, want ErrInvalidJob", err)
		}
		if got := counterValue(t, reg, "gallant_router_dispatch_rejected_total", map[string]string{"reason": "invalid"}); got != 5 {
			t.Errorf("rejected{invalid} = %v, want 5", got)
		}
		if got := counterValue(t, reg, "gallant_router_dispatch_rejected_total", map[string]string{"reason": "no_route"}); got != 2 {
			t.Errorf("rejected{no_route} = %v, want 2", got)
		}
		if r.QueueDepth("A") != 1 || r.QueueDepth("nope") != -1 {
			t.Errorf("QueueDepth = %d, %d; want 1, -1", r.QueueDepth("A"), r.QueueDepth("nope"))
		}
	})
}

func TestFailoverOnPermanentError(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		rejectAll := func(f *fakeSender, o *Outgoing, n int) error { return &SubmitError{Code: 0x0B, Kind: Permanent} }
		a := newFakeSender("a", 0, time.Millisecond)
		a.behave = rejectAll
		b := newFakeSender("b", 0, time.Millisecond)
		reg := prometheus.NewRegistry()
		rec := newRecorder(t, 100)
		r := startRouter(t, Config{
			Carriers: []Carrier{carrierCfg("A", 0, 0, a), carrierCfg("B", 0, 0, b)},
			Routes:   []Route{{Prefix: "", Carriers: []Choice{{Carrier: "A"}, {Carrier: "B", Priority: 1}}}},
		}, rec, reg)
		defer stopAll(r, a, b)
		jobs := map[sms.ID]int{}
		for _, id := range ids(20) {
			if err := r.Dispatch(newJob(r, id, 0, "33612345678", 2)); err != nil {
				t.Fatal(err)
			}
			jobs[id] = 2
		}
		rec.waitDone(t, 20, time.Minute)
		rec.checkExactlyOnce(t, jobs)
		for id := range jobs {
			for s := range 2 {
				got := rec.submitted(segKey{id, s})
				if len(got) != 1 || got[0][:2] != "B/" {
					t.Fatalf("segment %v submitted as %v, want once at B", segKey{id, s}, got)
				}
			}
		}
		if got := counterValue(t, reg, "gallant_router_retried_total", map[string]string{"carrier": "A", "kind": "permanent"}); got != float64(len(a.submits())) || got == 0 {
			t.Errorf("A retried{permanent} = %v, A saw %d submits", got, len(a.submits()))
		}
	})
}

func TestFailWhenEveryCarrierRefuses(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		a := newFakeSender("a", 0, 0)
		a.behave = func(f *fakeSender, o *Outgoing, n int) error { return &SubmitError{Code: 0x0B, Kind: Permanent} }
		b := newFakeSender("b", 0, 0)
		b.behave = func(f *fakeSender, o *Outgoing, n int) error { return &SubmitError{Code: 0x45, Kind: Permanent} }
		rec := newRecorder(t, 10)
		r := startRouter(t, Config{
			Carriers: []Carrier{carrierCfg("A", 0, 0, a), carrierCfg("B", 0, 0, b)},
			Routes:   []Route{{Prefix: "", Carriers: []Choice{{Carrier: "A"}, {Carrier: "B", Priority: 1}}}},
		}, rec, nil)
		defer stopAll(r, a, b)
		for id := sms.ID(1); id <= 3; id++ {
			if err := r.Dispatch(newJob(r, id, 0, "1", 1)); err != nil {
				t.Fatal(err)
			}
		}
		rec.waitDone(t, 3, time.Minute)
		rec.checkExactlyOnce(t, map[sms.ID]int{1: 1, 2: 1, 3: 1})
		for id := sms.ID(1); id <= 3; id++ {
			got := rec.failed(segKey{id, 0})
			if len(got) != 1 || got[0] != (failRec{"B", 0x45, sms.StatusFailed}) {
				t.Fatalf("job %v failed as %v, want once at B with 0x45", id, got)
			}
		}
		if len(a.submits()) != 3 || len(b.submits()) != 3 {
			t.Fatalf("A saw %d submits, B %d; want 3 each", len(a.submits()), len(b.submits()))
		}

		// Two segments: once B has refused one, no carrier is left for
		// the job, so a segment A refused meanwhile fails with A's code.
		if err := r.Dispatch(newJob(r, 77, 0, "1", 2)); err != nil {
			t.Fatal(err)
		}
		rec.waitDone(t, 1, time.Minute)
		rec.checkExactlyOnce(t, map[sms.ID]int{77: 2})
		codes := map[string]uint32{"A": 0x0B, "B": 0x45}
		for s := range 2 {
			got := rec.failed(segKey{77, s})
			if len(got) != 1 || got[0].status != sms.StatusFailed || codes[got[0].carrier] != got[0].code {
				t.Fatalf("segment %d failed as %v", s, got)
			}
		}
		if got := rec.failed(segKey{77, 0}); got[0].carrier != "B" {
			t.Fatalf("first segment failed at %s, want B (it was the first to fail over)", got[0].carrier)
		}
	})
}

func TestThrottlePausesAndKeepsOrder(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := newFakeSender("f", 1, time.Millisecond)
		var throttledAt time.Time
		f.behave = func(f *fakeSender, o *Outgoing, n int) error {
			if n == 3 {
				throttledAt = time.Now()
				return &SubmitError{Code: 0x58, Kind: Throttled}
			}
			return nil
		}
		lim := &fakeLimiter{}
		reg := prometheus.NewRegistry()
		rec := newRecorder(t, 1000)
		r := startRouter(t, Config{
			Carriers:   []Carrier{carrierCfg("A", 100, 0, f)},
			Routes:     []Route{{Prefix: "", Carriers: []Choice{{Carrier: "A"}}}},
			NewLimiter: func(rate float64) Limiter { lim.SetRate(rate); return lim },
		}, rec, reg)
		defer stopAll(r, f)
		var want []segKey
		for _, id := range ids(3) {
			if err := r.Dispatch(newJob(r, id, 0, "1", 2)); err != nil {
				t.Fatal(err)
			}
			want = append(want, segKey{id, 0}, segKey{id, 1})
		}
		rec.waitDone(t, 3, time.Minute)

		subs := f.submits()
		var ok []segKey
		var resumed time.Time
		for i, s := range subs {
			if s.err == nil {
				ok = append(ok, segKey{s.id, s.seg})
			}
			if i == 3 {
				resumed = s.at
			}
		}
		if !slices.Equal(ok, want) {
			t.Fatalf("accepted order %v, want %v", ok, want)
		}
		if subs[2].err == nil || (segKey{subs[2].id, subs[2].seg}) != want[2] || (segKey{subs[3].id, subs[3].seg}) != want[2] {
			t.Fatalf("the throttled segment was not the next one sent: %v", subs)
		}
		if pause := resumed.Sub(throttledAt); pause < time.Second {
			t.Fatalf("bind resumed %v after the throttle, want >= 1s", pause)
		}
		if h := lim.history(); len(h) < 2 || h[0] != 100 || h[1] != 50 {
			t.Fatalf("limiter rates %v, want 100 then 50", h)
		}
		if got := counterValue(t, reg, "gallant_router_throttled_total", map[string]string{"carrier": "A"}); got != 1 {
			t.Errorf("throttled_total = %v, want 1", got)
		}

		// Clean answers bring the rate back to the target, step by step.
		more := map[sms.ID]int{}
		for _, id := range ids(2000)[3:] {
			for {
				err := r.Dispatch(newJob(r, id, 0, "1", 1))
				if err == nil {
					break
				}
				if !errors.Is(err, ErrBackpressure) {
					t.Fatal(err)
				}
				time.Sleep(10 * time.Millisecond)
			}
			more[id] = 1
		}
		rec.waitDone(t, len(more), time.Hour)
		h := lim.history()
		if h[len(h)-1] != 100 || len(h) < 4 {
			t.Fatalf("limiter rates %v, want steps back up to 100", h)
		}
	})
}

func TestTemporaryErrorsBackOffThenFail(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := newFakeSender("f", 0, 0)
		f.behave = func(f *fakeSender, o *Outgoing, n int) error {
			if o.Message().ID == 2 && n > 2 {
				return nil // the second message recovers on its second try
			}
			return &SubmitError{Code: 0x08, Kind: Temporary}
		}
		reg := prometheus.NewRegistry()
		rec := newRecorder(t, 10)
		r := startRouter(t, Config{
			Carriers:    []Carrier{carrierCfg("A", 0, 0, f)},
			Routes:      []Route{{Prefix: "", Carriers: []Choice{{Carrier: "A"}}}},
			MaxAttempts: 4,
			BackoffMin:  time.Second,
			BackoffMax:  3 * time.Second,
		}, rec, reg)
		defer stopAll(r, f)
		if err := r.Dispatch(newJob(r, 1, 0, "1", 1)); err != nil {
			t.Fatal(err)
		}
		rec.waitDone(t, 1, time.Minute)
		subs := f.submits()
		if len(subs) != 4 {
			t.Fatalf("%d attempts, want MaxAttempts = 4", len(subs))
		}
		for i, base := range []time.Duration{time.Second, 2 * time.Second, 3 * time.Second} {
			gap := subs[i+1].at.Sub(subs[i].at)
			if gap < base || gap > base+base/4 {
				t.Errorf("retry %d came after %v, want %v plus at most a quarter", i+1, gap, base)
			}
		}
		if got := rec.failed(segKey{1, 0}); len(got) != 1 || got[0] != (failRec{"A", 0x08, sms.StatusFailed}) {
			t.Fatalf("failed = %v, want once with 0x08", got)
		}
		if got := counterValue(t, reg, "gallant_router_retried_total", map[string]string{"kind": "temporary"}); got != 3 {
			t.Errorf("retried{temporary} = %v, want 3", got)
		}

		if err := r.Dispatch(newJob(r, 2, 0, "1", 1)); err != nil {
			t.Fatal(err)
		}
		rec.waitDone(t, 1, time.Minute)
		if got := rec.submitted(segKey{2, 0}); len(got) != 1 {
			t.Fatalf("recovering message: submitted %v, failed %v", got, rec.failed(segKey{2, 0}))
		}
	})
}

func TestConnectionLostRetriesOnAnotherBind(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		b0 := newFakeSender("b0", 0, time.Hour) // holds its submit until dropped
		b1 := newFakeSender("b1", 0, time.Millisecond)
		b1.setBound(false)
		reg := prometheus.NewRegistry()
		rec := newRecorder(t, 10)
		r := startRouter(t, Config{
			Carriers: []Carrier{carrierCfg("A", 0, 0, b0, b1)},
			Routes:   []Route{{Prefix: "", Carriers: []Choice{{Carrier: "A"}}}},
		}, rec, reg)
		defer stopAll(r, b0, b1)
		if err := r.Dispatch(newJob(r, 5, 0, "1", 1)); err != nil {
			t.Fatal(err)
		}
		synctest.Wait()
		if len(b0.submits()) != 1 {
			t.Fatalf("b0 saw %d submits, want 1", len(b0.submits()))
		}
		b1.setBound(true)
		time.Sleep(time.Second) // b1 notices it is bound; nothing for it yet
		droppedAt := time.Now()
		b0.setBound(false)
		rec.waitDone(t, 1, time.Minute)
		subs := b1.submits()
		if len(subs) != 1 || subs[0].id != 5 {
			t.Fatalf("b1 submits %v, want the lost segment", subs)
		}
		if d := subs[0].at.Sub(droppedAt); d != 0 {
			t.Errorf("retried %v after the drop, want at once", d)
		}
		if got := rec.submitted(segKey{5, 0}); len(got) != 1 || got[0] != "A/b1-1" {
			t.Fatalf("submitted %v, want A/b1-1", got)
		}
		if got := counterValue(t, reg, "gallant_router_retried_total", map[string]string{"kind": "connection_lost"}); got != 1 {
			t.Errorf("retried{connection_lost} = %v, want 1", got)
		}
	})
}

func TestBindDropMidRunLosesNothing(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		binds := []*fakeSender{
			newFakeSender("b0", 10, 5*time.Millisecond),
			newFakeSender("b1", 10, 7*time.Millisecond),
			newFakeSender("b2", 10, 3*time.Millisecond),
		}
		rec := newRecorder(t, 1000)
		r := startRouter(t, Config{
			Carriers: []Carrier{carrierCfg("A", 3000, 0, binds...)},
			Routes:   []Route{{Prefix: "", Carriers: []Choice{{Carrier: "A"}}}},
		}, rec, nil)
		defer stopAll(r, binds...)
		jobs := map[sms.ID]int{}
		total := 0
		for i, id := range ids(600) {
			n := 1 + i%3
			if err := r.Dispatch(newJob(r, id, 0, "1", n)); err != nil {
				t.Fatal(err)
			}
			jobs[id] = n
			total += n
			switch i {
			case 100:
				time.Sleep(20 * time.Millisecond)
				binds[0].setBound(false)
			case 300:
				binds[1].setBound(false)
				time.Sleep(50 * time.Millisecond)
				binds[0].setBound(true)
			case 400:
				binds[1].setBound(true)
			}
		}
		rec.waitDone(t, len(jobs), time.Hour)
		rec.checkExactlyOnce(t, jobs)
		lost := binds[0].lost + binds[1].lost
		if lost == 0 {
			t.Fatal("no submit was in flight when the binds dropped; the test proves nothing")
		}
		sent := 0
		for _, b := range binds {
			sent += len(b.submits())
		}
		// Only segments in flight at a drop were sent twice.
		if sent != total+lost {
			t.Fatalf("binds saw %d submits for %d segments with %d lost in flight", sent, total, lost)
		}
	})
}

func TestBackpressure(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := newFakeSender("f", 0, 0)
		f.setBound(false)
		reg := prometheus.NewRegistry()
		rec := newRecorder(t, 100)
		r := startRouter(t, Config{
			Carriers: []Carrier{carrierCfg("A", 0, 10, f)},
			Routes:   []Route{{Prefix: "", Carriers: []Choice{{Carrier: "A"}}}},
		}, rec, reg)
		defer stopAll(r, f)
		accepted := 0
		var err error
		for i := 1; i <= 10; i++ {
			if err = r.Dispatch(newJob(r, sms.ID(i), 0, "1", 3)); err != nil {
				break
			}
			accepted++
		}
		if !errors.Is(err, ErrBackpressure) || accepted != 3 {
			t.Fatalf("accepted %d jobs of 3 segments into a queue of 10, then %v; want 3 then ErrBackpressure", accepted, err)
		}
		for i := 11; i <= 10_000; i++ { // a flood changes nothing: memory stays bounded
			if err := r.Dispatch(newJob(r, sms.ID(i), 0, "1", 1)); err == nil {
				accepted++
			}
		}
		if d := r.QueueDepth("A"); d != 10 || accepted != 4 {
			t.Fatalf("after a flood QueueDepth = %d with %d jobs accepted, want 10 and 4", d, accepted)
		}
		if got := counterValue(t, reg, "gallant_router_dispatch_rejected_total", map[string]string{"reason": "backpressure"}); got != 1+9990-1 {
			t.Errorf("rejected{backpressure} = %v, want 9990", got)
		}
		f.setBound(true)
		rec.waitDone(t, accepted, time.Minute)
		if d := r.QueueDepth("A"); d != 0 {
			t.Fatalf("QueueDepth after draining = %d", d)
		}
		// Empty again: even a job larger than the queue gets in.
		if err := r.Dispatch(newJob(r, 99, 0, "1", 12)); err != nil {
			t.Fatalf("Dispatch into an empty queue: %v", err)
		}
		rec.waitDone(t, 1, time.Minute)
	})
}

func TestBackpressureSpillsWithinPriority(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		a, b, c := newFakeSender("a", 0, 0), newFakeSender("b", 0, 0), newFakeSender("c", 0, 0)
		for _, f := range []*fakeSender{a, b, c} {
			f.setBound(false)
		}
		r := startRouter(t, Config{
			Carriers: []Carrier{carrierCfg("A", 0, 2, a), carrierCfg("B", 0, 3, b), carrierCfg("C", 0, 100, c)},
			Routes: []Route{{Prefix: "", Carriers: []Choice{
				{Carrier: "A", Weight: 5}, {Carrier: "B"}, {Carrier: "C", Priority: 1},
			}}},
		}, &nopRecorder{}, nil)
		defer stopAll(r, a, b, c)
		accepted := 0
		for _, id := range ids(10) {
			if err := r.Dispatch(newJob(r, id, 0, "1", 1)); err != nil {
				if !errors.Is(err, ErrBackpressure) {
					t.Fatal(err)
				}
				continue
			}
			accepted++
		}
		if accepted != 5 || r.QueueDepth("A") != 2 || r.QueueDepth("B") != 3 || r.QueueDepth("C") != 0 {
			t.Fatalf("accepted %d; depths A %d, B %d, C %d; want 5 filling A and B, none to the backup C",
				accepted, r.QueueDepth("A"), r.QueueDepth("B"), r.QueueDepth("C"))
		}
	})
}

func TestExpiredWhileWaiting(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := newFakeSender("f", 0, 0)
		f.setBound(false)
		rec := newRecorder(t, 10)
		r := startRouter(t, Config{
			Carriers: []Carrier{carrierCfg("A", 0, 0, f)},
			Routes:   []Route{{Prefix: "", Carriers: []Choice{{Carrier: "A"}}}},
		}, rec, nil)
		defer stopAll(r, f)
		j := newJob(r, 8, 0, "1", 1)
		j.Msg.ValidUntil = time.Now().Add(time.Second)
		if err := r.Dispatch(j); err != nil {
			t.Fatal(err)
		}
		time.Sleep(2 * time.Second)
		f.setBound(true)
		rec.waitDone(t, 1, time.Minute)
		if got := rec.failed(segKey{8, 0}); len(got) != 1 || got[0].status != sms.StatusExpired {
			t.Fatalf("failed = %v, want expired", got)
		}
		if len(f.submits()) != 0 {
			t.Fatal("an expired segment was submitted")
		}
	})
}

func TestExpiredWhileCarrierStaysDown(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := newFakeSender("f", 0, 0)
		f.setBound(false)
		rec := newRecorder(t, 10)
		r := startRouter(t, Config{
			Carriers: []Carrier{carrierCfg("A", 0, 0, f)},
			Routes:   []Route{{Prefix: "", Carriers: []Choice{{Carrier: "A"}}}},
		}, rec, nil)
		defer stopAll(r, f)
		j := newJob(r, 9, 0, "1", 1)
		j.Msg.ValidUntil = time.Now().Add(time.Second)
		if err := r.Dispatch(j); err != nil {
			t.Fatal(err)
		}
		// The carrier never comes back: the segment must still end.
		rec.waitDone(t, 1, time.Minute)
		if got := rec.failed(segKey{9, 0}); len(got) != 1 || got[0].status != sms.StatusExpired {
			t.Fatalf("failed = %v, want expired", got)
		}
		if d := r.QueueDepth("A"); d != 0 {
			t.Fatalf("queue depth %d after expiry, want 0", d)
		}
	})
}

func TestStopDrains(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := newFakeSender("f", 2, 100*time.Millisecond)
		defer f.close()
		rec := newRecorder(t, 100)
		r := startRouter(t, Config{
			Carriers: []Carrier{carrierCfg("A", 0, 0, f)},
			Routes:   []Route{{Prefix: "", Carriers: []Choice{{Carrier: "A"}}}},
		}, rec, nil)
		jobs := map[sms.ID]int{}
		for _, id := range ids(50) {
			if err := r.Dispatch(newJob(r, id, 0, "1", 1)); err != nil {
				t.Fatal(err)
			}
			jobs[id] = 1
		}
		start := time.Now()
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		unsent, err := r.Stop(ctx)
		if err != nil || len(unsent) != 0 {
			t.Fatalf("Stop = %d unsent, %v", len(unsent), err)
		}
		if took := time.Since(start); took < 2*time.Second {
			t.Fatalf("Stop returned after %v, before 50 segments at 2 per 100 ms could be sent", took)
		}
		rec.waitDone(t, len(jobs), time.Second)
		rec.checkExactlyOnce(t, jobs)
		if err := r.Dispatch(newJob(r, 1, 0, "1", 1)); !errors.Is(err, ErrStopped) {
			t.Fatalf("Dispatch after Stop = %v, want ErrStopped", err)
		}
		if _, err := r.Stop(ctx); !errors.Is(err, ErrStopped) {
			t.Fatalf("second Stop = %v, want ErrStopped", err)
		}
	})
}

func TestStopReturnsUnsent(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := newFakeSender("f", 1, 10*time.Millisecond)
		defer f.close()
		f.behave = func(f *fakeSender, o *Outgoing, n int) error {
			if n == 1 {
				f.bound = false // the bind goes away after its first submit
			}
			return nil
		}
		rec := newRecorder(t, 100)
		r := startRouter(t, Config{
			Carriers: []Carrier{carrierCfg("A", 0, 0, f)},
			Routes:   []Route{{Prefix: "", Carriers: []Choice{{Carrier: "A"}}}},
		}, rec, nil)
		dispatched := map[*Job]bool{}
		for i := 1; i <= 4; i++ {
			j := newJob(r, sms.ID(i), 0, "1", 3)
			if err := r.Dispatch(j); err != nil {
				t.Fatal(err)
			}
			dispatched[j] = true
		}
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		start := time.Now()
		unsent, err := r.Stop(ctx)
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("Stop error = %v, want DeadlineExceeded", err)
		}
		if took := time.Since(start); took != time.Second {
			t.Errorf("Stop took %v, want the 1s deadline", took)
		}
		if len(unsent) != 4 {
			t.Fatalf("Stop returned %d jobs, want 4", len(unsent))
		}
		for _, j := range unsent {
			if !dispatched[j] {
				t.Fatal("Stop returned a job that was not dispatched")
			}
			first := j.Msg.ID == 1
			if j.Pending(0) == first || !j.Pending(1) || !j.Pending(2) {
				t.Errorf("job %v pending %v %v %v", j.Msg.ID, j.Pending(0), j.Pending(1), j.Pending(2))
			}
			if carrier, id, ok := j.Submitted(0); ok != first || (first && (carrier != "A" || id != "f-1")) {
				t.Errorf("job %v segment 0 submitted %q %q %v", j.Msg.ID, carrier, id, ok)
			}
		}
		rec.mu.Lock()
		if len(rec.fail) != 0 || len(rec.done) != 0 {
			t.Errorf("recorder saw failed %v, done %v; want neither", rec.fail, rec.done)
		}
		rec.mu.Unlock()
		for _, j := range unsent {
			r.ReleaseJob(j)
		}
	})
}

func TestStopBeforeStart(t *testing.T) {
	f := newFakeSender("f", 0, 0)
	r, err := New(Config{
		Carriers: []Carrier{carrierCfg("A", 0, 0, f)},
		Routes:   []Route{{Prefix: "", Carriers: []Choice{{Carrier: "A"}}}},
	}, &nopRecorder{}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Dispatch(newJob(r, 1, 0, "1", 2)); err != nil {
		t.Fatal(err)
	}
	unsent, err := r.Stop(context.Background())
	if len(unsent) != 1 || err == nil {
		t.Fatalf("Stop before Start = %d jobs, %v; want the dispatched job and an error", len(unsent), err)
	}
	r.Start() // after Stop: does nothing
	if err := r.Dispatch(newJob(r, 2, 0, "1", 1)); !errors.Is(err, ErrStopped) {
		t.Fatalf("Dispatch = %v, want ErrStopped", err)
	}
}

func TestMetricsRegistrationConflict(t *testing.T) {
	f := newFakeSender("f", 0, 0)
	cfg := Config{
		Carriers: []Carrier{carrierCfg("A", 0, 0, f)},
		Routes:   []Route{{Prefix: "", Carriers: []Choice{{Carrier: "A"}}}},
	}
	reg := prometheus.NewRegistry()
	r1, err := New(cfg, &nopRecorder{}, nil, reg)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := New(cfg, &nopRecorder{}, nil, reg); err == nil {
		t.Fatal("a second router registered the same metrics")
	}
	if _, err := r1.Stop(context.Background()); err != nil {
		t.Fatal(err)
	}
	r3, err := New(cfg, &nopRecorder{}, nil, reg)
	if err != nil {
		t.Fatalf("New after the first router stopped: %v", err)
	}
	if _, err := r3.Stop(context.Background()); err != nil {
		t.Fatal(err)
	}
}

func TestLateAnswerAfterStopIsDropped(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := newFakeSender("f", 0, time.Hour) // answers long after Stop
		defer f.close()
		rec := newRecorder(t, 10)
		r := startRouter(t, Config{
			Carriers: []Carrier{carrierCfg("A", 0, 0, f)},
			Routes:   []Route{{Prefix: "", Carriers: []Choice{{Carrier: "A"}}}},
		}, rec, nil)
		if err := r.Dispatch(newJob(r, 1, 0, "1", 1)); err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		unsent, err := r.Stop(ctx)
		if len(unsent) != 1 || err == nil || !unsent[0].Pending(0) {
			t.Fatalf("Stop = %d jobs, %v", len(unsent), err)
		}
		f.mu.Lock()
		held := f.pending[0].o
		f.mu.Unlock()
		if held.Carrier() != "A" || held.Message().ID != 1 || held.Attempt() != 1 {
			t.Fatalf("held Outgoing: carrier %q, message %v, attempt %d", held.Carrier(), held.Message().ID, held.Attempt())
		}
		// The gateway reuses the job while the carrier's answer is late.
		j := unsent[0]
		r.ReleaseJob(j)
		j.Msg = &sms.Message{ID: 2}
		j.Segments = append(j.Segments, Segment{Seq: 1, Total: 1})
		j.reset()
		if &j.outs[0] == held {
			t.Fatal("a job returned by Stop reused an Outgoing an adapter still holds")
		}
		held.Complete("late-id", nil)
		f.setBound(false) // the other path: the session drops with it in flight
		rec.mu.Lock()
		defer rec.mu.Unlock()
		if len(rec.sub)+len(rec.fail)+len(rec.done) != 0 {
			t.Fatalf("late answers reached the recorder: %v %v %v", rec.sub, rec.fail, rec.done)
		}
	})
}
