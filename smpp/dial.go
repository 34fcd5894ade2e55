package smpp

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"time"

	"github.com/gallant-sms/gallant/smpp/pdu"
)

// DefaultDialTimeout bounds connecting and binding when
// ClientConfig.DialTimeout is zero.
const DefaultDialTimeout = 10 * time.Second

// ClientConfig describes a bind to an MC (a carrier's SMSC), for [Dial],
// [BindConn] and [Client].
type ClientConfig struct {
	// Addr is the MC's host:port.
	Addr string
	// TLSConfig, if not nil, makes the connection use TLS; an empty
	// ServerName is taken from Addr.
	TLSConfig *tls.Config
	// BindType is the bind to make; 0 means Transceiver.
	BindType BindType
	// SystemID (≤15 characters), Password (≤8) and SystemType (≤12) are
	// the bind's credentials.
	SystemID   string
	Password   string
	SystemType string
	// InterfaceVersion is sent in the bind; 0 means 0x34 (SMPP 3.4),
	// which every carrier accepts (docs/smpp.md, "Interoperability
	// pitfalls").
	InterfaceVersion byte
	// AddrTON, AddrNPI and AddressRange (≤40) are the bind's address
	// range, usually left zero.
	AddrTON      byte
	AddrNPI      byte
	AddressRange string
	// Session configures the session; zero fields take defaults.
	Session SessionConfig
	// Handler receives deliver_sm, data_sm and alert_notification from
	// the MC; it must Respond to each deliver_sm and data_sm. nil answers
	// them with ESME_RSYSERR, which carriers retry.
	Handler Handler
	// DialTimeout bounds connecting, the TLS handshake and the bind; 0
	// means DefaultDialTimeout.
	DialTimeout time.Duration

	// Client only: see [Client].

	// RateLimiter, if set, paces Client.Send, TrySend and Call: one token
	// per PDU (so callers rate segments, not messages).
	RateLimiter RateLimiter
	// MinBackoff and MaxBackoff bound the reconnect delay; 0 means 100 ms
	// and 30 s.
	MinBackoff time.Duration
	MaxBackoff time.Duration
	// OnState, if set, is called on the Client's goroutine when the bind
	// state changes: BoundTX/RX/TRX after a bind, Closed with the cause
	// after a failed attempt or a lost bind (nil cause when the Client
	// closes). It must not block, nor call the Client's Close or Unbind.
	OnState func(BindState, error)
}

// bindPDU returns the bind request body described by cfg.
func (cfg *ClientConfig) bindPDU() (pdu.Bind, error) {
	bt := cfg.BindType
	if bt == 0 {
		bt = Transceiver
	}
	if !bt.Valid() {
		return pdu.Bind{}, errors.New("smpp: invalid bind type")
	}
	b := pdu.Bind{
		ID:               bt.CommandID(),
		SystemID:         []byte(cfg.SystemID),
		Password:         []byte(cfg.Password),
		SystemType:       []byte(cfg.SystemType),
		InterfaceVersion: cfg.InterfaceVersion,
		AddrTON:          cfg.AddrTON,
		AddrNPI:          cfg.AddrNPI,
		AddressRange:     []byte(cfg.AddressRange),
	}
	if b.InterfaceVersion == 0 {
		b.InterfaceVersion = 0x34
	}
	if err := b.Validate(); err != nil {
		return pdu.Bind{}, fmt.Errorf("smpp: bind fields: %w", err)
	}
	if err := cfg.Session.Validate(); err != nil {
		return pdu.Bind{}, err
	}
	return b, nil
}

// Dial connects to cfg.Addr (with TLS when cfg.TLSConfig is set) and
// binds, returning the bound session. It makes one attempt; [Client]
// keeps a bind up. A refused bind is a *BindError.
func Dial(ctx context.Context, cfg ClientConfig, logger *slog.Logger) (*Session, error) {
	if _, err := cfg.bindPDU(); err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, cmp0(cfg.DialTimeout, DefaultDialTimeout))
	defer cancel()
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", cfg.Addr)
	if err != nil {
		return nil, fmt.Errorf("smpp: dial: %w", err)
	}
	if cfg.TLSConfig != nil {
		tc := cfg.TLSConfig.Clone()
		if tc.ServerName == "" {
			if host, _, err := net.SplitHostPort(cfg.Addr); err == nil {
				tc.ServerName = host
			}
		}
		tlsConn := tls.Client(conn, tc)
		if err := tlsConn.HandshakeContext(ctx); err != nil {
			_ = conn.Close()
			return nil, fmt.Errorf("smpp: tls handshake: %w", err)
		}
		conn = tlsConn
	}
	return BindConn(ctx, conn, cfg, logger)
}

// BindConn binds over conn, an established connection to an MC, and
// returns the bound session, which owns conn from then on (it is closed
// on failure too). cfg.Addr and cfg.TLSConfig are not used.
func BindConn(ctx context.Context, conn net.Conn, cfg ClientConfig, logger *slog.Logger) (*Session, error) {
	b, err := cfg.bindPDU()
	if err != nil {
		_ = conn.Close()
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, cmp0(cfg.DialTimeout, DefaultDialTimeout))
	defer cancel()
	s := newSession(conn, roleESME, cfg.Session, cfg.Handler, logger)
	s.run()
	bc := &bindCall{s: s, systemID: cfg.SystemID, bt: bindTypeOf(b.ID), result: make(chan error, 1)}
	if _, err := s.send(ctx, b.ID, b.AppendBody(nil), bc, kindBind, true); err != nil {
		s.Close()
		return nil, fmt.Errorf("smpp: send bind: %w", err)
	}
	select {
	case err = <-bc.result:
	case <-ctx.Done():
		err = ctx.Err()
	case <-s.Done():
		// A refused bind is answered, then closed: prefer the answer.
		select {
		case err = <-bc.result:
		default:
			if err = s.Err(); err == nil {
				err = ErrConnectionLost
			}
		}
	}
	if err != nil {
		s.Close()
		return nil, fmt.Errorf("smpp: bind %s as %q: %w", conn.RemoteAddr(), cfg.SystemID, err)
	}
	s.logger().Info("smpp: bound", "peer_interface_version", s.InterfaceVersion())
	return s, nil
}

// bindCall is a client bind request in flight, and its Responder.
type bindCall struct {
	s        *Session
	systemID string
	bt       BindType
	result   chan error
}

// Response completes a client bind on the reader goroutine, so that the
// session is bound before it reads the PDU after bind_resp.
func (bc *bindCall) Response(h pdu.Header, body []byte, err error) {
	switch {
	case err != nil:
	case h.ID != bc.bt.CommandID().Response() || h.Status != pdu.StatusOK:
		st := h.Status
		if st == pdu.StatusOK {
			st = pdu.StatusBindFail // generic_nack with status 0: not a bind
		}
		err = &BindError{Status: st}
	default:
		resp := pdu.BindResp{ID: h.ID}
		var version byte
		if resp.Decode(body) == nil {
			version, _ = resp.InterfaceVersion()
		}
		bc.s.setBound(bc.systemID, bc.bt, version, nil)
	}
	bc.result <- err
}

// cmp0 returns v, or def when v is zero or negative.
func cmp0(v, def time.Duration) time.Duration {
	if v <= 0 {
		return def
	}
	return v
}
