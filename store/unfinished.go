package store

import (
	"context"
	"fmt"

	"github.com/gallant-sms/gallant/sms"
)

// Pending is a message a restart must send (again): none of its events
// says it is finished, and not all of its segments were acknowledged by a
// carrier.
type Pending struct {
	Message sms.Message
	// SubmittedSegments lists, in ascending order, the 1-based segments
	// that need not be sent again: a carrier acknowledged them (status
	// submitted) or they reached a final status.
	SubmittedSegments []int
}

// maxUnfinishedLimit bounds one page of [Store.Unfinished].
const maxUnfinishedLimit = 10000

// unfinishedCond is true of a message m that is not settled. A segment
// is settled by an event with status submitted or later for it; an event
// for segment 0 speaks for the whole message. A message of Segments parts
// (at least one) is settled when all its parts are. A message waiting in
// scheduled_messages is not unfinished: the scheduler owns it.
var unfinishedCond = "NOT EXISTS (SELECT 1 FROM scheduled_messages s WHERE s.message_id = m.id) " +
	"AND NOT EXISTS (SELECT 1 FROM message_events e WHERE e.message_id = m.id " +
	"AND e.segment = 0 AND e.status >= " + submittedStatus + ") " +
	"AND (SELECT COUNT(DISTINCT e.segment) FROM message_events e WHERE e.message_id = m.id " +
	"AND e.segment > 0 AND e.status >= " + submittedStatus + ") " +
	"< CASE WHEN m.segments > 1 THEN m.segments ELSE 1 END"

// unfinishedQuery selects the messages after an id that are not settled.
var unfinishedQuery = "SELECT " + messageColumns + " FROM messages m WHERE m.id > ? AND " + unfinishedCond +
	" ORDER BY m.id LIMIT ?"

// Unfinished returns up to limit (1 to 10,000) messages with ids above
// since, in id order, that a restarted gateway must still send: no event
// settles them (see [Pending]). Ids are time-ordered, so the caller passes
// the id of "now minus the furthest schedule and the longest validity"
// and then, to page, the last id returned. Messages still waiting for their send time are not
// included (they are claimed when due: see [Store.ClaimScheduled]);
// expired ones are: the caller decides by ValidUntil. This reads every
// account's messages: it is for the gateway's own recovery, not for
// customers.
func (s *Store) Unfinished(ctx context.Context, since sms.ID, limit int) ([]Pending, error) {
	if limit < 1 || limit > maxUnfinishedLimit {
		return nil, fmt.Errorf("%w: unfinished limit %d not in 1..%d", ErrInvalid, limit, maxUnfinishedLimit)
	}
	var rows []messageRow
	if err := s.r.SelectContext(ctx, &rows, unfinishedQuery, s.idArg(since), limit); err != nil {
		return nil, fmt.Errorf("store: unfinished messages: %w", mapErr(err))
	}
	return s.pending(ctx, rows)
}

// pending turns unfinished messages' rows into Pendings, with the
// segments a carrier already acknowledged.
func (s *Store) pending(ctx context.Context, rows []messageRow) ([]Pending, error) {
	if len(rows) == 0 {
		return nil, nil
	}
	out := make([]Pending, len(rows))
	index := make(map[sms.ID]int, len(rows))
	q := make([]byte, 0, 160+len(rows)*21)
	q = append(q, "SELECT DISTINCT message_id, segment FROM message_events WHERE segment > 0 AND status >= "...)
	q = append(q, submittedStatus...)
	q = append(q, " AND message_id IN ("...)
	for i := range rows {
		m, err := rows[i].message(s.keys)
		if err != nil {
			return nil, err
		}
		out[i].Message = m
		index[out[i].Message.ID] = i
		if i > 0 {
			q = append(q, ',')
		}
		q = s.appendID(q, out[i].Message.ID)
	}
	q = append(q, ") ORDER BY message_id, segment"...)
	var segs []struct {
		MessageID dbID `db:"message_id"`
		Segment   int  `db:"segment"`
	}
	if err := s.r.SelectContext(ctx, &segs, string(q)); err != nil {
		return nil, fmt.Errorf("store: unfinished segments: %w", mapErr(err))
	}
	for _, sg := range segs {
		if i, ok := index[sms.ID(sg.MessageID)]; ok {
			out[i].SubmittedSegments = append(out[i].SubmittedSegments, sg.Segment)
		}
	}
	return out, nil
}
