package router

import (
	"maps"
	"slices"
)

// CarrierStatus is a snapshot of one carrier's queue, as the operator
// sees it.
type CarrierStatus struct {
	Name string
	// Queued is the segments waiting in the carrier queue for a bind.
	Queued int
	// Capacity is the carrier's QueueSize: Dispatch refuses a job that
	// would take Reserved beyond it.
	Capacity int
	// Reserved is the segments assigned to the carrier and not yet
	// answered: queued, waiting for a retry or in flight.
	Reserved int
}

// Status returns a snapshot of every carrier's queue, in configuration
// order (carriers added at run time last, removed ones left out). It
// takes no lock: each figure is read atomically, so they may come from
// slightly different instants.
func (r *Router) Status() []CarrierStatus {
	list := r.set.Load().list
	out := make([]CarrierStatus, 0, len(list))
	for _, c := range list {
		if c.removed.Load() {
			continue
		}
		out = append(out, CarrierStatus{Name: c.name, Queued: c.q.len(), Capacity: int(c.limit), Reserved: int(c.reserved.Load())})
	}
	return out
}

// RoutePlans returns the route plans in force: the default plan and the
// per-account ones (nil: none). The slices are copies; the caller may
// keep them.
func (r *Router) RoutePlans() (routes []Route, accountRoutes map[int64][]Route) {
	r.tmu.Lock()
	defer r.tmu.Unlock()
	routes = clonePlan(r.routes)
	if len(r.accountRoutes) > 0 {
		accountRoutes = make(map[int64][]Route, len(r.accountRoutes))
		for _, id := range slices.Sorted(maps.Keys(r.accountRoutes)) {
			accountRoutes[id] = clonePlan(r.accountRoutes[id])
		}
	}
	return routes, accountRoutes
}

func clonePlan(plan []Route) []Route {
	out := make([]Route, len(plan))
	for i, rt := range plan {
		rt.Carriers = slices.Clone(rt.Carriers)
		out[i] = rt
	}
	return out
}
