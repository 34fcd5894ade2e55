package account

import (
	"errors"
	"fmt"
	"sync"
	"time"
)

// ErrRateLimited is matched (with errors.Is) by every [*RateLimitError].
var ErrRateLimited = errors.New("account: too many attempts")

// RateLimitError says an attempt was refused by a rate limit and when to
// try again.
type RateLimitError struct {
	RetryAfter time.Duration
}

// Error implements error.
func (e *RateLimitError) Error() string {
	return fmt.Sprintf("account: too many attempts, retry after %s", e.RetryAfter.Round(time.Second))
}

// Is makes errors.Is(err, ErrRateLimited) true.
func (e *RateLimitError) Is(target error) bool { return target == ErrRateLimited }

// Rate is at most Max events per Window.
type Rate struct {
	Max    int
	Window time.Duration
}

// Limiter counts attempts per key. It is the hook for a limiter shared by
// instances (package throttle's Redis limiter, wired in by the caller);
// [WindowLimiter] is the in-process one. Implementations are safe for
// concurrent use.
type Limiter interface {
	// Allow counts one attempt for key under r and reports whether it is
	// allowed; if not, retryAfter says when the next may be.
	Allow(key string, r Rate) (ok bool, retryAfter time.Duration)
}

// maxLimiterKeys bounds a WindowLimiter's memory: about 100 bytes a key,
// so 10 MB for a flood of distinct addresses.
const maxLimiterKeys = 100_000

// WindowLimiter is an in-process fixed-window [Limiter]: each key may
// have Max attempts in a window that starts at its first attempt. It
// holds no goroutine; expired windows are swept when the map is full.
type WindowLimiter struct {
	now func() time.Time

	mu   sync.Mutex
	wins map[string]window
}

type window struct {
	end time.Time // when the window closes
	n   int
}

// NewWindowLimiter returns an empty limiter.
func NewWindowLimiter() *WindowLimiter {
	return &WindowLimiter{now: time.Now, wins: map[string]window{}}
}

// Allow implements [Limiter]. A Rate with Max <= 0 allows everything.
func (l *WindowLimiter) Allow(key string, r Rate) (bool, time.Duration) {
	if r.Max <= 0 || r.Window <= 0 {
		return true, 0
	}
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	w, ok := l.wins[key]
	if !ok || !now.Before(w.end) {
		if !ok && len(l.wins) >= maxLimiterKeys {
			l.sweepLocked(now)
		}
		w = window{end: now.Add(r.Window)}
	}
	if w.n >= r.Max {
		return false, w.end.Sub(now)
	}
	w.n++
	l.wins[key] = w
	return true, 0
}

// sweepLocked drops closed windows and, if the map is still full, an
// arbitrary tenth of it. l.mu must be held.
func (l *WindowLimiter) sweepLocked(now time.Time) {
	for k, w := range l.wins {
		if !now.Before(w.end) {
			delete(l.wins, k)
		}
	}
	drop := len(l.wins) - maxLimiterKeys*9/10
	for k := range l.wins {
		if drop <= 0 {
			break
		}
		delete(l.wins, k)
		drop--
	}
}

// Len returns the number of keys tracked, for tests and metrics.
func (l *WindowLimiter) Len() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.wins)
}
