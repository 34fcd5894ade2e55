package billing

import (
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/gallant-sms/gallant/sms"
	"github.com/gallant-sms/gallant/store"
	"github.com/gallant-sms/gallant/store/storetest"
)

func TestRefundableStatus(t *testing.T) {
	for st, want := range map[sms.Status]bool{
		sms.StatusDelivered: false, sms.StatusUndelivered: true, sms.StatusExpired: true, sms.StatusRejected: true,
		sms.StatusFailed: true, sms.StatusSubmitted: false, sms.StatusAccepted: false, sms.StatusUnknown: false,
	} {
		if got := RefundableStatus(st); got != want {
			t.Errorf("RefundableStatus(%v) = %v, want %v", st, got, want)
		}
	}
}

// TestRefundPolicy: only plans with the flag refund, only failures are
// refunded, and a message's plan is found again from its creation time.
func TestRefundPolicy(t *testing.T) {
	p := NewPricer(nil)
	err := p.Load(&store.Pricing{Plans: []store.PricePlan{
		{ID: 1, Name: "keep", Currency: "EUR", Default: true, ValidFrom: jan, Prices: []store.PlanPrice{pp("44", 10)}},
		{ID: 2, Name: "refund", Currency: "EUR", ValidFrom: jan, RefundUndelivered: true, Prices: []store.PlanPrice{pp("44", 20)}},
		{ID: 3, Name: "later", Currency: "EUR", ValidFrom: jul, Prices: []store.PlanPrice{pp("44", 30)}},
	}, Assignments: []store.PlanAssignment{{AccountID: 7, PlanID: 2}, {AccountID: 7, PlanID: 3}}})
	if err != nil {
		t.Fatal(err)
	}
	pol := RefundPolicy{Pricer: p}
	if !pol.Refunds(2, sms.StatusUndelivered) || pol.Refunds(2, sms.StatusDelivered) || pol.Refunds(1, sms.StatusUndelivered) ||
		pol.Refunds(99, sms.StatusFailed) {
		t.Fatal("Refunds disagrees with the plans' flags")
	}
	if got := pol.PlanOf(7, "447700900123", jan.Add(time.Hour)); got != 2 {
		t.Fatalf("plan of a message of January: %d, want 2", got)
	}
	if got := pol.PlanOf(7, "447700900123", jul.Add(time.Hour)); got != 3 {
		t.Fatalf("plan of a message of July: %d, want 3", got)
	}
	if got := pol.PlanOf(8, "33612345678", jan.Add(time.Hour)); got != 0 {
		t.Fatalf("plan of an unpriced message: %d, want 0", got)
	}
}

// TestBalancesRefundMessage: a charged message refunded by several
// goroutines at once is refunded once, and the balance equals the
// ledger's sum after settling.
func TestBalancesRefundMessage(t *testing.T) {
	forEachDriver(t, func(t *testing.T, driver string) {
		st := storetest.Open(t, driver)
		ctx := testCtx(t)
		if err := st.CreateBillingAccount(ctx, &store.BillingAccount{AccountID: 5, Currency: "EUR"}); err != nil {
			t.Fatal(err)
		}
		if err := st.PostBalance(ctx, &store.LedgerEntry{AccountID: 5, Kind: store.LedgerTopUp, Amount: 1_000_000, Reason: "t"}); err != nil {
			t.Fatal(err)
		}
		b := newBalances(t, st, Config{Chunk: 100_000})
		r, err := b.Reserve(ctx, 5, 40_000)
		if err != nil {
			t.Fatal(err)
		}
		if err := b.Confirm(r, 42); err != nil {
			t.Fatal(err)
		}
		if _, err := b.RefundMessage(ctx, 5, 42, 0, "x"); err == nil {
			t.Fatal("zero refund accepted")
		}
		var wg sync.WaitGroup
		var mu sync.Mutex
		done := 0
		for range 4 {
			wg.Go(func() {
				// The charge row goes through the batched writer: until
				// it is stored the refund says ErrNotCharged.
				ok, err := b.RefundMessage(ctx, 5, 42, 40_000, "undelivered")
				for deadline := time.Now().Add(10 * time.Second); errors.Is(err, store.ErrNotCharged) && time.Now().Before(deadline); {
					time.Sleep(5 * time.Millisecond)
					ok, err = b.RefundMessage(ctx, 5, 42, 40_000, "undelivered")
				}
				if err != nil {
					t.Error(err)
				}
				if ok {
					mu.Lock()
					done++
					mu.Unlock()
				}
			})
		}
		wg.Wait()
		if done != 1 {
			t.Fatalf("%d refunds succeeded, want 1", done)
		}
		if err := b.Close(ctx); err != nil {
			t.Fatal(err)
		}
		a, err := st.GetBillingAccount(ctx, 5)
		if err != nil || a.Balance != 1_000_000 || a.Held != 0 {
			t.Fatalf("account %+v, %v; want the whole top-up back", a, err)
		}
		if sum, _, err := st.LedgerTotals(ctx, 5); err != nil || sum != a.Balance {
			t.Fatalf("ledger sum %d, balance %d, %v", sum, a.Balance, err)
		}
	})
}

// TestBuyRatesAt lists the rates in force, one per prefix, and agrees
// with BuyRate.
func TestBuyRatesAt(t *testing.T) {
	p := NewPricer(nil)
	err := p.Load(&store.Pricing{BuyRates: []store.BuyRate{
		{Carrier: "a", Prefix: "44", PriceMicros: 5000, Currency: "EUR", ValidFrom: jan},
		{Carrier: "a", Prefix: "44", PriceMicros: 4000, Currency: "EUR", ValidFrom: jul},
		{Carrier: "a", Prefix: "447", PriceMicros: 3000, Currency: "EUR", ValidFrom: jan, ValidTo: jul},
		{Carrier: "b", Prefix: "1", PriceMicros: 1000, Currency: "EUR", ValidFrom: jul},
	}})
	if err != nil {
		t.Fatal(err)
	}
	march := jan.AddDate(0, 2, 0)
	got := p.BuyRatesAt(march)
	if len(got) != 1 || len(got["a"]) != 2 || got["a"][0] != (CarrierRate{"44", 5000, "EUR"}) || got["a"][1] != (CarrierRate{"447", 3000, "EUR"}) {
		t.Fatalf("rates in March: %+v", got)
	}
	got = p.BuyRatesAt(jul.AddDate(0, 1, 0))
	if len(got) != 2 || len(got["a"]) != 1 || got["a"][0].Price != 4000 || got["b"][0].Price != 1000 {
		t.Fatalf("rates in August: %+v", got)
	}
	if m, err := p.BuyRate("a", "447700900123", march); err != nil || m.Amount != 3000 {
		t.Fatalf("BuyRate in March: %v, %v", m, err)
	}
}
