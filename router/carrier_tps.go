package router

import (
	"errors"
	"fmt"
	"math"
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
	i, ok := r.byName[name]
	if !ok {
		return fmt.Errorf("router: set tps: unknown carrier %q", name)
	}
	if !(tps > 0) || math.IsInf(tps, 0) {
		return fmt.Errorf("router: set tps of %q to %v: %w", name, tps, ErrUnlimitedCarrier)
	}
	c := r.carriers[i]
	share := tps / float64(len(c.binds))
	for _, b := range c.binds {
		if b.limiter == nil {
			return fmt.Errorf("router: set tps of %q: %w", name, ErrUnlimitedCarrier)
		}
	}
	for _, b := range c.binds {
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
	i, ok := r.byName[name]
	if !ok {
		return -1
	}
	var sum float64
	for _, b := range r.carriers[i].binds {
		b.mu.Lock()
		sum += b.target
		b.mu.Unlock()
	}
	return sum
}
