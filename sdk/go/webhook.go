package gallant

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Webhook request headers.
const (
	// SignatureHeader carries "t=<unix seconds>,v1=<hex HMAC-SHA256>"
	// over "<t>.<body>"; check it with [VerifyWebhook].
	SignatureHeader = "X-Gallant-Signature"
	// BodySignatureHeader carries "sha256=<hex HMAC-SHA256>" over the body
	// alone; check it with [VerifyWebhookBody]. It does not reveal a replay.
	BodySignatureHeader = "X-Gallant-Signature-256"
)

// DefaultTolerance is the largest difference between a webhook's
// timestamp and the receiver's clock [VerifyWebhook] accepts when given a
// tolerance of 0, as the gateway's own verifier does.
const DefaultTolerance = 5 * time.Minute

// maxWebhookBody bounds the body [VerifyWebhookRequest] reads: events are
// a few hundred bytes.
const maxWebhookBody = 1 << 20

// maxSignatureHeader bounds the header parsed, as the gateway does.
const maxSignatureHeader = 1024

// Errors of webhook verification; test with [errors.Is].
var (
	// ErrNoSecret: the secret given is empty.
	ErrNoSecret = errors.New("gallant: webhook secret is empty")
	// ErrBadSignatureHeader: the header is missing or malformed.
	ErrBadSignatureHeader = errors.New("gallant: malformed webhook signature header")
	// ErrSignatureMismatch: no signature matches the body and secret.
	ErrSignatureMismatch = errors.New("gallant: webhook signature mismatch")
	// ErrSignatureExpired: the signature is right but its timestamp is
	// further from now than the tolerance (a replay, or a skewed clock).
	ErrSignatureExpired = errors.New("gallant: webhook timestamp outside the tolerance")
)

// VerifyWebhook checks the X-Gallant-Signature header of a webhook whose
// raw body is body, as received and before any JSON parsing: one of its v1
// MACs must equal HMAC-SHA256(secret, "<t>.<body>") (compared in constant
// time) and t must be within tolerance of now (0: [DefaultTolerance]). The
// error wraps [ErrNoSecret], [ErrBadSignatureHeader],
// [ErrSignatureMismatch] or [ErrSignatureExpired]. Several v1 values are
// allowed (a secret being rotated); unknown keys are ignored.
func VerifyWebhook(secret string, header string, body []byte, now time.Time, tolerance time.Duration) error {
	if secret == "" {
		return ErrNoSecret
	}
	if len(header) > maxSignatureHeader {
		return fmt.Errorf("%w: longer than %d bytes", ErrBadSignatureHeader, maxSignatureHeader)
	}
	var ts string
	var macs [][]byte
	for part := range strings.SplitSeq(header, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok {
			return fmt.Errorf("%w: %q is not key=value", ErrBadSignatureHeader, part)
		}
		switch k {
		case "t":
			if ts != "" {
				return fmt.Errorf("%w: repeated t", ErrBadSignatureHeader)
			}
			if v == "" {
				return fmt.Errorf("%w: empty t", ErrBadSignatureHeader)
			}
			ts = v
		case "v1":
			m, err := hex.DecodeString(v)
			if err != nil || len(m) != sha256.Size {
				return fmt.Errorf("%w: v1 is not %d hex bytes", ErrBadSignatureHeader, sha256.Size)
			}
			macs = append(macs, m)
		}
	}
	if ts == "" {
		return fmt.Errorf("%w: no t", ErrBadSignatureHeader)
	}
	if len(macs) == 0 {
		return fmt.Errorf("%w: no v1", ErrBadSignatureHeader)
	}
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil || sec < 0 || len(ts) > 12 {
		return fmt.Errorf("%w: t %q is not unix seconds", ErrBadSignatureHeader, ts)
	}
	h := hmac.New(sha256.New, []byte(secret))
	h.Write([]byte(ts))
	h.Write([]byte{'.'})
	h.Write(body)
	want := h.Sum(nil)
	ok := false
	for _, m := range macs {
		if hmac.Equal(m, want) { // every MAC is compared: no early exit
			ok = true
		}
	}
	if !ok {
		return ErrSignatureMismatch
	}
	if tolerance <= 0 {
		tolerance = DefaultTolerance
	}
	skew := now.Unix() - sec
	if skew < 0 {
		skew = -skew
	}
	if skew > int64(tolerance/time.Second) {
		return fmt.Errorf("%w: signed at %d, now %d", ErrSignatureExpired, sec, now.Unix())
	}
	return nil
}

// VerifyWebhookBody checks the X-Gallant-Signature-256 header
// ("sha256=<hex>", an HMAC-SHA256 of the body alone) in constant time. It
// cannot reveal a replayed request: prefer [VerifyWebhook], or drop
// duplicates by the event's event_id.
func VerifyWebhookBody(secret, header string, body []byte) error {
	if secret == "" {
		return ErrNoSecret
	}
	v, ok := strings.CutPrefix(strings.TrimSpace(header), "sha256=")
	if !ok {
		return fmt.Errorf("%w: no %q prefix", ErrBadSignatureHeader, "sha256=")
	}
	got, err := hex.DecodeString(v)
	if err != nil || len(got) != sha256.Size {
		return fmt.Errorf("%w: not %d hex bytes", ErrBadSignatureHeader, sha256.Size)
	}
	h := hmac.New(sha256.New, []byte(secret))
	h.Write(body)
	if !hmac.Equal(got, h.Sum(nil)) {
		return ErrSignatureMismatch
	}
	return nil
}

// VerifyWebhookRequest reads a webhook request's body (at most 1 MiB) and
// checks its X-Gallant-Signature with [VerifyWebhook] against the current
// time. It returns the body, to be parsed only when the error is nil.
func VerifyWebhookRequest(r *http.Request, secret string, tolerance time.Duration) ([]byte, error) {
	body, err := io.ReadAll(io.LimitReader(r.Body, maxWebhookBody+1))
	if err != nil {
		return nil, fmt.Errorf("gallant: read webhook body: %w", err)
	}
	if len(body) > maxWebhookBody {
		return nil, fmt.Errorf("gallant: webhook body over %d bytes", maxWebhookBody)
	}
	if err := VerifyWebhook(secret, r.Header.Get(SignatureHeader), body, time.Now(), tolerance); err != nil {
		return nil, err
	}
	return body, nil
}

// StatusEvent is the body of a status webhook: one status change of a
// message. Retries of one event keep its EventID; drop duplicates by it.
type StatusEvent struct {
	ID        string    `json:"id"`
	Status    Status    `json:"status"`
	To        string    `json:"to"`
	From      string    `json:"from"`
	ClientRef string    `json:"client_ref"`
	Segments  int       `json:"segments"`
	Segment   int       `json:"segment"`
	ErrorCode string    `json:"error_code"`
	Carrier   string    `json:"carrier"`
	At        time.Time `json:"at"`
	EventID   string    `json:"event_id"`
}

// InboundEvent is the body of an inbound-message webhook (Type
// "message.inbound").
type InboundEvent struct {
	Type       string    `json:"type"`
	ID         string    `json:"id"`
	From       string    `json:"from"`
	To         string    `json:"to"`
	Text       string    `json:"text"`
	Encoding   string    `json:"encoding"`
	Parts      int       `json:"parts"`
	Partial    bool      `json:"partial"`
	ReceivedAt time.Time `json:"received_at"`
	Keyword    string    `json:"keyword"`
	EventID    string    `json:"event_id"`
}
