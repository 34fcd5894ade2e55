package api

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestSendMessage(t *testing.T) {
	ts := newTestServer(t, Config{})
	a := ts.do(t, "POST", "/v1/messages", keySend, []byte(`{
		"to": "+447700900123", "from": "Gallant", "text": "hello",
		"send_at": "2026-05-01T09:30:00Z", "valid_until": "2026-05-02T09:30:00+02:00",
		"callback_url": "https://hooks.example.com/sms", "client_ref": "order-17",
		"flash": true, "delivery_report": false, "encoding": "gsm7"}`))
	if a.Code != http.StatusAccepted {
		t.Fatalf("status %d, body %s", a.Code, a.Body)
	}
	var res struct {
		ID       string `json:"id"`
		Status   string `json:"status"`
		Segments int    `json:"segments"`
		Encoding string `json:"encoding"`
		Price    *int64 `json:"price"`
	}
	a.decode(t, &res)
	if res.ID != "1001" || res.Status != "accepted" || res.Segments != 1 || res.Encoding != "gsm7" {
		t.Fatalf("answer %s", a.Body)
	}
	if strings.Contains(string(a.Body), "price") {
		t.Fatalf("price present before billing: %s", a.Body)
	}
	if loc := a.Header.Get("Location"); loc != "/v1/messages/1001" {
		t.Fatalf("Location %q", loc)
	}
	calls := ts.msgs.sendCalls()
	if len(calls) != 1 {
		t.Fatalf("%d calls", len(calls))
	}
	c := calls[0]
	if c.P.AccountID != 1 || c.P.KeyID != 11 {
		t.Fatalf("principal %+v, want the caller's (account 1, key 11)", c.P)
	}
	r := c.Req
	wantSend := time.Date(2026, 5, 1, 9, 30, 0, 0, time.UTC)
	wantValid := time.Date(2026, 5, 2, 7, 30, 0, 0, time.UTC)
	if r.To != "+447700900123" || r.From != "Gallant" || r.Text != "hello" || !r.SendAt.Equal(wantSend) ||
		!r.ValidUntil.Equal(wantValid) || r.CallbackURL != "https://hooks.example.com/sms" || r.ClientRef != "order-17" ||
		!r.Flash || r.DeliveryReport || r.Encoding != EncodingGSM7 {
		t.Fatalf("request reached the service as %+v", r)
	}
}

func TestSendMessageDefaults(t *testing.T) {
	ts := newTestServer(t, Config{})
	a := ts.do(t, "POST", "/v1/messages", keyAdmin, []byte(`{"to":"447700900123","binary":"AAEC/w=="}`))
	if a.Code != http.StatusAccepted {
		t.Fatalf("status %d, body %s", a.Code, a.Body)
	}
	r := ts.msgs.sendCalls()[0]
	if !r.Req.DeliveryReport || r.Req.Encoding != EncodingAuto || string(r.Req.Binary) != "\x00\x01\x02\xff" || r.P.AccountID != 3 {
		t.Fatalf("request %+v", r)
	}
	if !strings.Contains(string(a.Body), `"encoding":"binary"`) {
		t.Fatalf("answer %s", a.Body)
	}
}

func TestSendMessageProblems(t *testing.T) {
	ts := newTestServer(t, Config{MaxBodyBytes: 1024})
	cases := []struct {
		name, body string
		code       int
		typ, field string
	}{
		{"empty body", ``, 400, TypeInvalidJSON, ""},
		{"not an object", `["to"]`, 400, TypeInvalidJSON, ""},
		{"truncated", `{"to":"1","text":"hi"`, 400, TypeInvalidJSON, ""},
		{"trailing data", `{"to":"1","text":"hi"} {}`, 400, TypeInvalidJSON, ""},
		{"trailing comma", `{"to":"1","text":"hi",}`, 400, TypeInvalidJSON, ""},
		{"bad escape", `{"to":"1","text":"\q"}`, 400, TypeInvalidJSON, ""},
		{"raw control char", "{\"to\":\"1\",\"text\":\"a\x01\"}", 400, TypeInvalidJSON, ""},
		{"invalid utf-8", "{\"to\":\"1\",\"text\":\"\xff\"}", 400, TypeInvalidJSON, ""},
		{"unknown field", `{"to":"1","text":"hi","colour":"red"}`, 400, TypeInvalidRequest, "colour"},
		{"wrong case field", `{"To":"1","text":"hi"}`, 400, TypeInvalidRequest, "To"},
		{"repeated field", `{"to":"1","to":"2","text":"hi"}`, 400, TypeInvalidRequest, "to"},
		{"number for string", `{"to":447700900123,"text":"hi"}`, 400, TypeInvalidRequest, "to"},
		{"string for bool", `{"to":"1","text":"hi","flash":"yes"}`, 400, TypeInvalidRequest, "flash"},
		{"bad time", `{"to":"1","text":"hi","send_at":"tomorrow"}`, 400, TypeInvalidRequest, "send_at"},
		{"bad base64", `{"to":"1","binary":"!!"}`, 400, TypeInvalidRequest, "binary"},
		{"missing to", `{"text":"hi"}`, 400, TypeInvalidRequest, "to"},
		{"missing body", `{"to":"1"}`, 400, TypeInvalidRequest, "text"},
		{"text and binary", `{"to":"1","text":"hi","binary":"AA=="}`, 400, TypeInvalidRequest, "binary"},
		{"bad encoding", `{"to":"1","text":"hi","encoding":"latin1"}`, 400, TypeInvalidRequest, "encoding"},
		{"encoding with binary", `{"to":"1","binary":"AA==","encoding":"ucs2"}`, 400, TypeInvalidRequest, "encoding"},
		{"validity before send", `{"to":"1","text":"hi","send_at":"2026-05-02T00:00:00Z","valid_until":"2026-05-01T00:00:00Z"}`, 400, TypeInvalidRequest, "valid_until"},
		{"long client_ref", `{"to":"1","text":"hi","client_ref":"` + strings.Repeat("r", 65) + `"}`, 400, TypeInvalidRequest, "client_ref"},
		{"too large", `{"to":"1","text":"` + strings.Repeat("x", 1100) + `"}`, 413, TypePayloadTooLarge, ""},
		{"invalid number", `{"to":"bad-1","text":"hi"}`, 400, TypeInvalidNumber, "to"},
		{"backpressure", `{"to":"busy","text":"hi"}`, 503, TypeBackpressure, ""},
		{"internal", `{"to":"fault","text":"hi"}`, 500, TypeInternal, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			a := ts.do(t, "POST", "/v1/messages", keySend, []byte(c.body))
			p := a.wantProblem(t, c.code, c.typ)
			if got, _ := p["field"].(string); got != c.field {
				t.Fatalf("field %q, want %q; body %s", got, c.field, a.Body)
			}
			if c.typ == TypeBackpressure && a.Header.Get("Retry-After") != "2" {
				t.Fatalf("Retry-After %q, want 2", a.Header.Get("Retry-After"))
			}
		})
	}
	if n := len(ts.msgs.sendCalls()); n != 0 {
		t.Fatalf("%d bad requests reached the service as sent", n)
	}
	// The internal error's cause is logged, never shown.
	a := ts.do(t, "POST", "/v1/messages", keySend, []byte(`{"to":"fault","text":"hi"}`))
	if strings.Contains(string(a.Body), "disk") {
		t.Fatalf("internal detail leaked: %s", a.Body)
	}
	if !strings.Contains(ts.logs.String(), "disk full") {
		t.Fatalf("internal error not logged: %s", ts.logs.String())
	}
}

func TestSyntaxProblemPointsAtByte(t *testing.T) {
	ts := newTestServer(t, Config{})
	a := ts.do(t, "POST", "/v1/messages", keySend, []byte(`{"to":"1","text":"hi" "flash":true}`))
	p := a.wantProblem(t, 400, TypeInvalidJSON)
	if d, _ := p["detail"].(string); !strings.Contains(d, "at byte 22") {
		t.Fatalf("detail %q does not point at byte 22", d)
	}
}

func TestHandlerPanicRecovered(t *testing.T) {
	ts := newTestServer(t, Config{})
	a := ts.do(t, "POST", "/v1/messages", keySend, []byte(`{"to":"panic","text":"hi"}`))
	a.wantProblem(t, 500, TypeInternal)
	logs := ts.logs.String()
	if !strings.Contains(logs, "handler panic") || !strings.Contains(logs, "told to panic") || !strings.Contains(logs, "goroutine") {
		t.Fatalf("panic not logged with its stack: %s", logs)
	}
	// The server still serves.
	a = ts.do(t, "POST", "/v1/messages", keySend, []byte(`{"to":"1","text":"hi"}`))
	if a.Code != http.StatusAccepted {
		t.Fatalf("after a panic: status %d, body %s", a.Code, a.Body)
	}
}

func TestGetMessage(t *testing.T) {
	ts := newTestServer(t, Config{})
	a := ts.do(t, "POST", "/v1/messages", keyAll, []byte(`{"to":"+447700900123","text":"hello","client_ref":"c1"}`))
	if a.Code != http.StatusAccepted {
		t.Fatalf("send: %d %s", a.Code, a.Body)
	}
	loc := a.Header.Get("Location")

	a = ts.do(t, "GET", loc, keyRead, nil)
	if a.Code != http.StatusOK {
		t.Fatalf("get: %d %s", a.Code, a.Body)
	}
	var m struct {
		ID        string `json:"id"`
		To        string `json:"to"`
		Text      string `json:"text"`
		Status    string `json:"status"`
		ClientRef string `json:"client_ref"`
		CreatedAt string `json:"created_at"`
		History   []struct {
			Status    string `json:"status"`
			At        string `json:"at"`
			ErrorCode string `json:"error_code"`
		} `json:"history"`
	}
	a.decode(t, &m)
	if m.ID != "1001" || m.To != "+447700900123" || m.Text != "hello" || m.Status != "delivered" ||
		m.ClientRef != "c1" || m.CreatedAt != "2026-05-01T09:30:00Z" {
		t.Fatalf("message %s", a.Body)
	}
	if len(m.History) != 2 || m.History[0].Status != "accepted" || m.History[1].Status != "delivered" ||
		m.History[1].ErrorCode != "000" || m.History[1].At != "2026-05-01T09:30:01Z" {
		t.Fatalf("history %s", a.Body)
	}

	// Another account sees the same answer as for a missing message.
	other := ts.do(t, "GET", loc, keyOther, nil)
	other.wantProblem(t, 404, TypeNotFound)
	missing := ts.do(t, "GET", "/v1/messages/999999", keyRead, nil)
	missing.wantProblem(t, 404, TypeNotFound)
	if string(other.Body) != string(missing.Body) {
		t.Fatalf("another account's message distinguishable from a missing one:\n%s\n%s", other.Body, missing.Body)
	}
	ts.do(t, "GET", "/v1/messages/12ab", keyRead, nil).wantProblem(t, 404, TypeNotFound)
	ts.do(t, "GET", "/v1/messages/0", keyRead, nil).wantProblem(t, 404, TypeNotFound)
}

func TestListMessages(t *testing.T) {
	ts := newTestServer(t, Config{})
	for i := range 5 {
		to := "+4477009001" + string(rune('0'+i))
		if a := ts.do(t, "POST", "/v1/messages", keyAll, []byte(`{"to":"`+to+`","text":"hi"}`)); a.Code != 202 {
			t.Fatalf("send: %d %s", a.Code, a.Body)
		}
	}
	ts.do(t, "POST", "/v1/messages", keyOther, []byte(`{"to":"+15550001","text":"other"}`))

	type page struct {
		Items []struct {
			ID string `json:"id"`
			To string `json:"to"`
		} `json:"items"`
		NextCursor *string `json:"next_cursor"`
	}
	var ids []string
	cursor := ""
	for pages := 0; ; pages++ {
		if pages > 5 {
			t.Fatal("pagination does not end")
		}
		path := "/v1/messages?limit=2&status=delivered"
		if cursor != "" {
			path += "&cursor=" + cursor
		}
		a := ts.do(t, "GET", path, keyRead, nil)
		if a.Code != 200 {
			t.Fatalf("list: %d %s", a.Code, a.Body)
		}
		var p page
		a.decode(t, &p)
		for _, it := range p.Items {
			ids = append(ids, it.ID)
		}
		if p.NextCursor == nil {
			if strings.Contains(string(a.Body), "next_cursor") {
				t.Fatalf("next_cursor present at the end: %s", a.Body)
			}
			break
		}
		cursor = *p.NextCursor
	}
	if strings.Join(ids, ",") != "1001,1002,1003,1004,1005" {
		t.Fatalf("listed %v, want account 1's five messages", ids)
	}

	a := ts.do(t, "GET", "/v1/messages?to=%2B44770090012", keyRead, nil)
	var p page
	a.decode(t, &p)
	if len(p.Items) != 1 || p.Items[0].To != "+44770090012" {
		t.Fatalf("filter by to: %s", a.Body)
	}
	a = ts.do(t, "GET", "/v1/messages?status=queued", keyRead, nil)
	a.decode(t, &p)
	if len(p.Items) != 0 || !strings.Contains(string(a.Body), `"items":[]`) {
		t.Fatalf("empty page: %s", a.Body)
	}

	for _, c := range []struct{ query, field string }{
		{"status=lost", "status"},
		{"limit=0", "limit"},
		{"limit=501", "limit"},
		{"limit=ten", "limit"},
		{"from=yesterday", "from"},
		{"from=2026-05-02T00:00:00Z&until=2026-05-01T00:00:00Z", "until"},
		{"statuss=delivered", "statuss"},
		{"cursor=zz", "cursor"},
	} {
		a := ts.do(t, "GET", "/v1/messages?"+c.query, keyRead, nil)
		p := a.wantProblem(t, 400, TypeInvalidRequest)
		if p["field"] != c.field {
			t.Errorf("%s: field %v, want %s", c.query, p["field"], c.field)
		}
	}
}

func TestUnknownRoutes(t *testing.T) {
	ts := newTestServer(t, Config{})
	// A GET outside /v1 is the dashboard's (dashboard_test.go); other
	// methods are not.
	ts.do(t, "POST", "/v2/messages", keySend, []byte(`{}`)).wantProblem(t, 404, TypeNotFound)
	ts.do(t, "GET", "/v1/nowhere", keyRead, nil).wantProblem(t, 404, TypeNotFound)
	ts.do(t, "GET", "/v1/messages/", keyRead, nil).wantProblem(t, 404, TypeNotFound)
	a := ts.do(t, "DELETE", "/v1/messages", keyAll, nil)
	a.wantProblem(t, 405, TypeMethodNotAllowed)
	if allow := a.Header.Get("Allow"); !strings.Contains(allow, "GET") || !strings.Contains(allow, "POST") {
		t.Fatalf("Allow %q", allow)
	}
}
