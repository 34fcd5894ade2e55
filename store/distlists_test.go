package store

import (
	"errors"
	"slices"
	"testing"
)

// TestDistLists: a list is created once per account and name, read back
// with its members in order, listed without them, replaced, deleted; the
// lists of one account are invisible to another, and what the table
// cannot hold is refused.
func TestDistLists(t *testing.T) {
	forEachDialect(t, func(t *testing.T, driver string) {
		s := newTestStore(t, driver)
		ctx := testCtx(t)
		l := &DistList{AccountID: 7, Name: "Team", Numbers: []string{"447700900001", "447700900002", "33612345678"}}
		if err := s.CreateDistList(ctx, l); err != nil {
			t.Fatal(err)
		}
		if l.Count != 3 || l.CreatedAt.IsZero() {
			t.Fatalf("created %+v", l)
		}
		dup := &DistList{AccountID: 7, Name: "Team", Numbers: []string{"447700900009"}}
		if err := s.CreateDistList(ctx, dup); !errors.Is(err, ErrDuplicate) {
			t.Fatalf("second Team: %v, want ErrDuplicate", err)
		}
		// Another account may use the name; names are case-sensitive.
		if err := s.CreateDistList(ctx, &DistList{AccountID: 8, Name: "Team", Numbers: []string{"491701234567"}}); err != nil {
			t.Fatal(err)
		}
		if err := s.CreateDistList(ctx, &DistList{AccountID: 7, Name: "team"}); err != nil {
			t.Fatalf("empty list team: %v", err)
		}
		got, err := s.GetDistList(ctx, 7, "Team")
		if err != nil || !slices.Equal(got.Numbers, l.Numbers) || got.Count != 3 {
			t.Fatalf("get: %+v, %v", got, err)
		}
		if got, err := s.GetDistList(ctx, 7, "team"); err != nil || len(got.Numbers) != 0 || got.Count != 0 {
			t.Fatalf("get empty: %+v, %v", got, err)
		}
		if got, err := s.GetDistList(ctx, 8, "Team"); err != nil || !slices.Equal(got.Numbers, []string{"491701234567"}) {
			t.Fatalf("account 8's: %+v, %v", got, err)
		}
		if _, err := s.GetDistList(ctx, 9, "Team"); !errors.Is(err, ErrNotFound) {
			t.Fatalf("account 9: %v, want ErrNotFound", err)
		}
		all, total, err := s.DistLists(ctx, 7, 10)
		if err != nil || total != 2 || len(all) != 2 || all[0].Name != "Team" || all[0].Count != 3 || all[0].Numbers != nil || all[1].Name != "team" {
			t.Fatalf("lists: %+v, %d, %v", all, total, err)
		}
		if all, total, err := s.DistLists(ctx, 7, 1); err != nil || total != 2 || len(all) != 1 {
			t.Fatalf("lists limit 1: %+v, %d, %v", all, total, err)
		}
		if _, _, err := s.DistLists(ctx, 7, 0); !errors.Is(err, ErrInvalid) {
			t.Fatalf("limit 0: %v", err)
		}
		rep := &DistList{AccountID: 7, Name: "Team", Numbers: []string{"447700900003"}}
		if err := s.ReplaceDistList(ctx, rep); err != nil || rep.Count != 1 || !rep.CreatedAt.Equal(l.CreatedAt) {
			t.Fatalf("replace: %+v, %v", rep, err)
		}
		if got, _ := s.GetDistList(ctx, 7, "Team"); !slices.Equal(got.Numbers, []string{"447700900003"}) {
			t.Fatalf("after replace: %+v", got)
		}
		if got, _ := s.GetDistList(ctx, 8, "Team"); got.Count != 1 || got.Numbers[0] != "491701234567" {
			t.Fatalf("replace touched account 8's list: %+v", got)
		}
		if err := s.ReplaceDistList(ctx, &DistList{AccountID: 9, Name: "Team"}); !errors.Is(err, ErrNotFound) {
			t.Fatalf("replace account 9's: %v, want ErrNotFound", err)
		}
		if err := s.DeleteDistList(ctx, 9, "Team"); !errors.Is(err, ErrNotFound) {
			t.Fatalf("delete account 9's: %v, want ErrNotFound", err)
		}
		if err := s.DeleteDistList(ctx, 7, "Team"); err != nil {
			t.Fatal(err)
		}
		if _, err := s.GetDistList(ctx, 7, "Team"); !errors.Is(err, ErrNotFound) {
			t.Fatalf("after delete: %v", err)
		}
		if _, err := s.GetDistList(ctx, 8, "Team"); err != nil {
			t.Fatalf("delete touched account 8's list: %v", err)
		}
		for _, bad := range []DistList{{AccountID: 0, Name: "x"}, {AccountID: 7}, {AccountID: 7, Name: "x", Numbers: []string{"1,2"}},
			{AccountID: 7, Name: "x", Numbers: []string{""}}} {
			if err := s.CreateDistList(ctx, &bad); !errors.Is(err, ErrInvalid) {
				t.Fatalf("%+v: %v, want ErrInvalid", bad, err)
			}
		}
	})
}
