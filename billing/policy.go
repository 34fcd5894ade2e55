package billing

import (
	"context"
	"fmt"
	"time"

	"github.com/gallant-sms/gallant/sms"
)

// The refund policy. A message is charged when a carrier takes its first
// segment; whether it stays charged when its final receipt says it was
// not delivered is the price plan's choice (store.PricePlan
// .RefundUndelivered). A message that never reached a carrier is not
// charged at all: its reservation is given back (see [Balances.Refund]).

// RefundableStatus reports whether a message that ended in st is refunded
// under a plan that refunds undelivered messages: undelivered, expired,
// rejected and failed are; delivered and statuses that are not final are
// not.
func RefundableStatus(st sms.Status) bool {
	switch st {
	case sms.StatusUndelivered, sms.StatusExpired, sms.StatusRejected, sms.StatusFailed:
		return true
	}
	return false
}

// RefundPolicy decides refunds from the plans a [Pricer] holds.
type RefundPolicy struct {
	Pricer *Pricer
}

// PlanOf returns the plan that priced a message of accountID to dest
// created at createdAt, for a message whose plan was not remembered (a
// message accepted before a restart). Plans are in force from a start
// time and new ones start when they are created, so pricing again at the
// message's creation time finds the plan that priced it. It returns 0
// when no plan prices the message.
func (p RefundPolicy) PlanOf(accountID int64, dest string, createdAt time.Time) int64 {
	q, err := p.Pricer.Price(accountID, dest, 1, createdAt)
	if err != nil {
		return 0
	}
	return q.PlanID
}

// Refunds reports whether a message priced by plan planID that ended in
// st has its charge refunded.
func (p RefundPolicy) Refunds(planID int64, st sms.Status) bool {
	return RefundableStatus(st) && p.Pricer.RefundsUndelivered(planID)
}

// RefundMessage gives back amount charged to account accountID for
// message messageID, in the ledger and the balance at once (see
// store.Store.RefundMessage); it reports false when the message was
// refunded already, which is not an error: duplicate receipts, restarts
// and other instances may all ask. The account's credit is available
// to this instance's next lease at once, as after a top-up.
func (b *Balances) RefundMessage(ctx context.Context, accountID int64, messageID sms.ID, amount Micros, reason string) (bool, error) {
	if amount <= 0 || amount > maxPrice*maxSegments {
		return false, ErrBadAmount
	}
	done, err := b.st.RefundMessage(ctx, accountID, messageID, int64(amount), clipReason(reason))
	if err != nil {
		return false, fmt.Errorf("billing: refund message %d: %w", messageID, err)
	}
	if done {
		b.mu.RLock()
		a := b.accts[accountID]
		b.mu.RUnlock()
		if a != nil {
			a.mu.Lock()
			a.emptyAt = time.Time{}
			a.mu.Unlock()
		}
	}
	return done, nil
}
