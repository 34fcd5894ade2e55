package api

import (
	"errors"
	"fmt"
	"time"
)

// Config tunes the HTTP server. A zero field takes its default from
// [DefaultConfig]; negative values are refused by [Config.Validate].
type Config struct {
	// MaxBodyBytes bounds the body of POST /v1/messages. Default 64 KiB:
	// the longest text (255 segments of UCS-2, about 17 k characters, as
	// JSON \u escapes) fits with room for the other members.
	MaxBodyBytes int
	// MaxBatchBodyBytes bounds the body of POST /v1/messages/batch and is
	// the server's read limit for any request (larger bodies are refused
	// before they are read). Default 16 MiB: 10,000 messages of about
	// 1.6 KiB each, a long text apiece.
	MaxBatchBodyBytes int
	// ReadTimeout bounds reading one request, headers and body. Default
	// 30s.
	ReadTimeout time.Duration
	// WriteTimeout bounds writing one answer. Default 30s.
	WriteTimeout time.Duration
	// IdleTimeout closes a keep-alive connection idle that long. Default
	// 2m.
	IdleTimeout time.Duration
	// HandlerTimeout bounds the service calls of one request (their
	// context's deadline, which falls up to 1% later). Default 30s, longer
	// than a durable commit under any sane load; when it passes the client
	// gets a backpressure problem.
	HandlerTimeout time.Duration
	// ReadyTimeout bounds the Health.Ready check of /readyz. Default 2s.
	ReadyTimeout time.Duration
	// Concurrency is the most connections served at once; more are
	// refused with 503. Default 10,000.
	Concurrency int
	// MaxConnsPerIP limits connections from one client address; 0 (the
	// default) means no limit.
	MaxConnsPerIP int
	// KeyRate and KeyBurst limit the requests of one API key (per second,
	// and the burst above it); IPRate and IPBurst those of one client
	// address, checked before authentication. Zero rates (the defaults)
	// mean no limit; limits need Deps.Limiter.
	KeyRate  float64
	KeyBurst int
	IPRate   float64
	IPBurst  int
}

// DefaultConfig returns the defaults documented on [Config].
func DefaultConfig() Config {
	return Config{
		MaxBodyBytes:      64 << 10,
		MaxBatchBodyBytes: 16 << 20,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       2 * time.Minute,
		HandlerTimeout:    30 * time.Second,
		ReadyTimeout:      2 * time.Second,
		Concurrency:       10_000,
	}
}

// Validate reports the first invalid field of c.
func (c Config) Validate() error {
	for _, f := range []struct {
		name string
		v    int64
	}{
		{"max_body_bytes", int64(c.MaxBodyBytes)},
		{"max_batch_body_bytes", int64(c.MaxBatchBodyBytes)},
		{"read_timeout", int64(c.ReadTimeout)},
		{"write_timeout", int64(c.WriteTimeout)},
		{"idle_timeout", int64(c.IdleTimeout)},
		{"handler_timeout", int64(c.HandlerTimeout)},
		{"ready_timeout", int64(c.ReadyTimeout)},
		{"concurrency", int64(c.Concurrency)},
		{"max_conns_per_ip", int64(c.MaxConnsPerIP)},
	} {
		if f.v < 0 {
			return fmt.Errorf("api: config: %s must not be negative", f.name)
		}
	}
	if c.KeyRate < 0 || c.IPRate < 0 || c.KeyBurst < 0 || c.IPBurst < 0 {
		return errors.New("api: config: rate limits must not be negative")
	}
	d := c.withDefaults()
	if d.MaxBodyBytes > d.MaxBatchBodyBytes {
		return errors.New("api: config: max_body_bytes must not exceed max_batch_body_bytes")
	}
	return nil
}

// withDefaults returns c with its zero fields set from DefaultConfig.
func (c Config) withDefaults() Config {
	d := DefaultConfig()
	setDefault(&c.MaxBodyBytes, d.MaxBodyBytes)
	setDefault(&c.MaxBatchBodyBytes, d.MaxBatchBodyBytes)
	setDefault(&c.ReadTimeout, d.ReadTimeout)
	setDefault(&c.WriteTimeout, d.WriteTimeout)
	setDefault(&c.IdleTimeout, d.IdleTimeout)
	setDefault(&c.HandlerTimeout, d.HandlerTimeout)
	setDefault(&c.ReadyTimeout, d.ReadyTimeout)
	setDefault(&c.Concurrency, d.Concurrency)
	return c
}

func setDefault[T int | time.Duration](v *T, d T) {
	if *v == 0 {
		*v = d
	}
}
