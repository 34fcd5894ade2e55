package app

import (
	"context"
	"testing"

	"github.com/gallant-sms/gallant/store"
)

// TestTopUpAsks: a customer's owner asks; the request is audited and
// listed to the customer and its reseller, pending first; the reseller
// declines one and a top-up resolves the rest; members, other accounts
// and admins asking are refused.
func TestTopUpAsks(t *testing.T) {
	forEachDriver(t, func(t *testing.T, driver string) {
		f := newFixture(t, driver, "EUR")
		ctx := context.Background()
		c, err := f.app.Accounts.Create(ctx, f.reseller, CreateAccountRequest{Name: "Shop"})
		if err != nil {
			t.Fatal(err)
		}
		shop := c.Account.ID
		owner := Principal{AccountID: shop, KeyID: 9, UserID: 4, Role: RoleOwner, Scopes: []string{ScopeAdmin}}
		member := Principal{AccountID: shop, UserID: 5, Role: RoleMember, Scopes: []string{ScopeRead}}
		first, err := f.app.Accounts.AskTopUp(ctx, owner, TopUpAsk{Amount: 5_000_000, Note: " for May ", IP: "192.0.2.1"})
		if err != nil || first.Status != store.TopUpPending || first.Currency != "USD" || first.Note != "for May" || first.AccountName != "Shop" {
			t.Fatalf("asked %+v, %v", first, err)
		}
		again, err := f.app.Accounts.AskTopUp(ctx, owner, TopUpAsk{Amount: 1_000_000})
		if err != nil {
			t.Fatal(err)
		}
		es, err := f.st.ListAudit(ctx, shop, 0, 1)
		if err != nil || len(es) != 1 || es[0].Action != "balance.topup_request" {
			t.Fatalf("audit %+v, %v", es, err)
		}
		if KindOf(second(f.app.Accounts.AskTopUp(ctx, member, TopUpAsk{Amount: 1}))) != KindForbidden ||
			KindOf(second(f.app.Accounts.AskTopUp(ctx, f.admin, TopUpAsk{Amount: 1}))) != KindForbidden {
			t.Fatal("a member or an admin asked")
		}
		// The reseller sees both, declines the second.
		page, err := f.app.Accounts.TopUpAsks(ctx, f.reseller, AsksManaged, "", 1)
		if err != nil || len(page.Items) != 1 || page.Items[0].ID != again.ID || page.NextCursor == "" {
			t.Fatalf("reseller's first page %+v, %v", page, err)
		}
		if KindOf(second(f.app.Accounts.DeclineTopUpAsk(ctx, owner, again.ID, ""))) != KindForbidden {
			t.Fatal("the owner declined its own request")
		}
		// Another reseller neither sees nor declines them: to it they do not exist.
		rival, err := f.app.Accounts.Create(ctx, f.admin, CreateAccountRequest{Name: "Rival", Kind: "reseller"})
		if err != nil {
			t.Fatal(err)
		}
		other := Principal{AccountID: rival.Account.ID, KeyID: 3, Role: RoleReseller, Scopes: []string{ScopeAdmin}}
		if KindOf(second(f.app.Accounts.DeclineTopUpAsk(ctx, other, again.ID, ""))) != KindNotFound {
			t.Fatal("another reseller's decline was not answered as for no request")
		}
		if theirs, err := f.app.Accounts.TopUpAsks(ctx, other, AsksManaged, "", 10); err != nil || len(theirs.Items) != 0 {
			t.Fatalf("another reseller reads %+v, %v", theirs, err)
		}
		declined, err := f.app.Accounts.DeclineTopUpAsk(ctx, f.reseller, again.ID, "")
		if err != nil || declined.Status != store.TopUpDeclined || declined.ResolvedAt == nil {
			t.Fatalf("declined %+v, %v", declined, err)
		}
		if KindOf(second(f.app.Accounts.DeclineTopUpAsk(ctx, f.reseller, again.ID, ""))) != KindConflict {
			t.Fatal("declined twice")
		}
		// Pending first, then the resolved, across pages.
		own, err := f.app.Accounts.TopUpAsks(ctx, owner, AsksOwn, "", 1)
		if err != nil || len(own.Items) != 1 || own.Items[0].ID != first.ID || own.NextCursor == "" {
			t.Fatalf("own first page %+v, %v", own, err)
		}
		rest, err := f.app.Accounts.TopUpAsks(ctx, owner, AsksOwn, own.NextCursor, 5)
		if err != nil || len(rest.Items) != 1 || rest.Items[0].ID != again.ID || rest.NextCursor != "" {
			t.Fatalf("own second page %+v, %v", rest, err)
		}
		if KindOf(second(f.app.Accounts.TopUpAsks(ctx, owner, AsksManaged, "", 5))) != KindForbidden ||
			KindOf(second(f.app.Accounts.TopUpAsks(ctx, owner, AsksOwn, "x1", 5))) != KindInvalid {
			t.Fatal("an owner read managed requests, or a bad cursor passed")
		}
		// An admin's top-up resolves the pending request.
		if _, err := f.app.Accounts.TopUp(ctx, f.admin, shop, TopUpRequest{AmountMicros: 5_000_000, Reference: "wire"}); err != nil {
			t.Fatal(err)
		}
		all, err := f.app.Accounts.TopUpAsks(ctx, f.admin, AsksManaged, "", 10)
		if err != nil || len(all.Items) != 2 || all.Items[0].Status != store.TopUpDeclined || all.Items[1].Status != store.TopUpDone {
			t.Fatalf("after the top-up %+v, %v", all, err)
		}
	})
}
