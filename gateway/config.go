package gateway

import (
	"crypto/tls"
	"errors"
	"fmt"
	"net/netip"
	"time"

	"github.com/gallant-sms/gallant/smpp"
)

// Durability says when a message is acknowledged to its sender.
type Durability uint8

// The durability modes.
const (
	// Durable acknowledges after the message's row is committed.
	Durable Durability = iota
	// Fast acknowledges at once; a crash can lose messages accepted in
	// the last few milliseconds.
	Fast
)

// String returns "durable" or "fast".
func (d Durability) String() string {
	if d == Fast {
		return "fast"
	}
	return "durable"
}

// ParseDurability parses "durable" or "fast".
func ParseDurability(s string) (Durability, error) {
	switch s {
	case "", "durable":
		return Durable, nil
	case "fast":
		return Fast, nil
	}
	return Durable, fmt.Errorf("gateway: durability %q: want durable or fast", s)
}

// Config configures a Service.
type Config struct {
	Durability Durability
	// DefaultValidity applies to messages that give none; MaxValidity
	// caps what they give. Both run from the message's send time (now,
	// or its send_at). Defaults 48 h and 72 h.
	DefaultValidity, MaxValidity time.Duration
	// MaxScheduleAhead is the latest send_at accepted, from now; default
	// DefaultMaxScheduleAhead.
	MaxScheduleAhead time.Duration
	// MaxSegments caps the parts of one message; default
	// DefaultMaxSegments.
	MaxSegments int
	// Carriers are the SMSCs to bind to.
	Carriers []CarrierConfig
	// MaxParked bounds messages persisted but waiting for room in a
	// carrier queue; beyond it new messages are refused with
	// backpressure. Default 50,000 (about 150 MB of messages and their
	// tracking at most; see bench/RESULTS.md).
	MaxParked int
	// WriterHighWater refuses new messages with backpressure while the
	// store's writer holds this many rows not yet written, so the rows
	// that follow accepted messages (status events, receipts) always find
	// room. Default 20,000, below the writer's default MaxPending of
	// 50,000.
	WriterHighWater int
	// SystemID is ours, sent to customers in bind_resp.
	SystemID string
	// CustomerSession configures customer SMPP sessions. Its Window (the
	// deliver_sm outstanding per customer bind) defaults to
	// DefaultCustomerWindow rather than smpp's 10.
	CustomerSession smpp.SessionConfig
	// MaxBindsPerSystemID caps customer binds per system_id (0: no cap
	// beyond the credential's own bind limit).
	MaxBindsPerSystemID int
	// MaxConnections caps the customer SMPP connections open at once,
	// bound or not, and MaxConnectionsPerIP those from one client address
	// (an IPv4 address or an IPv6 /64); a connection beyond either is
	// closed as soon as it is accepted, before anything is read. 0 means
	// the default (DefaultMaxConnections, DefaultMaxConnectionsPerIP),
	// negative means no cap. An unbound connection lives at most
	// CustomerSession.BindTimeout (default 10 s).
	MaxConnections, MaxConnectionsPerIP int
	// BindGuard tunes the failed-bind limiter; the zero value takes its
	// defaults.
	BindGuard BindGuardConfig
	// ProxyTrusted lists the networks of the TCP load balancers in front
	// of the customer SMPP listener that send a PROXY protocol header
	// (nginx stream's proxy_protocol, HAProxy's send-proxy-v2): a
	// connection from one of them must start with one, and the client it
	// names is the address allowed_cidrs, MaxConnectionsPerIP, the
	// failed-bind limiter and the logs judge. Connections from elsewhere
	// are judged by their peer address, any header unread. Empty: no
	// header is read.
	ProxyTrusted []netip.Prefix
	// WebhookSecret signs callbacks to per-message callback URLs of
	// accounts that have no secret of their own.
	WebhookSecret string
	// MaxInFlight bounds the messages sent on their way and not final yet
	// (waiting for a carrier or its receipt), which the gateway keeps in
	// memory (about 600 bytes each); beyond it new messages are refused
	// with backpressure, so accepting never outruns completing. Default
	// 150,000 (about 90 MB, which with the default 200 MiB memory limit
	// keeps a saturated gateway under 300 MiB resident); raise it, with
	// the memory limit (about 1 KiB per message), when carriers' receipts
	// are slow and traffic high (in flight = rate x receipt delay).
	MaxInFlight int
	// ScheduleHorizon is how far ahead scheduled messages are held in
	// memory: one due later waits in the store and is loaded (claimed by
	// this instance, so no other sends it) as it comes within the
	// horizon. Default DefaultScheduleHorizon.
	ScheduleHorizon time.Duration
	// ScheduleMemory caps the scheduled messages held in memory (about
	// 500 bytes each); beyond it the due-soon ones wait in the store a
	// little longer. It is apart from MaxInFlight, so a large campaign
	// due later never refuses today's traffic; due messages are released
	// only while fewer than half of MaxInFlight are on their way. Default
	// DefaultScheduleMemory.
	ScheduleMemory int
	// MaxScheduledPerAccount caps the messages one account may have
	// waiting for their send time (refused scheduled-limit beyond it).
	// Each instance counts its own accepts at admit and the others' every
	// 30 s. Default DefaultMaxScheduledPerAccount.
	MaxScheduledPerAccount int
	// ReceiptQueue bounds the receipts waiting for a customer send
	// worker; beyond it receipts are held in the store and sent from
	// there within a second. Default 65,536.
	ReceiptQueue int
	// Inbound tunes the routing of carriers' MOs to the numbers' owners
	// (inbound.go).
	Inbound InboundConfig
	// BindRecheck is how often open customer binds are checked against
	// the store (credential deleted or narrowed, account suspended, on
	// any instance); default 15 s.
	BindRecheck time.Duration
}

// CarrierConfig is one carrier: an SMSC we keep Binds persistent binds to.
type CarrierConfig struct {
	Name       string
	Addr       string
	SystemID   string
	Password   string
	SystemType string
	BindType   smpp.BindType
	Binds      int
	Window     int
	TPS        float64 // segments per second over all binds; 0 = unlimited
	// MaxInbound bounds the carrier's requests (receipts, MO) a bind
	// holds unanswered; at the bound the bind stops reading until answers
	// free room (TCP backpressure), never refusing one: many carriers do
	// not send a refused receipt again. 0 means DefaultCarrierMaxInbound.
	MaxInbound int
	// Session tunes the binds (timeouts, enquire_link); Window and
	// MaxInbound above override its own, and its InboundFull is always
	// backpressure.
	Session smpp.SessionConfig
	// MinBackoff and MaxBackoff bound reconnect delays (0: smpp defaults).
	MinBackoff, MaxBackoff time.Duration
	// TLS, if not nil, makes the binds use TLS with this configuration
	// (RootCAs, ServerName; an empty ServerName is the host of Addr).
	// Versions below TLS 1.2 are never offered, whatever MinVersion says;
	// InsecureSkipVerify is logged as a warning when the carrier starts.
	TLS *tls.Config
	// OutbindListen, if set, is an address to listen on for this
	// carrier's outbind: it connects there and sends outbind with
	// SystemID and Password, and the gateway binds as a receiver on that
	// connection (receipts and MO, as on the binds it dials).
	OutbindListen string
	// OptOutErrors are the carrier's error codes that mean "the recipient
	// opted out": a submit_sm_resp command_status as the gateway records
	// it ("0x45"), or a receipt's err field as it came ("005"). A message
	// failing with one records an account opt-out of its recipient (source
	// carrier) in Deps.OptOutLedger.
	OptOutErrors []string
}

// DefaultCarrierMaxInbound is a carrier bind's default MaxInbound: ten
// times a carrier's usual receipt window of 100, at a few hundred bytes
// each.
const DefaultCarrierMaxInbound = 1000

// The default caps of customer SMPP connections. An idle connection
// costs about 22 KiB (buffers and two goroutines; measured with 2,000
// unbound connections), so 2,000 stay under 50 MiB, a quarter of the
// default memory limit, while leaving room for hundreds of customers
// with several binds each. 50 per address covers a customer's binds
// over several system_ids behind one NAT address; one address alone
// cannot take more than a fortieth of the total.
const (
	DefaultMaxConnections      = 2000
	DefaultMaxConnectionsPerIP = 50
)

// Defaults of scheduled messages: held in memory from 10 minutes before
// they are due, at most 10,000 at once (about 5 MiB), and a million
// waiting per account.
const (
	DefaultScheduleHorizon        = 10 * time.Minute
	DefaultScheduleMemory         = 10_000
	DefaultMaxScheduledPerAccount = 1_000_000
)

// DefaultCustomerWindow is the deliver_sm a customer bind may have
// outstanding by default. smpp's default of 10 caps receipts at 10 per
// round trip per bind: at a 1 ms round trip, 4 binds take 40,000
// receipts/s, less than they can submit, and the excess is held in the
// store and sent again (bench/RESULTS.md, session 4: "A customer bind's
// receipt window is 100"). 100 matches
// the submit_sm we let a customer have outstanding (smpp's MaxInbound).
const DefaultCustomerWindow = 100

func (c *Config) withDefaults() Config {
	out := *c
	if out.DefaultValidity <= 0 {
		out.DefaultValidity = DefaultValidity
	}
	if out.MaxInFlight <= 0 {
		out.MaxInFlight = 150_000
	}
	if out.ScheduleHorizon <= 0 {
		out.ScheduleHorizon = DefaultScheduleHorizon
	}
	if out.ScheduleMemory <= 0 {
		out.ScheduleMemory = DefaultScheduleMemory
	}
	if out.MaxScheduledPerAccount <= 0 {
		out.MaxScheduledPerAccount = DefaultMaxScheduledPerAccount
	}
	if out.ReceiptQueue <= 0 {
		out.ReceiptQueue = 65536
	}
	out.Inbound = out.Inbound.withDefaults()
	if out.CustomerSession.Window <= 0 {
		out.CustomerSession.Window = DefaultCustomerWindow
	}
	if out.MaxConnections == 0 {
		out.MaxConnections = DefaultMaxConnections
	}
	if out.MaxConnectionsPerIP == 0 {
		out.MaxConnectionsPerIP = DefaultMaxConnectionsPerIP
	}
	out.BindGuard = out.BindGuard.withDefaults()
	if out.BindRecheck <= 0 {
		out.BindRecheck = defaultBindRecheck
	}
	if out.MaxValidity <= 0 {
		out.MaxValidity = DefaultMaxValidity
	}
	if out.MaxValidity < out.DefaultValidity {
		out.MaxValidity = out.DefaultValidity
	}
	if out.MaxScheduleAhead <= 0 {
		out.MaxScheduleAhead = DefaultMaxScheduleAhead
	}
	if out.MaxSegments <= 0 {
		out.MaxSegments = DefaultMaxSegments
	}
	if out.MaxParked <= 0 {
		out.MaxParked = 50_000
	}
	if out.WriterHighWater <= 0 {
		out.WriterHighWater = 20_000
	}
	if out.SystemID == "" {
		out.SystemID = "Gallant"
	}
	out.Carriers = append([]CarrierConfig(nil), c.Carriers...)
	for i := range out.Carriers {
		cc := &out.Carriers[i]
		if cc.Binds <= 0 {
			cc.Binds = 1
		}
		if !cc.BindType.Valid() {
			cc.BindType = smpp.Transceiver
		}
	}
	return out
}

// Validate reports the first problem in c.
func (c *Config) Validate() error {
	if err := c.BindGuard.Validate(); err != nil {
		return err
	}
	seen := map[string]bool{}
	for _, cc := range c.Carriers {
		if cc.Name == "" || cc.Addr == "" {
			return errors.New("gateway: a carrier needs a name and an address")
		}
		if seen[cc.Name] {
			return fmt.Errorf("gateway: carrier %q configured twice", cc.Name)
		}
		seen[cc.Name] = true
	}
	return nil
}
