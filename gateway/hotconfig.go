package gateway

import (
	"context"
	"crypto/tls"
	"math"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/gallant-sms/gallant/router"
)

// ConfigSource is where the carriers and routes are kept (the store):
// Version grows with every change, and Load reads them all. The Service
// polls Version and applies what Load returns when it changed.
type ConfigSource interface {
	Version(ctx context.Context) (int64, error)
	Load(ctx context.Context) (Plans, error)
}

// Plans are the carriers and the route plans of a ConfigSource.
type Plans struct {
	Carriers      []CarrierConfig
	Routes        []router.Route
	AccountRoutes map[int64][]router.Route
}

// DefaultConfigPoll is how often the Service looks at its ConfigSource's
// version when Deps.ConfigPoll is 0: one indexed single-row read every
// two seconds is nothing for the store, and a change applies on every
// instance within about that.
const DefaultConfigPoll = 2 * time.Second

// hotConfig applies the ConfigSource's changes while the Service runs.
type hotConfig struct {
	s    *Service
	src  ConfigSource
	poll time.Duration

	mu      sync.Mutex
	version int64    // last applied; -1: none yet
	failed  int64    // last version whose routes could not apply (logged once)
	pending []string // carriers whose stored settings differ from the running ones
}

func newHotConfig(s *Service, src ConfigSource, poll time.Duration) *hotConfig {
	if poll <= 0 {
		poll = DefaultConfigPoll
	}
	return &hotConfig{s: s, src: src, poll: poll, version: -1, failed: -1}
}

// loop polls until the Service stops. The first poll applies whatever
// changed between the Service's build and its start.
func (h *hotConfig) loop() {
	t := time.NewTicker(h.poll)
	defer t.Stop()
	for {
		select {
		case <-h.s.stop:
			return
		case <-t.C:
			h.check()
		}
	}
}

// check reloads and applies the plans when the version moved.
func (h *hotConfig) check() {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	v, err := h.src.Version(ctx)
	if err != nil {
		h.s.log.Warn("config: read the version of carriers and routes", "err", err)
		return
	}
	h.mu.Lock()
	same := v == h.version || v == h.failed
	h.mu.Unlock()
	if same {
		return
	}
	p, err := h.src.Load(ctx)
	if err != nil {
		h.s.log.Warn("config: load carriers and routes", "version", v, "err", err)
		return
	}
	if s := h.s; s.bill != nil {
		// Buy rates changed through the store reach least-cost routes now,
		// not at the next periodic reload.
		if err := s.bill.Pricer.Reload(ctx); err != nil {
			s.log.Warn("config: reload buy rates", "err", err)
		}
	}
	h.apply(v, p)
}

// apply applies a version of the carriers and routes: carriers added
// in the store go into service first (addCarrier), then the route plans
// are swapped in at once (jobs already queued keep their carrier), then
// carriers removed from the store are taken out of service
// (removeCarrier: what was queued for them follows the new routes, their
// binds unbind once their submits in flight are answered). A changed
// carrier gets its new TPS (applyTPS), outbind listener and opt-out
// codes (applyExtras) and connection settings (replaceBinds) on its
// running binds. Whatever could not apply (a carrier that cannot be
// built, an outbind address that cannot be listened on, a removed
// carrier that the routes in force still name because the stored routes
// could not apply) is logged and reported by ConfigApplied, and tried
// again with the next version or restart.
func (h *hotConfig) apply(v int64, p Plans) {
	s := h.s
	var pending []string
	gone := make(map[string]*carrier, len(s.carrierList()))
	for _, c := range s.carrierList() {
		gone[c.cfg.Name] = c
	}
	for _, nc := range p.Carriers {
		c, ok := gone[nc.Name]
		delete(gone, nc.Name)
		switch {
		case !ok:
			if err := s.addCarrier(nc); err != nil {
				pending = append(pending, nc.Name)
				s.log.Error("config: carrier added in the store cannot start on this instance", "carrier", nc.Name, "err", err)
				break
			}
			s.log.Info("config: carrier added", "carrier", nc.Name, "binds", max(nc.Binds, 1), "tps", nc.TPS)
		case !sameCarrier(c.running(), nc):
			h.applyExtras(c, nc)
			if sameCarrier(c.running(), nc) || h.applyTPS(c, nc) || h.replaceBinds(c, nc) {
				break
			}
			pending = append(pending, nc.Name)
			s.log.Warn("config: carrier settings changed in the store could not apply; the next change or a restart tries again", "carrier", nc.Name)
		}
	}
	routesOK := true
	if err := s.rt.SetRoutes(p.Routes, p.AccountRoutes); err != nil {
		routesOK = false
		s.log.Error("config: the stored routes cannot apply on this instance; the previous routes stay", "version", v, "err", err)
	}
	for name, c := range gone {
		if err := s.removeCarrier(c); err != nil {
			pending = append(pending, name)
			s.log.Error("config: carrier removed from the store stays in service here", "carrier", name, "err", err)
			continue
		}
		s.log.Info("config: carrier removed; its binds unbind once their submits in flight are answered", "carrier", name)
	}
	slices.Sort(pending)
	if err := s.RefreshBuyRates(); err != nil {
		s.log.Warn("config: buy rates", "err", err)
	}
	s.m.configRestart.Set(float64(len(pending)))
	h.mu.Lock()
	defer h.mu.Unlock()
	h.pending = pending
	if !routesOK {
		h.failed = v
	} else {
		h.version = v
		s.m.configVersion.Set(float64(v))
		s.log.Info("config: routes applied", "version", v, "routes", len(p.Routes), "account_plans", len(p.AccountRoutes))
	}
}

// applyExtras applies nc's outbind_listen and optout_errors to the
// running carrier c when they changed: the new opt-out codes count from
// the next answer; a new outbind listener starts before the old one
// stops (its sessions unbind gracefully, in the background). It reports
// false when the new listener cannot listen (the old one stays).
func (h *hotConfig) applyExtras(c *carrier, nc CarrierConfig) bool {
	s := h.s
	run := c.running()
	if !slices.Equal(run.OptOutErrors, nc.OptOutErrors) {
		s.carrierOptOuts.set(nc.Name, nc.OptOutErrors)
		c.mu.Lock()
		c.live.OptOutErrors = slices.Clone(nc.OptOutErrors)
		c.mu.Unlock()
		s.log.Info("config: carrier opt-out codes applied", "carrier", nc.Name, "codes", nc.OptOutErrors)
	}
	if run.OutbindListen == nc.OutbindListen {
		return true
	}
	lc := run
	lc.OutbindListen = nc.OutbindListen
	ob := newOutbindListener(c, lc)
	if err := ob.start(); err != nil {
		s.log.Warn("config: new outbind listener", "carrier", nc.Name, "err", err)
		return false
	}
	c.mu.Lock()
	if c.closing {
		c.mu.Unlock()
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		ob.stop(ctx)
		return false
	}
	old := c.ob
	c.ob, c.live.OutbindListen = ob, nc.OutbindListen
	c.mu.Unlock()
	s.retiring.Go(func() {
		ctx, cancel := context.WithTimeout(context.Background(), retireTimeout)
		defer cancel()
		old.stop(ctx)
	})
	s.log.Info("config: carrier outbind listener applied", "carrier", nc.Name, "listen", nc.OutbindListen)
	return true
}

// applyTPS applies nc to the running carrier c when its rate is all
// that changed (from one limit to another: an unlimited carrier has no
// limiters to change), and reports whether it did.
func (h *hotConfig) applyTPS(c *carrier, nc CarrierConfig) bool {
	run := c.running()
	run.TPS = nc.TPS
	if !sameCarrier(run, nc) || c.tps() <= 0 || nc.TPS <= 0 {
		return false
	}
	if err := h.s.rt.SetCarrierTPS(nc.Name, nc.TPS); err != nil {
		h.s.log.Warn("config: carrier tps", "carrier", nc.Name, "err", err)
		return false
	}
	old := c.tps()
	c.tpsBits.Store(math.Float64bits(nc.TPS))
	c.setBudgetRate(nc.TPS)
	h.s.log.Info("config: carrier tps applied", "carrier", nc.Name, "from", old, "to", nc.TPS)
	return true
}

// setBudgetRate moves the carrier's shared TPS budget (tps.go) to tps,
// so the platform-wide limit follows a change made through the API. A
// carrier that had no budget (no TPS or no Redis at start) keeps none
// until a restart: its binds' own buckets still hold each instance to
// the new rate.
func (c *carrier) setBudgetRate(tps float64) {
	if c.budget == nil || tps <= 0 {
		return
	}
	if err := c.budget.SetRate(tps); err != nil {
		c.s.log.Warn("config: carrier tps budget", "carrier", c.cfg.Name, "err", err)
	}
}

// running is c's configuration with the connection settings and the
// rate in force.
func (c *carrier) running() CarrierConfig {
	c.mu.Lock()
	cc := c.live
	c.mu.Unlock()
	cc.TPS = c.tps()
	return cc
}

// retireTimeout bounds how long replaced binds take to stop taking
// segments and answer what they have in flight before they are closed.
const retireTimeout = time.Minute

// replaceBinds gives the running carrier c new binds with nc's
// connection settings (address, credentials, bind type, binds, window,
// TPS, max_inbound, TLS) when only those changed, and reports whether it
// did. The new binds connect first; the router then sends on them, and
// the old ones, which take no new segment from then on, unbind once the
// carrier answered every submit they have in flight (their receipts and
// MOs are answered or left for the carrier to send again, as at
// shutdown). Nothing is lost or sent twice.
func (h *hotConfig) replaceBinds(c *carrier, nc CarrierConfig) bool {
	s := h.s
	run := c.running()
	if run.OutbindListen != nc.OutbindListen || !slices.Equal(run.OptOutErrors, nc.OptOutErrors) {
		return false // applyExtras could not apply them
	}
	binds, err := c.makeBinds(nc)
	if err != nil {
		s.log.Warn("config: new binds", "carrier", nc.Name, "err", err)
		return false
	}
	for _, b := range binds {
		b.cl.Start()
	}
	senders := make([]router.Sender, len(binds))
	for i, b := range binds {
		senders[i] = b
	}
	wait, err := s.rt.ReplaceBinds(nc.Name, senders, nc.TPS)
	if err != nil {
		for _, b := range binds {
			b.cl.Close()
		}
		s.log.Warn("config: replace binds", "carrier", nc.Name, "err", err)
		return false
	}
	c.mu.Lock()
	old := c.binds
	c.binds, c.live = binds, nc
	closing := c.closing
	c.mu.Unlock()
	c.tpsBits.Store(math.Float64bits(nc.TPS))
	c.setBudgetRate(nc.TPS)
	if closing {
		// Shutdown took the old list already: these are closed below too.
		old = append(old, binds...)
	}
	s.log.Info("config: carrier binds replaced", "carrier", nc.Name, "binds", len(binds), "window", nc.Window, "tps", nc.TPS)
	s.retiring.Go(func() {
		ctx, cancel := context.WithTimeout(context.Background(), retireTimeout)
		defer cancel()
		if err := wait(ctx); err != nil {
			s.log.Warn("config: old binds did not stop in time", "carrier", nc.Name, "err", err)
		}
		c.awaitQuiet(ctx, old)
		var unbinds sync.WaitGroup
		for _, b := range old {
			unbinds.Go(func() {
				if err := b.cl.Unbind(ctx); err != nil {
					b.cl.Close()
				}
				s.m.bindsUp.DeleteLabelValues(nc.Name, strconv.Itoa(b.idx))
			})
		}
		unbinds.Wait()
	})
	return true
}

// sameCarrier reports whether a running carrier's settings equal b's.
func sameCarrier(a, b CarrierConfig) bool {
	return a.Name == b.Name && a.Addr == b.Addr && a.SystemID == b.SystemID && a.Password == b.Password &&
		a.SystemType == b.SystemType && a.BindType == b.BindType && a.Binds == b.Binds && a.Window == b.Window &&
		a.TPS == b.TPS && a.MaxInbound == b.MaxInbound && a.OutbindListen == b.OutbindListen &&
		slices.Equal(a.OptOutErrors, b.OptOutErrors) && sameTLS(a.TLS, b.TLS)
}

func sameTLS(a, b *tls.Config) bool {
	if a == nil || b == nil {
		return a == b
	}
	return a.ServerName == b.ServerName && a.InsecureSkipVerify == b.InsecureSkipVerify &&
		(a.RootCAs == nil) == (b.RootCAs == nil) && (a.RootCAs == nil || a.RootCAs.Equal(b.RootCAs))
}

// ConfigApplied returns the version of the carriers and routes this
// instance routes by (-1 before the first apply, or without a
// ConfigSource) and the carriers whose stored settings it does not run
// with (a change that could not apply here: see hotConfig.apply; the
// next change or start tries again).
func (s *Service) ConfigApplied() (version int64, restartFor []string) {
	if s.hot == nil {
		return -1, nil
	}
	s.hot.mu.Lock()
	defer s.hot.mu.Unlock()
	return s.hot.version, slices.Clone(s.hot.pending)
}

// CarrierNames returns the names of the carriers this instance runs.
func (s *Service) CarrierNames() []string {
	carriers := s.carrierList()
	out := make([]string, 0, len(carriers))
	for _, c := range carriers {
		out = append(out, c.cfg.Name)
	}
	return out
}
