package router

import (
	"sync"
	"sync/atomic"
	"time"
)

// queue is one carrier's queue of segments waiting for a bind. Fresh
// segments join a FIFO ring; segments put back after a throttle, a lost
// connection or a retry delay join a min-heap keyed by the ticket they
// got when first queued, and pop takes the lower ticket of the two
// heads: a segment put back goes ahead of everything queued after it,
// which keeps a job's segments in order.
//
// The queue itself never refuses: the carrier's reservation counter
// (carrier.reserve) bounds what may be in it.
type queue struct {
	mu     sync.Mutex
	ring   []*Outgoing // len is a power of two
	head   int
	n      int
	front  []*Outgoing // min-heap by ticket
	ticket uint64      // next ticket; tickets go up by ticketStep
	depth  atomic.Int64

	// notify holds a token when the queue may be non-empty. A bind that
	// takes the token and pops passes it on while segments remain, so one
	// push wakes as many idle binds as it needs, one after another.
	notify chan struct{}

	// retired (RemoveCarrier) makes the queue hold nothing: a segment
	// pushed to it goes to retiredTo instead, outside q.mu.
	retired   bool
	retiredTo func(*Outgoing)
}

// ticketStep spaces the tickets handed out, so that a job changed while
// held (Router.Resume) can give the segments it gained the tickets right
// after its last one, ahead of everything queued after it: a job has at
// most 255 segments.
const ticketStep = 256

func newQueue(hint int) *queue {
	size := 64
	for size < hint && size < 1<<16 {
		size <<= 1
	}
	return &queue{ring: make([]*Outgoing, size), notify: make(chan struct{}, 1)}
}

// signal leaves a token for an idle bind.
func (q *queue) signal() {
	select {
	case q.notify <- struct{}{}:
	default:
	}
}

// pushJob queues every segment of a freshly dispatched job for carrier c.
func (q *queue) pushJob(outs []Outgoing, c int32) {
	q.mu.Lock()
	if q.retired {
		q.mu.Unlock()
		for i := range outs {
			outs[i].carrier = c
			q.retiredTo(&outs[i])
		}
		return
	}
	for i := range outs {
		o := &outs[i]
		o.carrier = c
		o.ticket = q.ticket
		q.ticket += ticketStep
		q.pushRingLocked(o)
	}
	q.depth.Store(int64(q.n + len(q.front)))
	q.mu.Unlock()
	q.signal()
}

// pushBack queues o behind everything, with a new ticket (a segment
// moved here from another carrier).
func (q *queue) pushBack(o *Outgoing) {
	q.mu.Lock()
	if q.retired {
		q.mu.Unlock()
		q.retiredTo(o)
		return
	}
	o.ticket = q.ticket
	q.ticket += ticketStep
	q.pushRingLocked(o)
	q.depth.Store(int64(q.n + len(q.front)))
	q.mu.Unlock()
	q.signal()
}

// requeue puts o back at its place, by the ticket it already has.
func (q *queue) requeue(o *Outgoing) {
	q.mu.Lock()
	if q.retired {
		q.mu.Unlock()
		q.retiredTo(o)
		return
	}
	q.front = append(q.front, o)
	heapUp(q.front, len(q.front)-1)
	q.depth.Store(int64(q.n + len(q.front)))
	q.mu.Unlock()
	q.signal()
}

// pop takes the segment with the lowest ticket, or returns nil.
func (q *queue) pop() *Outgoing {
	q.mu.Lock()
	var o *Outgoing
	switch {
	case len(q.front) > 0 && (q.n == 0 || q.front[0].ticket < q.ring[q.head].ticket):
		o = q.front[0]
		last := len(q.front) - 1
		q.front[0] = q.front[last]
		q.front[last] = nil
		q.front = q.front[:last]
		heapDown(q.front, 0)
	case q.n > 0:
		o = q.ring[q.head]
		q.ring[q.head] = nil
		q.head = (q.head + 1) & (len(q.ring) - 1)
		q.n--
	}
	left := q.n + len(q.front)
	q.depth.Store(int64(left))
	q.mu.Unlock()
	if left > 0 {
		q.signal()
	}
	return o
}

// takeExpired removes the segments whose message's validity ended before
// now, keeping the others in order, and appends them to dst.
func (q *queue) takeExpired(now time.Time, dst []*Outgoing) []*Outgoing {
	q.mu.Lock()
	defer q.mu.Unlock()
	mask := len(q.ring) - 1
	keep := 0
	for i := 0; i < q.n; i++ {
		o := q.ring[(q.head+i)&mask]
		if o.expired(now) {
			dst = append(dst, o)
			continue
		}
		q.ring[(q.head+keep)&mask] = o
		keep++
	}
	for i := keep; i < q.n; i++ {
		q.ring[(q.head+i)&mask] = nil
	}
	q.n = keep
	f := q.front[:0]
	for _, o := range q.front {
		if o.expired(now) {
			dst = append(dst, o)
		} else {
			f = append(f, o)
		}
	}
	clear(q.front[len(f):])
	q.front = f
	for i := len(f)/2 - 1; i >= 0; i-- {
		heapDown(f, i)
	}
	q.depth.Store(int64(q.n + len(q.front)))
	return dst
}

// expired reports whether o's message could no longer be sent at now.
func (o *Outgoing) expired(now time.Time) bool {
	vu := o.job.Msg.ValidUntil
	return !vu.IsZero() && now.After(vu)
}

// len returns the number of queued segments.
func (q *queue) len() int { return int(q.depth.Load()) }

// pushRingLocked appends o to the ring, doubling it when full.
// q.mu must be held.
func (q *queue) pushRingLocked(o *Outgoing) {
	if q.n == len(q.ring) {
		bigger := make([]*Outgoing, 2*len(q.ring))
		k := copy(bigger, q.ring[q.head:])
		copy(bigger[k:], q.ring[:q.head])
		q.ring, q.head = bigger, 0
	}
	q.ring[(q.head+q.n)&(len(q.ring)-1)] = o
	q.n++
}

// retire makes q hand every segment pushed from now on to retiredTo,
// and hands it those it holds, in order.
func (q *queue) retire() {
	q.mu.Lock()
	q.retired = true
	taken := make([]*Outgoing, 0, q.n+len(q.front))
	mask := len(q.ring) - 1
	for i := 0; i < q.n; i++ {
		taken = append(taken, q.ring[(q.head+i)&mask])
	}
	taken = append(taken, q.front...)
	q.drainLocked()
	q.mu.Unlock()
	for _, o := range taken {
		q.retiredTo(o)
	}
}

// drainLocked empties the queue, for Stop. q.mu must be held.
func (q *queue) drainLocked() {
	clear(q.ring)
	q.head, q.n = 0, 0
	clear(q.front)
	q.front = q.front[:0]
	q.depth.Store(0)
}

// heapUp and heapDown keep h a min-heap by ticket.
func heapUp(h []*Outgoing, i int) {
	for i > 0 {
		p := (i - 1) / 2
		if h[p].ticket <= h[i].ticket {
			return
		}
		h[p], h[i] = h[i], h[p]
		i = p
	}
}

func heapDown(h []*Outgoing, i int) {
	for {
		l := 2*i + 1
		if l >= len(h) {
			return
		}
		m := l
		if r := l + 1; r < len(h) && h[r].ticket < h[l].ticket {
			m = r
		}
		if h[i].ticket <= h[m].ticket {
			return
		}
		h[i], h[m] = h[m], h[i]
		i = m
	}
}
