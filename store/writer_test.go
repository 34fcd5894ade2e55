package store

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gallant-sms/gallant/sms"
	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
)

// doneLog records Committer calls by tag, failing the test on a second call
// for one tag.
type doneLog struct {
	tb   testing.TB
	mu   sync.Mutex
	errs map[any]error
	n    atomic.Int64
	ch   chan struct{} // receives once per call
}

func newDoneLog(tb testing.TB, capacity int) *doneLog {
	return &doneLog{tb: tb, errs: map[any]error{}, ch: make(chan struct{}, capacity)}
}

// tag returns the Committer of the row known as tag.
func (d *doneLog) tag(tag any) Committer {
	return CommitterFunc(func(err error) { d.done(tag, err) })
}

func (d *doneLog) done(tag any, err error) {
	d.mu.Lock()
	if _, dup := d.errs[tag]; dup {
		d.tb.Errorf("Committer told twice for %v", tag)
	}
	d.errs[tag] = err
	d.mu.Unlock()
	d.n.Add(1)
	d.ch <- struct{}{}
}

// wait waits for n calls, failing after a generous bound.
func (d *doneLog) wait(n int) {
	d.tb.Helper()
	deadline := time.NewTimer(30 * time.Second)
	defer deadline.Stop()
	for range n {
		select {
		case <-d.ch:
		case <-deadline.C:
			d.tb.Fatalf("waited 30s for Committer calls; got %d of %d", d.n.Load(), n)
		}
	}
}

func (d *doneLog) err(tag any) (error, bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	err, ok := d.errs[tag]
	return err, ok
}

// newTestWriter starts a Writer on s with its own registry, closed when tb
// ends.
// holdWriter adds a row (message id) whose Committer blocks until the
// returned release is called, and waits until it blocks: its batch stays
// in flight meanwhile, so the worker that wrote it is busy and the writer
// is not idle (an idle writer writes at once). Release is safe to call
// twice.
func holdWriter(t *testing.T, w *Writer, id sms.ID) (release func()) {
	t.Helper()
	held, stop := make(chan struct{}), make(chan struct{})
	if err := w.Add(testMessage(1, id), CommitterFunc(func(err error) {
		if err != nil {
			t.Errorf("held row: %v", err)
		}
		close(held)
		<-stop
	})); err != nil {
		t.Fatal(err)
	}
	select {
	case <-held:
	case <-time.After(10 * time.Second):
		t.Fatal("the held row was not written")
	}
	var once sync.Once
	release = func() { once.Do(func() { close(stop) }) }
	t.Cleanup(release)
	return release
}

func newTestWriter(tb testing.TB, s *Store, cfg WriterConfig) (*Writer, *prometheus.Registry) {
	tb.Helper()
	reg := prometheus.NewRegistry()
	w, err := NewWriter(s, cfg, reg)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := w.Close(ctx); err != nil {
			tb.Errorf("close writer: %v", err)
		}
	})
	return w, reg
}

// metricValue returns the value of a counter or gauge collector.
func metricValue(tb testing.TB, c prometheus.Collector) float64 {
	tb.Helper()
	ch := make(chan prometheus.Metric, 1)
	c.Collect(ch)
	var m dto.Metric
	if err := (<-ch).Write(&m); err != nil {
		tb.Fatal(err)
	}
	switch {
	case m.Counter != nil:
		return m.Counter.GetValue()
	case m.Gauge != nil:
		return m.Gauge.GetValue()
	case m.Histogram != nil:
		return float64(m.Histogram.GetSampleCount())
	}
	tb.Fatalf("unexpected metric %v", &m)
	return 0
}

// testMessage returns a message of account with id.
func testMessage(account int64, id sms.ID) *sms.Message {
	m := benchMessage()
	m.ID = id
	m.AccountID = account
	m.ClientRef = fmt.Sprintf("ref-%d", id)
	return &m
}

// countRows counts the rows of table matching where.
func countRows(tb testing.TB, s *Store, table, where string, args ...any) int {
	tb.Helper()
	var n int
	q := "SELECT COUNT(*) FROM " + table
	if where != "" {
		q += " WHERE " + where
	}
	if err := s.r.GetContext(context.Background(), &n, q, args...); err != nil {
		tb.Fatalf("%s: %v", q, err)
	}
	return n
}

func TestWriterManyGoroutinesExactlyOnce(t *testing.T) {
	forEachDialect(t, func(t *testing.T, driver string) {
		for _, workers := range []int{1, 3} {
			t.Run(fmt.Sprintf("workers=%d", workers), func(t *testing.T) {
				testWriterExactlyOnce(t, driver, workers)
			})
		}
	})
}

// testWriterExactlyOnce has 50 goroutines add a message and an event each,
// many times, and checks every row lands once with one Committer call.
func testWriterExactlyOnce(t *testing.T, driver string, workers int) {
	{
		s := newTestStore(t, driver)
		w, _ := newTestWriter(t, s, WriterConfig{MaxRows: 500, Workers: workers})
		const goroutines, per = 50, 120
		log := newDoneLog(t, goroutines*per*2)
		var wg sync.WaitGroup
		for g := range goroutines {
			wg.Go(func() {
				for i := range per {
					id := sms.ID(g*per + i + 1)
					if err := w.Add(testMessage(int64(g%3+1), id), log.tag(id)); err != nil {
						t.Errorf("add message %v: %v", id, err)
						return
					}
					ev := &Event{AccountID: int64(g%3 + 1), Event: sms.Event{MessageID: id, Status: sms.StatusQueued,
						At: time.Now()}}
					if err := w.Add(ev, log.tag(-int(id))); err != nil {
						t.Errorf("add event %v: %v", id, err)
						return
					}
				}
			})
		}
		wg.Wait()
		if err := w.Flush(testCtx(t)); err != nil {
			t.Fatal(err)
		}
		if got := log.n.Load(); got != goroutines*per*2 {
			t.Fatalf("after Flush %d Committer calls, want %d", got, goroutines*per*2)
		}
		for id := 1; id <= goroutines*per; id++ {
			if err, _ := log.err(sms.ID(id)); err != nil {
				t.Fatalf("message %d: %v", id, err)
			}
			if err, _ := log.err(-id); err != nil {
				t.Fatalf("event %d: %v", id, err)
			}
		}
		if n := countRows(t, s, "messages", ""); n != goroutines*per {
			t.Fatalf("%d messages stored, want %d", n, goroutines*per)
		}
		var dups int
		if err := s.r.GetContext(testCtx(t), &dups,
			"SELECT COUNT(*) FROM (SELECT message_id FROM message_events GROUP BY message_id HAVING COUNT(*) <> 1) d"); err != nil {
			t.Fatal(err)
		}
		if n := countRows(t, s, "message_events", ""); n != goroutines*per || dups != 0 {
			t.Fatalf("%d events stored (%d messages without exactly one), want %d", n, dups, goroutines*per)
		}
		if w.Pending() != 0 {
			t.Fatalf("Pending() = %d after Flush", w.Pending())
		}
		if got := metricValue(t, w.m.rows.WithLabelValues("messages")); got != goroutines*per {
			t.Fatalf("rows_total{table=messages} = %v", got)
		}
	}
}

func TestWriterFlushesOnSize(t *testing.T) {
	forEachDialect(t, func(t *testing.T, driver string) {
		s := newTestStore(t, driver)
		// The deadline is out of reach and one worker holds a batch in
		// flight, so the writer is not idle: only size (and Close) can
		// start the other worker's batch.
		w, _ := newTestWriter(t, s, WriterConfig{MaxRows: 10, MaxDelay: time.Hour, Workers: 2})
		release := holdWriter(t, w, 1000)
		log := newDoneLog(t, 15)
		for i := 1; i <= 15; i++ {
			if err := w.Add(testMessage(1, sms.ID(i)), log.tag(i)); err != nil {
				t.Fatal(err)
			}
		}
		log.wait(10)
		for i := 1; i <= 10; i++ {
			if err, ok := log.err(i); !ok || err != nil {
				t.Fatalf("row %d: done %v, %v", i, ok, err)
			}
		}
		if n := countRows(t, s, "messages", ""); n != 11 {
			t.Fatalf("%d rows stored after the size flush, want 10 and the held one", n)
		}
		if p := w.Pending(); p != 6 {
			t.Fatalf("Pending() = %d, want the 5 rows short of a batch and the held one", p)
		}
		release()
		if err := w.Close(testCtx(t)); err != nil {
			t.Fatal(err)
		}
		if n := countRows(t, s, "messages", ""); n != 16 || log.n.Load() != 15 {
			t.Fatalf("after Close %d rows stored, %d done; want 16 and 15", n, log.n.Load())
		}
		if b := metricValue(t, w.m.batches); b != 3 {
			t.Fatalf("batches_total = %v, want 3 (held, size, Close)", b)
		}
		if err := w.Add(testMessage(1, 99), log.tag(99)); !errors.Is(err, ErrClosed) {
			t.Fatalf("Add after Close: %v, want ErrClosed", err)
		}
	})
}

func TestWriterFlushesOnDeadline(t *testing.T) {
	forEachDialect(t, func(t *testing.T, driver string) {
		s := newTestStore(t, driver)
		// The size is out of reach and a held batch keeps the writer
		// from being idle: only the deadline can start the second
		// worker's batch.
		w, _ := newTestWriter(t, s, WriterConfig{MaxRows: 100000, MaxPending: 100000, MaxDelay: 20 * time.Millisecond, Workers: 2})
		holdWriter(t, w, 1000)
		log := newDoneLog(t, 3)
		for i := 1; i <= 3; i++ {
			if err := w.Add(testMessage(1, sms.ID(i)), log.tag(i)); err != nil {
				t.Fatal(err)
			}
		}
		log.wait(3)
		if n := countRows(t, s, "messages", ""); n != 4 {
			t.Fatalf("%d rows stored, want 3 and the held one", n)
		}
		if b := metricValue(t, w.m.batches); b != 2 {
			t.Fatalf("batches_total = %v, want 2 (the held row's, then the three rows in one)", b)
		}
	})
}

func TestWriterBacklog(t *testing.T) {
	forEachDialect(t, func(t *testing.T, driver string) {
		s := newTestStore(t, driver)
		// One worker: a second one would write rows 6-10 meanwhile.
		w, _ := newTestWriter(t, s, WriterConfig{MaxRows: 5, MaxPending: 10, MaxDelay: time.Hour, Workers: 1})
		release := make(chan struct{})
		log := newDoneLog(t, 11)
		// The first row's Committer holds the writer goroutine, so no row
		// can finish until release: pending stays at what was added.
		block := CommitterFunc(func(err error) {
			<-release
			log.done(1, err)
		})
		for i := 1; i <= 10; i++ {
			done := log.tag(i)
			if i == 1 {
				done = block
			}
			if err := w.Add(testMessage(1, sms.ID(i)), done); err != nil {
				t.Fatalf("row %d: %v", i, err)
			}
		}
		if err := w.Add(testMessage(1, 11), log.tag(11)); !errors.Is(err, ErrBacklog) {
			t.Fatalf("11th row: %v, want ErrBacklog", err)
		}
		if p := metricValue(t, w.m.pending); p != 10 {
			t.Fatalf("pending gauge = %v, want 10", p)
		}
		close(release)
		log.wait(10)
		if err := w.Add(testMessage(1, 11), log.tag(11)); err != nil {
			t.Fatalf("after the backlog drained: %v", err)
		}
		if err := w.Flush(testCtx(t)); err != nil {
			t.Fatal(err)
		}
		if n := countRows(t, s, "messages", ""); n != 11 {
			t.Fatalf("%d rows stored, want 11", n)
		}
	})
}

// badRecord is a Record that appends one value too few.
type badRecord struct{ t *Table }

func (r *badRecord) Table() *Table          { return r.t }
func (r *badRecord) AppendValues(v *Values) { v.Int(1) }

func TestWriterBadRowsFailAlone(t *testing.T) {
	forEachDialect(t, func(t *testing.T, driver string) {
		s := newTestStore(t, driver)
		ctx := testCtx(t)
		if err := s.Insert(ctx, testMessage(1, 7)); err != nil {
			t.Fatal(err)
		}
		// All the rows make one batch: the only worker is held busy
		// until they are added.
		w, _ := newTestWriter(t, s, WriterConfig{MaxRows: 100, MaxDelay: time.Hour, Workers: 1})
		release := holdWriter(t, w, 1000)
		log := newDoneLog(t, 40)
		twoCols, err := NewTable("messages", "id", "account_id")
		if err != nil {
			t.Fatal(err)
		}
		bad := map[any]error{
			"dup":       ErrDuplicate,   // id 7 is already stored
			"nullexp":   nil,            // NOT NULL expires_at: a database error
			"colcount":  ErrColumnCount, // caught before the database
			"dup-again": ErrDuplicate,   // a second bad row in the same batch
		}
		for i := 1; i <= 30; i++ {
			if err := w.Add(testMessage(1, sms.ID(100+i)), log.tag(i)); err != nil {
				t.Fatal(err)
			}
			switch i {
			case 5:
				_ = w.Add(testMessage(1, 7), log.tag("dup"))
			case 12:
				_ = w.Add(&HeldReceipt{AccountID: 1, SystemID: "x", MessageID: 1}, log.tag("nullexp"))
			case 20:
				_ = w.Add(&badRecord{twoCols}, log.tag("colcount"))
			case 25:
				_ = w.Add(testMessage(1, 101), log.tag("dup-again"))
			}
		}
		release()
		if err := w.Flush(ctx); err != nil {
			t.Fatal(err)
		}
		for i := 1; i <= 30; i++ {
			if err, ok := log.err(i); !ok || err != nil {
				t.Fatalf("good row %d: done %v, %v", i, ok, err)
			}
		}
		for tag, want := range bad {
			err, ok := log.err(tag)
			if !ok || err == nil {
				t.Fatalf("bad row %s: done %v, %v; want an error", tag, ok, err)
			}
			if want != nil && !errors.Is(err, want) {
				t.Fatalf("bad row %s: %v, want %v", tag, err, want)
			}
		}
		if n := countRows(t, s, "messages", ""); n != 32 {
			t.Fatalf("%d messages stored, want 31 and the held one", n)
		}
		if n := countRows(t, s, "held_receipts", ""); n != 0 {
			t.Fatalf("%d held receipts stored, want 0", n)
		}
		if f := metricValue(t, w.m.failed); f != 4 {
			t.Fatalf("failed_total = %v, want 4", f)
		}
	})
}

func TestWriterCloseFlushes(t *testing.T) {
	forEachDialect(t, func(t *testing.T, driver string) {
		s := newTestStore(t, driver)
		w, err := NewWriter(s, WriterConfig{MaxDelay: time.Hour}, nil)
		if err != nil {
			t.Fatal(err)
		}
		log := newDoneLog(t, 7)
		for i := 1; i <= 7; i++ {
			if err := w.Add(testMessage(2, sms.ID(i)), log.tag(i)); err != nil {
				t.Fatal(err)
			}
		}
		if err := w.Close(testCtx(t)); err != nil {
			t.Fatal(err)
		}
		if log.n.Load() != 7 || countRows(t, s, "messages", "") != 7 {
			t.Fatalf("after Close: %d done, %d stored; want 7", log.n.Load(), countRows(t, s, "messages", ""))
		}
		if err := w.Close(testCtx(t)); err != nil {
			t.Fatalf("second Close: %v", err)
		}
		if err := w.Flush(testCtx(t)); err != nil {
			t.Fatalf("Flush after Close with nothing pending: %v", err)
		}
	})
}

func TestWriterRefusesUnknownRows(t *testing.T) {
	s := newTestStore(t, DriverSQLite)
	w, _ := newTestWriter(t, s, WriterConfig{})
	for _, row := range []Row{nil, 42, sms.Message{}, (*sms.Message)(nil), (*Event)(nil), &badRecord{}} {
		if err := w.Add(row, nil); !errors.Is(err, ErrUnknownRow) {
			t.Errorf("Add(%T) = %v, want ErrUnknownRow", row, err)
		}
	}
}

func TestWriterConfigValidate(t *testing.T) {
	cases := []struct {
		cfg WriterConfig
		ok  bool
	}{
		{WriterConfig{}, true},
		{WriterConfig{MaxRows: 10, MaxPending: 10}, true},
		{WriterConfig{MaxRows: 100, MaxPending: 10}, false},
		{WriterConfig{MaxRows: -1}, false},
		{WriterConfig{MaxDelay: -time.Second}, false},
		{WriterConfig{MinBackoff: time.Second, MaxBackoff: time.Millisecond}, false},
	}
	for _, c := range cases {
		if err := c.cfg.Validate(); (err == nil) != c.ok {
			t.Errorf("Validate(%+v) = %v, want ok=%v", c.cfg, err, c.ok)
		}
	}
}

func TestWriterSplitsLargeStatements(t *testing.T) {
	forEachDialect(t, func(t *testing.T, driver string) {
		s := newTestStore(t, driver)
		// A 4 KiB statement holds only a few 1 KiB messages: one batch of
		// 40 becomes many INSERTs in one transaction.
		w, _ := newTestWriter(t, s, WriterConfig{MaxRows: 40, MaxStatementBytes: 4 << 10, MaxDelay: time.Hour, Workers: 1, LiteralInserts: true})
		// The only worker is busy with a held row while the 40 are
		// added, so they make one batch when it is released.
		release := holdWriter(t, w, 1000)
		log := newDoneLog(t, 40)
		for i := 1; i <= 40; i++ {
			m := testMessage(1, sms.ID(i))
			m.Body = []byte(strings.Repeat("x", 500))
			if err := w.Add(m, log.tag(i)); err != nil {
				t.Fatal(err)
			}
		}
		release()
		log.wait(40)
		if n := countRows(t, s, "messages", ""); n != 41 {
			t.Fatalf("%d stored, want 40 and the held one", n)
		}
		if b := metricValue(t, w.m.batches); b != 2 {
			t.Fatalf("batches_total = %v, want the held row's and one", b)
		}
		if n := len(w.workers[0].b.stmts); n < 5 {
			t.Fatalf("last batch used %d statements, want several", n)
		}
	})
}

func TestWriterMetricsRegistration(t *testing.T) {
	s := newTestStore(t, DriverSQLite)
	reg := prometheus.NewRegistry()
	w, err := NewWriter(s, WriterConfig{}, reg)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := NewWriter(s, WriterConfig{}, reg); err == nil {
		t.Fatal("a second Writer registered on the same registry")
	}
	log := newDoneLog(t, 1)
	if err := w.Add(testMessage(1, 1), log.tag(1)); err != nil {
		t.Fatal(err)
	}
	log.wait(1)
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]bool{}
	for _, mf := range mfs {
		names[mf.GetName()] = true
	}
	for _, n := range []string{"rows_total", "batches_total", "batch_rows", "batch_duration_seconds", "pending", "lag_seconds",
		"failed_total", "retried_total"} {
		if !names["gallant_store_writer_"+n] {
			t.Errorf("metric gallant_store_writer_%s not registered (have %v)", n, names)
		}
	}
	if err := w.Close(testCtx(t)); err != nil {
		t.Fatal(err)
	}
	// Close unregistered the metrics: the registry takes a new Writer.
	w2, err := NewWriter(s, WriterConfig{}, reg)
	if err != nil {
		t.Fatalf("new Writer after Close: %v", err)
	}
	if err := w2.Close(testCtx(t)); err != nil {
		t.Fatal(err)
	}
}
