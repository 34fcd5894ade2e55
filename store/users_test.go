package store

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"
)

func hashOf(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

func TestUsers(t *testing.T) {
	forEachDialect(t, func(t *testing.T, driver string) {
		ctx := testCtx(t)
		s := newTestStore(t, driver)
		a := &Account{Name: "acme"}
		if err := s.CreateAccount(ctx, a); err != nil {
			t.Fatal(err)
		}
		u := &User{AccountID: a.ID, Email: "ann@example.com", PasswordHash: "h1", Role: "owner", CanSend: true}
		if err := s.CreateUser(ctx, u); err != nil || u.ID == 0 {
			t.Fatalf("CreateUser: %v, id %d", err, u.ID)
		}
		dup := &User{AccountID: a.ID, Email: "ann@example.com", PasswordHash: "h", Role: "member"}
		if err := s.CreateUser(ctx, dup); !errors.Is(err, ErrDuplicate) {
			t.Fatalf("duplicate email: %v", err)
		}
		if err := s.CreateUser(ctx, &User{AccountID: 999, Email: "x@example.com", PasswordHash: "h", Role: "owner"}); !errors.Is(err, ErrNotFound) {
			t.Fatalf("unknown account: %v", err)
		}
		if err := s.CreateUser(ctx, &User{AccountID: a.ID, Email: "", PasswordHash: "h", Role: "owner"}); !errors.Is(err, ErrInvalid) {
			t.Fatalf("empty email: %v", err)
		}
		got, err := s.UserByEmail(ctx, "ann@example.com")
		if err != nil || got.ID != u.ID || got.Role != "owner" || !got.CanSend || got.PasswordHash != "h1" || !got.EmailVerifiedAt.IsZero() {
			t.Fatalf("UserByEmail: %+v, %v", got, err)
		}
		if _, err := s.UserByEmail(ctx, "nobody@example.com"); !errors.Is(err, ErrNotFound) {
			t.Fatalf("unknown email: %v", err)
		}
		at := time.Date(2026, 1, 2, 3, 4, 5, 6000, time.UTC)
		if err := s.SetUserPassword(ctx, u.ID, "h2"); err != nil {
			t.Fatal(err)
		}
		if err := s.SetEmailVerified(ctx, u.ID, at); err != nil {
			t.Fatal(err)
		}
		got, err = s.GetUser(ctx, u.ID)
		if err != nil || got.PasswordHash != "h2" || !got.EmailVerifiedAt.Equal(at) {
			t.Fatalf("GetUser after updates: %+v, %v", got, err)
		}
		if err := s.SetUserPassword(ctx, 12345, "h"); !errors.Is(err, ErrNotFound) {
			t.Fatalf("unknown user: %v", err)
		}
	})
}

func TestUserTokens(t *testing.T) {
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
		now := time.Now().UTC()
		live := &UserToken{UserID: u.ID, Kind: "reset", Hash: hashOf("live"), ExpiresAt: now.Add(time.Hour)}
		old := &UserToken{UserID: u.ID, Kind: "reset", Hash: hashOf("old"), ExpiresAt: now.Add(-time.Second)}
		for _, tok := range []*UserToken{live, old} {
			if err := s.CreateUserToken(ctx, tok); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := s.ConsumeUserToken(ctx, "verify", hashOf("live"), now); !errors.Is(err, ErrNotFound) {
			t.Fatalf("wrong kind: %v", err)
		}
		if _, err := s.ConsumeUserToken(ctx, "reset", hashOf("old"), now); !errors.Is(err, ErrNotFound) {
			t.Fatalf("expired: %v", err)
		}
		// Concurrent consumers: exactly one wins.
		var wg sync.WaitGroup
		var mu sync.Mutex
		wins := 0
		for range 4 {
			wg.Go(func() {
				tok, err := s.ConsumeUserToken(ctx, "reset", hashOf("live"), now)
				if err == nil {
					mu.Lock()
					wins++
					mu.Unlock()
					if tok.UserID != u.ID || tok.UsedAt.IsZero() {
						t.Errorf("consumed token: %+v", tok)
					}
				} else if !errors.Is(err, ErrNotFound) {
					t.Errorf("consume: %v", err)
				}
			})
		}
		wg.Wait()
		if wins != 1 {
			t.Fatalf("%d consumers won, want 1", wins)
		}
	})
}

func TestRefreshTokens(t *testing.T) {
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
		now := time.Now().UTC()
		first := &RefreshToken{UserID: u.ID, Family: "fam1", Hash: hashOf("r1"), ExpiresAt: now.Add(time.Hour)}
		if err := s.CreateRefreshToken(ctx, first); err != nil {
			t.Fatal(err)
		}
		second := &RefreshToken{Hash: hashOf("r2"), ExpiresAt: now.Add(time.Hour)}
		old, err := s.RotateRefreshToken(ctx, hashOf("r1"), second, now, 0)
		if err != nil || old.ID != first.ID || second.UserID != u.ID || second.Family != "fam1" || second.ID == 0 {
			t.Fatalf("rotate: old %+v, next %+v, %v", old, second, err)
		}
		// Presenting r1 again is reuse: the family (r2 too) is revoked.
		if _, err := s.RotateRefreshToken(ctx, hashOf("r1"), &RefreshToken{Hash: hashOf("r3"), ExpiresAt: now.Add(time.Hour)}, now, 0); !errors.Is(err, ErrTokenReused) {
			t.Fatalf("reuse: %v", err)
		}
		if _, err := s.RotateRefreshToken(ctx, hashOf("r2"), &RefreshToken{Hash: hashOf("r4"), ExpiresAt: now.Add(time.Hour)}, now, 0); !errors.Is(err, ErrTokenReused) {
			t.Fatalf("sibling of a reused token still live: %v", err)
		}
		if _, err := s.RotateRefreshToken(ctx, hashOf("nope"), &RefreshToken{Hash: hashOf("r5"), ExpiresAt: now.Add(time.Hour)}, now, 0); !errors.Is(err, ErrNotFound) {
			t.Fatalf("unknown: %v", err)
		}
		exp := &RefreshToken{UserID: u.ID, Family: "fam2", Hash: hashOf("e1"), ExpiresAt: now.Add(-time.Second)}
		if err := s.CreateRefreshToken(ctx, exp); err != nil {
			t.Fatal(err)
		}
		if _, err := s.RotateRefreshToken(ctx, hashOf("e1"), &RefreshToken{Hash: hashOf("e2"), ExpiresAt: now.Add(time.Hour)}, now, 0); !errors.Is(err, ErrNotFound) {
			t.Fatalf("expired: %v", err)
		}
		// Logout revokes the family; a password change revokes everything.
		l1 := &RefreshToken{UserID: u.ID, Family: "fam3", Hash: hashOf("l1"), ExpiresAt: now.Add(time.Hour)}
		l2 := &RefreshToken{UserID: u.ID, Family: "fam4", Hash: hashOf("l2"), ExpiresAt: now.Add(time.Hour)}
		for _, tok := range []*RefreshToken{l1, l2} {
			if err := s.CreateRefreshToken(ctx, tok); err != nil {
				t.Fatal(err)
			}
		}
		if uid, err := s.RevokeRefreshFamily(ctx, hashOf("l1"), now); err != nil || uid != u.ID {
			t.Fatalf("RevokeRefreshFamily = %d, %v; want user %d", uid, err, u.ID)
		}
		if _, err := s.RevokeRefreshFamily(ctx, hashOf("unknown"), now); !errors.Is(err, ErrNotFound) {
			t.Fatalf("revoke unknown: %v", err)
		}
		if _, err := s.RotateRefreshToken(ctx, hashOf("l1"), &RefreshToken{Hash: hashOf("l3"), ExpiresAt: now.Add(time.Hour)}, now, 0); !errors.Is(err, ErrTokenReused) {
			t.Fatalf("logged-out token: %v", err)
		}
		n, err := s.RevokeUserRefreshTokens(ctx, u.ID, now)
		if err != nil || n != 2 {
			t.Fatalf("RevokeUserRefreshTokens = %d, %v; want 2 (l2 and the expired e1)", n, err)
		}
	})
}

func TestAccountTreeAndAudit(t *testing.T) {
	forEachDialect(t, func(t *testing.T, driver string) {
		ctx := testCtx(t)
		s := newTestStore(t, driver)
		var ids [3]int64
		for i := range ids {
			a := &Account{Name: "a"}
			if err := s.CreateAccount(ctx, a); err != nil {
				t.Fatal(err)
			}
			ids[i] = a.ID
		}
		reseller, c1, c2 := ids[0], ids[1], ids[2]
		for _, c := range []int64{c1, c2} {
			if err := s.SetAccountParent(ctx, c, reseller); err != nil {
				t.Fatal(err)
			}
		}
		if err := s.SetAccountParent(ctx, c1, c2); !errors.Is(err, ErrDuplicate) {
			t.Fatalf("second parent: %v", err)
		}
		if err := s.SetAccountParent(ctx, c1, c1); !errors.Is(err, ErrInvalid) {
			t.Fatalf("own parent: %v", err)
		}
		if err := s.SetAccountParent(ctx, 9999, reseller); !errors.Is(err, ErrNotFound) {
			t.Fatalf("unknown child: %v", err)
		}
		if p, err := s.AccountParent(ctx, c2); err != nil || p != reseller {
			t.Fatalf("AccountParent = %d, %v", p, err)
		}
		if p, err := s.AccountParent(ctx, reseller); err != nil || p != 0 {
			t.Fatalf("root AccountParent = %d, %v", p, err)
		}
		kids, err := s.ChildAccounts(ctx, reseller)
		if err != nil || len(kids) != 2 || kids[0] != c1 || kids[1] != c2 {
			t.Fatalf("ChildAccounts = %v, %v", kids, err)
		}

		for i, acct := range []int64{c1, c2, c1} {
			e := &AuditEntry{AccountID: acct, ActorUserID: 7, Action: "login", Target: "user:7",
				Details: strings.Repeat("é", 600), IP: "127.0.0.1"}
			if err := s.AppendAudit(ctx, e); err != nil || e.ID == 0 {
				t.Fatalf("append %d: %v", i, err)
			}
		}
		if err := s.AppendAudit(ctx, &AuditEntry{AccountID: c1}); !errors.Is(err, ErrInvalid) {
			t.Fatalf("no action: %v", err)
		}
		mine, err := s.ListAudit(ctx, c1, 0, 10)
		if err != nil || len(mine) != 2 || mine[0].ID <= mine[1].ID {
			t.Fatalf("ListAudit(c1) = %+v, %v", mine, err)
		}
		for _, e := range mine {
			if e.AccountID != c1 || e.Action != "login" || e.IP != "127.0.0.1" || len(e.Details) > 1024 || e.At.IsZero() {
				t.Fatalf("entry %+v", e)
			}
		}
		all, err := s.ListAudit(ctx, AuditAllAccounts, 0, 10)
		if err != nil || len(all) != 3 {
			t.Fatalf("ListAudit(all) = %d entries, %v", len(all), err)
		}
		page, err := s.ListAudit(ctx, AuditAllAccounts, all[0].ID, 1)
		if err != nil || len(page) != 1 || page[0].ID != all[1].ID {
			t.Fatalf("second page = %+v, %v", page, err)
		}
	})
}

func TestCut(t *testing.T) {
	for _, c := range []struct {
		in   string
		n    int
		want string
	}{{"abc", 5, "abc"}, {"abcdef", 3, "abc"}, {"aé", 2, "a"}, {"éé", 3, "é"}} {
		if got := cut(c.in, c.n); got != c.want {
			t.Errorf("cut(%q, %d) = %q, want %q", c.in, c.n, got, c.want)
		}
	}
}
