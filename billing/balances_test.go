package billing

import (
	"errors"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/gallant-sms/gallant/sms"
	"github.com/gallant-sms/gallant/store"
	"github.com/gallant-sms/gallant/store/storetest"
)

func TestBalancesChargeAndRefund(t *testing.T) {
	forEachDriver(t, func(t *testing.T, driver string) {
		st := storetest.Open(t, driver)
		ctx := testCtx(t)
		openAccount(t, st, 1, 1*MicrosPerUnit, 0)
		b := newBalances(t, st, Config{Chunk: 100_000})
		p := NewPricer(nil)
		if err := p.Load(&store.Pricing{Plans: []store.PricePlan{{ID: 1, Currency: "EUR", Default: true, ValidFrom: jan,
			Prices: []store.PlanPrice{pp("44", 45_000)}}}}); err != nil {
			t.Fatal(err)
		}
		// A GSM 7-bit single, a UCS-2 long (2) and a GSM long (3 segments).
		var spent Micros
		for i, segs := range []int{1, 2, 3} {
			q, err := p.Price(1, "447700900123", segs, feb1())
			if err != nil {
				t.Fatal(err)
			}
			r, err := b.Reserve(ctx, 1, q.Total)
			if err != nil || r.Amount != Micros(45_000*segs) {
				t.Fatalf("reserve %d: %+v, %v", i, r, err)
			}
			if err := b.Confirm(r, sms.ID(i+1)); err != nil {
				t.Fatal(err)
			}
			spent += q.Total
		}
		// Refunded before confirmation: no ledger row, money back.
		r, err := b.Reserve(ctx, 1, 45_000)
		if err != nil {
			t.Fatal(err)
		}
		if err := b.Refund(r); err != nil {
			t.Fatal(err)
		}
		// Confirmed, then refunded (undelivered under a refunding plan).
		r, err = b.Reserve(ctx, 1, 90_000)
		if err != nil {
			t.Fatal(err)
		}
		if err := b.Confirm(r, 10); err != nil {
			t.Fatal(err)
		}
		if err := b.RefundCharge(r, 10, "undelivered"); err != nil {
			t.Fatal(err)
		}
		if err := b.Close(ctx); err != nil {
			t.Fatal(err)
		}
		if _, err := b.Reserve(ctx, 1, 1); !errors.Is(err, ErrClosed) {
			t.Fatalf("reserve after close: %v, want ErrClosed", err)
		}
		if err := b.Confirm(r, 11); !errors.Is(err, ErrClosed) {
			t.Fatalf("confirm after close: %v, want ErrClosed", err)
		}
		checkBooks(t, st, 1, MicrosPerUnit-spent)
		rows, err := st.ListLedger(ctx, 1, 0, 100)
		if err != nil {
			t.Fatal(err)
		}
		var charges, refunds []int64
		for _, e := range rows {
			switch e.Kind {
			case store.LedgerCharge:
				charges = append(charges, e.Amount)
			case store.LedgerRefund:
				refunds = append(refunds, e.Amount)
				if e.MessageID != 10 || e.Reason != "undelivered" {
					t.Errorf("refund row %+v", e)
				}
			}
		}
		// The writer may commit two batches in either order (two workers
		// on MySQL), so the ledger's order is not the order of the calls.
		slices.Sort(charges)
		if !slices.Equal(charges, []int64{-135_000, -90_000, -90_000, -45_000}) || len(refunds) != 1 || refunds[0] != 90_000 {
			t.Fatalf("charges %v, refunds %v", charges, refunds)
		}
	})
}

func TestBalancesInsufficientAndCreditLimit(t *testing.T) {
	forEachDriver(t, func(t *testing.T, driver string) {
		st := storetest.Open(t, driver)
		ctx := testCtx(t)
		openAccount(t, st, 1, 100, 0)
		openAccount(t, st, 2, 100, -50) // may go 50 micros into credit
		b := newBalances(t, st, Config{Chunk: 30, EmptyRetry: -1})
		if _, err := b.Reserve(ctx, 3, 1); !errors.Is(err, ErrInsufficientBalance) {
			t.Fatalf("account without a balance: %v, want ErrInsufficientBalance", err)
		}
		if _, err := b.Reserve(ctx, 1, 0); !errors.Is(err, ErrBadAmount) {
			t.Fatalf("zero amount: %v, want ErrBadAmount", err)
		}
		for id, allowed := range map[int64]int{1: 100, 2: 150} {
			n := 0
			for {
				r, err := b.Reserve(ctx, id, 10)
				if errors.Is(err, ErrInsufficientBalance) {
					break
				}
				if err != nil {
					t.Fatal(err)
				}
				if err := b.Confirm(r, sms.ID(n+1)); err != nil {
					t.Fatal(err)
				}
				n++
			}
			if n*10 != allowed {
				t.Fatalf("account %d: %d reservations of 10, want %d", id, n, allowed/10)
			}
		}
		// A top-up is available at once.
		if err := b.TopUp(ctx, 1, 25, "wire 42"); err != nil {
			t.Fatal(err)
		}
		if _, err := b.Reserve(ctx, 1, 20); err != nil {
			t.Fatalf("after top-up: %v", err)
		}
		if _, err := b.Reserve(ctx, 1, 10); !errors.Is(err, ErrInsufficientBalance) {
			t.Fatalf("beyond the top-up: %v, want ErrInsufficientBalance", err)
		}
		if err := b.Close(ctx); err != nil {
			t.Fatal(err)
		}
		// The open reservation of 20 was never confirmed: it is not spent.
		checkBooks(t, st, 1, 25)
		checkBooks(t, st, 2, -50)
	})
}

// TestBalancesNoOverdraft races 200 goroutines, spread over one or two
// Balances (each on its own Store handle to the same database, like two
// gateway instances), against a balance that covers far fewer messages.
func TestBalancesNoOverdraft(t *testing.T) {
	for _, instances := range []int{1, 2} {
		t.Run(strconv.Itoa(instances)+"-instances", func(t *testing.T) { noOverdraft(t, instances) })
	}
}

func noOverdraft(t *testing.T, instances int) {
	const (
		goroutines = 200
		perG       = 10
		price      = Micros(7_000)
		initial    = 500*price + 3_000 // 500 messages and change
	)
	forEachDriver(t, func(t *testing.T, driver string) {
		cfg := storetest.Config(t, driver)
		st := storetest.OpenConfig(t, cfg)
		openAccount(t, st, 1, initial, 0)
		var bs []*Balances
		for i := range instances {
			h := st
			if i > 0 {
				h = storetest.OpenConfig(t, cfg)
			}
			bs = append(bs, newBalances(t, h, Config{Chunk: 37 * price, EmptyRetry: -1}))
		}
		ctx := testCtx(t)
		var ok, refused, refunded atomic.Int64
		var wg sync.WaitGroup
		for g := range goroutines {
			b := bs[g%len(bs)]
			wg.Go(func() {
				for i := range perG {
					r, err := b.Reserve(ctx, 1, price)
					if errors.Is(err, ErrInsufficientBalance) {
						refused.Add(1)
						continue
					}
					if err != nil {
						t.Error(err)
						return
					}
					// One in five is refunded before confirmation.
					if i%5 == 4 {
						if err := b.Refund(r); err != nil {
							t.Error(err)
						}
						refunded.Add(1)
						continue
					}
					if err := b.Confirm(r, sms.ID(g*perG+i+1)); err != nil {
						t.Error(err)
						return
					}
					ok.Add(1)
				}
			})
		}
		wg.Wait()
		for _, b := range bs {
			if err := b.Close(ctx); err != nil {
				t.Fatal(err)
			}
			if n := b.LostRows(); n != 0 {
				t.Fatalf("%d ledger rows lost", n)
			}
		}
		charged := Micros(ok.Load()) * price
		if charged > initial {
			t.Fatalf("overdraft: %d charges of %d = %d > balance %d", ok.Load(), price, charged, initial)
		}
		if refused.Load() == 0 {
			t.Fatalf("no reservation was refused: the test did not exhaust the balance")
		}
		if instances == 1 && ok.Load() != 500 {
			t.Fatalf("one instance confirmed %d charges, want exactly 500", ok.Load())
		}
		t.Logf("%d instances: %d charged, %d refunded, %d refused", instances, ok.Load(), refunded.Load(), refused.Load())
		checkBooks(t, st, 1, initial-charged)
	})
}
