package billing

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/gallant-sms/gallant/store"
)

// LowBalance is one low-balance alert: account AccountID's available
// balance fell below the threshold it set.
type LowBalance struct {
	AccountID int64
	// Available is the balance seen when the alert fired; Threshold the
	// account's setting; both in micros of Currency.
	Available, Threshold Micros
	Currency             string
	// Email and WebhookURL are where the alert goes; empty: not there.
	Email, WebhookURL string
	At                time.Time
}

// AlertNotifier sends low-balance alerts. NotifyLowBalance is called once
// per alert fired, from the goroutine running [Alerter.Sweep]; it must
// not block long (queue the sending) and handles its own failures.
type AlertNotifier interface {
	NotifyLowBalance(ctx context.Context, a LowBalance)
}

// Alerter fires low-balance alerts. Each account with an alert is armed
// until its available balance (settled balance plus the charges and
// refunds recorded on open leases, minus the credit limit) falls below
// its threshold; then exactly one instance's compare-and-set in the
// store fires it, and the alert is sent once. It is re-armed when the
// balance is back at or above the threshold: by the top-up or refund
// itself, or by the next sweep. An Alerter is safe for concurrent use;
// the caller owns the loop that calls Sweep.
type Alerter struct {
	st  *store.Store
	n   AlertNotifier
	log *slog.Logger
	now func() time.Time
}

// NewAlerter returns an Alerter reading st and sending through n. A nil
// logger discards the log.
func NewAlerter(st *store.Store, n AlertNotifier, logger *slog.Logger) (*Alerter, error) {
	if st == nil || n == nil {
		return nil, errors.New("billing: alerter needs a store and a notifier")
	}
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &Alerter{st: st, n: n, log: logger.With("component", "alerts"), now: time.Now}, nil
}

// alertPage is how many accounts one query of a sweep reads.
const alertPage = 500

// Sweep looks at every account with an alert once: it fires those whose
// balance is below their threshold and re-arms fired ones whose balance
// recovered. It returns the number of alerts this call fired.
func (a *Alerter) Sweep(ctx context.Context) (int, error) {
	fired := 0
	var after int64
	for {
		page, err := a.st.AlertCandidates(ctx, after, alertPage)
		if err != nil {
			return fired, fmt.Errorf("billing: alert sweep: %w", err)
		}
		for i := range page {
			c := &page[i]
			after = c.AccountID
			ok, err := a.judge(ctx, c)
			if err != nil {
				return fired, err
			}
			if ok {
				fired++
			}
		}
		if len(page) < alertPage {
			return fired, nil
		}
	}
}

// judge fires or re-arms c's alert as its balance says, and reports
// whether it fired.
func (a *Alerter) judge(ctx context.Context, c *store.AlertCandidate) (bool, error) {
	switch {
	case !c.Fired && c.Available < c.Threshold:
		now := a.now().UTC()
		ok, err := a.st.FireBalanceAlert(ctx, c.AccountID, now)
		if err != nil {
			return false, fmt.Errorf("billing: alert of account %d: %w", c.AccountID, err)
		}
		if !ok {
			return false, nil // another instance fired it, or the balance moved
		}
		a.log.Info("low balance", "account", c.AccountID, "available", Micros(c.Available).String(),
			"threshold", Micros(c.Threshold).String(), "currency", c.Currency)
		a.n.NotifyLowBalance(ctx, LowBalance{AccountID: c.AccountID, Available: Micros(c.Available),
			Threshold: Micros(c.Threshold), Currency: c.Currency, Email: c.Email, WebhookURL: c.WebhookURL, At: now})
		return true, nil
	case c.Fired && c.Available >= c.Threshold:
		if _, err := a.st.RearmBalanceAlert(ctx, c.AccountID); err != nil {
			return false, fmt.Errorf("billing: alert of account %d: %w", c.AccountID, err)
		}
	}
	return false, nil
}
