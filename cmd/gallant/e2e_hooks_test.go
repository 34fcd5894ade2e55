package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gallant-sms/gallant/account"
	"github.com/gallant-sms/gallant/smpp/pdu"
	"github.com/gallant-sms/gallant/webhook"
)

// hookDelivery is one request a hook receiver got, decoded.
type hookDelivery struct {
	path string
	body []byte
	sig  string
	env  struct {
		ID        string          `json:"id"`
		Type      string          `json:"type"`
		CreatedAt time.Time       `json:"created_at"`
		Data      json.RawMessage `json:"data"`
	}
}

// hookReceiver is an httptest server on 127.0.0.1 keeping every hook
// delivery it answers (204).
type hookReceiver struct {
	*httptest.Server
	mu  sync.Mutex
	got []hookDelivery
}

func newHookReceiver(t testing.TB) *hookReceiver {
	h := &hookReceiver{}
	h.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		d := hookDelivery{path: r.URL.Path, body: body, sig: r.Header.Get(webhook.SignatureHeader)}
		if err := json.Unmarshal(body, &d.env); err != nil {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		h.mu.Lock()
		h.got = append(h.got, d)
		h.mu.Unlock()
		w.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(h.Close)
	return h
}

// of returns the deliveries of event type typ to path.
func (h *hookReceiver) of(path, typ string) []hookDelivery {
	h.mu.Lock()
	defer h.mu.Unlock()
	var out []hookDelivery
	for _, d := range h.got {
		if d.path == path && d.env.Type == typ {
			out = append(out, d)
		}
	}
	return out
}

// all returns every delivery so far.
func (h *hookReceiver) all() []hookDelivery {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]hookDelivery(nil), h.got...)
}

// TestE2EHooks: an account subscribes a hook (REST hooks) to
// message.inbound, message.status, contact.created and
// contact.opted_out; an MO from the carrier, a message delivered, a
// contact created through the API and an opt-out each reach it once,
// signed with the account's webhook secret (checked as a customer
// would) and in the envelope; another account's events never do, nor
// can it see or remove the hook; a private address is refused at
// subscribe time, a read key may not subscribe; once unsubscribed, the
// hook gets nothing more; a STOP keyword is a contact.opted_out event;
// a campaign that finishes is one campaign.completed event.
func TestE2EHooks(t *testing.T) {
	t.Parallel()
	eachDriver(t, func(t *testing.T, driver string) {
		ctx := testContext(t)
		carrier := newCarrier(t, nil)
		cfg := testConfig(t, driver, carrier.Addr())
		// Only the test receivers' address, so that the private address
		// below is refused.
		cfg.Webhooks.AllowPrivate, cfg.Webhooks.AllowHosts = false, []string{"127.0.0.1"}
		cfg.HTTP.RateLimitPerKey, cfg.HTTP.RateLimitPerIP = 0, 0
		a := startApp(t, cfg)
		const secret = "whsec-acme-hooks"
		acme := a.customer(t, "Acme", secret)
		other := a.customer(t, "Other", "whsec-other-hooks")
		_, adminKey := a.platformAdmin(t, "admin")
		must := func(r httpAnswer, code int, what string) httpAnswer { t.Helper(); return mustStatus(t, r, code, what) }
		rc := newHookReceiver(t)

		// Subscribing: a private address, an unknown event, no events.
		r := must(a.do(t, "POST", "/v1/hooks", acme.APIKey, `{"url":"http://10.1.2.3/hook","events":["message.inbound"]}`), 400, "a private address")
		if typ := r.problemType(t); typ != "invalid-url" {
			t.Errorf("private address: problem %q", typ)
		}
		must(a.do(t, "POST", "/v1/hooks", acme.APIKey, `{"url":"`+rc.URL+`/a","events":["message.sent"]}`), 400, "an unknown event")
		must(a.do(t, "POST", "/v1/hooks", acme.APIKey, `{"url":"`+rc.URL+`/a","events":[]}`), 400, "no events")
		var hook struct {
			ID     int64    `json:"id"`
			URL    string   `json:"url"`
			Events []string `json:"events"`
		}
		must(a.do(t, "POST", "/v1/hooks", acme.APIKey, `{"url":"`+rc.URL+`/a","events":["contact.opted_out","message.inbound","message.status","contact.created"],"description":"zap"}`),
			201, "subscribe").json(t, &hook)
		if hook.ID == 0 || hook.URL != rc.URL+"/a" || strings.Join(hook.Events, ",") != "message.status,message.inbound,contact.created,contact.opted_out" {
			t.Fatalf("hook = %+v", hook)
		}
		hookPath := "/v1/hooks/" + strconv.FormatInt(hook.ID, 10)
		// A read key reads hooks, and may not subscribe or unsubscribe.
		readKey, err := a.acc.CreateAPIKey(ctx, acme.AccountID, "read only", []string{account.ScopeRead})
		if err != nil {
			t.Fatal(err)
		}
		must(a.do(t, "GET", "/v1/hooks", readKey, ""), 200, "a read key lists")
		must(a.do(t, "POST", "/v1/hooks", readKey, `{"url":"`+rc.URL+`/r","events":["message.inbound"]}`), 403, "a read key subscribes")
		must(a.do(t, "DELETE", hookPath, readKey, ""), 403, "a read key unsubscribes")
		must(a.do(t, "GET", hookPath, acme.APIKey, ""), 200, "Acme reads its hook")
		must(a.do(t, "GET", hookPath, other.APIKey, ""), 404, "Other reads Acme's hook")
		must(a.do(t, "DELETE", hookPath, other.APIKey, ""), 404, "Other removes Acme's hook")
		if r := must(a.do(t, "GET", "/v1/hooks", other.APIKey, ""), 200, "Other lists"); strings.Contains(string(r.body), rc.URL) {
			t.Fatalf("Other's hooks show Acme's: %s", r.body)
		}
		if r := must(a.do(t, "GET", "/v1/hooks", acme.APIKey, ""), 200, "Acme lists"); !strings.Contains(string(r.body), `"id":`+strconv.FormatInt(hook.ID, 10)) {
			t.Fatalf("Acme's hooks: %s", r.body)
		}

		// Other's events, each of every kind, first: none may reach Acme's hook.
		must(a.do(t, "POST", "/v1/contacts", other.APIKey, `{"phone":"+447700900501"}`), 201, "Other's contact")
		must(a.do(t, "POST", "/v1/opt-outs", other.APIKey, `{"number":"+447700900502"}`), 201, "Other's opt-out")
		os := a.send(t, other.APIKey, map[string]any{"to": "447700900503", "text": "other"})
		a.waitStatus(t, other.APIKey, os.ID, "delivered")

		// Acme's: a number and an MO to it, a message, a contact, an opt-out.
		must(a.do(t, "POST", "/v1/numbers", adminKey, `{"account_id":`+strconv.FormatInt(acme.AccountID, 10)+`,"number":"+447700900999"}`), 201, "Acme's number")
		h, err := carrier.Deliver(ctx, "gallant", &pdu.DeliverSM{Source: pdu.Address{TON: 1, NPI: 1, Addr: []byte("447700900123")},
			Dest: pdu.Address{TON: 1, NPI: 1, Addr: []byte("447700900999")}, ShortMessage: []byte("hello hooks")})
		if err != nil || h.Status != pdu.StatusOK {
			t.Fatalf("MO: %v %v", h.Status, err)
		}
		ms := a.send(t, acme.APIKey, map[string]any{"to": "447700900124", "text": "hi"})
		a.waitStatus(t, acme.APIKey, ms.ID, "delivered")
		var contact struct {
			ID int64 `json:"id"`
		}
		must(a.do(t, "POST", "/v1/contacts", acme.APIKey, `{"phone":"+447700900125","first_name":"Ada"}`), 201, "Acme's contact").json(t, &contact)
		must(a.do(t, "POST", "/v1/opt-outs", acme.APIKey, `{"number":"+447700900126"}`), 201, "Acme's opt-out")

		eventually(t, "Acme's events at the hook", func() (bool, string) {
			st := rc.of("/a", "message.status")
			return len(rc.of("/a", "message.inbound")) >= 1 && len(rc.of("/a", "contact.created")) >= 1 &&
					len(rc.of("/a", "contact.opted_out")) >= 1 && len(st) >= 2,
				fmt.Sprintf("%d deliveries", len(rc.all()))
		})
		eventually(t, "the dispatcher idle", func() (bool, string) {
			p := gaugeSum(t, a.reg, "gallant_webhook_pending")
			return p == 0, fmt.Sprint(p, " pending")
		})

		seen := map[string]int{}
		for _, d := range rc.all() {
			seen[d.env.ID]++
			if err := webhook.Verify(secret, d.sig, d.body, time.Now(), 0); err != nil {
				t.Errorf("%s delivery not signed with Acme's secret: %v", d.env.Type, err)
			}
			if d.env.ID == "" || d.env.CreatedAt.IsZero() || len(d.env.Data) == 0 {
				t.Errorf("envelope %s", d.body)
			}
			if strings.Contains(string(d.body), "44770090050") {
				t.Errorf("Other's event reached Acme's hook: %s", d.body)
			}
		}
		for id, n := range seen {
			if n != 1 {
				t.Errorf("event %s delivered %d times", id, n)
			}
		}
		var mo struct {
			Type, From, To, Text string
		}
		if ds := rc.of("/a", "message.inbound"); len(ds) != 1 || json.Unmarshal(ds[0].env.Data, &mo) != nil ||
			mo.Type != "message.inbound" || mo.From != "447700900123" || mo.To != "447700900999" || mo.Text != "hello hooks" {
			t.Errorf("message.inbound: %d deliveries, data %+v", len(ds), mo)
		}
		statuses := map[string]bool{}
		for _, d := range rc.of("/a", "message.status") {
			var ev webhook.Event
			if err := json.Unmarshal(d.env.Data, &ev); err != nil || ev.ID.String() != ms.ID || ev.To != "447700900124" || ev.EventID != d.env.ID {
				t.Errorf("message.status data %s: %v", d.env.Data, err)
			}
			statuses[ev.Status.String()] = true
		}
		if !statuses["delivered"] {
			t.Errorf("message.status events %v, no delivered", statuses)
		}
		var c struct {
			ID        int64  `json:"id"`
			Phone     string `json:"phone"`
			FirstName string `json:"first_name"`
		}
		if ds := rc.of("/a", "contact.created"); len(ds) != 1 || json.Unmarshal(ds[0].env.Data, &c) != nil ||
			c.ID != contact.ID || c.Phone != "447700900125" || c.FirstName != "Ada" {
			t.Errorf("contact.created: %d deliveries, data %+v", len(ds), c)
		}
		var oo struct {
			Number   string `json:"number"`
			Scope    string `json:"scope"`
			OptedOut bool   `json:"opted_out"`
			Source   string `json:"source"`
		}
		if ds := rc.of("/a", "contact.opted_out"); len(ds) != 1 || json.Unmarshal(ds[0].env.Data, &oo) != nil ||
			oo.Number != "447700900126" || oo.Scope != "account" || !oo.OptedOut || oo.Source != "api" {
			t.Errorf("contact.opted_out: %d deliveries, data %+v", len(ds), oo)
		}

		// Unsubscribed: a contact created afterwards reaches only a hook
		// subscribed since.
		must(a.do(t, "DELETE", hookPath, acme.APIKey, ""), 204, "unsubscribe")
		must(a.do(t, "GET", hookPath, acme.APIKey, ""), 404, "the removed hook")
		must(a.do(t, "POST", "/v1/hooks", acme.APIKey, `{"url":"`+rc.URL+`/b","events":["contact.created"]}`), 201, "a second hook")
		before := len(rc.of("/a", "contact.created"))
		must(a.do(t, "POST", "/v1/contacts", acme.APIKey, `{"phone":"+447700900127"}`), 201, "a contact after unsubscribing")
		eventually(t, "the second hook's event", func() (bool, string) {
			n := len(rc.of("/b", "contact.created"))
			return n == 1, fmt.Sprint(n)
		})
		eventually(t, "the dispatcher idle", func() (bool, string) {
			p := gaugeSum(t, a.reg, "gallant_webhook_pending")
			return p == 0, fmt.Sprint(p, " pending")
		})
		if n := len(rc.of("/a", "contact.created")); n != before {
			t.Errorf("the removed hook got %d contact.created after unsubscribing", n-before)
		}

		// A STOP keyword from a handset is a contact.opted_out event too.
		must(a.do(t, "POST", "/v1/hooks", acme.APIKey, `{"url":"`+rc.URL+`/s","events":["contact.opted_out"]}`), 201, "an opt-out hook")
		h, err = carrier.Deliver(ctx, "gallant", &pdu.DeliverSM{Source: pdu.Address{TON: 1, NPI: 1, Addr: []byte("447700900128")},
			Dest: pdu.Address{TON: 1, NPI: 1, Addr: []byte("447700900999")}, ShortMessage: []byte("STOP")})
		if err != nil || h.Status != pdu.StatusOK {
			t.Fatalf("STOP MO: %v %v", h.Status, err)
		}
		eventually(t, "the STOP's contact.opted_out", func() (bool, string) {
			n := len(rc.of("/s", "contact.opted_out"))
			return n == 1, fmt.Sprint(n)
		})
		if err := json.Unmarshal(rc.of("/s", "contact.opted_out")[0].env.Data, &oo); err != nil || oo.Number != "447700900128" ||
			oo.Source != "keyword" || !oo.OptedOut {
			t.Errorf("STOP's contact.opted_out data %+v: %v", oo, err)
		}

		// A campaign that finishes is one campaign.completed event.
		must(a.do(t, "POST", "/v1/hooks", acme.APIKey, `{"url":"`+rc.URL+`/c","events":["campaign.completed"]}`), 201, "a campaign hook")
		camp := a.createCampaign(t, acme.APIKey, map[string]any{"name": "Hooked", "text": "Hi", "kind": "transactional",
			"audience": map[string]any{"numbers": []string{"+447900100001", "+447900100002", "+447900100003"}}})
		must(a.do(t, "POST", fmt.Sprintf("/v1/campaigns/%d/launch", camp), acme.APIKey, ""), 200, "launch")
		eventually(t, "campaign.completed", func() (bool, string) {
			n := len(rc.of("/c", "campaign.completed"))
			return n == 1, fmt.Sprint(n)
		})
		var cv struct {
			ID    int64  `json:"id"`
			Name  string `json:"name"`
			State string `json:"state"`
		}
		d := rc.of("/c", "campaign.completed")[0]
		if err := json.Unmarshal(d.env.Data, &cv); err != nil || cv.ID != camp || cv.Name != "Hooked" || cv.State != "completed" {
			t.Errorf("campaign.completed data %s: %v", d.env.Data, err)
		}
		if err := webhook.Verify(secret, d.sig, d.body, time.Now(), 0); err != nil {
			t.Errorf("campaign.completed not signed with Acme's secret: %v", err)
		}
	})
}
