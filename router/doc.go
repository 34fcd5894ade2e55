// Package router is Gallant's sharded dispatcher: it takes accepted
// messages, already split into carrier-ready segments by the gateway,
// chooses a carrier by route and pushes every segment through that
// carrier's binds at the carrier's TPS, with retries, back-off and
// failover, reporting every outcome to a [Recorder].
//
// # Flow
//
// [Router.Dispatch] looks the destination up in the route table (an
// immutable trie behind an atomic pointer, swapped by [Router.SetRoutes]),
// picks a carrier and reserves room for the job's segments in that
// carrier's bounded queue. It never blocks: a full queue is
// [ErrBackpressure], a destination without a route is [ErrNoRoute]. The
// job then belongs to one shard (chosen from its message id), whose
// goroutine owns every later decision about it: recording outcomes,
// scheduling retries on one timer and a min-heap of due times, and
// failing over to the next carrier of the route.
//
// Each bind ([Sender]) of a carrier has one goroutine that takes the next
// segment from the carrier queue, waits on the bind's [Limiter] and calls
// [Sender.Submit]. The carrier's answer, classified by the adapter into a
// [SubmitError], decides what happens next:
//
//   - [Throttled] (0x58, 0x14): the bind pauses for Config.ThrottlePause
//     and halves its rate (additive increase brings it back); the segment
//     goes back into the queue ahead of everything queued after it.
//   - [Temporary] (0x08, 0x64, time-outs): retried after an exponential
//     back-off, on any bind of the carrier, up to Config.MaxAttempts.
//   - [ConnectionLost]: retried at once on another bind of the carrier.
//     The carrier may have received the first copy: this is the only
//     duplicate the router allows.
//   - [Permanent]: the job fails over to the next carrier of its route;
//     when none is left the segment fails with the carrier's code.
//
// A route's SenderTPS limits each source address on it: before its bind
// waits on the Limiter, a segment takes its sender's next slot from the
// [SenderLimiter]; a slot in the future sends the segment to its shard's
// retry heap until then (the bind goes on with other segments), and it
// comes back to the queue at its place. See sender.go.
//
// # Adapting a bind
//
// The gateway wraps each carrier bind (an smpp.Client) in a [Sender]:
// Submit encodes a submit_sm from o.Message() and o.Segment() into a
// scratch buffer, sends it without waiting (smpp TrySend, passing o as
// the request's tag) and maps a full window to [ErrBusy] and an unbound
// client to [ErrNotBound]. Its response callback, one function for all
// requests, takes o back from the tag and calls o.Complete (or the done
// function Submit was given) with the message_id, or with a
// [SubmitError] built from the command_status by [KindOf], a time-out
// as Temporary and a lost connection as ConnectionLost. Nothing in that
// path needs a closure or an allocation per segment.
//
// # Memory and concurrency
//
// There is no global lock on the hot path: route lookups take no lock,
// each carrier queue has its own mutex, each shard its own. There is no
// goroutine or timer per message. Every queue is bounded by the carriers'
// QueueSize. Jobs are reused: see [Router.AcquireJob] and [Recorder.Done].
//
// Lock order, for anyone changing this package: shard.mu before
// queue.mu; bind.mu before shard.cmu. No lock is held while calling a
// Sender, Limiter.Wait or the Recorder; Limiter.SetRate is called under
// the bind's lock, so that rate changes apply in order.
package router
