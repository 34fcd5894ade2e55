package store

import (
	"context"
	"path/filepath"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/gallant-sms/gallant/sms"
)

// TestWriterDeadlineIsExact checks the group-commit timing on a fake
// clock: an idle writer writes a row at once, with no time passing; beside
// a batch in flight, a second batch short of MaxRows is started exactly
// MaxDelay after its first row, not before. SQLite runs in-process, so the
// whole store lives inside the bubble.
func TestWriterDeadlineIsExact(t *testing.T) {
	dir := t.TempDir()
	synctest.Test(t, func(t *testing.T) {
		ctx := context.Background()
		s, err := Open(ctx, Config{Driver: DriverSQLite, DSN: filepath.Join(dir, "synctest.db")}, nil)
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		if _, err := s.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		const delay = 50 * time.Millisecond
		w, err := NewWriter(s, WriterConfig{MaxDelay: delay, Workers: 2}, nil)
		if err != nil {
			t.Fatal(err)
		}
		var done atomic.Int32
		count := CommitterFunc(func(err error) {
			if err != nil {
				t.Errorf("row failed: %v", err)
			}
			done.Add(1)
		})
		// The first row finds the writer idle: it is written at once.
		// Its Committer then holds its batch in flight until release.
		release := make(chan struct{})
		start := time.Now()
		if err := w.Add(testMessage(1, 1), CommitterFunc(func(err error) {
			count(err)
			<-release
		})); err != nil {
			t.Fatal(err)
		}
		synctest.Wait()
		if n := done.Load(); n != 1 || time.Since(start) != 0 {
			t.Fatalf("idle writer: %d rows written after %v, want 1 at once", n, time.Since(start))
		}
		// Beside that batch, the second worker gathers for MaxDelay.
		if err := w.Add(testMessage(1, 2), count); err != nil {
			t.Fatal(err)
		}
		time.Sleep(delay / 2)
		if err := w.Add(testMessage(1, 3), count); err != nil {
			t.Fatal(err)
		}
		synctest.Wait()
		if n := done.Load(); n != 1 {
			t.Fatalf("%d rows written after %v of a %v deadline", n, delay/2, delay)
		}
		time.Sleep(delay/2 - time.Nanosecond)
		synctest.Wait()
		if n := done.Load(); n != 1 {
			t.Fatalf("%d rows written a nanosecond before the deadline", n)
		}
		time.Sleep(time.Nanosecond)
		synctest.Wait()
		if n := done.Load(); n != 3 {
			t.Fatalf("%d rows written at the deadline, want 3", n)
		}
		close(release)
		if err := w.Close(ctx); err != nil {
			t.Fatal(err)
		}
		var stored int
		if err := s.r.GetContext(ctx, &stored, "SELECT COUNT(*) FROM messages WHERE id IN (?, ?, ?)",
			int64(sms.ID(1)), int64(sms.ID(2)), int64(sms.ID(3))); err != nil || stored != 3 {
			t.Fatalf("stored %d, %v", stored, err)
		}
	})
}

// TestWriterLag checks gallant_store_writer_lag_seconds on a fake clock:
// the age of the oldest row not yet written, whether it is in a batch
// being written or still queued behind it, and 0 once every row is.
func TestWriterLag(t *testing.T) {
	dir := t.TempDir()
	synctest.Test(t, func(t *testing.T) {
		ctx := context.Background()
		s, err := Open(ctx, Config{Driver: DriverSQLite, DSN: filepath.Join(dir, "lag.db")}, nil)
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		if _, err := s.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		reg := prometheus.NewRegistry()
		w, err := NewWriter(s, WriterConfig{Workers: 1}, reg)
		if err != nil {
			t.Fatal(err)
		}
		lag := func() float64 {
			t.Helper()
			mfs, err := reg.Gather()
			if err != nil {
				t.Fatal(err)
			}
			for _, mf := range mfs {
				if mf.GetName() == "gallant_store_writer_lag_seconds" {
					return mf.GetMetric()[0].GetGauge().GetValue()
				}
			}
			t.Fatal("gallant_store_writer_lag_seconds is not registered")
			return 0
		}
		if v := lag(); v != 0 {
			t.Fatalf("idle writer: lag %v, want 0", v)
		}
		// Row 1's Committer holds its batch in flight until release.
		release := make(chan struct{})
		var done atomic.Int32
		if err := w.Add(testMessage(1, 1), CommitterFunc(func(err error) {
			if err != nil {
				t.Errorf("row 1: %v", err)
			}
			done.Add(1)
			<-release
		})); err != nil {
			t.Fatal(err)
		}
		synctest.Wait()
		time.Sleep(3 * time.Second)
		if v := lag(); v != 3 {
			t.Fatalf("a batch in flight for 3s: lag %v, want 3", v)
		}
		// Row 2 waits behind it (one worker): the oldest is still row 1.
		if err := w.Add(testMessage(1, 2), CommitterFunc(func(err error) {
			if err != nil {
				t.Errorf("row 2: %v", err)
			}
			done.Add(1)
		})); err != nil {
			t.Fatal(err)
		}
		time.Sleep(time.Second)
		if v := lag(); v != 4 {
			t.Fatalf("row 1 in flight 4s, row 2 queued 1s: lag %v, want 4", v)
		}
		close(release)
		synctest.Wait()
		if n := done.Load(); n != 2 {
			t.Fatalf("%d rows written, want 2", n)
		}
		if v := lag(); v != 0 {
			t.Fatalf("every row written: lag %v, want 0", v)
		}
		if err := w.Close(ctx); err != nil {
			t.Fatal(err)
		}
	})
}
