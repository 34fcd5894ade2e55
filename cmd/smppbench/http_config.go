package main

import (
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"time"
)

// Endpoint is the HTTP API endpoint an HTTP run posts to.
type Endpoint uint8

// The endpoints.
const (
	// Single posts one message per request to /v1/messages.
	Single Endpoint = iota
	// Batch posts BatchSize recipients of one text per request to
	// /v1/messages/batch.
	Batch
)

// ParseEndpoint reads "single" or "batch".
func ParseEndpoint(s string) (Endpoint, error) {
	switch s {
	case "single":
		return Single, nil
	case "batch":
		return Batch, nil
	}
	return 0, fmt.Errorf("endpoint %q: want single or batch", s)
}

// String returns "single" or "batch".
func (e Endpoint) String() string {
	if e == Batch {
		return "batch"
	}
	return "single"
}

// path returns the endpoint's URL path.
func (e Endpoint) path() string {
	if e == Batch {
		return "/v1/messages/batch"
	}
	return "/v1/messages"
}

// HTTPConfig describes an HTTP load run for [RunHTTP]. Start from
// [DefaultHTTPConfig].
type HTTPConfig struct {
	// URL is the API's base URL, http://host:port (https works too).
	URL string
	// APIKey is sent as Authorization: Bearer <key>.
	APIKey string
	// Concurrency is the number of workers, each with its own keep-alive
	// connection and one request in flight. Default 16.
	Concurrency int
	// Endpoint is Single (default) or Batch.
	Endpoint Endpoint
	// BatchSize is the recipients per batch request. Default 100; at
	// most 10,000, the API's limit.
	BatchSize int

	// Rate is the total in messages per second (a batch request counts
	// BatchSize), shared by the workers; 0 is flat out.
	Rate float64
	// Duration bounds the run. Default 10 s.
	Duration time.Duration
	// Count, if positive, ends the run after this many messages when that
	// comes first.
	Count int64

	// Mix weighs the texts: a GSM text, a Unicode text or a 400-character
	// text; a batch request carries one kind. Default [DefaultMix].
	Mix Mix
	// Addressing gives the sender and the destinations.
	Addressing Addressing
	// NoDeliveryReport sends "delivery_report": false; by default the
	// member is left out and the API's default (true) applies.
	NoDeliveryReport bool
	// Timeout bounds each request. Default 10 s.
	Timeout time.Duration

	// Progress, if not nil, gets a line of counters every ProgressEvery
	// (default 1 s).
	Progress      io.Writer
	ProgressEvery time.Duration
}

// The defaults of HTTPConfig.
const (
	DefaultConcurrency = 16
	DefaultBatchSize   = 100
	DefaultHTTPTimeout = 10 * time.Second
	// MaxBatchSize is the API's limit on recipients per batch request.
	MaxBatchSize = 10_000
)

// DefaultHTTPConfig returns a configuration with every default filled
// in; set URL and APIKey.
func DefaultHTTPConfig() HTTPConfig {
	return HTTPConfig{
		Concurrency:   DefaultConcurrency,
		BatchSize:     DefaultBatchSize,
		Duration:      DefaultDuration,
		Mix:           DefaultMix(),
		Timeout:       DefaultHTTPTimeout,
		ProgressEvery: DefaultProgressEvery,
	}
}

// withDefaults returns c with zero fields replaced by their defaults.
func (c HTTPConfig) withDefaults() HTTPConfig {
	d := DefaultHTTPConfig()
	if c.Concurrency == 0 {
		c.Concurrency = d.Concurrency
	}
	if c.BatchSize == 0 {
		c.BatchSize = d.BatchSize
	}
	if c.Endpoint == Single {
		c.BatchSize = 1
	}
	if c.Duration == 0 {
		c.Duration = d.Duration
	}
	if c.Mix == (Mix{}) {
		c.Mix = d.Mix
	}
	if c.Timeout == 0 {
		c.Timeout = d.Timeout
	}
	if c.ProgressEvery <= 0 {
		c.ProgressEvery = d.ProgressEvery
	}
	c.Addressing.defaults()
	return c
}

// Validate reports a configuration that cannot run.
func (c HTTPConfig) Validate() error {
	c = c.withDefaults()
	if _, _, err := c.target(); err != nil {
		return err
	}
	switch {
	case c.Concurrency < 1 || c.Concurrency > 10_000:
		return errors.New("concurrency must be from 1 to 10000")
	case c.Endpoint > Batch:
		return errors.New("unknown endpoint")
	case c.BatchSize < 1 || c.BatchSize > MaxBatchSize:
		return fmt.Errorf("batch size must be from 1 to %d", MaxBatchSize)
	case c.Rate < 0:
		return errors.New("negative rate")
	case c.Duration < 0:
		return errors.New("negative duration")
	case c.Count < 0:
		return errors.New("negative count")
	case c.Timeout < 0:
		return errors.New("negative timeout")
	}
	if err := c.Mix.Validate(); err != nil {
		return err
	}
	return c.Addressing.Validate()
}

// target returns the host:port to connect to, whether it is TLS, from
// URL.
func (c HTTPConfig) target() (string, bool, error) {
	u, err := url.Parse(c.URL)
	if err != nil {
		return "", false, fmt.Errorf("url: %w", err)
	}
	port := u.Port()
	switch u.Scheme {
	case "http":
		if port == "" {
			port = "80"
		}
	case "https":
		if port == "" {
			port = "443"
		}
	default:
		return "", false, fmt.Errorf("url %q: want http:// or https://", c.URL)
	}
	if u.Hostname() == "" {
		return "", false, fmt.Errorf("url %q has no host", c.URL)
	}
	if u.Path != "" && u.Path != "/" {
		return "", false, fmt.Errorf("url %q: give the base URL without a path", c.URL)
	}
	return net.JoinHostPort(u.Hostname(), port), u.Scheme == "https", nil
}
