package throttle

import (
	"errors"
	"fmt"
	"math"
	"sync"
	"sync/atomic"
	"time"
)

// AIMDConfig configures an [AIMD] controller. Zero fields take the
// defaults documented on each; [DefaultAIMDConfig] fills them in.
type AIMDConfig struct {
	// Ceiling is the contracted rate in tokens (segments) per second; the
	// rate never rises above it. Required.
	Ceiling float64

	// Floor is the lowest rate a decrease reaches. Default 1 token/s
	// (docs/smpp.md, "Windows, throttling and back-off"); it must not exceed Ceiling.
	Floor float64

	// Pause is how long the bucket gives no tokens after a throttling
	// answer that causes a decrease. Default 1 s, Kannel's
	// SMPP_THROTTLING_SLEEP_TIME.
	Pause time.Duration

	// Factor multiplies the rate on a decrease. Default 0.5 (halve);
	// must be in (0, 1).
	Factor float64

	// Step is the additive increase in tokens/s after a clean run. Default
	// Ceiling/20, so a halved rate climbs back in ten runs.
	Step float64

	// CleanRun is the number of consecutive clean answers that earn one
	// increase. Default max(10, ceil(Ceiling)): about one second of traffic
	// at the contracted rate, so a halved rate recovers in roughly ten to
	// twenty seconds of clean traffic whatever the TPS.
	CleanRun int
}

// DefaultAIMDConfig returns the configuration for a carrier contracted at
// ceiling tokens per second, with every default filled in.
func DefaultAIMDConfig(ceiling float64) AIMDConfig {
	return AIMDConfig{Ceiling: ceiling}.withDefaults()
}

// withDefaults fills zero fields.
func (c AIMDConfig) withDefaults() AIMDConfig {
	if c.Floor == 0 {
		c.Floor = math.Min(1, c.Ceiling)
	}
	if c.Pause == 0 {
		c.Pause = time.Second
	}
	if c.Factor == 0 {
		c.Factor = 0.5
	}
	if c.Step == 0 {
		c.Step = c.Ceiling / 20
	}
	if c.CleanRun == 0 && c.Ceiling > 0 && c.Ceiling <= MaxRate {
		c.CleanRun = max(10, int(math.Ceil(c.Ceiling)))
	}
	return c
}

// Validate reports the first invalid field of c after defaults.
func (c AIMDConfig) Validate() error {
	c = c.withDefaults()
	switch {
	case !(c.Ceiling > 0 && c.Ceiling <= MaxRate):
		return fmt.Errorf("aimd ceiling: %w: %v tokens/s", ErrInvalidRate, c.Ceiling)
	case !(c.Floor > 0 && c.Floor <= c.Ceiling):
		return fmt.Errorf("aimd floor: %w: %v not in (0, ceiling %v]", ErrInvalidRate, c.Floor, c.Ceiling)
	case c.Pause < 0:
		return fmt.Errorf("throttle: aimd pause %v is negative", c.Pause)
	case !(c.Factor > 0 && c.Factor < 1):
		return fmt.Errorf("throttle: aimd factor %v not in (0, 1)", c.Factor)
	case !(c.Step > 0 && c.Step <= c.Ceiling):
		return fmt.Errorf("throttle: aimd step %v not in (0, ceiling %v]", c.Step, c.Ceiling)
	case c.CleanRun < 1:
		return fmt.Errorf("throttle: aimd clean run %d is below 1", c.CleanRun)
	}
	return nil
}

// AIMD adapts a carrier bind's [TokenBucket] to the carrier's throttling
// answers, additive increase / multiplicative decrease as in TCP congestion
// control (docs/smpp.md, "Windows, throttling and back-off"):
//
//   - On a throttling answer (ESME_RTHROTTLED 0x58, ESME_RMSGQFUL 0x14, or a
//     generic_nack carrying either) the bind calls [AIMD.Throttled]: the
//     bucket is paused for Pause (no tokens, then refill at the rate with no
//     burst) and the rate is multiplied by Factor, not below Floor.
//   - At most one decrease per pause: answers that arrive while the pause
//     of the last decrease is running belong to requests sent before it, so
//     they neither decrease again nor extend the pause. A full window of
//     throttled answers therefore halves the rate once, not window times.
//   - Every other answer that reached the carrier is clean ([AIMD.Success]);
//     after CleanRun consecutive clean answers the rate grows by Step, up to
//     Ceiling. A throttling answer restarts the run, and a run completed
//     while a pause is running earns nothing.
//
// It is safe to call every method from concurrently running goroutines;
// Success, the per-answer call, is an atomic add except once per run.
type AIMD struct {
	b   *TokenBucket
	cfg AIMDConfig

	clean atomic.Int64 // consecutive clean answers in the current run

	mu        sync.Mutex
	rate      float64 // guarded by mu; the rate set on b
	calmAt    int64   // guarded by mu; end of the last decrease's pause, on b's clock
	backoffs  atomic.Int64
	increases atomic.Int64
}

// NewAIMD returns a controller for b that starts b at cfg.Ceiling. b keeps
// its burst; set it to what the carrier tolerates (often 1 for a strict
// per-second cap).
func NewAIMD(b *TokenBucket, cfg AIMDConfig) (*AIMD, error) {
	if b == nil {
		return nil, errors.New("throttle: aimd needs a bucket")
	}
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cfg = cfg.withDefaults()
	if err := b.SetRate(cfg.Ceiling); err != nil {
		return nil, fmt.Errorf("aimd ceiling: %w", err)
	}
	return &AIMD{b: b, cfg: cfg, rate: cfg.Ceiling, calmAt: math.MinInt64}, nil
}

// Throttled records a throttling answer. If no decrease's pause is running
// it pauses the bucket and lowers the rate. It returns the time until the
// pause ends: Pause after a decrease, what is left of the running pause
// otherwise.
func (a *AIMD) Throttled() time.Duration {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.clean.Store(0)
	now := a.b.Now()
	if now < a.calmAt {
		return time.Duration(a.calmAt - now)
	}
	rate := max(a.rate*a.cfg.Factor, a.cfg.Floor)
	if rate != a.rate && a.b.SetRate(rate) == nil {
		a.rate = rate
	}
	a.b.Pause(a.cfg.Pause)
	a.calmAt = now + int64(a.cfg.Pause)
	a.backoffs.Add(1)
	return a.cfg.Pause
}

// Success records a clean answer and raises the rate by Step for every
// CleanRun of them in a row.
func (a *AIMD) Success() {
	run := int64(a.cfg.CleanRun)
	if a.clean.Add(1) < run {
		return
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	// Take every complete run, including those completed by callers still
	// queued on the lock: none is counted twice or lost. A run completed
	// during a pause is spent without an increase: its answers are for
	// requests sent before the throttling, and raising the rate would
	// shorten the running pause (SetRate converts it with the debt).
	calm := a.b.Now() >= a.calmAt
	for a.clean.Load() >= run {
		a.clean.Add(-run)
		if !calm || a.rate >= a.cfg.Ceiling {
			continue
		}
		rate := min(a.rate+a.cfg.Step, a.cfg.Ceiling)
		if a.b.SetRate(rate) == nil {
			a.rate = rate
			a.increases.Add(1)
		}
	}
}

// Rate returns the rate the controller has set on the bucket.
func (a *AIMD) Rate() float64 {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.rate
}

// AIMDStats counts an [AIMD]'s adjustments, for metrics.
type AIMDStats struct {
	Rate      float64 // current rate, tokens/s
	Backoffs  int64   // throttling answers that paused the bucket (and lowered the rate unless at Floor)
	Increases int64   // clean runs that raised the rate
}

// Stats returns the controller's current rate and counters.
func (a *AIMD) Stats() AIMDStats {
	return AIMDStats{Rate: a.Rate(), Backoffs: a.backoffs.Load(), Increases: a.increases.Load()}
}
