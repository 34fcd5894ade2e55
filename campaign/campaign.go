package campaign

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/gallant-sms/gallant/consent"
	"github.com/gallant-sms/gallant/sms"
)

// Campaign kinds: quiet hours hold back marketing campaigns only.
const (
	KindMarketing     = "marketing"
	KindTransactional = "transactional"
)

// ClientRef is the client reference of the message sent to recipient
// recipientID of campaign campaignID: how a restarted engine finds a
// message it submitted but did not record.
func ClientRef(campaignID, recipientID int64) string {
	return "cmp:" + strconv.FormatInt(campaignID, 10) + ":" + strconv.FormatInt(recipientID, 10)
}

// ParseClientRef is the inverse of [ClientRef]; ok is false for any
// other reference.
func ParseClientRef(ref string) (campaignID, recipientID int64, ok bool) {
	rest, found := strings.CutPrefix(ref, "cmp:")
	if !found {
		return 0, 0, false
	}
	a, b, found := strings.Cut(rest, ":")
	if !found {
		return 0, 0, false
	}
	c, err1 := strconv.ParseInt(a, 10, 64)
	r, err2 := strconv.ParseInt(b, 10, 64)
	return c, r, err1 == nil && err2 == nil
}

// Submission is one message the engine submits.
type Submission struct {
	To, From, Text string
	ClientRef      string
	ValidUntil     time.Time // zero: the gateway's default
}

// Outcome is what the gateway made of a submission.
type Outcome uint8

// The outcomes of a submission.
const (
	// Sent: accepted; MessageID and Price are set.
	Sent Outcome = iota
	// Retry: refused for now (backpressure, throttling): submit again
	// later; the engine backs off.
	Retry
	// Skip: refused for this recipient for good (opted out, no route,
	// invalid number); Reason says why.
	Skip
	// Pause: refused for the whole campaign until someone acts
	// (insufficient balance, account suspended); the campaign pauses
	// with Reason.
	Pause
	// Unresolved: whether it was accepted is not known (a timeout); the
	// engine settles it by its client reference.
	Unresolved
)

// SubmitResult is the outcome of one submission.
type SubmitResult struct {
	Outcome   Outcome
	MessageID sms.ID
	Price     int64 // micros
	Reason    string
	OptedOut  bool // a Skip because the recipient opted out
}

// Submitter is the gateway as the engine sees it: the same accept path
// as the API (billing, opt-outs, routing, receipts). Package app adapts
// the gateway to it.
type Submitter interface {
	// Submit submits subs for account accountID and returns one result
	// per submission, in order.
	Submit(ctx context.Context, accountID int64, subs []Submission) []SubmitResult
	// Saturated reports gateway backpressure: the engine submits
	// nothing while it holds.
	Saturated() bool
}

// Consent says whether an account may message a number (the consent
// index the gateway checks).
type Consent interface {
	Blocked(account int64, sender, number string) (consent.Scope, bool)
}
