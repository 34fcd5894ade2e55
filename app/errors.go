package app

import (
	"errors"
	"time"
)

// Kind classifies a refusal: what the caller did wrong or may not do.
// The API answers each kind with its problem type (package api), the
// command line prints the detail.
type Kind int

// The kinds of refusal.
const (
	// KindInvalid is a bad or missing field (400 invalid-request).
	KindInvalid Kind = iota + 1
	// KindUnprocessable is a well-formed request that cannot be applied
	// as it stands, such as a transfer between two currencies (422
	// invalid-request).
	KindUnprocessable
	// KindInvalidURL is a webhook URL the gateway will not call.
	KindInvalidURL
	// KindInvalidNumber is a destination that is no E.164 number.
	KindInvalidNumber
	// KindUnauthorized is a bad credential, key or token.
	KindUnauthorized
	// KindForbidden is an action the caller's role may not take.
	KindForbidden
	// KindNotFound is something that does not exist, or that the caller
	// may not know exists.
	KindNotFound
	// KindInsufficientBalance is an amount the available balance cannot
	// cover.
	KindInsufficientBalance
	// KindNotPriced is a destination without a price in the account's
	// plan.
	KindNotPriced
	// KindRateLimited is too many attempts; RetryAfter says when to try
	// again.
	KindRateLimited
	// KindEmailTaken is an email already registered.
	KindEmailTaken
	// KindInvalidToken is a mailed token that is unknown, used or
	// expired.
	KindInvalidToken
	// KindEmailUnverified is a self-registered user acting before it
	// verified its email.
	KindEmailUnverified
	// KindMailUnavailable is a request needing a mail on a gateway with
	// no mail relay.
	KindMailUnavailable
	// KindUserDisabled is a login or session of a disabled user.
	KindUserDisabled
	// KindLastOwner is a change that would leave an account without an
	// enabled owner.
	KindLastOwner
	// KindInternal is a fault the caller is told about without its
	// cause (which is logged).
	KindInternal
	// KindConflict is a resource that exists already under the same
	// unique key, such as a contact's phone (409 conflict).
	KindConflict
)

// Error is a refusal the caller is told about: its kind, the field at
// fault (if any) and a sentence for a human. Every other error a use
// case returns is a fault, answered without revealing it.
type Error struct {
	Kind   Kind
	Field  string
	Detail string
	// RetryAfter, with KindRateLimited, is how long to wait.
	RetryAfter time.Duration
}

// Error returns "app: field: detail".
func (e *Error) Error() string {
	if e.Field != "" {
		return "app: " + e.Field + ": " + e.Detail
	}
	return "app: " + e.Detail
}

// refuse returns a refusal of kind k.
func refuse(k Kind, field, detail string) *Error {
	return &Error{Kind: k, Field: field, Detail: detail}
}

// Invalid refuses a bad or missing field.
func Invalid(field, detail string) *Error { return refuse(KindInvalid, field, detail) }

// Forbidden refuses an action the caller may not take.
func Forbidden(detail string) *Error { return refuse(KindForbidden, "", detail) }

// NotFound refuses something that does not exist (or that the caller may
// not see).
func NotFound(detail string) *Error { return refuse(KindNotFound, "", detail) }

func unauthorized(detail string) *Error { return refuse(KindUnauthorized, "", detail) }

func insufficientBalance(detail string) *Error { return refuse(KindInsufficientBalance, "", detail) }

func mailUnavailable(detail string) *Error { return refuse(KindMailUnavailable, "", detail) }

func invalidToken(field string) *Error {
	return refuse(KindInvalidToken, field, "the token is unknown, already used or expired")
}

func invalidURLRefusal(field, detail string) *Error { return refuse(KindInvalidURL, field, detail) }

func rateLimited(detail string, retryAfter time.Duration) *Error {
	return &Error{Kind: KindRateLimited, Detail: detail, RetryAfter: retryAfter}
}

// ErrIdempotencyConflict is returned by [Idempotency.Put] when a record
// is already stored under the key (by another request, possibly on
// another instance).
var ErrIdempotencyConflict = errors.New("app: idempotency key already stored")

// KindOf returns the kind of the refusal in err's chain, 0 for a fault.
func KindOf(err error) Kind {
	if e, ok := errors.AsType[*Error](err); ok {
		return e.Kind
	}
	return 0
}
