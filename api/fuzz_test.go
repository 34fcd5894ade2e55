package api

import (
	"encoding/json"
	"testing"
)

// FuzzDecodeSend checks the POST /v1/messages body decoder against
// encoding/json: whatever it accepts, encoding/json accepts with the same
// values; it never panics. Each input is also tried cut in two, as a
// truncated body.
func FuzzDecodeSend(f *testing.F) {
	for _, s := range decodeSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		checkDecodeSend(t, body)
		checkDecodeSend(t, body[:len(body)/2])
	})
}

// FuzzDecodeBatch checks that the batch decoder never panics, accepts only
// valid JSON and honours its limit.
func FuzzDecodeBatch(f *testing.F) {
	for _, s := range []string{
		`{"to":["1","2"],"text":"x","flash":true}`,
		`{"messages":[{"to":"1","text":"x"},{"to":"2","binary":"AA=="}]}`,
		`{"to":["1",2]}`,
		`{"messages":[{"to":"1"},]}`,
		`{"to":["\ud83d\ude00"],"text":"x"}`,
		`{"to":[],"messages":null}`,
	} {
		f.Add([]byte(s))
	}
	const limit = 4
	f.Fuzz(func(t *testing.T, body []byte) {
		b, perr := decodeBatch(body, limit)
		if perr != nil {
			if perr.Status != 400 && perr.Status != 413 {
				t.Fatalf("decodeBatch(%q): problem %+v", body, perr)
			}
			return
		}
		if !json.Valid(body) {
			t.Fatalf("decodeBatch accepted invalid JSON %q", body)
		}
		if n := len(b.To) + len(b.Messages); n == 0 || n > limit {
			t.Fatalf("decodeBatch(%q): %d messages, limit %d", body, n, limit)
		}
		if len(b.To) > 0 && len(b.Messages) > 0 {
			t.Fatalf("decodeBatch(%q): both to and messages", body)
		}
	})
}

// FuzzAppendJSONString checks the answer encoder against encoding/json.
func FuzzAppendJSONString(f *testing.F) {
	for _, s := range []string{"", "a\"b", "\x00\xff", "\u2028é😀"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := appendJSONString(nil, s)
		var got, want string
		if err := json.Unmarshal(out, &got); err != nil {
			t.Fatalf("appendJSONString(%q) = %s: %v", s, out, err)
		}
		ref, _ := json.Marshal(s)
		_ = json.Unmarshal(ref, &want)
		if got != want {
			t.Fatalf("appendJSONString(%q) decodes to %q, encoding/json's to %q", s, got, want)
		}
	})
}
