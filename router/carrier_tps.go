package router

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
)

// ErrUnlimitedCarrier is returned by Router.SetCarrierTPS for a carrier
// that runs without a limit (TPS 0) or for a new TPS of 0: its binds
// have no Limiter to change, and the new rate applies when the router is
// built again.
var ErrUnlimitedCarrier = errors.New("router: carrier without a rate limit")

// SetCarrierTPS changes the named carrier's contracted rate while the
// router runs: every bind's share becomes tps divided by the binds, and
// its Limiter is set to it at once (a bind slowed by throttling answers
// starts again from the new share). Segments queued or in flight are not
// touched. The queue's bound (Carrier.QueueSize) stays as built.
func (r *Router) SetCarrierTPS(name string, tps float64) error {
	c := r.active(name)
	if c == nil {
		return fmt.Errorf("router: set tps: unknown carrier %q", name)
	}
	if !(tps > 0) || math.IsInf(tps, 0) {
		return fmt.Errorf("router: set tps of %q to %v: %w", name, tps, ErrUnlimitedCarrier)
	}
	binds := c.bindList()
	share := tps / float64(len(binds))
	for _, b := range binds {
		if b.limiter == nil {
			return fmt.Errorf("router: set tps of %q: %w", name, ErrUnlimitedCarrier)
		}
	}
	for _, b := range binds {
		b.mu.Lock()
		b.target, b.rate, b.reduced, b.clean = share, share, false, 0
		b.limiter.SetRate(share)
		b.mu.Unlock()
	}
	return nil
}

// CarrierTPS returns the named carrier's rate in force: its binds'
// shares added up (0: unlimited; -1: no such carrier).
func (r *Router) CarrierTPS(name string) float64 {
	c := r.active(name)
	if c == nil {
		return -1
	}
	var sum float64
	for _, b := range c.bindList() {
		b.mu.Lock()
		sum += b.target
		b.mu.Unlock()
	}
	return sum
}

// ReplaceBinds gives the named carrier new binds over senders, sharing
// tps (0: unlimited), while the router runs: the new binds start taking
// segments from the carrier's queue at once, and the old ones stop
// taking any (a segment one holds goes back to the queue). Segments the
// old binds have in flight still complete through them: the caller keeps
// their Senders open until wait returns (their goroutines have ended)
// and then closes them gracefully, answering what is outstanding; the
// router records those answers until Stop. Nothing is sent twice or
// lost. It refuses an unknown carrier, no senders, or a stopped router.
// Calls for one carrier must not overlap, nor overlap SetCarrierTPS.
func (r *Router) ReplaceBinds(name string, senders []Sender, tps float64) (wait func(ctx context.Context) error, err error) {
	c := r.active(name)
	if c == nil {
		return nil, fmt.Errorf("router: replace binds: unknown carrier %q", name)
	}
	if len(senders) == 0 || slices.Contains(senders, nil) || tps < 0 || math.IsNaN(tps) || math.IsInf(tps, 0) {
		return nil, fmt.Errorf("router: replace binds of %q: want senders and a tps >= 0", name)
	}
	binds, err := r.newBinds(c, senders, tps)
	if err != nil {
		return nil, err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.stopped {
		return nil, ErrStopped
	}
	if c.removed.Load() {
		return nil, fmt.Errorf("router: replace binds: carrier %q removed", name)
	}
	if r.started {
		for _, b := range binds {
			r.startBindLocked(b)
		}
	}
	old := *c.binds.Swap(&binds)
	c.rmu.Lock()
	c.retired = append(c.retired, old...)
	c.rmu.Unlock()
	for _, b := range old {
		if b.cancel != nil {
			b.cancel()
		}
	}
	c.q.signal() // the new binds look at the queue now
	return func(ctx context.Context) error {
		for _, b := range old {
			if b.exited == nil {
				continue
			}
			select {
			case <-b.exited:
			case <-ctx.Done():
				return ctx.Err()
			}
		}
		return nil
	}, nil
}
