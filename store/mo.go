package store

import (
	"context"
	"fmt"

	"github.com/gallant-sms/gallant/sms"
)

// InsertMO stores an MO message. Busy receivers batch MOs through a
// [Writer] instead. An id already stored gives [ErrDuplicate].
func (s *Store) InsertMO(ctx context.Context, mo *sms.MO) error {
	return s.Insert(ctx, mo)
}

// ListMO returns a page of account accountID's MO messages, newest first,
// and the cursor for the next page (zero on the last page). after is zero
// for the first page, then the cursor returned with the previous one;
// limit is 1 to 1,000, zero meaning 100.
func (s *Store) ListMO(ctx context.Context, accountID int64, after sms.ID, limit int) ([]sms.MO, sms.ID, error) {
	switch {
	case limit == 0:
		limit = defaultListLimit
	case limit < 0 || limit > maxListLimit:
		return nil, 0, fmt.Errorf("%w: list limit %d not in 1..%d", ErrInvalid, limit, maxListLimit)
	}
	q := "SELECT " + inboundColumns + " FROM mo_messages WHERE account_id = ?"
	args := []any{accountID}
	if after != 0 {
		q += " AND id < ?"
		args = append(args, s.idArg(after))
	}
	q += " ORDER BY id DESC LIMIT ?"
	args = append(args, limit+1)
	var rows []inboundRow
	if err := s.r.SelectContext(ctx, &rows, q, args...); err != nil {
		return nil, 0, fmt.Errorf("store: list mo: %w", mapErr(err))
	}
	var next sms.ID
	if len(rows) > limit {
		rows = rows[:limit]
		next = sms.ID(rows[limit-1].ID)
	}
	out := make([]sms.MO, len(rows))
	for i := range rows {
		m, err := rows[i].mo(s.keys)
		if err != nil {
			return nil, 0, err
		}
		out[i] = m.MO
	}
	return out, next, nil
}
