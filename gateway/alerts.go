package gateway

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/gallant-sms/gallant/account"
	"github.com/gallant-sms/gallant/billing"
	"github.com/gallant-sms/gallant/store"
	"github.com/gallant-sms/gallant/webhook"
)

// BalanceLowEvent is the JSON body of a low-balance webhook:
//
//	{"type":"balance.low","account_id":42,"balance":"4.950000",
//	 "threshold":"5.000000","currency":"EUR","at":"2026-03-01T10:00:00Z",
//	 "event_id":"9f2c0d5e8a1b4c7d9e0f1a2b3c4d5e6f"}
//
// It is signed like status callbacks (X-Gallant-Signature, see package
// webhook) with the account's webhook secret, or the gateway's.
type BalanceLowEvent struct {
	Type      string `json:"type"` // always "balance.low"
	AccountID int64  `json:"account_id"`
	// Balance is the available balance when the alert fired and
	// Threshold the account's setting, as decimal strings in Currency.
	Balance   string    `json:"balance"`
	Threshold string    `json:"threshold"`
	Currency  string    `json:"currency"`
	At        time.Time `json:"at"`
	// EventID is the same on every retry of one alert.
	EventID string `json:"event_id"`
}

// EventBalanceLow is the type of a low-balance webhook.
const EventBalanceLow = "balance.low"

// AlertConfig configures an [AlertNotifier].
type AlertConfig struct {
	// Secret signs webhooks of accounts without a secret of their own;
	// empty: such webhooks are not sent (and that is logged).
	Secret string
	// Mailer sends alert emails; nil sends none.
	Mailer account.Mailer
	// Guard judges webhook URLs (without a DNS lookup: they were
	// resolved when stored) and builds the client that posts them, so
	// that alerts reach only the addresses status callbacks may reach.
	// Pass the status dispatcher's (webhook.Dispatcher.Guard). Nil means
	// the default policy, public addresses only, with its refusals
	// counted nowhere.
	Guard *webhook.Guard
	// Hooks, if set, also posts each alert as a balance.low event to
	// the hooks the account subscribed (Service.Hooks).
	Hooks *webhook.Hooks
	// Attempts bounds the posts of one webhook (retried on network
	// errors, 5xx and 429, after 1 s, 2 s, 4 s ...). 0 means 4.
	Attempts int
	// QueueSize bounds the alerts waiting to be sent; 0 means 1,000.
	QueueSize int
	// Registerer takes the alerts' counters (gallant_balance_alerts_total,
	// gallant_balance_alert_deliveries_total); nil registers none.
	Registerer prometheus.Registerer
}

// AlertNotifier sends low-balance alerts by webhook and email, from one
// goroutine of its own, so that the sweep that fires them never waits
// for a receiver. It implements billing.AlertNotifier. Start it, and Stop
// it at shutdown.
type AlertNotifier struct {
	cfg    AlertConfig
	client *http.Client // from cfg.Guard: guarded dialer, no redirects
	st     *store.Store
	log    *slog.Logger
	ch     chan billing.LowBalance
	m      *alertMetrics
	quit   chan struct{}
	wg     sync.WaitGroup
	once   sync.Once
	// backoff is the delay before the first retry (a variable for tests).
	backoff time.Duration
}

var _ billing.AlertNotifier = (*AlertNotifier)(nil)

// NewAlertNotifier returns a notifier reading accounts' webhook secrets
// from st. A nil logger discards the log.
func NewAlertNotifier(cfg AlertConfig, st *store.Store, logger *slog.Logger) *AlertNotifier {
	if cfg.Guard == nil {
		cfg.Guard = publicOnly
	}
	if cfg.Attempts <= 0 {
		cfg.Attempts = 4
	}
	if cfg.QueueSize <= 0 {
		cfg.QueueSize = 1000
	}
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	n := &AlertNotifier{cfg: cfg, client: cfg.Guard.NewClient(alertPostTimeout), st: st, log: logger.With("component", "alerts"),
		ch: make(chan billing.LowBalance, cfg.QueueSize), quit: make(chan struct{}), backoff: time.Second, m: newAlertMetrics()}
	if err := n.m.register(cfg.Registerer); err != nil {
		n.log.Error("low-balance alert metrics not registered", "err", err)
	}
	return n
}

// Start starts the sending goroutine.
func (n *AlertNotifier) Start() {
	n.wg.Go(n.run)
}

// Stop stops the sending goroutine, waiting within ctx for the alert it
// is sending; alerts still queued are logged as not sent. It may be
// called more than once.
func (n *AlertNotifier) Stop(ctx context.Context) error {
	n.once.Do(func() { close(n.quit) })
	done := make(chan struct{})
	go func() { n.wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-ctx.Done():
		return fmt.Errorf("gateway: stop alerts: %w", ctx.Err())
	}
	n.client.CloseIdleConnections()
	for {
		select {
		case a := <-n.ch:
			n.log.Warn("low-balance alert not sent at shutdown", "account", a.AccountID)
		default:
			return nil
		}
	}
}

// NotifyLowBalance queues a; it never blocks (a full queue logs the alert
// as not sent).
func (n *AlertNotifier) NotifyLowBalance(_ context.Context, a billing.LowBalance) {
	select {
	case n.ch <- a:
		n.m.queued.Inc()
	default:
		n.log.Error("low-balance alert not sent: queue full", "account", a.AccountID)
		n.m.dropped.Inc()
	}
}

func (n *AlertNotifier) run() {
	for {
		select {
		case <-n.quit:
			return
		case a := <-n.ch:
			n.send(a)
		}
	}
}

// send delivers one alert: webhook, then email. Failures are logged.
func (n *AlertNotifier) send(a billing.LowBalance) {
	if n.cfg.Hooks.Wants(a.AccountID, webhook.HookBalanceLow) {
		ev := BalanceLowEvent{Type: EventBalanceLow, AccountID: a.AccountID, Balance: a.Available.String(),
			Threshold: a.Threshold.String(), Currency: a.Currency, At: a.At.UTC(), EventID: webhook.NewEventID()}
		n.cfg.Hooks.Publish(a.AccountID, webhook.HookBalanceLow, 0, ev.EventID, ev)
	}
	if a.WebhookURL != "" {
		err := n.postWebhook(a)
		n.m.delivered(true, err)
		if err != nil {
			n.log.Error("low-balance webhook not delivered", "account", a.AccountID, "err", err)
		}
	}
	if a.Email != "" && n.cfg.Mailer != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		err := n.cfg.Mailer.Send(ctx, account.Mail{To: a.Email,
			Subject: "Low balance: " + a.Available.String() + " " + a.Currency,
			Body: fmt.Sprintf("The available balance of account %d is %s %s, below your alert threshold of %s %s.\n\n"+
				"Top up to keep sending messages. You will not be told again until the balance has been above the threshold.\n",
				a.AccountID, a.Available.String(), a.Currency, a.Threshold.String(), a.Currency)})
		n.m.delivered(false, err)
		if err != nil {
			n.log.Error("low-balance email not sent", "account", a.AccountID, "err", err)
		}
	}
}

// errAlertNotSent marks an answer that a retry cannot change.
var errAlertNotSent = errors.New("gateway: alert refused")

// postWebhook posts a's event, retrying network errors, 5xx and 429.
func (n *AlertNotifier) postWebhook(a billing.LowBalance) error {
	if err := n.cfg.Guard.CheckURL(a.WebhookURL); err != nil {
		return fmt.Errorf("gateway: alert webhook URL: %w", err)
	}
	secret := n.cfg.Secret
	if n.st != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		acct, err := n.st.GetAccount(ctx, a.AccountID)
		cancel()
		if err == nil && acct.WebhookSecret != "" {
			secret = acct.WebhookSecret
		}
	}
	if secret == "" {
		return errors.New("gateway: no webhook secret to sign the alert with")
	}
	var id [16]byte
	_, _ = rand.Read(id[:])
	body, err := json.Marshal(BalanceLowEvent{Type: EventBalanceLow, AccountID: a.AccountID, Balance: a.Available.String(),
		Threshold: a.Threshold.String(), Currency: a.Currency, At: a.At.UTC(), EventID: hex.EncodeToString(id[:])})
	if err != nil {
		return fmt.Errorf("gateway: encode alert: %w", err)
	}
	delay := n.backoff
	for attempt := 1; ; attempt++ {
		err = n.post(a.WebhookURL, secret, body)
		if err == nil || errors.Is(err, errAlertNotSent) || attempt >= n.cfg.Attempts {
			return err
		}
		t := time.NewTimer(delay)
		select {
		case <-n.quit:
			t.Stop()
			return fmt.Errorf("gateway: stopped before a retry: %w", err)
		case <-t.C:
		}
		delay *= 2
	}
}

// alertPostTimeout bounds one post of an alert, from dialling to reading
// the answer.
const alertPostTimeout = 15 * time.Second

// post makes one signed POST of body.
func (n *AlertNotifier) post(url, secret string, body []byte) error {
	ctx, cancel := context.WithTimeout(context.Background(), alertPostTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("%w: %w", errAlertNotSent, err)
	}
	req.Header.Set("Content-Type", webhook.ContentType)
	req.Header.Set("User-Agent", webhook.UserAgent)
	req.Header.Set(webhook.SignatureHeader, webhook.Sign(secret, time.Now(), body))
	req.Header.Set(webhook.BodySignatureHeader, webhook.SignBody(secret, body))
	resp, err := n.client.Do(req)
	if errors.Is(err, webhook.ErrHostNotAllowed) {
		// The dialer refused every address: no retry will be let through.
		return fmt.Errorf("%w: %w", errAlertNotSent, err)
	}
	if err != nil {
		return fmt.Errorf("gateway: post alert: %w", err)
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
	switch {
	case resp.StatusCode >= 200 && resp.StatusCode < 300:
		return nil
	case resp.StatusCode >= 500 || resp.StatusCode == http.StatusTooManyRequests:
		return fmt.Errorf("gateway: post alert: status %d", resp.StatusCode)
	}
	return fmt.Errorf("%w: status %s", errAlertNotSent, strconv.Itoa(resp.StatusCode))
}
