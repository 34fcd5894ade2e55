package throttle

import (
	"errors"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"
	"unsafe"
)

func newTestKeyed(t *testing.T, cfg KeyedConfig) (*Keyed, *fakeClock) {
	t.Helper()
	clk := &fakeClock{}
	cfg.Now = clk.Now
	k, err := NewKeyed(cfg)
	if err != nil {
		t.Fatalf("NewKeyed: %v", err)
	}
	return k, clk
}

func TestShardIsPaddedToTwoCacheLines(t *testing.T) {
	if size := unsafe.Sizeof(shard{}); size != 128 {
		t.Fatalf("shard is %d bytes, want 128", size)
	}
}

func TestKeyedKeysAreIndependent(t *testing.T) {
	k, clk := newTestKeyed(t, KeyedConfig{Rate: 10, Burst: 2})
	for i, want := range []bool{true, true, false} {
		if got := k.Allow("acct-1"); got != want {
			t.Fatalf("acct-1 call %d: Allow = %v, want %v", i, got, want)
		}
	}
	if !k.Allow("acct-2") || !k.AllowN("acct-2", 1) || k.Allow("acct-2") {
		t.Fatal("acct-2 did not get its own burst of 2")
	}
	clk.Advance(100 * time.Millisecond)
	if !k.Allow("acct-1") || k.Allow("acct-1") {
		t.Fatal("acct-1 did not refill one token in 100 ms")
	}
	if k.AllowN("acct-3", 3) || k.AllowN("acct-3", -1) || !k.AllowN("acct-3", 2) {
		t.Fatal("AllowN bounds wrong")
	}
}

func TestKeyedWithoutDefaultLimitDenies(t *testing.T) {
	k, _ := newTestKeyed(t, KeyedConfig{})
	if k.Allow("x") || k.AllowN("x", 0) {
		t.Fatal("Allow without a default limit admitted")
	}
	if r, err := k.Take("x", 1, 1, 1); err != nil || !r.Allowed {
		t.Fatalf("Take = %+v, %v; want allowed", r, err)
	}
}

func TestKeyedTakeResults(t *testing.T) {
	k, clk := newTestKeyed(t, KeyedConfig{})
	const rate, burst = 10, 5
	ms := time.Millisecond
	steps := []struct {
		advance time.Duration
		n       int
		want    Result
	}{
		{0, 0, Result{Allowed: true, Remaining: 5, Source: SourceLocal}},
		{0, 1, Result{Allowed: true, Remaining: 4, ResetAfter: 100 * ms, Source: SourceLocal}},
		{0, 4, Result{Allowed: true, Remaining: 0, ResetAfter: 500 * ms, Source: SourceLocal}},
		{0, 1, Result{Remaining: 0, RetryAfter: 100 * ms, ResetAfter: 500 * ms, Source: SourceLocal}},
		{100 * ms, 2, Result{Remaining: 1, RetryAfter: 100 * ms, ResetAfter: 400 * ms, Source: SourceLocal}},
		{0, 1, Result{Allowed: true, Remaining: 0, ResetAfter: 500 * ms, Source: SourceLocal}},
		{50 * ms, 0, Result{Allowed: true, Remaining: 0, ResetAfter: 450 * ms, Source: SourceLocal}},
	}
	for i, s := range steps {
		clk.Advance(s.advance)
		got, err := k.Take("key", rate, burst, s.n)
		if err != nil || got != s.want {
			t.Fatalf("step %d: Take(n=%d) = %+v, %v; want %+v", i, s.n, got, err, s.want)
		}
	}
}

func TestKeyedTakeRejectsBadArguments(t *testing.T) {
	k, _ := newTestKeyed(t, KeyedConfig{})
	tests := []struct {
		name     string
		rate     float64
		burst, n int
		want     error
	}{
		{"zero rate", 0, 1, 1, ErrInvalidRate},
		{"zero burst", 1, 0, 1, ErrInvalidBurst},
		{"negative n", 1, 1, -1, ErrInvalidCount},
		{"n above burst", 1, 1, 2, ErrExceedsBurst},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := k.Take("k", tt.rate, tt.burst, tt.n); !errors.Is(err, tt.want) {
				t.Fatalf("Take error = %v, want %v", err, tt.want)
			}
		})
	}
	if st := k.Stats(); st.Keys != 0 {
		t.Fatalf("rejected calls stored %d keys", st.Keys)
	}
}

func TestKeyedConfigValidate(t *testing.T) {
	bad := []KeyedConfig{
		{Rate: 1},            // burst missing
		{Burst: 1},           // rate missing
		{Rate: -1, Burst: 1}, // bad rate
		{Shards: 3},
		{Shards: -4},
		{MaxKeys: -1},
	}
	for _, cfg := range bad {
		if err := cfg.Validate(); err == nil {
			t.Fatalf("Validate(%+v) = nil, want an error", cfg)
		}
		if _, err := NewKeyed(cfg); err == nil {
			t.Fatalf("NewKeyed(%+v) accepted", cfg)
		}
	}
	if err := DefaultKeyedConfig(10, 20).Validate(); err != nil {
		t.Fatalf("default config invalid: %v", err)
	}
}

func TestKeyedSweepDeletesFullBuckets(t *testing.T) {
	k, clk := newTestKeyed(t, KeyedConfig{Rate: 10, Burst: 5, Shards: 4})
	for i := range 100 {
		key := "ip-" + strconv.Itoa(i)
		n := 1 + i%2 // odd keys take 2 tokens: 200 ms to refill
		if !k.AllowN(key, n) {
			t.Fatalf("first AllowN(%s, %d) denied", key, n)
		}
	}
	if got := k.Sweep(k.Now()); got != 0 {
		t.Fatalf("Sweep deleted %d keys with refilling buckets", got)
	}
	clk.Advance(100 * time.Millisecond)
	if got := k.Sweep(k.Now()); got != 50 {
		t.Fatalf("Sweep after 100 ms deleted %d keys, want the 50 that took one token", got)
	}
	if st := k.Stats(); st.Keys != 50 {
		t.Fatalf("%d keys left, want 50", st.Keys)
	}
	clk.Advance(100 * time.Millisecond)
	if got := k.Sweep(k.Now()); got != 50 {
		t.Fatalf("Sweep after 200 ms deleted %d keys, want 50", got)
	}
	if st := k.Stats(); st.Keys != 0 || st.Evicted != 0 {
		t.Fatalf("Stats = %+v, want empty", st)
	}
	// A swept key starts full, exactly as if it had been kept.
	if !k.AllowN("ip-1", 5) {
		t.Fatal("swept key did not start with a full bucket")
	}
}

func TestKeyedBoundEvictsPreferringIdle(t *testing.T) {
	const maxKeys, shards = 64, 4
	k, clk := newTestKeyed(t, KeyedConfig{Rate: 1, Burst: 10, Shards: shards, MaxKeys: maxKeys})
	for i := range 1000 {
		k.Allow("flood-" + strconv.Itoa(i))
		if st := k.Stats(); st.Keys > maxKeys {
			t.Fatalf("after %d keys %d held, above the bound %d", i+1, st.Keys, maxKeys)
		}
	}
	st := k.Stats()
	if st.Keys != maxKeys || st.Evicted != 1000-maxKeys {
		t.Fatalf("Stats = %+v, want %d keys and %d live evictions", st, maxKeys, 1000-maxKeys)
	}
	// Once every bucket has refilled, making room costs no information: with
	// fewer than evictSample live keys in a shard, the sample always holds
	// an idle one.
	clk.Advance(time.Second)
	for i := range evictSample {
		k.Allow("new-" + strconv.Itoa(i))
	}
	if got := k.Stats(); got.Keys != maxKeys || got.Evicted != st.Evicted {
		t.Fatalf("Stats = %+v, want %d keys and still %d live evictions", got, maxKeys, st.Evicted)
	}
}

func TestKeyedCopiesKeys(t *testing.T) {
	k, _ := newTestKeyed(t, KeyedConfig{Rate: 1, Burst: 1})
	buf := []byte("key-a")
	key := unsafe.String(&buf[0], len(buf)) // a view of a reused buffer
	if !k.Allow(key) {
		t.Fatal("first Allow denied")
	}
	copy(buf, "key-b")
	if k.Allow("key-a") {
		t.Fatal("key-a lost its state when the caller's buffer changed")
	}
	if !k.Allow("key-b") {
		t.Fatal("key-b shares key-a's bucket")
	}
}

func TestKeyedConcurrentExactPerKey(t *testing.T) {
	const (
		burst   = 100
		keys    = 4
		workers = 8
		tries   = 200 // per worker per key: more than the burst
	)
	k, _ := newTestKeyed(t, KeyedConfig{Rate: 1, Burst: burst, Shards: 2})
	var taken [keys]atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for i := range tries * keys {
				if k.Allow("k" + strconv.Itoa(i%keys)) {
					taken[i%keys].Add(1)
				}
			}
		})
	}
	wg.Wait()
	for i := range taken {
		if got := taken[i].Load(); got != burst {
			t.Fatalf("key %d: %d tokens taken on a frozen clock, want exactly %d", i, got, burst)
		}
	}
}
