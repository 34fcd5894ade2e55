package billing

import (
	"context"
	"testing"
	"time"

	"github.com/gallant-sms/gallant/store"
	"github.com/gallant-sms/gallant/store/storetest"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// forEachDriver runs f as a subtest per store dialect.
func forEachDriver(t *testing.T, f func(t *testing.T, driver string)) {
	t.Helper()
	for _, d := range storetest.Drivers {
		t.Run(d, func(t *testing.T) { f(t, d) })
	}
}

// testCtx is bounded so that a stuck test fails instead of hanging.
func testCtx(tb testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	tb.Cleanup(cancel)
	return ctx
}

// newWriter starts a Writer on st, closed when tb ends.
func newWriter(tb testing.TB, st *store.Store) *store.Writer {
	tb.Helper()
	w, err := store.NewWriter(st, store.WriterConfig{}, nil)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		if err := w.Close(context.Background()); err != nil {
			tb.Errorf("close writer: %v", err)
		}
	})
	return w
}

// newBalances returns Balances on st with a new Writer; it is closed
// (settling its leases) when tb ends unless the test closed it.
func newBalances(tb testing.TB, st *store.Store, cfg Config) *Balances {
	tb.Helper()
	w := newWriter(tb, st)
	b, err := NewBalances(st, w, cfg, nil)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		if err := b.Close(context.Background()); err != nil {
			tb.Errorf("close balances: %v", err)
		}
	})
	return b
}

// openAccount creates account id's balance with credit limit limit and
// tops it up with amount (when positive).
func openAccount(tb testing.TB, st *store.Store, id int64, amount, limit Micros) {
	tb.Helper()
	ctx := testCtx(tb)
	if err := st.CreateBillingAccount(ctx, &store.BillingAccount{AccountID: id, Currency: "EUR", CreditLimit: int64(limit)}); err != nil {
		tb.Fatal(err)
	}
	if amount > 0 {
		if err := st.PostBalance(ctx, &store.LedgerEntry{AccountID: id, Kind: store.LedgerTopUp, Amount: int64(amount), Reason: "initial"}); err != nil {
			tb.Fatal(err)
		}
	}
}

// checkBooks fails tb unless account id's stored balance is want, nothing
// is held, and the ledger sums to the balance.
func checkBooks(tb testing.TB, st *store.Store, id int64, want Micros) {
	tb.Helper()
	ctx := testCtx(tb)
	a, err := st.GetBillingAccount(ctx, id)
	if err != nil {
		tb.Fatal(err)
	}
	sum, hold, err := st.LedgerTotals(ctx, id)
	if err != nil {
		tb.Fatal(err)
	}
	if Micros(a.Balance) != want || a.Held != 0 || sum != a.Balance || hold != 0 {
		tb.Fatalf("account %d: balance %d held %d, ledger sum %d hold %d; want balance %d = ledger sum, nothing held",
			id, a.Balance, a.Held, sum, hold, want)
	}
}
