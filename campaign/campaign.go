package campaign

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
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

// Options are a campaign's optional features, kept as JSON in the
// store (store.Campaign.Options).
type Options struct {
	AB   *ABTest `json:"ab,omitempty"`
	Drip *Drip   `json:"drip,omitempty"`
	// LocalTime ("09:00"), when set, sends each recipient at the first
	// such time of its own time zone (the contact's, else its
	// country's) from the campaign's start.
	LocalTime string `json:"local_time,omitempty"`
}

// CheckLocalTime checks a local time of day ("HH:MM").
func CheckLocalTime(s string) error {
	if _, err := clockMinutes(s); err != nil {
		return errors.New("local_time is HH:MM")
	}
	return nil
}

// ABTest is an A/B test: a test group (TestPercent of the audience)
// split between 2 to 5 variants by their Split percentages; after the
// test group is sent and Window has passed, the variant with the best
// Metric rate (delivery, click or reply) goes to the rest of the
// audience, unless Manual (then a person chooses, see
// store.ChooseVariant).
type ABTest struct {
	Variants    []Variant `json:"variants"`
	TestPercent int       `json:"test_percent"`
	Metric      string    `json:"metric"`
	Window      int64     `json:"window"` // seconds
	Manual      bool      `json:"manual,omitempty"`
	// Set as the test runs.
	TestSentAt time.Time `json:"test_sent_at,omitzero"`
	Winner     int       `json:"winner,omitempty"` // 1-based; 0 none yet
	// Rates are the variants' rates when the winner was chosen
	// automatically.
	Rates  []float64 `json:"rates,omitempty"`
	Reason string    `json:"reason,omitempty"`
}

// Variant is one message of an A/B test: a text or a template.
type Variant struct {
	Text       string `json:"text,omitempty"`
	TemplateID int64  `json:"template_id,omitempty"`
	Split      int    `json:"split"`
}

// A/B metrics.
const (
	MetricDelivery = "delivery"
	MetricClick    = "click"
	MetricReply    = "reply"
)

// Bounds of an A/B test.
const (
	MinVariants = 2
	MaxVariants = 5
	MaxWindow   = 7 * 24 * 3600
)

// Check checks an A/B test's settings.
func (ab *ABTest) Check() error {
	if n := len(ab.Variants); n < MinVariants || n > MaxVariants {
		return errors.New("an A/B test has 2 to 5 variants")
	}
	sum := 0
	for i, v := range ab.Variants {
		if v.Split < 1 || v.Split > 99 {
			return fmt.Errorf("variant %d: split is 1 to 99 (percent of the test group)", i+1)
		}
		if (v.Text == "") == (v.TemplateID == 0) {
			return fmt.Errorf("variant %d: give a text or a template_id", i+1)
		}
		sum += v.Split
	}
	if sum != 100 {
		return errors.New("the variants' splits add up to 100")
	}
	if ab.TestPercent < 1 || ab.TestPercent > 100 {
		return errors.New("test_percent is 1 to 100 (of the audience)")
	}
	switch ab.Metric {
	case MetricDelivery, MetricClick, MetricReply:
	default:
		return errors.New("metric is delivery, click or reply")
	}
	if ab.Window < 0 || ab.Window > MaxWindow {
		return fmt.Errorf("window is 0 to %d seconds", MaxWindow)
	}
	return nil
}

// ParseOptions reads a campaign's options ("" or "{}": none).
func ParseOptions(s string) (Options, error) {
	var o Options
	if s == "" {
		return o, nil
	}
	if err := json.Unmarshal([]byte(s), &o); err != nil {
		return o, fmt.Errorf("campaign: options: %w", err)
	}
	return o, nil
}

// JSON is the options as stored.
func (o Options) JSON() string {
	b, err := json.Marshal(o)
	if err != nil {
		return "{}"
	}
	return string(b)
}
