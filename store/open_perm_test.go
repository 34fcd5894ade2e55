package store

import (
	"os"
	"path/filepath"
	"testing"
)

// TestSQLiteFilesOwnerOnly checks that the database and its -wal and -shm
// files are readable by their owner only, on a new database and on one
// an older version left world-readable.
func TestSQLiteFilesOwnerOnly(t *testing.T) {
	ctx := testCtx(t)
	for _, existing := range []bool{false, true} {
		dir := t.TempDir()
		path := filepath.Join(dir, "sub", "gallant.db")
		if existing {
			if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
				t.Fatal(err)
			}
			for _, p := range []string{path, path + "-wal"} {
				if err := os.WriteFile(p, nil, 0o644); err != nil {
					t.Fatal(err)
				}
				if err := os.Chmod(p, 0o644); err != nil { // whatever the umask
					t.Fatal(err)
				}
			}
		}
		s := openTestStore(t, Config{Driver: DriverSQLite, DSN: path})
		if _, err := s.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		if err := s.PutIdempotent(ctx, &Idempotent{AccountID: 1, Key: "k", RequestHash: "h"}); err != nil {
			t.Fatal(err)
		}
		for _, p := range []string{path, path + "-wal", path + "-shm"} {
			fi, err := os.Stat(p)
			if err != nil {
				t.Fatalf("existing=%v: %v", existing, err)
			}
			if perm := fi.Mode().Perm(); perm != 0o600 {
				t.Errorf("existing=%v: %s has mode %v, want -rw-------", existing, filepath.Base(p), perm)
			}
		}
		if !existing {
			fi, err := os.Stat(filepath.Dir(path))
			if err != nil {
				t.Fatal(err)
			}
			if perm := fi.Mode().Perm(); perm&0o077 != 0 {
				t.Errorf("new directory has mode %v, want no access for group and others", perm)
			}
		}
	}
}
