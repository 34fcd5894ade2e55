// Package config is the gallant binary's configuration file: its YAML
// schema, defaults, GALLANT_ environment overrides and validation
// ([Load]), and its conversion to the configuration of each package it
// configures ([Config.Gateway], [HTTPConfig.API], [Config.Users], ...).
// Only cmd/gallant imports it.
package config

import (
	"bytes"
	"cmp"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"reflect"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/gallant-sms/gallant/api"
	"github.com/gallant-sms/gallant/app"
	"github.com/gallant-sms/gallant/gateway"
	"github.com/gallant-sms/gallant/smpp"
	"github.com/gallant-sms/gallant/smpp/proxyproto"
	"github.com/gallant-sms/gallant/store"
	"github.com/gallant-sms/gallant/webhook"
)

// Config is the gateway's configuration file. Every key can be overridden
// by an environment variable named GALLANT_ and the key's path in upper
// case with underscores: GALLANT_HTTP_LISTEN, GALLANT_STORE_DSN,
// GALLANT_CARRIERS_0_PASSWORD (a list element by index), or a whole list as
// YAML or JSON: GALLANT_ROUTES='[{prefix: "44", carriers: [a]}]'.
type Config struct {
	HTTP       HTTPConfig      `yaml:"http"`
	SMPP       SMPPConfig      `yaml:"smpp"`
	Store      StoreConfig     `yaml:"store"`
	Redis      RedisConfig     `yaml:"redis"`
	Durability string          `yaml:"durability"` // durable (default) or fast
	Log        LogConfig       `yaml:"log"`
	Carriers   []CarrierConfig `yaml:"carriers"`
	Routes     []RouteConfig   `yaml:"routes"`
	Messages   MessageConfig   `yaml:"messages"`
	Webhooks   WebhookConfig   `yaml:"webhooks"`
	Debug      DebugConfig     `yaml:"debug"`
	Runtime    RuntimeConfig   `yaml:"runtime"`
	Billing    BillingConfig   `yaml:"billing"`
	Auth       AuthConfig      `yaml:"auth"` // dashboard sessions (identity.go)
	Mail       MailConfig      `yaml:"mail"` // password reset and verification mail (identity.go)
	Metrics    MetricsConfig   `yaml:"metrics"`
	Retention  RetentionConfig `yaml:"retention"`
	Links      LinksConfig     `yaml:"links"`     // tracked short links (links.go)
	Campaigns  CampaignsConfig `yaml:"campaigns"` // the campaign engine (campaigns.go)
	Secrets    SecretsConfig   `yaml:"secrets"`   // keys sealing data at rest

	// demoCarriers: the file's carriers are the demo's in-process
	// simulator, on a new port each start; FromStore points the stored
	// carrier of the same name at it (storeconfig.go).
	demoCarriers bool `yaml:"-"`
}

// SecretsConfig holds the keys that seal data at rest: message and MO
// bodies, held receipts, queued webhooks and webhook secrets (AES-256-GCM,
// store.Keyring). Without a key they are stored in clear.
type SecretsConfig struct {
	// Key is a comma-separated list of ID:KEY pairs (ID 1 to 65535, KEY
	// 32 bytes in base64 or hex); the first seals, the others only open
	// what they sealed. Usually given as GALLANT_SECRETS_KEY, never
	// written in a file that is checked in.
	Key string `yaml:"key"`
	// KeyFile is a file holding the same list instead (mode 0600 or
	// stricter), read at start.
	KeyFile string `yaml:"key_file"`
}

// Keyring reads the keys: nil when none is configured.
func (c SecretsConfig) Keyring() (*store.Keyring, error) {
	spec := c.Key
	if c.KeyFile != "" {
		if c.Key != "" {
			return nil, errors.New("config: secrets.key and secrets.key_file are both set: keep one")
		}
		fi, err := os.Stat(c.KeyFile)
		if err != nil {
			return nil, fmt.Errorf("config: secrets.key_file: %w", err)
		}
		if fi.Mode().Perm()&0o077 != 0 {
			return nil, fmt.Errorf("config: secrets.key_file %s: mode %v lets others read it: chmod 600", c.KeyFile, fi.Mode().Perm())
		}
		data, err := os.ReadFile(c.KeyFile)
		if err != nil {
			return nil, fmt.Errorf("config: secrets.key_file: %w", err)
		}
		spec = string(data)
	}
	k, err := store.ParseKeyring(spec)
	if err != nil {
		return nil, fmt.Errorf("config: secrets: %w", err)
	}
	return k, nil
}

// RetentionConfig says how long records kept only for a while live.
type RetentionConfig struct {
	// IdempotencyKeys is how long the answer to a POST with an
	// Idempotency-Key is kept for replay; a key reused after that sends
	// again. Default 24h; expired records are purged every few minutes.
	IdempotencyKeys time.Duration `yaml:"idempotency_keys"`
	// Messages is how long sent and received messages are kept, counted
	// from acceptance (or receipt): older ones whose fate is settled are
	// purged with their status history and held receipts, their totals
	// kept in daily rollups for usage reports and statements. 0, the
	// default, keeps them forever; otherwise at least MinRetention (1
	// day).
	Messages time.Duration `yaml:"messages"`
	// Events is how long the full status history of a message is kept:
	// after it, a segment's carrier acknowledgement is folded into its
	// final status event (as the gateway folds them under load) and its
	// own row deleted; readers still show it as a step. 0, the default,
	// keeps every row; otherwise at least MinRetention.
	Events time.Duration `yaml:"events"`
	// WebhookAttempts is how long the record of each webhook delivery
	// attempt is kept; default 30 days, at least MinRetention.
	WebhookAttempts time.Duration `yaml:"webhook_attempts"`
	// PurgeInterval is how often the purger runs (default 5m, at least
	// 1s); PurgeBatch is the most rows one purge statement touches
	// (default 1,000, 1 to 10,000).
	PurgeInterval time.Duration `yaml:"purge_interval"`
	PurgeBatch    int           `yaml:"purge_batch"`
}

// MinRetention is the shortest retention.messages, retention.events and
// retention.webhook_attempts a configuration may set. It is a variable
// only so that end-to-end tests can purge within seconds; nothing else
// may change it.
var MinRetention = 24 * time.Hour

// BillingConfig turns prepaid billing on: every message is priced by the
// account's plan and reserved from its balance at accept.
type BillingConfig struct {
	// Enabled prices and charges messages; off (the default until every
	// deployment has plans), messages are free.
	Enabled bool `yaml:"enabled"`
	// Currency of new billing accounts (ISO 4217); default EUR.
	Currency string `yaml:"currency"`
	// AlertInterval is how often accounts' balances are compared with
	// their low-balance alert thresholds (top-ups re-arm alerts at
	// once). Default 10s; each sweep is one query plus one update per
	// alert that changes.
	AlertInterval time.Duration `yaml:"alert_interval"`
}

// DebugConfig exposes Go's profiler for performance work.
type DebugConfig struct {
	// PprofListen serves net/http/pprof on this address (keep it on
	// loopback); empty, the default, serves nothing.
	PprofListen string `yaml:"pprof_listen"`
}

// WebhookConfig configures status callbacks.
type WebhookConfig struct {
	// Secret signs the callbacks of accounts that have no secret of their
	// own (HMAC-SHA256 in the X-Gallant-Signature header). Empty: such
	// callbacks cannot be signed and are not sent.
	Secret string `yaml:"secret"`
	// AllowPrivate lets callbacks (status webhooks, account webhooks,
	// low-balance alerts) go to private and special-purpose addresses:
	// loopback, RFC 1918, link-local (cloud metadata), CGNAT,
	// unique-local and the like. Default false: customers choose the
	// URLs, and would otherwise reach the gateway's own network. Only
	// gallant demo, tests and single-machine setups want it; list an
	// operator's internal receivers in AllowHosts instead.
	AllowPrivate bool `yaml:"allow_private"`
	// AllowHosts lists internal receivers let through although their
	// address is private: host names (exact, case-insensitive; every
	// address the name resolves to is allowed), IP addresses and CIDR
	// prefixes (10.20.0.0/16). Empty by default.
	AllowHosts []string `yaml:"allow_hosts"`

	// Delivery: fair queues, breakers and the outbox (package webhook;
	// 0 keeps each default).

	// Workers is how many callbacks are posted at once; default 64.
	Workers int `yaml:"workers"`
	// QueueSize bounds the callbacks held in memory; default 10,000.
	// Beyond it, and beyond an account's share, they wait in the store
	// (table webhook_outbox) instead of being dropped.
	QueueSize int `yaml:"queue_size"`
	// AccountQueueSize is one account's share of queue_size; default a
	// quarter of it.
	AccountQueueSize int `yaml:"account_queue_size"`
	// HostConcurrency bounds the posts in flight to one receiver (scheme,
	// host and port), so that a slow one holds only that many workers;
	// default 16.
	HostConcurrency int `yaml:"host_concurrency"`
	// AccountConcurrency bounds the posts in flight for one account,
	// whatever its receivers; default a quarter of workers.
	AccountConcurrency int `yaml:"account_concurrency"`
	// Timeout bounds one post, from dialling to the answer; default 10s.
	Timeout time.Duration `yaml:"timeout"`
	// BreakerFailures failed posts in a row (timeouts, network errors, 5xx,
	// 429) open a receiver's circuit breaker: its callbacks wait, not
	// posted, for breaker_cooldown, then one probe closes it or opens it
	// for twice as long. Defaults 5 and 30s.
	BreakerFailures int           `yaml:"breaker_failures"`
	BreakerCooldown time.Duration `yaml:"breaker_cooldown"`
}

// Policy is the webhook address policy of the section.
func (w WebhookConfig) Policy() webhook.AddressPolicy {
	return webhook.AddressPolicy{AllowPrivate: w.AllowPrivate, AllowHosts: w.AllowHosts}
}

// HTTPConfig is the HTTP API listener.
type HTTPConfig struct {
	Listen string `yaml:"listen"` // default 127.0.0.1:8080
	// TLSCert and TLSKey (PEM files) make the listener speak HTTPS only,
	// TLS 1.2 or later; give both or neither. Without them it speaks
	// plain HTTP, for a TLS-terminating proxy in front (list it in
	// trusted_proxies).
	TLSCert string `yaml:"tls_cert"`
	TLSKey  string `yaml:"tls_key"`
	// TrustedProxies lists the addresses and CIDR networks of the reverse
	// proxies and load balancers in front of the gateway. Only a request
	// from one of them has its X-Forwarded-For read, and the client is
	// then the right-most address in it that is not a trusted proxy: the
	// address the per-address limits count and the audit log records.
	// Empty (the default): the client is the connection's peer and
	// X-Forwarded-For is ignored.
	TrustedProxies []string `yaml:"trusted_proxies"`
	// MaxBody bounds the body of an authenticated request such as POST
	// /v1/messages; default 64KiB (the longest text as JSON escapes fits).
	// MaxBatchBody bounds an authenticated POST /v1/messages/batch's;
	// default 16MiB (10,000 long messages). MaxUnauthenticatedBody bounds
	// the body of any request without valid credentials, /v1/auth/*
	// included; default 16KiB. Sizes such as "64KiB" or a number of bytes.
	// Each limit is chosen from the request's headers and enforced before
	// its body is read: a larger body is answered 413 unread.
	MaxBody                string `yaml:"max_body"`
	MaxBatchBody           string `yaml:"max_batch_body"`
	MaxUnauthenticatedBody string `yaml:"max_unauthenticated_body"`
	// MaxImportBody bounds an authenticated POST /v1/contacts/imports's
	// CSV; default 128MiB (a million contacts is 60 to 100 MB). The body
	// is received in memory, then spooled to a file for the import job.
	MaxImportBody string `yaml:"max_import_body"`
	// MaxImportUploads bounds the import bodies received at once (each
	// in memory until spooled); one more large import is answered 413.
	// Default 2.
	MaxImportUploads int `yaml:"max_import_uploads"`
	// MaxConnsPerIP bounds the connections open at once from one client
	// address (an IPv6 client by its /64); more are answered 429 and
	// closed. Trusted proxies are exempt. Default 128: far more than a
	// keep-alive client needs (the HTTP benchmark runs 64), few enough
	// that one address cannot hold the server's connections. 0 means no
	// limit.
	MaxConnsPerIP int `yaml:"max_conns_per_ip"`
	// Concurrency bounds the connections open at once in all; more are
	// answered 503 and closed. Default 10,000. Each costs about 10 KiB
	// idle, plus a body of up to max_unauthenticated_body while one is
	// read without credentials.
	Concurrency int `yaml:"concurrency"`
	// ReadTimeout bounds reading one request, headers and body, from its
	// first byte (a new connection's wait for it included); default 30s.
	// WriteTimeout bounds writing one answer; default 30s. IdleTimeout
	// closes a keep-alive connection idle that long; default 2m. Each must
	// be positive.
	ReadTimeout  time.Duration `yaml:"read_timeout"`
	WriteTimeout time.Duration `yaml:"write_timeout"`
	IdleTimeout  time.Duration `yaml:"idle_timeout"`
	// RateLimitPerKey and RateLimitPerIP cap requests per second of one
	// API key and of one client address (shared by every instance through
	// Redis when redis.addr is set); the bursts allow short peaks above
	// them. 0 turns a limit off. Defaults 1,000/s per key and 2,000/s per
	// address, bursts twice that.
	RateLimitPerKey   float64 `yaml:"rate_limit_per_key"`
	RateLimitBurstKey int     `yaml:"rate_limit_burst_per_key"`
	RateLimitPerIP    float64 `yaml:"rate_limit_per_ip"`
	RateLimitBurstIP  int     `yaml:"rate_limit_burst_per_ip"`
}

// defaultHTTP is the http section's defaults.
func defaultHTTP() HTTPConfig {
	return HTTPConfig{Listen: "127.0.0.1:8080",
		MaxBody: "64KiB", MaxBatchBody: "16MiB", MaxUnauthenticatedBody: "16KiB", MaxImportBody: "128MiB",
		MaxConnsPerIP: 128, Concurrency: 10_000,
		ReadTimeout: 30 * time.Second, WriteTimeout: 30 * time.Second, IdleTimeout: 2 * time.Minute,
		RateLimitPerKey: 1000, RateLimitBurstKey: 2000, RateLimitPerIP: 2000, RateLimitBurstIP: 4000}
}

// API translates the section for package api, loading the TLS
// certificate if one is configured.
func (h HTTPConfig) API() (api.Config, error) {
	c := api.DefaultConfig()
	for _, f := range []struct {
		key string
		val string
		dst *int
	}{
		{"max_body", h.MaxBody, &c.MaxBodyBytes},
		{"max_batch_body", h.MaxBatchBody, &c.MaxBatchBodyBytes},
		{"max_unauthenticated_body", h.MaxUnauthenticatedBody, &c.MaxUnauthenticatedBodyBytes},
		{"max_import_body", cmp.Or(h.MaxImportBody, "128MiB"), &c.MaxImportBodyBytes},
	} {
		n, perr := parseByteSize(f.val)
		if perr != nil || n > 1<<30 {
			return c, fmt.Errorf("config: http.%s %q: want a size from 1 byte to 1GiB, such as 64KiB", f.key, f.val)
		}
		*f.dst = int(n)
	}
	switch {
	case h.MaxConnsPerIP < 0:
		return c, fmt.Errorf("config: http.max_conns_per_ip %d: want 0 (no limit) or more", h.MaxConnsPerIP)
	case h.MaxConnsPerIP == 0:
		c.MaxConnsPerIP = -1
	default:
		c.MaxConnsPerIP = h.MaxConnsPerIP
	}
	if h.Concurrency <= 0 {
		return c, fmt.Errorf("config: http.concurrency %d: want 1 or more", h.Concurrency)
	}
	if h.MaxImportUploads < 0 {
		return c, fmt.Errorf("config: http.max_import_uploads %d: want 1 or more (0: the default, 2)", h.MaxImportUploads)
	} else if h.MaxImportUploads > 0 {
		c.MaxImportUploads = h.MaxImportUploads
	}
	c.Concurrency = h.Concurrency
	for _, d := range []struct {
		key string
		val time.Duration
	}{{"read_timeout", h.ReadTimeout}, {"write_timeout", h.WriteTimeout}, {"idle_timeout", h.IdleTimeout}} {
		if d.val <= 0 {
			return c, fmt.Errorf("config: http.%s %s: want a positive duration", d.key, d.val)
		}
	}
	c.ReadTimeout, c.WriteTimeout, c.IdleTimeout = h.ReadTimeout, h.WriteTimeout, h.IdleTimeout
	c.TrustedProxies = h.TrustedProxies
	c.KeyRate, c.KeyBurst = h.RateLimitPerKey, h.RateLimitBurstKey
	c.IPRate, c.IPBurst = h.RateLimitPerIP, h.RateLimitBurstIP
	if (h.TLSCert == "") != (h.TLSKey == "") {
		return c, errors.New("config: http.tls_cert and http.tls_key go together")
	}
	if h.TLSCert != "" {
		cert, cerr := tls.LoadX509KeyPair(h.TLSCert, h.TLSKey)
		if cerr != nil {
			return c, fmt.Errorf("config: http tls: %w", cerr)
		}
		c.TLS = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	}
	if err := c.Validate(); err != nil {
		return c, fmt.Errorf("config: http: %w", err)
	}
	return c, nil
}

// validate checks the section; the certificate files are read at start.
func (h HTTPConfig) validate() error {
	if (h.TLSCert == "") != (h.TLSKey == "") {
		return errors.New("config: http.tls_cert and http.tls_key go together")
	}
	h.TLSCert, h.TLSKey = "", ""
	_, err := h.API()
	return err
}

// MetricsConfig is the Prometheus endpoint.
type MetricsConfig struct {
	// Listen serves GET /metrics on this address, a listener of its own
	// off the public API port; default 127.0.0.1:9464 (loopback: expose it
	// to the scraper deliberately). Empty serves no metrics.
	Listen string `yaml:"listen"`
}

// SMPPConfig is the SMPP server endpoint for customers.
type SMPPConfig struct {
	Listen              string `yaml:"listen"`     // default 127.0.0.1:2775
	TLSListen           string `yaml:"tls_listen"` // e.g. :3550; empty disables TLS
	TLSCert             string `yaml:"tls_cert"`
	TLSKey              string `yaml:"tls_key"`
	SystemID            string `yaml:"system_id"` // ours, sent in bind_resp; default Gallant
	MaxBindsPerSystemID int    `yaml:"max_binds_per_system_id"`
	// Window is how many deliver_sm (receipts) the gateway may have
	// outstanding on one customer bind; default 100. A customer whose
	// software cannot take that many at once should be given a lower
	// figure; one that takes more than its window's worth of receipts per
	// round trip needs it higher, or its receipts queue and are held.
	Window int `yaml:"window"`
	// MaxInbound is how many of a customer bind's submit_sm may await
	// their answer at once before the gateway answers ESME_RTHROTTLED;
	// default 100.
	MaxInbound int `yaml:"max_inbound"`
	// MaxConnections caps the customer connections open at once, bound
	// or not, and MaxConnectionsPerIP those from one client address (an
	// IPv4 address or an IPv6 /64). A connection beyond either is closed
	// as soon as it is accepted, before anything is read from it.
	// Defaults 2,000 (about 22 KiB each when idle, so under 50 MiB) and
	// 50 (a customer's binds over several system_ids behind one NAT
	// address); 0 turns a cap off.
	MaxConnections      int `yaml:"max_connections"`
	MaxConnectionsPerIP int `yaml:"max_connections_per_ip"`
	// BindTimeout closes a connection that has not bound this long after
	// it was accepted (SMPP's session_init_timer); default 10s.
	BindTimeout time.Duration `yaml:"bind_timeout"`
	// FailedBinds is the failed-bind limiter: clients that keep failing
	// to bind are refused ESME_RBINDFAIL without a password check.
	FailedBinds FailedBindsConfig `yaml:"failed_binds"`
	// ProxyProtocol is for TCP load balancers in front of the SMPP
	// listeners that send a PROXY protocol header.
	ProxyProtocol ProxyProtocolConfig `yaml:"proxy_protocol"`
}

// ProxyProtocolConfig lists the load balancers whose PROXY protocol
// header (version 1 or 2: nginx stream's proxy_protocol on, HAProxy's
// send-proxy or send-proxy-v2) the SMPP listeners read.
type ProxyProtocolConfig struct {
	// Trusted lists their addresses and CIDR networks. A connection from
	// one of them must start with a header (else it is closed), and the
	// client the header names is the address that allowed_cidrs,
	// max_connections_per_ip, the failed-bind limiter and the logs use.
	// A connection from any other address is judged by its own address;
	// a header it sends is not read as one. Empty (the default): no
	// header is read.
	Trusted []string `yaml:"trusted"`
}

// FailedBindsConfig tunes the failed-bind limiter (shared by every
// instance through Redis when redis.addr is set). After PerIP failures
// from one client address it is blocked for Block, doubled by each
// further failure up to MaxBlock; attempts while blocked are refused
// unchecked and not counted. After PerSystemID failures against one
// system_id from any addresses, each address that fails for it again is
// blocked from that system_id alone, so guessers from many addresses are
// slowed while the customer's own address, which does not fail, still
// binds. Failures are forgotten Window after the last one.
type FailedBindsConfig struct {
	PerIP       int `yaml:"per_ip"`        // default 5; 0 turns the per-address block off
	PerSystemID int `yaml:"per_system_id"` // default 20; 0 turns the per-system_id block off
	// Block is the first block and MaxBlock the longest; defaults 1s and
	// 15m.
	Block    time.Duration `yaml:"block"`
	MaxBlock time.Duration `yaml:"max_block"`
	Window   time.Duration `yaml:"window"` // default 15m
}

// validate reports the first bad smpp limit.
func (c SMPPConfig) validate() error {
	switch {
	case c.MaxConnections < 0 || c.MaxConnectionsPerIP < 0:
		return errors.New("config: smpp.max_connections and smpp.max_connections_per_ip must not be negative (0 turns a cap off)")
	case c.BindTimeout <= 0:
		return fmt.Errorf("config: smpp.bind_timeout %v: want a positive duration", c.BindTimeout)
	case c.FailedBinds.PerIP < 0 || c.FailedBinds.PerSystemID < 0:
		return errors.New("config: smpp.failed_binds.per_ip and per_system_id must not be negative (0 turns one off)")
	case c.FailedBinds.Block <= 0 || c.FailedBinds.MaxBlock < c.FailedBinds.Block || c.FailedBinds.Window <= 0:
		return errors.New("config: smpp.failed_binds: block and window must be positive, max_block at least block")
	}
	if _, err := proxyproto.ParseTrusted(c.ProxyProtocol.Trusted); err != nil {
		return fmt.Errorf("config: smpp.proxy_protocol.trusted: %w", err)
	}
	return nil
}

// StoreConfig selects the database.
type StoreConfig struct {
	Driver string `yaml:"driver"` // sqlite (default) or mysql
	DSN    string `yaml:"dsn"`
	// Writer tunes the batched writer (batch size and delay, workers,
	// backlog); the zero value keeps every default.
	Writer store.WriterConfig `yaml:"writer"`
	// NodeLeaseTTL is how long this instance's node lease lasts without
	// renewal (it is renewed every third of it): how long a killed
	// instance's unfinished messages wait before a survivor sends them
	// (a restart on the same host resumes the dead process's node at
	// once: its lock file shows it ended). Default 1m, at least 1s; keep
	// it well above the clock skew between hosts.
	NodeLeaseTTL time.Duration `yaml:"node_lease_ttl"`
}

// LeaseTTL is NodeLeaseTTL, or its default for 0.
func (c StoreConfig) LeaseTTL() time.Duration {
	if c.NodeLeaseTTL == 0 {
		return time.Minute
	}
	return c.NodeLeaseTTL
}

// LogConfig sets the log level (debug, info, warn, error) and format
// (text or json).
type LogConfig struct {
	Level  string `yaml:"level"`
	Format string `yaml:"format"`
}

// CarrierConfig is one carrier (an SMSC we bind to).
type CarrierConfig struct {
	Name       string  `yaml:"name"`
	Address    string  `yaml:"address"` // host:port
	SystemID   string  `yaml:"system_id"`
	Password   string  `yaml:"password"`
	SystemType string  `yaml:"system_type"`
	BindType   string  `yaml:"bind_type"` // transceiver (default), transmitter, receiver
	Binds      int     `yaml:"binds"`     // persistent binds; default 1
	Window     int     `yaml:"window"`    // outstanding submit_sm per bind; default 10
	TPS        float64 `yaml:"tps"`       // segments per second over all binds; 0 = unlimited
	// MaxInbound bounds the carrier's unanswered requests (receipts, MO)
	// per bind; at the bound the bind stops reading until answers free
	// room, never refusing one. Default 1,000.
	MaxInbound int `yaml:"max_inbound"`
	// OptOutErrors are this carrier's error codes meaning "the recipient
	// opted out" (a submit_sm_resp command_status as "0x45", or a
	// receipt's err field as it comes, "005"): a message failing with one
	// records an opt-out of its recipient from the account (source
	// carrier).
	OptOutErrors []string `yaml:"optout_errors"`
	// TLS connects over TLS (1.2 or later), verifying the SMSC's
	// certificate against TLSCA (a PEM file of the CAs to trust; empty:
	// the system's roots) for the name TLSServerName (empty: the host of
	// address). TLSInsecureSkipVerify turns verification off, for test
	// rigs only; the gateway logs a warning for it.
	TLS                   bool   `yaml:"tls"`
	TLSCA                 string `yaml:"tls_ca"`
	TLSServerName         string `yaml:"tls_server_name"`
	TLSInsecureSkipVerify bool   `yaml:"tls_insecure_skip_verify"`
	// OutbindListen, if set, is a host:port where the carrier may connect
	// and send outbind (with system_id and password above); the gateway
	// then binds as a receiver on that connection for receipts and MO.
	OutbindListen string `yaml:"outbind_listen"`
}

// RouteConfig sends destinations starting with Prefix (E.164 digits; ""
// matches everything) to Carriers, in order of preference. Account limits
// the route to one account's plan.
type RouteConfig struct {
	Prefix   string         `yaml:"prefix"`
	Account  int64          `yaml:"account"`
	Carriers []RouteCarrier `yaml:"carriers"`
	// LeastCost tries, among the carriers of the best available
	// priority, the one with the lowest buy rate for the destination
	// first (rates from gallant admin buyrate add; needs billing
	// enabled). Ties share by weight; failover still goes by priority.
	LeastCost bool `yaml:"least_cost"`
	// SenderTPS limits each source address to this many segments per
	// second on this route (a carrier's per-number rule, e.g. 1 for a US
	// long code); segments over it wait in the queue. Shared by every
	// instance through Redis when redis is configured. 0: no limit.
	SenderTPS float64 `yaml:"sender_tps"`
}

// RouteCarrier is a carrier in a route, with a priority (lower first) and
// a weight among carriers of equal priority. In YAML a bare name is
// accepted as {carrier: name}.
type RouteCarrier struct {
	Carrier  string `yaml:"carrier"`
	Priority int    `yaml:"priority"`
	Weight   int    `yaml:"weight"`
}

// UnmarshalYAML accepts a bare carrier name or a mapping.
func (r *RouteCarrier) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind == yaml.ScalarNode {
		r.Carrier = n.Value
		return nil
	}
	type plain RouteCarrier
	return decodeStrict(n, (*plain)(r))
}

// MessageConfig holds message defaults.
type MessageConfig struct {
	DefaultValidity time.Duration `yaml:"default_validity"` // default 48h
	MaxValidity     time.Duration `yaml:"max_validity"`     // default 72h
	// MaxInFlight bounds the messages on their way and not final yet
	// (kept in memory, ~600 bytes each); beyond it new messages get
	// backpressure. Default 150,000.
	MaxInFlight int `yaml:"max_in_flight"`
	// ScheduleHorizon: scheduled messages due within it are held in
	// memory, later ones wait in the store. Default 10m.
	ScheduleHorizon time.Duration `yaml:"schedule_horizon"`
	// ScheduleMemory caps the scheduled messages held in memory at once.
	// Default 10,000.
	ScheduleMemory int `yaml:"schedule_memory"`
	// MaxScheduledPerAccount caps one account's messages waiting for
	// their send time. Default 1,000,000.
	MaxScheduledPerAccount int `yaml:"max_scheduled_per_account"`
	// MaxScheduleAhead is the latest send_at accepted, from now; a
	// restart looks this far back (plus max_validity) for unsent
	// messages. Default 720h (30 days).
	MaxScheduleAhead time.Duration `yaml:"max_schedule_ahead"`
	// MOHoldValidity is how long an MO for an account's SMPP receivers
	// waits in the store while none is bound. Default 48h.
	MOHoldValidity time.Duration `yaml:"mo_hold_validity"`
	// MOReassemblyTimeout is how long the parts of a long MO wait for
	// the missing ones before what arrived is delivered, flagged
	// partial. Default 2m.
	MOReassemblyTimeout time.Duration `yaml:"mo_reassembly_timeout"`
	// MOReassemblyMaxOpen bounds the long MOs being reassembled at once
	// (in memory); beyond it the oldest is delivered partial. Default
	// 10,000.
	MOReassemblyMaxOpen int `yaml:"mo_reassembly_max_open"`
}

// Default returns the configuration used when a key is absent.
func Default() Config {
	return Config{
		HTTP:    defaultHTTP(),
		Metrics: MetricsConfig{Listen: "127.0.0.1:9464"},
		SMPP: SMPPConfig{Listen: "127.0.0.1:2775", SystemID: "Gallant",
			MaxConnections: gateway.DefaultMaxConnections, MaxConnectionsPerIP: gateway.DefaultMaxConnectionsPerIP,
			BindTimeout: smpp.DefaultBindTimeout,
			FailedBinds: FailedBindsConfig{PerIP: gateway.DefaultMaxBindFailuresPerAddress,
				PerSystemID: gateway.DefaultMaxBindFailuresPerSystemID, Block: gateway.DefaultBindBlock,
				MaxBlock: gateway.DefaultMaxBindBlock, Window: gateway.DefaultBindFailureWindow}},
		Store:      StoreConfig{Driver: "sqlite", DSN: "data/gallant.db", NodeLeaseTTL: time.Minute},
		Durability: "durable",
		Log:        LogConfig{Level: "info", Format: "text"},
		Messages: MessageConfig{DefaultValidity: 48 * time.Hour, MaxValidity: 72 * time.Hour,
			ScheduleHorizon: gateway.DefaultScheduleHorizon, ScheduleMemory: gateway.DefaultScheduleMemory,
			MaxScheduledPerAccount: gateway.DefaultMaxScheduledPerAccount, MaxScheduleAhead: gateway.DefaultMaxScheduleAhead},
		Billing: BillingConfig{Currency: "EUR", AlertInterval: 10 * time.Second},
		Redis:   RedisConfig{Prefix: "gallant:"},
		Retention: RetentionConfig{IdempotencyKeys: 24 * time.Hour, WebhookAttempts: 30 * 24 * time.Hour,
			PurgeInterval: 5 * time.Minute, PurgeBatch: 1000},
	}
}

// Load reads a YAML file strictly (an unknown key is an error naming
// it), applies GALLANT_ environment overrides from env, fills defaults and
// validates the result. An empty path loads only defaults and environment.
func Load(path string, env []string) (Config, error) {
	cfg := Default()
	if path != "" {
		data, err := os.ReadFile(path)
		if err != nil {
			return cfg, fmt.Errorf("config: %w", err)
		}
		dec := yaml.NewDecoder(bytes.NewReader(data))
		dec.KnownFields(true)
		if err := dec.Decode(&cfg); err != nil && !errors.Is(err, io.EOF) {
			return cfg, fmt.Errorf("config %s: %w", path, err)
		}
	}
	if err := cfg.Complete(env); err != nil {
		return cfg, err
	}
	return cfg, nil
}

// Complete applies the GALLANT_ environment overrides from env to c,
// fills the defaults of list elements and validates the result: what
// Load does after reading the file.
func (c *Config) Complete(env []string) error {
	if err := ApplyEnv(c, env); err != nil {
		return err
	}
	c.FillDefaults()
	return c.Validate()
}

// FillDefaults fills the defaults of list elements: a carrier's bind
// type, binds, window and max_inbound, a route carrier's weight.
func (c *Config) FillDefaults() {
	for i := range c.Carriers {
		cc := &c.Carriers[i]
		if cc.BindType == "" {
			cc.BindType = "transceiver"
		}
		if cc.Binds == 0 {
			cc.Binds = 1
		}
		if cc.Window == 0 {
			cc.Window = 10
		}
		if cc.MaxInbound == 0 {
			cc.MaxInbound = gateway.DefaultCarrierMaxInbound
		}
	}
	for i := range c.Routes {
		for j := range c.Routes[i].Carriers {
			if c.Routes[i].Carriers[j].Weight == 0 {
				c.Routes[i].Carriers[j].Weight = 1
			}
		}
	}
}

// Validate reports the first problem in c.
func (c *Config) Validate() error {
	if _, err := c.Secrets.Keyring(); err != nil {
		return err
	}
	if c.Retention.IdempotencyKeys < time.Second {
		return fmt.Errorf("config: retention.idempotency_keys %v: want at least 1s (default 24h)", c.Retention.IdempotencyKeys)
	}
	if err := c.Retention.validate(); err != nil {
		return err
	}
	if c.Messages.MaxInFlight < 0 {
		return fmt.Errorf("config: messages.max_in_flight %d: want 0 (the default) or more", c.Messages.MaxInFlight)
	}
	if c.Messages.ScheduleHorizon < 0 || c.Messages.ScheduleMemory < 0 || c.Messages.MaxScheduledPerAccount < 0 ||
		c.Messages.MaxScheduleAhead < 0 || c.Messages.MOHoldValidity < 0 || c.Messages.MOReassemblyTimeout < 0 ||
		c.Messages.MOReassemblyMaxOpen < 0 {
		return errors.New("config: messages.schedule_horizon, schedule_memory, max_scheduled_per_account, max_schedule_ahead and the mo_ keys may not be negative")
	}
	if _, err := c.Runtime.MemoryLimitBytes(func(string) string { return "" }); err != nil {
		return err
	}
	if err := c.Campaigns.validate(); err != nil {
		return err
	}
	if err := c.Redis.validate(); err != nil {
		return err
	}
	switch c.Store.Driver {
	case "sqlite", "mysql":
	default:
		return fmt.Errorf("config: store.driver %q: want sqlite or mysql", c.Store.Driver)
	}
	if c.Store.DSN == "" {
		return errors.New("config: store.dsn is empty")
	}
	if c.Store.NodeLeaseTTL != 0 && c.Store.NodeLeaseTTL < time.Second {
		return fmt.Errorf("config: store.node_lease_ttl %v: want at least 1s (default 1m)", c.Store.NodeLeaseTTL)
	}
	switch c.Durability {
	case "durable", "fast":
	default:
		return fmt.Errorf("config: durability %q: want durable or fast", c.Durability)
	}
	if c.SMPP.Window < 0 || c.SMPP.MaxInbound < 0 {
		return errors.New("config: smpp.window and smpp.max_inbound must not be negative")
	}
	if (c.SMPP.TLSListen != "") && (c.SMPP.TLSCert == "" || c.SMPP.TLSKey == "") {
		return errors.New("config: smpp.tls_listen needs smpp.tls_cert and smpp.tls_key")
	}
	if err := c.SMPP.validate(); err != nil {
		return err
	}
	if err := c.HTTP.validate(); err != nil {
		return err
	}
	if err := c.Links.validate(); err != nil {
		return err
	}
	if err := c.validateIdentity(); err != nil {
		return err
	}
	if err := c.Webhooks.Policy().Validate(); err != nil {
		return fmt.Errorf("config: webhooks.allow_hosts: %w", err)
	}
	if err := c.Webhooks.Dispatcher().Validate(); err != nil {
		return fmt.Errorf("config: webhooks: %w", err)
	}
	names := map[string]bool{}
	for i, cc := range c.Carriers {
		switch {
		case cc.Name == "":
			return fmt.Errorf("config: carriers[%d].name is empty", i)
		case names[cc.Name]:
			return fmt.Errorf("config: carriers[%d].name %q is used twice", i, cc.Name)
		case cc.Address == "":
			return fmt.Errorf("config: carrier %q: address is empty", cc.Name)
		case cc.Binds < 0 || cc.Window < 0 || cc.TPS < 0 || cc.MaxInbound < 0:
			return fmt.Errorf("config: carrier %q: binds, window, tps and max_inbound must not be negative", cc.Name)
		case !cc.TLS && (cc.TLSCA != "" || cc.TLSServerName != "" || cc.TLSInsecureSkipVerify):
			return fmt.Errorf("config: carrier %q: tls_ca, tls_server_name and tls_insecure_skip_verify need tls: true", cc.Name)
		}
		switch cc.BindType {
		case "transceiver", "transmitter", "receiver":
		default:
			return fmt.Errorf("config: carrier %q: bind_type %q: want transceiver, transmitter or receiver", cc.Name, cc.BindType)
		}
		names[cc.Name] = true
	}
	for i, r := range c.Routes {
		for _, ch := range r.Prefix {
			if ch < '0' || ch > '9' {
				return fmt.Errorf("config: routes[%d].prefix %q: digits only", i, r.Prefix)
			}
		}
		if len(r.Carriers) == 0 {
			return fmt.Errorf("config: routes[%d] (prefix %q) has no carriers", i, r.Prefix)
		}
		if r.SenderTPS < 0 || math.IsNaN(r.SenderTPS) || math.IsInf(r.SenderTPS, 0) {
			return fmt.Errorf("config: routes[%d].sender_tps %v: a number >= 0", i, r.SenderTPS)
		}
		for _, rc := range r.Carriers {
			if !names[rc.Carrier] {
				return fmt.Errorf("config: routes[%d] (prefix %q): unknown carrier %q", i, r.Prefix, rc.Carrier)
			}
		}
	}
	return nil
}

func decodeStrict(n *yaml.Node, v any) error {
	// Node.Decode keeps the decoder's KnownFields setting only for the
	// top-level call, so check mapping keys here for nested custom types.
	if n.Kind == yaml.MappingNode {
		if err := checkKnown(n, reflect.TypeOf(v).Elem()); err != nil {
			return err
		}
	}
	return n.Decode(v)
}

func checkKnown(n *yaml.Node, t reflect.Type) error {
	known := map[string]bool{}
	for i := range t.NumField() {
		known[yamlName(t.Field(i))] = true
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k := n.Content[i].Value
		if !known[k] {
			return fmt.Errorf("line %d: field %s not found in type %s", n.Content[i].Line, k, t.Name())
		}
	}
	return nil
}

func yamlName(f reflect.StructField) string {
	name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
	if name == "" {
		name = strings.ToLower(f.Name)
	}
	return name
}

// ApplyEnv applies GALLANT_* variables to cfg. Variables under
// GALLANT_TEST_ belong to the test suite and are ignored; any other
// GALLANT_ variable that names no key is an error, so a typo is caught.
func ApplyEnv(cfg *Config, env []string) error {
	for _, kv := range env {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || !strings.HasPrefix(k, "GALLANT_") || strings.HasPrefix(k, "GALLANT_TEST_") {
			continue
		}
		path := strings.Split(strings.ToLower(strings.TrimPrefix(k, "GALLANT_")), "_")
		if err := setPath(reflect.ValueOf(cfg).Elem(), path, v); err != nil {
			return fmt.Errorf("config: %s: %w", k, err)
		}
	}
	return nil
}

// setPath walks words of an environment key through struct fields (whose
// yaml names may themselves contain underscores) and list indexes.
func setPath(v reflect.Value, words []string, val string) error {
	if len(words) == 0 {
		return setScalar(v, val)
	}
	switch v.Kind() {
	case reflect.Struct:
		t := v.Type()
		for i := range t.NumField() {
			parts := strings.Split(yamlName(t.Field(i)), "_")
			if len(parts) <= len(words) && equalWords(parts, words[:len(parts)]) {
				if err := setPath(v.Field(i), words[len(parts):], val); err == nil {
					return nil
				} else if !errors.Is(err, errNoKey) {
					return err
				}
			}
		}
		return errNoKey
	case reflect.Slice:
		idx, err := strconv.Atoi(words[0])
		if err != nil || idx < 0 || idx > 1000 {
			return errNoKey
		}
		for v.Len() <= idx {
			v.Set(reflect.Append(v, reflect.Zero(v.Type().Elem())))
		}
		return setPath(v.Index(idx), words[1:], val)
	}
	return errNoKey
}

var errNoKey = errors.New("names no configuration key")

func equalWords(a, b []string) bool {
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func setScalar(v reflect.Value, val string) error {
	if v.Type() == reflect.TypeOf(time.Duration(0)) {
		d, err := time.ParseDuration(val)
		if err != nil {
			return err
		}
		v.SetInt(int64(d))
		return nil
	}
	switch v.Kind() {
	case reflect.String:
		v.SetString(val)
	case reflect.Int, reflect.Int64:
		n, err := strconv.ParseInt(val, 10, 64)
		if err != nil {
			return err
		}
		v.SetInt(n)
	case reflect.Float64:
		f, err := strconv.ParseFloat(val, 64)
		if err != nil {
			return err
		}
		v.SetFloat(f)
	case reflect.Bool:
		b, err := strconv.ParseBool(val)
		if err != nil {
			return err
		}
		v.SetBool(b)
	case reflect.Slice, reflect.Struct:
		// A whole list or section as YAML (JSON is YAML too).
		dec := yaml.NewDecoder(strings.NewReader(val))
		dec.KnownFields(true)
		p := reflect.New(v.Type())
		if err := dec.Decode(p.Interface()); err != nil {
			return err
		}
		v.Set(p.Elem())
	default:
		return errNoKey
	}
	return nil
}

// validate checks the retention periods and the purger's settings.
func (r *RetentionConfig) validate() error {
	for _, p := range []struct {
		key string
		v   time.Duration
	}{{"messages", r.Messages}, {"events", r.Events}} {
		if p.v != 0 && p.v < MinRetention {
			return fmt.Errorf("config: retention.%s %v: want 0 (keep forever, the default) or at least %v", p.key, p.v, MinRetention)
		}
	}
	if r.WebhookAttempts < MinRetention {
		return fmt.Errorf("config: retention.webhook_attempts %v: want at least %v (default 720h)", r.WebhookAttempts, MinRetention)
	}
	if r.PurgeInterval < time.Second {
		return fmt.Errorf("config: retention.purge_interval %v: want at least 1s (default 5m)", r.PurgeInterval)
	}
	if r.PurgeBatch < 1 || r.PurgeBatch > 10_000 {
		return fmt.Errorf("config: retention.purge_batch %d: want 1 to 10000 (default 1000)", r.PurgeBatch)
	}
	return nil
}

// RetentionPolicy returns the retention.* settings for the purger.
func (c *Config) RetentionPolicy() *app.RetentionPolicy {
	r := c.Retention
	return &app.RetentionPolicy{Messages: r.Messages, Events: r.Events, WebhookAttempts: r.WebhookAttempts,
		Interval: r.PurgeInterval, Batch: r.PurgeBatch}
}
