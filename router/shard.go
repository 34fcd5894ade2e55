package router

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/gallant-sms/gallant/sms"
)

// shard owns the jobs whose message ids hash to it: after Dispatch has
// queued a job, every decision about it (recording outcomes, retries,
// failover, releasing it) is taken on the shard's goroutine.
type shard struct {
	r   *Router
	idx int

	mu      sync.Mutex // guards live, nlive, closed, drained
	live    *Job       // jobs dispatched and not done, linked by prev/next
	nlive   int
	closed  bool          // Stop began: Dispatch refuses
	drained chan struct{} // closed once when closed and nlive == 0

	cmu      sync.Mutex // guards the completion list
	compHead *Outgoing
	compTail *Outgoing
	notify   chan struct{} // cap 1: completions are waiting

	// Owned by the shard goroutine (or by Stop once it has exited).
	retries []*Outgoing // min-heap by due
	rng     uint64      // jitter state
	final   bool        // Stop's last sweep: record outcomes, retry nothing
}

func newShard(r *Router, idx int) *shard {
	return &shard{r: r, idx: idx, drained: make(chan struct{}), notify: make(chan struct{}, 1),
		rng: r.cfg.Seed ^ uint64(idx+1)*0x9e3779b97f4a7c15}
}

// linkLocked adds j to the live list. s.mu must be held, and s not
// closed.
func (s *shard) linkLocked(j *Job) {
	j.shard = s
	j.prev = nil
	j.next = s.live
	if s.live != nil {
		s.live.prev = j
	}
	s.live = j
	s.nlive++
}

// unlink removes j from the live list.
func (s *shard) unlink(j *Job) {
	s.mu.Lock()
	if j.prev != nil {
		j.prev.next = j.next
	} else {
		s.live = j.next
	}
	if j.next != nil {
		j.next.prev = j.prev
	}
	j.prev, j.next = nil, nil
	s.nlive--
	if s.closed && s.nlive == 0 {
		close(s.drained)
	}
	s.mu.Unlock()
}

// close stops Dispatch from adding jobs; drained is closed as soon as
// no job is left.
func (s *shard) close() {
	s.mu.Lock()
	if !s.closed {
		s.closed = true
		if s.nlive == 0 {
			close(s.drained)
		}
	}
	s.mu.Unlock()
}

// pushCompletion queues an outcome for the shard goroutine. It may be
// called from any goroutine.
func (s *shard) pushCompletion(o *Outgoing) {
	o.next = nil
	s.cmu.Lock()
	if s.compTail == nil {
		s.compHead = o
	} else {
		s.compTail.next = o
	}
	s.compTail = o
	s.cmu.Unlock()
	select {
	case s.notify <- struct{}{}:
	default:
	}
}

// takeCompletions returns the queued outcomes, oldest first.
func (s *shard) takeCompletions() *Outgoing {
	s.cmu.Lock()
	o := s.compHead
	s.compHead, s.compTail = nil, nil
	s.cmu.Unlock()
	return o
}

// run is the shard goroutine: it handles outcomes as they come and
// retries as they fall due, on one timer, until ctx is done.
func (s *shard) run(ctx context.Context) {
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	defer timer.Stop()
	armed := int64(-1) // due time the timer is set for; -1: not set
	for {
		select {
		case <-s.notify:
			s.handleAll()
		case <-timer.C:
			armed = -1
			s.fireRetries()
		case <-ctx.Done():
			return
		}
		switch {
		case len(s.retries) == 0 && armed >= 0:
			timer.Stop()
			armed = -1
		case len(s.retries) > 0 && s.retries[0].due != armed:
			armed = s.retries[0].due
			timer.Reset(time.Duration(max(armed-s.r.now(), 0)))
		}
	}
}

// handleAll handles every queued outcome.
func (s *shard) handleAll() {
	for o := s.takeCompletions(); o != nil; {
		next := o.next
		o.next = nil
		s.handle(o)
		o = next
	}
}

// handle acts on the outcome of one attempt.
func (s *shard) handle(o *Outgoing) {
	r := s.r
	c := r.carrier(o.carrier)
	err := o.err
	o.err = nil
	if err == nil {
		c.m.submitted.Inc()
		o.by = c.name // with o.msgID, for Job.Submitted
		s.finish(o)
		return
	}
	if err == errSenderWait {
		if !s.final { // else left pending: Stop returns the job
			s.retries = append(s.retries, o)
			dueUp(s.retries, len(s.retries)-1)
		}
		return
	}
	if err == errExpired {
		s.fail(o, 0, sms.StatusExpired)
		return
	}
	if err == errRetired {
		s.reroute(o, 0, false)
		return
	}
	kind, code := classify(err)
	if kind == Permanent {
		s.reroute(o, code, true)
		return
	}
	if kind == Throttled {
		c.m.throttled.Inc()
	} else if o.attempts++; int(o.attempts) >= r.cfg.MaxAttempts {
		s.fail(o, code, sms.StatusFailed)
		return
	}
	if s.final {
		return // left pending: Stop returns the job
	}
	c.m.retried[kind].Inc()
	if kind == Temporary {
		s.schedule(o)
		return
	}
	c.q.requeue(o) // Throttled, ConnectionLost: at once, at its place
}

// reroute moves o to the next carrier of its job's route after a
// permanent failure (failover), or after its carrier was removed, or
// fails it when none is left. The job's later segments follow it (they
// go to j.carrier), so one job's segments stay on one carrier unless
// some were already sent.
func (s *shard) reroute(o *Outgoing, code uint32, failover bool) {
	r := s.r
	j := o.job
	if !j.isExcluded(o.carrier) {
		j.excluded = append(j.excluded, o.carrier)
	}
	if j.carrier >= 0 && j.isExcluded(j.carrier) {
		j.carrier = -1
		if rt := r.table.Load().lookup(j.Msg.AccountID, j.Msg.Dest.Addr); rt != nil {
			j.carrier = r.pick(rt, j)
		}
	}
	if j.carrier < 0 || s.final {
		if j.carrier < 0 {
			s.fail(o, code, sms.StatusFailed)
		}
		return
	}
	from, to := r.carrier(o.carrier), r.carrier(j.carrier)
	if r.log.Enabled(context.Background(), slog.LevelDebug) {
		r.log.Debug("router: failover", "message", j.Msg.ID, "seg", o.seg, "from", from.name, "to", to.name, "status", code)
	}
	if failover {
		from.m.retried[Permanent].Inc()
	}
	from.release(1)
	to.reserved.Add(1) // may pass QueueSize: the segment was admitted already
	to.m.queued.Inc()
	o.carrier = j.carrier
	o.attempts = 0
	to.q.pushBack(o)
}

// fail records the final failure of o.
func (s *shard) fail(o *Outgoing, code uint32, status sms.Status) {
	c := s.r.carrier(o.carrier)
	c.m.failed.Inc()
	s.r.rec.Failed(o.job, int(o.seg), c.name, code, status)
	s.finish(o)
}

// finish marks o's segment as having its outcome and completes the job
// when it was the last one.
func (s *shard) finish(o *Outgoing) {
	o.final = true
	o.bind = nil
	s.r.carrier(o.carrier).release(1)
	j := o.job
	j.remaining--
	if j.remaining > 0 {
		return
	}
	s.r.rec.Done(j)
	s.unlink(j)
	s.r.releaseJob(j)
}

// schedule puts o on the retry heap, due after its back-off: BackoffMin
// doubled per earlier attempt, capped at BackoffMax, plus up to a
// quarter of that at random so that a carrier's burst of errors does not
// come back as one burst of retries.
func (s *shard) schedule(o *Outgoing) {
	cfg := &s.r.cfg
	d := cfg.BackoffMin
	for i := int32(1); i < o.attempts && d < cfg.BackoffMax; i++ {
		d *= 2
	}
	d = min(d, cfg.BackoffMax)
	if q := uint64(d / 4); q > 0 {
		s.rng += 0x9e3779b97f4a7c15
		d += time.Duration(mix(s.rng) % q)
	}
	o.due = s.r.now() + int64(d)
	s.retries = append(s.retries, o)
	dueUp(s.retries, len(s.retries)-1)
}

// fireRetries queues the retries that are due.
func (s *shard) fireRetries() {
	now := s.r.now()
	for len(s.retries) > 0 && s.retries[0].due <= now {
		o := s.retries[0]
		last := len(s.retries) - 1
		s.retries[0] = s.retries[last]
		s.retries[last] = nil
		s.retries = s.retries[:last]
		dueDown(s.retries, 0)
		s.r.carrier(o.carrier).q.requeue(o)
	}
}

// dueUp and dueDown keep h a min-heap by due time.
func dueUp(h []*Outgoing, i int) {
	for i > 0 {
		p := (i - 1) / 2
		if h[p].due <= h[i].due {
			return
		}
		h[p], h[i] = h[i], h[p]
		i = p
	}
}

func dueDown(h []*Outgoing, i int) {
	for {
		l := 2*i + 1
		if l >= len(h) {
			return
		}
		m := l
		if r := l + 1; r < len(h) && h[r].due < h[l].due {
			m = r
		}
		if h[i].due <= h[m].due {
			return
		}
		h[i], h[m] = h[m], h[i]
		i = m
	}
}
