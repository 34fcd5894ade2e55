package webhook

import (
	"fmt"

	"github.com/prometheus/client_golang/prometheus"
)

// Results counted by gallant_webhook_deliveries_total.
const (
	resultDelivered = "delivered" // a receiver answered 2xx
	resultGaveUp    = "gave_up"   // final status or attempts exhausted
	resultBacklog   = "backlog"   // refused by Enqueue: no room in memory nor in the outbox's buffer
	resultRefused   = "refused"   // refused by Enqueue: bad URL, host or delivery
)

// gaugeValues are the dispatcher's gauges, read together at scrape time.
type gaugeValues struct {
	ready, blocked, retrying, inFlight, outbox, pending int
}

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

	depth   []prometheus.Collector // queue_depth by state
	pending prometheus.GaugeFunc

	breakerChanges *prometheus.CounterVec
	openHosts      prometheus.Gauge

	persistedVec *prometheus.CounterVec
	resumed      prometheus.Counter
	released     prometheus.Counter
	errorsVec    *prometheus.CounterVec
	leasesLost   prometheus.Counter
}

// newMetrics builds the collectors; the gauges are read from read at
// scrape time.
func newMetrics(reg prometheus.Registerer, read func() gaugeValues) *metrics {
	m := &metrics{
		reg: reg,
		deliveries: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "gallant", Subsystem: "webhook", Name: "deliveries_total",
			Help: "Webhook deliveries by result: delivered, gave_up, backlog (no room in memory nor in the outbox buffer: dropped), refused (bad delivery).",
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
		pending: prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Namespace: "gallant", Subsystem: "webhook", Name: "pending",
			Help: "Webhook deliveries held in memory: queued, waiting for a retry or being posted (bounded by the queue size).",
		}, func() float64 { return float64(read().pending) }),
		breakerChanges: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "gallant", Subsystem: "webhook", Name: "breaker_transitions_total",
			Help: "Receivers' circuit breakers changing state, by the state entered: open, half_open, closed.",
		}, []string{"state"}),
		openHosts: prometheus.NewGauge(prometheus.GaugeOpts{
			Namespace: "gallant", Subsystem: "webhook", Name: "breaker_open_hosts",
			Help: "Receivers (scheme, host, port) whose circuit breaker is open or half open: their deliveries wait.",
		}),
		persistedVec: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "gallant", Subsystem: "webhook", Name: "outbox_persisted_total",
			Help: "Webhook deliveries written to the outbox, by reason: queue_full, account_full (the account's share of the queue), evicted (waiting on an open breaker while memory was needed), shutdown.",
		}, []string{"reason"}),
		resumed: prometheus.NewCounter(prometheus.CounterOpts{
			Namespace: "gallant", Subsystem: "webhook", Name: "outbox_resumed_total",
			Help: "Webhook deliveries claimed from the outbox to be posted.",
		}),
		released: prometheus.NewCounter(prometheus.CounterOpts{
			Namespace: "gallant", Subsystem: "webhook", Name: "outbox_released_total",
			Help: "Webhook deliveries claimed from the outbox and handed back to it unfinished (evicted, or pending at shutdown).",
		}),
		errorsVec: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "gallant", Subsystem: "webhook", Name: "outbox_errors_total",
			Help: "Failed calls to the webhook outbox, by operation: save, claim, renew, release, done.",
		}, []string{"op"}),
		leasesLost: prometheus.NewCounter(prometheus.CounterOpts{
			Namespace: "gallant", Subsystem: "webhook", Name: "outbox_leases_lost_total",
			Help: "Webhook outbox claims found expired at renewal: another instance may post those deliveries too.",
		}),
	}
	for _, st := range []struct {
		state string
		value func(gaugeValues) int
	}{
		{"ready", func(g gaugeValues) int { return g.ready }},
		{"blocked", func(g gaugeValues) int { return g.blocked }},
		{"retrying", func(g gaugeValues) int { return g.retrying }},
		{"in_flight", func(g gaugeValues) int { return g.inFlight }},
		{"outbox", func(g gaugeValues) int { return g.outbox }},
	} {
		m.depth = append(m.depth, prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Namespace: "gallant", Subsystem: "webhook", Name: "queue_depth",
			Help: "Webhook deliveries by state: ready (waiting for a worker), blocked (waiting for their receiver: " +
				"host concurrency reached or breaker open), retrying (waiting for their next attempt), in_flight, " +
				"outbox (waiting to be written to the outbox).",
			ConstLabels: prometheus.Labels{"state": st.state},
		}, func() float64 { return float64(st.value(read())) }))
	}
	m.delivered = m.deliveries.WithLabelValues(resultDelivered)
	m.gaveUp = m.deliveries.WithLabelValues(resultGaveUp)
	m.backlog = m.deliveries.WithLabelValues(resultBacklog)
	m.refused = m.deliveries.WithLabelValues(resultRefused)
	for _, s := range []breakerState{breakerOpen, breakerHalfOpen, breakerClosed} {
		m.breakerChanges.WithLabelValues(s.String())
	}
	for _, r := range []string{persistQueueFull, persistAccountFull, persistEvicted, persistShutdown} {
		m.persistedVec.WithLabelValues(r)
	}
	for _, op := range []string{"save", "claim", "renew", "release", "done"} {
		m.errorsVec.WithLabelValues(op)
	}
	return m
}

// breakerChanged counts a breaker's change from one state to another.
func (m *metrics) breakerChanged(from, to breakerState) {
	if from == to {
		return
	}
	m.breakerChanges.WithLabelValues(to.String()).Inc()
	switch {
	case from == breakerClosed:
		m.openHosts.Inc()
	case to == breakerClosed:
		m.openHosts.Dec()
	}
}

// persisted counts a delivery written to the outbox for reason.
func (m *metrics) persisted(reason string) {
	m.persistedVec.WithLabelValues(reason).Inc()
}

// outboxErr counts a failed call to the outbox.
func (m *metrics) outboxErr(op string) {
	m.errorsVec.WithLabelValues(op).Inc()
}

func (m *metrics) collectors() []prometheus.Collector {
	cs := []prometheus.Collector{m.deliveries, m.attempts, m.retries, m.latency, m.pending,
		m.breakerChanges, m.openHosts, m.persistedVec, m.resumed, m.released, m.errorsVec, m.leasesLost}
	return append(cs, m.depth...)
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
