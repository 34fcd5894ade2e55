package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/go-sql-driver/mysql"

	"github.com/gallant-sms/gallant/sms"
)

// Scheduled messages wait in the store. A message scheduled for later has
// a row in scheduled_messages, written by the same transaction as its
// messages row (the Writer adds it: see withSchedules), until it is taken
// to be sent or cancelled. sched_node is the gateway node that loaded the
// message into memory (-1: none). The gateway keeps in memory only the
// messages due within its horizon: it claims them ([Store.ClaimScheduled])
// as they come near, and takes each when due ([Store.TakeScheduled],
// [Store.TakeDue]); a take deletes the row and succeeds once, for the
// claimer or for an instance holding the message since its accept, so two
// instances never both send one message. Where rows are named by id, a
// unary + keeps SQLite's planner from scanning scheduled_messages_due
// instead of looking the ids up (MySQL ignores it).

// MaxScheduledBatch bounds the messages one claim or take handles.
const MaxScheduledBatch = 5000

// scheduledTable is the companion of scheduled messages' rows.
var scheduledTable = mustTable("scheduled_messages", true, "message_id", "account_id", "due_at")

// scheduleRow is the scheduled_messages row of a scheduled message.
type scheduleRow struct {
	id      sms.ID
	account int64
	due     time.Time
}

// Table implements Record.
func (r *scheduleRow) Table() *Table { return scheduledTable }

// AppendValues implements Record.
func (r *scheduleRow) AppendValues(v *Values) {
	v.ID(r.id)
	v.Int(r.account)
	v.Time(r.due)
}

// waitingMessage reports whether row is a message that waits for its
// send time, by the rule appendMessage stores its status with.
func waitingMessage(row Row, now time.Time) (*sms.Message, bool) {
	m, ok := row.(*sms.Message)
	if !ok || m == nil {
		return nil, false
	}
	if m.Status != sms.StatusUnknown {
		return m, m.Status == sms.StatusScheduled
	}
	created := m.CreatedAt
	if created.IsZero() {
		created = now
	}
	return m, m.SendAt.After(created)
}

// withSchedules returns rows with the scheduled_messages row of each
// scheduled message right after it, or rows itself when there is none
// (the usual case: no copy, no allocation). The companions are written in
// the same transaction as their message; an entry's companion flag keeps
// the two together when a failing batch is split (writeRows).
func withSchedules(rows []entry, now time.Time) []entry {
	n := 0
	for i := range rows {
		if _, ok := waitingMessage(rows[i].row, now); ok {
			n++
		}
	}
	if n == 0 {
		return rows
	}
	out := make([]entry, 0, len(rows)+n)
	for i := range rows {
		out = append(out, rows[i])
		if m, ok := waitingMessage(rows[i].row, now); ok {
			out = append(out, entry{row: &scheduleRow{id: m.ID, account: m.AccountID, due: m.SendAt},
				table: scheduledTable, companion: true})
		}
	}
	return out
}

// copySchedulesBack gives each message the error of its companion (and
// the companion its message's), after all were written, and copies the
// messages' entries back into rows.
func copySchedulesBack(rows, all []entry) {
	if len(all) == len(rows) {
		return
	}
	j := 0
	for i := range all {
		if all[i].companion {
			if all[i].err != nil && rows[j-1].err == nil {
				rows[j-1].err = all[i].err
			}
			continue
		}
		rows[j] = all[i]
		j++
	}
}

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
		"SELECT message_id FROM scheduled_messages WHERE sched_node = -1 AND due_at <= ? ORDER BY due_at LIMIT ?",
		s.timeArg(until), limit); err != nil {
		return nil, fmt.Errorf("store: find due scheduled messages: %w", mapErr(err))
	}
	if len(ids) == 0 {
		return nil, nil
	}
	in := s.idList(ids)
	if err := retryLockConflicts(ctx, func() error {
		_, err := s.w.ExecContext(ctx,
			"UPDATE scheduled_messages SET sched_node = ? WHERE +sched_node = -1 AND message_id IN ("+in+")", node)
		return err
	}); err != nil {
		return nil, fmt.Errorf("store: claim scheduled messages: %w", mapErr(err))
	}
	return s.readScheduled(ctx,
		"SELECT "+messageColumns+" FROM messages m JOIN scheduled_messages s ON s.message_id = m.id "+
			"WHERE +s.sched_node = ? AND s.message_id IN ("+in+")", node)
}

// readScheduled reads messages by a query over messages m.
func (s *Store) readScheduled(ctx context.Context, q string, args ...any) ([]sms.Message, error) {
	var rows []messageRow
	if err := s.w.SelectContext(ctx, &rows, q, args...); err != nil {
		return nil, fmt.Errorf("store: read scheduled messages: %w", mapErr(err))
	}
	out := make([]sms.Message, len(rows))
	for i := range rows {
		m, err := rows[i].message(s.keys)
		if err != nil {
			return nil, err
		}
		out[i] = m
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
	taken, err := s.takeWhere(ctx, "SELECT message_id FROM scheduled_messages WHERE sched_node = -1 AND due_at <= ? "+
		"ORDER BY due_at LIMIT ?"+lock, s.timeArg(now), limit)
	if err != nil || len(taken) == 0 {
		return nil, err
	}
	return s.readScheduled(ctx, "SELECT "+messageColumns+" FROM messages m WHERE m.id IN ("+s.idList(taken)+")")
}

// TakeScheduled takes those of the waiting messages ids (at most
// [MaxScheduledBatch]) that no other node has claimed, and returns the ids
// it took: node may send exactly those. A message not taken was taken
// before (by this node or another), cancelled, or is claimed by another
// node, which will send it.
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
	lock := ""
	if s.d == dialectMySQL {
		lock = " FOR UPDATE" // SQLite's write transactions are exclusive (_txlock=immediate)
	}
	taken, err := s.takeWhere(ctx, "SELECT message_id FROM scheduled_messages WHERE +sched_node IN (-1, ?) "+
		"AND message_id IN ("+string(q)+")"+lock, node)
	if err != nil {
		return nil, err
	}
	out := make([]sms.ID, len(taken))
	for i, id := range taken {
		out[i] = sms.ID(id)
	}
	return out, nil
}

// takeWhere deletes, in one transaction, the scheduled_messages rows whose
// ids sel (a locking SELECT of message_id) finds, and returns those ids.
func (s *Store) takeWhere(ctx context.Context, sel string, args ...any) ([]dbID, error) {
	var taken []dbID
	err := retryLockConflicts(ctx, func() error {
		taken = taken[:0]
		tx, err := s.w.BeginTxx(ctx, nil)
		if err != nil {
			return err
		}
		defer func() { _ = tx.Rollback() }()
		if err := tx.SelectContext(ctx, &taken, sel, args...); err != nil {
			return err
		}
		if len(taken) == 0 {
			return nil
		}
		if _, err := tx.ExecContext(ctx, "DELETE FROM scheduled_messages WHERE message_id IN ("+s.idList(taken)+")"); err != nil {
			return err
		}
		return tx.Commit()
	})
	if err != nil {
		return nil, fmt.Errorf("store: take scheduled messages: %w", mapErr(err))
	}
	return taken, nil
}

// lockAttempts bounds the runs of a statement on scheduled_messages that
// lost a lock conflict (an InnoDB deadlock or lock wait timeout, which
// instances claiming and taking the same rows at once can meet): InnoDB
// rolled it back whole, and it is run again.
const lockAttempts = 5

// retryLockConflicts runs f until it succeeds, fails otherwise than by a
// lock conflict, or has run lockAttempts times, pausing a few jittered
// milliseconds between runs.
func retryLockConflicts(ctx context.Context, f func() error) error {
	for attempt := 1; ; attempt++ {
		err := f()
		var me *mysql.MySQLError
		if err == nil || attempt == lockAttempts || !errors.As(err, &me) ||
			(me.Number != myDeadlock && me.Number != myLockWaitTimeout) {
			return err
		}
		t := time.NewTimer(time.Duration(attempt)*time.Millisecond + rand.N(2*time.Millisecond))
		select {
		case <-ctx.Done():
			t.Stop()
			return err
		case <-t.C:
		}
	}
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
	cancelled := false
	err := retryLockConflicts(ctx, func() error {
		cancelled = false
		tx, err := s.w.BeginTxx(ctx, nil)
		if err != nil {
			return err
		}
		defer func() { _ = tx.Rollback() }()
		res, err := tx.ExecContext(ctx, "DELETE FROM scheduled_messages WHERE message_id = ? AND account_id = ?",
			s.idArg(id), accountID)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n != 1 {
			return err
		}
		if _, err := tx.ExecContext(ctx,
			"INSERT INTO message_events (message_id, account_id, status, at, segment, carrier, carrier_msg_id, error_code) "+
				"VALUES (?, ?, ?, ?, 0, '', '', ?)",
			s.idArg(id), accountID, int(ev.Status), s.timeArg(at), ev.ErrorCode); err != nil {
			return err
		}
		if err := tx.Commit(); err != nil {
			return err
		}
		cancelled = true
		return nil
	})
	if err != nil {
		return false, fmt.Errorf("store: cancel scheduled message %v: %w", id, mapErr(err))
	}
	return cancelled, nil
}

// UnclaimScheduled hands back every waiting message node has claimed, so
// any node may claim them again: at shutdown, and at start for claims a
// previous holder of the node number left behind. It returns how many.
func (s *Store) UnclaimScheduled(ctx context.Context, node int) (int64, error) {
	var res sql.Result
	err := retryLockConflicts(ctx, func() (err error) {
		res, err = s.w.ExecContext(ctx, "UPDATE scheduled_messages SET sched_node = -1 WHERE sched_node = ?", node)
		return err
	})
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
	var res sql.Result
	err := retryLockConflicts(ctx, func() (err error) {
		res, err = s.w.ExecContext(ctx,
			"UPDATE scheduled_messages SET sched_node = -1 WHERE sched_node >= 0 AND sched_node <> ? "+
				"AND sched_node NOT IN (SELECT node FROM instances WHERE expires_at > ?)",
			self, s.timeArg(s.now()))
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("store: free stale scheduled claims: %w", mapErr(err))
	}
	n, err := res.RowsAffected()
	return n, mapErr(err)
}

// ScheduledCounts returns how many messages wait for their send time, by
// account (accounts with none are absent).
func (s *Store) ScheduledCounts(ctx context.Context) (map[int64]int, error) {
	var rows []struct {
		AccountID int64 `db:"account_id"`
		N         int   `db:"n"`
	}
	if err := s.r.SelectContext(ctx, &rows,
		"SELECT account_id, COUNT(*) AS n FROM scheduled_messages GROUP BY account_id"); err != nil {
		return nil, fmt.Errorf("store: count scheduled messages: %w", mapErr(err))
	}
	out := make(map[int64]int, len(rows))
	for _, r := range rows {
		out[r.AccountID] = r.N
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
