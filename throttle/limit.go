package throttle

import (
	"fmt"
	"math"
	"time"
)

const (
	// MaxRate is the highest rate, in tokens per second, that a limiter
	// accepts: one token per nanosecond, the resolution of the arithmetic.
	MaxRate = 1e9

	// MaxTolerance is the longest time a full bucket represents (burst
	// divided by rate). It keeps every TAT computation on int64 nanoseconds
	// far from overflow; 2^60 ns is about 36 years.
	MaxTolerance = time.Duration(1 << 60)
)

// limit is a validated rate and burst in the units GCRA works in.
type limit struct {
	rate     float64
	burst    int
	interval int64 // emission interval T: nanoseconds per token, at least 1
	tau      int64 // tolerance: burst × interval
}

// newLimit validates rate and burst. The interval is rounded to the nearest
// nanosecond, so the rate applied is 1e9/round(1e9/rate): for 3 tokens/s that
// is 3.000000003/s.
func newLimit(rate float64, burst int) (limit, error) {
	if !(rate > 0 && rate <= MaxRate) { // also rejects NaN
		return limit{}, fmt.Errorf("%w: %v tokens/s", ErrInvalidRate, rate)
	}
	interval := max(int64(math.Round(1e9/rate)), 1)
	if burst < 1 || int64(burst) > int64(MaxTolerance)/interval {
		return limit{}, fmt.Errorf("%w: %d at %v tokens/s", ErrInvalidBurst, burst, rate)
	}
	return limit{rate: rate, burst: burst, interval: interval, tau: int64(burst) * interval}, nil
}

// checkCount validates a request for n tokens against the burst.
func (l *limit) checkCount(n int) error {
	if n < 0 {
		return fmt.Errorf("%w: %d", ErrInvalidCount, n)
	}
	if n > l.burst {
		return fmt.Errorf("%w: %d > %d", ErrExceedsBurst, n, l.burst)
	}
	return nil
}

// admit applies GCRA to a bucket whose TAT is tat: it returns the TAT after
// taking n tokens at now and whether that conforms. n must be in [0, burst].
func (l *limit) admit(tat, now int64, n int) (int64, bool) {
	next := max(tat, now) + int64(n)*l.interval
	return next, next-now <= l.tau
}

// decide is admit with the full answer for a caller that reports limits (an
// HTTP 429 with Retry-After, for example). It returns the TAT to store: the
// new one when allowed, tat unchanged when denied.
func (l *limit) decide(tat, now int64, n int) (int64, Result) {
	next, ok := l.admit(tat, now, n)
	if ok {
		used := next - now
		return next, Result{
			Allowed:    true,
			Remaining:  int((l.tau - used) / l.interval),
			ResetAfter: time.Duration(used),
		}
	}
	debt := max(tat-now, 0)
	return tat, Result{
		Remaining:  int(max(l.tau-debt, 0) / l.interval),
		RetryAfter: time.Duration(next - now - l.tau),
		ResetAfter: time.Duration(debt),
	}
}
