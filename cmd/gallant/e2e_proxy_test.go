package main

import (
	"context"
	"crypto/tls"
	"net"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/gallant-sms/gallant/smpp"
	"github.com/gallant-sms/gallant/smpp/proxyproto"
	"github.com/gallant-sms/gallant/store/storetest"
)

// TestE2ESMPPProxyProtocol: with smpp.proxy_protocol.trusted naming the
// balancer (127.0.0.2), a bind through it on the plain and on the TLS
// listener (the header before the TLS handshake, as nginx and HAProxy
// send it) is a session from the client the header names; a client
// that comes directly (127.0.0.1) still binds, from its own address.
func TestE2ESMPPProxyProtocol(t *testing.T) {
	cfg := testConfig(t, storetest.SQLite, newCarrier(t, nil).Addr())
	cfg.SMPP.ProxyProtocol.Trusted = []string{"127.0.0.2"}
	cfg.SMPP.TLSListen = "127.0.0.1:0"
	certFile, keyFile, roots := writeTestCert(t)
	cfg.SMPP.TLSCert, cfg.SMPP.TLSKey = certFile, keyFile
	a := startApp(t, cfg)
	cust := a.customer(t, "Behind", "")

	dial := func(from, to string, client netip.AddrPort, v int) net.Conn {
		t.Helper()
		d := net.Dialer{Timeout: 5 * time.Second, LocalAddr: &net.TCPAddr{IP: net.ParseIP(from)}}
		c, err := d.Dial("tcp", to)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		if client.IsValid() {
			h := proxyproto.Header{Version: v, Source: client, Destination: netip.MustParseAddrPort(to)}
			if _, err := c.Write(h.Append(nil)); err != nil {
				t.Fatal(err)
			}
		}
		return c
	}
	bind := func(c net.Conn, want string) {
		t.Helper()
		ctx, cancel := context.WithTimeout(testContext(t), 10*time.Second)
		defer cancel()
		s, err := smpp.BindConn(ctx, c, smpp.ClientConfig{SystemID: cust.SystemID, Password: cust.SMPPPassword}, nil)
		if err != nil {
			t.Fatalf("bind: %v", err)
		}
		defer func() {
			s.Close()
			<-s.Done()
		}()
		eventually(t, "the session from "+want, func() (bool, string) {
			var seen []string
			for _, ss := range a.gw.SMPPServer().Sessions() {
				if ss.SystemID() == cust.SystemID {
					seen = append(seen, ss.RemoteAddr().String())
				}
			}
			return len(seen) == 1 && strings.HasPrefix(seen[0], want), strings.Join(seen, ",")
		})
	}

	bind(dial("127.0.0.2", a.smppAddr.String(), netip.MustParseAddrPort("192.0.2.10:51000"), 2), "192.0.2.10:51000")
	tc := tls.Client(dial("127.0.0.2", a.tlsAddr.String(), netip.MustParseAddrPort("192.0.2.20:52000"), 1),
		&tls.Config{RootCAs: roots, ServerName: "127.0.0.1", MinVersion: tls.VersionTLS12})
	bind(tc, "192.0.2.20:52000")
	bind(dial("127.0.0.1", a.smppAddr.String(), netip.AddrPort{}, 0), "127.0.0.1:")
}
