package webhook

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/gallant-sms/gallant/sms"
	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// waitLimit bounds every wait for something the dispatcher does; tests
// never assert how long things take, this only turns a hang into a
// failure.
const waitLimit = 10 * time.Second

// fakeRecorder keeps every attempt and wakes waiters on each one.
type fakeRecorder struct {
	mu       sync.Mutex
	attempts []Attempt
	changed  chan struct{}
}

func newFakeRecorder() *fakeRecorder {
	return &fakeRecorder{changed: make(chan struct{}, 1)}
}

func (r *fakeRecorder) Attempt(a Attempt) {
	r.mu.Lock()
	r.attempts = append(r.attempts, a)
	r.mu.Unlock()
	select {
	case r.changed <- struct{}{}:
	default:
	}
}

// all returns a copy of the attempts so far.
func (r *fakeRecorder) all() []Attempt {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]Attempt(nil), r.attempts...)
}

// waitFor waits until done holds for the attempts recorded, failing the
// test after waitLimit.
func (r *fakeRecorder) waitFor(tb testing.TB, what string, done func([]Attempt) bool) []Attempt {
	tb.Helper()
	deadline := time.NewTimer(waitLimit)
	defer deadline.Stop()
	for {
		as := r.all()
		if done(as) {
			return as
		}
		select {
		case <-r.changed:
		case <-deadline.C:
			tb.Fatalf("timed out waiting for %s; attempts: %+v", what, as)
		}
	}
}

// finished counts attempts that ended a delivery.
func finished(as []Attempt) int {
	n := 0
	for _, a := range as {
		if a.Delivered || a.GaveUp {
			n++
		}
	}
	return n
}

// answer is what the receiver says to one request.
type answer struct {
	status int
	header http.Header
}

// received is one request the receiver got.
type received struct {
	header http.Header
	body   []byte
}

// receiver is an httptest server on 127.0.0.1 answering with script(n)
// for its n-th request (0-based) and keeping every request.
type receiver struct {
	*httptest.Server
	mu     sync.Mutex
	reqs   []received
	script func(n int, r *http.Request) answer
}

func newReceiver(tb testing.TB, script func(n int, r *http.Request) answer) *receiver {
	tb.Helper()
	rc := &receiver{script: script}
	rc.Server = httptest.NewServer(http.HandlerFunc(rc.serve))
	tb.Cleanup(rc.Close)
	return rc
}

func (rc *receiver) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	rc.mu.Lock()
	n := len(rc.reqs)
	rc.reqs = append(rc.reqs, received{header: r.Header.Clone(), body: body})
	rc.mu.Unlock()
	a := rc.script(n, r)
	for k, v := range a.header {
		w.Header()[k] = v
	}
	w.WriteHeader(a.status)
}

func (rc *receiver) requests() []received {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return append([]received(nil), rc.reqs...)
}

// always answers status to every request.
func always(status int) func(int, *http.Request) answer {
	return func(int, *http.Request) answer { return answer{status: status} }
}

// newTestDispatcher returns a started dispatcher with its own registry,
// stopped at cleanup.
func newTestDispatcher(tb testing.TB, cfg Config, rec Recorder) (*Dispatcher, *prometheus.Registry) {
	tb.Helper()
	reg := prometheus.NewRegistry()
	d, err := New(cfg, rec, nil, reg)
	if err != nil {
		tb.Fatalf("New: %v", err)
	}
	d.Start()
	tb.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), waitLimit)
		defer cancel()
		if _, err := d.Stop(ctx); err != nil {
			tb.Errorf("Stop: %v", err)
		}
	})
	return d, reg
}

// testDelivery returns a delivery of a delivered event for message id.
func testDelivery(url string, id int) Delivery {
	return Delivery{
		URL:       url,
		Secret:    "whsec_test",
		AccountID: 7,
		MessageID: sms.ID(id),
		Event: Event{
			ID:       sms.ID(id),
			Status:   sms.StatusDelivered,
			To:       "447700900123",
			From:     "Gallant",
			Segments: 1,
			At:       time.Date(2026, 3, 1, 10, 0, 0, 123000000, time.UTC),
		},
	}
}

// metricValue returns the value of the counter or gauge name with the
// given labels in reg, or -1 if absent.
func metricValue(tb testing.TB, reg *prometheus.Registry, name string, labels map[string]string) float64 {
	tb.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		tb.Fatalf("Gather: %v", err)
	}
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
		for _, m := range mf.GetMetric() {
			if labelsMatch(m, labels) {
				switch {
				case m.Counter != nil:
					return m.Counter.GetValue()
				case m.Gauge != nil:
					return m.Gauge.GetValue()
				case m.Histogram != nil:
					return float64(m.Histogram.GetSampleCount())
				}
			}
		}
	}
	return -1
}

func labelsMatch(m *dto.Metric, want map[string]string) bool {
	n := 0
	for _, lp := range m.GetLabel() {
		if v, ok := want[lp.GetName()]; ok {
			if v != lp.GetValue() {
				return false
			}
			n++
		}
	}
	return n == len(want)
}

// decodeEvent decodes a callback body, failing the test on error.
func decodeEvent(tb testing.TB, body []byte) Event {
	tb.Helper()
	var ev Event
	if err := json.Unmarshal(body, &ev); err != nil {
		tb.Fatalf("decode %q: %v", body, err)
	}
	return ev
}
