//go:build !race

package store

import (
	"runtime"
	"testing"
	"time"

	"github.com/gallant-sms/gallant/sms"
)

func TestBuilderDoesNotAllocate(t *testing.T) {
	for _, d := range []dialect{dialectMySQL, dialectSQLite} {
		msgs := make([]sms.Message, 1000)
		entries := make([]entry, 0, 2000)
		for i := range msgs {
			msgs[i] = benchMessage()
			msgs[i].ID = sms.ID(i + 1)
			msgs[i].ClientRef = "it's \\ hex" // the hex path too
			entries = append(entries, entry{row: &msgs[i], table: messagesTable},
				entry{row: &Event{AccountID: 1, Event: sms.Event{MessageID: msgs[i].ID, Status: sms.StatusQueued}}, table: eventsTable})
		}
		b := newBuilder(d, defaultMaxStatementBytes, nil)
		now := time.Now()
		b.build(entries, now, false) // grow the buffer once
		if a := testing.AllocsPerRun(20, func() { b.build(entries, now, false) }); a != 0 {
			t.Errorf("dialect %d: build of 2,000 rows allocates %v times", d, a)
		}
	}
}

func TestWriterAddDoesNotAllocate(t *testing.T) {
	s := newTestStore(t, DriverSQLite)
	// Nothing is written during the measurement: the only worker is held
	// busy, and the batch is neither full nor due.
	w, err := NewWriter(s, WriterConfig{MaxRows: 100000, MaxPending: 100000, MaxDelay: time.Hour, Workers: 1}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close(testCtx(t))
	release := holdWriter(t, w, 1000)
	m := testMessage(1, 1)
	done := CommitterFunc(func(error) {})
	if a := testing.AllocsPerRun(1000, func() {
		if err := w.Add(m, done); err != nil {
			t.Fatal(err)
		}
	}); a != 0 {
		t.Fatalf("Add allocates %v times per row", a)
	}
	// The rows all carry id 1: drop them rather than write them.
	w.hardStop()
	release()
}

// TestPreparedBytesPerRow: SQLite's prepared path allocates little per
// row: the bound values' boxes, not database/sql's conversion of every
// argument of every statement into a fresh slice (which took about 1,150
// bytes per message row, bench/RESULTS.md 2026-12-07).
func TestPreparedBytesPerRow(t *testing.T) {
	s := newTestStore(t, DriverSQLite)
	ctx := testCtx(t)
	w, err := NewWriter(s, WriterConfig{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close(ctx)
	const n = 5000
	msgs := make([]sms.Message, n)
	write := func(round int) {
		t.Helper()
		for i := range msgs {
			msgs[i] = benchMessage()
			msgs[i].ID = sms.ID(round*n + i + 1)
			if err := w.Add(&msgs[i], nil); err != nil {
				t.Fatal(err)
			}
		}
		if err := w.Flush(ctx); err != nil {
			t.Fatal(err)
		}
	}
	write(0) // prepares the statements
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	write(1)
	runtime.ReadMemStats(&after)
	if perRow := float64(after.TotalAlloc-before.TotalAlloc) / n; perRow > 700 {
		t.Errorf("%.0f bytes allocated per message row, want at most 700", perRow)
	} else {
		t.Logf("%.0f bytes allocated per message row", perRow)
	}
}
