package store

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/gallant-sms/gallant/sms"
)

// writeMessages stores n messages of account with ids from first, through
// a Writer, and waits for their commit.
func writeMessages(tb testing.TB, s *Store, account int64, first sms.ID, n int) {
	tb.Helper()
	w, _ := newTestWriter(tb, s, WriterConfig{})
	d := newDoneLog(tb, n)
	for i := range n {
		id := first + sms.ID(i)
		if err := w.Add(testMessage(account, id), d.tag(id)); err != nil {
			tb.Fatal(err)
		}
	}
	d.wait(n)
	for i := range n {
		if err, _ := d.err(first + sms.ID(i)); err != nil {
			tb.Fatal(err)
		}
	}
}

// storedIDs returns the ids of account's messages in s.
func storedIDs(tb testing.TB, s *Store, account int64) []int64 {
	tb.Helper()
	var ids []int64
	if err := s.r.SelectContext(context.Background(), &ids, "SELECT id FROM messages WHERE account_id = ? ORDER BY id", account); err != nil {
		tb.Fatal(err)
	}
	return ids
}

func TestBackupRestoreRoundTrip(t *testing.T) {
	for _, name := range []string{"copy.db", "copy.db.gz"} {
		t.Run(name, func(t *testing.T) {
			ctx := testCtx(t)
			s := newTestStore(t, DriverSQLite)
			writeMessages(t, s, 7, 1000, 300)
			if err := s.CreateBillingAccount(ctx, &BillingAccount{AccountID: 7, Currency: "EUR"}); err != nil {
				t.Fatal(err)
			}
			if err := s.PostBalance(ctx, &LedgerEntry{AccountID: 7, Kind: LedgerTopUp, Amount: 5_000_000, Reason: "top-up"}); err != nil {
				t.Fatal(err)
			}
			if _, err := s.LeaseNode(ctx, "source", time.Hour); err != nil {
				t.Fatal(err)
			}
			out := filepath.Join(t.TempDir(), name)
			info, err := s.BackupTo(ctx, out, false)
			if err != nil {
				t.Fatal(err)
			}
			cur, _, err := s.SchemaVersion(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if info.SchemaVersion != cur || info.Bytes <= 0 || info.DatabaseBytes <= 0 {
				t.Fatalf("backup info %+v, schema version %d", info, cur)
			}
			head := make([]byte, 16)
			f, err := os.Open(out)
			if err != nil {
				t.Fatal(err)
			}
			_, _ = f.Read(head)
			f.Close()
			if gz := bytes.HasPrefix(head, []byte{0x1f, 0x8b}); gz != (filepath.Ext(name) == ".gz") {
				t.Fatalf("backup %s starts with %x", name, head)
			}
			if fi, _ := os.Stat(out); fi.Mode().Perm() != backupFilePermissions {
				t.Fatalf("backup mode %v, want %v", fi.Mode().Perm(), os.FileMode(backupFilePermissions))
			}
			// A second backup to the same file is refused without overwrite.
			if _, err := s.BackupTo(ctx, out, false); !errors.Is(err, ErrExists) {
				t.Fatalf("backup over an existing file: %v, want ErrExists", err)
			}
			if _, err := s.BackupTo(ctx, out, true); err != nil {
				t.Fatalf("backup with overwrite: %v", err)
			}

			// Messages written after the backup are not in it.
			writeMessages(t, s, 7, 5000, 10)

			dst := Config{Driver: DriverSQLite, DSN: filepath.Join(t.TempDir(), "restored", "gallant.db")}
			rinfo, err := RestoreSQLite(ctx, out, dst, false)
			if err != nil {
				t.Fatal(err)
			}
			if rinfo.SchemaVersion != cur || len(rinfo.Migrated) != 0 {
				t.Fatalf("restore info %+v, want schema %d and nothing migrated", rinfo, cur)
			}
			r := openTestStore(t, dst)
			if got, want := storedIDs(t, r, 7), storedIDs(t, s, 7)[:300]; !slices.Equal(got, want) {
				t.Fatalf("restored %d messages, want the %d stored before the backup", len(got), len(want))
			}
			a, err := r.GetBillingAccount(ctx, 7)
			if err != nil {
				t.Fatal(err)
			}
			if sum, _, err := r.LedgerTotals(ctx, 7); err != nil || a.Balance != 5_000_000 || sum != a.Balance {
				t.Fatalf("restored balance %d, ledger sum %d (%v); want 5000000 both", a.Balance, sum, err)
			}
			// No process runs on the copy: the node lease it carries has
			// expired, so a gateway started on it takes node 0 at once.
			if node, err := r.LeaseNode(ctx, "restored", time.Minute); err != nil || node != 0 {
				t.Fatalf("lease on the restored copy: node %d, %v; want node 0", node, err)
			}
		})
	}
}

// TestBackupWhileWriting backs the database up from a second Store (as
// `gallant backup` does from its own process) while a Writer commits
// continuously: the copy holds every message committed before it began.
func TestBackupWhileWriting(t *testing.T) {
	ctx := testCtx(t)
	cfg := testConfig(t, DriverSQLite)
	s := openTestStore(t, cfg)
	if _, err := s.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	writeMessages(t, s, 3, 1, 2000)
	w, _ := newTestWriter(t, s, WriterConfig{})
	var (
		mu        sync.Mutex
		committed []sms.ID
	)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		id := sms.ID(100_000)
		for {
			select {
			case <-stop:
				return
			default:
			}
			id++
			done := make(chan error, 1)
			if err := w.Add(testMessage(3, id), CommitterFunc(func(err error) { done <- err })); err != nil {
				t.Error(err)
				return
			}
			if err := <-done; err != nil {
				t.Error(err)
				return
			}
			mu.Lock()
			committed = append(committed, id)
			mu.Unlock()
		}
	}()
	waitCommitted := func(n int) {
		t.Helper()
		deadline := time.Now().Add(30 * time.Second)
		for {
			mu.Lock()
			got := len(committed)
			mu.Unlock()
			if got >= n {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("only %d messages committed", got)
			}
			time.Sleep(time.Millisecond)
		}
	}
	waitCommitted(50)
	mu.Lock()
	before := slices.Clone(committed)
	mu.Unlock()

	other := openTestStore(t, cfg)
	out := filepath.Join(t.TempDir(), "live.db")
	if _, err := other.BackupTo(ctx, out, false); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	n := len(committed)
	mu.Unlock()
	waitCommitted(n + 50) // the writer went on during and after the backup
	close(stop)
	wg.Wait()

	dst := Config{Driver: DriverSQLite, DSN: filepath.Join(t.TempDir(), "gallant.db")}
	if _, err := RestoreSQLite(ctx, out, dst, false); err != nil {
		t.Fatal(err)
	}
	r := openTestStore(t, dst)
	got := storedIDs(t, r, 3)
	for _, id := range before {
		if _, ok := slices.BinarySearch(got, int64(id)); !ok {
			t.Fatalf("message %d, committed before the backup began, is not in it (%d messages in the backup)", id, len(got))
		}
	}
	if all := storedIDs(t, s, 3); len(got) >= len(all) {
		t.Fatalf("the backup holds %d messages, the live store %d: messages committed after it are in it", len(got), len(all))
	}
}

func TestRestoreRefuses(t *testing.T) {
	ctx := testCtx(t)
	s := newTestStore(t, DriverSQLite)
	writeMessages(t, s, 9, 1, 500)
	dir := t.TempDir()
	good := filepath.Join(dir, "good.db")
	if _, err := s.BackupTo(ctx, good, false); err != nil {
		t.Fatal(err)
	}
	target := func() Config {
		return Config{Driver: DriverSQLite, DSN: filepath.Join(t.TempDir(), "gallant.db")}
	}

	t.Run("existing database", func(t *testing.T) {
		dst := target()
		if _, err := RestoreSQLite(ctx, good, dst, false); err != nil {
			t.Fatal(err)
		}
		if _, err := RestoreSQLite(ctx, good, dst, false); !errors.Is(err, ErrExists) {
			t.Fatalf("restore over a database: %v, want ErrExists", err)
		}
		if _, err := RestoreSQLite(ctx, good, dst, true); err != nil {
			t.Fatalf("restore with overwrite: %v", err)
		}
		if _, err := RestoreSQLite(ctx, dst.DSN, dst, true); !errors.Is(err, ErrInvalid) {
			t.Fatalf("restore of a database onto itself: %v, want ErrInvalid", err)
		}
	})

	t.Run("running gateway", func(t *testing.T) {
		dst := target()
		if _, err := RestoreSQLite(ctx, good, dst, false); err != nil {
			t.Fatal(err)
		}
		live := openTestStore(t, dst)
		if _, _, err := live.LeaseNodeLocked(ctx, "live", time.Minute, NodeLockPath(dst)); err != nil {
			t.Fatal(err)
		}
		if _, err := RestoreSQLite(ctx, good, dst, true); !errors.Is(err, ErrInUse) {
			t.Fatalf("restore under a running gateway: %v, want ErrInUse", err)
		}
		if got := len(storedIDs(t, live, 9)); got != 500 {
			t.Fatalf("the live database has %d messages after the refused restore, want 500", got)
		}
	})

	t.Run("newer schema", func(t *testing.T) {
		src := newTestStore(t, DriverSQLite)
		if _, err := src.w.ExecContext(ctx, "INSERT INTO schema_migrations (version, applied_at) VALUES (9999, 0)"); err != nil {
			t.Fatal(err)
		}
		newer := filepath.Join(t.TempDir(), "newer.db.gz")
		if _, err := src.BackupTo(ctx, newer, false); err != nil {
			t.Fatal(err)
		}
		dst := target()
		if _, err := RestoreSQLite(ctx, newer, dst, false); !errors.Is(err, ErrSchemaTooNew) {
			t.Fatalf("restore of a newer schema: %v, want ErrSchemaTooNew", err)
		}
		assertNoDatabase(t, dst)
	})

	t.Run("not a database", func(t *testing.T) {
		junk := filepath.Join(t.TempDir(), "junk.db")
		if err := os.WriteFile(junk, bytes.Repeat([]byte("not sqlite\n"), 1000), 0o600); err != nil {
			t.Fatal(err)
		}
		dst := target()
		if _, err := RestoreSQLite(ctx, junk, dst, false); !errors.Is(err, ErrNotBackup) {
			t.Fatalf("restore of a text file: %v, want ErrNotBackup", err)
		}
		assertNoDatabase(t, dst)

		// An SQLite database that is not Gallant's.
		foreign := filepath.Join(t.TempDir(), "foreign.db")
		db, err := Open(ctx, Config{Driver: DriverSQLite, DSN: foreign}, nil)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.w.ExecContext(ctx, "CREATE TABLE notes (id INTEGER PRIMARY KEY)"); err != nil {
			t.Fatal(err)
		}
		db.Close()
		if _, err := RestoreSQLite(ctx, foreign, dst, false); !errors.Is(err, ErrNotBackup) {
			t.Fatalf("restore of a foreign SQLite database: %v, want ErrNotBackup", err)
		}
		assertNoDatabase(t, dst)
	})

	t.Run("corrupted", func(t *testing.T) {
		b, err := os.ReadFile(good)
		if err != nil {
			t.Fatal(err)
		}
		// The page holding a message's client reference is a b-tree page
		// of the messages table: overwrite its header with an invalid page
		// type.
		at := bytes.Index(b, []byte("ref-250"))
		if at < 0 {
			t.Fatal("no message in the backup")
		}
		const pageSize = 4096
		page := at / pageSize * pageSize
		copy(b[page:], bytes.Repeat([]byte{0xff}, 12))
		bad := filepath.Join(t.TempDir(), "bad.db")
		if err := os.WriteFile(bad, b, 0o600); err != nil {
			t.Fatal(err)
		}
		dst := target()
		if _, err := RestoreSQLite(ctx, bad, dst, false); !errors.Is(err, ErrNotBackup) {
			t.Fatalf("restore of a corrupted database: %v, want ErrNotBackup", err)
		}
		assertNoDatabase(t, dst)
	})

	t.Run("truncated gzip", func(t *testing.T) {
		gz := filepath.Join(t.TempDir(), "cut.db.gz")
		if _, err := s.BackupTo(ctx, gz, false); err != nil {
			t.Fatal(err)
		}
		b, err := os.ReadFile(gz)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(gz, b[:len(b)/2], 0o600); err != nil {
			t.Fatal(err)
		}
		dst := target()
		if _, err := RestoreSQLite(ctx, gz, dst, false); !errors.Is(err, ErrNotBackup) {
			t.Fatalf("restore of a truncated gzip: %v, want ErrNotBackup", err)
		}
		assertNoDatabase(t, dst)
	})
}

// assertNoDatabase fails t if a refused restore left a database at cfg.
func assertNoDatabase(t *testing.T, cfg Config) {
	t.Helper()
	if has, err := hasData(cfg.DSN); err != nil || has {
		t.Fatalf("a refused restore left data at %s (%v)", cfg.DSN, err)
	}
}

func TestBackupMySQLUnsupported(t *testing.T) {
	s := newTestStore(t, DriverMySQL)
	if _, err := s.BackupTo(testCtx(t), filepath.Join(t.TempDir(), "x.db"), false); !errors.Is(err, ErrBackupUnsupported) {
		t.Fatalf("backup of MySQL: %v, want ErrBackupUnsupported", err)
	}
	if _, err := RestoreSQLite(testCtx(t), "x.db", testConfig(t, DriverMySQL), false); !errors.Is(err, ErrBackupUnsupported) {
		t.Fatalf("restore to MySQL: %v, want ErrBackupUnsupported", err)
	}
}

// TestRestoreMigratesOlder restores a backup made by an older release
// (its schema one migration behind): the restore brings it up to this
// release's.
func TestRestoreMigratesOlder(t *testing.T) {
	ctx := testCtx(t)
	s := openTestStore(t, testConfig(t, DriverSQLite))
	ms, err := loadMigrations(dialectSQLite)
	if err != nil {
		t.Fatal(err)
	}
	conn, err := s.w.Connx(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := conn.ExecContext(ctx, schemaTable[dialectSQLite-1]); err != nil {
		t.Fatal(err)
	}
	for _, m := range ms[:len(ms)-1] {
		if _, err := s.apply(ctx, conn, m); err != nil {
			t.Fatal(err)
		}
	}
	conn.Close()
	out := filepath.Join(t.TempDir(), "old.db")
	info, err := s.BackupTo(ctx, out, false)
	if err != nil {
		t.Fatal(err)
	}
	latest := ms[len(ms)-1].version
	if info.SchemaVersion != ms[len(ms)-2].version {
		t.Fatalf("backup at version %d, want %d", info.SchemaVersion, ms[len(ms)-2].version)
	}
	dst := Config{Driver: DriverSQLite, DSN: filepath.Join(t.TempDir(), "gallant.db")}
	rinfo, err := RestoreSQLite(ctx, out, dst, false)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(rinfo.Migrated, []int{latest}) {
		t.Fatalf("restore migrated %v, want [%d]", rinfo.Migrated, latest)
	}
	r := openTestStore(t, dst)
	if cur, known, err := r.SchemaVersion(ctx); err != nil || cur != known {
		t.Fatalf("restored schema %d of %d (%v)", cur, known, err)
	}
}
