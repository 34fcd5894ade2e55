package account

import (
	"context"
	"testing"

	"github.com/gallant-sms/gallant/store"
	"github.com/gallant-sms/gallant/store/storetest"
)

// TestAccountCache: the account row is read once and then served from
// the cache; a change through the service drops it at once, a change
// behind its back waits for Forget (or the cache's life).
func TestAccountCache(t *testing.T) {
	svc, st := newService(t, storetest.SQLite)
	ctx := context.Background()
	c, err := svc.CreateAccount(ctx, "Cached")
	if err != nil {
		t.Fatal(err)
	}
	a, err := svc.Account(ctx, c.AccountID)
	if err != nil || a.Status != store.AccountActive {
		t.Fatalf("account %+v, %v", a, err)
	}
	tps := 7
	if err := st.UpdateAccount(ctx, c.AccountID, store.AccountUpdate{TPSLimit: &tps}); err != nil {
		t.Fatal(err)
	}
	if got := svc.TPSLimit(c.AccountID); got != 0 {
		t.Fatalf("TPS %d: a change behind the service's back was seen before its time", got)
	}
	svc.Forget(c.AccountID)
	if got := svc.TPSLimit(c.AccountID); got != 7 {
		t.Fatalf("TPS %d after Forget, want 7", got)
	}
	if err := svc.SetAccountStatus(ctx, Actor{Role: RoleAdmin}, c.AccountID, store.AccountSuspended, "test"); err != nil {
		t.Fatal(err)
	}
	if a, err := svc.Account(ctx, c.AccountID); err != nil || a.Status != store.AccountSuspended {
		t.Fatalf("after suspension: %+v, %v", a, err)
	}
	tps = 9
	if err := svc.UpdateAccount(ctx, c.AccountID, store.AccountUpdate{TPSLimit: &tps}); err != nil {
		t.Fatal(err)
	}
	if got := svc.TPSLimit(c.AccountID); got != 9 {
		t.Fatalf("TPS %d right after UpdateAccount, want 9", got)
	}
	if got := svc.TPSLimit(999999); got != 0 {
		t.Fatalf("TPS %d of an unknown account", got)
	}
}
