package router

import (
	"context"
	"errors"
	"fmt"
)

// errNeverStarted is the cause Stop gives for jobs dispatched to a
// router that was never started.
var errNeverStarted = errors.New("router was never started")

// Stop stops the router: Dispatch refuses new jobs at once (ErrStopped);
// queued segments keep going out, retries included, until every job is
// done or ctx ends. Then the goroutines stop and the metrics are
// unregistered.
//
// Stop returns the jobs that did not finish by the deadline, with their
// unfinished segments pending (see Job.Pending), and an error wrapping
// ctx.Err(). The router has not reported them as failed: they are still
// stored as accepted, so a restarted gateway sends them again. A segment
// that was in flight at the deadline may have reached the carrier; its
// answer is no longer recorded, so sending it again may duplicate it —
// the case of a carrier that never answered. The caller owns the
// returned jobs (and may give them to ReleaseJob).
//
// Calling Stop again returns ErrStopped.
func (r *Router) Stop(ctx context.Context) ([]*Job, error) {
	r.mu.Lock()
	if r.stopped {
		r.mu.Unlock()
		return nil, ErrStopped
	}
	r.stopped = true
	started, cancel := r.started, r.cancel
	r.mu.Unlock()

	r.stopping.Store(true)
	for _, s := range r.shards {
		s.close()
	}
	cause := errNeverStarted
	if started {
		cause = r.waitDrained(ctx)
		cancel()
		r.wg.Wait()
	}
	for _, c := range r.set.Load().list {
		for _, b := range c.bindList() {
			b.close()
		}
		c.rmu.Lock()
		for _, b := range c.retired {
			b.close()
		}
		c.rmu.Unlock()
	}
	unsent := r.collectUnsent()
	r.m.unregister(r.set.Load().list)
	if len(unsent) > 0 {
		r.log.Warn("router: stopped with unsent jobs", "jobs", len(unsent), "cause", cause)
		return unsent, fmt.Errorf("router: stop: %d jobs not sent: %w", len(unsent), cause)
	}
	r.log.Info("router: stopped, all jobs done")
	return nil, nil
}

// waitDrained waits until every shard has no job left, or ctx ends
// (returning ctx.Err()).
func (r *Router) waitDrained(ctx context.Context) error {
	for _, s := range r.shards {
		select {
		case <-s.drained:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return nil
}

// collectUnsent runs once every router goroutine has exited and the
// binds drop completions: it records the outcomes that arrived
// meanwhile, without retrying anything, and unlinks and returns the jobs
// that are still not done.
func (r *Router) collectUnsent() []*Job {
	var unsent []*Job
	for _, s := range r.shards {
		s.final = true
		s.handleAll()
		clear(s.retries)
		s.retries = s.retries[:0]
		s.mu.Lock()
		for j := s.live; j != nil; {
			next := j.next
			j.shard, j.prev, j.next = nil, nil, nil
			j.stale = true // an adapter may still complete its Outgoings
			unsent = append(unsent, j)
			j = next
		}
		s.live, s.nlive = nil, 0
		s.mu.Unlock()
	}
	for _, c := range r.set.Load().list {
		c.q.mu.Lock()
		c.q.drainLocked()
		c.q.mu.Unlock()
	}
	return unsent
}
