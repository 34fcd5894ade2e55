package proxyproto

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"sync"
	"time"

	"github.com/gallant-sms/gallant/internal/cidr"
)

// Defaults of [Config].
const (
	// DefaultTimeout bounds the reading of one header.
	DefaultTimeout = 5 * time.Second
	// DefaultMaxPending bounds the headers being read at once.
	DefaultMaxPending = 256
)

// Config says whose headers a [Listener] reads.
type Config struct {
	// Trusted lists the networks of the balancers: a connection from an
	// address in one of them must start with a header; one from elsewhere
	// is handed on as it is, never parsed. Empty: no connection is
	// parsed.
	Trusted []netip.Prefix
	// Timeout bounds the reading of a header, from the accept to its last
	// byte: a balancer that sends less in that time is closed. 0 means
	// DefaultTimeout.
	Timeout time.Duration
	// MaxPending bounds the trusted connections whose header is being
	// read at once; beyond it the listener accepts nothing more until
	// one is done. 0 means DefaultMaxPending.
	MaxPending int
	// OnError, if set, is told of every trusted connection closed because
	// its header could not be read (malformed, missing, too slow), with
	// the balancer's address. A connection closed before sending a byte
	// (a balancer's TCP health check) is reported with an error wrapping
	// io.EOF. It is called on the connection's own goroutine and must not
	// block.
	OnError func(peer net.Addr, err error)
}

// ParseTrusted parses a list of balancer addresses (a host: its /32 or
// /128) and CIDR networks, for [Config.Trusted]. IPv4-mapped IPv6 forms
// are read as IPv4.
func ParseTrusted(list []string) ([]netip.Prefix, error) {
	out, err := cidr.ParseList(list)
	if err != nil {
		return nil, fmt.Errorf("proxyproto: trusted %w", err)
	}
	return out, nil
}

// Listener is a [net.Listener] that reads the PROXY protocol header of
// the connections its trusted balancers open (see [Config]) and hands
// them on as [*Conn]s reporting the client's address; connections from
// other addresses come out of Accept as the wrapped listener made them.
//
// Headers are read on a goroutine per connection, so a slow balancer
// holds up no other connection; Accept returns connections in the order
// they are ready. Close closes the wrapped listener and every connection
// not handed on yet, and waits for those goroutines.
type Listener struct {
	inner   net.Listener
	trusted []netip.Prefix
	timeout time.Duration
	onError func(net.Addr, error)

	ready chan accepted  // unbuffered: handed on only to an Accept
	slots chan struct{}  // a token per header being read or waiting to be handed on
	done  chan struct{}  // closed by shutdown
	wg    sync.WaitGroup // the accept loop and the header readers

	mu      sync.Mutex
	closed  bool
	pending map[net.Conn]struct{} // connections whose header is being read
}

// accepted is one result of the wrapped listener's Accept.
type accepted struct {
	conn net.Conn
	err  error
}

// NewListener wraps l, which it owns from then on, and starts accepting
// from it: Close must be called to stop that.
func NewListener(l net.Listener, cfg Config) *Listener {
	pl := &Listener{inner: l, timeout: cfg.Timeout, onError: cfg.OnError,
		ready: make(chan accepted), done: make(chan struct{}), pending: map[net.Conn]struct{}{}}
	if pl.timeout <= 0 {
		pl.timeout = DefaultTimeout
	}
	n := cfg.MaxPending
	if n <= 0 {
		n = DefaultMaxPending
	}
	pl.slots = make(chan struct{}, n)
	for _, p := range cfg.Trusted {
		if p.IsValid() {
			pl.trusted = append(pl.trusted, cidr.Normalize(p))
		}
	}
	pl.wg.Add(1)
	go pl.acceptLoop()
	return pl
}

// Accept returns the next connection: one from an untrusted address as
// it is, or one from a trusted balancer whose header has been read, as a
// [*Conn]. Errors of the wrapped listener are returned as they come;
// after Close it returns an error wrapping [net.ErrClosed].
func (l *Listener) Accept() (net.Conn, error) {
	select {
	case a := <-l.ready:
		return a.conn, a.err
	case <-l.done:
		return nil, &net.OpError{Op: "accept", Net: l.inner.Addr().Network(), Addr: l.inner.Addr(), Err: net.ErrClosed}
	}
}

// Close closes the wrapped listener and every connection whose header is
// being read or that waits to be handed on, and waits for the
// listener's goroutines to end.
func (l *Listener) Close() error {
	first := l.shutdown()
	var err error
	if first {
		err = l.inner.Close()
	}
	l.wg.Wait()
	return err
}

// Addr is the wrapped listener's address.
func (l *Listener) Addr() net.Addr { return l.inner.Addr() }

// shutdown marks l closed and closes the connections being read; it
// reports whether it was the first call.
func (l *Listener) shutdown() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return false
	}
	l.closed = true
	close(l.done)
	for c := range l.pending {
		_ = c.Close()
	}
	return true
}

// acceptLoop accepts from the wrapped listener until it is closed.
func (l *Listener) acceptLoop() {
	defer l.wg.Done()
	for {
		c, err := l.inner.Accept()
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				// Closed under us (or by Close): nothing more comes.
				l.shutdown()
				return
			}
			// A temporary error goes to Accept's caller, which backs
			// off before its next call.
			if !l.handOn(accepted{err: err}) {
				return
			}
			continue
		}
		if !l.isTrusted(c.RemoteAddr()) {
			if !l.handOn(accepted{conn: c}) {
				_ = c.Close()
				return
			}
			continue
		}
		select {
		case l.slots <- struct{}{}:
		case <-l.done:
			_ = c.Close()
			return
		}
		l.mu.Lock()
		if l.closed {
			l.mu.Unlock()
			<-l.slots
			_ = c.Close()
			return
		}
		l.pending[c] = struct{}{}
		l.wg.Add(1)
		l.mu.Unlock()
		go l.readHeader(c)
	}
}

// handOn gives a to the next Accept; false when l closed first.
func (l *Listener) handOn(a accepted) bool {
	select {
	case l.ready <- a:
		return true
	case <-l.done:
		return false
	}
}

// isTrusted reports whether addr is in a trusted network.
func (l *Listener) isTrusted(addr net.Addr) bool {
	ip := addrIP(addr)
	if !ip.IsValid() {
		return false
	}
	for _, p := range l.trusted {
		if p.Contains(ip) {
			return true
		}
	}
	return false
}

// addrIP is addr's IP address (IPv4-mapped ones as IPv4), or the zero
// Addr for an address that is not IP.
func addrIP(addr net.Addr) netip.Addr {
	switch a := addr.(type) {
	case *net.TCPAddr:
		ip, _ := netip.AddrFromSlice(a.IP)
		return ip.Unmap()
	case nil:
		return netip.Addr{}
	}
	ap, err := netip.ParseAddrPort(addr.String())
	if err != nil {
		return netip.Addr{}
	}
	return ap.Addr().Unmap()
}

// readBuffer is what one header read buffers: a header and, from a
// balancer that sends the client's first bytes with it, the start of
// those.
const readBuffer = 256

// readHeader reads c's header within the timeout and hands c on as a
// *Conn, or closes it.
func (l *Listener) readHeader(c net.Conn) {
	defer l.wg.Done()
	defer func() { <-l.slots }()
	pc, err := l.handshake(c)
	l.mu.Lock()
	delete(l.pending, c)
	closed := l.closed
	l.mu.Unlock()
	if err != nil || closed {
		_ = c.Close()
		if err != nil && !closed && l.onError != nil {
			l.onError(c.RemoteAddr(), err)
		}
		return
	}
	if !l.handOn(accepted{conn: pc}) {
		_ = c.Close()
	}
}

// handshake reads c's header and returns the connection that follows it.
func (l *Listener) handshake(c net.Conn) (*Conn, error) {
	if err := c.SetReadDeadline(time.Now().Add(l.timeout)); err != nil {
		return nil, fmt.Errorf("proxyproto: %w", err)
	}
	br := bufio.NewReaderSize(c, readBuffer)
	h, err := ReadHeader(br)
	if err != nil {
		return nil, err
	}
	if err := c.SetReadDeadline(time.Time{}); err != nil {
		return nil, fmt.Errorf("proxyproto: %w", err)
	}
	var rest []byte
	if n := br.Buffered(); n > 0 {
		b, _ := br.Peek(n)
		rest = bytes.Clone(b)
	}
	return newConn(c, h, rest), nil
}

// Conn is a connection from a trusted balancer, its header read: its
// RemoteAddr is the client the header names (the balancer's address for
// a LOCAL or UNKNOWN header); Read returns what follows the header.
// Like a net.Conn, it is safe for one reader and one writer at a time.
type Conn struct {
	net.Conn
	header Header
	remote net.Addr
	rest   []byte // read past the header, not yet returned by Read
}

// newConn wraps c, whose header h was read, rest having been read past
// it.
func newConn(c net.Conn, h Header, rest []byte) *Conn {
	pc := &Conn{Conn: c, header: h, remote: c.RemoteAddr(), rest: rest}
	if !h.Local {
		pc.remote = net.TCPAddrFromAddrPort(h.Source)
	}
	return pc
}

// Read reads what the client sent after the header.
func (c *Conn) Read(b []byte) (int, error) {
	if len(c.rest) > 0 {
		n := copy(b, c.rest)
		c.rest = c.rest[n:]
		if len(c.rest) == 0 {
			c.rest = nil
		}
		return n, nil
	}
	return c.Conn.Read(b)
}

// RemoteAddr is the client's address as the header names it, or the
// balancer's for a header that names none.
func (c *Conn) RemoteAddr() net.Addr { return c.remote }

// ProxyAddr is the balancer's address: the connection's real peer.
func (c *Conn) ProxyAddr() net.Addr { return c.Conn.RemoteAddr() }

// Header is the header the balancer sent.
func (c *Conn) Header() Header { return c.header }

// CloseWrite shuts down the writing side of the underlying connection
// when it can (a TCP connection), so a last PDU is sent before the close.
func (c *Conn) CloseWrite() error {
	if cw, ok := c.Conn.(interface{ CloseWrite() error }); ok {
		return cw.CloseWrite()
	}
	return errors.New("proxyproto: the connection cannot close its writing side alone")
}
