package webhook

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Header names and values of a callback request.
const (
	// SignatureHeader carries "t=<unix seconds>,v1=<hex HMAC-SHA256>"
	// of "<t>.<body>" (see [Sign]): the one to check, as it also lets a
	// receiver refuse a replayed request.
	SignatureHeader = "X-Gallant-Signature"
	// BodySignatureHeader carries "sha256=<hex HMAC-SHA256>" of the raw
	// body alone (see [SignBody]), for receivers whose tooling checks
	// only a body MAC. It does not bind a time: a captured request
	// verifies again when replayed, at any later time. Receivers should
	// check SignatureHeader; one that can check only this must drop
	// repeated event_ids, which narrows but does not close the window.
	BodySignatureHeader = "X-Gallant-Signature-256"
	// UserAgent is the User-Agent of every callback request.
	UserAgent = "Gallant-Webhook/1"
	// ContentType is the Content-Type of every callback body.
	ContentType = "application/json"
)

// DefaultTolerance is how far a signed time may be from now when
// [Verify] is given a tolerance of zero or less. Five minutes allows
// for clock skew between us and a receiver.
const DefaultTolerance = 5 * time.Minute

// maxSignatureHeader bounds the header Verify parses: one timestamp and
// a few v1 values (one per secret during a rotation) fit easily.
const maxSignatureHeader = 1024

// Sign returns the X-Gallant-Signature value for body sent at t:
// "t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>" keyed by secret>".
func Sign(secret string, t time.Time, body []byte) string {
	ts := strconv.FormatInt(t.Unix(), 10)
	mac := signature(secret, ts, body)
	var sb strings.Builder
	sb.Grow(len("t=,v1=") + len(ts) + 2*len(mac))
	sb.WriteString("t=")
	sb.WriteString(ts)
	sb.WriteString(",v1=")
	sb.WriteString(hex.EncodeToString(mac))
	return sb.String()
}

// signature returns HMAC-SHA256(secret, ts + "." + body).
func signature(secret, ts string, body []byte) []byte {
	h := hmac.New(sha256.New, []byte(secret))
	h.Write([]byte(ts))
	h.Write([]byte{'.'})
	h.Write(body)
	return h.Sum(nil)
}

// Verify checks header, an X-Gallant-Signature value, against body and
// secret: some v1 value must be the MAC of "<t>.<body>" (several are
// accepted so a sender can sign with an old and a new secret while it is
// rotated) and t must be within tolerance of now, in either direction.
// A tolerance of zero or less means [DefaultTolerance]. It returns nil,
// or an error wrapping [ErrBadSignatureHeader], [ErrSignatureMismatch]
// or [ErrSignatureExpired]. The comparison takes constant time.
func Verify(secret, header string, body []byte, now time.Time, tolerance time.Duration) error {
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
		default:
			// Unknown schemes are skipped so a later v2 can be added
			// beside v1 without breaking receivers.
		}
	}
	if ts == "" {
		return fmt.Errorf("%w: no t", ErrBadSignatureHeader)
	}
	if len(macs) == 0 {
		return fmt.Errorf("%w: no v1", ErrBadSignatureHeader)
	}
	// Twelve digits reach the year 33658 and keep the skew arithmetic
	// below from overflowing.
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil || sec < 0 || len(ts) > 12 {
		return fmt.Errorf("%w: t %q is not unix seconds", ErrBadSignatureHeader, ts)
	}
	want := signature(secret, ts, body)
	ok := false
	for _, m := range macs {
		if hmac.Equal(m, want) {
			ok = true
		}
	}
	if !ok {
		return ErrSignatureMismatch
	}
	if tolerance <= 0 {
		tolerance = DefaultTolerance
	}
	// Compare in seconds: a Duration holds only 292 years.
	skew := now.Unix() - sec
	if skew < 0 {
		skew = -skew
	}
	if skew > int64(tolerance/time.Second) {
		return fmt.Errorf("%w: signed at %d, now %d", ErrSignatureExpired, sec, now.Unix())
	}
	return nil
}

// bodySignaturePrefix names the scheme of a BodySignatureHeader value.
const bodySignaturePrefix = "sha256="

// SignBody returns the X-Gallant-Signature-256 value for body:
// "sha256=<hex HMAC-SHA256 of body keyed by secret>". Unlike [Sign] it
// signs no time, so prefer [Verify] where replays matter.
func SignBody(secret string, body []byte) string {
	h := hmac.New(sha256.New, []byte(secret))
	h.Write(body)
	var buf [len(bodySignaturePrefix) + 2*sha256.Size]byte
	out := append(buf[:0], bodySignaturePrefix...)
	return string(hex.AppendEncode(out, h.Sum(nil)))
}

// VerifyBody checks header, an X-Gallant-Signature-256 value, against
// body and secret. It returns nil, [ErrNoSecret], or an error wrapping
// [ErrBadSignatureHeader] or [ErrSignatureMismatch]. The comparison takes
// constant time. It cannot detect a replay: see [Verify].
func VerifyBody(secret, header string, body []byte) error {
	if secret == "" {
		return ErrNoSecret
	}
	v, ok := strings.CutPrefix(strings.TrimSpace(header), bodySignaturePrefix)
	if !ok {
		return fmt.Errorf("%w: no %q prefix", ErrBadSignatureHeader, bodySignaturePrefix)
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
