package api

import (
	"strconv"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// metrics are the API's Prometheus metrics.
type metrics struct {
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
	panics   prometheus.Counter
	replays  prometheus.Counter
	// refused counts what a limit refused, by reason (refusalReasons);
	// refusedBy holds its counters, resolved once.
	refused   *prometheus.CounterVec
	refusedBy map[string]prometheus.Counter
	open      prometheus.GaugeFunc
}

// newMetrics registers the API's metrics with reg; open reports the
// connections open.
func newMetrics(reg prometheus.Registerer, open func() float64) (*metrics, error) {
	m := &metrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "gallant", Subsystem: "http", Name: "requests_total",
			Help: "HTTP requests answered, by route pattern and status code.",
		}, []string{"route", "code"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Namespace: "gallant", Subsystem: "http", Name: "request_duration_seconds",
			Help: "Time from routing a request to its answer, by route pattern.",
			// From well under a millisecond (a cached read) to the seconds a
			// durable batch may wait for its commit.
			Buckets: []float64{.0001, .00025, .0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
		}, []string{"route"}),
		panics: prometheus.NewCounter(prometheus.CounterOpts{
			Namespace: "gallant", Subsystem: "http", Name: "handler_panics_total",
			Help: "Handler panics recovered and answered with 500.",
		}),
		replays: prometheus.NewCounter(prometheus.CounterOpts{
			Namespace: "gallant", Subsystem: "http", Name: "idempotent_replays_total",
			Help: "POSTs answered from a stored Idempotency-Key answer.",
		}),
		refused: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "gallant", Subsystem: "http", Name: "refused_total",
			Help: "Connections and requests refused by a limit of the HTTP server, by reason: concurrency and " +
				"conns_per_ip (connections closed as they arrive), body_too_large (a body over its route's limit, " +
				"refused unread), header_too_large, read_timeout (a request not received in time), " +
				"rate_limit_ip, rate_limit_key and rate_limit_user (429 answers).",
		}, []string{"reason"}),
		refusedBy: make(map[string]prometheus.Counter, len(refusalReasons)),
		open: prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Namespace: "gallant", Subsystem: "http", Name: "open_connections",
			Help: "HTTP connections open now, on every listener of the API.",
		}, open),
	}
	for _, r := range refusalReasons {
		m.refusedBy[r] = m.refused.WithLabelValues(r)
	}
	for _, c := range []prometheus.Collector{m.requests, m.duration, m.panics, m.replays, m.refused, m.open} {
		if err := reg.Register(c); err != nil {
			return nil, err
		}
	}
	return m, nil
}

// refuse counts one refusal for reason, one of refusalReasons.
func (m *metrics) refuse(reason string) {
	if c, ok := m.refusedBy[reason]; ok {
		c.Inc()
		return
	}
	m.refused.WithLabelValues(reason).Inc()
}

// routeMetrics are the metrics of one route, resolved once so that a
// request costs no label lookups.
type routeMetrics struct {
	route    string
	requests *prometheus.CounterVec
	duration prometheus.Observer
	// codes caches the counter per status code 100..599.
	codes [500]atomic.Pointer[prometheus.Counter]
}

func (m *metrics) route(route string) *routeMetrics {
	return &routeMetrics{route: route, requests: m.requests, duration: m.duration.WithLabelValues(route)}
}

// observe counts one answer with status code and its duration.
func (rm *routeMetrics) observe(code int, d time.Duration) {
	rm.duration.Observe(d.Seconds())
	if code < 100 || code > 599 {
		rm.requests.WithLabelValues(rm.route, strconv.Itoa(code)).Inc()
		return
	}
	slot := &rm.codes[code-100]
	c := slot.Load()
	if c == nil {
		v := rm.requests.WithLabelValues(rm.route, strconv.Itoa(code))
		slot.Store(&v)
		c = &v
	}
	(*c).Inc()
}
