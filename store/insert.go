package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// entry is one row on its way to the database.
type entry struct {
	row   Row
	table *Table
	done  Committer // nil: nobody waits for the outcome
	err   error
	// companion marks a row the store adds for the entry before it (a
	// scheduled message's scheduled_messages row): written in the same
	// transaction, never split from it.
	companion bool
}

// span is one statement inside builder's buffer.
type span struct{ start, end int }

// builder turns a batch of entries into multi-row INSERT statements, one
// per table (more when a statement would pass max bytes), written into one
// reused buffer: no per-value allocation, no placeholders.
type builder struct {
	v      Values
	max    int
	stmts  []span
	tables []*Table
}

func newBuilder(d dialect, maxBytes int, keys *Keyring) *builder {
	return &builder{v: Values{d: d, keys: keys}, max: maxBytes}
}

// build writes the statements for the rows whose err is nil. A row whose
// Record appends the wrong number of values gets ErrColumnCount and is left
// out. retry adds the conflict clause of keyed tables (see Table.conflict).
// build returns how many rows the statements hold.
func (b *builder) build(rows []entry, now time.Time, retry bool) int {
	b.v.buf = b.v.buf[:0]
	b.stmts = b.stmts[:0]
	b.tables = tablesOf(b.tables[:0], rows)
	total := 0
	for _, t := range b.tables {
		var suffix string
		if retry {
			suffix = t.conflict[b.v.d-1]
		}
		start, inStmt := 0, 0
		for i := range rows {
			e := &rows[i]
			if e.table != t || e.err != nil {
				continue
			}
			mark := len(b.v.buf)
			if inStmt == 0 {
				start = mark
				b.v.buf = append(b.v.buf, t.prefix...)
			} else {
				b.v.buf = append(b.v.buf, ',')
			}
			b.v.buf = append(b.v.buf, '(')
			b.v.n = 0
			appendRow(&b.v, e.row, now)
			b.v.buf = append(b.v.buf, ')')
			if b.v.n != len(t.columns) {
				e.err = fmt.Errorf("%w: table %s wants %d values, got %d", ErrColumnCount, t.name, len(t.columns), b.v.n)
				b.v.buf = b.v.buf[:mark]
				continue
			}
			inStmt++
			total++
			if len(b.v.buf)-start >= b.max {
				b.v.buf = append(b.v.buf, suffix...)
				b.stmts = append(b.stmts, span{start, len(b.v.buf)})
				inStmt = 0
			}
		}
		if inStmt > 0 {
			b.v.buf = append(b.v.buf, suffix...)
			b.stmts = append(b.stmts, span{start, len(b.v.buf)})
		}
	}
	return total
}

// exec runs the built statements: alone when there is one (autocommit is
// one transaction), else inside one transaction, so a batch commits once.
func (b *builder) exec(ctx context.Context, db *sql.DB) error {
	switch len(b.stmts) {
	case 0:
		return nil
	case 1:
		s := b.stmts[0]
		_, err := db.ExecContext(ctx, string(b.v.buf[s.start:s.end]))
		return err
	}
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	for _, s := range b.stmts {
		if _, err := tx.ExecContext(ctx, string(b.v.buf[s.start:s.end])); err != nil {
			// The statement's error is the one that matters; a failed
			// rollback means the connection is gone, and with it the
			// transaction.
			_ = tx.Rollback()
			return err
		}
	}
	return tx.Commit()
}

// Insert writes rows at once, in one transaction, without batching: for
// low-volume callers and tools. The hot path uses a [Writer]. A row that
// cannot be written fails the whole call; a duplicate key gives
// [ErrDuplicate].
func (s *Store) Insert(ctx context.Context, rows ...Row) error {
	if len(rows) == 0 {
		return nil
	}
	entries := make([]entry, len(rows))
	for i, r := range rows {
		t, err := tableOf(r)
		if err != nil {
			return err
		}
		entries[i] = entry{row: r, table: t}
	}
	now := s.now()
	entries = withSchedules(entries, now)
	b := newBuilder(s.d, defaultMaxStatementBytes, s.keys)
	b.build(entries, now, false)
	for i := range entries {
		if entries[i].err != nil {
			return entries[i].err
		}
	}
	if err := b.exec(ctx, s.w.DB); err != nil {
		return fmt.Errorf("store: insert: %w", mapErr(err))
	}
	return nil
}
