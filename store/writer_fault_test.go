package store

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/gallant-sms/gallant/sms"
)

// lockMessages takes a write lock on the messages table from a connection
// of its own, as another process would, and returns its release. On
// SQLite it holds the database's write lock (BEGIN IMMEDIATE); on MySQL
// LOCK TABLES messages WRITE.
func lockMessages(tb testing.TB, cfg Config) (release func()) {
	tb.Helper()
	ctx := testCtx(tb)
	var db *sql.DB
	var err error
	lock, unlock := "LOCK TABLES messages WRITE", "UNLOCK TABLES"
	if cfg.Driver == DriverSQLite {
		db, err = sql.Open("sqlite", "file:"+cfg.DSN+"?_pragma=busy_timeout(10000)")
		lock, unlock = "BEGIN IMMEDIATE", "ROLLBACK"
	} else {
		db, err = sql.Open("mysql", cfg.DSN)
	}
	if err != nil {
		tb.Fatal(err)
	}
	conn, err := db.Conn(ctx)
	if err != nil {
		tb.Fatal(err)
	}
	if _, err := conn.ExecContext(ctx, lock); err != nil {
		tb.Fatalf("%s: %v", lock, err)
	}
	var once bool
	release = func() {
		if once {
			return
		}
		once = true
		if _, err := conn.ExecContext(context.Background(), unlock); err != nil {
			tb.Errorf("%s: %v", unlock, err)
		}
		_ = conn.Close()
		_ = db.Close()
	}
	tb.Cleanup(release)
	return release
}

// waitFor polls cond until it holds, failing the test after a generous
// bound. It asserts nothing about how long that takes.
func waitFor(tb testing.TB, what string, cond func() bool) {
	tb.Helper()
	for range 3000 {
		if cond() {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	tb.Fatalf("gave up waiting for %s", what)
}

func TestWriterRetriesTransientErrors(t *testing.T) {
	forEachDialect(t, func(t *testing.T, driver string) {
		cfg := testConfig(t, driver)
		cfg.BusyTimeout = 20 * time.Millisecond
		s := openTestStore(t, cfg)
		if _, err := s.Migrate(testCtx(t)); err != nil {
			t.Fatal(err)
		}
		w, _ := newTestWriter(t, s, WriterConfig{
			MaxRows: 50, MaxAttempts: 1000, MinBackoff: 5 * time.Millisecond, MaxBackoff: 20 * time.Millisecond,
			// MySQL waits for a table lock without a bound of its own:
			// the attempt's timeout makes that a transient failure.
			WriteTimeout: 200 * time.Millisecond,
		})
		release := lockMessages(t, cfg)
		log := newDoneLog(t, 120)
		for i := 1; i <= 120; i++ {
			if err := w.Add(testMessage(1, sms.ID(i)), log.tag(i)); err != nil {
				t.Fatal(err)
			}
		}
		waitFor(t, "a retried batch", func() bool { return metricValue(t, w.m.retried) >= 2 })
		if n := log.n.Load(); n != 0 {
			t.Fatalf("%d rows done while the table was locked", n)
		}
		release()
		if err := w.Flush(testCtx(t)); err != nil {
			t.Fatal(err)
		}
		for i := 1; i <= 120; i++ {
			if err, ok := log.err(i); !ok || err != nil {
				t.Fatalf("row %d: done %v, %v", i, ok, err)
			}
		}
		// Exactly once, although an abandoned attempt may have committed
		// behind the lock (see Table.conflict).
		if n := countRows(t, s, "messages", ""); n != 120 {
			t.Fatalf("%d rows stored, want 120", n)
		}
		if f := metricValue(t, w.m.failed); f != 0 {
			t.Fatalf("failed_total = %v", f)
		}
	})
}

func TestWriterGivesUpAfterMaxAttempts(t *testing.T) {
	cfg := testConfig(t, DriverSQLite)
	cfg.BusyTimeout = time.Millisecond
	s := openTestStore(t, cfg)
	if _, err := s.Migrate(testCtx(t)); err != nil {
		t.Fatal(err)
	}
	w, _ := newTestWriter(t, s, WriterConfig{MaxAttempts: 3, MinBackoff: time.Millisecond, MaxBackoff: time.Millisecond})
	lockMessages(t, cfg)
	log := newDoneLog(t, 3)
	for i := 1; i <= 3; i++ {
		if err := w.Add(testMessage(1, sms.ID(i)), log.tag(i)); err != nil {
			t.Fatal(err)
		}
	}
	log.wait(3)
	for i := 1; i <= 3; i++ {
		if err, _ := log.err(i); !errors.Is(err, ErrUnavailable) {
			t.Fatalf("row %d: %v, want ErrUnavailable", i, err)
		}
	}
	// Each batch is tried MaxAttempts times: two retries per batch. The
	// three rows usually make one batch; on a loaded machine the writer
	// can take the first before the others are added.
	b := metricValue(t, w.m.batches)
	if r, f := metricValue(t, w.m.retried), metricValue(t, w.m.failed); r != 2*b || f != 3 || b < 1 || b > 3 {
		t.Fatalf("retried_total = %v, failed_total = %v in %v batches; want 2 per batch and 3", r, f, b)
	}
}

func TestWriterCloseDeadlineFailsPending(t *testing.T) {
	forEachDialect(t, func(t *testing.T, driver string) {
		cfg := testConfig(t, driver)
		cfg.BusyTimeout = 2 * time.Second
		s := openTestStore(t, cfg)
		if _, err := s.Migrate(testCtx(t)); err != nil {
			t.Fatal(err)
		}
		w, err := NewWriter(s, WriterConfig{MaxRows: 5, MaxAttempts: 1000}, nil)
		if err != nil {
			t.Fatal(err)
		}
		lockMessages(t, cfg)
		log := newDoneLog(t, 20)
		for i := 1; i <= 20; i++ {
			if err := w.Add(testMessage(1, sms.ID(i)), log.tag(i)); err != nil {
				t.Fatal(err)
			}
		}
		ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
		defer cancel()
		if err := w.Close(ctx); !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("Close = %v, want a deadline error", err)
		}
		// Close returned after the goroutine stopped: every row is done.
		if n := log.n.Load(); n != 20 {
			t.Fatalf("%d rows done after Close, want 20", n)
		}
		for i := 1; i <= 20; i++ {
			if err, _ := log.err(i); !errors.Is(err, ErrClosed) {
				t.Fatalf("row %d: %v, want ErrClosed", i, err)
			}
		}
		if err := w.Add(testMessage(1, 21), nil); !errors.Is(err, ErrClosed) {
			t.Fatalf("Add after Close: %v", err)
		}
	})
}

// ledgerRow is a row of a table defined outside the store's built-ins.
type ledgerRow struct {
	AccountID int64
	Amount    int64
	Note      string
	At        time.Time
}

func (r *ledgerRow) Table() *Table { return testLedger }

func (r *ledgerRow) AppendValues(v *Values) {
	v.Int(r.AccountID)
	v.Int(r.Amount)
	v.String(r.Note)
	v.Time(r.At)
}

var testLedger = func() *Table {
	t, err := NewTable("test_ledger", "account_id", "amount", "note", "at")
	if err != nil {
		panic(err)
	}
	return t
}()

func TestWriterRecordTables(t *testing.T) {
	forEachDialect(t, func(t *testing.T, driver string) {
		s := newTestStore(t, driver)
		ctx := testCtx(t)
		ddl := "CREATE TABLE test_ledger (id INTEGER PRIMARY KEY, account_id INTEGER NOT NULL, amount INTEGER NOT NULL, note TEXT NOT NULL, at INTEGER) STRICT"
		if driver == DriverMySQL {
			ddl = "CREATE TABLE test_ledger (id BIGINT AUTO_INCREMENT PRIMARY KEY, account_id BIGINT NOT NULL, amount BIGINT NOT NULL, note VARCHAR(100) NOT NULL, at DATETIME(6) NULL)"
		}
		if _, err := s.w.ExecContext(ctx, ddl); err != nil {
			t.Fatal(err)
		}
		w, _ := newTestWriter(t, s, WriterConfig{})
		log := newDoneLog(t, 20)
		at := time.Date(2026, 3, 4, 5, 6, 7, 891011000, time.UTC)
		for i := 1; i <= 10; i++ {
			if err := w.Add(&ledgerRow{AccountID: 3, Amount: int64(-i * 1000), Note: "charge 'it'", At: at}, log.tag(i)); err != nil {
				t.Fatal(err)
			}
			if err := w.Add(testMessage(3, sms.ID(i)), log.tag(-i)); err != nil {
				t.Fatal(err)
			}
		}
		if err := w.Flush(ctx); err != nil {
			t.Fatal(err)
		}
		var got struct {
			N    int    `db:"n"`
			Sum  int64  `db:"total"`
			Note string `db:"note"`
			At   dbTime `db:"at"`
		}
		if err := s.r.GetContext(ctx, &got,
			"SELECT COUNT(*) AS n, SUM(amount) AS total, MIN(note) AS note, MIN(at) AS at FROM test_ledger WHERE account_id = 3"); err != nil {
			t.Fatal(err)
		}
		if got.N != 10 || got.Sum != -55000 || got.Note != "charge 'it'" || !got.At.Equal(at) {
			t.Fatalf("ledger = %+v", got)
		}
		if c := metricValue(t, w.m.rows.WithLabelValues("test_ledger")); c != 10 {
			t.Fatalf("rows_total{table=test_ledger} = %v", c)
		}
	})
}

func TestNewTableRejectsBadNames(t *testing.T) {
	for _, c := range []struct {
		name string
		cols []string
	}{
		{"", []string{"a"}},
		{"t; DROP TABLE x", []string{"a"}},
		{"t", nil},
		{"t", []string{"a", "a"}},
		{"t", []string{"a`b"}},
		{"1t", []string{"a"}},
		{strings.Repeat("t", 65), []string{"a"}},
	} {
		if _, err := NewTable(c.name, c.cols...); !errors.Is(err, ErrInvalid) {
			t.Errorf("NewTable(%q, %q) = %v, want ErrInvalid", c.name, c.cols, err)
		}
	}
	tb, err := NewTable("ledger_entries", "account_id", "amount")
	if err != nil || tb.Name() != "ledger_entries" || len(tb.Columns()) != 2 {
		t.Fatalf("NewTable = %v, %v", tb, err)
	}
}
