package billing

import (
	"errors"
	"strings"
	"testing"

	"github.com/gallant-sms/gallant/store"
	"github.com/gallant-sms/gallant/store/storetest"
)

func TestManualProviderCredits(t *testing.T) {
	forEachDriver(t, func(t *testing.T, driver string) {
		ctx := testCtx(t)
		st := storetest.Open(t, driver)
		if err := st.CreateBillingAccount(ctx, &store.BillingAccount{AccountID: 5, Currency: "EUR"}); err != nil {
			t.Fatal(err)
		}
		p := NewManualProvider(st)
		pay, err := p.Credit(ctx, 5, 12_500_000, "  bank transfer INV-77 ")
		if err != nil {
			t.Fatal(err)
		}
		if pay.Provider != "manual" || pay.Amount != 12_500_000 || pay.Reference != "bank transfer INV-77" || pay.LedgerID == 0 {
			t.Fatalf("payment %+v", pay)
		}
		a, err := st.GetBillingAccount(ctx, 5)
		if err != nil || a.Balance != 12_500_000 {
			t.Fatalf("balance %+v, %v", a, err)
		}
		rows, err := st.ListLedger(ctx, 5, 0, 10)
		if err != nil || len(rows) != 1 || rows[0].Kind != store.LedgerTopUp || !strings.Contains(rows[0].Reason, "INV-77") {
			t.Fatalf("ledger %+v, %v", rows, err)
		}
		if _, err := p.Credit(ctx, 5, 0, "x"); !errors.Is(err, ErrBadAmount) {
			t.Fatalf("zero amount: %v", err)
		}
		if _, err := p.Credit(ctx, 5, 1, " "); !errors.Is(err, ErrNoReference) {
			t.Fatalf("no reference: %v", err)
		}
		if _, err := p.Credit(ctx, 999, 1, "ref"); err == nil {
			t.Fatal("credit to an account without a balance succeeded")
		}
	})
}
