package smpp

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"runtime/debug"

	"github.com/gallant-sms/gallant/smpp/pdu"
)

// Read buffer sizing: a buffer that a read filled doubles, up to
// growLimit (a PDU longer than the buffer grows it to fit, up to
// MaxPDULength); one that stays mostly empty for shrinkAfter reads halves,
// down to ReadBufferSize.
const (
	growLimit   = 64 << 10
	shrinkAfter = 64
)

// errHandlerPanic ends a session whose Handler or Responder panicked.
var errHandlerPanic = errors.New("smpp: handler panicked")

// readLoop is the session's reader goroutine. It reads into a reusable
// buffer, frames and dispatches every complete PDU in it, and reads again.
func (s *Session) readLoop() {
	var readErr error
	defer func() {
		if p := recover(); p != nil {
			s.logger().Error("smpp: panic in session callback", "panic", p, "stack", string(debug.Stack()))
			s.shutdown(CloseReadError, fmt.Errorf("%w: %v", errHandlerPanic, p), false)
		}
		s.finish(readErr)
	}()
	readErr = s.read()
}

// read runs the read loop until the connection fails.
func (s *Session) read() error {
	buf := make([]byte, s.cfg.ReadBufferSize)
	r, w := 0, 0 // buf[r:w] is unparsed input
	discard := false
	lightReads := 0
	for {
		if !discard {
			var err error
			if r, err = s.frame(buf, r, w); err != nil {
				discard = true // the stream is no longer trusted: drain until closed
			}
		}
		if discard {
			r = w
		}
		if r == w {
			r, w = 0, 0
		}
		need := pdu.HeaderLen
		if w-r >= pdu.HeaderLen {
			need = int(binary.BigEndian.Uint32(buf[r:])) // checked by frame
		}
		if r+need > len(buf) {
			if need > len(buf) {
				buf = resize(buf, r, w, max(need, 2*len(buf)))
			} else {
				copy(buf, buf[r:w])
			}
			w -= r
			r = 0
		}
		n, err := s.conn.Read(buf[w:])
		if n > 0 {
			filled := w+n == len(buf)
			w += n
			s.recvFlag.Store(true)
			s.ctr.reads.Add(1)
			s.ctr.bytesIn.Add(uint64(n))
			switch {
			case filled && len(buf) < growLimit:
				// The read filled the buffer: more is probably waiting.
				buf = resize(buf, r, w, 2*len(buf))
				w -= r
				r = 0
				lightReads = 0
			case n < len(buf)/8 && len(buf) > s.cfg.ReadBufferSize:
				lightReads++
				if half := max(len(buf)/2, s.cfg.ReadBufferSize); lightReads >= shrinkAfter && w-r <= half {
					buf = resize(buf, r, w, half)
					w -= r
					r = 0
					lightReads = 0
				}
			default:
				lightReads = 0
			}
		}
		if err != nil {
			if s.isClosing() || errors.Is(err, io.EOF) {
				return nil
			}
			return err
		}
	}
}

// resize returns a buffer of size n holding buf[r:w] at its start.
func resize(buf []byte, r, w, n int) []byte {
	nb := make([]byte, n)
	copy(nb, buf[r:w])
	return nb
}

// frame dispatches every complete PDU in buf[r:w] and returns the offset
// of the first byte not consumed. A command_length out of bounds is
// answered with generic_nack ESME_RINVCMDLEN and ends the session.
func (s *Session) frame(buf []byte, r, w int) (int, error) {
	npdu := 0
	var err error
	for w-r >= pdu.HeaderLen {
		h, _ := pdu.DecodeHeader(buf[r:w])
		if err = pdu.CheckLength(h, s.cfg.MaxPDULength); err != nil {
			s.logger().Log(context.Background(), s.peerLevel(), "smpp: bad command_length, closing", "length", h.Length, "seq", h.Seq)
			s.gnack(h, pdu.StatusInvCmdLen)
			s.shutdown(CloseProtocolError, err, true)
			break
		}
		n := int(h.Length)
		if w-r < n {
			break
		}
		s.dispatch(h, buf[r+pdu.HeaderLen:r+n:r+n])
		r += n
		npdu++
	}
	s.ctr.pdusIn.Add(uint64(npdu))
	s.wakeWindowIfFreed()
	return r, err
}

// dispatch handles one PDU (docs/smpp.md, "PDU framing and generic_nack" and
// "Session states and who may send what").
func (s *Session) dispatch(h pdu.Header, body []byte) {
	if h.ID.IsResponse() {
		s.handleResponse(h, body)
		return
	}
	if s.isClosing() {
		return // no answer can be sent any more
	}
	switch {
	case h.ID == pdu.EnquireLink:
		s.reply(h, pdu.StatusOK, nil)
		return
	case h.ID == pdu.Unbind:
		s.handleUnbind(h)
		return
	case h.ID.IsBind():
		s.handleBind(h, body)
		return
	case !h.ID.Known():
		s.ctr.rejected.Add(1)
		s.gnack(h, pdu.StatusInvCmdID)
		return
	}
	st := s.State()
	if st == Unbinding {
		if s.cfg.InboundFull == InboundBackpressure {
			// We are draining for unbind and never refuse: left
			// unanswered (nor read into the handler), the request stays
			// the peer's, which sends it again once it has bound again
			// (an MC re-queues a deliver_sm left unanswered when the
			// bind ends).
			s.ctr.unanswered.Add(1)
			return
		}
		// We are draining for unbind: a temporary status so that the
		// peer retries once it has bound again.
		s.reject(h, pdu.StatusThrottled)
		return
	}
	if !st.Bound() || !legal(s.peerRole(), s.BindType(), h.ID) {
		s.ctr.rejected.Add(1)
		s.reject(h, pdu.StatusInvBndSts)
		return
	}
	if h.ID.HasResponse() && !s.admitInbound(h) {
		return
	}
	if s.handler == nil {
		if h.ID.HasResponse() {
			_ = s.Respond(h, pdu.StatusSysErr, nil)
		}
		return
	}
	s.handler.HandlePDU(s, h, body)
}

// admitInbound counts the peer's request h against MaxInbound. Beyond
// it, under InboundThrottle h is answered ESME_RTHROTTLED and admitInbound
// reports false; under InboundBackpressure the reader waits, reading
// nothing more, until a Respond frees room (true) or the session closes
// (false). Only the reader adds to inbound, so room seen stays room.
func (s *Session) admitInbound(h pdu.Header) bool {
	limit := int64(s.cfg.MaxInbound)
	if s.inbound.Add(1) <= limit {
		return true
	}
	s.inbound.Add(-1)
	if s.cfg.InboundFull != InboundBackpressure {
		s.ctr.throttled.Add(1)
		s.reply(h, pdu.StatusThrottled, nil)
		return false
	}
	if !s.waitInbound(limit) {
		return false
	}
	s.inbound.Add(1)
	return true
}

// waitInbound pauses the reader until fewer than limit peer requests
// await Respond; false when the session closes meanwhile. Responses
// already read in this batch free their window slots first: a Send
// waiting for the window must not wait for our pause too.
func (s *Session) waitInbound(limit int64) bool {
	s.wakeWindowIfFreed()
	s.ctr.pauses.Add(1)
	s.paused.Store(true)
	defer s.paused.Store(false)
	for s.inbound.Load() >= limit {
		select {
		case <-s.inboundSig:
		case <-s.closing:
			return false
		}
	}
	return !s.isClosing()
}

// peerRole is the role of the other end.
func (s *Session) peerRole() role {
	if s.role == roleMC {
		return roleESME
	}
	return roleMC
}

// handleResponse completes the outstanding request a response answers.
// A generic_nack stands for any response; anything else must be the
// response to the request with that sequence number.
func (s *Session) handleResponse(h pdu.Header, body []byte) {
	s.omu.Lock()
	e, ok := s.table.get(h.Seq)
	if ok && h.ID != pdu.GenericNack && h.ID != e.id.Response() {
		ok = false
	}
	var r request
	if ok {
		r, _ = s.table.remove(h.Seq)
		if r.kind == kindUser {
			s.userOut--
			s.wakeWindow = true
		}
	}
	s.omu.Unlock()
	if !ok {
		s.ctr.unknown.Add(1)
		s.logger().Debug("smpp: dropping unexpected response", "command", h.ID.String(), "seq", h.Seq, "status", h.Status.Name())
		return
	}
	switch r.kind {
	case kindUser, kindBind:
		if r.resp != nil {
			r.resp.Response(h, body, nil)
		}
	case kindEnquire:
		s.enquiring.Store(false)
	case kindUnbind:
		s.omu.Lock()
		s.unbindAcked = true
		s.omu.Unlock()
		s.wakeWindow = true // checked for the end of the unbind after the batch
	}
}

// handleUnbind answers the peer's unbind: unbind_resp, then a graceful
// close; outstanding requests get ErrConnectionLost.
func (s *Session) handleUnbind(h pdu.Header) {
	st := s.State()
	if !st.Bound() && st != Unbinding {
		s.ctr.rejected.Add(1)
		s.reply(h, pdu.StatusInvBndSts, nil)
		return
	}
	s.reply(h, pdu.StatusOK, nil)
	s.shutdown(ClosePeerUnbind, nil, true)
}

// wakeWindowIfFreed wakes senders waiting for the window when responses
// read since the last call freed slots in it.
func (s *Session) wakeWindowIfFreed() {
	if !s.wakeWindow {
		return
	}
	s.wakeWindow = false
	s.omu.Lock()
	s.wakeWindowLocked()
	s.omu.Unlock()
	s.unbindProgress()
}
