package store

import (
	"errors"
	"testing"
)

// TestTopUpRequests: requests are stored pending, listed by account, by
// parent and for everyone, newest first and paged; resolving marks the
// pending ones of one account only, once.
func TestTopUpRequests(t *testing.T) {
	forEachDialect(t, func(t *testing.T, driver string) {
		s := newTestStore(t, driver)
		ctx := testCtx(t)
		var ids []int64
		for _, name := range []string{"Shop", "Cafe"} {
			a := &Account{Name: name}
			if err := s.CreateAccount(ctx, a); err != nil {
				t.Fatal(err)
			}
			ids = append(ids, a.ID)
		}
		shop, cafe := ids[0], ids[1]
		var reqs []*TopUpRequest
		for i, acct := range []int64{shop, shop, cafe} {
			r := &TopUpRequest{AccountID: acct, ParentID: 7, Amount: int64(i+1) * 1_000_000, Currency: "EUR", Note: "please", RequestedBy: 3}
			if err := s.CreateTopUpRequest(ctx, r); err != nil {
				t.Fatal(err)
			}
			reqs = append(reqs, r)
		}
		if err := s.CreateTopUpRequest(ctx, &TopUpRequest{AccountID: shop, Amount: 0, Currency: "EUR"}); !errors.Is(err, ErrInvalid) {
			t.Fatalf("zero amount: %v", err)
		}
		mine, err := s.ListTopUpRequests(ctx, TopUpRequestFilter{AccountID: shop, Pending: true})
		if err != nil || len(mine) != 2 || mine[0].ID != reqs[1].ID || mine[0].AccountName != "Shop" || mine[0].Amount != 2_000_000 ||
			mine[0].Status != TopUpPending || mine[0].Note != "please" || mine[0].CreatedAt.IsZero() || !mine[0].ResolvedAt.IsZero() {
			t.Fatalf("shop's = %+v, %v", mine, err)
		}
		page, err := s.ListTopUpRequests(ctx, TopUpRequestFilter{ParentID: 7, Pending: true, Limit: 2})
		if err != nil || len(page) != 2 || page[0].ID != reqs[2].ID {
			t.Fatalf("parent's first page = %+v, %v", page, err)
		}
		rest, err := s.ListTopUpRequests(ctx, TopUpRequestFilter{ParentID: 7, Pending: true, Before: page[1].ID})
		if err != nil || len(rest) != 1 || rest[0].ID != reqs[0].ID {
			t.Fatalf("parent's second page = %+v, %v", rest, err)
		}
		if n, err := s.ResolveTopUpRequests(ctx, cafe, reqs[2].ID, TopUpDeclined, 9); err != nil || n != 1 {
			t.Fatalf("decline = %d, %v", n, err)
		}
		if n, err := s.ResolveTopUpRequests(ctx, cafe, reqs[2].ID, TopUpDone, 9); err != nil || n != 0 {
			t.Fatalf("declined twice = %d, %v", n, err)
		}
		if n, err := s.ResolveTopUpRequests(ctx, shop, 0, TopUpDone, 9); err != nil || n != 2 {
			t.Fatalf("topped up = %d, %v", n, err)
		}
		done, err := s.ListTopUpRequests(ctx, TopUpRequestFilter{Every: true})
		if err != nil || len(done) != 3 || done[0].Status != TopUpDeclined || done[1].Status != TopUpDone || done[1].ResolvedBy != 9 || done[1].ResolvedAt.IsZero() {
			t.Fatalf("resolved = %+v, %v", done, err)
		}
		if pending, err := s.ListTopUpRequests(ctx, TopUpRequestFilter{Every: true, Pending: true}); err != nil || len(pending) != 0 {
			t.Fatalf("pending = %+v, %v", pending, err)
		}
		if got, err := s.GetTopUpRequest(ctx, reqs[0].ID); err != nil || got.Status != TopUpDone || got.AccountID != shop {
			t.Fatalf("get = %+v, %v", got, err)
		}
		if _, err := s.GetTopUpRequest(ctx, 99999); !errors.Is(err, ErrNotFound) {
			t.Fatalf("unknown: %v", err)
		}
		if _, err := s.ListTopUpRequests(ctx, TopUpRequestFilter{Pending: true}); !errors.Is(err, ErrInvalid) {
			t.Fatalf("no selection: %v", err)
		}
	})
}
