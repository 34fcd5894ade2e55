package router

import (
	"context"
	"sync"
	"time"
)

// gcraBurst is the built-in limiter's tolerance: a bind may run this far
// ahead of its schedule, so at high rates it sleeps about every 10 ms
// instead of once per segment.
const gcraBurst = 10 * time.Millisecond

// gcra is the built-in Limiter, used when Config.NewLimiter is nil: the
// generic cell rate algorithm, a token bucket expressed as the
// theoretical arrival time of the next segment.
type gcra struct {
	mu       sync.Mutex
	rate     float64
	interval time.Duration
	tat      time.Time
}

var _ Limiter = (*gcra)(nil)

// newGCRA returns a limiter at perSecond segments per second (at least
// one per minute).
func newGCRA(perSecond float64) *gcra {
	g := &gcra{}
	g.SetRate(perSecond)
	return g
}

// Wait blocks until the next segment is due or ctx is done.
func (g *gcra) Wait(ctx context.Context) error {
	g.mu.Lock()
	now := time.Now()
	if g.tat.Before(now) {
		g.tat = now
	}
	wait := g.tat.Sub(now) - gcraBurst
	g.tat = g.tat.Add(g.interval)
	g.mu.Unlock()
	if wait <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(wait)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// SetRate sets the rate in segments per second; rates below one per
// minute are raised to it.
func (g *gcra) SetRate(perSecond float64) {
	perSecond = max(perSecond, 1.0/60)
	g.mu.Lock()
	g.rate = perSecond
	g.interval = time.Duration(float64(time.Second) / perSecond)
	g.mu.Unlock()
}

// Rate returns the rate in segments per second.
func (g *gcra) Rate() float64 {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.rate
}
