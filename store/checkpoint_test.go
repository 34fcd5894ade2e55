package store

import (
	"os"
	"strings"
	"testing"
	"time"

	"github.com/gallant-sms/gallant/sms"
)

// TestCheckpointerCopiesWAL: the checkpointer, not the writer's commit,
// moves committed pages from the WAL into the database file: with far
// fewer pages written than the writer's own automatic checkpoint waits
// for, the database file still grows soon after the commits.
func TestCheckpointerCopiesWAL(t *testing.T) {
	cfg := testConfig(t, DriverSQLite)
	s := openTestStore(t, cfg)
	ctx := testCtx(t)
	if _, err := s.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	path := strings.TrimPrefix(cfg.DSN, "file:")
	// The migration's pages go into the file first (a complete
	// checkpoint, run here), so that only the rows below can grow it.
	if _, err := s.w.ExecContext(ctx, "PRAGMA wal_checkpoint(TRUNCATE)"); err != nil {
		t.Fatal(err)
	}
	before := fileSize(t, path)
	const n = 2000 // ~1 MiB of rows: a few hundred pages, far below writerAutoCheckpointPages
	rows := make([]Row, n)
	for i := range rows {
		m := benchMessage()
		m.ID = sms.ID(i + 1)
		m.Body = []byte(strings.Repeat("x", 400))
		rows[i] = &m
	}
	if err := s.Insert(ctx, rows...); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for fileSize(t, path) <= before+512*1024 {
		if time.Now().After(deadline) {
			t.Fatalf("database file %d bytes, was %d: the WAL was not checkpointed", fileSize(t, path), before)
		}
		time.Sleep(checkpointEvery)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("close: %v", err)
	}
}

func fileSize(t *testing.T, path string) int64 {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Size()
}
