package store

import (
	"context"
	"fmt"
	"strconv"
	"time"
)

// Idempotent is the stored answer to a POST made with an Idempotency-Key:
// a retry of the same request gets the same answer instead of sending
// twice.
type Idempotent struct {
	AccountID int64
	Key       string // the client's Idempotency-Key, 1 to 255 bytes
	// RequestHash identifies the request body (a hex SHA-256, say), so a
	// key reused for a different request can be refused.
	RequestHash string
	// StatusCode and Response are the HTTP answer; StatusCode 0 marks a
	// request still being processed (see [Store.CompleteIdempotent]).
	StatusCode int
	Response   []byte
	CreatedAt  time.Time // zero: now
}

// maxIdempotencyKey is the length of the idem_key column.
const maxIdempotencyKey = 255

// PutIdempotent stores r. If the account already has the key it returns
// [ErrDuplicate] and stores nothing: the caller then reads the first
// answer with [Store.GetIdempotent]. Storing a record with StatusCode 0
// before processing claims the key, so two concurrent retries cannot both
// send.
func (s *Store) PutIdempotent(ctx context.Context, r *Idempotent) error {
	if r.Key == "" || len(r.Key) > maxIdempotencyKey {
		return fmt.Errorf("%w: idempotency key must be 1 to %d bytes", ErrInvalid, maxIdempotencyKey)
	}
	if r.CreatedAt.IsZero() {
		r.CreatedAt = s.now().UTC().Truncate(time.Microsecond)
	}
	resp := r.Response
	if resp == nil {
		resp = []byte{}
	}
	_, err := s.w.ExecContext(ctx,
		"INSERT INTO idempotency_keys (account_id, idem_key, request_hash, status_code, response, created_at) "+
			"VALUES (?, ?, ?, ?, ?, ?)",
		r.AccountID, r.Key, r.RequestHash, r.StatusCode, resp, s.timeArg(r.CreatedAt))
	if err != nil {
		return fmt.Errorf("store: put idempotency key: %w", mapErr(err))
	}
	return nil
}

// CompleteIdempotent stores the answer for a key claimed with StatusCode
// 0; an unknown key is [ErrNotFound].
func (s *Store) CompleteIdempotent(ctx context.Context, accountID int64, key string, statusCode int, response []byte) error {
	if response == nil {
		response = []byte{}
	}
	return s.updateOne(ctx, "complete idempotency key",
		"UPDATE idempotency_keys SET status_code = ?, response = ? WHERE account_id = ? AND idem_key = ?",
		statusCode, response, accountID, key)
}

// GetIdempotent returns the record of key for account accountID, or
// [ErrNotFound].
func (s *Store) GetIdempotent(ctx context.Context, accountID int64, key string) (*Idempotent, error) {
	var row struct {
		AccountID   int64  `db:"account_id"`
		Key         string `db:"idem_key"`
		RequestHash string `db:"request_hash"`
		StatusCode  int    `db:"status_code"`
		Response    []byte `db:"response"`
		CreatedAt   dbTime `db:"created_at"`
	}
	err := s.r.GetContext(ctx, &row,
		"SELECT account_id, idem_key, request_hash, status_code, response, created_at FROM idempotency_keys "+
			"WHERE account_id = ? AND idem_key = ?", accountID, key)
	if err != nil {
		return nil, fmt.Errorf("store: get idempotency key: %w", mapErr(err))
	}
	resp := row.Response
	if resp == nil {
		resp = []byte{}
	}
	return &Idempotent{AccountID: row.AccountID, Key: row.Key, RequestHash: row.RequestHash,
		StatusCode: row.StatusCode, Response: resp, CreatedAt: row.CreatedAt.Time}, nil
}

// purgeBatch bounds the rows one purge statement deletes, so a purge of
// a day's keys never holds MySQL's locks on the table for long.
const purgeBatch = 5000

// PurgeIdempotent deletes the records created before before, in
// statements of at most 5,000 rows, and returns how many it deleted.
func (s *Store) PurgeIdempotent(ctx context.Context, before time.Time) (int64, error) {
	q := "DELETE FROM idempotency_keys WHERE created_at < ? LIMIT " + strconv.Itoa(purgeBatch)
	if s.d == dialectSQLite {
		// SQLite's DELETE takes no LIMIT unless built with it.
		q = "DELETE FROM idempotency_keys WHERE rowid IN (SELECT rowid FROM idempotency_keys WHERE created_at < ? LIMIT " +
			strconv.Itoa(purgeBatch) + ")"
	}
	var total int64
	for {
		res, err := s.w.ExecContext(ctx, q, s.timeArg(before))
		if err != nil {
			return total, fmt.Errorf("store: purge idempotency keys: %w", mapErr(err))
		}
		n, err := res.RowsAffected()
		if err != nil {
			return total, fmt.Errorf("store: purge idempotency keys: %w", mapErr(err))
		}
		total += n
		if n < purgeBatch {
			return total, nil
		}
	}
}

// ExpireIdempotent deletes account accountID's record of key if it was
// created before before, and reports whether it did. A record replaced
// meanwhile (created later) is kept.
func (s *Store) ExpireIdempotent(ctx context.Context, accountID int64, key string, before time.Time) (bool, error) {
	res, err := s.w.ExecContext(ctx,
		"DELETE FROM idempotency_keys WHERE account_id = ? AND idem_key = ? AND created_at < ?",
		accountID, key, s.timeArg(before))
	if err != nil {
		return false, fmt.Errorf("store: expire idempotency key: %w", mapErr(err))
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("store: expire idempotency key: %w", mapErr(err))
	}
	return n > 0, nil
}
