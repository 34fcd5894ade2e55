package router

import (
	"errors"
	"fmt"
	"slices"

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
	collectors []prometheus.Collector // registered with the carrier, unregistered with it

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

// forCarrier builds the collectors of carrier c (not registered).
func (m *metrics) forCarrier(c *carrier) *carrierMetrics {
	labels := prometheus.Labels{"carrier": c.name}
	var collectors []prometheus.Collector
	counter := func(name, help string) prometheus.Counter {
		k := prometheus.NewCounter(prometheus.CounterOpts{
			Namespace: namespace, Subsystem: subsystem, Name: name, Help: help, ConstLabels: labels,
		})
		collectors = append(collectors, k)
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
	cm.collectors = append(collectors,
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

// register registers every collector, the router's and carriers', or
// none.
func (m *metrics) register(carriers []*carrier) error {
	if m.reg == nil {
		return nil
	}
	all := slices.Clone(m.collectors)
	for _, c := range carriers {
		all = append(all, c.m.collectors...)
	}
	return registerAll(m.reg, all)
}

// registerCarrier registers the collectors of one carrier added at run
// time, or none.
func (m *metrics) registerCarrier(cm *carrierMetrics) error {
	if m.reg == nil {
		return nil
	}
	return registerAll(m.reg, cm.collectors)
}

// unregisterCarrier removes one carrier's collectors from the registry.
func (m *metrics) unregisterCarrier(cm *carrierMetrics) {
	if m.reg == nil {
		return
	}
	for _, c := range cm.collectors {
		m.reg.Unregister(c)
	}
}

// registerAll registers every collector of list with reg, or none.
func registerAll(reg prometheus.Registerer, list []prometheus.Collector) error {
	for i, c := range list {
		if err := reg.Register(c); err != nil {
			for _, done := range list[:i] {
				reg.Unregister(done)
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

// unregister removes every collector from the registry: the router's
// and those of carriers, the carriers in service (removed ones are
// already gone).
func (m *metrics) unregister(carriers []*carrier) {
	if m.reg == nil {
		return
	}
	for _, c := range m.collectors {
		m.reg.Unregister(c)
	}
	for _, c := range carriers {
		if !c.removed.Load() {
			m.unregisterCarrier(c.m)
		}
	}
}
