package billing

import (
	"context"
	"sync"
	"testing"

	"github.com/gallant-sms/gallant/sms"
	"github.com/gallant-sms/gallant/store"
	"github.com/gallant-sms/gallant/store/storetest"
)

// alertSink records the alerts sent.
type alertSink struct {
	mu  sync.Mutex
	got []LowBalance
}

func (s *alertSink) NotifyLowBalance(_ context.Context, a LowBalance) {
	s.mu.Lock()
	s.got = append(s.got, a)
	s.mu.Unlock()
}

func (s *alertSink) count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.got)
}

// TestAlerterOncePerCrossing: spending below the threshold fires one
// alert even with two instances sweeping at once; more spending fires no
// more; a top-up above the threshold and a new fall fire again.
func TestAlerterOncePerCrossing(t *testing.T) {
	forEachDriver(t, func(t *testing.T, driver string) {
		st := storetest.Open(t, driver)
		ctx := testCtx(t)
		if _, err := NewAlerter(st, nil, nil); err == nil {
			t.Fatal("alerter without notifier accepted")
		}
		if err := st.CreateBillingAccount(ctx, &store.BillingAccount{AccountID: 11, Currency: "EUR"}); err != nil {
			t.Fatal(err)
		}
		b := newBalances(t, st, Config{Chunk: 300_000})
		if err := b.TopUp(ctx, 11, 1_000_000, "t"); err != nil {
			t.Fatal(err)
		}
		if err := st.SetBalanceAlert(ctx, &store.BalanceAlert{AccountID: 11, Threshold: 500_000, Email: "a@example.com"}); err != nil {
			t.Fatal(err)
		}
		sink := &alertSink{}
		a1, err := NewAlerter(st, sink, nil)
		if err != nil {
			t.Fatal(err)
		}
		a2, _ := NewAlerter(st, sink, nil)
		sweepBoth := func() {
			t.Helper()
			var wg sync.WaitGroup
			for _, a := range []*Alerter{a1, a2} {
				wg.Go(func() {
					if _, err := a.Sweep(ctx); err != nil {
						t.Error(err)
					}
				})
			}
			wg.Wait()
		}
		msg := uint64(0)
		spend := func(n int) {
			t.Helper()
			for range n {
				r, err := b.Reserve(ctx, 11, 100_000)
				if err != nil {
					t.Fatal(err)
				}
				msg++
				if err := b.Confirm(r, sms.ID(msg)); err != nil {
					t.Fatal(err)
				}
			}
			if err := b.w.Flush(ctx); err != nil {
				t.Fatal(err)
			}
		}
		spend(4) // 0.6 left
		sweepBoth()
		if n := sink.count(); n != 0 {
			t.Fatalf("%d alerts above the threshold", n)
		}
		spend(2) // 0.4 left
		sweepBoth()
		sweepBoth()
		if n := sink.count(); n != 1 {
			t.Fatalf("%d alerts after the crossing, want 1", n)
		}
		if got := sink.got[0]; got.AccountID != 11 || got.Available != 400_000 || got.Threshold != 500_000 ||
			got.Currency != "EUR" || got.Email != "a@example.com" {
			t.Fatalf("alert %+v", got)
		}
		spend(1)
		sweepBoth()
		if n := sink.count(); n != 1 {
			t.Fatalf("%d alerts after more spending, want still 1", n)
		}
		if err := b.TopUp(ctx, 11, 500_000, "t2"); err != nil { // 0.8
			t.Fatal(err)
		}
		sweepBoth()
		if n := sink.count(); n != 1 {
			t.Fatalf("%d alerts after the top-up, want 1", n)
		}
		spend(4) // 0.4
		sweepBoth()
		if n := sink.count(); n != 2 {
			t.Fatalf("%d alerts after the second crossing, want 2", n)
		}
	})
}
