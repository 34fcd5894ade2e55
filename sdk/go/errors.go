package gallant

import (
	"encoding/json"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Problem type slugs the API answers with (the last segment of
// [Error.Type]); see the Problems section of the API documentation.
const (
	ProblemInvalidJSON           = "invalid-json"
	ProblemInvalidRequest        = "invalid-request"
	ProblemInvalidNumber         = "invalid-number"
	ProblemInvalidSender         = "invalid-sender"
	ProblemInvalidURL            = "invalid-url"
	ProblemMessageTooLong        = "message-too-long"
	ProblemUnauthorized          = "unauthorized"
	ProblemForbidden             = "forbidden"
	ProblemNotFound              = "not-found"
	ProblemMethodNotAllowed      = "method-not-allowed"
	ProblemIdempotencyInProgress = "idempotency-in-progress"
	ProblemConflict              = "conflict"
	ProblemPayloadTooLarge       = "payload-too-large"
	ProblemInsufficientBalance   = "insufficient-balance"
	ProblemIdempotencyKeyReuse   = "idempotency-key-reuse"
	ProblemNoRoute               = "no-route"
	ProblemRecipientOptedOut     = "recipient-opted-out"
	ProblemScheduledLimit        = "scheduled-limit"
	ProblemRateLimited           = "rate-limited"
	ProblemInternal              = "internal"
	ProblemBackpressure          = "backpressure"
	ProblemNotReady              = "not-ready"
)

// Error is an answer of the API other than 2xx: its problem document
// (RFC 9457, application/problem+json). Get it with [errors.As]:
//
//	var ge *gallant.Error
//	if errors.As(err, &ge) && ge.Slug() == gallant.ProblemInvalidNumber { ... ge.Field ... }
//
// An answer that is not a problem document (a proxy's error page) gets
// Type "about:blank", its status text as Title and the start of its body as
// Detail.
type Error struct {
	// Type is the problem's URI; its last segment is a stable slug.
	Type string `json:"type"`
	// Title is a short human-readable summary of the type.
	Title string `json:"title"`
	// Status is the HTTP status code.
	Status int `json:"status"`
	// Detail explains this occurrence.
	Detail string `json:"detail,omitempty"`
	// Field names the request member or parameter at fault, if any
	// ("to", "messages[3].text", "Idempotency-Key").
	Field string `json:"field,omitempty"`
	// RetryAfter is the answer's Retry-After delay (429 and 503), or 0.
	RetryAfter time.Duration `json:"-"`
	// Raw is the problem document as received (nil for a batch item's).
	Raw json.RawMessage `json:"-"`
}

// Error formats the problem as "gallant: STATUS SLUG: FIELD: DETAIL".
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("gallant: ")
	b.WriteString(strconv.Itoa(e.Status))
	b.WriteString(" ")
	if s := e.Slug(); s != "" && s != "about:blank" {
		b.WriteString(s)
	} else {
		b.WriteString(e.Title)
	}
	if e.Field != "" {
		b.WriteString(": ")
		b.WriteString(e.Field)
	}
	if e.Detail != "" {
		b.WriteString(": ")
		b.WriteString(e.Detail)
	}
	return b.String()
}

// Slug is the stable last segment of Type ("invalid-number"), what code
// should switch on; compare it with the Problem constants.
func (e *Error) Slug() string {
	if i := strings.LastIndexByte(e.Type, '/'); i >= 0 {
		return e.Type[i+1:]
	}
	return e.Type
}

// Temporary reports whether the request may succeed if sent again later:
// 429 (rate-limited) and 503 (backpressure, not-ready).
func (e *Error) Temporary() bool {
	return e.Status == http.StatusTooManyRequests || e.Status == http.StatusServiceUnavailable
}

// parseError turns a non-2xx answer into an *Error.
func parseError(resp *http.Response, data []byte) *Error {
	e := &Error{}
	mt, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type"))
	if (mt == "application/problem+json" || mt == "application/json") && json.Unmarshal(data, e) == nil && e.Type != "" {
		e.Raw = json.RawMessage(data)
	} else {
		d := data
		if len(d) > 512 {
			d = d[:512]
		}
		for !utf8.Valid(d) && len(d) > 0 {
			d = d[:len(d)-1]
		}
		*e = Error{Type: "about:blank", Title: http.StatusText(resp.StatusCode), Detail: strings.TrimSpace(string(d))}
	}
	e.Status = resp.StatusCode
	e.RetryAfter = retryAfter(resp.Header.Get("Retry-After"), time.Now())
	return e
}
