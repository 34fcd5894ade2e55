package account

import (
	"errors"
	"fmt"
	"testing"
	"time"
)

func TestWindowLimiter(t *testing.T) {
	now := time.Unix(1000, 0)
	l := NewWindowLimiter()
	l.now = func() time.Time { return now }
	r := Rate{Max: 3, Window: time.Minute}
	for i := range 3 {
		if ok, _ := l.Allow("k", r); !ok {
			t.Fatalf("attempt %d refused", i)
		}
	}
	ok, wait := l.Allow("k", r)
	if ok || wait != time.Minute {
		t.Fatalf("fourth attempt: %v, retry after %v", ok, wait)
	}
	if ok, _ := l.Allow("other", r); !ok {
		t.Fatal("keys are not independent")
	}
	now = now.Add(40 * time.Second)
	if ok, wait := l.Allow("k", r); ok || wait != 20*time.Second {
		t.Fatalf("same window: %v, %v", ok, wait)
	}
	now = now.Add(20 * time.Second)
	if ok, _ := l.Allow("k", r); !ok {
		t.Fatal("new window refused")
	}
	if ok, _ := l.Allow("k", Rate{}); !ok {
		t.Fatal("zero rate must allow")
	}
	err := error(&RateLimitError{RetryAfter: 2 * time.Second})
	if !errors.Is(err, ErrRateLimited) || err.Error() != "account: too many attempts, retry after 2s" {
		t.Fatalf("RateLimitError: %v", err)
	}
}

func TestWindowLimiterBounded(t *testing.T) {
	now := time.Unix(1000, 0)
	l := NewWindowLimiter()
	l.now = func() time.Time { return now }
	r := Rate{Max: 1, Window: time.Hour}
	for i := range maxLimiterKeys + 10 {
		l.Allow(fmt.Sprint("ip", i), r)
	}
	if n := l.Len(); n > maxLimiterKeys || n < maxLimiterKeys*9/10 {
		t.Fatalf("%d keys after a flood, want between 90%% and 100%% of %d", n, maxLimiterKeys)
	}
	// Closed windows are swept first: refill to the cap after every old
	// window has closed, and the sweep leaves only the new keys.
	old := l.Len()
	now = now.Add(2 * time.Hour)
	fresh := maxLimiterKeys - old + 1
	for i := range fresh {
		l.Allow(fmt.Sprint("new", i), r)
	}
	if n := l.Len(); n != fresh {
		t.Fatalf("%d keys after the sweep, want the %d new ones", n, fresh)
	}
}

func BenchmarkWindowLimiter(b *testing.B) {
	l := NewWindowLimiter()
	r := Rate{Max: 1 << 30, Window: time.Hour}
	b.ReportAllocs()
	for b.Loop() {
		l.Allow("login:ip:127.0.0.1", r)
	}
}
