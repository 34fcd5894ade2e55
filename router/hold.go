package router

import "github.com/gallant-sms/gallant/sms"

// Holding a queued job: a message still waiting in its carrier's queue
// (dispatched, not yet taken by a bind) may be changed before it goes
// out, as replace_sm asks (docs/smpp.md, "submit_multi and replace_sm"). Hold takes every segment of the job out of
// the queue at once, under the shard's and the queue's locks, so that no
// bind can take one while the caller decides; Resume puts them back at
// their place (by their tickets), with the new message and segments when
// there are some. A job of which any segment has left the queue (handed
// to a bind, in flight, answered, waiting for a retry or for its sender's
// slot) cannot be held: it is on its way.

// Held is a job taken out of its carrier's queue by [Router.Hold]. It is
// given back with [Router.Resume], exactly once.
type Held struct {
	j *Job
	s *shard
	c int32 // the carrier whose queue held it
}

// Msg returns the held job's message. The caller reads it only: it is
// still the router's job's.
func (h Held) Msg() *sms.Message { return h.j.Msg }

// Segments returns the number of segments of the held job.
func (h Held) Segments() int { return len(h.j.Segments) }

// Hold takes the job of message id of account accountID out of its
// carrier's queue, when every one of its segments is still waiting
// there, and reports true; the job then stays the router's (Stop still
// counts it as unfinished) but no bind sees it until [Router.Resume].
// It reports false when the router has no such job, the job is held
// already, the router is stopping, or some segment has left the queue.
// Hold scans the job's shard and the carriers' queues under their locks:
// it is meant for rare requests, not the send path.
func (r *Router) Hold(id sms.ID, accountID int64) (Held, bool) {
	s := r.shards[mix(uint64(id))&r.mask]
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return Held{}, false
	}
	var j *Job
	for x := s.live; x != nil; x = x.next {
		if x.Msg.ID == id && x.Msg.AccountID == accountID {
			j = x
			break
		}
	}
	if j == nil || j.held || len(j.outs) == 0 {
		return Held{}, false
	}
	for _, c := range r.set.Load().list {
		q := c.q
		q.mu.Lock()
		n := q.countLocked(j)
		if n == len(j.outs) {
			q.removeLocked(j)
			q.mu.Unlock()
			j.held = true
			return Held{j: j, s: s, c: c.idx}, true
		}
		q.mu.Unlock()
		if n > 0 {
			return Held{}, false // some segment is elsewhere
		}
	}
	return Held{}, false
}

// Resume puts a held job back in its carrier's queue, each segment at
// the place it had. With m non-nil the job's message becomes m (the same
// ID, account and destination; its ValidUntil is honoured from now on)
// and its segments segs (1 to 255, owned by the router from now on, as a
// dispatched job's): the segments of a job whose number of segments
// changed take the places of the old ones, the extra ones behind the
// last. Resume reports false, changing nothing, when Stop took the job
// meanwhile (it is then among the jobs Stop returned, unchanged).
func (r *Router) Resume(h Held, m *sms.Message, segs []Segment) bool {
	j, s := h.j, h.s
	if j == nil {
		return false
	}
	if m != nil && (len(segs) == 0 || len(segs) > maxSegments) {
		m = nil // refuse the change, not the job: it goes as it was
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if j.shard != s {
		return false // collected by Stop
	}
	j.held = false
	c := r.carrier(h.c)
	if m != nil {
		old := len(j.outs)
		tickets := make([]uint64, old)
		for i := range j.outs {
			tickets[i] = j.outs[i].ticket
		}
		j.Msg, j.Segments = m, segs
		n := len(segs)
		if n != old {
			c.reserved.Add(int64(n - old)) // may pass QueueSize: the job was admitted already
			if n > old {
				c.m.queued.Add(float64(n - old))
			}
			if cap(j.outs) < n {
				j.outs = make([]Outgoing, n)
			}
			j.outs = j.outs[:n]
			for i := range j.outs {
				t := tickets[min(i, old-1)]
				if i >= old {
					t += uint64(i - old + 1) // before the next ticket handed out (ticketStep)
				}
				j.outs[i] = Outgoing{job: j, seg: int32(i), carrier: h.c, ticket: t}
			}
			j.remaining = n
		}
	}
	c.q.requeueAll(j.outs)
	return true
}

// countLocked returns how many of j's segments the queue holds. q.mu must
// be held.
func (q *queue) countLocked(j *Job) int {
	n := 0
	mask := len(q.ring) - 1
	for i := 0; i < q.n; i++ {
		if q.ring[(q.head+i)&mask].job == j {
			n++
		}
	}
	for _, o := range q.front {
		if o.job == j {
			n++
		}
	}
	return n
}

// removeLocked takes j's segments out of the queue, keeping the others
// in order. q.mu must be held.
func (q *queue) removeLocked(j *Job) {
	mask := len(q.ring) - 1
	keep := 0
	for i := 0; i < q.n; i++ {
		o := q.ring[(q.head+i)&mask]
		if o.job == j {
			continue
		}
		q.ring[(q.head+keep)&mask] = o
		keep++
	}
	for i := keep; i < q.n; i++ {
		q.ring[(q.head+i)&mask] = nil
	}
	q.n = keep
	f := q.front[:0]
	for _, o := range q.front {
		if o.job != j {
			f = append(f, o)
		}
	}
	clear(q.front[len(f):])
	q.front = f
	for i := len(f)/2 - 1; i >= 0; i-- {
		heapDown(f, i)
	}
	q.depth.Store(int64(q.n + len(q.front)))
}

// requeueAll puts outs back at their places, by the tickets they have.
func (q *queue) requeueAll(outs []Outgoing) {
	q.mu.Lock()
	if q.retired {
		q.mu.Unlock()
		for i := range outs {
			q.retiredTo(&outs[i])
		}
		return
	}
	for i := range outs {
		q.front = append(q.front, &outs[i])
		heapUp(q.front, len(q.front)-1)
	}
	q.depth.Store(int64(q.n + len(q.front)))
	q.mu.Unlock()
	q.signal()
}
