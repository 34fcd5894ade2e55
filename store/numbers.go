package store

import (
	"context"
	"fmt"
	"time"
)

// NumberKind is what a [Number] row gives its account.
type NumberKind uint8

// The kinds of inbound numbers.
const (
	NumberLong    NumberKind = 1 // one long number (E.164 digits)
	NumberShort   NumberKind = 2 // a whole short code
	NumberRange   NumberKind = 3 // every number starting with Number (a prefix)
	NumberKeyword NumberKind = 4 // one keyword on a shared short code
)

// String returns the kind's API name: long, short, range or keyword.
func (k NumberKind) String() string {
	switch k {
	case NumberLong:
		return "long"
	case NumberShort:
		return "short"
	case NumberRange:
		return "range"
	case NumberKeyword:
		return "keyword"
	}
	return "unknown"
}

// ParseNumberKind is the inverse of [NumberKind.String].
func ParseNumberKind(s string) (NumberKind, bool) {
	for k := NumberLong; k <= NumberKeyword; k++ {
		if k.String() == s {
			return k, true
		}
	}
	return 0, false
}

// Number is an inbound number of an account: where the MOs sent to it
// go. The store keeps what it is given; the gateway and the app check
// numbers, keywords and URLs before they are stored.
type Number struct {
	ID        int64 // set by the database
	AccountID int64
	Number    string // digits; for NumberRange the prefix
	Kind      NumberKind
	// Keyword is set for NumberKeyword only: the first word an MO must
	// start with, upper case without accents.
	Keyword string
	// Carrier, when set, limits the row to MOs from that carrier.
	Carrier string
	// WebhookURL, when set, receives the MOs as JSON; SMPP sends them to
	// the account's receiver binds. Both may be set.
	WebhookURL string
	SMPP       bool
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

const (
	numberColumns = "id, account_id, number, kind, keyword, carrier, webhook_url, smpp, created_at, updated_at"
	qInsertNumber = "INSERT INTO numbers (account_id, number, kind, keyword, carrier, webhook_url, smpp, created_at, updated_at) " +
		"VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
	qGetNumber      = "SELECT " + numberColumns + " FROM numbers WHERE account_id = ? AND id = ?"
	qNumberByID     = "SELECT " + numberColumns + " FROM numbers WHERE id = ?"
	qAccountNumbers = "SELECT " + numberColumns + " FROM numbers WHERE account_id = ? AND id > ? ORDER BY id LIMIT ?"
	qAllNumbers     = "SELECT " + numberColumns + " FROM numbers WHERE id > ? ORDER BY id LIMIT ?"
	qUpdateNumber   = "UPDATE numbers SET carrier = ?, webhook_url = ?, smpp = ?, updated_at = ? WHERE account_id = ? AND id = ?"
	qDeleteNumber   = "DELETE FROM numbers WHERE account_id = ? AND id = ?"
	qNumbersVersion = "SELECT COUNT(*), COALESCE(MAX(id), 0), COALESCE(MAX(updated_at), 0) FROM numbers"
)

type numberRow struct {
	ID         int64  `db:"id"`
	AccountID  int64  `db:"account_id"`
	Number     string `db:"number"`
	Kind       uint8  `db:"kind"`
	Keyword    string `db:"keyword"`
	Carrier    string `db:"carrier"`
	WebhookURL string `db:"webhook_url"`
	SMPP       bool   `db:"smpp"`
	CreatedAt  dbTime `db:"created_at"`
	UpdatedAt  dbTime `db:"updated_at"`
}

func (r *numberRow) number() Number {
	return Number{ID: r.ID, AccountID: r.AccountID, Number: r.Number, Kind: NumberKind(r.Kind), Keyword: r.Keyword,
		Carrier: r.Carrier, WebhookURL: r.WebhookURL, SMPP: r.SMPP, CreatedAt: r.CreatedAt.Time, UpdatedAt: r.UpdatedAt.Time}
}

// checkNumber refuses what the table cannot hold.
func checkNumber(n *Number) error {
	switch {
	case n.AccountID <= 0:
		return fmt.Errorf("%w: a number needs an account", ErrInvalid)
	case n.Number == "" || len(n.Number) > 32:
		return fmt.Errorf("%w: number %q: 1 to 32 characters", ErrInvalid, n.Number)
	case n.Kind < NumberLong || n.Kind > NumberKeyword:
		return fmt.Errorf("%w: number kind %d", ErrInvalid, n.Kind)
	case (n.Kind == NumberKeyword) != (n.Keyword != ""), len(n.Keyword) > 32:
		return fmt.Errorf("%w: a keyword (1 to 32 characters) is set on keyword numbers only", ErrInvalid)
	case len(n.Carrier) > 64, len(n.WebhookURL) > 2048:
		return fmt.Errorf("%w: number %q: carrier or webhook_url too long", ErrInvalid, n.Number)
	}
	return nil
}

// AddNumber stores n, setting its ID and times. The same number, kind
// and keyword held already (by any account) is [ErrDuplicate].
func (s *Store) AddNumber(ctx context.Context, n *Number) error {
	if err := checkNumber(n); err != nil {
		return err
	}
	now := s.now().UTC().Truncate(time.Microsecond)
	res, err := s.w.ExecContext(ctx, qInsertNumber, n.AccountID, n.Number, uint8(n.Kind), n.Keyword, n.Carrier,
		n.WebhookURL, n.SMPP, s.timeArg(now), s.timeArg(now))
	if err != nil {
		return fmt.Errorf("store: add number %s of account %d: %w", n.Number, n.AccountID, mapErr(err))
	}
	id, err := res.LastInsertId()
	if err != nil {
		return fmt.Errorf("store: add number %s: %w", n.Number, mapErr(err))
	}
	n.ID, n.CreatedAt, n.UpdatedAt = id, now, now
	return nil
}

// GetNumber returns the account's number row id; a row of another
// account, or none, is [ErrNotFound].
func (s *Store) GetNumber(ctx context.Context, accountID, id int64) (*Number, error) {
	var r numberRow
	if err := s.w.GetContext(ctx, &r, qGetNumber, accountID, id); err != nil {
		return nil, fmt.Errorf("store: get number %d of account %d: %w", id, accountID, mapErr(err))
	}
	n := r.number()
	return &n, nil
}

// NumberByID returns number row id whatever its account: for platform
// admins, who then act with the row's AccountID. None is [ErrNotFound].
func (s *Store) NumberByID(ctx context.Context, id int64) (*Number, error) {
	var r numberRow
	if err := s.w.GetContext(ctx, &r, qNumberByID, id); err != nil {
		return nil, fmt.Errorf("store: get number %d: %w", id, mapErr(err))
	}
	n := r.number()
	return &n, nil
}

// AccountNumbers returns up to limit (1 to 1,001: a page and one more,
// to know whether another follows) of the account's
// numbers with ids above after, in id order.
func (s *Store) AccountNumbers(ctx context.Context, accountID, after int64, limit int) ([]Number, error) {
	return s.numbers(ctx, qAccountNumbers, limit, accountID, after)
}

// AllNumbers returns up to limit (1 to 1,001) numbers of every account
// with ids above after, in id order: for platform admins and for the
// gateway's routing index.
func (s *Store) AllNumbers(ctx context.Context, after int64, limit int) ([]Number, error) {
	return s.numbers(ctx, qAllNumbers, limit, after)
}

func (s *Store) numbers(ctx context.Context, q string, limit int, args ...any) ([]Number, error) {
	if limit < 1 || limit > maxListLimit+1 {
		return nil, fmt.Errorf("%w: numbers limit %d not in 1..%d", ErrInvalid, limit, maxListLimit+1)
	}
	var rows []numberRow
	if err := s.w.SelectContext(ctx, &rows, q, append(args, limit)...); err != nil {
		return nil, fmt.Errorf("store: list numbers: %w", mapErr(err))
	}
	out := make([]Number, len(rows))
	for i := range rows {
		out[i] = rows[i].number()
	}
	return out, nil
}

// UpdateNumber stores n's Carrier, WebhookURL and SMPP on the account's
// row n.ID and reads the row back into n. A row of another account, or
// none, is [ErrNotFound].
func (s *Store) UpdateNumber(ctx context.Context, n *Number) error {
	if len(n.Carrier) > 64 || len(n.WebhookURL) > 2048 {
		return fmt.Errorf("%w: number %d: carrier or webhook_url too long", ErrInvalid, n.ID)
	}
	now := s.now().UTC().Truncate(time.Microsecond)
	res, err := s.w.ExecContext(ctx, qUpdateNumber, n.Carrier, n.WebhookURL, n.SMPP, s.timeArg(now), n.AccountID, n.ID)
	if err != nil {
		return fmt.Errorf("store: update number %d of account %d: %w", n.ID, n.AccountID, mapErr(err))
	}
	if c, err := res.RowsAffected(); err == nil && c == 0 {
		// MySQL counts changed rows: look for it before saying none.
		if _, err := s.GetNumber(ctx, n.AccountID, n.ID); err != nil {
			return err
		}
	}
	got, err := s.GetNumber(ctx, n.AccountID, n.ID)
	if err != nil {
		return err
	}
	*n = *got
	return nil
}

// DeleteNumber deletes the account's number row id; a row of another
// account, or none, is [ErrNotFound].
func (s *Store) DeleteNumber(ctx context.Context, accountID, id int64) error {
	res, err := s.w.ExecContext(ctx, qDeleteNumber, accountID, id)
	if err != nil {
		return fmt.Errorf("store: delete number %d of account %d: %w", id, accountID, mapErr(err))
	}
	if c, err := res.RowsAffected(); err == nil && c == 0 {
		return fmt.Errorf("store: delete number %d of account %d: %w", id, accountID, ErrNotFound)
	}
	return nil
}

// NumbersVersion returns a value that changes whenever a number is
// added, changed or deleted, for caches of the whole table to know when
// to reload.
func (s *Store) NumbersVersion(ctx context.Context) (string, error) {
	var n, maxID int64
	var up any
	if err := s.w.QueryRowxContext(ctx, qNumbersVersion).Scan(&n, &maxID, &up); err != nil {
		return "", fmt.Errorf("store: numbers version: %w", mapErr(err))
	}
	if b, ok := up.([]byte); ok {
		up = string(b)
	}
	return fmt.Sprintf("%d/%d/%v", n, maxID, up), nil
}
