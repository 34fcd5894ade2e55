package throttle

import "time"

// Result is the answer of a keyed limiter ([Keyed.Take], [Redis.Allow],
// [Fallback.Allow]) to a request for n tokens.
type Result struct {
	// Allowed reports whether the n tokens were taken.
	Allowed bool

	// Remaining is the number of whole tokens left in the bucket: after
	// this request when it was allowed, now when it was denied.
	Remaining int

	// RetryAfter is zero when allowed; otherwise the time after which the
	// same request would be allowed if nothing else takes tokens first
	// (the HTTP Retry-After value).
	RetryAfter time.Duration

	// ResetAfter is the time until the bucket is full again.
	ResetAfter time.Duration

	// Source says which limiter answered.
	Source Source
}

// Source identifies the limiter that produced a [Result].
type Source uint8

// The sources of a [Result].
const (
	// SourceLocal is the in-process [Keyed] limiter.
	SourceLocal Source = iota + 1
	// SourceRedis is the shared [Redis] limiter.
	SourceRedis
)

// String returns "local", "redis" or "unknown".
func (s Source) String() string {
	switch s {
	case SourceLocal:
		return "local"
	case SourceRedis:
		return "redis"
	default:
		return "unknown"
	}
}
