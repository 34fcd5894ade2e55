package main

import (
	"context"
	"errors"
	"runtime"
	"sync/atomic"
	"time"

	"github.com/gallant-sms/gallant/smpp"
	"github.com/gallant-sms/gallant/smpp/pdu"
)

// slot carries one outstanding submit_sm's send time to its
// [smpp.ResponseFunc]: a pointer tag, so Send does not allocate. The
// sender marks a slot busy and the callback frees it; a bind has more
// slots than its window can hold requests (see newTxBind).
type slot struct {
	busy atomic.Bool
	sent atomic.Int64 // run clock
	b    *txBind
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
	inflight atomic.Int64  // submit_sm awaiting their callback
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
		if !p.wait(&r.stop) {
			return
		}
		if d := b.rec.pauseUntil.Load() - r.now(); d > 0 {
			time.Sleep(time.Duration(d))
		}
		k := r.next.Add(1) - 1
		if count > 0 && k >= count {
			return
		}
		kind := r.cycle[k%int64(len(r.cycle))]
		t := &b.tmpl[kind]
		t.patch(r.nums, uint64(k))
		for _, body := range t.bodies {
			s := b.take()
			s.sent.Store(r.now())
			b.inflight.Add(1)
			if _, err := b.sess.Send(ctx, pdu.SubmitSMID, body, s, submitDone); err != nil {
				s.busy.Store(false)
				b.inflight.Add(-1)
				if ctx.Err() == nil && !r.stop.Load() {
					b.failed.Add(1)
					b.sendErr = err
				}
				return
			}
			b.pdus.Add(1)
		}
		b.kinds[kind]++
	}
}

// submitDone is the ResponseFunc of every submit_sm: with a response it
// runs on the session's reader goroutine, which owns b.rec; timeouts and
// lost connections touch atomics only.
func submitDone(tag any, h pdu.Header, body []byte, err error) {
	s := tag.(*slot)
	b := s.b
	sent := s.sent.Load()
	s.busy.Store(false)
	switch {
	case err == nil:
		b.rec.submitted(h, body, sent)
	case errors.Is(err, smpp.ErrResponseTimeout):
		b.timeouts.Add(1)
	default:
		b.lost.Add(1)
	}
	// Last, so that a run that sees no request in flight also sees the
	// receipt it expects from this one.
	b.inflight.Add(-1)
}
