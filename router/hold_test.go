package router

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/gallant-sms/gallant/sms"
	"github.com/prometheus/client_golang/prometheus"
)

// TestHoldResumeReplaces: a job still in its carrier's queue is held
// (no bind sees it), changed (message and a different number of
// segments) and resumed at its place: the carrier gets the new segments,
// once, between the jobs queued before and after it, never the old ones;
// the carrier's reservation ends at zero.
func TestHoldResumeReplaces(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := newFakeSender("f", 0, 0)
		f.setBound(false) // everything waits in the queue
		var sent []string
		f.behave = func(f *fakeSender, o *Outgoing, n int) error {
			sent = append(sent, fmt.Sprintf("%d:%s", o.Message().ID, o.Segment().Body))
			return nil
		}
		reg := prometheus.NewRegistry()
		rec := newRecorder(t, 100)
		r := startRouter(t, Config{
			Carriers: []Carrier{carrierCfg("A", 0, 0, f)},
			Routes:   []Route{{Prefix: "", Carriers: []Choice{{Carrier: "A"}}}},
		}, rec, reg)
		defer stopAll(r, f)
		for _, id := range []sms.ID{1, 2, 3} {
			if err := r.Dispatch(newJob(r, id, 7, "447700900000", int(id%2)+1)); err != nil {
				t.Fatal(err)
			}
		}
		synctest.Wait()
		if _, ok := r.Hold(2, 8); ok {
			t.Fatal("held another account's message")
		}
		if _, ok := r.Hold(9, 7); ok {
			t.Fatal("held a message the router does not have")
		}
		h, ok := r.Hold(2, 7)
		if !ok || h.Msg().ID != 2 || h.Segments() != 1 {
			t.Fatalf("Hold(2) = %v %v", h, ok)
		}
		if _, ok := r.Hold(2, 7); ok {
			t.Fatal("held a held job again")
		}
		if d := r.QueueDepth("A"); d != 4 {
			t.Fatalf("queue depth %d while job 2 is held, want 4", d)
		}
		nm := *h.Msg()
		var segs []Segment
		for i := range 3 {
			segs = append(segs, Segment{Seq: i + 1, Total: 3, Body: []byte("new " + fmt.Sprint(i+1))})
		}
		if !r.Resume(h, &nm, segs) {
			t.Fatal("Resume refused")
		}
		f.setBound(true)
		rec.waitDone(t, 3, time.Minute)
		want := []string{"1:part 1", "1:part 2", "2:new 1", "2:new 2", "2:new 3", "3:part 1", "3:part 2"}
		f.mu.Lock()
		got := slices.Clone(sent)
		f.mu.Unlock()
		if !slices.Equal(got, want) {
			t.Fatalf("carrier got %v, want %v", got, want)
		}
		rec.checkExactlyOnce(t, map[sms.ID]int{1: 2, 2: 3, 3: 2})
		if v := counterValue(t, reg, "gallant_router_reserved", map[string]string{"carrier": "A"}); v != 0 {
			t.Errorf("reserved = %v after every answer, want 0", v)
		}
		if _, ok := r.Hold(2, 7); ok {
			t.Error("held a job that is done")
		}
	})
}

// TestHoldRefusesJobOnItsWay: a job with a segment handed to a bind (in
// flight) cannot be held; Resume without a change puts a held job back
// as it was.
func TestHoldRefusesJobOnItsWay(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := newFakeSender("f", 1, time.Second) // one in flight at a time, answered after a second
		rec := newRecorder(t, 100)
		r := startRouter(t, Config{
			Carriers: []Carrier{carrierCfg("A", 0, 0, f)},
			Routes:   []Route{{Prefix: "", Carriers: []Choice{{Carrier: "A"}}}},
		}, rec, nil)
		defer stopAll(r, f)
		for _, id := range []sms.ID{1, 2} {
			if err := r.Dispatch(newJob(r, id, 7, "447700900000", 2)); err != nil {
				t.Fatal(err)
			}
		}
		synctest.Wait() // job 1's first segment is in flight
		if _, ok := r.Hold(1, 7); ok {
			t.Fatal("held a job with a segment in flight")
		}
		h, ok := r.Hold(2, 7)
		if !ok {
			t.Fatal("could not hold the job behind it")
		}
		if !r.Resume(h, nil, nil) {
			t.Fatal("Resume refused")
		}
		rec.waitDone(t, 2, time.Minute)
		rec.checkExactlyOnce(t, map[sms.ID]int{1: 2, 2: 2})
	})
}

// TestHoldThenStop: a job held when Stop runs is returned by Stop,
// unchanged, and Resume then reports false without touching it.
func TestHoldThenStop(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := newFakeSender("f", 0, 0)
		defer f.close()
		f.setBound(false)
		r := startRouter(t, Config{
			Carriers: []Carrier{carrierCfg("A", 0, 0, f)},
			Routes:   []Route{{Prefix: "", Carriers: []Choice{{Carrier: "A"}}}},
		}, newRecorder(t, 10), nil)
		if err := r.Dispatch(newJob(r, 5, 7, "447700900000", 1)); err != nil {
			t.Fatal(err)
		}
		h, ok := r.Hold(5, 7)
		if !ok {
			t.Fatal("Hold refused")
		}
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		unsent, err := r.Stop(ctx)
		if !errors.Is(err, context.DeadlineExceeded) || len(unsent) != 1 || unsent[0].Msg.ID != 5 || !unsent[0].Pending(0) {
			t.Fatalf("Stop: %v, %d unsent", err, len(unsent))
		}
		nm := sms.Message{ID: 5, AccountID: 7}
		if r.Resume(h, &nm, []Segment{{Seq: 1, Total: 1, Body: []byte("new")}}) {
			t.Fatal("Resume after Stop reported true")
		}
		if unsent[0].Msg == &nm || !strings.HasPrefix(string(unsent[0].Segments[0].Body), "part") {
			t.Fatal("Resume after Stop changed the job Stop returned")
		}
		if _, ok := r.Hold(5, 7); ok {
			t.Fatal("Hold after Stop")
		}
	})
}
