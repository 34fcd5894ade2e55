package router

import (
	"context"

	"github.com/gallant-sms/gallant/sms"
)

// Sender is one bind to a carrier, as the router needs it; the gateway
// adapts an smpp.Client to it. Its methods are called from the bind's own
// router goroutine and must be safe to call while completions arrive on
// other goroutines.
type Sender interface {
	// Submit sends one segment. It returns at once: ErrBusy when the
	// bind cannot take more now (window full), ErrNotBound when it is not
	// bound, a *SubmitError when the segment is refused before sending
	// (it is then handled like that answer), or nil, after which the
	// adapter calls [Outgoing.Complete] exactly once, from any goroutine,
	// possibly before Submit returns. Complete does not block: it hands
	// the outcome to the job's shard.
	Submit(o *Outgoing) error
	// Bound reports whether the bind can take submits now.
	Bound() bool
}

// Limiter paces one bind. Wait blocks until the bind may send one more
// segment, or until ctx is done (returning ctx.Err()); SetRate changes
// the rate in segments per second and Rate returns it. Wait is called
// from one goroutine, SetRate and Rate from any: implementations must be
// safe for concurrent use. Package throttle's token bucket is one.
type Limiter interface {
	Wait(ctx context.Context) error
	SetRate(perSecond float64)
	Rate() float64
}

// Recorder learns every outcome. Its methods are called from the job's
// shard goroutine, one job's calls in order, and must not block long:
// hand the work to a batch writer. seg is an index into job.Segments.
//
// Failed is called once for each segment that fails, then Done once per
// job when every segment has its outcome (except for jobs returned by
// Router.Stop, which keep their unfinished segments pending and get no
// Done). A segment a carrier accepted is not reported on its own: the
// adapter sees the carrier's answer first (and the gateway records it
// there, before the receipt can arrive); Done can read it with
// [Job.Submitted]. After Done returns the router reuses the Job: a
// Recorder copies whatever it keeps (the message pointer stays the
// gateway's).
type Recorder interface {
	// Failed reports that segment seg could not be sent: status is
	// sms.StatusFailed (code is the last carrier's command_status, or 0
	// when the attempts ran out without one) or sms.StatusExpired (its
	// validity ran out while it waited, code 0). carrier is the last
	// carrier tried, "" if none.
	Failed(job *Job, seg int, carrier string, code uint32, status sms.Status)
	// Done reports that every segment of job has an outcome.
	Done(job *Job)
}
