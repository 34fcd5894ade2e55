package app

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/gallant-sms/gallant/store"
)

// Demo prices: 0.01 EUR a segment everywhere, 0.035 to the UK; the demo
// account starts with 100 EUR.
const (
	demoPrice   = 10_000
	demoPriceUK = 35_000
	demoCredit  = 100_000_000
)

// SeedDemoBilling makes sure there is a default platform price plan
// (demo prices) and that account accountID has a balance, with the demo
// credit on its first run; the caller reloads the prices.
func SeedDemoBilling(ctx context.Context, st *store.Store, accountID int64) error {
	p, err := st.LoadPricing(ctx)
	if err != nil {
		return err
	}
	hasDefault := false
	for _, pl := range p.Plans {
		hasDefault = hasDefault || (pl.Default && pl.OwnerAccountID == 0)
	}
	if !hasDefault {
		plan := &store.PricePlan{Name: "demo", Currency: "EUR", Default: true, ValidFrom: time.Now().Add(-time.Minute)}
		for d := '1'; d <= '9'; d++ {
			plan.Prices = append(plan.Prices, store.PlanPrice{Prefix: string(d), PriceMicros: demoPrice})
		}
		plan.Prices = append(plan.Prices, store.PlanPrice{Prefix: "44", PriceMicros: demoPriceUK})
		if err := st.CreatePricePlan(ctx, plan); err != nil {
			return fmt.Errorf("demo price plan: %w", err)
		}
	}
	if _, err := st.GetBillingAccount(ctx, accountID); errors.Is(err, store.ErrNotFound) {
		if err := st.CreateBillingAccount(ctx, &store.BillingAccount{AccountID: accountID, Currency: "EUR"}); err != nil {
			return fmt.Errorf("demo billing account: %w", err)
		}
		if err := st.PostBalance(ctx, &store.LedgerEntry{AccountID: accountID, Kind: store.LedgerTopUp,
			Amount: demoCredit, Reason: "demo credit"}); err != nil {
			return fmt.Errorf("demo top-up: %w", err)
		}
	} else if err != nil {
		return err
	}
	return nil
}
