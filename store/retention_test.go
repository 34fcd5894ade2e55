package store

import (
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/gallant-sms/gallant/sms"
)

// reportsOf is every report the rollups must keep for one account.
type reportsOf struct {
	byDay, byDest []UsageRow
	statement     *StatementData
	// children sums the sub-accounts' messages (the account as a
	// parent): kept ones read one by one, purged ones from rollups.
	children RolledUpUsage
}

func readReports(t *testing.T, s *Store, account int64) reportsOf {
	t.Helper()
	ctx := testCtx(t)
	from, until := reportDay.AddDate(0, 0, -1), reportDay.AddDate(0, 0, 20)
	var r reportsOf
	var err error
	if r.byDay, err = s.Usage(ctx, account, from, until, UsageByDay); err != nil {
		t.Fatal(err)
	}
	if r.byDest, err = s.Usage(ctx, account, from, until, UsageByDest); err != nil {
		t.Fatal(err)
	}
	if r.statement, err = s.Statement(ctx, account, reportDay, reportDay.AddDate(0, 1, 0)); err != nil {
		t.Fatal(err)
	}
	if err := s.EachChildMessage(ctx, account, from, until, 100, func(m *BilledMessage) error {
		r.children.Messages++
		r.children.Segments += int64(m.Segments)
		r.children.Charged += m.Charged
		r.children.Refunded += m.Refunded
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	rolled, err := s.ChildRollups(ctx, account, from, until)
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range rolled {
		r.children.Messages += u.Messages
		r.children.Segments += u.Segments
		r.children.Charged += u.Charged
		r.children.Refunded += u.Refunded
	}
	return r
}

// purgeAll runs PurgeMessages batch by batch to the end and returns its
// sums and the number of batches.
func purgeAll(t *testing.T, s *Store, before time.Time, batch int) (PurgedMessages, int) {
	t.Helper()
	var sum PurgedMessages
	var after sms.ID
	for n := 1; n < 1000; n++ {
		b, err := s.PurgeMessages(testCtx(t), before, after, batch)
		if err != nil {
			t.Fatal(err)
		}
		sum.Messages += b.Messages
		sum.Events += b.Events
		sum.HeldReceipts += b.HeldReceipts
		sum.Scanned += b.Scanned
		if b.Done {
			return sum, n
		}
		if b.Next <= after {
			t.Fatalf("batch %d did not advance: next %v after %v", n, b.Next, after)
		}
		after = b.Next
	}
	t.Fatal("purge never finished")
	return sum, 0
}

// TestPurgeMessagesKeepsTotals: messages older than the retention whose
// fate is settled are purged with their events and held receipts, in
// several batches; pending, scheduled and newer ones stay; usage by day
// and by destination and the statements of both accounts are the same
// before and after, and a second purge changes nothing.
func TestPurgeMessagesKeepsTotals(t *testing.T) {
	forEachDialect(t, func(t *testing.T, driver string) {
		f := newReportFixture(t, driver)
		s, ctx := f.s, testCtx(t)
		// m5: a's, taken by the carrier without a receipt asked for (it
		// will not change again); m6: a's, scheduled long ago and still
		// waiting; m7: a's, delivered after the cutoff.
		cutoff := reportDay.AddDate(0, 0, 5)
		m5 := IDAt(reportDay.Add(34*time.Hour)) | 1
		m6 := IDAt(reportDay.Add(35*time.Hour)) | 1
		m7 := IDAt(cutoff.Add(time.Hour)) | 1
		msg5 := testMessage(f.a, m5)
		msg5.RegisteredDelivery, msg5.Dest.Addr, msg5.CreatedAt = 0, "4915112345678", m5.Time()
		msg6 := scheduledMessage(f.a, m6, time.Now().Add(time.Hour))
		msg7 := testMessage(f.a, m7)
		msg7.CreatedAt = m7.Time()
		at := reportDay.Add(40 * time.Hour)
		if err := s.Insert(ctx, msg5, msg6, msg7,
			ev(f.a, m5, sms.StatusQueued, at, 0, "", "", ""),
			ev(f.a, m5, sms.StatusSubmitted, at, 1, "c1", "x5", ""),
			ev(f.a, m7, sms.StatusDelivered, cutoff.Add(2*time.Hour), 1, "c1", "x7", ""),
			&HeldReceipt{AccountID: f.a, SystemID: "sys", MessageID: f.m1, Payload: []byte("r"), ExpiresAt: time.Now().Add(time.Hour)},
		); err != nil {
			t.Fatal(err)
		}
		if _, err := s.w.ExecContext(ctx, qInsertLedger, f.a, string(LedgerCharge), -30_000, 0, 0, s.idArg(m5), "", s.timeArg(m5.Time())); err != nil {
			t.Fatal(err)
		}
		beforeA, beforeB, beforeR := readReports(t, s, f.a), readReports(t, s, f.b), readReports(t, s, f.r)
		if c := beforeR.children; c.Messages != 6 || c.Charged != 100_000 || c.Refunded != 20_000 {
			t.Fatalf("reseller's sub-account sums before the purge %+v: want a's 6 messages, 100000 charged, 20000 refunded", c)
		}

		sum, batches := purgeAll(t, s, cutoff, 2)
		if sum.Messages != 3 || sum.Events != 7 || sum.HeldReceipts != 1 {
			t.Fatalf("purged %+v: want m1, m2 and m5 (3 messages), their 7 events and m1's held receipt", sum)
		}
		if batches < 3 {
			t.Fatalf("%d batches of 2 for %d messages: want several", batches, sum.Scanned)
		}
		for _, id := range []sms.ID{f.m1, f.m2, m5} {
			if _, _, err := s.GetMessage(ctx, f.a, id); !errors.Is(err, ErrNotFound) {
				t.Fatalf("purged message %v: %v, want not found", id, err)
			}
			if n := countRows(t, s, "message_events", "message_id = ?", s.idArg(id)); n != 0 {
				t.Fatalf("purged message %v left %d events", id, n)
			}
		}
		for _, k := range []struct {
			acct int64
			id   sms.ID
			why  string
		}{{f.b, f.m3, "waiting for its receipt"}, {f.a, f.m4, "never sent"}, {f.a, m6, "scheduled"}, {f.a, m7, "newer than the cutoff"}} {
			if _, _, err := s.GetMessage(ctx, k.acct, k.id); err != nil {
				t.Fatalf("message %v (%s) was purged: %v", k.id, k.why, err)
			}
		}
		if n := countRows(t, s, "scheduled_messages", ""); n != 1 {
			t.Fatalf("%d scheduled rows, want m6's", n)
		}
		afterA, afterB := readReports(t, s, f.a), readReports(t, s, f.b)
		sameReports(t, "a", beforeA, afterA)
		sameReports(t, "b", beforeB, afterB)
		sameReports(t, "reseller", beforeR, readReports(t, s, f.r))
		rolled, err := s.ChildRollups(ctx, f.r, reportDay, reportDay.AddDate(0, 1, 0))
		if err != nil || len(rolled) != 1 || rolled[0].AccountID != f.a || rolled[0].Messages != 3 || rolled[0].Billable != 2 {
			t.Fatalf("reseller's rollups %+v, %v: want a's 3 purged messages, 2 billable (m1, m5; m2 was refunded)", rolled, err)
		}

		// Idempotent: a second purge finds nothing and the totals hold.
		again, _ := purgeAll(t, s, cutoff, 2)
		if again.Messages != 0 || again.Events != 0 {
			t.Fatalf("second purge %+v, want nothing", again)
		}
		sameReports(t, "a (again)", beforeA, readReports(t, s, f.a))
	})
}

func sameReports(t *testing.T, who string, want, got reportsOf) {
	t.Helper()
	if !reflect.DeepEqual(want.byDay, got.byDay) {
		t.Errorf("%s usage by day\n got %+v\nwant %+v", who, got.byDay, want.byDay)
	}
	if !reflect.DeepEqual(want.byDest, got.byDest) {
		t.Errorf("%s usage by destination\n got %+v\nwant %+v", who, got.byDest, want.byDest)
	}
	if want.children != got.children {
		t.Errorf("%s sub-accounts\n got %+v\nwant %+v", who, got.children, want.children)
	}
	if !reflect.DeepEqual(want.statement, got.statement) {
		t.Errorf("%s statement\n got %+v\nwant %+v", who, got.statement, want.statement)
	}
}

// TestPurgeMessagesWaitsForCampaignTail: events the campaign statistics
// have not counted yet keep their message until they are counted.
func TestPurgeMessagesWaitsForCampaignTail(t *testing.T) {
	forEachDialect(t, func(t *testing.T, driver string) {
		f := newReportFixture(t, driver)
		s, ctx := f.s, testCtx(t)
		var first int64
		if err := s.w.GetContext(ctx, &first, "SELECT MIN(id) FROM message_events"); err != nil {
			t.Fatal(err)
		}
		if _, err := s.w.ExecContext(ctx, "INSERT INTO campaign_tails (name, last_id, holder, lease_until) VALUES (?, ?, '', 0)",
			tailEvents, first-1); err != nil {
			t.Fatal(err)
		}
		if sum, _ := purgeAll(t, s, reportDay.AddDate(0, 0, 5), 100); sum.Messages != 0 {
			t.Fatalf("purged %+v before the campaign tail read their events", sum)
		}
		if _, err := s.w.ExecContext(ctx, "UPDATE campaign_tails SET last_id = (SELECT MAX(id) FROM message_events) WHERE name = ?", tailEvents); err != nil {
			t.Fatal(err)
		}
		if sum, _ := purgeAll(t, s, reportDay.AddDate(0, 0, 5), 100); sum.Messages != 2 {
			t.Fatalf("purged %+v after the tail passed, want m1 and m2", sum)
		}
	})
}

// TestPurgeEvents: a segment's acknowledgement and final status are
// folded into one event, in batches; the history a reader sees, the
// message's status, the margin report's submitted segments and the
// recovery's view (settled) are unchanged; a resubmitted segment, a
// message still waiting for its receipt and a newer message keep every
// event.
func TestPurgeEvents(t *testing.T) {
	forEachDialect(t, func(t *testing.T, driver string) {
		s, ctx := newTestStore(t, driver), testCtx(t)
		day := reportDay
		done, retried, open, late := IDAt(day)|1, IDAt(day.Add(time.Hour))|1, IDAt(day.Add(2*time.Hour))|1, IDAt(day.AddDate(0, 0, 3))|1
		two := testMessage(1, done)
		two.Segments = 2
		rows := []Row{two, testMessage(1, retried), testMessage(1, open), testMessage(1, late)}
		sub, fin := day.Add(time.Minute), day.Add(2*time.Minute)
		rows = append(rows,
			ev(1, done, sms.StatusSubmitted, sub, 1, "c1", "x1", ""), ev(1, done, sms.StatusSubmitted, sub, 2, "c1", "x2", ""),
			ev(1, done, sms.StatusDelivered, fin, 1, "c1", "x1", ""), ev(1, done, sms.StatusDelivered, fin, 2, "c1", "x2", ""),
			ev(1, retried, sms.StatusSubmitted, sub, 1, "c1", "y1", ""), ev(1, retried, sms.StatusSubmitted, sub, 1, "c2", "y2", ""),
			ev(1, retried, sms.StatusDelivered, fin, 1, "c2", "y2", ""),
			ev(1, open, sms.StatusSubmitted, sub, 1, "c1", "z1", ""),
			ev(1, late, sms.StatusSubmitted, sub, 1, "c1", "w1", ""), ev(1, late, sms.StatusDelivered, fin, 1, "c1", "w1", ""))
		if err := s.Insert(ctx, rows...); err != nil {
			t.Fatal(err)
		}
		// A folded final event shows its carrier id on the submission
		// only (as the gateway's own folding does): compare without it.
		history := func(id sms.ID) []sms.Event {
			_, evs, err := s.GetMessage(ctx, 1, id)
			if err != nil {
				t.Fatal(err)
			}
			for i := range evs {
				if evs[i].Status.Final() {
					evs[i].CarrierMsgID = ""
				}
			}
			return evs
		}
		segments := func() int {
			n := 0
			if err := s.EachSubmittedSegment(ctx, day.AddDate(0, 0, -1), day.AddDate(0, 0, 7), 100, func(*SubmittedSegment) error {
				n++
				return nil
			}); err != nil {
				t.Fatal(err)
			}
			return n
		}
		before := map[sms.ID][]sms.Event{}
		for _, id := range []sms.ID{done, retried, open, late} {
			before[id] = history(id)
		}
		segsBefore := segments()
		var total int64
		var after sms.ID
		batches := 0
		for {
			b, err := s.PurgeEvents(ctx, day.AddDate(0, 0, 1), after, 5)
			if err != nil {
				t.Fatal(err)
			}
			batches++
			total += b.Deleted
			if b.Done {
				break
			}
			if b.Next < after || batches > 20 {
				t.Fatalf("batch %d: cursor %v after %v", batches, b.Next, after)
			}
			after = b.Next
		}
		if total != 2 || batches < 2 {
			t.Fatalf("deleted %d events in %d batches of 5: want the two-part message's 2 acknowledgements, in several batches", total, batches)
		}
		if n := countRows(t, s, "message_events", "message_id = ?", s.idArg(done)); n != 2 {
			t.Fatalf("the two-part message kept %d events, want one per segment", n)
		}
		for _, id := range []sms.ID{done, retried, open, late} {
			if got := history(id); !reflect.DeepEqual(got, before[id]) {
				t.Errorf("history of %v changed\n got %+v\nwant %+v", id, got, before[id])
			}
		}
		if got := segments(); got != segsBefore {
			t.Errorf("submitted segments %d, were %d", got, segsBefore)
		}
		if left, err := s.StillUnfinished(ctx, []sms.ID{done, retried}); err != nil || len(left) != 0 {
			t.Errorf("after compaction, unfinished %v, %v: want none", left, err)
		}
		if id, _, seg, err := s.LookupCarrierMessage(ctx, "c1", "x2"); err != nil || id != done || seg != 2 {
			t.Errorf("carrier id x2 finds %v segment %d, %v: want the two-part message's segment 2", id, seg, err)
		}
		// Idempotent.
		if b, err := s.PurgeEvents(ctx, day.AddDate(0, 0, 1), 0, 100); err != nil || b.Deleted != 0 || !b.Done {
			t.Fatalf("second pass %+v, %v", b, err)
		}
	})
}

// TestPurgeInboundAndWebhookAttempts: old MOs and webhook attempts are
// purged in batches, newer ones stay.
func TestPurgeInboundAndWebhookAttempts(t *testing.T) {
	forEachDialect(t, func(t *testing.T, driver string) {
		s, ctx := newTestStore(t, driver), testCtx(t)
		cutoff := time.Now().Add(-24 * time.Hour)
		var rows []Row
		for i := range 5 {
			old := cutoff.Add(-time.Duration(i+1) * time.Hour)
			rows = append(rows,
				&sms.MO{ID: IDAt(old) | 1, AccountID: 1, Carrier: "c1", Body: []byte("hi"), ReceivedAt: old},
				&WebhookAttempt{MessageID: IDAt(old) | 1, AccountID: 1, URL: "https://h.example/", Attempt: 1, StatusCode: 200, At: old})
		}
		recent := cutoff.Add(time.Hour)
		rows = append(rows, &sms.MO{ID: IDAt(recent) | 1, AccountID: 1, Carrier: "c1", Body: []byte("hi"), ReceivedAt: recent},
			&WebhookAttempt{MessageID: IDAt(recent) | 1, AccountID: 1, URL: "https://h.example/", Attempt: 1, StatusCode: 200, At: recent})
		if err := s.Insert(ctx, rows...); err != nil {
			t.Fatal(err)
		}
		for _, p := range []struct {
			table string
			purge func() (int64, error)
		}{
			{"mo_messages", func() (int64, error) { return s.PurgeInbound(ctx, cutoff, 2) }},
			{"webhook_attempts", func() (int64, error) { return s.PurgeWebhookAttempts(ctx, cutoff, 2) }},
		} {
			var got []int64
			for {
				n, err := p.purge()
				if err != nil {
					t.Fatal(err)
				}
				got = append(got, n)
				if n < 2 {
					break
				}
			}
			if !reflect.DeepEqual(got, []int64{2, 2, 1}) {
				t.Fatalf("%s purged in batches %v, want 2, 2, 1", p.table, got)
			}
			if n := countRows(t, s, p.table, ""); n != 1 {
				t.Fatalf("%s kept %d rows, want the recent one", p.table, n)
			}
		}
	})
}

// TestRetentionLease: one holder at a time; a released or expired lease
// passes to another.
func TestRetentionLease(t *testing.T) {
	forEachDialect(t, func(t *testing.T, driver string) {
		s, ctx := newTestStore(t, driver), testCtx(t)
		now := time.Now()
		for _, c := range []struct {
			holder string
			at     time.Time
			want   bool
		}{
			{"a", now, true}, {"b", now, false}, {"a", now.Add(time.Second), true},
			{"b", now.Add(2 * time.Minute), true}, // a's lease ran out
			{"a", now.Add(2 * time.Minute), false},
		} {
			ok, err := s.LeaseRetention(ctx, c.holder, c.at, c.at.Add(time.Minute))
			if err != nil || ok != c.want {
				t.Fatalf("%s at %v: %v, %v; want %v", c.holder, c.at.Sub(now), ok, err, c.want)
			}
		}
		if err := s.ReleaseRetention(ctx, "b"); err != nil {
			t.Fatal(err)
		}
		if ok, err := s.LeaseRetention(ctx, "a", now.Add(2*time.Minute), now.Add(3*time.Minute)); err != nil || !ok {
			t.Fatalf("after release: %v, %v", ok, err)
		}
	})
}
