package gateway

import (
	"sync"
	"sync/atomic"
	"time"

	"github.com/gallant-sms/gallant/router"
	"github.com/gallant-sms/gallant/smpp"
)

// The states of a carrier bind as the operator sees them.
const (
	BindBound      = "bound"      // bound: takes submits
	BindConnecting = "connecting" // connecting or binding
	BindDown       = "down"       // no connection: waiting to reconnect, unbinding or stopped
)

// BindStatus is a snapshot of one carrier bind.
type BindStatus struct {
	// State is BindBound, BindConnecting or BindDown.
	State string
	// Since is when the bind entered State (zero before the first change).
	Since time.Time
	// LastError is why the bind last went down or failed to bind, if it
	// did ("" otherwise).
	LastError string
	// Submitted counts the segments the carrier acknowledged on this
	// bind since the gateway started.
	Submitted uint64
	// InFlight is the submits awaiting the carrier's answer; Window is
	// the most there may be.
	InFlight, Window int
}

// CarrierStatus is a snapshot of one carrier: its binds and its queue.
type CarrierStatus struct {
	Name string
	// TPS is the carrier's configured rate over all binds (0: none).
	TPS   float64
	Binds []BindStatus
	// Queued is the segments waiting in the carrier's queue for a bind,
	// Capacity the most the carrier takes (its queue size), Reserved the
	// segments assigned to it and not yet answered (queued, awaiting a
	// retry or in flight).
	Queued, Capacity, Reserved int
}

// bindStats is what a bind keeps for [Service.CarrierStatus]: updated by
// the bind's client (changed) and its reader (acked).
type bindStats struct {
	acked atomic.Uint64

	mu      sync.Mutex
	state   smpp.BindState
	since   time.Time
	lastErr string
}

// changed records a state change of the bind's client (its OnState).
func (b *bindStats) changed(st smpp.BindState, err error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if st != b.state || b.since.IsZero() {
		b.state, b.since = st, time.Now()
	}
	if err != nil {
		b.lastErr = err.Error()
	}
}

// stateName maps an SMPP bind state to the operator's three states.
func stateName(st smpp.BindState) string {
	switch {
	case st.Bound():
		return BindBound
	case st == smpp.Open:
		return BindConnecting
	}
	return BindDown
}

// CarrierStatus returns a snapshot of every carrier of this instance, in
// configuration order: each bind's state, acknowledged segments and
// submits in flight, and the carrier's queue. The figures are this
// instance's only (every instance keeps its own binds and queues).
func (s *Service) CarrierStatus() []CarrierStatus {
	queues := make(map[string]router.CarrierStatus)
	for _, q := range s.rt.Status() {
		queues[q.Name] = q
	}
	carriers := s.carrierList()
	out := make([]CarrierStatus, 0, len(carriers))
	for _, c := range carriers {
		binds := c.bindList()
		cs := CarrierStatus{Name: c.cfg.Name, TPS: c.tps(), Binds: make([]BindStatus, 0, len(binds))}
		if q, ok := queues[c.cfg.Name]; ok {
			cs.Queued, cs.Capacity, cs.Reserved = q.Queued, q.Capacity, q.Reserved
		}
		for _, b := range binds {
			bs := BindStatus{State: stateName(b.cl.State()), Submitted: b.st.acked.Load(), Window: b.window}
			b.st.mu.Lock()
			bs.Since, bs.LastError = b.st.since, b.st.lastErr
			b.st.mu.Unlock()
			if sess := b.cl.Session(); sess != nil && bs.State == BindBound {
				bs.InFlight = sess.Stats().Outstanding
			}
			cs.Binds = append(cs.Binds, bs)
		}
		out = append(out, cs)
	}
	return out
}

// RoutePlans returns copies of the route plans this instance routes by:
// the default plan and the per-account ones (nil: none).
func (s *Service) RoutePlans() (routes []Route, accountRoutes map[int64][]Route) {
	return s.rt.RoutePlans()
}

// Route is a route of a plan, as [router.Route] defines it.
type Route = router.Route
