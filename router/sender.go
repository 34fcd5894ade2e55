package router

import (
	"errors"
	"sync"
	"time"
)

// Per-sender rates (Route.SenderTPS): carriers limit what one source
// address may send (a US long code about one message a second), beyond
// the carrier's TPS. Each segment of a job whose route has a SenderTPS
// takes the next slot of its source address on that route before its
// bind sends it. A slot due later does not hold the bind: the segment is
// handed to its shard, which puts it back in the carrier queue (at its
// place, by ticket) when the slot comes, and then it is sent without
// asking again. So a sender over its rate waits, queued, as traffic over
// a carrier's TPS does, while other senders' segments go past it; slots
// are taken in queue order, so one sender's segments keep their order.

// SenderLimiter hands out per-sender slots. Reserve takes the next slot
// for one segment from sender on route (the route's prefix) at perSecond
// segments per second, and returns how long until that slot (0: send
// now). When reserved is false no slot was taken (a backlog too long to
// book): the segment asks again after wait. It is called from bind
// goroutines and must be safe for concurrent use; an error lets the
// segment through (a failing limiter must not stop the traffic it
// guards). The gateway shares the slots across instances through Redis;
// the built-in one keeps them in process.
type SenderLimiter interface {
	Reserve(route, sender string, perSecond float64) (wait time.Duration, reserved bool, err error)
}

// errSenderWait is the outcome that hands a segment waiting for its
// sender's slot to its shard; o.due holds the slot's time.
var errSenderWait = errors.New("router: waiting for the sender's rate")

// senderKey names one sender's bucket: a route prefix and a source
// address. A map keyed by it looks up without allocating.
type senderKey struct{ route, sender string }

// senderSweepEvery is how often the built-in limiter forgets senders
// whose slots are all in the past.
const senderSweepEvery = time.Minute

// senderGCRA is the built-in SenderLimiter: the theoretical arrival time
// (GCRA, no burst) of each sender's next slot, in process.
type senderGCRA struct {
	mu        sync.Mutex
	tat       map[senderKey]int64 // nanoseconds of now()
	now       func() int64
	nextSweep int64
}

var _ SenderLimiter = (*senderGCRA)(nil)

func newSenderGCRA(now func() int64) *senderGCRA {
	return &senderGCRA{tat: map[senderKey]int64{}, now: now}
}

// Reserve implements SenderLimiter.
func (g *senderGCRA) Reserve(route, sender string, perSecond float64) (time.Duration, bool, error) {
	interval := int64(float64(time.Second) / max(perSecond, 1.0/3600))
	k := senderKey{route, sender}
	g.mu.Lock()
	now := g.now()
	slot := max(g.tat[k], now)
	g.tat[k] = slot + interval
	if now >= g.nextSweep {
		g.nextSweep = now + int64(senderSweepEvery)
		for key, t := range g.tat {
			if t < now {
				delete(g.tat, key)
			}
		}
	}
	g.mu.Unlock()
	return time.Duration(slot - now), true, nil
}

// senderWait takes o's sender slot when its route limits senders, and
// reports whether o must wait for it: then o is with its shard, which
// queues it again when the slot comes.
func (b *bind) senderWait(o *Outgoing) bool {
	j := o.job
	if j.senderTPS <= 0 {
		return false
	}
	if o.senderSlot { // its slot came: it was queued again for it
		o.senderSlot = false
		return false
	}
	wait, reserved, err := b.r.senders.Reserve(j.senderRoute, j.Msg.Source.Addr, j.senderTPS)
	if err != nil {
		b.r.log.Warn("router: sender limiter failed; segment let through", "carrier", b.c.name, "err", err)
		return false
	}
	if wait <= 0 {
		return false
	}
	o.senderSlot = reserved
	o.due = b.r.now() + int64(wait)
	b.c.m.senderWaits.Inc()
	// As deliver, without classifying (errors.As would allocate).
	b.mu.Lock()
	if !b.closed {
		o.msgID, o.err = "", errSenderWait
		o.job.shard.pushCompletion(o)
	}
	b.mu.Unlock()
	return true
}
