package store

import (
	"errors"
	"testing"
	"time"

	"github.com/gallant-sms/gallant/sms"
)

// reportDay is the first day of the report tests' messages.
var reportDay = time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)

// reportFixture is two customers, a and b, a below reseller r, with
// messages, events and ledger rows; b's rows must never show in a's
// reports.
type reportFixture struct {
	s       *Store
	a, b, r int64
	m1, m2  sms.ID // a's: day 1 to 447…, delivered; day 2 to 1202…, two parts, undelivered
	m3      sms.ID // b's: day 1 to 447…
	m4      sms.ID // a's: day 3, no event (pending), never charged
}

func newReportFixture(t *testing.T, driver string) *reportFixture {
	t.Helper()
	s := newTestStore(t, driver)
	ctx := testCtx(t)
	f := &reportFixture{s: s}
	for _, p := range []*int64{&f.a, &f.b, &f.r} {
		acct := &Account{Name: "acct"}
		if err := s.CreateAccount(ctx, acct); err != nil {
			t.Fatal(err)
		}
		*p = acct.ID
		if err := s.CreateBillingAccount(ctx, &BillingAccount{AccountID: acct.ID, Currency: "EUR"}); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.SetAccountParent(ctx, f.a, f.r); err != nil {
		t.Fatal(err)
	}
	f.m1 = IDAt(reportDay.Add(9*time.Hour)) | 1
	f.m2 = IDAt(reportDay.Add(33*time.Hour)) | 1
	f.m3 = IDAt(reportDay.Add(10*time.Hour)) | 2
	f.m4 = IDAt(reportDay.Add(57*time.Hour)) | 1
	msg := func(account int64, id sms.ID, dest string, segs int, price int64) *sms.Message {
		m := testMessage(account, id)
		m.Dest.Addr, m.Segments, m.Price, m.CreatedAt = dest, segs, price, id.Time()
		return m
	}
	at := reportDay.Add(12 * time.Hour)
	if err := s.Insert(ctx,
		msg(f.a, f.m1, "447700900001", 1, 50_000),
		msg(f.a, f.m2, "12025550123", 2, 20_000),
		msg(f.b, f.m3, "447700900002", 1, 50_000),
		msg(f.a, f.m4, "447700900003", 1, 50_000),
		ev(f.a, f.m1, sms.StatusSubmitted, at, 1, "c1", "x1", ""),
		ev(f.a, f.m1, sms.StatusDelivered, at, 1, "c1", "x1", ""),
		ev(f.a, f.m2, sms.StatusSubmitted, at, 1, "c2", "x2", ""),
		ev(f.a, f.m2, sms.StatusSubmitted, at, 2, "c2", "x3", ""),
		ev(f.a, f.m2, sms.StatusUndelivered, at, 0, "c2", "", "001"),
		ev(f.b, f.m3, sms.StatusSubmitted, at, 1, "c1", "x4", ""),
	); err != nil {
		t.Fatal(err)
	}
	ledger := func(account int64, kind LedgerKind, amount int64, id sms.ID, when time.Time) {
		t.Helper()
		if _, err := s.w.ExecContext(ctx, qInsertLedger, account, string(kind), amount, 0, 0, s.idArg(id), "", s.timeArg(when)); err != nil {
			t.Fatal(err)
		}
	}
	ledger(f.a, LedgerTopUp, 1_000_000, 0, reportDay.AddDate(0, -1, 0)) // before the statement month
	ledger(f.a, LedgerCharge, -50_000, f.m1, f.m1.Time())
	ledger(f.a, LedgerCharge, -20_000, f.m2, f.m2.Time())
	ledger(f.a, LedgerRefund, 20_000, f.m2, f.m2.Time().Add(time.Hour))
	ledger(f.a, LedgerLease, 0, 0, f.m1.Time()) // no money: not in statements
	ledger(f.a, LedgerAdjustment, -1_000, 0, reportDay.Add(40*time.Hour))
	ledger(f.b, LedgerTopUp, 5_000_000, 0, reportDay)
	ledger(f.b, LedgerCharge, -50_000, f.m3, f.m3.Time())
	return f
}

func TestReportUsage(t *testing.T) {
	forEachDialect(t, func(t *testing.T, driver string) {
		f := newReportFixture(t, driver)
		ctx := testCtx(t)
		from, until := reportDay, reportDay.AddDate(0, 0, 7)
		days, err := f.s.Usage(ctx, f.a, from, until, UsageByDay)
		if err != nil {
			t.Fatal(err)
		}
		want := []UsageRow{
			{Day: reportDay, Status: sms.StatusDelivered, Messages: 1, Segments: 1, Charged: 50_000},
			{Day: reportDay.AddDate(0, 0, 1), Status: sms.StatusUndelivered, Messages: 1, Segments: 2, Charged: 20_000, Refunded: 20_000},
			{Day: reportDay.AddDate(0, 0, 2), Status: sms.StatusAccepted, Messages: 1, Segments: 1},
		}
		if len(days) != len(want) {
			t.Fatalf("usage by day = %+v, want %+v", days, want)
		}
		for i := range want {
			if !days[i].Day.Equal(want[i].Day) || days[i].Status != want[i].Status || days[i].Messages != want[i].Messages ||
				days[i].Segments != want[i].Segments || days[i].Charged != want[i].Charged || days[i].Refunded != want[i].Refunded {
				t.Fatalf("usage by day [%d] = %+v, want %+v", i, days[i], want[i])
			}
		}
		dests, err := f.s.Usage(ctx, f.a, from, until, UsageByDest)
		if err != nil {
			t.Fatal(err)
		}
		var uk, us int64
		for _, r := range dests {
			switch r.Dest {
			case "447":
				uk += r.Messages
			case "120":
				us += r.Messages
			default:
				t.Fatalf("unexpected bucket %+v", r)
			}
		}
		if uk != 2 || us != 1 {
			t.Fatalf("usage by destination: 447 has %d, 120 has %d; want 2 and 1 (b's message excluded): %+v", uk, us, dests)
		}
		// A range that ends before the second day holds only m1.
		one, err := f.s.Usage(ctx, f.a, from, reportDay.Add(24*time.Hour), UsageByDay)
		if err != nil || len(one) != 1 || one[0].Messages != 1 {
			t.Fatalf("one-day usage = %+v, %v", one, err)
		}
		// b sees only its own message.
		bu, err := f.s.Usage(ctx, f.b, from, until, UsageByDay)
		if err != nil || len(bu) != 1 || bu[0].Charged != 50_000 || bu[0].Status != sms.StatusSubmitted {
			t.Fatalf("b's usage = %+v, %v", bu, err)
		}
		for _, bad := range [][2]time.Time{{until, from}, {from, from.Add(MaxReportRange + time.Hour)}, {{}, until}} {
			if _, err := f.s.Usage(ctx, f.a, bad[0], bad[1], UsageByDay); !errors.Is(err, ErrInvalid) {
				t.Fatalf("range %v: %v, want ErrInvalid", bad, err)
			}
		}
	})
}

func TestReportStatement(t *testing.T) {
	forEachDialect(t, func(t *testing.T, driver string) {
		f := newReportFixture(t, driver)
		ctx := testCtx(t)
		d, err := f.s.Statement(ctx, f.a, reportDay, reportDay.AddDate(0, 1, 0))
		if err != nil {
			t.Fatal(err)
		}
		if d.Opening != 1_000_000 {
			t.Fatalf("opening %d, want 1000000", d.Opening)
		}
		got := map[LedgerKind]LedgerKindSum{}
		var sum int64
		for _, k := range d.Kinds {
			got[k.Kind] = k
			sum += k.Credits + k.Debits
		}
		if len(got) != 3 || got[LedgerCharge].Debits != -70_000 || got[LedgerCharge].Rows != 2 ||
			got[LedgerRefund].Credits != 20_000 || got[LedgerAdjustment].Debits != -1_000 {
			t.Fatalf("kinds = %+v", d.Kinds)
		}
		total, _, err := f.s.LedgerTotals(ctx, f.a)
		if err != nil || d.Opening+sum != total {
			t.Fatalf("opening %d + month %d != ledger total %d (%v)", d.Opening, sum, total, err)
		}
		if len(d.Lines) != 2 {
			t.Fatalf("lines = %+v", d.Lines)
		}
		us, uk := d.Lines[0], d.Lines[1]
		if us.Dest != "120" || us.Segments != 2 || us.Price != 20_000 || us.Amount != 20_000 || us.Messages != 1 ||
			uk.Dest != "447" || uk.Segments != 1 || uk.Price != 50_000 || uk.Amount != 50_000 || uk.Messages != 1 {
			t.Fatalf("lines = %+v (b's charge must not appear)", d.Lines)
		}
		// The month before holds only the top-up.
		prev, err := f.s.Statement(ctx, f.a, reportDay.AddDate(0, -1, 0), reportDay)
		if err != nil || prev.Opening != 0 || len(prev.Kinds) != 1 || prev.Kinds[0].Credits != 1_000_000 || len(prev.Lines) != 0 {
			t.Fatalf("previous month = %+v, %v", prev, err)
		}
	})
}

func TestReportChildrenAndSegments(t *testing.T) {
	forEachDialect(t, func(t *testing.T, driver string) {
		f := newReportFixture(t, driver)
		ctx := testCtx(t)
		from, until := reportDay, reportDay.AddDate(0, 0, 7)
		var got []BilledMessage
		err := f.s.EachChildMessage(ctx, f.r, from, until, 100, func(m *BilledMessage) error {
			got = append(got, *m)
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 3 || got[0].ID != f.m1 || got[0].Charged != 50_000 || got[1].ID != f.m2 || got[1].Refunded != 20_000 ||
			got[1].Segments != 2 || got[2].ID != f.m4 || got[2].Charged != 0 {
			t.Fatalf("children's messages = %+v", got)
		}
		for _, m := range got {
			if m.AccountID != f.a {
				t.Fatalf("message of account %d under reseller %d", m.AccountID, f.r)
			}
		}
		if err := f.s.EachChildMessage(ctx, f.r, from, until, 2, func(*BilledMessage) error { return nil }); !errors.Is(err, ErrReportTooLarge) {
			t.Fatalf("over the row limit: %v, want ErrReportTooLarge", err)
		}
		if err := f.s.EachChildMessage(ctx, f.b, from, until, 100, func(*BilledMessage) error {
			t.Fatal("b has no sub-accounts")
			return nil
		}); err != nil {
			t.Fatal(err)
		}

		var segs []SubmittedSegment
		err = f.s.EachSubmittedSegment(ctx, from, until, 100, func(s *SubmittedSegment) error {
			segs = append(segs, *s)
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if len(segs) != 4 || segs[0].MessageID != f.m1 || segs[0].Carrier != "c1" || segs[0].Currency != "EUR" ||
			segs[1].MessageID != f.m3 || segs[1].Charged != 50_000 || segs[2].MessageID != f.m2 || segs[2].Segment != 1 ||
			segs[3].Segment != 2 || segs[3].Refunded != 20_000 || segs[3].Dest != "12025550123" || segs[3].Segments != 2 {
			t.Fatalf("submitted segments = %+v", segs)
		}
		if err := f.s.EachSubmittedSegment(ctx, from, until, 3, func(*SubmittedSegment) error { return nil }); !errors.Is(err, ErrReportTooLarge) {
			t.Fatalf("over the row limit: %v, want ErrReportTooLarge", err)
		}
	})
}

func TestIDAt(t *testing.T) {
	if IDAt(sms.Epoch.Add(-time.Hour)) != 0 {
		t.Fatal("an id before the epoch is not 0")
	}
	at := time.Date(2026, 6, 1, 9, 0, 0, 0, time.UTC)
	id := IDAt(at)
	if !id.Time().Equal(at) || (id - 1).Time().After(at.Add(-time.Millisecond)) {
		t.Fatalf("IDAt(%v) = %d, time %v", at, id, id.Time())
	}
}
