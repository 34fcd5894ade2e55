package api

import (
	"context"
	"strconv"
	"time"

	"github.com/valyala/fasthttp"
)

// RateLimiter decides whether one more request under key is allowed at
// rate per second with burst; when not, retryAfter says when to come
// back. The gateway backs it with Redis (GCRA shared by every instance)
// falling back to in-process buckets while Redis does not answer.
type RateLimiter interface {
	Allow(ctx context.Context, key string, rate float64, burst int) (ok bool, retryAfter time.Duration, err error)
}

// limited applies the per-address limit (before authentication, so bad
// keys cannot be tried at full speed; the address is the client's, see
// clientAddr, an IPv6 one counted by its /64) and, given a principal, the
// per-key limit. When a limit is hit it answers 429 rate-limited with
// Retry-After and returns true. A limiter error lets the request through:
// limits protect the service, they must not take it down.
func (s *Server) limited(ctx *fasthttp.RequestCtx, sctx context.Context, p *Principal) bool {
	if s.deps.Limiter == nil {
		return false
	}
	var key string
	var rate float64
	var burst int
	if p == nil {
		if s.cfg.IPRate <= 0 {
			return false
		}
		key, rate, burst = "ip:"+limitKeyString(clientAddr(ctx)), s.cfg.IPRate, s.cfg.IPBurst
	} else {
		if s.cfg.KeyRate <= 0 {
			return false
		}
		key, rate, burst = "key:"+strconv.FormatInt(p.KeyID, 10), s.cfg.KeyRate, s.cfg.KeyBurst
		if p.KeyID == 0 { // a dashboard session: its user's own bucket
			key = "user:" + strconv.FormatInt(p.UserID, 10)
		}
	}
	ok, retry, err := s.deps.Limiter.Allow(sctx, key, rate, max(burst, 1))
	if err != nil {
		s.log.Warn("api: rate limiter failed; request allowed", "key", key, "err", err)
		return false
	}
	if ok {
		return false
	}
	what, reason := "this API key", refusedRateLimitKey
	switch {
	case p == nil:
		what, reason = "this address", refusedRateLimitIP
	case p.KeyID == 0:
		what, reason = "this user", refusedRateLimitUser
	}
	s.metrics.refuse(reason)
	writeProblem(ctx, RateLimited("too many requests from "+what+"; slow down", max(retry, time.Second)))
	return true
}
