package store

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Prepared inserts (SQLite). A literal multi-row INSERT makes
// SQLite parse and compile every value of every row: under load the
// parser took more of the single writer's time than the inserts
// themselves. On SQLite the Writer's first attempt at a batch therefore
// binds the values to INSERT statements prepared once: per table, one
// statement for each power-of-two number of rows up to preparedMaxRows, so
// any batch is a few executions. A retry after a failure goes back to the
// literal statements (build), which also carry the conflict clause.

// preparedMaxRows is the most rows one prepared statement inserts: 24
// columns × 128 rows stays far below SQLite's 32,766 variables.
const preparedMaxRows = 128

type stmtKey struct {
	t    *Table
	rows int
}

// prepared is a worker's cache of prepared INSERTs and its argument
// buffer. It belongs to one worker goroutine.
type prepared struct {
	db    *sql.DB
	v     Values
	stmts map[stmtKey]*sql.Stmt
	// tables and runs describe the batch being written: for each table,
	// in order of first appearance, where its arguments start and how
	// many rows it has.
	tables []*Table
	runs   []tableRun
}

type tableRun struct {
	t     *Table
	start int // first argument
	rows  int
}

func newPrepared(db *sql.DB, d dialect) *prepared {
	return &prepared{db: db, v: Values{d: d, bind: true}, stmts: map[stmtKey]*sql.Stmt{}}
}

// exec writes the rows whose err is nil in one transaction and returns
// how many it tried to write (all of them, or none if it fails). A row
// whose Record appends the wrong number of values gets ErrColumnCount and
// is left out, as with build.
func (p *prepared) exec(ctx context.Context, rows []entry, now time.Time) (int, error) {
	p.collect(rows, now)
	total := 0
	for _, r := range p.runs {
		total += r.rows
	}
	if total == 0 {
		return 0, nil
	}
	// Prepare what is missing first: the writer's database may have a
	// single connection, which the transaction below then holds.
	for _, r := range p.runs {
		if err := eachChunk(r.rows, func(size int) error {
			_, err := p.stmt(ctx, r.t, size)
			return err
		}); err != nil {
			return total, err
		}
	}
	tx, err := p.db.BeginTx(ctx, nil)
	if err != nil {
		return total, err
	}
	for _, r := range p.runs {
		if err := p.execRun(ctx, tx, r); err != nil {
			_ = tx.Rollback() // the statement's error is the one that matters
			return total, err
		}
	}
	return total, tx.Commit()
}

// collect binds the values of rows, grouped by table in order of first
// appearance, into p.v.args and describes the groups in p.runs.
func (p *prepared) collect(rows []entry, now time.Time) {
	p.v.args = p.v.args[:0]
	p.tables = tablesOf(p.tables[:0], rows)
	p.runs = p.runs[:0]
	for _, t := range p.tables {
		run := tableRun{t: t, start: len(p.v.args)}
		for i := range rows {
			e := &rows[i]
			if e.table != t || e.err != nil {
				continue
			}
			mark := len(p.v.args)
			p.v.n = 0
			appendRow(&p.v, e.row, now)
			if p.v.n != len(t.columns) {
				e.err = fmt.Errorf("%w: table %s wants %d values, got %d", ErrColumnCount, t.name, len(t.columns), p.v.n)
				clear(p.v.args[mark:])
				p.v.args = p.v.args[:mark]
				continue
			}
			run.rows++
		}
		if run.rows > 0 {
			p.runs = append(p.runs, run)
		}
	}
}

// execRun inserts the rows of one table, in chunks (see eachChunk).
func (p *prepared) execRun(ctx context.Context, tx *sql.Tx, r tableRun) error {
	cols := len(r.t.columns)
	at := r.start
	return eachChunk(r.rows, func(size int) error {
		st, err := p.stmt(ctx, r.t, size)
		if err != nil {
			return err
		}
		n := size * cols
		if _, err := tx.StmtContext(ctx, st).ExecContext(ctx, p.v.args[at:at+n]...); err != nil {
			return err
		}
		at += n
		return nil
	})
}

// eachChunk calls f with the sizes n rows are inserted in: preparedMaxRows
// while that many are left, then the powers of two of the rest, largest
// first. It stops at f's first error.
func eachChunk(n int, f func(size int) error) error {
	for n > 0 {
		size := preparedMaxRows
		for size > n {
			size /= 2
		}
		if err := f(size); err != nil {
			return err
		}
		n -= size
	}
	return nil
}

// stmt returns the prepared INSERT of rows rows into t, preparing it the
// first time.
func (p *prepared) stmt(ctx context.Context, t *Table, rows int) (*sql.Stmt, error) {
	k := stmtKey{t, rows}
	if st, ok := p.stmts[k]; ok {
		return st, nil
	}
	var b strings.Builder
	b.WriteString(t.prefix)
	row := "(" + strings.Repeat("?,", len(t.columns)-1) + "?)"
	for i := range rows {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(row)
	}
	st, err := p.db.PrepareContext(ctx, b.String())
	if err != nil {
		return nil, err
	}
	p.stmts[k] = st
	return st, nil
}

// release drops the arguments of the last batch, so the rows they point
// into can be reused.
func (p *prepared) release() {
	clear(p.v.args)
	p.v.args = p.v.args[:0]
}

// close closes every prepared statement.
func (p *prepared) close() {
	for k, st := range p.stmts {
		_ = st.Close()
		delete(p.stmts, k)
	}
}

// tablesOf appends to dst the tables of the rows whose err is nil, each
// once, in order of first appearance: a batch's statements go in that
// order.
func tablesOf(dst []*Table, rows []entry) []*Table {
	for i := range rows {
		if rows[i].err == nil && !slices.Contains(dst, rows[i].table) {
			dst = append(dst, rows[i].table)
		}
	}
	return dst
}
