package gateway

import (
	"context"
	"math"
	"time"

	"github.com/gallant-sms/gallant/router"
	"github.com/gallant-sms/gallant/throttle"
)

// senderBacklog is how far ahead a source address's slots may be booked
// (routes[].sender_tps): an hour of its rate. A sender further behind is
// told to ask again later rather than given a slot.
const senderBacklog = time.Hour

// senderLimiter is the router's SenderLimiter shared by every instance:
// each source address's slots on a route are a GCRA bucket in Redis
// (through the account limiter's Fallback, so a Redis outage falls back
// to in-process slots). A slot is booked by taking one token from a
// bucket as deep as the backlog: the wait is how far the bucket was
// already ahead of now.
//
// While Redis does not answer, the Fallback gives each instance its share
// of the rate (the rate divided by instances(), see tps.go), and the slot
// is computed at that rate.
type senderLimiter struct {
	l         rateLimiter
	instances func() int // nil: 1
}

var _ router.SenderLimiter = senderLimiter{}

// Reserve implements router.SenderLimiter.
func (s senderLimiter) Reserve(route, sender string, perSecond float64) (time.Duration, bool, error) {
	burst := max(int(perSecond*senderBacklog.Seconds()), 1)
	r, err := s.l.Allow(context.Background(), "sender:"+route+":"+sender, perSecond, burst, 1)
	if err != nil {
		return 0, false, err
	}
	if !r.Allowed {
		return r.RetryAfter, false, nil
	}
	rate := perSecond
	if r.Source == throttle.SourceLocal && s.instances != nil {
		rate /= float64(max(s.instances(), 1))
	}
	interval := time.Duration(math.Round(1e9 / rate))
	return max(r.ResetAfter-interval, 0), true, nil
}
