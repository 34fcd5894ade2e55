package config

import (
	"github.com/gallant-sms/gallant/gateway"
	"github.com/gallant-sms/gallant/store"
	"github.com/gallant-sms/gallant/webhook"
)

// Dispatcher returns the webhook dispatcher's settings from the webhooks
// section, its address policy included; zero keys keep the package's
// defaults.
func (w WebhookConfig) Dispatcher() webhook.Config {
	return webhook.Config{
		Workers:            w.Workers,
		QueueSize:          w.QueueSize,
		AccountQueueSize:   w.AccountQueueSize,
		HostConcurrency:    w.HostConcurrency,
		AccountConcurrency: w.AccountConcurrency,
		Timeout:            w.Timeout,
		BreakerFailures:    w.BreakerFailures,
		BreakerCooldown:    w.BreakerCooldown,
		Policy:             w.Policy(),
	}
}

// WebhookDispatcher is the dispatcher's configuration for serve: the
// webhooks section, with the store's outbox keeping what memory cannot
// hold and what is pending at shutdown, and the accounts' secrets looked
// up again for what comes back from it.
func (cfg Config) WebhookDispatcher(st *store.Store) webhook.Config {
	c := cfg.Webhooks.Dispatcher()
	c.Outbox = gateway.WebhookOutbox{St: st}
	c.SecretOf = gateway.WebhookSecrets{St: st, Default: cfg.Webhooks.Secret}.Secret
	return c
}
