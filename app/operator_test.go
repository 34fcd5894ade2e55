package app

import (
	"context"
	"math"
	"strconv"
	"testing"
	"time"
)

// TestRateMeter: a rate is measured from the oldest sample of the last
// RateWindow at least a second old; nothing before such a sample exists,
// and a counter that went back starts again.
func TestRateMeter(t *testing.T) {
	var m rateMeter
	t0 := time.Unix(1_000, 0)
	at := func(d time.Duration) time.Time { return t0.Add(d) }
	if _, ok := m.rate("c/0", t0, 100); ok {
		t.Fatal("a first read has a rate")
	}
	if _, ok := m.rate("c/0", at(500*time.Millisecond), 150); ok {
		t.Fatal("a rate over half a second")
	}
	r, ok := m.rate("c/0", at(2*time.Second), 300)
	if !ok || math.Abs(r-100) > 1e-9 {
		t.Fatalf("after 2 s: %v %v, want 100/s", r, ok)
	}
	r, ok = m.rate("c/0", at(4*time.Second), 300)
	if !ok || math.Abs(r-50) > 1e-9 {
		t.Fatalf("after 4 s with no more: %v %v, want 50/s (200 in 4 s)", r, ok)
	}
	// Eleven seconds on, t0's sample is out of the window: from the 2 s one.
	r, ok = m.rate("c/0", at(11*time.Second), 300)
	if !ok || r != 0 {
		t.Fatalf("after 11 s: %v %v, want 0/s from the 2 s sample", r, ok)
	}
	if _, ok := m.rate("c/1", at(11*time.Second), 5); ok {
		t.Fatal("another counter shares samples")
	}
	if _, ok := m.rate("c/0", at(12*time.Second), 10); ok {
		t.Fatal("a counter that went back has a rate from before")
	}
	if n := len(m.samples["c/0"]); n != 1 {
		t.Fatalf("%d samples kept after the counter went back, want 1", n)
	}
}

// TestOperatorAccess: only platform admins read the operator's views;
// without a gateway or billing they are empty lists, never null.
func TestOperatorAccess(t *testing.T) {
	ctx := context.Background()
	o := NewOperator(nil, nil, nil)
	for _, role := range []string{RoleReseller, RoleOwner, RoleMember} {
		p := Principal{AccountID: 2, Role: role, Scopes: []string{ScopeAdmin}}
		if _, err := o.Carriers(ctx, p); KindOf(err) != KindForbidden {
			t.Errorf("%s: Carriers: %v, want forbidden", role, err)
		}
		if _, err := o.Routes(ctx, p); KindOf(err) != KindForbidden {
			t.Errorf("%s: Routes: %v, want forbidden", role, err)
		}
	}
	admin := Principal{AccountID: 1, Role: RoleAdmin, Scopes: []string{ScopeAdmin}}
	c, err := o.Carriers(ctx, admin)
	if err != nil || c.Carriers == nil || len(c.Carriers) != 0 || c.RateWindowSeconds != 10 || c.At.IsZero() {
		t.Fatalf("admin Carriers without a gateway = %+v, %v", c, err)
	}
	r, err := o.Routes(ctx, admin)
	if err != nil || r.Routes == nil || r.AccountRoutes == nil || r.BuyRates == nil {
		t.Fatalf("admin Routes without a gateway = %+v, %v", r, err)
	}
}

// TestOperatorAudit: the platform's audit log holds every account's
// entries, newest first, page by page; only platform admins read it.
func TestOperatorAudit(t *testing.T) {
	forEachDriver(t, func(t *testing.T, driver string) {
		f := newFixture(t, driver, "EUR")
		ctx := context.Background()
		c, err := f.app.Accounts.Create(ctx, f.reseller, CreateAccountRequest{Name: "Shop"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.app.Accounts.SetSuspended(ctx, f.admin, c.Account.ID, true, "192.0.2.1"); err != nil {
			t.Fatal(err)
		}
		if _, err := f.app.Operator.Audit(ctx, f.reseller, 0, 10); KindOf(err) != KindForbidden {
			t.Fatalf("reseller reads the platform's audit log: %v", err)
		}
		first, err := f.app.Operator.Audit(ctx, f.admin, 0, 1)
		if err != nil || len(first.Items) != 1 || first.Items[0].Action != "account.suspend" || first.Items[0].AccountID != c.Account.ID ||
			first.Items[0].IP != "192.0.2.1" || first.NextBefore == "" {
			t.Fatalf("newest entry: %+v, %v", first, err)
		}
		before, _ := strconv.ParseInt(first.NextBefore, 10, 64)
		rest, err := f.app.Operator.Audit(ctx, f.admin, before, 10)
		if err != nil || len(rest.Items) == 0 || rest.Items[0].ID >= first.Items[0].ID {
			t.Fatalf("next page: %+v, %v", rest, err)
		}
		found := false
		for _, e := range rest.Items {
			found = found || (e.Action == "account.create" && e.AccountID == c.Account.ID)
		}
		if !found {
			t.Fatalf("the creation by the reseller is not in the platform's log: %+v", rest.Items)
		}
	})
}
