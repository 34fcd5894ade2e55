package gateway

import (
	"context"
	"time"

	"github.com/gallant-sms/gallant/router"
	"github.com/gallant-sms/gallant/sms"
)

// recorder is the Service seen as the router's Recorder.
type recorder Service

var _ router.Recorder = (*recorder)(nil)

// The router reports no segment a carrier accepted: the bind records it
// as soon as the answer arrives (see Service.submitted), on the goroutine
// that then reads the carrier's receipt for it, so the "submitted" event
// and callback always come before the final ones.

// submitted records that carrier acknowledged segment n (1-based) of m
// with carrierMsgID, and sends the "submitted" callback once every
// segment is. It returns the event's queued row, which the segment's
// receipt may fold into (fold.go).
func (s *Service) submitted(m *sms.Message, n int, carrier, carrierMsgID string) queuedEvent {
	s.charge(m.ID) // the first segment a carrier takes makes the reservation a charge
	q := s.recordQueued(m, sms.Event{MessageID: m.ID, Status: sms.StatusSubmitted, At: time.Now().UTC(),
		Segment: n, Carrier: carrier, CarrierMsgID: carrierMsgID})
	s.m.submitted.Inc()
	notify := false
	s.tr.with(m.ID, func(fl *flight) bool {
		fl.submitted++
		if int(fl.submitted) >= len(fl.segs) && !fl.notified {
			fl.notified, notify = true, true
		}
		return false
	})
	if notify {
		s.notifyStatus(m, sms.StatusSubmitted, "", carrier)
	}
	return q
}

// Failed records a segment that could not be sent.
func (r *recorder) Failed(job *router.Job, seg int, carrier string, code uint32, status sms.Status) {
	s := (*Service)(r)
	m := job.Msg
	n := job.Segments[seg].Seq
	ec := carrierStatusCode(code)
	s.record(m, sms.Event{MessageID: m.ID, Status: status, At: time.Now().UTC(),
		Segment: n, Carrier: carrier, ErrorCode: ec})
	s.m.failed.Inc()
	s.segmentFinal(m.ID, m.AccountID, n, status, ec, carrier, nil)
}

// Done ends the router's part of a job; the message lives on in the
// tracker until its receipts arrive. A reservation still open here means
// no segment reached a carrier: it is refunded.
func (r *recorder) Done(job *router.Job) { (*Service)(r).refund(job.Msg.ID) }

// segmentFinal notes the final status of segment n (1-based) of message
// id; when every segment of the message is final it records the message's
// own final status and tells its sender. A message this instance does not
// track is read from the store, unless stored is that message, read
// already.
func (s *Service) segmentFinal(id sms.ID, accountID int64, n int, st sms.Status, code, carrier string, stored *sms.Message) {
	var m *sms.Message
	var final sms.Status
	var charged bool
	var planID int64
	found := s.tr.with(id, func(fl *flight) bool {
		if n < 1 || n > len(fl.segs) || fl.segs[n-1] != sms.StatusUnknown {
			return false // a duplicate receipt, or one for a segment we do not know
		}
		fl.segs[n-1] = st
		fl.worst = finalOf(fl.worst, st)
		fl.left--
		if fl.left > 0 {
			return false
		}
		m, final = fl.msg, fl.worst
		charged, planID = fl.charged, fl.planID
		return true
	})
	if !found {
		// Not tracked (another instance's, a restart, or an old message):
		// read it back.
		msg := stored
		if msg == nil {
			var err error
			if msg, _, err = s.st.GetMessage(context.Background(), accountID, id); err != nil {
				s.log.Warn("receipt for a message not found", "id", id, "err", err)
				return
			}
		}
		if msg.Segments > 1 && !msg.HasUDH() {
			// A multi-part message restarted mid-way: report this part
			// only through the store; the customer's receipt needs all.
			return
		}
		m, final = msg, st
	}
	if m == nil {
		return
	}
	s.carrierOptOuts.seen(m, carrier, code)
	if m.Segments > 1 && !m.HasUDH() {
		s.record(m, sms.Event{MessageID: m.ID, Status: final, At: time.Now().UTC(), Carrier: carrier, ErrorCode: code})
	}
	s.finalCharge(m, final, found, charged, planID)
	s.notifyFinal(m, final, code, carrier)
}
