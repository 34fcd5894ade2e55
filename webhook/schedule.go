package webhook

import (
	"container/heap"
	"time"
)

// jobHeap is a min-heap of jobs by due time.
type jobHeap []*job

func (h jobHeap) Len() int           { return len(h) }
func (h jobHeap) Less(i, k int) bool { return h[i].due.Before(h[k].due) }
func (h jobHeap) Swap(i, k int)      { h[i], h[k] = h[k], h[i] }
func (h *jobHeap) Push(x any)        { *h = append(*h, x.(*job)) }
func (h *jobHeap) Pop() any {
	old := *h
	n := len(old) - 1
	j := old[n]
	old[n] = nil
	*h = old[:n]
	return j
}

// pushRetryLocked adds j to the retry heap and wakes the scheduler if j
// is now the earliest. d.mu must be held.
func (d *Dispatcher) pushRetryLocked(j *job) {
	heap.Push(&d.retry, j)
	if d.retry[0] == j {
		d.wakeScheduler()
	}
}

// wakeScheduler tells the scheduler that its earliest timer changed.
func (d *Dispatcher) wakeScheduler() {
	select {
	case d.wake <- struct{}{}:
	default: // a wake-up is already pending
	}
}

// popRetryLocked removes and returns the earliest job. d.mu must be held
// and the heap not empty.
func (d *Dispatcher) popRetryLocked() *job { return heap.Pop(&d.retry).(*job) }

// schedule moves retries to their lanes as they fall due and ends the
// cooldowns of open breakers, sleeping on one timer until the earliest of
// either is due or a new earliest arrives.
func (d *Dispatcher) schedule() {
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	for {
		d.mu.Lock()
		now := time.Now()
		for len(d.retry) > 0 && !d.retry[0].due.After(now) {
			d.queueLocked(d.popRetryLocked())
		}
		d.fireTimersLocked(now)
		wait := time.Duration(-1)
		if len(d.retry) > 0 {
			wait = d.retry[0].due.Sub(now)
		}
		if len(d.timers) > 0 && (wait < 0 || d.timers[0].until.Sub(now) < wait) {
			wait = d.timers[0].until.Sub(now)
		}
		d.mu.Unlock()

		if wait >= 0 {
			timer.Reset(wait)
		} else {
			timer.Stop()
		}
		select {
		case <-timer.C:
		case <-d.wake:
		case <-d.quit:
			return
		}
	}
}
