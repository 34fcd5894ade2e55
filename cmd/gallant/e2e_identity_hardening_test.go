package main

// End-to-end tests of the identity defences (sign-up that cannot send
// until verified, registration that neither enumerates nor relays mail,
// reset tokens and sessions that end everywhere, answers bearing secrets
// never cached, system_ids of other tenants), over HTTP on the app as
// serve builds it. They configure the app through the environment keys an operator would
// use, so that they run, and fail, against a gateway without the fixes.

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/gallant-sms/gallant/account"
	"github.com/gallant-sms/gallant/internal/config"
	"github.com/gallant-sms/gallant/store"
	"github.com/gallant-sms/gallant/store/storetest"
)

// withEnv applies GALLANT_ variables to cfg as serve would.
func withEnv(t testing.TB, cfg *config.Config, env ...string) {
	t.Helper()
	if err := config.ApplyEnv(cfg, env); err != nil {
		t.Fatal(err)
	}
}

// withSink points cfg's mail section at sink.
func withSink(cfg *config.Config, sink *mailSink) {
	host, port, _ := net.SplitHostPort(sink.ln.Addr().String())
	cfg.Mail = config.MailConfig{SMTPHost: host, From: "noreply@gallant.test"}
	cfg.Mail.SMTPPort, _ = strconv.Atoi(port)
}

// logBuffer is a log sink a test can read.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

// startAppLogged is startApp with the app's log, at debug level, kept in
// the returned buffer.
func startAppLogged(t *testing.T, cfg config.Config) (*testApp, *logBuffer) {
	t.Helper()
	cfg.FillDefaults()
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	logs := &logBuffer{}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	a, err := newApp(ctx, cfg, slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})))
	if err != nil {
		t.Fatalf("newApp: %v", err)
	}
	ta := &testApp{app: a, t: t}
	if err := a.start(ctx); err != nil {
		t.Fatalf("start: %v", err)
	}
	ta.base = "http://" + a.httpAddr.String()
	t.Cleanup(ta.stop)
	return ta, logs
}

// refusalCount reads gallant_auth_refusals_total{reason} from a's
// registry (-1 when the series does not exist).
func refusalCount(t *testing.T, a *testApp, reason string) float64 {
	t.Helper()
	mfs, err := a.reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() != "gallant_auth_refusals_total" {
			continue
		}
		for _, m := range mf.GetMetric() {
			for _, l := range m.GetLabel() {
				if l.GetName() == "reason" && l.GetValue() == reason {
					return m.GetCounter().GetValue()
				}
			}
		}
	}
	return -1
}

// TestE2EAnonymousSignupCannotSend: with the default
// configuration nobody can sign up; with sign-up open, a new account has
// no key, and its owner can neither make one nor an SMPP credential nor
// send until it has verified its email: each refusal is a clear 403
// email-unverified, counted. Once verified, all of it works.
func TestE2EAnonymousSignupCannotSend(t *testing.T) {
	t.Parallel()
	sink := newMailSink(t)
	carrier := newCarrier(t, nil)
	cfg := testConfig(t, "sqlite", carrier.Addr())
	withSink(&cfg, sink)
	closed := startApp(t, cfg)
	const email, pw = "anon@example.com", "anonymous password"
	signup := jsonBody(t, map[string]string{"email": email, "password": pw, "account_name": "Anon"})
	want(t, "register with the defaults", closed.do(t, http.MethodPost, "/v1/auth/register", "", signup), http.StatusForbidden, "forbidden")
	closed.stop()

	cfg = testConfig(t, "sqlite", carrier.Addr())
	withSink(&cfg, sink)
	withEnv(t, &cfg, "GALLANT_AUTH_OPEN_REGISTRATION=true", "GALLANT_AUTH_ALLOW_UNBILLED_REGISTRATION=true")
	a := startApp(t, cfg)
	a.acc.SetPasswordCost(bcrypt.MinCost)
	r := a.do(t, http.MethodPost, "/v1/auth/register", "", signup)
	want(t, "register", r, http.StatusAccepted, "")
	if strings.Contains(string(r.body), "gal_") || strings.Contains(string(r.body), "password") {
		t.Fatalf("the sign-up answer carries credentials: %s", r.body)
	}
	verify := sink.token(t, email)
	s := a.login(t, email, pw)
	acct := s.User.AccountID
	keys := a.do(t, http.MethodGet, "/v1/accounts/"+acct+"/keys", s.AccessToken, "")
	want(t, "list keys", keys, http.StatusOK, "")
	if strings.Contains(string(keys.body), `"prefix"`) {
		t.Fatalf("a signed-up account has a key: %s", keys.body)
	}
	msg := `{"to":"+447700900123","text":"free message"}`
	for _, c := range []struct{ what, method, path, body string }{
		{"create a key", http.MethodPost, "/v1/accounts/" + acct + "/keys", `{"name":"k","scopes":["send"]}`},
		{"create an smpp credential", http.MethodPost, "/v1/accounts/" + acct + "/smpp-credentials", `{"system_id":"anon1"}`},
		{"send", http.MethodPost, "/v1/messages", msg},
		{"send a batch", http.MethodPost, "/v1/messages/batch", `{"messages":[` + msg + `]}`},
		{"add a user", http.MethodPost, "/v1/accounts/" + acct + "/users", `{"email":"mule@example.com","password":"mule password","role":"owner"}`},
	} {
		r := a.do(t, c.method, c.path, s.AccessToken, c.body)
		want(t, c.what+" before verifying", r, http.StatusForbidden, "email-unverified")
		if !strings.Contains(string(r.body), "verify") {
			t.Errorf("%s: the problem does not say what to do: %s", c.what, r.body)
		}
	}
	if n := refusalCount(t, a, account.RefusedEmailUnverified); n != 5 {
		t.Errorf("email_unverified refusals %v, want 5", n)
	}
	want(t, "verify", a.do(t, http.MethodPost, "/v1/auth/verify-email", "", jsonBody(t, map[string]string{"token": verify})), http.StatusOK, "")
	r = a.do(t, http.MethodPost, "/v1/accounts/"+acct+"/keys", s.AccessToken, `{"name":"k","scopes":["send","read"]}`)
	want(t, "create a key once verified", r, http.StatusCreated, "")
	var key struct {
		Key string `json:"key"`
	}
	r.json(t, &key)
	sent := a.send(t, key.Key, map[string]any{"to": "+447700900123", "text": "verified message"})
	a.waitStatus(t, key.Key, sent.ID, "delivered")
	want(t, "send from the session once verified", a.do(t, http.MethodPost, "/v1/messages", s.AccessToken, msg), http.StatusAccepted, "")
}

// TestE2EServeRefusesUnbilledRegistration (point 3): open registration
// with billing off stops the gateway at start, unless explicitly
// allowed, which is then logged as a warning.
func TestE2EServeRefusesUnbilledRegistration(t *testing.T) {
	t.Parallel()
	carrier := newCarrier(t, nil)
	cfg := testConfig(t, "sqlite", carrier.Addr())
	withEnv(t, &cfg, "GALLANT_AUTH_OPEN_REGISTRATION=true")
	cfg.FillDefaults()
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	ctx := testContext(t)
	if a, err := newApp(ctx, cfg, testLogger(t)); err == nil {
		a.release()
		t.Fatal("serve started with open registration and billing off")
	} else if !strings.Contains(err.Error(), "billing") || !strings.Contains(err.Error(), "allow_unbilled_registration") {
		t.Fatalf("the refusal does not say why and how: %v", err)
	}
	withEnv(t, &cfg, "GALLANT_AUTH_ALLOW_UNBILLED_REGISTRATION=true")
	_, logs := startAppLogged(t, cfg)
	var warned bool
	for line := range strings.Lines(logs.String()) {
		warned = warned || (strings.Contains(line, "level=WARN") && strings.Contains(line, "UNBILLED OPEN REGISTRATION"))
	}
	if !warned {
		t.Fatalf("no warning about unbilled open registration:\n%s", logs)
	}
	// With billing on, open registration starts without that warning.
	cfg = testConfig(t, "sqlite", carrier.Addr())
	withEnv(t, &cfg, "GALLANT_AUTH_OPEN_REGISTRATION=true", "GALLANT_BILLING_ENABLED=true")
	_, logs = startAppLogged(t, cfg)
	if strings.Contains(logs.String(), "UNBILLED") {
		t.Fatalf("warned with billing on:\n%s", logs)
	}
}

// TestE2ERegisterDoesNotEnumerate (point 3): signing up with a taken
// email answers exactly as with a new one (status, headers, body, about
// the same time), creates nothing, and mails the address's owner a
// notice without a token; the new address gets its verification mail.
func TestE2ERegisterDoesNotEnumerate(t *testing.T) {
	t.Parallel()
	eachDriver(t, func(t *testing.T, driver string) {
		sink := newMailSink(t)
		carrier := newCarrier(t, nil)
		cfg := testConfig(t, driver, carrier.Addr())
		withSink(&cfg, sink)
		withEnv(t, &cfg, "GALLANT_AUTH_OPEN_REGISTRATION=true", "GALLANT_AUTH_ALLOW_UNBILLED_REGISTRATION=true")
		cfg.HTTP.RateLimitPerIP = 0
		a := startApp(t, cfg)
		ctx := testContext(t)
		acct := &store.Account{Name: "Owner"}
		if err := a.st.CreateAccount(ctx, acct); err != nil {
			t.Fatal(err)
		}
		if _, err := a.users.CreateUser(ctx, account.NewUser{AccountID: acct.ID, Email: "taken@example.com",
			Password: "the owner's password", Role: account.RoleOwner}); err != nil {
			t.Fatal(err)
		}
		sink.token(t, "taken@example.com")
		owner, err := a.st.UserByEmail(ctx, "taken@example.com")
		if err != nil {
			t.Fatal(err)
		}
		register := func(email string) (httpAnswer, time.Duration) {
			start := time.Now()
			r := a.do(t, http.MethodPost, "/v1/auth/register", "",
				jsonBody(t, map[string]string{"email": email, "password": "a stranger's password", "account_name": "Stranger"}))
			return r, time.Since(start)
		}
		// Alternate, so that both see the same load; three of each (the
		// per-email limit).
		var took [2][]time.Duration
		var answers [2]httpAnswer
		for i := range 6 {
			which, email := i%2, "taken@example.com"
			if which == 1 {
				email = fmt.Sprintf("new%d@example.com", i)
			}
			r, d := register(email)
			took[which] = append(took[which], d)
			answers[which] = r
			m := sink.next(t, email)
			if got := mailToken.MatchString(m.data); got != (which == 1) {
				t.Fatalf("mail to %s carries a token: %v, want %v:\n%s", email, got, which == 1, m.data)
			}
		}
		taken, fresh := answers[0], answers[1]
		if taken.status != http.StatusAccepted || taken.status != fresh.status || string(taken.body) != string(fresh.body) {
			t.Fatalf("taken: %d %s; new: %d %s", taken.status, taken.body, fresh.status, fresh.body)
		}
		for _, h := range []string{"Content-Type", "Cache-Control", "Location"} {
			if taken.header.Get(h) != fresh.header.Get(h) {
				t.Errorf("%s differs: taken %q, new %q", h, taken.header.Get(h), fresh.header.Get(h))
			}
		}
		still, err := a.st.UserByEmail(ctx, "taken@example.com")
		if err != nil || still.PasswordHash != owner.PasswordHash || still.AccountID != owner.AccountID {
			t.Fatalf("the owner's user changed: %+v, %v", still, err)
		}
		med := func(ds []time.Duration) time.Duration {
			slices.Sort(ds)
			return ds[len(ds)/2]
		}
		mt, mn := med(took[0]), med(took[1])
		t.Logf("register: median %v for a taken email, %v for a new one", mt, mn)
		if d := mt - mn; d > 100*time.Millisecond || d < -100*time.Millisecond {
			t.Errorf("taken and new emails answer %v apart (taken %v, new %v)", d, mt, mn)
		}
	})
}

// TestE2ENoMailRelay (point 4): serve without SMTP answers sign-up,
// password reset (for a known and an unknown email) and verification
// requests with a 503 problem, warns once at start, makes no token and
// logs no mail.
func TestE2ENoMailRelay(t *testing.T) {
	t.Parallel()
	carrier := newCarrier(t, nil)
	cfg := testConfig(t, "sqlite", carrier.Addr())
	withEnv(t, &cfg, "GALLANT_AUTH_OPEN_REGISTRATION=true", "GALLANT_AUTH_ALLOW_UNBILLED_REGISTRATION=true")
	a, logs := startAppLogged(t, cfg)
	ctx := testContext(t)
	plat := &store.Account{Name: "Operator"}
	if err := a.st.CreateAccount(ctx, plat); err != nil {
		t.Fatal(err)
	}
	u, err := a.users.CreateUser(ctx, account.NewUser{AccountID: plat.ID, Email: "ops@example.com", Password: "operator password", Role: account.RoleOwner})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ what, path, body string }{
		{"sign-up", "/v1/auth/register", `{"email":"new@example.com","password":"long enough pw","account_name":"New"}`},
		{"reset of a user", "/v1/auth/password-reset", `{"email":"ops@example.com"}`},
		{"reset of nobody", "/v1/auth/password-reset", `{"email":"nobody@example.com"}`},
	} {
		r := a.do(t, http.MethodPost, c.path, "", c.body)
		want(t, c.what, r, http.StatusServiceUnavailable, "mail-unavailable")
	}
	s := a.login(t, "ops@example.com", "operator password")
	want(t, "verification", a.do(t, http.MethodPost, "/v1/me/verify-email", s.AccessToken, ""), http.StatusServiceUnavailable, "mail-unavailable")
	for _, kind := range []string{"reset", "verify"} {
		if n, err := a.st.LiveUserTokens(ctx, u.ID, kind, time.Now()); err != nil || n != 0 {
			t.Fatalf("%d %s tokens made without a mail relay, %v", n, kind, err)
		}
	}
	logged := logs.String()
	if strings.Contains(logged, "body=") || strings.Contains(logged, "mail not sent") || mailToken.MatchString(logged) {
		t.Fatalf("a mail reached the log:\n%s", logged)
	}
	if n := strings.Count(logged, "mail.smtp_host is empty"); n != 1 {
		t.Fatalf("%d warnings about the missing mail relay, want 1:\n%s", n, logged)
	}
	if n := refusalCount(t, a, account.RefusedMailUnavailable); n != 4 {
		t.Errorf("mail_unavailable refusals %v, want 4", n)
	}
}

// TestE2EResetVoidsOtherResetTokens (point 4): of two reset mails, the
// first link used voids the second; a password change voids any left.
func TestE2EResetVoidsOtherResetTokens(t *testing.T) {
	t.Parallel()
	eachDriver(t, func(t *testing.T, driver string) {
		sink := newMailSink(t)
		carrier := newCarrier(t, nil)
		cfg := testConfig(t, driver, carrier.Addr())
		withSink(&cfg, sink)
		a := startApp(t, cfg)
		ctx := testContext(t)
		acct := &store.Account{Name: "Shop"}
		if err := a.st.CreateAccount(ctx, acct); err != nil {
			t.Fatal(err)
		}
		const email = "ann@example.com"
		if _, err := a.users.CreateUser(ctx, account.NewUser{AccountID: acct.ID, Email: email, Password: "first password", Role: account.RoleOwner}); err != nil {
			t.Fatal(err)
		}
		sink.token(t, email) // the verification mail
		reset := func() string {
			want(t, "ask for a reset", a.do(t, http.MethodPost, "/v1/auth/password-reset", "", `{"email":"`+email+`"}`), http.StatusAccepted, "")
			return sink.token(t, email)
		}
		first, second := reset(), reset()
		confirm := func(tok, pw string) httpAnswer {
			return a.do(t, http.MethodPost, "/v1/auth/password-reset/confirm", "", jsonBody(t, map[string]string{"token": tok, "password": pw}))
		}
		want(t, "first reset link", confirm(first, "second password"), http.StatusNoContent, "")
		want(t, "second reset link after the first", confirm(second, "third password"), http.StatusBadRequest, "invalid-token")
		a.login(t, email, "second password")
		third := reset()
		s := a.login(t, email, "second password")
		want(t, "change password", a.do(t, http.MethodPost, "/v1/me/password", s.AccessToken,
			`{"old_password":"second password","new_password":"fourth password"}`), http.StatusNoContent, "")
		want(t, "reset link after a password change", confirm(third, "fifth password"), http.StatusBadRequest, "invalid-token")
	})
}

// twoInstances starts two apps on one fresh MySQL database with the same
// token secret, as two instances behind a load balancer.
func twoInstances(t *testing.T, env ...string) (*testApp, *testApp) {
	t.Helper()
	carrier := newCarrier(t, nil)
	cfg := testConfig(t, storetest.MySQL, carrier.Addr())
	cfg.Auth.TokenSecret = strings.Repeat("two-instances-", 3)
	cfg.HTTP.RateLimitPerIP, cfg.HTTP.RateLimitPerKey = 0, 0
	withEnv(t, &cfg, env...)
	a := startApp(t, cfg)
	b := startApp(t, cfg)
	a.acc.SetPasswordCost(bcrypt.MinCost)
	return a, b
}

// endedWithin polls GET path on b with token from since until it is
// refused, and fails unless that happens within limit of since.
func endedWithin(t *testing.T, what string, b *testApp, path, token string, since time.Time, limit time.Duration) time.Duration {
	t.Helper()
	for {
		r := b.do(t, http.MethodGet, path, token, "")
		took := time.Since(since)
		if r.status == http.StatusUnauthorized || r.status == http.StatusForbidden {
			if took > limit {
				t.Errorf("%s: the other instance refused the session after %v, want within %v", what, took, limit)
			}
			return took
		}
		if r.status != http.StatusOK {
			t.Fatalf("%s: %d %s", what, r.status, r.body)
		}
		if took > limit+waitLong {
			t.Fatalf("%s: the other instance still serves the session after %v", what, took)
		}
		time.Sleep(10 * time.Millisecond) // bounded poll of a condition
	}
}

// TestE2ESessionsEndOnEveryInstance (point 6): disabling a user, "log
// out everywhere", a password change and removing the user end its
// sessions on a second instance sharing the store within a second; a
// role change reaches its live session there as fast; the refusals are
// counted.
func TestE2ESessionsEndOnEveryInstance(t *testing.T) {
	t.Parallel()
	a, b := twoInstances(t)
	ctx := testContext(t)
	_, adminKey := a.platformAdmin(t, "ops")
	var created createdJSON
	r := a.do(t, http.MethodPost, "/v1/accounts", adminKey, `{"name":"Shop"}`)
	want(t, "create account", r, http.StatusCreated, "")
	r.json(t, &created)
	acct, ownerKey := created.Account.ID, created.APIKey
	usersPath := "/v1/accounts/" + acct + "/users"
	want(t, "add an owner", a.do(t, http.MethodPost, usersPath, ownerKey,
		`{"email":"ann@example.com","password":"ann's password","role":"owner"}`), http.StatusCreated, "")
	r = a.do(t, http.MethodPost, usersPath, ownerKey, `{"email":"bob@example.com","password":"bob's password","role":"member"}`)
	want(t, "add a member", r, http.StatusCreated, "")
	var bob struct {
		ID string `json:"id"`
	}
	r.json(t, &bob)
	bobPath := usersPath + "/" + bob.ID
	probe := "/v1/accounts/" + acct + "/keys" // a read any of bob's sessions may do
	bobPW := "bob's password"
	login := func() string {
		t.Helper()
		tok := a.login(t, "bob@example.com", bobPW).AccessToken
		want(t, "the session on the other instance", b.do(t, http.MethodGet, probe, tok, ""), http.StatusOK, "")
		return tok
	}
	var worst time.Duration
	note := func(d time.Duration) { worst = max(worst, d) }

	// A role change takes effect on the live session, on both instances.
	tok := login()
	want(t, "a member makes a key", b.do(t, http.MethodPost, "/v1/accounts/"+acct+"/keys", tok, `{"name":"x","scopes":["read"]}`),
		http.StatusForbidden, "forbidden")
	changed := time.Now()
	want(t, "promote bob", a.do(t, http.MethodPatch, bobPath, ownerKey, `{"role":"owner"}`), http.StatusOK, "")
	for {
		r := b.do(t, http.MethodPost, "/v1/accounts/"+acct+"/keys", tok, `{"name":"x","scopes":["read"]}`)
		if r.status == http.StatusCreated {
			note(time.Since(changed))
			break
		}
		if time.Since(changed) > time.Second {
			t.Fatalf("the promotion did not reach the other instance within a second: %d %s", r.status, r.body)
		}
		time.Sleep(10 * time.Millisecond) // bounded poll of a condition
	}
	want(t, "demote bob", a.do(t, http.MethodPatch, bobPath, ownerKey, `{"role":"member"}`), http.StatusOK, "")

	changed = time.Now()
	want(t, "disable bob", a.do(t, http.MethodPatch, bobPath, ownerKey, `{"disabled":true}`), http.StatusOK, "")
	note(endedWithin(t, "disabled", b, probe, tok, changed, time.Second))
	want(t, "a disabled user logs in", b.do(t, http.MethodPost, "/v1/auth/login", "",
		jsonBody(t, map[string]string{"email": "bob@example.com", "password": bobPW})), http.StatusForbidden, "user-disabled")
	want(t, "enable bob", a.do(t, http.MethodPatch, bobPath, ownerKey, `{"disabled":false}`), http.StatusOK, "")

	tok = login()
	other := a.login(t, "bob@example.com", bobPW).AccessToken
	changed = time.Now()
	want(t, "log out everywhere", a.do(t, http.MethodPost, "/v1/me/logout-all", other, ""), http.StatusNoContent, "")
	note(endedWithin(t, "logout-all", b, probe, tok, changed, time.Second))

	tok = login()
	changed = time.Now()
	want(t, "change password", a.do(t, http.MethodPost, "/v1/me/password", tok,
		jsonBody(t, map[string]string{"old_password": bobPW, "new_password": "bob's new password"})), http.StatusNoContent, "")
	bobPW = "bob's new password"
	note(endedWithin(t, "password change", b, probe, tok, changed, time.Second))

	tok = login()
	changed = time.Now()
	want(t, "remove bob", a.do(t, http.MethodDelete, bobPath, ownerKey, ""), http.StatusNoContent, "")
	note(endedWithin(t, "removed", b, probe, tok, changed, time.Second))
	t.Logf("slowest change to reach the other instance: %v", worst)

	// The last owner stays.
	r = a.do(t, http.MethodGet, usersPath, ownerKey, "")
	var list struct {
		Items []struct {
			ID string `json:"id"`
		} `json:"items"`
	}
	r.json(t, &list)
	if len(list.Items) != 1 {
		t.Fatalf("users %s", r.body)
	}
	want(t, "remove the last owner", a.do(t, http.MethodDelete, usersPath+"/"+list.Items[0].ID, ownerKey, ""), http.StatusConflict, "last-owner")
	for _, reason := range []string{account.RefusedUserDisabled, account.RefusedSessionRevoked} {
		if n := refusalCount(t, b, reason); n < 1 {
			t.Errorf("%s refusals on the other instance: %v", reason, n)
		}
	}
	audit, err := a.st.ListAudit(ctx, mustID(t, acct), 0, 500)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, e := range audit {
		seen[e.Action] = true
	}
	for _, act := range []string{"user.update", "user.delete", "session.logout_all", "password.change"} {
		if !seen[act] {
			t.Errorf("audit log lacks %s", act)
		}
	}
}

func mustID(t *testing.T, s string) int64 {
	t.Helper()
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// TestE2ESessionMaxAge (point 6): refreshing does not keep a session
// alive past auth.session_max_age after its login.
func TestE2ESessionMaxAge(t *testing.T) {
	t.Parallel()
	carrier := newCarrier(t, nil)
	cfg := testConfig(t, "sqlite", carrier.Addr())
	withEnv(t, &cfg, "GALLANT_AUTH_SESSION_MAX_AGE=2s", "GALLANT_AUTH_ACCESS_TTL=1s")
	a := startApp(t, cfg)
	ctx := testContext(t)
	acct := &store.Account{Name: "Shop"}
	if err := a.st.CreateAccount(ctx, acct); err != nil {
		t.Fatal(err)
	}
	if _, err := a.users.CreateUser(ctx, account.NewUser{AccountID: acct.ID, Email: "ann@example.com", Password: "ann's password", Role: account.RoleOwner}); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	r := a.do(t, http.MethodPost, "/v1/auth/login", "", `{"email":"ann@example.com","password":"ann's password"}`)
	want(t, "login", r, http.StatusOK, "")
	var s sessionOut
	r.json(t, &s)
	refreshes := 0
	for {
		r := a.do(t, http.MethodPost, "/v1/auth/refresh", "", jsonBody(t, map[string]string{"refresh_token": s.RefreshToken}))
		age := time.Since(start)
		if r.status == http.StatusUnauthorized {
			if age < 2*time.Second || refreshes == 0 {
				t.Fatalf("refused after %v and %d refreshes: %s", age, refreshes, r.body)
			}
			break
		}
		want(t, "refresh", r, http.StatusOK, "")
		r.json(t, &s)
		refreshes++
		if age > 2*time.Second+waitLong {
			t.Fatalf("the session still refreshes %v after login", age)
		}
		time.Sleep(100 * time.Millisecond) // bounded poll of a condition
	}
	if n := refusalCount(t, a, account.RefusedSessionMaxAge); n != 1 {
		t.Errorf("session_max_age refusals %v, want 1", n)
	}
}

// TestE2ESecretAnswersNotCached (point 10): every answer that carries a
// secret, and the sign-up answer, says Cache-Control: no-store.
func TestE2ESecretAnswersNotCached(t *testing.T) {
	t.Parallel()
	sink := newMailSink(t)
	carrier := newCarrier(t, nil)
	cfg := testConfig(t, "sqlite", carrier.Addr())
	withSink(&cfg, sink)
	withEnv(t, &cfg, "GALLANT_AUTH_OPEN_REGISTRATION=true", "GALLANT_AUTH_ALLOW_UNBILLED_REGISTRATION=true")
	a := startApp(t, cfg)
	a.acc.SetPasswordCost(bcrypt.MinCost)
	_, adminKey := a.platformAdmin(t, "ops")
	noStore := func(what string, r httpAnswer, code int) httpAnswer {
		t.Helper()
		want(t, what, r, code, "")
		if cc := r.header.Get("Cache-Control"); cc != "no-store" {
			t.Errorf("%s: Cache-Control %q, want no-store", what, cc)
		}
		return r
	}
	noStore("register", a.do(t, http.MethodPost, "/v1/auth/register", "",
		`{"email":"ann@example.com","password":"ann's password","account_name":"Ann"}`), http.StatusAccepted)
	want(t, "verify", a.do(t, http.MethodPost, "/v1/auth/verify-email", "", jsonBody(t, map[string]string{"token": sink.token(t, "ann@example.com")})),
		http.StatusOK, "")
	r := noStore("login", a.do(t, http.MethodPost, "/v1/auth/login", "", `{"email":"ann@example.com","password":"ann's password"}`), http.StatusOK)
	var s sessionOut
	r.json(t, &s)
	r = noStore("refresh", a.do(t, http.MethodPost, "/v1/auth/refresh", "", jsonBody(t, map[string]string{"refresh_token": s.RefreshToken})), http.StatusOK)
	r.json(t, &s)
	acct := s.User.AccountID
	noStore("create a key", a.do(t, http.MethodPost, "/v1/accounts/"+acct+"/keys", s.AccessToken, `{"name":"k","scopes":["read"]}`), http.StatusCreated)
	r = noStore("create an smpp credential", a.do(t, http.MethodPost, "/v1/accounts/"+acct+"/smpp-credentials", s.AccessToken, `{"system_id":"annsecret"}`), http.StatusCreated)
	var cred struct {
		ID string `json:"id"`
	}
	r.json(t, &cred)
	noStore("new smpp password", a.do(t, http.MethodPatch, "/v1/accounts/"+acct+"/smpp-credentials/"+cred.ID, s.AccessToken, `{"generate_password":true}`), http.StatusOK)
	noStore("create an account", a.do(t, http.MethodPost, "/v1/accounts", adminKey, `{"name":"With secrets"}`), http.StatusCreated)
}

// TestE2ESystemIDOfAnotherTenant (point 10): creating an SMPP credential
// whose system_id another account holds answers exactly as a malformed
// system_id does, and says nothing of it existing.
func TestE2ESystemIDOfAnotherTenant(t *testing.T) {
	t.Parallel()
	carrier := newCarrier(t, nil)
	a := startApp(t, testConfig(t, "sqlite", carrier.Addr()))
	a.acc.SetPasswordCost(bcrypt.MinCost)
	mine, theirs := a.customer(t, "Mine", ""), a.customer(t, "Theirs", "")
	// The customer helper's keys send and read; managing needs admin.
	adminKey := func(c customer) string {
		key, err := a.acc.CreateAPIKey(testContext(t), c.AccountID, "admin", []string{account.ScopeAdmin})
		if err != nil {
			t.Fatal(err)
		}
		return key
	}
	path := fmt.Sprintf("/v1/accounts/%d/smpp-credentials", theirs.AccountID)
	want(t, "their credential", a.do(t, http.MethodPost, path, adminKey(theirs), `{"system_id":"shared01"}`), http.StatusCreated, "")
	key := adminKey(mine)
	minePath := fmt.Sprintf("/v1/accounts/%d/smpp-credentials", mine.AccountID)
	taken := a.do(t, http.MethodPost, minePath, key, `{"system_id":"shared01"}`)
	malformed := a.do(t, http.MethodPost, minePath, key, `{"system_id":"bad id"}`)
	if taken.status != malformed.status || string(taken.body) != string(malformed.body) {
		t.Fatalf("taken elsewhere: %d %s\nmalformed: %d %s", taken.status, taken.body, malformed.status, malformed.body)
	}
	want(t, "taken elsewhere", taken, http.StatusBadRequest, "invalid-request")
	for _, w := range []string{"exist", "in use by", "another account", "taken"} {
		if strings.Contains(strings.ToLower(string(taken.body)), w) {
			t.Errorf("the answer says %q: %s", w, taken.body)
		}
	}
}
