package gateway

import (
	"time"

	"github.com/gallant-sms/gallant/smpp/pdu"
	"github.com/gallant-sms/gallant/sms"
)

// Status events the writer could not take (its queue was full) are kept
// here, in order, and given to it again a moment later, instead of being
// lost: a lost "submitted" event would make a restart send its message
// again. While any wait here, new messages get backpressure and carriers'
// receipts a temporary error (they send them again), so the events stay
// in order and the backlog drains. The list is bounded by the messages in
// flight (Config.MaxInFlight), two events each at most.

// overflowRetry is how often held-back events are given to the writer.
const overflowRetry = 10 * time.Millisecond

// heldEvent is one status event waiting for room in the writer.
type heldEvent struct {
	account int64
	ev      sms.Event
}

// recordLater queues e behind the events already waiting.
func (s *Service) recordLater(account int64, e sms.Event) {
	s.ovMu.Lock()
	s.overflow = append(s.overflow, heldEvent{account: account, ev: e})
	n := len(s.overflow)
	s.ovMu.Unlock()
	s.backlogged.Store(true)
	if n == 1 {
		s.log.Warn("writer queue full: status events wait in memory", "first", e.MessageID)
	}
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
		if err := s.addEvent(he.account, he.ev, nil, pdu.Header{}); err != nil {
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

// dropOverflow reports the events still waiting at shutdown.
func (s *Service) dropOverflow() {
	s.ovMu.Lock()
	n := len(s.overflow)
	s.overflow = nil
	s.ovMu.Unlock()
	if n > 0 {
		s.m.eventsLost.Add(float64(n))
		s.log.Error("status events not recorded at shutdown: the writer stayed full", "events", n)
	}
}
