package store

import (
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/gallant-sms/gallant/sms"
)

// scheduledMessage returns message id of account, scheduled for at.
func scheduledMessage(account int64, id sms.ID, at time.Time) *sms.Message {
	m := testMessage(account, id)
	m.CreatedAt = time.Now().UTC()
	m.SendAt = at
	m.Status = sms.StatusScheduled
	return m
}

func messageIDs(ms []sms.Message) []sms.ID {
	out := make([]sms.ID, len(ms))
	for i := range ms {
		out[i] = ms[i].ID
	}
	slices.Sort(out)
	return out
}

// TestScheduledWaitInStore: a scheduled message waits in the store (not
// in Unfinished), is claimed by one node only when within the horizon,
// is taken once (by its claimer, or by anyone while unclaimed), and is
// cancelled at most once, by its own account; claims of nodes without a
// live lease are freed, and a node hands its own back.
func TestScheduledWaitInStore(t *testing.T) {
	forEachDialect(t, func(t *testing.T, driver string) {
		ctx := testCtx(t)
		s := newTestStore(t, driver)
		now := time.Now().UTC()
		soon := scheduledMessage(1, 101, now.Add(time.Minute))
		later := scheduledMessage(1, 102, now.Add(20*time.Minute))
		other := scheduledMessage(2, 103, now.Add(5*time.Minute))
		plain := testMessage(1, 104)
		if err := s.Insert(ctx, soon, later, other, plain); err != nil {
			t.Fatal(err)
		}
		counts, err := s.ScheduledCounts(ctx)
		if err != nil || counts[1] != 2 || counts[2] != 1 || len(counts) != 2 {
			t.Fatalf("counts %v, %v; want 1:2 2:1", counts, err)
		}
		pend, err := s.Unfinished(ctx, 0, 100)
		if err != nil || len(pend) != 1 || pend[0].Message.ID != 104 {
			t.Fatalf("unfinished %v, %v: want only the unscheduled message", pend, err)
		}

		got, err := s.ClaimScheduled(ctx, 1, now.Add(10*time.Minute), 10)
		if err != nil || !slices.Equal(messageIDs(got), []sms.ID{101, 103}) {
			t.Fatalf("node 1 claimed %v, %v; want 101 and 103 (102 is beyond the horizon)", messageIDs(got), err)
		}
		if got[0].SendAt.IsZero() || got[0].Status != sms.StatusScheduled || string(got[0].Body) != string(soon.Body) {
			t.Fatalf("claimed message read back as %+v", got[0])
		}
		if again, err := s.ClaimScheduled(ctx, 2, now.Add(10*time.Minute), 10); err != nil || len(again) != 0 {
			t.Fatalf("node 2 claimed %v, %v; node 1 holds them", messageIDs(again), err)
		}

		took, err := s.TakeScheduled(ctx, 2, []sms.ID{101})
		if err != nil || len(took) != 0 {
			t.Fatalf("node 2 took %v, %v; node 1 claimed it", took, err)
		}
		took, err = s.TakeScheduled(ctx, 1, []sms.ID{101, 104})
		if err != nil || !slices.Equal(took, []sms.ID{101}) {
			t.Fatalf("node 1 took %v, %v; want 101 (104 never waited)", took, err)
		}
		if took, err = s.TakeScheduled(ctx, 1, []sms.ID{101}); err != nil || len(took) != 0 {
			t.Fatalf("second take %v, %v", took, err)
		}
		// Taken: no longer waiting, and a restart would send it.
		if pend, _ = s.Unfinished(ctx, 0, 100); len(pend) != 2 {
			t.Fatalf("unfinished after the take: %d, want 101 and 104", len(pend))
		}
		// Unclaimed (held since its accept): whoever takes it first.
		if took, err = s.TakeScheduled(ctx, 3, []sms.ID{102}); err != nil || !slices.Equal(took, []sms.ID{102}) {
			t.Fatalf("node 3 took %v, %v; want the unclaimed 102", took, err)
		}

		ev := sms.Event{MessageID: 103, Status: sms.StatusRejected, ErrorCode: "cancelled"}
		if ok, err := s.CancelScheduled(ctx, 1, 103, ev); err != nil || ok {
			t.Fatalf("account 1 cancelled account 2's message: %v, %v", ok, err)
		}
		if ok, err := s.CancelScheduled(ctx, 2, 103, ev); err != nil || !ok {
			t.Fatalf("cancel: %v, %v", ok, err)
		}
		if ok, err := s.CancelScheduled(ctx, 2, 103, ev); err != nil || ok {
			t.Fatalf("second cancel: %v, %v", ok, err)
		}
		if ok, err := s.CancelScheduled(ctx, 1, 101, ev); err != nil || ok {
			t.Fatalf("cancel of a taken message: %v, %v", ok, err)
		}
		if m, evs, err := s.GetMessage(ctx, 2, 103); err != nil || m.Status != sms.StatusRejected || len(evs) != 1 {
			t.Fatalf("cancelled message: %+v %v %v", m, evs, err)
		}
		if took, err = s.TakeScheduled(ctx, 1, []sms.ID{103}); err != nil || len(took) != 0 {
			t.Fatalf("take of a cancelled message: %v, %v", took, err)
		}
		if counts, _ = s.ScheduledCounts(ctx); len(counts) != 0 {
			t.Fatalf("counts %v after every message left", counts)
		}

		// Claims of a node that leases nothing are freed; a live node's
		// are not; a node hands its own back.
		if err := s.Insert(ctx, scheduledMessage(1, 105, now.Add(time.Minute))); err != nil {
			t.Fatal(err)
		}
		if got, _ = s.ClaimScheduled(ctx, 7, now.Add(time.Hour), 10); len(got) != 1 {
			t.Fatalf("node 7 claimed %d", len(got))
		}
		if n, err := s.FreeStaleScheduledClaims(ctx, 1); err != nil || n != 1 {
			t.Fatalf("freed %d, %v; want node 7's one", n, err)
		}
		live, err := s.LeaseNode(ctx, "test", time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		if got, _ = s.ClaimScheduled(ctx, live, now.Add(time.Hour), 10); len(got) != 1 {
			t.Fatalf("live node claimed %d", len(got))
		}
		if n, err := s.FreeStaleScheduledClaims(ctx, live+1); err != nil || n != 0 {
			t.Fatalf("freed %d of a live node's claims, %v", n, err)
		}
		if n, err := s.UnclaimScheduled(ctx, live); err != nil || n != 1 {
			t.Fatalf("unclaimed %d, %v", n, err)
		}
		if got, _ = s.ClaimScheduled(ctx, 9, now.Add(time.Hour), 10); len(got) != 1 {
			t.Fatalf("after the hand-back node 9 claimed %d", len(got))
		}
	})
}

// TestScheduledTakenOnce: two stores on one database (two instances)
// race for 600 due messages, each both claiming and taking and also
// taking every id directly (as an instance does with the messages it
// holds since their accept): every message is taken exactly once.
func TestScheduledTakenOnce(t *testing.T) {
	forEachDialect(t, func(t *testing.T, driver string) {
		ctx := testCtx(t)
		a, b, _ := twoStores(t, driver)
		const n = 600
		due := time.Now().UTC().Add(-time.Second)
		all := make([]sms.ID, n)
		rows := make([]Row, n)
		for i := range n {
			all[i] = sms.ID(1000 + i)
			rows[i] = scheduledMessage(int64(1+i%3), all[i], due)
		}
		if err := a.Insert(ctx, rows...); err != nil {
			t.Fatal(err)
		}
		var mu sync.Mutex
		taken := map[sms.ID]int{}
		var wg sync.WaitGroup
		for node, st := range []*Store{a, b} {
			wg.Add(2)
			record := func(got []sms.ID, err error) {
				if err != nil {
					t.Error(err)
				}
				mu.Lock()
				for _, id := range got {
					taken[id]++
				}
				mu.Unlock()
			}
			go func() { // the loader: claim, then take what it claimed
				defer wg.Done()
				for range 100 {
					got, err := st.ClaimScheduled(ctx, node, time.Now().Add(time.Minute), 50)
					if err != nil {
						t.Error(err)
						return
					}
					if len(got) == 0 {
						return
					}
					record(st.TakeScheduled(ctx, node, messageIDs(got)))
				}
			}()
			go func() { // the messages held since their accept
				defer wg.Done()
				for i := 0; i < n; i += 40 {
					record(st.TakeScheduled(ctx, node, all[i:i+40]))
				}
			}()
		}
		wg.Wait()
		if len(taken) != n {
			t.Fatalf("%d of %d messages taken", len(taken), n)
		}
		for id, k := range taken {
			if k != 1 {
				t.Fatalf("message %v taken %d times", id, k)
			}
		}
	})
}

// TestWriterWritesSchedules: the Writer writes a scheduled message's
// scheduled_messages row in the same transaction as the message; when a
// batch fails on one bad row (a duplicate id) and is split to isolate it,
// no message is separated from its schedule: the others are written with
// theirs, and the refused one leaves no schedule behind. Ordinary
// messages get none.
func TestWriterWritesSchedules(t *testing.T) {
	forEachDialect(t, func(t *testing.T, driver string) {
		ctx := testCtx(t)
		s := newTestStore(t, driver)
		due := time.Now().UTC().Add(time.Hour)
		if err := s.Insert(ctx, testMessage(9, 5000)); err != nil { // an ordinary message whose id is reused below
			t.Fatal(err)
		}
		w, _ := newTestWriter(t, s, WriterConfig{MaxDelay: time.Hour})
		const n = 60
		errs := make([]error, n)
		var wg sync.WaitGroup
		for i := range n {
			var m *sms.Message
			switch {
			case i == 31:
				m = scheduledMessage(9, 5000, due) // duplicate id: refused
			case i%2 == 0:
				m = scheduledMessage(9, sms.ID(6000+i), due)
			default:
				m = testMessage(9, sms.ID(6000+i))
			}
			wg.Add(1)
			if err := w.Add(m, CommitterFunc(func(err error) { errs[i] = err; wg.Done() })); err != nil {
				t.Fatal(err)
			}
		}
		if err := w.Flush(ctx); err != nil {
			t.Fatal(err)
		}
		wg.Wait()
		for i, err := range errs {
			if (i == 31) != (err != nil) {
				t.Errorf("row %d: %v", i, err)
			}
		}
		if got := countRows(t, s, "scheduled_messages", ""); got != n/2 {
			t.Errorf("%d schedules, want %d (the even rows)", got, n/2)
		}
		if orphans := countRows(t, s, "scheduled_messages",
			"NOT EXISTS (SELECT 1 FROM messages m WHERE m.id = scheduled_messages.message_id)"); orphans != 0 {
			t.Errorf("%d schedules without their message", orphans)
		}
		if got := countRows(t, s, "scheduled_messages", "message_id = 5000"); got != 0 {
			t.Error("the refused duplicate left a schedule")
		}
	})
}
