package smpp

import (
	"errors"
	"strconv"
	"time"

	"github.com/gallant-sms/gallant/smpp/pdu"
)

// SessionConfig tunes one session. A zero field takes the default listed
// with it (see [DefaultSessionConfig]); a negative duration disables that
// timer. The zero SessionConfig is therefore the default configuration.
type SessionConfig struct {
	// Window is the most requests this side may have outstanding (sent
	// and not yet answered). Send blocks and TrySend fails beyond it.
	// Default 10: the SMPP 3.4 guideline and Kannel's max-pending-submits;
	// carriers usually configure 1–100 per bind and answer an overflow
	// with 0x58/0x14 or stop reading, so raise it only to what the peer
	// allows. Window/RTT bounds a bind's rate: 10 over a 20 ms link is
	// 500 submit_sm/s; use several binds or a larger agreed window above
	// that.
	Window int

	// MaxInbound is the most requests from the peer that may await our
	// Respond at once; InboundFull says what happens beyond it. Default
	// 100: ten times the usual peer window, enough for a group commit of
	// a few milliseconds at several thousand submit_sm/s per bind.
	MaxInbound int

	// InboundFull is what the session does with a peer request that
	// arrives while MaxInbound requests await Respond: answer it
	// ESME_RTHROTTLED (InboundThrottle, the default: normal flow control
	// for an ESME's submit_sm) or stop reading until a Respond frees room
	// (InboundBackpressure: for a bind to an MC, whose deliver_sm must
	// never be refused, since many MCs do not send a refused receipt
	// again; TCP then paces the peer).
	InboundFull InboundFull

	// OnInboundError, if not nil, is told of every peer request answered
	// with an error status (by the session or through Respond): its
	// command_id (0 for an unknown one) and the status. It runs on the
	// goroutine that answers, so it must return quickly.
	OnInboundError func(cmd pdu.CommandID, status pdu.Status)

	// ResponseTimeout is how long a request waits for its response before
	// its Responder gets ErrResponseTimeout (SMPP response_timer).
	// Default 60 s (Kannel wait-ack, smppex).
	ResponseTimeout time.Duration

	// EnquireLinkInterval is the idle time (nothing received) after which
	// the session sends enquire_link. Default 30 s, what carriers expect;
	// negative disables.
	EnquireLinkInterval time.Duration

	// InactivityTimeout closes the session, after sending unbind, when
	// nothing has been received for this long. Default 300 s (Kannel
	// connection-timeout); negative disables.
	InactivityTimeout time.Duration

	// BindTimeout is how long a server session waits for a bind after the
	// connection is accepted (SMPP session_init_timer), and bounds the
	// authenticator. Default 10 s; negative disables.
	BindTimeout time.Duration

	// WriteTimeout bounds one write to the connection and how long Send
	// waits for room in a full output buffer. A peer that stops reading
	// for this long is disconnected. Default 10 s; negative disables.
	WriteTimeout time.Duration

	// MaxPDULength is the largest command_length accepted from the peer
	// and sent to it. Default pdu.DefaultMaxLength (64 KiB).
	MaxPDULength uint32

	// ReadBufferSize is the initial size of the read buffer; it grows to
	// fit the largest PDU and bursts (up to 64 KiB beyond that) and
	// shrinks back when traffic falls. Default 4 KiB.
	ReadBufferSize int

	// WriteBufferSize is the initial capacity of each of the two output
	// buffers. Default 4 KiB.
	WriteBufferSize int

	// MaxPendingBytes bounds the output buffer: Send blocks (up to
	// WriteTimeout or its context) while this much is waiting to be
	// written. Responses and keepalives are not blocked, so that the
	// reader never stalls, but past four times this the peer is deemed
	// not to be reading and the session closes. Default 1 MiB.
	MaxPendingBytes int
}

// InboundFull is a session's policy for peer requests beyond
// SessionConfig.MaxInbound.
type InboundFull uint8

// The InboundFull policies.
const (
	// InboundThrottle answers a request beyond MaxInbound with
	// ESME_RTHROTTLED and keeps reading.
	InboundThrottle InboundFull = iota
	// InboundBackpressure stops reading until a Respond brings the
	// requests awaiting an answer below MaxInbound; the session never
	// refuses a request for flow control.
	InboundBackpressure
)

// String returns "throttle" or "backpressure".
func (f InboundFull) String() string {
	switch f {
	case InboundThrottle:
		return "throttle"
	case InboundBackpressure:
		return "backpressure"
	}
	return "InboundFull(" + strconv.Itoa(int(f)) + ")"
}

// The defaults of SessionConfig.
const (
	DefaultWindow              = 10
	DefaultMaxInbound          = 100
	DefaultResponseTimeout     = 60 * time.Second
	DefaultEnquireLinkInterval = 30 * time.Second
	DefaultInactivityTimeout   = 300 * time.Second
	DefaultBindTimeout         = 10 * time.Second
	DefaultWriteTimeout        = 10 * time.Second
	DefaultReadBufferSize      = 4 << 10
	DefaultWriteBufferSize     = 4 << 10
	DefaultMaxPendingBytes     = 1 << 20
)

// DefaultSessionConfig returns the configuration with every default filled
// in.
func DefaultSessionConfig() SessionConfig {
	return SessionConfig{
		Window:              DefaultWindow,
		MaxInbound:          DefaultMaxInbound,
		ResponseTimeout:     DefaultResponseTimeout,
		EnquireLinkInterval: DefaultEnquireLinkInterval,
		InactivityTimeout:   DefaultInactivityTimeout,
		BindTimeout:         DefaultBindTimeout,
		WriteTimeout:        DefaultWriteTimeout,
		MaxPDULength:        pdu.DefaultMaxLength,
		ReadBufferSize:      DefaultReadBufferSize,
		WriteBufferSize:     DefaultWriteBufferSize,
		MaxPendingBytes:     DefaultMaxPendingBytes,
	}
}

// Validate reports a configuration that cannot work.
func (c SessionConfig) Validate() error {
	switch {
	case c.Window < 0:
		return errors.New("smpp: negative Window")
	case c.MaxInbound < 0:
		return errors.New("smpp: negative MaxInbound")
	case c.InboundFull > InboundBackpressure:
		return errors.New("smpp: unknown InboundFull policy")
	case c.MaxPDULength != 0 && c.MaxPDULength < pdu.HeaderLen:
		return errors.New("smpp: MaxPDULength below the 16-octet header")
	case c.ReadBufferSize < 0 || c.WriteBufferSize < 0 || c.MaxPendingBytes < 0:
		return errors.New("smpp: negative buffer size")
	}
	return nil
}

// withDefaults returns c with zero fields replaced by their defaults and
// negative durations turned into 0 (disabled).
func (c SessionConfig) withDefaults() SessionConfig {
	d := DefaultSessionConfig()
	if c.Window <= 0 {
		c.Window = d.Window
	}
	if c.MaxInbound <= 0 {
		c.MaxInbound = d.MaxInbound
	}
	c.ResponseTimeout = durationOr(c.ResponseTimeout, d.ResponseTimeout)
	c.EnquireLinkInterval = durationOr(c.EnquireLinkInterval, d.EnquireLinkInterval)
	c.InactivityTimeout = durationOr(c.InactivityTimeout, d.InactivityTimeout)
	c.BindTimeout = durationOr(c.BindTimeout, d.BindTimeout)
	c.WriteTimeout = durationOr(c.WriteTimeout, d.WriteTimeout)
	if c.MaxPDULength < pdu.HeaderLen {
		c.MaxPDULength = d.MaxPDULength
	}
	if c.ReadBufferSize <= 0 {
		c.ReadBufferSize = d.ReadBufferSize
	}
	if c.ReadBufferSize < pdu.HeaderLen {
		c.ReadBufferSize = pdu.HeaderLen
	}
	if c.WriteBufferSize <= 0 {
		c.WriteBufferSize = d.WriteBufferSize
	}
	if c.MaxPendingBytes <= 0 {
		c.MaxPendingBytes = d.MaxPendingBytes
	}
	return c
}

// durationOr returns def for 0, 0 (disabled) for a negative v, else v.
func durationOr(v, def time.Duration) time.Duration {
	switch {
	case v == 0:
		return def
	case v < 0:
		return 0
	}
	return v
}

// tickInterval is how often a session with c checks its timers and
// updates its coarse clock: a quarter of the shortest enabled timer,
// between 5 ms and 1 s. Timers fire up to one tick late, never early.
func (c SessionConfig) tickInterval() time.Duration {
	t := time.Second
	for _, d := range []time.Duration{c.ResponseTimeout, c.EnquireLinkInterval, c.InactivityTimeout, c.BindTimeout, c.WriteTimeout} {
		if d > 0 && d/4 < t {
			t = d / 4
		}
	}
	return max(t, 5*time.Millisecond)
}
