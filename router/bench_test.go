package router

import (
	"errors"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gallant-sms/gallant/sms"
)

// benchSender answers every submit with the same carrier id: inline
// (inside Submit) or, with async, from its responder goroutine in
// batches, as an SMPP session's reader would, with a window.
type benchSender struct {
	async  bool
	window int

	mu      sync.Mutex
	pending []*Outgoing
	spare   []*Outgoing
	wake    chan struct{}
	quit    chan struct{}
	wg      sync.WaitGroup
}

func newBenchSender(async bool, window int) *benchSender {
	s := &benchSender{async: async, window: window, wake: make(chan struct{}, 1), quit: make(chan struct{})}
	if async {
		s.wg.Go(s.respond)
	}
	return s
}

func (s *benchSender) Bound() bool { return true }

func (s *benchSender) Submit(o *Outgoing) error {
	if !s.async {
		o.Complete("carrier-id", nil)
		return nil
	}
	s.mu.Lock()
	if len(s.pending) >= s.window {
		s.mu.Unlock()
		return ErrBusy
	}
	s.pending = append(s.pending, o)
	s.mu.Unlock()
	select {
	case s.wake <- struct{}{}:
	default:
	}
	return nil
}

func (s *benchSender) respond() {
	for {
		select {
		case <-s.wake:
		case <-s.quit:
			return
		}
		s.mu.Lock()
		batch := s.pending
		s.pending, s.spare = s.spare[:0], batch
		s.mu.Unlock()
		for _, o := range batch {
			o.Complete("carrier-id", nil)
		}
		clear(batch)
	}
}

func (s *benchSender) close() {
	if s.async {
		close(s.quit)
		s.wg.Wait()
	}
}

// benchRecorder recycles messages and counts finished jobs.
type benchRecorder struct {
	msgs *sync.Pool
	done atomic.Int64
}

func (*benchRecorder) Failed(*Job, int, string, uint32, sms.Status) {}
func (r *benchRecorder) Done(j *Job) {
	r.msgs.Put(j.Msg)
	r.done.Add(1)
}

// benchRouter returns a started router over two carriers of two binds
// each, sharing traffic 1:1.
func benchRouter(tb testing.TB, async bool, rec Recorder) (*Router, []*benchSender) {
	return benchRouterRoutes(tb, async, rec, []Route{{Prefix: "", Carriers: []Choice{{Carrier: "A"}, {Carrier: "B"}}}})
}

// benchRouterRoutes is benchRouter with its own routes over carriers A
// and B.
func benchRouterRoutes(tb testing.TB, async bool, rec Recorder, routes []Route) (*Router, []*benchSender) {
	var senders []*benchSender
	var carriers []Carrier
	for _, name := range []string{"A", "B"} {
		c := Carrier{Name: name, QueueSize: 20_000}
		for range 2 {
			s := newBenchSender(async, 64)
			senders = append(senders, s)
			c.Binds = append(c.Binds, s)
		}
		carriers = append(carriers, c)
	}
	r, err := New(Config{
		Carriers: carriers,
		Routes:   routes,
	}, rec, nil, nil)
	if err != nil {
		tb.Fatal(err)
	}
	r.Start()
	return r, senders
}

func stopBench(tb testing.TB, r *Router, senders []*benchSender) {
	if unsent, err := r.Stop(tb.Context()); err != nil || len(unsent) > 0 {
		tb.Fatalf("Stop: %d unsent, %v", len(unsent), err)
	}
	for _, s := range senders {
		s.close()
	}
}

// BenchmarkDispatch measures Dispatch → bind → fake sender → shard →
// Recorder.Done, end to end, with jobs of segs segments from parallel
// dispatchers; it reports segments per second.
func BenchmarkDispatch(b *testing.B) {
	for _, async := range []bool{false, true} {
		for _, segs := range []int{1, 3} {
			name := "inline"
			if async {
				name = "async"
			}
			b.Run(name+"/segments="+strconv.Itoa(segs), func(b *testing.B) {
				benchDispatch(b, async, segs)
			})
		}
	}
}

func benchDispatch(b *testing.B, async bool, segs int) {
	msgs := &sync.Pool{New: func() any { return new(sms.Message) }}
	rec := &benchRecorder{msgs: msgs}
	r, senders := benchRouter(b, async, rec)
	body := []byte("hello, this is a benchmark message")
	var next atomic.Uint64
	b.ReportAllocs()
	b.ResetTimer()
	start := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			j := r.AcquireJob()
			m := msgs.Get().(*sms.Message)
			m.ID = sms.ID(next.Add(1))
			m.Dest.Addr = "447700900123"
			j.Msg = m
			for i := range segs {
				j.Segments = append(j.Segments, Segment{Seq: i + 1, Total: segs, Body: body})
			}
			for {
				err := r.Dispatch(j)
				if err == nil {
					break
				}
				if !errors.Is(err, ErrBackpressure) {
					b.Error(err)
					return
				}
				runtime.Gosched()
			}
		}
	})
	for rec.done.Load() < int64(b.N) {
		time.Sleep(50 * time.Microsecond)
	}
	elapsed := time.Since(start)
	b.StopTimer()
	b.ReportMetric(float64(b.N*segs)/elapsed.Seconds(), "segments/s")
	stopBench(b, r, senders)
}

// lookupTable builds a plan of about 1,200 prefixes: country codes and,
// under some, operator prefixes.
func lookupTable(tb testing.TB) *table {
	var routes []Route
	routes = append(routes, Route{Prefix: "", Carriers: []Choice{{Carrier: "A"}}})
	for cc := 1; cc < 1000; cc += 3 {
		p := strconv.Itoa(cc)
		routes = append(routes, Route{Prefix: p, Carriers: []Choice{{Carrier: "A"}, {Carrier: "B", Priority: 1}}})
		if cc%9 == 1 {
			for op := 70; op < 80; op++ {
				routes = append(routes, Route{Prefix: p + "9" + strconv.Itoa(op), Carriers: []Choice{{Carrier: "B"}}})
			}
		}
	}
	t, err := buildTable(routes, map[int64][]Route{5: routes[:50]}, map[string]int32{"A": 0, "B": 1})
	if err != nil {
		tb.Fatal(err)
	}
	return t
}

func BenchmarkLookup(b *testing.B) {
	t := lookupTable(b)
	dests := []string{"447700900123", "+4915112345678", "19175551234", "8613800138000", "ALPHA"}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if t.lookup(int64(i&7), dests[i%len(dests)]) == nil {
			b.Fatal("no route")
		}
		i++
	}
}
