package throttle

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// testFallback wires a Fallback with its own fake clock over a Redis client
// at addr (counted by cmds) and a local limiter.
type testFallback struct {
	f     *Fallback
	clk   *fakeClock
	cmds  *commandCounter
	local *Keyed
}

func newTestFallback(t *testing.T, addr, prefix string, timeout time.Duration) *testFallback {
	t.Helper()
	c := newRedisClient(t, addr)
	cmds := &commandCounter{}
	c.AddHook(cmds)
	clk := &fakeClock{}
	local, err := NewKeyed(KeyedConfig{Now: clk.Now})
	if err != nil {
		t.Fatal(err)
	}
	f, err := NewFallback(NewRedis(c, prefix), local, FallbackConfig{Timeout: timeout, ProbeInterval: time.Second, Now: clk.Now})
	if err != nil {
		t.Fatal(err)
	}
	return &testFallback{f: f, clk: clk, cmds: cmds, local: local}
}

func (tf *testFallback) allow(t *testing.T, key string, rate float64, burst int) Result {
	t.Helper()
	res, err := tf.f.Allow(t.Context(), key, rate, burst, 1)
	if err != nil {
		t.Fatalf("Fallback.Allow: %v", err)
	}
	return res
}

func TestFallbackUsesRedisWhileUp(t *testing.T) {
	_, prefix := newTestRedis(t)
	tf := newTestFallback(t, testRedisAddr(), prefix, 2*time.Second)
	for i := range 3 {
		if res := tf.allow(t, "k", 0.1, 3); !res.Allowed || res.Source != SourceRedis {
			t.Fatalf("call %d = %+v, want allowed by redis", i, res)
		}
	}
	if res := tf.allow(t, "k", 0.1, 3); res.Allowed || res.Source != SourceRedis {
		t.Fatalf("past burst = %+v, want denied by redis", res)
	}
	if st := tf.f.Stats(); st.Open || st.Opened != 0 || st.LocalAnswers != 0 {
		t.Fatalf("Stats = %+v, want a closed circuit and no local answers", st)
	}
}

func TestFallbackRedisDownAnswersLocallyWithoutHammering(t *testing.T) {
	tf := newTestFallback(t, closedAddr(t), "x:", DefaultFallbackTimeout)
	const burst = 3
	for i := range burst {
		if res := tf.allow(t, "k", 0.1, burst); !res.Allowed || res.Source != SourceLocal {
			t.Fatalf("call %d = %+v, want allowed locally", i, res)
		}
	}
	tried := tf.cmds.n.Load()
	if tried != 1 {
		t.Fatalf("%d redis commands for the first calls, want the 1 that opened the circuit", tried)
	}
	// The local limiter enforces the limit; Redis is left alone.
	for range 100 {
		if res := tf.allow(t, "k", 0.1, burst); res.Allowed || res.Source != SourceLocal {
			t.Fatalf("past burst = %+v, want denied locally", res)
		}
	}
	if n := tf.cmds.n.Load(); n != tried {
		t.Fatalf("open circuit sent %d more redis commands", n-tried)
	}
	// After the probe interval exactly one request probes, even when many
	// arrive together.
	tf.clk.Advance(time.Second)
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			if res, err := tf.f.Allow(t.Context(), "k2", 1, 1, 1); err != nil || res.Source != SourceLocal {
				t.Errorf("during probe: %+v, %v; want a local answer", res, err)
			}
		})
	}
	wg.Wait()
	if n := tf.cmds.n.Load(); n != tried+1 {
		t.Fatalf("%d redis commands after the probe interval, want exactly 1 probe", n-tried)
	}
	if st := tf.f.Stats(); !st.Open || st.Opened != 1 || st.LocalAnswers != 3+100+8 {
		t.Fatalf("Stats = %+v, want open, opened once, 111 local answers", st)
	}
}

func TestFallbackRecoversWhenRedisReturns(t *testing.T) {
	_, prefix := newTestRedis(t)
	proxy := startProxy(t, testRedisAddr())
	tf := newTestFallback(t, proxy.Addr(), prefix, 2*time.Second)
	if res := tf.allow(t, "k", 0.1, 5); res.Source != SourceRedis || res.Remaining != 4 {
		t.Fatalf("with redis up = %+v, want redis with 4 remaining", res)
	}

	proxy.setMode(proxyDown)
	if res := tf.allow(t, "k", 0.1, 5); res.Source != SourceLocal || !res.Allowed {
		t.Fatalf("with redis down = %+v, want allowed locally", res)
	}
	if !tf.f.Stats().Open {
		t.Fatal("circuit closed after a failure")
	}

	proxy.setMode(proxyUp)
	if res := tf.allow(t, "k", 0.1, 5); res.Source != SourceLocal {
		t.Fatalf("redis back but before the probe interval = %+v, want local", res)
	}
	tf.clk.Advance(time.Second)
	res := tf.allow(t, "k", 0.1, 5)
	if res.Source != SourceRedis || res.Remaining != 3 {
		t.Fatalf("probe = %+v, want redis with 3 remaining (its bucket kept its state)", res)
	}
	if st := tf.f.Stats(); st.Open || st.Opened != 1 {
		t.Fatalf("Stats after recovery = %+v, want closed, opened once", st)
	}
	if res := tf.allow(t, "k", 0.1, 5); res.Source != SourceRedis || res.Remaining != 2 {
		t.Fatalf("after recovery = %+v, want redis with 2 remaining", res)
	}
}

func TestFallbackTimesOutAHungRedis(t *testing.T) {
	_, prefix := newTestRedis(t)
	proxy := startProxy(t, testRedisAddr())
	tf := newTestFallback(t, proxy.Addr(), prefix, DefaultFallbackTimeout)
	proxy.setMode(proxyBlackhole)
	res := tf.allow(t, "k", 1, 1)
	if res.Source != SourceLocal || !res.Allowed {
		t.Fatalf("with redis hung = %+v, want allowed locally", res)
	}
	if st := tf.f.Stats(); !st.Open {
		t.Fatalf("Stats = %+v, want the circuit open after a timeout", st)
	}
	// Drop the hung connection before the client closes, so its
	// background dial does not wait out its own timeouts.
	proxy.setMode(proxyDown)
}

func TestFallbackCallerContextAndArguments(t *testing.T) {
	tf := newTestFallback(t, closedAddr(t), "x:", DefaultFallbackTimeout)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if _, err := tf.f.Allow(ctx, "k", 1, 1, 1); !errors.Is(err, context.Canceled) {
		t.Fatalf("done context: %v, want context.Canceled", err)
	}
	if _, err := tf.f.Allow(t.Context(), "k", 1, 1, 2); !errors.Is(err, ErrExceedsBurst) {
		t.Fatalf("n above burst: %v, want ErrExceedsBurst", err)
	}
	if _, err := tf.f.Allow(t.Context(), "k", -1, 1, 1); !errors.Is(err, ErrInvalidRate) {
		t.Fatalf("bad rate: %v, want ErrInvalidRate", err)
	}
	if n := tf.cmds.n.Load(); n != 0 {
		t.Fatalf("rejected calls sent %d redis commands", n)
	}
	if st := tf.f.Stats(); st.Open || st.LocalAnswers != 0 {
		t.Fatalf("rejected calls changed the circuit: %+v", st)
	}
}

func TestNewFallbackValidates(t *testing.T) {
	local, err := NewKeyed(KeyedConfig{})
	if err != nil {
		t.Fatal(err)
	}
	r := NewRedis(nil, "x:")
	if _, err := NewFallback(nil, local, FallbackConfig{}); err == nil {
		t.Fatal("NewFallback accepted a nil redis limiter")
	}
	if _, err := NewFallback(r, nil, FallbackConfig{}); err == nil {
		t.Fatal("NewFallback accepted a nil local limiter")
	}
	if _, err := NewFallback(r, local, FallbackConfig{Timeout: -1}); err == nil {
		t.Fatal("NewFallback accepted a negative timeout")
	}
	if _, err := NewFallback(r, local, FallbackConfig{ProbeInterval: -1}); err == nil {
		t.Fatal("NewFallback accepted a negative probe interval")
	}
	deaf := redis.NewClient(&redis.Options{Addr: closedAddr(t)}) // ContextTimeoutEnabled false
	t.Cleanup(func() { _ = deaf.Close() })
	if _, err := NewFallback(NewRedis(deaf, "x:"), local, FallbackConfig{}); err == nil {
		t.Fatal("NewFallback accepted a client that ignores context deadlines")
	}
	cluster := redis.NewClusterClient(&redis.ClusterOptions{Addrs: []string{closedAddr(t)}, ContextTimeoutEnabled: true})
	t.Cleanup(func() { _ = cluster.Close() })
	if _, err := NewFallback(NewRedis(cluster, "x:"), local, FallbackConfig{}); err != nil {
		t.Fatalf("NewFallback refused a cluster client with ContextTimeoutEnabled: %v", err)
	}
}

func TestSourceString(t *testing.T) {
	for s, want := range map[Source]string{SourceLocal: "local", SourceRedis: "redis", 0: "unknown"} {
		if got := s.String(); got != want {
			t.Fatalf("Source(%d).String() = %q, want %q", s, got, want)
		}
	}
}

// TestFallbackLocalShare: with LocalShare, an open circuit applies the
// instance's share of the limit (a third of a burst of 30 is 10), and
// without it the full limit.
func TestFallbackLocalShare(t *testing.T) {
	addr := refusingAddr(t)
	for _, tc := range []struct {
		name  string
		share func() int
		want  int
	}{{"3", func() int { return 3 }, 10}, {"nil", nil, 30}, {"0", func() int { return 0 }, 30}} {
		local, err := NewKeyed(DefaultKeyedConfig(1, 1))
		if err != nil {
			t.Fatal(err)
		}
		f, err := NewFallback(NewRedis(newRedisClient(t, addr), "x:"), local, FallbackConfig{LocalShare: tc.share})
		if err != nil {
			t.Fatal(err)
		}
		allowed := 0
		for range 40 { // far faster than 30/s refills
			res, err := f.Allow(context.Background(), "k", 30, 30, 1)
			if err != nil {
				t.Fatal(err)
			}
			if res.Source != SourceLocal {
				t.Fatalf("answered by %v with redis refusing", res.Source)
			}
			if res.Allowed {
				allowed++
			}
		}
		if allowed != tc.want {
			t.Errorf("share %s: %d of 40 allowed, want %d", tc.name, allowed, tc.want)
		}
	}
}
