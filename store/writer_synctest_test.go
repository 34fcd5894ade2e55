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

// TestWriterDeadlineIsExact checks the batch deadline on a fake clock: a
// batch short of MaxRows is written exactly MaxDelay after its first row,
// not before. SQLite runs in-process, so the whole store lives inside the
// bubble.
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
		w, err := NewWriter(s, WriterConfig{MaxDelay: delay}, nil)
		if err != nil {
			t.Fatal(err)
		}
		var done atomic.Int32
		count := func(_ any, err error) {
			if err != nil {
				t.Errorf("row failed: %v", err)
			}
			done.Add(1)
		}
		if err := w.Add(testMessage(1, 1), count, nil); err != nil {
			t.Fatal(err)
		}
		time.Sleep(delay / 2)
		// A second row joins the batch the first one opened.
		if err := w.Add(testMessage(1, 2), count, nil); err != nil {
			t.Fatal(err)
		}
		synctest.Wait()
		if n := done.Load(); n != 0 {
			t.Fatalf("%d rows written after %v of a %v deadline", n, delay/2, delay)
		}
		time.Sleep(delay/2 - time.Nanosecond)
		synctest.Wait()
		if n := done.Load(); n != 0 {
			t.Fatalf("%d rows written a nanosecond before the deadline", n)
		}
		time.Sleep(time.Nanosecond)
		synctest.Wait()
		if n := done.Load(); n != 2 {
			t.Fatalf("%d rows written at the deadline, want 2", n)
		}
		// The next batch's deadline starts with its own first row.
		time.Sleep(time.Hour)
		if err := w.Add(testMessage(1, 3), count, nil); err != nil {
			t.Fatal(err)
		}
		time.Sleep(delay - time.Nanosecond)
		synctest.Wait()
		if n := done.Load(); n != 2 {
			t.Fatalf("third row written early: %d done", n)
		}
		time.Sleep(time.Nanosecond)
		synctest.Wait()
		if n := done.Load(); n != 3 {
			t.Fatalf("third row not written at its deadline: %d done", n)
		}
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
