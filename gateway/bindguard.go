package gateway

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"
)

// BindGuardConfig tunes the failed-bind limiter, which refuses binds
// with ESME_RBINDFAIL, without checking the password (bcrypt, tens of
// milliseconds of CPU each), from a client that keeps failing.
//
// Failures are counted per client address (smpp.ClientKey: an IPv4
// address or an IPv6 /64) and per system_id. MaxFailuresPerAddress
// failures from one address block the address: for Block, then twice as
// long after each further failure, up to MaxBlock. Attempts while
// blocked are refused without being counted, so a client that fixes its
// password binds as soon as its block ends.
//
// A system_id under attack from many addresses must not lock its owner
// out, so per system_id nothing is blocked outright: once
// MaxFailuresPerSystemID failures against it have come (from any
// address), every further failure blocks the address it came from, for
// that system_id only, for a period that doubles with the system_id's
// count. An address that has not failed for it (its owner's, usually)
// binds as before, while each guessing address gets one guess per
// growing period.
//
// Counts are forgotten after Window without a new failure (plus the
// block in force). Zero fields take the defaults below.
type BindGuardConfig struct {
	// MaxFailuresPerAddress is the failures from one address before it
	// is blocked. Default 5; negative turns per-address blocking off.
	MaxFailuresPerAddress int
	// MaxFailuresPerSystemID is the failures against one system_id, from
	// any addresses, after which each failing address is blocked from
	// it. Default 20: four times the per-address figure, so one
	// misconfigured client of a customer does not reach it alone, while a
	// guesser from many addresses soon does. Negative turns it off.
	MaxFailuresPerSystemID int
	// Block is the first block, doubled by each further failure up to
	// MaxBlock. Defaults 1 s and 15 min: the first blocks cost a client
	// that mistyped little, and past ten doublings a guesser gets about
	// four tries an hour per address.
	Block, MaxBlock time.Duration
	// Window is how long failures are remembered after the last one (and
	// the block it started). Default 15 min.
	Window time.Duration
	// RedisTimeout bounds each Redis round trip; after a failure the
	// limiter answers from process memory and tries Redis again after
	// RedisProbe. Defaults 50 ms and 1 s.
	RedisTimeout, RedisProbe time.Duration
}

// Defaults of BindGuardConfig.
const (
	DefaultMaxBindFailuresPerAddress  = 5
	DefaultMaxBindFailuresPerSystemID = 20
	DefaultBindBlock                  = time.Second
	DefaultMaxBindBlock               = 15 * time.Minute
	DefaultBindFailureWindow          = 15 * time.Minute
)

// maxGuardEntries bounds the limiter's memory in process: about 100
// bytes an entry, so 10 MB. Beyond it an arbitrary entry is forgotten
// for each new one (an attack from more addresses than this loses some
// of its blocks rather than growing memory).
const maxGuardEntries = 100_000

func (c BindGuardConfig) withDefaults() BindGuardConfig {
	if c.MaxFailuresPerAddress == 0 {
		c.MaxFailuresPerAddress = DefaultMaxBindFailuresPerAddress
	}
	if c.MaxFailuresPerSystemID == 0 {
		c.MaxFailuresPerSystemID = DefaultMaxBindFailuresPerSystemID
	}
	if c.Block <= 0 {
		c.Block = DefaultBindBlock
	}
	if c.MaxBlock <= 0 {
		c.MaxBlock = DefaultMaxBindBlock
	}
	c.MaxBlock = max(c.MaxBlock, c.Block)
	if c.Window <= 0 {
		c.Window = DefaultBindFailureWindow
	}
	if c.RedisTimeout <= 0 {
		c.RedisTimeout = 50 * time.Millisecond
	}
	if c.RedisProbe <= 0 {
		c.RedisProbe = time.Second
	}
	return c
}

// Validate reports a negative duration.
func (c BindGuardConfig) Validate() error {
	if c.Block < 0 || c.MaxBlock < 0 || c.Window < 0 || c.RedisTimeout < 0 || c.RedisProbe < 0 {
		return errors.New("gateway: bind guard durations must not be negative")
	}
	return nil
}

// backoff is the block after the k-th failure past a threshold (k from
// 0): Block doubled k times, at most MaxBlock.
func (c *BindGuardConfig) backoff(k int) time.Duration {
	if k >= 40 || c.Block<<k > c.MaxBlock || c.Block<<k <= 0 {
		return c.MaxBlock
	}
	return c.Block << k
}

// bindGuard is the failed-bind limiter (see BindGuardConfig). It keeps
// its counts in process and, with Redis, in Redis too, so that every
// instance sees every failure: a bind is refused when either says its
// address is blocked. While Redis fails it answers from process memory
// alone (per instance), probing Redis again every RedisProbe.
//
// Its methods are safe for concurrent use.
type bindGuard struct {
	cfg    BindGuardConfig
	local  *guardTable
	redis  redis.UniversalClient // nil: in process only
	prefix string
	log    *slog.Logger
	errs   func() // counts a Redis failure (metric)

	// openUntil is 0 while Redis answers; otherwise the clock reading
	// after which one call probes it.
	openUntil atomic.Int64
	// clock reads monotonic nanoseconds (since the guard was made);
	// tests replace it before use.
	clock func() int64
}

// guardScript counts one failure and blocks when the count reaches the
// threshold: KEYS[1] is the counter, KEYS[2] the block key; ARGV are the
// threshold, the first block and the longest, and the window, in
// milliseconds. The block doubles with each failure past the threshold.
// Both keys expire by themselves (PX), so no clock is read and instances
// need not agree on the time. It returns {count, block in ms}.
var guardScript = redis.NewScript(`
local n = redis.call('INCR', KEYS[1])
local threshold = tonumber(ARGV[1])
local first, cap, window = tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
local block = 0
if threshold > 0 and n >= threshold then
	local k = n - threshold
	if k >= 40 then
		block = cap
	else
		block = math.min(first * 2 ^ k, cap)
	end
	local left = redis.call('PTTL', KEYS[2])
	if left < block then
		redis.call('SET', KEYS[2], '1', 'PX', block)
	end
end
redis.call('PEXPIRE', KEYS[1], window + block)
return {n, block}
`)

// newBindGuard returns a limiter; client may be nil (in process only),
// else it should have ContextTimeoutEnabled so RedisTimeout holds.
func newBindGuard(cfg BindGuardConfig, client redis.UniversalClient, prefix string, logger *slog.Logger, onRedisError func()) *bindGuard {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	if onRedisError == nil {
		onRedisError = func() {}
	}
	start := time.Now()
	g := &bindGuard{cfg: cfg.withDefaults(), redis: client, prefix: prefix, log: logger, errs: onRedisError,
		clock: func() int64 { return int64(time.Since(start)) }}
	g.local = newGuardTable(maxGuardEntries, g.now)
	return g
}

func (g *bindGuard) now() int64 { return g.clock() }

// The keys of one address and one system_id: the address's counter and
// block, the system_id's counter, and the block of the address for that
// system_id. Redis keys carry hash tags so each script's two keys share a
// cluster slot.
func addrKeys(addr string) (count, block string) {
	return "{a:" + addr + "}:n", "{a:" + addr + "}:b"
}

func systemKeys(addr, systemID string) (count, block string) {
	tag := "{s:" + strconv.Quote(systemID) + "}"
	return tag + ":n", tag + ":b:" + addr
}

// blocked reports whether a bind of systemID from addr (a ClientKey) is
// to be refused unchecked.
func (g *bindGuard) blocked(ctx context.Context, addr, systemID string) bool {
	_, ab := addrKeys(addr)
	_, sb := systemKeys(addr, systemID)
	if g.local.blocked(ab) || g.local.blocked(sb) {
		return true
	}
	if !g.useRedis() {
		return false
	}
	rctx, cancel := context.WithTimeout(ctx, g.cfg.RedisTimeout)
	defer cancel()
	var a, s *redis.IntCmd
	_, err := g.redis.Pipelined(rctx, func(p redis.Pipeliner) error {
		a = p.Exists(rctx, g.prefix+ab)
		s = p.Exists(rctx, g.prefix+sb)
		return nil
	})
	if err != nil {
		g.redisFailed(ctx, err)
		return false
	}
	g.redisAnswered()
	return a.Val() > 0 || s.Val() > 0
}

// failed counts a failed bind of systemID from addr and returns the
// longest block it started (0 for none).
func (g *bindGuard) failed(ctx context.Context, addr, systemID string) time.Duration {
	an, ab := addrKeys(addr)
	sn, sb := systemKeys(addr, systemID)
	block := g.local.fail(an, ab, g.cfg.MaxFailuresPerAddress, &g.cfg)
	block = max(block, g.local.fail(sn, sb, g.cfg.MaxFailuresPerSystemID, &g.cfg))
	if !g.useRedis() {
		return block
	}
	for _, k := range [][3]string{{an, ab, strconv.Itoa(g.cfg.MaxFailuresPerAddress)}, {sn, sb, strconv.Itoa(g.cfg.MaxFailuresPerSystemID)}} {
		rb, err := g.redisFail(ctx, k[0], k[1], k[2])
		if err != nil {
			g.redisFailed(ctx, err)
			return block
		}
		block = max(block, rb)
	}
	g.redisAnswered()
	return block
}

// redisFail runs guardScript on one counter and block key.
func (g *bindGuard) redisFail(ctx context.Context, count, block, threshold string) (time.Duration, error) {
	rctx, cancel := context.WithTimeout(ctx, g.cfg.RedisTimeout)
	defer cancel()
	res, err := guardScript.Run(rctx, g.redis, []string{g.prefix + count, g.prefix + block}, threshold,
		g.cfg.Block.Milliseconds(), g.cfg.MaxBlock.Milliseconds(), g.cfg.Window.Milliseconds()).Int64Slice()
	if err != nil {
		return 0, fmt.Errorf("gateway: bind guard redis: %w", err)
	}
	if len(res) != 2 {
		return 0, fmt.Errorf("gateway: bind guard redis: reply %v", res)
	}
	return time.Duration(res[1]) * time.Millisecond, nil
}

// useRedis reports whether to ask Redis: it is configured and answered
// last time, or this call is the one probe after RedisProbe.
func (g *bindGuard) useRedis() bool {
	if g.redis == nil {
		return false
	}
	open := g.openUntil.Load()
	if open == 0 {
		return true
	}
	now := g.now()
	return now >= open && g.openUntil.CompareAndSwap(open, max(now+int64(g.cfg.RedisProbe), 1))
}

// redisFailed opens the circuit after a Redis failure, unless the
// caller's own context ended (not Redis's fault).
func (g *bindGuard) redisFailed(ctx context.Context, err error) {
	if ctx.Err() != nil {
		return
	}
	g.errs()
	if g.openUntil.Swap(max(g.now()+int64(g.cfg.RedisProbe), 1)) == 0 {
		g.log.Warn("bind guard: redis failed; counting failed binds in process only", "err", err,
			"probe_interval", g.cfg.RedisProbe)
	}
}

// redisAnswered closes the circuit.
func (g *bindGuard) redisAnswered() {
	if g.openUntil.Load() != 0 && g.openUntil.Swap(0) != 0 {
		g.log.Info("bind guard: redis answering again; failed binds shared again")
	}
}

// sweep forgets what has expired in process.
func (g *bindGuard) sweep() { g.local.sweep() }

// guardTable is the limiter's state in process: counters and blocks by
// key, each with its expiry, as the Redis keys are.
type guardTable struct {
	mu  sync.Mutex
	m   map[string]*guardEntry
	max int
	now func() int64
}

// guardEntry is a counter or a block (or both); times are readings of
// guardTable.now.
type guardEntry struct {
	n            int
	forgetAt     int64 // the counter resets after this
	blockedUntil int64
}

func newGuardTable(maxEntries int, now func() int64) *guardTable {
	return &guardTable{m: make(map[string]*guardEntry), max: maxEntries, now: now}
}

func (t *guardTable) blocked(key string) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	e := t.m[key]
	return e != nil && t.now() < e.blockedUntil
}

// fail counts a failure under count and, at threshold or beyond, blocks
// block; it returns the block started (0 for none).
func (t *guardTable) fail(count, block string, threshold int, cfg *BindGuardConfig) time.Duration {
	t.mu.Lock()
	defer t.mu.Unlock()
	now := t.now()
	c := t.entryLocked(count, now)
	if now >= c.forgetAt {
		c.n = 0
	}
	c.n++
	var d time.Duration
	if threshold > 0 && c.n >= threshold {
		d = cfg.backoff(c.n - threshold)
		b := t.entryLocked(block, now)
		b.blockedUntil = max(b.blockedUntil, now+int64(d))
	}
	c.forgetAt = now + int64(cfg.Window+d)
	return d
}

// entryLocked returns key's entry, making room for a new one if need be.
func (t *guardTable) entryLocked(key string, now int64) *guardEntry {
	if e := t.m[key]; e != nil {
		return e
	}
	if len(t.m) >= t.max {
		t.evictLocked(now)
	}
	e := &guardEntry{}
	t.m[key] = e
	return e
}

// evictLocked forgets an expired entry among the first few a map walk
// gives, or else the first of them.
func (t *guardTable) evictLocked(now int64) {
	var victim string
	i := 0
	for k, e := range t.m {
		if victim == "" {
			victim = k
		}
		if now >= e.forgetAt && now >= e.blockedUntil {
			victim = k
			break
		}
		if i++; i == 64 {
			break
		}
	}
	delete(t.m, victim)
}

// sweep forgets every expired entry.
func (t *guardTable) sweep() {
	t.mu.Lock()
	defer t.mu.Unlock()
	now := t.now()
	for k, e := range t.m {
		if now >= e.forgetAt && now >= e.blockedUntil {
			delete(t.m, k)
		}
	}
}

// len returns the number of entries.
func (t *guardTable) len() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return len(t.m)
}
