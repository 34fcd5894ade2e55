package store

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"slices"
	"testing"
	"time"
)

func keyHash(key string) string {
	h := sha256.Sum256([]byte(key))
	return hex.EncodeToString(h[:])
}

// newAccount creates an account named name.
func newAccount(tb testing.TB, s *Store, name string) *Account {
	tb.Helper()
	a := &Account{Name: name, WebhookURL: "https://example.com/hook", WebhookSecret: "s3cret", TPSLimit: 50}
	if err := s.CreateAccount(testCtx(tb), a); err != nil {
		tb.Fatal(err)
	}
	return a
}

func TestAccounts(t *testing.T) {
	forEachDialect(t, func(t *testing.T, driver string) {
		s := newTestStore(t, driver)
		ctx := testCtx(t)
		a := newAccount(t, s, "Acme")
		b := newAccount(t, s, "Other")
		if a.ID == 0 || b.ID == a.ID || a.Status != AccountActive {
			t.Fatalf("created %+v and %+v", a, b)
		}
		got, err := s.GetAccount(ctx, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Name != "Acme" || got.Status != AccountActive || got.WebhookURL != a.WebhookURL ||
			got.WebhookSecret != "s3cret" || got.TPSLimit != 50 || !got.CreatedAt.Equal(a.CreatedAt) {
			t.Fatalf("GetAccount = %+v, want %+v", got, a)
		}
		if _, err := s.GetAccount(ctx, 999999); !errors.Is(err, ErrNotFound) {
			t.Fatalf("unknown account: %v", err)
		}
		if err := s.SetAccountStatus(ctx, a.ID, AccountSuspended); err != nil {
			t.Fatal(err)
		}
		if got, _ := s.GetAccount(ctx, a.ID); got.Status != AccountSuspended {
			t.Fatalf("status %q after suspension", got.Status)
		}
		if err := s.SetAccountStatus(ctx, 999999, AccountActive); !errors.Is(err, ErrNotFound) {
			t.Fatalf("suspend unknown: %v", err)
		}
		for _, bad := range []*Account{{}, {Name: "x", Status: "deleted"}} {
			if err := s.CreateAccount(ctx, bad); !errors.Is(err, ErrInvalid) {
				t.Errorf("CreateAccount(%+v) = %v", bad, err)
			}
		}
	})
}

func TestAPIKeys(t *testing.T) {
	forEachDialect(t, func(t *testing.T, driver string) {
		s := newTestStore(t, driver)
		ctx := testCtx(t)
		a := newAccount(t, s, "Acme")
		other := newAccount(t, s, "Other")
		k := &APIKey{AccountID: a.ID, Name: "prod", Prefix: "gk_live_ab12", Hash: keyHash("gk_live_ab12.secret"),
			Scopes: []string{"messages:send", "messages:read"}}
		if err := s.CreateAPIKey(ctx, k); err != nil {
			t.Fatal(err)
		}
		gotKey, gotAcct, err := s.APIKeyByPrefix(ctx, "gk_live_ab12")
		if err != nil {
			t.Fatal(err)
		}
		if gotKey.ID != k.ID || gotKey.AccountID != a.ID || gotKey.Hash != k.Hash || gotKey.Name != "prod" ||
			!slices.Equal(gotKey.Scopes, k.Scopes) || gotKey.Revoked() || !gotKey.LastUsedAt.IsZero() {
			t.Fatalf("key = %+v, want %+v", gotKey, k)
		}
		if gotAcct.ID != a.ID || gotAcct.Name != "Acme" || gotAcct.Status != AccountActive {
			t.Fatalf("key's account = %+v", gotAcct)
		}
		// Prefixes are unique; the account must exist.
		dup := &APIKey{AccountID: other.ID, Prefix: "gk_live_ab12", Hash: keyHash("x")}
		if err := s.CreateAPIKey(ctx, dup); !errors.Is(err, ErrDuplicate) {
			t.Fatalf("duplicate prefix: %v", err)
		}
		orphan := &APIKey{AccountID: 999999, Prefix: "gk_orphan", Hash: keyHash("y")}
		if err := s.CreateAPIKey(ctx, orphan); !errors.Is(err, ErrNotFound) {
			t.Fatalf("key of unknown account: %v", err)
		}
		if _, _, err := s.APIKeyByPrefix(ctx, "gk_live_AB12"); !errors.Is(err, ErrNotFound) {
			t.Fatalf("prefix lookup must be case-sensitive: %v", err)
		}
		for _, bad := range []*APIKey{
			{AccountID: a.ID, Prefix: "", Hash: keyHash("z")},
			{AccountID: a.ID, Prefix: "p1", Hash: "short"},
			{AccountID: a.ID, Prefix: "p2", Hash: keyHash("z"), Scopes: []string{"two words"}},
		} {
			if err := s.CreateAPIKey(ctx, bad); !errors.Is(err, ErrInvalid) {
				t.Errorf("CreateAPIKey(%+v) = %v", bad, err)
			}
		}

		// Touch: recorded, then not rewritten within the minute, and not
		// through another account.
		t0 := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
		if err := s.TouchAPIKey(ctx, a.ID, k.ID, t0); err != nil {
			t.Fatal(err)
		}
		if err := s.TouchAPIKey(ctx, a.ID, k.ID, t0.Add(30*time.Second)); err != nil {
			t.Fatal(err)
		}
		if err := s.TouchAPIKey(ctx, other.ID, k.ID, t0.Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		gotKey, _, _ = s.APIKeyByPrefix(ctx, "gk_live_ab12")
		if !gotKey.LastUsedAt.Equal(t0) {
			t.Fatalf("last used %v, want %v", gotKey.LastUsedAt, t0)
		}
		if err := s.TouchAPIKey(ctx, a.ID, k.ID, t0.Add(2*time.Minute)); err != nil {
			t.Fatal(err)
		}
		gotKey, _, _ = s.APIKeyByPrefix(ctx, "gk_live_ab12")
		if !gotKey.LastUsedAt.Equal(t0.Add(2 * time.Minute)) {
			t.Fatalf("last used %v after a touch two minutes later", gotKey.LastUsedAt)
		}

		// Revoke: not through another account.
		if err := s.RevokeAPIKey(ctx, other.ID, k.ID, t0); !errors.Is(err, ErrNotFound) {
			t.Fatalf("revoke through another account: %v", err)
		}
		if err := s.RevokeAPIKey(ctx, a.ID, k.ID, t0); err != nil {
			t.Fatal(err)
		}
		gotKey, _, _ = s.APIKeyByPrefix(ctx, "gk_live_ab12")
		if !gotKey.Revoked() || !gotKey.RevokedAt.Equal(t0) {
			t.Fatalf("revoked at %v", gotKey.RevokedAt)
		}
	})
}

func TestSMPPCredentials(t *testing.T) {
	forEachDialect(t, func(t *testing.T, driver string) {
		s := newTestStore(t, driver)
		ctx := testCtx(t)
		a := newAccount(t, s, "Acme")
		c := &SMPPCredential{AccountID: a.ID, SystemID: "acme01", PasswordHash: "$2a$10$abcdefghijklmnopqrstuv",
			BindLimit: 4, TPSLimit: 200, AllowedCIDRs: []string{"10.0.0.0/8", "192.0.2.7/32"}}
		if err := s.CreateSMPPCredential(ctx, c); err != nil {
			t.Fatal(err)
		}
		got, acct, err := s.SMPPCredentialBySystemID(ctx, "acme01")
		if err != nil {
			t.Fatal(err)
		}
		if got.ID != c.ID || got.AccountID != a.ID || got.PasswordHash != c.PasswordHash || got.BindLimit != 4 ||
			got.TPSLimit != 200 || !slices.Equal(got.AllowedCIDRs, c.AllowedCIDRs) || !got.CreatedAt.Equal(c.CreatedAt) {
			t.Fatalf("credential = %+v, want %+v", got, c)
		}
		if acct.ID != a.ID || acct.TPSLimit != 50 {
			t.Fatalf("credential's account = %+v", acct)
		}
		if err := s.CreateSMPPCredential(ctx, &SMPPCredential{AccountID: a.ID, SystemID: "acme01", PasswordHash: "h"}); !errors.Is(err, ErrDuplicate) {
			t.Fatalf("duplicate system_id: %v", err)
		}
		if err := s.CreateSMPPCredential(ctx, &SMPPCredential{AccountID: 999999, SystemID: "ghost", PasswordHash: "h"}); !errors.Is(err, ErrNotFound) {
			t.Fatalf("unknown account: %v", err)
		}
		if err := s.CreateSMPPCredential(ctx, &SMPPCredential{AccountID: a.ID, SystemID: "seventeen_chars_x", PasswordHash: "h"}); !errors.Is(err, ErrInvalid) {
			t.Fatalf("17-character system_id: %v", err)
		}
		if _, _, err := s.SMPPCredentialBySystemID(ctx, "ACME01"); !errors.Is(err, ErrNotFound) {
			t.Fatalf("system_id lookup must be exact: %v", err)
		}
		none := &SMPPCredential{AccountID: a.ID, SystemID: "open", PasswordHash: "h"}
		if err := s.CreateSMPPCredential(ctx, none); err != nil {
			t.Fatal(err)
		}
		if got, _, _ := s.SMPPCredentialBySystemID(ctx, "open"); got.AllowedCIDRs != nil {
			t.Fatalf("no CIDRs came back as %q", got.AllowedCIDRs)
		}
	})
}
