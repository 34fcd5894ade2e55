package store

import (
	"fmt"
	"time"
)

// Writer defaults. The figures they rest on were measured on the 2-core
// development box (see BenchmarkWriterMySQL and BenchmarkWriterSQLite).
const (
	// defaultMaxRows: a 1,000-row messages INSERT is about 250 KB of SQL,
	// far below max_allowed_packet (16 MiB on MariaDB, 64 MiB on MySQL 8),
	// and takes MariaDB a few milliseconds; larger batches barely raise
	// throughput but lengthen every durable acknowledgement in them.
	defaultMaxRows = 1000
	// defaultMaxDelay applies only beside a batch in flight (an idle
	// writer writes at once): how long a second worker gathers rows before
	// it starts a batch of its own. 2 ms keeps a durable submit's wait
	// (its batch's start plus the write, ~2-10 ms) well inside the 25 ms
	// p99 budget. Waiting also when idle cost 25-30% of the single-POST
	// HTTP throughput (bench/RESULTS.md, session 4: "Group commit in the
	// writer").
	defaultMaxDelay = 2 * time.Millisecond
	// defaultMaxPending: half a second of the 100,000 rows/s target
	// (~15 MB of messages). Beyond that the database is not keeping up and
	// callers get ErrBacklog (backpressure) instead of memory growth.
	defaultMaxPending = 50000
	// defaultMaxStatementBytes keeps each INSERT well under MySQL's default
	// max_allowed_packet; a batch of larger rows is split into several
	// statements in the same transaction.
	defaultMaxStatementBytes = 4 << 20
	// defaultMaxAttempts, defaultMinBackoff and defaultMaxBackoff bound the
	// retries of a transient failure to about two seconds in all.
	defaultMaxAttempts = 6
	defaultMinBackoff  = 20 * time.Millisecond
	defaultMaxBackoff  = time.Second
	// defaultWriteTimeout bounds one attempt at writing a batch.
	defaultWriteTimeout = 30 * time.Second
	// defaultMySQLWorkers: MariaDB executes one statement on one core, so
	// a second batch in flight keeps the second core busy; measured here,
	// two connections insert 1.3-1.6 times the rows of one, and more than
	// two gain nothing on 2 cores. SQLite has one writer connection, so
	// one worker.
	defaultMySQLWorkers  = 2
	defaultSQLiteWorkers = 1
)

// WriterConfig tunes a [Writer]. The zero value uses every default.
type WriterConfig struct {
	// MaxRows writes a batch as soon as it holds this many rows. Zero
	// means 1,000.
	MaxRows int `yaml:"max_rows"`
	// MaxDelay: while a batch is being written, another worker starts a
	// second batch at the latest this long after that batch's first row
	// was added (an idle writer writes at once). Zero means 2 ms.
	MaxDelay time.Duration `yaml:"max_delay"`
	// MaxPending bounds the rows added but not yet done (queued or being
	// written); [Writer.Add] returns ErrBacklog beyond it. Zero means
	// 50,000.
	MaxPending int `yaml:"max_pending"`
	// MaxStatementBytes starts a new INSERT statement, in the same
	// transaction, once one passes this size. Zero means 4 MiB.
	MaxStatementBytes int `yaml:"max_statement_bytes"`
	// MaxAttempts is how many times a batch is tried when the database is
	// unavailable before its rows fail with ErrUnavailable. Zero means 6.
	MaxAttempts int `yaml:"max_attempts"`
	// MinBackoff and MaxBackoff bound the wait between attempts, which
	// doubles from MinBackoff. Zero means 20 ms and 1 s.
	MinBackoff time.Duration `yaml:"min_backoff"`
	MaxBackoff time.Duration `yaml:"max_backoff"`
	// WriteTimeout bounds one attempt; running out counts as a transient
	// failure. Zero means 30 s.
	WriteTimeout time.Duration `yaml:"write_timeout"`
	// Workers is how many batches are written at once, each on its own
	// connection. Zero means 2 on MySQL and 1 on SQLite (whose single
	// writer connection would only queue a second batch). With more than
	// one worker, rows of different batches may commit in either order.
	Workers int `yaml:"workers"`
	// LiteralInserts makes SQLite's first attempts at a batch use
	// literal multi-row INSERTs too, instead of prepared statements with
	// bound values (prepared.go): for comparison; slower.
	LiteralInserts bool `yaml:"literal_inserts"`
}

// withDefaults returns c with zero fields set to their defaults.
func (c WriterConfig) withDefaults() WriterConfig {
	if c.MaxRows == 0 {
		c.MaxRows = defaultMaxRows
	}
	if c.MaxDelay == 0 {
		c.MaxDelay = defaultMaxDelay
	}
	if c.MaxPending == 0 {
		c.MaxPending = defaultMaxPending
	}
	if c.MaxStatementBytes == 0 {
		c.MaxStatementBytes = defaultMaxStatementBytes
	}
	if c.MaxAttempts == 0 {
		c.MaxAttempts = defaultMaxAttempts
	}
	if c.MinBackoff == 0 {
		c.MinBackoff = defaultMinBackoff
	}
	if c.MaxBackoff == 0 {
		c.MaxBackoff = defaultMaxBackoff
	}
	if c.WriteTimeout == 0 {
		c.WriteTimeout = defaultWriteTimeout
	}
	return c
}

// Validate reports the first problem with c (after defaults are applied).
func (c WriterConfig) Validate() error {
	d := c.withDefaults()
	switch {
	case d.MaxRows < 1, d.MaxPending < 1, d.MaxStatementBytes < 1, d.MaxAttempts < 1, d.Workers < 0:
		return fmt.Errorf("%w: writer: sizes and attempts must be positive", ErrInvalid)
	case d.MaxDelay < 0, d.MinBackoff < 0, d.MaxBackoff < d.MinBackoff, d.WriteTimeout < 0:
		return fmt.Errorf("%w: writer: bad delay, backoff or timeout", ErrInvalid)
	case d.MaxPending < d.MaxRows:
		return fmt.Errorf("%w: writer: max_pending (%d) below max_rows (%d)", ErrInvalid, d.MaxPending, d.MaxRows)
	}
	return nil
}
