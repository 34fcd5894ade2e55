package gateway

import (
	"time"

	"github.com/gallant-sms/gallant/sms"
)

// Status events the writer could not take (its queue was full) are kept
// here, in order, and given to it again a moment later, instead of being
// lost: a lost "submitted" event would make a restart send its message
// again. While any wait here, new messages get backpressure and carriers'
// receipts wait here too, behind them, so the events stay in order and
// the backlog drains. A durable receipt waits with its deliver_sm
// unanswered, holding room in its bind's MaxInbound: the bind stops
// reading when they add up, and the carrier's own window paces it. The
// list is bounded by the messages in flight (Config.MaxInFlight), two
// events each at most.

// overflowRetry is how often held-back events are given to the writer.
const overflowRetry = 10 * time.Millisecond

// heldEvent is one status event waiting for room in the writer, with the
// carrier's request to answer once it is stored (zero for none).
type heldEvent struct {
	account int64
	ev      sms.Event
	req     carrierReq
	mo      *inboundAck // instead of ev: a carrier's MO, its parts answered once stored
}

// recordLater queues e behind the events already waiting; req, when not
// zero, is answered once e is stored.
func (s *Service) recordLater(account int64, e sms.Event, req carrierReq) {
	s.ovMu.Lock()
	if s.ovClosed && req.sess != nil {
		// Shutdown dropped the waiting events: nothing would store it.
		s.ovMu.Unlock()
		s.abandon(req)
		return
	}
	s.overflow = append(s.overflow, heldEvent{account: account, ev: e, req: req})
	n := len(s.overflow)
	s.ovMu.Unlock()
	s.backlogged.Store(true)
	if n == 1 {
		s.log.Warn("writer queue full: status events wait in memory", "first", e.MessageID)
	}
}

// recordMOLater queues a carrier's routed MO behind the events waiting;
// its requests are answered once it is stored.
func (s *Service) recordMOLater(a *inboundAck) {
	s.ovMu.Lock()
	if s.ovClosed {
		s.ovMu.Unlock()
		for _, r := range a.reqs {
			s.abandon(r)
		}
		return
	}
	s.overflow = append(s.overflow, heldEvent{mo: a})
	s.ovMu.Unlock()
	s.backlogged.Store(true)
}

// eventsBacklogged reports whether status events wait for the writer.
func (s *Service) eventsBacklogged() bool { return s.backlogged.Load() }

// retryOverflow gives waiting events to the writer, oldest first, until
// it refuses one again.
func (s *Service) retryOverflow() {
	if !s.backlogged.Load() {
		return
	}
	s.ovMu.Lock()
	defer s.ovMu.Unlock()
	done := 0
	for _, he := range s.overflow {
		var err error
		if he.mo != nil {
			err = s.w.Add(he.mo.mo, he.mo)
		} else {
			_, err = s.addEventRow(he.account, he.ev, he.req)
		}
		if err != nil {
			break
		}
		done++
	}
	clear(s.overflow[:done])
	s.overflow = s.overflow[done:]
	if len(s.overflow) == 0 {
		s.overflow = nil
		s.backlogged.Store(false)
		if done > 0 {
			s.log.Info("writer queue drained: status events written", "events", done)
		}
	}
}

// dropOverflow gives up the events still waiting at shutdown. A
// carrier's receipt or MO among them is abandoned, unanswered, for the
// carrier to send again after a new bind; the others (fast mode's
// receipts, already answered, and our own statuses) are lost and
// counted. Later ones are abandoned at once (recordLater).
func (s *Service) dropOverflow() {
	s.ovMu.Lock()
	list := s.overflow
	s.overflow, s.ovClosed = nil, true
	s.ovMu.Unlock()
	lost := 0
	for _, he := range list {
		if he.mo != nil {
			for _, r := range he.mo.reqs {
				s.abandon(r)
			}
			continue
		}
		if he.req.sess != nil {
			s.abandon(he.req)
			continue
		}
		lost++
	}
	if n := len(list) - lost; n > 0 {
		s.log.Info("carrier receipts and MO waiting for the writer left unanswered at shutdown, for the carriers to send again", "requests", n)
	}
	if lost > 0 {
		s.m.eventsLost.Add(float64(lost))
		s.log.Error("status events not recorded at shutdown: the writer stayed full", "events", lost)
	}
}
