package main

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gallant-sms/gallant/smpp"
	"github.com/gallant-sms/gallant/smpp/pdu"
	"github.com/gallant-sms/gallant/smpp/smpptest"
)

// TestTLSListener: --tls-listen with --tls-cert and --tls-key opens a TLS
// listener beside the plain one; an ESME that trusts the CA binds over
// it, submits and gets its receipt, and one that expects another name
// fails the handshake.
func TestTLSListener(t *testing.T) {
	ca, err := smpptest.NewTestCA()
	if err != nil {
		t.Fatal(err)
	}
	_, certPEM, keyPEM, err := ca.Issue("smsc.test", "127.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	certFile, keyFile := filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	if err := os.WriteFile(certFile, certPEM, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, keyPEM, 0o600); err != nil {
		t.Fatal(err)
	}
	o, err := parseFlags([]string{"--listen", "127.0.0.1:0", "--tls-listen", "127.0.0.1:0",
		"--tls-cert", certFile, "--tls-key", keyFile}, &bytes.Buffer{})
	if err != nil {
		t.Fatal(err)
	}
	plain, secure, err := listen(o)
	if err != nil {
		t.Fatal(err)
	}
	if plain == nil || secure == nil {
		t.Fatalf("listeners plain %v tls %v, want both", plain, secure)
	}
	if secure.cfg.MinVersion < tls.VersionTLS12 {
		t.Errorf("TLS MinVersion %x, want TLS 1.2 or later", secure.cfg.MinVersion)
	}
	sim, err := smpptest.NewSimulator(smpptest.SimConfig{ReceiptDelay: time.Millisecond}, nil)
	if err != nil {
		t.Fatal(err)
	}
	served := make(chan error, 2)
	go func() { served <- sim.Serve(plain) }()
	go func() { served <- sim.ServeTLS(secure.l, secure.cfg) }()
	t.Cleanup(func() {
		sim.Close()
		for range 2 {
			if err := <-served; !errors.Is(err, smpp.ErrServerClosed) {
				t.Errorf("serve: %v", err)
			}
		}
	})

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	addr := secure.l.Addr().String()
	e, err := smpptest.NewESME(ctx, addr, smpp.ClientConfig{SystemID: "gw", Password: "x",
		TLSConfig: &tls.Config{RootCAs: ca.Pool(), MinVersion: tls.VersionTLS12}}, nil)
	if err != nil {
		t.Fatalf("bind over TLS (server name from the address, 127.0.0.1): %v", err)
	}
	defer e.Close()
	if _, err := e.Submit(ctx, testSubmit()); err != nil {
		t.Fatal(err)
	}
	if _, err := e.WaitDelivers(ctx, 1); err != nil {
		t.Fatal(err)
	}
	_, err = smpptest.NewESME(ctx, addr, smpp.ClientConfig{SystemID: "gw", Password: "x",
		TLSConfig: &tls.Config{RootCAs: ca.Pool(), ServerName: "other.test", MinVersion: tls.VersionTLS12}}, nil)
	if err == nil || !strings.Contains(err.Error(), "tls handshake") {
		t.Fatalf("bind under a wrong name: %v, want a tls handshake error", err)
	}
	// The plain listener answers plain SMPP.
	p, err := smpptest.NewESME(ctx, plain.Addr().String(), smpp.ClientConfig{SystemID: "gw", Password: "x"}, nil)
	if err != nil {
		t.Fatalf("plain bind: %v", err)
	}
	p.Close()
}

// testSubmit is a submit_sm asking for a receipt.
func testSubmit() *pdu.SubmitSM {
	return &pdu.SubmitSM{
		Source:             pdu.Address{TON: 5, Addr: []byte("Brand")},
		Dest:               pdu.Address{TON: 1, NPI: 1, Addr: []byte("447700900123")},
		RegisteredDelivery: 1,
		ShortMessage:       []byte("hello"),
	}
}
