package billing

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/gallant-sms/gallant/store"
	"github.com/gallant-sms/gallant/store/storetest"
)

// TestTransfer: a reseller's transfer reaches the customer's next
// reservation at once (even within EmptyRetry), only the reseller's
// settled available credit moves (not what this instance has leased), and
// both books balance after the leases are settled.
func TestTransfer(t *testing.T) {
	forEachDriver(t, func(t *testing.T, driver string) {
		st := storetest.Open(t, driver)
		ctx := testCtx(t)
		const reseller, customer = 1, 2
		openAccount(t, st, reseller, 10*MicrosPerUnit, 0)
		openAccount(t, st, customer, 0, 0)
		w := newWriter(t, st)
		b, err := NewBalances(st, w, Config{Chunk: 3 * MicrosPerUnit, EmptyRetry: time.Hour}, nil)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := b.Reserve(ctx, customer, 100_000); !errors.Is(err, ErrInsufficientBalance) {
			t.Fatalf("empty customer: %v, want ErrInsufficientBalance", err)
		}
		tr, err := Transfer(ctx, st, b, reseller, customer, 5*MicrosPerUnit, "pre-fund")
		if err != nil {
			t.Fatal(err)
		}
		if tr.In.Amount != int64(5*MicrosPerUnit) || tr.To.Balance != int64(5*MicrosPerUnit) {
			t.Fatalf("transfer: %+v", tr)
		}
		r, err := b.Reserve(ctx, customer, 100_000)
		if err != nil {
			t.Fatalf("reserve after the transfer (within EmptyRetry): %v", err)
		}
		if err := b.Confirm(r, 1); err != nil {
			t.Fatal(err)
		}
		// The reseller sends too: this instance leases a 3-unit chunk, so
		// 10 − 5 − 3 = 2 units are left to transfer.
		if _, err := b.Reserve(ctx, reseller, 100_000); err != nil {
			t.Fatal(err)
		}
		if _, err := Transfer(ctx, st, b, reseller, customer, 2*MicrosPerUnit+1, "too much"); !errors.Is(err, ErrInsufficientBalance) {
			t.Fatalf("transfer of leased credit: %v, want ErrInsufficientBalance", err)
		}
		if _, err := Transfer(ctx, st, b, reseller, customer, 2*MicrosPerUnit, "the rest"); err != nil {
			t.Fatal(err)
		}
		for _, bad := range []Micros{0, -1, MaxTransfer + 1} {
			if _, err := Transfer(ctx, st, b, reseller, customer, bad, "bad"); !errors.Is(err, ErrBadAmount) {
				t.Fatalf("amount %d: %v, want ErrBadAmount", bad, err)
			}
		}
		if _, err := Transfer(ctx, st, nil, customer, 99, 1, "nowhere"); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("to an account without balance: %v, want store.ErrNotFound", err)
		}
		if err := b.Close(context.Background()); err != nil {
			t.Fatal(err)
		}
		checkBooks(t, st, reseller, 10*MicrosPerUnit-7*MicrosPerUnit) // its reservation was never confirmed
		checkBooks(t, st, customer, 7*MicrosPerUnit-100_000)
	})
}
