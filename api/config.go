package api

import (
	"crypto/tls"
	"errors"
	"fmt"
	"net/netip"
	"time"

	"github.com/gallant-sms/gallant/internal/cidr"
)

// Config tunes the HTTP server. A zero field takes its default from
// [DefaultConfig]; negative values are refused by [Config.Validate]
// unless a field says otherwise.
type Config struct {
	// MaxBodyBytes bounds the body of an authenticated request (POST
	// /v1/messages and every management route). Default 64 KiB: the
	// longest text (255 segments of UCS-2, about 17 k characters, as JSON
	// \u escapes) fits with room for the other members.
	MaxBodyBytes int
	// MaxBatchBodyBytes bounds the body of an authenticated POST
	// /v1/messages/batch. Default 16 MiB: 10,000 messages of about
	// 1.6 KiB each, a long text apiece.
	MaxBatchBodyBytes int
	// MaxImportBodyBytes bounds the body of an authenticated POST
	// /v1/contacts/imports. Default 128 MiB: a CSV of 1,000,000 contacts
	// is 60 to 100 MB. fasthttp receives the body in memory (within
	// ReadTimeout) before the handler spools it to a file that the import
	// job reads, so each upload in flight costs up to this much memory.
	MaxImportBodyBytes int
	// MaxImportUploads bounds the contact import uploads received at once
	// (each held in memory up to MaxImportBodyBytes until spooled): one
	// more is given MaxBodyBytes, so its large body is answered 413.
	// Default 2.
	MaxImportUploads int
	// MaxUnauthenticatedBodyBytes bounds the body of a request that does
	// not carry valid credentials: the /v1/auth/* routes and any request
	// whose key or session fails. Default 16 KiB (or MaxBodyBytes if that
	// is smaller). Every limit applies
	// when the request's headers have been read, before its body is:
	// a larger body is refused with 413 unread (see [Server] for how).
	MaxUnauthenticatedBodyBytes int
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
	// Concurrency is the most connections open at once; more are answered
	// 503 and closed as they arrive. Default 10,000.
	Concurrency int
	// MaxConnsPerIP limits the connections open at once from one client
	// address (an IPv6 client by its /64, which one host commonly owns
	// whole); more are answered 429 and closed as they arrive. Trusted
	// proxies are exempt: they carry many clients. Default 128; -1 means
	// no limit.
	MaxConnsPerIP int
	// TrustedProxies lists the addresses and networks (CIDR) of the
	// reverse proxies and load balancers in front of the server. Only a
	// request from one of them has its X-Forwarded-For read: the client is
	// then the right-most address in it that is not a trusted proxy. Empty
	// (the default): the client is always the connection's peer.
	TrustedProxies []string
	// TLS, when set, serves HTTPS with it on every listener given to
	// [Server.Serve]; it must hold a certificate and allow nothing older
	// than TLS 1.2. Nil serves plain HTTP.
	TLS *tls.Config
	// SignupOpen tells signed-out clients (GET /v1/auth/config) that
	// sign-up is open: auth.open_registration is on and the gateway can
	// mail the verification link. It changes no route's behaviour.
	SignupOpen bool
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
		MaxBodyBytes:                64 << 10,
		MaxBatchBodyBytes:           16 << 20,
		MaxImportBodyBytes:          128 << 20,
		MaxImportUploads:            2,
		MaxUnauthenticatedBodyBytes: 16 << 10,
		ReadTimeout:                 30 * time.Second,
		WriteTimeout:                30 * time.Second,
		IdleTimeout:                 2 * time.Minute,
		HandlerTimeout:              30 * time.Second,
		ReadyTimeout:                2 * time.Second,
		Concurrency:                 10_000,
		MaxConnsPerIP:               128,
	}
}

// Validate reports the first invalid field of c.
func (c Config) Validate() error {
	for _, f := range []struct {
		name string
		v    int64
	}{
		{"max_body", int64(c.MaxBodyBytes)},
		{"max_batch_body", int64(c.MaxBatchBodyBytes)},
		{"max_import_body", int64(c.MaxImportBodyBytes)},
		{"max_import_uploads", int64(c.MaxImportUploads)},
		{"max_unauthenticated_body", int64(c.MaxUnauthenticatedBodyBytes)},
		{"read_timeout", int64(c.ReadTimeout)},
		{"write_timeout", int64(c.WriteTimeout)},
		{"idle_timeout", int64(c.IdleTimeout)},
		{"handler_timeout", int64(c.HandlerTimeout)},
		{"ready_timeout", int64(c.ReadyTimeout)},
		{"concurrency", int64(c.Concurrency)},
	} {
		if f.v < 0 {
			return fmt.Errorf("api: config: %s must not be negative", f.name)
		}
	}
	if c.MaxConnsPerIP < -1 {
		return errors.New("api: config: max_conns_per_ip must be -1 (no limit), 0 (the default) or more")
	}
	if c.KeyRate < 0 || c.IPRate < 0 || c.KeyBurst < 0 || c.IPBurst < 0 {
		return errors.New("api: config: rate limits must not be negative")
	}
	d := c.withDefaults()
	if d.MaxBodyBytes > d.MaxBatchBodyBytes {
		return errors.New("api: config: max_body must not exceed max_batch_body")
	}
	if d.MaxUnauthenticatedBodyBytes > d.MaxBodyBytes {
		return errors.New("api: config: max_unauthenticated_body must not exceed max_body")
	}
	if _, err := parseTrusted(c.TrustedProxies); err != nil {
		return err
	}
	if c.TLS != nil {
		if len(c.TLS.Certificates) == 0 && c.TLS.GetCertificate == nil && c.TLS.GetConfigForClient == nil {
			return errors.New("api: config: TLS has no certificate")
		}
		if c.TLS.MinVersion < tls.VersionTLS12 {
			return errors.New("api: config: TLS must not allow versions before 1.2")
		}
	}
	return nil
}

// withDefaults returns c with its zero fields set from DefaultConfig.
func (c Config) withDefaults() Config {
	d := DefaultConfig()
	setDefault(&c.MaxBodyBytes, d.MaxBodyBytes)
	setDefault(&c.MaxBatchBodyBytes, d.MaxBatchBodyBytes)
	setDefault(&c.MaxImportBodyBytes, d.MaxImportBodyBytes)
	setDefault(&c.MaxImportUploads, d.MaxImportUploads)
	setDefault(&c.MaxUnauthenticatedBodyBytes, min(d.MaxUnauthenticatedBodyBytes, c.MaxBodyBytes))
	setDefault(&c.ReadTimeout, d.ReadTimeout)
	setDefault(&c.WriteTimeout, d.WriteTimeout)
	setDefault(&c.IdleTimeout, d.IdleTimeout)
	setDefault(&c.HandlerTimeout, d.HandlerTimeout)
	setDefault(&c.ReadyTimeout, d.ReadyTimeout)
	setDefault(&c.Concurrency, d.Concurrency)
	setDefault(&c.MaxConnsPerIP, d.MaxConnsPerIP)
	return c
}

func setDefault[T int | time.Duration](v *T, d T) {
	if *v == 0 {
		*v = d
	}
}

// parseTrusted parses TrustedProxies: addresses (a host's /32 or /128)
// and CIDR networks.
func parseTrusted(list []string) ([]netip.Prefix, error) {
	out, err := cidr.ParseList(list)
	if err != nil {
		return nil, fmt.Errorf("api: config: trusted_proxies: %w", err)
	}
	return out, nil
}
