package router

import (
	"errors"
	"fmt"

	"github.com/prometheus/client_golang/prometheus"
)

// Reasons Dispatch refuses a job, as dispatch_rejected_total labels.
const (
	rejectNoRoute = iota
	rejectBackpressure
	rejectStopped
	rejectInvalid
	nRejectReasons
)

var rejectNames = [nRejectReasons]string{"no_route", "backpressure", "stopped", "invalid"}

// metrics are the router's collectors. Per-carrier series carry the
// carrier as a constant label, so the hot path increments a counter it
// already holds and never looks one up.
type metrics struct {
	reg        prometheus.Registerer
	collectors []prometheus.Collector
	rejected   [nRejectReasons]prometheus.Counter
}

// carrierMetrics are one carrier's counters.
type carrierMetrics struct {
	queued, submitted, failed, throttled prometheus.Counter
	senderWaits                          prometheus.Counter
	retried                              [Permanent + 1]prometheus.Counter
}

const namespace, subsystem = "gallant", "router"

func newMetrics(reg prometheus.Registerer) *metrics {
	m := &metrics{reg: reg}
	rejected := prometheus.NewCounterVec(prometheus.CounterOpts{
		Namespace: namespace, Subsystem: subsystem, Name: "dispatch_rejected_total",
		Help: "Jobs refused by Dispatch, by reason (no_route, backpressure, stopped, invalid).",
	}, []string{"reason"})
	for i, name := range rejectNames {
		m.rejected[i] = rejected.WithLabelValues(name)
	}
	m.collectors = append(m.collectors, rejected)
	return m
}

// forCarrier builds the collectors of carrier c.
func (m *metrics) forCarrier(c *carrier) *carrierMetrics {
	labels := prometheus.Labels{"carrier": c.name}
	counter := func(name, help string) prometheus.Counter {
		k := prometheus.NewCounter(prometheus.CounterOpts{
			Namespace: namespace, Subsystem: subsystem, Name: name, Help: help, ConstLabels: labels,
		})
		m.collectors = append(m.collectors, k)
		return k
	}
	cm := &carrierMetrics{
		queued:    counter("queued_total", "Segments put in a carrier queue (dispatched or failed over to it)."),
		submitted: counter("submitted_total", "Segments accepted by the carrier."),
		failed:    counter("failed_total", "Segments that failed for good at the carrier (or expired waiting for it)."),
		throttled: counter("throttled_total", "Throttled answers (0x58, 0x14) from the carrier."),
		senderWaits: counter("sender_waits_total",
			"Segments held back to wait for their source address's slot (routes with a sender_tps)."),
	}
	retried := prometheus.NewCounterVec(prometheus.CounterOpts{
		Namespace: namespace, Subsystem: subsystem, Name: "retried_total", ConstLabels: labels,
		Help: "Segments sent again after a failed attempt, by kind of failure (permanent: failed over to another carrier).",
	}, []string{"kind"})
	for k := Temporary; k <= Permanent; k++ {
		cm.retried[k] = retried.WithLabelValues(k.String())
	}
	m.collectors = append(m.collectors,
		retried,
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Namespace: namespace, Subsystem: subsystem, Name: "queue_depth", ConstLabels: labels,
			Help: "Segments waiting in the carrier queue for a bind.",
		}, func() float64 { return float64(c.q.len()) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Namespace: namespace, Subsystem: subsystem, Name: "reserved", ConstLabels: labels,
			Help: "Segments assigned to the carrier and not yet answered (queued, awaiting a retry or in flight); Dispatch refuses beyond queue_capacity.",
		}, func() float64 { return float64(c.reserved.Load()) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Namespace: namespace, Subsystem: subsystem, Name: "queue_capacity", ConstLabels: labels,
			Help: "The carrier's QueueSize.",
		}, func() float64 { return float64(c.limit) }),
	)
	return cm
}

// register registers every collector, or none.
func (m *metrics) register() error {
	if m.reg == nil {
		return nil
	}
	for i, c := range m.collectors {
		if err := m.reg.Register(c); err != nil {
			for _, done := range m.collectors[:i] {
				m.reg.Unregister(done)
			}
			var are prometheus.AlreadyRegisteredError
			if errors.As(err, &are) {
				return fmt.Errorf("router: register metrics (another router on this registry?): %w", err)
			}
			return fmt.Errorf("router: register metrics: %w", err)
		}
	}
	return nil
}

// unregister removes every collector from the registry.
func (m *metrics) unregister() {
	if m.reg == nil {
		return
	}
	for _, c := range m.collectors {
		m.reg.Unregister(c)
	}
}
