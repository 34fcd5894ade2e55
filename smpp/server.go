package smpp

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"sync"
	"time"

	"github.com/gallant-sms/gallant/smpp/pdu"
	"github.com/gallant-sms/gallant/smpp/proxyproto"
)

// DefaultServerSystemID is the system_id a Server sends in bind_*_resp
// when Server.SystemID is empty.
const DefaultServerSystemID = "gallant"

// Accept loop backoff on temporary errors (as net/http: 5 ms doubling to
// 1 s).
const (
	acceptMinDelay = 5 * time.Millisecond
	acceptMaxDelay = time.Second
)

// Server accepts ESME connections and runs a [Session] for each: it
// answers binds itself (through Authenticator and MaxBindsPerSystemID)
// and hands post-bind requests legal for the bind type to Handler.
//
// Set the exported fields before Serve; they must not change afterwards.
// A Server's methods are safe for concurrent use. The zero Server refuses
// every bind.
type Server struct {
	// Addr is the TCP address ListenAndServe listens on; "" means ":2775".
	Addr string
	// TLSConfig, if not nil, makes the server speak TLS (SMPP over TLS,
	// port 3550 by convention).
	TLSConfig *tls.Config
	// Authenticator decides binds; nil refuses them all with
	// ESME_RBINDFAIL.
	Authenticator Authenticator
	// Handler receives post-bind requests (submit_sm, data_sm, query_sm,
	// ...). nil answers each with ESME_RSYSERR.
	Handler Handler
	// MaxConnections caps the connections the server holds open, bound
	// or not. A connection beyond it is closed as soon as it is
	// accepted, before anything is read from it (and, on TLS, before the
	// handshake; from a trusted balancer, once its PROXY header is read:
	// see ProxyProtocol). 0 means unlimited.
	MaxConnections int
	// MaxConnectionsPerIP caps the open connections from one client
	// address, as [ClientKey] names it (an IPv4 address, or an IPv6 /64),
	// the same way. 0 means unlimited.
	MaxConnectionsPerIP int
	// ProxyProtocol, when its Trusted list is not empty, makes Serve
	// and ServeTLS read a PROXY protocol header (version 1 or 2) from
	// every connection whose peer is a trusted load balancer, before
	// anything else (and before TLS): the client address it names is the
	// connection's RemoteAddr from then on, for MaxConnectionsPerIP,
	// the Authenticator ([BindRequest].RemoteAddr), OnRefuse and the
	// logs. A trusted peer that sends no valid header within its Timeout
	// is closed (reported to OnRefuse as RefuseProxyHeader, unless it
	// closed without sending a byte, as a TCP health check does).
	// Connections from other peers are not parsed. Its OnError is the
	// server's own.
	ProxyProtocol proxyproto.Config
	// OnRefuse, if set, is told of every connection the server turned
	// away: at accept time for RefuseMaxConnections and
	// RefuseMaxConnectionsPerIP (on the accept goroutine), when a
	// trusted balancer's PROXY header could not be read for
	// RefuseProxyHeader (on the header's goroutine, with the balancer's
	// address), and when a session ends without having bound within
	// SessionConfig.BindTimeout for RefuseBindTimeout (on the session's
	// reader goroutine). It must not block. Binds the Authenticator refuses are not reported here:
	// the Authenticator knows of them.
	OnRefuse func(remote net.Addr, reason RefuseReason)
	// MaxBindsPerSystemID caps concurrent binds per system_id; an excess
	// bind is refused with ESME_RBINDFAIL (the generic bind failure: SMPP
	// has no dedicated code, and 0x05 ESME_RALYBND means "this session is
	// already bound"). 0 means unlimited.
	MaxBindsPerSystemID int
	// Session configures every session; zero fields take defaults.
	Session SessionConfig
	// Logger receives the server's and sessions' logs; nil discards.
	Logger *slog.Logger
	// SystemID is ours, sent in bind_*_resp; "" means
	// DefaultServerSystemID.
	SystemID string
	// InterfaceVersion is sent in the sc_interface_version TLV of
	// bind_*_resp to peers that bound with 0x34 or later; 0 means 0x34.
	InterfaceVersion byte
	// OnBind, if set, is called on the session's reader goroutine after
	// a successful bind (its bind_resp is already queued), before the
	// session reads its next PDU. It must not block for long, nor call the
	// session's Close or Unbind (Abort is fine).
	OnBind func(*Session)
	// OnClose, if set, is called on the session's reader goroutine when a
	// session for which OnBind was called has ended, just before its Done
	// channel closes (so it must not wait on Done or call Close).
	OnClose func(*Session)

	mu        sync.Mutex
	listeners map[net.Listener]struct{}
	sessions  map[*Session]string // the session's ClientKey
	perIP     map[string]int      // open sessions by ClientKey
	bySystem  map[string]int
	stopped   bool
	quit      chan struct{} // closed by Shutdown/Close: wakes the accept backoff
	empty     chan struct{} // closed when sessions becomes empty while stopped
	addr      net.Addr
}

// ListenAndServe listens on srv.Addr and serves until Shutdown or Close,
// after which it returns ErrServerClosed.
func (srv *Server) ListenAndServe() error {
	addr := srv.Addr
	if addr == "" {
		addr = ":2775"
	}
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("smpp: listen: %w", err)
	}
	return srv.Serve(l)
}

// Serve accepts connections on l (wrapped in TLS when TLSConfig is set)
// and serves each on its own session, until Shutdown or Close, after
// which it returns ErrServerClosed. Temporary accept errors are retried
// after a backoff from 5 ms doubling to 1 s. Serve closes l.
func (srv *Server) Serve(l net.Listener) error {
	return srv.serve(l, srv.TLSConfig)
}

// ServeTLS is Serve speaking TLS under config on l, whatever TLSConfig
// says: one server may serve a plain and a TLS listener. l is a plain TCP
// listener: the PROXY protocol header, if any, comes before the TLS
// handshake.
func (srv *Server) ServeTLS(l net.Listener, config *tls.Config) error {
	if config == nil {
		_ = l.Close()
		return errors.New("smpp: ServeTLS without a TLS configuration")
	}
	return srv.serve(l, config)
}

// serve is Serve with TLS under tlsConfig (nil: none).
func (srv *Server) serve(l net.Listener, tlsConfig *tls.Config) error {
	if err := srv.Session.Validate(); err != nil {
		_ = l.Close()
		return err
	}
	if len(srv.ProxyProtocol.Trusted) > 0 {
		cfg := srv.ProxyProtocol
		cfg.OnError = srv.proxyFailed
		l = proxyproto.NewListener(l, cfg)
	}
	if tlsConfig != nil {
		l = tls.NewListener(l, tlsConfig)
	}
	if !srv.track(l) {
		_ = l.Close()
		return ErrServerClosed
	}
	defer srv.untrack(l)
	log := srv.logger()
	var delay time.Duration
	for {
		conn, err := l.Accept()
		if err != nil {
			if srv.isStopped() {
				return ErrServerClosed
			}
			if errors.Is(err, net.ErrClosed) {
				return fmt.Errorf("smpp: accept: %w", err)
			}
			delay = min(max(2*delay, acceptMinDelay), acceptMaxDelay)
			log.Warn("smpp: accept error, retrying", "err", err, "delay", delay)
			t := time.NewTimer(delay)
			select {
			case <-t.C:
			case <-srv.quitChan():
				t.Stop()
			}
			continue
		}
		delay = 0
		srv.ServeConn(conn)
	}
}

// ServeConn serves one connection that the caller accepted (for example
// one end of net.Pipe) as a server session, and returns without waiting.
// It closes conn at once, without reading from it, after Shutdown or
// Close and when MaxConnections or MaxConnectionsPerIP is reached.
func (srv *Server) ServeConn(conn net.Conn) {
	remote := conn.RemoteAddr()
	key := ClientKey(remote)
	srv.mu.Lock()
	if srv.stopped {
		srv.mu.Unlock()
		_ = conn.Close()
		return
	}
	if reason := srv.admitLocked(key); reason != 0 {
		srv.mu.Unlock()
		// Reported before the close, so the refusal is counted by the
		// time the peer sees the connection end.
		srv.refused(remote, reason)
		_ = conn.Close()
		return
	}
	s := newSession(conn, roleMC, srv.Session, srv.Handler, srv.logger())
	s.owner = srv
	s.localID = srv.SystemID
	if s.localID == "" {
		s.localID = DefaultServerSystemID
	}
	s.version = srv.InterfaceVersion
	if s.version == 0 {
		s.version = 0x34
	}
	if srv.sessions == nil {
		srv.sessions = make(map[*Session]string)
		srv.perIP = make(map[string]int)
	}
	srv.sessions[s] = key
	srv.perIP[key]++
	srv.mu.Unlock()
	s.run()
}

// proxyFailed is the PROXY listener's OnError: a trusted balancer's
// connection closed for want of a header. One closed before its first
// byte is a health check, logged at debug level only.
func (srv *Server) proxyFailed(peer net.Addr, err error) {
	if errors.Is(err, io.EOF) {
		srv.logger().Debug("smpp: balancer connection closed before a PROXY header", "remote", addrString(peer))
		return
	}
	srv.logger().Debug("smpp: balancer connection without a valid PROXY header closed", "remote", addrString(peer), "err", err)
	srv.refused(peer, RefuseProxyHeader)
}

// admitLocked reports why a new connection from key must be refused, or 0
// to admit it. srv.mu must be held.
func (srv *Server) admitLocked(key string) RefuseReason {
	switch {
	case srv.MaxConnections > 0 && len(srv.sessions) >= srv.MaxConnections:
		return RefuseMaxConnections
	case srv.MaxConnectionsPerIP > 0 && srv.perIP[key] >= srv.MaxConnectionsPerIP:
		return RefuseMaxConnectionsPerIP
	}
	return 0
}

// refused reports a refused connection to OnRefuse, or logs it at debug
// level without one.
func (srv *Server) refused(remote net.Addr, reason RefuseReason) {
	if srv.OnRefuse != nil {
		srv.OnRefuse(remote, reason)
		return
	}
	srv.logger().Debug("smpp: connection refused", "remote", addrString(remote), "reason", reason.String())
}

// Connections returns the number of open connections, bound or not.
func (srv *Server) Connections() int {
	srv.mu.Lock()
	defer srv.mu.Unlock()
	return len(srv.sessions)
}

// ListenerAddr returns the address of the listener Serve most recently
// started on, or nil. (The Addr field is the address to listen on.)
func (srv *Server) ListenerAddr() net.Addr {
	srv.mu.Lock()
	defer srv.mu.Unlock()
	return srv.addr
}

// Sessions returns a snapshot of the server's sessions, bound or not.
func (srv *Server) Sessions() []*Session {
	srv.mu.Lock()
	defer srv.mu.Unlock()
	out := make([]*Session, 0, len(srv.sessions))
	for s := range srv.sessions {
		out = append(out, s)
	}
	return out
}

// BindCount returns the number of sessions bound with systemID.
func (srv *Server) BindCount(systemID string) int {
	srv.mu.Lock()
	defer srv.mu.Unlock()
	return srv.bySystem[systemID]
}

// Shutdown stops the server gracefully: it stops accepting, sends unbind
// on every bound session (closing the unbound ones), and waits for the
// sessions to drain (outstanding requests answered, peer requests
// responded to) and close. When ctx ends first it closes what remains
// and returns ctx.Err(). Serve returns ErrServerClosed.
func (srv *Server) Shutdown(ctx context.Context) error {
	sessions := srv.stop()
	for _, s := range sessions {
		if !s.beginUnbind() {
			s.shutdown(CloseShutdown, nil, false)
		}
	}
	select {
	case <-srv.emptyChan():
		return nil
	case <-ctx.Done():
		srv.closeAll()
		return ctx.Err()
	}
}

// Close stops the server at once: it stops accepting and closes every
// session, waiting for them to end. Serve returns ErrServerClosed.
func (srv *Server) Close() error {
	srv.stop()
	srv.closeAll()
	return nil
}

// closeAll closes every session and waits for them.
func (srv *Server) closeAll() {
	sessions := srv.Sessions()
	for _, s := range sessions {
		s.Abort()
	}
	for _, s := range sessions {
		<-s.Done()
	}
}

// stop marks the server stopped, closes its listeners and returns its
// sessions.
func (srv *Server) stop() []*Session {
	srv.mu.Lock()
	if !srv.stopped {
		srv.stopped = true
		if srv.quit == nil {
			srv.quit = make(chan struct{})
		}
		close(srv.quit)
	}
	for l := range srv.listeners {
		_ = l.Close()
	}
	out := make([]*Session, 0, len(srv.sessions))
	for s := range srv.sessions {
		out = append(out, s)
	}
	srv.mu.Unlock()
	return out
}

func (srv *Server) isStopped() bool {
	srv.mu.Lock()
	defer srv.mu.Unlock()
	return srv.stopped
}

func (srv *Server) quitChan() <-chan struct{} {
	srv.mu.Lock()
	defer srv.mu.Unlock()
	if srv.quit == nil {
		srv.quit = make(chan struct{})
	}
	return srv.quit
}

// emptyChan returns a channel closed once no session remains.
func (srv *Server) emptyChan() <-chan struct{} {
	srv.mu.Lock()
	defer srv.mu.Unlock()
	if srv.empty == nil {
		srv.empty = make(chan struct{})
		if len(srv.sessions) == 0 {
			close(srv.empty)
		}
	}
	return srv.empty
}

// track registers a listener; it reports false once stopped.
func (srv *Server) track(l net.Listener) bool {
	srv.mu.Lock()
	defer srv.mu.Unlock()
	if srv.stopped {
		return false
	}
	if srv.listeners == nil {
		srv.listeners = make(map[net.Listener]struct{})
	}
	srv.listeners[l] = struct{}{}
	srv.addr = l.Addr()
	return true
}

func (srv *Server) untrack(l net.Listener) {
	srv.mu.Lock()
	defer srv.mu.Unlock()
	delete(srv.listeners, l)
}

func (srv *Server) logger() *slog.Logger {
	if srv.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return srv.Logger
}

// authorize runs the Authenticator, then the per-system_id limit.
func (srv *Server) authorize(ctx context.Context, s *Session, req BindRequest) (any, pdu.Status) {
	if srv.Authenticator == nil {
		return nil, pdu.StatusBindFail
	}
	v, st := srv.Authenticator.Authenticate(ctx, req)
	if st != pdu.StatusOK {
		return nil, st
	}
	if ctx.Err() != nil {
		return nil, pdu.StatusBindFail // the bind deadline passed meanwhile
	}
	srv.mu.Lock()
	defer srv.mu.Unlock()
	if srv.stopped {
		return nil, pdu.StatusBindFail
	}
	if srv.MaxBindsPerSystemID > 0 && srv.bySystem[req.SystemID] >= srv.MaxBindsPerSystemID {
		return nil, pdu.StatusBindFail
	}
	if srv.bySystem == nil {
		srv.bySystem = make(map[string]int)
	}
	srv.bySystem[req.SystemID]++
	s.counted, s.countedID = true, req.SystemID
	return v, pdu.StatusOK
}

// bound calls OnBind.
func (srv *Server) bound(s *Session) {
	if srv.OnBind != nil {
		srv.OnBind(s)
	}
}

// closed forgets an ended session and calls OnClose, or OnRefuse when it
// ended for want of a bind.
func (srv *Server) closed(s *Session) {
	srv.mu.Lock()
	if key, ok := srv.sessions[s]; ok {
		delete(srv.sessions, s)
		if srv.perIP[key]--; srv.perIP[key] <= 0 {
			delete(srv.perIP, key)
		}
	}
	if s.counted {
		id := s.countedID
		if srv.bySystem[id]--; srv.bySystem[id] <= 0 {
			delete(srv.bySystem, id)
		}
	}
	if srv.stopped && len(srv.sessions) == 0 && srv.empty != nil {
		select {
		case <-srv.empty:
		default:
			close(srv.empty)
		}
	}
	srv.mu.Unlock()
	switch {
	case s.info.Load() != nil:
		if srv.OnClose != nil {
			srv.OnClose(s)
		}
	case s.CloseReason() == CloseBindTimeout:
		srv.refused(s.RemoteAddr(), RefuseBindTimeout)
	}
}
