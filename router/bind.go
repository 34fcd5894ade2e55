package router

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"
)

// bind drives one Sender: its goroutine (run) takes segments from the
// carrier queue, paces them with the Limiter and submits them; its
// complete method, called by the adapter, hands outcomes to the jobs'
// shards and adjusts the bind's pace.
type bind struct {
	r       *Router
	c       *carrier
	idx     int
	sender  Sender
	limiter Limiter // nil: unlimited
	target  float64 // the bind's share of the carrier's TPS

	freed       chan struct{} // cap 1: a completion arrived
	cancel      context.CancelFunc
	exited      chan struct{} // closed when run returned; nil if never started
	pausedUntil atomic.Int64  // router clock; 0 or past: not paused

	mu      sync.Mutex // guards the fields below
	closed  bool       // Stop is done with the router: drop completions
	rate    float64    // current rate (AIMD), when limited
	clean   int        // successes since the last rate change
	reduced bool       // rate below target
}

func newBind(r *Router, c *carrier, idx int, s Sender, l Limiter, target float64) *bind {
	return &bind{r: r, c: c, idx: idx, sender: s, limiter: l, target: target, rate: target,
		freed: make(chan struct{}, 1)}
}

// run is the bind's goroutine; it returns when ctx is done.
func (b *bind) run(ctx context.Context) {
	t := time.NewTimer(time.Hour)
	t.Stop()
	defer t.Stop()
	q := b.c.q
	// A bind stopped alone (ReplaceBinds) may have taken the queue's
	// wake-up: hand it on to the binds that stay.
	defer b.passOn()
	var lastSweep time.Time
	var expired []*Outgoing
	for ctx.Err() == nil {
		if d := b.pauseLeft(); d > 0 {
			b.passOn()
			if !sleep(ctx, t, d) {
				return
			}
			continue
		}
		if !b.sender.Bound() {
			// While the carrier is unreachable nothing pops its queue, so
			// its first bind fails what expires there (at most once a
			// second), rather than holding it until the carrier returns.
			if b.idx == 0 && time.Since(lastSweep) >= time.Second {
				lastSweep = time.Now()
				expired = q.takeExpired(lastSweep, expired[:0])
				for i, o := range expired {
					b.deliver(o, "", errExpired)
					expired[i] = nil
				}
			}
			b.passOn()
			if !sleep(ctx, t, b.r.cfg.BindPoll) {
				return
			}
			continue
		}
		o := q.pop()
		if o == nil {
			select {
			case <-q.notify:
			case <-ctx.Done():
				return
			}
			continue
		}
		if !b.send(ctx, t, o) {
			return
		}
	}
}

// passOn hands the queue's wake-up token to another bind before this one
// sleeps, so that segments do not wait for a bind that cannot send.
func (b *bind) passOn() {
	if b.c.q.len() > 0 {
		b.c.q.signal()
	}
}

// send paces and submits o, waiting while the bind is busy. It returns
// false when ctx ended; o is then back in the queue.
func (b *bind) send(ctx context.Context, t *time.Timer, o *Outgoing) bool {
	if vu := o.job.Msg.ValidUntil; !vu.IsZero() && time.Now().After(vu) {
		b.deliver(o, "", errExpired)
		return true
	}
	if b.senderWait(o) {
		return true // with its shard until its sender's slot
	}
	q := b.c.q
	if b.limiter != nil {
		if err := b.limiter.Wait(ctx); err != nil {
			q.requeue(o)
			if ctx.Err() != nil {
				return false
			}
			b.r.log.Warn("router: limiter failed", "carrier", b.c.name, "bind", b.idx, "err", err)
			return sleep(ctx, t, b.r.cfg.BindPoll)
		}
	}
	for {
		if b.pauseLeft() > 0 {
			q.requeue(o) // a throttle answer arrived meanwhile
			return true
		}
		o.bind = b
		err := b.sender.Submit(o)
		if err == nil {
			return true // o may already be done and reused: hands off
		}
		switch {
		case err == ErrBusy || errors.Is(err, ErrBusy):
			// Wait for one of our completions; the timer covers an
			// adapter that is busy with nothing in flight.
			t.Reset(b.r.cfg.BindPoll)
			select {
			case <-b.freed:
				t.Stop()
			case <-t.C:
			case <-ctx.Done():
				t.Stop()
				q.requeue(o)
				return false
			}
		case err == ErrNotBound || errors.Is(err, ErrNotBound):
			q.requeue(o)
			b.passOn()
			return sleep(ctx, t, b.r.cfg.BindPoll)
		default:
			b.deliver(o, "", err) // refused before sending
			return true
		}
	}
}

// complete takes the outcome an adapter gives Outgoing.Complete.
func (b *bind) complete(o *Outgoing, carrierMsgID string, err error) {
	b.deliver(o, carrierMsgID, err)
	select {
	case b.freed <- struct{}{}:
	default:
	}
}

// deliver adjusts the bind's pace to an outcome and hands the outcome
// to the job's shard. Outcomes that did not come through complete (an
// immediate refusal from Submit, an expiry) come here directly.
func (b *bind) deliver(o *Outgoing, carrierMsgID string, err error) {
	throttled := false
	if err != nil {
		kind, _ := classify(err)
		throttled = kind == Throttled
	}
	b.mu.Lock()
	if b.closed {
		b.mu.Unlock()
		return
	}
	if throttled {
		b.throttledLocked()
	} else if err == nil && b.reduced {
		b.recoverLocked()
	}
	o.msgID, o.err = carrierMsgID, err
	o.job.shard.pushCompletion(o)
	b.mu.Unlock()
}

// throttledLocked pauses the bind and halves its rate (not below one
// segment per second), once per pause: a window full of throttled
// submits answers together and counts as one signal. b.mu must be held.
func (b *bind) throttledLocked() {
	now := b.r.now()
	if b.pausedUntil.Load() > now {
		return
	}
	b.pausedUntil.Store(now + int64(b.r.cfg.ThrottlePause))
	if b.limiter != nil {
		b.rate = max(1, b.rate/2)
		b.limiter.SetRate(b.rate)
		b.reduced = b.rate < b.target
		b.clean = 0
	}
	if b.r.log.Enabled(context.Background(), slog.LevelDebug) {
		b.r.log.Debug("router: bind throttled", "carrier", b.c.name, "bind", b.idx,
			"pause", b.r.cfg.ThrottlePause, "rate", b.rate)
	}
}

// recoverLocked is the additive increase: after about a second's worth
// of clean answers at the current rate (at least 10), the rate grows by
// a tenth of the target, up to the target. b.mu must be held.
func (b *bind) recoverLocked() {
	b.clean++
	if b.clean < max(10, int(b.rate)) {
		return
	}
	b.clean = 0
	b.rate = min(b.target, b.rate+max(1, b.target/10))
	b.limiter.SetRate(b.rate)
	b.reduced = b.rate < b.target
}

// pauseLeft returns how long the bind is still paused for.
func (b *bind) pauseLeft() time.Duration {
	until := b.pausedUntil.Load()
	if until == 0 {
		return 0
	}
	left := until - b.r.now()
	if left <= 0 {
		b.pausedUntil.CompareAndSwap(until, 0)
		return 0
	}
	return time.Duration(left)
}

// close makes the bind drop completions from now on, for Stop.
func (b *bind) close() {
	b.mu.Lock()
	b.closed = true
	b.mu.Unlock()
}

// sleep waits d on t, or returns false if ctx ends first.
func sleep(ctx context.Context, t *time.Timer, d time.Duration) bool {
	t.Reset(d)
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		t.Stop()
		return false
	}
}
