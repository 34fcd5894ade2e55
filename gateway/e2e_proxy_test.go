package gateway_test

// Customers behind a TCP load balancer that sends the PROXY protocol: the
// gateway judges them by the client address the header names.

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"testing"
	"time"

	"github.com/gallant-sms/gallant/account"
	"github.com/gallant-sms/gallant/gateway"
	"github.com/gallant-sms/gallant/smpp"
	"github.com/gallant-sms/gallant/smpp/proxyproto"
	"github.com/gallant-sms/gallant/store/storetest"
)

// lbAddr is the fake balancer's address, the one trusted; customers
// dial from 127.0.0.1 when they come directly.
const lbAddr = "127.0.0.2"

// viaBalancer opens a connection to addr as the balancer does for client:
// from lbAddr, starting with a PROXY header of version v.
func viaBalancer(t testing.TB, addr string, client netip.AddrPort, v int) net.Conn {
	t.Helper()
	c := dialFrom(t, lbAddr, addr)
	h := proxyproto.Header{Version: v, Source: client, Destination: netip.MustParseAddrPort(c.RemoteAddr().String())}
	if _, err := c.Write(h.Append(nil)); err != nil {
		t.Fatal(err)
	}
	return c
}

// bindVia binds as systemID through the balancer for client.
func bindVia(t testing.TB, addr string, client netip.AddrPort, v int, systemID, password string) (*smpp.Session, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	s, err := smpp.BindConn(ctx, viaBalancer(t, addr, client, v), smpp.ClientConfig{SystemID: systemID, Password: password}, nil)
	if err != nil {
		return nil, err
	}
	t.Cleanup(func() { s.Close() })
	return s, nil
}

// remoteOf returns the address of the gateway's session bound as
// systemID, waiting for the bind.
func (g *gw) remoteOf(t testing.TB, systemID string) string {
	t.Helper()
	var got string
	eventually(t, "the bind of "+systemID, func() (bool, string) {
		for _, s := range g.svc.SMPPServer().Sessions() {
			if s.SystemID() == systemID {
				got = s.RemoteAddr().String()
				return true, got
			}
		}
		return false, "none"
	})
	return got
}

// TestE2EProxyProtocolAllowedCIDRs: a credential limited to 192.0.2.0/24
// binds through the balancer for a client in that range and is refused
// for one outside it, and directly from 127.0.0.1; the session's address
// is the client's.
func TestE2EProxyProtocolAllowedCIDRs(t *testing.T) {
	g := startGateway(t, storetest.Config(t, storetest.SQLite), gateway.Config{
		ProxyTrusted: []netip.Prefix{netip.MustParsePrefix(lbAddr + "/32")}}, nil)
	c := g.customer(t, "Behind")
	ctx := testContext(t)
	admin := account.Actor{AccountID: 1 << 40, Role: account.RoleAdmin}
	creds, err := g.acc.ListSMPPCredentials(ctx, admin, c.AccountID)
	if err != nil || len(creds) != 1 {
		t.Fatalf("credentials %+v, %v", creds, err)
	}
	cidrs := []string{"192.0.2.0/24"}
	if _, _, err := g.acc.UpdateSMPPCredential(ctx, admin, c.AccountID, creds[0].ID,
		account.CredentialChange{AllowedCIDRs: &cidrs}, ""); err != nil {
		t.Fatal(err)
	}

	_, err = bindFrom(t, "127.0.0.1", g.addr, c.SystemID, c.SMPPPassword)
	wantBindFail(t, "directly from 127.0.0.1", err)
	_, err = bindVia(t, g.addr, netip.MustParseAddrPort("198.51.100.7:40000"), 1, c.SystemID, c.SMPPPassword)
	wantBindFail(t, "through the balancer for 198.51.100.7", err)
	if n := g.refused(t, "not_allowed"); n != 2 {
		t.Fatalf("smpp_refused_total{not_allowed} %v, want 2", n)
	}
	for _, v := range []int{1, 2} {
		s, err := bindVia(t, g.addr, netip.MustParseAddrPort("192.0.2.10:51000"), v, c.SystemID, c.SMPPPassword)
		if err != nil {
			t.Fatalf("through the balancer (v%d) for 192.0.2.10: %v", v, err)
		}
		if got := g.remoteOf(t, c.SystemID); got != "192.0.2.10:51000" {
			t.Fatalf("the gateway sees the bind from %s, want the client 192.0.2.10:51000", got)
		}
		s.Close()
		<-s.Done()
		g.waitConnections(t, 0)
	}
}

// TestE2EProxyProtocolLimits: smpp.max_connections_per_ip counts the
// clients the headers name, not the balancer they all come through; the
// failed-bind limiter blocks a guessing client without blocking the
// balancer's other clients; a balancer's connection without a header is
// closed and counted; a header from an address not trusted is not
// believed.
func TestE2EProxyProtocolLimits(t *testing.T) {
	g := startGateway(t, storetest.Config(t, storetest.SQLite), gateway.Config{MaxConnectionsPerIP: 2,
		ProxyTrusted: []netip.Prefix{netip.MustParsePrefix("127.0.0.2/32")},
		BindGuard:    gateway.BindGuardConfig{Block: time.Minute}}, nil)
	alice, bob := netip.MustParseAddrPort("192.0.2.10:1000"), netip.MustParseAddrPort("192.0.2.11:1000")

	// Two connections for alice fill her share; a third is closed, while
	// bob, through the same balancer, still connects.
	viaBalancer(t, g.addr, alice, 2)
	viaBalancer(t, g.addr, alice, 1)
	g.waitConnections(t, 2)
	expectClosed(t, viaBalancer(t, g.addr, alice, 2))
	if n := g.refused(t, "max_connections_per_ip"); n != 1 {
		t.Fatalf("smpp_refused_total{max_connections_per_ip} %v, want 1", n)
	}
	viaBalancer(t, g.addr, bob, 2)
	g.waitConnections(t, 3)

	// Five wrong passwords from a guesser block it, and it alone. (A
	// refused bind's connection is closed after its answer: each is
	// waited for, so the guesser's share of connections is not the limit.)
	c := g.customer(t, "Guarded")
	guesser := netip.MustParseAddrPort("203.0.113.5:2000")
	for i := range 5 {
		_, err := bindVia(t, g.addr, guesser, 2, c.SystemID, fmt.Sprint("guess", i))
		wantBindFail(t, "a wrong password", err)
		g.waitConnections(t, 3)
	}
	_, err := bindVia(t, g.addr, guesser, 2, c.SystemID, c.SMPPPassword)
	wantBindFail(t, "the right password from the blocked client", err)
	if n := g.refused(t, "bind_blocked"); n != 1 {
		t.Fatalf("smpp_refused_total{bind_blocked} %v, want 1", n)
	}
	if _, err := bindVia(t, g.addr, bob, 1, c.SystemID, c.SMPPPassword); err != nil {
		t.Fatalf("another client through the same balancer: %v", err)
	}

	// The balancer must send a header: a bind without one is closed.
	raw := dialFrom(t, lbAddr, g.addr)
	ctx, cancel := context.WithTimeout(testContext(t), 10*time.Second)
	defer cancel()
	if _, err := smpp.BindConn(ctx, raw, smpp.ClientConfig{SystemID: c.SystemID, Password: c.SMPPPassword}, nil); err == nil {
		t.Fatal("a bind from the balancer without a PROXY header succeeded")
	}
	eventually(t, "the missing header counted", func() (bool, string) {
		n := g.refused(t, "proxy_header")
		return n == 1, fmt.Sprint(n)
	})

	// From an address not trusted, a header is the start of a malformed
	// PDU, never a client address.
	direct := dialFrom(t, "127.0.0.3", g.addr)
	h := proxyproto.Header{Version: 1, Source: netip.MustParseAddrPort("192.0.2.99:1"), Destination: netip.MustParseAddrPort(g.addr)}
	if _, err := direct.Write(h.Append(nil)); err != nil {
		t.Fatal(err)
	}
	if _, err := smpp.BindConn(ctx, direct, smpp.ClientConfig{SystemID: c.SystemID, Password: c.SMPPPassword}, nil); err == nil {
		t.Fatal("a bind after a PROXY header from an untrusted address succeeded")
	}
	for _, s := range g.svc.SMPPServer().Sessions() {
		if ap, err := netip.ParseAddrPort(s.RemoteAddr().String()); err == nil && ap.Addr() == h.Source.Addr() {
			t.Fatalf("a session believed the untrusted header: %v", s.RemoteAddr())
		}
	}
}
