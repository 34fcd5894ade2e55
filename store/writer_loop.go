package store

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// worker is one of a Writer's goroutines: it takes a batch off the queue,
// writes it, reports each row's outcome, and starts over, until Close.
type worker struct {
	w *Writer
	// idx is the worker's index in w.since.
	idx   int
	batch []entry
	b     *builder
	// lo is the number of the batch's first row while it is in flight.
	lo uint64
	// rows caches the rows_total child of each table.
	rows map[*Table]prometheus.Counter
	// p writes first attempts with prepared statements (SQLite); nil
	// for literal INSERTs only.
	p *prepared
}

func newWorker(w *Writer, idx int) *worker {
	wk := &worker{
		w:     w,
		idx:   idx,
		batch: make([]entry, 0, w.cfg.MaxRows),
		b:     newBuilder(w.d, w.cfg.MaxStatementBytes, w.keys),
		rows:  map[*Table]prometheus.Counter{},
	}
	// MySQL stays on literals: binding through the binary protocol did
	// not make MariaDB any faster (bench/RESULTS.md).
	if w.d == dialectSQLite && !w.cfg.LiteralInserts {
		wk.p = newPrepared(w.db, w.d, w.keys)
	}
	return wk
}

func (wk *worker) run() {
	w := wk.w
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	for {
		n, wait, exit := wk.next()
		if exit {
			return
		}
		if n > 0 {
			wk.writeBatch(wk.batch[:n])
			continue
		}
		var tick <-chan time.Time
		if wait > 0 {
			timer.Reset(wait)
			tick = timer.C
		}
		select {
		case <-w.wake:
		case <-tick:
		case <-w.stop.Done():
		}
		timer.Stop()
	}
}

// next decides what the worker does now: write the n rows it has moved
// into wk.batch, sleep for wait (0: until woken), or exit.
func (wk *worker) next() (n int, wait time.Duration, exit bool) {
	w := wk.w
	w.mu.Lock()
	if w.stop.Err() != nil {
		// Hard stop: fail whatever is queued, outside the lock.
		n = wk.takeLocked(w.queued)
		w.mu.Unlock()
		if n > 0 {
			for i := range wk.batch[:n] {
				wk.batch[i].err = ErrClosed
			}
			wk.finish(wk.batch[:n])
		}
		return 0, 0, true
	}
	if w.queued == 0 {
		exit = w.closing
		w.mu.Unlock()
		if exit {
			w.signal() // let the other workers see it too
		}
		return 0, 0, exit
	}
	// Group commit: when no batch is being written, the queued rows go at
	// once, and the rows that arrive meanwhile make the next batch, so
	// batches grow with load by themselves and a lone row waits for no
	// timer. While a batch is in flight, another worker waits for MaxRows
	// or MaxDelay before starting a second one beside it.
	due := w.inflight == 0 || w.queued >= w.cfg.MaxRows || w.closing || w.flushTo > w.taken
	if !due {
		if left := w.cfg.MaxDelay - w.now().Sub(w.firstAt); left > 0 {
			w.mu.Unlock()
			return 0, left, false
		}
	}
	n = wk.takeLocked(min(w.queued, w.cfg.MaxRows))
	// Rows left behind have waited at least as long as this batch: firstAt
	// stays as it is, so they are due now, for another worker or for this
	// one when it is done.
	more := w.queued > 0
	w.mu.Unlock()
	if more {
		w.signal()
	}
	return n, 0, false
}

// takeLocked moves the k oldest queued rows into wk.batch and records them
// in flight. w.mu must be held.
func (wk *worker) takeLocked(k int) int {
	w := wk.w
	wk.batch = wk.batch[:0]
	for range k {
		wk.batch = append(wk.batch, w.ring[w.head])
		w.ring[w.head] = entry{}
		w.head++
		if w.head == len(w.ring) {
			w.head = 0
		}
	}
	if k > 0 {
		w.since[wk.idx] = w.firstAt
	}
	wk.lo = w.taken
	w.flights = append(w.flights, wk.lo)
	w.taken += uint64(k)
	w.queued -= k
	w.inflight += k
	return k
}

// writeBatch writes rows, then reports every row's outcome.
func (wk *worker) writeBatch(rows []entry) {
	start := time.Now()
	all := withSchedules(rows, wk.w.now())
	wk.writeRows(all, 0)
	copySchedulesBack(rows, all)
	wk.w.m.batches.Inc()
	wk.w.m.batchRows.Observe(float64(len(rows)))
	wk.w.m.batchDuration.Observe(time.Since(start).Seconds())
	wk.finish(rows)
}

// finish tells the Committers of rows their outcome, counts them and wakes the Flush
// calls they complete.
func (wk *worker) finish(rows []entry) {
	w := wk.w
	failed := 0
	var last *Table
	count := 0
	// Metrics first, so that whoever a done callback wakes sees the rows
	// counted.
	for i := range rows {
		e := &rows[i]
		if e.err != nil {
			failed++
			continue
		}
		// Rows of one table tend to come in runs; count per run.
		if e.table != last {
			if count > 0 {
				wk.tableRows(last).Add(float64(count))
			}
			last, count = e.table, 0
		}
		count++
	}
	if count > 0 {
		wk.tableRows(last).Add(float64(count))
	}
	if failed > 0 {
		w.m.failed.Add(float64(failed))
	}
	for i := range rows {
		if e := &rows[i]; e.done != nil {
			e.done.Stored(e.err)
		}
	}
	clear(rows)
	w.mu.Lock()
	w.inflight -= len(rows)
	w.since[wk.idx] = time.Time{}
	if i := slices.Index(w.flights, wk.lo); i >= 0 {
		w.flights = slices.Delete(w.flights, i, i+1)
	}
	low := w.doneBelowLocked()
	kept := w.waiters[:0]
	for _, fw := range w.waiters {
		if low >= fw.target {
			close(fw.ch)
		} else {
			kept = append(kept, fw)
		}
	}
	clear(w.waiters[len(kept):])
	w.waiters = kept
	w.mu.Unlock()
}

// tableRows returns the rows_total child of t.
func (wk *worker) tableRows(t *Table) prometheus.Counter {
	c, ok := wk.rows[t]
	if !ok {
		c = wk.w.m.rows.WithLabelValues(t.name)
		wk.rows[t] = c
	}
	return c
}

// writeRows writes the rows whose err is nil and sets err on those that
// finally fail. retried says whether an earlier attempt at these rows may
// have committed without our knowing.
func (wk *worker) writeRows(rows []entry, retried int) {
	w := wk.w
	for attempt := 1; ; attempt++ {
		var n int
		var err error
		ctx, cancel := context.WithTimeout(w.stop, w.cfg.WriteTimeout)
		if wk.p != nil && retried == 0 {
			// First attempts bind to prepared statements (prepared.go);
			// retries, which need the conflict clause, use literals.
			n, err = wk.p.exec(ctx, rows, w.now())
			wk.p.release()
		} else if n = wk.b.build(rows, w.now(), retried > 0); n > 0 {
			err = wk.b.exec(ctx, w.db)
		}
		cancel()
		if n == 0 || err == nil {
			return
		}
		if w.stop.Err() != nil {
			setErr(rows, fmt.Errorf("%w: writer stopped during write: %v", ErrClosed, err))
			return
		}
		_, transient := classify(err)
		if transient {
			retried++
			if attempt < w.cfg.MaxAttempts {
				w.m.retried.Inc()
				w.log.Warn("batch write failed, retrying", "rows", n, "attempt", attempt, "err", err)
				if !w.backoff(attempt) {
					setErr(rows, ErrClosed)
					return
				}
				continue
			}
			w.log.Error("batch write failed, giving up", "rows", n, "attempts", attempt, "err", err)
			setErr(rows, fmt.Errorf("store: write batch: %w", mapErr(err)))
			return
		}
		if n == 1 || units(rows) <= 1 {
			merr := mapErr(err)
			for i := range rows {
				if rows[i].err == nil {
					w.log.Warn("row refused", "table", rows[i].table.name, "err", err)
					rows[i].err = fmt.Errorf("store: write %s row: %w", rows[i].table.name, merr)
				}
			}
			return
		}
		// Not the database's availability but the data: split the batch
		// until the bad rows are alone, so the others are still written.
		half := splitPoint(rows)
		wk.writeRows(rows[:half], retried)
		wk.writeRows(rows[half:], retried)
		return
	}
}

// units counts the rows of rows still to write that are not companions:
// a row with its companions is one unit, never split.
func units(rows []entry) int {
	n := 0
	for i := range rows {
		if !rows[i].companion && rows[i].err == nil {
			n++
		}
	}
	return n
}

// splitPoint is where to halve rows (of two units or more): the row
// nearest the middle that is not a companion.
func splitPoint(rows []entry) int {
	for d := 0; d < len(rows); d++ {
		for _, i := range [2]int{len(rows)/2 + d, len(rows)/2 - d} {
			if i > 0 && i < len(rows) && !rows[i].companion {
				return i
			}
		}
	}
	return len(rows) / 2
}

// setErr fails every row of rows that has not failed yet.
func setErr(rows []entry, err error) {
	for i := range rows {
		if rows[i].err == nil {
			rows[i].err = err
		}
	}
}

// backoff waits before attempt+1: MinBackoff doubled per attempt up to
// MaxBackoff, with up to 25% jitter so instances do not retry in step. It
// returns false if the Writer is stopped meanwhile.
func (w *Writer) backoff(attempt int) bool {
	d := w.cfg.MinBackoff
	for i := 1; i < attempt && d < w.cfg.MaxBackoff; i++ {
		d *= 2
	}
	d = min(d, w.cfg.MaxBackoff)
	if d > 0 {
		d -= time.Duration(rand.Int64N(int64(d)/4 + 1))
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-w.stop.Done():
		return false
	}
}
