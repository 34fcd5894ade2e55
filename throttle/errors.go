package throttle

import "errors"

// Errors returned by the limiters.
var (
	// ErrInvalidRate is returned for a rate that is not a finite number in
	// (0, MaxRate].
	ErrInvalidRate = errors.New("throttle: invalid rate")

	// ErrInvalidBurst is returned for a burst below 1, or one whose
	// tolerance (burst divided by rate) exceeds MaxTolerance.
	ErrInvalidBurst = errors.New("throttle: invalid burst")

	// ErrInvalidCount is returned for a negative number of tokens.
	ErrInvalidCount = errors.New("throttle: invalid token count")

	// ErrExceedsBurst is returned when a request asks for more tokens than
	// the burst: it can never be admitted.
	ErrExceedsBurst = errors.New("throttle: token count exceeds burst")

	// ErrDeadline is returned by [TokenBucket.WaitN] when the wait would end
	// after the context's deadline; no tokens are taken.
	ErrDeadline = errors.New("throttle: wait would exceed context deadline")

	// ErrNoClient is returned by [Redis.Allow] when the limiter has no
	// Redis client.
	ErrNoClient = errors.New("throttle: no redis client")

	// ErrBadReply is returned by [Redis.Allow] when the script's reply does
	// not have the expected shape.
	ErrBadReply = errors.New("throttle: unexpected redis reply")

	// ErrClosed is returned by [Shared.Wait] once the budget is closed.
	ErrClosed = errors.New("throttle: shared budget closed")
)
