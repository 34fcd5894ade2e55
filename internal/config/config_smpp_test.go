package config

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/gallant-sms/gallant/gateway"
)

// TestSMPPLimitsConfig: the smpp limits have safe non-zero defaults, are
// read from YAML and the environment, reach the gateway (0 in the file
// turning a cap off), and bad values are refused with the key's name.
func TestSMPPLimitsConfig(t *testing.T) {
	cfg, err := Load("", nil)
	if err != nil {
		t.Fatal(err)
	}
	s := cfg.SMPP
	if s.MaxConnections != 2000 || s.MaxConnectionsPerIP != 50 || s.BindTimeout != 10*time.Second ||
		s.FailedBinds != (FailedBindsConfig{PerIP: 5, PerSystemID: 20, Block: time.Second, MaxBlock: 15 * time.Minute, Window: 15 * time.Minute}) {
		t.Fatalf("defaults %+v", s)
	}
	g, _, _, err := cfg.Gateway()
	if err != nil {
		t.Fatal(err)
	}
	if g.MaxConnections != 2000 || g.MaxConnectionsPerIP != 50 || g.CustomerSession.BindTimeout != 10*time.Second ||
		g.BindGuard.MaxFailuresPerAddress != 5 || g.BindGuard.MaxFailuresPerSystemID != 20 || g.BindGuard.MaxBlock != 15*time.Minute {
		t.Fatalf("gateway config %+v", g)
	}

	cfg, err = Load(writeConfig(t, `
smpp:
  max_connections: 0
  max_connections_per_ip: 7
  bind_timeout: 3s
  failed_binds:
    per_ip: 0
    per_system_id: 40
    block: 2s
    max_block: 1h
    window: 30m
`), []string{"GALLANT_SMPP_FAILED_BINDS_PER_SYSTEM_ID=50", "GALLANT_SMPP_MAX_CONNECTIONS_PER_IP=9"})
	if err != nil {
		t.Fatal(err)
	}
	g, _, _, err = cfg.Gateway()
	if err != nil {
		t.Fatal(err)
	}
	want := gateway.BindGuardConfig{MaxFailuresPerAddress: -1, MaxFailuresPerSystemID: 50, Block: 2 * time.Second,
		MaxBlock: time.Hour, Window: 30 * time.Minute}
	if g.MaxConnections != -1 || g.MaxConnectionsPerIP != 9 || g.CustomerSession.BindTimeout != 3*time.Second || g.BindGuard != want {
		t.Fatalf("from file and env: max %d per ip %d bind timeout %v guard %+v", g.MaxConnections, g.MaxConnectionsPerIP,
			g.CustomerSession.BindTimeout, g.BindGuard)
	}

	for _, c := range []struct{ yaml, want string }{
		{"smpp:\n  max_connections: -1\n", "smpp.max_connections"},
		{"smpp:\n  max_connections_per_ip: -3\n", "smpp.max_connections_per_ip"},
		{"smpp:\n  bind_timeout: 0s\n", "smpp.bind_timeout"},
		{"smpp:\n  failed_binds: {per_ip: -1}\n", "smpp.failed_binds.per_ip"},
		{"smpp:\n  failed_binds: {block: 1m, max_block: 1s}\n", "max_block"},
		{"smpp:\n  failed_binds: {window: 0s}\n", "smpp.failed_binds"},
		{"smpp:\n  failed_binds: {per_address: 3}\n", "per_address"},
		{"carriers: [{name: a, address: x, tls_ca: /ca.pem}]\n", "need tls: true"},
		{"carriers: [{name: a, address: x, tls_insecure_skip_verify: true}]\n", "need tls: true"},
	} {
		_, err := Load(writeConfig(t, c.yaml), nil)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: err %v, want mention of %q", c.yaml, err, c.want)
		}
	}
}

// TestSMPPProxyProtocolConfig: smpp.proxy_protocol.trusted is empty by
// default (no header is read), is read from YAML and from
// GALLANT_SMPP_PROXY_PROTOCOL_TRUSTED, reaches the gateway as networks,
// and a bad entry is refused with the key's name.
func TestSMPPProxyProtocolConfig(t *testing.T) {
	cfg, err := Load("", nil)
	if err != nil {
		t.Fatal(err)
	}
	g, _, _, err := cfg.Gateway()
	if err != nil || len(g.ProxyTrusted) != 0 {
		t.Fatalf("default: %v, %v", g.ProxyTrusted, err)
	}
	cfg, err = Load(writeConfig(t, "smpp:\n  proxy_protocol:\n    trusted: [10.0.0.0/8, 192.0.2.1, \"2001:db8::/32\"]\n"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if g, _, _, err = cfg.Gateway(); err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprint(g.ProxyTrusted); got != "[10.0.0.0/8 192.0.2.1/32 2001:db8::/32]" {
		t.Fatalf("from the file: %s", got)
	}
	cfg, err = Load("", []string{"GALLANT_SMPP_PROXY_PROTOCOL_TRUSTED=[172.16.0.0/12]"})
	if err != nil {
		t.Fatal(err)
	}
	if g, _, _, err = cfg.Gateway(); err != nil || fmt.Sprint(g.ProxyTrusted) != "[172.16.0.0/12]" {
		t.Fatalf("from the environment: %v, %v", g.ProxyTrusted, err)
	}
	for _, bad := range []string{"[lb.internal]", "[10.0.0.0/33]", "[\"\"]"} {
		_, err := Load(writeConfig(t, "smpp:\n  proxy_protocol:\n    trusted: "+bad+"\n"), nil)
		if err == nil || !strings.Contains(err.Error(), "smpp.proxy_protocol.trusted") {
			t.Errorf("%s: %v, want an error naming smpp.proxy_protocol.trusted", bad, err)
		}
	}
}
