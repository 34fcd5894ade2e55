package router

import (
	"sync"
	"sync/atomic"
)

// carrier is one carrier at run time: its queue, its binds and the
// reservation counter that bounds how many segments it holds.
type carrier struct {
	name  string
	idx   int32
	q     *queue
	limit int64 // QueueSize
	// binds are the binds taking segments now; Router.ReplaceBinds swaps
	// in a new list.
	binds atomic.Pointer[[]*bind]
	m     *carrierMetrics

	rmu     sync.Mutex // guards retired
	retired []*bind    // replaced binds, still completing what they sent

	// removed is set by RemoveCarrier: the carrier takes no new job and
	// its queue hands whatever comes to it back to the shards.
	removed atomic.Bool

	// reserved counts segments assigned to the carrier and not yet
	// answered: queued, waiting for a retry, or in flight.
	reserved atomic.Int64
}

// reserve takes room for n segments, or reports false when the carrier
// is full. An empty carrier always admits one job, however large, so a
// job longer than QueueSize is not refused for ever.
func (c *carrier) reserve(n int) bool {
	for {
		cur := c.reserved.Load()
		if cur > 0 && cur+int64(n) > c.limit {
			return false
		}
		if c.reserved.CompareAndSwap(cur, cur+int64(n)) {
			return true
		}
	}
}

// release gives back room for n segments.
func (c *carrier) release(n int) { c.reserved.Add(-int64(n)) }

// anyBound reports whether some bind of c is bound.
func (c *carrier) anyBound() bool {
	for _, b := range c.bindList() {
		if b.sender.Bound() {
			return true
		}
	}
	return false
}

// bindList returns the binds taking segments now.
func (c *carrier) bindList() []*bind { return *c.binds.Load() }
