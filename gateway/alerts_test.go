package gateway

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gallant-sms/gallant/billing"
	"github.com/gallant-sms/gallant/internal/testutil"
	"github.com/gallant-sms/gallant/webhook"
)

// logRecords keeps the text of every record logged through it.
type logRecords struct {
	mu   sync.Mutex
	recs []string
}

func (l *logRecords) Enabled(context.Context, slog.Level) bool { return true }
func (l *logRecords) WithAttrs([]slog.Attr) slog.Handler       { return l }
func (l *logRecords) WithGroup(string) slog.Handler            { return l }
func (l *logRecords) Handle(_ context.Context, r slog.Record) error {
	var sb strings.Builder
	sb.WriteString(r.Message)
	r.Attrs(func(a slog.Attr) bool {
		sb.WriteString(" " + a.Key + "=" + a.Value.String())
		return true
	})
	l.mu.Lock()
	l.recs = append(l.recs, sb.String())
	l.mu.Unlock()
	return nil
}

// find returns the first record containing s, or "".
func (l *logRecords) find(s string) string {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, r := range l.recs {
		if strings.Contains(r, s) {
			return r
		}
	}
	return ""
}

// countingServer is an httptest server on 127.0.0.1 counting requests and
// answering each with h.
func countingServer(t *testing.T, h func(w http.ResponseWriter)) (*httptest.Server, *atomic.Int64) {
	var n atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		n.Add(1)
		h(w)
	}))
	t.Cleanup(srv.Close)
	return srv, &n
}

// notifier starts an alert notifier posting through g and stops it when
// the test ends.
func notifier(t *testing.T, g *webhook.Guard, logs *logRecords) *AlertNotifier {
	n := NewAlertNotifier(AlertConfig{Secret: "whsec_test", Guard: g, Attempts: 2}, nil, slog.New(logs))
	n.backoff = time.Millisecond
	n.Start()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), testutil.WaitLong)
		defer cancel()
		if err := n.Stop(ctx); err != nil {
			t.Error(err)
		}
	})
	return n
}

func lowBalance(url string) billing.LowBalance {
	return billing.LowBalance{AccountID: 7, Available: 4_950_000, Threshold: 5_000_000, Currency: "EUR",
		WebhookURL: url, At: time.Now()}
}

// TestAlertWebhookKeptOffPrivateAddresses: a low-balance webhook to a
// loopback receiver (stored before it could be refused, or reached by a
// name) is not posted under the default policy; under a policy that
// allows it, the same receiver gets it.
func TestAlertWebhookKeptOffPrivateAddresses(t *testing.T) {
	srv, hits := countingServer(t, func(w http.ResponseWriter) { w.WriteHeader(http.StatusNoContent) })

	logs := &logRecords{}
	n := notifier(t, nil, logs) // nil: the default policy
	n.NotifyLowBalance(context.Background(), lowBalance(srv.URL+"/low"))
	testutil.Eventually(t, "the alert given up", func() (bool, string) {
		return logs.find("low-balance webhook not delivered") != "", "no log yet"
	})
	if r := logs.find("low-balance webhook not delivered"); !strings.Contains(r, "loopback") {
		t.Errorf("log %q does not say the address is loopback", r)
	}
	if h := hits.Load(); h != 0 {
		t.Fatalf("the loopback receiver got %d alerts", h)
	}

	open, err := webhook.NewGuard(webhook.AddressPolicy{AllowPrivate: true}, nil)
	if err != nil {
		t.Fatal(err)
	}
	n2 := notifier(t, open, &logRecords{})
	n2.NotifyLowBalance(context.Background(), lowBalance(srv.URL+"/low"))
	testutil.Eventually(t, "the alert posted", func() (bool, string) { return hits.Load() == 1, "not yet" })
}

// TestAlertWebhookRedirectNotFollowed: a receiver the policy allows
// answers with a redirect to another address the policy allows; the
// notifier does not follow it (nor retry: a 3xx is final).
func TestAlertWebhookRedirectNotFollowed(t *testing.T) {
	target, targetHits := countingServer(t, func(w http.ResponseWriter) { w.WriteHeader(http.StatusNoContent) })
	srv, hits := countingServer(t, func(w http.ResponseWriter) {
		w.Header().Set("Location", target.URL+"/stolen")
		w.WriteHeader(http.StatusFound)
	})
	g, err := webhook.NewGuard(webhook.AddressPolicy{AllowHosts: []string{"127.0.0.1"}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	logs := &logRecords{}
	n := notifier(t, g, logs)
	n.NotifyLowBalance(context.Background(), lowBalance(srv.URL+"/low"))
	testutil.Eventually(t, "the alert given up", func() (bool, string) {
		return logs.find("low-balance webhook not delivered") != "", "no log yet"
	})
	if r := logs.find("low-balance webhook not delivered"); !strings.Contains(r, "302") {
		t.Errorf("log %q does not give the 302", r)
	}
	if h, th := hits.Load(), targetHits.Load(); h != 1 || th != 0 {
		t.Fatalf("receiver got %d requests (want 1), redirect target %d (want 0)", h, th)
	}
}

// TestAlertHooksBalanceLow: a low-balance alert is also a balance.low
// event to the hooks its account subscribed, in the envelope and signed
// with the account's secret, even without an alert webhook or email of
// its own; another account's alert is not.
func TestAlertHooksBalanceLow(t *testing.T) {
	var mu sync.Mutex
	var got [][]byte
	var sigs []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		got, sigs = append(got, b), append(sigs, r.Header.Get(webhook.SignatureHeader))
		mu.Unlock()
		w.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(srv.Close)
	d, err := webhook.New(webhook.Config{Policy: webhook.AddressPolicy{AllowPrivate: true}}, nil, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	d.Start()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), testutil.WaitLong)
		defer cancel()
		if _, err := d.Stop(ctx); err != nil {
			t.Error(err)
		}
	})
	hooks, err := webhook.NewHooks(webhook.HooksConfig{
		Load: func(context.Context) ([]webhook.Subscription, error) {
			return []webhook.Subscription{{ID: 1, AccountID: 7, URL: srv.URL + "/low", Events: webhook.HookBalanceLow}}, nil
		},
		Secret: func(context.Context, int64) (string, error) { return "whsec_seven", nil },
	}, d, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := hooks.Reload(context.Background()); err != nil {
		t.Fatal(err)
	}
	n := NewAlertNotifier(AlertConfig{Secret: "whsec_test", Hooks: hooks}, nil, slog.New(&logRecords{}))
	n.Start()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), testutil.WaitLong)
		defer cancel()
		if err := n.Stop(ctx); err != nil {
			t.Error(err)
		}
	})
	other := lowBalance("")
	other.AccountID = 8
	n.NotifyLowBalance(context.Background(), other)
	n.NotifyLowBalance(context.Background(), lowBalance(""))
	testutil.Eventually(t, "the balance.low event", func() (bool, string) {
		mu.Lock()
		defer mu.Unlock()
		return len(got) == 1, fmt.Sprint(len(got))
	})
	var env struct {
		ID   string          `json:"id"`
		Type string          `json:"type"`
		Data BalanceLowEvent `json:"data"`
	}
	mu.Lock()
	defer mu.Unlock()
	if err := webhook.Verify("whsec_seven", sigs[0], got[0], time.Now(), 0); err != nil {
		t.Fatalf("signature: %v", err)
	}
	if err := json.Unmarshal(got[0], &env); err != nil || env.Type != "balance.low" || env.ID == "" || env.ID != env.Data.EventID ||
		env.Data.AccountID != 7 || env.Data.Balance != "4.950000" || env.Data.Threshold != "5.000000" || env.Data.Currency != "EUR" {
		t.Fatalf("event %s: %v", got[0], err)
	}
}
