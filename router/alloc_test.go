//go:build !race

package router

import (
	"sync"
	"testing"

	"github.com/gallant-sms/gallant/sms"
)

func TestLookupAndPickDoNotAllocate(t *testing.T) {
	tbl := lookupTable(t)
	r, _ := pickRouter(t, 1)
	rt := r.table.Load().lookup(0, "1")
	j := &Job{hash: 12345}
	allocs := testing.AllocsPerRun(1000, func() {
		if tbl.lookup(5, "447700900123") == nil || tbl.lookup(0, "+19175551234") == nil {
			t.Fatal("no route")
		}
		if r.pick(rt, j) < 0 {
			t.Fatal("no carrier")
		}
	})
	if allocs != 0 {
		t.Fatalf("lookup and pick allocate %v times, want 0", allocs)
	}
}

// dispatchDoneRecorder signals each Done on a channel.
type dispatchDoneRecorder struct{ done chan struct{} }

func (*dispatchDoneRecorder) Failed(*Job, int, string, uint32, sms.Status) {}
func (d *dispatchDoneRecorder) Done(*Job)                                  { d.done <- struct{}{} }

func TestDispatchDoesNotAllocate(t *testing.T) {
	rec := &dispatchDoneRecorder{done: make(chan struct{}, 1)}
	r, senders := benchRouter(t, false, rec)
	defer stopBench(t, r, senders)
	msg := &sms.Message{Dest: sms.Address{Addr: "447700900123"}}
	body := []byte("hello")
	var mu sync.Mutex
	id := sms.ID(0)
	run := func() {
		mu.Lock()
		id++
		msg.ID = id
		mu.Unlock()
		j := r.AcquireJob()
		j.Msg = msg
		j.Segments = append(j.Segments, Segment{Seq: 1, Total: 2, Body: body}, Segment{Seq: 2, Total: 2, Body: body})
		if err := r.Dispatch(j); err != nil {
			t.Fatal(err)
		}
		<-rec.done
	}
	for range 100 { // warm the pools and the queues' arrays
		run()
	}
	allocs := testing.AllocsPerRun(2000, run)
	// sync.Pool may drop a Job at a GC; anything above that is a leak
	// of an allocation into the hot path.
	if allocs > 0.05 {
		t.Fatalf("a dispatched job of 2 segments costs %v allocations end to end, want 0", allocs)
	}
}
