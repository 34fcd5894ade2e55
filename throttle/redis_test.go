package throttle

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// testRedisAddr is the Redis the tests use: GALLANT_TEST_REDIS_ADDR, or the
// local server.
func testRedisAddr() string {
	if addr := os.Getenv("GALLANT_TEST_REDIS_ADDR"); addr != "" {
		return addr
	}
	return "127.0.0.1:6379"
}

// newRedisClient connects to addr, with no command retries so failures show
// at once, and with context deadlines enforced (as a Fallback requires); it
// is closed when the test ends.
func newRedisClient(t testing.TB, addr string) *redis.Client {
	t.Helper()
	c := redis.NewClient(&redis.Options{Addr: addr, MaxRetries: -1, DialerRetries: 1, ContextTimeoutEnabled: true})
	t.Cleanup(func() { _ = c.Close() })
	return c
}

// newTestRedis returns a client of the test Redis, failing the test if
// Redis does not answer, and a key prefix unique to the test whose keys are
// deleted when it ends.
func newTestRedis(t testing.TB) (*redis.Client, string) {
	t.Helper()
	c := newRedisClient(t, testRedisAddr())
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if err := c.Ping(ctx).Err(); err != nil {
		t.Fatalf("redis at %s (GALLANT_TEST_REDIS_ADDR) does not answer: %v", testRedisAddr(), err)
	}
	prefix := fmt.Sprintf("gallant:test:throttle:%s:%d:", t.Name(), time.Now().UnixNano())
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		var keys []string
		it := c.Scan(ctx, 0, prefix+"*", 100).Iterator()
		for it.Next(ctx) {
			keys = append(keys, it.Val())
		}
		err := it.Err()
		if err == nil && len(keys) > 0 {
			err = c.Del(ctx, keys...).Err()
		}
		if err != nil {
			t.Errorf("cleaning up %s*: %v", prefix, err)
		}
	})
	return c, prefix
}

// closedAddr returns a 127.0.0.1 address nothing listens on.
func closedAddr(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	if err := ln.Close(); err != nil {
		t.Fatal(err)
	}
	return addr
}

// commandCounter is a go-redis hook counting the commands a client sends.
type commandCounter struct{ n atomic.Int64 }

func (c *commandCounter) DialHook(next redis.DialHook) redis.DialHook { return next }

func (c *commandCounter) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		c.n.Add(1)
		return next(ctx, cmd)
	}
}

func (c *commandCounter) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return next
}

func mustAllow(t *testing.T, r *Redis, key string, rate float64, burst, n int) Result {
	t.Helper()
	res, err := r.Allow(t.Context(), key, rate, burst, n)
	if err != nil {
		t.Fatalf("Allow(%q, %v, %d, %d): %v", key, rate, burst, n, err)
	}
	if res.Source != SourceRedis {
		t.Fatalf("Result.Source = %v, want redis", res.Source)
	}
	return res
}

// The rates below are slow (a token per 10 s or more) so that the real time
// passing between calls cannot refill a token and make counts flaky.

func TestRedisBurstThenDeny(t *testing.T) {
	c, prefix := newTestRedis(t)
	r := NewRedis(c, prefix)
	const rate, burst = 0.1, 5 // a token per 10 s
	for want := burst - 1; want >= 0; want-- {
		res := mustAllow(t, r, "acct", rate, burst, 1)
		if !res.Allowed || res.Remaining != want || res.RetryAfter != 0 {
			t.Fatalf("Allow = %+v, want allowed with %d remaining", res, want)
		}
	}
	res := mustAllow(t, r, "acct", rate, burst, 1)
	if res.Allowed || res.Remaining != 0 {
		t.Fatalf("Allow past the burst = %+v, want denied with 0 remaining", res)
	}
	if res.RetryAfter <= 9*time.Second || res.RetryAfter > 10*time.Second {
		t.Fatalf("RetryAfter = %v, want just under 10s", res.RetryAfter)
	}
	if res.ResetAfter <= 49*time.Second || res.ResetAfter > 50*time.Second {
		t.Fatalf("ResetAfter = %v, want just under 50s", res.ResetAfter)
	}
	ttl, err := c.PTTL(t.Context(), prefix+"acct").Result()
	if err != nil || ttl <= 49*time.Second || ttl > 50*time.Second {
		t.Fatalf("key TTL = %v, %v; want the reset time, just under 50s", ttl, err)
	}
	// The bucket is timed by the server's clock, not this process's.
	val, err := c.Get(t.Context(), prefix+"acct").Result()
	if err != nil {
		t.Fatal(err)
	}
	var at int64
	var debt float64
	if _, err := fmt.Sscanf(val, "%d %g", &at, &debt); err != nil {
		t.Fatalf("stored value %q: %v", val, err)
	}
	server, err := c.Time(t.Context()).Result()
	if err != nil {
		t.Fatal(err)
	}
	if lag := server.Sub(time.UnixMicro(at)); lag < 0 || lag > 5*time.Second || debt <= 49e6 || debt > 50e6 {
		t.Fatalf("stored at %d (%v before server time), debt %v µs; want a recent server time and just under 50e6", at, lag, debt)
	}
	if other := mustAllow(t, r, "other", rate, burst, 1); !other.Allowed || other.Remaining != burst-1 {
		t.Fatalf("another key = %+v, want its own full bucket", other)
	}
}

func TestRedisAllowN(t *testing.T) {
	c, prefix := newTestRedis(t)
	r := NewRedis(c, prefix)
	const rate, burst = 0.3, 3 // fractional interval: 3.33 s per token
	steps := []struct {
		n         int
		allowed   bool
		remaining int
	}{
		{0, true, 3},
		{2, true, 1},
		{2, false, 1},
		{1, true, 0},
		{1, false, 0},
	}
	for i, s := range steps {
		res := mustAllow(t, r, "segments", rate, burst, s.n)
		if res.Allowed != s.allowed || res.Remaining != s.remaining {
			t.Fatalf("step %d: Allow(n=%d) = %+v, want allowed=%v remaining=%d", i, s.n, res, s.allowed, s.remaining)
		}
	}
}

func TestRedisInstancesShareAKey(t *testing.T) {
	c1, prefix := newTestRedis(t)
	c2 := newRedisClient(t, testRedisAddr())
	a, b := NewRedis(c1, prefix), NewRedis(c2, prefix)
	const rate, burst = 0.1, 6
	for i := range burst {
		r := a
		if i%2 == 1 {
			r = b
		}
		res := mustAllow(t, r, "shared", rate, burst, 1)
		if !res.Allowed || res.Remaining != burst-1-i {
			t.Fatalf("call %d: Allow = %+v, want allowed with %d remaining", i, res, burst-1-i)
		}
	}
	for name, r := range map[string]*Redis{"first": a, "second": b} {
		if res := mustAllow(t, r, "shared", rate, burst, 1); res.Allowed {
			t.Fatalf("%s instance admitted past the shared burst: %+v", name, res)
		}
	}
	other := NewRedis(c2, prefix+"elsewhere:")
	if res := mustAllow(t, other, "shared", rate, burst, 1); !res.Allowed {
		t.Fatalf("a different prefix shares the bucket: %+v", res)
	}
}

func TestRedisLoadsTheScriptWhenMissing(t *testing.T) {
	c, prefix := newTestRedis(t)
	r := NewRedis(c, prefix)
	// A script text no server has seen: EVALSHA fails with NOSCRIPT and
	// the limiter must fall back to EVAL (which caches it).
	r.script = redis.NewScript(fmt.Sprintf("%s\n-- %s\n", gcraScript, prefix))
	if ok, err := r.script.Exists(t.Context(), c).Result(); err != nil || ok[0] {
		t.Fatalf("SCRIPT EXISTS before = %v, %v; want false", ok, err)
	}
	if res := mustAllow(t, r, "k", 1, 1, 1); !res.Allowed {
		t.Fatalf("Allow via EVAL = %+v, want allowed", res)
	}
	if ok, err := r.script.Exists(t.Context(), c).Result(); err != nil || !ok[0] {
		t.Fatalf("SCRIPT EXISTS after = %v, %v; want true", ok, err)
	}
	if res := mustAllow(t, r, "k", 1, 1, 1); res.Allowed {
		t.Fatalf("Allow via EVALSHA = %+v, want denied", res)
	}
}

func TestRedisRejectsBadArgumentsWithoutARoundTrip(t *testing.T) {
	c, prefix := newTestRedis(t)
	var cmds commandCounter
	c.AddHook(&cmds)
	r := NewRedis(c, prefix)
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
		if _, err := r.Allow(t.Context(), "k", tt.rate, tt.burst, tt.n); !errors.Is(err, tt.want) {
			t.Fatalf("%s: error %v, want %v", tt.name, err, tt.want)
		}
	}
	if n := cmds.n.Load(); n != 0 {
		t.Fatalf("invalid calls sent %d commands", n)
	}
	if _, err := NewRedis(nil, "x:").Allow(t.Context(), "k", 1, 1, 1); !errors.Is(err, ErrNoClient) {
		t.Fatalf("nil client: %v, want ErrNoClient", err)
	}
}

func TestRedisDownIsAnError(t *testing.T) {
	r := NewRedis(newRedisClient(t, closedAddr(t)), "x:")
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Second)
	defer cancel()
	if _, err := r.Allow(ctx, "k", 1, 1, 1); err == nil {
		t.Fatal("Allow against a closed port succeeded")
	}
}
