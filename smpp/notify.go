package smpp

import (
	"errors"

	"github.com/gallant-sms/gallant/smpp/pdu"
)

// Notify sends a request that has no response: alert_notification, from
// an MC to a bind that may receive. It does not wait for the window (no
// answer will free a slot) nor for room in the output buffer: it fails
// with ErrWriteStalled when the buffer stays full, as an answer would.
// It fails with ErrBadCommand for any other command, ErrNotBound before
// the bind, ErrSessionClosed once closing, and ErrNotAllowed when the
// session's role or bind type forbids it.
func (s *Session) Notify(id pdu.CommandID, body []byte) error {
	if id != pdu.AlertNotificationID {
		return ErrBadCommand
	}
	if err := s.checkBoundFor(id); err != nil {
		return err
	}
	if pdu.HeaderLen+len(body) > int(s.cfg.MaxPDULength) {
		return ErrPDUTooLong
	}
	s.omu.Lock()
	if s.closed {
		s.omu.Unlock()
		return ErrSessionClosed
	}
	seq := s.nextSeqLocked()
	s.omu.Unlock()
	err := s.out.put(pdu.Header{ID: id, Seq: seq}, body)
	if errors.Is(err, ErrWriteStalled) {
		s.shutdown(CloseWriteError, err, false)
	}
	return err
}
