package gateway

import (
	"net"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/gallant-sms/gallant/throttle"
)

// TestSenderLimiterSharedThroughRedis: two instances' sender limiters
// on one Redis book one source address's slots from one schedule: at 2
// per second the slots they get alternately are 0, 0.5, 1 and 1.5 s
// away, while another address starts at once.
func TestSenderLimiterSharedThroughRedis(t *testing.T) {
	addr := os.Getenv("GALLANT_TEST_REDIS_ADDR")
	if addr == "" {
		addr = "127.0.0.1:6379"
	}
	c := redis.NewClient(&redis.Options{Addr: addr, MaxRetries: -1, DialTimeout: time.Second, ContextTimeoutEnabled: true})
	t.Cleanup(func() { _ = c.Close() })
	prefix := "gallant-test-sender-" + strconv.FormatInt(time.Now().UnixNano(), 36) + ":"
	limiter := func() senderLimiter {
		local, err := throttle.NewKeyed(throttle.DefaultKeyedConfig(1, 1))
		if err != nil {
			t.Fatal(err)
		}
		fb, err := throttle.NewFallback(throttle.NewRedis(c, prefix), local,
			throttle.FallbackConfig{Timeout: time.Second})
		if err != nil {
			t.Fatal(err)
		}
		return senderLimiter{fb, nil}
	}
	a, b := limiter(), limiter()
	start := time.Now()
	for i, l := range []senderLimiter{a, b, a, b} {
		wait, ok, err := l.Reserve("1", "15550001", 2)
		if err != nil || !ok {
			t.Fatalf("slot %d: %v %v", i, ok, err)
		}
		// Redis's clock decides: the slot is i half-seconds after the
		// first, less the time passed since (at most since start).
		slot := time.Duration(i) * 500 * time.Millisecond
		if wait > slot+time.Millisecond || wait < slot-time.Since(start)-200*time.Millisecond {
			t.Errorf("slot %d is %v away, want about %v", i, wait, slot)
		}
	}
	if wait, _, _ := b.Reserve("1", "15550002", 2); wait != 0 {
		t.Errorf("another address waits %v", wait)
	}
	if wait, _, _ := b.Reserve("44", "15550001", 2); wait != 0 {
		t.Errorf("the address on another route waits %v", wait)
	}
}

// TestSenderLimiterFallbackShare: with Redis refusing connections, each
// of three instances books a sender's slots at a third of sender_tps: at
// 3 per second the slots are 0, 1 and 2 s away, not 0, 1/3 and 2/3.
func TestSenderLimiterFallbackShare(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // refuses connections from now on
	c := redis.NewClient(&redis.Options{Addr: addr, MaxRetries: -1, DialerRetries: 1, ContextTimeoutEnabled: true})
	t.Cleanup(func() { _ = c.Close() })
	local, err := throttle.NewKeyed(throttle.DefaultKeyedConfig(1, 1))
	if err != nil {
		t.Fatal(err)
	}
	three := func() int { return 3 }
	fb, err := throttle.NewFallback(throttle.NewRedis(c, "x:"), local,
		throttle.FallbackConfig{Timeout: time.Second, LocalShare: three})
	if err != nil {
		t.Fatal(err)
	}
	l := senderLimiter{fb, three}
	start := time.Now()
	for i := range 3 {
		wait, ok, err := l.Reserve("1", "15550001", 3)
		if err != nil || !ok {
			t.Fatalf("slot %d: %v %v", i, ok, err)
		}
		slot := time.Duration(i) * time.Second
		if wait > slot || wait < slot-time.Since(start)-time.Millisecond {
			t.Errorf("slot %d is %v away, want about %v (a third of 3/s)", i, wait, slot)
		}
	}
	if st := fb.Stats(); !st.Open || st.LocalAnswers != 3 {
		t.Errorf("%+v: want three local answers", st)
	}
}
