package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
)

// Ledger kinds of a transfer of credit between two accounts (a reseller
// pre-funding a sub-account): one row on each side, written with the two
// balance changes in one transaction by [Store.TransferCredit].
const (
	LedgerTransferOut LedgerKind = "transfer_out"
	LedgerTransferIn  LedgerKind = "transfer_in"
)

// ErrInsufficientCredit means an account's settled available credit
// (balance − held − credit_limit) cannot cover a transfer.
var ErrInsufficientCredit = errors.New("store: insufficient credit")

// AccountSummary is an account as the management endpoints list it: the
// account, its parent in the reseller tree and its prepaid balance.
type AccountSummary struct {
	Account
	// ParentID is the account's reseller; 0 for a top-level account.
	ParentID int64
	// Billing is the account's prepaid balance; nil when it has none.
	Billing *BillingAccount
}

// maxAccountPage caps a page of [Store.ListAccounts].
const maxAccountPage = 1000

// accountSummaryRow is accountRow plus the joined parent and balance.
type accountSummaryRow struct {
	accountRow
	ParentID    int64          `db:"parent_id"`
	Currency    sql.NullString `db:"b_currency"`
	ResellerID  sql.NullInt64  `db:"b_reseller_id"`
	Balance     sql.NullInt64  `db:"b_balance"`
	Held        sql.NullInt64  `db:"b_held"`
	CreditLimit sql.NullInt64  `db:"b_credit_limit"`
	UpdatedAt   dbTime         `db:"b_updated_at"`
}

func (r *accountSummaryRow) summary() AccountSummary {
	s := AccountSummary{Account: *r.account(), ParentID: r.ParentID}
	if r.Currency.Valid {
		s.Billing = &BillingAccount{AccountID: r.ID, ResellerID: r.ResellerID.Int64, Currency: r.Currency.String,
			Balance: r.Balance.Int64, Held: r.Held.Int64, CreditLimit: r.CreditLimit.Int64, UpdatedAt: r.UpdatedAt.Time}
	}
	return s
}

// Queries of the account tree. qAccountTree walks down from one account
// (UNION, not UNION ALL, so that even a corrupt cycle ends).
const (
	qAccountSummaryColumns = "SELECT " + accountColumns + ", COALESCE(ap.parent_id, 0) AS parent_id, " +
		"b.currency AS b_currency, b.reseller_id AS b_reseller_id, b.balance AS b_balance, b.held AS b_held, " +
		"b.credit_limit AS b_credit_limit, b.updated_at AS b_updated_at FROM accounts a " +
		"LEFT JOIN account_parents ap ON ap.account_id = a.id LEFT JOIN billing_accounts b ON b.account_id = a.id "
	qAccountTree = "WITH RECURSIVE tree (id) AS (SELECT id FROM accounts WHERE id = ? " +
		"UNION SELECT p.account_id FROM account_parents p JOIN tree t ON p.parent_id = t.id) "
)

// ListAccounts returns up to limit (1 to 1000) accounts with ids above
// afterID, in id order, with their parents and balances. root 0 lists
// every account (for platform admins); otherwise only root and the
// accounts below it, at any depth (for a reseller: itself and its
// sub-accounts).
func (s *Store) ListAccounts(ctx context.Context, root, afterID int64, limit int) ([]AccountSummary, error) {
	if limit < 1 || limit > maxAccountPage {
		return nil, fmt.Errorf("%w: account page limit %d", ErrInvalid, limit)
	}
	var q string
	var args []any
	if root == 0 {
		q = qAccountSummaryColumns + "WHERE a.id > ? ORDER BY a.id LIMIT ?"
		args = []any{afterID, limit}
	} else {
		q = qAccountTree + qAccountSummaryColumns + "JOIN tree ON tree.id = a.id WHERE a.id > ? ORDER BY a.id LIMIT ?"
		args = []any{root, afterID, limit}
	}
	var rows []accountSummaryRow
	if err := s.r.SelectContext(ctx, &rows, q, args...); err != nil {
		return nil, fmt.Errorf("store: list accounts: %w", mapErr(err))
	}
	out := make([]AccountSummary, len(rows))
	for i := range rows {
		out[i] = rows[i].summary()
		if err := s.openAccount(&out[i].Account); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// GetAccountSummary returns account id with its parent and balance, or
// [ErrNotFound]. It reads from the primary, so it sees a change just made.
func (s *Store) GetAccountSummary(ctx context.Context, id int64) (AccountSummary, error) {
	var row accountSummaryRow
	if err := s.w.GetContext(ctx, &row, qAccountSummaryColumns+"WHERE a.id = ?", id); err != nil {
		return AccountSummary{}, fmt.Errorf("store: account summary %d: %w", id, mapErr(err))
	}
	sum := row.summary()
	if err := s.openAccount(&sum.Account); err != nil {
		return AccountSummary{}, err
	}
	return sum, nil
}

// AccountUpdate changes some settings of an account; nil fields stay.
type AccountUpdate struct {
	Name *string
	// TPSLimit is messages per second; 0 means no limit.
	TPSLimit   *int
	WebhookURL *string
	// WebhookSecret signs the account's status callbacks (1 to 255
	// bytes).
	WebhookSecret *string
}

// UpdateAccount applies u to account id. An unknown account is
// [ErrNotFound]; an empty name, a negative TPS limit or a URL longer than
// 2048 bytes [ErrInvalid].
func (s *Store) UpdateAccount(ctx context.Context, id int64, u AccountUpdate) error {
	var sets []string
	var args []any
	if u.Name != nil {
		if strings.TrimSpace(*u.Name) == "" || len(*u.Name) > 255 {
			return fmt.Errorf("%w: account name must have 1 to 255 bytes", ErrInvalid)
		}
		sets, args = append(sets, "name = ?"), append(args, *u.Name)
	}
	if u.TPSLimit != nil {
		if *u.TPSLimit < 0 {
			return fmt.Errorf("%w: tps limit %d", ErrInvalid, *u.TPSLimit)
		}
		sets, args = append(sets, "tps_limit = ?"), append(args, *u.TPSLimit)
	}
	if u.WebhookURL != nil {
		if len(*u.WebhookURL) > 2048 {
			return fmt.Errorf("%w: webhook url longer than 2048 bytes", ErrInvalid)
		}
		sets, args = append(sets, "webhook_url = ?"), append(args, *u.WebhookURL)
	}
	if u.WebhookSecret != nil {
		if *u.WebhookSecret == "" || len(*u.WebhookSecret) > 255 {
			return fmt.Errorf("%w: webhook secret must have 1 to 255 bytes", ErrInvalid)
		}
		sets, args = append(sets, "webhook_secret = ?"), append(args, s.sealText(*u.WebhookSecret))
	}
	if len(sets) == 0 {
		_, err := s.GetAccount(ctx, id)
		return err
	}
	args = append(args, id)
	res, err := s.w.ExecContext(ctx, "UPDATE accounts SET "+strings.Join(sets, ", ")+" WHERE id = ?", args...)
	if err != nil {
		return fmt.Errorf("store: update account %d: %w", id, mapErr(err))
	}
	if n, err := res.RowsAffected(); err == nil && n == 0 {
		// MySQL counts changed rows: an update to the same values is 0.
		if _, gerr := s.GetAccount(ctx, id); gerr != nil {
			return gerr
		}
	}
	return nil
}

// Transfer is what [Store.TransferCredit] wrote: the ledger rows of both
// sides and both balances right after.
type Transfer struct {
	Out, In  LedgerEntry
	From, To BillingAccount
}

// TransferCredit moves amount (micros, positive) from account from's
// balance to account to's, in one transaction that locks both balance
// rows in id order (so that concurrent transfers in both directions
// cannot deadlock) and writes a [LedgerTransferOut] row on from and a
// [LedgerTransferIn] row on to, so each balance stays the sum of its
// ledger. Only from's settled available credit, balance − held −
// credit_limit, may move: credit leased to gateway instances (held) is
// not transferable, so it cannot be spent twice. Too little is
// [ErrInsufficientCredit]; different currencies or from == to
// [ErrInvalid]; a missing balance [ErrNotFound].
func (s *Store) TransferCredit(ctx context.Context, from, to, amount int64, reason string) (*Transfer, error) {
	if amount <= 0 || from == to || from <= 0 || to <= 0 {
		return nil, fmt.Errorf("%w: transfer needs a positive amount between two accounts", ErrInvalid)
	}
	if len(reason) > maxReasonLen {
		return nil, fmt.Errorf("%w: transfer reason longer than %d bytes", ErrInvalid, maxReasonLen)
	}
	now := s.now().UTC().Truncate(time.Microsecond)
	tr := &Transfer{}
	var refused error // a domain refusal, kept apart from billingTx's driver-error mapping
	err := s.billingTx(ctx, func(tx *sqlx.Tx) error {
		var rf, rt billingAccountRow
		first, second := &rf, &rt
		firstID, secondID := from, to
		if to < from {
			first, second = &rt, &rf
			firstID, secondID = to, from
		}
		if err := s.lockBillingAccount(ctx, tx, firstID, first); err != nil {
			return err
		}
		if err := s.lockBillingAccount(ctx, tx, secondID, second); err != nil {
			return err
		}
		if rf.Currency != rt.Currency {
			refused = fmt.Errorf("%w: accounts %d and %d bill in %s and %s", ErrInvalid, from, to, rf.Currency, rt.Currency)
			return refused
		}
		if rf.Balance-rf.Held-rf.CreditLimit < amount {
			refused = ErrInsufficientCredit
			return refused
		}
		for _, side := range []struct {
			id     int64
			amount int64
			kind   LedgerKind
			e      *LedgerEntry
		}{{from, -amount, LedgerTransferOut, &tr.Out}, {to, amount, LedgerTransferIn, &tr.In}} {
			if _, err := tx.ExecContext(ctx, qAddBalance, side.amount, s.timeArg(now), side.id); err != nil {
				return err
			}
			*side.e = LedgerEntry{AccountID: side.id, Kind: side.kind, Amount: side.amount, Reason: reason, CreatedAt: now}
			id, err := s.insertLedger(ctx, tx, side.e)
			if err != nil {
				return err
			}
			side.e.ID = id
		}
		rf.Balance -= amount
		rt.Balance += amount
		rf.UpdatedAt, rt.UpdatedAt = dbTime{now}, dbTime{now}
		tr.From, tr.To = *rf.account(), *rt.account()
		return nil
	})
	if refused != nil {
		err = refused
	}
	if err != nil {
		return nil, fmt.Errorf("store: transfer %d from account %d to %d: %w", amount, from, to, err)
	}
	return tr, nil
}

// PricePlansByOwner returns the plans of owner (0: the platform's), in id
// order, with their prices.
func (s *Store) PricePlansByOwner(ctx context.Context, owner int64) ([]PricePlan, error) {
	return s.selectPlans(ctx, "WHERE p.owner_account_id = ?", owner)
}

// PricePlansOfAccount returns the plans assigned to account accountID, in
// id order, with their prices.
func (s *Store) PricePlansOfAccount(ctx context.Context, accountID int64) ([]PricePlan, error) {
	return s.selectPlans(ctx, "JOIN billing_account_plans ap ON ap.plan_id = p.id WHERE ap.account_id = ?", accountID)
}

// GetPricePlan returns plan id with its prices, or [ErrNotFound].
func (s *Store) GetPricePlan(ctx context.Context, id int64) (*PricePlan, error) {
	plans, err := s.selectPlans(ctx, "WHERE p.id = ?", id)
	if err != nil {
		return nil, err
	}
	if len(plans) == 0 {
		return nil, fmt.Errorf("store: price plan %d: %w", id, ErrNotFound)
	}
	return &plans[0], nil
}

// maxPlansListed bounds a plan listing; a platform has a handful.
const maxPlansListed = 1000

// selectPlans reads the plans matched by where (with one argument) and
// their prices.
func (s *Store) selectPlans(ctx context.Context, where string, arg int64) ([]PricePlan, error) {
	var plans []struct {
		ID        int64  `db:"id"`
		Owner     int64  `db:"owner_account_id"`
		Name      string `db:"name"`
		Currency  string `db:"currency"`
		Default   bool   `db:"is_default"`
		ValidFrom dbTime `db:"valid_from"`
		ValidTo   dbTime `db:"valid_to"`
		CreatedAt dbTime `db:"created_at"`
	}
	q := "SELECT p.id, p.owner_account_id, p.name, p.currency, p.is_default, p.valid_from, p.valid_to, p.created_at " +
		"FROM billing_plans p " + where + " ORDER BY p.id LIMIT " + fmt.Sprint(maxPlansListed)
	if err := s.w.SelectContext(ctx, &plans, q, arg); err != nil {
		return nil, fmt.Errorf("store: list price plans: %w", mapErr(err))
	}
	out := make([]PricePlan, len(plans))
	for i, p := range plans {
		out[i] = PricePlan{ID: p.ID, OwnerAccountID: p.Owner, Name: p.Name, Currency: p.Currency, Default: p.Default,
			ValidFrom: p.ValidFrom.Time, ValidTo: p.ValidTo.Time, CreatedAt: p.CreatedAt.Time}
		var prices []struct {
			Prefix string `db:"prefix"`
			Price  int64  `db:"price_micros"`
		}
		if err := s.w.SelectContext(ctx, &prices,
			"SELECT prefix, price_micros FROM billing_plan_prices WHERE plan_id = ? ORDER BY prefix", p.ID); err != nil {
			return nil, fmt.Errorf("store: prices of plan %d: %w", p.ID, mapErr(err))
		}
		out[i].Prices = make([]PlanPrice, len(prices))
		for j, pr := range prices {
			out[i].Prices[j] = PlanPrice{Prefix: pr.Prefix, PriceMicros: pr.Price}
		}
	}
	return out, nil
}

// SetAccountPlan makes plan planID the only plan assigned to account
// accountID, replacing its assignments in one transaction. An unknown
// plan is [ErrNotFound].
func (s *Store) SetAccountPlan(ctx context.Context, accountID, planID int64) error {
	var refused error
	err := s.billingTx(ctx, func(tx *sqlx.Tx) error {
		var n int
		if err := tx.GetContext(ctx, &n, "SELECT COUNT(*) FROM billing_plans WHERE id = ?", planID); err != nil {
			return err
		}
		if n == 0 {
			refused = ErrNotFound
			return refused
		}
		if _, err := tx.ExecContext(ctx, "DELETE FROM billing_account_plans WHERE account_id = ?", accountID); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, qAssignPlan, accountID, planID)
		return err
	})
	if refused != nil {
		err = refused
	}
	if err != nil {
		return fmt.Errorf("store: set plan %d of account %d: %w", planID, accountID, err)
	}
	return nil
}
