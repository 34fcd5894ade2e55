package store

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/jmoiron/sqlx"
)

// SQLite checkpointing. In WAL mode every commit appends pages to the
// -wal file, and a checkpoint copies them back into the database. SQLite
// does that by default inside the commit that pushes the WAL past 1,000
// pages: on the Writer's goroutine, where it cost 15% of the gateway's CPU
// under load. The checkpointer copies them from a connection and a
// goroutine of its own instead, in PASSIVE mode (it never blocks the
// writer or the readers), so the writer's commits stay short. The
// writer's own automatic checkpoint stays on at a larger size as a safety
// net: a PASSIVE checkpoint racing a busy writer rarely finishes the whole
// log, and only a complete checkpoint lets the next commit start the WAL
// over instead of growing it.
const (
	// checkpointEvery is how often the checkpointer runs.
	checkpointEvery = 100 * time.Millisecond
	// writerAutoCheckpointPages is the writer's wal_autocheckpoint: 8,192
	// pages of 4 KiB, a 32 MiB WAL at most between resets.
	writerAutoCheckpointPages = 8192
)

// checkpointer runs PASSIVE checkpoints on its own connection until
// stopped.
type checkpointer struct {
	db     *sqlx.DB
	log    *slog.Logger
	cancel context.CancelFunc
	done   sync.WaitGroup
}

// startCheckpointer starts checkpointing the database db is open on.
func startCheckpointer(db *sqlx.DB, logger *slog.Logger) *checkpointer {
	ctx, cancel := context.WithCancel(context.Background())
	c := &checkpointer{db: db, log: logger, cancel: cancel}
	c.done.Add(1)
	go c.run(ctx)
	return c
}

func (c *checkpointer) run(ctx context.Context) {
	defer c.done.Done()
	t := time.NewTicker(checkpointEvery)
	defer t.Stop()
	failing := false
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		var busy, logPages, done int
		err := c.db.QueryRowxContext(ctx, "PRAGMA wal_checkpoint(PASSIVE)").Scan(&busy, &logPages, &done)
		switch {
		case err != nil && ctx.Err() == nil && !failing:
			// Logged once per run of failures: the writer's own
			// checkpoints still keep the WAL bounded meanwhile.
			c.log.Warn("store: sqlite checkpoint failed", "err", err)
			failing = true
		case err == nil:
			failing = false
		}
	}
}

// stop ends the checkpointer and closes its connection.
func (c *checkpointer) stop() error {
	c.cancel()
	c.done.Wait()
	return c.db.Close()
}
