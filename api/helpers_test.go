package api

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gallant-sms/gallant/sms"
	"github.com/prometheus/client_golang/prometheus"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m,
		// fasthttp refreshes its Date header from one goroutine it starts
		// on first use and never stops.
		goleak.IgnoreAnyFunction("github.com/valyala/fasthttp.updateServerDate.func1"),
		// fasthttp's worker-pool cleaner sees the stop signal only after its
		// sleep (MaxIdleWorkerDuration, 10s by default), then returns.
		goleak.IgnoreAnyFunction("github.com/valyala/fasthttp.(*workerPool).Start.func2"),
	)
}

// Test API keys and their principals.
const (
	keySend  = "key-send"  // account 1, send only
	keyRead  = "key-read"  // account 1, read only
	keyAll   = "key-all"   // account 1, send and read
	keyOther = "key-other" // account 2, send and read
	keyAdmin = "key-admin" // account 3, admin
	keyBoom  = "key-boom"  // the authenticator fails
)

// fakeAuth knows the test keys.
type fakeAuth struct{}

func (fakeAuth) AuthenticateAPIKey(_ context.Context, key string) (Principal, error) {
	switch key {
	case keySend:
		return Principal{AccountID: 1, KeyID: 11, Scopes: []string{ScopeSend}}, nil
	case keyRead:
		return Principal{AccountID: 1, KeyID: 12, Scopes: []string{ScopeRead}}, nil
	case keyAll:
		return Principal{AccountID: 1, KeyID: 13, Scopes: []string{ScopeSend, ScopeRead}}, nil
	case keyOther:
		return Principal{AccountID: 2, KeyID: 21, Scopes: []string{ScopeSend, ScopeRead}}, nil
	case keyAdmin:
		return Principal{AccountID: 3, KeyID: 31, Scopes: []string{ScopeAdmin}}, nil
	case keyBoom:
		return Principal{}, errors.New("db: connection refused to 10.0.0.7")
	}
	return Principal{}, ErrUnauthorized
}

// sendCall is one call the fake message service received.
type sendCall struct {
	P   Principal
	Req SendRequest
}

// fakeMessages is an in-memory message service. Destinations starting
// with "bad" are invalid numbers, "busy" gives backpressure, "panic"
// panics and "fault" fails with an internal error.
type fakeMessages struct {
	nextID atomic.Uint64
	// gate, when set, holds every Send until it is closed; entered gets a
	// value as each Send waits.
	gate    chan struct{}
	entered chan struct{}

	mu      sync.Mutex
	calls   []sendCall
	batches [][]SendRequest
	stored  map[sms.ID]storedMessage
	order   []sms.ID
}

type storedMessage struct {
	account int64
	view    MessageView
}

func newFakeMessages() *fakeMessages {
	f := &fakeMessages{stored: make(map[sms.ID]storedMessage)}
	f.nextID.Store(1000)
	return f
}

func (f *fakeMessages) accept(p Principal, req SendRequest) (SendResult, error) {
	switch {
	case strings.HasPrefix(req.To, "bad"):
		return SendResult{}, InvalidNumber("to", "not an E.164 number")
	case strings.HasPrefix(req.To, "busy"):
		return SendResult{}, Backpressure("queues full", 2*time.Second)
	case strings.HasPrefix(req.To, "panic"):
		panic("fake: told to panic")
	case strings.HasPrefix(req.To, "fault"):
		return SendResult{}, errors.New("store: disk full on /var/lib/secret")
	}
	id := sms.ID(f.nextID.Add(1))
	enc := EncodingGSM7
	if len(req.Binary) > 0 {
		enc = EncodingBinary
	}
	res := SendResult{ID: id, Status: sms.StatusAccepted, Segments: 1 + len(req.Text)/161, Encoding: enc}
	now := time.Date(2026, 5, 1, 9, 30, 0, 0, time.UTC)
	f.mu.Lock()
	f.calls = append(f.calls, sendCall{P: p, Req: req})
	f.stored[id] = storedMessage{account: p.AccountID, view: MessageView{
		ID: id, To: req.To, From: req.From, Text: req.Text, Encoding: enc, Segments: res.Segments,
		Status: sms.StatusDelivered, DeliveryReport: req.DeliveryReport, ClientRef: req.ClientRef, CreatedAt: now,
		History: []EventView{
			{Status: sms.StatusAccepted, At: now},
			{Status: sms.StatusDelivered, At: now.Add(time.Second), ErrorCode: "000"},
		},
	}}
	f.order = append(f.order, id)
	f.mu.Unlock()
	return res, nil
}

func (f *fakeMessages) Send(ctx context.Context, p Principal, req SendRequest) (SendResult, error) {
	if f.gate != nil {
		f.entered <- struct{}{}
		select {
		case <-f.gate:
		case <-ctx.Done():
			return SendResult{}, ctx.Err()
		}
	}
	return f.accept(p, req)
}

func (f *fakeMessages) SendBatch(_ context.Context, p Principal, reqs []SendRequest) ([]BatchItem, error) {
	f.mu.Lock()
	f.batches = append(f.batches, reqs)
	f.mu.Unlock()
	if len(reqs) > 0 && strings.HasPrefix(reqs[0].To, "busy-all") {
		return nil, Backpressure("queues full", time.Second)
	}
	items := make([]BatchItem, len(reqs))
	for i, r := range reqs {
		items[i].Result, items[i].Err = f.accept(p, r)
	}
	return items, nil
}

func (f *fakeMessages) Get(_ context.Context, p Principal, id sms.ID) (MessageView, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	m, ok := f.stored[id]
	if !ok || m.account != p.AccountID {
		return MessageView{}, ErrNotFound
	}
	return m.view, nil
}

// List pages through the account's messages in sending order; the cursor
// is the index of the next one.
func (f *fakeMessages) List(_ context.Context, p Principal, fl ListFilter) (MessagePage, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	start := 0
	if fl.Cursor != "" {
		n, err := strconv.Atoi(fl.Cursor)
		if err != nil {
			return MessagePage{}, InvalidRequest("cursor", "is not a cursor this API gave")
		}
		start = n
	}
	var page MessagePage
	for i := start; i < len(f.order); i++ {
		m := f.stored[f.order[i]]
		if m.account != p.AccountID || (fl.To != "" && m.view.To != fl.To) ||
			(fl.Status != sms.StatusUnknown && m.view.Status != fl.Status) ||
			(fl.Sender != "" && m.view.From != fl.Sender) ||
			(fl.Campaign != 0 && !strings.HasPrefix(m.view.ClientRef, "cmp:"+strconv.FormatInt(fl.Campaign, 10)+":")) {
			continue
		}
		if len(page.Items) == fl.Limit {
			page.NextCursor = strconv.Itoa(i)
			break
		}
		v := m.view
		v.History = nil
		page.Items = append(page.Items, v)
	}
	return page, nil
}

func (f *fakeMessages) sendCalls() []sendCall {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]sendCall(nil), f.calls...)
}

// memIdempotency is an in-memory Idempotency store.
type memIdempotency struct {
	mu   sync.Mutex
	recs map[inflightKey]IdempotencyRecord
	puts int
}

func newMemIdempotency() *memIdempotency {
	return &memIdempotency{recs: make(map[inflightKey]IdempotencyRecord)}
}

func (m *memIdempotency) Get(_ context.Context, account int64, key string) (IdempotencyRecord, bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	r, ok := m.recs[inflightKey{account, key}]
	return r, ok, nil
}

func (m *memIdempotency) Put(_ context.Context, account int64, key string, rec IdempotencyRecord) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	k := inflightKey{account, key}
	if _, ok := m.recs[k]; ok {
		return ErrIdempotencyConflict
	}
	m.recs[k] = rec
	m.puts++
	return nil
}

// fakeHealth is ready unless err is set.
type fakeHealth struct{ err atomic.Pointer[error] }

func (h *fakeHealth) Ready(context.Context) error {
	if e := h.err.Load(); e != nil {
		return *e
	}
	return nil
}

// lockedBuffer is a log sink safe for concurrent writes.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// testServer is a Server on 127.0.0.1:0 with fake services and a client.
type testServer struct {
	srv    *Server
	base   string
	client *http.Client
	msgs   *fakeMessages
	idem   *memIdempotency
	health *fakeHealth
	reg    *prometheus.Registry
	logs   *lockedBuffer
}

func newTestServer(t testing.TB, cfg Config) *testServer {
	t.Helper()
	return newTestServerWith(t, cfg, nil)
}

// newTestServerWith lets edit change the fake services before the server
// is built.
func newTestServerWith(t testing.TB, cfg Config, edit func(*Deps)) *testServer {
	t.Helper()
	ts := &testServer{
		msgs: newFakeMessages(), idem: newMemIdempotency(), health: &fakeHealth{},
		reg: prometheus.NewRegistry(), logs: &lockedBuffer{},
	}
	logger := slog.New(slog.NewTextHandler(ts.logs, nil))
	deps := Deps{Auth: fakeAuth{}, Messages: ts.msgs, Idempotency: ts.idem, Health: ts.health}
	if edit != nil {
		edit(&deps)
	}
	srv, err := New(cfg, deps, logger, ts.reg)
	if err != nil {
		t.Fatal(err)
	}
	ts.srv = srv
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ts.base = "http://" + ln.Addr().String()
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	tr := &http.Transport{MaxIdleConnsPerHost: 16}
	ts.client = &http.Client{Transport: tr, Timeout: 10 * time.Second}
	t.Cleanup(func() {
		tr.CloseIdleConnections()
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := srv.Shutdown(ctx); err != nil {
			t.Errorf("Shutdown: %v", err)
		}
		if err := <-served; !errors.Is(err, ErrServerClosed) {
			t.Errorf("Serve returned %v, want ErrServerClosed", err)
		}
	})
	return ts
}

// answer is a response read whole.
type answer struct {
	Code   int
	Header http.Header
	Body   []byte
}

// problem decodes a problem answer, failing the test if it is not one.
func (a answer) problem(t testing.TB) map[string]any {
	t.Helper()
	if ct := a.Header.Get("Content-Type"); ct != contentProblem {
		t.Fatalf("Content-Type %q, want %q; body %s", ct, contentProblem, a.Body)
	}
	var p map[string]any
	if err := json.Unmarshal(a.Body, &p); err != nil {
		t.Fatalf("problem body %q: %v", a.Body, err)
	}
	if got, want := p["status"], float64(a.Code); got != want {
		t.Fatalf("problem status %v, HTTP status %d", got, a.Code)
	}
	return p
}

// wantProblem checks that a is a problem of type typ with HTTP status code.
func (a answer) wantProblem(t testing.TB, code int, typ string) map[string]any {
	t.Helper()
	if a.Code != code {
		t.Fatalf("status %d, want %d; body %s", a.Code, code, a.Body)
	}
	p := a.problem(t)
	if got := p["type"]; got != ProblemBase+typ {
		t.Fatalf("type %v, want %s; body %s", got, ProblemBase+typ, a.Body)
	}
	if p["title"] == "" {
		t.Fatalf("problem without title: %s", a.Body)
	}
	return p
}

// do sends a request with the API key (none if empty) and extra headers
// as name, value pairs.
func (ts *testServer) do(t testing.TB, method, path, key string, body []byte, headers ...string) answer {
	t.Helper()
	a, err := ts.send(method, path, key, body, headers...)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	return a
}

// send is do returning the error, for use off the test's goroutine.
func (ts *testServer) send(method, path, key string, body []byte, headers ...string) (answer, error) {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequest(method, ts.base+path, rd)
	if err != nil {
		return answer{}, err
	}
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := ts.client.Do(req)
	if err != nil {
		return answer{}, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return answer{}, err
	}
	return answer{Code: resp.StatusCode, Header: resp.Header, Body: b}, nil
}

// decode unmarshals a JSON answer into v.
func (a answer) decode(t testing.TB, v any) {
	t.Helper()
	if ct := a.Header.Get("Content-Type"); ct != contentJSON {
		t.Fatalf("Content-Type %q, want %q; body %s", ct, contentJSON, a.Body)
	}
	if err := json.Unmarshal(a.Body, v); err != nil {
		t.Fatalf("body %q: %v", a.Body, err)
	}
}

// contextT shortens context.Context in fakes' signatures.
type contextT = context.Context
