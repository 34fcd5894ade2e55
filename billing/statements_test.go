package billing

import (
	"errors"
	"testing"
	"time"

	"github.com/gallant-sms/gallant/store"
)

func TestStatementMonth(t *testing.T) {
	now := time.Date(2026, 6, 15, 12, 0, 0, 0, time.UTC)
	from, until, err := StatementMonth("2026-02", now)
	if err != nil || !from.Equal(time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC)) || !until.Equal(time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)) {
		t.Fatalf("2026-02: %v %v %v", from, until, err)
	}
	if _, until, err := StatementMonth("2026-06", now); err != nil || until.Month() != 7 {
		t.Fatalf("the month in progress: %v %v", until, err)
	}
	for _, bad := range []string{"2026-07", "2026-13", "2026-6", "26-06", "1999-12", "2026-06-01", ""} {
		if _, _, err := StatementMonth(bad, now); !errors.Is(err, ErrBadPeriod) {
			t.Errorf("%q: %v, want ErrBadPeriod", bad, err)
		}
	}
}

func TestBuildStatement(t *testing.T) {
	from := time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC)
	until := from.AddDate(0, 1, 0)
	d := &store.StatementData{
		Opening: 1_000_000,
		Kinds: []store.LedgerKindSum{
			{Kind: store.LedgerTopUp, Credits: 5_000_000, Rows: 2},
			{Kind: store.LedgerCharge, Debits: -370_000, Rows: 6},
			{Kind: store.LedgerRefund, Credits: 20_000, Rows: 1},
			{Kind: store.LedgerAdjustment, Credits: 1_000, Debits: -3_000, Rows: 2},
			{Kind: "transfer_in", Credits: 700_000, Rows: 1},
			{Kind: "transfer_out", Debits: -200_000, Rows: 1},
			{Kind: "mystery", Credits: 7, Rows: 1},
		},
		Lines: []store.ChargeLine{
			{Dest: "447", Segments: 1, Price: 50_000, Messages: 4, Amount: 200_000},
			{Dest: "441", Segments: 2, Price: 100_000, Messages: 1, Amount: 100_000}, // same country, same unit price
			{Dest: "120", Segments: 2, Price: 20_000, Messages: 2, Amount: 40_000},
			{Dest: "449", Segments: 1, Price: 30_000, Messages: 1, Amount: 30_000}, // another price
		},
	}
	st, err := BuildStatement(7, "EUR", from, until, until.Add(time.Hour), d)
	if err != nil {
		t.Fatal(err)
	}
	if st.TopUps != 5_000_000 || st.Charges != 370_000 || st.Refunds != 20_000 || st.Adjustments != -2_000 ||
		st.TransfersIn != 700_000 || st.TransfersOut != 200_000 || st.Other != 7 || !st.Complete || st.Currency != "EUR" {
		t.Fatalf("statement = %+v", st)
	}
	var month int64
	for _, k := range d.Kinds {
		month += k.Credits + k.Debits
	}
	if int64(st.Closing) != d.Opening+month || st.Closing != 1_000_000+5_000_000+700_000-370_000+20_000-2_000-200_000+7 {
		t.Fatalf("closing %v, opening %d + month %d", st.Closing, d.Opening, month)
	}
	if len(st.Lines) != 3 {
		t.Fatalf("lines = %+v", st.Lines)
	}
	us, uk30, uk50 := st.Lines[0], st.Lines[1], st.Lines[2]
	if us.Dest != "1" || us.Segments != 4 || us.UnitPrice != 10_000 || us.Amount != 40_000 || us.Messages != 2 {
		t.Fatalf("US line = %+v", us)
	}
	if uk30.Dest != "44" || uk30.UnitPrice != 30_000 || uk30.Segments != 1 {
		t.Fatalf("UK 0.03 line = %+v", uk30)
	}
	if uk50.Dest != "44" || uk50.UnitPrice != 50_000 || uk50.Segments != 6 || uk50.Messages != 5 || uk50.Amount != 300_000 {
		t.Fatalf("UK 0.05 line = %+v", uk50)
	}
	var lineSum Micros
	for _, l := range st.Lines {
		lineSum += l.Amount
	}
	if lineSum != st.Charges || st.Segments != 11 {
		t.Fatalf("lines sum to %v over %d segments, charges %v", lineSum, st.Segments, st.Charges)
	}
	// The month in progress is not complete.
	if st, err := BuildStatement(7, "EUR", from, until, from.Add(time.Hour), &store.StatementData{}); err != nil || st.Complete || st.Closing != 0 {
		t.Fatalf("empty month in progress = %+v, %v", st, err)
	}
}

func TestMicrosDecimal(t *testing.T) {
	for m, want := range map[Micros]string{
		0: "0.00", 12_500_000: "12.50", 4_200: "0.0042", -3_000_000: "-3.00", 1: "0.000001", 123_456_789: "123.456789",
	} {
		if got := m.Decimal(); got != want {
			t.Errorf("%d.Decimal() = %q, want %q", int64(m), got, want)
		}
	}
}
