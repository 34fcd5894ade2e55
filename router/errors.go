package router

import (
	"errors"
	"strconv"
)

// Errors returned by the router and understood from senders.
var (
	// ErrBackpressure is returned by Router.Dispatch when the chosen
	// carrier's queue has no room for the job's segments. The gateway
	// answers it with ESME_RTHROTTLED or ESME_RMSGQFUL on SMPP and 429 or
	// 503 on HTTP.
	ErrBackpressure = errors.New("router: carrier queue full")
	// ErrNoRoute is returned by Router.Dispatch when neither the
	// account's route plan nor the default plan has a route for the
	// destination.
	ErrNoRoute = errors.New("router: no route for destination")
	// ErrStopped is returned by Router.Dispatch once Router.Stop has
	// begun, and by Router.Stop when called again.
	ErrStopped = errors.New("router: stopped")
	// ErrInvalidJob is returned by Router.Dispatch for a job without a
	// message or segments, or one already dispatched and not yet done.
	ErrInvalidJob = errors.New("router: invalid job")

	// ErrBusy is returned by Sender.Submit when the bind cannot take
	// another submit now (its window is full). The bind's goroutine
	// waits for one of its completions and tries again.
	ErrBusy = errors.New("router: bind busy")
	// ErrNotBound is returned by Sender.Submit when the bind is not
	// bound. The segment goes back to the carrier queue for another bind.
	ErrNotBound = errors.New("router: bind not bound")
)

// errExpired is the internal outcome of a segment whose message's
// validity ran out before it could be sent.
var errExpired = errors.New("router: validity period expired")

// errRetired is the internal outcome of a segment that came to the queue
// of a carrier RemoveCarrier retired: it is routed again.
var errRetired = errors.New("router: carrier removed")

// ErrorKind says what the router does after a failed submit.
type ErrorKind uint8

// The kinds of submit failure. The zero ErrorKind is treated as
// Temporary.
const (
	// Temporary failures (ESME_RSYSERR 0x08, ESME_RX_T_APPN 0x64,
	// response time-outs) are retried with exponential back-off, up to
	// Config.MaxAttempts.
	Temporary ErrorKind = iota + 1
	// Throttled (ESME_RTHROTTLED 0x58, ESME_RMSGQFUL 0x14) pauses the bind
	// for Config.ThrottlePause, halves its rate and puts the segment back
	// in the queue at its place. It does not count as an attempt.
	Throttled
	// ConnectionLost means the bind dropped while the segment was in
	// flight: it is retried at once on another bind of the carrier. The
	// carrier may have received it, so this may duplicate the segment.
	ConnectionLost
	// Permanent failures move the job to the next carrier of its route;
	// with none left the segment fails with the carrier's code.
	Permanent
)

var kindNames = [...]string{
	Temporary:      "temporary",
	Throttled:      "throttled",
	ConnectionLost: "connection_lost",
	Permanent:      "permanent",
}

// String returns the kind's metric label: temporary, throttled,
// connection_lost or permanent.
func (k ErrorKind) String() string {
	if k > 0 && int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "kind(" + strconv.Itoa(int(k)) + ")"
}

// SMPP command_status values the router's defaults know about. They are
// repeated here so that router does not import the smpp packages.
const (
	statusSysErr    = 0x08 // ESME_RSYSERR
	statusMsgQFull  = 0x14 // ESME_RMSGQFUL
	statusThrottled = 0x58 // ESME_RTHROTTLED
	statusTempAppN  = 0x64 // ESME_RX_T_APPN
)

// KindOf classifies an SMPP command_status from a submit_sm_resp (or a
// generic_nack in its place) the way most carriers mean it: 0x58 and 0x14
// are Throttled, 0x08 and 0x64 Temporary, anything else non-zero
// Permanent. An adapter with carrier-specific knowledge may classify
// differently.
func KindOf(status uint32) ErrorKind {
	switch status {
	case statusThrottled, statusMsgQFull:
		return Throttled
	case statusSysErr, statusTempAppN:
		return Temporary
	}
	return Permanent
}

// SubmitError is a failed submit as classified by the adapter: Code is
// the carrier's command_status (0 when there was none, as for a time-out
// or a lost connection) and Kind what the router should do about it.
// Give it to Outgoing.Complete, or return it from Sender.Submit
// when the failure is known at once.
type SubmitError struct {
	Code uint32
	Kind ErrorKind
}

// Error describes the failure.
func (e *SubmitError) Error() string {
	s := "router: submit failed: " + e.Kind.String()
	if e.Code != 0 {
		s += " (command_status 0x" + strconv.FormatUint(uint64(e.Code), 16) + ")"
	}
	return s
}

// classify returns the kind and code of a submit outcome err (non-nil).
// Errors that are not a *SubmitError are Temporary with code 0.
func classify(err error) (ErrorKind, uint32) {
	se, ok := err.(*SubmitError)
	if !ok && !errors.As(err, &se) {
		return Temporary, 0
	}
	k := se.Kind
	if k == 0 || k > Permanent {
		k = Temporary
	}
	return k, se.Code
}
