package app

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/gallant-sms/gallant/store"
	"github.com/gallant-sms/gallant/store/storetest"
)

// TestWebhookDeliveries: an account lists its own attempts newest first,
// page by page; its reseller names it with account_id; an account it may
// not read is unknown; a bad cursor is refused.
func TestWebhookDeliveries(t *testing.T) {
	forEachDriver(t, func(t *testing.T, driver string) {
		f := newFixture(t, driver, "EUR")
		ctx := context.Background()
		c, err := f.app.Accounts.Create(ctx, f.reseller, CreateAccountRequest{Name: "Shop"})
		if err != nil {
			t.Fatal(err)
		}
		shop := c.Account.ID
		owner := Principal{AccountID: shop, KeyID: 9, Role: RoleOwner, Scopes: []string{ScopeAdmin}}
		at := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
		for i, acct := range []int64{shop, shop, f.resellerID, shop} {
			a := &store.WebhookAttempt{MessageID: 77, AccountID: acct, URL: "https://h.example/cb", Attempt: i + 1,
				StatusCode: 500, Error: "500 Internal Server Error", At: at.Add(time.Duration(i) * time.Second)}
			if err := f.st.RecordWebhookAttempt(ctx, a); err != nil {
				t.Fatal(err)
			}
		}
		page, err := f.app.Accounts.Deliveries(ctx, owner, DeliveryFilter{Limit: 2})
		if err != nil || len(page.Items) != 2 || page.Items[0].Attempt != 4 || page.Items[1].Attempt != 2 || page.NextCursor == "" {
			t.Fatalf("first page %+v, %v", page, err)
		}
		if page.Items[0].MessageID != 77 || page.Items[0].StatusCode != 500 || !page.Items[0].At.Equal(at.Add(3*time.Second)) {
			t.Fatalf("item %+v", page.Items[0])
		}
		rest, err := f.app.Accounts.Deliveries(ctx, owner, DeliveryFilter{Cursor: page.NextCursor, Limit: 2})
		if err != nil || len(rest.Items) != 1 || rest.Items[0].Attempt != 1 || rest.NextCursor != "" {
			t.Fatalf("second page %+v, %v", rest, err)
		}
		byReseller, err := f.app.Accounts.Deliveries(ctx, f.reseller, DeliveryFilter{AccountID: shop, Limit: 10})
		if err != nil || len(byReseller.Items) != 3 {
			t.Fatalf("the reseller sees %+v, %v", byReseller, err)
		}
		if _, err := f.app.Accounts.Deliveries(ctx, owner, DeliveryFilter{AccountID: f.resellerID, Limit: 10}); KindOf(err) != KindNotFound {
			t.Fatalf("the customer reads its reseller's: %v", err)
		}
		if _, err := f.app.Accounts.Deliveries(ctx, owner, DeliveryFilter{Cursor: "x", Limit: 10}); KindOf(err) != KindInvalid {
			t.Fatalf("bad cursor: %v", err)
		}
	})
}

// TestRotateWebhookSecret: the owner and its reseller rotate the secret,
// which is stored, differs each time and is audited without the secret;
// a member may not; another account's is unknown.
func TestRotateWebhookSecret(t *testing.T) {
	f := newFixture(t, storetest.SQLite, "EUR")
	ctx := context.Background()
	c, err := f.app.Accounts.Create(ctx, f.reseller, CreateAccountRequest{Name: "Shop"})
	if err != nil {
		t.Fatal(err)
	}
	shop := c.Account.ID
	owner := Principal{AccountID: shop, KeyID: 9, Role: RoleOwner, Scopes: []string{ScopeAdmin}}
	member := Principal{AccountID: shop, UserID: 5, Role: RoleMember, Scopes: []string{ScopeRead}}
	v, err := f.app.Accounts.RotateWebhookSecret(ctx, owner, shop, "192.0.2.9")
	if err != nil || v.AccountID != shop || v.WebhookSecret == "" || v.WebhookSecret == c.WebhookSecret {
		t.Fatalf("rotated %+v, %v (old %q)", v, err, c.WebhookSecret)
	}
	if a, err := f.st.GetAccount(ctx, shop); err != nil || a.WebhookSecret != v.WebhookSecret {
		t.Fatalf("stored %+v, %v", a, err)
	}
	if a, err := f.acc.Account(ctx, shop); err != nil || a.WebhookSecret != v.WebhookSecret {
		t.Fatalf("the dispatcher's cached account %+v, %v", a, err)
	}
	es, err := f.st.ListAudit(ctx, shop, 0, 1)
	if err != nil || len(es) != 1 || es[0].Action != "account.webhook_secret_rotate" || es[0].IP != "192.0.2.9" {
		t.Fatalf("audit %+v, %v", es, err)
	}
	if strings.Contains(es[0].Details, v.WebhookSecret) {
		t.Fatalf("the audit log holds the secret: %q", es[0].Details)
	}
	again, err := f.app.Accounts.RotateWebhookSecret(ctx, f.reseller, shop, "cli")
	if err != nil || again.WebhookSecret == v.WebhookSecret {
		t.Fatalf("the reseller's rotation %+v, %v", again, err)
	}
	if _, err := f.app.Accounts.RotateWebhookSecret(ctx, member, shop, ""); KindOf(err) != KindForbidden {
		t.Fatalf("member: %v", err)
	}
	if _, err := f.app.Accounts.RotateWebhookSecret(ctx, owner, f.resellerID, ""); KindOf(err) != KindNotFound {
		t.Fatalf("another account: %v", err)
	}
}
