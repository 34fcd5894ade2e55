package store

import (
	"bufio"
	"compress/gzip"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	sqlite "modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// Backups of an SQLite store.
//
// A backup is the database file itself, taken with SQLite's online backup
// API from a read-only connection while the gateway keeps writing. In WAL
// mode a reader sees one committed state of the database for as long as
// its read transaction lasts and never blocks the writer, so the whole
// copy is made in a single step (sqlite3_backup_step(-1)): every page
// comes from the same snapshot, and the backup holds every transaction
// committed before it began (every message acknowledged in durable mode)
// and none of the ones committed during it. A copy made in several steps
// would start over at each write of another connection, which under load
// means never finishing. The backup is written beside its destination,
// synced, and renamed into place, so a crash leaves either no file or a
// whole one; a name ending in ".gz" is gzip-compressed.
//
// The schema version is the one recorded in the copy's schema_migrations,
// which restore reads back: no separate manifest can disagree with it.
//
// MySQL and MariaDB are backed up with their own tools (mariadb-dump
// --single-transaction, mariabackup): see docs/operations.md.

// ErrBackupUnsupported means the store cannot back itself up: it runs
// on MySQL, whose own tools do it (see docs/operations.md).
var ErrBackupUnsupported = errors.New("store: backup and restore by gallant are for the SQLite store; back MySQL/MariaDB up with mariadb-dump --single-transaction or mariabackup (docs/operations.md)")

// ErrExists means the destination of a backup or restore already holds
// data and overwriting was not asked for.
var ErrExists = errors.New("store: destination exists")

// ErrNotBackup means a file given to restore is not a Gallant SQLite
// database, or is damaged.
var ErrNotBackup = errors.New("store: not a usable Gallant database")

// ErrInUse means a gateway holds the database that a restore would
// replace.
var ErrInUse = errors.New("store: database in use by a running gateway")

// sqliteMagic starts every SQLite database file.
const sqliteMagic = "SQLite format 3\x00"

// backupFilePermissions: a backup holds what the database holds.
const backupFilePermissions = 0o600

// BackupInfo describes a finished backup.
type BackupInfo struct {
	// Path is the file written.
	Path string `json:"path"`
	// Bytes is the size of that file (compressed when gzipped).
	Bytes int64 `json:"bytes"`
	// DatabaseBytes is the size of the database copied.
	DatabaseBytes int64 `json:"database_bytes"`
	// SchemaVersion is the newest migration in the copy.
	SchemaVersion int `json:"schema_version"`
	// Snapshot is how long the read snapshot was held (the copy itself).
	Snapshot time.Duration `json:"snapshot_ns"`
	// Duration is the whole backup, compression and syncs included.
	Duration time.Duration `json:"duration_ns"`
}

// BackupTo writes a consistent copy of the SQLite database to path (see
// the comment above for what it holds) while the store, and any other
// process on the same file, goes on reading and writing. A path ending in
// ".gz" is gzip-compressed. An existing path is [ErrExists] unless
// overwrite. On MySQL it returns [ErrBackupUnsupported].
func (s *Store) BackupTo(ctx context.Context, path string, overwrite bool) (BackupInfo, error) {
	start := time.Now()
	info := BackupInfo{Path: path}
	if s.d != dialectSQLite {
		return info, ErrBackupUnsupported
	}
	if path == "" {
		return info, fmt.Errorf("%w: backup needs a destination file", ErrInvalid)
	}
	if _, err := os.Stat(path); err == nil && !overwrite {
		return info, fmt.Errorf("%w: %s (give --force to replace it)", ErrExists, path)
	} else if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return info, fmt.Errorf("store: backup: %w", err)
	}
	dir := filepath.Dir(path)
	raw, err := tempName(dir, filepath.Base(path)+".part")
	if err != nil {
		return info, err
	}
	defer removeDatabase(raw)
	snap := time.Now()
	if err := s.copyDatabase(ctx, raw); err != nil {
		return info, err
	}
	info.Snapshot = time.Since(snap)
	if info.SchemaVersion, err = schemaVersionOf(ctx, raw); err != nil {
		return info, err
	}
	fi, err := os.Stat(raw)
	if err != nil {
		return info, fmt.Errorf("store: backup: %w", err)
	}
	info.DatabaseBytes = fi.Size()
	final := raw
	if strings.HasSuffix(path, ".gz") {
		gz, err := tempName(dir, filepath.Base(path)+".gz-part")
		if err != nil {
			return info, err
		}
		defer os.Remove(gz)
		if err := compressFile(ctx, raw, gz); err != nil {
			return info, err
		}
		final = gz
	} else if err := syncFile(raw); err != nil {
		return info, err
	}
	if err := os.Rename(final, path); err != nil {
		return info, fmt.Errorf("store: backup: %w", err)
	}
	if err := syncDir(dir); err != nil {
		return info, err
	}
	if fi, err = os.Stat(path); err != nil {
		return info, fmt.Errorf("store: backup: %w", err)
	}
	info.Bytes = fi.Size()
	info.Duration = time.Since(start)
	return info, nil
}

// copyDatabase copies the database into the new file dst in one step of
// the online backup API, from a read-only connection of the store.
func (s *Store) copyDatabase(ctx context.Context, dst string) error {
	// Created first, so that SQLite opens it with the owner-only mode.
	f, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, backupFilePermissions)
	if err != nil {
		return fmt.Errorf("store: backup: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("store: backup: %w", err)
	}
	conn, err := s.r.Conn(ctx)
	if err != nil {
		return fmt.Errorf("store: backup: %w", mapErr(err))
	}
	defer conn.Close()
	err = conn.Raw(func(dc any) error {
		b, ok := dc.(interface {
			NewBackup(string) (*sqlite.Backup, error)
		})
		if !ok {
			return fmt.Errorf("the SQLite driver has no online backup (%T)", dc)
		}
		bk, err := b.NewBackup(dst)
		if err != nil {
			return err
		}
		return errors.Join(stepAll(ctx, bk), bk.Finish())
	})
	if err != nil {
		return fmt.Errorf("store: backup: copy: %w", mapErr(err))
	}
	return nil
}

// backupBusyWait bounds how long a backup waits for a read lock: the
// source connection's busy timeout covers the usual waits (a WAL reset by
// a checkpoint), this the rare SQLITE_BUSY that escapes it.
const backupBusyWait = time.Minute

// stepAll copies every page of bk in one step, trying again while the
// source is busy.
func stepAll(ctx context.Context, bk *sqlite.Backup) error {
	deadline := time.Now().Add(backupBusyWait)
	t := time.NewTimer(0)
	defer t.Stop()
	for {
		_, err := bk.Step(-1)
		var se *sqlite.Error
		if err == nil || !errors.As(err, &se) || (se.Code()&0xff != sqlite3.SQLITE_BUSY && se.Code()&0xff != sqlite3.SQLITE_LOCKED) ||
			time.Now().After(deadline) {
			return err
		}
		t.Reset(10 * time.Millisecond)
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
		}
	}
}

// RestoreInfo describes a finished restore.
type RestoreInfo struct {
	// Path is the database file restored.
	Path string `json:"path"`
	// Bytes is its size.
	Bytes int64 `json:"bytes"`
	// SchemaVersion is the backup's schema version; Migrated lists the
	// migrations applied after it, to bring it to this release's.
	SchemaVersion int   `json:"schema_version"`
	Migrated      []int `json:"migrated"`
	// Check is how long the integrity check took, part of Duration.
	Check time.Duration `json:"check_ns"`
	// Duration is the whole restore, checks and migrations included.
	Duration time.Duration `json:"duration_ns"`
}

// RestoreSQLite puts the backup from (a file [Store.BackupTo] wrote,
// gzipped or not) in place as the SQLite database of cfg, ready for
// `gallant serve`. It first checks, on a copy beside the destination,
// that from is a Gallant database (SQLite, with the store's tables), that
// SQLite's integrity check passes, and that its schema is not newer than
// this release ([ErrSchemaTooNew]); only then does it replace the
// destination, by a rename. A destination with data is [ErrExists] unless
// overwrite, and one that a running gateway holds (its node lock, see
// [NodeLockPath]) is always [ErrInUse]. The restored database is then
// migrated to this release, and its node leases (see [Store.LeaseNode])
// are expired: no process runs on the copy yet, so the first gateway
// started on it takes the first node at once and recovers the messages
// that were still unfinished when the backup was taken.
func RestoreSQLite(ctx context.Context, from string, cfg Config, overwrite bool) (RestoreInfo, error) {
	start := time.Now()
	if cfg.Driver == DriverMySQL {
		return RestoreInfo{}, ErrBackupUnsupported
	}
	path := strings.TrimPrefix(cfg.DSN, "file:")
	info := RestoreInfo{Path: path}
	if path == "" || strings.ContainsAny(path, "?#") {
		return info, fmt.Errorf("%w: store.dsn: give SQLite a plain file path", ErrInvalid)
	}
	if a, b := absPath(from), absPath(path); a == b {
		return info, fmt.Errorf("%w: restore %s onto itself", ErrInvalid, from)
	}
	if err := checkNotInUse(cfg); err != nil {
		return info, err
	}
	if !overwrite {
		if has, err := hasData(path); err != nil {
			return info, err
		} else if has {
			return info, fmt.Errorf("%w: %s holds a database (give --force to replace it)", ErrExists, path)
		}
	}
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, sqliteDirPermissions); err != nil {
		return info, fmt.Errorf("store: restore: %w", err)
	}
	tmp, err := tempName(dir, filepath.Base(path)+".restore")
	if err != nil {
		return info, err
	}
	defer removeDatabase(tmp)
	if err := unpack(ctx, from, tmp); err != nil {
		return info, err
	}
	checkStart := time.Now()
	if info.SchemaVersion, err = checkBackup(ctx, tmp); err != nil {
		return info, err
	}
	info.Check = time.Since(checkStart)
	if err := syncFile(tmp); err != nil {
		return info, err
	}
	// The old database's WAL and shared-memory files belong to it: left
	// beside the new file, SQLite would apply that WAL to it.
	if err := checkNotInUse(cfg); err != nil {
		return info, err
	}
	for _, p := range []string{path + "-wal", path + "-shm", path + "-journal"} {
		if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return info, fmt.Errorf("store: restore: %w", err)
		}
	}
	if err := os.Rename(tmp, path); err != nil {
		return info, fmt.Errorf("store: restore: %w", err)
	}
	if err := syncDir(dir); err != nil {
		return info, err
	}
	st, err := Open(ctx, Config{Driver: DriverSQLite, DSN: path}, nil)
	if err != nil {
		return info, fmt.Errorf("store: restore: open restored database: %w", err)
	}
	defer st.Close()
	if info.Migrated, err = st.Migrate(ctx); err != nil {
		return info, fmt.Errorf("store: restore: %w", err)
	}
	if _, err := st.w.ExecContext(ctx, "UPDATE instances SET expires_at = ? WHERE expires_at > ?",
		st.timeArg(st.now()), st.timeArg(st.now())); err != nil {
		return info, fmt.Errorf("store: restore: expire node leases: %w", mapErr(err))
	}
	if err := st.Close(); err != nil {
		return info, err
	}
	if fi, err := os.Stat(path); err == nil {
		info.Bytes = fi.Size()
	}
	info.Duration = time.Since(start)
	return info, nil
}

// absPath returns path made absolute, or path itself if that fails.
func absPath(path string) string {
	if a, err := filepath.Abs(path); err == nil {
		return a
	}
	return path
}

// checkNotInUse returns [ErrInUse] if a live process holds one of the
// node lock files of cfg's database.
func checkNotInUse(cfg Config) error {
	base := NodeLockPath(cfg)
	for i := range nodeLockSlots {
		f, err := os.OpenFile(fmt.Sprintf("%s.%d", base, i), os.O_RDWR, 0)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return fmt.Errorf("store: restore: node lock: %w", err)
		}
		ok, err := tryLockFile(f)
		f.Close() // releases the lock if taken
		if err == nil && !ok {
			return fmt.Errorf("%w: stop the gateway on %s first", ErrInUse, cfg.DSN)
		}
	}
	return nil
}

// hasData reports whether the SQLite database at path (or its WAL) is a
// non-empty file.
func hasData(path string) (bool, error) {
	for _, p := range []string{path, path + "-wal"} {
		fi, err := os.Stat(p)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return false, fmt.Errorf("store: restore: %w", err)
		}
		if fi.Size() > 0 {
			return true, nil
		}
	}
	return false, nil
}

// unpack copies from into the new file dst, decompressing it if it is
// gzipped (by its content, whatever its name).
func unpack(ctx context.Context, from, dst string) error {
	in, err := os.Open(from)
	if err != nil {
		return fmt.Errorf("store: restore: %w", err)
	}
	defer in.Close()
	br := bufio.NewReaderSize(in, 1<<20)
	var src io.Reader = br
	if head, _ := br.Peek(2); len(head) == 2 && head[0] == 0x1f && head[1] == 0x8b {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return fmt.Errorf("%w: %s: %v", ErrNotBackup, from, err)
		}
		defer zr.Close()
		src = zr
	}
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, sqliteFilePermissions)
	if err != nil {
		return fmt.Errorf("store: restore: %w", err)
	}
	if _, err := io.Copy(out, ctxReader{ctx, src}); err != nil {
		out.Close()
		if errors.Is(err, gzip.ErrChecksum) || errors.Is(err, gzip.ErrHeader) || errors.Is(err, io.ErrUnexpectedEOF) {
			return fmt.Errorf("%w: %s: %v", ErrNotBackup, from, err)
		}
		return fmt.Errorf("store: restore: %w", err)
	}
	if err := out.Close(); err != nil {
		return fmt.Errorf("store: restore: %w", err)
	}
	return nil
}

// checkBackup checks that the database file at path is a Gallant
// database that passes SQLite's integrity check and that this release
// can run, and returns its schema version.
func checkBackup(ctx context.Context, path string) (int, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, fmt.Errorf("store: restore: %w", err)
	}
	var head [len(sqliteMagic)]byte
	_, err = io.ReadFull(f, head[:])
	f.Close()
	if err != nil || string(head[:]) != sqliteMagic {
		return 0, fmt.Errorf("%w: not an SQLite database", ErrNotBackup)
	}
	db, err := sqlx.Open(sqliteDriverName, "file:"+path+"?mode=rw")
	if err != nil {
		return 0, fmt.Errorf("store: restore: %w", err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	var result []string
	if err := db.SelectContext(ctx, &result, "PRAGMA integrity_check(20)"); err != nil {
		return 0, fmt.Errorf("%w: integrity check: %v", ErrNotBackup, mapErr(err))
	}
	if len(result) != 1 || result[0] != "ok" {
		return 0, fmt.Errorf("%w: integrity check failed: %s", ErrNotBackup, strings.Join(result, "; "))
	}
	var tables int
	if err := db.GetContext(ctx, &tables, "SELECT COUNT(*) FROM sqlite_schema WHERE type = 'table' AND name IN ('schema_migrations', 'messages', 'billing_ledger')"); err != nil {
		return 0, fmt.Errorf("%w: %v", ErrNotBackup, mapErr(err))
	}
	if tables != 3 {
		return 0, fmt.Errorf("%w: an SQLite database without Gallant's tables", ErrNotBackup)
	}
	var version int
	if err := db.GetContext(ctx, &version, "SELECT COALESCE(MAX(version), 0) FROM schema_migrations"); err != nil {
		return 0, fmt.Errorf("%w: schema version: %v", ErrNotBackup, mapErr(err))
	}
	ms, err := loadMigrations(dialectSQLite)
	if err != nil {
		return 0, err
	}
	if known := ms[len(ms)-1].version; version > known {
		return version, fmt.Errorf("%w: backup at version %d, this release knows up to %d", ErrSchemaTooNew, version, known)
	}
	return version, nil
}

// schemaVersionOf reads the schema version of the SQLite file at path.
func schemaVersionOf(ctx context.Context, path string) (int, error) {
	db, err := sql.Open(sqliteDriverName, "file:"+path+"?mode=rw")
	if err != nil {
		return 0, fmt.Errorf("store: backup: %w", err)
	}
	defer db.Close()
	var v int
	if err := db.QueryRowContext(ctx, "SELECT COALESCE(MAX(version), 0) FROM schema_migrations").Scan(&v); err != nil {
		return 0, fmt.Errorf("store: backup: schema version: %w", mapErr(err))
	}
	return v, nil
}

// removeDatabase removes the SQLite file at path and the files SQLite
// keeps beside it.
func removeDatabase(path string) {
	for _, p := range []string{path, path + "-wal", path + "-shm", path + "-journal"} {
		_ = os.Remove(p)
	}
}

// compressFile gzips src into the new file dst and syncs it.
func compressFile(ctx context.Context, src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return fmt.Errorf("store: backup: %w", err)
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, backupFilePermissions)
	if err != nil {
		return fmt.Errorf("store: backup: %w", err)
	}
	bw := bufio.NewWriterSize(out, 1<<20)
	zw, err := gzip.NewWriterLevel(bw, gzip.BestSpeed)
	if err == nil {
		_, err = io.Copy(zw, ctxReader{ctx, bufio.NewReaderSize(in, 1<<20)})
		err = errors.Join(err, zw.Close())
	}
	if err == nil {
		err = bw.Flush()
	}
	if err == nil {
		err = out.Sync()
	}
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("store: backup: compress: %w", err)
	}
	return nil
}

// tempName returns a free name in dir starting with prefix, for a file
// to be renamed into place; the file does not exist.
func tempName(dir, prefix string) (string, error) {
	f, err := os.CreateTemp(dir, "."+prefix+"-*")
	if err != nil {
		return "", fmt.Errorf("store: %w", err)
	}
	name := f.Name()
	f.Close()
	if err := os.Remove(name); err != nil {
		return "", fmt.Errorf("store: %w", err)
	}
	return name, nil
}

// syncFile flushes the file at path to stable storage.
func syncFile(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return fmt.Errorf("store: sync: %w", err)
	}
	err = f.Sync()
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("store: sync %s: %w", path, err)
	}
	return nil
}

// syncDir makes a rename in dir durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("store: sync directory: %w", err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil && !errors.Is(err, os.ErrInvalid) {
		return fmt.Errorf("store: sync directory %s: %w", dir, err)
	}
	return nil
}

// ctxReader stops a copy when ctx ends.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}
