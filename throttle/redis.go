package throttle

import (
	"context"
	_ "embed" // the GCRA script
	"fmt"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"
)

// gcraScript is the Lua GCRA run by [Redis.Allow].
//
//go:embed gcra.lua
var gcraScript string

// Redis is a GCRA limiter kept in Redis, so that every gateway instance
// draws from the same buckets: API limits per key and per IP, and carrier
// TPS budgets shared by binds spread over instances.
//
// Each call is one round trip: a Lua script (EVALSHA, falling back to EVAL
// when the server does not have it cached) that reads and updates the
// bucket atomically, timed by the Redis server's TIME so instances whose
// clocks disagree still agree on the limit. A key expires as soon as its
// bucket is full again, so idle keys cost nothing. The server clock has
// microsecond resolution, so rates above 10^6 per second are not honoured
// exactly.
//
// It is safe to call every method from concurrently running goroutines.
type Redis struct {
	client redis.UniversalClient
	prefix string
	script *redis.Script
}

// NewRedis returns a limiter that keeps its buckets in client under keys
// prefix+key. Keys are stored in clear: pass ids, never secrets. Configure
// the client with ContextTimeoutEnabled so that the deadline of the context
// given to Allow bounds the round trip (go-redis ignores it otherwise).
func NewRedis(client redis.UniversalClient, prefix string) *Redis {
	return &Redis{client: client, prefix: prefix, script: redis.NewScript(gcraScript)}
}

// Allow takes n tokens from key's bucket under the limit rate (tokens per
// second) and burst, if that many are available, and says so in the
// [Result]. A key's bucket is shared by every limit it is used with, so a
// key should always be used with the same limit. n = 0 takes nothing and
// reports the bucket's state. It returns an error for invalid arguments
// and when Redis does not answer (ctx bounds the round trip).
func (r *Redis) Allow(ctx context.Context, key string, rate float64, burst, n int) (Result, error) {
	if r.client == nil {
		return Result{}, ErrNoClient
	}
	l, err := newLimit(rate, burst)
	if err != nil {
		return Result{}, err
	}
	if err := l.checkCount(n); err != nil {
		return Result{}, err
	}
	interval := strconv.FormatFloat(1e6/rate, 'g', -1, 64)
	reply, err := r.script.Run(ctx, r.client, []string{r.prefix + key}, interval, burst, n).Int64Slice()
	if err != nil {
		return Result{}, fmt.Errorf("throttle: redis gcra: %w", err)
	}
	if len(reply) != 4 || reply[0] < 0 || reply[0] > 1 {
		return Result{}, fmt.Errorf("%w: %v", ErrBadReply, reply)
	}
	return Result{
		Allowed:    reply[0] == 1,
		Remaining:  int(max(reply[1], 0)),
		RetryAfter: time.Duration(reply[2]) * time.Microsecond,
		ResetAfter: time.Duration(reply[3]) * time.Microsecond,
		Source:     SourceRedis,
	}, nil
}
