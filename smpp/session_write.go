package smpp

import (
	"context"
	"fmt"
	"runtime/debug"
	"time"

	"github.com/gallant-sms/gallant/smpp/pdu"
)

// shrinkAbove is the output buffer capacity beyond which the writer
// drops a buffer that a burst grew, once traffic is light again.
const shrinkAbove = 256 << 10

// writeLoop is the session's writer goroutine: it writes what producers
// queued, one write per batch, and runs the session's timers.
func (s *Session) writeLoop() {
	defer close(s.writerDone)
	defer func() {
		// A Responder failed by a timeout runs here.
		if p := recover(); p != nil {
			s.logger().Error("smpp: panic in session callback", "panic", p, "stack", string(debug.Stack()))
			s.shutdown(CloseReadError, fmt.Errorf("%w: %v", errHandlerPanic, p), false)
		}
	}()
	ticker := time.NewTicker(s.tick)
	defer ticker.Stop()
	spare := make([]byte, 0, s.cfg.WriteBufferSize)
	var deadline time.Time // current write deadline; re-armed when half used
	for {
		select {
		case <-s.out.signal:
			var err error
			if spare, err = s.flush(spare, &deadline); err != nil {
				s.shutdown(CloseWriteError, err, false)
				return
			}
		case now := <-ticker.C:
			s.onTick(now)
		case <-s.closing:
			s.closeWrite(spare)
			return
		}
	}
}

// flush writes the pending PDUs and returns the buffer to reuse.
func (s *Session) flush(spare []byte, deadline *time.Time) ([]byte, error) {
	buf := s.out.swap(spare)
	if len(buf) == 0 {
		return buf, nil
	}
	if wt := s.cfg.WriteTimeout; wt > 0 {
		// Re-arming a deadline costs a clock read and a timer update, so
		// do it only when half of the current one is used up. The coarse
		// clock lags by at most a tick, a quarter of WriteTimeout, so the
		// deadline kept is never already past.
		now := s.start.Add(time.Duration(s.clock.Load()))
		if deadline.Sub(now) < wt/2 {
			*deadline = time.Now().Add(wt)
			if err := s.conn.SetWriteDeadline(*deadline); err != nil {
				return buf[:0], err
			}
		}
	}
	n, err := s.conn.Write(buf)
	s.ctr.writes.Add(1)
	s.ctr.bytesOut.Add(uint64(n))
	if cap(buf) > shrinkAbove && len(buf) < cap(buf)/8 {
		buf = make([]byte, 0, s.cfg.WriteBufferSize)
	}
	return buf[:0], err
}

// closeWrite ends the writer. After a graceful shutdown it flushes what
// is queued and half-closes, leaving the reader to drain until the peer
// closes (within closeLinger); otherwise it closes the connection.
func (s *Session) closeWrite(spare []byte) {
	s.closeMu.Lock()
	graceful := s.graceful
	s.closeMu.Unlock()
	if graceful {
		buf := s.out.swap(spare)
		var err error
		if len(buf) > 0 {
			_, err = s.conn.Write(buf)
			s.ctr.writes.Add(1)
		}
		if cw, ok := s.conn.(interface{ CloseWrite() error }); ok && err == nil && cw.CloseWrite() == nil {
			_ = s.conn.SetReadDeadline(time.Now().Add(closeLinger))
			return
		}
	}
	_ = s.conn.Close()
}

// onTick runs the session's timers on the writer goroutine: bind timeout,
// inactivity, enquire_link and response timeouts. Timestamps are
// nanoseconds since start; the reader only sets recvFlag, so receiving
// costs no clock read.
func (s *Session) onTick(now time.Time) {
	c := int64(now.Sub(s.start))
	s.clock.Store(c)
	// A reader paused for room (InboundBackpressure) is not idle: the
	// peer waits on us, and its PDUs wait in the socket.
	if s.recvFlag.Swap(false) || s.paused.Load() {
		s.lastRecv = c
	}
	st := s.State()
	if bt := s.cfg.BindTimeout; bt > 0 && s.role == roleMC && st == Open && c > int64(bt) {
		s.shutdown(CloseBindTimeout, nil, false)
		return
	}
	idle := c - s.lastRecv
	if it := s.cfg.InactivityTimeout; it > 0 && idle > int64(it) {
		if st.Bound() {
			_ = s.out.put(pdu.Header{ID: pdu.Unbind, Seq: s.nextSeq()}, nil)
		}
		s.shutdown(CloseInactivity, nil, true)
		return
	}
	if ei := s.cfg.EnquireLinkInterval; ei > 0 && idle >= int64(ei) && (st.Bound() || st == Unbinding) && !s.enquiring.Load() {
		s.enquiring.Store(true)
		if _, err := s.send(context.Background(), pdu.EnquireLink, nil, nil, kindEnquire, true); err != nil {
			s.enquiring.Store(false)
		}
	}
	s.expire(c)
}

// expire fails the requests whose response timed out.
func (s *Session) expire(now int64) {
	if s.cfg.ResponseTimeout <= 0 {
		return
	}
	s.omu.Lock()
	s.expired = s.table.appendExpired(s.expired[:0], now)
	if len(s.expired) == 0 {
		s.omu.Unlock()
		return
	}
	reqs := s.expiredReqs[:0]
	for _, seq := range s.expired {
		if r, ok := s.table.remove(seq); ok {
			if r.kind == kindUser {
				s.userOut--
			}
			reqs = append(reqs, r)
		}
	}
	s.wakeWindowLocked()
	s.omu.Unlock()
	for i := range reqs {
		r := &reqs[i]
		switch r.kind {
		case kindUser, kindBind:
			s.ctr.timeouts.Add(1)
			if r.resp != nil {
				r.resp.Response(pdu.Header{}, nil, ErrResponseTimeout)
			}
		case kindEnquire:
			s.logger().Info("smpp: enquire_link not answered, closing")
			s.shutdown(CloseInactivity, errEnquireTimeout, false)
		case kindUnbind:
			s.omu.Lock()
			s.unbindAcked = true
			s.omu.Unlock()
		}
		*r = request{}
	}
	s.expiredReqs = reqs[:0]
	s.unbindProgress()
}

// nextSeq allocates a sequence number for a PDU that is not tracked.
func (s *Session) nextSeq() uint32 {
	s.omu.Lock()
	defer s.omu.Unlock()
	return s.nextSeqLocked()
}

// nextSeqLocked allocates the next free sequence number. s.omu must be
// held.
func (s *Session) nextSeqLocked() uint32 {
	for {
		s.seq = pdu.NextSeq(s.seq)
		if !s.table.has(s.seq) {
			return s.seq
		}
	}
}
