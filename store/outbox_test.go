package store

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/gallant-sms/gallant/sms"
)

// outboxRows returns n callbacks of accounts 1..accounts, due at next.
func outboxRows(n, accounts int, next time.Time) []OutboxWebhook {
	ws := make([]OutboxWebhook, n)
	for i := range ws {
		ws[i] = OutboxWebhook{AccountID: int64(i%accounts + 1), MessageID: sms.ID(1<<63 + uint64(i)),
			URL: fmt.Sprintf("https://hooks.example/%d", i), Body: []byte(fmt.Sprintf(`{"n":%d,"q":"'\\"}`, i)),
			Attempts: i % 3, NextAt: next}
	}
	return ws
}

// TestWebhookOutboxLifecycle: saved callbacks come back whole from a
// claim, are not claimable again while leased, are renewed, handed back
// with new attempts and times, and deleted only by their holder.
func TestWebhookOutboxLifecycle(t *testing.T) {
	forEachDialect(t, func(t *testing.T, driver string) {
		ctx := testCtx(t)
		a, b, _ := twoStores(t, driver)
		now := time.Date(2026, 7, 1, 0, 0, 0, 0, time.UTC)
		clock := func() time.Time { return now }
		a.now, b.now = clock, clock

		due := outboxRows(5, 2, time.Time{})            // due at once
		later := outboxRows(2, 1, now.Add(time.Minute)) // due in a minute
		if err := a.SaveWebhooks(ctx, append(slices.Clone(due), later...)); err != nil {
			t.Fatal(err)
		}
		if n, err := a.WebhookOutboxSize(ctx); err != nil || n != 7 {
			t.Fatalf("size %d, %v; want 7", n, err)
		}

		got, err := a.ClaimWebhooks(ctx, "owner-a", time.Minute, nil, 100)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != len(due) {
			t.Fatalf("claimed %d, want the %d due", len(got), len(due))
		}
		for i, w := range got {
			want := due[i]
			if w.ID == 0 || w.AccountID != want.AccountID || w.MessageID != want.MessageID || w.URL != want.URL ||
				!bytes.Equal(w.Body, want.Body) || w.Attempts != want.Attempts || !w.NextAt.Equal(now) {
				t.Errorf("claimed %+v, want %+v due now", w, want)
			}
		}
		// Leased: b finds nothing; nor does a again.
		if more, err := b.ClaimWebhooks(ctx, "owner-b", time.Minute, nil, 100); err != nil || len(more) != 0 {
			t.Fatalf("b claimed %d leased rows, %v", len(more), err)
		}
		// a renews at 50 s; at 70 s the later two are due and a's five
		// are still leased.
		now = now.Add(50 * time.Second)
		if n, err := a.RenewWebhooks(ctx, "owner-a", time.Minute); err != nil || n != len(due) {
			t.Fatalf("renew = %d, %v; want %d", n, err, len(due))
		}
		now = now.Add(20 * time.Second)
		lb, err := b.ClaimWebhooks(ctx, "owner-b", time.Minute, nil, 100)
		if err != nil || len(lb) != 2 || lb[0].URL != later[0].URL {
			t.Fatalf("b claimed %+v, %v; want the two later rows", lb, err)
		}
		// b cannot delete or release a's rows.
		if err := b.DeleteWebhooks(ctx, "owner-b", []int64{got[0].ID}); err != nil {
			t.Fatal(err)
		}
		if err := b.ReleaseWebhooks(ctx, "owner-b", got[:1]); err != nil {
			t.Fatal(err)
		}
		if n, _ := a.WebhookOutboxSize(ctx); n != 7 {
			t.Fatalf("size %d after foreign delete, want 7", n)
		}
		// a delivers two, hands back the other three with a new attempt
		// count, one of them due in an hour.
		if err := a.DeleteWebhooks(ctx, "owner-a", []int64{got[0].ID, got[1].ID}); err != nil {
			t.Fatal(err)
		}
		back := slices.Clone(got[2:])
		for i := range back {
			back[i].Attempts = 5
		}
		back[2].NextAt = now.Add(time.Hour)
		if err := a.ReleaseWebhooks(ctx, "owner-a", back); err != nil {
			t.Fatal(err)
		}
		if n, _ := a.WebhookOutboxSize(ctx); n != 5 {
			t.Fatalf("size %d, want 5", n)
		}
		again, err := b.ClaimWebhooks(ctx, "owner-b", time.Minute, nil, 100)
		if err != nil || len(again) != 2 {
			t.Fatalf("b claimed %+v, %v; want the two handed back due now", again, err)
		}
		for _, w := range again {
			if w.Attempts != 5 || (w.ID != back[0].ID && w.ID != back[1].ID) {
				t.Errorf("reclaimed %+v", w)
			}
		}
		// b's own leases run out unrenewed; a takes them over.
		now = now.Add(2 * time.Minute)
		over, err := a.ClaimWebhooks(ctx, "owner-a", time.Minute, nil, 100)
		if err != nil || len(over) != 4 {
			t.Fatalf("a claimed %d after b's leases ran out, %v; want 4", len(over), err)
		}
		if n, err := b.RenewWebhooks(ctx, "owner-b", time.Minute); err != nil || n != 0 {
			t.Fatalf("b renewing lost leases = %d, %v; want 0", n, err)
		}
	})
}

// TestWebhookOutboxClaimSkipsAccounts: accounts in skip are left for a
// later claim.
func TestWebhookOutboxClaimSkipsAccounts(t *testing.T) {
	forEachDialect(t, func(t *testing.T, driver string) {
		ctx := testCtx(t)
		s := openTestStore(t, testConfig(t, driver))
		if _, err := s.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		if err := s.SaveWebhooks(ctx, outboxRows(30, 3, time.Time{})); err != nil {
			t.Fatal(err)
		}
		got, err := s.ClaimWebhooks(ctx, "o", time.Minute, []int64{1, 3}, 100)
		if err != nil || len(got) != 10 {
			t.Fatalf("claimed %d, %v; want account 2's 10", len(got), err)
		}
		for _, w := range got {
			if w.AccountID != 2 {
				t.Errorf("claimed a row of account %d", w.AccountID)
			}
		}
		for _, bad := range []struct {
			owner string
			lease time.Duration
			limit int
		}{{"", time.Minute, 1}, {string(make([]byte, 65)), time.Minute, 1}, {"o", 0, 1}, {"o", time.Minute, 0}, {"o", time.Minute, 10001}} {
			if _, err := s.ClaimWebhooks(ctx, bad.owner, bad.lease, nil, bad.limit); !errors.Is(err, ErrInvalid) {
				t.Errorf("ClaimWebhooks(%q, %v, %d) = %v, want ErrInvalid", bad.owner, bad.lease, bad.limit, err)
			}
		}
	})
}

// TestWebhookOutboxConcurrentClaims: instances claiming the same outbox
// at once, each on its own Store, never get one row twice, and between
// them get every row.
func TestWebhookOutboxConcurrentClaims(t *testing.T) {
	forEachDialect(t, func(t *testing.T, driver string) {
		ctx := testCtx(t)
		cfg := testConfig(t, driver)
		first := openTestStore(t, cfg)
		if _, err := first.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		const rows, instances = 3000, 4
		if err := first.SaveWebhooks(ctx, outboxRows(rows, 7, time.Time{})); err != nil {
			t.Fatal(err)
		}
		var (
			mu   sync.Mutex
			seen = map[int64]string{}
			wg   sync.WaitGroup
		)
		for i := range instances {
			st := first
			if i > 0 {
				st = openTestStore(t, cfg)
			}
			owner := fmt.Sprintf("instance-%d", i)
			wg.Add(1)
			go func() {
				defer wg.Done()
				for range rows { // bounded: each round claims at least one row or ends
					got, err := st.ClaimWebhooks(ctx, owner, time.Hour, nil, 97)
					if err != nil {
						t.Errorf("%s: %v", owner, err)
						return
					}
					if len(got) == 0 {
						return
					}
					mu.Lock()
					for _, w := range got {
						if prev, ok := seen[w.ID]; ok {
							t.Errorf("row %d claimed by %s and %s", w.ID, prev, owner)
						}
						seen[w.ID] = owner
					}
					mu.Unlock()
				}
			}()
		}
		wg.Wait()
		if len(seen) != rows {
			t.Fatalf("%d rows claimed, want %d", len(seen), rows)
		}
	})
}
