package gateway

import (
	"context"
	"log/slog"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"github.com/gallant-sms/gallant/internal/testutil"
	"github.com/gallant-sms/gallant/webhook"
)

// gathered returns the value of the series of name whose labels include
// want (name=value pairs) in reg, summed; -1 when there is none.
func gathered(t *testing.T, reg *prometheus.Registry, name string, want ...string) float64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	total, found := 0.0, false
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
		for _, m := range mf.GetMetric() {
			if hasLabels(m, want) {
				total += m.GetCounter().GetValue()
				found = true
			}
		}
	}
	if !found {
		return -1
	}
	return total
}

func hasLabels(m *dto.Metric, want []string) bool {
	for i := 0; i+1 < len(want); i += 2 {
		ok := false
		for _, lp := range m.GetLabel() {
			ok = ok || (lp.GetName() == want[i] && lp.GetValue() == want[i+1])
		}
		if !ok {
			return false
		}
	}
	return true
}

// TestAlertMetrics: a low-balance alert counts as queued, then its
// webhook as sent (204) or failed (500, retries exhausted); an alert
// beyond a full queue counts as dropped.
func TestAlertMetrics(t *testing.T) {
	status := http.StatusNoContent
	srv, hits := countingServer(t, func(w http.ResponseWriter) { w.WriteHeader(status) })
	open, err := webhook.NewGuard(webhook.AddressPolicy{AllowPrivate: true}, nil)
	if err != nil {
		t.Fatal(err)
	}
	reg := prometheus.NewRegistry()
	n := NewAlertNotifier(AlertConfig{Secret: "whsec_test", Guard: open, Attempts: 2, QueueSize: 1, Registerer: reg}, nil, slog.New(&logRecords{}))
	n.backoff = time.Millisecond
	ctx := context.Background()

	// Not started: the first alert fills the queue of one, the second is dropped.
	n.NotifyLowBalance(ctx, lowBalance(srv.URL+"/low"))
	n.NotifyLowBalance(ctx, lowBalance(srv.URL+"/low"))
	if q, d := gathered(t, reg, "gallant_balance_alerts_total", "result", "queued"),
		gathered(t, reg, "gallant_balance_alerts_total", "result", "dropped"); q != 1 || d != 1 {
		t.Fatalf("alerts queued %v, dropped %v; want 1 and 1", q, d)
	}
	n.Start()
	t.Cleanup(func() {
		sctx, cancel := context.WithTimeout(context.Background(), testutil.WaitLong)
		defer cancel()
		if err := n.Stop(sctx); err != nil {
			t.Error(err)
		}
	})
	testutil.Eventually(t, "the webhook counted sent", func() (bool, string) {
		v := gathered(t, reg, "gallant_balance_alert_deliveries_total", "channel", "webhook", "result", "sent")
		return v == 1, "sent " + fmtFloat(v)
	})
	if hits.Load() != 1 {
		t.Fatalf("receiver got %d posts, want 1", hits.Load())
	}
	if v := gathered(t, reg, "gallant_balance_alert_deliveries_total", "channel", "webhook", "result", "failed"); v != 0 {
		t.Fatalf("failed webhooks %v before any failure, want 0", v)
	}

	status = http.StatusInternalServerError
	n.NotifyLowBalance(ctx, lowBalance(srv.URL+"/low"))
	testutil.Eventually(t, "the webhook counted failed", func() (bool, string) {
		v := gathered(t, reg, "gallant_balance_alert_deliveries_total", "channel", "webhook", "result", "failed")
		return v == 1, "failed " + fmtFloat(v)
	})
	if v := gathered(t, reg, "gallant_balance_alert_deliveries_total", "channel", "webhook", "result", "sent"); v != 1 {
		t.Fatalf("sent webhooks %v after a failure, want still 1", v)
	}
}

func fmtFloat(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }
