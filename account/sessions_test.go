package account

import (
	"context"
	"errors"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/gallant-sms/gallant/store"
)

// TestRegisterClosedByDefault: without OpenRegistration sign-up is
// refused before anything is read or written, and counted.
func TestRegisterClosedByDefault(t *testing.T) {
	u, svc, _ := newUsers(t, "sqlite", func(c *UsersConfig) { c.OpenRegistration = false })
	ctx := t.Context()
	if err := u.Register(ctx, "walk-in@example.com", "long enough pw", "Walk-in", ""); !errors.Is(err, ErrRegistrationClosed) {
		t.Fatalf("register with registration closed: %v", err)
	}
	if _, err := u.st.UserByEmail(ctx, "walk-in@example.com"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("a refused sign-up made its user: %v", err)
	}
	if got := refusals(svc, RefusedRegistrationClosed); got != 1 {
		t.Fatalf("registration_closed refusals %v", got)
	}
}

// TestUnverifiedUserIsRestricted: a self-registered user may log in and
// read its account, but neither send nor create keys, credentials or
// users until it verifies its email; then it may, at once. Another
// account stays invisible to it all along.
func TestUnverifiedUserIsRestricted(t *testing.T) {
	forEachDriver(t, func(t *testing.T, driver string) {
		u, svc, sink := newUsers(t, driver, nil)
		ctx := t.Context()
		if err := u.Register(ctx, "eve@example.com", "long enough pw", "Eve's", ""); err != nil {
			t.Fatal(err)
		}
		vm := sink.next(t)
		sess, err := u.Login(ctx, "eve@example.com", "long enough pw", "")
		if err != nil {
			t.Fatal(err)
		}
		who, err := u.Authenticate(ctx, sess.AccessToken)
		if err != nil || !who.Unverified || who.Role != RoleOwner {
			t.Fatalf("unverified session: %+v, %v", who, err)
		}
		acct := who.AccountID
		other, err := svc.CreateAccount(ctx, "Other")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := svc.ListAPIKeys(ctx, who, acct); err != nil {
			t.Fatalf("read own keys: %v", err)
		}
		if err := svc.CheckVerified(who); !errors.Is(err, ErrEmailUnverified) {
			t.Fatalf("send: %v", err)
		}
		if _, _, err := svc.CreateKey(ctx, who, acct, "k", []string{ScopeSend}, ""); !errors.Is(err, ErrEmailUnverified) {
			t.Fatalf("create key: %v", err)
		}
		if _, _, err := svc.AddSMPPCredential(ctx, who, acct, NewCredential{SystemID: "eve1"}, ""); !errors.Is(err, ErrEmailUnverified) {
			t.Fatalf("create smpp credential: %v", err)
		}
		if _, err := u.AddAccountUser(ctx, who, NewUser{AccountID: acct, Email: "mallory@example.com", Password: "long enough pw",
			Role: RoleOwner}, ""); !errors.Is(err, ErrEmailUnverified) {
			t.Fatalf("add user: %v", err)
		}
		if _, _, err := svc.CreateKey(ctx, who, other.AccountID, "k", []string{ScopeSend}, ""); !errors.Is(err, ErrNoAccount) {
			t.Fatalf("another account: %v, want ErrNoAccount", err)
		}
		if got := refusals(svc, RefusedEmailUnverified); got != 4 {
			t.Fatalf("email_unverified refusals %v, want 4", got)
		}
		if _, err := u.VerifyEmail(ctx, tokenAfter(t, vm, verifyBase)); err != nil {
			t.Fatal(err)
		}
		who, err = u.Authenticate(ctx, sess.AccessToken)
		if err != nil || who.Unverified {
			t.Fatalf("verified session: %+v, %v", who, err)
		}
		if _, key, err := svc.CreateKey(ctx, who, acct, "k", []string{ScopeSend}, ""); err != nil || key == "" {
			t.Fatalf("create key once verified: %v", err)
		}
		// A user added by an owner is not self-registered: not restricted.
		m, err := u.AddAccountUser(ctx, who, NewUser{AccountID: acct, Email: "bob@example.com", Password: "long enough pw",
			Role: RoleMember, CanSend: true}, "")
		if err != nil || m.SelfRegistered {
			t.Fatalf("add member: %+v, %v", m, err)
		}
	})
}

// TestSessionsEndEverywhere: log out everywhere, a password change, a
// disabled or deleted user end access tokens on this instance at once and
// on another one over the same store once its cached state (at most
// userStateTTL old) is read again; a role change reaches live sessions the
// same way.
func TestSessionsEndEverywhere(t *testing.T) {
	forEachDriver(t, func(t *testing.T, driver string) {
		u, svc, sink := newUsers(t, driver, nil)
		ctx := t.Context()
		ann := signUp(t, u, sink, "ann@example.com", "long enough pw", "Shop")
		owner := Actor{UserID: ann.ID, AccountID: ann.AccountID, Role: RoleOwner}
		bob, err := u.AddAccountUser(ctx, owner, NewUser{AccountID: ann.AccountID, Email: "bob@example.com",
			Password: "long enough pw", Role: RoleMember}, "")
		if err != nil {
			t.Fatal(err)
		}
		// A second instance: its own Users over the same store, with a
		// clock of its own.
		u2, err := NewUsers(New(svc.st, nil), u.cfg)
		if err != nil {
			t.Fatal(err)
		}
		now := time.Now()
		u2.now = func() time.Time { return now }
		login := func() Session {
			t.Helper()
			s, err := u.Login(ctx, "bob@example.com", "long enough pw", "")
			if err != nil {
				t.Fatal(err)
			}
			if who, err := u2.Authenticate(ctx, s.AccessToken); err != nil || who.UserID != bob.ID {
				t.Fatalf("session on the other instance: %+v, %v", who, err)
			}
			return s
		}
		ended := func(what string, s Session, want error) {
			t.Helper()
			if _, err := u.Authenticate(ctx, s.AccessToken); !errors.Is(err, want) {
				t.Fatalf("%s, this instance: %v, want %v", what, err, want)
			}
			if _, err := u.Refresh(ctx, s.RefreshToken, ""); err == nil {
				t.Fatalf("%s: the refresh token still works", what)
			}
			now = now.Add(userStateTTL)
			if _, err := u2.Authenticate(ctx, s.AccessToken); !errors.Is(err, want) {
				t.Fatalf("%s, other instance after %v: %v, want %v", what, userStateTTL, err, want)
			}
		}

		s := login()
		if err := u.LogoutAll(ctx, bob.ID, ""); err != nil {
			t.Fatal(err)
		}
		ended("log out everywhere", s, ErrSessionEnded)

		s = login()
		if err := u.ChangePassword(ctx, bob.ID, "long enough pw", "another long pw", ""); err != nil {
			t.Fatal(err)
		}
		ended("password change", s, ErrSessionEnded)
		if err := u.ChangePassword(ctx, bob.ID, "another long pw", "long enough pw", ""); err != nil {
			t.Fatal(err)
		}

		// A role change reaches a live session without ending it.
		s = login()
		owner2 := RoleOwner
		if _, err := u.UpdateAccountUser(ctx, owner, ann.AccountID, bob.ID, UserChange{Role: &owner2}, ""); err != nil {
			t.Fatal(err)
		}
		if who, err := u.Authenticate(ctx, s.AccessToken); err != nil || who.Role != RoleOwner {
			t.Fatalf("promoted, this instance: %+v, %v", who, err)
		}
		now = now.Add(userStateTTL)
		if who, err := u2.Authenticate(ctx, s.AccessToken); err != nil || who.Role != RoleOwner {
			t.Fatalf("promoted, other instance: %+v, %v", who, err)
		}

		yes, no := true, false
		if _, err := u.UpdateAccountUser(ctx, owner, ann.AccountID, bob.ID, UserChange{Disabled: &yes}, ""); err != nil {
			t.Fatal(err)
		}
		ended("disabled", s, ErrUserDisabled)
		if _, err := u.Login(ctx, "bob@example.com", "long enough pw", ""); !errors.Is(err, ErrUserDisabled) {
			t.Fatalf("disabled user logs in: %v", err)
		}
		if _, err := u.UpdateAccountUser(ctx, owner, ann.AccountID, bob.ID, UserChange{Disabled: &no}, ""); err != nil {
			t.Fatal(err)
		}
		s = login()
		if err := u.DeleteAccountUser(ctx, owner, ann.AccountID, bob.ID, ""); err != nil {
			t.Fatal(err)
		}
		ended("deleted", s, ErrSessionEnded)
		if got := refusals(svc, RefusedSessionRevoked); got < 3 {
			t.Errorf("session_revoked refusals %v, want at least 3", got)
		}
		if got := refusals(svc, RefusedUserDisabled); got < 2 {
			t.Errorf("user_disabled refusals %v, want at least 2", got)
		}
		seen := map[string]bool{}
		entries, err := svc.st.ListAudit(ctx, ann.AccountID, 0, 100)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			seen[e.Action] = true
		}
		for _, a := range []string{"session.logout_all", "user.update", "user.delete"} {
			if !seen[a] {
				t.Errorf("audit log lacks %s", a)
			}
		}
	})
}

// TestSessionMaxAge: refreshing keeps a session alive only up to
// SessionMaxAge after its login; the refresh token never says otherwise.
func TestSessionMaxAge(t *testing.T) {
	forEachDriver(t, func(t *testing.T, driver string) {
		u, svc, sink := newUsers(t, driver, func(c *UsersConfig) { c.SessionMaxAge = 2 * time.Hour; c.RefreshTTL = time.Hour })
		ctx := t.Context()
		signUp(t, u, sink, "ann@example.com", "long enough pw", "Shop")
		start := time.Now()
		now := start
		u.now = func() time.Time { return now }
		s, err := u.Login(ctx, "ann@example.com", "long enough pw", "")
		if err != nil {
			t.Fatal(err)
		}
		end := start.Add(2 * time.Hour)
		for i := range 2 { // every 50 minutes: a refresh token lives an hour
			now = now.Add(50 * time.Minute)
			s, err = u.Refresh(ctx, s.RefreshToken, "")
			if err != nil {
				t.Fatalf("refresh %d: %v", i, err)
			}
			if s.RefreshExpiresAt.After(end) {
				t.Fatalf("refresh %d: the token expires at %v, after the session's end %v", i, s.RefreshExpiresAt, end)
			}
		}
		now = now.Add(50 * time.Minute) // 150 minutes after login
		if _, err := u.Refresh(ctx, s.RefreshToken, ""); !errors.Is(err, ErrSessionTooOld) || !errors.Is(err, ErrUnauthorized) {
			t.Fatalf("refresh past the session's maximum age: %v", err)
		}
		if got := refusals(svc, RefusedSessionMaxAge); got != 1 {
			t.Fatalf("session_max_age refusals %v", got)
		}
	})
}

// TestManageUsersRules: who may change or delete which user, and the last
// owner guard.
func TestManageUsersRules(t *testing.T) {
	forEachDriver(t, func(t *testing.T, driver string) {
		u, svc, sink := newUsers(t, driver, nil)
		ctx := t.Context()
		ann := signUp(t, u, sink, "ann@example.com", "long enough pw", "Shop")
		owner := Actor{UserID: ann.ID, AccountID: ann.AccountID, Role: RoleOwner}
		add := func(by Actor, acct int64, email string, role Role) User {
			t.Helper()
			m, err := u.AddAccountUser(ctx, by, NewUser{AccountID: acct, Email: email, Password: "long enough pw", Role: role}, "")
			if err != nil {
				t.Fatal(err)
			}
			return m
		}
		bob := add(owner, ann.AccountID, "bob@example.com", RoleMember)
		member := Actor{UserID: bob.ID, AccountID: ann.AccountID, Role: RoleMember}
		other, err := svc.CreateAccount(ctx, "Other")
		if err != nil {
			t.Fatal(err)
		}
		admin := Actor{AccountID: 999, Role: RoleAdmin}
		stranger := add(admin, other.AccountID, "x@example.com", RoleOwner)
		ownerR, adminR, resellerR := RoleOwner, RoleAdmin, RoleReseller
		yes := true

		if _, err := u.UpdateAccountUser(ctx, member, ann.AccountID, ann.ID, UserChange{Disabled: &yes}, ""); !errors.Is(err, ErrForbidden) {
			t.Errorf("a member disables the owner: %v", err)
		}
		if _, err := u.UpdateAccountUser(ctx, owner, ann.AccountID, bob.ID, UserChange{Role: &adminR}, ""); !errors.Is(err, ErrForbidden) {
			t.Errorf("an owner makes an admin: %v", err)
		}
		var inv *InvalidError
		if _, err := u.UpdateAccountUser(ctx, admin, ann.AccountID, bob.ID, UserChange{Role: &resellerR}, ""); !errors.As(err, &inv) {
			t.Errorf("a reseller user on a customer account: %v", err)
		}
		if _, err := u.UpdateAccountUser(ctx, owner, ann.AccountID, bob.ID, UserChange{}, ""); !errors.As(err, &inv) {
			t.Errorf("an empty change: %v", err)
		}
		if _, err := u.UpdateAccountUser(ctx, owner, ann.AccountID, stranger.ID, UserChange{Disabled: &yes}, ""); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("another account's user under its own account: %v", err)
		}
		if _, err := u.UpdateAccountUser(ctx, owner, other.AccountID, stranger.ID, UserChange{Disabled: &yes}, ""); !errors.Is(err, ErrNoAccount) {
			t.Errorf("another account's user: %v", err)
		}
		if err := u.DeleteAccountUser(ctx, owner, other.AccountID, stranger.ID, ""); !errors.Is(err, ErrNoAccount) {
			t.Errorf("delete another account's user: %v", err)
		}
		// The last owner: not demoted, disabled nor deleted, even by itself
		// or an admin.
		memberR := RoleMember
		for _, by := range []Actor{owner, admin} {
			if _, err := u.UpdateAccountUser(ctx, by, ann.AccountID, ann.ID, UserChange{Role: &memberR}, ""); !errors.Is(err, ErrLastOwner) {
				t.Errorf("demote the last owner: %v", err)
			}
			if _, err := u.UpdateAccountUser(ctx, by, ann.AccountID, ann.ID, UserChange{Disabled: &yes}, ""); !errors.Is(err, ErrLastOwner) {
				t.Errorf("disable the last owner: %v", err)
			}
			if err := u.DeleteAccountUser(ctx, by, ann.AccountID, ann.ID, ""); !errors.Is(err, ErrLastOwner) {
				t.Errorf("delete the last owner: %v", err)
			}
		}
		// With a second owner the first may step down.
		got, err := u.UpdateAccountUser(ctx, owner, ann.AccountID, bob.ID, UserChange{Role: &ownerR, CanSend: &yes}, "")
		if err != nil || got.Role != RoleOwner || !got.CanSend {
			t.Fatalf("promote bob: %+v, %v", got, err)
		}
		if _, err := u.UpdateAccountUser(ctx, owner, ann.AccountID, ann.ID, UserChange{Role: &memberR}, ""); err != nil {
			t.Fatalf("an owner steps down beside another: %v", err)
		}
		// Ann, a member now, ranks below bob: she can touch nobody.
		annNow := Actor{UserID: ann.ID, AccountID: ann.AccountID, Role: RoleMember}
		if err := u.DeleteAccountUser(ctx, annNow, ann.AccountID, bob.ID, ""); !errors.Is(err, ErrForbidden) {
			t.Errorf("a member deletes an owner: %v", err)
		}
		bobOwner := Actor{UserID: bob.ID, AccountID: ann.AccountID, Role: RoleOwner}
		if err := u.DeleteAccountUser(ctx, bobOwner, ann.AccountID, ann.ID, ""); err != nil {
			t.Fatalf("delete a member: %v", err)
		}
		list, err := u.ListUsers(ctx, bobOwner, ann.AccountID)
		if err != nil || len(list) != 1 || list[0].ID != bob.ID {
			t.Fatalf("users left: %+v, %v", list, err)
		}
	})
}

// TestRecheckSeesPasswordChange: a bind checked against a password that
// was changed since, on any instance, is no longer allowed; other changes
// leave it be.
func TestRecheckSeesPasswordChange(t *testing.T) {
	forEachDriver(t, func(t *testing.T, driver string) {
		svc, st := newService(t, driver)
		ctx := context.Background()
		c, err := svc.CreateAccount(ctx, "Shop")
		if err != nil {
			t.Fatal(err)
		}
		peer := &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 4000}
		b, err := svc.AuthenticateSMPP(ctx, c.SystemID, c.SMPPPassword, peer)
		if err != nil {
			t.Fatal(err)
		}
		if err := svc.Recheck(ctx, b, peer); err != nil {
			t.Fatalf("recheck of an unchanged credential: %v", err)
		}
		other := New(st, nil) // another instance
		other.SetPasswordCost(svc.cost)
		admin := Actor{AccountID: 999, Role: RoleAdmin}
		creds, err := other.ListSMPPCredentials(ctx, admin, c.AccountID)
		if err != nil || len(creds) != 1 {
			t.Fatalf("credentials %+v, %v", creds, err)
		}
		tps := 5
		if _, _, err := other.UpdateSMPPCredential(ctx, admin, c.AccountID, creds[0].ID, CredentialChange{TPSLimit: &tps}, ""); err != nil {
			t.Fatal(err)
		}
		if err := svc.Recheck(ctx, b, peer); err != nil {
			t.Fatalf("recheck after a tps change: %v", err)
		}
		if _, _, err := other.UpdateSMPPCredential(ctx, admin, c.AccountID, creds[0].ID, CredentialChange{GeneratePassword: true}, ""); err != nil {
			t.Fatal(err)
		}
		if err := svc.Recheck(ctx, b, peer); !errors.Is(err, ErrPasswordChanged) || !errors.Is(err, ErrUnauthorized) {
			t.Fatalf("recheck after a password change elsewhere: %v", err)
		}
	})
}

// TestRegisterAnswersAlike: signing up with a taken email answers as a
// new one does, makes nothing, and mails the address's owner a notice
// without a token; the new one gets a verification mail.
func TestRegisterAnswersAlike(t *testing.T) {
	u, _, sink := newUsers(t, "sqlite", nil)
	ctx := t.Context()
	ann := signUp(t, u, sink, "ann@example.com", "long enough pw", "Shop")
	if err := u.Register(ctx, "ann@example.com", "some other password", "Copycat", ""); err != nil {
		t.Fatalf("taken: %v", err)
	}
	notice := sink.next(t)
	if err := u.Register(ctx, "new@example.com", "some other password", "Newcomer", ""); err != nil {
		t.Fatalf("new: %v", err)
	}
	welcome := sink.next(t)
	if notice.To != "ann@example.com" || strings.Contains(notice.Data, verifyBase) || strings.Contains(notice.Data, resetBase) {
		t.Fatalf("notice: %+v", notice)
	}
	if welcome.To != "new@example.com" || !strings.Contains(welcome.Data, verifyBase) {
		t.Fatalf("welcome: %+v", welcome)
	}
	still, err := u.st.UserByEmail(ctx, "ann@example.com")
	if err != nil || still.ID != ann.ID || still.PasswordHash != ann.PasswordHash {
		t.Fatalf("the taken address's user changed: %+v, %v", still, err)
	}
}
