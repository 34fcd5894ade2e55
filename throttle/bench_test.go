package throttle

import (
	"context"
	"strconv"
	"testing"
	"time"
)

// Buckets in the benchmarks use the real clock. "admit" runs at 1e9 tokens/s
// so every call takes a token (the compare-and-swap path); "deny" runs dry
// (the load-and-compare path).

func BenchmarkTokenBucketAllow(b *testing.B) {
	for _, bc := range []struct {
		name  string
		rate  float64
		burst int
	}{{"admit", 1e9, 1 << 20}, {"deny", 1, 1}} {
		b.Run(bc.name, func(b *testing.B) {
			tb, err := NewTokenBucket(bc.rate, bc.burst, nil)
			if err != nil {
				b.Fatal(err)
			}
			tb.AllowN(bc.burst)
			b.ReportAllocs()
			for b.Loop() {
				tb.Allow()
			}
		})
	}
}

func BenchmarkTokenBucketAllowParallel(b *testing.B) {
	for _, bc := range []struct {
		name  string
		rate  float64
		burst int
	}{{"admit", 1e9, 1 << 20}, {"deny", 1, 1}} {
		b.Run(bc.name, func(b *testing.B) {
			tb, err := NewTokenBucket(bc.rate, bc.burst, nil)
			if err != nil {
				b.Fatal(err)
			}
			tb.AllowN(bc.burst)
			b.ReportAllocs()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					tb.Allow()
				}
			})
		})
	}
}

func BenchmarkTokenBucketWait(b *testing.B) {
	tb, err := NewTokenBucket(1e9, 1<<20, nil)
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if err := tb.Wait(ctx); err != nil {
			b.Fatal(err)
		}
	}
}

// benchKeys are 1,024 account-like keys.
func benchKeys() []string {
	keys := make([]string, 1024)
	for i := range keys {
		keys[i] = "acct-" + strconv.Itoa(i*7919)
	}
	return keys
}

func BenchmarkKeyedAllow(b *testing.B) {
	k, err := NewKeyed(DefaultKeyedConfig(1e6, 1<<20))
	if err != nil {
		b.Fatal(err)
	}
	keys := benchKeys()
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		k.Allow(keys[i&1023])
		i++
	}
}

func BenchmarkKeyedAllowParallel(b *testing.B) {
	k, err := NewKeyed(DefaultKeyedConfig(1e6, 1<<20))
	if err != nil {
		b.Fatal(err)
	}
	keys := benchKeys()
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		i := 0
		for pb.Next() {
			k.Allow(keys[i&1023])
			i++
		}
	})
}

func BenchmarkRedisAllow(b *testing.B) {
	c, prefix := newTestRedis(b)
	r := NewRedis(c, prefix)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := r.Allow(ctx, "bench", 1e6, 1<<20, 1); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkRedisAllowParallel(b *testing.B) {
	c, prefix := newTestRedis(b)
	r := NewRedis(c, prefix)
	ctx := context.Background()
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := r.Allow(ctx, "bench", 1e6, 1<<20, 1); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

// BenchmarkFallbackOpen is the cost of a request while Redis is down: the
// circuit check plus a local answer.
func BenchmarkFallbackOpen(b *testing.B) {
	c := newRedisClient(b, closedAddr(b))
	local, err := NewKeyed(KeyedConfig{})
	if err != nil {
		b.Fatal(err)
	}
	f, err := NewFallback(NewRedis(c, "x:"), local, FallbackConfig{ProbeInterval: time.Hour})
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	if res, err := f.Allow(ctx, "k", 1e6, 1<<20, 1); err != nil || res.Source != SourceLocal {
		b.Fatalf("first call = %+v, %v; want a local answer", res, err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := f.Allow(ctx, "k", 1e6, 1<<20, 1); err != nil {
			b.Fatal(err)
		}
	}
}
