package smpp

import (
	"errors"

	"github.com/gallant-sms/gallant/smpp/pdu"
)

// Respond answers the peer's request h (the request's own header) with
// its *_resp: the response command_id, status and h's sequence number,
// followed by body (nil for a header-only response; a bind response with
// a non-zero status is always header-only). It may be called from any
// goroutine, at any time after the Handler received h, and must be
// called exactly once per request that has a response. It does not wait:
// past the output buffer's hard limit it fails with ErrWriteStalled and
// the session closes.
func (s *Session) Respond(h pdu.Header, status pdu.Status, body []byte) error {
	if h.ID.IsResponse() || !h.ID.HasResponse() {
		return ErrBadCommand
	}
	for {
		v := s.inbound.Load()
		if v <= 0 || s.inbound.CompareAndSwap(v, v-1) {
			break
		}
	}
	err := s.reply(h, status, body)
	s.unbindProgress()
	return err
}

// reply queues the response to h.
func (s *Session) reply(h pdu.Header, status pdu.Status, body []byte) error {
	if h.ID.IsBind() && status != pdu.StatusOK {
		body = nil
	}
	if pdu.HeaderLen+len(body) > int(s.cfg.MaxPDULength) {
		return ErrPDUTooLong
	}
	err := s.out.put(pdu.Header{ID: h.ID.Response(), Status: status, Seq: h.Seq}, body)
	if errors.Is(err, ErrWriteStalled) {
		s.shutdown(CloseWriteError, err, false)
	}
	return err
}

// reject answers a request the session refuses: with its *_resp, or with
// generic_nack when it has none.
func (s *Session) reject(h pdu.Header, status pdu.Status) {
	if h.ID.HasResponse() {
		s.reply(h, status, nil)
		return
	}
	s.gnack(h.Seq, status)
}

// gnack queues a generic_nack.
func (s *Session) gnack(seq uint32, status pdu.Status) {
	err := s.out.put(pdu.Header{ID: pdu.GenericNack, Status: status, Seq: seq}, nil)
	if errors.Is(err, ErrWriteStalled) {
		s.shutdown(CloseWriteError, err, false)
	}
}
