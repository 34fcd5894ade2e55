package api

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"net/netip"
	"reflect"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/valyala/fasthttp"
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

// fuzzBody is a management body with members of every kind decodeObject
// meets: strings, optional numbers and strings, booleans, lists, ids
// given as strings or numbers, nested objects.
type fuzzBody struct {
	Name   string      `json:"name"`
	Count  *int        `json:"count"`
	On     bool        `json:"on"`
	Tags   []string    `json:"tags"`
	ID     flexID      `json:"id"`
	Amount *string     `json:"amount"`
	Nested *fuzzNested `json:"nested"`
}

type fuzzNested struct {
	IDs []flexID `json:"ids"`
	Max int64    `json:"max"`
}

// FuzzDecodeObject checks the strict decoder of the management bodies
// (decodeObject): it never panics; what it accepts is one valid JSON
// object that encoding/json decodes strictly to the same value; what it
// refuses is answered with a well-formed 400 problem of type invalid-json
// or invalid-request.
func FuzzDecodeObject(f *testing.F) {
	for _, s := range []string{
		`{"name":"a","count":3,"on":true,"tags":["x"],"id":"12","amount":"1.50","nested":{"ids":[1,"2"],"max":9}}`,
		`{"id":12}`, `{"id":"-1"}`, `{"id":1.5}`, `{"id":null}`, `{"id":"1\u0032"}`,
		`{"count":"3"}`, `{"nested":{"ids":"x"}}`, `{"tags":[1]}`, `{"Name":"case"}`,
		`{"name":"a"} {}`, `{"name":"a"} x`, `{"name":"a","name":"b"}`, `{"nme":1}`,
		`[]`, `null`, `""`, ` `, `{`, `{"on":tru}`, "{\"name\":\"\xff\"}",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		ctx := handlerCtx("POST", "/v1/accounts", body)
		var got fuzzBody
		if decodeObject(ctx, &got) {
			if !json.Valid(body) {
				t.Fatalf("accepted invalid JSON %q", body)
			}
			var want fuzzBody
			dec := json.NewDecoder(bytes.NewReader(body))
			dec.DisallowUnknownFields()
			if err := dec.Decode(&want); err != nil {
				t.Fatalf("accepted %q, which encoding/json refuses: %v", body, err)
			}
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("%q decoded to %+v, encoding/json's %+v", body, got, want)
			}
			return
		}
		if code := ctx.Response.StatusCode(); code != 400 {
			t.Fatalf("refused %q with status %d: %s", body, code, ctx.Response.Body())
		}
		var p struct {
			Type   string `json:"type"`
			Status int    `json:"status"`
			Detail string `json:"detail"`
		}
		if err := json.Unmarshal(ctx.Response.Body(), &p); err != nil {
			t.Fatalf("refused %q with a malformed problem %q: %v", body, ctx.Response.Body(), err)
		}
		if p.Status != 400 || (p.Type != ProblemBase+TypeInvalidJSON && p.Type != ProblemBase+TypeInvalidRequest) || p.Detail == "" {
			t.Fatalf("refused %q with %+v", body, p)
		}
	})
}

// FuzzBodyLimit checks the body limit chosen from a request's head before
// its body is read: it is one of the three limits; above the
// unauthenticated one only with a key that authenticates; the batch size
// only for POST /v1/messages/batch with the send scope; and a declared
// length within the unauthenticated limit never costs an authentication.
func FuzzBodyLimit(f *testing.F) {
	for _, s := range []string{
		"POST /v1/messages/batch HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer key-send\r\nContent-Length: 1000000\r\n\r\n",
		"POST /v1/messages/batch?x=1 HTTP/1.1\r\nHost: x\r\nAuthorization: bearer key-all\r\nTransfer-Encoding: chunked\r\n\r\n",
		"POST http://h/v1/messages/batch HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer key-read\r\nContent-Length: 99999\r\n\r\n",
		"POST /v1/messages/../messages/batch HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer key-send\r\nContent-Length: 99999\r\n\r\n",
		"POST /v1/messages/%62atch HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer key-send\r\nContent-Length: 99999\r\n\r\n",
		"POST /v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Length: 16777216\r\n\r\n",
		"GET /v1/messages HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer nobody\r\nContent-Length: 20000\r\n\r\n",
		"PUT /v1/accounts/1/alerts HTTP/1.0\r\nAuthorization: Bearer key-boom\r\nContent-Length: 20000\r\n\r\n",
		"POST /v1/contacts/imports?dry_run=true HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer key-send\r\nContent-Length: 90000000\r\n\r\n",
		"POST /v1/contacts/imports HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer key-read\r\nContent-Length: 90000000\r\n\r\n",
	} {
		f.Add([]byte(s))
	}
	var authCalls atomic.Int64
	s, err := New(Config{}, Deps{Auth: countingAuth{&authCalls}, Messages: newFakeMessages(), Idempotency: newMemIdempotency()}, nil, nil)
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { _ = s.Shutdown(context.Background()) })
	cfg := s.cfg
	f.Fuzz(func(t *testing.T, head []byte) {
		var h fasthttp.RequestHeader
		if err := h.Read(bufio.NewReader(bytes.NewReader(head))); err != nil {
			return
		}
		before := authCalls.Load()
		limit := s.bodyLimit(&h).MaxRequestBodySize
		authed := authCalls.Load() != before
		if n := h.ContentLength(); n >= 0 && n <= cfg.MaxUnauthenticatedBodyBytes && (authed || limit != cfg.MaxUnauthenticatedBodyBytes) {
			t.Fatalf("length %d: limit %d, authenticated %v", n, limit, authed)
		}
		switch limit {
		case cfg.MaxUnauthenticatedBodyBytes:
			return
		case cfg.MaxBodyBytes, cfg.MaxBatchBodyBytes, cfg.MaxImportBodyBytes:
		default:
			t.Fatalf("limit %d for %q", limit, head)
		}
		key, ok := bearerToken(h.Peek(fasthttp.HeaderAuthorization))
		if !ok {
			t.Fatalf("limit %d without a bearer token: %q", limit, head)
		}
		p, err := fakeAuth{}.AuthenticateAPIKey(context.Background(), string(key))
		if err != nil {
			t.Fatalf("limit %d for key %q, which does not authenticate", limit, key)
		}
		if limit == cfg.MaxBatchBodyBytes {
			var u fasthttp.URI
			if u.Parse(nil, h.RequestURI()) != nil || (string(u.Path()) != batchPath && string(u.Path()) != optOutsImportPath) || !h.IsPost() || !p.Has(ScopeSend) {
				t.Fatalf("the batch limit for %q", head)
			}
		}
		if limit == cfg.MaxImportBodyBytes {
			var u fasthttp.URI
			if u.Parse(nil, h.RequestURI()) != nil || string(u.Path()) != contactImportsPath || !h.IsPost() || !p.Has(ScopeSend) {
				t.Fatalf("the import limit for %q", head)
			}
		}
	})
}

// countingAuth is fakeAuth counting its calls.
type countingAuth struct{ n *atomic.Int64 }

func (a countingAuth) AuthenticateAPIKey(ctx context.Context, key string) (Principal, error) {
	a.n.Add(1)
	return fakeAuth{}.AuthenticateAPIKey(ctx, key)
}

// FuzzForwardedClient checks the reading of X-Forwarded-For from a
// trusted proxy: it never panics; the client is the peer or an address
// in the header; and an untrusted client found in the header has only
// trusted proxies to its right.
func FuzzForwardedClient(f *testing.F) {
	for _, s := range []string{
		"203.0.113.9", "198.51.100.1, 203.0.113.9, 10.0.0.7", "203.0.113.9\n10.2.3.4", "[2001:db8::1]:443, 10.0.0.1:80",
		"unknown, 10.0.0.2", " , ,10.9.9.9", "::ffff:10.0.0.1, fe80::1%eth0", "10.0.0.1,10.0.0.2\n\n10.0.0.3",
	} {
		f.Add(s)
	}
	trusted, err := parseTrusted([]string{"10.0.0.0/8", "2001:db8:ffff::/48"})
	if err != nil {
		f.Fatal(err)
	}
	isTrusted := func(a netip.Addr) bool {
		for _, p := range trusted {
			if p.Contains(a) {
				return true
			}
		}
		return false
	}
	peer := netip.MustParseAddr("10.0.0.1")
	f.Fuzz(func(t *testing.T, header string) {
		lines := strings.Split(header, "\n")
		values := make([][]byte, len(lines))
		for i, l := range lines {
			values[i] = []byte(l)
		}
		got := forwardedClient(peer, values, isTrusted)
		if got == peer {
			return
		}
		// The entries, right to left.
		var entries []netip.Addr
		var bad []bool
		for i := len(lines) - 1; i >= 0; i-- {
			items := strings.Split(lines[i], ",")
			for j := len(items) - 1; j >= 0; j-- {
				item := strings.TrimSpace(items[j])
				if item == "" {
					continue
				}
				a, ok := parseForwarded([]byte(item))
				entries = append(entries, a)
				bad = append(bad, !ok)
			}
		}
		for i, a := range entries {
			if bad[i] {
				break
			}
			if a == got {
				// Everything to its right is a trusted, valid address.
				for k := range i {
					if bad[k] || !isTrusted(entries[k]) {
						t.Fatalf("%q: client %s has %s (untrusted) to its right", header, got, entries[k])
					}
				}
				return
			}
		}
		t.Fatalf("%q: client %s is neither the peer nor an address of the header", header, got)
	})
}
