package main

// The end-to-end harness of the binary's wiring: the app as serve builds
// it (newApp, start, shutdown) on a fresh store of each dialect, with
// fake carriers from smpptest, real HTTP and SMPP clients on 127.0.0.1,
// and an httptest server receiving webhooks.

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/gallant-sms/gallant/account"
	"github.com/gallant-sms/gallant/internal/config"
	"github.com/gallant-sms/gallant/internal/testutil"
	"github.com/gallant-sms/gallant/smpp"
	"github.com/gallant-sms/gallant/smpp/pdu"
	"github.com/gallant-sms/gallant/smpp/smpptest"
	"github.com/gallant-sms/gallant/store"
	"github.com/gallant-sms/gallant/store/storetest"
	"github.com/gallant-sms/gallant/webhook"
)

const waitLong = testutil.WaitLong

// testWebhookSecret is the gateway's webhook secret in these tests.
const testWebhookSecret = "whsec-gateway-test"

// Shared end-to-end helpers (see internal/testutil).
var (
	eachDriver  = testutil.EachDriver
	testContext = testutil.Context
	eventually  = testutil.Eventually
	testLogger  = testutil.Logger
)

// newCarrier starts a fake SMSC that sends a DELIVRD receipt for every
// submit_sm asking for one; decide, if not nil, answers submit number n
// (from 1).
func newCarrier(t testing.TB, decide func(n int, sm *pdu.SubmitSM) pdu.Status) *smpptest.Server {
	t.Helper()
	c := smpptest.NewUnstartedServer()
	c.Receipts = true
	var mu sync.Mutex
	n := 0
	c.SubmitFunc = func(_ string, sm *pdu.SubmitSM) pdu.Status {
		mu.Lock()
		n++
		k := n
		mu.Unlock()
		if decide != nil {
			return decide(k, sm)
		}
		return pdu.StatusOK
	}
	if err := c.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// testConfig is a serve configuration on a fresh store of driver, with
// loopback listeners on free ports, one carrier "c1" at carrierAddr and
// a route of everything to it.
func testConfig(t testing.TB, driver, carrierAddr string) config.Config {
	t.Helper()
	sc := storetest.Config(t, driver)
	cfg := config.Default()
	cfg.HTTP.Listen, cfg.SMPP.Listen, cfg.Metrics.Listen = "127.0.0.1:0", "127.0.0.1:0", "127.0.0.1:0"
	cfg.Store = config.StoreConfig{Driver: sc.Driver, DSN: sc.DSN}
	cfg.Log.Level = "error"
	cfg.Webhooks.Secret = testWebhookSecret
	// Test receivers are httptest servers on 127.0.0.1, which the default
	// address policy refuses.
	cfg.Webhooks.AllowPrivate = true
	cfg.Carriers = []config.CarrierConfig{{Name: "c1", Address: carrierAddr, SystemID: "gallant", Password: "secret", Binds: 1, Window: 10}}
	cfg.Routes = []config.RouteConfig{{Prefix: "", Carriers: []config.RouteCarrier{{Carrier: "c1"}}}}
	return cfg
}

// testApp is a started app.
type testApp struct {
	*app
	t    testing.TB
	base string // http://host:port
	once sync.Once
}

// startApp builds and starts the app for cfg, as serve does, and shuts
// it down when the test ends.
func startApp(t testing.TB, cfg config.Config) *testApp {
	t.Helper()
	cfg.FillDefaults()
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	a, err := newApp(ctx, cfg, testLogger(t))
	if err != nil {
		t.Fatalf("newApp: %v", err)
	}
	ta := &testApp{app: a, t: t}
	if err := a.start(ctx); err != nil {
		t.Fatalf("start: %v", err)
	}
	ta.base = "http://" + a.httpAddr.String()
	t.Cleanup(ta.stop)
	eventually(t, "a carrier bind", func() (bool, string) {
		rctx, rcancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer rcancel()
		err := a.gw.Ready(rctx)
		return err == nil, fmt.Sprint(err)
	})
	return ta
}

// stop shuts the app down in order; it may be called before the test
// ends (a restart) and again by the cleanup.
func (a *testApp) stop() {
	a.once.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := a.shutdown(ctx); err != nil {
			a.t.Errorf("shutdown: %v\n%s", err, stuckDiagnosis(a.cfg))
		}
	})
}

// stuckDiagnosis describes why a shutdown may have hung: the goroutines
// in the store's writer and, on MySQL, the server's open transactions and
// what its connections are doing.
func stuckDiagnosis(cfg config.Config) string {
	var b strings.Builder
	buf := make([]byte, 1<<20)
	for _, g := range strings.Split(string(buf[:runtime.Stack(buf, true)]), "\n\n") {
		if strings.Contains(g, "gallant/store.") {
			b.WriteString(g + "\n\n")
		}
	}
	if cfg.Store.Driver != storetest.MySQL {
		return b.String()
	}
	db, err := sql.Open("mysql", cfg.Store.DSN)
	if err != nil {
		return b.String() + err.Error()
	}
	defer db.Close()
	for _, q := range []string{"SELECT id, command, time, state, LEFT(COALESCE(info, ''), 200) FROM information_schema.processlist",
		"SELECT trx_id, trx_state, trx_started, trx_mysql_thread_id, trx_rows_locked, LEFT(COALESCE(trx_query, ''), 200) FROM information_schema.innodb_trx"} {
		rows, err := db.Query(q)
		if err != nil {
			fmt.Fprintf(&b, "%s: %v\n", q, err)
			continue
		}
		cols, _ := rows.Columns()
		vals := make([]sql.NullString, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		for rows.Next() {
			if rows.Scan(ptrs...) == nil {
				fmt.Fprintln(&b, vals)
			}
		}
		rows.Close()
	}
	return b.String()
}

// customer is an account's credentials.
type customer = account.Created

// customer creates an account with account.Service.CreateAccount, or,
// to give it a webhook secret of its own, as CreateAccount does with one.
func (a *testApp) customer(t testing.TB, name, secret string) customer {
	t.Helper()
	return newCustomer(t, a.st, a.acc, name, secret)
}

// noOwnSecret makes newCustomer create an account without a webhook
// secret of its own, whose callbacks the gateway-wide secret signs.
const noOwnSecret = "-"

func newCustomer(t testing.TB, st *store.Store, acc *account.Service, name, secret string) customer {
	t.Helper()
	ctx := testContext(t)
	// The default cost takes over a second per hash and per first bind
	// under the race detector; two cores cannot afford it in every test.
	acc.SetPasswordCost(bcrypt.MinCost)
	if secret == "" {
		c, err := acc.CreateAccount(ctx, name)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	if secret == noOwnSecret {
		secret = ""
	}
	ac := &store.Account{Name: name, Status: store.AccountActive, WebhookSecret: secret}
	if err := st.CreateAccount(ctx, ac); err != nil {
		t.Fatal(err)
	}
	c := customer{AccountID: ac.ID, Name: name, SystemID: strings.ToLower(name) + strconv.FormatInt(ac.ID, 10)}
	var err error
	if c.APIKey, err = acc.CreateAPIKey(ctx, ac.ID, "default", []string{account.ScopeSend, account.ScopeRead}); err != nil {
		t.Fatal(err)
	}
	if c.SMPPPassword, err = acc.CreateSMPPCredential(ctx, ac.ID, c.SystemID, 0, 0); err != nil {
		t.Fatal(err)
	}
	return c
}

// bind binds an ESME of c to addr.
func bindESME(t testing.TB, addr string, c customer, bt smpp.BindType) *smpptest.ESME {
	t.Helper()
	e, err := smpptest.NewESME(testContext(t), addr, smpp.ClientConfig{BindType: bt,
		SystemID: c.SystemID, Password: c.SMPPPassword}, nil)
	if err != nil {
		t.Fatalf("bind %s: %v", c.SystemID, err)
	}
	t.Cleanup(func() { e.Close() })
	return e
}

// httpAnswer is an HTTP response, read.
type httpAnswer struct {
	status int
	header http.Header
	body   []byte
}

// json decodes the body into v, failing the test if it cannot.
func (r httpAnswer) json(t testing.TB, v any) {
	t.Helper()
	if err := json.Unmarshal(r.body, v); err != nil {
		t.Fatalf("decode %s: %v", r.body, err)
	}
}

// problem is a problem document.
type problem struct {
	Type   string `json:"type"`
	Title  string `json:"title"`
	Status int    `json:"status"`
	Detail string `json:"detail"`
	Field  string `json:"field"`
}

// problemType returns the stable type of a problem answer, failing the
// test when the answer is not application/problem+json.
func (r httpAnswer) problemType(t testing.TB) string {
	t.Helper()
	if ct := r.header.Get("Content-Type"); ct != "application/problem+json" {
		t.Fatalf("content type %q of a %d answer %s, want application/problem+json", ct, r.status, r.body)
	}
	var p problem
	r.json(t, &p)
	if p.Status != r.status {
		t.Errorf("problem status %d in a %d answer", p.Status, r.status)
	}
	typ, ok := strings.CutPrefix(p.Type, "https://docs.gallant.example/problems/")
	if !ok {
		t.Fatalf("problem type %q", p.Type)
	}
	return typ
}

// do sends an HTTP request to the app with key as the bearer token.
func (a *testApp) do(t testing.TB, method, path, key string, body string, header ...string) httpAnswer {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequestWithContext(testContext(t), method, a.base+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return httpAnswer{status: resp.StatusCode, header: resp.Header, body: b}
}

// sent is the answer to an accepted POST /v1/messages.
type sent struct {
	ID       string `json:"id"`
	Status   string `json:"status"`
	Segments int    `json:"segments"`
	Encoding string `json:"encoding"`
}

// send posts one message and requires a 202.
func (a *testApp) send(t testing.TB, key string, msg map[string]any, header ...string) sent {
	t.Helper()
	b, err := json.Marshal(msg)
	if err != nil {
		t.Fatal(err)
	}
	r := a.do(t, http.MethodPost, "/v1/messages", key, string(b), header...)
	if r.status != http.StatusAccepted {
		t.Fatalf("POST /v1/messages: %d %s", r.status, r.body)
	}
	var s sent
	r.json(t, &s)
	if s.ID == "" || s.Segments < 1 {
		t.Fatalf("POST /v1/messages answered %s", r.body)
	}
	return s
}

// messageView is GET /v1/messages/{id}.
type messageView struct {
	ID       string `json:"id"`
	To       string `json:"to"`
	From     string `json:"from"`
	Text     string `json:"text"`
	Encoding string `json:"encoding"`
	Segments int    `json:"segments"`
	Status   string `json:"status"`
	History  []struct {
		Status    string    `json:"status"`
		At        time.Time `json:"at"`
		Segment   int       `json:"segment"`
		ErrorCode string    `json:"error_code"`
	} `json:"history"`
}

// get reads one message.
func (a *testApp) get(t testing.TB, key, id string) (messageView, httpAnswer) {
	t.Helper()
	r := a.do(t, http.MethodGet, "/v1/messages/"+id, key, "")
	var v messageView
	if r.status == http.StatusOK {
		r.json(t, &v)
	}
	return v, r
}

// waitStatus waits until GET shows message id in status want.
func (a *testApp) waitStatus(t testing.TB, key, id, want string) messageView {
	t.Helper()
	var v messageView
	eventually(t, "message "+id+" "+want, func() (bool, string) {
		var r httpAnswer
		v, r = a.get(t, key, id)
		return r.status == http.StatusOK && v.Status == want, fmt.Sprintf("%d %s", r.status, r.body)
	})
	return v
}

// hook is one webhook request received.
type hook struct {
	body []byte
	sig  string
	path string
	ev   webhook.Event
}

// hooks is an httptest server receiving webhooks: it records each request
// and answers it with status. An error status comes with Retry-After: 0,
// which the gateway's dispatcher honours, so that its retries follow at
// once (serve has no setting for the back-off).
type hooks struct {
	*httptest.Server
	status int

	mu  sync.Mutex
	got []hook
}

// newHooks is a receiver that takes every webhook (204).
func newHooks(t testing.TB) *hooks { return newHooksAnswering(t, http.StatusNoContent) }

func newHooksAnswering(t testing.TB, status int) *hooks {
	h := &hooks{status: status}
	h.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, err := io.ReadAll(r.Body)
		if err != nil {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		var ev webhook.Event
		if err := json.Unmarshal(b, &ev); err != nil {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		h.mu.Lock()
		h.got = append(h.got, hook{body: b, sig: r.Header.Get(webhook.SignatureHeader), path: r.URL.Path, ev: ev})
		h.mu.Unlock()
		if h.status >= 300 {
			w.Header().Set("Retry-After", "0")
		}
		w.WriteHeader(h.status)
	}))
	t.Cleanup(h.Close)
	return h
}

// of returns the webhooks received for message id, in the order of their
// event times.
func (h *hooks) of(id string) []hook {
	h.mu.Lock()
	defer h.mu.Unlock()
	var out []hook
	for _, x := range h.got {
		if x.ev.ID.String() == id {
			out = append(out, x)
		}
	}
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && out[j].ev.At.Before(out[j-1].ev.At); j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out
}

// statuses lists the statuses of hs.
func statuses(hs []hook) string {
	var b bytes.Buffer
	for i, x := range hs {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(x.ev.Status.String())
	}
	return b.String()
}

// platformAdmin creates a platform account and an admin-scope API key of
// it (named name): the operator's key.
func (a *testApp) platformAdmin(t testing.TB, name string) (*store.Account, string) {
	t.Helper()
	plat := &store.Account{Name: "Operator", Kind: store.KindPlatform}
	if err := a.st.CreateAccount(testContext(t), plat); err != nil {
		t.Fatal(err)
	}
	key, err := a.acc.CreateAPIKey(testContext(t), plat.ID, name, []string{account.ScopeAdmin})
	if err != nil {
		t.Fatal(err)
	}
	return plat, key
}

// mustStatus fails t unless r has status code; it returns r.
func mustStatus(t testing.TB, r httpAnswer, code int, what string) httpAnswer {
	t.Helper()
	if r.status != code {
		t.Fatalf("%s: %d %s, want %d", what, r.status, r.body, code)
	}
	return r
}
