package throttle

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"sync"
	"sync/atomic"
	"time"
)

// SharedConfig configures a [Shared] budget. Zero fields take the
// defaults documented on each.
type SharedConfig struct {
	// Key names the budget in Redis (under the [Redis] limiter's prefix),
	// "carrier:NAME" for a carrier. Every instance sharing the budget uses
	// the same key and Rate.
	Key string

	// Rate is the budget of the whole platform, in tokens per second.
	Rate float64

	// Lease is how much of the budget one Redis round trip takes: a lease
	// of k = ceil(Rate × Lease) tokens (at least 1). Default 20 ms: at
	// most 50 round trips a second for the whole platform whatever the
	// rate, and an instance holds at most 1.5 leases unspent (3% of a
	// second's budget), which bounds how far the platform can run over
	// Rate in any second (see [Shared]).
	Lease time.Duration

	// Backlog is how far ahead of now the leases of all instances may be
	// booked before a booking is refused and retried. Default 1 s.
	Backlog time.Duration

	// Timeout bounds each Redis round trip; a booking that fails or takes
	// longer switches the budget to the per-instance share. Default
	// 250 ms: a booking is made ahead of need, off the senders' path, so
	// it can afford to wait out a slow answer (a busy host, a new
	// connection) rather than fall back on it, which lets this instance
	// send its share on top of what the others take through Redis until
	// the next probe.
	Timeout time.Duration

	// ProbeInterval is how often a budget in the per-instance share asks
	// Redis again (once per interval, while it has demand). Default 1 s.
	ProbeInterval time.Duration

	// Instances returns the number of live instances sharing the budget;
	// while Redis does not answer, this instance takes Rate/Instances()
	// (a value below 1 counts as 1). It is called once per lease in that
	// mode, so it must be cheap (a cached count). nil means 1.
	Instances func() int

	// Logger receives one record per mode change; nil means no logging.
	Logger *slog.Logger
}

// Defaults of [SharedConfig].
const (
	DefaultSharedLease   = 20 * time.Millisecond
	DefaultSharedBacklog = time.Second
	DefaultSharedTimeout = 250 * time.Millisecond
)

// Shared is one instance's view of a rate budget shared by every
// instance through Redis, such as a carrier's TPS: however many gateway
// instances send to the carrier, together they take at most about Rate
// tokens a second.
//
// A round trip per token would cap the rate at the Redis latency and add
// it to every message, so tokens are taken in leases of k (see
// [SharedConfig.Lease]). Each lease is booked in a Redis GCRA bucket
// ([Redis.Allow] for k tokens, the bucket as deep as Backlog): the bucket
// answers with the lease's slot, max(TAT, now), and moves the TAT k/Rate
// later, so the leases of all instances follow each other k/Rate apart,
// in the order they were asked for. The instance waits for its slot and
// then adds the k tokens to a local pool that its callers spend without
// a round trip. One goroutine per budget books leases, one at a time,
// whenever the pool is down to half a lease and something is spending
// it: so busy instances each have one booking in the queue and share the
// Rate evenly, and an idle one books nothing.
//
// Overshoot: in any window of length W the leases whose slots fall in it
// hold at most Rate×W + k tokens, and each instance may also spend the
// up to 1.5k tokens its pool held at the start of the window. With N
// instances the platform sends at most Rate×W + (1.5N+1)k in the window:
// with the default Lease of 20 ms that is Rate plus 3% of Rate per
// instance (plus 2%) in any second.
//
// When Redis fails or does not answer within Timeout, the budget books
// its leases in process, at Rate/Instances(), and probes Redis every
// ProbeInterval while it books (on a goroutine of its own, so a slow
// Redis does not hold the in-process leases); the first answer switches
// it back. [Shared.Stats] tells the mode.
//
// Wait is safe to call from concurrently running goroutines and does not
// allocate while the pool holds tokens. Close stops the booking
// goroutine.
type Shared struct {
	redis  *Redis // nil: always the per-instance share
	cfg    SharedConfig
	logger *slog.Logger
	now    Clock

	// p is what the rate sets (SetRate replaces it while the budget runs).
	p atomic.Pointer[sharedParams]

	tokens atomic.Int64
	demand chan struct{} // cap 1: wakes the booker

	mu    sync.Mutex
	ready chan struct{} // closed when tokens are added; replaced then

	local     atomic.Bool  // booking in process (Redis failed)
	nextProbe int64        // booker only: when to ask Redis again
	localTAT  int64        // booker only: the in-process bucket's TAT
	fallbacks atomic.Int64 // switches to the per-instance share
	leases    atomic.Int64 // leases booked through Redis
	redisErrs atomic.Int64 // Redis round trips that failed
	probing   atomic.Bool  // a probe is running
	probes    sync.WaitGroup

	stop      chan struct{}
	done      chan struct{}
	closeOnce sync.Once
}

// NewShared returns a started budget booked in r (nil: always the
// per-instance share). Close it when done.
func NewShared(r *Redis, cfg SharedConfig) (*Shared, error) {
	if !(cfg.Rate > 0 && cfg.Rate <= MaxRate) {
		return nil, fmt.Errorf("%w: %v tokens/s", ErrInvalidRate, cfg.Rate)
	}
	if cfg.Lease < 0 || cfg.Backlog < 0 || cfg.Timeout < 0 || cfg.ProbeInterval < 0 {
		return nil, errors.New("throttle: shared budget durations must not be negative")
	}
	if r != nil && !honoursContext(r.client) {
		return nil, errors.New("throttle: shared budget needs a redis client with ContextTimeoutEnabled, or its timeout is not enforced")
	}
	if cfg.Lease == 0 {
		cfg.Lease = DefaultSharedLease
	}
	if cfg.Backlog == 0 {
		cfg.Backlog = DefaultSharedBacklog
	}
	if cfg.Timeout == 0 {
		cfg.Timeout = DefaultSharedTimeout
	}
	if cfg.ProbeInterval == 0 {
		cfg.ProbeInterval = DefaultProbeInterval
	}
	logger := cfg.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	s := &Shared{
		redis: r, cfg: cfg, logger: logger, now: MonotonicClock(),
		demand: make(chan struct{}, 1),
		ready:  make(chan struct{}),
		stop:   make(chan struct{}),
		done:   make(chan struct{}),
	}
	s.p.Store(newSharedParams(cfg.Rate, cfg))
	if r == nil {
		s.local.Store(true)
	}
	go s.run()
	return s, nil
}

// sharedParams is what a budget's rate sets.
type sharedParams struct {
	rate     float64
	k        int   // tokens per lease
	low      int64 // book when the pool is at or below this
	burst    int   // the Redis bucket's depth: Backlog of rate, at least k
	interval int64 // ns per token at rate
}

func newSharedParams(rate float64, cfg SharedConfig) *sharedParams {
	k := max(int(math.Ceil(rate*cfg.Lease.Seconds())), 1)
	return &sharedParams{rate: rate, k: k, low: int64(k / 2),
		burst:    max(int(math.Ceil(rate*cfg.Backlog.Seconds())), 2*k),
		interval: max(int64(math.Round(1e9/rate)), 1)}
}

// SetRate changes the budget's rate while it runs (a carrier's TPS
// changed through the API): the next lease is booked at it. Every
// instance sharing the budget should get the same rate, as each does
// within its configuration poll.
func (s *Shared) SetRate(rate float64) error {
	if !(rate > 0 && rate <= MaxRate) {
		return fmt.Errorf("%w: %v tokens/s", ErrInvalidRate, rate)
	}
	s.p.Store(newSharedParams(rate, s.cfg))
	return nil
}

// Rate returns the budget's rate.
func (s *Shared) Rate() float64 { return s.p.Load().rate }

// LeaseSize returns the number of tokens one booking takes.
func (s *Shared) LeaseSize() int { return s.p.Load().k }

// Wait takes one token, waiting for a lease when the pool is empty. It
// returns ctx.Err() when ctx ends first and [ErrClosed] once the budget
// is closed.
func (s *Shared) Wait(ctx context.Context) error {
	for {
		if s.take() {
			return nil
		}
		s.mu.Lock()
		ready := s.ready
		s.mu.Unlock()
		if s.take() { // tokens added before ready was read
			return nil
		}
		s.wake()
		select {
		case <-ready:
		case <-ctx.Done():
			return ctx.Err()
		case <-s.stop:
			return ErrClosed
		}
	}
}

// take spends one token of the pool if it has one, and wakes the booker
// when the pool is down to half a lease.
func (s *Shared) take() bool {
	for {
		v := s.tokens.Load()
		if v <= 0 {
			return false
		}
		if s.tokens.CompareAndSwap(v, v-1) {
			if v-1 <= s.p.Load().low {
				s.wake()
			}
			return true
		}
	}
}

// wake tells the booker that the pool is low, without blocking.
func (s *Shared) wake() {
	select {
	case s.demand <- struct{}{}:
	default:
	}
}

// run is the booking goroutine: while the pool is low and in demand it
// books one lease at a time, waits for its slot and fills the pool.
func (s *Shared) run() {
	defer close(s.done)
	t := time.NewTimer(time.Hour)
	t.Stop()
	defer t.Stop()
	for {
		select {
		case <-s.demand:
		case <-s.stop:
			return
		}
		for s.tokens.Load() <= s.p.Load().low {
			wait, k, ok := s.book()
			if !ok { // the backlog is full: ask again when it has room
				if !s.sleep(t, wait) {
					return
				}
				continue
			}
			if wait > 0 && !s.sleep(t, wait) {
				return
			}
			s.tokens.Add(int64(k))
			s.mu.Lock()
			close(s.ready)
			s.ready = make(chan struct{})
			s.mu.Unlock()
		}
	}
}

// sleep waits d on t, or returns false when the budget is closed.
func (s *Shared) sleep(t *time.Timer, d time.Duration) bool {
	t.Reset(d)
	select {
	case <-t.C:
		return true
	case <-s.stop:
		t.Stop()
		return false
	}
}

// book books the next lease and returns how long until its slot and
// its tokens; ok false means no lease was booked and the booker asks
// again after wait.
func (s *Shared) book() (wait time.Duration, k int, ok bool) {
	p := s.p.Load()
	now := s.now()
	if s.redis != nil && s.local.Load() && now >= s.nextProbe && s.probing.CompareAndSwap(false, true) {
		// Probe on the side: a slow or failing Redis must not hold the
		// in-process leases that keep this instance sending meanwhile.
		s.nextProbe = now + int64(s.cfg.ProbeInterval)
		s.probes.Go(s.probe)
	}
	if s.redis != nil && !s.local.Load() {
		ctx, cancel := context.WithTimeout(context.Background(), s.cfg.Timeout)
		res, err := s.redis.Allow(ctx, s.cfg.Key, p.rate, p.burst, p.k)
		cancel()
		if err == nil {
			if !res.Allowed {
				return max(res.RetryAfter, time.Millisecond), 0, false
			}
			s.leases.Add(1)
			// ResetAfter is the bucket's debt after this lease; the slot
			// is where the debt before it ended.
			return max(res.ResetAfter-time.Duration(int64(p.k)*p.interval), 0), p.k, true
		}
		s.redisErrs.Add(1)
		s.nextProbe = s.now() + int64(s.cfg.ProbeInterval)
		if !s.local.Swap(true) {
			s.fallbacks.Add(1)
			s.localTAT = 0
			s.logger.Warn("carrier budget: redis failed; sending at this instance's share",
				"key", s.cfg.Key, "instances", s.instances(), "err", err, "probe_interval", s.cfg.ProbeInterval)
		}
		now = s.now()
	}
	// In process, at this instance's share of the rate.
	interval := p.interval * int64(s.instances())
	slot := max(s.localTAT, now)
	s.localTAT = slot + int64(p.k)*interval
	return time.Duration(slot - now), p.k, true
}

// probe asks Redis for the budget's state (taking nothing) and switches
// the budget back to Redis when it answers.
func (s *Shared) probe() {
	defer s.probing.Store(false)
	ctx, cancel := context.WithTimeout(context.Background(), s.cfg.Timeout)
	p := s.p.Load()
	_, err := s.redis.Allow(ctx, s.cfg.Key, p.rate, p.burst, 0)
	cancel()
	if err != nil {
		s.redisErrs.Add(1)
		return
	}
	if s.local.Swap(false) {
		s.logger.Info("carrier budget shared through redis again", "key", s.cfg.Key)
	}
}

// instances is the number of instances sharing the budget, at least 1.
func (s *Shared) instances() int {
	if s.cfg.Instances == nil {
		return 1
	}
	return max(s.cfg.Instances(), 1)
}

// SharedStats describes a [Shared] budget, for metrics.
type SharedStats struct {
	Local       bool  // leases are booked in process, at the per-instance share
	Fallbacks   int64 // switches from Redis to the per-instance share
	Leases      int64 // leases booked through Redis
	RedisErrors int64 // Redis round trips that failed or timed out
	Tokens      int64 // tokens in the pool now
}

// Stats returns the budget's mode and counters.
func (s *Shared) Stats() SharedStats {
	return SharedStats{
		Local:       s.local.Load(),
		Fallbacks:   s.fallbacks.Load(),
		Leases:      s.leases.Load(),
		RedisErrors: s.redisErrs.Load(),
		Tokens:      s.tokens.Load(),
	}
}

// Close stops the booking goroutine and waits for it; Waits in progress
// and later return [ErrClosed]. Close is idempotent.
func (s *Shared) Close() {
	s.closeOnce.Do(func() { close(s.stop) })
	<-s.done
	s.probes.Wait()
}
