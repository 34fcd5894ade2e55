package account

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/gallant-sms/gallant/store"
	"github.com/gallant-sms/gallant/store/storetest"
)

// TestRotateWebhookSecret: the new secret has the format of a new
// account's, differs from the old one, is stored, and is what the cached
// account shows at once; an unknown account is not found.
func TestRotateWebhookSecret(t *testing.T) {
	svc, st := newService(t, storetest.SQLite)
	ctx := context.Background()
	c, err := svc.CreateAccount(ctx, "Rotating")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Account(ctx, c.AccountID); err != nil { // cache the old row
		t.Fatal(err)
	}
	secret, err := svc.RotateWebhookSecret(ctx, c.AccountID)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(secret, "whsec_") || len(secret) != len(c.WebhookSecret) || secret == c.WebhookSecret {
		t.Fatalf("new secret %q, old %q", secret, c.WebhookSecret)
	}
	if a, err := st.GetAccount(ctx, c.AccountID); err != nil || a.WebhookSecret != secret {
		t.Fatalf("stored %+v, %v", a, err)
	}
	if a, err := svc.Account(ctx, c.AccountID); err != nil || a.WebhookSecret != secret {
		t.Fatalf("cached %+v, %v", a, err)
	}
	if _, err := svc.RotateWebhookSecret(ctx, 999999); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("unknown account: %v", err)
	}
}
