package store

import (
	"context"
	"path/filepath"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

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
