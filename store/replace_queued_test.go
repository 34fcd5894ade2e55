package store

import (
	"testing"
	"time"
)

// TestReplaceQueued: the replacement of a stored message is read back;
// the same replacement again still reports true; another account's
// message, or one not stored, is left alone and reports false.
func TestReplaceQueued(t *testing.T) {
	forEachDialect(t, func(t *testing.T, driver string) {
		s := newTestStore(t, driver)
		ctx := testCtx(t)
		m := testMessage(4, 7001)
		if err := s.Insert(ctx, m); err != nil {
			t.Fatal(err)
		}
		nm := *m
		nm.Body, nm.Segments, nm.RegisteredDelivery, nm.Price = []byte("replaced"), 1, 1, 1234
		nm.ValidUntil = time.Now().Add(time.Hour).UTC().Truncate(time.Microsecond)
		for range 2 {
			if ok, err := s.ReplaceQueued(ctx, &nm); err != nil || !ok {
				t.Fatalf("replace: %v %v", ok, err)
			}
		}
		got, _, err := s.GetMessage(ctx, 4, 7001)
		if err != nil || string(got.Body) != "replaced" || got.RegisteredDelivery != 1 || got.Price != 1234 || !got.ValidUntil.Equal(nm.ValidUntil) {
			t.Fatalf("read back %+v, %v", got, err)
		}
		other := nm
		other.AccountID, other.Body = 5, []byte("not mine")
		if ok, err := s.ReplaceQueued(ctx, &other); err != nil || ok {
			t.Fatalf("another account's: %v %v", ok, err)
		}
		missing := nm
		missing.ID = 7002
		if ok, err := s.ReplaceQueued(ctx, &missing); err != nil || ok {
			t.Fatalf("not stored: %v %v", ok, err)
		}
		if got, _, _ := s.GetMessage(ctx, 4, 7001); string(got.Body) != "replaced" {
			t.Fatalf("body %q after the refused replacements", got.Body)
		}
	})
}
