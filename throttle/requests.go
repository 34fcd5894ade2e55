package throttle

import (
	"context"
	"log/slog"
	"time"
)

// Requests limits requests per key at a rate and burst given with each
// request, as an HTTP API's per-key and per-address limits want: through
// [Redis], shared by every instance, with in-process buckets while Redis
// does not answer ([Fallback]), or in process only without Redis.
type Requests struct {
	shared *Fallback // nil without Redis
	local  *Keyed
}

// NewRequests builds a Requests limiter over r, or in process only when r
// is nil; logger receives the Redis circuit's changes.
func NewRequests(r *Redis, logger *slog.Logger) (*Requests, error) {
	local, err := NewKeyed(DefaultKeyedConfig(1, 1))
	if err != nil {
		return nil, err
	}
	l := &Requests{local: local}
	if r != nil {
		if l.shared, err = NewFallback(r, local, FallbackConfig{Logger: logger}); err != nil {
			return nil, err
		}
	}
	return l, nil
}

// Allow takes one request from key's limit of rate per second with burst,
// and says whether it may go on and, if not, how long until it could.
func (l *Requests) Allow(ctx context.Context, key string, rate float64, burst int) (bool, time.Duration, error) {
	var r Result
	var err error
	if l.shared != nil {
		r, err = l.shared.Allow(ctx, key, rate, burst, 1)
	} else {
		r, err = l.local.Take(key, rate, burst, 1)
	}
	return r.Allowed, r.RetryAfter, err
}
