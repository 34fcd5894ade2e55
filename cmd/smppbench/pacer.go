package main

import (
	"sync/atomic"
	"time"
)

// Pacing limits. A paced loop that fell behind (its window was full, the
// peer slow) may catch up by at most maxDebt worth of iterations at once,
// and sleeps at most maxNap between checks of its stop flag.
const (
	maxDebt = 100 * time.Millisecond
	maxNap  = 10 * time.Millisecond
)

// pacer spaces the iterations of one goroutine's loop at rate per second
// on average, against absolute due times so that sleeping late is made up
// by the next iterations. The zero rate does not wait. A pacer belongs to
// one goroutine.
type pacer struct {
	rate  float64
	start time.Time
	done  float64 // iterations released so far
}

// newPacer returns a pacer for rate iterations per second from now.
func newPacer(rate float64) pacer {
	return pacer{rate: rate, start: time.Now()}
}

// wait blocks until the next iteration is due and reports true, or
// reports false as soon as stop is set.
func (p *pacer) wait(stop *atomic.Bool) bool {
	if p.rate <= 0 {
		return !stop.Load()
	}
	for {
		if stop.Load() {
			return false
		}
		elapsed := time.Since(p.start)
		due := time.Duration(p.done / p.rate * float64(time.Second))
		if elapsed >= due {
			if elapsed-due > maxDebt {
				p.done = (elapsed - maxDebt).Seconds() * p.rate
			}
			p.done++
			return true
		}
		time.Sleep(min(due-elapsed, maxNap))
	}
}
