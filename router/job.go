package router

import "github.com/gallant-sms/gallant/sms"

// Segment is one carrier-ready part of a message: what goes into one
// submit_sm. For a concatenated message Body starts with its user data
// header and ESMClass has the UDHI bit; Seq (1-based) and Total say which
// part it is.
type Segment struct {
	Seq, Total int
	Body       []byte
	ESMClass   byte
	DataCoding byte
}

// Job is one message to send: the message and its segments, plus the
// router's state about it (attempts, carriers excluded after permanent
// failures, which segments have an outcome).
//
// Get a Job from [Router.AcquireJob] (or allocate one), fill Msg and
// Segments and pass it to [Router.Dispatch]. From a successful Dispatch
// until [Recorder.Done] returns, the job, its message and its segment
// bodies belong to the router and must not be changed; after Done the
// router reuses the Job, so a Recorder copies what it keeps.
type Job struct {
	// Msg is the message; the router reads its ID (shard and weighted
	// choice), AccountID and Dest.Addr (route) and ValidUntil (segments
	// not sent by then fail as expired).
	Msg *sms.Message
	// Segments are the parts to submit, in order; at least one.
	Segments []Segment

	outs      []Outgoing
	excluded  []int32 // carriers that failed permanently
	carrier   int32   // carrier for segments not yet sent
	remaining int     // segments without an outcome
	hash      uint64  // seeded hash of Msg.ID for weighted choices
	shard     *shard  // owner while dispatched; nil otherwise
	// stale marks outs that an adapter may still hold (a job returned by
	// Stop with segments in flight): they are dropped, never reused.
	stale bool
	// held marks a job taken out of its queue by Router.Hold (shard.mu).
	held bool
	// prev and next link the job into its shard's live list (shard.mu).
	prev, next *Job

	// senderTPS and senderRoute are the route's per-sender rate (0:
	// none) and prefix, from Dispatch.
	senderTPS   float64
	senderRoute string
}

// Submitted returns the carrier that accepted segment seg (an index into
// Segments) and the message id it gave, with ok true; ok is false while
// the segment is pending or when it failed. It is meant for
// [Recorder.Done] and for the jobs returned by [Router.Stop].
func (j *Job) Submitted(seg int) (carrier, carrierMsgID string, ok bool) {
	if seg < 0 || seg >= len(j.outs) || seg >= len(j.Segments) {
		return "", "", false
	}
	o := &j.outs[seg]
	if !o.final || o.by == "" {
		return "", "", false
	}
	return o.by, o.msgID, true
}

// Pending reports whether segment seg (an index into Segments) has no
// outcome yet. It is meant for a Recorder's callbacks and for the jobs
// returned by [Router.Stop]; out-of-range indexes report false.
func (j *Job) Pending(seg int) bool {
	if seg < 0 || seg >= len(j.outs) || seg >= len(j.Segments) {
		return false
	}
	return !j.outs[seg].final
}

// reset prepares j for a dispatch: one Outgoing per segment, nothing
// excluded, every segment pending.
func (j *Job) reset() {
	n := len(j.Segments)
	if cap(j.outs) < n || j.stale {
		j.outs = make([]Outgoing, n)
		j.stale = false
	}
	j.outs = j.outs[:n]
	for i := range j.outs {
		j.outs[i] = Outgoing{job: j, seg: int32(i)}
	}
	j.excluded = j.excluded[:0]
	j.remaining = n
}

// clear drops j's references so that a pooled Job keeps no message alive.
func (j *Job) clear() {
	j.Msg = nil
	clear(j.Segments)
	j.Segments = j.Segments[:0]
	if j.stale {
		j.outs, j.stale = nil, false
	} else {
		clear(j.outs)
		j.outs = j.outs[:0]
	}
	j.excluded = j.excluded[:0]
	j.senderTPS, j.senderRoute = 0, ""
	j.held = false
	j.shard, j.prev, j.next = nil, nil, nil
}

// isExcluded reports whether carrier c failed permanently for j.
func (j *Job) isExcluded(c int32) bool {
	for _, e := range j.excluded {
		if e == c {
			return true
		}
	}
	return false
}

// Outgoing is one submit attempt of one segment, handed to
// [Sender.Submit]. The adapter reads the message and segment through it
// while encoding; once Submit returns it must not read them again (after
// Router.Stop the job may already be back with the gateway) and keeps
// only the pointer, to complete it. An Outgoing lives as long as its Job.
type Outgoing struct {
	job      *Job
	seg      int32
	carrier  int32  // carrier whose queue holds a reservation for it
	attempts int32  // failed attempts that count toward MaxAttempts
	final    bool   // the segment has its outcome
	by       string // carrier that accepted the segment, with msgID; "" if none
	ticket   uint64
	due      int64 // retry time, nanoseconds since the router's epoch
	bind     *bind // bind of the attempt in flight
	next     *Outgoing
	msgID    string
	err      error

	// senderSlot: o holds its sender's slot and was queued again for it.
	senderSlot bool
}

// Message returns the message the segment belongs to.
func (o *Outgoing) Message() *sms.Message { return o.job.Msg }

// Segment returns the segment to submit.
func (o *Outgoing) Segment() *Segment { return &o.job.Segments[o.seg] }

// SegmentIndex returns the segment's index in the job's Segments.
func (o *Outgoing) SegmentIndex() int { return int(o.seg) }

// Attempt returns which attempt this is for the segment on its current
// carrier, from 1. Throttled attempts are not counted.
func (o *Outgoing) Attempt() int { return int(o.attempts) + 1 }

// Carrier returns the name of the carrier the segment is being sent to,
// from the moment it is handed to Submit.
func (o *Outgoing) Carrier() string {
	if o.bind == nil {
		return ""
	}
	return o.bind.c.name
}

// Complete reports the outcome of the submit: the carrier's message id,
// or a failure (a *SubmitError, or any error, taken as Temporary). The
// adapter calls it exactly once per successful [Sender.Submit].
func (o *Outgoing) Complete(carrierMsgID string, err error) {
	o.bind.complete(o, carrierMsgID, err)
}
