package gateway

import (
	"context"
	"sync"
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
	a := s.accounts.get(m.AccountID)
	url := m.CallbackURL
	if url == "" && a != nil {
		url = a.WebhookURL
	}
	if url == "" {
		return
	}
	secret := s.cfg.WebhookSecret
	if a != nil && a.WebhookSecret != "" {
		secret = a.WebhookSecret
	}
	ev := webhook.NewEvent(m, sms.Event{MessageID: m.ID, Status: st, At: time.Now().UTC(), Carrier: carrier, ErrorCode: code})
	err := s.hook.Enqueue(webhook.Delivery{URL: url, Secret: secret, AccountID: m.AccountID, MessageID: m.ID, Event: ev})
	if err != nil {
		s.m.webhooksDropped.Inc()
		s.log.Warn("webhook not queued", "id", m.ID, "err", err)
	}
}

// WebhookRecorder stores webhook attempts; pass it to webhook.New.
type WebhookRecorder struct{ W *store.Writer }

// Attempt records one webhook attempt through the writer.
func (r WebhookRecorder) Attempt(a webhook.Attempt) {
	_ = r.W.Add(&store.WebhookAttempt{MessageID: a.MessageID, AccountID: a.AccountID, URL: a.URL,
		Attempt: a.N, StatusCode: a.StatusCode, Error: a.Err, At: a.At, GaveUp: a.GaveUp}, nil, nil)
}

// accountCache keeps accounts for a short while: webhooks need their URL
// and secret per message.
type accountCache struct {
	st *store.Store
	mu sync.Mutex
	m  map[int64]accountEntry
}

type accountEntry struct {
	a       *store.Account
	expires time.Time
}

const accountCacheTTL = 30 * time.Second

func newAccountCache(st *store.Store) *accountCache {
	return &accountCache{st: st, m: map[int64]accountEntry{}}
}

// get returns the account, or nil when it cannot be read.
func (c *accountCache) get(id int64) *store.Account {
	now := time.Now()
	c.mu.Lock()
	e, ok := c.m[id]
	c.mu.Unlock()
	if ok && now.Before(e.expires) {
		return e.a
	}
	a, err := c.st.GetAccount(context.Background(), id)
	if err != nil {
		return nil
	}
	c.mu.Lock()
	c.m[id] = accountEntry{a: a, expires: now.Add(accountCacheTTL)}
	c.mu.Unlock()
	return a
}

// suppressions are the numbers each account must not message (opt-outs).
// The set lives in memory for the hot path; the campaign layer, which owns
// opt-outs, loads and updates it through Suppress and Unsuppress.
type suppressions struct {
	mu sync.RWMutex
	m  map[int64]map[string]struct{}
}

func newSuppressions() *suppressions { return &suppressions{m: map[int64]map[string]struct{}{}} }

func (s *suppressions) has(account int64, number string) bool {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if len(s.m) == 0 {
		return false
	}
	_, ok := s.m[account][number]
	return ok
}

// Suppress stops messages from account to the E.164 digits number.
func (s *Service) Suppress(account int64, number string) {
	s.suppressed.mu.Lock()
	defer s.suppressed.mu.Unlock()
	set := s.suppressed.m[account]
	if set == nil {
		set = map[string]struct{}{}
		s.suppressed.m[account] = set
	}
	set[number] = struct{}{}
}

// Unsuppress allows messages from account to number again.
func (s *Service) Unsuppress(account int64, number string) {
	s.suppressed.mu.Lock()
	defer s.suppressed.mu.Unlock()
	delete(s.suppressed.m[account], number)
}
