package gateway

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/redis/go-redis/v9"

	"github.com/gallant-sms/gallant/account"
	"github.com/gallant-sms/gallant/consent"
	"github.com/gallant-sms/gallant/router"
	"github.com/gallant-sms/gallant/smpp"
	"github.com/gallant-sms/gallant/sms"
	"github.com/gallant-sms/gallant/store"
	"github.com/gallant-sms/gallant/throttle"
	"github.com/gallant-sms/gallant/webhook"
)

// Deps are the services a Service is built on. Store, Writer and Accounts
// are required; Webhooks may be nil (no callbacks).
type Deps struct {
	Store    *store.Store
	Writer   *store.Writer
	Accounts *account.Service
	Webhooks *webhook.Dispatcher
	// Routes and AccountRoutes are the route plans (see router.Route).
	Routes        []router.Route
	AccountRoutes map[int64][]router.Route
	// Node is this instance's node number for message ids (leased from
	// the store by the caller).
	Node int
	// NodeName names this instance in the store's leases (a host name,
	// say); NodeTTL is its node lease's ttl (default a minute), which
	// the leases it takes to recover a dead node's messages also use
	// (see recovery.go).
	NodeName string
	NodeTTL  time.Duration
	// Billing, if set, prices every message and charges its account's
	// prepaid balance; nil sends for free.
	Billing *Billing
	// Redis, if set, makes account rate limits shared by every instance
	// (Redis GCRA), falling back to in-process limits while Redis does
	// not answer. Nil keeps limits in process.
	Redis *throttle.Redis
	// OptOutLedger, if set, records the opt-outs carriers signal
	// (CarrierConfig.OptOutErrors).
	OptOutLedger *consent.Ledger
	// Consent is the opt-out index (kept by a consent.Ledger) that every
	// message is checked against before it costs anything, and again when
	// a scheduled or recovered message is due; nil checks an empty one.
	Consent *consent.Index
	// RedisTimeout bounds each of those limits' Redis round trips before
	// the in-process fallback answers (default throttle's 50 ms).
	RedisTimeout time.Duration
	// BindGuardRedis, if set, shares the failed-bind limiter's counts
	// and blocks (see BindGuardConfig) between instances, under keys
	// starting with BindGuardPrefix; nil keeps them in process. A
	// *redis.Client must have ContextTimeoutEnabled, or a hung Redis
	// would hold binds for its read timeout.
	BindGuardRedis  redis.UniversalClient
	BindGuardPrefix string
	// HeldRedis, if set, carries the notices that rows were held for a
	// customer (a receipt or MO that came here for a customer bound on
	// another instance) on the pub/sub channel HeldChannel (default
	// "gallant:held"), so the instance with the bind sends them within a
	// second; without it (or while Redis is down) each instance finds
	// them by a store check every second (handoff.go).
	HeldRedis   redis.UniversalClient
	HeldChannel string
	// Keywords, if set, applies the keyword rules (STOP, START, HELP) to
	// every routed MO once it is stored, before it is delivered; an
	// Outcome's Reply is sent from the MO's number to its sender.
	Keywords consent.KeywordHandler
	// Config, if set, is polled every ConfigPoll (0: DefaultConfigPoll)
	// for changes of the carriers and routes: route plans, buy rates and
	// carriers added or removed and a carrier's TPS, connection settings,
	// outbind_listen and optout_errors apply without a restart
	// (hotconfig.go).
	Config     ConfigSource
	ConfigPoll time.Duration
}

// Service is the gateway core. Build it with New, start it with Start,
// stop it with Shutdown.
type Service struct {
	cfg  Config
	log  *slog.Logger
	st   *store.Store
	w    *store.Writer
	acc  *account.Service
	hook *webhook.Dispatcher
	// hooks fans events out to the hooks accounts subscribed (hooks.go);
	// nil without a dispatcher.
	hooks *webhook.Hooks
	rt    *router.Router
	ids   *sms.IDGenerator
	m     *metrics

	// Status events waiting for room in the writer (overflow.go).
	ovMu       sync.Mutex
	overflow   []heldEvent // guarded by ovMu
	backlogged atomic.Bool // overflow is not empty
	// ovClosed: shutdown has dropped the overflow (dropOverflow); a
	// carrier's request that would wait there is abandoned instead.
	ovClosed bool // guarded by ovMu

	// carriers are the carriers in service, copied on write (carriers.go):
	// the ConfigSource adds and removes them while the Service runs.
	carriers atomic.Pointer[carrierSet]
	// cmu serialises changes of carriers; cclosed (guarded by it) is set
	// when Shutdown took the carriers to unbind: none is added after.
	cmu     sync.Mutex
	cclosed bool
	// retiring tracks the binds and outbind listeners being closed after
	// a change (hotconfig.go); Shutdown waits for them.
	retiring  sync.WaitGroup
	reg       prometheus.Registerer // nil: no metrics
	redis     *throttle.Redis       // for the TPS budgets of carriers added later
	tr        *tracker
	keyed     *throttle.Keyed
	limits    rateLimiter
	live      liveInstances // counted for the carrier TPS fallback share (tps.go)
	countLive bool          // with Redis: count live instances (tps.go)
	customers *customers
	in        *inbound // carriers' MOs (inbound.go)
	sched     *scheduler
	rec       *recovery
	// optouts is the consent index every message is checked against.
	optouts *consent.Index
	// carrierOptOuts records carrier-signalled opt-outs; nil without.
	carrierOptOuts *carrierOptOuts
	bill           *Billing      // nil: free
	res            *reservations // open reservations by message id

	parkMu  sync.Mutex
	parked  []*sms.Message // persisted, waiting for room in a carrier queue
	nParked atomic.Int64   // len(parked), set under parkMu; admit reads it without

	lateMu sync.Mutex
	late   []*lateReceipt // carrier receipts not matched yet
	// lateClosed: shutdown has answered the held receipts (dropLate);
	// later ones are answered at once instead of held.
	lateClosed bool
	// lateDetached counts the held receipts detached from their bind's
	// MaxInbound (see holdLate).
	lateDetached int
	// abandoned counts the carrier requests (receipts, MOs) left
	// unanswered at shutdown for the carriers to send again (abandon).
	abandoned atomic.Uint64

	stop    chan struct{}
	wg      sync.WaitGroup
	started bool

	hot *hotConfig // nil without Deps.Config
}

// New builds a Service. reg may be nil.
func New(cfg Config, deps Deps, logger *slog.Logger, reg prometheus.Registerer) (*Service, error) {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	if deps.Store == nil || deps.Writer == nil || deps.Accounts == nil {
		return nil, errors.New("gateway: Store, Writer and Accounts are required")
	}
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cfg = cfg.withDefaults()
	floor, err := deps.Store.MaxMessageID(context.Background())
	if err != nil {
		return nil, fmt.Errorf("gateway: %w", err)
	}
	ids, err := sms.NewIDGenerator(deps.Node, floor)
	if err != nil {
		return nil, fmt.Errorf("gateway: %w", err)
	}
	limits, err := throttle.NewKeyed(throttle.DefaultKeyedConfig(1, 1))
	if err != nil {
		return nil, fmt.Errorf("gateway: %w", err)
	}
	s := &Service{
		cfg: cfg, log: logger, st: deps.Store, w: deps.Writer, acc: deps.Accounts, hook: deps.Webhooks,
		ids: ids, m: newMetrics(reg, cfg.Durability), reg: reg, redis: deps.Redis,
		tr: newTracker(2_000_000), keyed: limits, limits: localLimiter{limits}, stop: make(chan struct{}),
	}
	if reg != nil {
		reg.MustRegister(prometheus.NewCounterFunc(prometheus.CounterOpts{Namespace: "gallant_gateway",
			Name: "carrier_requests_unanswered_total",
			Help: "Carrier receipts and MOs left unanswered at shutdown, for the carriers to send again on a new bind."},
			func() float64 { return float64(s.abandoned.Load()) }),
			newInFlightCollector(s))
	}
	if deps.Redis != nil {
		fb, err := throttle.NewFallback(deps.Redis, limits, throttle.FallbackConfig{Timeout: deps.RedisTimeout, Logger: logger})
		if err != nil {
			return nil, fmt.Errorf("gateway: %w", err)
		}
		s.limits = fb
	}
	if deps.Billing != nil {
		if deps.Billing.Pricer == nil || deps.Billing.Balances == nil {
			return nil, errors.New("gateway: Billing needs a Pricer and Balances")
		}
		s.bill = deps.Billing
	}
	if s.hook != nil {
		if s.hooks, err = newHooks(deps.Store, deps.Accounts, s.hook, cfg.WebhookSecret, logger); err != nil {
			return nil, fmt.Errorf("gateway: %w", err)
		}
	}
	s.res = newReservations()
	s.optouts = deps.Consent
	s.carrierOptOuts = newCarrierOptOuts(deps.OptOutLedger, cfg.Carriers, logger)
	if s.optouts == nil {
		s.optouts = &consent.Index{}
	}
	switch c := deps.BindGuardRedis.(type) {
	case *redis.Client:
		if !c.Options().ContextTimeoutEnabled {
			return nil, errors.New("gateway: BindGuardRedis needs ContextTimeoutEnabled")
		}
	case *redis.ClusterClient:
		if !c.Options().ContextTimeoutEnabled {
			return nil, errors.New("gateway: BindGuardRedis needs ContextTimeoutEnabled")
		}
	}
	s.customers = newCustomers(s, newBindGuard(cfg.BindGuard, deps.BindGuardRedis, deps.BindGuardPrefix,
		logger.With("component", "bind-guard"), s.m.bindGuardRedisErrors.Inc),
		newHandoff(deps.Node, deps.HeldRedis, deps.HeldChannel, logger, reg))
	s.in = newInbound(s, deps.Keywords, reg)
	s.sched = newScheduler(s, deps.Node)
	s.rec = newRecovery(s, deps.Node, deps.NodeName, deps.NodeTTL)

	rcfg := router.DefaultConfig()
	rcfg.Routes, rcfg.AccountRoutes = deps.Routes, deps.AccountRoutes
	set := &carrierSet{byName: make(map[string]*carrier, len(cfg.Carriers))}
	for _, cc := range cfg.Carriers {
		c, err := s.newCarrier(cc)
		if err != nil {
			return nil, err
		}
		set.list = append(set.list, c)
		set.byName[cc.Name] = c
		rcfg.Carriers = append(rcfg.Carriers, c.routerCarrier())
	}
	s.carriers.Store(set)
	rcfg.NewLimiter = newBindLimiter
	if deps.Redis != nil {
		s.countLive = true
		// routes[].sender_tps shared by every instance; each sends at its
		// share while Redis does not answer (tps.go)
		senders, err := throttle.NewFallback(deps.Redis, limits, throttle.FallbackConfig{Timeout: deps.RedisTimeout,
			Logger: logger, LocalShare: s.live.get})
		if err != nil {
			return nil, fmt.Errorf("gateway: %w", err)
		}
		rcfg.SenderLimiter = senderLimiter{senders, s.live.get}
		// carriers[].tps shared by every instance (tps.go)
		if err := s.newBudgets(deps.Redis); err != nil {
			return nil, fmt.Errorf("gateway: %w", err)
		}
		rcfg.NewCarrierLimiter = s.newCarrierLimiter
		if reg != nil {
			s.registerBudgetMetrics(reg)
		}
	}
	rt, err := router.New(rcfg, (*recorder)(s), logger.With("component", "router"), reg)
	if err != nil {
		s.closeBudgets()
		return nil, fmt.Errorf("gateway: %w", err)
	}
	s.rt = rt
	if deps.Config != nil {
		s.hot = newHotConfig(s, deps.Config, deps.ConfigPoll)
	}
	return s, nil
}

// Start connects to the carriers, starts the router and the background
// work, and re-sends what a previous run accepted but did not finish.
func (s *Service) Start(ctx context.Context) error {
	if s.started {
		return errors.New("gateway: already started")
	}
	s.started = true
	carriers := s.carrierList()
	for i, c := range carriers {
		if err := c.outbind().start(); err != nil {
			for _, d := range carriers[:i] {
				d.outbind().stop(ctx)
			}
			return err
		}
	}
	if err := s.in.start(ctx); err != nil {
		return fmt.Errorf("gateway: inbound numbers: %w", err)
	}
	if s.countLive {
		s.countInstances()
		s.wg.Add(1)
		go s.loop(s.countInstances, instancesRefresh)
	}
	s.rt.Start()
	for _, c := range carriers {
		c.start()
	}
	s.wg.Add(4)
	go s.loop(s.unpark, 50*time.Millisecond)
	go s.loop(s.retryOverflow, overflowRetry)
	go s.loop(s.retryLate, lateRetry)
	go s.loop(s.sweep, time.Minute)
	s.sched.start()
	if err := s.recover(ctx); err != nil {
		return fmt.Errorf("gateway: recover unfinished messages: %w", err)
	}
	s.wg.Add(1)
	go s.rec.loop()
	if s.carrierOptOuts != nil {
		s.wg.Go(func() { s.carrierOptOuts.loop(s.stop) })
	}
	if s.hot != nil {
		s.wg.Go(s.hot.loop)
	}
	if s.hooks != nil {
		s.hooks.Start(ctx)
	}
	return nil
}

// loop runs f every interval until Shutdown.
func (s *Service) loop(f func(), interval time.Duration) {
	defer s.wg.Done()
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-s.stop:
			return
		case <-t.C:
			f()
		}
	}
}

// SMPPServer returns the customer-facing SMPP server (not yet serving):
// the caller listens (plain and TLS) and calls Serve.
func (s *Service) SMPPServer() *smpp.Server { return s.customers.srv }

// Shutdown stops in order: no new binds or submits (the caller stops
// the HTTP server first), customers unbound, router drained to the
// carriers within ctx, carriers unbinding, the writer flushed, carriers
// unbound. Messages still unsent stay in the store as accepted and are
// sent by the next Start. A carrier's receipt or MO is never refused
// meanwhile: once its bind unbinds, each is either stored and answered,
// or left unanswered for the carrier to send again after a new bind
// (docs/smpp.md, "Session states and who may send what"); the writer
// runs until every bind is closed.
func (s *Service) Shutdown(ctx context.Context) error {
	var errs []error
	if err := s.customers.srv.Shutdown(ctx); err != nil && !errors.Is(err, context.DeadlineExceeded) {
		errs = append(errs, fmt.Errorf("smpp server: %w", err))
	}
	// A message acknowledged in durable mode is dispatched by the
	// writer's callback just after its answer went out: let those
	// callbacks finish before the router stops taking jobs, or the last
	// acknowledged messages would wait for the next start.
	if err := s.w.Flush(ctx); err != nil {
		errs = append(errs, fmt.Errorf("writer: %w", err))
	}
	if s.started {
		// Before the router stops, so no due message is taken for a
		// router that no longer sends; the messages it held wait in the
		// store, their claims handed back for another instance.
		s.sched.stop()
	}
	unsent, err := s.rt.Stop(ctx)
	if err != nil {
		errs = append(errs, fmt.Errorf("router: %w", err))
	}
	s.closeBudgets()
	if len(unsent) > 0 {
		s.log.Info("messages left for the next start", "count", len(unsent))
	}
	// The carrier binds read no more requests into the handler from
	// here: those already read are stored and answered below, or
	// abandoned (dropLate, dropOverflow), so that each bind can unbind.
	var unbinds sync.WaitGroup
	s.cmu.Lock()
	s.cclosed = true // no carrier is added from here
	s.cmu.Unlock()
	for _, c := range s.carrierList() {
		c.unbind(ctx, &unbinds)
	}
	close(s.stop)
	s.wg.Wait()
	if s.hooks != nil {
		s.hooks.Stop()
	}
	s.dropLate()
	s.retryOverflow()
	s.dropOverflow()
	wctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	// Every MO read is stored (and queued for its owner) by this flush;
	// the inbound workers deliver what is queued before they stop.
	if err := s.w.Flush(wctx); err != nil {
		errs = append(errs, fmt.Errorf("writer: %w", err))
	}
	s.in.stop()
	s.customers.stop()
	if err := s.w.Flush(wctx); err != nil {
		errs = append(errs, fmt.Errorf("writer: %w", err))
	}
	unbinds.Wait()
	s.retiring.Wait()
	if s.started {
		// After every bind closed and a last flush: what the carriers
		// acknowledged is settled in the store, and the rest is left to
		// the next instance at once.
		if err := s.w.Flush(wctx); err != nil {
			errs = append(errs, fmt.Errorf("writer: %w", err))
		}
		s.rec.release(wctx)
	}
	return errors.Join(errs...)
}

// Ready reports whether the gateway can take traffic: the store answers
// and at least one bind of some carrier is up (when carriers exist).
func (s *Service) Ready(ctx context.Context) error {
	if err := s.st.Ping(ctx); err != nil {
		return fmt.Errorf("gateway: store: %w", err)
	}
	carriers := s.carrierList()
	if len(carriers) == 0 {
		return nil
	}
	for _, c := range carriers {
		for _, b := range c.bindList() {
			if b.Bound() {
				return nil
			}
		}
	}
	return errors.New("gateway: no carrier bind is up")
}

// rateLimiter takes n tokens of key's bucket (rate per second, burst).
type rateLimiter interface {
	Allow(ctx context.Context, key string, rate float64, burst, n int) (throttle.Result, error)
}

// localLimiter is the in-process rateLimiter.
type localLimiter struct{ k *throttle.Keyed }

func (l localLimiter) Allow(_ context.Context, key string, rate float64, burst, n int) (throttle.Result, error) {
	return l.k.Take(key, rate, burst, n)
}

// sweep forgets tracking state that outlived its use.
func (s *Service) sweep() {
	f, d := s.tr.sweep(time.Now(), s.cfg.MaxValidity)
	if f+d > 0 {
		s.log.Debug("tracker swept", "flights", f, "receipts", d)
	}
	s.keyed.Sweep(s.keyed.Now())
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if n, err := s.st.ExpireHeldReceipts(ctx, time.Now()); err != nil {
		s.log.Warn("expire held receipts", "err", err)
	} else if n > 0 {
		s.log.Info("held receipts expired undelivered", "count", n)
	}
}

// OptOuts is the consent index the Service checks every message against
// (Deps.Consent, or its own empty one).
func (s *Service) OptOuts() *consent.Index { return s.optouts }

// optedOutAtSend fails m, due now (scheduled, or recovered after a
// restart), when its recipient opted out since it was accepted: it is
// never sent, its reservation is given back, and it ends "rejected" with
// error code "opted-out".
func (s *Service) optedOutAtSend(m *sms.Message) bool {
	if _, ok := s.optouts.Blocked(m.AccountID, m.Source.Addr, m.Dest.Addr); !ok {
		return false
	}
	s.m.refused(ProblemOptedOut)
	s.finishUnsent(m, sms.StatusRejected, codeOptedOut)
	return true
}
