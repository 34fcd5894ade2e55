package app

import (
	"context"
	"errors"
	"strconv"
	"time"

	"github.com/gallant-sms/gallant/billing"
	"github.com/gallant-sms/gallant/gateway"
	"github.com/gallant-sms/gallant/store"
)

// Billing serves the balance, ledger and pricing endpoints.
type Billing struct {
	st   *store.Store
	bill *gateway.Billing
}

// Balance returns p's account balance.
func (b Billing) Balance(ctx context.Context, p Principal) (BalanceView, error) {
	a, err := b.st.GetBillingAccount(ctx, p.AccountID)
	if errors.Is(err, store.ErrNotFound) {
		return BalanceView{}, NotFound("the account has no prepaid balance yet")
	}
	if err != nil {
		return BalanceView{}, err
	}
	spendable, err := b.st.Spendable(ctx, p.AccountID)
	if err != nil {
		return BalanceView{}, err
	}
	return BalanceView{Currency: a.Currency, Balance: a.Balance, Held: a.Held, CreditLimit: a.CreditLimit,
		Available: spendable}, nil
}

// Ledger returns a page of p's ledger after the cursor.
func (b Billing) Ledger(ctx context.Context, p Principal, cursor string, limit int) (LedgerPage, error) {
	var after int64
	if cursor != "" {
		n, err := strconv.ParseInt(cursor, 10, 64)
		if err != nil || n < 0 {
			return LedgerPage{}, Invalid("cursor", "malformed cursor")
		}
		after = n
	}
	rows, err := b.st.ListLedger(ctx, p.AccountID, after, limit)
	if err != nil {
		return LedgerPage{}, err
	}
	page := LedgerPage{Items: make([]LedgerItem, len(rows))}
	for i, r := range rows {
		page.Items[i] = LedgerItem{ID: r.ID, Kind: string(r.Kind), Amount: r.Amount, MessageID: r.MessageID,
			Reason: r.Reason, At: r.CreatedAt}
	}
	if len(rows) == limit {
		page.NextCursor = strconv.FormatInt(rows[len(rows)-1].ID, 10)
	}
	return page, nil
}

// Price quotes one segment to the number to for p's account.
func (b Billing) Price(_ context.Context, p Principal, to string) (PriceView, error) {
	d, r := gateway.Destination(0, 0, to)
	if r != nil {
		return PriceView{}, refuse(KindInvalidNumber, "to", r.Detail)
	}
	q, err := b.bill.Pricer.Price(p.AccountID, d.Addr, 1, time.Now())
	if errors.Is(err, billing.ErrNoPlan) || errors.Is(err, billing.ErrNoPrice) {
		return PriceView{}, refuse(KindNotPriced, "to", "the account's price plan has no price for this destination")
	}
	if err != nil {
		return PriceView{}, err
	}
	return PriceView{To: "+" + d.Addr, Currency: q.Currency, PerSegment: int64(q.PerSegment), PlanID: q.PlanID}, nil
}
