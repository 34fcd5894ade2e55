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
	s.freeInbound()
	err := s.reply(h, status, body)
	s.unbindProgress()
	return err
}

// Detach frees the room under SessionConfig.MaxInbound that the peer's
// request h holds, without answering it: for a request whose answer
// waits on something only more reading can bring (a receipt whose
// submit_sm_resp is still unread, here or on another connection), which
// must not keep a reader paused by InboundBackpressure waiting for
// itself. h must still be answered, with [Session.RespondDetached];
// detached requests are bounded by the caller, not by MaxInbound.
func (s *Session) Detach(h pdu.Header) {
	if h.ID.IsResponse() || !h.ID.HasResponse() {
		return
	}
	s.freeInbound()
}

// RespondDetached answers a request that [Session.Detach] released; it
// is Respond without giving back the room Detach already gave.
func (s *Session) RespondDetached(h pdu.Header, status pdu.Status, body []byte) error {
	if h.ID.IsResponse() || !h.ID.HasResponse() {
		return ErrBadCommand
	}
	return s.reply(h, status, body)
}

// Abandon gives up answering the peer's request h: it frees the room h
// holds under SessionConfig.MaxInbound (unless [Session.Detach] did) and
// lets an unbind of ours proceed without h's answer. For a session about
// to end whose peer sends an unanswered request again after a new bind,
// as an MC does with deliver_sm: under InboundBackpressure the gateway
// must not refuse it, and cannot take it any more. h must not be
// answered afterwards.
func (s *Session) Abandon(h pdu.Header, detached bool) {
	if h.ID.IsResponse() || !h.ID.HasResponse() {
		return
	}
	s.ctr.unanswered.Add(1)
	if !detached {
		s.freeInbound()
	}
	s.unbindProgress()
}

// freeInbound counts one peer request answered (or detached) and wakes
// a reader paused for room.
func (s *Session) freeInbound() {
	for {
		v := s.inbound.Load()
		if v <= 0 || s.inbound.CompareAndSwap(v, v-1) {
			break
		}
	}
	if s.paused.Load() {
		select {
		case s.inboundSig <- struct{}{}:
		default:
		}
	}
}

// reply queues the response to h.
func (s *Session) reply(h pdu.Header, status pdu.Status, body []byte) error {
	if status != pdu.StatusOK {
		s.inboundError(h.ID, status)
		if h.ID.IsBind() {
			body = nil
		}
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
	s.gnack(h, status)
}

// inboundError counts a peer request answered with status and tells
// OnInboundError.
func (s *Session) inboundError(cmd pdu.CommandID, status pdu.Status) {
	s.ctr.inboundError(cmd, status)
	if f := s.cfg.OnInboundError; f != nil {
		if !cmd.Known() {
			cmd = 0
		}
		f(cmd, status)
	}
}

// gnack answers the peer's PDU h with generic_nack.
func (s *Session) gnack(h pdu.Header, status pdu.Status) {
	s.inboundError(h.ID, status)
	seq := h.Seq
	err := s.out.put(pdu.Header{ID: pdu.GenericNack, Status: status, Seq: seq}, nil)
	if errors.Is(err, ErrWriteStalled) {
		s.shutdown(CloseWriteError, err, false)
	}
}
