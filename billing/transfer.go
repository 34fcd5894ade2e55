package billing

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/gallant-sms/gallant/store"
)

// MaxTransfer caps one transfer or top-up (a billion units), far above
// any real payment and far below where balances could overflow.
const MaxTransfer = 1_000_000_000 * MicrosPerUnit

// Transfer moves amount from account from's balance to account to's (a
// reseller pre-funding one of its sub-accounts), with a transfer_out and
// a transfer_in ledger row, in one store transaction. Only from's settled
// available credit may move (balance − held − credit limit): credit
// leased to gateway instances, spent or not, stays where it is, so it
// cannot be spent twice. Too little gives [ErrInsufficientBalance]. The
// money is available to to at every instance's next lease, and at once
// here (b may be nil when billing is off: then only the store changes).
func Transfer(ctx context.Context, st *store.Store, b *Balances, from, to int64, amount Micros, reference string) (*store.Transfer, error) {
	if amount <= 0 || amount > MaxTransfer {
		return nil, ErrBadAmount
	}
	tr, err := st.TransferCredit(ctx, from, to, int64(amount), clipReason(reference))
	if errors.Is(err, store.ErrInsufficientCredit) {
		return nil, fmt.Errorf("billing: transfer: %w", ErrInsufficientBalance)
	}
	if err != nil {
		return nil, fmt.Errorf("billing: transfer: %w", err)
	}
	b.Credited(to)
	return tr, nil
}

// Credited tells b that account accountID received money outside it (a
// top-up through a [PaymentProvider], a transfer): a recent "no credit"
// answer no longer stands, and the next reservation leases again. It is
// a no-op on a nil Balances.
func (b *Balances) Credited(accountID int64) {
	if b == nil {
		return
	}
	b.mu.RLock()
	a := b.accts[accountID]
	b.mu.RUnlock()
	if a != nil {
		a.mu.Lock()
		a.emptyAt = time.Time{}
		a.mu.Unlock()
	}
}
