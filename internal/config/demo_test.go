package config

import (
	"path/filepath"
	"testing"
)

// TestDemo: the demo's configuration is valid as it is, keeps SQLite in
// its directory with billing on and private callbacks allowed, and still
// takes GALLANT_ overrides; a bad override is refused.
func TestDemo(t *testing.T) {
	cfg := Demo("d", "127.0.0.1:0", "127.0.0.1:0", "", "fast", "127.0.0.1:2776")
	if err := cfg.Complete([]string{"GALLANT_HTTP_LISTEN=127.0.0.1:9999"}); err != nil {
		t.Fatal(err)
	}
	if cfg.Store.DSN != filepath.Join("d", "gallant.db") || !cfg.Billing.Enabled || !cfg.Webhooks.AllowPrivate ||
		!cfg.Mail.LogMails || cfg.Durability != "fast" || cfg.HTTP.Listen != "127.0.0.1:9999" ||
		len(cfg.Carriers) != 1 || cfg.Carriers[0].MaxInbound == 0 {
		t.Fatalf("demo configuration %+v", cfg)
	}
	bad := Demo("d", "127.0.0.1:0", "127.0.0.1:0", "", "fast", "127.0.0.1:2776")
	if err := bad.Complete([]string{"GALLANT_DURABILITY=sometimes"}); err == nil {
		t.Fatal("durability sometimes accepted")
	}
}
