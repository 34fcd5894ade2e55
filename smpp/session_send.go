package smpp

import (
	"bytes"
	"context"
	"errors"

	"github.com/gallant-sms/gallant/smpp/pdu"
)

// errEnquireTimeout ends a session whose enquire_link went unanswered.
var errEnquireTimeout = errors.New("smpp: enquire_link response timeout")

// Send sends a request and returns its sequence number; r receives the
// outcome (see [Responder]) exactly once, unless Send returns an error,
// in which case the request was not sent and r is never called. r may be
// nil when the outcome does not matter.
//
// body is the encoded body (from a pdu type's AppendBody, into a scratch
// buffer the caller keeps); the session copies it behind a header, so
// the caller may reuse it when Send returns. A pointer in an interface
// does not allocate, so a pointer Responder sends without allocating.
//
// Send blocks while Window requests are outstanding or the output buffer
// is full (up to WriteTimeout), until ctx is done. It fails with
// ErrNotBound before the bind, ErrSessionClosed once closing or
// unbinding, ErrNotAllowed when the bind type forbids id (submit_sm on a
// receiver bind), and ErrBadCommand for responses, binds, unbind and
// requests without a response (outbind, alert_notification).
func (s *Session) Send(ctx context.Context, id pdu.CommandID, body []byte, r Responder) (uint32, error) {
	if err := s.checkSend(id); err != nil {
		return 0, err
	}
	return s.send(ctx, id, body, r, kindUser, false)
}

// TrySend is Send without waiting: when the window or the output buffer
// is full it fails at once with ErrWindowFull.
func (s *Session) TrySend(id pdu.CommandID, body []byte, r Responder) (uint32, error) {
	if err := s.checkSend(id); err != nil {
		return 0, err
	}
	return s.send(context.Background(), id, body, r, kindUser, true)
}

// Call sends a request and waits for its response, for low-rate use
// (query_sm, tests). It returns the response header and a copy of its
// body; a non-zero command_status is also returned as the error (a
// pdu.Status). It allocates; use Send on hot paths. If ctx ends first
// Call returns ctx.Err() and the request stays outstanding until answered
// or timed out.
func (s *Session) Call(ctx context.Context, id pdu.CommandID, body []byte) (pdu.Header, []byte, error) {
	ch := make(callWaiter, 1)
	if _, err := s.Send(ctx, id, body, ch); err != nil {
		return pdu.Header{}, nil, err
	}
	return waitCall(ctx, ch)
}

// callResult carries a response to Call.
type callResult struct {
	h    pdu.Header
	body []byte
	err  error
}

// callWaiter is Call's Responder: the channel its response goes to.
type callWaiter chan callResult

// Response hands a copy of the response to the waiting Call.
func (ch callWaiter) Response(h pdu.Header, body []byte, err error) {
	ch <- callResult{h: h, body: bytes.Clone(body), err: err}
}

// waitCall waits for Call's response.
func waitCall(ctx context.Context, ch callWaiter) (pdu.Header, []byte, error) {
	select {
	case r := <-ch:
		if r.err == nil && r.h.Status != pdu.StatusOK {
			r.err = r.h.Status
		}
		return r.h, r.body, r.err
	case <-ctx.Done():
		return pdu.Header{}, nil, ctx.Err()
	}
}

// checkSend validates a user request against the command and the bind.
func (s *Session) checkSend(id pdu.CommandID) error {
	if !id.HasResponse() || id.IsBind() || id == pdu.Unbind {
		return ErrBadCommand
	}
	return s.checkBoundFor(id)
}

// checkBoundFor reports why the session may not send id now: not bound
// yet, closing, or id not allowed for its role and bind type.
func (s *Session) checkBoundFor(id pdu.CommandID) error {
	st := s.State()
	switch {
	case st == Open:
		return ErrNotBound
	case !st.Bound():
		return ErrSessionClosed
	case !legal(s.role, s.BindType(), id):
		return ErrNotAllowed
	}
	return nil
}

// send registers a request as outstanding and queues it. User requests
// take a window slot (waiting unless try) and wait for room in the output
// buffer; the session's own requests do neither.
func (s *Session) send(ctx context.Context, id pdu.CommandID, body []byte, resp Responder, kind reqKind, try bool) (uint32, error) {
	if pdu.HeaderLen+len(body) > int(s.cfg.MaxPDULength) {
		return 0, ErrPDUTooLong
	}
	s.omu.Lock()
	if kind == kindUser {
		if err := s.acquireLocked(ctx, try); err != nil {
			s.omu.Unlock()
			return 0, err
		}
	} else if s.closed {
		s.omu.Unlock()
		return 0, ErrSessionClosed
	}
	seq := s.nextSeqLocked()
	var expires int64
	if rt := s.cfg.ResponseTimeout; rt > 0 {
		// The clock lags by up to a tick, so add one: never early.
		expires = s.clock.Load() + int64(rt+s.tick)
	}
	s.table.insert(request{seq: seq, id: id, kind: kind, expires: expires, resp: resp})
	s.omu.Unlock()

	h := pdu.Header{ID: id, Seq: seq}
	var err error
	if kind == kindUser {
		err = s.out.putWait(ctx, h, body, try, s.cfg.WriteTimeout)
	} else {
		err = s.out.put(h, body)
	}
	if err != nil {
		if !s.forget(seq) {
			// Closing already took the request and called resp with
			// ErrConnectionLost: report it as sent.
			return seq, nil
		}
		if errors.Is(err, ErrWriteStalled) && kind != kindUser {
			s.shutdown(CloseWriteError, err, false)
		}
		return 0, err
	}
	return seq, nil
}

// acquireLocked takes a window slot, waiting for one unless try. s.omu
// must be held; it is held again on return.
func (s *Session) acquireLocked(ctx context.Context, try bool) error {
	for {
		if s.closed {
			return ErrSessionClosed
		}
		if s.userOut < s.cfg.Window {
			s.userOut++
			if s.winWaiters > 0 && s.userOut < s.cfg.Window {
				s.signalWindow() // room remains: pass the wake-up on
			}
			return nil
		}
		if try {
			return ErrWindowFull
		}
		s.winWaiters++
		s.omu.Unlock()
		var err error
		select {
		case <-s.winSig:
		case <-s.closing:
		case <-ctx.Done():
			err = ctx.Err()
		}
		s.omu.Lock()
		s.winWaiters--
		if err != nil {
			return err
		}
	}
}

// forget removes a request that could not be queued. It reports false if
// the request was no longer outstanding.
func (s *Session) forget(seq uint32) bool {
	s.omu.Lock()
	defer s.omu.Unlock()
	r, ok := s.table.remove(seq)
	if ok && r.kind == kindUser {
		s.userOut--
		s.wakeWindowLocked()
	}
	return ok
}

// wakeWindowLocked wakes one Send waiting for the window if a slot is
// free. s.omu must be held.
func (s *Session) wakeWindowLocked() {
	if s.winWaiters > 0 && s.userOut < s.cfg.Window {
		s.signalWindow()
	}
}

// signalWindow hands the window wake-up token to one waiter.
func (s *Session) signalWindow() {
	select {
	case s.winSig <- struct{}{}:
	default:
	}
}
