package webhook

import (
	"fmt"

	"github.com/prometheus/client_golang/prometheus"
)

// Results counted by gallant_webhook_deliveries_total.
const (
	resultDelivered = "delivered" // a receiver answered 2xx
	resultGaveUp    = "gave_up"   // final status or attempts exhausted
	resultBacklog   = "backlog"   // refused by Enqueue: queue full
	resultRefused   = "refused"   // refused by Enqueue: bad URL, host or delivery
)

// metrics are the dispatcher's Prometheus collectors.
type metrics struct {
	reg        prometheus.Registerer
	deliveries *prometheus.CounterVec
	delivered  prometheus.Counter
	gaveUp     prometheus.Counter
	backlog    prometheus.Counter
	refused    prometheus.Counter
	attempts   prometheus.Counter
	retries    prometheus.Counter
	latency    prometheus.Histogram
	queued     prometheus.GaugeFunc
	waiting    prometheus.GaugeFunc
	pending    prometheus.GaugeFunc
}

// newMetrics builds the collectors; queued, waiting and pending are read
// at scrape time.
func newMetrics(reg prometheus.Registerer, queued, waiting, pending func() float64) *metrics {
	m := &metrics{
		reg: reg,
		deliveries: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "gallant", Subsystem: "webhook", Name: "deliveries_total",
			Help: "Webhook deliveries by result: delivered, gave_up, backlog (queue full), refused (bad delivery).",
		}, []string{"result"}),
		attempts: prometheus.NewCounter(prometheus.CounterOpts{
			Namespace: "gallant", Subsystem: "webhook", Name: "attempts_total",
			Help: "Webhook posts attempted.",
		}),
		retries: prometheus.NewCounter(prometheus.CounterOpts{
			Namespace: "gallant", Subsystem: "webhook", Name: "retries_scheduled_total",
			Help: "Failed webhook posts scheduled for another attempt.",
		}),
		latency: prometheus.NewHistogram(prometheus.HistogramOpts{
			Namespace: "gallant", Subsystem: "webhook", Name: "attempt_duration_seconds",
			Help: "Time from sending a webhook post to its answer or failure.",
			// 5 ms to 10.24 s: loopback receivers up to the default timeout.
			Buckets: prometheus.ExponentialBuckets(0.005, 2, 12),
		}),
		queued: prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Namespace: "gallant", Subsystem: "webhook", Name: "queue_depth",
			Help: "Webhook deliveries ready to post, waiting for a worker.",
		}, queued),
		waiting: prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Namespace: "gallant", Subsystem: "webhook", Name: "retry_waiting",
			Help: "Webhook deliveries waiting for their next attempt.",
		}, waiting),
		pending: prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Namespace: "gallant", Subsystem: "webhook", Name: "pending",
			Help: "Webhook deliveries held: queued, waiting or being posted (bounded by the queue size).",
		}, pending),
	}
	m.delivered = m.deliveries.WithLabelValues(resultDelivered)
	m.gaveUp = m.deliveries.WithLabelValues(resultGaveUp)
	m.backlog = m.deliveries.WithLabelValues(resultBacklog)
	m.refused = m.deliveries.WithLabelValues(resultRefused)
	return m
}

func (m *metrics) collectors() []prometheus.Collector {
	return []prometheus.Collector{m.deliveries, m.attempts, m.retries, m.latency, m.queued, m.waiting, m.pending}
}

// register adds the collectors to m.reg (nil: none), undoing a partial
// registration on error.
func (m *metrics) register() error {
	if m.reg == nil {
		return nil
	}
	cs := m.collectors()
	for i, c := range cs {
		if err := m.reg.Register(c); err != nil {
			for _, done := range cs[:i] {
				m.reg.Unregister(done)
			}
			return fmt.Errorf("webhook: register metrics: %w", err)
		}
	}
	return nil
}

// unregister removes the collectors from m.reg.
func (m *metrics) unregister() {
	if m.reg == nil {
		return
	}
	for _, c := range m.collectors() {
		m.reg.Unregister(c)
	}
}
