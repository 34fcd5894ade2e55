package account

import (
	"context"
	"errors"
	"net"
	"testing"

	"github.com/gallant-sms/gallant/store"
)

// TestResellerSuspendsSubAccount runs a reseller's day end to end: log
// in, create two customers, suspend one (which can then neither send over
// HTTP nor bind over SMPP, at once, despite the auth cache), leave the
// other alone, reactivate; other resellers and the customer itself cannot
// do any of it.
func TestResellerSuspendsSubAccount(t *testing.T) {
	forEachDriver(t, func(t *testing.T, driver string) {
		ctx := context.Background()
		u, svc, _ := newUsers(t, driver, nil)
		addr := &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 4000}

		login := func(account int64, email string, role Role) Actor {
			t.Helper()
			if _, err := u.CreateUser(ctx, NewUser{AccountID: account, Email: email, Password: "a good password", Role: role, CanSend: true}); err != nil {
				t.Fatal(err)
			}
			s, err := u.Login(ctx, email, "a good password", "198.51.100.7")
			if err != nil {
				t.Fatal(err)
			}
			who, err := u.Authenticate(ctx, s.AccessToken)
			if err != nil {
				t.Fatal(err)
			}
			return who
		}
		r1, err := svc.CreateAccount(ctx, "Reseller One")
		if err != nil {
			t.Fatal(err)
		}
		r2, err := svc.CreateAccount(ctx, "Reseller Two")
		if err != nil {
			t.Fatal(err)
		}
		res1 := login(r1.AccountID, "r1@example.com", RoleReseller)
		res2 := login(r2.AccountID, "r2@example.com", RoleReseller)

		c1, err := svc.CreateSubAccount(ctx, res1, r1.AccountID, "Customer One", "198.51.100.7")
		if err != nil {
			t.Fatal(err)
		}
		c2, err := svc.CreateSubAccount(ctx, res1, r1.AccountID, "Customer Two", "198.51.100.7")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := svc.CreateSubAccount(ctx, res2, r1.AccountID, "Intruder", ""); !errors.Is(err, ErrForbidden) {
			t.Fatalf("reseller created a sub-account under another reseller: %v", err)
		}
		kids, err := svc.SubAccounts(ctx, res1, r1.AccountID)
		if err != nil || len(kids) != 2 || kids[0] != c1.AccountID || kids[1] != c2.AccountID {
			t.Fatalf("SubAccounts = %v, %v", kids, err)
		}
		if _, err := svc.SubAccounts(ctx, res2, r1.AccountID); !errors.Is(err, ErrForbidden) {
			t.Fatalf("reseller listed another reseller's customers: %v", err)
		}
		cust := login(c1.AccountID, "c1@example.com", RoleOwner)

		works := func(c Created) error {
			if _, err := svc.AuthenticateAPIKey(ctx, c.APIKey); err != nil {
				return err
			}
			_, err := svc.AuthenticateSMPP(ctx, c.SystemID, c.SMPPPassword, addr)
			return err
		}
		// Both customers work, and are now in the auth cache.
		for _, c := range []Created{c1, c2} {
			if err := works(c); err != nil {
				t.Fatalf("%s before suspension: %v", c.Name, err)
			}
		}
		for name, who := range map[string]Actor{"other reseller": res2, "customer itself": cust} {
			if err := svc.SetAccountStatus(ctx, who, c1.AccountID, store.AccountSuspended, ""); !errors.Is(err, ErrForbidden) {
				t.Fatalf("%s suspended the customer: %v", name, err)
			}
		}
		if err := svc.SetAccountStatus(ctx, res1, r1.AccountID, store.AccountSuspended, ""); !errors.Is(err, ErrForbidden) {
			t.Fatalf("reseller suspended itself: %v", err)
		}
		if err := svc.SetAccountStatus(ctx, res1, c1.AccountID, store.AccountSuspended, "198.51.100.7"); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.AuthenticateAPIKey(ctx, c1.APIKey); !errors.Is(err, ErrSuspended) {
			t.Fatalf("suspended customer's key: %v", err)
		}
		if _, err := svc.AuthenticateSMPP(ctx, c1.SystemID, c1.SMPPPassword, addr); !errors.Is(err, ErrSuspended) {
			t.Fatalf("suspended customer's bind: %v", err)
		}
		if _, err := u.Login(ctx, "c1@example.com", "a good password", ""); !errors.Is(err, ErrSuspended) {
			t.Fatalf("suspended customer's login: %v", err)
		}
		if err := works(c2); err != nil {
			t.Fatalf("sibling after suspension: %v", err)
		}
		if err := svc.SetAccountStatus(ctx, res1, c1.AccountID, store.AccountActive, ""); err != nil {
			t.Fatal(err)
		}
		if err := works(c1); err != nil {
			t.Fatalf("after reactivation: %v", err)
		}

		// The customer's audit log shows its suspension; the other
		// reseller cannot read it; the reseller can.
		log, err := svc.ReadAudit(ctx, cust, c1.AccountID, 0, 100)
		if err != nil {
			t.Fatal(err)
		}
		var suspended bool
		for _, e := range log {
			if e.Action == "account.suspend" && e.ActorUserID == res1.UserID && e.IP == "198.51.100.7" {
				suspended = true
			}
		}
		if !suspended {
			t.Fatalf("no suspension in the audit log: %+v", log)
		}
		if _, err := svc.ReadAudit(ctx, res2, c1.AccountID, 0, 100); !errors.Is(err, ErrForbidden) {
			t.Fatalf("other reseller read the audit log: %v", err)
		}
		if _, err := svc.ReadAudit(ctx, res1, c1.AccountID, 0, 100); err != nil {
			t.Fatalf("reseller read its customer's audit log: %v", err)
		}
	})
}

func TestCredentialActionsAreCheckedAndAudited(t *testing.T) {
	ctx := context.Background()
	svc, _ := newService(t, "sqlite")
	a, err := svc.CreateAccount(ctx, "Acme")
	if err != nil {
		t.Fatal(err)
	}
	b, err := svc.CreateAccount(ctx, "Bravo")
	if err != nil {
		t.Fatal(err)
	}
	owner := Actor{UserID: 5, AccountID: a.AccountID, Role: RoleOwner}
	sender := Actor{UserID: 6, AccountID: a.AccountID, Role: RoleMember, CanSend: true}
	if _, err := svc.IssueAPIKey(ctx, sender, a.AccountID, "ci", []string{ScopeSend}, ""); !errors.Is(err, ErrForbidden) {
		t.Fatalf("member issued a key: %v", err)
	}
	if _, err := svc.IssueAPIKey(ctx, owner, b.AccountID, "ci", []string{ScopeSend}, ""); !errors.Is(err, ErrForbidden) {
		t.Fatalf("owner issued a key for another account: %v", err)
	}
	key, err := svc.IssueAPIKey(ctx, owner, a.AccountID, "ci", []string{ScopeSend}, "203.0.113.5")
	if err != nil {
		t.Fatal(err)
	}
	p, err := svc.AuthenticateAPIKey(ctx, key) // cached from here on
	if err != nil {
		t.Fatal(err)
	}
	if err := svc.RevokeAPIKey(ctx, owner, b.AccountID, p.KeyID, ""); !errors.Is(err, ErrForbidden) {
		t.Fatalf("owner revoked through another account: %v", err)
	}
	if err := svc.RevokeAPIKey(ctx, owner, a.AccountID, p.KeyID, "203.0.113.5"); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.AuthenticateAPIKey(ctx, key); !errors.Is(err, ErrUnauthorized) {
		t.Fatalf("revoked key still works: %v", err)
	}
	if _, err := svc.IssueSMPPCredential(ctx, owner, a.AccountID, "acme-2", 1, 10, "203.0.113.5"); err != nil {
		t.Fatal(err)
	}
	log, err := svc.ReadAudit(ctx, owner, a.AccountID, 0, 10)
	if err != nil {
		t.Fatal(err)
	}
	var actions []string
	for _, e := range log {
		actions = append(actions, e.Action)
	}
	want := []string{"smpp_credential.create", "api_key.revoke", "api_key.create"}
	if len(actions) != 3 || actions[0] != want[0] || actions[1] != want[1] || actions[2] != want[2] {
		t.Fatalf("audit actions %v, want %v", actions, want)
	}
}
