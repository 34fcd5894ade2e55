package smpp_test

import (
	"context"
	"crypto/tls"
	"log/slog"
	"net"
	"net/netip"
	"strings"
	"sync"
	"testing"

	"github.com/gallant-sms/gallant/smpp"
	"github.com/gallant-sms/gallant/smpp/pdu"
	"github.com/gallant-sms/gallant/smpp/proxyproto"
)

// logLines records the messages logged through it.
type logLines struct {
	mu   sync.Mutex
	msgs []string
}

func (l *logLines) Enabled(context.Context, slog.Level) bool { return true }
func (l *logLines) Handle(_ context.Context, r slog.Record) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.msgs = append(l.msgs, r.Message)
	return nil
}
func (l *logLines) WithAttrs([]slog.Attr) slog.Handler { return l }
func (l *logLines) WithGroup(string) slog.Handler      { return l }

func (l *logLines) has(sub string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, m := range l.msgs {
		if strings.Contains(m, sub) {
			return true
		}
	}
	return false
}

// TestServerProxyProtocol: with ProxyProtocol trusting 127.0.0.2, a
// connection from there is the client its header names, for the
// Authenticator and MaxConnectionsPerIP; one without a header is closed
// and reported as RefuseProxyHeader, except a health check that closes
// without a byte, which is only logged.
func TestServerProxyProtocol(t *testing.T) {
	var rec refusals
	var mu sync.Mutex
	var seen []string
	logs := &logLines{}
	srv := &smpp.Server{
		Authenticator: smpp.AuthenticatorFunc(func(ctx context.Context, req smpp.BindRequest) (any, pdu.Status) {
			mu.Lock()
			seen = append(seen, req.RemoteAddr.String())
			mu.Unlock()
			return acceptAll(ctx, req)
		}),
		MaxConnectionsPerIP: 1,
		OnRefuse:            rec.note,
		ProxyProtocol:       proxyproto.Config{Trusted: []netip.Prefix{netip.MustParsePrefix("127.0.0.2/32")}},
		Logger:              slog.New(logs),
	}
	addr := startServer(t, srv)
	header := func(client string) []byte {
		return proxyproto.Header{Version: 2, Source: netip.MustParseAddrPort(client),
			Destination: netip.MustParseAddrPort(addr)}.Append(nil)
	}

	dialFrom(t, "127.0.0.2", addr).conn.Close()
	waitFor(t, "the health check logged", func() bool { return logs.has("closed before a PROXY header") })

	bare := dialFrom(t, "127.0.0.2", addr)
	_, _ = bare.conn.Write(encode(pdu.BindTransceiver, 0, 1, bindBody("esme", "pw")))
	bare.expectEOF()
	waitFor(t, "the missing header reported", func() bool { return rec.count(smpp.RefuseProxyHeader) == 1 })
	if got := rec.got[smpp.RefuseProxyHeader][0]; got != "127.0.0.2" {
		t.Fatalf("reported from %q, want the balancer 127.0.0.2", got)
	}

	first := dialFrom(t, "127.0.0.2", addr)
	first.write(header("192.0.2.10:51000"))
	first.bind(pdu.BindTransceiver)
	mu.Lock()
	if len(seen) != 1 || seen[0] != "192.0.2.10:51000" {
		t.Fatalf("the Authenticator saw %v, want the client 192.0.2.10:51000", seen)
	}
	mu.Unlock()
	if s := waitSession(t, srv); s.RemoteAddr().String() != "192.0.2.10:51000" {
		t.Fatalf("session from %v", s.RemoteAddr())
	}

	// The client's share is one connection; the balancer's other client
	// still connects.
	second := dialFrom(t, "127.0.0.2", addr)
	second.write(header("192.0.2.10:51001"))
	second.expectEOF()
	if n := rec.count(smpp.RefuseMaxConnectionsPerIP); n != 1 || rec.got[smpp.RefuseMaxConnectionsPerIP][0] != "192.0.2.10" {
		t.Fatalf("per-IP refusals %v, want one of 192.0.2.10", rec.got[smpp.RefuseMaxConnectionsPerIP])
	}
	other := dialFrom(t, "127.0.0.2", addr)
	other.write(header("192.0.2.11:51000"))
	other.bind(pdu.BindTransmitter)
	if n := rec.count(smpp.RefuseProxyHeader); n != 1 {
		t.Fatalf("RefuseProxyHeader reported %d times, want 1 (the health check is not a refusal)", n)
	}
}

// TestServeTLSNeedsConfig: ServeTLS without a TLS configuration is an
// error, and closes the listener.
func TestServeTLSNeedsConfig(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var srv smpp.Server
	if err := srv.ServeTLS(l, (*tls.Config)(nil)); err == nil {
		t.Fatal("ServeTLS(nil) served")
	}
	if _, err := l.Accept(); err == nil {
		t.Fatal("the listener is still open")
	}
}
