package api

import (
	"context"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

func TestHealthAndReady(t *testing.T) {
	ts := newTestServer(t, Config{})
	if a := ts.do(t, "GET", "/healthz", "", nil); a.Code != 200 || !strings.Contains(string(a.Body), "ok") {
		t.Fatalf("healthz: %d %s", a.Code, a.Body)
	}
	if a := ts.do(t, "GET", "/readyz", "", nil); a.Code != 200 {
		t.Fatalf("readyz: %d %s", a.Code, a.Body)
	}
	e := errors.New("store: ping: i/o timeout")
	ts.health.err.Store(&e)
	a := ts.do(t, "GET", "/readyz", "", nil)
	a.wantProblem(t, 503, TypeNotReady)
	if a.Header.Get("Retry-After") == "" || strings.Contains(string(a.Body), "i/o timeout") {
		t.Fatalf("readyz not ready: %v %s", a.Header, a.Body)
	}
	if a := ts.do(t, "GET", "/healthz", "", nil); a.Code != 200 {
		t.Fatalf("healthz while not ready: %d", a.Code)
	}
}

func TestMetrics(t *testing.T) {
	ts := newTestServer(t, Config{})
	ts.do(t, "POST", "/v1/messages", keySend, []byte(`{"to":"1","text":"x"}`))
	ts.do(t, "POST", "/v1/messages", keySend, []byte(`{"to":"1"}`))
	ts.do(t, "GET", "/v1/messages/1001", keyRead, nil)
	ts.do(t, "GET", "/v1/messages/1002", keyRead, nil)
	ts.do(t, "GET", "/v1/nowhere", "", nil)
	// Metrics are served on a listener of their own (cmd/gallant), never
	// on the API's port.
	ts.do(t, "GET", "/metrics", "", nil).wantProblem(t, 404, TypeNotFound)
	body := metricsText(t, ts.reg)
	for _, want := range []string{
		`gallant_http_requests_total{code="202",route="POST /v1/messages"} 1`,
		`gallant_http_requests_total{code="400",route="POST /v1/messages"} 1`,
		`gallant_http_requests_total{code="200",route="GET /v1/messages/{id}"} 1`,
		`gallant_http_requests_total{code="404",route="GET /v1/messages/{id}"} 1`,
		`gallant_http_requests_total{code="404",route="unmatched"} 2`,
		`gallant_http_request_duration_seconds_count{route="POST /v1/messages"} 2`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("metrics lack %s", want)
		}
	}
	if strings.Contains(body, "/v1/messages/1001") {
		t.Error("raw path used as a label")
	}
}

// TestOpenAPICoversRoutes: every registered route is in openapi.json and
// every operation there is registered.
// metricsText renders reg's metrics in the Prometheus text format.
func metricsText(t testing.TB, reg prometheus.Gatherer) string {
	t.Helper()
	rec := httptest.NewRecorder()
	promhttp.HandlerFor(reg, promhttp.HandlerOpts{ErrorHandling: promhttp.PanicOnError}).
		ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	if rec.Code != http.StatusOK {
		t.Fatalf("metrics: %d %s", rec.Code, rec.Body)
	}
	return rec.Body.String()
}

func TestOpenAPICoversRoutes(t *testing.T) {
	ts := newTestServer(t, Config{})
	a := ts.do(t, "GET", "/openapi.json", "", nil)
	var doc struct {
		OpenAPI string                                `json:"openapi"`
		Paths   map[string]map[string]json.RawMessage `json:"paths"`
	}
	a.decode(t, &doc)
	if !strings.HasPrefix(doc.OpenAPI, "3.1") {
		t.Fatalf("openapi %q", doc.OpenAPI)
	}
	var documented, registered []string
	for path, ops := range doc.Paths {
		for method := range ops {
			documented = append(documented, strings.ToUpper(method)+" "+path)
		}
	}
	for method, paths := range ts.srv.router.List() {
		for _, p := range paths {
			registered = append(registered, method+" "+p)
		}
	}
	sort.Strings(documented)
	sort.Strings(registered)
	if strings.Join(documented, "\n") != strings.Join(registered, "\n") {
		t.Fatalf("openapi.json and the router differ:\ndocumented:\n%s\nregistered:\n%s",
			strings.Join(documented, "\n"), strings.Join(registered, "\n"))
	}
	if len(registered) < 11 {
		t.Fatalf("%d routes registered, want at least 11: %v", len(registered), registered)
	}
}

func TestNewValidates(t *testing.T) {
	deps := Deps{Auth: fakeAuth{}, Messages: newFakeMessages(), Idempotency: newMemIdempotency()}
	if _, err := New(Config{MaxBodyBytes: -1}, deps, nil, nil); err == nil {
		t.Error("negative MaxBodyBytes accepted")
	}
	if _, err := New(Config{MaxBodyBytes: 2 << 20, MaxBatchBodyBytes: 1 << 20}, deps, nil, nil); err == nil {
		t.Error("MaxBodyBytes above MaxBatchBodyBytes accepted")
	}
	if _, err := New(Config{}, Deps{Auth: fakeAuth{}}, nil, nil); err == nil {
		t.Error("missing Messages accepted")
	}
	reg := prometheus.NewRegistry()
	if _, err := New(Config{}, deps, nil, reg); err != nil {
		t.Fatal(err)
	}
	if _, err := New(Config{}, deps, nil, reg); err == nil {
		t.Error("registering the metrics twice succeeded")
	}
	if _, err := New(Config{}, deps, nil, prometheus.WrapRegistererWithPrefix("other_", prometheus.NewRegistry())); err != nil {
		t.Errorf("a registerer that is not a gatherer: %v", err)
	}
}

func TestShutdown(t *testing.T) {
	ts := newTestServer(t, Config{})
	ts.msgs.gate = make(chan struct{})
	ts.msgs.entered = make(chan struct{}, 1)
	done := make(chan answer, 1)
	go func() {
		a, err := ts.send("POST", "/v1/messages", keySend, []byte(`{"to":"1","text":"x"}`))
		if err != nil {
			a.Code = -1
			a.Body = []byte(err.Error())
		}
		done <- a
	}()
	<-ts.msgs.entered

	// A request in progress is answered before Shutdown returns.
	shut := make(chan error, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		shut <- ts.srv.Shutdown(ctx)
	}()
	select {
	case err := <-shut:
		t.Fatalf("Shutdown returned %v with a request in progress", err)
	case <-time.After(100 * time.Millisecond):
	}
	close(ts.msgs.gate)
	if a := <-done; a.Code != 202 {
		t.Fatalf("request in progress got %d %s", a.Code, a.Body)
	}
	if err := <-shut; err != nil {
		t.Fatalf("Shutdown: %v", err)
	}
	// Closed: no new connections; Serve refuses; Shutdown again is fine.
	if _, err := net.DialTimeout("tcp", strings.TrimPrefix(ts.base, "http://"), time.Second); err == nil {
		t.Fatal("still accepting connections after Shutdown")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	if err := ts.srv.Serve(ln); !errors.Is(err, ErrServerClosed) {
		t.Fatalf("Serve after Shutdown: %v", err)
	}
	if err := ts.srv.Shutdown(context.Background()); err != nil {
		t.Fatalf("second Shutdown: %v", err)
	}
}

// TestShutdownDeadline: a request stuck past the deadline has its service
// context cancelled and its connection closed.
func TestShutdownDeadline(t *testing.T) {
	ts := newTestServer(t, Config{})
	ts.msgs.gate = make(chan struct{}) // never opened
	ts.msgs.entered = make(chan struct{}, 1)
	errc := make(chan error, 1)
	go func() {
		a, err := ts.send("POST", "/v1/messages", keySend, []byte(`{"to":"1","text":"x"}`))
		if err == nil && a.Code != http.StatusServiceUnavailable {
			err = errors.New("stuck request answered " + http.StatusText(a.Code))
		}
		errc <- err
	}()
	<-ts.msgs.entered
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	err := ts.srv.Shutdown(ctx)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Shutdown: %v, want a deadline error", err)
	}
	select {
	case err := <-errc: // answered 503 (its context was cancelled) or cut off
		t.Logf("stuck request: %v", err)
	case <-time.After(5 * time.Second):
		t.Fatal("the stuck request never ended")
	}
}
