package store

import (
	"context"
	"fmt"
	"time"

	"github.com/gallant-sms/gallant/sms"
)

// ReplaceScheduled replaces, for replace_sm, the body, segments, send
// time, validity, registered_delivery and price of message m.ID of
// account m.AccountID with m's, if the message still waits for its send
// time, no node other than node has claimed it, and it is due after
// dueAfter (zero: any time): a message due sooner may be held in another
// instance's memory, which would send its old copy. The wait's row is
// freed for any node to claim (sched_node -1) and due at m.SendAt. It
// reports false, changing nothing, when the message is not so waiting.
func (s *Store) ReplaceScheduled(ctx context.Context, node int, m *sms.Message, dueAfter time.Time) (bool, error) {
	if m.SendAt.IsZero() {
		return false, fmt.Errorf("%w: replacement of message %v has no send time", ErrInvalid, m.ID)
	}
	if dueAfter.IsZero() {
		dueAfter = sms.Epoch.AddDate(-1, 0, 0) // before any message
	}
	replaced := false
	err := retryLockConflicts(ctx, func() error {
		replaced = false
		tx, err := s.w.BeginTxx(ctx, nil)
		if err != nil {
			return err
		}
		defer func() { _ = tx.Rollback() }()
		res, err := tx.ExecContext(ctx, "UPDATE scheduled_messages SET due_at = ?, sched_node = -1 "+
			"WHERE message_id = ? AND account_id = ? AND sched_node IN (-1, ?) AND due_at > ?",
			s.timeArg(m.SendAt), s.idArg(m.ID), m.AccountID, node, s.timeArg(dueAfter))
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n != 1 {
			return err
		}
		res, err = tx.ExecContext(ctx, "UPDATE messages SET body = ?, segments = ?, send_at = ?, valid_until = ?, "+
			"registered_delivery = ?, price_micros = ? WHERE id = ? AND account_id = ?",
			s.seal(m.Body), m.Segments, s.timeArg(m.SendAt), s.timeArg(m.ValidUntil), int(m.RegisteredDelivery), m.Price,
			s.idArg(m.ID), m.AccountID)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n != 1 {
			return err // a wait without its message: leave both as they were
		}
		if err := tx.Commit(); err != nil {
			return err
		}
		replaced = true
		return nil
	})
	if err != nil {
		return false, fmt.Errorf("store: replace scheduled message %v: %w", m.ID, mapErr(err))
	}
	return replaced, nil
}
