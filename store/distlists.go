package store

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// DistList is a distribution list of an account: a named set of
// destination numbers that a submit_multi names with a dl_name
// destination instead of listing the numbers (SMPP 3.4 §4.5.1). The
// store keeps what it is given; the limits on names and numbers belong to
// the gateway, which checks them before a list is stored.
type DistList struct {
	AccountID int64
	// Name is the dl_name, unique per account and case-sensitive.
	Name string
	// Numbers are the members, as E.164 digits, in the order given.
	Numbers []string
	// Count is len(Numbers); [Store.DistLists] fills it without Numbers.
	Count     int
	CreatedAt time.Time
	UpdatedAt time.Time
}

// maxDistListNameLen bounds a name as its column does (MySQL VARCHAR(64)).
const maxDistListNameLen = 64

const (
	distListColumns   = "account_id, name, numbers, number_count, created_at, updated_at"
	qInsertDistList   = "INSERT INTO distribution_lists (" + distListColumns + ") VALUES (?, ?, ?, ?, ?, ?)"
	qUpdateDistList   = "UPDATE distribution_lists SET numbers = ?, number_count = ?, updated_at = ? WHERE account_id = ? AND name = ?"
	qGetDistList      = "SELECT " + distListColumns + " FROM distribution_lists WHERE account_id = ? AND name = ?"
	qDeleteDistList   = "DELETE FROM distribution_lists WHERE account_id = ? AND name = ?"
	qListDistLists    = "SELECT account_id, name, '' AS numbers, number_count, created_at, updated_at FROM distribution_lists WHERE account_id = ? ORDER BY name LIMIT ?"
	qCountDistListsOf = "SELECT COUNT(*) FROM distribution_lists WHERE account_id = ?"
)

type distListRow struct {
	AccountID int64  `db:"account_id"`
	Name      string `db:"name"`
	Numbers   string `db:"numbers"`
	Count     int    `db:"number_count"`
	CreatedAt dbTime `db:"created_at"`
	UpdatedAt dbTime `db:"updated_at"`
}

func (r *distListRow) list() DistList {
	l := DistList{AccountID: r.AccountID, Name: r.Name, Count: r.Count, CreatedAt: r.CreatedAt.Time, UpdatedAt: r.UpdatedAt.Time}
	if r.Numbers != "" {
		l.Numbers = strings.Split(r.Numbers, ",")
	}
	return l
}

// checkDistList refuses what the table cannot hold: no account, a name
// empty or longer than its column, a member that is empty or has a comma
// (the members' separator).
func checkDistList(l *DistList) error {
	if l.AccountID <= 0 || l.Name == "" || len(l.Name) > maxDistListNameLen {
		return fmt.Errorf("%w: a distribution list needs an account and a name of 1 to %d bytes", ErrInvalid, maxDistListNameLen)
	}
	for _, n := range l.Numbers {
		if n == "" || strings.IndexByte(n, ',') >= 0 {
			return fmt.Errorf("%w: distribution list %q: member %q", ErrInvalid, l.Name, n)
		}
	}
	return nil
}

// CreateDistList stores the new list l, setting its Count and times. A
// list of that name in the account is [ErrDuplicate].
func (s *Store) CreateDistList(ctx context.Context, l *DistList) error {
	if err := checkDistList(l); err != nil {
		return err
	}
	now := s.now().UTC().Truncate(time.Microsecond)
	l.Count, l.CreatedAt, l.UpdatedAt = len(l.Numbers), now, now
	if _, err := s.w.ExecContext(ctx, qInsertDistList, l.AccountID, l.Name, strings.Join(l.Numbers, ","), l.Count,
		s.timeArg(now), s.timeArg(now)); err != nil {
		return fmt.Errorf("store: create distribution list %q of account %d: %w", l.Name, l.AccountID, mapErr(err))
	}
	return nil
}

// ReplaceDistList replaces the members of the account's list l.Name with
// l.Numbers and sets l's Count and UpdatedAt (CreatedAt stays as stored,
// and is read back). A list the account does not have is [ErrNotFound].
func (s *Store) ReplaceDistList(ctx context.Context, l *DistList) error {
	if err := checkDistList(l); err != nil {
		return err
	}
	now := s.now().UTC().Truncate(time.Microsecond)
	// No row changed and none found after is a list the account does
	// not have (MySQL counts changed rows, not matched ones).
	if _, err := s.w.ExecContext(ctx, qUpdateDistList, strings.Join(l.Numbers, ","), len(l.Numbers), s.timeArg(now),
		l.AccountID, l.Name); err != nil {
		return fmt.Errorf("store: replace distribution list %q of account %d: %w", l.Name, l.AccountID, mapErr(err))
	}
	got, err := s.GetDistList(ctx, l.AccountID, l.Name)
	if err != nil {
		return err
	}
	*l = *got
	return nil
}

// GetDistList returns the account's list name with its members; a list
// the account does not have is [ErrNotFound].
func (s *Store) GetDistList(ctx context.Context, accountID int64, name string) (*DistList, error) {
	var r distListRow
	if err := s.w.GetContext(ctx, &r, qGetDistList, accountID, name); err != nil {
		return nil, fmt.Errorf("store: get distribution list %q of account %d: %w", name, accountID, mapErr(err))
	}
	l := r.list()
	return &l, nil
}

// DistLists returns up to limit (1 to 1000) lists of the account in name
// order, each with its Count and times but without its Numbers, and how
// many lists the account has in all.
func (s *Store) DistLists(ctx context.Context, accountID int64, limit int) ([]DistList, int, error) {
	if limit < 1 || limit > 1000 {
		return nil, 0, fmt.Errorf("%w: distribution lists limit %d", ErrInvalid, limit)
	}
	var rows []distListRow
	if err := s.w.SelectContext(ctx, &rows, qListDistLists, accountID, limit); err != nil {
		return nil, 0, fmt.Errorf("store: distribution lists of account %d: %w", accountID, mapErr(err))
	}
	var total int
	if err := s.w.GetContext(ctx, &total, qCountDistListsOf, accountID); err != nil {
		return nil, 0, fmt.Errorf("store: count distribution lists of account %d: %w", accountID, mapErr(err))
	}
	out := make([]DistList, len(rows))
	for i := range rows {
		out[i] = rows[i].list()
	}
	return out, total, nil
}

// DeleteDistList deletes the account's list name; a list the account
// does not have is [ErrNotFound].
func (s *Store) DeleteDistList(ctx context.Context, accountID int64, name string) error {
	res, err := s.w.ExecContext(ctx, qDeleteDistList, accountID, name)
	if err != nil {
		return fmt.Errorf("store: delete distribution list %q of account %d: %w", name, accountID, mapErr(err))
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		if err == nil {
			err = ErrNotFound
		}
		return fmt.Errorf("store: delete distribution list %q of account %d: %w", name, accountID, err)
	}
	return nil
}
