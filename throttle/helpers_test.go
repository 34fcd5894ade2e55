package throttle

import (
	"sync/atomic"
	"time"
)

// fakeClock is a Clock that moves only when a test advances it.
type fakeClock struct{ ns atomic.Int64 }

// Now reads the clock; pass c.Now as a Clock.
func (c *fakeClock) Now() int64 { return c.ns.Load() }

// Advance moves the clock forward by d.
func (c *fakeClock) Advance(d time.Duration) { c.ns.Add(int64(d)) }
