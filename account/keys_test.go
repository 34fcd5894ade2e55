package account

import (
	"errors"
	"net"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/gallant-sms/gallant/store"
)

// TestManageKeysAndCredentials: the policy's two refusals (an account
// not visible is ErrNoAccount, one readable but not manageable is
// ErrForbidden), the role cap on new keys, and credential changes that
// reach the next bind at once.
func TestManageKeysAndCredentials(t *testing.T) {
	forEachDriver(t, func(t *testing.T, driver string) {
		svc, st := newService(t, driver)
		svc.SetPasswordCost(bcrypt.MinCost)
		ctx := t.Context()
		mk := func(name string, kind store.AccountKind) int64 {
			a := &store.Account{Name: name, Kind: kind}
			if err := st.CreateAccount(ctx, a); err != nil {
				t.Fatal(err)
			}
			return a.ID
		}
		shop, other, resl := mk("shop", store.KindCustomer), mk("other", store.KindCustomer), mk("resl", store.KindReseller)
		owner := Actor{UserID: 1, AccountID: shop, Role: RoleOwner}
		member := Actor{UserID: 2, AccountID: shop, Role: RoleMember}

		k, key, err := svc.CreateKey(ctx, owner, shop, " ci ", []string{ScopeSend, ScopeSend, ScopeRead}, "192.0.2.1")
		if err != nil || k.Name != "ci" || strings.Join(k.Scopes, ",") != "send,read" || k.ID == 0 || !strings.HasPrefix(key, "gal_"+k.Prefix+"_") {
			t.Fatalf("CreateKey: %+v %q %v", k, key, err)
		}
		if p, err := svc.AuthenticateAPIKey(ctx, key); err != nil || p.KeyID != k.ID {
			t.Fatalf("the new key: %+v, %v", p, err)
		}
		if _, _, err := svc.CreateKey(ctx, member, shop, "x", []string{ScopeRead}, ""); !errors.Is(err, ErrForbidden) {
			t.Errorf("member creates a key: %v", err)
		}
		if _, err := svc.ListAPIKeys(ctx, member, shop); err != nil {
			t.Errorf("member lists keys: %v", err)
		}
		for _, target := range []int64{other, 999_999} {
			if _, err := svc.ListAPIKeys(ctx, owner, target); !errors.Is(err, ErrNoAccount) {
				t.Errorf("owner lists keys of account %d: %v", target, err)
			}
			if _, _, err := svc.CreateKey(ctx, owner, target, "x", []string{ScopeRead}, ""); !errors.Is(err, ErrNoAccount) {
				t.Errorf("owner creates a key on account %d: %v", target, err)
			}
		}
		if _, err := svc.ListAPIKeys(ctx, Actor{Role: RoleAdmin, AccountID: shop}, 999_999); !errors.Is(err, ErrNoAccount) {
			t.Errorf("admin lists keys of a missing account: %v", err)
		}
		var inv *InvalidError
		if _, _, err := svc.CreateKey(ctx, owner, shop, "x", []string{"root"}, ""); !errors.As(err, &inv) || inv.Field != "scopes" {
			t.Errorf("unknown scope: %v", err)
		}
		// An owner of a reseller account may not mint a key acting as the
		// reseller.
		reslOwner := Actor{UserID: 3, AccountID: resl, Role: RoleOwner}
		if _, _, err := svc.CreateKey(ctx, reslOwner, resl, "x", []string{ScopeAdmin}, ""); !errors.Is(err, ErrForbidden) {
			t.Errorf("owner mints a reseller key: %v", err)
		}
		if _, _, err := svc.CreateKey(ctx, Actor{UserID: 4, AccountID: resl, Role: RoleReseller}, resl, "x", []string{ScopeAdmin}, ""); err != nil {
			t.Errorf("reseller mints a reseller key: %v", err)
		}
		if err := svc.RevokeKey(ctx, owner, shop, k.ID, ""); err != nil {
			t.Fatal(err)
		}
		if err := svc.RevokeKey(ctx, owner, shop, k.ID, ""); err != nil {
			t.Errorf("revoke twice: %v", err)
		}
		if _, err := svc.AuthenticateAPIKey(ctx, key); !errors.Is(err, ErrUnauthorized) {
			t.Errorf("revoked key: %v", err)
		}

		// Credentials.
		c, pw, err := svc.AddSMPPCredential(ctx, owner, shop, NewCredential{SystemID: "shop1",
			AllowedCIDRs: []string{"127.0.0.1", "10.1.2.3/8", "10.0.0.0/8"}, BindLimit: 2}, "")
		if err != nil || len(pw) != 8 || strings.Join(c.AllowedCIDRs, ",") != "127.0.0.1/32,10.0.0.0/8" {
			t.Fatalf("AddSMPPCredential: %+v %q %v", c, pw, err)
		}
		local := &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 5000}
		if _, err := svc.AuthenticateSMPP(ctx, "shop1", pw, local); err != nil {
			t.Fatalf("bind: %v", err)
		}
		for _, bad := range []NewCredential{{SystemID: "has space"}, {SystemID: "sixteen-chars-xx"}, {SystemID: "ok", Password: "ninechars"},
			{SystemID: "ok", AllowedCIDRs: []string{"300.0.0.1"}}, {SystemID: "ok", BindLimit: -1}} {
			if _, _, err := svc.AddSMPPCredential(ctx, owner, shop, bad, ""); !errors.As(err, &inv) {
				t.Errorf("AddSMPPCredential(%+v): %v", bad, err)
			}
		}
		// A system_id in use, here or in another account, is answered as
		// a malformed one is: nothing tells where it exists.
		var malformed *InvalidError
		if _, _, err := svc.AddSMPPCredential(ctx, owner, shop, NewCredential{SystemID: "has space"}, ""); !errors.As(err, &malformed) {
			t.Fatalf("malformed system_id: %v", err)
		}
		elsewhere, err := svc.CreateAccount(ctx, "Elsewhere")
		if err != nil {
			t.Fatal(err)
		}
		for _, taken := range []string{"shop1", elsewhere.SystemID} {
			var inv *InvalidError
			if _, _, err := svc.AddSMPPCredential(ctx, owner, shop, NewCredential{SystemID: taken}, ""); !errors.As(err, &inv) ||
				*inv != *malformed || strings.Contains(inv.Detail, "exist") || strings.Contains(inv.Detail, "account") {
				t.Errorf("system_id %s in use: %v, want exactly %v", taken, err, malformed)
			}
		}
		// A narrower range and a new password reach the next bind at once,
		// cache or not.
		narrow := []string{"10.0.0.0/8"}
		if _, _, err := svc.UpdateSMPPCredential(ctx, owner, shop, c.ID, CredentialChange{AllowedCIDRs: &narrow}, ""); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.AuthenticateSMPP(ctx, "shop1", pw, local); !errors.Is(err, ErrAddress) {
			t.Errorf("bind from a removed range: %v", err)
		}
		newPW := "n3wpass"
		c2, gen, err := svc.UpdateSMPPCredential(ctx, owner, shop, c.ID, CredentialChange{Password: &newPW, AllowedCIDRs: &[]string{}}, "")
		if err != nil || gen != "" || len(c2.AllowedCIDRs) != 0 || c2.BindLimit != 2 {
			t.Fatalf("update: %+v %q %v", c2, gen, err)
		}
		if _, err := svc.AuthenticateSMPP(ctx, "shop1", pw, local); !errors.Is(err, ErrUnauthorized) {
			t.Errorf("old password after change: %v", err)
		}
		if _, err := svc.AuthenticateSMPP(ctx, "shop1", newPW, local); err != nil {
			t.Errorf("new password: %v", err)
		}
		if _, _, err := svc.UpdateSMPPCredential(ctx, member, shop, c.ID, CredentialChange{}, ""); !errors.Is(err, ErrForbidden) {
			t.Errorf("member updates: %v", err)
		}
		if _, _, err := svc.UpdateSMPPCredential(ctx, Actor{UserID: 9, AccountID: other, Role: RoleOwner}, shop, c.ID, CredentialChange{}, ""); !errors.Is(err, ErrNoAccount) {
			t.Errorf("other owner updates: %v", err)
		}
		if _, err := svc.DeleteSMPPCredential(ctx, owner, other, c.ID, ""); !errors.Is(err, ErrNoAccount) {
			t.Errorf("delete through another account: %v", err)
		}
		if sys, err := svc.DeleteSMPPCredential(ctx, owner, shop, c.ID, ""); err != nil || sys != "shop1" {
			t.Fatalf("delete: %q %v", sys, err)
		}
		if _, err := svc.AuthenticateSMPP(ctx, "shop1", newPW, local); !errors.Is(err, ErrUnauthorized) {
			t.Errorf("bind after delete: %v", err)
		}
		audit, err := st.ListAudit(ctx, shop, 0, 100)
		if err != nil {
			t.Fatal(err)
		}
		var actions []string
		for _, e := range audit {
			actions = append(actions, e.Action)
		}
		got := strings.Join(actions, ",")
		for _, a := range []string{"api_key.create", "api_key.revoke", "smpp_credential.create", "smpp_credential.update", "smpp_credential.delete"} {
			if !strings.Contains(got, a) {
				t.Errorf("audit lacks %s: %s", a, got)
			}
		}
		if strings.Count(got, "api_key.revoke") != 1 {
			t.Errorf("a second revoke was audited: %s", got)
		}
	})
}

// TestSessionsAndUsers: a session of a suspended account is refused
// within the session state's life, admins excepted; users are listed and
// added with the role rules.
func TestSessionsAndUsers(t *testing.T) {
	u, svc, sink := newUsers(t, "sqlite", nil)
	ctx := t.Context()
	ann := signUp(t, u, sink, "ann@example.com", "long enough pw", "Shop")
	sess, err := u.Login(ctx, "ann@example.com", "long enough pw", "192.0.2.1")
	if err != nil {
		t.Fatal(err)
	}
	s := NewSessions(u)
	now := svc.now()
	u.now = func() time.Time { return now }
	if a, err := s.Authenticate(ctx, sess.AccessToken); err != nil || a.UserID != ann.ID || a.Role != RoleOwner || a.Unverified {
		t.Fatalf("session: %+v, %v", a, err)
	}
	key, err := svc.CreateAPIKey(ctx, ann.AccountID, "k", []string{ScopeRead})
	if err != nil {
		t.Fatal(err)
	}
	if !LooksLikeAccessToken(sess.AccessToken) || LooksLikeAccessToken(key) {
		t.Error("LooksLikeAccessToken confuses tokens and keys")
	}
	if err := svc.st.SetAccountStatus(ctx, ann.AccountID, store.AccountSuspended); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Authenticate(ctx, sess.AccessToken); err != nil {
		t.Fatalf("within the state's life the status is not read again: %v", err)
	}
	now = now.Add(userStateTTL)
	if _, err := s.Authenticate(ctx, sess.AccessToken); !errors.Is(err, ErrSuspended) {
		t.Fatalf("suspended account's session: %v", err)
	}
	if _, err := s.Authenticate(ctx, sess.AccessToken+"x"); !errors.Is(err, ErrUnauthorized) {
		t.Fatalf("tampered token: %v", err)
	}
	if err := svc.st.SetAccountStatus(ctx, ann.AccountID, store.AccountActive); err != nil {
		t.Fatal(err)
	}
	now = now.Add(userStateTTL)

	owner := sess.Actor
	var inv *InvalidError
	if _, err := u.AddAccountUser(ctx, owner, NewUser{AccountID: owner.AccountID, Email: "r@example.com", Password: "long enough pw", Role: RoleReseller}, ""); !errors.Is(err, ErrForbidden) {
		t.Errorf("owner adds a reseller: %v", err)
	}
	if _, err := u.AddAccountUser(ctx, Actor{Role: RoleAdmin, AccountID: 99}, NewUser{AccountID: owner.AccountID, Email: "r@example.com", Password: "long enough pw", Role: RoleReseller}, ""); !errors.As(err, &inv) || inv.Field != "role" {
		t.Errorf("reseller user on a customer account: %v", err)
	}
	m, err := u.AddAccountUser(ctx, owner, NewUser{AccountID: owner.AccountID, Email: "bob@example.com", Password: "long enough pw", Role: RoleMember}, "")
	if err != nil || m.Role != RoleMember || m.SelfRegistered {
		t.Fatalf("add member: %+v, %v", m, err)
	}
	list, err := u.ListUsers(ctx, Actor{UserID: m.ID, AccountID: owner.AccountID, Role: RoleMember}, owner.AccountID)
	if err != nil || len(list) != 2 || list[0].Email != "ann@example.com" || list[1].Email != "bob@example.com" {
		t.Fatalf("ListUsers: %+v, %v", list, err)
	}
	if _, err := u.ListUsers(ctx, owner, owner.AccountID+1000); !errors.Is(err, ErrNoAccount) {
		t.Errorf("users of an unknown account: %v", err)
	}
}
