package api

import (
	"net/http"
	"strings"
	"testing"
)

func TestAuthentication(t *testing.T) {
	ts := newTestServer(t, Config{})
	body := []byte(`{"to":"1","text":"hi"}`)
	cases := []struct {
		name, auth string
		code       int
		typ        string
		challenge  string
	}{
		{"missing", "", 401, TypeUnauthorized, `Bearer realm="gallant"`},
		{"basic scheme", "Basic dXNlcjpwYXNz", 401, TypeUnauthorized, `error="invalid_request"`},
		{"no token", "Bearer ", 401, TypeUnauthorized, `error="invalid_request"`},
		{"token with space", "Bearer key send", 401, TypeUnauthorized, `error="invalid_request"`},
		{"overlong token", "Bearer " + strings.Repeat("k", 600), 401, TypeUnauthorized, `error="invalid_request"`},
		{"unknown key", "Bearer nope", 401, TypeUnauthorized, `error="invalid_token"`},
		{"authenticator fault", "Bearer " + keyBoom, 500, TypeInternal, ""},
		{"lower-case scheme", "bearer " + keySend, 202, "", ""},
		{"wrong scope", "Bearer " + keyRead, 403, TypeForbidden, ""},
		{"admin", "Bearer " + keyAdmin, 202, "", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var h []string
			if c.auth != "" {
				h = []string{"Authorization", c.auth}
			}
			a := ts.do(t, "POST", "/v1/messages", "", body, h...)
			if c.typ == "" {
				if a.Code != c.code {
					t.Fatalf("status %d, want %d; body %s", a.Code, c.code, a.Body)
				}
				return
			}
			a.wantProblem(t, c.code, c.typ)
			if strings.Contains(string(a.Body), "10.0.0.7") {
				t.Fatalf("authenticator fault leaked: %s", a.Body)
			}
			got := a.Header.Get("WWW-Authenticate")
			if c.challenge != "" && (!strings.HasPrefix(got, "Bearer ") || !strings.Contains(got, c.challenge)) {
				t.Fatalf("WWW-Authenticate %q, want it to contain %q", got, c.challenge)
			}
		})
	}
	if strings.Contains(ts.logs.String(), keySend) {
		t.Fatal("an API key was logged")
	}
	if !strings.Contains(ts.logs.String(), "connection refused") {
		t.Fatal("the authenticator fault was not logged")
	}
}

func TestReadScopeOnGets(t *testing.T) {
	ts := newTestServer(t, Config{})
	ts.do(t, "GET", "/v1/messages", keySend, nil).wantProblem(t, 403, TypeForbidden)
	ts.do(t, "GET", "/v1/messages/1001", keySend, nil).wantProblem(t, 403, TypeForbidden)
	ts.do(t, "GET", "/v1/messages", "", nil).wantProblem(t, 401, TypeUnauthorized)
	ts.do(t, "POST", "/v1/messages/batch", keyRead, []byte(`{"to":["1"],"text":"x"}`)).wantProblem(t, 403, TypeForbidden)
	if a := ts.do(t, "GET", "/v1/messages", keyRead, nil); a.Code != http.StatusOK {
		t.Fatalf("read key: %d %s", a.Code, a.Body)
	}
}

func TestBearerToken(t *testing.T) {
	for _, c := range []struct {
		in, tok string
		ok      bool
	}{
		{"Bearer abc", "abc", true},
		{"BEARER abc", "abc", true},
		{"Bearer   abc  ", "abc", true},
		{"Bearer a=b+c/d", "a=b+c/d", true},
		{"Bearerabc", "", false},
		{"Bearer", "", false},
		{"Bearer a\x7fb", "", false},
		{"Bearer a\tb", "", false},
		{"Token abc", "", false},
		{"Bearez abc", "", false},
	} {
		tok, ok := bearerToken([]byte(c.in))
		if ok != c.ok || string(tok) != c.tok {
			t.Errorf("bearerToken(%q) = %q, %v; want %q, %v", c.in, tok, ok, c.tok, c.ok)
		}
	}
}
