package store

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/gallant-sms/gallant/sms"
)

// OutboxWebhook is a status callback kept in the webhook outbox (table
// webhook_outbox): one the dispatcher could not hold in memory, or that
// was pending when it stopped. It holds no signing secret; the resuming
// dispatcher looks the account's up again.
type OutboxWebhook struct {
	ID        int64 // set by the database; ignored by SaveWebhooks
	AccountID int64
	MessageID sms.ID
	URL       string
	// Body is the callback's JSON body exactly as it is posted (its
	// event_id included, so a receiver can drop a repeat).
	Body []byte
	// Attempts is how many posts were already made.
	Attempts int
	// NextAt is the earliest time of the next post; zero means now.
	NextAt time.Time
}

// Bounds of the outbox statements: rows per INSERT (8 arguments each,
// well under SQLite's and MySQL's placeholder limits) and ids per IN list.
const (
	outboxInsertRows = 500
	outboxIDsPerStmt = 1000
	// maxOutboxClaim bounds one ClaimWebhooks.
	maxOutboxClaim = 10000
	// maxOwnerLen is the width of the owner and claim columns.
	maxOwnerLen = 64
)

// SaveWebhooks adds ws to the outbox, unclaimed and claimable from their
// NextAt, all of them or (on error) none.
func (s *Store) SaveWebhooks(ctx context.Context, ws []OutboxWebhook) error {
	if len(ws) == 0 {
		return nil
	}
	now := s.now()
	tx, err := s.w.BeginTxx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: save webhooks: %w", mapErr(err))
	}
	defer func() { _ = tx.Rollback() }()
	const prefix = "INSERT INTO webhook_outbox (account_id, message_id, url, body, attempts, next_at, avail_at, created_at) VALUES "
	var q strings.Builder
	for start := 0; start < len(ws); start += outboxInsertRows {
		chunk := ws[start:min(start+outboxInsertRows, len(ws))]
		q.Reset()
		q.WriteString(prefix)
		args := make([]any, 0, 8*len(chunk))
		for i, w := range chunk {
			if i > 0 {
				q.WriteByte(',')
			}
			q.WriteString("(?,?,?,?,?,?,?,?)")
			next := w.NextAt
			if next.IsZero() {
				next = now
			}
			body := w.Body
			if body == nil {
				body = []byte{}
			}
			body = s.seal(body)
			args = append(args, w.AccountID, s.idArg(w.MessageID), w.URL, body, w.Attempts,
				s.timeArg(next), s.timeArg(next), s.timeArg(now))
		}
		if _, err := tx.ExecContext(ctx, q.String(), args...); err != nil {
			return fmt.Errorf("store: save webhooks: %w", mapErr(err))
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("store: save webhooks: %w", mapErr(err))
	}
	return nil
}

// ClaimWebhooks leases to owner up to limit (1 to 10,000) callbacks that
// are claimable now, the longest claimable first, leaving out those of
// the accounts in skip, and returns them. A claimed row is not claimable
// again until lease has passed: renew it with [Store.RenewWebhooks] while
// holding it, then delete it ([Store.DeleteWebhooks]) or hand it back
// ([Store.ReleaseWebhooks]). Each row is taken by one conditional UPDATE,
// so two instances claiming at once never both get a row. owner names the
// claimer (at most 64 bytes, not empty); lease is judged by each
// instance's clock, so keep it far above the clock skew between hosts.
func (s *Store) ClaimWebhooks(ctx context.Context, owner string, lease time.Duration, skip []int64, limit int) ([]OutboxWebhook, error) {
	if err := checkOwner(owner); err != nil {
		return nil, err
	}
	if lease <= 0 {
		return nil, fmt.Errorf("%w: outbox lease %v", ErrInvalid, lease)
	}
	if limit < 1 || limit > maxOutboxClaim {
		return nil, fmt.Errorf("%w: outbox claim limit %d not in 1..%d", ErrInvalid, limit, maxOutboxClaim)
	}
	now := s.now()
	q := make([]byte, 0, 128+len(skip)*12)
	q = append(q, "SELECT id FROM webhook_outbox WHERE avail_at <= ?"...)
	if len(skip) > 0 {
		q = append(q, " AND account_id NOT IN ("...)
		q = appendInts(q, skip)
		q = append(q, ')')
	}
	q = append(q, " ORDER BY avail_at LIMIT ?"...)
	// Candidates come from a reader (on SQLite, off the one writer
	// connection: a poll finding nothing writes nothing); the UPDATE
	// below takes only those still claimable.
	var ids []int64
	if err := s.r.SelectContext(ctx, &ids, string(q), s.timeArg(now), limit); err != nil {
		return nil, fmt.Errorf("store: claim webhooks: %w", mapErr(err))
	}
	if len(ids) == 0 {
		return nil, nil
	}
	var tok [8]byte
	_, _ = rand.Read(tok[:]) // crypto/rand.Read never fails (Go 1.24+).
	claim := hex.EncodeToString(tok[:])
	u := make([]byte, 0, 128+len(ids)*12)
	u = append(u, "UPDATE webhook_outbox SET owner = ?, claim = ?, avail_at = ? WHERE avail_at <= ? AND id IN ("...)
	u = appendInts(u, ids)
	u = append(u, ')')
	if _, err := s.w.ExecContext(ctx, string(u), owner, claim, s.timeArg(now.Add(lease)), s.timeArg(now)); err != nil {
		return nil, fmt.Errorf("store: claim webhooks: %w", mapErr(err))
	}
	var rows []outboxRow
	if err := s.w.SelectContext(ctx, &rows,
		"SELECT id, account_id, message_id, url, body, attempts, next_at FROM webhook_outbox WHERE owner = ? AND claim = ? ORDER BY id",
		owner, claim); err != nil {
		return nil, fmt.Errorf("store: claim webhooks: %w", mapErr(err))
	}
	out := make([]OutboxWebhook, len(rows))
	for i, r := range rows {
		body, err := s.keys.Open(r.Body)
		if err != nil {
			return nil, fmt.Errorf("store: webhook %d: %w", r.ID, err)
		}
		out[i] = OutboxWebhook{ID: r.ID, AccountID: r.AccountID, MessageID: sms.ID(r.MessageID), URL: r.URL,
			Body: body, Attempts: r.Attempts, NextAt: r.NextAt.Time}
	}
	return out, nil
}

// outboxRow scans a row of webhook_outbox.
type outboxRow struct {
	ID        int64  `db:"id"`
	AccountID int64  `db:"account_id"`
	MessageID dbID   `db:"message_id"`
	URL       string `db:"url"`
	Body      []byte `db:"body"`
	Attempts  int    `db:"attempts"`
	NextAt    dbTime `db:"next_at"`
}

// RenewWebhooks extends every lease owner holds to lease from now and
// returns how many rows it holds. Fewer than the caller believes it holds
// means some leases ran out and another instance may have taken them.
func (s *Store) RenewWebhooks(ctx context.Context, owner string, lease time.Duration) (int, error) {
	if err := checkOwner(owner); err != nil {
		return 0, err
	}
	if lease <= 0 {
		return 0, fmt.Errorf("%w: outbox lease %v", ErrInvalid, lease)
	}
	res, err := s.w.ExecContext(ctx, "UPDATE webhook_outbox SET avail_at = ? WHERE owner = ?",
		s.timeArg(s.now().Add(lease)), owner)
	if err != nil {
		return 0, fmt.Errorf("store: renew webhooks: %w", mapErr(err))
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("store: renew webhooks: %w", mapErr(err))
	}
	return int(n), nil
}

// ReleaseWebhooks hands rows owner holds back to the outbox, unclaimed,
// with their Attempts and NextAt as given: each is claimable again from
// its NextAt. Rows owner no longer holds are left alone. All or none.
func (s *Store) ReleaseWebhooks(ctx context.Context, owner string, ws []OutboxWebhook) error {
	if err := checkOwner(owner); err != nil {
		return err
	}
	if len(ws) == 0 {
		return nil
	}
	now := s.now()
	tx, err := s.w.BeginTxx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: release webhooks: %w", mapErr(err))
	}
	defer func() { _ = tx.Rollback() }()
	stmt, err := tx.PrepareContext(ctx,
		"UPDATE webhook_outbox SET owner = '', claim = '', attempts = ?, next_at = ?, avail_at = ? WHERE id = ? AND owner = ?")
	if err != nil {
		return fmt.Errorf("store: release webhooks: %w", mapErr(err))
	}
	defer stmt.Close()
	for _, w := range ws {
		next := w.NextAt
		if next.IsZero() {
			next = now
		}
		if _, err := stmt.ExecContext(ctx, w.Attempts, s.timeArg(next), s.timeArg(next), w.ID, owner); err != nil {
			return fmt.Errorf("store: release webhooks: %w", mapErr(err))
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("store: release webhooks: %w", mapErr(err))
	}
	return nil
}

// DeleteWebhooks removes the rows with the given ids that owner holds:
// their callbacks were delivered or given up.
func (s *Store) DeleteWebhooks(ctx context.Context, owner string, ids []int64) error {
	if err := checkOwner(owner); err != nil {
		return err
	}
	for start := 0; start < len(ids); start += outboxIDsPerStmt {
		chunk := ids[start:min(start+outboxIDsPerStmt, len(ids))]
		q := make([]byte, 0, 64+len(chunk)*12)
		q = append(q, "DELETE FROM webhook_outbox WHERE owner = ? AND id IN ("...)
		q = appendInts(q, chunk)
		q = append(q, ')')
		if _, err := s.w.ExecContext(ctx, string(q), owner); err != nil {
			return fmt.Errorf("store: delete webhooks: %w", mapErr(err))
		}
	}
	return nil
}

// WebhookOutboxSize returns how many callbacks the outbox holds, claimed
// or not: for operators and tests.
func (s *Store) WebhookOutboxSize(ctx context.Context) (int, error) {
	var n int
	if err := s.r.GetContext(ctx, &n, "SELECT COUNT(*) FROM webhook_outbox"); err != nil {
		return 0, fmt.Errorf("store: webhook outbox size: %w", mapErr(err))
	}
	return n, nil
}

// checkOwner refuses an empty or over-long outbox owner.
func checkOwner(owner string) error {
	if owner == "" || len(owner) > maxOwnerLen {
		return fmt.Errorf("%w: outbox owner %q must be 1 to %d bytes", ErrInvalid, owner, maxOwnerLen)
	}
	return nil
}

// appendInts appends xs as a comma-separated list of integer literals.
func appendInts(dst []byte, xs []int64) []byte {
	for i, x := range xs {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = strconv.AppendInt(dst, x, 10)
	}
	return dst
}
