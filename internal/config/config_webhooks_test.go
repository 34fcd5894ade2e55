package config

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestWebhookAddressPolicyConfig: webhooks.allow_private is off unless a
// file or the environment turns it on (the shipped configurations do
// not), webhooks.allow_hosts is read from both, and an entry that is no
// host name, address or prefix stops the start.
func TestWebhookAddressPolicyConfig(t *testing.T) {
	if Default().Webhooks.AllowPrivate {
		t.Fatal("webhooks.allow_private is on by default")
	}
	for _, name := range []string{"dev.yaml", "production.yaml"} {
		cfg, err := Load(filepath.Join("..", "..", "configs", name), nil)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if cfg.Webhooks.AllowPrivate || len(cfg.Webhooks.AllowHosts) != 0 {
			t.Errorf("%s lets callbacks reach private addresses: %+v", name, cfg.Webhooks)
		}
	}

	cfg, err := Load(writeConfig(t, "webhooks:\n  allow_private: true\n  allow_hosts: [hooks.internal, 10.20.0.0/16]\n"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if !cfg.Webhooks.AllowPrivate || !slices.Equal(cfg.Webhooks.AllowHosts, []string{"hooks.internal", "10.20.0.0/16"}) {
		t.Fatalf("from YAML: %+v", cfg.Webhooks)
	}
	p := cfg.Webhooks.Policy()
	if !p.AllowPrivate || !slices.Equal(p.AllowHosts, cfg.Webhooks.AllowHosts) {
		t.Fatalf("policy %+v", p)
	}

	cfg, err = Load("", []string{"GALLANT_WEBHOOKS_ALLOW_PRIVATE=true", "GALLANT_WEBHOOKS_ALLOW_HOSTS=[a.internal, 192.168.5.5]"})
	if err != nil {
		t.Fatal(err)
	}
	if !cfg.Webhooks.AllowPrivate || !slices.Equal(cfg.Webhooks.AllowHosts, []string{"a.internal", "192.168.5.5"}) {
		t.Fatalf("from the environment: %+v", cfg.Webhooks)
	}

	for _, bad := range []string{"http://hooks.internal", "10.0.0.0/40", "two words"} {
		_, err := Load(writeConfig(t, "webhooks:\n  allow_hosts: ['"+bad+"']\n"), nil)
		if err == nil || !strings.Contains(err.Error(), "webhooks.allow_hosts") {
			t.Errorf("allow_hosts %q: err = %v, want a webhooks.allow_hosts error", bad, err)
		}
	}
}
