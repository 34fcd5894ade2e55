package router

import (
	"errors"
	"fmt"
	"math"
	"time"
)

// Config configures a Router. Zero fields take the defaults documented
// on each; DefaultConfig returns them filled in.
type Config struct {
	// Carriers are the carriers the routes may name, each with its binds.
	Carriers []Carrier
	// Routes is the default route plan, used for destinations the
	// account's plan has no route for.
	Routes []Route
	// AccountRoutes holds per-account route plans, by account id. A
	// destination matching any route of its account's plan uses that
	// plan; otherwise the default plan.
	AccountRoutes map[int64][]Route

	// Shards is the number of shard goroutines, rounded up to a power of
	// two; 0 means runtime.GOMAXPROCS(0) (one per core: a shard does
	// little work per segment, so more only adds wake-ups).
	Shards int
	// MaxAttempts bounds the attempts of a segment on one carrier that
	// end in a Temporary failure or a lost connection; the next such
	// failure fails the segment. 0 means 5.
	MaxAttempts int
	// BackoffMin is the delay before the first retry after a Temporary
	// failure; each further retry doubles it, up to BackoffMax, plus up
	// to a quarter of random jitter. 0 means 1 s and 1 min.
	BackoffMin, BackoffMax time.Duration
	// ThrottlePause is how long a bind sends nothing after a Throttled
	// answer (Kannel and the SMPP guidance use 1 s). 0 means 1 s.
	ThrottlePause time.Duration
	// BindPoll is how often an idle bind that is not bound looks at
	// Sender.Bound again, and the longest a busy bind waits for a
	// completion before trying Submit again. 0 means 100 ms.
	BindPoll time.Duration
	// NewLimiter makes the Limiter of one bind, at its share of the
	// carrier's TPS; it is called once per bind by New. nil means a
	// built-in limiter (a GCRA with 10 ms of burst); the gateway passes
	// package throttle's constructor here.
	NewLimiter func(perSecond float64) Limiter
	// NewCarrierLimiter, when set, is used instead of NewLimiter and is
	// also told the carrier's name, so that the binds of one carrier can
	// draw from a budget of that carrier (the gateway's TPS shared by
	// every instance through Redis).
	NewCarrierLimiter func(carrier string, perSecond float64) Limiter
	// SenderLimiter hands out the per-sender slots of routes with a
	// SenderTPS; nil keeps them in process (the gateway passes one shared
	// through Redis when it has Redis).
	SenderLimiter SenderLimiter
	// BuyRates are the carriers' buy rates by carrier name, which
	// least-cost routes compare; Router.SetBuyRates replaces them while
	// the router runs. Nil: no rates, and least-cost routes draw by
	// weight alone.
	BuyRates map[string][]BuyRate
	// Seed seeds the weighted choice among carriers of equal priority
	// and the retry jitter. Equal seeds give equal choices for equal
	// message ids, which tests rely on.
	Seed uint64
}

// Carrier is one carrier and its binds.
type Carrier struct {
	// Name identifies the carrier in routes, metrics and the Recorder.
	Name string
	// TPS is the carrier's contracted rate in segments per second,
	// split evenly over its binds; 0 means unlimited.
	TPS float64
	// Binds are the carrier's binds, added by the gateway; at least one.
	Binds []Sender
	// QueueSize bounds the segments assigned to the carrier and not yet
	// answered (queued, waiting for a retry or in flight); Dispatch
	// answers ErrBackpressure beyond it. 0 means ten seconds of TPS, at
	// least 1,000 (or 10,000 when TPS is unlimited): enough to ride out a
	// bind reconnecting without turning customers away, while bounding
	// memory to a few hundred bytes per segment.
	QueueSize int
}

// Route sends destinations starting with Prefix to Carriers.
type Route struct {
	// Prefix is E.164 digits (a leading '+' is ignored). The longest
	// matching prefix wins; "" matches every destination.
	Prefix string
	// Carriers are the choices: the lowest Priority value first, ties
	// shared by Weight.
	Carriers []Choice
	// LeastCost, among the carriers of the best available priority,
	// tries the one with the lowest buy rate for the destination first
	// (see Config.BuyRates; ties shared by Weight, carriers without a
	// rate after every priced one). Failover still goes by priority.
	LeastCost bool
	// SenderTPS limits each source address to this many segments per
	// second on this route (carriers' per-number rules, e.g. 1 for a US
	// long code), shared through Config.SenderLimiter; 0 means no limit.
	// Segments over it wait in the queue; they are not refused.
	SenderTPS float64
}

// Choice is one carrier of a route.
type Choice struct {
	// Carrier names one of Config.Carriers.
	Carrier string
	// Priority orders choices: lower values are tried first; higher ones
	// only when every lower one is excluded by a permanent failure or has
	// no bound bind.
	Priority int
	// Weight shares traffic among choices of equal priority; 0 means 1.
	Weight int
}

// Defaults applied by DefaultConfig and New.
const (
	defaultMaxAttempts   = 5
	defaultBackoffMin    = time.Second
	defaultBackoffMax    = time.Minute
	defaultThrottlePause = time.Second
	defaultBindPoll      = 100 * time.Millisecond
	maxShards            = 1024
	maxPrefixDigits      = 15 // E.164
	maxChoices           = 64 // carriers per route: a bit mask in pick
)

// DefaultConfig returns a Config with every default filled in and no
// carriers or routes.
func DefaultConfig() Config {
	var c Config
	c.setDefaults()
	return c
}

// setDefaults fills zero fields of c.
func (c *Config) setDefaults() {
	if c.MaxAttempts == 0 {
		c.MaxAttempts = defaultMaxAttempts
	}
	if c.BackoffMin == 0 {
		c.BackoffMin = defaultBackoffMin
	}
	if c.BackoffMax == 0 {
		c.BackoffMax = defaultBackoffMax
	}
	if c.ThrottlePause == 0 {
		c.ThrottlePause = defaultThrottlePause
	}
	if c.BindPoll == 0 {
		c.BindPoll = defaultBindPoll
	}
}

// queueSize returns the configured or default queue bound of c.
func (c *Carrier) queueSize() int {
	if c.QueueSize > 0 {
		return c.QueueSize
	}
	if c.TPS == 0 {
		return 10_000
	}
	return max(1000, int(math.Min(c.TPS*10, 1<<30)))
}

// Validate reports every problem in c: carriers without a name, binds or
// a sane TPS, duplicate carriers, bad routes (unknown carriers, prefixes
// that are not digits, duplicate prefixes in one plan, routes without
// carriers) and negative settings.
func (c *Config) Validate() error {
	var errs []error
	names := make(map[string]bool, len(c.Carriers))
	for i, cr := range c.Carriers {
		switch {
		case cr.Name == "":
			errs = append(errs, fmt.Errorf("carrier %d: empty name", i))
		case names[cr.Name]:
			errs = append(errs, fmt.Errorf("carrier %q: defined twice", cr.Name))
		}
		names[cr.Name] = true
		if cr.TPS < 0 || math.IsNaN(cr.TPS) || math.IsInf(cr.TPS, 0) {
			errs = append(errs, fmt.Errorf("carrier %q: tps %v must be a finite number >= 0", cr.Name, cr.TPS))
		}
		if cr.QueueSize < 0 {
			errs = append(errs, fmt.Errorf("carrier %q: queue size %d is negative", cr.Name, cr.QueueSize))
		}
		if len(cr.Binds) == 0 {
			errs = append(errs, fmt.Errorf("carrier %q: no binds", cr.Name))
		}
		for j, b := range cr.Binds {
			if b == nil {
				errs = append(errs, fmt.Errorf("carrier %q: bind %d is nil", cr.Name, j))
			}
		}
	}
	errs = append(errs, validatePlan("default plan", c.Routes, names)...)
	idx := make(map[string]int32, len(names))
	for n := range names {
		idx[n] = 0
	}
	if err := validateRates(c.BuyRates, idx); err != nil {
		errs = append(errs, err)
	}
	for acct, plan := range c.AccountRoutes {
		errs = append(errs, validatePlan(fmt.Sprintf("account %d plan", acct), plan, names)...)
	}
	if c.Shards < 0 || c.Shards > maxShards {
		errs = append(errs, fmt.Errorf("shards %d not in 0..%d", c.Shards, maxShards))
	}
	if c.MaxAttempts < 0 {
		errs = append(errs, fmt.Errorf("max attempts %d is negative", c.MaxAttempts))
	}
	if c.BackoffMin < 0 || c.BackoffMax < 0 || c.ThrottlePause < 0 || c.BindPoll < 0 {
		errs = append(errs, errors.New("durations must not be negative"))
	}
	if c.BackoffMin > 0 && c.BackoffMax > 0 && c.BackoffMin > c.BackoffMax {
		errs = append(errs, fmt.Errorf("backoff min %v above max %v", c.BackoffMin, c.BackoffMax))
	}
	if len(errs) > 0 {
		return fmt.Errorf("router: invalid config: %w", errors.Join(errs...))
	}
	return nil
}

// validatePlan checks one route plan against the known carrier names.
func validatePlan(what string, plan []Route, carriers map[string]bool) []error {
	var errs []error
	seen := make(map[string]bool, len(plan))
	for _, rt := range plan {
		p, ok := normalizePrefix(rt.Prefix)
		if !ok {
			errs = append(errs, fmt.Errorf("%s: prefix %q is not up to %d E.164 digits", what, rt.Prefix, maxPrefixDigits))
			continue
		}
		if seen[p] {
			errs = append(errs, fmt.Errorf("%s: prefix %q listed twice", what, rt.Prefix))
		}
		seen[p] = true
		if len(rt.Carriers) == 0 {
			errs = append(errs, fmt.Errorf("%s: prefix %q has no carriers", what, rt.Prefix))
		}
		if len(rt.Carriers) > maxChoices {
			errs = append(errs, fmt.Errorf("%s: prefix %q has %d carriers, more than %d", what, rt.Prefix, len(rt.Carriers), maxChoices))
		}
		if rt.SenderTPS < 0 || math.IsNaN(rt.SenderTPS) || math.IsInf(rt.SenderTPS, 0) {
			errs = append(errs, fmt.Errorf("%s: prefix %q: sender tps %v must be a finite number >= 0", what, rt.Prefix, rt.SenderTPS))
		}
		chosen := make(map[string]bool, len(rt.Carriers))
		for _, ch := range rt.Carriers {
			switch {
			case !carriers[ch.Carrier]:
				errs = append(errs, fmt.Errorf("%s: prefix %q names unknown carrier %q", what, rt.Prefix, ch.Carrier))
			case chosen[ch.Carrier]:
				errs = append(errs, fmt.Errorf("%s: prefix %q lists carrier %q twice", what, rt.Prefix, ch.Carrier))
			}
			chosen[ch.Carrier] = true
			if ch.Weight < 0 {
				errs = append(errs, fmt.Errorf("%s: prefix %q: carrier %q has negative weight %d", what, rt.Prefix, ch.Carrier, ch.Weight))
			}
		}
	}
	return errs
}

// normalizePrefix strips a leading '+' and reports whether the rest is
// at most maxPrefixDigits decimal digits.
func normalizePrefix(p string) (string, bool) {
	if len(p) > 0 && p[0] == '+' {
		p = p[1:]
	}
	if len(p) > maxPrefixDigits {
		return "", false
	}
	for i := 0; i < len(p); i++ {
		if p[i] < '0' || p[i] > '9' {
			return "", false
		}
	}
	return p, true
}
