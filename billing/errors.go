package billing

import "errors"

// Errors returned by the package. Callers compare with [errors.Is].
var (
	// ErrInsufficientBalance means the account's available credit cannot
	// cover the amount. Gateways answer it with SMPP status 0x45 and the
	// HTTP problem type "insufficient-balance".
	ErrInsufficientBalance = errors.New("billing: insufficient balance")
	// ErrNoPlan means no price plan is in force for the account.
	ErrNoPlan = errors.New("billing: no price plan in force")
	// ErrNoPrice means the plan in force has no price for the destination.
	ErrNoPrice = errors.New("billing: no price for destination")
	// ErrBadDestination means the destination is not an E.164 number.
	ErrBadDestination = errors.New("billing: destination is not an E.164 number")
	// ErrBadSegments means the segment count is outside 1 to 255.
	ErrBadSegments = errors.New("billing: segment count out of range")
	// ErrBadAmount means an amount is zero, negative or out of range.
	ErrBadAmount = errors.New("billing: bad amount")
	// ErrClosed means Balances has been closed.
	ErrClosed = errors.New("billing: closed")
)
