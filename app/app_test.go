package app

import (
	"context"
	"errors"
	"testing"
	"time"

	"go.uber.org/goleak"
	"golang.org/x/crypto/bcrypt"

	"github.com/gallant-sms/gallant/account"
	"github.com/gallant-sms/gallant/store"
	"github.com/gallant-sms/gallant/store/storetest"
	"github.com/gallant-sms/gallant/webhook"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// fixture is an App over a fresh store, without a gateway or billing,
// with a platform admin and a reseller to act as.
type fixture struct {
	st         *store.Store
	acc        *account.Service
	app        *App
	admin      Principal // the platform's admin key
	reseller   Principal // a reseller's admin key
	resellerID int64
}

func newFixture(t *testing.T, driver, currency string) *fixture {
	t.Helper()
	st := storetest.Open(t, driver)
	acc := account.New(st, nil)
	acc.SetPasswordCost(bcrypt.MinCost)
	guard, err := webhook.NewGuard(webhook.AddressPolicy{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{st: st, acc: acc, app: New(Deps{Store: st, Accounts: acc, URLs: guard, Currency: currency})}
	ctx := context.Background()
	platform, err := acc.CreateAccountWith(ctx, account.AccountSpec{Name: "Platform", Kind: store.KindPlatform, Currency: "EUR"})
	if err != nil {
		t.Fatal(err)
	}
	reseller, err := acc.CreateAccountWith(ctx, account.AccountSpec{Name: "Reseller", Kind: store.KindReseller, Currency: "USD"})
	if err != nil {
		t.Fatal(err)
	}
	f.resellerID = reseller.AccountID
	f.admin = Principal{AccountID: platform.AccountID, KeyID: 1, Role: RoleAdmin, Scopes: []string{ScopeAdmin}}
	f.reseller = Principal{AccountID: reseller.AccountID, KeyID: 2, Role: RoleReseller, Scopes: []string{ScopeAdmin}}
	return f
}

func forEachDriver(t *testing.T, f func(t *testing.T, driver string)) {
	for _, d := range storetest.Drivers {
		t.Run(d, func(t *testing.T) { f(t, d) })
	}
}

// accountCount is how many accounts the store holds.
func accountCount(t *testing.T, st *store.Store) int {
	t.Helper()
	all, err := st.ListAccounts(context.Background(), 0, 0, 1000)
	if err != nil {
		t.Fatal(err)
	}
	return len(all)
}

// TestCreateAccountByReseller: a reseller's new account is a customer
// below it, with a balance in the reseller's currency, one key (the
// owner's, admin scope) and the audit entries of both accounts.
func TestCreateAccountByReseller(t *testing.T) {
	forEachDriver(t, func(t *testing.T, driver string) {
		f := newFixture(t, driver, "EUR")
		ctx := context.Background()
		c, err := f.app.Accounts.Create(ctx, f.reseller, CreateAccountRequest{Name: "Shop", IP: "192.0.2.1"})
		if err != nil {
			t.Fatal(err)
		}
		v := c.Account
		if v.Kind != "customer" || v.ParentID != f.resellerID || v.Balance == nil || v.Balance.Currency != "USD" {
			t.Fatalf("created %+v (balance %+v)", v, v.Balance)
		}
		keys, err := f.st.ListAPIKeys(ctx, v.ID)
		if err != nil || len(keys) != 1 || keys[0].Name != "owner" || len(keys[0].Scopes) != 1 || keys[0].Scopes[0] != ScopeAdmin {
			t.Fatalf("keys of the new account: %+v, %v; want the owner's admin key only", keys, err)
		}
		p, err := f.acc.AuthenticateAPIKey(ctx, c.APIKey)
		if err != nil || p.AccountID != v.ID || p.Actor().Role != account.RoleOwner {
			t.Fatalf("the owner key authenticates as %+v, %v", p, err)
		}
		for _, id := range []int64{f.resellerID, v.ID} {
			es, err := f.st.ListAudit(ctx, id, 0, 10)
			if err != nil || len(es) == 0 {
				t.Fatalf("audit of %d: %+v, %v", id, es, err)
			}
		}
	})
}

// TestCreateAccountIsOneTransaction: when a step of the creation fails
// (here the balance, in a currency the store refuses), no account is
// left behind, nor its key or credential.
func TestCreateAccountIsOneTransaction(t *testing.T) {
	forEachDriver(t, func(t *testing.T, driver string) {
		f := newFixture(t, driver, "euro") // not an ISO 4217 code
		ctx := context.Background()
		before := accountCount(t, f.st)
		_, err := f.app.Accounts.Create(ctx, f.admin, CreateAccountRequest{Name: "Half", Kind: "reseller", IP: "cli"})
		if !errors.Is(err, store.ErrInvalid) {
			t.Fatalf("Create = %v, want the store's refusal of the currency", err)
		}
		if n := accountCount(t, f.st); n != before {
			t.Fatalf("%d accounts after a failed creation, %d before", n, before)
		}
		if _, _, err := f.st.SMPPCredentialBySystemID(ctx, "half"); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("credential of the failed account: %v", err)
		}
	})
}

// TestAccountPolicy: resellers create customers below themselves only;
// an account the caller may not read is unknown; a member changes no
// rate.
func TestAccountPolicy(t *testing.T) {
	f := newFixture(t, storetest.SQLite, "EUR")
	ctx := context.Background()
	other, err := f.app.Accounts.Create(ctx, f.admin, CreateAccountRequest{Name: "Other reseller", Kind: "reseller"})
	if err != nil {
		t.Fatal(err)
	}
	mine, err := f.app.Accounts.Create(ctx, f.reseller, CreateAccountRequest{Name: "Mine"})
	if err != nil {
		t.Fatal(err)
	}
	member := Principal{AccountID: mine.Account.ID, KeyID: 9, Role: RoleMember, Scopes: []string{ScopeRead}}
	tps := 10
	for _, c := range []struct {
		name string
		err  error
		want Kind
	}{
		{"reseller creates a reseller", second(f.app.Accounts.Create(ctx, f.reseller, CreateAccountRequest{Name: "X", Kind: "reseller"})), KindForbidden},
		{"reseller creates below another", second(f.app.Accounts.Create(ctx, f.reseller, CreateAccountRequest{Name: "X", ParentID: FlexID(other.Account.ID)})), KindNotFound},
		{"reseller reads another reseller", second(f.app.Accounts.Get(ctx, f.reseller, other.Account.ID)), KindNotFound},
		{"member sets its rate", second(f.app.Accounts.Update(ctx, member, mine.Account.ID, UpdateAccountRequest{TPSLimit: &tps})), KindForbidden},
		{"owner of a customer creates", second(f.app.Accounts.Create(ctx, member, CreateAccountRequest{Name: "X"})), KindForbidden},
	} {
		if k := KindOf(c.err); k != c.want {
			t.Errorf("%s: %v (kind %d), want kind %d", c.name, c.err, k, c.want)
		}
	}
	if n := accountCount(t, f.st); n != 4 {
		t.Errorf("%d accounts after the refusals, want 4", n)
	}
}

func second[T any](_ T, err error) error { return err }

// TestUpdateSeenAtOnce: an account changed through the use case is read
// anew by the one account cache that the send path (TPS) and the
// webhooks (URL) read, without waiting for its 30-second life.
func TestUpdateSeenAtOnce(t *testing.T) {
	f := newFixture(t, storetest.SQLite, "EUR")
	ctx := context.Background()
	c, err := f.app.Accounts.Create(ctx, f.reseller, CreateAccountRequest{Name: "Cached"})
	if err != nil {
		t.Fatal(err)
	}
	id := c.Account.ID
	if got := f.acc.TPSLimit(id); got != 0 {
		t.Fatalf("TPS %d before any limit", got)
	}
	tps, url := 25, "https://hooks.example.com/gallant"
	if _, err := f.app.Accounts.Update(ctx, f.reseller, id, UpdateAccountRequest{TPSLimit: &tps}); err != nil {
		t.Fatal(err)
	}
	owner := Principal{AccountID: id, KeyID: 3, Role: RoleOwner, Scopes: []string{ScopeAdmin}}
	guard, err := webhook.NewGuard(webhook.AddressPolicy{AllowHosts: []string{"hooks.example.com"}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	f.app.Accounts.urls = guard // no DNS in tests
	if _, err := f.app.Accounts.Update(ctx, owner, id, UpdateAccountRequest{WebhookURL: &url}); err != nil {
		t.Fatal(err)
	}
	if got := f.acc.TPSLimit(id); got != 25 {
		t.Errorf("TPS %d right after the change, want 25", got)
	}
	a, err := f.acc.Account(ctx, id)
	if err != nil || a.WebhookURL != url {
		t.Errorf("cached account %+v, %v; want webhook %s", a, err, url)
	}
	// A change behind the service's back waits for the cache's life.
	limit := 99
	if err := f.st.UpdateAccount(ctx, id, store.AccountUpdate{TPSLimit: &limit}); err != nil {
		t.Fatal(err)
	}
	if got := f.acc.TPSLimit(id); got != 25 {
		t.Errorf("TPS %d: the cache was bypassed", got)
	}
	f.acc.Forget(id)
	if got := f.acc.TPSLimit(id); got != 99 {
		t.Errorf("TPS %d after Forget, want 99", got)
	}
}

// TestReportsPolicy: the margin report is the platform admin's; the
// sub-account report a reseller's or an admin's.
func TestReportsPolicy(t *testing.T) {
	f := newFixture(t, storetest.SQLite, "EUR")
	ctx := context.Background()
	c, err := f.app.Accounts.Create(ctx, f.reseller, CreateAccountRequest{Name: "Customer"})
	if err != nil {
		t.Fatal(err)
	}
	owner := Principal{AccountID: c.Account.ID, KeyID: 3, Role: RoleOwner, Scopes: []string{ScopeAdmin}}
	until := time.Now()
	from := until.Add(-24 * time.Hour)
	if k := KindOf(second(f.app.Reports.Margin(ctx, f.reseller, from, until))); k != KindForbidden {
		t.Errorf("reseller's margin report: kind %d", k)
	}
	if k := KindOf(second(f.app.Reports.SubAccountUsage(ctx, owner, c.Account.ID, from, until))); k != KindForbidden {
		t.Errorf("owner's sub-account report: kind %d", k)
	}
	if k := KindOf(second(f.app.Reports.Usage(ctx, owner, f.resellerID, UsageQuery{From: from, Until: until, GroupBy: "day"}))); k != KindNotFound {
		t.Errorf("owner reads its reseller's usage: kind %d", k)
	}
	rep, err := f.app.Reports.SubAccountUsage(ctx, f.reseller, f.resellerID, from, until)
	if err != nil || len(rep.SubAccounts) != 1 || rep.SubAccounts[0].AccountID != c.Account.ID {
		t.Fatalf("reseller's sub-account report %+v, %v", rep, err)
	}
	if _, err := f.app.Reports.Margin(ctx, f.admin, from, until); err != nil {
		t.Fatalf("admin's margin report: %v", err)
	}
}
