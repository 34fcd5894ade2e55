package main

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/gallant-sms/gallant/account"
	"github.com/gallant-sms/gallant/store"
	"github.com/gallant-sms/gallant/store/storetest"
)

// refreshCookieOf returns the token of the answer's gallant_refresh
// cookie, requiring its attributes exactly and a Max-Age of maxAge
// seconds (give or take one, for the time the answer took).
func refreshCookieOf(t *testing.T, what string, r httpAnswer, maxAge int) string {
	t.Helper()
	cookies := r.header.Values("Set-Cookie")
	if len(cookies) != 1 {
		t.Fatalf("%s: Set-Cookie %q, want one", what, cookies)
	}
	c := cookies[0]
	name, rest, _ := strings.Cut(c, "=")
	tok, attrs, _ := strings.Cut(rest, "; ")
	const fixed = "Path=/v1/auth; HttpOnly; Secure; SameSite=Strict; Max-Age="
	if name != "gallant_refresh" || !strings.HasPrefix(attrs, fixed) {
		t.Fatalf("%s: Set-Cookie %q", what, c)
	}
	age, err := strconv.Atoi(strings.TrimPrefix(attrs, fixed))
	if err != nil || age < maxAge-1 || age > maxAge {
		t.Fatalf("%s: Set-Cookie %q, want Max-Age %d", what, c, maxAge)
	}
	if maxAge > 0 && tok == "" || maxAge == 0 && tok != "" {
		t.Fatalf("%s: Set-Cookie %q", what, c)
	}
	if cc := r.header.Get("Cache-Control"); cc != "no-store" {
		t.Fatalf("%s: Cache-Control %q on an answer setting the cookie", what, cc)
	}
	return tok
}

// noRefreshToken requires a session answer without its refresh token.
func noRefreshToken(t *testing.T, what string, r httpAnswer) sessionOut {
	t.Helper()
	want(t, what, r, http.StatusOK, "")
	var raw map[string]json.RawMessage
	r.json(t, &raw)
	if _, ok := raw["refresh_token"]; ok {
		t.Fatalf("%s: the answer shows the refresh token: %s", what, r.body)
	}
	var s sessionOut
	r.json(t, &s)
	if s.TokenType != "Bearer" || strings.Count(s.AccessToken, ".") != 2 || s.User.Email != "ann@example.com" {
		t.Fatalf("%s: session %s", what, r.body)
	}
	return s
}

// TestE2ESessionCookie walks a browser session over HTTP on a real
// gateway: login asking for the cookie, refresh from the cookie
// (rotating it: the old one is refused), the CSRF guard, logout from the
// cookie, logout-all clearing it, and body tokens working as before.
func TestE2ESessionCookie(t *testing.T) {
	t.Parallel()
	cfg := testConfig(t, storetest.SQLite, newCarrier(t, nil).Addr())
	cfg.Auth.RefreshTTL = 2 * time.Hour
	const ttl = 7200
	a := startApp(t, cfg)
	a.acc.SetPasswordCost(bcrypt.MinCost)
	ctx := testContext(t)
	acct := &store.Account{Name: "Shop"}
	if err := a.st.CreateAccount(ctx, acct); err != nil {
		t.Fatal(err)
	}
	if _, err := a.users.CreateUser(ctx, account.NewUser{AccountID: acct.ID, Email: "ann@example.com",
		Password: "ann's password", Role: account.RoleOwner}); err != nil {
		t.Fatal(err)
	}
	const creds = `{"email":"ann@example.com","password":"ann's password","cookie":true}`
	cookie := func(tok string) []string { return []string{"Cookie", "gallant_refresh=" + tok} }

	// Login with the cookie: the token is in the cookie only.
	r := a.do(t, http.MethodPost, "/v1/auth/login", "", creds)
	s := noRefreshToken(t, "login", r)
	tok1 := refreshCookieOf(t, "login", r, ttl)
	want(t, "me", a.do(t, http.MethodGet, "/v1/me", s.AccessToken, ""), http.StatusOK, "")

	// A login asking for the cookie must be JSON.
	want(t, "login text/plain", a.do(t, http.MethodPost, "/v1/auth/login", "", creds, "Content-Type", "text/plain"),
		http.StatusUnsupportedMediaType, "unsupported-media-type")

	// The cookie's routes refuse a body that is not JSON, as a form on
	// another site would send, and leave the cookie alone.
	for _, ct := range []string{"text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", ""} {
		for _, path := range []string{"/v1/auth/refresh", "/v1/auth/logout"} {
			r := a.do(t, http.MethodPost, path, "", "{}", append(cookie(tok1), "Content-Type", ct)...)
			want(t, path+" as "+ct, r, http.StatusUnsupportedMediaType, "unsupported-media-type")
			if c := r.header.Values("Set-Cookie"); len(c) != 0 {
				t.Fatalf("%s as %s touched the cookie: %q", path, ct, c)
			}
		}
	}
	// Neither a body token nor a cookie: as a missing member.
	want(t, "refresh without a token", a.do(t, http.MethodPost, "/v1/auth/refresh", "", "{}"), http.StatusBadRequest, "invalid-request")
	want(t, "logout without a token", a.do(t, http.MethodPost, "/v1/auth/logout", "", "{}"), http.StatusBadRequest, "invalid-request")

	// Refresh from the cookie rotates it; the old one is refused, and
	// cleared.
	r = a.do(t, http.MethodPost, "/v1/auth/refresh", "", "{}", cookie(tok1)...)
	s = noRefreshToken(t, "refresh", r)
	tok2 := refreshCookieOf(t, "refresh", r, ttl)
	if tok2 == tok1 {
		t.Fatal("refresh did not rotate the cookie")
	}
	want(t, "me after refresh", a.do(t, http.MethodGet, "/v1/me", s.AccessToken, ""), http.StatusOK, "")
	r = a.do(t, http.MethodPost, "/v1/auth/refresh", "", "{}", cookie(tok1)...)
	want(t, "old cookie", r, http.StatusUnauthorized, "unauthorized")
	refreshCookieOf(t, "old cookie", r, 0)
	r = a.do(t, http.MethodPost, "/v1/auth/refresh", "", "{}", cookie("grt_forged")...)
	want(t, "forged cookie", r, http.StatusUnauthorized, "unauthorized")
	refreshCookieOf(t, "forged cookie", r, 0)

	// Logout from the cookie ends the session and clears the cookie.
	r = a.do(t, http.MethodPost, "/v1/auth/login", "", creds)
	noRefreshToken(t, "login again", r)
	tok3 := refreshCookieOf(t, "login again", r, ttl)
	r = a.do(t, http.MethodPost, "/v1/auth/logout", "", "{}", append(cookie(tok3), "Content-Type", "application/json; charset=utf-8")...)
	want(t, "logout", r, http.StatusNoContent, "")
	refreshCookieOf(t, "logout", r, 0)
	want(t, "refresh after logout", a.do(t, http.MethodPost, "/v1/auth/refresh", "", "{}", cookie(tok3)...),
		http.StatusUnauthorized, "unauthorized")

	// Logout everywhere clears the cookie too.
	r = a.do(t, http.MethodPost, "/v1/auth/login", "", creds)
	s = noRefreshToken(t, "login for logout-all", r)
	tok4 := refreshCookieOf(t, "login for logout-all", r, ttl)
	r = a.do(t, http.MethodPost, "/v1/me/logout-all", s.AccessToken, "")
	want(t, "logout-all", r, http.StatusNoContent, "")
	refreshCookieOf(t, "logout-all", r, 0)
	want(t, "refresh after logout-all", a.do(t, http.MethodPost, "/v1/auth/refresh", "", "{}", cookie(tok4)...),
		http.StatusUnauthorized, "unauthorized")

	// Without "cookie": true, tokens travel in bodies as before, whatever
	// the content type, and no cookie is set.
	r = a.do(t, http.MethodPost, "/v1/auth/login", "", `{"email":"ann@example.com","password":"ann's password"}`)
	want(t, "body login", r, http.StatusOK, "")
	if c := r.header.Values("Set-Cookie"); len(c) != 0 {
		t.Fatalf("a login without cookie set one: %q", c)
	}
	bs := a.login(t, "ann@example.com", "ann's password")
	r = a.do(t, http.MethodPost, "/v1/auth/refresh", "", jsonBody(t, map[string]string{"refresh_token": bs.RefreshToken}), "Content-Type", "text/plain")
	want(t, "body refresh", r, http.StatusOK, "")
	var bs2 sessionOut
	r.json(t, &bs2)
	if bs2.RefreshToken == "" || bs2.RefreshToken == bs.RefreshToken || len(r.header.Values("Set-Cookie")) != 0 {
		t.Fatalf("body refresh: %s %q", r.body, r.header.Values("Set-Cookie"))
	}
	want(t, "body logout", a.do(t, http.MethodPost, "/v1/auth/logout", "", jsonBody(t, map[string]string{"refresh_token": bs2.RefreshToken})),
		http.StatusNoContent, "")
}
