package store

import (
	"errors"
	"testing"
	"time"
)

func TestBillingBalanceLeaseSettle(t *testing.T) {
	forEachDialect(t, func(t *testing.T, driver string) {
		s := newTestStore(t, driver)
		ctx := testCtx(t)
		if err := s.CreateBillingAccount(ctx, &BillingAccount{AccountID: 7, Currency: "eur"}); !errors.Is(err, ErrInvalid) {
			t.Fatalf("lower-case currency: %v, want ErrInvalid", err)
		}
		if err := s.CreateBillingAccount(ctx, &BillingAccount{AccountID: 7, Currency: "EUR", CreditLimit: -5}); err != nil {
			t.Fatal(err)
		}
		if err := s.CreateBillingAccount(ctx, &BillingAccount{AccountID: 7, Currency: "EUR"}); !errors.Is(err, ErrDuplicate) {
			t.Fatalf("second create: %v, want ErrDuplicate", err)
		}
		if err := s.PostBalance(ctx, &LedgerEntry{AccountID: 7, Kind: LedgerCharge, Amount: 1}); !errors.Is(err, ErrInvalid) {
			t.Fatalf("posting a charge: %v, want ErrInvalid", err)
		}
		if err := s.PostBalance(ctx, &LedgerEntry{AccountID: 8, Kind: LedgerTopUp, Amount: 1}); !errors.Is(err, ErrNotFound) {
			t.Fatalf("top-up of unknown account: %v, want ErrNotFound", err)
		}
		top := &LedgerEntry{AccountID: 7, Kind: LedgerTopUp, Amount: 100, Reason: "wire 1"}
		if err := s.PostBalance(ctx, top); err != nil || top.ID == 0 {
			t.Fatalf("top-up: id %d, %v", top.ID, err)
		}
		// Available is 100 - (-5) = 105: the first lease takes 60, the
		// second what is left, the third nothing.
		l1, got, err := s.LeaseCredit(ctx, 7, "a", 60)
		if err != nil || got != 60 || l1 == 0 {
			t.Fatalf("lease 1: %d, %d, %v", l1, got, err)
		}
		l2, got, err := s.LeaseCredit(ctx, 7, "b", 60)
		if err != nil || got != 45 || l2 == l1 {
			t.Fatalf("lease 2: %d, %d, %v; want 45 on a new lease", l2, got, err)
		}
		if _, got, err := s.LeaseCredit(ctx, 7, "a", 1); err != nil || got != 0 {
			t.Fatalf("lease 3: %d, %v; want 0", got, err)
		}
		a, err := s.GetBillingAccount(ctx, 7)
		if err != nil || a.Balance != 100 || a.Held != 105 || a.Available() != 0 {
			t.Fatalf("account: %+v, %v", a, err)
		}
		// Charges of 30 and a refund of 10 drawn from lease 1.
		for _, e := range []*LedgerEntry{
			{AccountID: 7, Kind: LedgerCharge, Amount: -30, LeaseID: l1, MessageID: 1<<63 + 5},
			{AccountID: 7, Kind: LedgerRefund, Amount: 10, LeaseID: l1},
		} {
			if _, err := s.w.ExecContext(ctx, qInsertLedger, e.AccountID, string(e.Kind), e.Amount, 0, e.LeaseID,
				s.idArg(e.MessageID), "", s.timeArg(time.Now())); err != nil {
				t.Fatal(err)
			}
		}
		amount, spent, err := s.SettleLease(ctx, l1)
		if err != nil || amount != 60 || spent != 20 {
			t.Fatalf("settle: %d, %d, %v; want 60, 20", amount, spent, err)
		}
		if _, _, err := s.SettleLease(ctx, l1); !errors.Is(err, ErrNotFound) {
			t.Fatalf("second settle: %v, want ErrNotFound", err)
		}
		if _, _, err := s.SettleLease(ctx, l2); err != nil {
			t.Fatal(err)
		}
		a, err = s.GetBillingAccount(ctx, 7)
		if err != nil || a.Balance != 80 || a.Held != 0 {
			t.Fatalf("after settling: %+v, %v; want balance 80, held 0", a, err)
		}
		sum, hold, err := s.LedgerTotals(ctx, 7)
		if err != nil || sum != a.Balance || hold != a.Held {
			t.Fatalf("ledger totals %d, %d, %v; want %d, %d", sum, hold, err, a.Balance, a.Held)
		}
		rows, err := s.ListLedger(ctx, 7, 0, 100)
		if err != nil || len(rows) != 7 {
			t.Fatalf("ledger: %d rows, %v; want 7", len(rows), err)
		}
		if rows[0].Kind != LedgerTopUp || rows[0].Reason != "wire 1" || rows[3].MessageID != 1<<63+5 {
			t.Fatalf("ledger rows: %+v", rows)
		}
		if err := s.SetCreditLimit(ctx, 7, 0); err != nil {
			t.Fatal(err)
		}
		if _, got, err := s.LeaseCredit(ctx, 7, "a", 1000); err != nil || got != 80 {
			t.Fatalf("lease after settling: %d, %v; want 80", got, err)
		}
	})
}

func TestBillingPricing(t *testing.T) {
	forEachDialect(t, func(t *testing.T, driver string) {
		s := newTestStore(t, driver)
		ctx := testCtx(t)
		from := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
		bad := &PricePlan{Name: "x", Currency: "EUR", ValidFrom: from, Prices: []PlanPrice{{Prefix: "+44", PriceMicros: 1}}}
		if err := s.CreatePricePlan(ctx, bad); !errors.Is(err, ErrInvalid) {
			t.Fatalf("prefix with '+': %v, want ErrInvalid", err)
		}
		p := &PricePlan{Name: "default", Currency: "EUR", Default: true, ValidFrom: from, ValidTo: from.AddDate(1, 0, 0),
			Prices: []PlanPrice{{"44", 30000}, {"447", 35000}}}
		if err := s.CreatePricePlan(ctx, p); err != nil || p.ID == 0 {
			t.Fatalf("create plan: %d, %v", p.ID, err)
		}
		if err := s.AssignPricePlan(ctx, 9, p.ID); err != nil {
			t.Fatal(err)
		}
		if err := s.AssignPricePlan(ctx, 9, p.ID+100); !errors.Is(err, ErrNotFound) {
			t.Fatalf("unknown plan: %v, want ErrNotFound", err)
		}
		if err := s.CreateBillingAccount(ctx, &BillingAccount{AccountID: 9, ResellerID: 3, Currency: "EUR"}); err != nil {
			t.Fatal(err)
		}
		if err := s.AddBuyRate(ctx, &BuyRate{Carrier: "c1", Prefix: "44", PriceMicros: 20000, Currency: "EUR", ValidFrom: from}); err != nil {
			t.Fatal(err)
		}
		got, err := s.LoadPricing(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(got.Plans) != 1 || len(got.Plans[0].Prices) != 2 || !got.Plans[0].Default ||
			!got.Plans[0].ValidFrom.Equal(from) || !got.Plans[0].ValidTo.Equal(p.ValidTo) ||
			got.Plans[0].Prices[1] != (PlanPrice{"447", 35000}) {
			t.Fatalf("plans: %+v", got.Plans)
		}
		if len(got.Assignments) != 1 || got.Assignments[0] != (PlanAssignment{9, p.ID}) || got.Resellers[9] != 3 {
			t.Fatalf("assignments %+v, resellers %v", got.Assignments, got.Resellers)
		}
		if len(got.BuyRates) != 1 || got.BuyRates[0].PriceMicros != 20000 || !got.BuyRates[0].ValidTo.IsZero() {
			t.Fatalf("buy rates: %+v", got.BuyRates)
		}
	})
}
