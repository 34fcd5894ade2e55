package webhook

import (
	"errors"
	"fmt"
	"net/http"
	"time"
)

// Config tunes a [Dispatcher]. The zero value of every field means its
// default; negative values are refused by [Config.Validate].
type Config struct {
	// Workers is the number of concurrent posts. Default 16: a post
	// mostly waits on the network, so 16 keep up with thousands of
	// events per second to receivers answering in a few milliseconds,
	// while bounding the connections the gateway opens.
	Workers int
	// QueueSize bounds the deliveries the dispatcher holds at once:
	// queued, awaiting a retry, or being posted. Enqueue beyond it
	// returns ErrBacklog. Default 10,000 (a few MiB of bodies).
	QueueSize int
	// MaxAttempts is how many times one delivery is posted before it is
	// given up. Default 8: with the default back-off the last attempt
	// comes about two minutes after the first.
	MaxAttempts int
	// Timeout bounds one attempt, from dialling to reading the answer.
	// Default 10 s.
	Timeout time.Duration
	// FirstRetry is the delay before the second attempt; each later one
	// doubles it, up to MaxBackoff. Every delay is shortened by a random
	// 0-20% so that deliveries failed together do not retry together.
	// Default 1 s.
	FirstRetry time.Duration
	// MaxBackoff caps the delay between attempts, and a receiver's
	// Retry-After. Default 10 min.
	MaxBackoff time.Duration
	// Policy says which addresses callbacks may go to; the zero value
	// allows public addresses only. Enqueue checks a delivery's URL
	// without a DNS lookup ([Guard.CheckURL]) and the dispatcher's own
	// Transport checks every address it connects to, after resolution.
	Policy AddressPolicy
	// Transport sends the requests. Nil means a Transport tuned for many
	// hosts that enforces Policy when it connects (see
	// [Guard.NewTransport]), owned and closed by the dispatcher. A
	// Transport given here is used as it is: only Enqueue's check of
	// the URL applies.
	Transport http.RoundTripper
}

// Defaults of [Config].
const (
	DefaultWorkers     = 16
	DefaultQueueSize   = 10000
	DefaultMaxAttempts = 8
	DefaultTimeout     = 10 * time.Second
	DefaultFirstRetry  = time.Second
	DefaultMaxBackoff  = 10 * time.Minute
)

// DefaultConfig returns a Config with every default filled in.
func DefaultConfig() Config {
	return Config{
		Workers:     DefaultWorkers,
		QueueSize:   DefaultQueueSize,
		MaxAttempts: DefaultMaxAttempts,
		Timeout:     DefaultTimeout,
		FirstRetry:  DefaultFirstRetry,
		MaxBackoff:  DefaultMaxBackoff,
	}
}

// Validate reports every field with a value out of range.
func (c Config) Validate() error {
	var errs []error
	neg := func(name string, bad bool) {
		if bad {
			errs = append(errs, fmt.Errorf("webhook: %s must not be negative", name))
		}
	}
	neg("workers", c.Workers < 0)
	neg("queue size", c.QueueSize < 0)
	neg("max attempts", c.MaxAttempts < 0)
	neg("timeout", c.Timeout < 0)
	neg("first retry", c.FirstRetry < 0)
	neg("max backoff", c.MaxBackoff < 0)
	if err := c.Policy.Validate(); err != nil {
		errs = append(errs, err)
	}
	d := c.withDefaults()
	if d.FirstRetry > d.MaxBackoff {
		errs = append(errs, fmt.Errorf("webhook: first retry %v exceeds max backoff %v", d.FirstRetry, d.MaxBackoff))
	}
	return errors.Join(errs...)
}

// withDefaults returns c with zero fields set to their defaults.
func (c Config) withDefaults() Config {
	def := DefaultConfig()
	if c.Workers == 0 {
		c.Workers = def.Workers
	}
	if c.QueueSize == 0 {
		c.QueueSize = def.QueueSize
	}
	if c.MaxAttempts == 0 {
		c.MaxAttempts = def.MaxAttempts
	}
	if c.Timeout == 0 {
		c.Timeout = def.Timeout
	}
	if c.FirstRetry == 0 {
		c.FirstRetry = def.FirstRetry
	}
	if c.MaxBackoff == 0 {
		c.MaxBackoff = def.MaxBackoff
	}
	return c
}
