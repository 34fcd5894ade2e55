package store

import (
	"errors"
	"fmt"

	"github.com/prometheus/client_golang/prometheus"
)

// writerMetrics are a Writer's Prometheus metrics, registered on the
// injected registerer (none when it is nil) and unregistered by Close.
type writerMetrics struct {
	reg           prometheus.Registerer
	rows          *prometheus.CounterVec
	batches       prometheus.Counter
	batchRows     prometheus.Histogram
	batchDuration prometheus.Histogram
	pending       prometheus.GaugeFunc
	lag           prometheus.GaugeFunc
	failed        prometheus.Counter
	retried       prometheus.Counter
}

const (
	metricsNamespace = "gallant"
	metricsSubsystem = "store_writer"
)

func newWriterMetrics(reg prometheus.Registerer, pending, lag func() float64) *writerMetrics {
	opts := func(name, help string) prometheus.Opts {
		return prometheus.Opts{Namespace: metricsNamespace, Subsystem: metricsSubsystem, Name: name, Help: help}
	}
	return &writerMetrics{
		reg: reg,
		rows: prometheus.NewCounterVec(prometheus.CounterOpts(opts("rows_total",
			"Rows committed by the batched writer, by table.")), []string{"table"}),
		batches: prometheus.NewCounter(prometheus.CounterOpts(opts("batches_total",
			"Batches written (committed or failed)."))),
		batchRows: prometheus.NewHistogram(prometheus.HistogramOpts{
			Namespace: metricsNamespace, Subsystem: metricsSubsystem, Name: "batch_rows",
			Help:    "Rows per batch.",
			Buckets: prometheus.ExponentialBuckets(1, 2, 12), // 1 .. 2048
		}),
		batchDuration: prometheus.NewHistogram(prometheus.HistogramOpts{
			Namespace: metricsNamespace, Subsystem: metricsSubsystem, Name: "batch_duration_seconds",
			Help:    "Time to write one batch, retries included.",
			Buckets: prometheus.ExponentialBuckets(0.0005, 2, 14), // 0.5 ms .. 4 s
		}),
		pending: prometheus.NewGaugeFunc(prometheus.GaugeOpts(opts("pending",
			"Rows added and not yet done (queued or being written).")), pending),
		lag: prometheus.NewGaugeFunc(prometheus.GaugeOpts(opts("lag_seconds",
			"How long the oldest row not yet written has waited (an upper bound); 0 when every row is written.")), lag),
		failed: prometheus.NewCounter(prometheus.CounterOpts(opts("failed_total",
			"Rows whose write finally failed."))),
		retried: prometheus.NewCounter(prometheus.CounterOpts(opts("retried_total",
			"Batch attempts retried after a transient database error."))),
	}
}

func (m *writerMetrics) collectors() []prometheus.Collector {
	return []prometheus.Collector{m.rows, m.batches, m.batchRows, m.batchDuration, m.pending, m.lag, m.failed, m.retried}
}

func (m *writerMetrics) register() error {
	if m.reg == nil {
		return nil
	}
	for i, c := range m.collectors() {
		if err := m.reg.Register(c); err != nil {
			for _, done := range m.collectors()[:i] {
				m.reg.Unregister(done)
			}
			var are prometheus.AlreadyRegisteredError
			if errors.As(err, &are) {
				return fmt.Errorf("store: writer metrics already registered (one Writer per registry): %w", err)
			}
			return fmt.Errorf("store: register writer metrics: %w", err)
		}
	}
	return nil
}

func (m *writerMetrics) unregister() {
	if m.reg == nil {
		return
	}
	for _, c := range m.collectors() {
		m.reg.Unregister(c)
	}
}
