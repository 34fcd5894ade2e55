package store

import (
	"context"
	"fmt"

	"github.com/gallant-sms/gallant/sms"
)

// ReplaceQueued stores, for replace_sm of a message still waiting in a
// carrier queue, m's body, segments, esm_class, validity,
// registered_delivery and price as message m.ID of account m.AccountID.
// It reports false, changing nothing, when the account has no such
// message stored (yet: in fast mode its row may still be in the writer).
// The caller makes sure that no segment of it was sent.
func (s *Store) ReplaceQueued(ctx context.Context, m *sms.Message) (bool, error) {
	// Found first, then changed: the count of rows an UPDATE reports
	// cannot tell a missing row from an unchanged one on MySQL, and a
	// row that exists stays (a fast-mode row written after the look is
	// not changed, and reported false).
	var k int
	if err := s.w.GetContext(ctx, &k, "SELECT COUNT(*) FROM messages WHERE id = ? AND account_id = ?",
		s.idArg(m.ID), m.AccountID); err != nil {
		return false, fmt.Errorf("store: replace queued message %v: %w", m.ID, mapErr(err))
	}
	if k != 1 {
		return false, nil
	}
	if _, err := s.w.ExecContext(ctx, "UPDATE messages SET body = ?, segments = ?, esm_class = ?, valid_until = ?, "+
		"registered_delivery = ?, price_micros = ? WHERE id = ? AND account_id = ?",
		s.seal(m.Body), m.Segments, int(m.ESMClass), s.timeArg(m.ValidUntil), int(m.RegisteredDelivery), m.Price,
		s.idArg(m.ID), m.AccountID); err != nil {
		return false, fmt.Errorf("store: replace queued message %v: %w", m.ID, mapErr(err))
	}
	return true, nil
}
