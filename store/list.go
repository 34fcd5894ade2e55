package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/gallant-sms/gallant/sms"
)

// Page sizes of the list queries.
const (
	defaultListLimit = 100
	maxListLimit     = 1000
)

// Filter selects messages for [Store.ListMessages]. The zero value lists
// the newest messages of the account.
type Filter struct {
	// Status keeps messages whose current status is Status; zero keeps all.
	Status sms.Status
	// Dest keeps messages to this destination address (exact match);
	// empty keeps all.
	Dest string
	// Source keeps messages from this source address (exact match, as
	// stored: digits without "+" for a number, else the alphanumeric
	// sender); empty keeps all. Not indexed: the account's messages are
	// read newest first until the page is full, like Dest on SQLite.
	Source string
	// Campaign keeps the messages campaign Campaign of the account sent
	// (see [Store.campaignFilter]); zero keeps all.
	Campaign int64
	// From and To keep messages created at or after From and before To;
	// a zero time leaves that end open.
	From, To time.Time
	// After is the cursor: zero for the first page, then the next value
	// returned with the previous page. Pages run from the newest message
	// to the oldest, so After is an id and the page holds older ones.
	After sms.ID
	// Limit is the page size, 1 to 1,000; zero means 100.
	Limit int
}

// MessageSummary is one message of a list: the message with its current
// status in Status (the latest event's, see [Store.GetMessage]) and when
// that status was recorded.
type MessageSummary struct {
	sms.Message
	UpdatedAt time.Time
}

// ListMessages returns a page of account accountID's messages matching f,
// newest first, and the cursor for the next page (zero on the last page).
func (s *Store) ListMessages(ctx context.Context, accountID int64, f Filter) ([]MessageSummary, sms.ID, error) {
	limit := f.Limit
	switch {
	case limit == 0:
		limit = defaultListLimit
	case limit < 0 || limit > maxListLimit:
		return nil, 0, fmt.Errorf("%w: list limit %d not in 1..%d", ErrInvalid, limit, maxListLimit)
	}
	var q strings.Builder
	args := make([]any, 0, 11)
	q.WriteString("SELECT " + messageColumns + ", COALESCE(e.status, m.status) AS cur_status, " +
		"COALESCE(e.at, m.created_at) AS updated_at " +
		"FROM messages m LEFT JOIN message_events e ON e.id = (" + latestEventID + ") " +
		"WHERE m.account_id = ?")
	args = append(args, accountID)
	if f.Dest != "" {
		q.WriteString(" AND m.dst_addr = ?")
		args = append(args, f.Dest)
	}
	if f.Source != "" {
		q.WriteString(" AND m.src_addr = ?")
		args = append(args, f.Source)
	}
	if f.Campaign != 0 {
		var ok bool
		var err error
		if args, ok, err = s.campaignFilter(ctx, &q, args, accountID, f.Campaign); err != nil || !ok {
			return nil, 0, err
		}
	}
	if !f.From.IsZero() {
		q.WriteString(" AND m.created_at >= ?")
		args = append(args, s.timeArg(f.From))
	}
	if !f.To.IsZero() {
		q.WriteString(" AND m.created_at < ?")
		args = append(args, s.timeArg(f.To))
	}
	if f.After != 0 {
		q.WriteString(" AND m.id < ?")
		args = append(args, s.idArg(f.After))
	}
	if f.Status != sms.StatusUnknown {
		q.WriteString(" AND COALESCE(e.status, m.status) = ?")
		args = append(args, int(f.Status))
	}
	// One more than the page tells whether there is a next page.
	q.WriteString(" ORDER BY m.id DESC LIMIT ?")
	args = append(args, limit+1)

	var rows []struct {
		messageRow
		CurStatus uint8  `db:"cur_status"`
		UpdatedAt dbTime `db:"updated_at"`
	}
	if err := s.r.SelectContext(ctx, &rows, q.String(), args...); err != nil {
		return nil, 0, fmt.Errorf("store: list messages: %w", mapErr(err))
	}
	var next sms.ID
	if len(rows) > limit {
		rows = rows[:limit]
		next = sms.ID(rows[limit-1].ID)
	}
	out := make([]MessageSummary, len(rows))
	for i := range rows {
		m, err := rows[i].message(s.keys)
		if err != nil {
			return nil, 0, err
		}
		out[i] = MessageSummary{Message: m, UpdatedAt: rows[i].UpdatedAt.Time}
		out[i].Status = sms.Status(rows[i].CurStatus)
	}
	return out, next, nil
}
