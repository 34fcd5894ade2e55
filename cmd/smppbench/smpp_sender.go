package main

import (
	"context"
	"errors"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gallant-sms/gallant/smpp"
	"github.com/gallant-sms/gallant/smpp/pdu"
)

// slot is one outstanding submit_sm's [smpp.Responder], carrying its send
// time: a pointer, so Send does not allocate. The sender marks a slot
// busy and Response frees it; a bind has more
// slots than its window can hold requests (see newTxBind).
type slot struct {
	busy atomic.Bool
	sent atomic.Int64 // run clock
	b    *txBind
	// The PDU the slot carries, to resend it after a refusal: message
	// number, kind and index in the kind's bodies. Written by the sender
	// before Send, read by the callback after the response.
	k    uint64
	kind uint8
	part uint8
}

// resend is a submit_sm refused with ESME_RTHROTTLED or ESME_RMSGQFUL,
// to send again after the pause, as an ESME does.
type resend struct {
	k          uint64
	kind, part uint8
}

// txBind is one sending bind (transmitter or transceiver) and its sender
// goroutine's state.
type txBind struct {
	r     *smppRun
	sess  *smpp.Session
	rec   *recorder // of sess: its reader goroutine runs submitDone
	tmpl  [numKinds]template
	slots []slot
	cur   int

	// Sender goroutine only; read after it ended.
	kinds   [numKinds]uint64 // messages fully queued, by kind
	sendErr error            // why the sender stopped early

	pdus     atomic.Uint64 // submit_sm queued
	resent   atomic.Uint64 // of pdus: sent again after a refusal
	inflight atomic.Int64  // submit_sm awaiting their callback

	retryMu  sync.Mutex
	retries  []resend      // refused submit_sm waiting to be sent again
	timeouts atomic.Uint64 // ErrResponseTimeout
	lost     atomic.Uint64 // ErrConnectionLost
	failed   atomic.Uint64 // Send errors other than the end of the run
}

// newTxBind prepares the sender of sess. Slots: up to window requests
// are outstanding, and at most as many more may have left the window
// (answered or timed out) without their callback having run yet, so
// twice the window plus one always leaves a slot free.
func newTxBind(r *smppRun, sess *smpp.Session, rec *recorder) *txBind {
	b := &txBind{r: r, sess: sess, rec: rec}
	n := 1
	for n < 2*r.cfg.Window+2 {
		n <<= 1
	}
	b.slots = make([]slot, n)
	for i := range b.slots {
		b.slots[i].b = b
	}
	for k := range b.tmpl {
		b.tmpl[k] = r.tmpl[k].clone()
	}
	return b
}

// take returns a free slot, marked busy.
func (b *txBind) take() *slot {
	mask := len(b.slots) - 1
	for {
		for range b.slots {
			s := &b.slots[b.cur&mask]
			b.cur++
			if !s.busy.Load() {
				s.busy.Store(true) // only the sender sets busy
				return s
			}
		}
		runtime.Gosched() // cannot happen with the sizing above; never spin hard
	}
}

// send is the sender goroutine: it claims message numbers from the run,
// paces them, and queues each message's submit_sm until the run stops,
// the count is reached or the session fails.
func (b *txBind) send(ctx context.Context, p pacer) {
	r := b.r
	count := r.cfg.Count
	for {
		if d := b.rec.pauseUntil.Load() - r.now(); d > 0 {
			time.Sleep(time.Duration(d))
		}
		if rs, ok := b.nextRetry(); ok {
			// A refused submit_sm goes again before new messages.
			if r.stop.Load() || !b.submit(ctx, rs.k, rs.kind, rs.part) {
				return
			}
			b.resent.Add(1)
			continue
		}
		if !p.wait(&r.stop) {
			return
		}
		k := r.next.Add(1) - 1
		if count > 0 && k >= count {
			r.next.Add(-1)
			// All claimed: resend what is refused until nothing is
			// awaiting an answer.
			if (b.inflight.Load() == 0 && !b.hasRetry()) || r.stop.Load() || ctx.Err() != nil {
				return
			}
			time.Sleep(time.Millisecond)
			continue
		}
		kind := r.cycle[k%int64(len(r.cycle))]
		for part := range b.tmpl[kind].bodies {
			if !b.submit(ctx, uint64(k), uint8(kind), uint8(part)) {
				return
			}
		}
		b.kinds[kind]++
	}
}

// submit sends part of message k of kind; false when the sender must
// stop.
func (b *txBind) submit(ctx context.Context, k uint64, kind, part uint8) bool {
	r := b.r
	t := &b.tmpl[kind]
	t.patch(r.nums, k)
	s := b.take()
	s.k, s.kind, s.part = k, kind, part
	s.sent.Store(r.now())
	b.inflight.Add(1)
	if _, err := b.sess.Send(ctx, pdu.SubmitSMID, t.bodies[part], s); err != nil {
		s.busy.Store(false)
		b.inflight.Add(-1)
		if ctx.Err() == nil && !r.stop.Load() {
			b.failed.Add(1)
			b.sendErr = err
		}
		return false
	}
	b.pdus.Add(1)
	return true
}

// addRetry queues a refused submit_sm to be sent again.
func (b *txBind) addRetry(rs resend) {
	b.retryMu.Lock()
	b.retries = append(b.retries, rs)
	b.retryMu.Unlock()
}

// nextRetry takes the oldest refused submit_sm, if any.
func (b *txBind) nextRetry() (resend, bool) {
	b.retryMu.Lock()
	defer b.retryMu.Unlock()
	if len(b.retries) == 0 {
		return resend{}, false
	}
	rs := b.retries[0]
	b.retries = b.retries[1:]
	if len(b.retries) == 0 {
		b.retries = b.retries[:0:0] // let the grown array go
	}
	return rs, true
}

// hasRetry reports whether refused submit_sm wait to be sent again.
func (b *txBind) hasRetry() bool {
	b.retryMu.Lock()
	defer b.retryMu.Unlock()
	return len(b.retries) > 0
}

// Response takes the outcome of the slot's submit_sm: with a response it
// runs on the session's reader goroutine, which owns b.rec; timeouts and
// lost connections touch atomics only.
func (s *slot) Response(h pdu.Header, body []byte, err error) {
	b := s.b
	sent := s.sent.Load()
	rs := resend{k: s.k, kind: s.kind, part: s.part} // before the slot is free for reuse
	s.busy.Store(false)
	switch {
	case err == nil:
		b.rec.submitted(h, body, sent)
		if h.ID == pdu.SubmitSMRespID && (h.Status == pdu.StatusThrottled || h.Status == pdu.StatusMsgQFul) {
			// Before inflight drops, so the sender sees it waiting.
			b.addRetry(rs)
		}
	case errors.Is(err, smpp.ErrResponseTimeout):
		b.timeouts.Add(1)
	default:
		b.lost.Add(1)
	}
	// Last, so that a run that sees no request in flight also sees the
	// receipt it expects from this one.
	b.inflight.Add(-1)
}
