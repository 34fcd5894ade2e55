package main

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/gallant-sms/gallant/smpp/pdu"
)

// TestE2ENumbersAPI: a platform admin assigns a number to an account over
// the API; an MO the carrier sends to it reaches the number's webhook
// and the account's /v1/inbound and conversation (with the account's
// reply), and nothing of it reaches another account; an MO to an unknown
// number lands in the catch-all only a platform admin reads. Only
// platform admins assign and remove numbers; the owner sets delivery.
func TestE2ENumbersAPI(t *testing.T) {
	eachDriver(t, func(t *testing.T, driver string) {
		ctx := testContext(t)
		carrier := newCarrier(t, nil)
		cfg := testConfig(t, driver, carrier.Addr())
		cfg.HTTP.RateLimitPerKey, cfg.HTTP.RateLimitPerIP = 0, 0
		a := startApp(t, cfg)
		_, adminKey := a.platformAdmin(t, "admin")
		must := func(r httpAnswer, code int, what string) httpAnswer { t.Helper(); return mustStatus(t, r, code, what) }
		var ca, cb createdJSON
		must(a.do(t, "POST", "/v1/accounts", adminKey, `{"name":"Acme"}`), 201, "create Acme").json(t, &ca)
		must(a.do(t, "POST", "/v1/accounts", adminKey, `{"name":"Other"}`), 201, "create Other").json(t, &cb)

		var mu sync.Mutex
		var hooks []map[string]any
		sink := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			b, _ := io.ReadAll(r.Body)
			var v map[string]any
			_ = json.Unmarshal(b, &v)
			mu.Lock()
			hooks = append(hooks, v)
			mu.Unlock()
		}))
		t.Cleanup(sink.Close)

		body := `{"account_id":` + ca.Account.ID + `,"number":"+447700900999","webhook_url":"` + sink.URL + `/old"}`
		must(a.do(t, "POST", "/v1/numbers", ca.APIKey, body), 403, "an owner assigns itself a number")
		var num struct {
			ID   int64  `json:"id"`
			Kind string `json:"kind"`
		}
		must(a.do(t, "POST", "/v1/numbers", adminKey, body), 201, "admin assigns a number").json(t, &num)
		if num.Kind != "long" {
			t.Errorf("kind %q, want long", num.Kind)
		}
		must(a.do(t, "POST", "/v1/numbers", adminKey, body), 422, "the same number twice")
		must(a.do(t, "POST", "/v1/numbers", adminKey, `{"account_id":`+ca.Account.ID+`,"number":"12ab"}`), 400, "a bad number")
		path := "/v1/numbers/" + strconv.FormatInt(num.ID, 10)
		must(a.do(t, "GET", path, cb.APIKey, ""), 404, "another account reads the number")
		must(a.do(t, "PATCH", path, cb.APIKey, `{"smpp":true}`), 404, "another account changes the number")
		must(a.do(t, "DELETE", path, ca.APIKey, ""), 403, "the owner removes its number")
		must(a.do(t, "PATCH", path, ca.APIKey, `{"carrier":"c1"}`), 403, "the owner changes the carrier")
		must(a.do(t, "PATCH", path, ca.APIKey, `{"webhook_url":"`+sink.URL+`/mo"}`), 200, "the owner sets its webhook")
		if r := must(a.do(t, "GET", "/v1/numbers", cb.APIKey, ""), 200, "Other lists"); strings.Contains(string(r.body), "447700900999") {
			t.Errorf("Other's list shows Acme's number: %s", r.body)
		}
		if r := must(a.do(t, "GET", "/v1/numbers", ca.APIKey, ""), 200, "Acme lists"); !strings.Contains(string(r.body), "/mo") {
			t.Errorf("Acme's list: %s", r.body)
		}

		handset := pdu.Address{TON: 1, NPI: 1, Addr: []byte("447700900123")}
		for _, dst := range []string{"447700900999", "447700900111"} {
			h, err := carrier.Deliver(ctx, "gallant", &pdu.DeliverSM{Source: handset, Dest: pdu.Address{TON: 1, NPI: 1, Addr: []byte(dst)},
				ShortMessage: []byte("hi " + dst)})
			if err != nil || h.Status != pdu.StatusOK {
				t.Fatalf("MO to %s: %v %v", dst, h.Status, err)
			}
		}
		eventually(t, "the inbound webhook", func() (bool, string) {
			mu.Lock()
			defer mu.Unlock()
			return len(hooks) == 1, strconv.Itoa(len(hooks))
		})
		if hooks[0]["text"] != "hi 447700900999" || hooks[0]["from"] != "447700900123" {
			t.Errorf("webhook: %v", hooks[0])
		}

		type page struct {
			Data []struct {
				Text      string `json:"text"`
				From      string `json:"from"`
				Direction string `json:"direction"`
			} `json:"data"`
		}
		var p page
		must(a.do(t, "GET", "/v1/inbound", ca.APIKey, ""), 200, "Acme's inbound").json(t, &p)
		if len(p.Data) != 1 || p.Data[0].Text != "hi 447700900999" {
			t.Errorf("Acme's inbound: %+v", p)
		}
		p = page{}
		must(a.do(t, "GET", "/v1/inbound?sender=447700900123&number=447700900999", ca.APIKey, ""), 200, "filtered").json(t, &p)
		if len(p.Data) != 1 {
			t.Errorf("filtered inbound: %+v", p)
		}
		p = page{}
		must(a.do(t, "GET", "/v1/inbound", cb.APIKey, ""), 200, "Other's inbound").json(t, &p)
		if len(p.Data) != 0 {
			t.Errorf("Other sees %+v", p)
		}
		must(a.do(t, "GET", "/v1/inbound?unrouted=true", ca.APIKey, ""), 403, "an owner reads the catch-all")
		must(a.do(t, "GET", "/v1/inbound?bogus=1", ca.APIKey, ""), 400, "an unknown filter")
		p = page{}
		must(a.do(t, "GET", "/v1/inbound?unrouted=true", adminKey, ""), 200, "the catch-all").json(t, &p)
		if len(p.Data) != 1 || p.Data[0].Text != "hi 447700900111" {
			t.Errorf("catch-all: %+v", p)
		}

		// The reply is a send from the number; the conversation shows both.
		a.send(t, ca.APIKey, map[string]any{"to": "+447700900123", "from": "447700900999", "text": "hello back"})
		p = page{}
		must(a.do(t, "GET", "/v1/conversations/+447700900123", ca.APIKey, ""), 200, "Acme's conversation").json(t, &p)
		if len(p.Data) != 2 || p.Data[0].Direction != "outbound" || p.Data[0].Text != "hello back" ||
			p.Data[1].Direction != "inbound" || p.Data[1].Text != "hi 447700900999" {
			t.Errorf("conversation: %+v", p)
		}
		var cl struct {
			Data []struct {
				Counterpart string `json:"counterpart"`
				Inbound     int    `json:"inbound"`
			} `json:"data"`
		}
		must(a.do(t, "GET", "/v1/conversations", ca.APIKey, ""), 200, "Acme's conversations").json(t, &cl)
		if len(cl.Data) != 1 || cl.Data[0].Counterpart != "447700900123" || cl.Data[0].Inbound != 1 {
			t.Errorf("conversations: %+v", cl)
		}
		p = page{}
		must(a.do(t, "GET", "/v1/conversations/447700900123", cb.APIKey, ""), 200, "Other's conversation").json(t, &p)
		if len(p.Data) != 0 {
			t.Errorf("Other sees Acme's conversation: %+v", p)
		}
		// Cursor pagination, newest first.
		h, err := carrier.Deliver(ctx, "gallant", &pdu.DeliverSM{Source: handset, Dest: pdu.Address{TON: 1, NPI: 1, Addr: []byte("447700900999")},
			ShortMessage: []byte("second")})
		if err != nil || h.Status != pdu.StatusOK {
			t.Fatalf("second MO: %v %v", h.Status, err)
		}
		var pg struct {
			Data []struct {
				Text string `json:"text"`
			} `json:"data"`
			NextCursor string `json:"next_cursor"`
		}
		must(a.do(t, "GET", "/v1/inbound?limit=1", ca.APIKey, ""), 200, "first page").json(t, &pg)
		if len(pg.Data) != 1 || pg.Data[0].Text != "second" || pg.NextCursor == "" {
			t.Fatalf("first page: %+v", pg)
		}
		cursor := pg.NextCursor
		pg.Data, pg.NextCursor = nil, ""
		must(a.do(t, "GET", "/v1/inbound?limit=1&cursor="+cursor, ca.APIKey, ""), 200, "second page").json(t, &pg)
		if len(pg.Data) != 1 || pg.Data[0].Text != "hi 447700900999" || pg.NextCursor != "" {
			t.Errorf("second page: %+v", pg)
		}
		must(a.do(t, "GET", "/v1/inbound?cursor=nope", ca.APIKey, ""), 400, "a bad cursor")
		must(a.do(t, "DELETE", path, adminKey, ""), 204, "admin removes the number")
		must(a.do(t, "GET", path, ca.APIKey, ""), 404, "a removed number")
	})
}
