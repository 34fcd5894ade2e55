// Package throttle provides the rate limiters of the gateway: a lock-free
// token bucket per carrier bind ([TokenBucket]) with AIMD back-off on
// carrier throttling ([AIMD]), an in-process limiter keyed by account, API
// key or IP address ([Keyed]), a Redis limiter whose limits are shared by
// every gateway instance ([Redis]), and a [Fallback] that uses Redis while
// it answers and the in-process limiter when it does not.
//
// Every limiter implements the generic cell rate algorithm (GCRA): instead
// of a token count refilled by a timer, a bucket stores one number, the
// theoretical arrival time (TAT) at which it will be full again. With an
// emission interval T = 1/rate and a tolerance tau = burst×T, a request
// for n tokens at time now is admitted when
//
//	max(TAT, now) + n×T − now ≤ tau
//
// and then TAT becomes max(TAT, now) + n×T. This is the same admission
// rule as a token bucket of size burst refilled at rate (a bucket whose
// TAT is in the past is full), but it needs no refill work, and an update
// is a single compare-and-swap. A bucket whose TAT is in the past holds
// nothing worth keeping, which is how [Keyed] and [Redis] expire idle keys.
//
// The package imports nothing else of the gateway; callers such as an
// smpp.Client use a [TokenBucket] through their own one-method interface
// (Wait(ctx) error).
package throttle
