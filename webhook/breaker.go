package webhook

import (
	"container/heap"
	"context"
	"log/slog"
	"time"
)

// breakerState is the state of a receiver's circuit breaker.
type breakerState uint8

const (
	// breakerClosed: deliveries are posted, up to HostConcurrency at once.
	breakerClosed breakerState = iota
	// breakerOpen: nothing is posted until the cooldown ends.
	breakerOpen
	// breakerHalfOpen: one delivery is posted as a probe; its outcome
	// closes or opens the breaker.
	breakerHalfOpen
)

// String names s as the state label of the breaker metrics.
func (s breakerState) String() string {
	switch s {
	case breakerOpen:
		return "open"
	case breakerHalfOpen:
		return "half_open"
	default:
		return "closed"
	}
}

// host is the dispatcher's state of one receiver (host key): its posts in
// flight, the lanes waiting for it and its circuit breaker. It exists
// while lanes use it, posts to it are in flight or its breaker is not
// closed. Guarded by Dispatcher.mu.
type host struct {
	key    string
	lanes  int     // lanes of any account posting here
	active int     // posts in flight
	parked []*lane // lanes waiting for the host to be available

	state    breakerState
	failures int           // failed posts in a row while closed
	cooldown time.Duration // of the current or last opening
	probing  bool          // half open: the probe is in flight
	// until is when the breaker's timer fires: the end of the cooldown
	// while open; while half open with nothing to post, when the host is
	// forgotten. timer is the host's index in Dispatcher.timers, -1 when
	// it has no timer.
	until time.Time
	timer int
}

// hostLocked returns host key's state, creating it (closed).
func (d *Dispatcher) hostLocked(key string) *host {
	h := d.hosts[key]
	if h == nil {
		h = &host{key: key, timer: -1}
		d.hosts[key] = h
	}
	return h
}

// availableLocked reports whether a delivery to h may be posted now.
func (d *Dispatcher) availableLocked(h *host) bool {
	switch h.state {
	case breakerClosed:
		return h.active < d.cfg.HostConcurrency
	case breakerHalfOpen:
		return !h.probing
	default:
		return false
	}
}

// forgetHostLocked removes h's state once nothing uses it, if its breaker
// is closed with no failure counted. A host with failures counted, or
// half open, is kept for a cooldown more (its timer), so that failures
// separated by idle moments still add up; an open one until its cooldown
// ends.
func (d *Dispatcher) forgetHostLocked(h *host) {
	if h.lanes > 0 || h.active > 0 {
		return
	}
	switch {
	case h.state == breakerClosed && h.failures == 0:
		d.clearTimerLocked(h)
		delete(d.hosts, h.key)
	case h.timer < 0:
		d.setTimerLocked(h, time.Now().Add(d.cfg.BreakerCooldown))
	}
}

// outcomeClass is what a post says about its receiver's health.
type outcomeClass uint8

const (
	classAborted  outcomeClass = iota // cut short by Stop: says nothing
	classAnswered                     // a 2xx or a final answer: the receiver works
	classFailed                       // no answer in time, a network error, 5xx or 429
)

// postedLocked books the end of a post of j to h: one fewer in flight,
// the breaker updated with its outcome, waiting lanes woken if h can take
// another post.
func (d *Dispatcher) postedLocked(j *job, h *host, c outcomeClass, now time.Time) {
	h.active--
	d.inFlight--
	wasProbe := j.probe
	if wasProbe {
		h.probing = false
		j.probe = false
	}
	switch c {
	case classAnswered:
		h.failures = 0
		if h.state != breakerClosed {
			d.transitionLocked(h, breakerClosed, now)
		}
	case classFailed:
		switch h.state {
		case breakerClosed:
			h.failures++
			if h.failures >= d.cfg.BreakerFailures {
				h.cooldown = d.cfg.BreakerCooldown
				d.transitionLocked(h, breakerOpen, now)
			}
		case breakerHalfOpen:
			if wasProbe {
				h.cooldown = min(2*h.cooldown, max(d.cfg.MaxBackoff, d.cfg.BreakerCooldown))
				d.transitionLocked(h, breakerOpen, now)
			}
		}
	}
	if d.availableLocked(h) {
		d.unparkLocked(h)
	}
	d.forgetHostLocked(h)
}

// transitionLocked moves h's breaker to state, setting its timer.
func (d *Dispatcher) transitionLocked(h *host, to breakerState, now time.Time) {
	from := h.state
	h.state = to
	d.m.breakerChanged(from, to)
	switch to {
	case breakerOpen:
		h.failures = 0
		h.probing = false
		d.setTimerLocked(h, now.Add(h.cooldown))
		d.log.LogAttrs(context.Background(), slog.LevelWarn, "webhook receiver failing: breaker open",
			slog.String("host", h.key), slog.Duration("cooldown", h.cooldown))
	case breakerHalfOpen:
		d.clearTimerLocked(h)
		if len(h.parked) == 0 {
			// Nothing waits: forget the host after another cooldown if
			// nothing comes for it meanwhile.
			d.setTimerLocked(h, now.Add(h.cooldown))
		}
	case breakerClosed:
		h.cooldown = 0
		d.clearTimerLocked(h)
		d.log.LogAttrs(context.Background(), slog.LevelInfo, "webhook receiver answering again: breaker closed",
			slog.String("host", h.key))
	}
}

// fireTimersLocked handles the host timers due by now: an open breaker
// becomes half open and its waiting lanes are put back in turn so that
// one of them posts the probe; a host idle since its timer was set is
// forgotten.
func (d *Dispatcher) fireTimersLocked(now time.Time) {
	for len(d.timers) > 0 && !d.timers[0].until.After(now) {
		h := heap.Pop(&d.timers).(*host)
		h.timer = -1
		switch {
		case h.state == breakerOpen:
			d.transitionLocked(h, breakerHalfOpen, now)
			d.unparkLocked(h)
		case h.lanes == 0 && h.active == 0:
			d.m.breakerChanged(h.state, breakerClosed)
			h.state, h.failures = breakerClosed, 0
			delete(d.hosts, h.key)
		}
	}
}

// setTimerLocked sets h's timer to at.
func (d *Dispatcher) setTimerLocked(h *host, at time.Time) {
	h.until = at
	if h.timer >= 0 {
		heap.Fix(&d.timers, h.timer)
	} else {
		heap.Push(&d.timers, h)
	}
	if d.timers[0] == h {
		d.wakeScheduler()
	}
}

// clearTimerLocked removes h's timer, if any.
func (d *Dispatcher) clearTimerLocked(h *host) {
	if h.timer >= 0 {
		heap.Remove(&d.timers, h.timer)
		h.timer = -1
	}
}

// hostHeap is a min-heap of hosts by timer.
type hostHeap []*host

func (hh hostHeap) Len() int           { return len(hh) }
func (hh hostHeap) Less(i, k int) bool { return hh[i].until.Before(hh[k].until) }
func (hh hostHeap) Swap(i, k int) {
	hh[i], hh[k] = hh[k], hh[i]
	hh[i].timer = i
	hh[k].timer = k
}
func (hh *hostHeap) Push(x any) {
	h := x.(*host)
	h.timer = len(*hh)
	*hh = append(*hh, h)
}
func (hh *hostHeap) Pop() any {
	old := *hh
	n := len(old) - 1
	h := old[n]
	old[n] = nil
	*hh = old[:n]
	h.timer = -1
	return h
}
