package store

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/gallant-sms/gallant/sms"
)

// OptOut is one row of the opt-out ledger: a number opted out (OptedOut)
// or in again, at a scope. The store keeps what it is given; the meaning
// of scopes and sources, and the checks on numbers, belong to the consent
// package. Rows are never changed: a number's current state at a scope is
// its newest row there. *OptOut is a [Row].
type OptOut struct {
	ID int64 // set by the database
	// Scope is consent.Scope's value: 1 platform-wide, 2 one account, 3
	// one sender of an account.
	Scope     uint8
	AccountID int64 // 0 for a platform-wide entry
	Sender    string
	Number    string
	OptedOut  bool
	// Source is who recorded it (keyword, api, import, carrier,
	// dnd-registry, operator); Keyword and MOID the MO that did, if one
	// did.
	Source    string
	Keyword   string
	MOID      sms.ID
	CreatedAt time.Time // zero: when written
}

// Column bounds of the opt_outs table.
const (
	maxOptOutSender  = 32
	maxOptOutNumber  = 32
	maxOptOutSource  = 16
	maxOptOutKeyword = 32
)

var optOutsTable = mustTable("opt_outs", false,
	"scope", "account_id", "sender", "number", "opted_out", "source", "keyword", "mo_id", "created_at")

// appendOptOut writes a ledger row; a zero CreatedAt is stored as now.
func appendOptOut(v *Values, o *OptOut, now time.Time) {
	at := o.CreatedAt
	if at.IsZero() {
		at = now
	}
	v.Int(int64(o.Scope))
	v.Int(o.AccountID)
	v.String(o.Sender)
	v.String(o.Number)
	v.Bool(o.OptedOut)
	v.String(o.Source)
	v.String(o.Keyword)
	v.ID(o.MOID)
	v.Time(at)
}

// checkOptOut refuses what the table cannot hold.
func checkOptOut(o *OptOut) error {
	switch {
	case o.Scope < 1 || o.Scope > 3:
		return fmt.Errorf("%w: opt-out scope %d", ErrInvalid, o.Scope)
	case o.Number == "" || len(o.Number) > maxOptOutNumber:
		return fmt.Errorf("%w: opt-out number %q", ErrInvalid, o.Number)
	case len(o.Sender) > maxOptOutSender || len(o.Source) > maxOptOutSource || len(o.Keyword) > maxOptOutKeyword:
		return fmt.Errorf("%w: opt-out sender, source or keyword too long", ErrInvalid)
	}
	return nil
}

// AddOptOuts appends rows to the ledger in one transaction (multi-row
// INSERTs), all or none. It does not set their IDs: readers learn them by
// tailing the ledger ([Store.OptOutsAfter]).
func (s *Store) AddOptOuts(ctx context.Context, rows []OptOut) error {
	if len(rows) == 0 {
		return nil
	}
	entries := make([]entry, len(rows))
	for i := range rows {
		if err := checkOptOut(&rows[i]); err != nil {
			return err
		}
		entries[i] = entry{row: &rows[i], table: optOutsTable}
	}
	if s.d == dialectSQLite {
		// Prepared statements, as the Writer uses: SQLite would parse
		// every value of a literal multi-row INSERT.
		p := newPrepared(s.w.DB, s.d, s.keys)
		defer p.close()
		if _, err := p.exec(ctx, entries, s.now()); err == nil {
			return nil
		} else if !errors.Is(err, errNoDriverTx) {
			return fmt.Errorf("store: add opt-outs: %w", mapErr(err))
		}
	}
	b := newBuilder(s.d, defaultMaxStatementBytes, s.keys)
	b.build(entries, s.now(), false)
	if err := b.exec(ctx, s.w.DB); err != nil {
		return fmt.Errorf("store: add opt-outs: %w", mapErr(err))
	}
	return nil
}

// optOutColumns are the columns read, of the table named o.
const optOutColumns = "o.id, o.scope, o.account_id, o.sender, o.number, o.opted_out, o.source, o.keyword, o.mo_id, o.created_at"

type optOutRow struct {
	ID        int64  `db:"id"`
	Scope     uint8  `db:"scope"`
	AccountID int64  `db:"account_id"`
	Sender    string `db:"sender"`
	Number    string `db:"number"`
	OptedOut  bool   `db:"opted_out"`
	Source    string `db:"source"`
	Keyword   string `db:"keyword"`
	MOID      dbID   `db:"mo_id"`
	CreatedAt dbTime `db:"created_at"`
}

// selectOptOuts reads ledger rows; q follows "FROM opt_outs o".
func (s *Store) selectOptOuts(ctx context.Context, what, q string, args ...any) ([]OptOut, error) {
	var rows []optOutRow
	if err := s.r.SelectContext(ctx, &rows, "SELECT "+optOutColumns+" FROM opt_outs o "+q, args...); err != nil {
		return nil, fmt.Errorf("store: %s: %w", what, mapErr(err))
	}
	out := make([]OptOut, len(rows))
	for i, r := range rows {
		out[i] = OptOut{ID: r.ID, Scope: r.Scope, AccountID: r.AccountID, Sender: r.Sender, Number: r.Number,
			OptedOut: r.OptedOut, Source: r.Source, Keyword: r.Keyword, MOID: sms.ID(r.MOID), CreatedAt: r.CreatedAt.Time}
	}
	return out, nil
}

// maxOptOutPage bounds one read of the ledger's tail.
const maxOptOutPage = 50_000

// OptOutsAfter returns up to limit (1 to 50,000) ledger rows with ids
// above after, in id order: the whole ledger from after = 0, then what
// was added since. A row whose transaction commits late can appear below
// ids already returned; see [Store.OptOutsByID].
func (s *Store) OptOutsAfter(ctx context.Context, after int64, limit int) ([]OptOut, error) {
	if limit < 1 || limit > maxOptOutPage {
		return nil, fmt.Errorf("%w: opt-out page %d not in 1..%d", ErrInvalid, limit, maxOptOutPage)
	}
	return s.selectOptOuts(ctx, "opt-outs after "+strconv.FormatInt(after, 10),
		"WHERE o.id > ? ORDER BY o.id LIMIT ?", after, limit)
}

// OptOutsByID returns the ledger rows with the given ids (at most 1,000)
// that exist, in id order: a reader tailing the ledger looks again for
// the ids it skipped.
func (s *Store) OptOutsByID(ctx context.Context, ids []int64) ([]OptOut, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	if len(ids) > maxIDsPerDelete {
		return nil, fmt.Errorf("%w: %d opt-out ids, at most %d", ErrInvalid, len(ids), maxIDsPerDelete)
	}
	var q strings.Builder
	q.WriteString("WHERE o.id IN (")
	for i, id := range ids {
		if i > 0 {
			q.WriteByte(',')
		}
		q.WriteString(strconv.FormatInt(id, 10))
	}
	q.WriteString(") ORDER BY o.id")
	return s.selectOptOuts(ctx, "opt-outs by id", q.String())
}

// LatestOptOut returns the newest ledger row of number at scope for
// account and sender (as [OptOut] names them), or [ErrNotFound].
func (s *Store) LatestOptOut(ctx context.Context, scope uint8, accountID int64, sender, number string) (OptOut, error) {
	rows, err := s.selectOptOuts(ctx, "latest opt-out",
		"WHERE o.account_id = ? AND o.number = ? AND o.scope = ? AND o.sender = ? ORDER BY o.id DESC LIMIT 1",
		accountID, number, scope, sender)
	if err != nil {
		return OptOut{}, err
	}
	if len(rows) == 0 {
		return OptOut{}, fmt.Errorf("store: latest opt-out of %s: %w", number, ErrNotFound)
	}
	return rows[0], nil
}

// OptOutHistory returns the ledger rows of number for accountID (its
// account and sender scopes) and platform-wide, newest first, up to limit
// (1 to 1,000).
func (s *Store) OptOutHistory(ctx context.Context, accountID int64, number string, limit int) ([]OptOut, error) {
	if limit < 1 || limit > maxListLimit {
		return nil, fmt.Errorf("%w: opt-out history limit %d not in 1..%d", ErrInvalid, limit, maxListLimit)
	}
	return s.selectOptOuts(ctx, "opt-out history",
		"WHERE o.account_id IN (?, 0) AND o.number = ? ORDER BY o.id DESC LIMIT ?", accountID, number, limit)
}

// OptOutCursor is where a page of [Store.CurrentOptOuts] ends: the number
// and ledger id of its last row. The zero value starts at the beginning.
type OptOutCursor struct {
	Number string
	ID     int64
}

// CurrentOptOuts returns up to limit (1 to 1,000) of accountID's entries
// that are opted out now (their newest ledger row is an opt-out), in
// number order, after cursor; use account 0 for the platform-wide ones.
// The cursor of the next page is the last row's number and id.
func (s *Store) CurrentOptOuts(ctx context.Context, accountID int64, after OptOutCursor, limit int) ([]OptOut, error) {
	if limit < 1 || limit > maxListLimit {
		return nil, fmt.Errorf("%w: opt-out page %d not in 1..%d", ErrInvalid, limit, maxListLimit)
	}
	return s.selectOptOuts(ctx, "current opt-outs",
		"WHERE o.account_id = ? AND o.opted_out = 1 AND (o.number > ? OR (o.number = ? AND o.id > ?)) "+
			"AND NOT EXISTS (SELECT 1 FROM opt_outs n WHERE n.account_id = o.account_id AND n.number = o.number "+
			"AND n.scope = o.scope AND n.sender = o.sender AND n.id > o.id) ORDER BY o.number, o.id LIMIT ?",
		accountID, after.Number, after.Number, after.ID, limit)
}
