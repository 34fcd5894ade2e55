package main

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"os"
	"strconv"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/redis/go-redis/v9"

	"github.com/gallant-sms/gallant/account"
	"github.com/gallant-sms/gallant/api"
	appsvc "github.com/gallant-sms/gallant/app"
	"github.com/gallant-sms/gallant/billing"
	"github.com/gallant-sms/gallant/consent"
	"github.com/gallant-sms/gallant/gateway"
	"github.com/gallant-sms/gallant/internal/config"
	"github.com/gallant-sms/gallant/smpp"
	"github.com/gallant-sms/gallant/store"
	"github.com/gallant-sms/gallant/throttle"
	"github.com/gallant-sms/gallant/web"
	"github.com/gallant-sms/gallant/webhook"
)

// app is a running gateway: every component, in start order.
type app struct {
	cfg   config.Config
	log   *slog.Logger
	reg   *prometheus.Registry
	st    *store.Store
	w     *store.Writer
	acc   *account.Service
	hooks *webhook.Dispatcher
	gw    *gateway.Service
	api   *api.Server
	redis redis.UniversalClient // nil without redis (addr, cluster or sentinel)
	bill  *gateway.Billing      // nil without billing.enabled
	pprof *http.Server          // nil without debug.pprof_listen
	prom  *http.Server          // the metrics listener; nil without metrics.listen
	node  int
	// optouts keeps the gateway's consent index equal to the store's
	// opt-out ledger.
	optouts    *consent.Ledger
	registries *consent.Registries // do-not-disturb registries, into optouts' index

	smppAddr, tlsAddr, httpAddr net.Addr
	metricsAddr                 net.Addr // nil without metrics.listen

	// mailer sends the gateway's mail (resets, verification, alerts);
	// config.NewMailer chooses it from the mail section.
	mailer account.Mailer
	users  *account.Users // dashboard users and sessions
	alerts *alerts        // low-balance alerts; nil without billing
	svc    *appsvc.App    // its background work (campaigns, imports) stops after the API

	wg        sync.WaitGroup
	errs      chan error
	stopLoops chan struct{}
}

// openStore opens and migrates the configured database.
func openStore(ctx context.Context, cfg config.Config, logger *slog.Logger) (*store.Store, error) {
	keys, err := cfg.Secrets.Keyring()
	if err != nil {
		return nil, err
	}
	st, err := store.Open(ctx, store.Config{Driver: cfg.Store.Driver, DSN: cfg.Store.DSN, Keys: keys}, logger)
	if err != nil {
		return nil, err
	}
	if applied, err := st.Migrate(ctx); err != nil {
		st.Close()
		return nil, err
	} else if len(applied) > 0 {
		logger.Info("migrations applied", "versions", applied)
	}
	return st, nil
}

// newApp builds every component from cfg without starting anything.
func newApp(ctx context.Context, cfg config.Config, logger *slog.Logger) (*app, error) {
	a := &app{cfg: cfg, log: logger, reg: prometheus.NewRegistry(), errs: make(chan error, 4), stopLoops: make(chan struct{})}
	a.reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	st, err := openStore(ctx, cfg, logger)
	if err != nil {
		return nil, err
	}
	a.st = st
	built := false
	defer func() {
		if !built {
			a.release()
		}
	}()
	host, _ := os.Hostname()
	name := host + ":" + strconv.Itoa(os.Getpid())
	lockPath := store.NodeLockPath(store.Config{Driver: cfg.Store.Driver, DSN: cfg.Store.DSN})
	if a.node, _, err = st.LeaseNodeLocked(ctx, name, cfg.Store.LeaseTTL(), lockPath); err != nil {
		a.node = -1
		return nil, fmt.Errorf("lease node: %w", err)
	}
	if a.w, err = store.NewWriter(st, cfg.Store.Writer, a.reg); err != nil {
		return nil, err
	}
	a.acc = account.New(st, logger)
	if a.mailer, err = config.NewMailer(cfg.Mail, logger); err != nil {
		return nil, err
	}
	if a.users, err = a.newUsers(); err != nil { // identity.go
		return nil, err
	}
	if a.hooks, err = webhook.New(cfg.WebhookDispatcher(st), gateway.WebhookRecorder{W: a.w}, logger.With("component", "webhook"), a.reg); err != nil {
		return nil, err
	}
	if err := cfg.FromStore(ctx, st, logger); err != nil { // carriers and routes: the store's, seeded from the file once
		return nil, err
	}
	gcfg, routes, acctRoutes, err := cfg.Gateway()
	if err != nil {
		return nil, err
	}
	a.optouts = consent.NewLedger(st, &consent.Index{}, consent.LedgerConfig{Logger: logger})
	a.registries = consent.NewRegistries(st, a.optouts.Index(), logger)
	if err := a.optouts.Load(ctx); err != nil {
		return nil, err
	}
	if err := a.registries.Load(ctx); err != nil {
		return nil, err
	}
	deps := gateway.Deps{Store: st, Writer: a.w, Accounts: a.acc, Webhooks: a.hooks, Consent: a.optouts.Index(), OptOutLedger: a.optouts,
		Keywords: consent.NewKeywords(a.optouts, st, consent.StoreSettings{Store: st}),
		Routes:   routes, AccountRoutes: acctRoutes, Config: config.StoreSource{Store: st}, Node: a.node, NodeName: name, NodeTTL: cfg.Store.LeaseTTL()}
	if cfg.Billing.Enabled {
		pricer := billing.NewPricer(st)
		if err := pricer.Reload(ctx); err != nil {
			return nil, fmt.Errorf("load price plans: %w", err)
		}
		balances, err := billing.NewBalances(st, a.w, billing.DefaultConfig(), logger)
		if err != nil {
			return nil, err
		}
		a.bill = &gateway.Billing{Pricer: pricer, Balances: balances}
		deps.Billing = a.bill
	}
	if a.redis = cfg.Redis.Client(); a.redis != nil {
		deps.Redis = throttle.NewRedis(a.redis, cfg.Redis.Prefix+"limit:")
		deps.BindGuardRedis, deps.BindGuardPrefix = a.redis, cfg.Redis.Prefix+"bindguard:"
		deps.HeldRedis, deps.HeldChannel = a.redis, cfg.Redis.Prefix+"held"
	}
	a.gw, err = gateway.New(gcfg, deps, logger, a.reg)
	if err != nil {
		return nil, err
	}
	if err := a.newAlerts(); err != nil { // after the gateway: alerts go to its hooks too
		return nil, err
	}
	acfg, err := cfg.HTTP.API()
	if err != nil {
		return nil, err
	}
	acfg.SignupOpen = cfg.SignupOpen()
	// The API's rate limits: shared through Redis, or in process.
	var shared *throttle.Redis
	if a.redis != nil {
		shared = throttle.NewRedis(a.redis, cfg.Redis.Prefix+"api:")
	}
	limiter, err := throttle.NewRequests(shared, logger)
	if err != nil {
		return nil, err
	}
	svc := appsvc.New(appsvc.Deps{Store: st, Accounts: a.acc, Users: a.users, Gateway: a.gw, Billing: a.bill,
		URLs: a.hooks.Guard(), Currency: cfg.BillingCurrency(), IdempotencyRetention: cfg.Retention.IdempotencyKeys,
		OptOuts: a.optouts, Log: logger, LinksDomain: cfg.Links.Domain, Campaigns: cfg.CampaignEngine(),
		Retention: cfg.RetentionPolicy(), Registerer: a.reg})
	dashboard, _ := web.App() // without a build, a page saying how to build it
	apiDeps := api.Deps{Dashboard: dashboard, Limiter: limiter, Auth: svc.Auth, Identity: svc.Identity, Messages: svc.Messages, Health: a.gw,
		Idempotency: svc.Idempotency, Operator: svc.Operator, Accounts: svc.Accounts, Reports: svc.Reports, DistLists: svc.DistLists, Links: svc.Links,
		Keywords: svc.Keywords, Numbers: svc.Numbers, Inbound: svc.Inbound, Contacts: svc.Contacts, Lists: svc.Lists, Templates: svc.Templates,
		Segments: svc.Segments, ContactImports: svc.ContactImports, ContactExport: svc.ContactExport, Campaigns: svc.Campaigns,
		CarrierConfigs: svc.CarrierConfigs, Hooks: svc.Hooks}
	apiDeps.Privacy = svc.Privacy
	a.svc = svc
	if svc.Billing != nil { // nil pointers would be non-nil interfaces
		apiDeps.Billing, apiDeps.Alerts = svc.Billing, svc.Alerts
	}
	if svc.OptOuts != nil {
		apiDeps.OptOuts = svc.OptOuts
	}
	a.api, err = api.New(acfg, apiDeps, logger.With("component", "api"), a.reg)
	if err != nil {
		return nil, err
	}
	built = true
	return a, nil
}

// release frees what a newApp that failed half-way had acquired: the
// writer, the node lease, Redis and the store.
func (a *app) release() {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if a.w != nil {
		_ = a.w.Close(ctx)
	}
	if a.node >= 0 {
		_ = a.st.ReleaseNode(ctx, a.node)
	}
	if a.redis != nil {
		_ = a.redis.Close()
	}
	_ = a.st.Close()
}

// start starts the gateway and its listeners.
func (a *app) start(ctx context.Context) error {
	a.hooks.Start()
	if err := a.gw.Start(ctx); err != nil {
		return err
	}
	smppLn, err := net.Listen("tcp", a.cfg.SMPP.Listen)
	if err != nil {
		return fmt.Errorf("smpp listen: %w", err)
	}
	a.smppAddr = smppLn.Addr()
	a.serve("smpp", func() error { return a.gw.SMPPServer().Serve(smppLn) }, smpp.ErrServerClosed)
	if a.cfg.SMPP.TLSListen != "" {
		cert, err := tls.LoadX509KeyPair(a.cfg.SMPP.TLSCert, a.cfg.SMPP.TLSKey)
		if err != nil {
			return fmt.Errorf("smpp tls: %w", err)
		}
		// Plain TCP under ServeTLS: a balancer's PROXY header comes before TLS.
		tl, err := net.Listen("tcp", a.cfg.SMPP.TLSListen)
		if err != nil {
			return fmt.Errorf("smpp tls listen: %w", err)
		}
		a.tlsAddr = tl.Addr()
		tc := &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
		a.serve("smpp-tls", func() error { return a.gw.SMPPServer().ServeTLS(tl, tc) }, smpp.ErrServerClosed)
	}
	httpLn, err := net.Listen("tcp", a.cfg.HTTP.Listen)
	if err != nil {
		return fmt.Errorf("http listen: %w", err)
	}
	a.httpAddr = httpLn.Addr()
	a.serve("http", func() error { return a.api.Serve(httpLn) }, api.ErrServerClosed)
	if addr := a.cfg.Metrics.Listen; addr != "" {
		ml, err := net.Listen("tcp", addr)
		if err != nil {
			return fmt.Errorf("metrics listen: %w", err)
		}
		a.metricsAddr = ml.Addr()
		a.prom = metricsServer(a.reg, a.log)
		a.serve("metrics", func() error { return a.prom.Serve(ml) }, http.ErrServerClosed)
	}
	if addr := a.cfg.Debug.PprofListen; addr != "" {
		pl, err := net.Listen("tcp", addr)
		if err != nil {
			return fmt.Errorf("pprof listen: %w", err)
		}
		a.pprof = &http.Server{Handler: pprofMux(), ReadHeaderTimeout: 10 * time.Second}
		a.serve("pprof", func() error { return a.pprof.Serve(pl) }, http.ErrServerClosed)
		a.log.Info("pprof serving", "addr", pl.Addr().String())
	}
	ttl := a.cfg.Store.LeaseTTL()
	a.every(ttl/3, "renew node lease", func(ctx context.Context) error {
		err := a.st.RenewNode(ctx, a.node, ttl)
		if errors.Is(err, store.ErrLeaseLost) {
			// Another instance took the node after our lease expired and
			// sends its unfinished messages: keeping on would send them
			// twice and make ids it may make too. Stop; a restart leases
			// a free node.
			select {
			case a.errs <- fmt.Errorf("node %d lease lost: %w", a.node, err):
			default:
			}
		}
		return err
	})
	a.every(consent.DefaultPoll, "read the opt-out ledger", a.optouts.CatchUp)
	a.every(registryPoll, "read the do-not-disturb registries", a.registries.Sync)
	a.every(purgeInterval(a.cfg.Retention.IdempotencyKeys), "purge idempotency keys", func(ctx context.Context) error {
		_, err := a.st.PurgeIdempotent(ctx, time.Now().Add(-a.cfg.Retention.IdempotencyKeys))
		return err
	})
	if a.bill != nil {
		a.every(pricesReload, "reload price plans", a.bill.Pricer.Reload)
		a.startAlerts()
	}
	if a.cfg.Webhooks.Secret == "" {
		a.log.Warn("webhooks.secret is empty: status callbacks of accounts without a secret of their own are not sent")
	}
	if a.cfg.Webhooks.AllowPrivate {
		a.log.Warn("webhooks.allow_private is on: callbacks may reach loopback, private and link-local addresses, this gateway's own network included")
	}
	scheme := "http"
	if a.cfg.HTTP.TLSCert != "" {
		scheme = "https"
	}
	metricsAt := "off"
	if a.metricsAddr != nil {
		metricsAt = "http://" + a.metricsAddr.String() + "/metrics"
	}
	a.log.Info("gallant serving", "http", scheme+"://"+a.httpAddr.String(), "smpp", a.smppAddr.String(),
		"metrics", metricsAt, "store", a.cfg.Store.Driver, "durability", a.cfg.Durability, "node", a.node)
	a.svc.StartBackground()
	return nil
}

// serve runs a listener's loop; an unexpected end is reported on a.errs,
// which ends runApp (as a lost node lease does).
func (a *app) serve(name string, f func() error, closed error) {
	a.wg.Add(1)
	go func() {
		defer a.wg.Done()
		if err := f(); err != nil && !errors.Is(err, closed) {
			a.errs <- fmt.Errorf("%s: %w", name, err)
		}
	}()
}

// purgeInterval is how often records kept for retention are purged: a
// tenth of it, between 1 s and 10 min, so a record outlives its retention
// by at most a tenth (reads treat an expired one as gone at once).
func purgeInterval(retention time.Duration) time.Duration {
	return min(max(retention/10, time.Second), 10*time.Minute)
}

// registryPoll is how often each instance checks for a new
// do-not-disturb registry import.
const registryPoll = 5 * time.Second

// pricesReload is how often price plans are read again, so plan changes
// made with gallant admin reach running instances.
const pricesReload = 30 * time.Second

// every runs f with a 10 s context each interval until shutdown; an error
// is logged as what failed.
func (a *app) every(interval time.Duration, what string, f func(ctx context.Context) error) {
	a.wg.Add(1)
	go func() {
		defer a.wg.Done()
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			select {
			case <-a.stopLoops:
				return
			case <-t.C:
				ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
				if err := f(ctx); err != nil {
					a.log.Error(what, "err", err)
				}
				cancel()
			}
		}
	}()
}

// shutdown stops in order within ctx: HTTP (no new requests), the
// gateway (customers unbound, router drained, writer flushed, carriers
// unbound), webhooks, the writer, the node lease, the store.
func (a *app) shutdown(ctx context.Context) error {
	var errs []error
	if err := a.api.Shutdown(ctx); err != nil {
		errs = append(errs, fmt.Errorf("http: %w", err))
	}
	if err := a.svc.StopBackground(ctx); err != nil {
		errs = append(errs, err)
	}
	if a.pprof != nil {
		_ = a.pprof.Close()
	}
	if err := a.gw.Shutdown(ctx); err != nil {
		errs = append(errs, fmt.Errorf("gateway: %w", err))
	}
	if a.bill != nil {
		// Charges and refunds go to the writer; unused leased credit goes
		// back to the accounts.
		if err := a.bill.Balances.Close(ctx); err != nil {
			errs = append(errs, fmt.Errorf("billing: %w", err))
		}
	}
	a.stopWebhooks(ctx)
	if err := a.w.Close(ctx); err != nil {
		errs = append(errs, fmt.Errorf("writer: %w", err))
	}
	if a.prom != nil {
		// Last of the listeners: the drain above could be watched.
		_ = a.prom.Close()
	}
	close(a.stopLoops)
	a.wg.Wait()
	if err := a.stopAlerts(ctx); err != nil {
		errs = append(errs, err)
	}
	rctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	// A lease already lost (taken by a survivor) has nothing to release.
	if err := a.st.ReleaseNode(rctx, a.node); err != nil && !errors.Is(err, store.ErrLeaseLost) {
		errs = append(errs, err)
	}
	if err := a.st.Close(); err != nil {
		errs = append(errs, err)
	}
	if a.redis != nil {
		if err := a.redis.Close(); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// metricsServer serves GET /metrics from reg, and nothing else.
func metricsServer(reg *prometheus.Registry, logger *slog.Logger) *http.Server {
	m := http.NewServeMux()
	m.Handle("GET /metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{
		ErrorLog:      slog.NewLogLogger(logger.With("component", "metrics").Handler(), slog.LevelWarn),
		ErrorHandling: promhttp.ContinueOnError,
		// Scrapes are few; more at once are answered 503.
		MaxRequestsInFlight: 4,
	}))
	return &http.Server{Handler: m, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 10 * time.Second,
		WriteTimeout: 30 * time.Second, IdleTimeout: 2 * time.Minute, MaxHeaderBytes: 16 << 10}
}

// webhookStopGrace bounds how long shutdown waits for webhook posts in
// flight: a receiver that does not answer must not take the writer's and
// the store's share of the shutdown deadline. Posts cut short are kept,
// unfinished, in the outbox with every other pending callback.
const webhookStopGrace = 5 * time.Second

// stopWebhooks stops the webhook dispatcher, which writes the callbacks
// still pending to the store's outbox for the next start (or another
// instance) to deliver.
func (a *app) stopWebhooks(ctx context.Context) {
	hctx, cancel := context.WithTimeout(ctx, webhookStopGrace)
	defer cancel()
	lost, err := a.hooks.Stop(hctx)
	switch {
	case len(lost) > 0:
		a.log.Error("webhooks lost at shutdown: the outbox could not take them", "lost", len(lost), "err", err)
	case errors.Is(err, context.DeadlineExceeded):
		a.log.Info("webhook posts in flight cut short at shutdown; kept in the outbox")
	case err != nil:
		a.log.Warn("webhooks at shutdown", "err", err)
	}
}

// pprofMux serves the profiler's endpoints.
func pprofMux() *http.ServeMux {
	m := http.NewServeMux()
	m.HandleFunc("/debug/pprof/", pprof.Index)
	m.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	m.HandleFunc("/debug/pprof/profile", pprof.Profile)
	m.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	m.HandleFunc("/debug/pprof/trace", pprof.Trace)
	return m
}

// shutdownTimeout bounds the ordered shutdown on SIGTERM.
const shutdownTimeout = 20 * time.Second

// runApp runs a until ctx ends (a signal) or a listener fails, then shuts
// it down in order.
func runApp(ctx context.Context, a *app) error {
	var runErr error
	select {
	case <-ctx.Done():
		a.log.Info("shutting down")
	case runErr = <-a.errs:
		a.log.Error("shutting down after a fatal error", "err", runErr)
	}
	sctx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
	defer cancel()
	err := a.shutdown(sctx)
	if err == nil {
		a.log.Info("stopped")
	}
	return errors.Join(runErr, err)
}
