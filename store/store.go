package store

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/jmoiron/sqlx"
)

// dialect says which SQL the store speaks.
type dialect uint8

const (
	dialectSQLite dialect = iota + 1
	dialectMySQL
)

// Store is a handle on the database. It is safe for concurrent use. Create
// it with [Open], apply the schema with [Store.Migrate], and release it with
// [Store.Close] after closing every [Writer] built on it.
type Store struct {
	d dialect
	// w takes writes. On SQLite it holds exactly one connection, so writers
	// queue in Go instead of spinning on SQLITE_BUSY; on MySQL it is the
	// same pool as r.
	w *sqlx.DB
	// r serves reads. On SQLite its connections are query_only.
	r   *sqlx.DB
	log *slog.Logger
	// ckpt checkpoints an SQLite database; nil on MySQL.
	ckpt *checkpointer
	// holder identifies this Store's node leases.
	holder string
	// nodeLock is held from LeaseNodeLocked until Close (nodelock.go).
	nodeLock *nodeLock
	now      func() time.Time
	// keys seals what is kept secret at rest; nil: in clear (seal.go).
	keys *Keyring
	// eventGap is what the campaign events tail saw of the newest
	// message event id over time (MySQL: see contiguousEvents).
	eventGap struct {
		sync.Mutex
		seen []topSeen // newer than maxEventGap, oldest first
		safe int64     // the newest top seen at least maxEventGap ago
	}

	closeOnce sync.Once
	closeErr  error
}

// Open connects to the database described by cfg and checks that it
// answers. It does not change the schema: call [Store.Migrate] for that (at
// start-up or from `gallant migrate`). A nil logger discards the log.
//
// On SQLite the database runs in WAL mode with synchronous=NORMAL (see
// [Config.SQLiteFullSync] for the power-loss trade-off), foreign keys on,
// a busy timeout, one writer connection and a small pool of read-only
// readers. On MySQL the store parses the DSN and forces what it relies on:
// UTC times parsed into time.Time, a strict sql_mode, client-side
// interpolation of arguments (one round trip per statement) and no
// multi-statement queries.
func Open(ctx context.Context, cfg Config, logger *slog.Logger) (*Store, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	var tok [16]byte
	if _, err := rand.Read(tok[:]); err != nil {
		return nil, fmt.Errorf("store: lease token: %w", err)
	}
	s := &Store{log: logger, holder: hex.EncodeToString(tok[:]), now: time.Now, keys: cfg.Keys}
	var err error
	switch cfg.Driver {
	case DriverMySQL:
		s.d = dialectMySQL
		s.w, err = openMySQL(ctx, cfg, logger)
		s.r = s.w
	default:
		s.d = dialectSQLite
		var cdsn string
		s.w, s.r, cdsn, err = openSQLite(ctx, cfg)
		if err == nil {
			var c *sqlx.DB
			if c, err = sqlx.Open(sqliteDriverName, cdsn); err != nil {
				_, _ = s.r.Close(), s.w.Close()
				return nil, fmt.Errorf("store: open sqlite checkpointer: %w", mapErr(err))
			}
			c.SetMaxOpenConns(1)
			c.SetMaxIdleConns(1)
			s.ckpt = startCheckpointer(c, logger)
		}
	}
	if err != nil {
		return nil, err
	}
	return s, nil
}

// Driver returns "sqlite" or "mysql".
func (s *Store) Driver() string {
	if s.d == dialectMySQL {
		return DriverMySQL
	}
	return DriverSQLite
}

// Ping checks that the database answers, for readiness probes.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.r.PingContext(ctx); err != nil {
		return fmt.Errorf("store: ping: %w", mapErr(err))
	}
	return nil
}

// Close closes the connection pools. Close every [Writer] first. Calling
// Close again returns the first call's result.
func (s *Store) Close() error {
	s.closeOnce.Do(func() {
		var errs []error
		if s.ckpt != nil {
			errs = append(errs, s.ckpt.stop())
		}
		if s.r != s.w {
			errs = append(errs, s.r.Close())
		}
		errs = append(errs, s.w.Close())
		if s.nodeLock != nil {
			errs = append(errs, s.nodeLock.close())
		}
		if err := errors.Join(errs...); err != nil {
			s.closeErr = fmt.Errorf("store: close: %w", mapErr(err))
		}
	})
	return s.closeErr
}
