package gateway

import (
	"bytes"
	"crypto/tls"
	"log/slog"
	"strings"
	"testing"

	"github.com/gallant-sms/gallant/smpp"
)

// TestCarrierInsecureTLSWarns: a carrier whose TLS skips certificate
// verification is logged as a warning naming it; one that verifies is
// not; the caller's configuration is not changed.
func TestCarrierInsecureTLSWarns(t *testing.T) {
	var buf bytes.Buffer
	s := &Service{log: slog.New(slog.NewTextHandler(&buf, nil)), m: newMetrics(nil, Durable)}
	insecure := &tls.Config{InsecureSkipVerify: true, MinVersion: tls.VersionTLS10}
	if _, err := s.newCarrier(CarrierConfig{Name: "rig", Addr: "127.0.0.1:1", SystemID: "x", Binds: 1,
		BindType: smpp.Transceiver, TLS: insecure}); err != nil {
		t.Fatal(err)
	}
	if out := buf.String(); !strings.Contains(out, "level=WARN") || !strings.Contains(out, "verification is off") ||
		!strings.Contains(out, "carrier=rig") {
		t.Fatalf("log %q, want a warning about carrier rig", out)
	}
	if insecure.MinVersion != tls.VersionTLS10 {
		t.Error("the caller's tls.Config was changed")
	}
	buf.Reset()
	if _, err := s.newCarrier(CarrierConfig{Name: "prod", Addr: "127.0.0.1:1", SystemID: "x", Binds: 1,
		BindType: smpp.Transceiver, TLS: &tls.Config{ServerName: "smsc.example"}}); err != nil {
		t.Fatal(err)
	}
	if buf.Len() != 0 {
		t.Fatalf("a verifying carrier logged %q", buf.String())
	}
}
