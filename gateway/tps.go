package gateway

import (
	"context"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/gallant-sms/gallant/router"
	"github.com/gallant-sms/gallant/throttle"
)

// Carrier TPS across instances (docs/operations.md, "Carrier TPS across
// instances"). A carrier's TPS is a budget for the platform: with Redis,
// each carrier with a TPS has a throttle.Shared budget keyed by its name,
// which every instance's binds of that carrier draw from, in leases of
// 20 ms of the TPS, before their own token bucket (the bind's share of
// the TPS, which keeps smoothing each bind). While Redis does not answer,
// each instance sends at the TPS divided by the live instances (the
// store's node leases, counted every instancesRefresh).

// instancesRefresh is how often the live instances are counted: a
// fallback share is at most this stale after an instance starts or stops.
const instancesRefresh = 10 * time.Second

// liveInstances is the cached count of live instances, at least 1.
type liveInstances struct{ n atomic.Int64 }

func (l *liveInstances) get() int { return int(max(l.n.Load(), 1)) }

// LiveInstances returns the number of live instances on the store (at
// least 1) as last counted: a carrier's TPS is divided by it while Redis
// does not answer (and routes[].sender_tps likewise). It is counted at
// Start and every 10 s when the gateway has Redis, and 1 otherwise.
func (s *Service) LiveInstances() int { return s.live.get() }

// countInstances refreshes s.live from the store; a failing store keeps
// the last count.
func (s *Service) countInstances() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	n, err := s.st.LiveInstances(ctx)
	if err != nil {
		s.log.Warn("counting live instances for the carrier TPS fallback share", "err", err)
		return
	}
	s.live.n.Store(int64(n))
}

// newBudgets makes the shared budget of every carrier with a TPS, under
// r's prefix; the caller closes them (closeBudgets).
func (s *Service) newBudgets(r *throttle.Redis) error {
	for _, c := range s.carrierList() {
		if err := c.newBudget(r); err != nil {
			s.closeBudgets()
			return err
		}
	}
	return nil
}

// newBudget makes c's shared budget when it has a TPS.
func (c *carrier) newBudget(r *throttle.Redis) error {
	if c.cfg.TPS <= 0 {
		return nil
	}
	b, err := throttle.NewShared(r, throttle.SharedConfig{
		Key: "carrier:" + c.cfg.Name, Rate: c.cfg.TPS,
		Instances: c.s.live.get, Logger: c.s.log.With("carrier", c.cfg.Name),
	})
	if err != nil {
		return err
	}
	c.budget = b
	return nil
}

// closeBudgets stops every carrier's budget (idempotent).
func (s *Service) closeBudgets() {
	for _, c := range s.carrierList() {
		c.closeBudget()
	}
}

// closeBudget stops c's budget (idempotent).
func (c *carrier) closeBudget() {
	if c.budget != nil {
		c.budget.Close()
	}
}

// newCarrierLimiter is the router's NewCarrierLimiter: the bind's token
// bucket, behind the carrier's shared budget when it has one.
func (s *Service) newCarrierLimiter(carrier string, perSecond float64) router.Limiter {
	l := newBindLimiter(perSecond).(bucketLimiter)
	if c := s.carrierNamed(carrier); c != nil && c.budget != nil {
		return sharedLimiter{l, c.budget}
	}
	return l
}

// sharedLimiter paces one bind: a token from the carrier's shared budget,
// then one from the bind's bucket. AIMD (SetRate) acts on the bucket.
type sharedLimiter struct {
	bucketLimiter
	budget *throttle.Shared
}

// Wait implements router.Limiter.
func (l sharedLimiter) Wait(ctx context.Context) error {
	if err := l.budget.Wait(ctx); err != nil {
		return err // ctx's, or ErrClosed: only after the router stopped
	}
	return l.bucketLimiter.Wait(ctx)
}

// registerBudgetMetrics exports each shared budget's mode and counters.
func (s *Service) registerBudgetMetrics(reg prometheus.Registerer) {
	for _, c := range s.carrierList() {
		c.registerBudgetMetrics(reg)
	}
	reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{Namespace: "gallant_gateway", Name: "live_instances",
		Help: "Live instances on the store (node leases), which a carrier's TPS is divided by while Redis does not answer."},
		func() float64 { return float64(s.live.get()) }))
}

// registerBudgetMetrics exports c's budget's mode and counters, when it
// has a budget; unregisterBudgetMetrics takes them away.
func (c *carrier) registerBudgetMetrics(reg prometheus.Registerer) {
	b := c.budget
	if b == nil || reg == nil {
		return
	}
	labels := prometheus.Labels{"carrier": c.cfg.Name}
	c.budgetMetrics = []prometheus.Collector{
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Namespace: "gallant_gateway", Name: "carrier_tps_shared",
			Help:        "1 while the carrier's TPS is a budget shared by every instance through Redis, 0 while this instance sends at its share (TPS / live instances) because Redis does not answer.",
			ConstLabels: labels},
			func() float64 {
				if b.Stats().Local {
					return 0
				}
				return 1
			}),
		prometheus.NewCounterFunc(prometheus.CounterOpts{Namespace: "gallant_gateway", Name: "carrier_tps_fallbacks_total",
			Help:        "Times the carrier's shared TPS budget fell back to this instance's share because Redis failed or timed out.",
			ConstLabels: labels},
			func() float64 { return float64(b.Stats().Fallbacks) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{Namespace: "gallant_gateway", Name: "carrier_tps_leases_total",
			Help:        "Leases of the carrier's TPS budget booked in Redis (one round trip each, 20 ms of the TPS).",
			ConstLabels: labels},
			func() float64 { return float64(b.Stats().Leases) }),
	}
	for _, k := range c.budgetMetrics {
		if err := reg.Register(k); err != nil {
			c.s.log.Warn("carrier tps budget metrics", "carrier", c.cfg.Name, "err", err)
		}
	}
}

func (c *carrier) unregisterBudgetMetrics(reg prometheus.Registerer) {
	if reg == nil {
		return
	}
	for _, k := range c.budgetMetrics {
		reg.Unregister(k)
	}
}
