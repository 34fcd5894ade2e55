package api

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/gallant-sms/gallant/app"
	"github.com/gallant-sms/gallant/gateway"
)

// ProblemBase prefixes an [Error]'s Type in the "type" member of a problem
// document; the page it names documents the problem.
const ProblemBase = "https://docs.gallant.example/problems/"

// The stable problem types (the last path segment of a problem's "type").
// Clients may switch on them; they never change meaning.
const (
	TypeInvalidJSON           = "invalid-json"
	TypeInvalidRequest        = "invalid-request"
	TypeInvalidNumber         = "invalid-number"
	TypeInvalidSender         = "invalid-sender"
	TypeInvalidURL            = "invalid-url"
	TypeMessageTooLong        = "message-too-long"
	TypeUnauthorized          = "unauthorized"
	TypeForbidden             = "forbidden"
	TypeNotFound              = "not-found"
	TypeMethodNotAllowed      = "method-not-allowed"
	TypeRateLimited           = "rate-limited"
	TypeBackpressure          = "backpressure"
	TypeNoRoute               = "no-route"
	TypeRecipientOptedOut     = "recipient-opted-out"
	TypePayloadTooLarge       = "payload-too-large"
	TypeUnsupportedMediaType  = "unsupported-media-type"
	TypeIdempotencyKeyReuse   = "idempotency-key-reuse"
	TypeIdempotencyInProgress = "idempotency-in-progress"
	TypeNotReady              = "not-ready"
	TypeInternal              = "internal"
	TypeConflict              = "conflict"
)

// Errors matched by the API with errors.Is.
var (
	// ErrUnauthorized is returned by an [Authenticator] for a bad key.
	ErrUnauthorized = errors.New("api: unauthorized")
	// ErrNotFound is returned by [Messages] for a missing message,
	// including one of another account.
	ErrNotFound = errors.New("api: not found")
	// ErrIdempotencyConflict is returned by [Idempotency.Put] when a
	// record is already stored under the key.
	ErrIdempotencyConflict = app.ErrIdempotencyConflict
	// ErrServerClosed is returned by [Server.Serve] and
	// [Server.ListenAndServe] after [Server.Shutdown].
	ErrServerClosed = errors.New("api: server closed")
)

// Error is a problem the client is told about, written as an RFC 9457
// problem document. Services return it (usually from one of the
// constructors below) for answers meant for the client; the API answers
// every other error as [TypeInternal] without revealing it.
type Error struct {
	// Type is one of the Type constants; the document's "type" is
	// ProblemBase + Type.
	Type string
	// Title is a short summary of the type, the same for every instance.
	Title string
	// Status is the HTTP status code.
	Status int
	// Detail explains this occurrence, for a human.
	Detail string
	// Field names the request member at fault ("to", "messages[3].text",
	// "Idempotency-Key"), if any.
	Field string
	// RetryAfter, when positive, is sent as a Retry-After header (whole
	// seconds, rounded up).
	RetryAfter time.Duration
}

// Error returns the problem as "api: type: detail".
func (e *Error) Error() string {
	if e.Field != "" {
		return "api: " + e.Type + ": " + e.Field + ": " + e.Detail
	}
	return "api: " + e.Type + ": " + e.Detail
}

func newError(typ, title string, status int, field, detail string) *Error {
	return &Error{Type: typ, Title: title, Status: status, Field: field, Detail: detail}
}

// InvalidJSON reports a body that is not well-formed JSON.
func InvalidJSON(detail string) *Error {
	return newError(TypeInvalidJSON, "Malformed JSON", http.StatusBadRequest, "", detail)
}

// InvalidRequest reports a well-formed request with a bad or missing field.
func InvalidRequest(field, detail string) *Error {
	return newError(TypeInvalidRequest, "Invalid request", http.StatusBadRequest, field, detail)
}

// InvalidNumber reports a destination that is not a valid phone number.
func InvalidNumber(field, detail string) *Error {
	return newError(TypeInvalidNumber, "Invalid phone number", http.StatusBadRequest, field, detail)
}

// InvalidSender reports a sender (number or name) the account may not use
// or that is malformed.
func InvalidSender(field, detail string) *Error {
	return newError(TypeInvalidSender, "Invalid sender", http.StatusBadRequest, field, detail)
}

// InvalidURL reports a URL the gateway will not call back: malformed, or
// leading to a private or special-purpose address (loopback, RFC 1918,
// link-local, ...). Field names the member, detail says why.
func InvalidURL(field, detail string) *Error {
	return newError(TypeInvalidURL, "Invalid URL", http.StatusBadRequest, field, detail)
}

// MessageTooLong reports a message needing more segments than allowed.
func MessageTooLong(field, detail string) *Error {
	return newError(TypeMessageTooLong, "Message too long", http.StatusBadRequest, field, detail)
}

// Unauthorized reports a missing, malformed, unknown or revoked API key.
func Unauthorized(detail string) *Error {
	return newError(TypeUnauthorized, "Unauthorized", http.StatusUnauthorized, "", detail)
}

// Forbidden reports a key without the scope the endpoint needs.
func Forbidden(detail string) *Error {
	return newError(TypeForbidden, "Forbidden", http.StatusForbidden, "", detail)
}

// NotFound reports a resource that does not exist for the caller.
func NotFound(detail string) *Error {
	return newError(TypeNotFound, "Not found", http.StatusNotFound, "", detail)
}

// MethodNotAllowed reports a method the path does not serve.
func MethodNotAllowed(detail string) *Error {
	return newError(TypeMethodNotAllowed, "Method not allowed", http.StatusMethodNotAllowed, "", detail)
}

// RateLimited reports an account over its request or message rate; the
// client may retry after retryAfter.
func RateLimited(detail string, retryAfter time.Duration) *Error {
	e := newError(TypeRateLimited, "Rate limit exceeded", http.StatusTooManyRequests, "", detail)
	e.RetryAfter = retryAfter
	return e
}

// Backpressure reports a gateway too busy to accept the message now (full
// queues, a slow store); the client may retry after retryAfter.
func Backpressure(detail string, retryAfter time.Duration) *Error {
	e := newError(TypeBackpressure, "Temporarily unable to accept", http.StatusServiceUnavailable, "", detail)
	e.RetryAfter = retryAfter
	return e
}

// NoRoute reports a destination no carrier of the account's plan serves.
func NoRoute(field, detail string) *Error {
	return newError(TypeNoRoute, "No route to destination", http.StatusUnprocessableEntity, field, detail)
}

// RecipientOptedOut reports a destination that opted out (the detail
// names the number and the scope).
func RecipientOptedOut(field, detail string) *Error {
	return newError(TypeRecipientOptedOut, "Recipient opted out", http.StatusUnprocessableEntity, field, detail)
}

// PayloadTooLarge reports a body or batch over its limit.
func PayloadTooLarge(field, detail string) *Error {
	return newError(TypePayloadTooLarge, "Payload too large", http.StatusRequestEntityTooLarge, field, detail)
}

// UnsupportedMediaType reports a body of a content type the endpoint
// does not take (415).
func UnsupportedMediaType(detail string) *Error {
	return newError(TypeUnsupportedMediaType, "Unsupported media type", http.StatusUnsupportedMediaType, "", detail)
}

// IdempotencyKeyReuse reports an Idempotency-Key already used with a
// different request.
func IdempotencyKeyReuse() *Error {
	return newError(TypeIdempotencyKeyReuse, "Idempotency key reused", http.StatusUnprocessableEntity,
		"Idempotency-Key", "this key was used with a different request body or endpoint")
}

// IdempotencyInProgress reports a retry arriving while the first request
// with its Idempotency-Key is still being processed.
func IdempotencyInProgress() *Error {
	return newError(TypeIdempotencyInProgress, "Request in progress", http.StatusConflict,
		"Idempotency-Key", "a request with this key is still being processed; retry shortly")
}

// NotReady reports a gateway that cannot serve traffic yet (or any more).
func NotReady(detail string) *Error {
	e := newError(TypeNotReady, "Not ready", http.StatusServiceUnavailable, "", detail)
	e.RetryAfter = time.Second
	return e
}

// Internal reports a fault on our side; its detail never carries the
// cause, which is logged instead.
func Internal() *Error {
	return newError(TypeInternal, "Internal error", http.StatusInternalServerError, "",
		"the request could not be processed; it is safe to retry with the same Idempotency-Key")
}

// problemOf maps err to the problem the client sees. known is false for an
// error the client must not see (it becomes an internal problem and the
// caller logs it).
func problemOf(err error) (p *Error, known bool) {
	var e *Error
	var ae *app.Error
	var r *gateway.Refusal
	switch {
	case errors.As(err, &e):
		if e.Status < 400 || e.Status > 599 || e.Type == "" {
			return Internal(), false
		}
		return e, true
	case errors.As(err, &ae):
		return appProblem(ae), true
	case errors.As(err, &r):
		return refusalProblem(r), true
	case errors.Is(err, ErrUnauthorized):
		return Unauthorized("the API key is not valid"), true
	case errors.Is(err, ErrNotFound):
		return NotFound("no such message"), true
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, context.Canceled):
		return Backpressure("the gateway did not finish in time", time.Second), true
	}
	return Internal(), false
}

// refusalRetry is what a busy or rate-limited client is told to wait.
const refusalRetry = time.Second

// appProblem is the problem of a use case's refusal.
func appProblem(e *app.Error) *Error {
	switch e.Kind {
	case app.KindInvalid:
		return InvalidRequest(e.Field, e.Detail)
	case app.KindUnprocessable:
		return newError(TypeInvalidRequest, "Invalid request", http.StatusUnprocessableEntity, e.Field, e.Detail)
	case app.KindInvalidURL:
		return InvalidURL(e.Field, e.Detail)
	case app.KindInvalidNumber:
		return InvalidNumber(e.Field, e.Detail)
	case app.KindUnauthorized:
		return Unauthorized(e.Detail)
	case app.KindForbidden:
		return Forbidden(e.Detail)
	case app.KindNotFound:
		return NotFound(e.Detail)
	case app.KindInsufficientBalance:
		return InsufficientBalance(e.Detail)
	case app.KindNotPriced:
		return newError(gateway.ProblemNotPriced, "Destination not priced", http.StatusUnprocessableEntity, e.Field, e.Detail)
	case app.KindRateLimited:
		return RateLimited(e.Detail, e.RetryAfter)
	case app.KindEmailTaken:
		return EmailTaken()
	case app.KindInvalidToken:
		return InvalidToken(e.Field)
	case app.KindEmailUnverified:
		return EmailUnverified()
	case app.KindMailUnavailable:
		return MailUnavailable(e.Detail)
	case app.KindUserDisabled:
		return UserDisabled()
	case app.KindLastOwner:
		return LastOwner()
	case app.KindConflict:
		return newError(TypeConflict, "Conflict", http.StatusConflict, e.Field, e.Detail)
	}
	return Internal()
}

// refusalProblem is the problem of a message the gateway refused.
func refusalProblem(r *gateway.Refusal) *Error {
	switch r.Problem {
	case gateway.ProblemInvalidNumber:
		return InvalidNumber(r.Field, r.Detail)
	case gateway.ProblemInvalidSender:
		return InvalidSender(r.Field, r.Detail)
	case gateway.ProblemInvalidURL:
		return InvalidURL(r.Field, r.Detail)
	case gateway.ProblemTooLong:
		return MessageTooLong(r.Field, r.Detail)
	case gateway.ProblemRateLimited:
		return RateLimited(r.Detail, refusalRetry)
	case gateway.ProblemBackpressure:
		return Backpressure(r.Detail, refusalRetry)
	case gateway.ProblemNoRoute:
		return NoRoute(r.Field, r.Detail)
	case gateway.ProblemOptedOut:
		return RecipientOptedOut(r.Field, r.Detail)
	case gateway.ProblemInternal:
		return Internal()
	case gateway.ProblemInsufficientBalance:
		return &Error{Type: gateway.ProblemInsufficientBalance, Title: "Insufficient balance", Status: 402, Detail: r.Detail}
	case gateway.ProblemScheduledLimit:
		return &Error{Type: gateway.ProblemScheduledLimit, Title: "Too many scheduled messages", Status: 422, Detail: r.Detail, Field: r.Field}
	case gateway.ProblemNotPriced:
		return &Error{Type: gateway.ProblemNotPriced, Title: "Destination not priced", Status: 422, Detail: r.Detail, Field: r.Field}
	}
	return InvalidRequest(r.Field, r.Detail)
}

// retryAfterSeconds returns d in whole seconds, rounded up, at least 1.
func retryAfterSeconds(d time.Duration) string {
	s := int64((d + time.Second - 1) / time.Second)
	if s < 1 {
		s = 1
	}
	return strconv.FormatInt(s, 10)
}
