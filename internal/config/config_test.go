package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func writeConfig(t *testing.T, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "c.yaml")
	if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

const goodConfig = `
http:
  listen: 127.0.0.1:9080
store:
  driver: mysql
  dsn: root@tcp(127.0.0.1:3306)/test
carriers:
  - name: alpha
    address: 127.0.0.1:2776
    system_id: gw
    password: pw
    binds: 2
    window: 50
    tps: 500
  - name: beta
    address: 127.0.0.1:2777
    outbind_listen: 127.0.0.1:2778
routes:
  - prefix: "44"
    carriers: [alpha, {carrier: beta, priority: 1}]
    sender_tps: 1.5
  - prefix: ""
    carriers: [beta]
messages:
  default_validity: 24h
`

func TestLoadConfigFileDefaultsAndEnv(t *testing.T) {
	p := writeConfig(t, goodConfig)
	cfg, err := Load(p, []string{
		"GALLANT_HTTP_LISTEN=127.0.0.1:1234",
		"GALLANT_STORE_DSN=other-dsn",
		"GALLANT_CARRIERS_0_PASSWORD=fromenv",
		"GALLANT_CARRIERS_1_TPS=42.5",
		"GALLANT_SMPP_MAX_BINDS_PER_SYSTEM_ID=3",
		"GALLANT_MESSAGES_MAX_VALIDITY=96h",
		"GALLANT_TEST_MYSQL_DSN=ignored",
		"PATH=/usr/bin",
	})
	if err != nil {
		t.Fatal(err)
	}
	if cfg.HTTP.Listen != "127.0.0.1:1234" || cfg.Store.DSN != "other-dsn" || cfg.Store.Driver != "mysql" {
		t.Fatalf("overrides not applied: %+v", cfg)
	}
	if cfg.Carriers[0].Password != "fromenv" || cfg.Carriers[1].TPS != 42.5 {
		t.Fatalf("list overrides not applied: %+v", cfg.Carriers)
	}
	if cfg.SMPP.MaxBindsPerSystemID != 3 || cfg.Messages.MaxValidity != 96*time.Hour || cfg.Messages.DefaultValidity != 24*time.Hour {
		t.Fatalf("nested keys with underscores not applied: %+v %+v", cfg.SMPP, cfg.Messages)
	}
	if cfg.SMPP.Listen != "127.0.0.1:2775" || cfg.Durability != "durable" {
		t.Fatalf("defaults missing: %+v", cfg)
	}
	if b := cfg.Carriers[1]; b.Binds != 1 || b.Window != 10 || b.BindType != "transceiver" {
		t.Fatalf("carrier defaults missing: %+v", b)
	}
	r := cfg.Routes[0]
	if r.Carriers[0].Carrier != "alpha" || r.Carriers[0].Weight != 1 || r.Carriers[1].Carrier != "beta" || r.Carriers[1].Priority != 1 {
		t.Fatalf("route carriers: %+v", r.Carriers)
	}
	if cfg.Carriers[1].OutbindListen != "127.0.0.1:2778" || cfg.Carriers[0].OutbindListen != "" {
		t.Fatalf("outbind_listen: %+v", cfg.Carriers)
	}
	if r.SenderTPS != 1.5 || cfg.Routes[1].SenderTPS != 0 {
		t.Fatalf("sender_tps: %v and %v, want 1.5 and 0", r.SenderTPS, cfg.Routes[1].SenderTPS)
	}
}

func TestLoadConfigWholeListFromEnv(t *testing.T) {
	cfg, err := Load("", []string{
		`GALLANT_CARRIERS=[{name: sim, address: "127.0.0.1:2776"}]`,
		`GALLANT_ROUTES=[{"prefix": "", "carriers": ["sim"]}]`,
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(cfg.Carriers) != 1 || cfg.Carriers[0].Name != "sim" || len(cfg.Routes) != 1 || cfg.Routes[0].Carriers[0].Carrier != "sim" {
		t.Fatalf("lists from env: %+v %+v", cfg.Carriers, cfg.Routes)
	}
}

func TestLoadConfigErrors(t *testing.T) {
	cases := []struct {
		name, yaml string
		env        []string
		want       string
	}{
		{"unknown top key", "htp:\n  listen: x\n", nil, "htp"},
		{"unknown nested key", "http:\n  lisen: x\n", nil, "lisen"},
		{"unknown key in route carrier", "carriers: [{name: a, address: x}]\nroutes: [{prefix: '1', carriers: [{carrier: a, wieght: 2}]}]\n", nil, "wieght"},
		{"bad driver", "store:\n  driver: oracle\n", nil, "store.driver"},
		{"bad durability", "durability: maybe\n", nil, "durability"},
		{"duplicate carrier", "carriers: [{name: a, address: x}, {name: a, address: y}]\n", nil, "used twice"},
		{"unknown route carrier", "carriers: [{name: a, address: x}]\nroutes: [{prefix: '1', carriers: [b]}]\n", nil, "unknown carrier"},
		{"bad prefix", "carriers: [{name: a, address: x}]\nroutes: [{prefix: '+44', carriers: [a]}]\n", nil, "digits only"},
		{"negative sender tps", "carriers: [{name: a, address: x}]\nroutes: [{prefix: '1', carriers: [a], sender_tps: -1}]\n", nil, "sender_tps"},
		{"bad bind type", "carriers: [{name: a, address: x, bind_type: both}]\n", nil, "bind_type"},
		{"env typo", "", []string{"GALLANT_HTTP_LISTN=x"}, "GALLANT_HTTP_LISTN"},
		{"env bad number", "carriers: [{name: a, address: x}]\n", []string{"GALLANT_CARRIERS_0_TPS=fast"}, "GALLANT_CARRIERS_0_TPS"},
		{"tls without cert", "smpp:\n  tls_listen: ':3550'\n", nil, "tls_cert"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Load(writeConfig(t, c.yaml), c.env)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("err = %v, want mention of %q", err, c.want)
			}
		})
	}
}

func TestShippedConfigsLoad(t *testing.T) {
	for _, name := range []string{"dev.yaml", "production.yaml"} {
		p := filepath.Join("..", "..", "configs", name)
		if _, err := os.Stat(p); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if _, err := Load(p, nil); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
	}
}

// TestProductionConfigIsSafe: the shipped production configuration keeps
// every defence on: registration closed, callbacks off
// private addresses, HTTPS on the API, metrics on loopback only, and the
// connection, body, bind and scheduling limits set.
func TestProductionConfigIsSafe(t *testing.T) {
	cfg, err := Load(filepath.Join("..", "..", "configs", "production.yaml"), nil)
	if err != nil {
		t.Fatal(err)
	}
	checks := []struct {
		what string
		ok   bool
	}{
		{"auth.open_registration off", !cfg.Auth.OpenRegistration && !cfg.Auth.AllowUnbilledRegistration},
		{"mails never logged", !cfg.Mail.LogMails},
		{"webhooks.allow_private off, no allow_hosts", !cfg.Webhooks.AllowPrivate && len(cfg.Webhooks.AllowHosts) == 0},
		{"HTTPS on the API", cfg.HTTP.TLSCert != "" && cfg.HTTP.TLSKey != ""},
		{"metrics on loopback", strings.HasPrefix(cfg.Metrics.Listen, "127.0.0.1:") || strings.HasPrefix(cfg.Metrics.Listen, "[::1]:")},
		{"connections per address capped", cfg.HTTP.MaxConnsPerIP > 0 && cfg.SMPP.MaxConnectionsPerIP > 0 && cfg.SMPP.MaxConnections > 0},
		{"unauthenticated bodies small", cfg.HTTP.MaxUnauthenticatedBody != "" && cfg.HTTP.MaxUnauthenticatedBody != "0"},
		{"failed binds limited", cfg.SMPP.FailedBinds.PerIP > 0 && cfg.SMPP.FailedBinds.PerSystemID > 0},
		{"scheduled messages bounded", cfg.Messages.MaxScheduledPerAccount > 0 && cfg.Messages.ScheduleHorizon > 0},
		{"idempotency records purged", cfg.Retention.IdempotencyKeys > 0},
	}
	for _, c := range checks {
		if !c.ok {
			t.Errorf("production.yaml: want %s", c.what)
		}
	}
}
