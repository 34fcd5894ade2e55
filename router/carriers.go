package router

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"math"
	"slices"
)

// Carriers added and removed while the router runs (AddCarrier,
// RemoveCarrier). The carriers are a copy-on-write set behind an atomic
// pointer: Dispatch and the shards read it without a lock, and an index
// once handed out names the same carrier for the router's life (a
// removed carrier stays in the list, retired, and its index is never
// reused), so a job's carrier index never dangles.

// ErrCarrierRouted is returned by RemoveCarrier for a carrier that a
// route plan in force still names: swap in routes without it first.
var ErrCarrierRouted = errors.New("router: carrier named by a route")

// carrierSet is one immutable version of the router's carriers.
type carrierSet struct {
	list   []*carrier       // every carrier ever added, by index
	byName map[string]int32 // the carriers in service (not removed)
}

// carrier returns the carrier of index i (retired or not).
func (r *Router) carrier(i int32) *carrier { return r.set.Load().list[i] }

// active returns the named carrier in service, or nil.
func (r *Router) active(name string) *carrier {
	set := r.set.Load()
	i, ok := set.byName[name]
	if !ok {
		return nil
	}
	return set.list[i]
}

// Carriers returns the names of the carriers in service, in the order
// they were added.
func (r *Router) Carriers() []string {
	set := r.set.Load()
	out := make([]string, 0, len(set.byName))
	for _, c := range set.list {
		if !c.removed.Load() {
			out = append(out, c.name)
		}
	}
	return out
}

// newCarrier makes carrier cc of index idx with its queue, binds and
// metrics (not registered).
func (r *Router) newCarrier(cc Carrier, idx int32) (*carrier, error) {
	c := &carrier{name: cc.Name, idx: idx, limit: int64(cc.queueSize())}
	c.q = newQueue(int(c.limit))
	c.q.retiredTo = c.redirect
	c.m = r.m.forCarrier(c)
	binds, err := r.newBinds(c, cc.Binds, cc.TPS)
	if err != nil {
		return nil, err
	}
	c.binds.Store(&binds)
	return c, nil
}

// AddCarrier adds carrier cc while the router runs (or before Start):
// its queue, its binds (started at once on a started router) with their
// limiters, and its metrics. Routes may name it once AddCarrier
// returned. It refuses a carrier that is invalid (see Config.Validate)
// or whose name is in service, and a stopped router.
func (r *Router) AddCarrier(cc Carrier) error {
	cfg := Config{Carriers: []Carrier{cc}}
	if err := cfg.Validate(); err != nil {
		return fmt.Errorf("router: add carrier: %w", err)
	}
	r.tmu.Lock()
	defer r.tmu.Unlock()
	set := r.set.Load()
	if _, ok := set.byName[cc.Name]; ok {
		return fmt.Errorf("router: add carrier: %q exists", cc.Name)
	}
	if len(set.list) >= math.MaxInt32 {
		return errors.New("router: add carrier: too many carriers")
	}
	c, err := r.newCarrier(cc, int32(len(set.list)))
	if err != nil {
		return fmt.Errorf("router: add carrier: %w", err)
	}
	if err := r.m.registerCarrier(c.m); err != nil {
		return fmt.Errorf("router: add carrier %q: %w", cc.Name, err)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.stopped {
		r.m.unregisterCarrier(c.m)
		return ErrStopped
	}
	next := &carrierSet{list: append(slices.Clip(set.list), c), byName: maps.Clone(set.byName)}
	next.byName[cc.Name] = c.idx
	r.set.Store(next)
	if r.started {
		for _, b := range c.bindList() {
			r.startBindLocked(b)
		}
	}
	return nil
}

// RemoveCarrier retires the named carrier while the router runs. No
// route in force may name it (ErrCarrierRouted: swap the routes first).
// From then on no job is routed to it; the segments queued for it, and
// those that come back to it later (a throttled or temporarily failed
// submit, one its bind held), move to the carrier their job's route
// picks now, as after a permanent failure, or fail when the route has
// none left. Its binds take no new segment; what they have in flight
// completes through them. The caller keeps their Senders open until
// wait returns (their goroutines have ended) and then closes them
// gracefully, answering what is outstanding. Its metrics are
// unregistered. The name may be added again later, as a new carrier.
func (r *Router) RemoveCarrier(name string) (wait func(ctx context.Context) error, err error) {
	r.tmu.Lock()
	defer r.tmu.Unlock()
	set := r.set.Load()
	i, ok := set.byName[name]
	if !ok {
		return nil, fmt.Errorf("router: remove carrier: unknown carrier %q", name)
	}
	if planNames(r.routes, name) {
		return nil, fmt.Errorf("router: remove carrier %q: default plan: %w", name, ErrCarrierRouted)
	}
	for acct, plan := range r.accountRoutes {
		if planNames(plan, name) {
			return nil, fmt.Errorf("router: remove carrier %q: account %d plan: %w", name, acct, ErrCarrierRouted)
		}
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.stopped {
		return nil, ErrStopped
	}
	c := set.list[i]
	next := &carrierSet{list: set.list, byName: maps.Clone(set.byName)}
	delete(next.byName, name)
	r.set.Store(next)
	c.removed.Store(true)
	c.q.retire()
	binds := *c.binds.Swap(&[]*bind{})
	c.rmu.Lock()
	c.retired = append(c.retired, binds...)
	c.rmu.Unlock()
	for _, b := range binds {
		if b.cancel != nil {
			b.cancel()
		}
	}
	r.m.unregisterCarrier(c.m)
	return func(ctx context.Context) error {
		for _, b := range binds {
			if b.exited == nil {
				continue
			}
			select {
			case <-b.exited:
			case <-ctx.Done():
				return ctx.Err()
			}
		}
		return nil
	}, nil
}

// planNames reports whether a route of plan names carrier.
func planNames(plan []Route, carrier string) bool {
	for _, rt := range plan {
		for _, ch := range rt.Carriers {
			if ch.Carrier == carrier {
				return true
			}
		}
	}
	return false
}

// redirect hands o, which came to the queue of retired carrier c, to its
// job's shard to be routed again (shard.handle, errRetired).
func (c *carrier) redirect(o *Outgoing) {
	o.msgID, o.err = "", errRetired
	o.job.shard.pushCompletion(o)
}
