package store

import (
	"errors"
	"strings"
	"testing"
	"time"
)

// TestIdentityListings: the listings are scoped by account, hide hashes,
// and credential updates and deletes touch only the named account's row.
func TestIdentityListings(t *testing.T) {
	forEachDialect(t, func(t *testing.T, driver string) {
		ctx := testCtx(t)
		s := newTestStore(t, driver)
		a, b := &Account{Name: "a"}, &Account{Name: "b"}
		for _, acc := range []*Account{a, b} {
			if err := s.CreateAccount(ctx, acc); err != nil {
				t.Fatal(err)
			}
		}
		ka := &APIKey{AccountID: a.ID, Name: "ka", Prefix: "aaaa1111", Hash: hashOf("ka"), Scopes: []string{"send", "read"}}
		kb := &APIKey{AccountID: b.ID, Name: "kb", Prefix: "bbbb2222", Hash: hashOf("kb"), Scopes: []string{"admin"}}
		for _, k := range []*APIKey{ka, kb} {
			if err := s.CreateAPIKey(ctx, k); err != nil {
				t.Fatal(err)
			}
		}
		at := time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)
		if err := s.RevokeAPIKey(ctx, a.ID, ka.ID, at); err != nil {
			t.Fatal(err)
		}
		keys, err := s.ListAPIKeys(ctx, a.ID)
		if err != nil || len(keys) != 1 || keys[0].ID != ka.ID || keys[0].Hash != "" || keys[0].Name != "ka" ||
			strings.Join(keys[0].Scopes, ",") != "send,read" || !keys[0].RevokedAt.Equal(at) {
			t.Fatalf("ListAPIKeys(a): %+v, %v", keys, err)
		}
		if k, err := s.GetAPIKey(ctx, b.ID, ka.ID); !errors.Is(err, ErrNotFound) {
			t.Fatalf("GetAPIKey of another account: %+v, %v", k, err)
		}
		if id, _, err := s.APIKeyIDByPrefix(ctx, b.ID, "bbbb2222"); err != nil || id != kb.ID {
			t.Fatalf("APIKeyIDByPrefix: %d, %v", id, err)
		}
		if _, _, err := s.APIKeyIDByPrefix(ctx, a.ID, "bbbb2222"); !errors.Is(err, ErrNotFound) {
			t.Fatalf("APIKeyIDByPrefix of another account: %v", err)
		}

		ca := &SMPPCredential{AccountID: a.ID, SystemID: "sa", PasswordHash: "ha", BindLimit: 2, AllowedCIDRs: []string{"10.0.0.0/8"}}
		cb := &SMPPCredential{AccountID: b.ID, SystemID: "sb", PasswordHash: "hb"}
		for _, c := range []*SMPPCredential{ca, cb} {
			if err := s.CreateSMPPCredential(ctx, c); err != nil {
				t.Fatal(err)
			}
		}
		cs, err := s.ListSMPPCredentials(ctx, a.ID)
		if err != nil || len(cs) != 1 || cs[0].SystemID != "sa" || cs[0].PasswordHash != "" || cs[0].BindLimit != 2 ||
			strings.Join(cs[0].AllowedCIDRs, ",") != "10.0.0.0/8" {
			t.Fatalf("ListSMPPCredentials(a): %+v, %v", cs, err)
		}
		hash, tps, none := "h2", 50, []string{}
		if err := s.UpdateSMPPCredential(ctx, b.ID, ca.ID, SMPPCredentialUpdate{TPSLimit: &tps}); !errors.Is(err, ErrNotFound) {
			t.Fatalf("update of another account's credential: %v", err)
		}
		if err := s.UpdateSMPPCredential(ctx, a.ID, ca.ID, SMPPCredentialUpdate{PasswordHash: &hash, TPSLimit: &tps, AllowedCIDRs: &none}); err != nil {
			t.Fatal(err)
		}
		// The same values again: still one row matched (MySQL counts found rows).
		if err := s.UpdateSMPPCredential(ctx, a.ID, ca.ID, SMPPCredentialUpdate{TPSLimit: &tps}); err != nil {
			t.Fatalf("unchanged update: %v", err)
		}
		if err := s.UpdateSMPPCredential(ctx, a.ID, ca.ID, SMPPCredentialUpdate{}); err != nil {
			t.Fatalf("empty update: %v", err)
		}
		bad := -1
		if err := s.UpdateSMPPCredential(ctx, a.ID, ca.ID, SMPPCredentialUpdate{BindLimit: &bad}); !errors.Is(err, ErrInvalid) {
			t.Fatalf("negative limit: %v", err)
		}
		got, acc, err := s.SMPPCredentialBySystemID(ctx, "sa")
		if err != nil || acc.ID != a.ID || got.PasswordHash != "h2" || got.TPSLimit != 50 || got.BindLimit != 2 || len(got.AllowedCIDRs) != 0 {
			t.Fatalf("after update: %+v, %v", got, err)
		}
		if _, err := s.DeleteSMPPCredential(ctx, b.ID, ca.ID); !errors.Is(err, ErrNotFound) {
			t.Fatalf("delete of another account's credential: %v", err)
		}
		if sys, err := s.DeleteSMPPCredential(ctx, a.ID, ca.ID); err != nil || sys != "sa" {
			t.Fatalf("delete: %q, %v", sys, err)
		}
		if _, _, err := s.SMPPCredentialBySystemID(ctx, "sa"); !errors.Is(err, ErrNotFound) {
			t.Fatalf("deleted credential found: %v", err)
		}

		ua := &User{AccountID: a.ID, Email: "ua@example.com", PasswordHash: "h", Role: "owner", CanSend: true}
		ub := &User{AccountID: b.ID, Email: "ub@example.com", PasswordHash: "h", Role: "member"}
		for _, u := range []*User{ua, ub} {
			if err := s.CreateUser(ctx, u); err != nil {
				t.Fatal(err)
			}
		}
		us, err := s.ListUsers(ctx, b.ID)
		if err != nil || len(us) != 1 || us[0].ID != ub.ID || us[0].PasswordHash != "" || us[0].Role != "member" || us[0].CanSend {
			t.Fatalf("ListUsers(b): %+v, %v", us, err)
		}
	})
}
