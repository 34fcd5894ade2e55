package gateway

import (
	"context"
	"fmt"
	"net"
	"sync"

	"github.com/gallant-sms/gallant/smpp"
)

// Outbind from a carrier (CarrierConfig.OutbindListen): the gateway
// listens, the carrier connects and sends outbind with the carrier's
// system_id and password as configured, and the gateway binds as a
// receiver on that connection with the same credentials. That bind takes
// receipts and MO messages exactly as the carrier's own binds do (the
// same handler); submits still go through the binds the gateway dials.
// An outbind with other credentials is refused by closing the
// connection. Several outbinds may be up at once; all end at Shutdown.

// outbindListener serves one carrier's outbinds.
type outbindListener struct {
	c      *carrier
	cc     CarrierConfig // the settings it listens and binds with
	cancel context.CancelFunc
	done   chan struct{}

	mu       sync.Mutex // guards addr, sessions
	addr     net.Addr
	sessions map[*smpp.Session]struct{}
	wg       sync.WaitGroup // one watcher per session, until it ends
}

// newOutbindListener returns c's outbind listener with cc's settings, or
// nil when cc has no OutbindListen.
func newOutbindListener(c *carrier, cc CarrierConfig) *outbindListener {
	if cc.OutbindListen == "" {
		return nil
	}
	return &outbindListener{c: c, cc: cc, sessions: map[*smpp.Session]struct{}{}}
}

// start listens and serves outbinds until stop. A nil listener does
// nothing.
func (o *outbindListener) start() error {
	if o == nil {
		return nil
	}
	cc := o.cc
	l, err := net.Listen("tcp", cc.OutbindListen)
	if err != nil {
		return fmt.Errorf("gateway: carrier %s: outbind listen: %w", cc.Name, err)
	}
	o.mu.Lock()
	o.addr = l.Addr()
	o.mu.Unlock()
	sc := cc.Session
	if cc.Window > 0 {
		sc.Window = cc.Window
	}
	cfg := smpp.ClientConfig{BindType: smpp.Receiver, SystemID: cc.SystemID, Password: cc.Password,
		SystemType: cc.SystemType, Session: sc, Handler: smpp.HandlerFunc(o.c.handle)}
	log := o.c.s.log.With("carrier", cc.Name, "bind", "outbind")
	ctx, cancel := context.WithCancel(context.Background())
	o.cancel, o.done = cancel, make(chan struct{})
	go func() {
		defer close(o.done)
		if err := smpp.ServeOutbind(ctx, l, cfg, nil, log, o.bound); err != nil {
			log.Error("outbind listener stopped", "err", err)
		}
	}()
	log.Info("listening for outbind", "addr", l.Addr().String())
	return nil
}

// bound keeps an outbind session until it ends.
func (o *outbindListener) bound(s *smpp.Session) {
	o.mu.Lock()
	o.sessions[s] = struct{}{}
	o.wg.Add(1)
	o.mu.Unlock()
	o.c.s.log.Info("carrier bound by outbind", "carrier", o.cc.Name, "remote", s.RemoteAddr().String())
	go func() {
		defer o.wg.Done()
		<-s.Done()
		o.mu.Lock()
		delete(o.sessions, s)
		o.mu.Unlock()
	}()
}

// stop closes the listener and unbinds every outbind session (closing
// those that do not unbind within ctx). A nil listener does nothing.
func (o *outbindListener) stop(ctx context.Context) {
	if o == nil || o.cancel == nil {
		return
	}
	o.cancel()
	<-o.done // no session is added after this
	o.mu.Lock()
	list := make([]*smpp.Session, 0, len(o.sessions))
	for s := range o.sessions {
		list = append(list, s)
	}
	o.mu.Unlock()
	for _, s := range list {
		if err := s.Unbind(ctx); err != nil {
			_ = s.Close()
		}
	}
	o.wg.Wait()
}

// OutbindAddr returns the address the named carrier's outbind listener
// listens on, or nil when it has none (or the gateway has not started).
func (s *Service) OutbindAddr(carrier string) net.Addr {
	c := s.carrierNamed(carrier)
	if c == nil {
		return nil
	}
	ob := c.outbind()
	if ob == nil {
		return nil
	}
	ob.mu.Lock()
	defer ob.mu.Unlock()
	return ob.addr
}
