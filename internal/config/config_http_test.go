package config

import (
	"strings"
	"testing"
	"time"
)

// TestHTTPConfigKeys: the http section's limits and the metrics section
// come from YAML and the environment, with safe defaults, and reach
// api.Config.
func TestHTTPConfigKeys(t *testing.T) {
	def, err := Load("", nil)
	if err != nil {
		t.Fatal(err)
	}
	ac, err := def.HTTP.API()
	if err != nil {
		t.Fatal(err)
	}
	if ac.MaxBodyBytes != 64<<10 || ac.MaxBatchBodyBytes != 16<<20 || ac.MaxUnauthenticatedBodyBytes != 16<<10 ||
		ac.MaxConnsPerIP != 128 || ac.Concurrency != 10_000 || ac.ReadTimeout != 30*time.Second ||
		ac.WriteTimeout != 30*time.Second || ac.IdleTimeout != 2*time.Minute || ac.TLS != nil || len(ac.TrustedProxies) != 0 {
		t.Fatalf("defaults: %+v", ac)
	}
	if def.Metrics.Listen != "127.0.0.1:9464" {
		t.Fatalf("metrics.listen default %q", def.Metrics.Listen)
	}

	cfg, err := Load(writeConfig(t, `
http:
  max_body: 32KiB
  max_batch_body: 4MiB
  max_unauthenticated_body: 2048
  max_conns_per_ip: 16
  concurrency: 500
  read_timeout: 5s
  write_timeout: 6s
  idle_timeout: 7s
  trusted_proxies: [10.0.0.0/8, "192.0.2.1"]
metrics:
  listen: 0.0.0.0:9100
`), []string{"GALLANT_HTTP_IDLE_TIMEOUT=9s", "GALLANT_HTTP_MAX_BODY=48KiB"})
	if err != nil {
		t.Fatal(err)
	}
	if ac, err = cfg.HTTP.API(); err != nil {
		t.Fatal(err)
	}
	if ac.MaxBodyBytes != 48<<10 || ac.MaxBatchBodyBytes != 4<<20 || ac.MaxUnauthenticatedBodyBytes != 2048 ||
		ac.MaxConnsPerIP != 16 || ac.Concurrency != 500 || ac.ReadTimeout != 5*time.Second ||
		ac.WriteTimeout != 6*time.Second || ac.IdleTimeout != 9*time.Second ||
		strings.Join(ac.TrustedProxies, ",") != "10.0.0.0/8,192.0.2.1" || cfg.Metrics.Listen != "0.0.0.0:9100" {
		t.Fatalf("from YAML and env: %+v, metrics %q", ac, cfg.Metrics.Listen)
	}

	// 0 turns the per-address connection limit off; the environment can
	// give the proxies as a YAML list.
	cfg, err = Load("", []string{"GALLANT_HTTP_MAX_CONNS_PER_IP=0", "GALLANT_HTTP_TRUSTED_PROXIES=[10.1.0.0/16]",
		"GALLANT_METRICS_LISTEN="})
	if err != nil {
		t.Fatal(err)
	}
	if ac, err = cfg.HTTP.API(); err != nil {
		t.Fatal(err)
	}
	if ac.MaxConnsPerIP != -1 || len(ac.TrustedProxies) != 1 || cfg.Metrics.Listen != "" {
		t.Fatalf("from env: %+v, metrics %q", ac, cfg.Metrics.Listen)
	}
}

func TestHTTPConfigErrors(t *testing.T) {
	for _, c := range []struct{ name, yaml, want string }{
		{"size without a number", "http:\n  max_body: lots\n", "http.max_body"},
		{"zero size", "http:\n  max_batch_body: 0\n", "http.max_batch_body"},
		{"size over 1GiB", "http:\n  max_batch_body: 2GiB\n", "http.max_batch_body"},
		{"body over batch", "http:\n  max_body: 32MiB\n", "max_body must not exceed max_batch_body"},
		{"unauthenticated over body", "http:\n  max_unauthenticated_body: 1MiB\n", "max_unauthenticated_body"},
		{"negative connections", "http:\n  max_conns_per_ip: -1\n", "http.max_conns_per_ip"},
		{"no concurrency", "http:\n  concurrency: 0\n", "http.concurrency"},
		{"no read timeout", "http:\n  read_timeout: 0s\n", "http.read_timeout"},
		{"negative idle timeout", "http:\n  idle_timeout: -1s\n", "http.idle_timeout"},
		{"cert without key", "http:\n  tls_cert: /etc/cert.pem\n", "tls_key"},
		{"bad proxy", "http:\n  trusted_proxies: [proxy.internal]\n", "trusted_proxies"},
		{"bad proxy network", "http:\n  trusted_proxies: [10.0.0.0/40]\n", "trusted_proxies"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := Load(writeConfig(t, c.yaml), nil)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("err = %v, want mention of %q", err, c.want)
			}
		})
	}
	// Certificate files are read when the listener starts: a missing one
	// fails newApp's translation, naming the section.
	cfg := Default()
	cfg.HTTP.TLSCert, cfg.HTTP.TLSKey = "/nonexistent/cert.pem", "/nonexistent/key.pem"
	if err := cfg.Validate(); err != nil {
		t.Fatalf("Validate read the certificate: %v", err)
	}
	if _, err := cfg.HTTP.API(); err == nil || !strings.Contains(err.Error(), "http tls") {
		t.Fatalf("missing certificate: %v", err)
	}
}
