package store

import (
	"errors"
	"fmt"
	"slices"
	"testing"
)

// TestHooks: hooks are stored per account with their event set, listed
// oldest first, read and deleted only by their own account, and an
// account may have at most MaxHooksPerAccount of them.
func TestHooks(t *testing.T) {
	forEachDialect(t, func(t *testing.T, driver string) {
		s := newTestStore(t, driver)
		ctx := testCtx(t)
		shop, cafe := &Account{Name: "Shop"}, &Account{Name: "Cafe"}
		for _, a := range []*Account{shop, cafe} {
			if err := s.CreateAccount(ctx, a); err != nil {
				t.Fatal(err)
			}
		}
		h := &Hook{AccountID: shop.ID, URL: "https://hooks.example.com/a", Events: []string{"message.status", "contact.created"}, Description: "zap 1"}
		if err := s.CreateHook(ctx, h); err != nil || h.ID == 0 || h.CreatedAt.IsZero() {
			t.Fatalf("create: %+v, %v", h, err)
		}
		got, err := s.GetHook(ctx, shop.ID, h.ID)
		if err != nil || got.URL != h.URL || !slices.Equal(got.Events, h.Events) || got.Description != "zap 1" || !got.CreatedAt.Equal(h.CreatedAt) {
			t.Fatalf("get = %+v, %v", got, err)
		}
		if _, err := s.GetHook(ctx, cafe.ID, h.ID); !errors.Is(err, ErrNotFound) {
			t.Fatalf("another account's get: %v", err)
		}
		if err := s.DeleteHook(ctx, cafe.ID, h.ID); !errors.Is(err, ErrNotFound) {
			t.Fatalf("another account's delete: %v", err)
		}
		if err := s.CreateHook(ctx, &Hook{AccountID: shop.ID, URL: "https://x.example"}); !errors.Is(err, ErrInvalid) {
			t.Fatalf("no events: %v", err)
		}
		if err := s.CreateHook(ctx, &Hook{AccountID: 987654, URL: "https://x.example", Events: []string{"a"}}); !errors.Is(err, ErrNotFound) {
			t.Fatalf("unknown account: %v", err)
		}
		c := &Hook{AccountID: cafe.ID, URL: "https://hooks.example.com/c", Events: []string{"balance.low"}}
		if err := s.CreateHook(ctx, c); err != nil {
			t.Fatal(err)
		}
		for i := 1; i < MaxHooksPerAccount; i++ {
			if err := s.CreateHook(ctx, &Hook{AccountID: shop.ID, URL: fmt.Sprintf("https://hooks.example.com/%d", i), Events: []string{"message.inbound"}}); err != nil {
				t.Fatalf("hook %d: %v", i, err)
			}
		}
		if err := s.CreateHook(ctx, &Hook{AccountID: shop.ID, URL: "https://one.too.many", Events: []string{"message.inbound"}}); !errors.Is(err, ErrHookLimit) {
			t.Fatalf("hook past the limit: %v", err)
		}
		list, err := s.ListHooks(ctx, shop.ID)
		if err != nil || len(list) != MaxHooksPerAccount || list[0].ID != h.ID || list[1].URL != "https://hooks.example.com/1" {
			t.Fatalf("list: %d hooks, %v", len(list), err)
		}
		all, err := s.AllHooks(ctx)
		if err != nil || len(all) != MaxHooksPerAccount+1 {
			t.Fatalf("all: %d hooks, %v", len(all), err)
		}
		if err := s.DeleteHook(ctx, shop.ID, h.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := s.GetHook(ctx, shop.ID, h.ID); !errors.Is(err, ErrNotFound) {
			t.Fatalf("deleted hook: %v", err)
		}
		if err := s.DeleteHook(ctx, shop.ID, h.ID); !errors.Is(err, ErrNotFound) {
			t.Fatalf("deleted twice: %v", err)
		}
		// Room again for one.
		if err := s.CreateHook(ctx, &Hook{AccountID: shop.ID, URL: "https://again.example", Events: []string{"message.inbound"}}); err != nil {
			t.Fatal(err)
		}
		if cs, err := s.ListHooks(ctx, cafe.ID); err != nil || len(cs) != 1 || cs[0].ID != c.ID || !slices.Equal(cs[0].Events, []string{"balance.low"}) {
			t.Fatalf("cafe's = %+v, %v", cs, err)
		}
	})
}
