package app

import (
	"time"

	"github.com/gallant-sms/gallant/sms"
)

// BalanceView is an account's prepaid balance.
type BalanceView struct {
	Currency string `json:"currency"`
	// Balance is the settled money; Held is credit leased to gateway
	// instances (spent or not yet); Available is what new messages may
	// still use: Balance − CreditLimit, less what messages have already
	// spent of the leased credit (charges still being written may lag by
	// a moment).
	Balance     int64 `json:"balance"`
	Held        int64 `json:"held"`
	CreditLimit int64 `json:"credit_limit"`
	Available   int64 `json:"available"`
}

// LedgerItem is one change of money.
type LedgerItem struct {
	ID        int64     `json:"id,string"`
	Kind      string    `json:"kind"`
	Amount    int64     `json:"amount"`
	MessageID sms.ID    `json:"message_id,string,omitempty"`
	Reason    string    `json:"reason,omitempty"`
	At        time.Time `json:"at"`
}

// LedgerPage is a page of the ledger.
type LedgerPage struct {
	Items      []LedgerItem `json:"items"`
	NextCursor string       `json:"next_cursor,omitempty"`
}

// PriceView is the price of one segment to a destination.
type PriceView struct {
	To         string `json:"to"`
	Currency   string `json:"currency"`
	PerSegment int64  `json:"per_segment"`
	PlanID     int64  `json:"plan_id,string"`
}
