package smpp

import (
	"context"
	"sync"
	"time"

	"github.com/gallant-sms/gallant/smpp/pdu"
)

// outbuf is a session's pending output. Producers on any goroutine encode
// PDUs into buf under mu; the writer swaps buf for its spare buffer and
// writes it in one call, so under load many PDUs share a write. Only the
// producer that finds buf empty signals the writer: one channel operation
// per batch, not per PDU.
//
// Requests (put with wait) block while len(buf) >= soft; responses and
// keepalives never block, so that the reader cannot stall, but fail past
// hard, which means the peer stopped reading.
type outbuf struct {
	mu      sync.Mutex
	buf     []byte
	closed  bool   // no more PDUs: the session is closing
	pdus    uint64 // PDUs queued, for Stats
	waiters int    // producers waiting for room

	soft, hard int
	signal     chan struct{}   // cap 1: wakes the writer
	space      chan struct{}   // cap 1: wakes one waiting producer
	closing    <-chan struct{} // the session's closing channel
}

func (o *outbuf) init(size, limit int, closing <-chan struct{}) {
	o.buf = make([]byte, 0, size)
	o.soft = limit
	o.hard = 4 * limit
	o.signal = make(chan struct{}, 1)
	o.space = make(chan struct{}, 1)
	o.closing = closing
}

// put queues a PDU without waiting for room. It fails with
// ErrSessionClosed after close and ErrWriteStalled past the hard limit.
func (o *outbuf) put(h pdu.Header, body []byte) error { return o.putAnd(h, body, nil) }

// putAnd is put that also runs then (if not nil) in the same hold of the
// lock that queues the PDU, so that nothing queued by others comes between
// the two.
func (o *outbuf) putAnd(h pdu.Header, body []byte, then func()) error {
	n := pdu.HeaderLen + len(body)
	o.mu.Lock()
	if o.closed {
		o.mu.Unlock()
		return ErrSessionClosed
	}
	if len(o.buf)+n > o.hard {
		o.mu.Unlock()
		return ErrWriteStalled
	}
	if then != nil {
		then()
	}
	o.appendLocked(h, body, n)
	return nil
}

// putWait queues a request, waiting while the buffer holds soft octets or
// more: until room frees, ctx is done, timeout passes (0 = no limit) or
// the session closes. With try it fails at once with ErrWindowFull.
func (o *outbuf) putWait(ctx context.Context, h pdu.Header, body []byte, try bool, timeout time.Duration) error {
	n := pdu.HeaderLen + len(body)
	o.mu.Lock()
	var expired <-chan time.Time
	for !o.closed && len(o.buf) > 0 && len(o.buf)+n > o.soft {
		if try {
			o.mu.Unlock()
			return ErrWindowFull
		}
		if expired == nil && timeout > 0 {
			t := time.NewTimer(timeout) // slow path only: the peer is not keeping up
			defer t.Stop()
			expired = t.C
		}
		o.waiters++
		o.mu.Unlock()
		var err error
		select {
		case <-o.space:
		case <-o.closing:
		case <-ctx.Done():
			err = ctx.Err()
		case <-expired:
			err = ErrWriteStalled
		}
		o.mu.Lock()
		o.waiters--
		if err != nil {
			o.mu.Unlock()
			return err
		}
	}
	if o.closed {
		o.mu.Unlock()
		return ErrSessionClosed
	}
	if o.waiters > 0 && len(o.buf)+n < o.soft {
		o.wakeOne() // room remains: pass the wake-up on
	}
	o.appendLocked(h, body, n)
	return nil
}

// appendLocked encodes the PDU, unlocks and signals the writer if the
// buffer was empty. o.mu must be held.
func (o *outbuf) appendLocked(h pdu.Header, body []byte, n int) {
	wake := len(o.buf) == 0
	h.Length = uint32(n)
	o.buf = pdu.AppendHeader(o.buf, h)
	o.buf = append(o.buf, body...)
	o.pdus++
	o.mu.Unlock()
	if wake {
		select {
		case o.signal <- struct{}{}:
		default:
		}
	}
}

// wakeOne hands the wake-up token to one waiting producer, if none holds
// it yet.
func (o *outbuf) wakeOne() {
	select {
	case o.space <- struct{}{}:
	default:
	}
}

// swap gives the writer the pending PDUs and installs spare (emptied) in
// their place.
func (o *outbuf) swap(spare []byte) []byte {
	o.mu.Lock()
	b := o.buf
	o.buf = spare[:0]
	if o.waiters > 0 {
		o.wakeOne()
	}
	o.mu.Unlock()
	return b
}

// close stops further PDUs; what is queued can still be swapped out.
func (o *outbuf) close() {
	o.mu.Lock()
	o.closed = true
	o.mu.Unlock()
}

// queued returns the number of PDUs queued so far.
func (o *outbuf) queued() uint64 {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.pdus
}
