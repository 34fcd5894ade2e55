package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/textproto"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/gallant-sms/gallant/account"
	"github.com/gallant-sms/gallant/internal/config"
	"github.com/gallant-sms/gallant/smpp"
	"github.com/gallant-sms/gallant/smpp/smpptest"
	"github.com/gallant-sms/gallant/store"
	"github.com/gallant-sms/gallant/store/storetest"
)

func init() {
	// Cheap password hashes: the defaults cost 19 MiB and tens of
	// milliseconds each, seconds under the race detector.
	testArgon2 = &account.Argon2Params{Memory: 64, Time: 1, Threads: 1}
}

// mailSink is an SMTP server on 127.0.0.1:0 keeping the mails it gets:
// just enough of RFC 5321 for net/smtp without STARTTLS or AUTH.
type mailSink struct {
	ln    net.Listener
	mails chan sunkMail
	wg    sync.WaitGroup
}

// sunkMail is one mail the sink received.
type sunkMail struct{ to, data string }

func newMailSink(t *testing.T) *mailSink {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &mailSink{ln: ln, mails: make(chan sunkMail, 16)}
	s.wg.Go(func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			s.wg.Go(func() { s.serve(c) })
		}
	})
	t.Cleanup(func() {
		ln.Close()
		s.wg.Wait()
	})
	return s
}

func (s *mailSink) serve(c net.Conn) {
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(10 * time.Second))
	r := textproto.NewReader(bufio.NewReader(c))
	say := func(line string) { _, _ = c.Write([]byte(line + "\r\n")) }
	say("220 sink")
	var to string
	for {
		line, err := r.ReadLine()
		if err != nil {
			return
		}
		switch verb, _, _ := strings.Cut(strings.ToUpper(line), " "); verb {
		case "RCPT":
			_, rest, _ := strings.Cut(line, "<")
			to, _, _ = strings.Cut(rest, ">")
			say("250 ok")
		case "DATA":
			say("354 go on")
			b, err := r.ReadDotBytes()
			if err != nil {
				return
			}
			s.mails <- sunkMail{to: to, data: string(b)}
			say("250 queued")
		case "QUIT":
			say("221 bye")
			return
		default:
			say("250 ok")
		}
	}
}

var mailToken = regexp.MustCompile(`(?m)^([A-Za-z0-9]{32})\r?$`)

// next waits for the next mail and checks it goes to to.
func (s *mailSink) next(t *testing.T, to string) sunkMail {
	t.Helper()
	select {
	case m := <-s.mails:
		if m.to != to {
			t.Fatalf("mail to %q, want %q:\n%s", m.to, to, m.data)
		}
		return m
	case <-time.After(waitLong):
		t.Fatalf("no mail to %s", to)
		return sunkMail{}
	}
}

// token waits for the next mail, checks it goes to to and returns the
// token on a line of its own.
func (s *mailSink) token(t *testing.T, to string) string {
	t.Helper()
	select {
	case m := <-s.mails:
		got := mailToken.FindStringSubmatch(m.data)
		if m.to != to || got == nil {
			t.Fatalf("mail to %q (want %q) without a token:\n%s", m.to, to, m.data)
		}
		return got[1]
	case <-time.After(waitLong):
		t.Fatalf("no mail to %s", to)
		return ""
	}
}

// sessionOut is the answer of login and refresh.
type sessionOut struct {
	AccessToken  string `json:"access_token"`
	TokenType    string `json:"token_type"`
	ExpiresIn    int    `json:"expires_in"`
	RefreshToken string `json:"refresh_token"`
	User         struct {
		ID            string `json:"id"`
		AccountID     string `json:"account_id"`
		Email         string `json:"email"`
		Role          string `json:"role"`
		EmailVerified bool   `json:"email_verified"`
	} `json:"user"`
}

func jsonBody(t testing.TB, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// login logs in and requires a session.
func (a *testApp) login(t *testing.T, email, password string) sessionOut {
	t.Helper()
	r := a.do(t, http.MethodPost, "/v1/auth/login", "", jsonBody(t, map[string]string{"email": email, "password": password}))
	if r.status != http.StatusOK {
		t.Fatalf("login %s: %d %s", email, r.status, r.body)
	}
	var s sessionOut
	r.json(t, &s)
	if s.TokenType != "Bearer" || strings.Count(s.AccessToken, ".") != 2 || s.RefreshToken == "" || s.ExpiresIn <= 0 {
		t.Fatalf("session %s", r.body)
	}
	return s
}

// want requires status code and, for a problem, its type.
func want(t *testing.T, what string, r httpAnswer, code int, typ string) {
	t.Helper()
	if r.status != code {
		t.Fatalf("%s: %d %s, want %d", what, r.status, r.body, code)
	}
	if typ != "" {
		if got := r.problemType(t); got != typ {
			t.Fatalf("%s: problem %s, want %s", what, got, typ)
		}
	}
}

// TestE2EIdentity walks the dashboard identity flows over HTTP on a real
// gateway: register, verification mail, verify, login, /v1/me, an API
// key made over HTTP that sends, refresh rotation and reuse detection,
// logout, password reset, users and roles, SMPP credentials whose
// changes reach binds, the login rate limit, another account's keys and
// a suspended account's session.
func TestE2EIdentity(t *testing.T) {
	t.Parallel()
	eachDriver(t, func(t *testing.T, driver string) {
		sink := newMailSink(t)
		host, port, _ := net.SplitHostPort(sink.ln.Addr().String())
		c := newCarrier(t, nil)
		cfg := testConfig(t, driver, c.Addr())
		cfg.Mail = config.MailConfig{SMTPHost: host, From: "noreply@gallant.test"}
		cfg.Mail.SMTPPort, _ = strconv.Atoi(port)
		cfg.Auth.TokenSecret = strings.Repeat("s3cret-", 6)
		cfg.Auth.OpenRegistration, cfg.Auth.AllowUnbilledRegistration = true, true
		a := startApp(t, cfg)
		a.acc.SetPasswordCost(bcrypt.MinCost)
		ctx := testContext(t)

		// Register; the verification mail arrives; verify. Registering
		// again answers the same and mails the owner a notice.
		const email, pw = "Ann@Example.com", "correct horse battery"
		r := a.do(t, http.MethodPost, "/v1/auth/register", "",
			jsonBody(t, map[string]string{"email": email, "password": pw, "account_name": "Ann's Shop"}))
		want(t, "register", r, http.StatusAccepted, "")
		tok := sink.token(t, "ann@example.com")
		first := r.body
		r = a.do(t, http.MethodPost, "/v1/auth/register", "",
			jsonBody(t, map[string]string{"email": email, "password": pw, "account_name": "Again"}))
		want(t, "register again", r, http.StatusAccepted, "")
		if string(r.body) != string(first) {
			t.Fatalf("register again: %s, first %s", r.body, first)
		}
		if m := sink.next(t, "ann@example.com"); mailToken.MatchString(m.data) || !strings.Contains(m.data, "Someone tried") {
			t.Fatalf("notice to the owner:\n%s", m.data)
		}
		owner, err := a.st.UserByEmail(ctx, "ann@example.com")
		if err != nil || owner.Role != "owner" || !owner.SelfRegistered {
			t.Fatalf("registered user %+v, %v", owner, err)
		}
		var reg struct {
			User struct {
				ID string
			}
			AccountID string
		}
		reg.User.ID, reg.AccountID = strconv.FormatInt(owner.ID, 10), strconv.FormatInt(owner.AccountID, 10)
		accID := owner.AccountID
		r = a.do(t, http.MethodPost, "/v1/auth/verify-email", "", jsonBody(t, map[string]string{"token": tok}))
		want(t, "verify", r, http.StatusOK, "")
		if !strings.Contains(string(r.body), `"email_verified":true`) {
			t.Fatalf("verify: %s", r.body)
		}
		want(t, "verify twice", a.do(t, http.MethodPost, "/v1/auth/verify-email", "", jsonBody(t, map[string]string{"token": tok})),
			http.StatusBadRequest, "invalid-token")

		// Log in; /v1/me shows the user.
		want(t, "wrong password", a.do(t, http.MethodPost, "/v1/auth/login", "",
			jsonBody(t, map[string]string{"email": email, "password": "wrong password"})), http.StatusUnauthorized, "unauthorized")
		s := a.login(t, email, pw)
		if s.User.ID != reg.User.ID || !s.User.EmailVerified {
			t.Fatalf("login user %+v", s.User)
		}
		r = a.do(t, http.MethodGet, "/v1/me", s.AccessToken, "")
		want(t, "me", r, http.StatusOK, "")
		var me struct {
			AccountID string   `json:"account_id"`
			Role      string   `json:"role"`
			Scopes    []string `json:"scopes"`
			User      *struct {
				ID string `json:"id"`
			} `json:"user"`
		}
		r.json(t, &me)
		if me.AccountID != reg.AccountID || me.Role != "owner" || strings.Join(me.Scopes, ",") != "admin" || me.User == nil || me.User.ID != reg.User.ID {
			t.Fatalf("me: %s", r.body)
		}
		want(t, "tampered token", a.do(t, http.MethodGet, "/v1/me", s.AccessToken+"x", ""), http.StatusUnauthorized, "unauthorized")

		// An API key made over HTTP sends; the listing shows it used and
		// never the key.
		keysPath := "/v1/accounts/" + reg.AccountID + "/keys"
		r = a.do(t, http.MethodPost, keysPath, s.AccessToken, `{"name":"ci","scopes":["send","read"]}`)
		want(t, "create key", r, http.StatusCreated, "")
		var key struct {
			ID     string `json:"id"`
			Key    string `json:"key"`
			Prefix string `json:"prefix"`
		}
		r.json(t, &key)
		if !strings.HasPrefix(key.Key, key.Prefix+"_") {
			t.Fatalf("created key %s", r.body)
		}
		sent := a.send(t, key.Key, map[string]any{"to": "+447700900123", "text": "hello from a new key"})
		a.waitStatus(t, key.Key, sent.ID, "delivered")
		r = a.do(t, http.MethodGet, keysPath, s.AccessToken, "")
		want(t, "list keys", r, http.StatusOK, "")
		if strings.Contains(string(r.body), key.Key) || strings.Contains(string(r.body), `"hash"`) {
			t.Fatalf("the listing shows a secret: %s", r.body)
		}
		var keys struct {
			Items []struct {
				ID         string     `json:"id"`
				LastUsedAt *time.Time `json:"last_used_at"`
				RevokedAt  *time.Time `json:"revoked_at"`
			} `json:"items"`
		}
		r.json(t, &keys)
		found := false
		for _, k := range keys.Items {
			if k.ID == key.ID {
				found = k.LastUsedAt != nil && k.RevokedAt == nil
			}
		}
		if len(keys.Items) != 1 || !found {
			t.Fatalf("keys (ci alone, used: sign-up makes none): %s", r.body)
		}
		want(t, "revoke key", a.do(t, http.MethodDelete, keysPath+"/"+key.ID, s.AccessToken, ""), http.StatusNoContent, "")
		want(t, "revoked key", a.do(t, http.MethodGet, "/v1/messages/"+sent.ID, key.Key, ""), http.StatusUnauthorized, "unauthorized")

		// Refresh rotates; the old token is refused and its reuse ends the
		// whole login.
		r = a.do(t, http.MethodPost, "/v1/auth/refresh", "", jsonBody(t, map[string]string{"refresh_token": s.RefreshToken}))
		want(t, "refresh", r, http.StatusOK, "")
		var s2 sessionOut
		r.json(t, &s2)
		if s2.RefreshToken == s.RefreshToken || s2.AccessToken == "" {
			t.Fatalf("refresh did not rotate: %s", r.body)
		}
		want(t, "me after refresh", a.do(t, http.MethodGet, "/v1/me", s2.AccessToken, ""), http.StatusOK, "")
		want(t, "old refresh token", a.do(t, http.MethodPost, "/v1/auth/refresh", "",
			jsonBody(t, map[string]string{"refresh_token": s.RefreshToken})), http.StatusUnauthorized, "unauthorized")
		want(t, "refresh after reuse", a.do(t, http.MethodPost, "/v1/auth/refresh", "",
			jsonBody(t, map[string]string{"refresh_token": s2.RefreshToken})), http.StatusUnauthorized, "unauthorized")

		// Logout ends the session's refresh token.
		s = a.login(t, email, pw)
		want(t, "logout", a.do(t, http.MethodPost, "/v1/auth/logout", "", jsonBody(t, map[string]string{"refresh_token": s.RefreshToken})),
			http.StatusNoContent, "")
		want(t, "refresh after logout", a.do(t, http.MethodPost, "/v1/auth/refresh", "",
			jsonBody(t, map[string]string{"refresh_token": s.RefreshToken})), http.StatusUnauthorized, "unauthorized")

		// Password reset by mail; the old password stops working.
		want(t, "reset unknown email", a.do(t, http.MethodPost, "/v1/auth/password-reset", "", `{"email":"nobody@example.com"}`),
			http.StatusAccepted, "")
		want(t, "reset", a.do(t, http.MethodPost, "/v1/auth/password-reset", "", `{"email":"ann@example.com"}`),
			http.StatusAccepted, "")
		tok = sink.token(t, "ann@example.com")
		const pw2 = "a brand new password"
		want(t, "reset confirm", a.do(t, http.MethodPost, "/v1/auth/password-reset/confirm", "",
			jsonBody(t, map[string]string{"token": tok, "password": pw2})), http.StatusNoContent, "")
		want(t, "old password", a.do(t, http.MethodPost, "/v1/auth/login", "",
			jsonBody(t, map[string]string{"email": email, "password": pw})), http.StatusUnauthorized, "unauthorized")
		s = a.login(t, email, pw2)
		want(t, "change password", a.do(t, http.MethodPost, "/v1/me/password", s.AccessToken,
			jsonBody(t, map[string]string{"old_password": pw2, "new_password": pw})), http.StatusNoContent, "")
		s = a.login(t, email, pw)

		// A member reads but does not manage; a member may not be made
		// by a member, nor an admin by an owner.
		usersPath := "/v1/accounts/" + reg.AccountID + "/users"
		want(t, "add member", a.do(t, http.MethodPost, usersPath, s.AccessToken,
			`{"email":"bob@example.com","password":"bobs password","role":"member"}`), http.StatusCreated, "")
		sink.token(t, "bob@example.com") // his verification mail
		want(t, "add admin", a.do(t, http.MethodPost, usersPath, s.AccessToken,
			`{"email":"eve@example.com","password":"eves password","role":"admin"}`), http.StatusForbidden, "forbidden")
		bob := a.login(t, "bob@example.com", "bobs password")
		r = a.do(t, http.MethodGet, usersPath, bob.AccessToken, "")
		want(t, "member lists users", r, http.StatusOK, "")
		if !strings.Contains(string(r.body), "bob@example.com") || !strings.Contains(string(r.body), "ann@example.com") {
			t.Fatalf("users: %s", r.body)
		}
		want(t, "member lists keys", a.do(t, http.MethodGet, keysPath, bob.AccessToken, ""), http.StatusOK, "")
		want(t, "member creates key", a.do(t, http.MethodPost, keysPath, bob.AccessToken, `{"name":"x","scopes":["read"]}`),
			http.StatusForbidden, "forbidden")
		want(t, "member sends", a.do(t, http.MethodPost, "/v1/messages", bob.AccessToken, `{"to":"+447700900123","text":"x"}`),
			http.StatusForbidden, "forbidden")

		// Another account's keys do not exist for this owner.
		other := a.customer(t, "Other", "")
		want(t, "other account's keys", a.do(t, http.MethodGet, fmt.Sprintf("/v1/accounts/%d/keys", other.AccountID), s.AccessToken, ""),
			http.StatusNotFound, "not-found")
		want(t, "other account's key revoked", a.do(t, http.MethodDelete, fmt.Sprintf("/v1/accounts/%d/keys/1", other.AccountID), s.AccessToken, ""),
			http.StatusNotFound, "not-found")

		// SMPP credentials: a bind from an allowed range works; narrowing
		// the range ends it and refuses the next; deleting refuses all.
		credsPath := "/v1/accounts/" + reg.AccountID + "/smpp-credentials"
		r = a.do(t, http.MethodPost, credsPath, s.AccessToken, `{"system_id":"annshop","password":"pw123456","allowed_cidrs":["127.0.0.1"],"bind_limit":1}`)
		want(t, "create credential", r, http.StatusCreated, "")
		var cred struct {
			ID           string   `json:"id"`
			Password     string   `json:"password"`
			AllowedCIDRs []string `json:"allowed_cidrs"`
		}
		r.json(t, &cred)
		if cred.Password != "" || strings.Join(cred.AllowedCIDRs, ",") != "127.0.0.1/32" {
			t.Fatalf("credential %s", r.body)
		}
		want(t, "system_id taken", a.do(t, http.MethodPost, credsPath, s.AccessToken, `{"system_id":"annshop"}`), http.StatusBadRequest, "invalid-request")
		want(t, "bad range", a.do(t, http.MethodPost, credsPath, s.AccessToken, `{"system_id":"x","allowed_cidrs":["nope"]}`),
			http.StatusBadRequest, "invalid-request")
		smppAddr := a.smppAddr.String()
		bind := func() (*smpptest.ESME, error) {
			return smpptest.NewESME(ctx, smppAddr, smpp.ClientConfig{BindType: smpp.Transceiver, SystemID: "annshop", Password: "pw123456"}, nil)
		}
		e, err := bind()
		if err != nil {
			t.Fatalf("bind from an allowed address: %v", err)
		}
		t.Cleanup(func() { e.Close() })
		if e2, err := bind(); err == nil {
			e2.Close()
			t.Fatal("a second bind passed bind_limit 1")
		}
		want(t, "narrow range", a.do(t, http.MethodPatch, credsPath+"/"+cred.ID, s.AccessToken, `{"allowed_cidrs":["10.0.0.0/8"]}`),
			http.StatusOK, "")
		select {
		case <-e.Session().Done():
		case <-time.After(waitLong):
			t.Fatal("the bind outlived the change of its allowed ranges")
		}
		if e2, err := bind(); err == nil {
			e2.Close()
			t.Fatal("bind from an address no longer allowed")
		}
		r = a.do(t, http.MethodPatch, credsPath+"/"+cred.ID, s.AccessToken, `{"allowed_cidrs":[],"generate_password":true}`)
		want(t, "new password", r, http.StatusOK, "")
		r.json(t, &cred)
		if len(cred.Password) != 8 {
			t.Fatalf("generated password: %s", r.body)
		}
		e3, err := smpptest.NewESME(ctx, smppAddr, smpp.ClientConfig{BindType: smpp.Transceiver, SystemID: "annshop", Password: cred.Password}, nil)
		if err != nil {
			t.Fatalf("bind with the new password: %v", err)
		}
		want(t, "delete credential", a.do(t, http.MethodDelete, credsPath+"/"+cred.ID, s.AccessToken, ""), http.StatusNoContent, "")
		select {
		case <-e3.Session().Done():
		case <-time.After(waitLong):
			t.Fatal("the bind outlived its deleted credential")
		}
		if e4, err := smpptest.NewESME(ctx, smppAddr, smpp.ClientConfig{BindType: smpp.Transceiver, SystemID: "annshop", Password: cred.Password}, nil); err == nil {
			e4.Close()
			t.Fatal("bind with a deleted credential")
		}
		r = a.do(t, http.MethodGet, credsPath, s.AccessToken, "")
		want(t, "list credentials", r, http.StatusOK, "")
		if strings.Contains(string(r.body), "annshop") || strings.Contains(string(r.body), "password") {
			t.Fatalf("credentials after delete: %s", r.body)
		}

		// The audit log has the logins and the key and credential changes.
		entries, err := a.st.ListAudit(ctx, accID, 0, 1000)
		if err != nil {
			t.Fatal(err)
		}
		seen := map[string]bool{}
		for _, e := range entries {
			seen[e.Action] = true
		}
		for _, act := range []string{"account.register", "login", "login.failed", "logout", "api_key.create", "api_key.revoke",
			"password.reset", "password.change", "user.create", "smpp_credential.create", "smpp_credential.update", "smpp_credential.delete"} {
			if !seen[act] {
				t.Errorf("audit log lacks %s: %v", act, seen)
			}
		}

		// Login attempts per email are limited.
		for i := range 10 {
			want(t, fmt.Sprint("attempt ", i), a.do(t, http.MethodPost, "/v1/auth/login", "",
				`{"email":"guess@example.com","password":"wrong password"}`), http.StatusUnauthorized, "unauthorized")
		}
		r = a.do(t, http.MethodPost, "/v1/auth/login", "", `{"email":"guess@example.com","password":"wrong password"}`)
		want(t, "attempt 11", r, http.StatusTooManyRequests, "rate-limited")
		if ra, _ := strconv.Atoi(r.header.Get("Retry-After")); ra < 1 {
			t.Fatalf("Retry-After %q", r.header.Get("Retry-After"))
		}

		// A suspended account's sessions are refused.
		if err := a.st.SetAccountStatus(ctx, accID, store.AccountSuspended); err != nil {
			t.Fatal(err)
		}
		eventually(t, "a suspended account's session refused", func() (bool, string) {
			r := a.do(t, http.MethodGet, "/v1/me", s.AccessToken, "")
			return r.status == http.StatusForbidden && r.problemType(t) == "forbidden", fmt.Sprintf("%d %s", r.status, r.body)
		})
		want(t, "suspended login", a.do(t, http.MethodPost, "/v1/auth/login", "",
			jsonBody(t, map[string]string{"email": email, "password": pw})), http.StatusForbidden, "forbidden")
	})
}

// TestAdminUserCreate: the CLI bootstraps the platform admin, refuses an
// admin on a customer account and bad flags.
func TestAdminUserCreate(t *testing.T) {
	f := newAdminFixture(t, storetest.SQLite)
	ctx := testContext(t)
	st, err := store.Open(ctx, store.Config{Driver: f.cfg.Store.Driver, DSN: f.cfg.Store.DSN}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if _, err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	platform := &store.Account{Name: "Operator", Kind: store.KindPlatform}
	customer := &store.Account{Name: "Shop"}
	for _, a := range []*store.Account{platform, customer} {
		if err := st.CreateAccount(ctx, a); err != nil {
			t.Fatal(err)
		}
	}
	var u struct {
		ID            string `json:"id"`
		AccountID     string `json:"account_id"`
		Email         string `json:"email"`
		Role          string `json:"role"`
		CanSend       bool   `json:"can_send"`
		EmailVerified bool   `json:"email_verified"`
		CreatedAt     string `json:"created_at"`
		Disabled      bool   `json:"disabled"`
	}
	f.ok(&u, "user", "create", "--email", "Root@Example.com", "--password", "operator password", "--role", "admin",
		"--account", strconv.FormatInt(platform.ID, 10))
	if u.Email != "root@example.com" || u.Role != "admin" || u.AccountID != strconv.FormatInt(platform.ID, 10) {
		t.Fatalf("created %+v", u)
	}
	got, err := st.UserByEmail(ctx, "root@example.com")
	if err != nil || got.Role != "admin" || got.PasswordHash == "" || strings.Contains(got.PasswordHash, "operator") {
		t.Fatalf("stored user %+v, %v", got, err)
	}
	if _, err := f.run("user", "create", "--email", "x@example.com", "--password", "operator password", "--role", "admin",
		"--account", strconv.FormatInt(customer.ID, 10)); err == nil || !strings.Contains(err.Error(), "platform") {
		t.Fatalf("admin on a customer account: %v", err)
	}
	for _, args := range [][]string{
		{"user", "create", "--email", "y@example.com", "--password", "operator password", "--role", "king", "--account", "1"},
		{"user", "create", "--email", "y@example.com", "--role", "owner", "--account", "1"},
		{"user", "create", "--email", "y@example.com", "--password", "operator password", "--role", "owner"},
	} {
		var ue usageError
		if _, err := f.run(args...); !errors.As(err, &ue) {
			t.Errorf("admin %v: %v, want a usage error", args, err)
		}
	}
}
