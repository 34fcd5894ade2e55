package app

import (
	"context"
	"testing"

	"github.com/gallant-sms/gallant/store/storetest"
	"github.com/gallant-sms/gallant/webhook"
)

// TestTopUps: an admin's top-up is a payment; a reseller's a transfer
// from its own balance, refused beyond it or to an account not below
// it; an owner tops up nothing.
func TestTopUps(t *testing.T) {
	f := newFixture(t, storetest.SQLite, "EUR")
	ctx := context.Background()
	c, err := f.app.Accounts.Create(ctx, f.reseller, CreateAccountRequest{Name: "Customer"})
	if err != nil {
		t.Fatal(err)
	}
	id := c.Account.ID
	// The reseller's balance is in USD and empty: nothing to transfer.
	if k := KindOf(second(f.app.Accounts.TopUp(ctx, f.reseller, id, TopUpRequest{AmountMicros: 1_000_000, Reference: "r1"}))); k != KindInsufficientBalance {
		t.Fatalf("a transfer from an empty balance: kind %d", k)
	}
	paid, err := f.app.Accounts.TopUp(ctx, f.admin, f.resellerID, TopUpRequest{AmountMicros: 5_000_000, Reference: "wire 1"})
	if err != nil || paid.Source != TopUpPayment || paid.Balance.Balance != 5_000_000 || paid.Entry.Amount != 5_000_000 {
		t.Fatalf("admin top-up %+v, %v", paid, err)
	}
	moved, err := f.app.Accounts.TopUp(ctx, f.reseller, id, TopUpRequest{AmountMicros: 2_000_000, Reference: "r2"})
	if err != nil || moved.Source != TopUpTransfer || moved.Balance.Balance != 2_000_000 || moved.Balance.Currency != "USD" {
		t.Fatalf("reseller transfer %+v, %v", moved, err)
	}
	if b, err := f.st.GetBillingAccount(ctx, f.resellerID); err != nil || b.Balance != 3_000_000 {
		t.Fatalf("reseller's balance after the transfer: %+v, %v", b, err)
	}
	other, err := f.app.Accounts.Create(ctx, f.admin, CreateAccountRequest{Name: "Not below"})
	if err != nil {
		t.Fatal(err)
	}
	if k := KindOf(second(f.app.Accounts.TopUp(ctx, f.reseller, other.Account.ID, TopUpRequest{AmountMicros: 1, Reference: "r3"}))); k != KindNotFound {
		t.Errorf("a transfer to an account not below the reseller: kind %d", k)
	}
	owner := Principal{AccountID: id, KeyID: 5, Role: RoleOwner, Scopes: []string{ScopeAdmin}}
	if k := KindOf(second(f.app.Accounts.TopUp(ctx, owner, id, TopUpRequest{AmountMicros: 1, Reference: "r4"}))); k != KindForbidden {
		t.Errorf("an owner's top-up: kind %d", k)
	}
	// An account an admin puts below the USD reseller bills in dollars
	// too, though the platform's currency is EUR.
	eur, err := f.app.Accounts.Create(ctx, f.admin, CreateAccountRequest{Name: "Below", ParentID: FlexID(f.resellerID)})
	if err != nil {
		t.Fatal(err)
	}
	if eur.Account.Balance == nil || eur.Account.Balance.Currency != "USD" {
		t.Fatalf("an account below a USD reseller bills in %+v", eur.Account.Balance)
	}
}

// TestAlertSettings: an account's manager sets its low-balance alert; a
// URL the webhook guard refuses and a malformed email are refused; an
// account of another reseller is unknown.
func TestAlertSettings(t *testing.T) {
	f := newFixture(t, storetest.SQLite, "EUR")
	ctx := context.Background()
	guard, err := webhook.NewGuard(webhook.AddressPolicy{AllowHosts: []string{"alerts.example.com"}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	al := &Alerts{st: f.st, acc: f.acc, urls: guard}
	c, err := f.app.Accounts.Create(ctx, f.reseller, CreateAccountRequest{Name: "Alerted"})
	if err != nil {
		t.Fatal(err)
	}
	id := c.Account.ID
	got, err := al.PutAlerts(ctx, f.reseller, id, AlertInput{Threshold: 1_500_000, Email: "ops@alerted.example",
		WebhookURL: "https://alerts.example.com/low"})
	if err != nil || got.LowBalanceThreshold != "1.500000" || got.Currency != "USD" {
		t.Fatalf("put %+v, %v", got, err)
	}
	if read, err := al.GetAlerts(ctx, f.reseller, id); err != nil || read != got {
		t.Fatalf("get %+v, %v; want %+v", read, err, got)
	}
	if k := KindOf(second(al.PutAlerts(ctx, f.reseller, id, AlertInput{WebhookURL: "http://127.0.0.1/x"}))); k != KindInvalidURL {
		t.Errorf("a loopback alert URL: kind %d", k)
	}
	if k := KindOf(second(al.PutAlerts(ctx, f.reseller, id, AlertInput{Email: "not an address"}))); k != KindInvalid {
		t.Errorf("a malformed email: kind %d", k)
	}
	stranger := Principal{AccountID: 999999, KeyID: 6, Role: RoleReseller, Scopes: []string{ScopeAdmin}}
	if k := KindOf(second(al.GetAlerts(ctx, stranger, id))); k != KindForbidden && k != KindNotFound {
		t.Errorf("another reseller reads the alerts: kind %d", k)
	}
}
