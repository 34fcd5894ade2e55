package gateway

import (
	"github.com/gallant-sms/gallant/sms"
)

// Folding: fewer rows per message. A segment costs the store two
// status rows: "submitted" when its carrier answers, its final status when
// the receipt comes. When the writer is busy, the receipt can come while
// the "submitted" row still waits in the writer's queue; the final status
// is then written into that row instead (store.Event.SubmittedAt keeps the
// submission's time, and readers show both events). Nothing waits longer
// for it: the row is written when it would have been, and a row a batch
// has already taken is never changed.

// queuedEvent is a status event handed to the writer: its row and the
// number the writer gave it. The zero value is none.
type queuedEvent struct {
	row *eventRow
	n   uint64
}

// recordQueued is record that also returns the queued row, which a quick
// receipt can fold into (zero when the event had to wait in memory
// instead). Behind events already waiting, or when the writer is full,
// the event waits in memory (see overflow.go): never lost, never out of
// order.
func (s *Service) recordQueued(m *sms.Message, e sms.Event) queuedEvent {
	if !s.eventsBacklogged() {
		if q, err := s.addEventQueued(m.AccountID, e, carrierReq{}); err == nil {
			return q
		}
	}
	s.recordLater(m.AccountID, e, carrierReq{})
	return queuedEvent{}
}

// fold writes the final event ev of a segment into q, the segment's
// queued "submitted" event, if no batch has taken q yet; req, when not
// zero, is answered once the row is stored, as addEvent does.
// It reports whether it did; if not, ev must be recorded by itself.
func (s *Service) fold(q queuedEvent, ev sms.Event, req carrierReq) bool {
	r := q.row
	if r == nil {
		return false
	}
	ok := s.w.Amend(q.n, &r.ev, func() {
		// The row is exactly the one queued as q (Amend checked its
		// number and identity), so it is still this segment's
		// "submitted" event and nobody else touches it.
		r.ev.SubmittedAt = r.ev.At
		r.ev.Status, r.ev.At, r.ev.ErrorCode = ev.Status, ev.At, ev.ErrorCode
		r.req = req
	})
	if ok {
		s.m.eventsFolded.Inc()
	}
	return ok
}
