//go:build !race

package router

import (
	"sync"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

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

// TestSenderTPSDoesNotAllocate: segments on a route with a sender rate
// take their slot and, when it is later, wait for it with their shard,
// without allocating (the second segment of each job waits its slot).
func TestSenderTPSDoesNotAllocate(t *testing.T) {
	rec := &dispatchDoneRecorder{done: make(chan struct{}, 1)}
	r, senders := benchRouterRoutes(t, false, rec,
		[]Route{{Prefix: "", Carriers: []Choice{{Carrier: "A"}}, SenderTPS: 10_000}})
	defer stopBench(t, r, senders)
	msg := &sms.Message{Source: sms.Address{Addr: "15550001"}, Dest: sms.Address{Addr: "447700900123"}}
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
	for range 100 {
		run()
	}
	waits := r.carrier(0).m.senderWaits
	before := counterNow(waits)
	allocs := testing.AllocsPerRun(500, run)
	if allocs > 0.05 {
		t.Fatalf("a job of 2 segments on a sender-limited route costs %v allocations, want 0", allocs)
	}
	if counterNow(waits) == before {
		t.Fatal("no segment waited for its slot: the test measured nothing")
	}
}

// counterNow reads a counter.
func counterNow(c prometheus.Counter) float64 {
	var m dto.Metric
	_ = c.Write(&m)
	return m.GetCounter().GetValue()
}
