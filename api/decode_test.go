package api

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"
)

// stdSend mirrors SendRequest for encoding/json, the reference decoder.
type stdSend struct {
	To             string    `json:"to"`
	From           string    `json:"from"`
	Text           string    `json:"text"`
	Binary         []byte    `json:"binary"`
	Encoding       string    `json:"encoding"`
	Flash          bool      `json:"flash"`
	SendAt         time.Time `json:"send_at"`
	ValidUntil     time.Time `json:"valid_until"`
	CallbackURL    string    `json:"callback_url"`
	ClientRef      string    `json:"client_ref"`
	DeliveryReport bool      `json:"delivery_report"`
}

// stdDecode decodes body as encoding/json does with unknown fields
// disallowed.
func stdDecode(body []byte) (stdSend, error) {
	v := stdSend{DeliveryReport: true}
	if !json.Valid(body) {
		return v, errInvalid
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	return v, dec.Decode(&v)
}

var errInvalid = &Error{Type: "test", Detail: "invalid JSON"}

// sameAsStd reports how a request decoded by us differs from encoding/json's
// result, or "".
func sameAsStd(r *SendRequest, s *stdSend) string {
	switch {
	case r.To != s.To:
		return "to"
	case r.From != s.From:
		return "from"
	case r.Text != s.Text:
		return "text"
	case !bytes.Equal(r.Binary, s.Binary):
		return "binary"
	case r.Encoding != s.Encoding:
		return "encoding"
	case r.Flash != s.Flash:
		return "flash"
	case !r.SendAt.Equal(s.SendAt):
		return "send_at"
	case !r.ValidUntil.Equal(s.ValidUntil):
		return "valid_until"
	case r.CallbackURL != s.CallbackURL:
		return "callback_url"
	case r.ClientRef != s.ClientRef:
		return "client_ref"
	case r.DeliveryReport != s.DeliveryReport:
		return "delivery_report"
	}
	return ""
}

// decodeSeeds are bodies for the decoder tests and the fuzz corpus.
var decodeSeeds = []string{
	`{"to":"+447700900123","text":"hello"}`,
	`{"to":"1","text":"caf\u00e9 \ud83d\ude00 \"q\" \\ \/ \b\f\n\r\t","from":"Gallant"}`,
	`{"to":"1","text":"lone \ud800 high, lone \udc00 low, \ud800\u0041 pair-less"}`,
	` { "to" : "1" , "binary" : "AAEC/w==" , "flash" : true , "delivery_report" : false } `,
	`{"to":"1","text":"x","send_at":"2026-05-01T09:30:00.123+02:00","valid_until":null,"encoding":"ucs2"}`,
	`{"to":"1","text":"x","callback_url":"https://h.example/cb","client_ref":"r","flash":null}`,
	`{"to":null,"text":"x"}`,
	`{"to":"1","text":"\u0000nul"}`,
	`{}`,
	`{"to":"1","text":"x",}`,
	`{"to":"1" "text":"x"}`,
	`{"to":1}`,
	`{"to":"1","text":"x"}x`,
	`{"to":"\ud83d\ude0`,
	`{"to":"1","flash":tru}`,
	`{"TO":"1"}`,
	`{"to":"1","to":"2"}`,
	`{"\u0074o":"1"}`,
	"{\"to\":\"\xff\"}",
	`{"binary":"AAE"}`,
	`{"send_at":"2026-13-01T00:00:00Z"}`,
	`[]`,
	`null`,
	``,
}

func TestDecodeSendMatchesEncodingJSON(t *testing.T) {
	for _, seed := range decodeSeeds {
		checkDecodeSend(t, []byte(seed))
	}
}

// checkDecodeSend requires that decodeSend accepts only what encoding/json
// accepts, decodes it to the same values, and never panics.
func checkDecodeSend(t *testing.T, body []byte) {
	t.Helper()
	got, perr := decodeSend(body)
	want, err := stdDecode(body)
	if perr != nil {
		if perr.Status != 400 || (perr.Type != TypeInvalidJSON && perr.Type != TypeInvalidRequest) || perr.Detail == "" {
			t.Fatalf("decodeSend(%q): unexpected problem %+v", body, perr)
		}
		return
	}
	if err != nil {
		t.Fatalf("decodeSend(%q) accepted what encoding/json refuses (%v): %+v", body, err, got)
	}
	if f := sameAsStd(&got, &want); f != "" {
		t.Fatalf("decodeSend(%q): %s differs from encoding/json:\n%+v\n%+v", body, f, got, want)
	}
}

func TestDecodeSendProblems(t *testing.T) {
	for _, c := range []struct {
		body, typ, field, detail string
	}{
		{``, TypeInvalidJSON, "", "empty"},
		{`{"to":"1",}`, TypeInvalidJSON, "", "at byte 10"},
		{`{"to":"1"`, TypeInvalidJSON, "", "end of input"},
		{`{"to":"1"}}`, TypeInvalidJSON, "", "after the JSON object"},
		{`{"to":x}`, TypeInvalidJSON, "", "invalid character"},
		{`{"to":"a` + "\n" + `"}`, TypeInvalidJSON, "", "control character"},
		{`{"to":"\u12"}`, TypeInvalidJSON, "", `\u escape`},
		{`{"to":1}`, TypeInvalidRequest, "to", "must be a string"},
		{`{"flash":"no"}`, TypeInvalidRequest, "flash", "true or false"},
		{`{"flash":tru}`, TypeInvalidRequest, "flash", "true or false"},
		{`{"nope":1}`, TypeInvalidRequest, "nope", "unknown field"},
		{`{"text":"a","text":"b"}`, TypeInvalidRequest, "text", "repeated"},
	} {
		_, perr := decodeSend([]byte(c.body))
		if perr == nil || perr.Type != c.typ || perr.Field != c.field || !strings.Contains(perr.Detail, c.detail) {
			t.Errorf("decodeSend(%q) = %+v, want %s field %q detail containing %q", c.body, perr, c.typ, c.field, c.detail)
		}
	}
}

func TestDecodeBatchBounded(t *testing.T) {
	body := []byte(`{"to":["1","2","3"],"text":"x"}`)
	if _, perr := decodeBatch(body, 2); perr == nil || perr.Type != TypePayloadTooLarge {
		t.Fatalf("3 recipients with limit 2: %+v", perr)
	}
	b, perr := decodeBatch(body, 3)
	if perr != nil || len(b.To) != 3 || b.Shared.Text != "x" || !b.Shared.DeliveryReport {
		t.Fatalf("decodeBatch = %+v, %+v", b, perr)
	}
}

func TestAppendJSONString(t *testing.T) {
	for _, s := range []string{"", "plain", "q\"b\\s/", "\x00\x1f\n\r\t", "é€😀", "bad \xff\xfe utf8", "\u2028\u2029", "<&>"} {
		got := appendJSONString(nil, s)
		want, _ := json.Marshal(s)
		var a, b string
		if err := json.Unmarshal(got, &a); err != nil {
			t.Fatalf("appendJSONString(%q) = %s: %v", s, got, err)
		}
		_ = json.Unmarshal(want, &b)
		if a != b {
			t.Fatalf("appendJSONString(%q) decodes to %q, encoding/json's to %q", s, a, b)
		}
	}
}

func TestAppendProblemIsJSON(t *testing.T) {
	e := InvalidRequest("messages[3].text", "bad \"value\"\n")
	var p map[string]any
	if err := json.Unmarshal(appendProblem(nil, e), &p); err != nil {
		t.Fatal(err)
	}
	if p["type"] != ProblemBase+TypeInvalidRequest || p["title"] != "Invalid request" || p["status"] != 400.0 ||
		p["detail"] != "bad \"value\"\n" || p["field"] != "messages[3].text" {
		t.Fatalf("problem %v", p)
	}
}
