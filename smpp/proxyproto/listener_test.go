package proxyproto

import (
	"errors"
	"io"
	"net"
	"net/netip"
	"os"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// balancer is 127.0.0.2, the trusted address in these tests; 127.0.0.1
// is any other client.
const balancer = "127.0.0.2"

// errs collects OnError calls.
type errs struct {
	mu   sync.Mutex
	got  []error
	from []net.Addr
	ch   chan struct{}
}

func newErrs() *errs { return &errs{ch: make(chan struct{}, 100)} }

func (e *errs) on(peer net.Addr, err error) {
	e.mu.Lock()
	e.got, e.from = append(e.got, err), append(e.from, peer)
	e.mu.Unlock()
	e.ch <- struct{}{}
}

// next waits for the next OnError call and returns its error.
func (e *errs) next(t *testing.T) (net.Addr, error) {
	t.Helper()
	select {
	case <-e.ch:
	case <-time.After(10 * time.Second):
		t.Fatal("no OnError call")
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.from[len(e.from)-1], e.got[len(e.got)-1]
}

// listen starts a Listener on 127.0.0.1:0 trusting 127.0.0.2; it is
// closed at cleanup.
func listen(t *testing.T, cfg Config) (*Listener, *errs) {
	t.Helper()
	inner, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	e := newErrs()
	if cfg.Trusted == nil {
		cfg.Trusted = []netip.Prefix{netip.MustParsePrefix(balancer + "/32")}
	}
	cfg.OnError = e.on
	l := NewListener(inner, cfg)
	t.Cleanup(func() { l.Close() })
	return l, e
}

// dial connects to l from the loopback address from.
func dial(t *testing.T, l net.Listener, from string) net.Conn {
	t.Helper()
	d := net.Dialer{Timeout: 5 * time.Second, LocalAddr: &net.TCPAddr{IP: net.ParseIP(from)}}
	c, err := d.Dial("tcp", l.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// accept is l.Accept with a bound; the connection is closed at cleanup.
func accept(t *testing.T, l net.Listener) net.Conn {
	t.Helper()
	type res struct {
		c   net.Conn
		err error
	}
	ch := make(chan res, 1)
	go func() {
		c, err := l.Accept()
		ch <- res{c, err}
	}()
	select {
	case r := <-ch:
		if r.err != nil {
			t.Fatalf("Accept: %v", r.err)
		}
		t.Cleanup(func() { r.c.Close() })
		return r.c
	case <-time.After(10 * time.Second):
		t.Fatal("Accept did not return")
	}
	return nil
}

// readN reads exactly n bytes from c.
func readN(t *testing.T, c net.Conn, n int) string {
	t.Helper()
	_ = c.SetReadDeadline(time.Now().Add(10 * time.Second))
	b := make([]byte, n)
	if _, err := io.ReadFull(c, b); err != nil {
		t.Fatalf("read: %v", err)
	}
	return string(b)
}

// wantClosed requires the server to close c (EOF or reset), within 10 s.
func wantClosed(t *testing.T, c net.Conn) {
	t.Helper()
	_ = c.SetReadDeadline(time.Now().Add(10 * time.Second))
	var b [64]byte
	n, err := c.Read(b[:])
	if err == nil {
		t.Fatalf("read %q, want the connection closed", b[:n])
	}
	if errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatal("the connection is still open")
	}
}

func TestListenerTrustedHeader(t *testing.T) {
	l, _ := listen(t, Config{})
	for _, tc := range []struct {
		name   string
		header []byte
		want   string
	}{
		{"v1", []byte("PROXY TCP4 192.0.2.10 127.0.0.1 51000 2775\r\n"), "192.0.2.10:51000"},
		{"v2", Header{Version: 2, Source: netip.MustParseAddrPort("[2001:db8::7]:40000"),
			Destination: netip.MustParseAddrPort("[2001:db8::1]:2775")}.Append(nil), "[2001:db8::7]:40000"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := dial(t, l, balancer)
			// The header and the client's first bytes in one write, as
			// balancers send them.
			if _, err := c.Write(append(tc.header, "bind"...)); err != nil {
				t.Fatal(err)
			}
			sc := accept(t, l)
			if got := sc.RemoteAddr().String(); got != tc.want {
				t.Fatalf("RemoteAddr %s, want %s", got, tc.want)
			}
			pc, ok := sc.(*Conn)
			if !ok {
				t.Fatalf("accepted a %T, want *Conn", sc)
			}
			if h := pc.ProxyAddr().(*net.TCPAddr); h.IP.String() != balancer {
				t.Fatalf("ProxyAddr %v", h)
			}
			if got := readN(t, sc, 4); got != "bind" {
				t.Fatalf("read %q after the header", got)
			}
			// Later bytes come straight from the connection.
			if _, err := c.Write([]byte("more")); err != nil {
				t.Fatal(err)
			}
			if got := readN(t, sc, 4); got != "more" {
				t.Fatalf("read %q", got)
			}
			if _, err := sc.Write([]byte("resp")); err != nil {
				t.Fatal(err)
			}
			if got := readN(t, c, 4); got != "resp" {
				t.Fatalf("the balancer read %q", got)
			}
			if err := pc.CloseWrite(); err != nil {
				t.Fatalf("CloseWrite: %v", err)
			}
		})
	}
}

// TestListenerLocal: a LOCAL or UNKNOWN header keeps the balancer's
// address.
func TestListenerLocal(t *testing.T) {
	l, _ := listen(t, Config{})
	for _, hdr := range [][]byte{Header{Version: 2, Local: true}.Append(nil), []byte("PROXY UNKNOWN\r\n")} {
		c := dial(t, l, balancer)
		if _, err := c.Write(hdr); err != nil {
			t.Fatal(err)
		}
		sc := accept(t, l)
		if got := sc.RemoteAddr().String(); got != c.LocalAddr().String() {
			t.Fatalf("RemoteAddr %s, want the balancer's %s", got, c.LocalAddr())
		}
	}
}

// TestListenerUntrusted: a connection from an address not trusted is
// handed on untouched: a header it sends is data, not believed.
func TestListenerUntrusted(t *testing.T) {
	l, e := listen(t, Config{})
	c := dial(t, l, "127.0.0.1")
	hdr := "PROXY TCP4 192.0.2.10 127.0.0.1 51000 2775\r\n"
	if _, err := c.Write([]byte(hdr)); err != nil {
		t.Fatal(err)
	}
	sc := accept(t, l)
	if _, ok := sc.(*Conn); ok {
		t.Fatal("an untrusted connection was parsed")
	}
	if got := sc.RemoteAddr().String(); got != c.LocalAddr().String() {
		t.Fatalf("RemoteAddr %s, want the peer %s", got, c.LocalAddr())
	}
	if got := readN(t, sc, len(hdr)); got != hdr {
		t.Fatalf("read %q, want the header as data", got)
	}
	select {
	case <-e.ch:
		t.Fatal("OnError called for an untrusted connection")
	default:
	}
}

// TestListenerTrustedWithoutHeader: a trusted address must send a header:
// without one (an SMPP PDU, garbage) the connection is closed and never
// accepted, and OnError says why; a TCP health check (connect, close) is
// reported as io.EOF.
func TestListenerTrustedWithoutHeader(t *testing.T) {
	l, e := listen(t, Config{})
	for _, tc := range []struct {
		data string
		want error
	}{
		{"\x00\x00\x00\x2f\x00\x00\x00\x09", ErrNoHeader},
		{"PROXY TCP4 nonsense\r\n", ErrInvalid},
		{"PROXY TCP4 192.0.2.10 127.0.0.1 51000 2775\n", ErrInvalid},
	} {
		c := dial(t, l, balancer)
		if _, err := c.Write([]byte(tc.data)); err != nil {
			t.Fatal(err)
		}
		wantClosed(t, c)
		from, err := e.next(t)
		if !errors.Is(err, tc.want) {
			t.Fatalf("%q: OnError %v, want %v", tc.data, err, tc.want)
		}
		if from.(*net.TCPAddr).IP.String() != balancer {
			t.Fatalf("OnError from %v", from)
		}
	}
	c := dial(t, l, balancer)
	c.Close()
	if _, err := e.next(t); !errors.Is(err, io.EOF) {
		t.Fatalf("health check: OnError %v, want io.EOF", err)
	}
	// None of them came out of Accept: the next connection does.
	good := dial(t, l, "127.0.0.1")
	if sc := accept(t, l); sc.RemoteAddr().String() != good.LocalAddr().String() {
		t.Fatalf("accepted %v, want the good connection %v", sc.RemoteAddr(), good.LocalAddr())
	}
}

// TestListenerSlowHeader: a balancer that sends part of a header and
// stalls is closed at the deadline, and holds up no other connection
// meanwhile.
func TestListenerSlowHeader(t *testing.T) {
	const timeout = 300 * time.Millisecond
	l, e := listen(t, Config{Timeout: timeout})
	start := time.Now()
	slow := dial(t, l, balancer)
	if _, err := slow.Write([]byte("PROXY TCP4 192.0.2.")); err != nil {
		t.Fatal(err)
	}
	fast := dial(t, l, balancer)
	if _, err := fast.Write([]byte("PROXY TCP4 192.0.2.11 127.0.0.1 51000 2775\r\n")); err != nil {
		t.Fatal(err)
	}
	if sc := accept(t, l); sc.RemoteAddr().String() != "192.0.2.11:51000" {
		t.Fatalf("accepted %v, want the fast balancer's client", sc.RemoteAddr())
	}
	wantClosed(t, slow)
	if d := time.Since(start); d < timeout {
		t.Fatalf("closed after %v, before the %v deadline", d, timeout)
	}
	_, err := e.next(t)
	var ne net.Error
	if !errors.As(err, &ne) || !ne.Timeout() {
		t.Fatalf("OnError %v, want a timeout", err)
	}
}

// TestListenerMaxPending: with one header read at a time, a stalled
// balancer holds up the next trusted connection's header until it is
// done, so the first to complete is the stalled one.
func TestListenerMaxPending(t *testing.T) {
	l, _ := listen(t, Config{MaxPending: 1})
	first := dial(t, l, balancer)
	if _, err := first.Write([]byte("PROXY TCP4 192.0.2.1")); err != nil {
		t.Fatal(err)
	}
	second := dial(t, l, balancer)
	if _, err := second.Write([]byte("PROXY TCP4 192.0.2.2 127.0.0.1 2 2775\r\n")); err != nil {
		t.Fatal(err)
	}
	got := make(chan string, 2)
	go func() {
		for range 2 {
			c, err := l.Accept()
			if err != nil {
				got <- err.Error()
				return
			}
			got <- c.RemoteAddr().String()
			c.Close()
		}
	}()
	if _, err := first.Write([]byte(" 127.0.0.1 1 2775\r\n")); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"192.0.2.1:1", "192.0.2.2:2"} {
		select {
		case a := <-got:
			if a != want {
				t.Fatalf("accepted %s, want %s", a, want)
			}
		case <-time.After(10 * time.Second):
			t.Fatal("Accept did not return")
		}
	}
}

// TestListenerClose: Close ends Accept with net.ErrClosed, closes the
// connections whose header is being read, and leaves no goroutine.
func TestListenerClose(t *testing.T) {
	l, _ := listen(t, Config{Timeout: time.Minute})
	// An Accept first, so the accept loop runs.
	dial(t, l, "127.0.0.1")
	accept(t, l)
	stalled := dial(t, l, balancer)
	if _, err := stalled.Write([]byte("PROXY ")); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		_, err := l.Accept()
		done <- err
	}()
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-done:
		if !errors.Is(err, net.ErrClosed) {
			t.Fatalf("Accept after Close: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Accept still blocked after Close")
	}
	wantClosed(t, stalled)
	if err := l.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
}

func TestParseTrusted(t *testing.T) {
	got, err := ParseTrusted([]string{"10.0.0.0/8", " 192.0.2.1 ", "2001:db8::/32", "::ffff:10.1.0.0/112", "10.1.2.3/16"})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"10.0.0.0/8", "192.0.2.1/32", "2001:db8::/32", "10.1.0.0/16", "10.1.0.0/16"}
	for i, p := range got {
		if p.String() != want[i] {
			t.Fatalf("ParseTrusted[%d] = %s, want %s", i, p, want[i])
		}
	}
	for _, bad := range []string{"lb.internal", "10.0.0.0/33", "fe80::1%eth0", ""} {
		if _, err := ParseTrusted([]string{bad}); err == nil {
			t.Errorf("ParseTrusted(%q) accepted", bad)
		}
	}
}
