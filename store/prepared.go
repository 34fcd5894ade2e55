package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
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
// buffers. It belongs to one worker goroutine.
//
// It talks to the driver's connection directly (sql.Conn.Raw) instead of
// through database/sql's Tx and Stmt: database/sql converts every
// argument of every execution into a fresh []driver.NamedValue (25
// columns × 128 rows per statement) and wraps each statement for the
// transaction, which the fast-mode profile showed as about a sixth of
// the writer's time (bench/RESULTS.md, 2026-12-07). The statements are
// prepared on one driver connection and used only inside Raw calls on that
// same connection; when the pool hands out another, they are dropped.
type prepared struct {
	db    *sql.DB
	v     Values
	dconn any // the driver connection the statements belong to
	stmts map[stmtKey]driver.StmtExecContext
	// closers are the statements of stmts as prepared, for close.
	closers []driver.Stmt
	// nv is the arguments of one execution, reused.
	nv []driver.NamedValue
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

// errNoDriverTx says the driver lacks the interfaces prepared needs; the
// batch is then retried with literal statements.
var errNoDriverTx = errors.New("store: driver connection has no BeginTx, PrepareContext or ExecContext")

func newPrepared(db *sql.DB, d dialect, keys *Keyring) *prepared {
	return &prepared{db: db, v: Values{d: d, bind: true, keys: keys}, stmts: map[stmtKey]driver.StmtExecContext{}}
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
	conn, err := p.db.Conn(ctx)
	if err != nil {
		return total, err
	}
	defer conn.Close()
	return total, conn.Raw(func(dc any) error { return p.execOn(ctx, dc) })
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

// execOn writes p.runs in one transaction on the driver connection dc.
func (p *prepared) execOn(ctx context.Context, dc any) error {
	if dc != p.dconn {
		// Another connection (the old one was closed): its statements
		// went with it.
		clear(p.stmts)
		clear(p.closers)
		p.closers = p.closers[:0]
		p.dconn = dc
	}
	begin, ok := dc.(driver.ConnBeginTx)
	if !ok {
		return errNoDriverTx
	}
	// Prepare what is missing first, outside the transaction.
	for _, r := range p.runs {
		if err := eachChunk(r.rows, func(size int) error {
			_, err := p.stmt(ctx, dc, r.t, size)
			return err
		}); err != nil {
			return err
		}
	}
	tx, err := begin.BeginTx(ctx, driver.TxOptions{})
	if err != nil {
		return err
	}
	for _, r := range p.runs {
		if err := p.execRun(ctx, dc, r); err != nil {
			_ = tx.Rollback() // the statement's error is the one that matters
			return err
		}
	}
	return tx.Commit()
}

// execRun inserts the rows of one table, in chunks (see eachChunk).
func (p *prepared) execRun(ctx context.Context, dc any, r tableRun) error {
	cols := len(r.t.columns)
	at := r.start
	return eachChunk(r.rows, func(size int) error {
		st, err := p.stmt(ctx, dc, r.t, size)
		if err != nil {
			return err
		}
		n := size * cols
		p.nv = slices.Grow(p.nv[:0], n)[:n]
		for i, a := range p.v.args[at : at+n] {
			p.nv[i] = driver.NamedValue{Ordinal: i + 1, Value: a}
		}
		_, err = st.ExecContext(ctx, p.nv)
		clear(p.nv) // the values point into the batch's rows
		if err != nil {
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

// stmt returns the prepared INSERT of rows rows into t on dc, preparing it
// the first time.
func (p *prepared) stmt(ctx context.Context, dc any, t *Table, rows int) (driver.StmtExecContext, error) {
	k := stmtKey{t, rows}
	if st, ok := p.stmts[k]; ok {
		return st, nil
	}
	pc, ok := dc.(driver.ConnPrepareContext)
	if !ok {
		return nil, errNoDriverTx
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
	st, err := pc.PrepareContext(ctx, b.String())
	if err != nil {
		return nil, fmt.Errorf("store: prepare insert into %s: %w", t.name, err)
	}
	se, ok := st.(driver.StmtExecContext)
	if !ok {
		_ = st.Close()
		return nil, errNoDriverTx
	}
	p.stmts[k] = se
	p.closers = append(p.closers, st)
	return se, nil
}

// release drops the arguments of the last batch, so the rows they point
// into can be reused.
func (p *prepared) release() {
	clear(p.v.args)
	p.v.args = p.v.args[:0]
}

// close closes every prepared statement, on their connection.
func (p *prepared) close() {
	if len(p.closers) > 0 {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if conn, err := p.db.Conn(ctx); err == nil {
			_ = conn.Raw(func(dc any) error {
				if dc == p.dconn {
					for _, st := range p.closers {
						_ = st.Close()
					}
				}
				return nil
			})
			_ = conn.Close()
		}
	}
	clear(p.stmts)
	clear(p.closers)
	p.closers = p.closers[:0]
	p.dconn = nil
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
