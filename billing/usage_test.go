package billing

import (
	"errors"
	"testing"
	"time"

	"github.com/gallant-sms/gallant/sms"
	"github.com/gallant-sms/gallant/store"
)

func TestCountryCode(t *testing.T) {
	for in, want := range map[string]string{
		"12025550123":   "1",
		"+12025550123":  "1",
		"79161234567":   "7",
		"447700900123":  "44",
		"4915112345":    "49",
		"201001234567":  "20",
		"353861234567":  "353",
		"971501234567":  "971",
		"8613800138000": "86",
		"85291234567":   "852",
		"35":            "35", // too short for a three-digit code: what there is
		"Gallant":       "",
		"":              "",
	} {
		if got := CountryCode(in); got != want {
			t.Errorf("CountryCode(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestParseUsageGrouping(t *testing.T) {
	for _, ok := range []string{"", "day", "month", "destination", "status"} {
		if _, err := ParseUsageGrouping(ok); err != nil {
			t.Errorf("%q: %v", ok, err)
		}
	}
	if g, _ := ParseUsageGrouping(""); g != GroupByDay {
		t.Errorf("empty grouping is %q, want day", g)
	}
	if _, err := ParseUsageGrouping("week"); err == nil {
		t.Error("week accepted")
	}
	if GroupByDestination.StoreKey() != store.UsageByDest || GroupByMonth.StoreKey() != store.UsageByDay {
		t.Error("store keys")
	}
}

func TestSummarizeUsage(t *testing.T) {
	d := func(m time.Month, day int) time.Time { return time.Date(2026, m, day, 0, 0, 0, 0, time.UTC) }
	rows := []store.UsageRow{
		{Day: d(5, 31), Status: sms.StatusDelivered, Messages: 3, Segments: 4, Charged: 200},
		{Day: d(6, 1), Status: sms.StatusUndelivered, Messages: 1, Segments: 2, Charged: 100, Refunded: 100},
		{Day: d(6, 1), Status: sms.StatusSubmitted, Messages: 2, Segments: 2, Charged: 100},
		{Day: d(6, 2), Status: sms.StatusDelivered, Messages: 5, Segments: 5, Charged: 250},
	}
	days, total := SummarizeUsage(rows, GroupByDay)
	if len(days) != 3 || days[0].Key != "2026-05-31" || days[1].Key != "2026-06-01" || !days[1].Start.Equal(d(6, 1)) ||
		days[1].Messages != 3 || days[1].Failed != 1 || days[1].Pending != 2 || days[1].Refunded != 100 || days[1].Charged != 200 {
		t.Fatalf("days = %+v", days)
	}
	if total.Messages != 11 || total.Segments != 13 || total.Charged != 650 || total.Refunded != 100 ||
		total.Delivered != 8 || total.Failed != 1 || total.Pending != 2 {
		t.Fatalf("total = %+v", total)
	}
	months, mt := SummarizeUsage(rows, GroupByMonth)
	if len(months) != 2 || months[0].Key != "2026-05" || months[0].Messages != 3 || months[1].Key != "2026-06" ||
		months[1].Messages != 8 || months[1].Segments != 9 || !months[1].Start.Equal(d(6, 1)) || mt != total {
		t.Fatalf("months = %+v", months)
	}
	st, stt := SummarizeUsage(rows, GroupByStatus)
	if len(st) != 3 || st[0].Key != "delivered" || st[0].Messages != 8 || st[1].Key != "submitted" || st[2].Key != "undelivered" || stt != total {
		t.Fatalf("statuses = %+v", st)
	}
	dest, dt := SummarizeUsage([]store.UsageRow{
		{Dest: "447", Status: sms.StatusDelivered, Messages: 2},
		{Dest: "441", Status: sms.StatusFailed, Messages: 1},
		{Dest: "120", Status: sms.StatusDelivered, Messages: 4},
		{Dest: "353", Status: sms.StatusDelivered, Messages: 1},
	}, GroupByDestination)
	if len(dest) != 3 || dest[0].Key != "1" || dest[0].Messages != 4 || dest[1].Key != "353" || dest[2].Key != "44" ||
		dest[2].Messages != 3 || dest[2].Failed != 1 || dt.Messages != 8 {
		t.Fatalf("destinations = %+v", dest)
	}
	if b, tot := SummarizeUsage(nil, GroupByDay); len(b) != 0 || tot != (UsageCounts{}) {
		t.Fatalf("no rows: %+v %+v", b, tot)
	}
}

func TestResellerUsage(t *testing.T) {
	at := time.Date(2026, 6, 1, 9, 0, 0, 0, time.UTC)
	id := store.IDAt(at)
	price := func(dest string, segs int, when time.Time) (Micros, error) {
		if !when.Equal(at) {
			t.Errorf("priced at %v, want the message's time %v", when, at)
		}
		if dest[:2] == "44" {
			return Micros(30_000 * segs), nil
		}
		return 0, ErrNoPrice
	}
	r := NewResellerUsage(price)
	r.Include(9) // no messages
	for _, m := range []store.BilledMessage{
		{AccountID: 5, ID: id, Dest: "447700900001", Segments: 1, Charged: 50_000},
		{AccountID: 5, ID: id, Dest: "447700900002", Segments: 2, Charged: 100_000},
		{AccountID: 5, ID: id, Dest: "447700900003", Segments: 1, Charged: 50_000, Refunded: 50_000}, // refunded: no cost
		{AccountID: 5, ID: id, Dest: "447700900004", Segments: 1},                                    // never charged
		{AccountID: 6, ID: id, Dest: "12025550123", Segments: 1, Charged: 10_000},                    // unpriced
	} {
		r.Add(&m)
	}
	subs, total := r.Result()
	if len(subs) != 3 || subs[0].AccountID != 5 || subs[1].AccountID != 6 || subs[2].AccountID != 9 {
		t.Fatalf("sub-accounts = %+v", subs)
	}
	a := subs[0]
	if a.Messages != 4 || a.Segments != 5 || a.Charged != 150_000 || a.Cost != 90_000 || !a.MarginKnown || a.Margin != 60_000 {
		t.Fatalf("account 5 = %+v", a)
	}
	if b := subs[1]; b.Unpriced != 1 || b.MarginKnown || b.Margin != 0 || b.Charged != 10_000 {
		t.Fatalf("account 6 = %+v", b)
	}
	if c := subs[2]; c.Messages != 0 || !c.MarginKnown {
		t.Fatalf("account 9 = %+v", c)
	}
	if total.Messages != 5 || total.Charged != 160_000 || total.Cost != 90_000 || total.MarginKnown || total.Unpriced != 1 {
		t.Fatalf("total = %+v", total)
	}
}

// TestResellerUsageRolledUp: purged messages add their counts and money
// from the rollups; the billable ones are unpriced (their destinations
// are gone), so the margin is not given, while an account with nothing
// billable purged keeps its margin.
func TestResellerUsageRolledUp(t *testing.T) {
	r := NewResellerUsage(func(string, int, time.Time) (Micros, error) { return 10_000, nil })
	r.Add(&store.BilledMessage{AccountID: 5, ID: store.IDAt(time.Now()), Dest: "447700900001", Segments: 1, Charged: 50_000})
	r.AddRolledUp(&store.RolledUpUsage{AccountID: 5, Messages: 3, Segments: 4, Charged: 90_000, Refunded: 30_000, Billable: 2})
	r.AddRolledUp(&store.RolledUpUsage{AccountID: 6, Messages: 1, Segments: 1, Charged: 10_000, Refunded: 10_000})
	subs, total := r.Result()
	if len(subs) != 2 {
		t.Fatalf("sub-accounts = %+v", subs)
	}
	if a := subs[0]; a.Messages != 4 || a.Segments != 5 || a.Charged != 110_000 || a.Cost != 10_000 || a.Unpriced != 2 || a.MarginKnown {
		t.Fatalf("account 5 = %+v: want 4 messages, 5 segments, 110000 net, the kept one's cost, 2 unpriced", a)
	}
	if b := subs[1]; b.Messages != 1 || b.Charged != 0 || b.Unpriced != 0 || !b.MarginKnown {
		t.Fatalf("account 6 = %+v: a refunded purged message is not billable", b)
	}
	if total.Messages != 5 || total.Charged != 110_000 || total.MarginKnown {
		t.Fatalf("total = %+v", total)
	}
}

func TestMarginReport(t *testing.T) {
	at := time.Date(2026, 6, 1, 9, 0, 0, 0, time.UTC)
	rate := func(carrier, dest string, when time.Time) (Money, error) {
		switch {
		case carrier == "c1" && dest[:2] == "44":
			return Money{Amount: 20_000, Currency: "EUR"}, nil
		case carrier == "c2" && dest[:1] == "1":
			return Money{Amount: 4_000, Currency: "USD"}, nil // not the account's currency
		}
		return Money{}, errors.New("no rate")
	}
	r := NewMarginReport(rate)
	for _, s := range []store.SubmittedSegment{
		{MessageID: 1, Segment: 1, Carrier: "c1", At: at, Dest: "447700900001", Segments: 1, Currency: "EUR", Charged: 50_000},
		// Three parts at 0.10 in all, one part sent twice (it costs twice,
		// is paid once); the remainder goes with part 1.
		{MessageID: 2, Segment: 1, Carrier: "c1", At: at, Dest: "447700900002", Segments: 3, Currency: "EUR", Charged: 100_000},
		{MessageID: 2, Segment: 2, Carrier: "c1", At: at, Dest: "447700900002", Segments: 3, Currency: "EUR", Charged: 100_000},
		{MessageID: 2, Segment: 2, Carrier: "c1", At: at, Dest: "447700900002", Segments: 3, Currency: "EUR", Charged: 100_000},
		{MessageID: 2, Segment: 3, Carrier: "c1", At: at, Dest: "447700900002", Segments: 3, Currency: "EUR", Charged: 100_000},
		{MessageID: 3, Segment: 1, Carrier: "c2", At: at, Dest: "12025550123", Segments: 1, Currency: "EUR", Charged: 10_000},
		{MessageID: 4, Segment: 1, Carrier: "c3", At: at, Dest: "33612345678", Segments: 1, Currency: "EUR", Charged: 40_000, Refunded: 40_000},
	} {
		r.Add(&s)
	}
	lines, totals := r.Result()
	if len(lines) != 3 {
		t.Fatalf("lines = %+v", lines)
	}
	uk, us, fr := lines[0], lines[1], lines[2]
	if uk.Carrier != "c1" || uk.Dest != "44" || uk.Segments != 5 || uk.Revenue != 150_000 || uk.Cost != 100_000 ||
		!uk.MarginKnown || uk.Margin != 50_000 {
		t.Fatalf("c1/44 = %+v", uk)
	}
	if us.Carrier != "c2" || us.Dest != "1" || us.Unpriced != 1 || us.MarginKnown || us.Cost != 0 || us.Revenue != 10_000 {
		t.Fatalf("c2/1 (currency mismatch) = %+v", us)
	}
	if fr.Carrier != "c3" || fr.Unpriced != 1 || fr.MarginKnown || fr.Revenue != 0 {
		t.Fatalf("c3/33 (no rate, refunded) = %+v", fr)
	}
	if len(totals) != 1 || totals[0].Currency != "EUR" || totals[0].Segments != 7 || totals[0].Revenue != 160_000 ||
		totals[0].Cost != 100_000 || totals[0].MarginKnown || totals[0].Unpriced != 2 {
		t.Fatalf("totals = %+v", totals)
	}
}
