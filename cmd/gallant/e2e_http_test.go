package main

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gallant-sms/gallant/gateway"
	"github.com/gallant-sms/gallant/smpp/pdutext"
	"github.com/gallant-sms/gallant/webhook"
)

// listPage is GET /v1/messages.
type listPage struct {
	Items []struct {
		ID     string `json:"id"`
		Status string `json:"status"`
		To     string `json:"to"`
	} `json:"items"`
	NextCursor string `json:"next_cursor"`
}

func (p listPage) has(id string) (string, bool) {
	for _, it := range p.Items {
		if it.ID == id {
			return it.Status, true
		}
	}
	return "", false
}

// checkSigned checks every webhook of hs against secret, and that a wrong
// secret does not verify.
func checkSigned(t *testing.T, hs []hook, secret, wrong string) {
	t.Helper()
	for _, h := range hs {
		if err := webhook.Verify(secret, h.sig, h.body, time.Now(), 0); err != nil {
			t.Errorf("webhook %s: signature %q does not verify: %v", h.ev.Status, h.sig, err)
		}
		if err := webhook.Verify(wrong, h.sig, h.body, time.Now(), 0); err == nil {
			t.Errorf("webhook %s verifies with the wrong secret", h.ev.Status)
		}
	}
}

// TestE2EHTTPWebhook: POST /v1/messages with a callback URL; the carrier
// gets the message; signed webhooks say submitted then delivered; GET
// shows the history and the list has it; an Idempotency-Key replays the
// first answer without sending again.
func TestE2EHTTPWebhook(t *testing.T) {
	t.Parallel()
	eachDriver(t, func(t *testing.T, driver string) {
		c := newCarrier(t, nil)
		a := startApp(t, testConfig(t, driver, c.Addr()))
		h := newHooks(t)
		cust := a.customer(t, "Acme", noOwnSecret)
		own := a.customer(t, "Bravo", "whsec-bravo")

		s := a.send(t, cust.APIKey, map[string]any{"to": "+447700900123", "from": "Acme", "text": "Hello from HTTP",
			"callback_url": h.URL + "/acme", "client_ref": "order-17"})
		if s.Status != "accepted" || s.Segments != 1 || s.Encoding != "gsm7" {
			t.Errorf("answer %+v", s)
		}
		eventually(t, "webhooks submitted and delivered", func() (bool, string) {
			got := statuses(h.of(s.ID))
			return got == "submitted,delivered", got
		})
		hs := h.of(s.ID)
		checkSigned(t, hs, testWebhookSecret, "whsec-bravo")
		for _, x := range hs {
			if x.ev.To != "447700900123" || x.ev.From != "Acme" || x.ev.ClientRef != "order-17" || x.ev.Segments != 1 || x.ev.EventID == "" {
				t.Errorf("webhook event %+v", x.ev)
			}
		}
		subs := c.Submits()
		if len(subs) != 1 || string(subs[0].SM.ShortMessage) != "Hello from HTTP" || string(subs[0].SM.Dest.Addr) != "447700900123" {
			t.Fatalf("carrier got %d submit_sm: %+v", len(subs), subs)
		}

		v := a.waitStatus(t, cust.APIKey, s.ID, "delivered")
		if v.Text != "Hello from HTTP" || v.To != "+447700900123" || v.Encoding != "gsm7" || v.Segments != 1 {
			t.Errorf("GET: %+v", v)
		}
		var hist []string
		for _, e := range v.History {
			hist = append(hist, e.Status)
		}
		if got := strings.Join(hist, ","); got != "submitted,delivered" {
			t.Errorf("history %s, want submitted,delivered", got)
		}

		var page listPage
		r := a.do(t, http.MethodGet, "/v1/messages", cust.APIKey, "")
		r.json(t, &page)
		if st, ok := page.has(s.ID); r.status != http.StatusOK || !ok || st != "delivered" {
			t.Errorf("list: %d %s", r.status, r.body)
		}
		r = a.do(t, http.MethodGet, "/v1/messages?status=delivered&to=%2B447700900123", cust.APIKey, "")
		page = listPage{}
		r.json(t, &page)
		if _, ok := page.has(s.ID); !ok {
			t.Errorf("list filtered by status and number misses it: %s", r.body)
		}
		r = a.do(t, http.MethodGet, "/v1/messages?status=failed", cust.APIKey, "")
		page = listPage{}
		r.json(t, &page)
		if _, ok := page.has(s.ID); ok {
			t.Errorf("list of failed messages has a delivered one: %s", r.body)
		}

		// Idempotency: a retry gets the first answer and sends nothing.
		body := `{"to":"447700900124","text":"only once","callback_url":"` + h.URL + `/acme"}`
		first := a.do(t, http.MethodPost, "/v1/messages", cust.APIKey, body, "Idempotency-Key", "retry-1")
		again := a.do(t, http.MethodPost, "/v1/messages", cust.APIKey, body, "Idempotency-Key", "retry-1")
		if first.status != http.StatusAccepted || again.status != http.StatusAccepted || !bytes.Equal(first.body, again.body) {
			t.Fatalf("idempotent retry: %d %s then %d %s", first.status, first.body, again.status, again.body)
		}
		if again.header.Get("Idempotent-Replayed") != "true" {
			t.Errorf("retry not marked replayed: %v", again.header)
		}
		other := a.do(t, http.MethodPost, "/v1/messages", cust.APIKey, `{"to":"447700900124","text":"something else"}`,
			"Idempotency-Key", "retry-1")
		if other.status != http.StatusUnprocessableEntity || other.problemType(t) != "idempotency-key-reuse" {
			t.Errorf("key reused with another body: %d %s", other.status, other.body)
		}
		var once sent
		first.json(t, &once)
		a.waitStatus(t, cust.APIKey, once.ID, "delivered")
		n := 0
		for _, sub := range c.Submits() {
			if string(sub.SM.ShortMessage) == "only once" {
				n++
			}
		}
		if n != 1 {
			t.Errorf("an idempotent retry reached the carrier %d times", n)
		}

		// An account with its own secret signs with it.
		s2 := a.send(t, own.APIKey, map[string]any{"to": "447700900125", "text": "own secret", "callback_url": h.URL + "/bravo"})
		eventually(t, "webhooks of the second account", func() (bool, string) {
			got := statuses(h.of(s2.ID))
			return got == "submitted,delivered", got
		})
		checkSigned(t, h.of(s2.ID), "whsec-bravo", testWebhookSecret)

		if !strings.Contains(a.metrics(t), "\ngallant_gateway_durability_fast 0\n") {
			t.Errorf("durable mode: /metrics lacks gallant_gateway_durability_fast 0")
		}
	})
}

// TestE2EHTTPLongAndUnicode: a 400-character GSM text reaches the carrier
// as three UDH segments in order with one final webhook; an emoji text
// goes as UCS-2 (data_coding 8).
func TestE2EHTTPLongAndUnicode(t *testing.T) {
	t.Parallel()
	eachDriver(t, func(t *testing.T, driver string) {
		c := newCarrier(t, nil)
		a := startApp(t, testConfig(t, driver, c.Addr()))
		h := newHooks(t)
		cust := a.customer(t, "Acme", "")

		var b strings.Builder
		for i := 0; b.Len() < 400; i++ {
			fmt.Fprintf(&b, "line %03d, ", i)
		}
		text := b.String()[:400]
		s := a.send(t, cust.APIKey, map[string]any{"to": "447700900123", "text": text, "callback_url": h.URL})
		if s.Segments != 3 || s.Encoding != "gsm7" {
			t.Fatalf("answer %+v, want 3 gsm7 segments", s)
		}
		subs, err := c.WaitSubmits(testContext(t), 3)
		if err != nil {
			t.Fatal(err)
		}
		var whole []byte
		for i, sub := range subs {
			body := sub.SM.Payload()
			if sub.SM.ESMClass&0x40 == 0 || len(body) < 6 || !bytes.Equal(body[:3], []byte{5, 0, 3}) {
				t.Fatalf("segment %d: esm %#x % x", i+1, sub.SM.ESMClass, body[:min(6, len(body))])
			}
			if body[3] != subs[0].SM.Payload()[3] || body[4] != 3 || body[5] != byte(i+1) {
				t.Fatalf("segment %d arrived as UDH % x", i+1, body[:6])
			}
			whole = append(whole, body[6:]...)
		}
		if string(whole) != text {
			t.Fatalf("reassembled %q", whole)
		}
		v := a.waitStatus(t, cust.APIKey, s.ID, "delivered")
		if v.Text != text || v.Segments != 3 {
			t.Errorf("GET: segments %d text %q", v.Segments, v.Text)
		}
		eventually(t, "the final webhook", func() (bool, string) {
			got := statuses(h.of(s.ID))
			return strings.HasSuffix(got, "delivered"), got
		})
		final := 0
		for _, x := range h.of(s.ID) {
			if x.ev.Status.Final() {
				final++
				if x.ev.Segment != 0 {
					t.Errorf("final webhook about segment %d, want the whole message", x.ev.Segment)
				}
			}
		}
		if final != 1 {
			t.Errorf("%d final webhooks for one long message: %s", final, statuses(h.of(s.ID)))
		}

		const emoji = "Hi 👋 from Gallant"
		u := a.send(t, cust.APIKey, map[string]any{"to": "447700900123", "text": emoji})
		if u.Encoding != "ucs2" || u.Segments != 1 {
			t.Fatalf("emoji answer %+v, want ucs2", u)
		}
		subs, err = c.WaitSubmits(testContext(t), 4)
		if err != nil {
			t.Fatal(err)
		}
		want, _ := pdutext.Encode(nil, emoji, pdutext.UCS2)
		if sub := subs[3]; sub.SM.DataCoding != 8 || !bytes.Equal(sub.SM.ShortMessage, want) {
			t.Errorf("emoji reached the carrier as dc %d % x, want dc 8 % x", sub.SM.DataCoding, sub.SM.ShortMessage, want)
		}
		if v := a.waitStatus(t, cust.APIKey, u.ID, "delivered"); v.Text != emoji || v.Encoding != "ucs2" {
			t.Errorf("GET emoji: %+v", v)
		}
	})
}

// TestE2EHTTPIsolation: an account cannot read or list another's message.
func TestE2EHTTPIsolation(t *testing.T) {
	t.Parallel()
	eachDriver(t, func(t *testing.T, driver string) {
		c := newCarrier(t, nil)
		a := startApp(t, testConfig(t, driver, c.Addr()))
		alpha := a.customer(t, "Alpha", "")
		bravo := a.customer(t, "Bravo", "")
		s := a.send(t, alpha.APIKey, map[string]any{"to": "447700900123", "text": "private"})
		a.waitStatus(t, alpha.APIKey, s.ID, "delivered")
		if _, r := a.get(t, bravo.APIKey, s.ID); r.status != http.StatusNotFound || r.problemType(t) != "not-found" {
			t.Errorf("another account's GET: %d %s", r.status, r.body)
		}
		var page listPage
		r := a.do(t, http.MethodGet, "/v1/messages", bravo.APIKey, "")
		r.json(t, &page)
		if r.status != http.StatusOK || len(page.Items) != 0 {
			t.Errorf("another account's list: %d %s", r.status, r.body)
		}
		r = a.do(t, http.MethodGet, "/v1/messages", alpha.APIKey, "")
		page = listPage{}
		r.json(t, &page)
		if _, ok := page.has(s.ID); !ok {
			t.Errorf("owner's list misses its message: %s", r.body)
		}
	})
}

// TestE2EHTTPBadInput: bad requests get problem JSON with the documented
// type, and the server keeps serving.
func TestE2EHTTPBadInput(t *testing.T) {
	t.Parallel()
	eachDriver(t, func(t *testing.T, driver string) {
		c := newCarrier(t, nil)
		a := startApp(t, testConfig(t, driver, c.Addr()))
		key := a.customer(t, "Acme", "").APIKey
		tooFar := time.Now().Add(gateway.DefaultMaxScheduleAhead + time.Hour).UTC().Format(time.RFC3339)
		past := time.Now().Add(-time.Hour).UTC().Format(time.RFC3339)
		cases := []struct {
			name, method, path, key, body string
			status                        int
			typ                           string
		}{
			{"malformed JSON", "POST", "/v1/messages", key, `{"to":`, 400, "invalid-json"},
			{"not an object", "POST", "/v1/messages", key, `["to"]`, 400, "invalid-json"},
			{"unknown field", "POST", "/v1/messages", key, `{"to":"447700900123","txt":"hi"}`, 400, "invalid-request"},
			{"repeated field", "POST", "/v1/messages", key, `{"to":"447700900123","text":"a","text":"b"}`, 400, "invalid-request"},
			{"no destination", "POST", "/v1/messages", key, `{"text":"hi"}`, 400, "invalid-request"},
			{"letters in the number", "POST", "/v1/messages", key, `{"to":"44770090012x","text":"hi"}`, 400, "invalid-number"},
			{"number too short", "POST", "/v1/messages", key, `{"to":"+4477","text":"hi"}`, 400, "invalid-number"},
			{"bad sender", "POST", "/v1/messages", key, `{"to":"447700900123","from":"ABCDEFGHIJKLM","text":"hi"}`, 400, "invalid-sender"},
			{"empty text", "POST", "/v1/messages", key, `{"to":"447700900123","text":""}`, 400, "invalid-request"},
			{"too long", "POST", "/v1/messages", key, `{"to":"447700900123","text":"` + strings.Repeat("x", 1531) + `"}`, 400, "message-too-long"},
			{"bad encoding", "POST", "/v1/messages", key, `{"to":"447700900123","text":"hi","encoding":"ebcdic"}`, 400, "invalid-request"},
			{"unrepresentable in gsm7", "POST", "/v1/messages", key, `{"to":"447700900123","text":"日本","encoding":"gsm7"}`, 400, "invalid-request"},
			{"send_at beyond the furthest schedule", "POST", "/v1/messages", key, `{"to":"447700900123","text":"hi","send_at":"` + tooFar + `"}`, 400, "invalid-request"},
			{"valid_until past", "POST", "/v1/messages", key, `{"to":"447700900123","text":"hi","valid_until":"` + past + `"}`, 400, "invalid-request"},
			{"malformed send_at", "POST", "/v1/messages", key, `{"to":"447700900123","text":"hi","send_at":"tomorrow"}`, 400, "invalid-request"},
			{"bad callback URL", "POST", "/v1/messages", key, `{"to":"447700900123","text":"hi","callback_url":"ftp://x"}`, 400, "invalid-url"},
			{"no key", "POST", "/v1/messages", "", `{"to":"447700900123","text":"hi"}`, 401, "unauthorized"},
			{"unknown key", "GET", "/v1/messages", "gal_abcdefgh_" + strings.Repeat("x", 32), "", 401, "unauthorized"},
			{"malformed id", "GET", "/v1/messages/not-an-id", key, "", 404, "not-found"},
			{"unknown id", "GET", "/v1/messages/12345", key, "", 404, "not-found"},
			{"bad list filter", "GET", "/v1/messages?status=lost", key, "", 400, "invalid-request"},
			{"unknown list parameter", "GET", "/v1/messages?colour=red", key, "", 400, "invalid-request"},
			{"wrong method", "DELETE", "/v1/messages", key, "", 405, "method-not-allowed"},
		}
		for _, tc := range cases {
			r := a.do(t, tc.method, tc.path, tc.key, tc.body)
			if r.status != tc.status {
				t.Errorf("%s: %d %s, want %d", tc.name, r.status, r.body, tc.status)
				continue
			}
			if typ := r.problemType(t); typ != tc.typ {
				t.Errorf("%s: problem type %q, want %q (%s)", tc.name, typ, tc.typ, r.body)
			}
		}
		if n := len(c.Submits()); n != 0 {
			t.Errorf("carrier got %d submit_sm from refused requests", n)
		}
		// Mutated bodies: each is accepted or refused with a 4xx problem,
		// never a 5xx or a dropped connection.
		rng := rand.New(rand.NewPCG(3, 4))
		valid := []byte(`{"to":"+447700900123","from":"Acme","text":"mutate me","client_ref":"r1","flash":false}`)
		for range 200 {
			body := bytes.Clone(valid)
			for range 1 + rng.IntN(4) {
				body[rng.IntN(len(body))] = byte(rng.IntN(256))
			}
			r := a.do(t, "POST", "/v1/messages", key, string(body))
			if r.status != http.StatusAccepted && (r.status < 400 || r.status > 499) {
				t.Fatalf("body %q: %d %s", body, r.status, r.body)
			}
			if r.status != http.StatusAccepted {
				r.problemType(t)
			}
		}
		s := a.send(t, key, map[string]any{"to": "447700900123", "text": "still serving"})
		a.waitStatus(t, key, s.ID, "delivered")
	})
}
