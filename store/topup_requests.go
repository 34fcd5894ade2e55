package store

import (
	"context"
	"fmt"
	"time"
)

// Statuses of a top-up request.
const (
	TopUpPending  = "pending"
	TopUpDone     = "topped_up"
	TopUpDeclined = "declined"
)

// TopUpRequest is a top-up an account asked of its reseller (or, for an
// account without one, of the platform's admins).
type TopUpRequest struct {
	ID          int64 // set by the database
	AccountID   int64
	AccountName string // read only: the account's name
	// ParentID is the account's reseller when it asked; 0 is the
	// platform.
	ParentID int64
	Amount   int64  // micro-units of Currency
	Currency string // the account's, when it asked
	Note     string // up to 255 bytes
	Status   string // TopUpPending, TopUpDone or TopUpDeclined
	// RequestedBy is the user who asked; 0 for an API key.
	RequestedBy int64
	CreatedAt   time.Time // zero: when written
	ResolvedBy  int64
	ResolvedAt  time.Time // zero while pending
}

// CreateTopUpRequest stores r as pending and sets its ID and CreatedAt.
func (s *Store) CreateTopUpRequest(ctx context.Context, r *TopUpRequest) error {
	if r.Amount <= 0 || len(r.Note) > 255 || len(r.Currency) != 3 {
		return fmt.Errorf("%w: top-up request amount %d, note of %d bytes, currency %q", ErrInvalid, r.Amount, len(r.Note), r.Currency)
	}
	if r.CreatedAt.IsZero() {
		r.CreatedAt = s.now().UTC().Truncate(time.Microsecond)
	}
	r.Status = TopUpPending
	res, err := s.w.ExecContext(ctx,
		"INSERT INTO topup_requests (account_id, parent_id, amount, currency, note, status, requested_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
		r.AccountID, r.ParentID, r.Amount, r.Currency, r.Note, r.Status, r.RequestedBy, s.timeArg(r.CreatedAt))
	if err != nil {
		return fmt.Errorf("store: create top-up request: %w", mapErr(err))
	}
	if r.ID, err = res.LastInsertId(); err != nil {
		return fmt.Errorf("store: create top-up request: %w", mapErr(err))
	}
	return nil
}

// TopUpRequestFilter selects requests for [Store.ListTopUpRequests]:
// those of AccountID, else those to ParentID, else (Every) all.
type TopUpRequestFilter struct {
	AccountID int64
	ParentID  int64
	Every     bool
	// Pending lists the pending requests; false lists the resolved ones.
	Pending bool
	// Before is the cursor: 0 for the newest, then the last id of the
	// previous page.
	Before int64
	// Limit is the page size, 1 to 1,000; zero means 100.
	Limit int
}

const topUpColumns = "t.id, t.account_id, a.name, t.parent_id, t.amount, t.currency, t.note, t.status, " +
	"t.requested_by, t.created_at, t.resolved_by, t.resolved_at"

type topUpRow struct {
	ID          int64  `db:"id"`
	AccountID   int64  `db:"account_id"`
	AccountName string `db:"name"`
	ParentID    int64  `db:"parent_id"`
	Amount      int64  `db:"amount"`
	Currency    string `db:"currency"`
	Note        string `db:"note"`
	Status      string `db:"status"`
	RequestedBy int64  `db:"requested_by"`
	CreatedAt   dbTime `db:"created_at"`
	ResolvedBy  int64  `db:"resolved_by"`
	ResolvedAt  dbTime `db:"resolved_at"`
}

func (r topUpRow) request() TopUpRequest {
	return TopUpRequest{ID: r.ID, AccountID: r.AccountID, AccountName: r.AccountName, ParentID: r.ParentID,
		Amount: r.Amount, Currency: r.Currency, Note: r.Note, Status: r.Status, RequestedBy: r.RequestedBy,
		CreatedAt: r.CreatedAt.Time, ResolvedBy: r.ResolvedBy, ResolvedAt: r.ResolvedAt.Time}
}

// ListTopUpRequests returns a page of the requests f selects, newest
// first, pending or resolved.
func (s *Store) ListTopUpRequests(ctx context.Context, f TopUpRequestFilter) ([]TopUpRequest, error) {
	limit := f.Limit
	switch {
	case limit == 0:
		limit = defaultListLimit
	case limit < 0 || limit > maxListLimit:
		return nil, fmt.Errorf("%w: list limit %d not in 1..%d", ErrInvalid, limit, maxListLimit)
	}
	q := "SELECT " + topUpColumns + " FROM topup_requests t JOIN accounts a ON a.id = t.account_id WHERE "
	var args []any
	switch {
	case f.AccountID != 0:
		q, args = q+"t.account_id = ? AND ", append(args, f.AccountID)
	case f.ParentID != 0:
		q, args = q+"t.parent_id = ? AND ", append(args, f.ParentID)
	case !f.Every:
		return nil, fmt.Errorf("%w: top-up requests of whom", ErrInvalid)
	}
	if f.Pending {
		q, args = q+"t.status = ?", append(args, TopUpPending)
	} else {
		q, args = q+"t.status IN (?, ?)", append(args, TopUpDone, TopUpDeclined)
	}
	if f.Before > 0 {
		q, args = q+" AND t.id < ?", append(args, f.Before)
	}
	q, args = q+" ORDER BY t.id DESC LIMIT ?", append(args, limit)
	var rows []topUpRow
	if err := s.r.SelectContext(ctx, &rows, q, args...); err != nil {
		return nil, fmt.Errorf("store: list top-up requests: %w", mapErr(err))
	}
	out := make([]TopUpRequest, len(rows))
	for i, r := range rows {
		out[i] = r.request()
	}
	return out, nil
}

// GetTopUpRequest returns request id, or [ErrNotFound].
func (s *Store) GetTopUpRequest(ctx context.Context, id int64) (TopUpRequest, error) {
	var rows []topUpRow
	err := s.r.SelectContext(ctx, &rows,
		"SELECT "+topUpColumns+" FROM topup_requests t JOIN accounts a ON a.id = t.account_id WHERE t.id = ?", id)
	if err != nil {
		return TopUpRequest{}, fmt.Errorf("store: get top-up request: %w", mapErr(err))
	}
	if len(rows) == 0 {
		return TopUpRequest{}, fmt.Errorf("store: top-up request %d: %w", id, ErrNotFound)
	}
	return rows[0].request(), nil
}

// ResolveTopUpRequests marks the pending requests of account accountID
// (only request id when id is not 0) as status, resolved by user by, and
// returns how many it marked.
func (s *Store) ResolveTopUpRequests(ctx context.Context, accountID, id int64, status string, by int64) (int64, error) {
	if status != TopUpDone && status != TopUpDeclined {
		return 0, fmt.Errorf("%w: top-up request status %q", ErrInvalid, status)
	}
	q := "UPDATE topup_requests SET status = ?, resolved_by = ?, resolved_at = ? WHERE account_id = ? AND status = ?"
	args := []any{status, by, s.timeArg(s.now().UTC().Truncate(time.Microsecond)), accountID, TopUpPending}
	if id != 0 {
		q, args = q+" AND id = ?", append(args, id)
	}
	res, err := s.w.ExecContext(ctx, q, args...)
	if err != nil {
		return 0, fmt.Errorf("store: resolve top-up requests: %w", mapErr(err))
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("store: resolve top-up requests: %w", mapErr(err))
	}
	return n, nil
}
