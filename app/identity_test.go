package app

import (
	"context"
	"strings"
	"testing"

	"github.com/gallant-sms/gallant/account"
	"github.com/gallant-sms/gallant/store"
	"github.com/gallant-sms/gallant/store/storetest"
)

// TestIdentityRefusals: the account service's refusals reach the caller
// as the kinds the API answers (wrong password, a taken email, a weak
// password, sign-up without a mail relay, an API key asking for a
// password change), and a session token authenticates as its user.
func TestIdentityRefusals(t *testing.T) {
	st := storetest.Open(t, storetest.SQLite)
	ctx := context.Background()
	acc, users := testUsers(t, st)
	a := New(Deps{Store: st, Accounts: acc, Users: users})
	c, err := acc.CreateAccountWith(ctx, account.AccountSpec{Name: "Acme", Kind: store.KindCustomer})
	if err != nil {
		t.Fatal(err)
	}
	owner, err := users.CreateUser(ctx, account.NewUser{AccountID: c.AccountID, Email: "owner@acme.example",
		Password: "correct horse battery", Role: account.RoleOwner, Verified: true})
	if err != nil {
		t.Fatal(err)
	}
	if k := KindOf(second(a.Identity.Login(ctx, "owner@acme.example", "wrong password!!", "192.0.2.1"))); k != KindUnauthorized {
		t.Errorf("wrong password: kind %d", k)
	}
	if k := KindOf(a.Identity.Register(ctx, RegisterRequest{Email: "new@acme.example", Password: "long enough pw", AccountName: "New"}, "192.0.2.1")); k == 0 {
		t.Errorf("sign-up on a closed gateway without mail was not refused")
	}
	key := Principal{AccountID: c.AccountID, KeyID: 1, Role: RoleOwner, Scopes: []string{ScopeAdmin}}
	if k := KindOf(a.Identity.ChangePassword(ctx, key, "a", "b", "")); k != KindForbidden {
		t.Errorf("an API key changing a password: kind %d", k)
	}
	self := Principal{AccountID: c.AccountID, UserID: owner.ID, Role: RoleOwner, Scopes: []string{ScopeAdmin}}
	if k := KindOf(second(a.Identity.CreateUser(ctx, self, c.AccountID, UserRequest{Email: "owner@acme.example",
		Password: "another long one", Role: RoleMember}, ""))); k != KindEmailTaken {
		t.Errorf("a taken email: kind %d", k)
	}
	if k := KindOf(second(a.Identity.CreateUser(ctx, self, c.AccountID, UserRequest{Email: "m@acme.example",
		Password: "short", Role: RoleMember}, ""))); k != KindInvalid {
		t.Errorf("a weak password: kind %d", k)
	}

	s, err := a.Identity.Login(ctx, "owner@acme.example", "correct horse battery", "192.0.2.1")
	if err != nil || s.User.ID != owner.ID || s.TokenType != "Bearer" {
		t.Fatalf("login: %+v, %v", s, err)
	}
	p, err := a.Auth.AuthenticateAPIKey(ctx, s.AccessToken)
	if err != nil || p.UserID != owner.ID || p.Role != RoleOwner || !p.Has(ScopeSend) {
		t.Fatalf("the access token authenticates as %+v, %v", p, err)
	}
	if k := KindOf(second(a.Auth.AuthenticateAPIKey(ctx, "gal_nonsense_key"))); k != KindUnauthorized {
		t.Errorf("a bad key: kind %d", k)
	}
}

// testUsers returns the account service and dashboard users over st, with
// a cheap password hash.
func testUsers(t *testing.T, st *store.Store) (*account.Service, *account.Users) {
	t.Helper()
	acc := account.New(st, nil)
	users, err := account.NewUsers(acc, account.UsersConfig{TokenSecret: []byte(strings.Repeat("k", account.MinTokenSecret)),
		Argon2: account.Argon2Params{Memory: 64, Time: 1, Threads: 1}})
	if err != nil {
		t.Fatal(err)
	}
	return acc, users
}
