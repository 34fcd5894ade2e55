package app

import (
	"context"
	"testing"

	"github.com/gallant-sms/gallant/billing"
)

// TestPlansInForce: a customer's plans are those assigned to it and the
// plan it is priced by (its reseller's default, else the platform's), the
// one its Billing page shows as its price list; it may read that plan and
// no other default.
func TestPlansInForce(t *testing.T) {
	forEachDriver(t, func(t *testing.T, driver string) {
		f := newFixture(t, driver, "EUR")
		f.app.Accounts.pricer = billing.NewPricer(f.st)
		ctx := context.Background()
		platform, err := f.app.Accounts.CreatePlan(ctx, f.admin, CreatePlanRequest{Name: "Standard", Currency: "EUR", Default: true,
			Prices: []PlanPriceRequest{{Prefix: "44", PriceMicros: 35_000}, {Prefix: "1", PriceMicros: 10_000}}})
		if err != nil {
			t.Fatal(err)
		}
		resellers, err := f.app.Accounts.CreatePlan(ctx, f.reseller, CreatePlanRequest{Name: "Retail", Currency: "USD", Default: true,
			Prices: []PlanPriceRequest{{Prefix: "44", PriceMicros: 50_000}}})
		if err != nil {
			t.Fatal(err)
		}
		direct, err := f.app.Accounts.Create(ctx, f.admin, CreateAccountRequest{Name: "Direct"})
		if err != nil {
			t.Fatal(err)
		}
		shop, err := f.app.Accounts.Create(ctx, f.reseller, CreateAccountRequest{Name: "Shop"})
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range []struct {
			name     string
			id       int64
			want     int64
			notValid int64
		}{
			{"the platform's customer", direct.Account.ID, platform.ID, resellers.ID},
			{"the reseller's customer", shop.Account.ID, resellers.ID, platform.ID},
		} {
			owner := Principal{AccountID: c.id, KeyID: 7, UserID: 3, Role: RoleOwner, Scopes: []string{ScopeRead}}
			plans, err := f.app.Accounts.Plans(ctx, owner)
			if err != nil || len(plans) != 1 || plans[0].ID != c.want || len(plans[0].Prices) == 0 {
				t.Fatalf("%s lists %+v, %v; want plan %d with its prices", c.name, plans, err, c.want)
			}
			if v, err := f.app.Accounts.Plan(ctx, owner, c.want); err != nil || v.ID != c.want {
				t.Fatalf("%s reads its plan in force: %+v, %v", c.name, v, err)
			}
			if _, err := f.app.Accounts.Plan(ctx, owner, c.notValid); KindOf(err) != KindNotFound {
				t.Fatalf("%s reads plan %d it is not priced by: %v", c.name, c.notValid, err)
			}
		}
	})
}
