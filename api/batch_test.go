package api

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"testing"
)

type batchAnswer struct {
	Items []struct {
		ID       string         `json:"id"`
		Status   string         `json:"status"`
		Segments int            `json:"segments"`
		Error    map[string]any `json:"error"`
	} `json:"items"`
	Accepted *int `json:"accepted"`
	Rejected *int `json:"rejected"`
}

func TestBatchRecipients(t *testing.T) {
	ts := newTestServer(t, Config{})
	a := ts.do(t, "POST", "/v1/messages/batch", keySend, []byte(`{
		"to": ["+447700900001", "bad-2", "", "+447700900004"],
		"text": "sale", "from": "Shop", "client_ref": "camp-1", "delivery_report": false}`))
	if a.Code != http.StatusAccepted {
		t.Fatalf("status %d: %s", a.Code, a.Body)
	}
	var b batchAnswer
	a.decode(t, &b)
	if len(b.Items) != 4 || b.Accepted == nil || *b.Accepted != 2 || *b.Rejected != 2 {
		t.Fatalf("answer %s", a.Body)
	}
	if b.Items[0].ID == "" || b.Items[0].Status != "accepted" || b.Items[0].Segments != 1 || b.Items[0].Error != nil {
		t.Fatalf("item 0: %+v", b.Items[0])
	}
	if b.Items[1].ID != "" || b.Items[1].Error["type"] != ProblemBase+TypeInvalidNumber {
		t.Fatalf("item 1 (bad number): %+v", b.Items[1])
	}
	if b.Items[2].Error["type"] != ProblemBase+TypeInvalidRequest || b.Items[2].Error["field"] != "to" {
		t.Fatalf("item 2 (empty number): %+v", b.Items[2])
	}
	if b.Items[3].ID == "" || b.Items[3].ID == b.Items[0].ID {
		t.Fatalf("item 3: %+v", b.Items[3])
	}
	calls := ts.msgs.sendCalls()
	if len(calls) != 2 {
		t.Fatalf("%d messages accepted by the service, want 2", len(calls))
	}
	for _, c := range calls {
		if c.P.AccountID != 1 || c.Req.Text != "sale" || c.Req.From != "Shop" || c.Req.ClientRef != "camp-1" ||
			c.Req.DeliveryReport || c.Req.Encoding != EncodingAuto {
			t.Fatalf("shared options not applied: %+v", c)
		}
	}
	if calls[0].Req.To != "+447700900001" || calls[1].Req.To != "+447700900004" {
		t.Fatalf("recipients %q, %q", calls[0].Req.To, calls[1].Req.To)
	}
}

func TestBatchMessages(t *testing.T) {
	ts := newTestServer(t, Config{})
	a := ts.do(t, "POST", "/v1/messages/batch", keySend, []byte(`{"messages": [
		{"to": "+1555000001", "text": "one"},
		{"to": "+1555000002"},
		{"to": "+1555000003", "binary": "AAE=", "flash": true}]}`))
	if a.Code != http.StatusAccepted {
		t.Fatalf("status %d: %s", a.Code, a.Body)
	}
	var b batchAnswer
	a.decode(t, &b)
	if len(b.Items) != 3 || *b.Accepted != 2 || *b.Rejected != 1 {
		t.Fatalf("answer %s", a.Body)
	}
	if b.Items[1].Error["field"] != "text" || b.Items[0].ID == "" || b.Items[2].ID == "" {
		t.Fatalf("answer %s", a.Body)
	}
	calls := ts.msgs.sendCalls()
	if len(calls) != 2 || calls[0].Req.Text != "one" || !calls[1].Req.Flash || string(calls[1].Req.Binary) != "\x00\x01" {
		t.Fatalf("calls %+v", calls)
	}
}

func TestBatchProblems(t *testing.T) {
	ts := newTestServer(t, Config{})
	cases := []struct {
		name, body string
		code       int
		typ, field string
	}{
		{"neither", `{"text":"x"}`, 400, TypeInvalidRequest, "to"},
		{"both", `{"to":["1"],"messages":[{"to":"1","text":"x"}]}`, 400, TypeInvalidRequest, "messages"},
		{"shared with messages", `{"text":"x","messages":[{"to":"1","text":"x"}]}`, 400, TypeInvalidRequest, "messages"},
		{"empty to", `{"to":[],"text":"x"}`, 400, TypeInvalidRequest, ""},
		{"empty messages", `{"messages":[]}`, 400, TypeInvalidRequest, ""},
		{"to not a list", `{"to":"1","text":"x"}`, 400, TypeInvalidRequest, "to"},
		{"number in to", `{"to":["1",2],"text":"x"}`, 400, TypeInvalidRequest, "to[1]"},
		{"null in to", `{"to":["1",null],"text":"x"}`, 400, TypeInvalidRequest, "to[1]"},
		{"unknown member of a message", `{"messages":[{"to":"1","text":"x"},{"to":"1","txt":"x"}]}`, 400, TypeInvalidRequest, "messages[1].txt"},
		{"wrong type in a message", `{"messages":[{"to":"1","text":"x","flash":1}]}`, 400, TypeInvalidRequest, "messages[0].flash"},
		{"message not an object", `{"messages":["x"]}`, 400, TypeInvalidJSON, ""},
		{"bad shared option", `{"to":["1"],"text":"x","encoding":"ebcdic"}`, 400, TypeInvalidRequest, "encoding"},
		{"missing shared text", `{"to":["1"]}`, 400, TypeInvalidRequest, "text"},
		{"unknown top-level", `{"to":["1"],"text":"x","extra":1}`, 400, TypeInvalidRequest, "extra"},
		{"truncated", `{"to":["1",`, 400, TypeInvalidJSON, ""},
		{"whole batch refused", `{"to":["busy-all"],"text":"x"}`, 503, TypeBackpressure, ""},
		{"every item refused for backpressure", `{"to":["busy-1","busy-2"],"text":"x"}`, 503, TypeBackpressure, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			a := ts.do(t, "POST", "/v1/messages/batch", keySend, []byte(c.body))
			p := a.wantProblem(t, c.code, c.typ)
			if got, _ := p["field"].(string); got != c.field {
				t.Fatalf("field %q, want %q; body %s", got, c.field, a.Body)
			}
		})
	}
	if n := len(ts.msgs.sendCalls()); n != 0 {
		t.Fatalf("%d messages of refused batches were sent", n)
	}
}

func TestBatchLimits(t *testing.T) {
	ts := newTestServer(t, Config{})
	recipients := func(n int) []byte {
		var b bytes.Buffer
		b.WriteString(`{"text":"x","to":[`)
		for i := range n {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString(`"+1555` + strconv.Itoa(1000000+i) + `"`)
		}
		b.WriteString(`]}`)
		return b.Bytes()
	}
	a := ts.do(t, "POST", "/v1/messages/batch", keySend, recipients(MaxBatch+1))
	p := a.wantProblem(t, 413, TypePayloadTooLarge)
	if p["field"] != "to" {
		t.Fatalf("field %v", p["field"])
	}
	if n := len(ts.msgs.sendCalls()); n != 0 {
		t.Fatalf("%d messages of an oversized batch sent", n)
	}

	msgs, _ := json.Marshal(map[string]any{"messages": make([]map[string]string, MaxBatch+1)})
	msgs = bytes.ReplaceAll(msgs, []byte("null"), []byte(`{"to":"1","text":"x"}`))
	ts.do(t, "POST", "/v1/messages/batch", keySend, msgs).wantProblem(t, 413, TypePayloadTooLarge)

	a = ts.do(t, "POST", "/v1/messages/batch", keySend, recipients(MaxBatch))
	if a.Code != http.StatusAccepted {
		t.Fatalf("full batch: %d %.200s", a.Code, a.Body)
	}
	var b batchAnswer
	a.decode(t, &b)
	if len(b.Items) != MaxBatch || *b.Accepted != MaxBatch || *b.Rejected != 0 {
		t.Fatalf("full batch: %d items, %d accepted", len(b.Items), *b.Accepted)
	}
}

func TestBodyOverServerLimit(t *testing.T) {
	ts := newTestServer(t, Config{MaxBodyBytes: 1 << 10, MaxBatchBodyBytes: 4 << 10})
	big := []byte(`{"to":["1"],"text":"` + strings.Repeat("x", 8<<10) + `"}`)
	a := ts.do(t, "POST", "/v1/messages/batch", keySend, big)
	a.wantProblem(t, 413, TypePayloadTooLarge)
	// The server still serves.
	if a := ts.do(t, "POST", "/v1/messages/batch", keySend, []byte(`{"to":["1"],"text":"x"}`)); a.Code != 202 {
		t.Fatalf("after a large body: %d %s", a.Code, a.Body)
	}
}

// TestBatchPartlyBusy: a batch with some items refused for backpressure
// and others accepted, or refused for another reason, is still a 202 with
// per-item answers; only a batch refused for backpressure throughout is a
// 503.
func TestBatchPartlyBusy(t *testing.T) {
	ts := newTestServer(t, Config{})
	for _, body := range []string{
		`{"to":["busy-1","+447700900001"],"text":"x"}`,
		`{"to":["busy-1","bad-2"],"text":"x"}`,
	} {
		a := ts.do(t, "POST", "/v1/messages/batch", keySend, []byte(body))
		if a.Code != http.StatusAccepted {
			t.Fatalf("%s: status %d: %s", body, a.Code, a.Body)
		}
		var b batchAnswer
		a.decode(t, &b)
		if len(b.Items) != 2 || b.Items[0].Error["type"] != ProblemBase+TypeBackpressure {
			t.Fatalf("%s: answer %s", body, a.Body)
		}
	}
}

// saturatedMessages is fakeMessages that reports itself saturated.
type saturatedMessages struct{ *fakeMessages }

func (saturatedMessages) Saturated() bool { return true }

// TestBatchRefusedUnreadWhenSaturated: a saturated gateway answers a batch
// 503 with Retry-After before reading it, even a batch it could not
// decode, and nothing reaches SendBatch. Single sends are not affected.
func TestBatchRefusedUnreadWhenSaturated(t *testing.T) {
	var fm *fakeMessages
	ts := newTestServerWith(t, Config{}, func(d *Deps) {
		fm = d.Messages.(*fakeMessages)
		d.Messages = saturatedMessages{fm}
	})
	for _, body := range []string{`{"to":["+447700900001"],"text":"x"}`, `{not json`} {
		a := ts.do(t, "POST", "/v1/messages/batch", keySend, []byte(body))
		if a.Code != http.StatusServiceUnavailable || a.Header.Get("Retry-After") != "1" {
			t.Fatalf("%s: status %d, Retry-After %q: %s", body, a.Code, a.Header.Get("Retry-After"), a.Body)
		}
		if p := a.problem(t); p["type"] != ProblemBase+TypeBackpressure {
			t.Fatalf("%s: problem %s", body, a.Body)
		}
	}
	fm.mu.Lock()
	n := len(fm.batches)
	fm.mu.Unlock()
	if n != 0 {
		t.Fatalf("SendBatch called %d times", n)
	}
	if a := ts.do(t, "POST", "/v1/messages", keySend, []byte(`{"to":"+447700900001","text":"x"}`)); a.Code != http.StatusAccepted {
		t.Fatalf("single send while saturated: %d %s", a.Code, a.Body)
	}
}
