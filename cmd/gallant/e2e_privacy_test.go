package main

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gallant-sms/gallant/smpp/pdu"
	"github.com/gallant-sms/gallant/store"
	"github.com/gallant-sms/gallant/store/storetest"
)

// TestE2EPrivacy: over HTTP through the gateway as served, an account
// owner exports everything held about a number (its messages, its reply,
// its opt-out) and then erases it: afterwards no table holds the number
// (but the opt-out ledger and another account's message) nor the texts;
// the balance, ledger and usage are as before; the opt-out still refuses
// a send; the requests are listed and audited without the number; the
// other account's data is untouched; wrong callers and bad numbers get
// problem JSON.
func TestE2EPrivacy(t *testing.T) {
	eachDriver(t, func(t *testing.T, driver string) {
		ctx := testContext(t)
		carrier := newCarrier(t, nil)
		cfg := testConfig(t, driver, carrier.Addr())
		cfg.Billing.Enabled = true
		cfg.HTTP.RateLimitPerKey, cfg.HTTP.RateLimitPerIP = 0, 0
		sc := store.Config{Driver: cfg.Store.Driver, DSN: cfg.Store.DSN}
		st := storetest.OpenConfig(t, sc)
		plan := &store.PricePlan{Name: "standard", Currency: "EUR", Default: true, ValidFrom: time.Now().Add(-time.Hour),
			Prices: []store.PlanPrice{{Prefix: "44", PriceMicros: 50_000}}}
		if err := st.CreatePricePlan(ctx, plan); err != nil {
			t.Fatal(err)
		}
		a := startApp(t, cfg)
		_, adminKey := a.platformAdmin(t, "admin")
		must := func(r httpAnswer, code int, what string) httpAnswer { t.Helper(); return mustStatus(t, r, code, what) }
		var acme, bravo createdJSON
		must(a.do(t, "POST", "/v1/accounts", adminKey, `{"name":"Acme"}`), 201, "create Acme").json(t, &acme)
		must(a.do(t, "POST", "/v1/accounts", adminKey, `{"name":"Bravo"}`), 201, "create Bravo").json(t, &bravo)
		for _, id := range []string{acme.Account.ID, bravo.Account.ID} {
			must(a.do(t, "POST", "/v1/accounts/"+id+"/topups", adminKey, `{"amount":"10","reference":"wire"}`), 201, "top up")
		}
		must(a.do(t, "POST", "/v1/numbers", adminKey, `{"account_id":`+acme.Account.ID+`,"number":"+447700900888"}`), 201,
			"Acme's inbound number")

		const phone = "447700944321"
		var ids []string
		for _, text := range []string{"Privtext4411 one", "Privtext4411 two", "Privtext4411 three"} {
			ids = append(ids, a.send(t, acme.APIKey, map[string]any{"to": "+" + phone, "text": text}).ID)
		}
		other := a.send(t, acme.APIKey, map[string]any{"to": "+447700944999", "text": "to someone else"})
		bravoMsg := a.send(t, bravo.APIKey, map[string]any{"to": "+" + phone, "text": "Bravo keeps this"})
		for _, id := range append(ids, other.ID) {
			a.waitStatus(t, acme.APIKey, id, "delivered")
		}
		a.waitStatus(t, bravo.APIKey, bravoMsg.ID, "delivered")
		h, err := carrier.Deliver(ctx, "gallant", &pdu.DeliverSM{Source: pdu.Address{TON: 1, NPI: 1, Addr: []byte(phone)},
			Dest: pdu.Address{TON: 1, NPI: 1, Addr: []byte("447700900888")}, ShortMessage: []byte("Replytext8833 thanks")})
		if err != nil || h.Status != pdu.StatusOK {
			t.Fatalf("MO: %v %v", h.Status, err)
		}
		eventually(t, "the reply stored", func() (bool, string) {
			r := a.do(t, "GET", "/v1/inbound", acme.APIKey, "")
			return strings.Contains(string(r.body), "Replytext8833"), string(r.body)
		})
		must(a.do(t, "POST", "/v1/opt-outs", acme.APIKey, `{"number":"+`+phone+`"}`), 201, "opt-out")

		// Refusals, as problem JSON.
		for _, tc := range []struct {
			method, path, key, body string
			code                    int
		}{
			{"GET", "/v1/privacy/export?phone=12ab", acme.APIKey, "", 400},
			{"GET", "/v1/privacy/export", acme.APIKey, "", 400},
			{"GET", "/v1/privacy/export?phone=%2B" + phone + "&account_id=" + acme.Account.ID, bravo.APIKey, "", 403},
			{"GET", "/v1/privacy/export?user_id=1", acme.APIKey, "", 403},
			{"POST", "/v1/privacy/erase", bravo.APIKey, `{"phone":"+` + phone + `","account_id":"` + acme.Account.ID + `"}`, 403},
			{"POST", "/v1/privacy/erase", acme.APIKey, `{"phone":"not a number"}`, 400},
			{"GET", "/v1/privacy/requests?account_id=" + acme.Account.ID, bravo.APIKey, "", 403},
		} {
			r := a.do(t, tc.method, tc.path, tc.key, tc.body)
			if r.status != tc.code || !strings.HasPrefix(r.header.Get("Content-Type"), "application/problem+json") {
				t.Errorf("%s %s: %d %s %s, want %d problem JSON", tc.method, tc.path, r.status, r.header.Get("Content-Type"), r.body, tc.code)
			}
		}

		type export struct {
			Messages []struct {
				ID, To, Text, Status string
			} `json:"messages"`
			Inbound []struct{ From, Text string } `json:"inbound"`
			OptOuts []struct {
				OptedOut bool `json:"opted_out"`
			} `json:"opt_outs"`
			Audit []struct{ Action, Target string } `json:"audit"`
		}
		r := must(a.do(t, "GET", "/v1/privacy/export?phone=%2B44+7700+944321", acme.APIKey, ""), 200, "export")
		var ex export
		if err := json.Unmarshal(r.body, &ex); err != nil {
			t.Fatalf("export: %v %s", err, r.body)
		}
		if len(ex.Messages) != 3 || ex.Messages[0].ID != ids[0] || ex.Messages[0].Text != "Privtext4411 one" ||
			ex.Messages[0].Status != "delivered" || len(ex.Inbound) != 1 || ex.Inbound[0].Text != "Replytext8833 thanks" ||
			len(ex.OptOuts) != 1 || !ex.OptOuts[0].OptedOut {
			t.Fatalf("export: %s", r.body)
		}
		if strings.Contains(string(r.body), other.ID) || strings.Contains(string(r.body), bravoMsg.ID) {
			t.Fatalf("the export shows another number's or account's message: %s", r.body)
		}

		span := "from=" + time.Now().UTC().Add(-time.Hour).Format(time.RFC3339) + "&until=" +
			time.Now().UTC().Add(time.Hour).Format(time.RFC3339)
		books := func() string {
			var b strings.Builder
			for _, p := range []string{"/v1/balance", "/v1/ledger", "/v1/usage?group_by=destination&" + span,
				"/v1/usage?group_by=status&" + span,
				"/v1/accounts/" + acme.Account.ID + "/statements/" + time.Now().UTC().Format("2006-01")} {
				b.Write(must(a.do(t, "GET", p, acme.APIKey, ""), 200, p).body)
			}
			return b.String()
		}
		before := books()
		if !strings.Contains(before, `"messages":4`) || !strings.Contains(before, `{"destination":"+44","messages":4`) {
			t.Fatalf("the usage or the statement does not count the messages, so comparing them proves nothing: %s", before)
		}
		var res struct {
			RequestID string           `json:"request_id"`
			Subject   string           `json:"subject"`
			Token     string           `json:"token"`
			Rows      map[string]int64 `json:"rows"`
		}
		must(a.do(t, "POST", "/v1/privacy/erase", acme.APIKey, `{"phone":"+`+phone+`"}`), 200, "erase").json(t, &res)
		if res.Rows["messages"] != 3 || res.Rows["mo_messages"] != 1 || res.RequestID == "" || !strings.HasPrefix(res.Token, "447*") {
			t.Fatalf("erase answered %+v", res)
		}
		for _, where := range storetest.FindEverywhere(t, sc, phone) {
			if where != "opt_outs.number" && where != "messages.dst_addr" {
				t.Errorf("the number remains in %s", where)
			}
		}
		for _, v := range []string{"Privtext4411", "Replytext8833"} {
			if where := storetest.FindEverywhere(t, sc, v); len(where) > 0 {
				t.Errorf("%q remains in %v", v, where)
			}
		}
		if after := books(); after != before {
			t.Errorf("balance, ledger or usage changed:\n%s\n%s", before, after)
		}
		var m messageView
		must(a.do(t, "GET", "/v1/messages/"+ids[0], acme.APIKey, ""), 200, "an erased message").json(t, &m)
		if m.Status != "delivered" || strings.Contains(m.To, phone) {
			t.Errorf("the erased message reads %+v", m)
		}
		r = a.do(t, "POST", "/v1/messages", acme.APIKey, `{"to":"+`+phone+`","text":"again"}`)
		if r.status != http.StatusUnprocessableEntity || r.problemType(t) != "recipient-opted-out" {
			t.Errorf("a send to the erased number: %d %s", r.status, r.body)
		}

		ex = export{}
		must(a.do(t, "GET", "/v1/privacy/export?phone=%2B"+phone, acme.APIKey, ""), 200, "export after").json(t, &ex)
		if len(ex.Messages)+len(ex.Inbound) != 0 || len(ex.OptOuts) != 1 {
			t.Errorf("export after the erasure: %+v", ex)
		}
		ex = export{}
		must(a.do(t, "GET", "/v1/privacy/export?phone=%2B"+phone, bravo.APIKey, ""), 200, "Bravo's export").json(t, &ex)
		if len(ex.Messages) != 1 || ex.Messages[0].Text != "Bravo keeps this" {
			t.Errorf("Bravo's data after Acme's erasure: %+v", ex)
		}

		var reqs struct {
			Items []struct {
				ID, Kind, Subject string
			} `json:"items"`
		}
		r = must(a.do(t, "GET", "/v1/privacy/requests", acme.APIKey, ""), 200, "requests")
		r.json(t, &reqs)
		if len(reqs.Items) != 3 || reqs.Items[1].Kind != "erase" || reqs.Items[1].ID != res.RequestID ||
			reqs.Items[1].Subject != res.Subject || strings.Contains(string(r.body), phone) {
			t.Errorf("Acme's requests: %s", r.body)
		}
		r = must(a.do(t, "GET", "/v1/accounts/"+acme.Account.ID+"/audit", acme.APIKey, ""), 200, "audit")
		if !strings.Contains(string(r.body), "privacy.erase") || strings.Contains(string(r.body), phone) {
			t.Errorf("Acme's audit log: %s", r.body)
		}
		r = must(a.do(t, "GET", "/v1/privacy/requests", adminKey, ""), 200, "every request")
		if !strings.Contains(string(r.body), res.RequestID) {
			t.Errorf("the platform admin's list: %s", r.body)
		}

		// A platform-wide erasure by a platform admin: Bravo's message
		// scheduled for later is cancelled (refunded, never sent), then
		// Bravo's data is erased too.
		var bal0, bal1 struct {
			Available int64 `json:"available"`
		}
		must(a.do(t, "GET", "/v1/balance", bravo.APIKey, ""), 200, "Bravo's balance").json(t, &bal0)
		later := a.send(t, bravo.APIKey, map[string]any{"to": "+" + phone, "text": "Later7719",
			"send_at": time.Now().Add(time.Hour).UTC().Format(time.RFC3339)})
		if later.Status != "scheduled" {
			t.Fatalf("scheduled message: %+v", later)
		}
		var all struct {
			Cancelled int64            `json:"cancelled"`
			Rows      map[string]int64 `json:"rows"`
		}
		must(a.do(t, "POST", "/v1/privacy/erase", adminKey, `{"phone":"+`+phone+`"}`), 200, "platform-wide erase").json(t, &all)
		if all.Cancelled != 1 || all.Rows["messages"] != 2 {
			t.Errorf("platform-wide erasure: %+v", all)
		}
		a.waitStatus(t, bravo.APIKey, later.ID, "rejected")
		eventually(t, "the scheduled message refunded", func() (bool, string) {
			r := must(a.do(t, "GET", "/v1/balance", bravo.APIKey, ""), 200, "Bravo's balance")
			r.json(t, &bal1)
			return bal1.Available == bal0.Available, string(r.body)
		})
		for _, where := range storetest.FindEverywhere(t, sc, phone) {
			if where != "opt_outs.number" {
				t.Errorf("the number remains in %s after the platform-wide erasure", where)
			}
		}
		for _, sub := range carrier.Submits() {
			if strings.Contains(string(sub.SM.ShortMessage), "Later7719") {
				t.Errorf("the cancelled message reached the carrier")
			}
		}
	})
}
