package smpp_test

import (
	"net"
	"sync"
	"testing"
	"time"

	"github.com/gallant-sms/gallant/smpp"
	"github.com/gallant-sms/gallant/smpp/pdu"
)

// refusals records what a Server reported to OnRefuse.
type refusals struct {
	mu  sync.Mutex
	got map[smpp.RefuseReason][]string // reason -> ClientKey of each remote
}

func (r *refusals) note(remote net.Addr, reason smpp.RefuseReason) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.got == nil {
		r.got = map[smpp.RefuseReason][]string{}
	}
	r.got[reason] = append(r.got[reason], smpp.ClientKey(remote))
}

func (r *refusals) count(reason smpp.RefuseReason) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.got[reason])
}

// dialFrom connects to addr from the local address ip (any port).
func dialFrom(t testing.TB, ip, addr string) *raw {
	t.Helper()
	d := net.Dialer{Timeout: testTimeout, LocalAddr: &net.TCPAddr{IP: net.ParseIP(ip)}}
	c, err := d.Dial("tcp", addr)
	if err != nil {
		t.Fatalf("dial from %s: %v", ip, err)
	}
	t.Cleanup(func() { c.Close() })
	return &raw{t: t, conn: c}
}

// waitFor polls cond until it holds or testTimeout passes.
func waitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(testTimeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// TestMaxConnectionsPerIP: beyond MaxConnectionsPerIP open connections
// from one address, a new one is closed without an answer, even to a
// bind, and reported; another address still connects and binds; when one
// of the first closes, its address may connect again.
func TestMaxConnectionsPerIP(t *testing.T) {
	var rec refusals
	srv := &smpp.Server{Authenticator: acceptAll, MaxConnectionsPerIP: 3, OnRefuse: rec.note}
	addr := startServer(t, srv)
	var open []*raw
	for range 3 {
		open = append(open, dialFrom(t, "127.0.0.1", addr))
	}
	waitFor(t, "3 connections", func() bool { return srv.Connections() == 3 })

	extra := dialFrom(t, "127.0.0.1", addr)
	// The write may fail: the server may have closed already.
	_, _ = extra.conn.Write(encode(pdu.BindTransceiver, 0, 1, bindBody("esme", "pw")))
	extra.expectEOF()
	if n := rec.count(smpp.RefuseMaxConnectionsPerIP); n != 1 {
		t.Fatalf("refusals per IP %d, want 1", n)
	}
	if got := rec.got[smpp.RefuseMaxConnectionsPerIP][0]; got != "127.0.0.1" {
		t.Errorf("refused client %q, want 127.0.0.1", got)
	}

	other := dialFrom(t, "127.0.0.2", addr)
	other.bind(pdu.BindTransceiver)

	// The first three still work.
	open[0].bind(pdu.BindTransmitter)

	open[1].conn.Close()
	waitFor(t, "the closed connection forgotten", func() bool { return srv.Connections() == 3 })
	again := dialFrom(t, "127.0.0.1", addr)
	again.bind(pdu.BindReceiver)
	if n := rec.count(smpp.RefuseMaxConnectionsPerIP); n != 1 {
		t.Errorf("refusals per IP %d after a slot freed, want still 1", n)
	}
}

// TestMaxConnections: beyond MaxConnections open connections from any
// addresses, a new one is closed without an answer and reported.
func TestMaxConnections(t *testing.T) {
	var rec refusals
	srv := &smpp.Server{Authenticator: acceptAll, MaxConnections: 2, MaxConnectionsPerIP: 10, OnRefuse: rec.note}
	addr := startServer(t, srv)
	a := dialFrom(t, "127.0.0.1", addr)
	a.bind(pdu.BindTransceiver)
	dialFrom(t, "127.0.0.2", addr)
	waitFor(t, "2 connections", func() bool { return srv.Connections() == 2 })

	extra := dialFrom(t, "127.0.0.3", addr)
	extra.expectEOF()
	if n := rec.count(smpp.RefuseMaxConnections); n != 1 {
		t.Fatalf("refusals for max connections %d, want 1", n)
	}
	if n := rec.count(smpp.RefuseMaxConnectionsPerIP); n != 0 {
		t.Errorf("refusals per IP %d, want 0", n)
	}
	// The bound one is unaffected.
	seq := a.send(pdu.EnquireLink, nil)
	a.expect(pdu.EnquireLinkResp, pdu.StatusOK, seq)
}

// TestBindTimeoutReported: a connection that does not bind within
// BindTimeout is closed and reported as RefuseBindTimeout; it no longer
// counts against the per-address cap.
func TestBindTimeoutReported(t *testing.T) {
	var rec refusals
	srv := &smpp.Server{Authenticator: acceptAll, MaxConnectionsPerIP: 1, OnRefuse: rec.note,
		Session: smpp.SessionConfig{BindTimeout: 100 * time.Millisecond}}
	addr := startServer(t, srv)
	idle := dialFrom(t, "127.0.0.1", addr)
	idle.expectEOF()
	waitFor(t, "the bind timeout reported", func() bool { return rec.count(smpp.RefuseBindTimeout) == 1 })
	waitFor(t, "the idle connection forgotten", func() bool { return srv.Connections() == 0 })
	dialFrom(t, "127.0.0.1", addr).bind(pdu.BindTransceiver)
	if n := rec.count(smpp.RefuseBindTimeout); n != 1 {
		t.Errorf("bind timeouts %d, want 1 (a bound session is not one)", n)
	}
}

func TestClientKey(t *testing.T) {
	for _, c := range []struct {
		addr net.Addr
		want string
	}{
		{&net.TCPAddr{IP: net.ParseIP("192.0.2.7"), Port: 4000}, "192.0.2.7"},
		{&net.TCPAddr{IP: net.ParseIP("::ffff:192.0.2.7"), Port: 4000}, "192.0.2.7"},
		{&net.TCPAddr{IP: net.ParseIP("2001:db8:1:2:3:4:5:6"), Port: 4000}, "2001:db8:1:2::/64"},
		{&net.TCPAddr{IP: net.ParseIP("2001:db8:1:2:ffff::1"), Port: 1}, "2001:db8:1:2::/64"},
		{&net.UDPAddr{IP: net.ParseIP("198.51.100.1"), Port: 9}, "198.51.100.1"},
		{pipeAddr{}, "pipe"},
		{nil, ""},
	} {
		if got := smpp.ClientKey(c.addr); got != c.want {
			t.Errorf("ClientKey(%v) = %q, want %q", c.addr, got, c.want)
		}
	}
}

type pipeAddr struct{}

func (pipeAddr) Network() string { return "pipe" }
func (pipeAddr) String() string  { return "pipe" }
