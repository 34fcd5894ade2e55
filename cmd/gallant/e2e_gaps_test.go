package main

// End-to-end over HTTP with the real gateway, on both stores: an
// account's default webhook URL, a webhook receiver that always fails,
// expiry while the carrier cannot take the message, flash messages and
// the suppression list.

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gallant-sms/gallant/account"
	"github.com/gallant-sms/gallant/consent"
	"github.com/gallant-sms/gallant/smpp"
	"github.com/gallant-sms/gallant/smpp/pdu"
	"github.com/gallant-sms/gallant/smpp/pdutext"
	"github.com/gallant-sms/gallant/sms"
	"github.com/gallant-sms/gallant/store"
	"github.com/gallant-sms/gallant/store/storetest"
	"github.com/gallant-sms/gallant/webhook"
)

// distinctStatuses lists the statuses of hs (in event-time order, as
// hooks.of gives them), each event once however often it was retried.
func distinctStatuses(hs []hook) string {
	seen := map[string]bool{}
	var once []hook
	for _, x := range hs {
		if !seen[x.ev.EventID] {
			seen[x.ev.EventID] = true
			once = append(once, x)
		}
	}
	return statuses(once)
}

// verifyDocumented checks an X-Gallant-Signature value the way docs/api.md
// tells a receiver to: "t=<unix seconds>,v1=<hex HMAC-SHA256 of
// "<t>.<body>">" keyed by the account's webhook secret, with t recent.
func verifyDocumented(secret, header string, body []byte, now time.Time) error {
	var ts, v1 string
	for part := range strings.SplitSeq(header, ",") {
		k, v, ok := strings.Cut(part, "=")
		if !ok {
			return fmt.Errorf("malformed part %q", part)
		}
		switch k {
		case "t":
			ts = v
		case "v1":
			v1 = v
		}
	}
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return fmt.Errorf("timestamp %q: %w", ts, err)
	}
	if d := now.Sub(time.Unix(sec, 0)); d > 5*time.Minute || d < -5*time.Minute {
		return fmt.Errorf("timestamp %s is %v from now", ts, d)
	}
	got, err := hex.DecodeString(v1)
	if err != nil {
		return fmt.Errorf("v1 %q: %w", v1, err)
	}
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(ts + "."))
	mac.Write(body)
	if !hmac.Equal(got, mac.Sum(nil)) {
		return errors.New("v1 is not the HMAC of the body")
	}
	return nil
}

// checkSignedDocumented checks every request of hs against secret, by the
// documented recipe and by webhook.Verify, and that wrong does not
// verify.
func checkSignedDocumented(t *testing.T, hs []hook, secret, wrong string) {
	t.Helper()
	if len(hs) == 0 {
		t.Fatal("no webhook to check")
	}
	for _, h := range hs {
		if err := verifyDocumented(secret, h.sig, h.body, time.Now()); err != nil {
			t.Errorf("webhook %s: signature %q: %v", h.ev.Status, h.sig, err)
		}
		if err := webhook.Verify(secret, h.sig, h.body, time.Now(), 0); err != nil {
			t.Errorf("webhook %s: webhook.Verify: %v", h.ev.Status, err)
		}
		if err := verifyDocumented(wrong, h.sig, h.body, time.Now()); err == nil {
			t.Errorf("webhook %s verifies with the wrong secret", h.ev.Status)
		}
	}
}

// TestE2EGapsAccountWebhook: an account whose webhook_url is set through
// PATCH /v1/accounts/{id} gets the status webhooks of a message sent
// without callback_url at that URL, signed with its own secret as
// docs/api.md describes; a callback_url on a message overrides it.
func TestE2EGapsAccountWebhook(t *testing.T) {
	t.Parallel()
	eachDriver(t, func(t *testing.T, driver string) {
		ctx := testContext(t)
		c := newCarrier(t, nil)
		a := startApp(t, testConfig(t, driver, c.Addr()))
		sink := newHooksAnswering(t, http.StatusNoContent)
		cust := a.customer(t, "Acme", "") // with a webhook secret of its own
		if cust.WebhookSecret == "" {
			t.Fatal("the account has no webhook secret")
		}
		owner, err := a.acc.CreateAPIKey(ctx, cust.AccountID, "owner", []string{account.ScopeAdmin})
		if err != nil {
			t.Fatal(err)
		}
		path := "/v1/accounts/" + strconv.FormatInt(cust.AccountID, 10)
		r := a.do(t, http.MethodPatch, path, owner, `{"webhook_url":"`+sink.URL+`/acme-default"}`)
		var view struct {
			WebhookURL string `json:"webhook_url"`
		}
		if r.status != http.StatusOK {
			t.Fatalf("PATCH %s: %d %s", path, r.status, r.body)
		}
		if r.json(t, &view); view.WebhookURL != sink.URL+"/acme-default" {
			t.Fatalf("PATCH answered webhook_url %q", view.WebhookURL)
		}

		s := a.send(t, cust.APIKey, map[string]any{"to": "+447700900123", "text": "to the default URL", "client_ref": "dflt"})
		eventually(t, "webhooks at the account's URL", func() (bool, string) {
			got := distinctStatuses(sink.of(s.ID))
			return got == "submitted,delivered", got
		})
		hs := sink.of(s.ID)
		for _, h := range hs {
			if h.path != "/acme-default" {
				t.Errorf("webhook %s posted to %q, want the account's /acme-default", h.ev.Status, h.path)
			}
			if h.ev.To != "447700900123" || h.ev.ClientRef != "dflt" || h.ev.EventID == "" {
				t.Errorf("webhook event %+v", h.ev)
			}
		}
		checkSignedDocumented(t, hs, cust.WebhookSecret, testWebhookSecret)

		// A callback_url of the message wins over the account's URL.
		o := a.send(t, cust.APIKey, map[string]any{"to": "+447700900124", "text": "to my own URL",
			"callback_url": sink.URL + "/override"})
		eventually(t, "webhooks at the message's URL", func() (bool, string) {
			got := distinctStatuses(sink.of(o.ID))
			return got == "submitted,delivered", got
		})
		for _, h := range sink.of(o.ID) {
			if h.path != "/override" {
				t.Errorf("webhook %s of a message with callback_url posted to %q", h.ev.Status, h.path)
			}
		}
		checkSignedDocumented(t, sink.of(o.ID), cust.WebhookSecret, testWebhookSecret)
	})
}

// TestE2EGapsWebhookGiveUp: a receiver that always answers 500 is tried
// webhook.DefaultMaxAttempts times per event (as fast as its Retry-After:
// 0 allows), the same event each time; the store records every attempt
// with the answer and marks the last one given up; the message itself is
// delivered all the same.
func TestE2EGapsWebhookGiveUp(t *testing.T) {
	t.Parallel()
	eachDriver(t, func(t *testing.T, driver string) {
		ctx := testContext(t)
		c := newCarrier(t, nil)
		cfg := testConfig(t, driver, c.Addr())
		// Every attempt at once: no circuit breaker cooling the receiver.
		cfg.Webhooks.BreakerFailures = 2 * webhook.DefaultMaxAttempts
		a := startApp(t, cfg)
		sink := newHooksAnswering(t, http.StatusInternalServerError)
		cust := a.customer(t, "Acme", noOwnSecret)
		url := sink.URL + "/broken"
		s := a.send(t, cust.APIKey, map[string]any{"to": "447700900123", "text": "nobody listens", "callback_url": url})
		a.waitStatus(t, cust.APIKey, s.ID, "delivered")

		const maxAttempts = webhook.DefaultMaxAttempts
		const events = 2 // submitted and delivered
		eventually(t, "every attempt at the failing receiver", func() (bool, string) {
			perEvent := map[string]int{}
			for _, h := range sink.of(s.ID) {
				perEvent[h.ev.EventID]++
			}
			done := 0
			for _, n := range perEvent {
				if n >= maxAttempts {
					done++
				}
			}
			return done == events, fmt.Sprint(perEvent)
		})
		id, err := sms.ParseID(s.ID)
		if err != nil {
			t.Fatal(err)
		}
		var rows []store.WebhookAttempt
		eventually(t, "the attempts in the store", func() (bool, string) {
			rows, err = a.st.WebhookAttempts(ctx, cust.AccountID, id)
			gaveUp := 0
			for _, r := range rows {
				if r.GaveUp {
					gaveUp++
				}
			}
			return err == nil && gaveUp == events, fmt.Sprintf("%d rows, %d given up, %v", len(rows), gaveUp, err)
		})

		// Each event was posted exactly maxAttempts times, with one body.
		bodies := map[string]string{}
		perEvent := map[string]int{}
		for _, h := range sink.of(s.ID) {
			perEvent[h.ev.EventID]++
			if b, ok := bodies[h.ev.EventID]; ok && b != string(h.body) {
				t.Errorf("event %s retried with another body:\n%s\n%s", h.ev.EventID, b, h.body)
			}
			bodies[h.ev.EventID] = string(h.body)
		}
		if len(perEvent) != events {
			t.Errorf("%d events posted, want %d: %v", len(perEvent), events, perEvent)
		}
		for ev, n := range perEvent {
			if n != maxAttempts {
				t.Errorf("event %s posted %d times, want %d", ev, n, maxAttempts)
			}
		}
		checkSignedDocumented(t, sink.of(s.ID), testWebhookSecret, "whsec-wrong")

		// The store: attempts 1..max for each event, each with the 500,
		// and only the last one given up.
		if len(rows) != events*maxAttempts {
			t.Fatalf("%d attempts stored, want %d: %+v", len(rows), events*maxAttempts, rows)
		}
		perN := map[int]int{}
		for _, r := range rows {
			perN[r.Attempt]++
			if r.URL != url || r.StatusCode != http.StatusInternalServerError || !strings.Contains(r.Error, "500") ||
				r.MessageID != id || r.AccountID != cust.AccountID || r.At.IsZero() {
				t.Errorf("stored attempt %+v", r)
			}
			if r.GaveUp != (r.Attempt == maxAttempts) {
				t.Errorf("attempt %d stored with gave_up %v", r.Attempt, r.GaveUp)
			}
		}
		for n := 1; n <= maxAttempts; n++ {
			if perN[n] != events {
				t.Errorf("attempt number %d stored %d times, want %d: %v", n, perN[n], events, perN)
			}
		}
		if !strings.Contains(a.metrics(t), "\ngallant_webhook_deliveries_total{result=\"gave_up\"} 2\n") {
			t.Errorf("/metrics does not count 2 webhooks given up")
		}
	})
}

// TestE2EGapsExpired: a message whose valid_until passes while its
// carrier throttles every submit_sm, or cannot be reached, ends expired:
// GET shows it, an expired webhook is posted, and the carrier never
// accepted it.
func TestE2EGapsExpired(t *testing.T) {
	t.Parallel()
	for _, down := range []bool{false, true} {
		name := "carrier throttles"
		if down {
			name = "carrier down"
		}
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			eachDriver(t, func(t *testing.T, driver string) {
				ctx := testContext(t)
				c := newCarrier(t, func(int, *pdu.SubmitSM) pdu.Status {
					if down {
						return pdu.StatusOK
					}
					return pdu.StatusThrottled
				})
				a := startApp(t, testConfig(t, driver, c.Addr()))
				if down {
					c.SetRefuseBinds(pdu.StatusBindFail)
					c.DropConnections()
					eventually(t, "the carrier bind down", func() (bool, string) {
						rctx, cancel := context.WithTimeout(ctx, 5*time.Second)
						defer cancel()
						err := a.gw.Ready(rctx)
						return err != nil, "still ready"
					})
				}
				h := newHooks(t)
				cust := a.customer(t, "Acme", noOwnSecret)
				// A whole second, at least two ahead: stored times are
				// then never rounded below it.
				validUntil := time.Now().Add(3 * time.Second).Truncate(time.Second).UTC()
				s := a.send(t, cust.APIKey, map[string]any{"to": "447700900123", "text": "in time or never",
					"valid_until": validUntil.Format(time.RFC3339), "callback_url": h.URL})
				if s.Status != "accepted" {
					t.Errorf("answer %+v", s)
				}
				v := a.waitStatus(t, cust.APIKey, s.ID, "expired")
				var final []string
				for _, e := range v.History {
					switch e.Status {
					case "submitted", "delivered":
						t.Errorf("history has %s: %+v", e.Status, v.History)
					case "expired":
						final = append(final, e.Status)
						if e.At.Before(validUntil) {
							t.Errorf("expired at %v, before valid_until %v", e.At, validUntil)
						}
					}
				}
				if len(final) != 1 {
					t.Errorf("history %+v, want one expired event", v.History)
				}
				eventually(t, "the expired webhook", func() (bool, string) {
					got := statuses(h.of(s.ID))
					return strings.HasSuffix(got, "expired"), got
				})
				hs := h.of(s.ID)
				checkSigned(t, hs, testWebhookSecret, "whsec-wrong")
				if got := statuses(hs); got != "expired" {
					t.Errorf("webhooks %s, want expired only", got)
				}
				if x := hs[len(hs)-1].ev; x.To != "447700900123" || x.Status != sms.StatusExpired {
					t.Errorf("expired webhook %+v", x)
				}
				tried := 0
				for _, sub := range c.Submits() {
					if string(sub.SM.Payload()) != "in time or never" {
						continue
					}
					tried++
					if sub.Status == pdu.StatusOK {
						t.Errorf("the carrier accepted the message it should have missed")
					}
				}
				if down && tried != 0 {
					t.Errorf("the carrier that was down got the message %d times", tried)
				}
				if !down && tried == 0 {
					t.Errorf("the throttling carrier never saw the message: nothing was tried")
				}
			})
		})
	}
}

// TestE2EGapsFlash: "flash": true sends the text with a data_coding of
// message class 0 (GSM 7-bit and UCS-2 alike), and GET says flash; a
// message without it carries no class.
func TestE2EGapsFlash(t *testing.T) {
	t.Parallel()
	eachDriver(t, func(t *testing.T, driver string) {
		c := newCarrier(t, nil)
		a := startApp(t, testConfig(t, driver, c.Addr()))
		cust := a.customer(t, "Acme", "")
		cases := []struct {
			text     string
			flash    bool
			alphabet pdutext.Alphabet
		}{
			{"Flash: your code is 1234", true, pdutext.AlphabetGSM7},
			{"Flash 👋 in UCS-2", true, pdutext.AlphabetUCS2},
			{"Not a flash message", false, pdutext.AlphabetGSM7},
		}
		ids := make([]string, len(cases))
		for i, tc := range cases {
			ids[i] = a.send(t, cust.APIKey, map[string]any{"to": "447700900123", "text": tc.text, "flash": tc.flash}).ID
		}
		subs, err := c.WaitSubmits(testContext(t), len(cases))
		if err != nil {
			t.Fatal(err)
		}
		for i, tc := range cases {
			var got *pdu.SubmitSM
			for k := range subs {
				dc := pdutext.DataCoding(subs[k].SM.DataCoding)
				if text, err := pdutext.Decode(nil, subs[k].SM.Payload(), dc); err == nil && string(text) == tc.text {
					got = &subs[k].SM
				}
			}
			if got == nil {
				t.Errorf("%q did not reach the carrier: %+v", tc.text, subs)
				continue
			}
			dc := pdutext.DataCoding(got.DataCoding)
			class, ok := dc.Class()
			switch {
			case tc.flash && (!ok || class != 0):
				t.Errorf("flash %q went with data_coding %#x: class %d (%v), want class 0", tc.text, got.DataCoding, class, ok)
			case !tc.flash && ok:
				t.Errorf("%q went with data_coding %#x of class %d, want none", tc.text, got.DataCoding, class)
			}
			if dc.Alphabet() != tc.alphabet {
				t.Errorf("%q went with data_coding %#x, alphabet %v, want %v", tc.text, got.DataCoding, dc.Alphabet(), tc.alphabet)
			}
			r := a.do(t, http.MethodGet, "/v1/messages/"+ids[i], cust.APIKey, "")
			var v struct {
				Flash bool `json:"flash"`
			}
			if r.json(t, &v); r.status != http.StatusOK || v.Flash != tc.flash {
				t.Errorf("GET %q: %d %s, want flash %v", tc.text, r.status, r.body, tc.flash)
			}
		}
	})
}

// TestE2EGapsOptedOut: a destination that opted out of the account (a
// STOP recorded in the ledger) is refused over HTTP with 422
// recipient-opted-out naming "to", the number and the scope, alone or in
// a batch, and over SMPP with ESME_RINVDSTADR; nothing reaches the
// carrier or the store and nothing is charged; another account may still
// message it, and once it opts in again the account may too.
func TestE2EGapsOptedOut(t *testing.T) {
	t.Parallel()
	eachDriver(t, func(t *testing.T, driver string) {
		ctx := testContext(t)
		c := newCarrier(t, nil)
		cfg := testConfig(t, driver, c.Addr())
		cfg.Billing.Enabled = true
		st := storetest.OpenConfig(t, store.Config{Driver: cfg.Store.Driver, DSN: cfg.Store.DSN})
		const price = 50_000
		if err := st.CreatePricePlan(ctx, &store.PricePlan{Name: "standard", Currency: "EUR", Default: true,
			ValidFrom: time.Now().Add(-time.Hour), Prices: []store.PlanPrice{{Prefix: "44", PriceMicros: price}}}); err != nil {
			t.Fatal(err)
		}
		a := startApp(t, cfg)
		fund := func(cu customer) {
			t.Helper()
			if err := a.st.CreateBillingAccount(ctx, &store.BillingAccount{AccountID: cu.AccountID, Currency: "EUR"}); err != nil {
				t.Fatal(err)
			}
			if err := a.st.PostBalance(ctx, &store.LedgerEntry{AccountID: cu.AccountID, Kind: store.LedgerTopUp,
				Amount: 1_000_000, Reason: "test top-up"}); err != nil {
				t.Fatal(err)
			}
		}
		cust := a.customer(t, "Acme", "")
		other := a.customer(t, "Bravo", "")
		fund(cust)
		fund(other)
		const stopped = "447700900123"
		if err := a.optouts.Record(ctx, consent.Record{Change: consent.Change{Entry: consent.Entry{Scope: consent.ScopeAccount,
			Account: cust.AccountID, Number: stopped}, OptOut: true}, Source: consent.SourceKeyword, Keyword: "STOP"}); err != nil {
			t.Fatal(err)
		}

		r := a.do(t, http.MethodPost, "/v1/messages", cust.APIKey, `{"to":"+`+stopped+`","text":"you said STOP"}`)
		if r.status != http.StatusUnprocessableEntity || r.problemType(t) != "recipient-opted-out" {
			t.Fatalf("opted-out destination: %d %s, want 422 recipient-opted-out", r.status, r.body)
		}
		var p problem
		if r.json(t, &p); p.Field != "to" || !strings.Contains(p.Detail, "+"+stopped) || !strings.Contains(p.Detail, "scope account") {
			t.Errorf("problem %+v, want field to and a detail naming the number and the scope", p)
		}
		r = a.do(t, http.MethodPost, "/v1/messages/batch", cust.APIKey,
			`{"to":["+`+stopped+`","+447700900124"],"text":"batch with one opted out"}`)
		var batch struct {
			Items []struct {
				ID    string   `json:"id"`
				Error *problem `json:"error"`
			} `json:"items"`
			Accepted int `json:"accepted"`
			Rejected int `json:"rejected"`
		}
		if r.status != http.StatusAccepted {
			t.Fatalf("batch: %d %s", r.status, r.body)
		}
		r.json(t, &batch)
		if len(batch.Items) != 2 || batch.Accepted != 1 || batch.Rejected != 1 || batch.Items[0].Error == nil ||
			!strings.HasSuffix(batch.Items[0].Error.Type, "/recipient-opted-out") || batch.Items[0].Error.Status != 422 ||
			batch.Items[1].ID == "" {
			t.Fatalf("batch answer %s, want the first item refused (opted out) and the second accepted", r.body)
		}
		e := bindESME(t, a.smppAddr.String(), cust, smpp.Transmitter)
		_, err := e.Submit(ctx, &pdu.SubmitSM{Source: pdu.Address{TON: 5, Addr: []byte("Acme")},
			Dest: pdu.Address{TON: 1, NPI: 1, Addr: []byte(stopped)}, ShortMessage: []byte("smpp after STOP")})
		if !errors.Is(err, pdu.StatusInvDstAdr) {
			t.Errorf("SMPP submit to an opted-out number: %v, want ESME_RINVDSTADR", err)
		}

		// Another account is not affected.
		b := a.send(t, other.APIKey, map[string]any{"to": stopped, "text": "from another account"})
		a.waitStatus(t, other.APIKey, b.ID, "delivered")
		a.waitStatus(t, cust.APIKey, batch.Items[1].ID, "delivered")
		subs := c.Submits()
		for _, sub := range subs {
			if string(sub.SM.Dest.Addr) == stopped && string(sub.SM.Payload()) != "from another account" {
				t.Errorf("the carrier got %q for the opted-out number", sub.SM.Payload())
			}
		}
		if len(subs) != 2 {
			t.Errorf("the carrier got %d submit_sm, want the 2 allowed messages", len(subs))
		}
		ms, _, err := a.st.ListMessages(ctx, cust.AccountID, store.Filter{Dest: stopped})
		if err != nil || len(ms) != 0 {
			t.Errorf("the store has %d messages of the account to the opted-out number (%v)", len(ms), err)
		}

		// Opted in again, the number takes the account's messages again.
		if err := a.optouts.Record(ctx, consent.Record{Change: consent.Change{Entry: consent.Entry{Scope: consent.ScopeAccount,
			Account: cust.AccountID, Number: stopped}}, Source: consent.SourceKeyword, Keyword: "START"}); err != nil {
			t.Fatal(err)
		}
		u := a.send(t, cust.APIKey, map[string]any{"to": stopped, "text": "welcome back"})
		a.waitStatus(t, cust.APIKey, u.ID, "delivered")

		// Charged: the batch's accepted item and the message after the
		// opt-in, nothing for the refusals.
		a.stop() // settles the leases
		acct, err := st.GetBillingAccount(context.Background(), cust.AccountID)
		if err != nil {
			t.Fatal(err)
		}
		if want := int64(1_000_000 - 2*price); acct.Balance != want || acct.Held != 0 {
			t.Errorf("balance %d held %d, want %d and 0: a refusal was charged", acct.Balance, acct.Held, want)
		}
		sum, hold, err := st.LedgerTotals(context.Background(), cust.AccountID)
		if err != nil || sum != acct.Balance || hold != 0 {
			t.Errorf("ledger sums to %d (hold %d), balance %d: %v", sum, hold, acct.Balance, err)
		}
		ledger, err := st.ListLedger(context.Background(), cust.AccountID, 0, 500)
		if err != nil {
			t.Fatal(err)
		}
		charged := map[sms.ID]bool{}
		for _, le := range ledger {
			if le.Kind == store.LedgerCharge {
				charged[le.MessageID] = true
			}
		}
		bid, _ := sms.ParseID(batch.Items[1].ID)
		uid, _ := sms.ParseID(u.ID)
		if len(charged) != 2 || !charged[bid] || !charged[uid] {
			t.Errorf("charged messages %v, want only %v and %v", charged, bid, uid)
		}
	})
}
