package throttle

import (
	"fmt"
	"hash/maphash"
	"strings"
	"sync"
)

// KeyedConfig configures a [Keyed] limiter. [DefaultKeyedConfig] gives the
// defaults; zero fields take them too.
type KeyedConfig struct {
	// Rate and Burst are the default limit used by [Keyed.Allow] and
	// [Keyed.AllowN]. Both zero means no default limit: Allow and AllowN
	// deny everything and callers pass limits to [Keyed.Take].
	Rate  float64
	Burst int

	// Shards is the number of independently locked parts of the key space,
	// a power of two. Default 256: with 2 cores contention is already rare
	// at 64; 256 keeps a [Keyed.Sweep] of one shard (it holds that shard's
	// lock) to about MaxKeys/256 = 1,024 entries, some tens of
	// microseconds.
	Shards int

	// MaxKeys bounds the number of keys held (rounded up to a multiple of
	// Shards). Default 262,144: an entry costs about 50 bytes plus its key,
	// so the default bound is some 20 MiB, well inside the gateway's memory
	// budget, and far above the keys active within one refill period.
	MaxKeys int

	// Now is the clock; nil means [MonotonicClock].
	Now Clock
}

// Defaults of [KeyedConfig].
const (
	DefaultShards  = 256
	DefaultMaxKeys = 1 << 18
)

// DefaultKeyedConfig returns a configuration with the default limit
// rate/burst and the default shards and bound.
func DefaultKeyedConfig(rate float64, burst int) KeyedConfig {
	return KeyedConfig{Rate: rate, Burst: burst, Shards: DefaultShards, MaxKeys: DefaultMaxKeys}
}

// Validate reports the first invalid field of c; zero fields are valid
// (they take defaults).
func (c KeyedConfig) Validate() error {
	if c.Rate != 0 || c.Burst != 0 {
		if _, err := newLimit(c.Rate, c.Burst); err != nil {
			return fmt.Errorf("keyed default limit: %w", err)
		}
	}
	if c.Shards < 0 || c.Shards&(c.Shards-1) != 0 {
		return fmt.Errorf("throttle: keyed shards %d is not a power of two", c.Shards)
	}
	if c.MaxKeys < 0 {
		return fmt.Errorf("throttle: keyed max keys %d is negative", c.MaxKeys)
	}
	return nil
}

// Keyed holds one token bucket per key: per account, per API key, per IP
// address. The key space is split into shards, each a map from key to TAT
// under its own mutex, so goroutines working on different keys rarely meet.
//
// A key whose bucket is full (TAT not after now) holds no information: it
// behaves exactly like a key never seen. [Keyed.Sweep], driven by the
// caller (a ticker in the owning service), deletes such keys, so memory
// follows the keys active within one refill period. The number of keys is
// bounded by MaxKeys: a new key arriving at a full shard evicts a full
// bucket among eight sampled entries if there is one, else the sampled
// bucket closest to full. An evicted key that comes back starts with a full
// bucket, so under key-space floods the limiter fails open for the evicted
// keys rather than refusing new ones; [Keyed.Stats] counts such evictions.
//
// It is safe to call every method from concurrently running goroutines.
type Keyed struct {
	now      Clock
	def      limit
	hasDef   bool
	seed     maphash.Seed
	mask     uint64
	perShard int
	shards   []shard
}

// shard is one lock and its part of the keys, padded to 128 bytes so that
// the hot fields of neighbouring shards never share a 64-byte cache line
// (nor an adjacent-line prefetch pair) whatever the slice's alignment.
type shard struct {
	mu      sync.Mutex
	tats    map[string]int64 // guarded by mu; key → TAT on the Keyed's clock
	evicted uint64           // guarded by mu; live buckets dropped for room
	_       [104]byte
}

// evictSample is the number of entries inspected to choose a victim when a
// shard is full: enough to find an idle entry when a fair share are idle,
// small enough to keep an insertion O(1).
const evictSample = 8

// NewKeyed returns an empty limiter configured by cfg.
func NewKeyed(cfg KeyedConfig) (*Keyed, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if cfg.Shards == 0 {
		cfg.Shards = DefaultShards
	}
	if cfg.MaxKeys == 0 {
		cfg.MaxKeys = DefaultMaxKeys
	}
	if cfg.Now == nil {
		cfg.Now = MonotonicClock()
	}
	k := &Keyed{
		now:      cfg.Now,
		seed:     maphash.MakeSeed(),
		mask:     uint64(cfg.Shards - 1),
		perShard: (cfg.MaxKeys + cfg.Shards - 1) / cfg.Shards,
		shards:   make([]shard, cfg.Shards),
	}
	if cfg.Rate != 0 || cfg.Burst != 0 {
		k.def, _ = newLimit(cfg.Rate, cfg.Burst) // validated above
		k.hasDef = true
	}
	for i := range k.shards {
		k.shards[i].tats = make(map[string]int64)
	}
	return k, nil
}

// Allow takes one token from key's bucket under the default limit and
// reports whether it did.
func (k *Keyed) Allow(key string) bool {
	return k.AllowN(key, 1)
}

// AllowN takes n tokens from key's bucket under the default limit if that
// many are available and reports whether it did. It is false for a negative
// n, an n above the default burst, or when there is no default limit.
func (k *Keyed) AllowN(key string, n int) bool {
	if !k.hasDef || n < 0 || n > k.def.burst {
		return false
	}
	now := k.now()
	s := k.shardOf(key)
	s.mu.Lock()
	tat, found := s.tats[key]
	if !found {
		tat = now // absent is full
	}
	next, ok := k.def.admit(tat, now, n)
	if ok {
		s.storeLocked(key, found, next, now, k.perShard)
	}
	s.mu.Unlock()
	return ok
}

// Take takes n tokens from key's bucket under the limit rate/burst given
// with the call, and returns the full answer (remaining tokens, retry and
// reset times). A key's TAT is shared by every limit it is used with, so a
// key should always be used with the same limit; changing it converts
// nothing (unlike [TokenBucket.SetLimit]). n = 0 takes nothing and reports
// the bucket's state. It returns an error only for invalid arguments.
func (k *Keyed) Take(key string, rate float64, burst, n int) (Result, error) {
	l, err := newLimit(rate, burst)
	if err != nil {
		return Result{}, err
	}
	if err := l.checkCount(n); err != nil {
		return Result{}, err
	}
	return k.take(&l, key, n), nil
}

// shardOf returns the shard holding key.
func (k *Keyed) shardOf(key string) *shard {
	return &k.shards[maphash.String(k.seed, key)&k.mask]
}

// take applies l to key's bucket and returns the full answer.
func (k *Keyed) take(l *limit, key string, n int) Result {
	now := k.now()
	s := k.shardOf(key)
	s.mu.Lock()
	tat, found := s.tats[key]
	if !found {
		tat = now // absent is full
	}
	next, r := l.decide(tat, now, n)
	if next != tat {
		s.storeLocked(key, found, next, now, k.perShard)
	}
	s.mu.Unlock()
	r.Source = SourceLocal
	return r
}

// storeLocked sets key's TAT, making room first for a new key in a full
// shard; s.mu must be held.
func (s *shard) storeLocked(key string, found bool, tat, now int64, limit int) {
	if found {
		s.tats[key] = tat
		return
	}
	if len(s.tats) >= limit {
		s.evictLocked(now)
	}
	// Keep a copy: callers may pass views of reused buffers.
	s.tats[strings.Clone(key)] = tat
}

// evictLocked drops one entry to make room; s.mu must be held.
func (s *shard) evictLocked(now int64) {
	var victim string
	var oldest int64
	seen := 0
	for key, tat := range s.tats { // map iteration starts at a random entry
		if tat <= now {
			victim, oldest = key, tat
			break
		}
		if seen == 0 || tat < oldest {
			victim, oldest = key, tat
		}
		if seen++; seen == evictSample {
			break
		}
	}
	if oldest > now {
		s.evicted++
	}
	delete(s.tats, victim)
}

// Now returns the limiter's clock reading, the time base for [Keyed.Sweep].
func (k *Keyed) Now() int64 {
	return k.now()
}

// Sweep deletes every key whose bucket is full at now (a reading of
// [Keyed.Now]) and returns how many it deleted. It locks one shard at a
// time. Call it periodically, about once per refill period of the slowest
// limit in use; no goroutine does it for you.
func (k *Keyed) Sweep(now int64) int {
	deleted := 0
	for i := range k.shards {
		s := &k.shards[i]
		s.mu.Lock()
		for key, tat := range s.tats {
			if tat <= now {
				delete(s.tats, key)
				deleted++
			}
		}
		s.mu.Unlock()
	}
	return deleted
}

// KeyedStats describes a [Keyed] limiter, for metrics.
type KeyedStats struct {
	Keys    int    // keys held
	Evicted uint64 // keys dropped to make room while their bucket was not full
}

// Stats returns the number of keys held and the evictions so far.
func (k *Keyed) Stats() KeyedStats {
	var st KeyedStats
	for i := range k.shards {
		s := &k.shards[i]
		s.mu.Lock()
		st.Keys += len(s.tats)
		st.Evicted += s.evicted
		s.mu.Unlock()
	}
	return st
}
