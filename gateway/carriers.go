package gateway

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"sync"
	"time"
)

// Carriers added and removed while the Service runs (hotconfig.go). The
// carriers in service are a copy-on-write set behind an atomic pointer:
// every reader (receipts and MOs come through the bind's own carrier,
// the status, TPS and billing paths look a carrier up by name) loads it
// without a lock; s.cmu serialises the changes.

// carrierSet is one immutable version of the Service's carriers.
type carrierSet struct {
	list   []*carrier // in configuration order, carriers added later last
	byName map[string]*carrier
}

// carrierList returns the carriers in service; the caller must not
// change the slice.
func (s *Service) carrierList() []*carrier { return s.carriers.Load().list }

// carrierNamed returns the named carrier in service, or nil.
func (s *Service) carrierNamed(name string) *carrier { return s.carriers.Load().byName[name] }

// publishLocked stores the set with c added (add) or taken out. s.cmu
// must be held.
func (s *Service) publishLocked(c *carrier, add bool) {
	old := s.carriers.Load()
	next := &carrierSet{byName: maps.Clone(old.byName)}
	if add {
		next.list = append(slices.Clip(old.list), c)
		next.byName[c.cfg.Name] = c
	} else {
		next.list = slices.DeleteFunc(slices.Clone(old.list), func(x *carrier) bool { return x == c })
		delete(next.byName, c.cfg.Name)
	}
	s.carriers.Store(next)
}

// errShuttingDown refuses a carrier added while the Service shuts down.
var errShuttingDown = errors.New("gateway: shutting down")

// addCarrier puts carrier cc in service while the Service runs: its
// binds (with its TPS shared through Redis when the gateway has Redis),
// its outbind listener, its opt-out codes and its metrics, then its
// queue and binds in the router. Routes may name it once it returned.
func (s *Service) addCarrier(cc CarrierConfig) error {
	c, err := s.newCarrier(cc)
	if err != nil {
		return err
	}
	if s.redis != nil {
		if err := c.newBudget(s.redis); err != nil {
			c.discard()
			return fmt.Errorf("gateway: carrier %s: tps budget: %w", cc.Name, err)
		}
		c.registerBudgetMetrics(s.reg)
	}
	s.cmu.Lock()
	defer s.cmu.Unlock()
	if s.cclosed {
		c.discard()
		return errShuttingDown
	}
	if s.carrierNamed(cc.Name) != nil {
		c.discard()
		return fmt.Errorf("gateway: carrier %s exists", cc.Name)
	}
	// Published first: the router's limiters find the budget by name.
	s.publishLocked(c, true)
	if err := c.outbind().start(); err != nil {
		s.publishLocked(c, false)
		c.discard()
		return err
	}
	if err := s.rt.AddCarrier(c.routerCarrier()); err != nil {
		s.publishLocked(c, false)
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		c.outbind().stop(ctx)
		c.discard()
		return fmt.Errorf("gateway: %w", err)
	}
	s.carrierOptOuts.set(cc.Name, cc.OptOutErrors)
	c.start()
	return nil
}

// discard closes the binds of a carrier that never went into service,
// and its budget and metrics.
func (c *carrier) discard() {
	for _, b := range c.bindList() {
		b.cl.Close()
	}
	c.closeBudget()
	c.unregisterBudgetMetrics(c.s.reg)
	c.deleteMetrics(c.bindList())
}

// deleteMetrics drops the series labelled with c's name: its latencies
// and the given binds' states (unless a carrier of that name is in
// service again).
func (c *carrier) deleteMetrics(binds []*bind) {
	s := c.s
	if s.carrierNamed(c.cfg.Name) != nil {
		return
	}
	s.m.submitLatency.DeleteLabelValues(c.cfg.Name)
	s.m.receiptLatency.DeleteLabelValues(c.cfg.Name)
	for _, b := range binds {
		s.m.bindsUp.DeleteLabelValues(c.cfg.Name, strconv.Itoa(b.idx))
	}
}

// retireQuiet is how long binds being retired wait after the last
// request from their carrier before they unbind, once every submit they
// sent is answered: the receipts a carrier sends right after its answers
// still come through them. Poll is how often that is looked at.
const (
	retireQuiet = time.Second
	retirePoll  = 50 * time.Millisecond
)

// awaitQuiet waits until binds, which take no new submit, have no submit
// in flight and c sent no request for retireQuiet, or ctx ends, or the
// Service shuts down.
func (c *carrier) awaitQuiet(ctx context.Context, binds []*bind) {
	t := time.NewTicker(retirePoll)
	defer t.Stop()
	for {
		quiet := time.Since(time.Unix(0, c.lastInbound.Load())) >= retireQuiet
		for _, b := range binds {
			if sess := b.cl.Session(); sess != nil && sess.Stats().Outstanding > 0 {
				quiet = false
			}
		}
		if quiet {
			return
		}
		select {
		case <-t.C:
		case <-ctx.Done():
			return
		case <-c.s.stop:
			return
		}
	}
}

// removeCarrier takes c out of service while the Service runs, once no
// route in force names it: the router routes nothing more to it and
// moves what was queued for it to the carrier each job's route names
// now (router.RemoveCarrier); its binds take no new submit, and once
// the carrier answered every submit they have in flight (and its
// receipts for them, which still match, until the unbind) they unbind,
// as at shutdown; its outbind listener stops; its budget and metrics
// go. It returns once the change is made; the unbinding goes on in the
// background (s.retiring).
func (s *Service) removeCarrier(c *carrier) error {
	name := c.cfg.Name
	wait, err := s.rt.RemoveCarrier(name)
	if err != nil {
		return fmt.Errorf("gateway: %w", err)
	}
	s.cmu.Lock()
	s.publishLocked(c, false)
	s.cmu.Unlock()
	c.mu.Lock()
	c.closing = true // no replacement from here
	binds, ob := c.binds, c.ob
	c.mu.Unlock()
	s.carrierOptOuts.set(name, nil)
	s.retiring.Go(func() {
		ctx, cancel := context.WithTimeout(context.Background(), retireTimeout)
		defer cancel()
		if err := wait(ctx); err != nil {
			s.log.Warn("config: the removed carrier's binds did not stop in time", "carrier", name, "err", err)
		}
		c.awaitQuiet(ctx, binds)
		var unbinds sync.WaitGroup
		unbinds.Go(func() { ob.stop(ctx) })
		for _, b := range binds {
			unbinds.Go(func() {
				if err := b.cl.Unbind(ctx); err != nil {
					b.cl.Close()
				}
			})
		}
		unbinds.Wait()
		c.closeBudget()
		c.unregisterBudgetMetrics(s.reg)
		c.deleteMetrics(binds)
		s.log.Info("config: removed carrier unbound", "carrier", name)
	})
	return nil
}
