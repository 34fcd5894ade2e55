package gateway

import "github.com/prometheus/client_golang/prometheus"

// alertMetrics count low-balance alerts: fired (queued or dropped on a
// full queue) and their deliveries by channel and result.
type alertMetrics struct {
	queued, dropped            prometheus.Counter
	webhookSent, webhookFailed prometheus.Counter
	emailSent, emailFailed     prometheus.Counter
	alerts, deliveries         *prometheus.CounterVec
}

func newAlertMetrics() *alertMetrics {
	alerts := prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: "gallant", Subsystem: "balance", Name: "alerts_total",
		Help: "Low-balance alerts fired, by result: queued for sending, or dropped (the queue was full)."}, []string{"result"})
	deliveries := prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: "gallant", Subsystem: "balance", Name: "alert_deliveries_total",
		Help: "Low-balance alerts sent to accounts, by channel (webhook, email) and result (sent, failed)."}, []string{"channel", "result"})
	return &alertMetrics{
		queued: alerts.WithLabelValues("queued"), dropped: alerts.WithLabelValues("dropped"),
		webhookSent: deliveries.WithLabelValues("webhook", "sent"), webhookFailed: deliveries.WithLabelValues("webhook", "failed"),
		emailSent: deliveries.WithLabelValues("email", "sent"), emailFailed: deliveries.WithLabelValues("email", "failed"),
		alerts: alerts, deliveries: deliveries,
	}
}

// register registers both counters on reg (nil: none).
func (m *alertMetrics) register(reg prometheus.Registerer) error {
	if reg == nil {
		return nil
	}
	if err := reg.Register(m.alerts); err != nil {
		return err
	}
	if err := reg.Register(m.deliveries); err != nil {
		reg.Unregister(m.alerts)
		return err
	}
	return nil
}

// delivered counts one delivery on channel (webhook or email).
func (m *alertMetrics) delivered(webhook bool, err error) {
	switch {
	case webhook && err == nil:
		m.webhookSent.Inc()
	case webhook:
		m.webhookFailed.Inc()
	case err == nil:
		m.emailSent.Inc()
	default:
		m.emailFailed.Inc()
	}
}
