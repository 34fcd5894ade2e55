package main

import (
	"errors"
	"io"
	"log/slog"
	"time"

	"github.com/gallant-sms/gallant/smpp"
)

// SMPPConfig describes an SMPP load run for [RunSMPP]. Start from
// [DefaultSMPPConfig]: the zero value has no address and no mix.
type SMPPConfig struct {
	// Addr is the MC's host:port.
	Addr string
	// SystemID, Password and SystemType are every bind's credentials.
	SystemID   string
	Password   string
	SystemType string

	// Binds is the number of sending binds. Default 1.
	Binds int
	// BindType is smpp.Transceiver (default) or smpp.Transmitter. With
	// Transmitter and RegisteredDelivery, each transmitter gets a
	// receiver bind of its own for the receipts.
	BindType smpp.BindType
	// Window is the most submit_sm outstanding per bind. Default 10, the
	// SMPP guideline; raise it to what the MC allows.
	Window int

	// Rate is the total in messages per second (a long message counts
	// once, however many submit_sm it takes), shared evenly by the binds.
	// 0 sends flat out, as fast as the windows allow.
	Rate float64
	// Duration bounds the send phase. Default 10 s; a run always ends.
	Duration time.Duration
	// Count, if positive, ends the send phase after this many messages,
	// when that comes before Duration.
	Count int64

	// Mix weighs the message kinds. Default [DefaultMix].
	Mix Mix
	// LongAs says how long messages go out: UDH segments (default) or
	// message_payload.
	LongAs LongAs
	// Addressing gives the sender and the destinations.
	Addressing Addressing

	// RegisteredDelivery asks for a receipt for every submit_sm
	// (registered_delivery 1), answers every deliver_sm and pairs the
	// receipts with the submitted message ids.
	RegisteredDelivery bool
	// ReceiptWait is how long to wait after the last submit_sm_resp for
	// the receipts still missing. Default 30 s; negative waits not at all.
	ReceiptWait time.Duration
	// ResponseTimeout is how long a submit_sm waits for its response
	// before it counts as timed out. Default 10 s.
	ResponseTimeout time.Duration
	// UnbindTimeout bounds the unbind of every session at the end, after
	// which they are closed. Default 5 s.
	UnbindTimeout time.Duration

	// Progress, if not nil, gets a line of counters every ProgressEvery
	// (default 1 s) while the run lasts.
	Progress      io.Writer
	ProgressEvery time.Duration
	// Logger receives the sessions' logs; nil discards them.
	Logger *slog.Logger
}

// The defaults of SMPPConfig.
const (
	DefaultDuration        = 10 * time.Second
	DefaultReceiptWait     = 30 * time.Second
	DefaultResponseTimeout = 10 * time.Second
	DefaultUnbindTimeout   = 5 * time.Second
	DefaultProgressEvery   = time.Second
)

// DefaultSMPPConfig returns a configuration with every default filled in
// and registered delivery on; set Addr and the credentials.
func DefaultSMPPConfig() SMPPConfig {
	return SMPPConfig{
		Binds:              1,
		BindType:           smpp.Transceiver,
		Window:             smpp.DefaultWindow,
		Duration:           DefaultDuration,
		Mix:                DefaultMix(),
		LongAs:             LongUDH,
		RegisteredDelivery: true,
		ReceiptWait:        DefaultReceiptWait,
		ResponseTimeout:    DefaultResponseTimeout,
		UnbindTimeout:      DefaultUnbindTimeout,
		ProgressEvery:      DefaultProgressEvery,
	}
}

// withDefaults returns c with zero fields replaced by their defaults.
func (c SMPPConfig) withDefaults() SMPPConfig {
	d := DefaultSMPPConfig()
	if c.Binds == 0 {
		c.Binds = d.Binds
	}
	if c.BindType == 0 {
		c.BindType = d.BindType
	}
	if c.Window == 0 {
		c.Window = d.Window
	}
	if c.Duration == 0 {
		c.Duration = d.Duration
	}
	if c.Mix == (Mix{}) {
		c.Mix = d.Mix
	}
	if c.ReceiptWait == 0 {
		c.ReceiptWait = d.ReceiptWait
	}
	if c.ResponseTimeout == 0 {
		c.ResponseTimeout = d.ResponseTimeout
	}
	if c.UnbindTimeout == 0 {
		c.UnbindTimeout = d.UnbindTimeout
	}
	if c.ProgressEvery <= 0 {
		c.ProgressEvery = d.ProgressEvery
	}
	c.Addressing.defaults()
	return c
}

// Validate reports a configuration that cannot run. Zero fields are
// checked as their defaults.
func (c SMPPConfig) Validate() error {
	c = c.withDefaults()
	switch {
	case c.Addr == "":
		return errors.New("no SMPP address")
	case c.Binds < 1 || c.Binds > 1000:
		return errors.New("binds must be from 1 to 1000")
	case c.BindType != smpp.Transceiver && c.BindType != smpp.Transmitter:
		return errors.New("bind type must be transceiver or transmitter")
	case c.Window < 1 || c.Window > 100_000:
		return errors.New("window must be from 1 to 100000")
	case c.Rate < 0:
		return errors.New("negative rate")
	case c.Duration < 0:
		return errors.New("negative duration")
	case c.Count < 0:
		return errors.New("negative count")
	case c.ResponseTimeout < 0 || c.UnbindTimeout < 0:
		return errors.New("negative timeout")
	case c.LongAs > LongPayload:
		return errors.New("unknown long-as")
	}
	if err := c.Mix.Validate(); err != nil {
		return err
	}
	return c.Addressing.Validate()
}
