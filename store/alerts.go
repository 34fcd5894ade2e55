package store

import (
	"context"
	"fmt"
	"net/mail"
	"time"

	"github.com/jmoiron/sqlx"
)

// BalanceAlert is an account's low-balance alert: when the account's
// available balance (see [AlertCandidate.Available]) falls below
// Threshold, one alert goes to Email and WebhookURL; Fired records that
// it went, until the balance is back at or above Threshold.
type BalanceAlert struct {
	AccountID int64
	// Threshold is in micros of the account's currency; 0 turns the
	// alert off.
	Threshold int64
	// Email and WebhookURL say where the alert goes; empty: not there.
	Email      string
	WebhookURL string
	// Fired is true from the alert until the balance recovers.
	Fired     bool
	FiredAt   time.Time
	UpdatedAt time.Time
}

// AlertCandidate is an account with an alert switched on, as read by
// [Store.AlertCandidates].
type AlertCandidate struct {
	BalanceAlert
	Currency string
	// Available is the money the account may still spend: its settled
	// balance, plus the charges and refunds already recorded on leases
	// not settled yet, minus its credit limit. Unlike
	// [BillingAccount.Available] it does not count leased credit that
	// was not spent.
	Available int64
}

// Limits of the alert settings.
const (
	maxAlertEmailLen = 255
	maxAlertURLLen   = 2048
)

// availableExpr computes an account's available balance (see
// AlertCandidate.Available) for the billing_alerts row in scope.
const availableExpr = "(SELECT b.balance - b.credit_limit FROM billing_accounts b WHERE b.account_id = billing_alerts.account_id)" +
	" + COALESCE((SELECT SUM(l.amount) FROM billing_leases s JOIN billing_ledger l ON l.lease_id = s.id" +
	" WHERE s.account_id = billing_alerts.account_id AND l.kind IN ('charge', 'refund')), 0)"

const (
	alertColumns   = "account_id, threshold, email, webhook_url, fired, fired_at, updated_at"
	qGetAlert      = "SELECT " + alertColumns + " FROM billing_alerts WHERE account_id = ?"
	qInsertAlert   = "INSERT INTO billing_alerts (account_id, threshold, email, webhook_url, fired, fired_at, updated_at) VALUES (?, ?, ?, ?, 0, NULL, ?)"
	qUpdateAlert   = "UPDATE billing_alerts SET threshold = ?, email = ?, webhook_url = ?, fired = 0, fired_at = NULL, updated_at = ? WHERE account_id = ?"
	qAlertAccounts = "SELECT " + alertColumns + ", (SELECT b.currency FROM billing_accounts b WHERE b.account_id = billing_alerts.account_id) AS currency, " +
		availableExpr + " AS available FROM billing_alerts WHERE threshold > 0 AND account_id > ? " +
		"AND EXISTS (SELECT 1 FROM billing_accounts b WHERE b.account_id = billing_alerts.account_id) ORDER BY account_id LIMIT ?"
	// The compare-and-set updates evaluate the balance in the statement
	// itself, so that a stale read cannot fire or re-arm an alert.
	qFireAlert = "UPDATE billing_alerts SET fired = 1, fired_at = ? WHERE account_id = ? AND fired = 0 AND threshold > 0 AND threshold > " +
		availableExpr
	qRearmAlert = "UPDATE billing_alerts SET fired = 0 WHERE account_id = ? AND fired = 1 AND threshold <= " + availableExpr
)

type alertRow struct {
	AccountID  int64  `db:"account_id"`
	Threshold  int64  `db:"threshold"`
	Email      string `db:"email"`
	WebhookURL string `db:"webhook_url"`
	Fired      bool   `db:"fired"`
	FiredAt    dbTime `db:"fired_at"`
	UpdatedAt  dbTime `db:"updated_at"`
}

func (r *alertRow) alert() BalanceAlert {
	return BalanceAlert{AccountID: r.AccountID, Threshold: r.Threshold, Email: r.Email, WebhookURL: r.WebhookURL,
		Fired: r.Fired, FiredAt: r.FiredAt.Time, UpdatedAt: r.UpdatedAt.Time}
}

// SetBalanceAlert stores a's settings for account a.AccountID (creating
// or replacing them) and re-arms the alert, so the new threshold is
// judged afresh. It sets a.UpdatedAt and clears a.Fired. The account
// must have a billing account ([ErrNotFound] otherwise); a negative
// threshold, an email that is not an address or an overlong URL are
// [ErrInvalid].
func (s *Store) SetBalanceAlert(ctx context.Context, a *BalanceAlert) error {
	if a.AccountID <= 0 || a.Threshold < 0 || len(a.Email) > maxAlertEmailLen || len(a.WebhookURL) > maxAlertURLLen {
		return fmt.Errorf("%w: alert needs an account, a threshold >= 0, an email of at most %d bytes and a URL of at most %d",
			ErrInvalid, maxAlertEmailLen, maxAlertURLLen)
	}
	if a.Email != "" {
		if addr, err := mail.ParseAddress(a.Email); err != nil || addr.Address != a.Email {
			return fmt.Errorf("%w: alert email %q is not a plain address", ErrInvalid, a.Email)
		}
	}
	a.UpdatedAt = s.now().UTC().Truncate(time.Microsecond)
	a.Fired, a.FiredAt = false, time.Time{}
	err := s.billingTx(ctx, func(tx *sqlx.Tx) error {
		if err := s.lockBillingAccount(ctx, tx, a.AccountID, nil); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, qUpdateAlert, a.Threshold, a.Email, a.WebhookURL, s.timeArg(a.UpdatedAt), a.AccountID)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n > 0 {
			return err
		}
		_, err = tx.ExecContext(ctx, qInsertAlert, a.AccountID, a.Threshold, a.Email, a.WebhookURL, s.timeArg(a.UpdatedAt))
		return err
	})
	if err != nil {
		return fmt.Errorf("store: set balance alert of account %d: %w", a.AccountID, err)
	}
	return nil
}

// GetBalanceAlert returns the alert settings of account accountID, or
// [ErrNotFound] when none were set.
func (s *Store) GetBalanceAlert(ctx context.Context, accountID int64) (*BalanceAlert, error) {
	var r alertRow
	if err := s.w.GetContext(ctx, &r, qGetAlert, accountID); err != nil {
		return nil, fmt.Errorf("store: get balance alert of account %d: %w", accountID, mapErr(err))
	}
	a := r.alert()
	return &a, nil
}

// AlertCandidates returns up to limit (1 to 1000) accounts with an alert
// switched on and a billing account, with ids above afterID, in id order,
// each with its available balance, in one query.
func (s *Store) AlertCandidates(ctx context.Context, afterID int64, limit int) ([]AlertCandidate, error) {
	if limit < 1 || limit > 1000 {
		return nil, fmt.Errorf("%w: alert candidates limit %d", ErrInvalid, limit)
	}
	var rows []struct {
		alertRow
		Currency  string `db:"currency"`
		Available int64  `db:"available"`
	}
	if err := s.w.SelectContext(ctx, &rows, qAlertAccounts, afterID, limit); err != nil {
		return nil, fmt.Errorf("store: alert candidates: %w", mapErr(err))
	}
	out := make([]AlertCandidate, len(rows))
	for i := range rows {
		out[i] = AlertCandidate{BalanceAlert: rows[i].alert(), Currency: rows[i].Currency, Available: rows[i].Available}
	}
	return out, nil
}

// FireBalanceAlert marks account accountID's alert fired at at, if it was
// armed and the available balance is below its threshold now, in one
// compare-and-set UPDATE. It reports whether this call fired it: of
// several instances (or sweeps) racing, exactly one gets true.
func (s *Store) FireBalanceAlert(ctx context.Context, accountID int64, at time.Time) (bool, error) {
	res, err := s.w.ExecContext(ctx, qFireAlert, s.timeArg(at), accountID)
	if err != nil {
		return false, fmt.Errorf("store: fire balance alert of account %d: %w", accountID, mapErr(err))
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("store: fire balance alert of account %d: %w", accountID, mapErr(err))
	}
	return n == 1, nil
}

// RearmBalanceAlert clears account accountID's fired alert when the
// available balance is back at or above its threshold, and reports
// whether it did. Top-ups ([Store.PostBalance]) and refunds
// ([Store.RefundMessage]) re-arm in their own transaction.
func (s *Store) RearmBalanceAlert(ctx context.Context, accountID int64) (bool, error) {
	n, err := s.rearm(ctx, s.w, accountID)
	if err != nil {
		return false, fmt.Errorf("store: re-arm balance alert of account %d: %w", accountID, err)
	}
	return n, nil
}

// rearm runs the re-arm UPDATE on db (the store's handle or a
// transaction) and reports whether it re-armed the alert.
func (s *Store) rearm(ctx context.Context, db sqlx.ExecerContext, accountID int64) (bool, error) {
	res, err := db.ExecContext(ctx, qRearmAlert, accountID)
	if err != nil {
		return false, mapErr(err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, mapErr(err)
	}
	return n == 1, nil
}
