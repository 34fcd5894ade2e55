package gateway

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// fakeClock is a clock the test moves by hand.
type fakeClock struct{ t atomic.Int64 }

func (c *fakeClock) now() int64              { return c.t.Load() }
func (c *fakeClock) advance(d time.Duration) { c.t.Add(int64(d)) }

// testGuard is a guard without Redis on a fake clock.
func testGuard(cfg BindGuardConfig) (*bindGuard, *fakeClock) {
	g := newBindGuard(cfg, nil, "", nil, nil)
	clk := &fakeClock{}
	clk.t.Store(1)
	g.clock = clk.now
	return g, clk
}

// failN records n failures of systemID from addr.
func failN(g *bindGuard, addr, systemID string, n int) time.Duration {
	var d time.Duration
	for range n {
		d = g.failed(context.Background(), addr, systemID)
	}
	return d
}

// TestBindGuardBackoff: an address is blocked at the MaxFailuresPerAddress
// failure, for Block, then twice as long after each further failure up to
// MaxBlock; the block ends by itself; counts are forgotten after Window
// without failures.
func TestBindGuardBackoff(t *testing.T) {
	g, clk := testGuard(BindGuardConfig{MaxFailuresPerAddress: 3, MaxFailuresPerSystemID: -1,
		Block: time.Second, MaxBlock: 5 * time.Second, Window: time.Minute})
	ctx := context.Background()
	if d := failN(g, "192.0.2.1", "alice", 2); d != 0 || g.blocked(ctx, "192.0.2.1", "alice") {
		t.Fatalf("blocked after 2 failures (block %v)", d)
	}
	want := []time.Duration{time.Second, 2 * time.Second, 4 * time.Second, 5 * time.Second, 5 * time.Second}
	for i, w := range want {
		if d := g.failed(ctx, "192.0.2.1", "alice"); d != w {
			t.Fatalf("failure %d: block %v, want %v", 3+i, d, w)
		}
		// Blocked for every system_id, not another address.
		if !g.blocked(ctx, "192.0.2.1", "alice") || !g.blocked(ctx, "192.0.2.1", "bob") {
			t.Fatalf("failure %d: not blocked", 3+i)
		}
		if g.blocked(ctx, "192.0.2.2", "alice") {
			t.Fatalf("failure %d: another address blocked", 3+i)
		}
		clk.advance(w - time.Millisecond)
		if !g.blocked(ctx, "192.0.2.1", "alice") {
			t.Fatalf("failure %d: block ended before %v", 3+i, w)
		}
		clk.advance(time.Millisecond)
		if g.blocked(ctx, "192.0.2.1", "alice") {
			t.Fatalf("failure %d: still blocked after %v", 3+i, w)
		}
	}
	// A window without failures (after the last block) forgets them: the
	// next failures start from the beginning.
	clk.advance(time.Minute)
	if d := failN(g, "192.0.2.1", "alice", 2); d != 0 || g.blocked(ctx, "192.0.2.1", "alice") {
		t.Fatalf("blocked after 2 failures past the window (block %v)", d)
	}
	if d := g.failed(ctx, "192.0.2.1", "alice"); d != time.Second {
		t.Fatalf("third failure past the window: block %v, want 1s", d)
	}
}

// TestBindGuardSystemIDDoesNotLockOutOwner: failures against one
// system_id from many addresses (each below the per-address threshold)
// block, past MaxFailuresPerSystemID, each address that fails again, for
// that system_id only and for growing periods; an address that never
// failed (the owner's) is never blocked.
func TestBindGuardSystemIDDoesNotLockOutOwner(t *testing.T) {
	g, clk := testGuard(BindGuardConfig{MaxFailuresPerAddress: 5, MaxFailuresPerSystemID: 10,
		Block: time.Second, MaxBlock: time.Hour, Window: time.Hour})
	ctx := context.Background()
	owner := "198.51.100.7"
	var last time.Duration
	for i := range 40 {
		bot := fmt.Sprintf("203.0.113.%d", i)
		d := g.failed(ctx, bot, "victim")
		switch {
		case i < 9 && d != 0:
			t.Fatalf("failure %d against victim blocked %s for %v", i+1, bot, d)
		case i >= 9 && d <= last && d != time.Hour:
			t.Fatalf("failure %d: block %v, want longer than %v (or the 1h cap)", i+1, d, last)
		}
		if i >= 9 {
			if !g.blocked(ctx, bot, "victim") {
				t.Fatalf("%s not blocked from victim after failure %d", bot, i+1)
			}
			if g.blocked(ctx, bot, "other") {
				t.Fatalf("%s blocked from another system_id", bot)
			}
		}
		last = d
		if g.blocked(ctx, owner, "victim") {
			t.Fatalf("the owner's address is blocked after %d failures from others", i+1)
		}
		clk.advance(10 * time.Millisecond)
	}
	if last != time.Hour {
		t.Errorf("block after 40 failures %v, want the 1h cap", last)
	}
}

// TestGuardTableBounded: the table never holds more than its maximum;
// expired entries go first, and a sweep forgets what expired.
func TestGuardTableBounded(t *testing.T) {
	clk := &fakeClock{}
	tbl := newGuardTable(100, clk.now)
	cfg := BindGuardConfig{}.withDefaults()
	for i := range 1000 {
		tbl.fail(fmt.Sprint("n", i), fmt.Sprint("b", i), 1, &cfg)
		if n := tbl.len(); n > 100 {
			t.Fatalf("%d entries after %d failures, want at most 100", n, i+1)
		}
	}
	clk.advance(cfg.Window + cfg.MaxBlock + time.Second)
	tbl.sweep()
	if n := tbl.len(); n != 0 {
		t.Fatalf("%d entries after everything expired and a sweep", n)
	}
}

// testRedisAddr is the Redis the tests use: GALLANT_TEST_REDIS_ADDR, or the
// local server.
func testRedisAddr() string {
	if addr := os.Getenv("GALLANT_TEST_REDIS_ADDR"); addr != "" {
		return addr
	}
	return "127.0.0.1:6379"
}

// newTestRedis returns a client of the test Redis (failing the test if it
// does not answer) and a key prefix of the test's own, whose keys are
// deleted when it ends.
func newTestRedis(t testing.TB) (*redis.Client, string) {
	t.Helper()
	c := redis.NewClient(&redis.Options{Addr: testRedisAddr(), MaxRetries: -1, ContextTimeoutEnabled: true})
	t.Cleanup(func() { _ = c.Close() })
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if err := c.Ping(ctx).Err(); err != nil {
		t.Fatalf("redis at %s (GALLANT_TEST_REDIS_ADDR) does not answer: %v", testRedisAddr(), err)
	}
	prefix := fmt.Sprintf("gallant:test:bindguard:%d:%d:", time.Now().UnixNano(), rand.Uint64())
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		var keys []string
		it := c.Scan(ctx, 0, prefix+"*", 100).Iterator()
		for it.Next(ctx) {
			keys = append(keys, it.Val())
		}
		if err := it.Err(); err != nil {
			t.Errorf("scan %s*: %v", prefix, err)
		}
		if len(keys) > 0 {
			_ = c.Del(ctx, keys...).Err()
		}
	})
	return c, prefix
}

// TestBindGuardSharedThroughRedis: failures seen by one instance block
// the client on another instance that saw none, by address and by
// system_id, and the blocks expire in Redis by themselves.
func TestBindGuardSharedThroughRedis(t *testing.T) {
	client, prefix := newTestRedis(t)
	// A block long enough, and a Redis timeout wide enough, that a loaded
	// machine (CI runs every package at once under -race) neither lets a
	// block expire between two steps nor times a round trip out.
	const block = 2 * time.Second
	cfg := BindGuardConfig{MaxFailuresPerAddress: 3, MaxFailuresPerSystemID: 4, Block: block,
		MaxBlock: time.Minute, Window: time.Minute, RedisTimeout: 5 * time.Second}
	var errs atomic.Int64
	count := func() { errs.Add(1) }
	a := newBindGuard(cfg, client, prefix, nil, count)
	b := newBindGuard(cfg, client, prefix, nil, count)
	ctx := context.Background()

	failN(a, "192.0.2.1", "alice", 2)
	if b.blocked(ctx, "192.0.2.1", "alice") {
		t.Fatal("blocked on b after 2 failures on a")
	}
	failN(b, "192.0.2.1", "alice", 1) // the third, on the other instance
	if !a.blocked(ctx, "192.0.2.1", "alice") {
		t.Fatal("not blocked on a after 2 failures on a and 1 on b")
	}
	if a.local.blocked("{a:192.0.2.1}:b") {
		t.Fatal("a's own memory blocks the address: the answer did not come from Redis")
	}
	ttl, err := client.PTTL(ctx, prefix+"{a:192.0.2.1}:b").Result()
	if err != nil || ttl <= 0 || ttl > block {
		t.Fatalf("block key ttl %v (%v), want at most %v", ttl, err, block)
	}
	deadline := time.Now().Add(block + 10*time.Second)
	for a.blocked(ctx, "192.0.2.1", "alice") {
		if time.Now().After(deadline) {
			t.Fatal("block did not expire")
		}
		time.Sleep(20 * time.Millisecond)
	}
	// The next failure, on either instance, blocks again, for twice as
	// long.
	if d := a.failed(ctx, "192.0.2.1", "alice"); d != 2*block {
		t.Fatalf("fourth failure: block %v, want %v", d, 2*block)
	}
	if !b.blocked(ctx, "192.0.2.1", "alice") {
		t.Fatal("fourth failure not seen on b")
	}

	// Per system_id, shared too: "bob" fails from four addresses (four
	// instances' worth: alternate a and b); the fifth failing address is
	// blocked from bob on both, an address that did not fail is not.
	for i := range 4 {
		g := a
		if i%2 == 1 {
			g = b
		}
		g.failed(ctx, fmt.Sprintf("198.51.100.%d", i), "bob")
	}
	b.failed(ctx, "198.51.100.9", "bob")
	if !a.blocked(ctx, "198.51.100.9", "bob") {
		t.Fatal("fifth address failing for bob not blocked on a")
	}
	if a.blocked(ctx, "198.51.100.200", "bob") || b.blocked(ctx, "198.51.100.200", "bob") {
		t.Fatal("an address that never failed is blocked from bob")
	}
	if n := errs.Load(); n != 0 {
		t.Fatalf("%d redis errors", n)
	}
}

// TestBindGuardRedisDown: with Redis unreachable the guard still blocks,
// from process memory, answers without waiting for Redis each time (one
// failure opens the circuit), says so once in the log, and counts the
// failure.
func TestBindGuardRedisDown(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close() // nothing listens there now
	client := redis.NewClient(&redis.Options{Addr: addr, MaxRetries: -1, DialTimeout: 200 * time.Millisecond,
		ContextTimeoutEnabled: true})
	t.Cleanup(func() { _ = client.Close() })
	var logs bytes.Buffer
	var errs atomic.Int64
	g := newBindGuard(BindGuardConfig{MaxFailuresPerAddress: 3, Block: time.Minute, RedisProbe: time.Hour}, client, "x:",
		slog.New(slog.NewTextHandler(&logs, nil)), func() { errs.Add(1) })
	ctx := context.Background()
	start := time.Now()
	failN(g, "192.0.2.1", "alice", 3)
	for range 100 {
		if !g.blocked(ctx, "192.0.2.1", "alice") {
			t.Fatal("not blocked with Redis down")
		}
	}
	if g.blocked(ctx, "192.0.2.2", "alice") {
		t.Fatal("another address blocked")
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("104 calls took %v with Redis down: the circuit does not spare the wait", d)
	}
	if n := errs.Load(); n != 1 {
		t.Errorf("%d redis errors counted, want 1 (then the circuit is open)", n)
	}
	if n := strings.Count(logs.String(), "redis failed"); n != 1 {
		t.Errorf("%d log lines about Redis failing, want 1:\n%s", n, logs.String())
	}
}
