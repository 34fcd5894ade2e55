package router

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gallant-sms/gallant/sms"
	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
)

// submitRec is one Submit seen by a fakeSender.
type submitRec struct {
	id  sms.ID
	seg int
	at  time.Time
	err error // the answer it got
}

// pending is a submit awaiting its answer in a fakeSender.
type pending struct {
	o   *Outgoing
	due time.Time
	id  string
	err error
}

// fakeSender is a Sender with a window, answer latency, error injection
// (behave) and a record of every submit. With latency 0 it answers
// inside Submit; otherwise its responder goroutine answers, in order,
// latency after each submit. Stop the responder with close.
type fakeSender struct {
	name    string
	window  int           // 0: unlimited
	latency time.Duration // 0: answer inline
	// behave decides the answer to the n-th submit (from 1); nil: success.
	// It runs under f.mu and may change f.bound.
	behave func(f *fakeSender, o *Outgoing, n int) error

	mu      sync.Mutex
	bound   bool
	n       int
	log     []submitRec
	pending []pending
	lost    int // submits answered ConnectionLost by drop

	wake      chan struct{}
	quit      chan struct{}
	closeOnce sync.Once
	wg        sync.WaitGroup
}

var _ Sender = (*fakeSender)(nil)

func newFakeSender(name string, window int, latency time.Duration) *fakeSender {
	f := &fakeSender{name: name, window: window, latency: latency, bound: true,
		wake: make(chan struct{}, 1), quit: make(chan struct{})}
	if latency > 0 {
		f.wg.Go(f.respond)
	}
	return f
}

// Submit implements Sender.
func (f *fakeSender) Submit(o *Outgoing) error {
	f.mu.Lock()
	if !f.bound {
		f.mu.Unlock()
		return ErrNotBound
	}
	if f.window > 0 && len(f.pending) >= f.window {
		f.mu.Unlock()
		return ErrBusy
	}
	f.n++
	var err error
	if f.behave != nil {
		err = f.behave(f, o, f.n)
	}
	id := ""
	if err == nil {
		id = f.name + "-" + strconv.Itoa(f.n)
	}
	f.log = append(f.log, submitRec{id: o.Message().ID, seg: o.SegmentIndex(), at: time.Now(), err: err})
	if f.latency == 0 {
		f.mu.Unlock()
		o.Complete(id, err)
		return nil
	}
	f.pending = append(f.pending, pending{o: o, due: time.Now().Add(f.latency), id: id, err: err})
	f.mu.Unlock()
	select {
	case f.wake <- struct{}{}:
	default:
	}
	return nil
}

// Bound implements Sender.
func (f *fakeSender) Bound() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.bound
}

// setBound binds or unbinds the fake; unbinding answers every submit in
// flight with ConnectionLost, as a dropped SMPP session does.
func (f *fakeSender) setBound(b bool) {
	f.mu.Lock()
	f.bound = b
	var lost []pending
	if !b {
		lost = f.pending
		f.pending = nil
		f.lost += len(lost)
	}
	f.mu.Unlock()
	for _, p := range lost {
		p.o.Complete("", &SubmitError{Kind: ConnectionLost})
	}
}

// respond answers pending submits when they fall due.
func (f *fakeSender) respond() {
	t := time.NewTimer(time.Hour)
	defer t.Stop()
	for {
		f.mu.Lock()
		if len(f.pending) == 0 {
			f.mu.Unlock()
			select {
			case <-f.wake:
				continue
			case <-f.quit:
				return
			}
		}
		p := f.pending[0]
		if wait := time.Until(p.due); wait > 0 {
			f.mu.Unlock()
			t.Reset(wait)
			select {
			case <-t.C:
			case <-f.wake:
				t.Stop()
			case <-f.quit:
				return
			}
			continue
		}
		f.pending = f.pending[1:]
		f.mu.Unlock()
		p.o.Complete(p.id, p.err)
	}
}

// close stops the responder; pending submits stay unanswered. It may be
// called more than once.
func (f *fakeSender) close() {
	f.closeOnce.Do(func() { close(f.quit) })
	f.wg.Wait()
}

// submits returns a copy of the submit log.
func (f *fakeSender) submits() []submitRec {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]submitRec(nil), f.log...)
}

// fakeLimiter never waits; it records the rates it is set to.
type fakeLimiter struct {
	mu    sync.Mutex
	rate  float64
	rates []float64
	waits atomic.Int64
}

func (l *fakeLimiter) Wait(ctx context.Context) error {
	l.waits.Add(1)
	return ctx.Err()
}

func (l *fakeLimiter) SetRate(r float64) {
	l.mu.Lock()
	l.rate = r
	l.rates = append(l.rates, r)
	l.mu.Unlock()
}

func (l *fakeLimiter) Rate() float64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.rate
}

func (l *fakeLimiter) history() []float64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]float64(nil), l.rates...)
}

// segKey names one segment of one message.
type segKey struct {
	id  sms.ID
	seg int
}

// failRec is one Failed call.
type failRec struct {
	carrier string
	code    uint32
	status  sms.Status
}

// testRecorder records outcomes, copying what it keeps as the Recorder
// contract asks, and checks that each segment gets one outcome and each
// job one Done after all of them.
type testRecorder struct {
	t    testing.TB
	mu   sync.Mutex
	sub  map[segKey][]string // carrier/msg id of accepted segments, read at Done
	fail map[segKey][]failRec
	done map[sms.ID]int

	doneCh chan sms.ID
}

func newRecorder(t testing.TB, capacity int) *testRecorder {
	return &testRecorder{t: t, sub: map[segKey][]string{}, fail: map[segKey][]failRec{},
		done: map[sms.ID]int{}, doneCh: make(chan sms.ID, capacity)}
}

// submittedOnes notes the segments of j a carrier accepted.
func (r *testRecorder) submittedOnes(j *Job) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for seg := range j.Segments {
		if carrier, id, ok := j.Submitted(seg); ok {
			k := segKey{j.Msg.ID, seg}
			r.sub[k] = append(r.sub[k], carrier+"/"+id)
		}
	}
}

func (r *testRecorder) Failed(j *Job, seg int, carrier string, code uint32, status sms.Status) {
	k := segKey{j.Msg.ID, seg}
	r.mu.Lock()
	r.fail[k] = append(r.fail[k], failRec{carrier, code, status})
	r.mu.Unlock()
}

func (r *testRecorder) Done(j *Job) {
	for i := range j.Segments {
		if j.Pending(i) {
			r.t.Errorf("job %v done with segment %d pending", j.Msg.ID, i)
		}
	}
	r.submittedOnes(j)
	r.mu.Lock()
	r.done[j.Msg.ID]++
	r.mu.Unlock()
	r.doneCh <- j.Msg.ID
}

// waitDone waits for n Done calls, failing after timeout (real or
// synctest time).
func (r *testRecorder) waitDone(t testing.TB, n int, timeout time.Duration) {
	t.Helper()
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	for i := range n {
		select {
		case <-r.doneCh:
		case <-deadline.C:
			t.Fatalf("only %d of %d jobs done after %v", i, n, timeout)
		}
	}
}

// checkExactlyOnce checks that every segment of the given jobs has
// exactly one outcome and every job one Done.
func (r *testRecorder) checkExactlyOnce(t testing.TB, jobs map[sms.ID]int) {
	t.Helper()
	r.mu.Lock()
	defer r.mu.Unlock()
	for id, nseg := range jobs {
		if r.done[id] != 1 {
			t.Errorf("job %v: Done called %d times", id, r.done[id])
		}
		for s := range nseg {
			k := segKey{id, s}
			if n := len(r.sub[k]) + len(r.fail[k]); n != 1 {
				t.Errorf("segment %v: %d outcomes (submitted %v, failed %v)", k, n, r.sub[k], r.fail[k])
			}
		}
	}
}

func (r *testRecorder) submitted(k segKey) []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.sub[k]...)
}

func (r *testRecorder) failed(k segKey) []failRec {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]failRec(nil), r.fail[k]...)
}

// nopRecorder ignores outcomes except counting Done.
type nopRecorder struct{ done atomic.Int64 }

func (*nopRecorder) Failed(*Job, int, string, uint32, sms.Status) {}
func (n *nopRecorder) Done(*Job)                                  { n.done.Add(1) }

// testLogger logs to t when -v, else nowhere.
func testLogger(t testing.TB) *slog.Logger {
	if testing.Verbose() {
		return slog.New(slog.NewTextHandler(tWriter{t}, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	return slog.New(slog.NewTextHandler(io.Discard, nil))
}

type tWriter struct{ t testing.TB }

func (w tWriter) Write(p []byte) (int, error) { w.t.Log(string(p)); return len(p), nil }

// carrierCfg builds a Carrier of the given senders.
func carrierCfg(name string, tps float64, queue int, senders ...*fakeSender) Carrier {
	c := Carrier{Name: name, TPS: tps, QueueSize: queue}
	for _, s := range senders {
		c.Binds = append(c.Binds, s)
	}
	return c
}

// startRouter creates and starts a router; Stop and the fakes' close run
// at cleanup unless the test stopped it.
func startRouter(t testing.TB, cfg Config, rec Recorder, reg prometheus.Registerer) *Router {
	t.Helper()
	r, err := New(cfg, rec, testLogger(t), reg)
	if err != nil {
		t.Fatal(err)
	}
	r.Start()
	return r
}

// stopAll stops r (ignoring unsent jobs) and closes the fakes; for the
// end of a test, inside its synctest bubble if it has one (defer it, so
// that a failing test still ends its goroutines). It may be called more
// than once.
func stopAll(r *Router, fakes ...*fakeSender) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	_, _ = r.Stop(ctx)
	for _, f := range fakes {
		f.close()
	}
}

// newJob makes a job for message id to dest with n segments.
func newJob(r *Router, id sms.ID, acct int64, dest string, n int) *Job {
	j := r.AcquireJob()
	j.Msg = &sms.Message{ID: id, AccountID: acct, Dest: sms.Address{TON: 1, NPI: 1, Addr: dest}}
	for i := range n {
		j.Segments = append(j.Segments, Segment{Seq: i + 1, Total: n, Body: []byte("part " + strconv.Itoa(i+1))})
	}
	return j
}

// counterValue returns the value of the metric name with the given
// labels from reg, or -1 if absent.
func counterValue(t testing.TB, reg *prometheus.Registry, name string, labels map[string]string) float64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
	next:
		for _, m := range mf.GetMetric() {
			for k, v := range labels {
				if labelValue(m, k) != v {
					continue next
				}
			}
			switch {
			case m.Counter != nil:
				return m.Counter.GetValue()
			case m.Gauge != nil:
				return m.Gauge.GetValue()
			}
		}
	}
	return -1
}

func labelValue(m *dto.Metric, name string) string {
	for _, l := range m.GetLabel() {
		if l.GetName() == name {
			return l.GetValue()
		}
	}
	return ""
}

// ids returns n message ids that look like real ones (time, sequence,
// node), so that shard and weight hashing see realistic input.
func ids(n int) []sms.ID {
	out := make([]sms.ID, n)
	for i := range out {
		out[i] = sms.ID(uint64(1000+i/8192)<<23 | uint64(i%8192)<<10 | 7)
	}
	return out
}

func (k segKey) String() string { return fmt.Sprintf("%v#%d", k.id, k.seg) }
