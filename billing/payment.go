package billing

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/gallant-sms/gallant/store"
)

// Payment is money received for an account, credited to its balance.
type Payment struct {
	Provider  string
	AccountID int64
	Amount    Micros
	// Reference identifies the payment at its provider (a bank transfer's
	// reference, a card charge id); it is the ledger row's reason.
	Reference string
	LedgerID  int64
	At        time.Time
}

// PaymentProvider turns payments into top-ups. The manual provider
// records payments an admin or reseller confirms (bank transfer, cash); a
// card provider would add its own checkout and webhook, then credit the
// same way.
type PaymentProvider interface {
	// Name identifies the provider in ledger references.
	Name() string
	// Credit records a confirmed payment of amount for accountID and
	// credits its balance.
	Credit(ctx context.Context, accountID int64, amount Micros, reference string) (Payment, error)
}

// ErrNoReference is returned when a payment has no reference to trace it.
var ErrNoReference = errors.New("billing: a payment needs a reference")

// ManualProvider records payments confirmed by people: bank transfers,
// cash, goodwill credit. It writes one top-up ledger row per payment.
type ManualProvider struct {
	st *store.Store
}

var _ PaymentProvider = (*ManualProvider)(nil)

// NewManualProvider returns the manual provider over st.
func NewManualProvider(st *store.Store) *ManualProvider { return &ManualProvider{st: st} }

// Name returns "manual".
func (*ManualProvider) Name() string { return "manual" }

// Credit posts a top-up of amount to accountID's balance, with the
// reference (required) in the ledger.
func (p *ManualProvider) Credit(ctx context.Context, accountID int64, amount Micros, reference string) (Payment, error) {
	reference = strings.TrimSpace(reference)
	if amount <= 0 {
		return Payment{}, ErrBadAmount
	}
	if reference == "" {
		return Payment{}, ErrNoReference
	}
	e := &store.LedgerEntry{AccountID: accountID, Kind: store.LedgerTopUp, Amount: int64(amount),
		Reason: clipReason(p.Name() + ": " + reference)}
	if err := p.st.PostBalance(ctx, e); err != nil {
		return Payment{}, fmt.Errorf("billing: credit payment: %w", err)
	}
	return Payment{Provider: p.Name(), AccountID: accountID, Amount: amount, Reference: reference,
		LedgerID: e.ID, At: e.CreatedAt}, nil
}
