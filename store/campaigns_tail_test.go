package store

import (
	"testing"
	"time"

	"github.com/gallant-sms/gallant/sms"
)

// TestContiguousEvents: the campaign events tail stops below an event
// id not yet committed (MySQL may commit an id after a higher one), and
// passes it once the newest id seen with it is maxEventGap old (a gap
// that never fills: a rollback, purged history).
func TestContiguousEvents(t *testing.T) {
	forEachDialect(t, func(t *testing.T, driver string) {
		s := newTestStore(t, driver)
		ctx := testCtx(t)
		clock := time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC)
		s.now = func() time.Time { return clock }
		for _, id := range []int64{1, 2, 4, 5} {
			if _, err := s.w.ExecContext(ctx, "INSERT INTO message_events (id, message_id, account_id, status, at, segment, carrier, "+
				"carrier_msg_id, error_code) VALUES (?, ?, 1, 2, ?, 0, 'c', 'x', '')", id, s.idArg(sms.ID(1000+id)), s.timeArg(clock)); err != nil {
				t.Fatal(err)
			}
		}
		upTo := func(last, hi, top int64) int64 {
			t.Helper()
			tx, err := s.w.BeginTxx(ctx, nil)
			if err != nil {
				t.Fatal(err)
			}
			defer tx.Rollback()
			got, err := s.contiguousEvents(ctx, tx, last, hi, top)
			if err != nil {
				t.Fatal(err)
			}
			return got
		}
		if got := upTo(0, 5, 5); got != 2 {
			t.Fatalf("with id 3 missing the tail goes to %d, want 2", got)
		}
		clock = clock.Add(maxEventGap / 2)
		if got := upTo(0, 5, 5); got != 2 {
			t.Fatalf("half the wait: %d, want 2", got)
		}
		clock = clock.Add(maxEventGap / 2)
		if got := upTo(0, 5, 5); got != 5 {
			t.Fatalf("after the wait: %d, want 5 (id 3 never came)", got)
		}
		// Newer ids: contiguous ones pass at once, a new gap waits again.
		for _, id := range []int64{6, 8} {
			if _, err := s.w.ExecContext(ctx, "INSERT INTO message_events (id, message_id, account_id, status, at, segment, carrier, "+
				"carrier_msg_id, error_code) VALUES (?, ?, 1, 2, ?, 0, 'c', 'x', '')", id, s.idArg(sms.ID(1000+id)), s.timeArg(clock)); err != nil {
				t.Fatal(err)
			}
		}
		if got := upTo(5, 8, 8); got != 6 {
			t.Fatalf("a new gap at 7: %d, want 6", got)
		}
	})
}
