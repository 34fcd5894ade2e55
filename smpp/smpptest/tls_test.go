package smpptest

import (
	"crypto/tls"
	"errors"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/gallant-sms/gallant/smpp"
)

// TestSimulatorServeTLS: a transceiver that trusts the test CA binds to
// the simulator's TLS listener under the certificate's name, submits and
// gets its receipt; under another name the handshake fails with an error
// naming the certificate's names; the plain listener keeps working beside
// it.
func TestSimulatorServeTLS(t *testing.T) {
	ca, err := NewTestCA()
	if err != nil {
		t.Fatal(err)
	}
	cert, _, _, err := ca.Issue("smsc.test")
	if err != nil {
		t.Fatal(err)
	}
	sim, plainAddr := startSim(t, SimConfig{ReceiptDelay: time.Millisecond})
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- sim.ServeTLS(l, &tls.Config{Certificates: []tls.Certificate{cert}}) }()
	t.Cleanup(func() {
		sim.Close()
		if err := <-done; !errors.Is(err, smpp.ErrServerClosed) {
			t.Errorf("ServeTLS: %v", err)
		}
	})
	tlsAddr := l.Addr().String()

	ctx := ctxT(t)
	e, err := NewESME(ctx, tlsAddr, smpp.ClientConfig{SystemID: "gw", Password: "x",
		TLSConfig: &tls.Config{RootCAs: ca.Pool(), ServerName: "smsc.test", MinVersion: tls.VersionTLS12}}, nil)
	if err != nil {
		t.Fatalf("bind over TLS: %v", err)
	}
	defer e.Close()
	if _, ok := e.Session().RemoteAddr().(*net.TCPAddr); !ok {
		t.Fatalf("remote %T", e.Session().RemoteAddr())
	}
	id, err := e.Submit(ctx, testSM(1, 1))
	if err != nil {
		t.Fatal(err)
	}
	ds, err := e.WaitDelivers(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(ds[0].DM.Payload()), "id:"+id) {
		t.Fatalf("receipt %q does not name %s", ds[0].DM.Payload(), id)
	}

	_, err = NewESME(ctx, tlsAddr, smpp.ClientConfig{SystemID: "gw", Password: "x",
		TLSConfig: &tls.Config{RootCAs: ca.Pool(), ServerName: "wrong.test", MinVersion: tls.VersionTLS12}}, nil)
	if err == nil || !strings.Contains(err.Error(), "tls handshake") || !strings.Contains(err.Error(), "smsc.test") {
		t.Fatalf("bind under a wrong name: %v, want a tls handshake error naming smsc.test", err)
	}
	// A client that trusts only the system roots refuses the test CA.
	_, err = NewESME(ctx, tlsAddr, smpp.ClientConfig{SystemID: "gw", Password: "x",
		TLSConfig: &tls.Config{ServerName: "smsc.test", MinVersion: tls.VersionTLS12}}, nil)
	if err == nil || !strings.Contains(err.Error(), "certificate") {
		t.Fatalf("bind without the CA: %v, want a certificate error", err)
	}
	// TLS 1.1 is not offered.
	_, err = NewESME(ctx, tlsAddr, smpp.ClientConfig{SystemID: "gw", Password: "x",
		TLSConfig: &tls.Config{RootCAs: ca.Pool(), ServerName: "smsc.test", MinVersion: tls.VersionTLS10, MaxVersion: tls.VersionTLS11}}, nil)
	if err == nil {
		t.Fatal("bind with TLS 1.1 succeeded")
	}

	bindESME(t, plainAddr, smpp.Transceiver, "gw2", "x")
	if n := sim.Summary().Binds; n != 2 {
		t.Errorf("binds %d, want 2 (one over TLS, one plain)", n)
	}
}
