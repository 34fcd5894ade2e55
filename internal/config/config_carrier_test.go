package config

import (
	"strings"
	"testing"

	"github.com/gallant-sms/gallant/gateway"
)

// TestCarrierMaxInbound: carriers[].max_inbound reaches the gateway's
// carrier binds, defaults to 1,000 and must not be negative.
func TestCarrierMaxInbound(t *testing.T) {
	p := writeConfig(t, strings.Replace(goodConfig, "    tps: 500\n", "    tps: 500\n    max_inbound: 250\n", 1))
	cfg, err := Load(p, nil)
	if err != nil {
		t.Fatal(err)
	}
	g, _, _, err := cfg.Gateway()
	if err != nil {
		t.Fatal(err)
	}
	if a, b := g.Carriers[0].MaxInbound, g.Carriers[1].MaxInbound; a != 250 || b != gateway.DefaultCarrierMaxInbound {
		t.Fatalf("max_inbound %d and %d, want 250 and the default 1000", a, b)
	}
	p = writeConfig(t, strings.Replace(goodConfig, "    tps: 500\n", "    tps: 500\n    max_inbound: -1\n", 1))
	if _, err := Load(p, nil); err == nil || !strings.Contains(err.Error(), "max_inbound") {
		t.Fatalf("negative max_inbound: %v, want an error naming it", err)
	}
}
