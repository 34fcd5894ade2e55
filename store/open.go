package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/go-sql-driver/mysql"
	"github.com/jmoiron/sqlx"
	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

// Pool defaults; see the Config fields for the reasoning.
const (
	defaultMySQLConns     = 16
	defaultSQLiteReaders  = 4
	defaultConnLifetime   = 5 * time.Minute
	defaultBusyTimeout    = 5 * time.Second
	defaultDialTimeout    = 5 * time.Second
	defaultMySQLSQLMode   = "'STRICT_TRANS_TABLES,NO_ZERO_IN_DATE,NO_ZERO_DATE,ERROR_FOR_DIVISION_BY_ZERO,NO_ENGINE_SUBSTITUTION'"
	defaultMySQLTimeZone  = "'+00:00'"
	sqliteDriverName      = "sqlite"
	mysqlDriverName       = "mysql"
	sqliteDirPermissions  = 0o700
	sqliteFilePermissions = 0o600
	sqliteMaxWriterConns  = 1
	sqliteWriterIdleConns = 1
)

// openSQLite opens the writer and reader pools on one SQLite file.
// cdsn is the DSN of the checkpointer's connection.
func openSQLite(ctx context.Context, cfg Config) (w, r *sqlx.DB, cdsn string, err error) {
	path := strings.TrimPrefix(cfg.DSN, "file:")
	if strings.ContainsAny(path, "?#") {
		return nil, nil, "", fmt.Errorf("%w: store.dsn: give SQLite a plain file path, without parameters", ErrInvalid)
	}
	if dir := filepath.Dir(path); dir != "" {
		if err := os.MkdirAll(dir, sqliteDirPermissions); err != nil {
			return nil, nil, "", fmt.Errorf("store: create database directory: %w", err)
		}
	}
	if err := restrictSQLiteFiles(path); err != nil {
		return nil, nil, "", err
	}
	busy := cfg.BusyTimeout
	if busy == 0 {
		busy = defaultBusyTimeout
	}
	sync := "NORMAL"
	if cfg.SQLiteFullSync {
		sync = "FULL"
	}
	common := "file:" + path + "?_pragma=busy_timeout(" + strconv.FormatInt(busy.Milliseconds(), 10) + ")&_pragma=foreign_keys(1)"
	// _txlock=immediate: a write transaction takes the write lock at BEGIN,
	// so two processes cannot both read and then deadlock upgrading.
	// temp_store(2) keeps statement journals in memory: each INSERT of a
	// multi-statement batch otherwise copies the pages it changes to a
	// temporary file first (one pwrite per page; 40% of the gateway's CPU
	// under load was that). cache_size(-32768) gives the writer 32 MiB of
	// pages, so a batch's index pages stay cached between commits. The
	// checkpoints are mostly the checkpointer's (see checkpoint.go).
	wdsn := common + "&_pragma=journal_mode(WAL)&_pragma=synchronous(" + sync + ")" +
		"&_pragma=temp_store(2)&_pragma=cache_size(-32768)" +
		"&_pragma=wal_autocheckpoint(" + strconv.Itoa(writerAutoCheckpointPages) + ")&_txlock=immediate"
	cdsn = common
	rdsn := common + "&_pragma=query_only(1)"

	w, err = sqlx.Open(sqliteDriverName, wdsn)
	if err != nil {
		return nil, nil, "", fmt.Errorf("store: open sqlite: %w", mapErr(err))
	}
	w.SetMaxOpenConns(sqliteMaxWriterConns)
	w.SetMaxIdleConns(sqliteWriterIdleConns)
	w.SetConnMaxLifetime(0)
	// The writer connects first: it switches the file to WAL mode, which
	// the readers then find.
	if err := w.PingContext(ctx); err != nil {
		_ = w.Close()
		return nil, nil, "", fmt.Errorf("store: open sqlite %s: %w", path, mapErr(err))
	}
	r, err = sqlx.Open(sqliteDriverName, rdsn)
	if err != nil {
		_ = w.Close()
		return nil, nil, "", fmt.Errorf("store: open sqlite readers: %w", mapErr(err))
	}
	n := cfg.MaxOpenConns
	if n == 0 {
		n = defaultSQLiteReaders
	}
	idle := cfg.MaxIdleConns
	if idle == 0 {
		idle = n
	}
	r.SetMaxOpenConns(n)
	r.SetMaxIdleConns(idle)
	if cfg.ConnMaxLifetime > 0 {
		r.SetConnMaxLifetime(cfg.ConnMaxLifetime)
	}
	if err := r.PingContext(ctx); err != nil {
		_ = r.Close()
		_ = w.Close()
		return nil, nil, "", fmt.Errorf("store: open sqlite readers %s: %w", path, mapErr(err))
	}
	return w, r, cdsn, nil
}

// restrictSQLiteFiles makes the database file readable and writable by
// its owner only (0600), creating it empty if it does not exist, so that
// the messages, credentials' hashes and ledger in it are not open to
// other local users. SQLite gives the -wal and -shm files it creates the
// database file's permissions; those left by an earlier run are narrowed
// too.
func restrictSQLiteFiles(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, sqliteFilePermissions)
	if err != nil {
		return fmt.Errorf("store: create sqlite file: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("store: create sqlite file: %w", err)
	}
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		fi, err := os.Stat(p)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return fmt.Errorf("store: sqlite file: %w", err)
		}
		if fi.Mode().Perm()&^sqliteFilePermissions != 0 {
			if err := os.Chmod(p, sqliteFilePermissions); err != nil {
				return fmt.Errorf("store: restrict sqlite file permissions: %w", err)
			}
		}
	}
	return nil
}

// openMySQL opens one pool for reads and writes.
func openMySQL(ctx context.Context, cfg Config, logger *slog.Logger) (*sqlx.DB, error) {
	mc, err := mysql.ParseDSN(cfg.DSN)
	if err != nil {
		return nil, fmt.Errorf("%w: store.dsn: %v", ErrInvalid, err)
	}
	mc.ParseTime = true
	mc.Loc = time.UTC
	mc.MultiStatements = false
	mc.InterpolateParams = true
	// Count matched rows, as SQLite does, so an UPDATE that matches but
	// changes nothing still reports 1.
	mc.ClientFoundRows = true
	if mc.Timeout == 0 {
		mc.Timeout = defaultDialTimeout
	}
	if mc.Params == nil {
		mc.Params = map[string]string{}
	}
	if _, ok := mc.Params["time_zone"]; !ok {
		mc.Params["time_zone"] = defaultMySQLTimeZone
	}
	if _, ok := mc.Params["sql_mode"]; !ok {
		mc.Params["sql_mode"] = defaultMySQLSQLMode
	}
	mc.Logger = mysqlLogger{logger}
	conn, err := mysql.NewConnector(mc)
	if err != nil {
		return nil, fmt.Errorf("%w: store.dsn: %v", ErrInvalid, err)
	}
	db := sqlx.NewDb(sql.OpenDB(conn), mysqlDriverName)
	n := cfg.MaxOpenConns
	if n == 0 {
		n = defaultMySQLConns
	}
	idle := cfg.MaxIdleConns
	if idle == 0 {
		idle = n
	}
	life := cfg.ConnMaxLifetime
	if life == 0 {
		life = defaultConnLifetime
	}
	if life < 0 {
		life = 0
	}
	db.SetMaxOpenConns(n)
	db.SetMaxIdleConns(idle)
	db.SetConnMaxLifetime(life)
	if err := db.PingContext(ctx); err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("store: connect to mysql %s: %w", mc.Addr, mapErr(err))
	}
	return db, nil
}

// mysqlLogger sends the MySQL driver's own messages (dropped connections and
// the like) to the store's logger instead of the standard logger.
type mysqlLogger struct{ l *slog.Logger }

func (m mysqlLogger) Print(v ...any) {
	m.l.Warn("mysql driver", "msg", fmt.Sprint(v...))
}
