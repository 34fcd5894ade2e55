package throttle

import (
	"math"
	"math/bits"
	"sync"
	"sync/atomic"
	"time"
)

// TokenBucket is a lock-free token bucket: it holds up to burst tokens and
// refills at rate tokens per second. It is the limiter of one carrier bind
// (at the carrier's contracted TPS, counted in segments) and satisfies the
// one-method interface Wait(ctx) error that an smpp.Client takes as its
// rate limiter.
//
// A bucket is a single GCRA theoretical arrival time held in an atomic
// int64 (see the package documentation). Allow, AllowN, Tokens and the
// non-blocking path of Wait are one atomic load and at most a
// compare-and-swap loop: no mutex, no allocation, no goroutine, no timer.
// Only a Wait that must sleep allocates a timer.
//
// The limit can change at run time ([TokenBucket.SetRate],
// [TokenBucket.SetLimit]) without a lock on the hot path: each limit is an
// immutable generation with its own TAT; a change seals the old
// generation's TAT with a compare-and-swap, after converting the tokens
// already used into the new generation, so every admission is counted under
// exactly one limit and none is lost or doubled across the change.
//
// The zero value is not usable; create buckets with [NewTokenBucket]. It is
// safe to call every method from concurrently running goroutines.
type TokenBucket struct {
	now Clock
	cur atomic.Pointer[generation]
	mu  sync.Mutex // serialises limit changes; never taken by Allow or Wait
}

// generation is one limit of a bucket and the TAT taken under it.
type generation struct {
	limit
	// tat is the theoretical arrival time in Clock nanoseconds, or sealed
	// once a newer generation has taken over.
	tat atomic.Int64
	// next is the newer generation; it is stored before tat is sealed, so
	// whoever sees sealed finds it.
	next atomic.Pointer[generation]
}

// sealed marks the TAT of a superseded generation; no Clock reaches it.
const sealed = math.MinInt64

// NewTokenBucket returns a full bucket holding burst tokens and refilled at
// rate tokens per second. A nil now uses [MonotonicClock]. It returns
// [ErrInvalidRate] or [ErrInvalidBurst] for limits it cannot apply.
func NewTokenBucket(rate float64, burst int, now Clock) (*TokenBucket, error) {
	l, err := newLimit(rate, burst)
	if err != nil {
		return nil, err
	}
	if now == nil {
		now = MonotonicClock()
	}
	b := &TokenBucket{now: now}
	g := &generation{limit: l}
	g.tat.Store(now())
	b.cur.Store(g)
	return b, nil
}

// load returns the current generation and its TAT, moving past sealed
// generations (and helping the bucket point at the newest).
func (b *TokenBucket) load() (*generation, int64) {
	g := b.cur.Load()
	for {
		tat := g.tat.Load()
		if tat != sealed {
			return g, tat
		}
		next := g.next.Load()
		b.cur.CompareAndSwap(g, next)
		g = next
	}
}

// Allow takes one token if one is available and reports whether it did.
func (b *TokenBucket) Allow() bool {
	return b.AllowN(1)
}

// AllowN takes n tokens if that many are available and reports whether it
// did; it never takes part of n. AllowN(0) is true; a negative n or one
// above the burst is false.
func (b *TokenBucket) AllowN(n int) bool {
	if n <= 0 {
		return n == 0
	}
	now := b.now()
	for {
		g, tat := b.load()
		if n > g.burst {
			return false
		}
		next, ok := g.admit(tat, now, n)
		if !ok {
			return false
		}
		if g.tat.CompareAndSwap(tat, next) {
			return true
		}
	}
}

// Tokens returns the number of tokens available now, fractions included.
// It is negative while waiters ([TokenBucket.Wait]) have reserved tokens
// that have not yet refilled.
func (b *TokenBucket) Tokens() float64 {
	now := b.now()
	g, tat := b.load()
	return float64(g.tau-max(tat-now, 0)) / float64(g.interval)
}

// Rate returns the current rate in tokens per second.
func (b *TokenBucket) Rate() float64 {
	g, _ := b.load()
	return g.rate
}

// Burst returns the current burst (the bucket's size).
func (b *TokenBucket) Burst() int {
	g, _ := b.load()
	return g.burst
}

// Now returns the bucket's clock reading, the time base of its TAT.
func (b *TokenBucket) Now() int64 {
	return b.now()
}

// SetRate changes the rate, keeping the burst; see [TokenBucket.SetLimit].
func (b *TokenBucket) SetRate(rate float64) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	l, err := newLimit(rate, b.cur.Load().burst)
	if err != nil {
		return err
	}
	b.replaceLocked(l)
	return nil
}

// SetLimit changes the rate and the burst at run time, for AIMD back-off on
// carrier throttling or a configuration reload. Tokens already used stay
// used: a bucket that had k of its tokens taken has k taken under the new
// limit too (so halving the rate neither refills the bucket nor empties
// it), and they refill at the new rate. Tokens reserved by waiters are
// carried over the same way, and so is a running [TokenBucket.Pause]: as
// tokens, so its remaining time scales with the interval. Concurrent Allow and Wait calls never block on
// it; each is counted under exactly one of the two limits.
func (b *TokenBucket) SetLimit(rate float64, burst int) error {
	l, err := newLimit(rate, burst)
	if err != nil {
		return err
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.replaceLocked(l)
	return nil
}

// replaceLocked installs a generation with limit l. b.mu must be held, so
// b.cur is the unsealed current generation (every change stores its new
// generation before unlocking).
func (b *TokenBucket) replaceLocked(l limit) {
	old := b.cur.Load()
	g := &generation{limit: l}
	old.next.Store(g)
	now := b.now()
	for {
		tat := old.tat.Load()
		// g is unreachable until the seal below succeeds, so this store
		// races with nobody.
		g.tat.Store(rescale(tat, now, old.interval, l.interval))
		if old.tat.CompareAndSwap(tat, sealed) {
			break
		}
	}
	b.cur.Store(g)
}

// rescale converts the debt of a TAT (the time its used tokens take to
// refill) from one emission interval to another, rounding up, so the number
// of used tokens is unchanged.
func rescale(tat, now, from, to int64) int64 {
	debt := tat - now
	if debt <= 0 {
		return tat
	}
	hi, lo := bits.Mul64(uint64(debt), uint64(to))
	if hi >= uint64(from) { // quotient would not fit in 64 bits
		return now + int64(MaxTolerance)
	}
	q, r := bits.Div64(hi, lo, uint64(from))
	if r != 0 {
		q++
	}
	return now + int64(min(q, uint64(MaxTolerance)))
}

// Pause empties the bucket so that no token is available for d, after which
// tokens refill at the rate (no burst when the pause ends). It never
// shortens an earlier pause or a reservation. A carrier bind pauses on a
// throttling answer (see [AIMD]).
func (b *TokenBucket) Pause(d time.Duration) {
	d = min(max(d, 0), MaxTolerance)
	now := b.now()
	for {
		g, tat := b.load()
		// At now+d the debt is tau−T: exactly one token has refilled.
		target := now + int64(d) + g.tau - g.interval
		if tat >= target || g.tat.CompareAndSwap(tat, target) {
			return
		}
	}
}
