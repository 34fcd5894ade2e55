package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestRetentionConfig(t *testing.T) {
	cfg, err := Load("", nil)
	if err != nil {
		t.Fatal(err)
	}
	r := cfg.Retention
	if r.Messages != 0 || r.Events != 0 || r.WebhookAttempts != 30*24*time.Hour || r.PurgeInterval != 5*time.Minute || r.PurgeBatch != 1000 {
		t.Errorf("defaults %+v: want messages and events kept forever, webhook attempts 30 days, every 5m by 1000", r)
	}
	cfg, err = Load("", []string{"GALLANT_RETENTION_MESSAGES=4320h", "GALLANT_RETENTION_EVENTS=720h",
		"GALLANT_RETENTION_WEBHOOK_ATTEMPTS=48h", "GALLANT_RETENTION_PURGE_INTERVAL=1m", "GALLANT_RETENTION_PURGE_BATCH=5000"})
	if err != nil {
		t.Fatal(err)
	}
	if r := cfg.Retention; r.Messages != 180*24*time.Hour || r.Events != 30*24*time.Hour || r.WebhookAttempts != 48*time.Hour ||
		r.PurgeInterval != time.Minute || r.PurgeBatch != 5000 {
		t.Errorf("overrides %+v", r)
	}
	// A file setting one key keeps the others' defaults.
	path := filepath.Join(t.TempDir(), "r.yaml")
	if err := os.WriteFile(path, []byte("retention:\n  messages: 4320h\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err = Load(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if r := cfg.Retention; r.Messages != 180*24*time.Hour || r.WebhookAttempts != 30*24*time.Hour || r.PurgeBatch != 1000 ||
		r.IdempotencyKeys != 24*time.Hour {
		t.Errorf("from a file with retention.messages only: %+v", r)
	}
	if p := cfg.RetentionPolicy(); p.Messages != 180*24*time.Hour || p.Batch != 1000 || p.Interval != 5*time.Minute {
		t.Errorf("policy %+v", p)
	}
	for _, bad := range []struct{ env, want string }{
		{"GALLANT_RETENTION_MESSAGES=1h", "retention.messages"},
		{"GALLANT_RETENTION_MESSAGES=-24h", "retention.messages"},
		{"GALLANT_RETENTION_EVENTS=23h", "retention.events"},
		{"GALLANT_RETENTION_WEBHOOK_ATTEMPTS=0s", "retention.webhook_attempts"},
		{"GALLANT_RETENTION_PURGE_INTERVAL=10ms", "retention.purge_interval"},
		{"GALLANT_RETENTION_PURGE_BATCH=0", "retention.purge_batch"},
		{"GALLANT_RETENTION_PURGE_BATCH=10001", "retention.purge_batch"},
	} {
		if _, err := Load("", []string{bad.env}); err == nil || !strings.Contains(err.Error(), bad.want) {
			t.Errorf("%s: %v, want an error naming %s", bad.env, err, bad.want)
		}
	}
}
