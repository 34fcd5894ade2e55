package gateway

import "github.com/prometheus/client_golang/prometheus"

// inFlightCollector exports, read at each scrape from CarrierStatus, the
// submits each carrier has not answered yet (over its bound binds) and
// the most it may have (the window of those binds): how full the
// carriers' windows are. A carrier added or removed while running
// appears or disappears with the next scrape.
type inFlightCollector struct {
	s                *Service
	inFlight, window *prometheus.Desc
}

func newInFlightCollector(s *Service) inFlightCollector {
	return inFlightCollector{
		s: s,
		inFlight: prometheus.NewDesc("gallant_gateway_carrier_in_flight",
			"Submits sent to the carrier on this instance's bound binds and not answered yet.", []string{"carrier"}, nil),
		window: prometheus.NewDesc("gallant_gateway_carrier_window",
			"The most submits the carrier's bound binds on this instance may have unanswered (the sum of their windows).", []string{"carrier"}, nil),
	}
}

// Describe implements prometheus.Collector.
func (c inFlightCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- c.inFlight
	ch <- c.window
}

// Collect implements prometheus.Collector.
func (c inFlightCollector) Collect(ch chan<- prometheus.Metric) {
	for _, cs := range c.s.CarrierStatus() {
		inFlight, window := 0, 0
		for _, b := range cs.Binds {
			if b.State == BindBound {
				inFlight += b.InFlight
				window += b.Window
			}
		}
		ch <- prometheus.MustNewConstMetric(c.inFlight, prometheus.GaugeValue, float64(inFlight), cs.Name)
		ch <- prometheus.MustNewConstMetric(c.window, prometheus.GaugeValue, float64(window), cs.Name)
	}
}
