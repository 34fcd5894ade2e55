package throttle

import "time"

// Clock returns the current time in nanoseconds on a monotonic scale whose
// origin is arbitrary. Limiters only compare and subtract its values, so a
// test can inject a counter it advances by hand. Values must stay within
// [-2^62, 2^62] (±146 years).
type Clock func() int64

// MonotonicClock returns a Clock that counts nanoseconds since the call, read
// from the runtime's monotonic clock (so it never jumps with wall-clock
// changes). Inside a testing/synctest bubble it follows the bubble's fake time.
func MonotonicClock() Clock {
	base := time.Now()
	return func() int64 { return int64(time.Since(base)) }
}
