package api

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

// countLimiter allows the first n requests per key, then refuses with a
// 3 s retry; fail makes it error instead.
type countLimiter struct {
	mu   sync.Mutex
	n    int
	seen map[string]int
	fail bool
}

func (l *countLimiter) Allow(_ context.Context, key string, rate float64, burst int) (bool, time.Duration, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.fail {
		return false, 0, errors.New("limiter down")
	}
	if rate <= 0 || burst <= 0 {
		return false, 0, errors.New("bad rate")
	}
	l.seen[key]++
	return l.seen[key] <= l.n, 3 * time.Second, nil
}

func TestRateLimits(t *testing.T) {
	t.Run("per key", func(t *testing.T) {
		l := &countLimiter{n: 3, seen: map[string]int{}}
		ts := newTestServerWith(t, Config{KeyRate: 10, KeyBurst: 3}, func(d *Deps) { d.Limiter = l })
		for range 3 {
			if a := ts.do(t, "GET", "/v1/messages", keyRead, nil); a.Code != http.StatusOK {
				t.Fatalf("within the limit: %d %s", a.Code, a.Body)
			}
		}
		a := ts.do(t, "GET", "/v1/messages", keyRead, nil)
		a.wantProblem(t, http.StatusTooManyRequests, "rate-limited")
		if got := a.Header.Get("Retry-After"); got != "3" {
			t.Fatalf("Retry-After %q, want 3", got)
		}
		// Another key of the same account has its own bucket.
		if a := ts.do(t, "GET", "/v1/messages", keyAll, nil); a.Code != http.StatusOK {
			t.Fatalf("other key: %d", a.Code)
		}
		if l.seen["key:12"] != 4 || l.seen["key:13"] != 1 {
			t.Fatalf("limiter keys %v", l.seen)
		}
	})
	t.Run("per user for sessions", func(t *testing.T) {
		l := &countLimiter{n: 1, seen: map[string]int{}}
		ts := newTestServerWith(t, Config{KeyRate: 10, KeyBurst: 1}, func(d *Deps) {
			d.Limiter = l
			d.Auth = identityAuth{}
		})
		for _, tok := range []string{sessOwner, sessMember} {
			if a := ts.do(t, "GET", "/v1/messages", tok, nil); a.Code != http.StatusOK {
				t.Fatalf("%s within its limit: %d %s", tok, a.Code, a.Body)
			}
		}
		a := ts.do(t, "GET", "/v1/messages", sessOwner, nil)
		a.wantProblem(t, http.StatusTooManyRequests, "rate-limited")
		if l.seen["user:7"] != 2 || l.seen["user:8"] != 1 || l.seen["key:0"] != 0 {
			t.Fatalf("limiter keys %v: want one bucket per user", l.seen)
		}
	})
	t.Run("per address before authentication", func(t *testing.T) {
		l := &countLimiter{n: 2, seen: map[string]int{}}
		ts := newTestServerWith(t, Config{IPRate: 5, IPBurst: 2}, func(d *Deps) { d.Limiter = l })
		ts.do(t, "GET", "/v1/messages", "bad-key", nil).wantProblem(t, http.StatusUnauthorized, "unauthorized")
		ts.do(t, "GET", "/v1/messages", "bad-key", nil).wantProblem(t, http.StatusUnauthorized, "unauthorized")
		a := ts.do(t, "GET", "/v1/messages", "bad-key", nil)
		a.wantProblem(t, http.StatusTooManyRequests, "rate-limited")
		for k := range l.seen {
			if !strings.HasPrefix(k, "ip:127.0.0.1") {
				t.Fatalf("address key %q", k)
			}
		}
	})
	t.Run("limiter failure lets requests through", func(t *testing.T) {
		l := &countLimiter{fail: true, seen: map[string]int{}}
		ts := newTestServerWith(t, Config{KeyRate: 1, IPRate: 1}, func(d *Deps) { d.Limiter = l })
		for range 3 {
			if a := ts.do(t, "GET", "/v1/messages", keyRead, nil); a.Code != http.StatusOK {
				t.Fatalf("with a failing limiter: %d", a.Code)
			}
		}
	})
	t.Run("negative rates refused", func(t *testing.T) {
		if err := (Config{KeyRate: -1}).Validate(); err == nil {
			t.Fatal("negative rate accepted")
		}
	})
}
