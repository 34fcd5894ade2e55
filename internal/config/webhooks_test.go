package config

import (
	"strings"
	"testing"
	"time"

	"github.com/gallant-sms/gallant/webhook"
)

// TestWebhookDeliveryKeys: the webhooks section's delivery keys reach the
// dispatcher's configuration, from YAML and from GALLANT_ variables; zero
// keeps the package's defaults; bad values are refused at load.
func TestWebhookDeliveryKeys(t *testing.T) {
	p := writeConfig(t, `
webhooks:
  secret: s
  workers: 32
  queue_size: 4000
  account_queue_size: 500
  timeout: 5s
  breaker_failures: 3
  account_concurrency: 8
`)
	cfg, err := Load(p, []string{"GALLANT_WEBHOOKS_HOST_CONCURRENCY=4", "GALLANT_WEBHOOKS_BREAKER_COOLDOWN=1m"})
	if err != nil {
		t.Fatal(err)
	}
	got := cfg.Webhooks.Dispatcher()
	want := webhook.Config{Workers: 32, QueueSize: 4000, AccountQueueSize: 500, HostConcurrency: 4, AccountConcurrency: 8,
		Timeout: 5 * time.Second, BreakerFailures: 3, BreakerCooldown: time.Minute}
	if got.Workers != want.Workers || got.QueueSize != want.QueueSize || got.AccountQueueSize != want.AccountQueueSize ||
		got.HostConcurrency != want.HostConcurrency || got.AccountConcurrency != want.AccountConcurrency || got.Timeout != want.Timeout ||
		got.BreakerFailures != want.BreakerFailures || got.BreakerCooldown != want.BreakerCooldown {
		t.Fatalf("dispatcher config %+v, want %+v", got, want)
	}
	if d := (WebhookConfig{}).Dispatcher(); d.QueueSize != 0 || d.Validate() != nil {
		t.Fatalf("empty section: %+v, %v; want zeros, which mean the defaults", d, d.Validate())
	}
	for _, bad := range []string{
		"webhooks:\n  queue_size: -1\n",
		"webhooks:\n  breaker_cooldown: -1s\n",
		"webhooks:\n  queue_size: 100\n  account_queue_size: 200\n",
	} {
		if _, err := Load(writeConfig(t, bad), nil); err == nil || !strings.Contains(err.Error(), "webhooks") {
			t.Errorf("%q: err = %v, want a webhooks error", bad, err)
		}
	}
}
