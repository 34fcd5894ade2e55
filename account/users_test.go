package account

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"golang.org/x/crypto/bcrypt"

	"github.com/gallant-sms/gallant/store"
	"github.com/gallant-sms/gallant/store/storetest"
)

const (
	resetBase  = "https://dash.test/reset?token="
	verifyBase = "https://dash.test/verify?token="
)

// newUsers returns user flows over a fresh store of driver, mailing to a
// local sink.
func newUsers(t testing.TB, driver string, tweak func(*UsersConfig)) (*Users, *Service, *smtpSink) {
	t.Helper()
	svc, _ := newService(t, driver)
	sink := newSMTPSink(t)
	m, err := NewSMTPMailer(SMTPConfig{Addr: sink.addr(), From: "noreply@gallant.test", Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	cfg := UsersConfig{TokenSecret: testSecret, Argon2: testArgon2, Mailer: m, OpenRegistration: true,
		ResetLinkBase: resetBase, VerifyLinkBase: verifyBase}
	if tweak != nil {
		tweak(&cfg)
	}
	u, err := NewUsers(svc, cfg)
	if err != nil {
		t.Fatal(err)
	}
	return u, svc, sink
}

// signUp registers email, verifies it with the mailed token and returns
// the user.
func signUp(t *testing.T, u *Users, sink *smtpSink, email, password, name string) *store.User {
	t.Helper()
	ctx := t.Context()
	if err := u.Register(ctx, email, password, name, "192.0.2.200"); err != nil {
		t.Fatalf("register %s: %v", email, err)
	}
	m := sink.next(t)
	if _, err := u.VerifyEmail(ctx, tokenAfter(t, m, verifyBase)); err != nil {
		t.Fatalf("verify %s: %v", email, err)
	}
	su, err := u.st.UserByEmail(ctx, email)
	if err != nil {
		t.Fatal(err)
	}
	return su
}

func TestNewUsersNeedsSecret(t *testing.T) {
	svc, _ := newService(t, "sqlite")
	if _, err := NewUsers(svc, UsersConfig{TokenSecret: []byte("short")}); err == nil {
		t.Fatal("short secret accepted")
	}
	for _, p := range []Argon2Params{{Memory: 64, Time: 1}, {Memory: 64, Threads: 1}, {Memory: 4, Time: 1, Threads: 1}, {Memory: 1 << 30, Time: 1, Threads: 1}} {
		if _, err := NewUsers(svc, UsersConfig{TokenSecret: testSecret, Argon2: p}); err == nil {
			t.Errorf("argon2 parameters %+v accepted", p)
		}
	}
}

func TestNormalizeEmail(t *testing.T) {
	for in, want := range map[string]string{" Ann@Example.COM ": "ann@example.com", "b.c+tag@x.io": "b.c+tag@x.io"} {
		if got, err := NormalizeEmail(in); err != nil || got != want {
			t.Errorf("NormalizeEmail(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "ann", "Ann <ann@example.com>", "a@b@c", strings.Repeat("a", 250) + "@x.io", "ann@example.com\r\nBcc: x@y.z"} {
		if _, err := NormalizeEmail(bad); !errors.Is(err, ErrBadEmail) {
			t.Errorf("NormalizeEmail(%q): %v, want ErrBadEmail", bad, err)
		}
	}
}

func TestUserLifecycle(t *testing.T) {
	forEachDriver(t, func(t *testing.T, driver string) {
		ctx := context.Background()
		u, svc, sink := newUsers(t, driver, nil)
		const ip = "192.0.2.1"

		if err := u.Register(ctx, " Ann@Example.com", "first password", "Acme", ip); err != nil {
			t.Fatal(err)
		}
		ann, err := u.st.UserByEmail(ctx, "ann@example.com")
		if err != nil || ann.Role != "owner" || !ann.EmailVerifiedAt.IsZero() || !ann.SelfRegistered {
			t.Fatalf("registered: %+v, %v", ann, err)
		}
		if keys, err := u.st.ListAPIKeys(ctx, ann.AccountID); err != nil || len(keys) != 0 {
			t.Fatalf("a signed-up account has keys: %+v, %v", keys, err)
		}
		type regRef struct{ User, Account struct{ ID, AccountID int64 } }
		var reg regRef
		reg.User.ID, reg.Account.AccountID = ann.ID, ann.AccountID
		if err := u.Register(ctx, "bob@example.com", "short", "Bob", ip); !errors.Is(err, ErrWeakPassword) {
			t.Fatalf("weak password: %v", err)
		}

		// Email verification, single use.
		vm := sink.next(t)
		if vm.To != "ann@example.com" {
			t.Fatalf("verification mail to %q", vm.To)
		}
		vtok := tokenAfter(t, vm, verifyBase)
		if got, err := u.VerifyEmail(ctx, vtok); err != nil || !got.EmailVerified {
			t.Fatalf("verify: %+v, %v", got, err)
		}
		if _, err := u.VerifyEmail(ctx, vtok); !errors.Is(err, ErrBadToken) {
			t.Fatalf("second verify: %v", err)
		}
		// Signing up again with the address answers the same, creates
		// nothing, and mails its owner.
		if err := u.Register(ctx, "ANN@example.com", "other password", "Acme 2", ip); err != nil {
			t.Fatalf("second registration: %v", err)
		}
		if tm := sink.next(t); tm.To != "ann@example.com" || !strings.Contains(tm.Data, "Someone tried to sign up") ||
			!strings.Contains(tm.Data, "reset it") {
			t.Fatalf("notice to the owner: %+v", tm)
		}

		// Login.
		for _, bad := range [][2]string{{"ann@example.com", "wrong password"}, {"nobody@example.com", "first password"}, {"not an email", "x"}} {
			if _, err := u.Login(ctx, bad[0], bad[1], ip); !errors.Is(err, ErrUnauthorized) {
				t.Fatalf("login %q: %v", bad[0], err)
			}
		}
		s1, err := u.Login(ctx, "ANN@example.com", "first password", ip)
		if err != nil {
			t.Fatal(err)
		}
		who, err := u.Authenticate(ctx, s1.AccessToken)
		want := Actor{UserID: reg.User.ID, AccountID: reg.Account.AccountID, Role: RoleOwner, CanSend: true}
		if err != nil || who != want || s1.Actor != want {
			t.Fatalf("Authenticate = %+v, %v; want %+v", who, err, want)
		}
		if _, err := u.Authenticate(ctx, s1.AccessToken[:len(s1.AccessToken)-2]+"xx"); !errors.Is(err, ErrUnauthorized) {
			t.Fatalf("tampered access token: %v", err)
		}
		real := u.now
		u.now = func() time.Time { return real().Add(16 * time.Minute) }
		if _, err := u.Authenticate(ctx, s1.AccessToken); !errors.Is(err, ErrUnauthorized) {
			t.Fatalf("expired access token: %v", err)
		}
		u.now = real

		// Refresh rotates; the old token is then reuse and kills the family.
		s2, err := u.Refresh(ctx, s1.RefreshToken, ip)
		if err != nil || s2.RefreshToken == s1.RefreshToken || s2.Actor != want {
			t.Fatalf("refresh: %+v, %v", s2, err)
		}
		if _, err := u.Refresh(ctx, s1.RefreshToken, ip); !errors.Is(err, ErrUnauthorized) {
			t.Fatalf("old refresh token: %v", err)
		}
		if _, err := u.Refresh(ctx, s2.RefreshToken, ip); !errors.Is(err, ErrUnauthorized) {
			t.Fatalf("refresh token of a family revoked for reuse: %v", err)
		}
		for _, bad := range []string{"", "grt_short", s1.AccessToken} {
			if _, err := u.Refresh(ctx, bad, ip); !errors.Is(err, ErrUnauthorized) {
				t.Fatalf("refresh %q: %v", bad, err)
			}
		}

		// Logout revokes.
		s3, err := u.Login(ctx, "ann@example.com", "first password", ip)
		if err != nil {
			t.Fatal(err)
		}
		if err := u.Logout(ctx, s3.RefreshToken, ip); err != nil {
			t.Fatal(err)
		}
		if _, err := u.Refresh(ctx, s3.RefreshToken, ip); !errors.Is(err, ErrUnauthorized) {
			t.Fatalf("refresh after logout: %v", err)
		}
		if err := u.Logout(ctx, "grt_"+strings.Repeat("x", 43), ip); !errors.Is(err, ErrUnauthorized) {
			t.Fatalf("logout of an unknown token: %v", err)
		}

		// Password change ends the other sessions.
		s4, err := u.Login(ctx, "ann@example.com", "first password", ip)
		if err != nil {
			t.Fatal(err)
		}
		if err := u.ChangePassword(ctx, reg.User.ID, "not my password", "second password", ip); !errors.Is(err, ErrUnauthorized) {
			t.Fatalf("change with a wrong old password: %v", err)
		}
		if err := u.ChangePassword(ctx, reg.User.ID, "first password", "second password", ip); err != nil {
			t.Fatal(err)
		}
		if _, err := u.Refresh(ctx, s4.RefreshToken, ip); !errors.Is(err, ErrUnauthorized) {
			t.Fatalf("session survived a password change: %v", err)
		}
		if _, err := u.Authenticate(ctx, s4.AccessToken); !errors.Is(err, ErrSessionEnded) {
			t.Fatalf("access token survived a password change: %v", err)
		}
		if _, err := u.Login(ctx, "ann@example.com", "first password", ip); !errors.Is(err, ErrUnauthorized) {
			t.Fatalf("old password still works: %v", err)
		}

		// Reset by mail, once. An unknown email answers the same and
		// sends nothing (the next mail is Ann's). Of two reset tokens,
		// using one voids the other.
		if err := u.RequestPasswordReset(ctx, "nobody@example.com", ip); err != nil {
			t.Fatalf("reset for unknown email: %v", err)
		}
		var rtoks []string
		for range 2 {
			if err := u.RequestPasswordReset(ctx, "ann@example.com", ip); err != nil {
				t.Fatal(err)
			}
			rm := sink.next(t)
			if rm.To != "ann@example.com" || !strings.Contains(rm.Data, "Subject: Reset your Gallant SMS password") {
				t.Fatalf("reset mail: %+v", rm)
			}
			rtoks = append(rtoks, tokenAfter(t, rm, resetBase))
		}
		rtok := rtoks[0]
		if err := u.ResetPassword(ctx, rtok, "third password", ip); err != nil {
			t.Fatal(err)
		}
		if err := u.ResetPassword(ctx, rtok, "fourth password", ip); !errors.Is(err, ErrBadToken) {
			t.Fatalf("reset token used twice: %v", err)
		}
		if err := u.ResetPassword(ctx, rtoks[1], "fourth password", ip); !errors.Is(err, ErrBadToken) {
			t.Fatalf("the other reset token survived the reset: %v", err)
		}
		if _, err := u.Login(ctx, "ann@example.com", "third password", ip); err != nil {
			t.Fatalf("login with the reset password: %v", err)
		}
		// An expired reset token is refused.
		if err := u.RequestPasswordReset(ctx, "ann@example.com", ip); err != nil {
			t.Fatal(err)
		}
		late := tokenAfter(t, sink.next(t), resetBase)
		u.now = func() time.Time { return real().Add(61 * time.Minute) }
		if err := u.ResetPassword(ctx, late, "fifth password", ip); !errors.Is(err, ErrBadToken) {
			t.Fatalf("expired reset token: %v", err)
		}
		u.now = real

		// Suspended accounts cannot log in.
		if err := svc.st.SetAccountStatus(ctx, reg.Account.AccountID, store.AccountSuspended); err != nil {
			t.Fatal(err)
		}
		if _, err := u.Login(ctx, "ann@example.com", "third password", ip); !errors.Is(err, ErrSuspended) {
			t.Fatalf("login to a suspended account: %v", err)
		}

		// The audit log saw it, and only the owner and admins read it.
		owner := Actor{UserID: reg.User.ID, AccountID: reg.Account.AccountID, Role: RoleOwner}
		entries, err := svc.ReadAudit(ctx, owner, reg.Account.AccountID, 0, 100)
		if err != nil {
			t.Fatal(err)
		}
		seen := map[string]int{}
		for _, e := range entries {
			seen[e.Action]++
			if e.AccountID != reg.Account.AccountID {
				t.Fatalf("owner read another account's entry %+v", e)
			}
		}
		for _, a := range []string{"account.register", "account.register_existing", "login", "login.failed", "logout", "password.change",
			"password.change_failed", "password.reset", "password.reset_requested"} {
			if seen[a] == 0 {
				t.Errorf("audit log lacks %q: %v", a, seen)
			}
		}
		member := Actor{UserID: 99, AccountID: reg.Account.AccountID, Role: RoleMember, CanSend: true}
		if _, err := svc.ReadAudit(ctx, member, reg.Account.AccountID, 0, 10); !errors.Is(err, ErrForbidden) {
			t.Fatalf("member read the audit log: %v", err)
		}
		if _, err := svc.ReadAudit(ctx, owner, store.AuditAllAccounts, 0, 10); !errors.Is(err, ErrForbidden) {
			t.Fatalf("owner read every account's audit log: %v", err)
		}
		admin := Actor{UserID: 100, AccountID: 12345, Role: RoleAdmin}
		all, err := svc.ReadAudit(ctx, admin, store.AuditAllAccounts, 0, 1000)
		if err != nil || len(all) <= len(entries) {
			t.Fatalf("admin read %d entries (owner %d), %v; want more (unknown-email failures)", len(all), len(entries), err)
		}
	})
}

func TestLoginRateLimits(t *testing.T) {
	ctx := context.Background()
	u, _, _ := newUsers(t, "sqlite", func(c *UsersConfig) {
		c.LoginPerEmail = Rate{Max: 3, Window: time.Minute}
		c.LoginPerIP = Rate{Max: 5, Window: time.Minute}
		c.ResetPerEmail = Rate{Max: 2, Window: time.Hour}
	})
	if err := u.Register(ctx, "ann@example.com", "first password", "Acme", "192.0.2.9"); err != nil {
		t.Fatal(err)
	}
	// Per email: the fourth guess is refused, even the right password,
	// from another address.
	for i := range 3 {
		if _, err := u.Login(ctx, "ann@example.com", "guess", "192.0.2.1"); !errors.Is(err, ErrUnauthorized) {
			t.Fatalf("guess %d: %v", i, err)
		}
	}
	_, err := u.Login(ctx, "ann@example.com", "first password", "192.0.2.2")
	var rl *RateLimitError
	if !errors.As(err, &rl) || rl.RetryAfter <= 0 || rl.RetryAfter > time.Minute {
		t.Fatalf("fourth attempt: %v", err)
	}
	// Per address: one address spraying many emails is cut off.
	for i := range 5 {
		_, err := u.Login(ctx, "user"+string(rune('a'+i))+"@example.com", "guess", "192.0.2.3")
		if !errors.Is(err, ErrUnauthorized) {
			t.Fatalf("spray %d: %v", i, err)
		}
	}
	if _, err := u.Login(ctx, "usery@example.com", "guess", "192.0.2.3"); !errors.Is(err, ErrRateLimited) {
		t.Fatalf("sixth attempt from one address: %v", err)
	}
	// Reset requests per email.
	for range 2 {
		if err := u.RequestPasswordReset(ctx, "ann@example.com", "192.0.2.4"); err != nil {
			t.Fatal(err)
		}
	}
	if err := u.RequestPasswordReset(ctx, "ann@example.com", "192.0.2.5"); !errors.Is(err, ErrRateLimited) {
		t.Fatalf("third reset request: %v", err)
	}
}

func TestAddUserRoles(t *testing.T) {
	ctx := context.Background()
	u, svc, sink := newUsers(t, "sqlite", nil)
	su := signUp(t, u, sink, "owner@example.com", "owner password", "Acme")
	other, err := svc.CreateAccount(ctx, "Other")
	if err != nil {
		t.Fatal(err)
	}
	owner := Actor{UserID: su.ID, AccountID: su.AccountID, Role: RoleOwner}
	m, err := u.AddUser(ctx, owner, NewUser{AccountID: owner.AccountID, Email: "reader@example.com", Password: "reader password", Role: RoleMember}, "")
	if err != nil || m.Role != RoleMember || m.CanSend {
		t.Fatalf("add member: %+v, %v", m, err)
	}
	if _, err := u.AddUser(ctx, owner, NewUser{AccountID: owner.AccountID, Email: "boss@example.com", Password: "boss password", Role: RoleAdmin}, ""); !errors.Is(err, ErrForbidden) {
		t.Fatalf("owner made an admin: %v", err)
	}
	if _, err := u.AddUser(ctx, owner, NewUser{AccountID: other.AccountID, Email: "spy@example.com", Password: "spy password", Role: RoleMember}, ""); !errors.Is(err, ErrForbidden) {
		t.Fatalf("owner added a user to another account: %v", err)
	}
	s, err := u.Login(ctx, "reader@example.com", "reader password", "")
	if err != nil {
		t.Fatal(err)
	}
	reader, err := u.Authenticate(ctx, s.AccessToken)
	if err != nil || reader.Role != RoleMember || reader.CanSend {
		t.Fatalf("member actor: %+v, %v", reader, err)
	}
	if _, err := u.AddUser(ctx, reader, NewUser{AccountID: owner.AccountID, Email: "x@example.com", Password: "x password!", Role: RoleMember}, ""); !errors.Is(err, ErrForbidden) {
		t.Fatalf("member added a user: %v", err)
	}
}

// TestNoMailerMakesNoTokens: without a mailer, sign-up, password reset
// and verification requests are ErrMailUnavailable whatever the email,
// no token is made and nothing reaches the log but the refusal.
func TestNoMailerMakesNoTokens(t *testing.T) {
	ctx := context.Background()
	st := storetest.Open(t, storetest.SQLite)
	var buf strings.Builder
	var mu sync.Mutex
	logger := slog.New(slog.NewTextHandler(lockedWriter{&mu, &buf}, &slog.HandlerOptions{Level: slog.LevelDebug}))
	svc := New(st, logger)
	svc.SetPasswordCost(bcrypt.MinCost)
	u, err := NewUsers(svc, UsersConfig{TokenSecret: testSecret, Argon2: testArgon2, ResetLinkBase: resetBase, OpenRegistration: true})
	if err != nil {
		t.Fatal(err)
	}
	if err := u.Register(ctx, "new@example.com", "first password", "Acme", ""); !errors.Is(err, ErrMailUnavailable) {
		t.Fatalf("register without mail: %v", err)
	}
	acct, err := svc.CreateAccount(ctx, "Ops")
	if err != nil {
		t.Fatal(err)
	}
	ann, err := u.CreateUser(ctx, NewUser{AccountID: acct.AccountID, Email: "ann@example.com", Password: "first password", Role: RoleOwner})
	if err != nil {
		t.Fatal(err)
	}
	for _, email := range []string{"ann@example.com", "nobody@example.com"} {
		if err := u.RequestPasswordReset(ctx, email, ""); !errors.Is(err, ErrMailUnavailable) {
			t.Fatalf("reset for %s without mail: %v", email, err)
		}
	}
	if err := u.ResendVerification(ctx, ann.ID, ""); !errors.Is(err, ErrMailUnavailable) {
		t.Fatalf("verification without mail: %v", err)
	}
	for _, kind := range []string{"reset", "verify"} {
		if n, err := st.LiveUserTokens(ctx, ann.ID, kind, time.Now()); err != nil || n != 0 {
			t.Fatalf("%d %s tokens made without a mailer, %v", n, kind, err)
		}
	}
	mu.Lock()
	logged := buf.String()
	mu.Unlock()
	if strings.Contains(logged, resetBase) || strings.Contains(logged, "body") {
		t.Fatalf("a mail reached the log:\n%s", logged)
	}
	if got := refusals(svc, RefusedMailUnavailable); got != 4 {
		t.Fatalf("mail_unavailable refusals %v, want 4", got)
	}
}

// refusals reads gallant_auth_refusals_total{reason} of svc.
func refusals(svc *Service, reason string) float64 {
	var m dto.Metric
	if err := svc.m.refusals.WithLabelValues(reason).Write(&m); err != nil {
		panic(err)
	}
	return m.GetCounter().GetValue()
}

type lockedWriter struct {
	mu *sync.Mutex
	w  *strings.Builder
}

func (l lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}
