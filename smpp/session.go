package smpp

import (
	"context"
	"log/slog"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gallant-sms/gallant/smpp/pdu"
)

// closeLinger bounds a graceful close: the time to flush the last PDUs
// (unbind_resp, generic_nack) and to wait for the peer to close its end.
const closeLinger = time.Second

// maxTableInit bounds the outstanding requests a new session's table is
// sized for; a larger Window grows it on demand.
const maxTableInit = 4096

// sessionIDs numbers sessions for Session.ID. It is the package's only
// global: an identifier unique per process needs one shared counter.
var sessionIDs atomic.Uint64

// bindInfo is what a bind established; set once, read through an atomic
// pointer.
type bindInfo struct {
	systemID string
	bindType BindType
	version  byte // the peer's interface_version (server) or sc_interface_version (client)
	value    any
	log      *slog.Logger
}

// owner is told about a server session's bind and end.
type owner interface {
	authorize(ctx context.Context, s *Session, req BindRequest) (value any, st pdu.Status)
	bound(s *Session)
	closed(s *Session)
}

// Session is one SMPP connection, bound or being bound, on either side:
// created by [Server] for each accepted connection, and by [Dial] and
// [BindConn] (and so [Client]) towards an MC. Its methods are safe for
// concurrent use.
//
// A session runs a reader and a writer goroutine until it closes; Done
// reports that, and Close, Abort and Unbind end it.
type Session struct {
	id      uint64
	conn    net.Conn
	cfg     SessionConfig
	role    role
	handler Handler
	owner   owner
	localID string // our system_id in bind_resp (server)
	version byte   // our interface version in bind_resp (server)
	tick    time.Duration
	start   time.Time

	info  atomic.Pointer[bindInfo]
	state atomic.Uint32 // BindState
	log   *slog.Logger  // with the session id; see logger() for system_id

	// Lock order: omu and out.mu are never held together, and no session
	// lock is held while calling a Handler, Responder or owner hook.
	// Server.mu is taken inside neither.
	out outbuf

	omu         sync.Mutex // guards the fields down to winSig
	table       inflight
	seq         uint32
	userOut     int  // kindUser entries in table
	closed      bool // no new requests
	winWaiters  int
	unbindSent  bool
	unbindAcked bool
	winSig      chan struct{} // cap 1: wakes one Send waiting for the window

	inbound atomic.Int64 // peer requests handed to the handler, not yet answered
	// paused is set while the reader waits for room below MaxInbound
	// (InboundBackpressure); a Respond then wakes it through inboundSig
	// (cap 1).
	paused     atomic.Bool
	inboundSig chan struct{}
	clock      atomic.Int64 // nanoseconds since start, updated each tick
	recvFlag   atomic.Bool  // set by the reader on data; consumed by the tick
	enquiring  atomic.Bool  // our enquire_link is outstanding
	ctr        counters

	// The system_id counted in the server's per-system_id limit (reader
	// goroutine only).
	counted   bool
	countedID string

	// Writer goroutine only.
	lastRecv    int64 // clock at the last tick that saw received data
	expired     []uint32
	expiredReqs []request

	// Reader goroutine only.
	wakeWindow bool // a response freed a window slot during this batch

	closeOnce  atomic.Bool
	closeMu    sync.Mutex
	reason     CloseReason
	closeErr   error
	graceful   bool
	closing    chan struct{} // closed when closing starts
	writerDone chan struct{}
	done       chan struct{} // closed when both goroutines have exited
}

// newSession prepares a session on conn; start launches it. logger may
// be nil.
func newSession(conn net.Conn, r role, cfg SessionConfig, h Handler, logger *slog.Logger) *Session {
	cfg = cfg.withDefaults()
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	s := &Session{
		id:         sessionIDs.Add(1),
		conn:       conn,
		cfg:        cfg,
		role:       r,
		handler:    h,
		tick:       cfg.tickInterval(),
		start:      time.Now(),
		winSig:     make(chan struct{}, 1),
		inboundSig: make(chan struct{}, 1),
		closing:    make(chan struct{}),
		writerDone: make(chan struct{}),
		done:       make(chan struct{}),
	}
	s.log = logger.With("session", s.id, "remote", conn.RemoteAddr().String())
	s.out.init(cfg.WriteBufferSize, cfg.MaxPendingBytes, s.closing)
	// Room for the window plus our keepalive, unbind and bind; a window
	// beyond maxTableInit grows the table as it fills instead.
	s.table.init(min(cfg.Window, maxTableInit) + 3)
	return s
}

// run starts the session's goroutines.
func (s *Session) run() {
	go s.writeLoop()
	go s.readLoop()
}

// ID returns the session's process-unique number.
func (s *Session) ID() uint64 { return s.id }

// State returns the session's bind state.
func (s *Session) State() BindState { return BindState(s.state.Load()) }

// SystemID returns the system_id of the bind: the ESME's on a server
// session, ours on a client session. It is empty before the bind.
func (s *Session) SystemID() string {
	if i := s.info.Load(); i != nil {
		return i.systemID
	}
	return ""
}

// BindType returns the type of the bind, or 0 before the bind.
func (s *Session) BindType() BindType {
	if i := s.info.Load(); i != nil {
		return i.bindType
	}
	return 0
}

// InterfaceVersion returns the peer's SMPP version: the interface_version
// of its bind on a server session, the sc_interface_version of the
// bind_resp on a client session (0 when absent).
func (s *Session) InterfaceVersion() byte {
	if i := s.info.Load(); i != nil {
		return i.version
	}
	return 0
}

// Value returns what the server's Authenticator returned for this bind
// (for example the account), or nil.
func (s *Session) Value() any {
	if i := s.info.Load(); i != nil {
		return i.value
	}
	return nil
}

// RemoteAddr returns the peer's network address.
func (s *Session) RemoteAddr() net.Addr { return s.conn.RemoteAddr() }

// LocalAddr returns our network address.
func (s *Session) LocalAddr() net.Addr { return s.conn.LocalAddr() }

// Done returns a channel closed when the session has ended and both its
// goroutines have exited.
func (s *Session) Done() <-chan struct{} { return s.done }

// CloseReason says why the session ended, or CloseNone while it is open.
func (s *Session) CloseReason() CloseReason {
	s.closeMu.Lock()
	defer s.closeMu.Unlock()
	return s.reason
}

// Err returns the error that ended the session (a read or write error, a
// protocol error, the refused bind's status), or nil while it is open or
// when it ended cleanly (unbind, Close).
func (s *Session) Err() error {
	s.closeMu.Lock()
	defer s.closeMu.Unlock()
	return s.closeErr
}

// Stats returns a snapshot of the session's counters.
func (s *Session) Stats() Stats {
	s.omu.Lock()
	out := s.userOut
	s.omu.Unlock()
	return Stats{
		PDUsIn:           s.ctr.pdusIn.Load(),
		PDUsOut:          s.out.queued(),
		BytesIn:          s.ctr.bytesIn.Load(),
		BytesOut:         s.ctr.bytesOut.Load(),
		Reads:            s.ctr.reads.Load(),
		Writes:           s.ctr.writes.Load(),
		Outstanding:      out,
		Inbound:          int(s.inbound.Load()),
		InboundThrottled: s.ctr.throttled.Load(),
		InboundPauses:    s.ctr.pauses.Load(),
		Unanswered:       s.ctr.unanswered.Load(),
		Rejected:         s.ctr.rejected.Load(),
		UnknownResponses: s.ctr.unknown.Load(),
		ResponseTimeouts: s.ctr.timeouts.Load(),
		InboundErrors:    s.ctr.inboundErrors(),
	}
}

// logger returns the session's logger, with system_id once bound.
func (s *Session) logger() *slog.Logger {
	if i := s.info.Load(); i != nil {
		return i.log
	}
	return s.log
}

// setBound records a successful bind and moves to its bound state.
func (s *Session) setBound(systemID string, t BindType, version byte, value any) {
	s.info.Store(&bindInfo{
		systemID: systemID,
		bindType: t,
		version:  version,
		value:    value,
		log:      s.log.With("system_id", systemID, "bind", t.String()),
	})
	s.state.Store(uint32(boundState(t)))
}

// Close ends the session at once: outstanding requests get
// ErrConnectionLost, unanswered peer requests are dropped. It waits for
// the session's goroutines, so it must not be called from a Handler or
// Responder (use Abort there). Close is idempotent and returns nil.
func (s *Session) Close() error {
	s.shutdown(CloseShutdown, nil, false)
	<-s.done
	return nil
}

// Abort starts closing the session like Close but does not wait for it to
// end; it is safe in a Handler or Responder. Wait on Done if needed.
func (s *Session) Abort() { s.shutdown(CloseShutdown, nil, false) }

// Unbind ends the session gracefully (docs/smpp.md, "Session states and who may send what":
// drain, then unbind):
// it stops new Sends (they fail with ErrSessionClosed; peer requests
// arriving now are answered ESME_RTHROTTLED so that they are retried
// after a new bind, or under InboundBackpressure, which never refuses,
// left unanswered for the peer to send again after a new bind), waits
// until every outstanding request has been answered (or timed out) and
// every peer request handed to the Handler has been Responded to (or
// abandoned: [Session.Abandon]), then sends unbind and closes once unbind_resp
// arrives (or times out). If ctx ends first the session is closed at
// once and ctx.Err() returned. A session that is not bound is simply
// closed. Like Close, it must not be called from a Handler or
// Responder.
func (s *Session) Unbind(ctx context.Context) error {
	if !s.beginUnbind() {
		s.shutdown(CloseUnbind, nil, false)
	}
	select {
	case <-s.done:
		return nil
	case <-ctx.Done():
		s.Close()
		return ctx.Err()
	}
}

// beginUnbind moves a bound session to Unbinding; the unbind goes out
// once the session has drained. It reports false when the session was
// not bound (nor already unbinding).
func (s *Session) beginUnbind() bool {
	for {
		st := s.State()
		if st == Unbinding {
			return true
		}
		if !st.Bound() {
			return false
		}
		if s.state.CompareAndSwap(uint32(st), uint32(Unbinding)) {
			break
		}
	}
	s.logger().Debug("smpp: unbinding")
	s.unbindProgress()
	return true
}

// unbindProgress moves an unbind of ours along: once nothing is
// outstanding either way it sends unbind, and once that is answered it
// closes. Every event that may complete a step calls it.
func (s *Session) unbindProgress() {
	if s.State() != Unbinding {
		return
	}
	s.omu.Lock()
	send := !s.unbindSent && s.userOut == 0 && s.inbound.Load() <= 0
	if send {
		s.unbindSent = true
	}
	acked := s.unbindAcked
	s.omu.Unlock()
	if send {
		if _, err := s.send(context.Background(), pdu.Unbind, nil, nil, kindUnbind, true); err != nil {
			s.shutdown(CloseUnbind, nil, false)
		}
	}
	if acked {
		s.shutdown(CloseUnbind, nil, true)
	}
}

// shutdown starts closing the session, once: it records why, stops new
// requests and output, and wakes every waiter. A graceful close lets the
// writer flush what is queued and half-close, then the reader drains
// until the peer closes (bounded by closeLinger); otherwise the
// connection is closed at once. It never blocks.
func (s *Session) shutdown(reason CloseReason, err error, graceful bool) {
	if !s.closeOnce.CompareAndSwap(false, true) {
		return
	}
	s.closeMu.Lock()
	s.reason, s.closeErr, s.graceful = reason, err, graceful
	s.closeMu.Unlock()
	s.omu.Lock()
	s.closed = true
	s.omu.Unlock()
	s.out.close()
	lvl := slog.LevelDebug
	if err != nil {
		lvl = s.peerLevel()
	}
	s.logger().Log(context.Background(), lvl, "smpp: session closing", "reason", reason.String(), "err", err)
	if graceful {
		// Bound a writer stuck on a peer that does not read.
		_ = s.conn.SetWriteDeadline(time.Now().Add(closeLinger))
	} else {
		_ = s.conn.Close()
	}
	close(s.closing)
}

// peerLevel is the level of a log record about something the peer did:
// info, except on a server session that has not bound. That one is
// anyone's connection, and logging each at info would let a peer fill the
// log as fast as it can connect; the server's owner counts such events.
func (s *Session) peerLevel() slog.Level {
	if s.role == roleMC && s.info.Load() == nil {
		return slog.LevelDebug
	}
	return slog.LevelInfo
}

// isClosing reports whether shutdown has started.
func (s *Session) isClosing() bool { return s.closeOnce.Load() }

// finish runs on the reader goroutine when it ends: it waits for the
// writer, fails what is outstanding and tells the owner.
func (s *Session) finish(readErr error) {
	s.shutdown(CloseReadError, readErr, false)
	<-s.writerDone
	_ = s.conn.Close()
	s.omu.Lock()
	reqs := s.table.drain(nil)
	s.userOut = 0
	s.omu.Unlock()
	for i := range reqs {
		if r := &reqs[i]; r.resp != nil {
			r.resp.Response(pdu.Header{}, nil, ErrConnectionLost)
		}
	}
	s.inbound.Store(0)
	s.state.Store(uint32(Closed))
	if s.owner != nil {
		s.owner.closed(s)
	}
	close(s.done)
}
