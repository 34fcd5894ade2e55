package store

import (
	"context"
	"fmt"
	"time"

	"github.com/gallant-sms/gallant/sms"
)

// Scheduled messages wait in the messages table: due_at is the send time
// of a message still waiting for it (NULL once it is on its way, was
// cancelled, or never was scheduled), and sched_node the gateway node
// that loaded it into memory (-1: none). The gateway keeps in memory only
// the messages due within its horizon: it claims them here
// ([Store.ClaimScheduled]) as they come near, and takes each when due
// ([Store.TakeScheduled]); a take succeeds once, for the claimer or for
// an instance holding the message since its accept, so two instances never
// both send one message. Every query below names due_at IS NOT NULL, so
// SQLite uses the partial index messages_due (migration 0011). Where the
// rows are named by id, the unary + keeps SQLite's planner from scanning
// messages_due instead of looking the ids up (MySQL ignores it).

// MaxScheduledBatch bounds the messages one claim or take handles.
const MaxScheduledBatch = 5000

// noNode is sched_node of a message no node has claimed.
const noNode = -1

// ClaimScheduled claims for node up to limit (1 to [MaxScheduledBatch])
// waiting messages due at or before until that no node holds, earliest
// first, and returns them. A message another node claims at the same
// moment is left to it.
func (s *Store) ClaimScheduled(ctx context.Context, node int, until time.Time, limit int) ([]sms.Message, error) {
	if node < 0 || node > sms.MaxNode {
		return nil, fmt.Errorf("%w: node %d", ErrInvalid, node)
	}
	if limit < 1 || limit > MaxScheduledBatch {
		return nil, fmt.Errorf("%w: claim limit %d not in 1..%d", ErrInvalid, limit, MaxScheduledBatch)
	}
	var ids []dbID
	if err := s.w.SelectContext(ctx, &ids,
		"SELECT id FROM messages WHERE sched_node = -1 AND due_at IS NOT NULL AND due_at <= ? ORDER BY due_at LIMIT ?",
		s.timeArg(until), limit); err != nil {
		return nil, fmt.Errorf("store: find due scheduled messages: %w", mapErr(err))
	}
	if len(ids) == 0 {
		return nil, nil
	}
	in := s.idList(ids)
	if _, err := s.w.ExecContext(ctx,
		"UPDATE messages SET sched_node = ? WHERE +sched_node = -1 AND +due_at IS NOT NULL AND id IN ("+in+")", node); err != nil {
		return nil, fmt.Errorf("store: claim scheduled messages: %w", mapErr(err))
	}
	var rows []messageRow
	if err := s.w.SelectContext(ctx, &rows,
		"SELECT "+messageColumns+" FROM messages m WHERE +m.sched_node = ? AND +m.due_at IS NOT NULL AND m.id IN ("+in+")",
		node); err != nil {
		return nil, fmt.Errorf("store: read claimed scheduled messages: %w", mapErr(err))
	}
	out := make([]sms.Message, len(rows))
	for i := range rows {
		out[i] = rows[i].message()
	}
	return out, nil
}

// TakeDue takes up to limit (1 to [MaxScheduledBatch]) waiting messages
// due at or before now that no node has claimed, earliest first, and
// returns them: the caller sends them at once. It is the way for messages
// already due, which need not be claimed and held first. Rows another
// instance is taking at the same moment are skipped, not waited for.
func (s *Store) TakeDue(ctx context.Context, now time.Time, limit int) ([]sms.Message, error) {
	if limit < 1 || limit > MaxScheduledBatch {
		return nil, fmt.Errorf("%w: take limit %d not in 1..%d", ErrInvalid, limit, MaxScheduledBatch)
	}
	lock := ""
	if s.d == dialectMySQL {
		lock = " FOR UPDATE SKIP LOCKED" // MySQL 8, MariaDB 10.6
	}
	tx, err := s.w.BeginTxx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("store: take due scheduled messages: %w", mapErr(err))
	}
	defer func() { _ = tx.Rollback() }()
	var rows []messageRow
	if err := tx.SelectContext(ctx, &rows,
		"SELECT "+messageColumns+" FROM messages m WHERE m.sched_node = -1 AND m.due_at IS NOT NULL AND m.due_at <= ? "+
			"ORDER BY m.due_at LIMIT ?"+lock, s.timeArg(now), limit); err != nil {
		return nil, fmt.Errorf("store: take due scheduled messages: %w", mapErr(err))
	}
	if len(rows) == 0 {
		return nil, nil
	}
	ids := make([]dbID, len(rows))
	for i := range rows {
		ids[i] = rows[i].ID
	}
	if _, err := tx.ExecContext(ctx,
		"UPDATE messages SET due_at = NULL WHERE id IN ("+s.idList(ids)+")"); err != nil {
		return nil, fmt.Errorf("store: take due scheduled messages: %w", mapErr(err))
	}
	if err := tx.Commit(); err != nil {
		return nil, fmt.Errorf("store: take due scheduled messages: %w", mapErr(err))
	}
	out := make([]sms.Message, len(rows))
	for i := range rows {
		out[i] = rows[i].message()
	}
	return out, nil
}

// TakeScheduled marks those of the waiting messages ids (at most
// [MaxScheduledBatch]) that no other node has claimed as on their way,
// and returns the ids it took: node may send exactly those. A message
// not taken was taken before (by this node or another), cancelled, or is
// claimed by another node, which will send it.
func (s *Store) TakeScheduled(ctx context.Context, node int, ids []sms.ID) ([]sms.ID, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	if len(ids) > MaxScheduledBatch {
		return nil, fmt.Errorf("%w: take of %d messages, at most %d", ErrInvalid, len(ids), MaxScheduledBatch)
	}
	q := make([]byte, 0, 40+len(ids)*21)
	for i, id := range ids {
		if i > 0 {
			q = append(q, ',')
		}
		q = s.appendID(q, id)
	}
	in := string(q)
	lock := ""
	if s.d == dialectMySQL {
		lock = " FOR UPDATE" // SQLite's write transactions are exclusive (_txlock=immediate)
	}
	tx, err := s.w.BeginTxx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("store: take scheduled messages: %w", mapErr(err))
	}
	defer func() { _ = tx.Rollback() }()
	var taken []dbID
	if err := tx.SelectContext(ctx, &taken,
		"SELECT id FROM messages WHERE +due_at IS NOT NULL AND +sched_node IN (-1, ?) AND id IN ("+in+")"+lock,
		node); err != nil {
		return nil, fmt.Errorf("store: take scheduled messages: %w", mapErr(err))
	}
	if len(taken) == 0 {
		return nil, nil
	}
	if _, err := tx.ExecContext(ctx,
		"UPDATE messages SET due_at = NULL, sched_node = -1 WHERE id IN ("+s.idList(taken)+")"); err != nil {
		return nil, fmt.Errorf("store: take scheduled messages: %w", mapErr(err))
	}
	if err := tx.Commit(); err != nil {
		return nil, fmt.Errorf("store: take scheduled messages: %w", mapErr(err))
	}
	out := make([]sms.ID, len(taken))
	for i, id := range taken {
		out[i] = sms.ID(id)
	}
	return out, nil
}

// CancelScheduled cancels message id of account accountID if it is still
// waiting for its send time: in one transaction it stops the wait and
// records ev (its final event). It reports false, recording nothing, when
// the message is not waiting: on its way, sent, cancelled before, unknown,
// or another account's.
func (s *Store) CancelScheduled(ctx context.Context, accountID int64, id sms.ID, ev sms.Event) (bool, error) {
	at := ev.At
	if at.IsZero() {
		at = s.now()
	}
	tx, err := s.w.BeginTxx(ctx, nil)
	if err != nil {
		return false, fmt.Errorf("store: cancel scheduled message %v: %w", id, mapErr(err))
	}
	defer func() { _ = tx.Rollback() }()
	res, err := tx.ExecContext(ctx,
		"UPDATE messages SET due_at = NULL, sched_node = -1 WHERE id = ? AND account_id = ? AND due_at IS NOT NULL",
		s.idArg(id), accountID)
	if err != nil {
		return false, fmt.Errorf("store: cancel scheduled message %v: %w", id, mapErr(err))
	}
	if n, err := res.RowsAffected(); err != nil || n != 1 {
		return false, mapErr(err)
	}
	if _, err := tx.ExecContext(ctx,
		"INSERT INTO message_events (message_id, account_id, status, at, segment, carrier, carrier_msg_id, error_code) "+
			"VALUES (?, ?, ?, ?, 0, '', '', ?)",
		s.idArg(id), accountID, int(ev.Status), s.timeArg(at), ev.ErrorCode); err != nil {
		return false, fmt.Errorf("store: cancel scheduled message %v: %w", id, mapErr(err))
	}
	if err := tx.Commit(); err != nil {
		return false, fmt.Errorf("store: cancel scheduled message %v: %w", id, mapErr(err))
	}
	return true, nil
}

// UnclaimScheduled hands back every waiting message node has claimed, so
// any node may claim them again: at shutdown, and at start for claims a
// previous holder of the node number left behind. It returns how many.
func (s *Store) UnclaimScheduled(ctx context.Context, node int) (int64, error) {
	res, err := s.w.ExecContext(ctx,
		"UPDATE messages SET sched_node = -1 WHERE sched_node = ? AND due_at IS NOT NULL", node)
	if err != nil {
		return 0, fmt.Errorf("store: unclaim scheduled messages of node %d: %w", node, mapErr(err))
	}
	n, err := res.RowsAffected()
	return n, mapErr(err)
}

// FreeStaleScheduledClaims hands back the waiting messages claimed by
// nodes that hold no live lease (see [Store.LeaseNode]): an instance that
// died with messages in memory. self, the caller's node, is never freed,
// whether or not it leases its number. It returns how many were freed.
func (s *Store) FreeStaleScheduledClaims(ctx context.Context, self int) (int64, error) {
	res, err := s.w.ExecContext(ctx,
		"UPDATE messages SET sched_node = -1 WHERE sched_node >= 0 AND due_at IS NOT NULL AND sched_node <> ? "+
			"AND sched_node NOT IN (SELECT node FROM instances WHERE expires_at > ?)",
		self, s.timeArg(s.now()))
	if err != nil {
		return 0, fmt.Errorf("store: free stale scheduled claims: %w", mapErr(err))
	}
	n, err := res.RowsAffected()
	return n, mapErr(err)
}

// ScheduledCounts returns how many messages wait for their send time, by
// account (accounts with none are absent).
func (s *Store) ScheduledCounts(ctx context.Context) (map[int64]int, error) {
	out := map[int64]int{}
	// Two ranges of messages_due rather than one condition, so that
	// MySQL's index, which also holds every ordinary message under
	// (-1, NULL), is read only where messages wait.
	for _, where := range []string{"sched_node = -1 AND due_at IS NOT NULL", "sched_node >= 0 AND due_at IS NOT NULL"} {
		var rows []struct {
			AccountID int64 `db:"account_id"`
			N         int   `db:"n"`
		}
		if err := s.r.SelectContext(ctx, &rows,
			"SELECT account_id, COUNT(*) AS n FROM messages WHERE "+where+" GROUP BY account_id"); err != nil {
			return nil, fmt.Errorf("store: count scheduled messages: %w", mapErr(err))
		}
		for _, r := range rows {
			out[r.AccountID] += r.N
		}
	}
	return out, nil
}

// idList renders ids as a comma-separated list of literals for IN.
func (s *Store) idList(ids []dbID) string {
	q := make([]byte, 0, len(ids)*21)
	for i, id := range ids {
		if i > 0 {
			q = append(q, ',')
		}
		q = s.appendID(q, sms.ID(id))
	}
	return string(q)
}
