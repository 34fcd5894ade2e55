package router

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime"
	"runtime/pprof"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// maxSegments bounds the segments of one job: a concatenated SMS has at
// most 255 parts (the UDH counts them in one octet).
const maxSegments = 255

// pickSalt separates the weighted-choice hash from the shard hash, so
// that with Seed 0 a shard's jobs still spread over all carriers.
const pickSalt = 0x6a09e667f3bcc909

// Router is the sharded dispatcher. Create it with New, start it with
// Start, feed it with Dispatch and stop it with Stop. Its methods are
// safe for concurrent use.
type Router struct {
	cfg Config
	rec Recorder
	log *slog.Logger
	// set is the carriers, copied on write: AddCarrier appends one,
	// RemoveCarrier takes its name out of the index but leaves it in the
	// list, so a carrier index stays valid (and is never reused) for the
	// router's life.
	set     atomic.Pointer[carrierSet]
	shards  []*shard
	mask    uint64
	table   atomic.Pointer[table]
	senders SenderLimiter
	jobs    sync.Pool
	epoch   time.Time
	m       *metrics

	// tmu serialises table rebuilds and carrier changes, and guards
	// routes, accountRoutes and rates, the inputs of the table in use.
	tmu           sync.Mutex
	routes        []Route
	accountRoutes map[int64][]Route
	rates         map[string][]BuyRate

	mu       sync.Mutex // guards started, stopped, ctx, cancel
	started  bool
	stopped  bool
	ctx      context.Context // the binds' parent, once started
	cancel   context.CancelFunc
	stopping atomic.Bool
	wg       sync.WaitGroup
}

// New returns a Router for cfg that reports to rec. It validates cfg,
// builds the route table, makes one Limiter per bind (at the carrier's
// TPS divided by its binds) and registers the router's metrics with reg
// (nil: no metrics). logger nil discards logs. The router sends nothing
// until Start.
func New(cfg Config, rec Recorder, logger *slog.Logger, reg prometheus.Registerer) (*Router, error) {
	if rec == nil {
		return nil, errors.New("router: nil Recorder")
	}
	cfg.setDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	nshards := cfg.Shards
	if nshards == 0 {
		nshards = runtime.GOMAXPROCS(0)
	}
	n := 1
	for n < nshards {
		n <<= 1
	}
	cfg.Shards = n
	r := &Router{
		cfg:   cfg,
		rec:   rec,
		log:   logger,
		mask:  uint64(n - 1),
		epoch: time.Now(),
		m:     newMetrics(reg),
	}
	r.jobs.New = func() any { return new(Job) }
	r.senders = cfg.SenderLimiter
	if r.senders == nil {
		r.senders = newSenderGCRA(r.now)
	}
	set := &carrierSet{byName: make(map[string]int32, len(cfg.Carriers))}
	for i, cc := range cfg.Carriers {
		c, err := r.newCarrier(cc, int32(i))
		if err != nil {
			return nil, err
		}
		set.list = append(set.list, c)
		set.byName[cc.Name] = int32(i)
	}
	r.set.Store(set)
	t, err := buildTableRates(cfg.Routes, cfg.AccountRoutes, set.byName, cfg.BuyRates)
	if err != nil {
		return nil, fmt.Errorf("router: build routes: %w", err)
	}
	r.routes, r.accountRoutes, r.rates = cfg.Routes, cfg.AccountRoutes, cfg.BuyRates
	r.table.Store(t)
	for i := range n {
		r.shards = append(r.shards, newShard(r, i))
	}
	if err := r.m.register(set.list); err != nil {
		return nil, err
	}
	return r, nil
}

// Start starts the shard goroutines and one goroutine per bind. Jobs
// dispatched before Start wait in their queues. Calling Start again, or
// after Stop, does nothing.
func (r *Router) Start() {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.started || r.stopped {
		return
	}
	r.started = true
	ctx, cancel := context.WithCancel(context.Background())
	r.ctx, r.cancel = ctx, cancel
	for _, s := range r.shards {
		labels := pprof.Labels("router", "shard", "shard", strconv.Itoa(s.idx))
		r.wg.Go(func() { pprof.Do(ctx, labels, s.run) })
	}
	for _, c := range r.set.Load().list {
		if c.removed.Load() {
			continue
		}
		for _, b := range c.bindList() {
			r.startBindLocked(b)
		}
	}
}

// startBindLocked starts b's goroutine under a context of its own, so
// that ReplaceBinds can stop it alone. r.mu must be held, the router
// started.
func (r *Router) startBindLocked(b *bind) {
	bctx, cancel := context.WithCancel(r.ctx)
	b.cancel, b.exited = cancel, make(chan struct{})
	labels := pprof.Labels("router", "bind", "carrier", b.c.name, "bind", strconv.Itoa(b.idx))
	r.wg.Go(func() {
		defer close(b.exited)
		pprof.Do(bctx, labels, b.run)
	})
}

// newBinds makes the binds of carrier c over senders, sharing tps (0:
// unlimited) evenly.
func (r *Router) newBinds(c *carrier, senders []Sender, tps float64) ([]*bind, error) {
	share := tps / float64(len(senders))
	binds := make([]*bind, 0, len(senders))
	for k, s := range senders {
		var l Limiter
		if tps > 0 {
			if r.cfg.NewCarrierLimiter != nil {
				l = r.cfg.NewCarrierLimiter(c.name, share)
			} else if r.cfg.NewLimiter != nil {
				l = r.cfg.NewLimiter(share)
			} else {
				l = newGCRA(share)
			}
			if l == nil {
				return nil, fmt.Errorf("router: carrier %q: NewLimiter returned nil", c.name)
			}
		}
		binds = append(binds, newBind(r, c, k, s, l, share))
	}
	return binds, nil
}

// Dispatch hands job to the router. It never blocks: it finds the
// route, picks the carrier and reserves room in its queue (when that
// queue is full, in another carrier's of the same priority), or fails at
// once with ErrNoRoute, ErrBackpressure (every such queue is full),
// ErrStopped, or ErrInvalidJob (no message, no segments or more than
// 255, or a job the router still holds). On success the router owns job
// until Recorder.Done returns (or Stop returns it); on failure the
// caller keeps it.
func (r *Router) Dispatch(job *Job) error {
	if job == nil || job.Msg == nil || len(job.Segments) == 0 || len(job.Segments) > maxSegments || job.shard != nil {
		r.m.rejected[rejectInvalid].Inc()
		return ErrInvalidJob
	}
	if r.stopping.Load() {
		r.m.rejected[rejectStopped].Inc()
		return ErrStopped
	}
	rt := r.table.Load().lookup(job.Msg.AccountID, job.Msg.Dest.Addr)
	if rt == nil {
		r.m.rejected[rejectNoRoute].Inc()
		return ErrNoRoute
	}
	id := uint64(job.Msg.ID)
	job.hash = mix(id ^ r.cfg.Seed ^ pickSalt)
	job.reset()
	job.senderTPS, job.senderRoute = rt.senderTPS, rt.prefix
	n := len(job.Segments)
	// The set is loaded after the table: a table names only carriers of
	// a set stored before it (AddCarrier), so ci is within list.
	list := r.set.Load().list
	ci := r.pick(rt, job) // never -1: nothing is excluded yet
	c := list[ci]
	if !c.reserve(n) {
		if ci = r.spill(rt, job, ci, n); ci < 0 {
			r.m.rejected[rejectBackpressure].Inc()
			return ErrBackpressure
		}
		c = list[ci]
	}
	job.carrier = ci
	s := r.shards[mix(id)&r.mask]
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		c.release(n)
		r.m.rejected[rejectStopped].Inc()
		return ErrStopped
	}
	s.linkLocked(job)
	c.q.pushJob(job.outs, ci)
	s.mu.Unlock()
	c.m.queued.Add(float64(n))
	return nil
}

// spill looks for room for job's n segments at the other carriers of the
// priority of full, the carrier picked first, and returns the one that
// took them or -1. Lower priorities are backups, not overflow: a full
// priority is backpressure.
func (r *Router) spill(rt *route, job *Job, full int32, n int) int32 {
	prio := rt.priorityOf(full)
	defer func() { job.excluded = job.excluded[:0] }()
	for {
		job.excluded = append(job.excluded, full)
		ci := r.pick(rt, job)
		if ci < 0 || rt.priorityOf(ci) != prio {
			return -1
		}
		if r.carrier(ci).reserve(n) {
			return ci
		}
		full = ci
	}
}

// SetRoutes replaces the default route plan and the per-account plans
// (nil: none) while the router runs. The new plans are validated against
// the router's carriers; on error the old ones stay. Jobs already
// dispatched keep their carrier; failovers use the new plans.
func (r *Router) SetRoutes(routes []Route, accountRoutes map[int64][]Route) error {
	r.tmu.Lock()
	defer r.tmu.Unlock()
	index := r.set.Load().byName
	names := make(map[string]bool, len(index))
	for n := range index {
		names[n] = true
	}
	errs := validatePlan("default plan", routes, names)
	for acct, plan := range accountRoutes {
		errs = append(errs, validatePlan(fmt.Sprintf("account %d plan", acct), plan, names)...)
	}
	if len(errs) > 0 {
		return fmt.Errorf("router: set routes: %w", errors.Join(errs...))
	}
	t, err := buildTableRates(routes, accountRoutes, index, r.rates)
	if err != nil {
		return fmt.Errorf("router: set routes: %w", err)
	}
	r.routes, r.accountRoutes = routes, accountRoutes
	r.table.Store(t)
	return nil
}

// SetBuyRates replaces the carriers' buy rates that least-cost routes
// compare (see Config.BuyRates) while the router runs. On error (a bad
// prefix, a negative price, a prefix rated twice for one carrier) the old
// rates stay. Jobs already dispatched keep their carrier.
func (r *Router) SetBuyRates(rates map[string][]BuyRate) error {
	r.tmu.Lock()
	defer r.tmu.Unlock()
	index := r.set.Load().byName
	if err := validateRates(rates, index); err != nil {
		return fmt.Errorf("router: set buy rates: %w", err)
	}
	t, err := buildTableRates(r.routes, r.accountRoutes, index, rates)
	if err != nil {
		return fmt.Errorf("router: set buy rates: %w", err)
	}
	r.rates = rates
	r.table.Store(t)
	return nil
}

// QueueDepth returns the number of segments waiting in the named
// carrier's queue for a bind, or -1 for an unknown carrier.
func (r *Router) QueueDepth(carrier string) int {
	c := r.active(carrier)
	if c == nil {
		return -1
	}
	return c.q.len()
}

// AcquireJob returns an empty Job, reused when possible. Fill Msg and
// Segments (append to Segments[:0] to reuse its array) and Dispatch it.
// A job that Dispatch refused can be given back with ReleaseJob; a job
// dispatched successfully is recycled by the router after Recorder.Done.
func (r *Router) AcquireJob() *Job {
	return r.jobs.Get().(*Job)
}

// ReleaseJob gives back a job that the router does not hold: one
// Dispatch refused, or one returned by Stop. job must not be used
// afterwards.
func (r *Router) ReleaseJob(job *Job) {
	if job == nil || job.shard != nil {
		return
	}
	r.releaseJob(job)
}

// releaseJob clears job and pools it.
func (r *Router) releaseJob(job *Job) {
	job.clear()
	r.jobs.Put(job)
}

// now is the router's clock: monotonic nanoseconds since New.
func (r *Router) now() int64 { return int64(time.Since(r.epoch)) }

// Routable reports whether a message of accountID to the E.164 digits
// dest has a route, so an ingress can refuse it before persisting. It
// takes no lock.
func (r *Router) Routable(accountID int64, dest string) bool {
	return r.table.Load().lookup(accountID, dest) != nil
}
