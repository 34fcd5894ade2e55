package store

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Committer is told the outcome of one row given to [Writer.Add]: Stored
// gets err nil once the row's transaction has committed, or the reason the
// row finally could not be written (wrapping [ErrDuplicate],
// [ErrUnavailable], [ErrColumnCount], [ErrClosed] or a database error). It
// is called exactly once per accepted row, from one of the Writer's
// goroutines; it must be quick (hand the result to a channel or a waiting
// session) and must not call [Writer.Flush] or [Writer.Close].
//
// The Committer is the row's own context: make it a pointer to the
// caller's per-row value (a pooled struct that knows what to do next), so
// that Add allocates nothing and Stored needs no type assertion. A value
// that adds rows for two purposes can take each outcome through a named
// pointer type of its own (type fastAccept T).
type Committer interface {
	Stored(err error)
}

// CommitterFunc adapts a function to [Committer], for tests and low-rate
// rows: a closure allocates, so hot paths use a pointer type instead.
type CommitterFunc func(err error)

// Stored calls f(err).
func (f CommitterFunc) Stored(err error) { f(err) }

// Writer writes rows in batches: the rows added by many goroutines are
// gathered and written as one multi-row INSERT per table per batch, all
// tables of a batch in one transaction, so a batch costs one commit (one
// fsync). When no batch is being written, the queued rows are written at
// once; rows that arrive during a write make the next batch (group
// commit). Up to Workers batches are written at once: a second batch
// starts beside one in flight when it reaches MaxRows rows or MaxDelay
// after its first row. Then each row's Committer is told.
//
// When the database is unavailable a batch is retried with backoff
// (MaxAttempts in all) and then failed. When a batch fails for another
// reason, such as one row breaking a constraint, it is split and retried
// until the bad rows are isolated: only they fail.
//
// A Writer is safe for concurrent use. Its methods never wait for the
// database except Flush and Close.
type Writer struct {
	db   *sql.DB
	d    dialect
	keys *Keyring // seals bodies and payloads; nil: in clear
	log  *slog.Logger
	cfg  WriterConfig
	m    *writerMetrics
	now  func() time.Time

	mu sync.Mutex
	// ring holds the queued rows: ring[head], ring[head+1], ... (mod len),
	// queued of them. Its length is MaxPending.
	ring     []entry
	head     int
	queued   int
	inflight int // rows taken by workers, not yet done
	// firstAt is when the oldest queued row's batch started waiting.
	firstAt time.Time
	// since[i] is the firstAt of the batch worker i is writing (zero when
	// it writes none): with firstAt, what the lag gauge reads.
	since []time.Time
	// Rows are numbered in the order Add accepted them: added is the
	// number the next row gets, taken the number of the oldest queued
	// row. flights holds the first number of each batch being written.
	added, taken uint64
	flights      []uint64
	// flushTo asks for every row numbered below it to be written now.
	flushTo uint64
	waiters []flushWaiter
	closing bool

	wake     chan struct{} // capacity 1: "state changed, look again"
	stop     context.Context
	hardStop context.CancelFunc
	exited   chan struct{}
	unreg    sync.Once

	workers []*worker
}

type flushWaiter struct {
	target uint64
	ch     chan struct{}
}

// NewWriter starts a Writer on s. Its metrics are registered on reg (nil
// registers nothing); at most one Writer may use a registry at a time.
// Close it before closing s.
func NewWriter(s *Store, cfg WriterConfig, reg prometheus.Registerer) (*Writer, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cfg = cfg.withDefaults()
	if cfg.Workers == 0 {
		cfg.Workers = defaultSQLiteWorkers
		if s.d == dialectMySQL {
			cfg.Workers = defaultMySQLWorkers
		}
	}
	stop, cancel := context.WithCancel(context.Background())
	w := &Writer{
		db:       s.w.DB,
		d:        s.d,
		keys:     s.keys,
		log:      s.log.With("component", "store.writer"),
		cfg:      cfg,
		now:      time.Now,
		ring:     make([]entry, cfg.MaxPending),
		since:    make([]time.Time, cfg.Workers),
		wake:     make(chan struct{}, 1),
		stop:     stop,
		hardStop: cancel,
		exited:   make(chan struct{}),
	}
	w.m = newWriterMetrics(reg, w.pendingRows, w.lagSeconds)
	if err := w.m.register(); err != nil {
		cancel()
		return nil, err
	}
	var wg sync.WaitGroup
	for i := range cfg.Workers {
		wk := newWorker(w, i)
		w.workers = append(w.workers, wk)
		wg.Go(wk.run)
	}
	go func() {
		wg.Wait()
		for _, wk := range w.workers {
			if wk.p != nil {
				wk.p.close()
			}
		}
		close(w.exited)
	}()
	return w, nil
}

// Add queues row to be written and returns at once. done (which may be
// nil) is told when the row is committed or has finally failed. The
// Writer keeps row until then: do not modify it before done.Stored is
// called. Add returns [ErrBacklog] when MaxPending rows are already
// pending, [ErrClosed] after Close, and [ErrUnknownRow] for a value that is
// not a [Row]; done is not called in those cases.
func (w *Writer) Add(row Row, done Committer) error {
	_, err := w.AddNumbered(row, done)
	return err
}

// AddNumbered is [Writer.Add] that also returns the number the Writer gave
// the row (rows are numbered in the order they are added), for
// [Writer.Amend].
func (w *Writer) AddNumbered(row Row, done Committer) (uint64, error) {
	t, err := tableOf(row)
	if err != nil {
		return 0, err
	}
	w.mu.Lock()
	if w.closing {
		w.mu.Unlock()
		return 0, ErrClosed
	}
	if w.queued+w.inflight >= w.cfg.MaxPending {
		w.mu.Unlock()
		return 0, ErrBacklog
	}
	n := w.added
	i := w.head + w.queued
	if i >= len(w.ring) {
		i -= len(w.ring)
	}
	w.ring[i] = entry{row: row, table: t, done: done}
	w.queued++
	w.added++
	signal := w.queued == 1 || w.queued == w.cfg.MaxRows
	if w.queued == 1 {
		w.firstAt = w.now()
	}
	w.mu.Unlock()
	if signal {
		w.signal()
	}
	return n, nil
}

// Amend lets change modify row, the row numbered n, if it is still
// queued: no batch has taken it yet. It reports whether change ran.
// change runs with the Writer's lock held, so the row cannot be taken
// meanwhile; it must be quick and must not call the Writer. What change
// writes into the row (and into what the row's Committer reads) is what
// the Writer stores and reports. The gateway folds a segment's final
// status into its "submitted" event this way when the receipt comes
// before the writer got to the submission: one row instead of two.
func (w *Writer) Amend(n uint64, row Row, change func()) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	if n < w.taken || n-w.taken >= uint64(w.queued) {
		return false // taken by a batch, or not a queued number
	}
	i := w.head + int(n-w.taken)
	if i >= len(w.ring) {
		i -= len(w.ring)
	}
	if w.ring[i].row != row {
		return false
	}
	change()
	return true
}

// Flush writes everything added before it and waits until every such
// row's Committer has returned from Stored (whether the row was written or failed), or
// until ctx is done.
func (w *Writer) Flush(ctx context.Context) error {
	w.mu.Lock()
	target := w.added
	if w.doneBelowLocked() >= target {
		w.mu.Unlock()
		return nil
	}
	ch := make(chan struct{})
	w.waiters = append(w.waiters, flushWaiter{target: target, ch: ch})
	w.flushTo = max(w.flushTo, target)
	w.mu.Unlock()
	w.signal()
	select {
	case <-ch:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("store: writer flush: %w", ctx.Err())
	case <-w.exited:
		w.mu.Lock()
		ok := w.doneBelowLocked() >= target
		w.mu.Unlock()
		if ok {
			return nil
		}
		return ErrClosed
	}
}

// Close stops accepting rows, writes everything pending and stops the
// Writer's goroutines. If ctx ends first, the writes in progress are
// abandoned and every pending row fails with ErrClosed (a row abandoned
// during its commit may nonetheless be stored); Close then returns ctx's
// error after the goroutines have stopped. Calling Close again waits for
// the same stop.
func (w *Writer) Close(ctx context.Context) error {
	w.mu.Lock()
	w.closing = true
	w.mu.Unlock()
	w.signal()
	var err error
	select {
	case <-w.exited:
	case <-ctx.Done():
		w.hardStop()
		<-w.exited
		err = fmt.Errorf("store: writer close: %w", ctx.Err())
	}
	w.hardStop()
	w.unreg.Do(w.m.unregister)
	return err
}

// Pending returns how many rows are added but not yet done.
func (w *Writer) Pending() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.queued + w.inflight
}

func (w *Writer) pendingRows() float64 { return float64(w.Pending()) }

// lagSeconds is how long the oldest row not yet written (queued or in a
// batch being written) has been waiting, at most: rows left behind by a
// full batch count from when that batch started waiting. 0 when none.
func (w *Writer) lagSeconds() float64 {
	w.mu.Lock()
	var oldest time.Time
	if w.queued > 0 {
		oldest = w.firstAt
	}
	for _, s := range w.since {
		if !s.IsZero() && (oldest.IsZero() || s.Before(oldest)) {
			oldest = s
		}
	}
	w.mu.Unlock()
	if oldest.IsZero() {
		return 0
	}
	return max(0, w.now().Sub(oldest).Seconds())
}

// doneBelowLocked returns n such that every row numbered below n is done.
// w.mu must be held.
func (w *Writer) doneBelowLocked() uint64 {
	low := w.taken
	for _, f := range w.flights {
		low = min(low, f)
	}
	return low
}

func (w *Writer) signal() {
	select {
	case w.wake <- struct{}{}:
	default:
	}
}
