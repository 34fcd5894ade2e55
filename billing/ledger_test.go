package billing

import (
	"errors"
	"testing"
	"time"

	"github.com/gallant-sms/gallant/store"
	"github.com/gallant-sms/gallant/store/storetest"
)

// TestLedgerRowStoredOnce writes the same charge twice, as the Writer
// does when it retries a batch whose commit it could not confirm: the
// second is refused as a duplicate and the ledger holds it once.
func TestLedgerRowStoredOnce(t *testing.T) {
	forEachDriver(t, func(t *testing.T, driver string) {
		st := storetest.Open(t, driver)
		ctx := testCtx(t)
		w := newWriter(t, st)
		row := &ledgerRow{accountID: 4, kind: store.LedgerCharge, amount: -45_000, leaseID: 9, seq: 1,
			messageID: 1<<63 + 1, reason: "message charge", at: time.Now()}
		errs := make(chan error, 2)
		done := store.CommitterFunc(func(err error) { errs <- err })
		for range 2 {
			if err := w.Add(row, done); err != nil {
				t.Fatal(err)
			}
			if err := w.Flush(ctx); err != nil {
				t.Fatal(err)
			}
		}
		if err := <-errs; err != nil {
			t.Fatalf("first write: %v", err)
		}
		if err := <-errs; !errors.Is(err, store.ErrDuplicate) {
			t.Fatalf("second write: %v, want ErrDuplicate", err)
		}
		rows, err := st.ListLedger(ctx, 4, 0, 10)
		if err != nil || len(rows) != 1 {
			t.Fatalf("ledger: %d rows, %v; want 1", len(rows), err)
		}
		if e := rows[0]; e.Amount != -45_000 || e.LeaseID != 9 || e.MessageID != 1<<63+1 || e.Kind != store.LedgerCharge {
			t.Fatalf("row %+v", e)
		}
	})
}
