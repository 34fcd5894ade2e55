package store

import (
	"errors"
	"testing"
	"time"

	"github.com/gallant-sms/gallant/sms"
)

// TestBalanceAlertLifecycle: an alert fires once when the available
// balance (with charges on open leases) is below its threshold, even
// when asked twice; a top-up above the threshold re-arms it; new settings
// re-arm it too.
func TestBalanceAlertLifecycle(t *testing.T) {
	forEachDialect(t, func(t *testing.T, driver string) {
		s := newTestStore(t, driver)
		ctx := testCtx(t)
		if err := s.SetBalanceAlert(ctx, &BalanceAlert{AccountID: 9, Threshold: 10}); !errors.Is(err, ErrNotFound) {
			t.Fatalf("alert without billing account: %v, want ErrNotFound", err)
		}
		if err := s.CreateBillingAccount(ctx, &BillingAccount{AccountID: 9, Currency: "EUR"}); err != nil {
			t.Fatal(err)
		}
		for _, bad := range []BalanceAlert{{AccountID: 9, Threshold: -1}, {AccountID: 9, Email: "not an address"},
			{AccountID: 9, Email: "Bob <bob@example.com>"}} {
			if err := s.SetBalanceAlert(ctx, &bad); !errors.Is(err, ErrInvalid) {
				t.Fatalf("%+v: %v, want ErrInvalid", bad, err)
			}
		}
		if err := s.PostBalance(ctx, &LedgerEntry{AccountID: 9, Kind: LedgerTopUp, Amount: 100, Reason: "t"}); err != nil {
			t.Fatal(err)
		}
		al := &BalanceAlert{AccountID: 9, Threshold: 50, Email: "ops@example.com", WebhookURL: "https://example.com/h"}
		if err := s.SetBalanceAlert(ctx, al); err != nil {
			t.Fatal(err)
		}
		got, err := s.GetBalanceAlert(ctx, 9)
		if err != nil || got.Threshold != 50 || got.Email != "ops@example.com" || got.WebhookURL != "https://example.com/h" || got.Fired {
			t.Fatalf("get: %+v, %v", got, err)
		}
		// A lease of 80 does not lower the available balance; charges of
		// 60 drawn from it do.
		lease, _, err := s.LeaseCredit(ctx, 9, "h", 80)
		if err != nil {
			t.Fatal(err)
		}
		cands, err := s.AlertCandidates(ctx, 0, 10)
		if err != nil || len(cands) != 1 || cands[0].Available != 100 || cands[0].Currency != "EUR" {
			t.Fatalf("candidates: %+v, %v", cands, err)
		}
		if fired, err := s.FireBalanceAlert(ctx, 9, time.Now()); err != nil || fired {
			t.Fatalf("fire above threshold: %v, %v", fired, err)
		}
		if _, err := s.w.ExecContext(ctx, "INSERT INTO billing_ledger (account_id, kind, amount, hold, lease_id, message_id, reason, created_at, seq) VALUES (?, 'charge', -60, 0, ?, 1, '', ?, 1)",
			9, lease, s.timeArg(time.Now())); err != nil {
			t.Fatal(err)
		}
		cands, err = s.AlertCandidates(ctx, 0, 10)
		if err != nil || len(cands) != 1 || cands[0].Available != 40 {
			t.Fatalf("candidates after charge: %+v, %v", cands, err)
		}
		if fired, err := s.FireBalanceAlert(ctx, 9, time.Now()); err != nil || !fired {
			t.Fatalf("fire below threshold: %v, %v", fired, err)
		}
		if fired, err := s.FireBalanceAlert(ctx, 9, time.Now()); err != nil || fired {
			t.Fatalf("second fire: %v, %v; want false", fired, err)
		}
		if re, err := s.RearmBalanceAlert(ctx, 9); err != nil || re {
			t.Fatalf("re-arm below threshold: %v, %v", re, err)
		}
		// A top-up of 5 leaves it below; one of 20 lifts it to 65.
		if err := s.PostBalance(ctx, &LedgerEntry{AccountID: 9, Kind: LedgerTopUp, Amount: 5, Reason: "t"}); err != nil {
			t.Fatal(err)
		}
		if got, _ := s.GetBalanceAlert(ctx, 9); !got.Fired {
			t.Fatal("a top-up that stays below the threshold re-armed the alert")
		}
		if err := s.PostBalance(ctx, &LedgerEntry{AccountID: 9, Kind: LedgerTopUp, Amount: 20, Reason: "t"}); err != nil {
			t.Fatal(err)
		}
		if got, _ := s.GetBalanceAlert(ctx, 9); got.Fired {
			t.Fatal("a top-up above the threshold did not re-arm the alert")
		}
		// Raising the threshold above the balance re-arms and fires anew.
		if err := s.SetBalanceAlert(ctx, &BalanceAlert{AccountID: 9, Threshold: 70}); err != nil {
			t.Fatal(err)
		}
		if fired, err := s.FireBalanceAlert(ctx, 9, time.Now()); err != nil || !fired {
			t.Fatalf("fire after new threshold: %v, %v", fired, err)
		}
		// Threshold 0 switches it off: no candidate.
		if err := s.SetBalanceAlert(ctx, &BalanceAlert{AccountID: 9}); err != nil {
			t.Fatal(err)
		}
		if cands, err := s.AlertCandidates(ctx, 0, 10); err != nil || len(cands) != 0 {
			t.Fatalf("candidates with the alert off: %+v, %v", cands, err)
		}
	})
}

// TestRefundMessageOnce: a message is refunded once however often asked;
// the refund reaches the balance at once and the ledger sums to it.
func TestRefundMessageOnce(t *testing.T) {
	forEachDialect(t, func(t *testing.T, driver string) {
		s := newTestStore(t, driver)
		ctx := testCtx(t)
		if err := s.CreateBillingAccount(ctx, &BillingAccount{AccountID: 3, Currency: "EUR"}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.RefundMessage(ctx, 3, 0, 5, "x"); !errors.Is(err, ErrInvalid) {
			t.Fatalf("refund without message: %v", err)
		}
		if _, err := s.RefundMessage(ctx, 4, 77, 5, "x"); !errors.Is(err, ErrNotFound) {
			t.Fatalf("refund to unknown account: %v", err)
		}
		id := sms.ID(1<<63 + 77) // the top bit set, as real ids may have
		if _, err := s.RefundMessage(ctx, 3, id, 25, "undelivered"); !errors.Is(err, ErrNotCharged) {
			t.Fatalf("refund of a message not charged: %v, want ErrNotCharged", err)
		}
		// The charges, as the batched writer stores them (lease 0 here).
		for _, c := range []struct {
			id     sms.ID
			amount int64
		}{{id, -25}, {id + 1, -4}} {
			if _, err := s.w.ExecContext(ctx, qInsertLedger, 3, "charge", c.amount, 0, 0, s.idArg(c.id), "", s.timeArg(time.Now())); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := s.w.ExecContext(ctx, "UPDATE billing_accounts SET balance = balance - 29 WHERE account_id = 3"); err != nil {
			t.Fatal(err)
		}
		for i := range 3 {
			done, err := s.RefundMessage(ctx, 3, id, 25, "undelivered")
			if err != nil || done != (i == 0) {
				t.Fatalf("refund %d: %v, %v", i, done, err)
			}
		}
		// Asked for more than was charged, it gives back the charge.
		if done, err := s.RefundMessage(ctx, 3, id+1, 5, "other"); err != nil || !done {
			t.Fatalf("refund of another message: %v, %v", done, err)
		}
		// The unique index stops a second refund row written another way.
		if _, err := s.w.ExecContext(ctx, qInsertLedger, 3, "refund", 25, 0, 0, s.idArg(id), "", s.timeArg(time.Now())); !errors.Is(mapErr(err), ErrDuplicate) {
			t.Fatalf("second refund row: %v, want a duplicate", err)
		}
		a, err := s.GetBillingAccount(ctx, 3)
		if err != nil || a.Balance != 0 {
			t.Fatalf("balance %+v, %v; want 0: both charges given back, no more", a, err)
		}
		sum, _, err := s.LedgerTotals(ctx, 3)
		if err != nil || sum != 0 {
			t.Fatalf("ledger sum %d, %v", sum, err)
		}
	})
}

// TestPlanRefundUndelivered: the flag is stored and loaded.
func TestPlanRefundUndelivered(t *testing.T) {
	forEachDialect(t, func(t *testing.T, driver string) {
		s := newTestStore(t, driver)
		ctx := testCtx(t)
		for _, refund := range []bool{true, false} {
			p := &PricePlan{Name: "p", Currency: "EUR", ValidFrom: time.Now(), RefundUndelivered: refund,
				Prices: []PlanPrice{{Prefix: "44", PriceMicros: 1}}}
			if err := s.CreatePricePlan(ctx, p); err != nil {
				t.Fatal(err)
			}
		}
		data, err := s.LoadPricing(ctx)
		if err != nil || len(data.Plans) != 2 || !data.Plans[0].RefundUndelivered || data.Plans[1].RefundUndelivered {
			t.Fatalf("plans %+v, %v", data, err)
		}
	})
}

// TestSpendable counts leased credit as the customer's until messages
// spend it: only the charges recorded on a lease come off.
func TestSpendable(t *testing.T) {
	forEachDialect(t, func(t *testing.T, driver string) {
		s := newTestStore(t, driver)
		ctx := testCtx(t)
		if err := s.CreateBillingAccount(ctx, &BillingAccount{AccountID: 8, Currency: "EUR"}); err != nil {
			t.Fatal(err)
		}
		if err := s.PostBalance(ctx, &LedgerEntry{AccountID: 8, Kind: LedgerTopUp, Amount: 100, Reason: "t"}); err != nil {
			t.Fatal(err)
		}
		lease, got, err := s.LeaseCredit(ctx, 8, "instance-a", 50)
		if err != nil || got != 50 {
			t.Fatalf("lease: %d, %v", got, err)
		}
		if _, err := s.w.ExecContext(ctx, qInsertLedger, 8, "charge", -10, 0, lease, s.idArg(sms.ID(5)), "", s.timeArg(time.Now())); err != nil {
			t.Fatal(err)
		}
		v, err := s.Spendable(ctx, 8)
		if err != nil || v != 90 {
			t.Fatalf("spendable %d, %v; want 90", v, err)
		}
		a, err := s.GetBillingAccount(ctx, 8)
		if err != nil || a.Available() != 50 {
			t.Fatalf("leasable %d, %v; want 50", a.Available(), err)
		}
		if _, err := s.Spendable(ctx, 9); !errors.Is(err, ErrNotFound) {
			t.Fatalf("unknown account: %v", err)
		}
	})
}
