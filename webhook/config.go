package webhook

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"
)

// Config tunes a [Dispatcher]. The zero value of every field means its
// default; negative values are refused by [Config.Validate].
type Config struct {
	// Workers is the number of concurrent posts. Default 64: a post
	// mostly waits on the network, so 64 keep up with thousands of
	// events per second, and HostConcurrency leaves most of them free
	// for other receivers while one is slow.
	Workers int
	// QueueSize bounds the deliveries the dispatcher holds in memory at
	// once: queued, awaiting a retry, or being posted. Beyond it (or
	// beyond AccountQueueSize) a delivery goes to the Outbox, through a
	// buffer of up to QueueSize more waiting to be written; without an
	// Outbox, or with that buffer full too, Enqueue returns ErrBacklog.
	// Default 10,000 (a few MiB of bodies).
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

	// Fair queues and circuit breakers (see doc.go).

	// AccountQueueSize bounds one account's deliveries held in memory, so
	// that the backlog of one account (a receiver slow or down) cannot
	// take the room of the others: beyond it that account's deliveries go
	// to the Outbox (or are refused with ErrBacklog without one). Default
	// a quarter of QueueSize; at most QueueSize.
	AccountQueueSize int
	// HostConcurrency bounds the posts in flight to one receiver (the
	// URL's scheme, host and port), so that a slow receiver holds at most
	// that many workers. Default 16.
	HostConcurrency int
	// AccountConcurrency bounds the posts in flight for one account, so
	// that an account whose callbacks go to several slow receivers still
	// holds at most that many workers. Default a quarter of Workers (at
	// least 1).
	AccountConcurrency int
	// BreakerFailures is how many failed posts in a row to one receiver
	// (no answer within Timeout, a network error, 5xx or 429) open its
	// circuit breaker. While it is open the receiver's deliveries wait:
	// they are not posted and their attempts are not counted. After
	// BreakerCooldown one delivery is posted as a probe: an answer closes
	// the breaker, a failure opens it again for twice as long (at most
	// MaxBackoff). Default 5.
	BreakerFailures int
	// BreakerCooldown is how long a breaker stays open before its probe.
	// Default 30 s.
	BreakerCooldown time.Duration

	// Outbox keeps, in the store, the deliveries memory cannot hold and
	// those pending at Stop, and gives them back later to this dispatcher
	// or another sharing it (see [Outbox]). Nil: none.
	Outbox Outbox
	// SecretOf returns the signing secret for account's callbacks. The
	// Outbox keeps no secrets, so it is asked again for every delivery
	// resumed from there; it must give the secret Enqueue's callers use
	// for the account. Required with an Outbox.
	SecretOf func(ctx context.Context, account int64) (string, error)
	// OutboxLease is how long the dispatcher's claim on deliveries taken
	// from the Outbox lasts; it renews its claims every third of it. When
	// a process dies, its claimed deliveries wait this long before another
	// takes them. Default 2 min.
	OutboxLease time.Duration
}

// Defaults of [Config].
const (
	DefaultWorkers     = 64
	DefaultQueueSize   = 10000
	DefaultMaxAttempts = 8
	DefaultTimeout     = 10 * time.Second
	DefaultFirstRetry  = time.Second
	DefaultMaxBackoff  = 10 * time.Minute

	DefaultHostConcurrency = 16
	DefaultBreakerFailures = 5
	DefaultBreakerCooldown = 30 * time.Second
	DefaultOutboxLease     = 2 * time.Minute
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

		AccountQueueSize:   DefaultQueueSize / 4,
		HostConcurrency:    DefaultHostConcurrency,
		AccountConcurrency: DefaultWorkers / 4,
		BreakerFailures:    DefaultBreakerFailures,
		BreakerCooldown:    DefaultBreakerCooldown,
		OutboxLease:        DefaultOutboxLease,
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
	neg("account queue size", c.AccountQueueSize < 0)
	neg("host concurrency", c.HostConcurrency < 0)
	neg("account concurrency", c.AccountConcurrency < 0)
	neg("breaker failures", c.BreakerFailures < 0)
	neg("breaker cooldown", c.BreakerCooldown < 0)
	neg("outbox lease", c.OutboxLease < 0)
	if err := c.Policy.Validate(); err != nil {
		errs = append(errs, err)
	}
	d := c.withDefaults()
	if d.FirstRetry > d.MaxBackoff {
		errs = append(errs, fmt.Errorf("webhook: first retry %v exceeds max backoff %v", d.FirstRetry, d.MaxBackoff))
	}
	if d.AccountQueueSize > d.QueueSize {
		errs = append(errs, fmt.Errorf("webhook: account queue size %d exceeds queue size %d", d.AccountQueueSize, d.QueueSize))
	}
	if c.Outbox != nil && c.SecretOf == nil {
		errs = append(errs, errors.New("webhook: an outbox needs SecretOf to sign the deliveries it gives back"))
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
	if c.AccountQueueSize == 0 {
		c.AccountQueueSize = max(1, c.QueueSize/4)
	}
	if c.HostConcurrency == 0 {
		c.HostConcurrency = def.HostConcurrency
	}
	if c.AccountConcurrency == 0 {
		c.AccountConcurrency = max(1, c.Workers/4)
	}
	if c.BreakerFailures == 0 {
		c.BreakerFailures = def.BreakerFailures
	}
	if c.BreakerCooldown == 0 {
		c.BreakerCooldown = def.BreakerCooldown
	}
	if c.OutboxLease == 0 {
		c.OutboxLease = def.OutboxLease
	}
	return c
}
