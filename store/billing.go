package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/gallant-sms/gallant/sms"
	"github.com/jmoiron/sqlx"
)

// Billing tables. Money is int64 micro-units of the account's or plan's
// currency. The invariants, kept by the methods below and by package
// billing (which writes charges and refunds through the [Writer]):
//
//   - billing_accounts.held is the sum of the ledger's hold column and of
//     billing_leases.amount for the account;
//   - billing_accounts.balance plus the charges and refunds drawn from the
//     leases still open is the sum of the ledger's amount column; with no
//     lease open (every instance settled), balance is exactly that sum;
//   - a lease only takes credit that is available, balance - held -
//     credit_limit, in a transaction that locks the account's row, so
//     leases never add up to more than the account may spend.

// LedgerKind says what a ledger row records.
type LedgerKind string

// The ledger kinds. TopUp and Adjustment change the balance at once;
// Charge and Refund are drawn from a lease and reach the balance when the
// lease is settled; Lease and Release move credit in and out of held and
// carry no money.
const (
	LedgerTopUp      LedgerKind = "topup"
	LedgerAdjustment LedgerKind = "adjustment"
	LedgerCharge     LedgerKind = "charge"
	LedgerRefund     LedgerKind = "refund"
	LedgerLease      LedgerKind = "lease"
	LedgerRelease    LedgerKind = "release"
)

// LedgerTableName is the name of the ledger table. Package billing writes
// charges and refunds to it through the [Writer] with a [Table] of the
// columns account_id, kind, amount, hold, lease_id, message_id (BIGINT
// UNSIGNED), reason (at most 255 bytes), created_at and seq; the id column
// is assigned by the database. (lease_id, seq) is unique: number each
// lease's rows from 1, so that a batch the Writer retries after a commit
// of unknown outcome fails with [ErrDuplicate] instead of charging twice.
const LedgerTableName = "billing_ledger"

// maxReasonLen is the width of billing_ledger.reason.
const maxReasonLen = 255

// LedgerEntry is one row of the append-only ledger.
type LedgerEntry struct {
	ID        int64
	AccountID int64
	Kind      LedgerKind
	// Amount is the signed change of money in micros: positive credits
	// the account.
	Amount int64
	// Hold is the signed change of the credit held by leases.
	Hold      int64
	LeaseID   int64  // the lease a charge or refund was drawn from; 0 for none
	MessageID sms.ID // 0 for none
	Reason    string
	CreatedAt time.Time
}

// BillingAccount is the prepaid balance of an account.
type BillingAccount struct {
	AccountID int64
	// ResellerID is the reseller whose sub-account this is; 0 for none.
	ResellerID int64
	// Currency is the ISO 4217 code of every amount of the account.
	Currency string
	// Balance is the settled money, in micros.
	Balance int64
	// Held is the credit leased to gateway instances.
	Held int64
	// CreditLimit is the lowest Balance may reach: 0 by default, negative
	// to allow credit.
	CreditLimit int64
	UpdatedAt   time.Time
}

// Available returns the credit that may still be leased.
func (a *BillingAccount) Available() int64 { return a.Balance - a.Held - a.CreditLimit }

// qSpendable is what account ? may still spend: its settled balance above
// the credit limit, less what messages have already used of the credit
// leased to instances (the charges and refunds recorded on open leases;
// credit leased and not used is still the customer's).
const qSpendable = "SELECT b.balance - b.credit_limit + COALESCE((SELECT SUM(l.amount) FROM billing_leases s" +
	" JOIN billing_ledger l ON l.lease_id = s.id WHERE s.account_id = b.account_id AND l.kind IN ('charge', 'refund')), 0)" +
	" FROM billing_accounts b WHERE b.account_id = ?"

// Spendable returns what account accountID may still spend, counting the
// credit instances have leased but not used (see [BillingAccount.Available]
// for what may still be leased). Charges still in a [Writer]'s queue are
// not counted yet. An unknown account is [ErrNotFound].
func (s *Store) Spendable(ctx context.Context, accountID int64) (int64, error) {
	var v int64
	if err := s.r.GetContext(ctx, &v, qSpendable, accountID); err != nil {
		return 0, fmt.Errorf("store: spendable balance of account %d: %w", accountID, mapErr(err))
	}
	return v, nil
}

// PricePlan is a price list in one currency.
type PricePlan struct {
	ID int64
	// OwnerAccountID is 0 for a platform plan, otherwise the reseller
	// whose sub-accounts may use it.
	OwnerAccountID int64
	Name           string
	Currency       string
	// Default marks the owner's plan for accounts without one of their own.
	Default bool
	// ValidFrom and ValidTo bound when the plan is in force: from
	// ValidFrom (inclusive) to ValidTo (exclusive; zero for no end).
	ValidFrom, ValidTo time.Time
	// RefundUndelivered refunds the charge of a message priced by this
	// plan whose final status is not delivered (undelivered, expired,
	// rejected or failed after a carrier took it).
	RefundUndelivered bool
	Prices            []PlanPrice
	CreatedAt         time.Time
}

// PlanPrice is the price per segment of destinations starting with Prefix.
type PlanPrice struct {
	Prefix      string // E.164 digits without '+', 1 to 15 of them
	PriceMicros int64
}

// PlanAssignment gives account AccountID plan PlanID.
type PlanAssignment struct {
	AccountID int64 `db:"account_id"`
	PlanID    int64 `db:"plan_id"`
}

// BuyRate is what carrier Carrier charges per segment for Prefix.
type BuyRate struct {
	Carrier            string
	Prefix             string
	PriceMicros        int64
	Currency           string
	ValidFrom, ValidTo time.Time
}

// Pricing is everything needed to price messages, as loaded by
// [Store.LoadPricing].
type Pricing struct {
	Plans       []PricePlan
	Assignments []PlanAssignment
	// Resellers maps a sub-account to its reseller.
	Resellers map[int64]int64
	BuyRates  []BuyRate
}

const (
	billingAccountColumns = "account_id, reseller_id, currency, balance, held, credit_limit, updated_at"
	qCreateBillingAccount = "INSERT INTO billing_accounts (account_id, reseller_id, currency, balance, held, credit_limit, updated_at) " +
		"VALUES (?, ?, ?, 0, 0, ?, ?)"
	qGetBillingAccount = "SELECT " + billingAccountColumns + " FROM billing_accounts WHERE account_id = ?"
	qSetCreditLimit    = "UPDATE billing_accounts SET credit_limit = ?, updated_at = ? WHERE account_id = ?"
	qAddBalance        = "UPDATE billing_accounts SET balance = balance + ?, updated_at = ? WHERE account_id = ?"
	qAddHeld           = "UPDATE billing_accounts SET held = held + ?, updated_at = ? WHERE account_id = ?"
	qSettle            = "UPDATE billing_accounts SET balance = balance + ?, held = held - ?, updated_at = ? WHERE account_id = ?"
	qInsertLedger      = "INSERT INTO billing_ledger (account_id, kind, amount, hold, lease_id, message_id, reason, created_at) " +
		"VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
	ledgerColumns = "id, account_id, kind, amount, hold, lease_id, message_id, reason, created_at"
	qListLedger   = "SELECT " + ledgerColumns + " FROM billing_ledger WHERE account_id = ? AND id > ? ORDER BY id LIMIT ?"
	qLedgerTotals = "SELECT COALESCE(SUM(amount), 0) AS amount, COALESCE(SUM(hold), 0) AS hold FROM billing_ledger WHERE account_id = ?"
	qLeaseSpent   = "SELECT COALESCE(SUM(amount), 0) FROM billing_ledger WHERE lease_id = ? AND kind IN ('charge', 'refund')"
	qFindLease    = "SELECT id, amount FROM billing_leases WHERE account_id = ? AND holder = ?"
	qGetLease     = "SELECT account_id, amount FROM billing_leases WHERE id = ?"
	qGrowLease    = "UPDATE billing_leases SET amount = amount + ? WHERE id = ?"
	qInsertLease  = "INSERT INTO billing_leases (account_id, holder, amount, created_at) VALUES (?, ?, ?, ?)"
	qDeleteLease  = "DELETE FROM billing_leases WHERE id = ?"
	qInsertPlan   = "INSERT INTO billing_plans (owner_account_id, name, currency, is_default, valid_from, valid_to, created_at, refund_undelivered) " +
		"VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
	qInsertPlanPrice = "INSERT INTO billing_plan_prices (plan_id, prefix, price_micros) VALUES (?, ?, ?)"
	qAssignPlan      = "INSERT INTO billing_account_plans (account_id, plan_id) VALUES (?, ?)"
	qInsertBuyRate   = "INSERT INTO billing_buy_rates (carrier, prefix, price_micros, currency, valid_from, valid_to) VALUES (?, ?, ?, ?, ?, ?)"
	qLoadPlans       = "SELECT id, owner_account_id, name, currency, is_default, valid_from, valid_to, created_at, refund_undelivered FROM billing_plans ORDER BY id"
	// The refund guards read the unique refund index of 0006: partial on
	// SQLite (the query repeats its condition), a generated column on
	// MySQL.
	qRefundGuardSQLite = "SELECT COUNT(*) FROM billing_ledger WHERE kind = 'refund' AND message_id <> 0 AND message_id = ?"
	qRefundGuardMySQL  = "SELECT COUNT(*) FROM billing_ledger WHERE refund_of = ?"
	// qChargedFor is what a message was charged (charge rows are negative).
	qChargedFor      = "SELECT COALESCE(-SUM(amount), 0) FROM billing_ledger WHERE account_id = ? AND message_id = ? AND kind = 'charge'"
	qLoadPlanPrices  = "SELECT plan_id, prefix, price_micros FROM billing_plan_prices ORDER BY plan_id, prefix"
	qLoadAssignments = "SELECT account_id, plan_id FROM billing_account_plans ORDER BY account_id, plan_id"
	qLoadResellers   = "SELECT account_id, reseller_id FROM billing_accounts WHERE reseller_id <> 0"
	qLoadBuyRates    = "SELECT carrier, prefix, price_micros, currency, valid_from, valid_to FROM billing_buy_rates ORDER BY carrier, prefix, valid_from"
)

type billingAccountRow struct {
	AccountID   int64  `db:"account_id"`
	ResellerID  int64  `db:"reseller_id"`
	Currency    string `db:"currency"`
	Balance     int64  `db:"balance"`
	Held        int64  `db:"held"`
	CreditLimit int64  `db:"credit_limit"`
	UpdatedAt   dbTime `db:"updated_at"`
}

type ledgerRowScan struct {
	ID        int64  `db:"id"`
	AccountID int64  `db:"account_id"`
	Kind      string `db:"kind"`
	Amount    int64  `db:"amount"`
	Hold      int64  `db:"hold"`
	LeaseID   int64  `db:"lease_id"`
	MessageID dbID   `db:"message_id"`
	Reason    string `db:"reason"`
	CreatedAt dbTime `db:"created_at"`
}

// validCurrency reports whether c looks like an ISO 4217 code.
func validCurrency(c string) bool {
	if len(c) != 3 {
		return false
	}
	for i := range 3 {
		if c[i] < 'A' || c[i] > 'Z' {
			return false
		}
	}
	return true
}

// ValidPrefix reports whether p is a destination prefix a plan or buy
// rate can price: 1 to 15 E.164 digits.
func ValidPrefix(p string) bool {
	if p == "" || len(p) > 15 {
		return false
	}
	for i := range len(p) {
		if p[i] < '0' || p[i] > '9' {
			return false
		}
	}
	return true
}

// CreateBillingAccount opens the prepaid balance of a.AccountID at zero
// (money arrives with [Store.PostBalance]); a.Balance and a.Held are
// ignored and stored as 0. An account that already has one gives
// [ErrDuplicate].
func (s *Store) CreateBillingAccount(ctx context.Context, a *BillingAccount) error {
	return s.createBillingAccount(ctx, s.w, a)
}

func (s *Store) createBillingAccount(ctx context.Context, ex execer, a *BillingAccount) error {
	if a.AccountID <= 0 || !validCurrency(a.Currency) {
		return fmt.Errorf("%w: billing account needs an account id and an ISO 4217 currency", ErrInvalid)
	}
	a.Balance, a.Held = 0, 0
	a.UpdatedAt = s.now().UTC().Truncate(time.Microsecond)
	if _, err := ex.ExecContext(ctx, qCreateBillingAccount, a.AccountID, a.ResellerID, a.Currency,
		a.CreditLimit, s.timeArg(a.UpdatedAt)); err != nil {
		return fmt.Errorf("store: create billing account %d: %w", a.AccountID, mapErr(err))
	}
	return nil
}

// GetBillingAccount returns the balance of account id, or [ErrNotFound].
func (s *Store) GetBillingAccount(ctx context.Context, id int64) (*BillingAccount, error) {
	var r billingAccountRow
	if err := s.w.GetContext(ctx, &r, qGetBillingAccount, id); err != nil {
		return nil, fmt.Errorf("store: get billing account %d: %w", id, mapErr(err))
	}
	return r.account(), nil
}

func (r *billingAccountRow) account() *BillingAccount {
	return &BillingAccount{AccountID: r.AccountID, ResellerID: r.ResellerID, Currency: r.Currency, Balance: r.Balance,
		Held: r.Held, CreditLimit: r.CreditLimit, UpdatedAt: r.UpdatedAt.Time}
}

// SetCreditLimit sets the lowest balance account id may reach (0 by
// default; negative allows credit). It takes effect at instances' next
// lease.
func (s *Store) SetCreditLimit(ctx context.Context, id, limit int64) error {
	return s.updateOne(ctx, "set credit limit", qSetCreditLimit, limit, s.timeArg(s.now()), id)
}

// PostBalance records e, a top-up or an adjustment, and adds e.Amount to
// the account's balance in the same transaction, so the money is available
// to the next lease. It sets e.ID and a zero e.CreatedAt to now. Unknown
// accounts give [ErrNotFound].
func (s *Store) PostBalance(ctx context.Context, e *LedgerEntry) error {
	if e.Kind != LedgerTopUp && e.Kind != LedgerAdjustment {
		return fmt.Errorf("%w: ledger kind %q cannot be posted to the balance", ErrInvalid, e.Kind)
	}
	if e.Amount == 0 || len(e.Reason) > maxReasonLen {
		return fmt.Errorf("%w: posting needs a non-zero amount and a reason of at most %d bytes", ErrInvalid, maxReasonLen)
	}
	if e.CreatedAt.IsZero() {
		e.CreatedAt = s.now().UTC().Truncate(time.Microsecond)
	}
	e.Hold, e.LeaseID = 0, 0
	err := s.billingTx(ctx, func(tx *sqlx.Tx) error {
		if err := s.lockBillingAccount(ctx, tx, e.AccountID, nil); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, qAddBalance, e.Amount, s.timeArg(e.CreatedAt), e.AccountID); err != nil {
			return err
		}
		id, err := s.insertLedger(ctx, tx, e)
		e.ID = id
		if err != nil {
			return err
		}
		_, err = s.rearm(ctx, tx, e.AccountID)
		return err
	})
	if err != nil {
		return fmt.Errorf("store: post %s to account %d: %w", e.Kind, e.AccountID, err)
	}
	return nil
}

// RefundMessage gives back amount (micros, positive) charged to account
// accountID for message messageID: a ledger row of kind [LedgerRefund]
// naming the message, added to the balance at once (it is drawn from no
// lease), in one transaction that also re-arms a fired low-balance alert
// the refund lifts above its threshold. A message is refunded at most
// once, whoever asks and however often (a unique index on the refund
// rows' message id guards it): a second call reports false and changes
// nothing. Only money actually charged comes back: the refund is at most
// the sum of the message's charge rows, and a message with no charge row
// yet (its charge may still be in the batched writer's queue) gives
// [ErrNotCharged], for the caller to try again later. An unknown billing
// account is [ErrNotFound].
func (s *Store) RefundMessage(ctx context.Context, accountID int64, messageID sms.ID, amount int64, reason string) (bool, error) {
	if amount <= 0 || messageID == 0 {
		return false, fmt.Errorf("%w: a refund needs a message and a positive amount", ErrInvalid)
	}
	e := &LedgerEntry{AccountID: accountID, Kind: LedgerRefund, Amount: amount, MessageID: messageID, Reason: reason,
		CreatedAt: s.now().UTC().Truncate(time.Microsecond)}
	repeat := false
	err := s.billingTx(ctx, func(tx *sqlx.Tx) error {
		if err := s.lockBillingAccount(ctx, tx, accountID, nil); err != nil {
			return err
		}
		// The account's row lock orders refunds of its messages, so this
		// check answers a repeat without a failed statement; the unique
		// index still stops rows written by other paths.
		guard := qRefundGuardSQLite
		if s.d == dialectMySQL {
			guard = qRefundGuardMySQL
		}
		var n int
		if err := tx.GetContext(ctx, &n, guard, s.idArg(messageID)); err != nil {
			return err
		}
		if n > 0 {
			repeat = true
			return nil // nothing written
		}
		var charged int64
		if err := tx.GetContext(ctx, &charged, qChargedFor, accountID, s.idArg(messageID)); err != nil {
			return err
		}
		if charged <= 0 {
			return ErrNotCharged
		}
		e.Amount = min(e.Amount, charged)
		amount = e.Amount
		if _, err := s.insertLedger(ctx, tx, e); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, qAddBalance, amount, s.timeArg(e.CreatedAt), accountID); err != nil {
			return err
		}
		_, err := s.rearm(ctx, tx, accountID)
		return err
	})
	if errors.Is(err, ErrDuplicate) || (err == nil && repeat) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("store: refund message %d of account %d: %w", messageID, accountID, err)
	}
	return true, nil
}

// LeaseCredit moves min(want, available) of account accountID's credit
// into the lease of holder (created on first use, grown after), in one
// short transaction that locks the account's row (SELECT ... FOR UPDATE on
// MySQL, BEGIN IMMEDIATE on SQLite), and records it as a ledger row of
// kind [LedgerLease]. It returns the lease's id and the amount taken,
// which is 0 (and leaseID too, when holder had no lease) if nothing is
// available.
func (s *Store) LeaseCredit(ctx context.Context, accountID int64, holder string, want int64) (leaseID, got int64, err error) {
	if want <= 0 || holder == "" || len(holder) > 64 {
		return 0, 0, fmt.Errorf("%w: lease needs a positive amount and a holder of 1 to 64 bytes", ErrInvalid)
	}
	now := s.now().UTC().Truncate(time.Microsecond)
	err = s.billingTx(ctx, func(tx *sqlx.Tx) error {
		var a billingAccountRow
		if err := s.lockBillingAccount(ctx, tx, accountID, &a); err != nil {
			return err
		}
		got = min(want, a.Balance-a.Held-a.CreditLimit)
		var lease struct {
			ID     int64 `db:"id"`
			Amount int64 `db:"amount"`
		}
		err := tx.GetContext(ctx, &lease, qFindLease, accountID, holder)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		leaseID = lease.ID
		if got <= 0 {
			got = 0
			return nil
		}
		if leaseID == 0 {
			res, err := tx.ExecContext(ctx, qInsertLease, accountID, holder, got, s.timeArg(now))
			if err != nil {
				return err
			}
			if leaseID, err = res.LastInsertId(); err != nil {
				return err
			}
		} else if _, err := tx.ExecContext(ctx, qGrowLease, got, leaseID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, qAddHeld, got, s.timeArg(now), accountID); err != nil {
			return err
		}
		_, err = s.insertLedger(ctx, tx, &LedgerEntry{AccountID: accountID, Kind: LedgerLease, Hold: got,
			LeaseID: leaseID, Reason: "lease to " + holder, CreatedAt: now})
		return err
	})
	if err != nil {
		return 0, 0, fmt.Errorf("store: lease credit of account %d: %w", accountID, err)
	}
	return leaseID, got, nil
}

// SettleLease closes lease leaseID: the charges and refunds drawn from it
// (its ledger rows, so write and flush them first) reach the balance, the
// credit it held is released, and a ledger row of kind [LedgerRelease]
// records it, all in one transaction. It returns the lease's amount and
// the net money spent from it (charges minus refunds, positive when money
// was spent). An unknown or already settled lease is [ErrNotFound].
func (s *Store) SettleLease(ctx context.Context, leaseID int64) (amount, spent int64, err error) {
	now := s.now().UTC().Truncate(time.Microsecond)
	err = s.billingTx(ctx, func(tx *sqlx.Tx) error {
		var lease struct {
			AccountID int64 `db:"account_id"`
			Amount    int64 `db:"amount"`
		}
		if err := tx.GetContext(ctx, &lease, qGetLease, leaseID); err != nil {
			return err
		}
		if err := s.lockBillingAccount(ctx, tx, lease.AccountID, nil); err != nil {
			return err
		}
		// Lock first, then read the lease again: another settle may have
		// won the race for the row.
		if err := tx.GetContext(ctx, &lease, qGetLease, leaseID); err != nil {
			return err
		}
		var sum int64
		if err := tx.GetContext(ctx, &sum, qLeaseSpent, leaseID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, qSettle, sum, lease.Amount, s.timeArg(now), lease.AccountID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, qDeleteLease, leaseID); err != nil {
			return err
		}
		amount, spent = lease.Amount, -sum
		_, err := s.insertLedger(ctx, tx, &LedgerEntry{AccountID: lease.AccountID, Kind: LedgerRelease,
			Hold: -lease.Amount, LeaseID: leaseID, Reason: "settle lease", CreatedAt: now})
		return err
	})
	if err != nil {
		return 0, 0, fmt.Errorf("store: settle lease %d: %w", leaseID, err)
	}
	return amount, spent, nil
}

// LedgerTotals returns the sums of the amount and hold columns of account
// accountID's ledger.
func (s *Store) LedgerTotals(ctx context.Context, accountID int64) (amount, hold int64, err error) {
	var t struct {
		Amount int64 `db:"amount"`
		Hold   int64 `db:"hold"`
	}
	if err := s.w.GetContext(ctx, &t, qLedgerTotals, accountID); err != nil {
		return 0, 0, fmt.Errorf("store: ledger totals of account %d: %w", accountID, mapErr(err))
	}
	return t.Amount, t.Hold, nil
}

// ListLedger returns up to limit (1 to 1000) of account accountID's
// ledger rows with ids above afterID, oldest first.
func (s *Store) ListLedger(ctx context.Context, accountID, afterID int64, limit int) ([]LedgerEntry, error) {
	if limit < 1 || limit > 1000 {
		return nil, fmt.Errorf("%w: ledger limit %d", ErrInvalid, limit)
	}
	var rows []ledgerRowScan
	if err := s.r.SelectContext(ctx, &rows, qListLedger, accountID, afterID, limit); err != nil {
		return nil, fmt.Errorf("store: list ledger of account %d: %w", accountID, mapErr(err))
	}
	out := make([]LedgerEntry, len(rows))
	for i, r := range rows {
		out[i] = LedgerEntry{ID: r.ID, AccountID: r.AccountID, Kind: LedgerKind(r.Kind), Amount: r.Amount, Hold: r.Hold,
			LeaseID: r.LeaseID, MessageID: sms.ID(r.MessageID), Reason: r.Reason, CreatedAt: r.CreatedAt.Time}
	}
	return out, nil
}

// CreatePricePlan stores p and its prices in one transaction and sets
// p.ID. A zero CreatedAt is stored as now.
func (s *Store) CreatePricePlan(ctx context.Context, p *PricePlan) error {
	if p.Name == "" || !validCurrency(p.Currency) || p.ValidFrom.IsZero() ||
		(!p.ValidTo.IsZero() && !p.ValidTo.After(p.ValidFrom)) {
		return fmt.Errorf("%w: price plan needs a name, an ISO 4217 currency and ValidFrom before ValidTo", ErrInvalid)
	}
	for _, pr := range p.Prices {
		if !ValidPrefix(pr.Prefix) || pr.PriceMicros < 0 {
			return fmt.Errorf("%w: price plan %q: prefix %q price %d", ErrInvalid, p.Name, pr.Prefix, pr.PriceMicros)
		}
	}
	if p.CreatedAt.IsZero() {
		p.CreatedAt = s.now().UTC().Truncate(time.Microsecond)
	}
	err := s.billingTx(ctx, func(tx *sqlx.Tx) error {
		res, err := tx.ExecContext(ctx, qInsertPlan, p.OwnerAccountID, p.Name, p.Currency, p.Default,
			s.timeArg(p.ValidFrom), s.timeArg(p.ValidTo), s.timeArg(p.CreatedAt), p.RefundUndelivered)
		if err != nil {
			return err
		}
		if p.ID, err = res.LastInsertId(); err != nil {
			return err
		}
		for _, pr := range p.Prices {
			if _, err := tx.ExecContext(ctx, qInsertPlanPrice, p.ID, pr.Prefix, pr.PriceMicros); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("store: create price plan %q: %w", p.Name, err)
	}
	return nil
}

// AssignPricePlan gives account accountID plan planID. An unknown plan is
// [ErrNotFound], an assignment already made [ErrDuplicate].
func (s *Store) AssignPricePlan(ctx context.Context, accountID, planID int64) error {
	if _, err := s.w.ExecContext(ctx, qAssignPlan, accountID, planID); err != nil {
		return fmt.Errorf("store: assign plan %d to account %d: %w", planID, accountID, mapErr(err))
	}
	return nil
}

// AddBuyRate stores a carrier's buy rate.
func (s *Store) AddBuyRate(ctx context.Context, r *BuyRate) error {
	if r.Carrier == "" || len(r.Carrier) > 64 || !ValidPrefix(r.Prefix) || r.PriceMicros < 0 ||
		!validCurrency(r.Currency) || r.ValidFrom.IsZero() {
		return fmt.Errorf("%w: buy rate needs a carrier, a prefix, a price, a currency and ValidFrom", ErrInvalid)
	}
	// The configuration version grows with it, so running instances
	// refresh the rates of least-cost routes within seconds.
	if err := s.configTx(ctx, func(tx *sqlx.Tx) error {
		if _, err := tx.ExecContext(ctx, qInsertBuyRate, r.Carrier, r.Prefix, r.PriceMicros, r.Currency,
			s.timeArg(r.ValidFrom), s.timeArg(r.ValidTo)); err != nil {
			return err
		}
		return bumpConfig(ctx, tx)
	}); err != nil {
		return fmt.Errorf("store: add buy rate %s/%s: %w", r.Carrier, r.Prefix, err)
	}
	return nil
}

// LoadPricing reads every plan, assignment, reseller link and buy rate.
func (s *Store) LoadPricing(ctx context.Context) (*Pricing, error) {
	var plans []struct {
		ID        int64  `db:"id"`
		Owner     int64  `db:"owner_account_id"`
		Name      string `db:"name"`
		Currency  string `db:"currency"`
		Default   bool   `db:"is_default"`
		ValidFrom dbTime `db:"valid_from"`
		ValidTo   dbTime `db:"valid_to"`
		CreatedAt dbTime `db:"created_at"`
		Refund    bool   `db:"refund_undelivered"`
	}
	var prices []struct {
		PlanID int64  `db:"plan_id"`
		Prefix string `db:"prefix"`
		Price  int64  `db:"price_micros"`
	}
	var resellers []struct {
		AccountID  int64 `db:"account_id"`
		ResellerID int64 `db:"reseller_id"`
	}
	var rates []struct {
		Carrier   string `db:"carrier"`
		Prefix    string `db:"prefix"`
		Price     int64  `db:"price_micros"`
		Currency  string `db:"currency"`
		ValidFrom dbTime `db:"valid_from"`
		ValidTo   dbTime `db:"valid_to"`
	}
	out := &Pricing{Resellers: map[int64]int64{}}
	for _, q := range []struct {
		dst   any
		query string
	}{{&plans, qLoadPlans}, {&prices, qLoadPlanPrices}, {&out.Assignments, qLoadAssignments},
		{&resellers, qLoadResellers}, {&rates, qLoadBuyRates}} {
		if err := s.r.SelectContext(ctx, q.dst, q.query); err != nil {
			return nil, fmt.Errorf("store: load pricing: %w", mapErr(err))
		}
	}
	index := make(map[int64]int, len(plans))
	for _, p := range plans {
		index[p.ID] = len(out.Plans)
		out.Plans = append(out.Plans, PricePlan{ID: p.ID, OwnerAccountID: p.Owner, Name: p.Name, Currency: p.Currency,
			Default: p.Default, ValidFrom: p.ValidFrom.Time, ValidTo: p.ValidTo.Time, CreatedAt: p.CreatedAt.Time,
			RefundUndelivered: p.Refund})
	}
	for _, pr := range prices {
		if i, ok := index[pr.PlanID]; ok {
			out.Plans[i].Prices = append(out.Plans[i].Prices, PlanPrice{Prefix: pr.Prefix, PriceMicros: pr.Price})
		}
	}
	for _, r := range resellers {
		out.Resellers[r.AccountID] = r.ResellerID
	}
	for _, r := range rates {
		out.BuyRates = append(out.BuyRates, BuyRate{Carrier: r.Carrier, Prefix: r.Prefix, PriceMicros: r.Price,
			Currency: r.Currency, ValidFrom: r.ValidFrom.Time, ValidTo: r.ValidTo.Time})
	}
	return out, nil
}

// billingTx runs f in a write transaction (BEGIN IMMEDIATE on SQLite, see
// openSQLite) and commits it when f returns nil. f returns driver errors
// as they are: billingTx maps them, once.
func (s *Store) billingTx(ctx context.Context, f func(tx *sqlx.Tx) error) error {
	tx, err := s.w.BeginTxx(ctx, nil)
	if err != nil {
		return mapErr(err)
	}
	if err := f(tx); err != nil {
		_ = tx.Rollback()
		return mapErr(err)
	}
	return mapErr(tx.Commit())
}

// lockBillingAccount reads account id's balance row inside tx, locking it
// on MySQL (SQLite's write transaction already holds the database lock),
// into dst when dst is not nil. A missing row is ErrNotFound.
func (s *Store) lockBillingAccount(ctx context.Context, tx *sqlx.Tx, id int64, dst *billingAccountRow) error {
	q := qGetBillingAccount
	if s.d == dialectMySQL {
		q += " FOR UPDATE"
	}
	var r billingAccountRow
	if err := tx.GetContext(ctx, &r, q, id); err != nil {
		return err
	}
	if dst != nil {
		*dst = r
	}
	return nil
}

// insertLedger inserts e inside tx and returns its id.
func (s *Store) insertLedger(ctx context.Context, tx *sqlx.Tx, e *LedgerEntry) (int64, error) {
	reason := truncateUTF8(e.Reason, maxReasonLen)
	res, err := tx.ExecContext(ctx, qInsertLedger, e.AccountID, string(e.Kind), e.Amount, e.Hold, e.LeaseID,
		s.idArg(e.MessageID), reason, s.timeArg(e.CreatedAt))
	if err != nil {
		return 0, err
	}
	return res.LastInsertId()
}
