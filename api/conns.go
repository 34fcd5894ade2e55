package api

import (
	"net"
	"net/netip"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/valyala/fasthttp"
)

// Connection limits are enforced as connections are accepted, before a
// byte of them is read: at most Concurrency open in all and MaxConnsPerIP
// from one client address (trusted proxies exempt). fasthttp has both
// limits too, but counts them out of sight of the metrics and cannot
// exempt a proxy; its Concurrency stays set as a backstop, reached never
// since these count a connection until it is closed.

// connCounter counts the open connections of a server, in all and per
// address.
type connCounter struct {
	maxTotal int // 0: no limit
	maxPerIP int // 0: no limit
	exempt   func(netip.Addr) bool

	mu    sync.Mutex
	total int                  // guarded by mu
	perIP map[netip.Prefix]int // guarded by mu
}

func newConnCounter(maxTotal, maxPerIP int, exempt func(netip.Addr) bool) *connCounter {
	return &connCounter{maxTotal: maxTotal, maxPerIP: maxPerIP, exempt: exempt, perIP: make(map[netip.Prefix]int)}
}

// Refusal reasons, the label values of gallant_http_refused_total.
const (
	refusedConcurrency   = "concurrency"
	refusedConnsPerIP    = "conns_per_ip"
	refusedBodyTooLarge  = "body_too_large"
	refusedHeaderTooBig  = "header_too_large"
	refusedReadTimeout   = "read_timeout"
	refusedRateLimitIP   = "rate_limit_ip"
	refusedRateLimitKey  = "rate_limit_key"
	refusedRateLimitUser = "rate_limit_user"
)

// refusalReasons lists every reason, so each counter exists from the
// start.
var refusalReasons = []string{refusedConcurrency, refusedConnsPerIP, refusedBodyTooLarge, refusedHeaderTooBig,
	refusedReadTimeout, refusedRateLimitIP, refusedRateLimitKey, refusedRateLimitUser}

// admit counts a new connection from peer and returns the key it is
// counted under (the zero Prefix when only the total counts it), or the
// reason it is refused.
func (cc *connCounter) admit(peer netip.Addr) (netip.Prefix, string) {
	var key netip.Prefix
	if cc.maxPerIP > 0 && peer.IsValid() && !cc.exempt(peer) {
		key = limitKey(peer)
	}
	cc.mu.Lock()
	defer cc.mu.Unlock()
	if cc.maxTotal > 0 && cc.total >= cc.maxTotal {
		return netip.Prefix{}, refusedConcurrency
	}
	if key.IsValid() {
		if cc.perIP[key] >= cc.maxPerIP {
			return netip.Prefix{}, refusedConnsPerIP
		}
		cc.perIP[key]++
	}
	cc.total++
	return key, ""
}

// release uncounts a connection admitted under key.
func (cc *connCounter) release(key netip.Prefix) {
	cc.mu.Lock()
	defer cc.mu.Unlock()
	cc.total--
	if key.IsValid() {
		if n := cc.perIP[key] - 1; n > 0 {
			cc.perIP[key] = n
		} else {
			delete(cc.perIP, key)
		}
	}
}

// open returns the number of open connections.
func (cc *connCounter) open() int {
	cc.mu.Lock()
	defer cc.mu.Unlock()
	return cc.total
}

// limitListener admits the connections its listener accepts through the
// server's connCounter; it answers a refused one with a short problem
// (unless TLS will wrap the connection: that answer could not be read)
// and closes it.
type limitListener struct {
	net.Listener
	s      *Server
	answer bool
}

// refusalWriteTimeout bounds writing the answer to a refused connection,
// which the accept loop does: a new socket's empty send buffer takes it at
// once, and a client that does not read cannot stall accepting for long.
const refusalWriteTimeout = 50 * time.Millisecond

func (l *limitListener) Accept() (net.Conn, error) {
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			return nil, err
		}
		var peer netip.Addr
		if a, ok := c.RemoteAddr().(*net.TCPAddr); ok {
			ip, _ := netip.AddrFromSlice(a.IP)
			peer = ip.Unmap()
		}
		key, reason := l.s.conns.admit(peer)
		if reason == "" {
			return &countedConn{Conn: c, cc: l.s.conns, key: key}, nil
		}
		l.s.metrics.refuse(reason)
		if l.answer {
			_ = c.SetWriteDeadline(time.Now().Add(refusalWriteTimeout))
			_, _ = c.Write(l.s.refusals[reason])
		}
		_ = c.Close()
	}
}

// countedConn is an admitted connection; closing it uncounts it.
type countedConn struct {
	net.Conn
	cc     *connCounter
	key    netip.Prefix
	closed atomic.Bool
	// linger asks Close to let the client finish sending (up to a bound)
	// before the socket closes, so that it reads the answer already
	// written rather than a reset: set when a body was refused unread.
	linger atomic.Bool
}

// Lingering on a refused body: how long, and how many of its bytes are
// read and thrown away at most.
const (
	lingerTimeout = 500 * time.Millisecond
	lingerBytes   = 1 << 20
)

func (c *countedConn) Close() error {
	if !c.closed.CompareAndSwap(false, true) {
		return c.Conn.Close()
	}
	defer c.cc.release(c.key)
	if c.linger.Load() {
		lingerClose(c.Conn)
	}
	return c.Conn.Close()
}

// lingerClose ends the sending half of c and discards what the client
// still sends, for at most lingerTimeout and lingerBytes, so that closing
// a socket with unread data (which resets it) does not destroy the
// answer before the client has read it.
func lingerClose(c net.Conn) {
	cw, ok := c.(interface{ CloseWrite() error })
	if !ok || cw.CloseWrite() != nil {
		return
	}
	if c.SetReadDeadline(time.Now().Add(lingerTimeout)) != nil {
		return
	}
	var buf [4096]byte
	for n := 0; n < lingerBytes; {
		m, err := c.Read(buf[:])
		n += m
		if err != nil {
			return
		}
	}
}

// markLinger asks the connection of ctx to linger when it closes.
func markLinger(ctx *fasthttp.RequestCtx) {
	c := ctx.Conn()
	if u, ok := c.(interface{ NetConn() net.Conn }); ok { // *tls.Conn
		c = u.NetConn()
	}
	if cc, ok := c.(*countedConn); ok {
		cc.linger.Store(true)
	}
}

// refusalAnswers renders the plain-HTTP answers to refused connections.
func refusalAnswers() map[string][]byte {
	out := make(map[string][]byte, 2)
	for reason, e := range map[string]*Error{
		refusedConcurrency: Backpressure("the server has too many connections open; retry shortly", time.Second),
		refusedConnsPerIP:  RateLimited("too many connections open from this address; reuse them (keep-alive)", time.Second),
	} {
		body := appendProblem(nil, e)
		head := "HTTP/1.1 " + strconv.Itoa(e.Status) + " " + fasthttp.StatusMessage(e.Status) + "\r\n" +
			"Content-Type: " + contentProblem + "\r\nRetry-After: 1\r\nConnection: close\r\n" +
			"Content-Length: " + strconv.Itoa(len(body)) + "\r\n\r\n"
		out[reason] = append([]byte(head), body...)
	}
	return out
}
