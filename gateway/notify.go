package gateway

import (
	"context"
	"errors"
	"time"

	"github.com/gallant-sms/gallant/sms"
	"github.com/gallant-sms/gallant/store"
	"github.com/gallant-sms/gallant/webhook"
)

// notifyFinal tells a message's sender its final status: a deliver_sm
// receipt for SMPP senders that asked for one, and a webhook where a
// callback URL is set.
func (s *Service) notifyFinal(m *sms.Message, st sms.Status, code, carrier string) {
	s.m.final(st)
	if m.Ingress == sms.IngressSMPP && m.WantsReceipt(st) {
		s.customers.receipt(m, st, code)
	}
	s.notifyStatus(m, st, code, carrier)
}

// notifyStatus posts a status webhook when the message or its account has
// a callback URL.
func (s *Service) notifyStatus(m *sms.Message, st sms.Status, code, carrier string) {
	if s.hook == nil {
		return
	}
	if s.hooks.Wants(m.AccountID, webhook.HookMessageStatus) {
		ev := webhook.NewEvent(m, sms.Event{MessageID: m.ID, Status: st, At: time.Now().UTC(), Carrier: carrier, ErrorCode: code})
		ev.EventID = webhook.NewEventID()
		s.hooks.Publish(m.AccountID, webhook.HookMessageStatus, m.ID, ev.EventID, ev)
	}
	// The account's URL and secret come from the account service's
	// cache (a 30-second life; a change made on this instance at once).
	a, err := s.acc.Account(context.Background(), m.AccountID)
	if err != nil {
		a = nil
	}
	url := m.CallbackURL
	if url == "" && a != nil {
		url = a.WebhookURL
	}
	if url == "" {
		return
	}
	secret := webhookSecret(a, s.cfg.WebhookSecret)
	ev := webhook.NewEvent(m, sms.Event{MessageID: m.ID, Status: st, At: time.Now().UTC(), Carrier: carrier, ErrorCode: code})
	err = s.hook.Enqueue(webhook.Delivery{URL: url, Secret: secret, AccountID: m.AccountID, MessageID: m.ID, Event: ev})
	if err != nil {
		s.m.webhooksDropped.Inc()
		s.log.Warn("webhook not queued", "id", m.ID, "err", err)
	}
}

// webhookSecret returns the secret signing account a's callbacks: its
// own, else def (the gateway's); a is nil when it could not be read.
func webhookSecret(a *store.Account, def string) string {
	if a != nil && a.WebhookSecret != "" {
		return a.WebhookSecret
	}
	return def
}

// WebhookSecrets looks up the secret signing an account's callbacks, as
// notifyStatus chooses it: pass its Secret as webhook.Config.SecretOf, so
// that deliveries resumed from the outbox (which keeps no secrets) are
// signed as they would have been, with the account's current secret.
type WebhookSecrets struct {
	St *store.Store
	// Default signs the callbacks of accounts without a secret of their
	// own (Config.WebhookSecret).
	Default string
}

// Secret returns account's webhook secret, Default for an account
// without one or no longer stored, or the error reading it.
func (w WebhookSecrets) Secret(ctx context.Context, account int64) (string, error) {
	a, err := w.St.GetAccount(ctx, account)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return w.Default, nil
	case err != nil:
		return "", err
	}
	return webhookSecret(a, w.Default), nil
}

// WebhookOutbox is the webhook dispatcher's outbox in the store (table
// webhook_outbox): pass it as webhook.Config.Outbox.
type WebhookOutbox struct{ St *store.Store }

var _ webhook.Outbox = WebhookOutbox{}

// Save implements webhook.Outbox.
func (o WebhookOutbox) Save(ctx context.Context, es []webhook.OutboxEntry) error {
	return o.St.SaveWebhooks(ctx, toStoreWebhooks(es))
}

// Claim implements webhook.Outbox.
func (o WebhookOutbox) Claim(ctx context.Context, owner string, lease time.Duration, skip []int64, n int) ([]webhook.OutboxEntry, error) {
	ws, err := o.St.ClaimWebhooks(ctx, owner, lease, skip, n)
	if err != nil {
		return nil, err
	}
	out := make([]webhook.OutboxEntry, len(ws))
	for i, w := range ws {
		out[i] = webhook.OutboxEntry{ID: w.ID, AccountID: w.AccountID, MessageID: w.MessageID, URL: w.URL,
			Body: w.Body, Attempts: w.Attempts, NextAt: w.NextAt}
	}
	return out, nil
}

// Renew implements webhook.Outbox.
func (o WebhookOutbox) Renew(ctx context.Context, owner string, lease time.Duration) (int, error) {
	return o.St.RenewWebhooks(ctx, owner, lease)
}

// Release implements webhook.Outbox.
func (o WebhookOutbox) Release(ctx context.Context, owner string, es []webhook.OutboxEntry) error {
	return o.St.ReleaseWebhooks(ctx, owner, toStoreWebhooks(es))
}

// Done implements webhook.Outbox.
func (o WebhookOutbox) Done(ctx context.Context, owner string, ids []int64) error {
	return o.St.DeleteWebhooks(ctx, owner, ids)
}

// toStoreWebhooks converts outbox entries to the store's rows.
func toStoreWebhooks(es []webhook.OutboxEntry) []store.OutboxWebhook {
	out := make([]store.OutboxWebhook, len(es))
	for i, e := range es {
		out[i] = store.OutboxWebhook{ID: e.ID, AccountID: e.AccountID, MessageID: e.MessageID, URL: e.URL,
			Body: e.Body, Attempts: e.Attempts, NextAt: e.NextAt}
	}
	return out
}

// WebhookRecorder stores webhook attempts; pass it to webhook.New.
type WebhookRecorder struct{ W *store.Writer }

// Attempt records one webhook attempt through the writer.
func (r WebhookRecorder) Attempt(a webhook.Attempt) {
	_ = r.W.Add(&store.WebhookAttempt{MessageID: a.MessageID, AccountID: a.AccountID, URL: a.URL,
		Attempt: a.N, StatusCode: a.StatusCode, Error: a.Err, At: a.At, GaveUp: a.GaveUp}, nil)
}
