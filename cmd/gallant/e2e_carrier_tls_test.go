package main

import (
	"crypto/tls"
	"errors"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gallant-sms/gallant/internal/config"
	"github.com/gallant-sms/gallant/smpp"
	"github.com/gallant-sms/gallant/smpp/pdu"
	"github.com/gallant-sms/gallant/smpp/smpptest"
	"github.com/gallant-sms/gallant/store/storetest"
)

// tlsCarrier is a simulator serving SMPP over TLS only, with a
// certificate for smsc.test from a CA made for the test, whose PEM is in
// caFile.
type tlsCarrier struct {
	sim    *smpptest.Simulator
	addr   string
	caFile string
}

func newTLSCarrier(t *testing.T) *tlsCarrier {
	t.Helper()
	ca, err := smpptest.NewTestCA()
	if err != nil {
		t.Fatal(err)
	}
	cert, _, _, err := ca.Issue("smsc.test")
	if err != nil {
		t.Fatal(err)
	}
	caFile := filepath.Join(t.TempDir(), "carrier-ca.pem")
	if err := os.WriteFile(caFile, ca.CertPEM, 0o600); err != nil {
		t.Fatal(err)
	}
	sim, err := smpptest.NewSimulator(smpptest.SimConfig{ReceiptDelay: time.Millisecond,
		Credentials: map[string]string{"gallant": "secret"}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	served := make(chan error, 1)
	go func() { served <- sim.ServeTLS(l, &tls.Config{Certificates: []tls.Certificate{cert}}) }()
	t.Cleanup(func() {
		sim.Close()
		if err := <-served; !errors.Is(err, smpp.ErrServerClosed) {
			t.Errorf("carrier ServeTLS: %v", err)
		}
	})
	return &tlsCarrier{sim: sim, addr: l.Addr().String(), caFile: caFile}
}

// TestE2ECarrierTLS: a carrier configured with tls, tls_ca and
// tls_server_name is bound over TLS (the simulator listens for TLS only):
// a customer's message reaches it and the customer gets the receipt. The
// same configuration under another server name fails the handshake with
// an error that says so.
func TestE2ECarrierTLS(t *testing.T) {
	carrier := newTLSCarrier(t)
	cfg := testConfig(t, storetest.SQLite, carrier.addr)
	cfg.Carriers[0].TLS = true
	cfg.Carriers[0].TLSCA = carrier.caFile
	cfg.Carriers[0].TLSServerName = "smsc.test"
	a := startApp(t, cfg) // waits for the carrier bind
	c := a.customer(t, "Secure", "")
	e := bindESME(t, a.smppAddr.String(), c, smpp.Transceiver)
	ctx := testContext(t)
	id, err := e.Submit(ctx, &pdu.SubmitSM{Source: pdu.Address{TON: 5, Addr: []byte("Acme")},
		Dest: pdu.Address{TON: 1, NPI: 1, Addr: []byte("447700900123")}, RegisteredDelivery: 1,
		ShortMessage: []byte("over tls")})
	if err != nil {
		t.Fatal(err)
	}
	ds, err := e.WaitDelivers(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	if text := string(ds[0].DM.Payload()); !strings.Contains(text, "id:"+id) || !strings.Contains(text, "stat:DELIVRD") {
		t.Fatalf("receipt %q, want id:%s stat:DELIVRD", text, id)
	}
	if s := carrier.sim.Summary(); s.SubmitSM != 1 || s.Binds < 1 {
		t.Fatalf("carrier saw %d binds and %d submit_sm, want a bind and 1", s.Binds, s.SubmitSM)
	}

	wrong := cfg
	wrong.Carriers = append([]config.CarrierConfig(nil), cfg.Carriers...)
	wrong.Carriers[0].TLSServerName = "wrong.test"
	g, _, _, err := wrong.Gateway()
	if err != nil {
		t.Fatal(err)
	}
	tc := g.Carriers[0].TLS
	if tc == nil || tc.ServerName != "wrong.test" || tc.RootCAs == nil || tc.MinVersion < tls.VersionTLS12 {
		t.Fatalf("carrier TLS config %+v", tc)
	}
	_, err = smpp.Dial(ctx, smpp.ClientConfig{Addr: carrier.addr, TLSConfig: tc, SystemID: "gallant", Password: "secret"}, nil)
	if err == nil || !strings.Contains(err.Error(), "tls handshake") || !strings.Contains(err.Error(), "wrong.test") {
		t.Fatalf("bind under the wrong server name: %v, want a tls handshake error naming wrong.test", err)
	}
}

// TestCarrierTLSConfig: the carrier TLS keys become the bind's TLS
// configuration (TLS 1.2 or later); without tls there is none; a CA file
// that is missing or holds no certificate is an error naming the carrier;
// tls_insecure_skip_verify is passed on (for test rigs).
func TestCarrierTLSConfig(t *testing.T) {
	carrier := newTLSCarrier(t)
	cfg := testConfig(t, storetest.SQLite, carrier.addr)
	g, _, _, err := cfg.Gateway()
	if err != nil || g.Carriers[0].TLS != nil {
		t.Fatalf("plain carrier: TLS %+v, err %v", g.Carriers[0].TLS, err)
	}

	cfg.Carriers[0].TLS, cfg.Carriers[0].TLSInsecureSkipVerify = true, true
	g, _, _, err = cfg.Gateway()
	if err != nil || g.Carriers[0].TLS == nil || !g.Carriers[0].TLS.InsecureSkipVerify || g.Carriers[0].TLS.MinVersion < tls.VersionTLS12 {
		t.Fatalf("insecure carrier: TLS %+v, err %v", g.Carriers[0].TLS, err)
	}
	s, err := smpp.Dial(testContext(t), smpp.ClientConfig{Addr: carrier.addr, TLSConfig: g.Carriers[0].TLS,
		SystemID: "gallant", Password: "secret"}, nil)
	if err != nil {
		t.Fatalf("bind without verification: %v", err)
	}
	s.Close()

	cfg.Carriers[0].TLSInsecureSkipVerify = false
	cfg.Carriers[0].TLSCA = filepath.Join(t.TempDir(), "missing.pem")
	if _, _, _, err := cfg.Gateway(); err == nil || !strings.Contains(err.Error(), `carrier "c1": tls_ca`) {
		t.Fatalf("missing CA file: %v", err)
	}
	notPEM := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(notPEM, []byte("not a certificate"), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg.Carriers[0].TLSCA = notPEM
	if _, _, _, err := cfg.Gateway(); err == nil || !strings.Contains(err.Error(), "no PEM certificate") {
		t.Fatalf("CA file without a certificate: %v", err)
	}
}
