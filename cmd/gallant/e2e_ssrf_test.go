package main

import (
	"encoding/json"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/gallant-sms/gallant/account"
	appsvc "github.com/gallant-sms/gallant/app"
	"github.com/gallant-sms/gallant/internal/config"
	"github.com/gallant-sms/gallant/store"
)

// refusedCount is gallant_webhook_url_refused_total{stage,reason} in reg
// (0 when absent).
func refusedCount(t testing.TB, reg prometheus.Gatherer, stage, reason string) float64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() != "gallant_webhook_url_refused_total" {
			continue
		}
		for _, m := range mf.GetMetric() {
			var s, r string
			for _, lp := range m.GetLabel() {
				switch lp.GetName() {
				case "stage":
					s = lp.GetValue()
				case "reason":
					r = lp.GetValue()
				}
			}
			if s == stage && r == reason {
				return m.GetCounter().GetValue()
			}
		}
	}
	return 0
}

// wantInvalidURL requires r to be a 400 invalid-url problem naming field.
func wantInvalidURL(t testing.TB, what string, r httpAnswer, field string) {
	t.Helper()
	if r.status != http.StatusBadRequest {
		t.Fatalf("%s: %d %s, want 400 invalid-url", what, r.status, r.body)
	}
	if typ := r.problemType(t); typ != "invalid-url" {
		t.Fatalf("%s: problem %q, want invalid-url: %s", what, typ, r.body)
	}
	var p problem
	r.json(t, &p)
	if p.Field != field || p.Detail == "" {
		t.Fatalf("%s: field %q detail %q, want field %q and a detail", what, p.Field, p.Detail, field)
	}
}

// TestE2ESSRFRefused: under the default address policy a customer cannot
// make the gateway call its own network. A callback_url of
// http://127.0.0.1:<port>/ (single and batch), an account webhook_url of
// the cloud metadata address and a name that always means this machine
// are answered 400 invalid-url naming the field, and the receiver
// listening there is never posted to, not even by an account whose URL
// was stored before the policy existed. Every refusal is counted.
func TestE2ESSRFRefused(t *testing.T) {
	t.Parallel()
	eachDriver(t, func(t *testing.T, driver string) {
		ctx := testContext(t)
		c := newCarrier(t, nil)
		cfg := testConfig(t, driver, c.Addr())
		cfg.Webhooks.AllowPrivate = false // the default: what serve runs with
		a := startApp(t, cfg)
		sink := newHooks(t)
		cust := a.customer(t, "Acme", "")
		owner, err := a.acc.CreateAPIKey(ctx, cust.AccountID, "owner", []string{account.ScopeAdmin})
		if err != nil {
			t.Fatal(err)
		}

		port := sink.Listener.Addr().(*net.TCPAddr).Port
		loop := "http://127.0.0.1:" + strconv.Itoa(port) + "/"
		for _, u := range []string{loop, "http://[::1]:" + strconv.Itoa(port) + "/", "http://[::ffff:127.0.0.1]:" + strconv.Itoa(port) + "/",
			"http://localhost:" + strconv.Itoa(port) + "/", "http://2130706433:" + strconv.Itoa(port) + "/"} {
			body, _ := json.Marshal(map[string]any{"to": "+447700900123", "text": "hi", "callback_url": u})
			wantInvalidURL(t, "POST /v1/messages callback_url "+u, a.do(t, http.MethodPost, "/v1/messages", cust.APIKey, string(body)), "callback_url")
		}
		if n := refusedCount(t, a.reg, "entry", "loopback"); n != 3 {
			t.Errorf("url_refused_total{entry,loopback} = %v, want 3", n)
		}

		// A batch: every item is refused for its shared callback_url.
		// Each is counted.
		body, _ := json.Marshal(map[string]any{"to": []string{"+447700900123", "+447700900124"}, "text": "hi", "callback_url": loop})
		r := a.do(t, http.MethodPost, "/v1/messages/batch", cust.APIKey, string(body))
		var ans struct {
			Items []struct {
				ID    string   `json:"id"`
				Error *problem `json:"error"`
			} `json:"items"`
			Accepted int `json:"accepted"`
		}
		if r.status != http.StatusAccepted {
			t.Fatalf("batch: %d %s", r.status, r.body)
		}
		r.json(t, &ans)
		if ans.Accepted != 0 || len(ans.Items) != 2 {
			t.Fatalf("batch answer %s", r.body)
		}
		if n := refusedCount(t, a.reg, "entry", "loopback"); n != 5 {
			t.Errorf("url_refused_total{entry,loopback} = %v after the batch, want 5", n)
		}
		for _, it := range ans.Items {
			if it.Error == nil || it.Error.Field != "callback_url" || it.Error.Type != "https://docs.gallant.example/problems/invalid-url" {
				t.Fatalf("batch item %+v, want invalid-url on callback_url", it)
			}
		}

		// The account's webhook_url: the metadata service, by address and
		// through NAT64; an unresolvable name.
		path := "/v1/accounts/" + strconv.FormatInt(cust.AccountID, 10)
		for _, u := range []string{"http://169.254.169.254/latest/meta-data/", "http://[64:ff9b::a9fe:a9fe]/latest/meta-data/",
			"https://does-not-exist.invalid/hook"} {
			r := a.do(t, http.MethodPatch, path, owner, `{"webhook_url":"`+u+`"}`)
			wantInvalidURL(t, "PATCH webhook_url "+u, r, "webhook_url")
			var p problem
			r.json(t, &p)
			if u != "https://does-not-exist.invalid/hook" && (strings.Contains(p.Detail, "meta-data") || !strings.Contains(p.Detail, "link-local")) {
				t.Errorf("detail %q: want it to say link-local, without the path", p.Detail)
			}
		}
		if n := refusedCount(t, a.reg, "entry", "link_local"); n != 2 {
			t.Errorf("url_refused_total{entry,link_local} = %v, want 2", n)
		}
		acct, err := a.st.GetAccount(ctx, cust.AccountID)
		if err != nil {
			t.Fatal(err)
		}
		if acct.WebhookURL != "" {
			t.Fatalf("the refused webhook_url %q was stored", acct.WebhookURL)
		}

		// A loopback URL stored before the policy: the message is sent,
		// its webhooks are not posted.
		if err := a.st.UpdateAccount(ctx, cust.AccountID, store.AccountUpdate{WebhookURL: &loop}); err != nil {
			t.Fatal(err)
		}
		a.acc.Forget(cust.AccountID) // written behind the service's back: not to wait for its cache life
		s := a.send(t, cust.APIKey, map[string]any{"to": "+447700900125", "text": "old URL"})
		a.waitStatus(t, cust.APIKey, s.ID, "delivered")
		eventually(t, "the webhooks refused at the dispatcher", func() (bool, string) {
			n := refusedCount(t, a.reg, "entry", "loopback")
			return n == 7, strconv.FormatFloat(n, 'f', -1, 64) // 5 above, submitted and delivered
		})
		sink.mu.Lock()
		n := len(sink.got)
		sink.mu.Unlock()
		if n != 0 {
			t.Fatalf("the loopback receiver got %d webhooks", n)
		}
	})
}

// TestE2ESSRFAlertURL: a low-balance alert's webhook_url of
// http://[::1]:6379/ (a Redis next to the gateway) is refused 400
// invalid-url naming webhook_url and not stored.
func TestE2ESSRFAlertURL(t *testing.T) {
	t.Parallel()
	c := newCarrier(t, nil)
	cfg := testConfig(t, "sqlite", c.Addr())
	cfg.Webhooks.AllowPrivate = false
	cfg.Billing.Enabled = true
	a := startApp(t, cfg)
	ctx := testContext(t)
	cust := a.customer(t, "Alerted", "")
	payer(t, a.st, cust, 1_000_000)
	owner, err := a.acc.CreateAPIKey(ctx, cust.AccountID, "owner", []string{account.ScopeAdmin})
	if err != nil {
		t.Fatal(err)
	}
	path := "/v1/accounts/" + strconv.FormatInt(cust.AccountID, 10) + "/alerts"
	for _, u := range []string{"http://[::1]:6379/", "http://127.0.0.1:6379/", "http://10.0.0.8/x", "http://localhost/"} {
		wantInvalidURL(t, "PUT alerts webhook_url "+u,
			a.do(t, http.MethodPut, path, owner, `{"low_balance_threshold":"1","webhook_url":"`+u+`"}`), "webhook_url")
	}
	if _, err := a.st.GetBalanceAlert(ctx, cust.AccountID); err == nil {
		t.Fatal("a refused alert was stored")
	}
	if r := a.do(t, http.MethodPut, path, owner, `{"low_balance_threshold":"1","webhook_url":"http://8.8.8.8/hook"}`); r.status != http.StatusOK {
		t.Fatalf("a public alert URL: %d %s", r.status, r.body)
	}
}

// TestE2ESSRFAllowHosts: webhooks.allow_hosts lets an operator's internal
// receiver through (by address, and by name with the real resolver),
// for callback_url and the account's webhook_url, while the rest of the
// private ranges stay refused.
func TestE2ESSRFAllowHosts(t *testing.T) {
	t.Parallel()
	c := newCarrier(t, nil)
	cfg := testConfig(t, "sqlite", c.Addr())
	cfg.Webhooks.AllowPrivate = false
	cfg.Webhooks.AllowHosts = []string{"127.0.0.1", "localhost"}
	a := startApp(t, cfg)
	ctx := testContext(t)
	sink := newHooks(t)
	cust := a.customer(t, "Internal", "")
	owner, err := a.acc.CreateAPIKey(ctx, cust.AccountID, "owner", []string{account.ScopeAdmin})
	if err != nil {
		t.Fatal(err)
	}
	u, err := url.Parse(sink.URL)
	if err != nil {
		t.Fatal(err)
	}
	byName := "http://localhost:" + u.Port() + "/by-name"
	// The account's URL first: the gateway caches accounts for 30 s.
	r := a.do(t, http.MethodPatch, "/v1/accounts/"+strconv.FormatInt(cust.AccountID, 10), owner, `{"webhook_url":"`+sink.URL+`/account"}`)
	if r.status != http.StatusOK {
		t.Fatalf("PATCH webhook_url to an allowed host: %d %s", r.status, r.body)
	}
	s1 := a.send(t, cust.APIKey, map[string]any{"to": "+447700900123", "text": "by address", "callback_url": sink.URL + "/by-address"})
	s2 := a.send(t, cust.APIKey, map[string]any{"to": "+447700900124", "text": "by name", "callback_url": byName})
	s3 := a.send(t, cust.APIKey, map[string]any{"to": "+447700900125", "text": "account URL"})
	for id, path := range map[string]string{s1.ID: "/by-address", s2.ID: "/by-name", s3.ID: "/account"} {
		eventually(t, "webhooks at "+path, func() (bool, string) {
			got := distinctStatuses(sink.of(id))
			return got == "submitted,delivered", got
		})
		for _, h := range sink.of(id) {
			if h.path != path {
				t.Errorf("webhook of the message for %s posted to %s", path, h.path)
			}
		}
	}
	wantInvalidURL(t, "a private address not listed", a.do(t, http.MethodPost, "/v1/messages", cust.APIKey,
		`{"to":"+447700900126","text":"hi","callback_url":"http://127.0.0.2:`+u.Port()+`/"}`), "callback_url")
}

// TestE2EDemoDeliversWebhooks: gallant demo's configuration opts in to
// private addresses, so its webhooks reach a receiver on the same
// machine, as the demo's users run them.
func TestE2EDemoDeliversWebhooks(t *testing.T) {
	t.Parallel()
	c := newCarrier(t, nil)
	cfg := config.Demo(t.TempDir(), "127.0.0.1:0", "127.0.0.1:0", "127.0.0.1:0", "durable", c.Addr())
	cfg.Log.Level = "error"
	a := startApp(t, cfg)
	ctx := testContext(t)
	creds, err := appsvc.DemoAccount(ctx, a.acc, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if err := appsvc.SeedDemo(ctx, a.st, a.bill.Pricer, creds.AccountID); err != nil {
		t.Fatal(err)
	}
	sink := newHooks(t)
	s := a.send(t, creds.APIKey, map[string]any{"to": "+447700900123", "text": "demo", "callback_url": sink.URL + "/demo"})
	eventually(t, "the demo's webhooks", func() (bool, string) {
		got := distinctStatuses(sink.of(s.ID))
		return got == "submitted,delivered", got
	})
	checkSignedDocumented(t, sink.of(s.ID), creds.WebhookSecret, cfg.Webhooks.Secret)
}
