package smpp

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"sync"
	"time"

	"github.com/gallant-sms/gallant/smpp/pdu"
)

// Outbind (SMPP 3.4 §2.2.1, §4.1.7): an MC that has messages for an ESME
// connects to it and sends outbind (its system_id and password, no
// response); the ESME answers by binding on that connection, usually as
// a receiver, and the session is then a normal bind, the ESME's end.

// outbindMaxLen is the longest outbind PDU: a header, a 16-octet
// system_id and a 9-octet password with their NULs.
const outbindMaxLen = pdu.HeaderLen + 16 + 9

// ErrOutbindRefused is the error of an outbind whose credentials were
// not accepted.
var ErrOutbindRefused = errors.New("smpp: outbind credentials refused")

// OutbindCheck decides whether an MC's outbind credentials are accepted.
type OutbindCheck func(systemID, password string) bool

// AcceptOutbind takes conn, a connection an MC opened to us: it reads the
// MC's outbind, checks its system_id and password with check (nil: they
// must be cfg.SystemID and cfg.Password), then binds over conn with cfg
// (BindType 0 means Receiver, the bind 3.4 names for outbind) and returns
// the bound session, which owns conn. conn is closed when anything fails:
// a first PDU that is not an outbind, refused credentials
// (ErrOutbindRefused), a refused bind. cfg.DialTimeout (default
// DefaultDialTimeout) bounds waiting for the outbind and the bind.
func AcceptOutbind(ctx context.Context, conn net.Conn, cfg ClientConfig, check OutbindCheck, logger *slog.Logger) (*Session, error) {
	if cfg.BindType == 0 {
		cfg.BindType = Receiver
	}
	if !cfg.BindType.CanReceive() {
		_ = conn.Close()
		return nil, errors.New("smpp: outbind needs a receiver or transceiver bind")
	}
	timeout := cmp0(cfg.DialTimeout, DefaultDialTimeout)
	deadline := time.Now().Add(timeout)
	if d, ok := ctx.Deadline(); ok && d.Before(deadline) {
		deadline = d
	}
	// ctx ending interrupts the wait for the outbind.
	err := conn.SetReadDeadline(deadline)
	stop := context.AfterFunc(ctx, func() { _ = conn.SetReadDeadline(time.Now()) })
	var ob pdu.Outbind
	if err == nil {
		ob, err = readOutbind(conn)
	}
	if !stop() && err == nil {
		err = ctx.Err()
	}
	if err == nil {
		err = conn.SetReadDeadline(time.Time{})
	}
	if err != nil {
		_ = conn.Close()
		return nil, fmt.Errorf("smpp: outbind from %s: %w", conn.RemoteAddr(), err)
	}
	ok := false
	if check != nil {
		ok = check(string(ob.SystemID), string(ob.Password))
	} else {
		ok = subtle.ConstantTimeCompare(ob.SystemID, []byte(cfg.SystemID)) == 1 &&
			subtle.ConstantTimeCompare(ob.Password, []byte(cfg.Password)) == 1
	}
	if !ok {
		_ = conn.Close() // an ESME refuses an outbind by closing
		return nil, fmt.Errorf("smpp: outbind from %s as %q: %w", conn.RemoteAddr(), ob.SystemID, ErrOutbindRefused)
	}
	return BindConn(ctx, conn, cfg, logger)
}

// readOutbind reads the first PDU of conn, which must be an outbind,
// reading nothing past it.
func readOutbind(conn net.Conn) (pdu.Outbind, error) {
	var ob pdu.Outbind
	var buf [outbindMaxLen]byte
	h, body, _, err := pdu.ReadFrom(conn, buf[:0], outbindMaxLen)
	if err != nil {
		return ob, err
	}
	if h.ID != pdu.OutbindID {
		return ob, fmt.Errorf("first PDU is %s, not outbind", h.ID)
	}
	if err := ob.Decode(body); err != nil {
		return ob, err
	}
	ob.SystemID = append([]byte(nil), ob.SystemID...)
	ob.Password = append([]byte(nil), ob.Password...)
	return ob, nil
}

// ServeOutbind accepts MCs' connections on l and passes each through
// AcceptOutbind (cfg, check), handing every bound session to bound (on
// its own goroutine; it must not block long). Failed outbinds are
// logged. It returns when ctx ends (closing l) or l fails, once every
// connection it took is bound or given up; it does not close the
// sessions it handed out.
func ServeOutbind(ctx context.Context, l net.Listener, cfg ClientConfig, check OutbindCheck, logger *slog.Logger, bound func(*Session)) error {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	if _, err := cfg.bindPDU(); err != nil {
		return err
	}
	stop := context.AfterFunc(ctx, func() { _ = l.Close() })
	defer stop()
	var wg sync.WaitGroup
	defer wg.Wait()
	for {
		conn, err := l.Accept()
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return fmt.Errorf("smpp: outbind listener: %w", err)
		}
		wg.Go(func() {
			s, err := AcceptOutbind(ctx, conn, cfg, check, logger)
			if err != nil {
				logger.Warn("smpp: outbind not bound", "remote", conn.RemoteAddr().String(), "err", err)
				return
			}
			bound(s)
		})
	}
}
