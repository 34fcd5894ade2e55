package store

import (
	"fmt"
	"strings"
	"time"
)

// Drivers accepted in [Config.Driver].
const (
	DriverSQLite = "sqlite"
	DriverMySQL  = "mysql"
)

// Config says which database to open and how to pool connections. The zero
// value opens nothing: use [DefaultConfig] and set DSN.
type Config struct {
	// Driver is "sqlite" (the embedded default, used when empty) or
	// "mysql" (MySQL 8 or MariaDB 10.6 and later).
	Driver string `yaml:"driver"`
	// DSN locates the database. For SQLite it is a file path such as
	// "data/gallant.db" (its directory is created if missing); the store
	// adds its own connection parameters, so pass a plain path. For MySQL
	// it is a go-sql-driver DSN such as "gallant:pw@tcp(db:3306)/gallant";
	// parseTime, loc, time_zone, sql_mode and multiStatements are set by
	// the store and need not be given.
	DSN string `yaml:"dsn"`
	// MaxOpenConns bounds the connections used for reads, and on MySQL
	// for writes too. Zero means 16 on MySQL (enough to keep a 2-core
	// server busy without queueing inside it) and 4 readers on SQLite,
	// which always has exactly one writer connection besides them.
	MaxOpenConns int `yaml:"max_open_conns"`
	// MaxIdleConns is how many idle connections are kept. Zero means
	// MaxOpenConns.
	MaxIdleConns int `yaml:"max_idle_conns"`
	// ConnMaxLifetime closes connections older than this, so that a
	// MySQL behind a proxy or failover is re-resolved. Zero means 5
	// minutes on MySQL and unlimited on SQLite; negative means unlimited.
	ConnMaxLifetime time.Duration `yaml:"conn_max_lifetime"`
	// BusyTimeout is how long an SQLite statement waits for a lock held
	// by another process before failing with ErrUnavailable. Zero means
	// 5 seconds.
	BusyTimeout time.Duration `yaml:"busy_timeout"`
	// SQLiteFullSync makes SQLite fsync the WAL on every commit
	// (synchronous=FULL). The default (false, synchronous=NORMAL) keeps
	// every committed transaction across a process crash or SIGKILL, but
	// an operating system crash or power loss may roll back the last
	// transactions committed before it (never corrupting the database).
	// FULL survives power loss at the cost of one fsync per commit.
	SQLiteFullSync bool `yaml:"sqlite_full_sync"`
	// Keys, when set, seals message and MO bodies, held receipts,
	// webhook payloads and webhook secrets at rest (AES-256-GCM, see
	// [Keyring]); nil stores them in clear. Rows sealed under a key
	// need that key to be read.
	Keys *Keyring `yaml:"-"`
}

// DefaultConfig returns the embedded default: SQLite in data/gallant.db.
func DefaultConfig() Config {
	return Config{Driver: DriverSQLite, DSN: "data/gallant.db"}
}

// Validate reports the first problem with c.
func (c Config) Validate() error {
	switch c.Driver {
	case "", DriverSQLite:
		if c.DSN == "" {
			return fmt.Errorf("%w: store.dsn: empty SQLite path", ErrInvalid)
		}
		if c.DSN == ":memory:" || strings.Contains(c.DSN, "mode=memory") {
			return fmt.Errorf("%w: store.dsn: in-memory SQLite cannot be shared by the reader and writer pools; use a file", ErrInvalid)
		}
	case DriverMySQL:
		if c.DSN == "" {
			return fmt.Errorf("%w: store.dsn: empty MySQL DSN", ErrInvalid)
		}
	default:
		return fmt.Errorf("%w: store.driver %q: want %q or %q", ErrInvalid, c.Driver, DriverSQLite, DriverMySQL)
	}
	if c.MaxOpenConns < 0 || c.MaxIdleConns < 0 || c.BusyTimeout < 0 {
		return fmt.Errorf("%w: store: negative pool size or timeout", ErrInvalid)
	}
	return nil
}
