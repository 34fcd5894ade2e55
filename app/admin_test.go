package app

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/gallant-sms/gallant/store"
	"github.com/gallant-sms/gallant/store/storetest"
)

// TestAdminCreateAccount: the command line's account comes whole (a
// reseller's with its admin key, placed below its parent, with its
// balance), and a failure leaves nothing behind.
func TestAdminCreateAccount(t *testing.T) {
	forEachDriver(t, func(t *testing.T, driver string) {
		st := storetest.Open(t, driver)
		ctx := context.Background()
		ad := NewAdmin(st, nil, "GBP")
		parent, err := ad.CreateAccount(ctx, "Top", store.KindReseller, 0)
		if err != nil {
			t.Fatal(err)
		}
		c, err := ad.CreateAccount(ctx, "Below", store.KindReseller, parent.AccountID)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(c.AdminAPIKey, "gal_") || c.APIKey == "" || c.APIKey == c.AdminAPIKey {
			t.Fatalf("created %+v: want a default and an admin key", c)
		}
		sum, err := st.GetAccountSummary(ctx, c.AccountID)
		if err != nil || sum.Kind != store.KindReseller || sum.ParentID != parent.AccountID || sum.Billing == nil || sum.Billing.Currency != "GBP" {
			t.Fatalf("summary %+v (%+v), %v", sum, sum.Billing, err)
		}
		p, err := ad.Accounts().AuthenticateAPIKey(ctx, c.AdminAPIKey)
		if err != nil || string(p.Actor().Role) != RoleReseller {
			t.Fatalf("admin key acts as %+v, %v", p, err)
		}
		cust, err := ad.CreateAccount(ctx, "Plain", store.KindCustomer, 0)
		if err != nil || cust.AdminAPIKey != "" {
			t.Fatalf("customer %+v, %v: want no admin key", cust, err)
		}

		before := accountCount(t, st)
		if _, err := ad.CreateAccount(ctx, "Orphan", store.KindCustomer, 999999); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("unknown parent: %v", err)
		}
		if _, err := NewAdmin(st, nil, "euro").CreateAccount(ctx, "Bad", store.KindCustomer, 0); err == nil {
			t.Fatal("a bad currency was accepted")
		}
		if n := accountCount(t, st); n != before {
			t.Fatalf("%d accounts after two refusals, %d before", n, before)
		}
	})
}

// TestAdminTopUpAndPlans: a top-up opens a missing balance; a plan in
// another currency than the account's balance is refused.
func TestAdminTopUpAndPlans(t *testing.T) {
	st := storetest.Open(t, storetest.SQLite)
	ctx := context.Background()
	ad := NewAdmin(st, nil, "EUR")
	c, err := ad.Accounts().CreateAccount(ctx, "No balance yet")
	if err != nil {
		t.Fatal(err)
	}
	ask := &store.TopUpRequest{AccountID: c.AccountID, Amount: 2_500_000, Currency: "EUR"}
	if err := st.CreateTopUpRequest(ctx, ask); err != nil {
		t.Fatal(err)
	}
	pay, b, err := ad.TopUp(ctx, c.AccountID, 2_500_000, "wire 42")
	if err != nil || pay.LedgerID == 0 || b.Balance != 2_500_000 || b.Currency != "EUR" {
		t.Fatalf("top-up %+v, balance %+v, %v", pay, b, err)
	}
	if got, err := st.GetTopUpRequest(ctx, ask.ID); err != nil || got.Status != store.TopUpDone {
		t.Fatalf("the request after the top-up: %+v, %v", got, err)
	}
	usd := &store.PricePlan{Name: "usd", Currency: "USD", ValidFrom: time.Now().Add(-time.Minute),
		Prices: []store.PlanPrice{{Prefix: "1", PriceMicros: 5000}}}
	if err := ad.CreatePlan(ctx, usd, 0); err != nil {
		t.Fatal(err)
	}
	if _, err := ad.AssignPlan(ctx, c.AccountID, usd.ID); err == nil || !strings.Contains(err.Error(), "bills in EUR") {
		t.Fatalf("a USD plan on a EUR account: %v", err)
	}
	eur := &store.PricePlan{Name: "eur", ValidFrom: time.Now().Add(-time.Minute),
		Prices: []store.PlanPrice{{Prefix: "44", PriceMicros: 30000}}}
	if err := ad.CreatePlan(ctx, eur, 999999); !errors.Is(err, store.ErrNotFound) || eur.ID != 0 {
		t.Fatalf("plan for an unknown account: %v (id %d)", err, eur.ID)
	}
	if err := ad.CreatePlan(ctx, eur, c.AccountID); err != nil || eur.Currency != "EUR" {
		t.Fatalf("plan %+v, %v", eur, err)
	}
	if pl, err := ad.AssignPlan(ctx, c.AccountID, eur.ID); err != nil || pl.ID != eur.ID {
		t.Fatalf("assign: %+v, %v", pl, err)
	}
}
