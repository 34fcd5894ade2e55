package api

import (
	"context"
	"sync/atomic"
	"time"
)

// deadlines hands out the contexts of service calls: each expires at
// least timeout after its request started and at most timeout plus slot.
// Requests starting within the same slot share one context, so a request
// costs no timer and no allocation of its own (context.WithTimeout per
// request cost four allocations and a timer, measured in
// BenchmarkHandlerPostMessage). Nothing cancels a shared context early
// except the parent, which Server.Shutdown cancels.
type deadlines struct {
	parent  context.Context
	timeout time.Duration
	slot    time.Duration
	cur     atomic.Pointer[deadlineSlot]
}

// deadlineSlot is the context shared by requests starting before until.
type deadlineSlot struct {
	ctx context.Context
	// cancel is never called early: the deadline or the parent's cancel
	// releases the context. It is kept so that nothing leaks unnoticed.
	cancel context.CancelFunc
	until  time.Time
}

// newDeadlines returns deadlines under parent with slots of 1/100 of
// timeout (at least a millisecond): at most 1% late, and about a hundred
// live contexts at a time under steady load.
func newDeadlines(parent context.Context, timeout time.Duration) *deadlines {
	return &deadlines{parent: parent, timeout: timeout, slot: max(timeout/100, time.Millisecond)}
}

// context returns the context for a request starting at now.
func (d *deadlines) context(now time.Time) context.Context {
	s := d.cur.Load()
	if s != nil && now.Before(s.until) {
		return s.ctx
	}
	until := now.Truncate(d.slot).Add(d.slot)
	ctx, cancel := context.WithDeadline(d.parent, until.Add(d.timeout))
	// If another request opened the slot first, this context still serves
	// this one request and expires on its own.
	d.cur.CompareAndSwap(s, &deadlineSlot{ctx: ctx, cancel: cancel, until: until})
	return ctx
}
