package gallant

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// fake is a scripted API: each request gets the next answer.
type fake struct {
	mu      sync.Mutex
	answers []func(w http.ResponseWriter)
	reqs    []*http.Request
	bodies  []string
}

func (f *fake) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b, _ := io.ReadAll(r.Body)
	f.mu.Lock()
	f.reqs = append(f.reqs, r)
	f.bodies = append(f.bodies, string(b))
	n := len(f.reqs)
	var a func(http.ResponseWriter)
	if n <= len(f.answers) {
		a = f.answers[n-1]
	}
	f.mu.Unlock()
	if a == nil {
		http.Error(w, "no more answers", http.StatusTeapot)
		return
	}
	a(w)
}

func problem(status int, slug, field string, retryAfter string) func(http.ResponseWriter) {
	return func(w http.ResponseWriter) {
		w.Header().Set("Content-Type", "application/problem+json")
		if retryAfter != "" {
			w.Header().Set("Retry-After", retryAfter)
		}
		w.WriteHeader(status)
		json.NewEncoder(w).Encode(map[string]any{"type": "https://docs.gallant.example/problems/" + slug,
			"title": "T", "status": status, "detail": "d", "field": field})
	}
}

func jsonAnswer(status int, body string) func(http.ResponseWriter) {
	return func(w http.ResponseWriter) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		io.WriteString(w, body)
	}
}

// newFake starts f and a client for it whose waits are recorded, not slept.
func newFake(t *testing.T, f *fake, opts ...Option) (*Client, *[]time.Duration) {
	t.Helper()
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	c := NewClient(srv.URL+"/", "gal_test", opts...)
	var waits []time.Duration
	c.sleep = func(ctx context.Context, d time.Duration) error {
		waits = append(waits, d)
		return ctx.Err()
	}
	return c, &waits
}

func TestRetriesHonourRetryAfter(t *testing.T) {
	f := &fake{answers: []func(http.ResponseWriter){
		problem(503, ProblemBackpressure, "", "2"),
		problem(429, ProblemRateLimited, "", "1"),
		jsonAnswer(202, `{"id":"77","status":"accepted","segments":1,"encoding":"gsm7","price":35000}`),
	}}
	c, waits := newFake(t, f)
	res, err := c.SendMessage(context.Background(), &SendRequest{To: "+447700900123", Text: "hi"}, IdempotencyKey("k-1"))
	if err != nil {
		t.Fatal(err)
	}
	if res.ID != "77" || res.Status != StatusAccepted || res.Price != 35000 {
		t.Fatalf("result %+v", res)
	}
	if len(*waits) != 2 || (*waits)[0] != 2*time.Second || (*waits)[1] != time.Second {
		t.Fatalf("waits %v, want [2s 1s]", *waits)
	}
	for i, r := range f.reqs {
		if r.Header.Get("Idempotency-Key") != "k-1" || r.Header.Get("Authorization") != "Bearer gal_test" {
			t.Fatalf("request %d headers %v", i, r.Header)
		}
		if f.bodies[i] != `{"to":"+447700900123","text":"hi"}` {
			t.Fatalf("request %d body %s", i, f.bodies[i])
		}
	}
}

func TestRetriesBounded(t *testing.T) {
	f := &fake{}
	for range 10 {
		f.answers = append(f.answers, problem(503, ProblemBackpressure, "", ""))
	}
	c, waits := newFake(t, f, WithRetries(2, 0))
	_, err := c.Balance(context.Background())
	var ge *Error
	if !errors.As(err, &ge) || ge.Slug() != ProblemBackpressure || ge.Status != 503 {
		t.Fatalf("err %v", err)
	}
	if len(f.reqs) != 3 || len(*waits) != 2 {
		t.Fatalf("%d requests, %d waits; want 3 and 2", len(f.reqs), len(*waits))
	}
	for _, w := range *waits {
		if w <= 0 || w > time.Second {
			t.Fatalf("back-off wait %v", w)
		}
	}
}

func TestRetryAfterOverCapReturnsError(t *testing.T) {
	f := &fake{answers: []func(http.ResponseWriter){problem(429, ProblemRateLimited, "", "120")}}
	c, waits := newFake(t, f, WithRetries(5, 10*time.Second))
	_, err := c.Balance(context.Background())
	var ge *Error
	if !errors.As(err, &ge) || ge.RetryAfter != 120*time.Second {
		t.Fatalf("err %v", err)
	}
	if len(f.reqs) != 1 || len(*waits) != 0 {
		t.Fatalf("%d requests, %d waits", len(f.reqs), len(*waits))
	}
}

func TestNoRetryOnFinalProblem(t *testing.T) {
	f := &fake{answers: []func(http.ResponseWriter){problem(400, ProblemInvalidNumber, "to", "")}}
	c, _ := newFake(t, f)
	_, err := c.SendMessage(context.Background(), &SendRequest{To: "12", Text: "x"})
	var ge *Error
	if !errors.As(err, &ge) {
		t.Fatalf("err %T %v", err, err)
	}
	if ge.Status != 400 || ge.Slug() != ProblemInvalidNumber || ge.Field != "to" || ge.Detail != "d" || len(ge.Raw) == 0 {
		t.Fatalf("problem %+v", ge)
	}
	if ge.Temporary() || len(f.reqs) != 1 {
		t.Fatalf("temporary %v after %d requests", ge.Temporary(), len(f.reqs))
	}
	if got := ge.Error(); got != "gallant: 400 invalid-number: to: d" {
		t.Fatalf("Error() = %q", got)
	}
}

func TestNonProblemAnswer(t *testing.T) {
	f := &fake{answers: []func(http.ResponseWriter){func(w http.ResponseWriter) {
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(502)
		io.WriteString(w, "<html>bad gateway</html>")
	}}}
	c, _ := newFake(t, f)
	_, err := c.GetMessage(context.Background(), "1")
	var ge *Error
	if !errors.As(err, &ge) || ge.Status != 502 || ge.Type != "about:blank" || !strings.Contains(ge.Detail, "bad gateway") {
		t.Fatalf("err %#v", err)
	}
}

func TestQueryAndPaths(t *testing.T) {
	f := &fake{answers: []func(http.ResponseWriter){
		jsonAnswer(200, `{"items":[{"id":"1","to":"+44","segments":1,"status":"delivered","flash":false,"delivery_report":true,"created_at":"2026-01-01T00:00:00Z"}],"next_cursor":"c2"}`),
		jsonAnswer(200, `{"items":[{"id":"2","to":"+44","segments":1,"status":"failed","flash":false,"delivery_report":true,"created_at":"2026-01-01T00:00:00Z"}]}`),
		func(w http.ResponseWriter) { w.WriteHeader(204) },
	}}
	c, _ := newFake(t, f)
	from := time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC)
	var ids []string
	for m, err := range c.Messages(context.Background(), ListMessagesParams{Status: StatusDelivered, From: from, Limit: 1}) {
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, m.ID)
	}
	if strings.Join(ids, ",") != "1,2" {
		t.Fatalf("ids %v", ids)
	}
	if q := f.reqs[0].URL.RawQuery; q != "from=2026-05-01T00%3A00%3A00Z&limit=1&status=delivered" {
		t.Fatalf("first query %q", q)
	}
	if q := f.reqs[1].URL.Query().Get("cursor"); q != "c2" {
		t.Fatalf("second cursor %q", q)
	}
	if err := c.DeleteContact(context.Background(), 42); err != nil {
		t.Fatal(err)
	}
	if r := f.reqs[2]; r.Method != "DELETE" || r.URL.Path != "/v1/contacts/42" {
		t.Fatalf("delete %s %s", r.Method, r.URL.Path)
	}
}

func TestContactUpdateEncoding(t *testing.T) {
	b, err := json.Marshal(&ContactUpdate{LastName: String(""), Tags: []string{}, Fields: map[string]any{"plan": nil}})
	if err != nil {
		t.Fatal(err)
	}
	if string(b) != `{"last_name":"","fields":{"plan":null},"tags":[]}` {
		t.Fatalf("encoded %s", b)
	}
	b, _ = json.Marshal(&ContactUpdate{})
	if string(b) != `{}` {
		t.Fatalf("empty update encoded %s", b)
	}
}

func TestBadBaseURL(t *testing.T) {
	c := NewClient("127.0.0.1:8080", "k")
	if _, err := c.Balance(context.Background()); err == nil || !strings.Contains(err.Error(), "base URL") {
		t.Fatalf("err %v", err)
	}
}

func TestRetryAfterHeader(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for h, want := range map[string]time.Duration{
		"3": 3 * time.Second, "": 0, "-1": 0, "x": 0,
		now.Add(5 * time.Second).Format(http.TimeFormat): 5 * time.Second,
	} {
		if got := retryAfter(h, now); got != want {
			t.Errorf("retryAfter(%q) = %v, want %v", h, got, want)
		}
	}
}

func TestRetryWaitEndsWithContext(t *testing.T) {
	f := &fake{answers: []func(http.ResponseWriter){problem(503, ProblemBackpressure, "", "5")}}
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	c := NewClient(srv.URL, "k") // the real sleep
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := c.Balance(ctx)
	var ge *Error
	if !errors.As(err, &ge) || ge.Status != 503 || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err %v", err)
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Fatalf("returned after %v, not at the context's deadline", d)
	}
	if len(f.reqs) != 1 {
		t.Fatalf("%d requests", len(f.reqs))
	}
}

func TestWaitForFinal(t *testing.T) {
	msg := func(status string) func(http.ResponseWriter) {
		return jsonAnswer(200, `{"id":"5","to":"+44","segments":1,"status":"`+status+`","flash":false,"delivery_report":true,"created_at":"2026-01-01T00:00:00Z"}`)
	}
	f := &fake{answers: []func(http.ResponseWriter){msg("accepted"), msg("submitted"), msg("undelivered")}}
	c, waits := newFake(t, f)
	m, err := c.WaitForFinal(context.Background(), "5", 10*time.Millisecond)
	if err != nil || m.Status != StatusUndelivered || len(f.reqs) != 3 || len(*waits) != 2 {
		t.Fatalf("message %+v, err %v, %d requests, waits %v", m, err, len(f.reqs), *waits)
	}
	if f.reqs[0].URL.Path != "/v1/messages/5" {
		t.Fatalf("path %s", f.reqs[0].URL.Path)
	}
}
