package webhook

import (
	"time"

	"github.com/gallant-sms/gallant/sms"
)

// Attempt is the outcome of one post of a delivery, for the gateway to
// store beside the message.
type Attempt struct {
	AccountID int64
	MessageID sms.ID
	URL       string
	// EventID is the event_id of the payload posted.
	EventID string
	// N is the 1-based attempt number.
	N int
	// StatusCode is the receiver's HTTP status, 0 when no answer came.
	StatusCode int
	// Err describes a failure (network error or non-2xx status); empty
	// when Delivered.
	Err string
	// At is when the attempt started, Duration how long it took.
	At       time.Time
	Duration time.Duration
	// GaveUp is set on the last attempt of a delivery that failed: a
	// final status, or MaxAttempts reached.
	GaveUp bool
	// Delivered is set when the receiver answered 2xx.
	Delivered bool
}

// Recorder receives every attempt the dispatcher makes. Attempt is called
// from the worker goroutines, so it must be safe for concurrent use; it
// should return quickly (queue the row for a batched writer), since the
// worker waits for it.
type Recorder interface {
	Attempt(a Attempt)
}

// nopRecorder discards attempts.
type nopRecorder struct{}

func (nopRecorder) Attempt(Attempt) {}
