package smpp_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"math/big"
	"net"
	"testing"
	"time"

	"github.com/gallant-sms/gallant/smpp"
	"github.com/gallant-sms/gallant/smpp/pdu"
)

// selfSigned returns a server certificate for 127.0.0.1 and a pool that
// trusts it.
func selfSigned(t *testing.T) (tls.Certificate, *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "smpp test"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1)},
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}, pool
}

func TestTLS(t *testing.T) {
	cert, pool := selfSigned(t)
	srv := &smpp.Server{Authenticator: acceptAll, Handler: okHandler,
		TLSConfig: &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}}
	addr := startServer(t, srv)
	s, err := smpp.Dial(ctxT(t), smpp.ClientConfig{Addr: addr, SystemID: "esme", TLSConfig: &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}}, nil)
	if err != nil {
		t.Fatalf("Dial over TLS: %v", err)
	}
	defer s.Close()
	if _, body, err := s.Call(ctxT(t), pdu.SubmitSMID, nil); err != nil || string(body) != "id1\x00" {
		t.Fatalf("Call over TLS: %q %v", body, err)
	}
	if err := s.Unbind(ctxT(t)); err != nil || s.CloseReason() != smpp.CloseUnbind {
		t.Fatalf("Unbind over TLS: %v, reason %s", err, s.CloseReason())
	}
	// A plain client cannot bind to the TLS port.
	if _, err := smpp.Dial(ctxT(t), smpp.ClientConfig{Addr: addr, SystemID: "esme", DialTimeout: time.Second}, nil); err == nil {
		t.Error("plain bind to a TLS server succeeded")
	}
}

// TestPeerStopsReading checks that a peer that never reads costs bounded
// memory: Send blocks, then fails, and the session closes on its write
// timeout.
func TestPeerStopsReading(t *testing.T) {
	addr, accept := fakeMC(t)
	cfg := smpp.SessionConfig{Window: 100000, MaxPendingBytes: 64 << 10, WriteTimeout: 300 * time.Millisecond, MaxPDULength: 1 << 20}
	sc := dialAsync(t, addr, cfg)
	r := accept()
	acceptBind(t, r)
	s := <-sc
	if s == nil {
		t.FailNow()
	}
	defer s.Close()
	body := make([]byte, 32<<10)
	var err error
	sent := 0
	for ; sent < 100000; sent++ {
		if _, err = s.Send(ctxT(t), pdu.SubmitSMID, body, nil); err != nil {
			break
		}
	}
	if !errors.Is(err, smpp.ErrWriteStalled) && !errors.Is(err, smpp.ErrSessionClosed) {
		t.Fatalf("Send to a peer that does not read: %v after %d sends", err, sent)
	}
	waitDone(t, s)
	if s.CloseReason() != smpp.CloseWriteError {
		t.Errorf("close reason %s, want write_error", s.CloseReason())
	}
	t.Logf("%d sends (%d MiB) before %v", sent, sent*len(body)>>20, err)
	// Socket buffers absorb some; the output buffer holds at most
	// MaxPendingBytes plus one PDU. Far fewer than the window allows.
	if sent > 2000 {
		t.Errorf("%d sends accepted by a peer that never reads", sent)
	}
}
