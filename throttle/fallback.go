package throttle

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"
)

// FallbackConfig configures a [Fallback]. Zero fields take the defaults
// documented on each.
type FallbackConfig struct {
	// Timeout bounds each Redis round trip. Default 50 ms: a healthy local
	// Redis answers in well under a millisecond, and an API request should
	// not wait longer than this for its rate limit.
	Timeout time.Duration

	// ProbeInterval is how long the circuit stays open after a Redis
	// failure before one request probes Redis again. Default 1 s: a down
	// Redis sees about one attempt per second per instance.
	ProbeInterval time.Duration

	// Now is the circuit's clock; nil means [MonotonicClock].
	Now Clock

	// Logger receives one record per circuit change (open, closed); nil
	// means no logging.
	Logger *slog.Logger

	// LocalShare, when set, divides the limit applied locally while the
	// circuit is open: rate/LocalShare() and burst/LocalShare() (each
	// request's count kept within that burst), so that the instances
	// falling back together keep about the shared limit. It should return
	// the number of live instances (a value below 1 counts as 1) and be
	// cheap. nil applies the full limit on each instance.
	LocalShare func() int
}

// Defaults of [FallbackConfig].
const (
	DefaultFallbackTimeout = 50 * time.Millisecond
	DefaultProbeInterval   = time.Second
)

// Validate reports the first invalid field of c.
func (c FallbackConfig) Validate() error {
	if c.Timeout < 0 {
		return fmt.Errorf("throttle: fallback timeout %v is negative", c.Timeout)
	}
	if c.ProbeInterval < 0 {
		return fmt.Errorf("throttle: fallback probe interval %v is negative", c.ProbeInterval)
	}
	return nil
}

// Fallback limits through [Redis] while Redis answers and through an
// in-process [Keyed] limiter when it does not, so the gateway keeps
// enforcing limits (per instance instead of shared) through a Redis outage.
//
// A circuit breaker keeps a down Redis from being hammered and requests from
// paying the timeout one by one: the first failure (an error or no answer
// within Timeout) opens the circuit, and every request is then answered
// locally without touching Redis. After ProbeInterval one request probes
// Redis (the others keep answering locally meanwhile); success closes the
// circuit, failure keeps it open for another interval. [Result.Source] says
// which limiter answered each request.
//
// While open, each instance applies the full limit on its own, so the
// overall limit is multiplied by the number of instances, unless
// LocalShare divides it among them; buckets are not carried between the
// two limiters.
//
// It is safe to call every method from concurrently running goroutines.
type Fallback struct {
	redis  *Redis
	local  *Keyed
	cfg    FallbackConfig
	logger *slog.Logger

	// openUntil is zero while the circuit is closed; otherwise the clock
	// reading at which the next probe may go to Redis.
	openUntil atomic.Int64
	opened    atomic.Int64 // times the circuit opened
	localRes  atomic.Int64 // answers given by the local limiter
}

// NewFallback returns a limiter over r and local. go-redis enforces a
// context's deadline on a command only when its client is configured with
// ContextTimeoutEnabled (otherwise a hung Redis holds a request for the
// client's read or dial timeout, seconds by default), so NewFallback
// refuses a *redis.Client or *redis.ClusterClient without it; other client
// types are not checked.
func NewFallback(r *Redis, local *Keyed, cfg FallbackConfig) (*Fallback, error) {
	if r == nil || local == nil {
		return nil, errors.New("throttle: fallback needs a redis and a local limiter")
	}
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if !honoursContext(r.client) {
		return nil, errors.New("throttle: fallback needs a redis client with ContextTimeoutEnabled, or its timeout is not enforced")
	}
	if cfg.Timeout == 0 {
		cfg.Timeout = DefaultFallbackTimeout
	}
	if cfg.ProbeInterval == 0 {
		cfg.ProbeInterval = DefaultProbeInterval
	}
	if cfg.Now == nil {
		cfg.Now = MonotonicClock()
	}
	logger := cfg.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &Fallback{redis: r, local: local, cfg: cfg, logger: logger}, nil
}

// Allow takes n tokens from key's bucket under rate and burst, from Redis
// if the circuit is closed (or this request is the probe) and Redis answers
// in time, else from the local limiter. It returns an error only for
// invalid arguments or when ctx itself is done; a Redis failure is not an
// error, it is a local answer.
func (f *Fallback) Allow(ctx context.Context, key string, rate float64, burst, n int) (Result, error) {
	l, err := newLimit(rate, burst)
	if err != nil {
		return Result{}, err
	}
	if err := l.checkCount(n); err != nil {
		return Result{}, err
	}
	if err := ctx.Err(); err != nil {
		return Result{}, err
	}
	open := f.openUntil.Load()
	if open != 0 {
		now := f.cfg.Now()
		// One caller per interval wins the probe; the rest answer locally.
		if now < open || !f.openUntil.CompareAndSwap(open, f.reopenAt(now)) {
			return f.answerLocally(&l, key, n), nil
		}
	}
	rctx, cancel := context.WithTimeout(ctx, f.cfg.Timeout)
	res, err := f.redis.Allow(rctx, key, rate, burst, n)
	cancel()
	if err == nil {
		if open != 0 && f.openUntil.Swap(0) != 0 {
			f.logger.Info("redis rate limiter answering again; circuit closed")
		}
		return res, nil
	}
	if ctx.Err() != nil { // the caller gave up; not Redis's fault
		return Result{}, ctx.Err()
	}
	if f.openUntil.Swap(f.reopenAt(f.cfg.Now())) == 0 {
		f.opened.Add(1)
		f.logger.Warn("redis rate limiter failed; circuit open, limiting in process",
			slog.Any("err", err), slog.Duration("probe_interval", f.cfg.ProbeInterval))
	}
	return f.answerLocally(&l, key, n), nil
}

// reopenAt is the openUntil value for a failure or probe at now: the next
// probe time, never the zero that means closed.
func (f *Fallback) reopenAt(now int64) int64 {
	if t := now + int64(f.cfg.ProbeInterval); t != 0 {
		return t
	}
	return 1
}

// answerLocally applies l to key in the local limiter, or this
// instance's share of l (FallbackConfig.LocalShare).
func (f *Fallback) answerLocally(l *limit, key string, n int) Result {
	f.localRes.Add(1)
	if f.cfg.LocalShare != nil {
		if share := f.cfg.LocalShare(); share > 1 {
			if sl, err := newLimit(l.rate/float64(share), max(l.burst/share, 1)); err == nil {
				return f.local.take(&sl, key, min(n, sl.burst))
			}
		}
	}
	return f.local.take(l, key, n)
}

// FallbackStats describes a [Fallback], for metrics.
type FallbackStats struct {
	Open         bool  // the circuit is open: answers are local
	Opened       int64 // times the circuit opened
	LocalAnswers int64 // requests answered by the local limiter
}

// Stats returns the circuit's state and counters.
func (f *Fallback) Stats() FallbackStats {
	return FallbackStats{
		Open:         f.openUntil.Load() != 0,
		Opened:       f.opened.Load(),
		LocalAnswers: f.localRes.Load(),
	}
}

// honoursContext reports whether c applies context deadlines to commands, as
// far as its type tells.
func honoursContext(c redis.UniversalClient) bool {
	switch c := c.(type) {
	case *redis.Client:
		return c.Options().ContextTimeoutEnabled
	case *redis.ClusterClient:
		return c.Options().ContextTimeoutEnabled
	default:
		return true
	}
}
