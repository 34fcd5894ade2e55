package store

import (
	"errors"
	"sync"
	"testing"
	"time"
)

var ownerRoles = []string{"owner", "reseller", "admin"}

// TestUserSessionState: the token version rises with a password change
// and a bump; GetUserAuth reads the user and its account's status in one
// go; a disabled user reads disabled; a deleted one is not found.
func TestUserSessionState(t *testing.T) {
	forEachDialect(t, func(t *testing.T, driver string) {
		ctx := testCtx(t)
		s := newTestStore(t, driver)
		a := &Account{Name: "acme"}
		if err := s.CreateAccount(ctx, a); err != nil {
			t.Fatal(err)
		}
		u := &User{AccountID: a.ID, Email: "ann@example.com", PasswordHash: "h", Role: "owner", CanSend: true, SelfRegistered: true}
		if err := s.CreateUser(ctx, u); err != nil {
			t.Fatal(err)
		}
		st, err := s.GetUserAuth(ctx, u.ID)
		want := UserAuth{UserID: u.ID, AccountID: a.ID, Role: "owner", CanSend: true, SelfRegistered: true,
			AccountStatus: AccountActive}
		if err != nil || *st != want {
			t.Fatalf("GetUserAuth = %+v, %v; want %+v", st, err, want)
		}
		if err := s.SetUserPassword(ctx, u.ID, "h2"); err != nil {
			t.Fatal(err)
		}
		if err := s.BumpTokenVersion(ctx, u.ID); err != nil {
			t.Fatal(err)
		}
		if err := s.BumpTokenVersion(ctx, 999999); !errors.Is(err, ErrNotFound) {
			t.Fatalf("bump unknown user: %v", err)
		}
		if err := s.SetEmailVerified(ctx, u.ID, time.Now()); err != nil {
			t.Fatal(err)
		}
		if err := s.SetAccountStatus(ctx, a.ID, AccountSuspended); err != nil {
			t.Fatal(err)
		}
		st, err = s.GetUserAuth(ctx, u.ID)
		if err != nil || st.TokenVersion != 2 || !st.EmailVerified || st.AccountStatus != AccountSuspended {
			t.Fatalf("after a password change, a bump, verification and suspension: %+v, %v", st, err)
		}
		got, err := s.GetUser(ctx, u.ID)
		if err != nil || got.TokenVersion != 2 || !got.SelfRegistered || !got.DisabledAt.IsZero() {
			t.Fatalf("GetUser = %+v, %v", got, err)
		}
		if _, err := s.GetUserAuth(ctx, 999999); !errors.Is(err, ErrNotFound) {
			t.Fatalf("unknown user: %v", err)
		}
	})
}

// TestInvalidateUserTokens: a user's other reset tokens are used up at
// once; its verification tokens and other users' tokens are not.
func TestInvalidateUserTokens(t *testing.T) {
	forEachDialect(t, func(t *testing.T, driver string) {
		ctx := testCtx(t)
		s := newTestStore(t, driver)
		a := &Account{Name: "acme"}
		if err := s.CreateAccount(ctx, a); err != nil {
			t.Fatal(err)
		}
		ann := &User{AccountID: a.ID, Email: "ann@example.com", PasswordHash: "h", Role: "owner"}
		bob := &User{AccountID: a.ID, Email: "bob@example.com", PasswordHash: "h", Role: "member"}
		for _, u := range []*User{ann, bob} {
			if err := s.CreateUser(ctx, u); err != nil {
				t.Fatal(err)
			}
		}
		now := time.Now().UTC()
		for _, tok := range []*UserToken{
			{UserID: ann.ID, Kind: "reset", Hash: hashOf("a1"), ExpiresAt: now.Add(time.Hour)},
			{UserID: ann.ID, Kind: "reset", Hash: hashOf("a2"), ExpiresAt: now.Add(time.Hour)},
			{UserID: ann.ID, Kind: "verify", Hash: hashOf("av"), ExpiresAt: now.Add(time.Hour)},
			{UserID: bob.ID, Kind: "reset", Hash: hashOf("b1"), ExpiresAt: now.Add(time.Hour)},
		} {
			if err := s.CreateUserToken(ctx, tok); err != nil {
				t.Fatal(err)
			}
		}
		if n, err := s.LiveUserTokens(ctx, ann.ID, "reset", now); err != nil || n != 2 {
			t.Fatalf("LiveUserTokens = %d, %v; want 2", n, err)
		}
		if n, err := s.InvalidateUserTokens(ctx, ann.ID, "reset", now); err != nil || n != 2 {
			t.Fatalf("InvalidateUserTokens = %d, %v; want 2", n, err)
		}
		if n, err := s.LiveUserTokens(ctx, ann.ID, "reset", now); err != nil || n != 0 {
			t.Fatalf("LiveUserTokens after = %d, %v; want 0", n, err)
		}
		for _, h := range []string{"a1", "a2"} {
			if _, err := s.ConsumeUserToken(ctx, "reset", hashOf(h), now); !errors.Is(err, ErrNotFound) {
				t.Fatalf("invalidated token %s: %v", h, err)
			}
		}
		if _, err := s.ConsumeUserToken(ctx, "verify", hashOf("av"), now); err != nil {
			t.Fatalf("verification token: %v", err)
		}
		if _, err := s.ConsumeUserToken(ctx, "reset", hashOf("b1"), now); err != nil {
			t.Fatalf("another user's token: %v", err)
		}
	})
}

// TestUpdateAndDeleteAccountUsers: role, can_send and disabled change in
// one transaction that ends sessions when asked; the last enabled owner
// can be neither demoted, disabled nor deleted, even by two concurrent
// calls each removing one of two owners; a user of another account is
// not found.
func TestUpdateAndDeleteAccountUsers(t *testing.T) {
	forEachDialect(t, func(t *testing.T, driver string) {
		ctx := testCtx(t)
		s := newTestStore(t, driver)
		a, other := &Account{Name: "acme"}, &Account{Name: "other"}
		for _, x := range []*Account{a, other} {
			if err := s.CreateAccount(ctx, x); err != nil {
				t.Fatal(err)
			}
		}
		mk := func(acct int64, email, role string) *User {
			u := &User{AccountID: acct, Email: email, PasswordHash: "h", Role: role}
			if err := s.CreateUser(ctx, u); err != nil {
				t.Fatal(err)
			}
			return u
		}
		ann, bob, cid := mk(a.ID, "ann@example.com", "owner"), mk(a.ID, "bob@example.com", "owner"), mk(a.ID, "cid@example.com", "member")
		stranger := mk(other.ID, "x@example.com", "owner")
		now := time.Now().UTC().Truncate(time.Microsecond)
		rt := &RefreshToken{UserID: cid.ID, Family: "famc", Hash: hashOf("c1"), ExpiresAt: now.Add(time.Hour)}
		if err := s.CreateRefreshToken(ctx, rt); err != nil {
			t.Fatal(err)
		}

		yes, no := true, false
		member, owner := "member", "owner"
		got, err := s.UpdateAccountUser(ctx, a.ID, cid.ID, UserUpdate{Disabled: &yes, CanSend: &yes, EndSessions: true}, now, ownerRoles)
		if err != nil || !got.DisabledAt.Equal(now) || !got.CanSend || got.TokenVersion != 1 || got.Role != "member" {
			t.Fatalf("disable cid: %+v, %v", got, err)
		}
		if _, err := s.RotateRefreshToken(ctx, hashOf("c1"), &RefreshToken{Hash: hashOf("c2"), ExpiresAt: now.Add(time.Hour)}, now, 0); !errors.Is(err, ErrTokenReused) {
			t.Fatalf("a disabled user's refresh token: %v", err)
		}
		if st, err := s.GetUserAuth(ctx, cid.ID); err != nil || !st.Disabled {
			t.Fatalf("disabled user auth: %+v, %v", st, err)
		}
		if got, err = s.UpdateAccountUser(ctx, a.ID, cid.ID, UserUpdate{Disabled: &no, Role: &owner}, now, ownerRoles); err != nil ||
			!got.DisabledAt.IsZero() || got.Role != "owner" || got.TokenVersion != 1 {
			t.Fatalf("enable and promote cid: %+v, %v", got, err)
		}
		if _, err := s.UpdateAccountUser(ctx, a.ID, stranger.ID, UserUpdate{Role: &member}, now, ownerRoles); !errors.Is(err, ErrNotFound) {
			t.Fatalf("another account's user: %v", err)
		}
		if _, err := s.DeleteAccountUser(ctx, a.ID, stranger.ID, ownerRoles); !errors.Is(err, ErrNotFound) {
			t.Fatalf("delete another account's user: %v", err)
		}
		// Three owners: two go at once, concurrently; the third stays.
		var wg sync.WaitGroup
		errs := make([]error, 2)
		wg.Go(func() {
			_, errs[0] = s.UpdateAccountUser(ctx, a.ID, ann.ID, UserUpdate{Role: &member}, now, ownerRoles)
		})
		wg.Go(func() { _, errs[1] = s.DeleteAccountUser(ctx, a.ID, cid.ID, ownerRoles) })
		wg.Wait()
		if errs[0] != nil || errs[1] != nil {
			t.Fatalf("demote ann, delete cid: %v", errs)
		}
		if _, err := s.GetUser(ctx, cid.ID); !errors.Is(err, ErrNotFound) {
			t.Fatalf("deleted user: %v", err)
		}
		// bob is the last owner now.
		if _, err := s.UpdateAccountUser(ctx, a.ID, bob.ID, UserUpdate{Role: &member}, now, ownerRoles); !errors.Is(err, ErrLastOwner) {
			t.Fatalf("demote the last owner: %v", err)
		}
		if _, err := s.UpdateAccountUser(ctx, a.ID, bob.ID, UserUpdate{Disabled: &yes}, now, ownerRoles); !errors.Is(err, ErrLastOwner) {
			t.Fatalf("disable the last owner: %v", err)
		}
		if _, err := s.DeleteAccountUser(ctx, a.ID, bob.ID, ownerRoles); !errors.Is(err, ErrLastOwner) {
			t.Fatalf("delete the last owner: %v", err)
		}
		if _, err := s.UpdateAccountUser(ctx, a.ID, bob.ID, UserUpdate{CanSend: &yes}, now, ownerRoles); err != nil {
			t.Fatalf("a change that keeps the owner: %v", err)
		}
		// Two owners removed concurrently: exactly one may go.
		if _, err := s.UpdateAccountUser(ctx, a.ID, ann.ID, UserUpdate{Role: &owner}, now, ownerRoles); err != nil {
			t.Fatal(err)
		}
		wg.Go(func() {
			_, errs[0] = s.UpdateAccountUser(ctx, a.ID, ann.ID, UserUpdate{Disabled: &yes}, now, ownerRoles)
		})
		wg.Go(func() { _, errs[1] = s.DeleteAccountUser(ctx, a.ID, bob.ID, ownerRoles) })
		wg.Wait()
		if (errs[0] == nil) == (errs[1] == nil) || !(errors.Is(errs[0], ErrLastOwner) || errors.Is(errs[1], ErrLastOwner)) {
			t.Fatalf("two owners removed at once: %v, want exactly one ErrLastOwner", errs)
		}
	})
}

// TestRefreshFamilyStart: rotation keeps the family's start, and a family
// that started at or before the cut-off is refused and revoked.
func TestRefreshFamilyStart(t *testing.T) {
	forEachDialect(t, func(t *testing.T, driver string) {
		ctx := testCtx(t)
		s := newTestStore(t, driver)
		a := &Account{Name: "acme"}
		if err := s.CreateAccount(ctx, a); err != nil {
			t.Fatal(err)
		}
		u := &User{AccountID: a.ID, Email: "ann@example.com", PasswordHash: "h", Role: "owner"}
		if err := s.CreateUser(ctx, u); err != nil {
			t.Fatal(err)
		}
		login := time.Now().UTC().Add(-time.Hour).Truncate(time.Microsecond)
		first := &RefreshToken{UserID: u.ID, Family: "fam", Hash: hashOf("r1"), ExpiresAt: login.Add(2 * time.Hour), CreatedAt: login}
		if err := s.CreateRefreshToken(ctx, first); err != nil || !first.StartedAt.Equal(login) {
			t.Fatalf("create: started %v, %v", first.StartedAt, err)
		}
		now := login.Add(time.Hour)
		second := &RefreshToken{Hash: hashOf("r2"), ExpiresAt: now.Add(time.Hour)}
		if _, err := s.RotateRefreshToken(ctx, hashOf("r1"), second, now, 90*time.Minute); err != nil ||
			!second.StartedAt.Equal(login) || !second.ExpiresAt.Equal(login.Add(90*time.Minute)) {
			t.Fatalf("rotate: started %v, expires %v, %v; want %v and 90 minutes later", second.StartedAt, second.ExpiresAt, err, login)
		}
		third := &RefreshToken{Hash: hashOf("r3"), ExpiresAt: now.Add(time.Hour)}
		if _, err := s.RotateRefreshToken(ctx, hashOf("r2"), third, now, time.Hour); !errors.Is(err, ErrSessionExpired) {
			t.Fatalf("a family exactly max age old: %v", err)
		}
		if _, err := s.RotateRefreshToken(ctx, hashOf("r2"), third, now, 0); !errors.Is(err, ErrTokenReused) {
			t.Fatalf("the expired family was not revoked: %v", err)
		}
	})
}

// TestCreateSignup: account, owner, token and audit entry in one go; an
// email in use stores nothing, not even the account.
func TestCreateSignup(t *testing.T) {
	forEachDialect(t, func(t *testing.T, driver string) {
		ctx := testCtx(t)
		s := newTestStore(t, driver)
		now := time.Now().UTC()
		signup := func(email string) (*Account, *User, error) {
			a := &Account{Name: "shop of " + email}
			u := &User{Email: email, PasswordHash: "h", Role: "owner", CanSend: true, SelfRegistered: true}
			tok := &UserToken{Kind: "verify", Hash: hashOf(email), ExpiresAt: now.Add(time.Hour)}
			return a, u, s.CreateSignup(ctx, a, u, tok, &AuditEntry{Action: "account.register", IP: "192.0.2.1"})
		}
		a, u, err := signup("ann@example.com")
		if err != nil || a.ID == 0 || u.ID == 0 || u.AccountID != a.ID {
			t.Fatalf("sign-up: %+v %+v %v", a, u, err)
		}
		got, err := s.GetUser(ctx, u.ID)
		if err != nil || !got.SelfRegistered || got.AccountID != a.ID {
			t.Fatalf("user %+v, %v", got, err)
		}
		if tok, err := s.ConsumeUserToken(ctx, "verify", hashOf("ann@example.com"), now); err != nil || tok.UserID != u.ID {
			t.Fatalf("token %+v, %v", tok, err)
		}
		entries, err := s.ListAudit(ctx, a.ID, 0, 10)
		if err != nil || len(entries) != 1 || entries[0].ActorUserID != u.ID || entries[0].Target == "" {
			t.Fatalf("audit %+v, %v", entries, err)
		}
		dup, _, err := signup("ann@example.com")
		if !errors.Is(err, ErrDuplicate) {
			t.Fatalf("email in use: %v", err)
		}
		if _, err := s.GetAccount(ctx, dup.ID); dup.ID != 0 && !errors.Is(err, ErrNotFound) {
			t.Fatalf("a failed sign-up left account %d: %v", dup.ID, err)
		}
		if children, err := s.ListUsers(ctx, dup.ID); err != nil || len(children) != 0 {
			t.Fatalf("users %v, %v", children, err)
		}
	})
}
