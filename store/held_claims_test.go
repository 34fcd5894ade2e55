package store

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/gallant-sms/gallant/sms"
)

// TestHeldReceiptClaims: concurrent claimers of one customer's held rows
// never get the same row; a released row is claimed again at once, an
// unreleased one only once its claim expired; HeldOwners reports only
// the asked customers' unclaimed, unexpired rows.
func TestHeldReceiptClaims(t *testing.T) {
	forEachDialect(t, func(t *testing.T, driver string) {
		s := newTestStore(t, driver)
		ctx := testCtx(t)
		now := time.Now().UTC()
		var mu sync.Mutex
		s.now = func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
		advance := func(d time.Duration) { mu.Lock(); now = now.Add(d); mu.Unlock() }
		const n = 600
		for i := range n {
			if _, err := s.HoldReceipt(ctx, 7, "esme7", sms.ID(1000+i), []byte{byte(i)}, now.Add(time.Hour)); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := s.HoldReceipt(ctx, 7, "*mo", 5000, []byte("mo"), now.Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		if _, err := s.HoldReceipt(ctx, 8, "esme8", 6000, []byte("other"), now.Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		if _, err := s.HoldReceipt(ctx, 7, "esme7", 7000, []byte("expired"), now.Add(-time.Second)); err != nil {
			t.Fatal(err)
		}

		owners, err := s.HeldOwners(ctx, []string{"esme7", "*mo", "esme9"}, []int64{7, 9})
		if err != nil {
			t.Fatal(err)
		}
		slices.SortFunc(owners, func(a, b HeldOwner) int { return len(a.SystemID) - len(b.SystemID) })
		if len(owners) != 2 || owners[0] != (HeldOwner{AccountID: 7, SystemID: "*mo", Rows: 1, MaxID: owners[0].MaxID}) ||
			owners[1].SystemID != "esme7" || owners[1].Rows != n {
			t.Fatalf("owners = %+v", owners)
		}

		// Four claimers at once, pages of 100, until none gets more.
		var (
			got   = map[int64]string{}
			dup   []string
			claim sync.WaitGroup
		)
		for c := range 4 {
			claim.Go(func() {
				for page := 0; ; page++ {
					token := fmt.Sprintf("claimer-%d-%d", c, page)
					rows, err := s.ClaimHeldReceipts(ctx, 7, "esme7", token, time.Minute, 100)
					if err != nil {
						t.Error(err)
						return
					}
					if len(rows) == 0 {
						return
					}
					mu.Lock()
					for _, r := range rows {
						if prev, ok := got[r.ID]; ok {
							dup = append(dup, fmt.Sprintf("row %d claimed by %s and %s", r.ID, prev, token))
						}
						got[r.ID] = token
						if r.AccountID != 7 || r.SystemID != "esme7" || len(r.Payload) != 1 {
							t.Errorf("claimed row %+v", r)
						}
					}
					mu.Unlock()
				}
			})
		}
		claim.Wait()
		if len(dup) > 0 || len(got) != n {
			t.Fatalf("%d rows claimed of %d; %d claimed twice: %v", len(got), n, len(dup), dup[:min(len(dup), 5)])
		}
		// Claimed rows are no one's to flush for now.
		if owners, _ := s.HeldOwners(ctx, []string{"esme7"}, []int64{7}); len(owners) != 0 {
			t.Fatalf("claimed rows still reported: %+v", owners)
		}
		if rows, _ := s.ClaimHeldReceipts(ctx, 7, "esme7", "late", time.Minute, 100); len(rows) != 0 {
			t.Fatalf("claimed again while the claims last: %d rows", len(rows))
		}

		// One claim delivers some of its rows and releases the rest.
		var mine []int64
		tok := got[slices.Min(slices.Collect(maps.Keys(got)))]
		for id, tk := range got {
			if tk == tok {
				mine = append(mine, id)
			}
		}
		if len(mine) < 2 {
			t.Fatalf("%s got %d rows", tok, len(mine))
		}
		slices.Sort(mine)
		if _, err := s.DeleteHeldReceipts(ctx, mine[:1]); err != nil {
			t.Fatal(err)
		}
		// Another claimer's token releases nothing.
		if k, err := s.ReleaseHeldReceipts(ctx, tok+"x", mine[1:]); err != nil || k != 0 {
			t.Fatalf("release with another token = %d, %v", k, err)
		}
		if k, err := s.ReleaseHeldReceipts(ctx, tok, mine[1:]); err != nil || k != int64(len(mine)-1) {
			t.Fatalf("release = %d, %v; want %d", k, err, len(mine)-1)
		}
		rows, err := s.ClaimHeldReceipts(ctx, 7, "esme7", "second", time.Minute, 1000)
		if err != nil || len(rows) != len(mine)-1 || rows[0].ID != mine[1] {
			t.Fatalf("released rows claimed again: %d rows, %v; want %d from %d", len(rows), err, len(mine)-1, mine[1])
		}
		// The others' claims expire: their rows are claimed again.
		advance(time.Minute + time.Second)
		rows, err = s.ClaimHeldReceipts(ctx, 7, "esme7", "third", time.Minute, 1000)
		if err != nil || len(rows) != n-1 {
			t.Fatalf("after the claims expired: %d rows, %v; want %d", len(rows), err, n-1)
		}

		for _, bad := range []struct {
			token string
			ttl   time.Duration
			limit int
		}{{"", time.Minute, 10}, {"t", 0, 10}, {"t", time.Hour, 10}, {"t", time.Minute, 0}, {string(make([]byte, 65)), time.Minute, 10}} {
			if _, err := s.ClaimHeldReceipts(ctx, 7, "esme7", bad.token, bad.ttl, bad.limit); !errors.Is(err, ErrInvalid) {
				t.Errorf("claim %q ttl %v limit %d: %v", bad.token, bad.ttl, bad.limit, err)
			}
		}
		if _, err := s.HeldOwners(ctx, make([]string, 1001), []int64{1}); !errors.Is(err, ErrInvalid) {
			t.Errorf("1001 system_ids: %v", err)
		}
	})
}
