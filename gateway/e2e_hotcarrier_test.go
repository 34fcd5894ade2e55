package gateway_test

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/gallant-sms/gallant/consent"
	"github.com/gallant-sms/gallant/gateway"
	"github.com/gallant-sms/gallant/router"
	"github.com/gallant-sms/gallant/smpp"
	"github.com/gallant-sms/gallant/smpp/pdu"
	"github.com/gallant-sms/gallant/sms"
	"github.com/gallant-sms/gallant/store"
	"github.com/gallant-sms/gallant/store/storetest"
	"github.com/gallant-sms/gallant/throttle"
)

// memConfig is a ConfigSource kept in memory: set stores a new version.
type memConfig struct {
	mu      sync.Mutex
	version int64
	plans   gateway.Plans
}

func (m *memConfig) Version(context.Context) (int64, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.version, nil
}

func (m *memConfig) Load(context.Context) (gateway.Plans, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.plans, nil
}

// set stores carriers and routes as a new version and returns it.
func (m *memConfig) set(carriers []gateway.CarrierConfig, routes []router.Route) int64 {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.version++
	m.plans = gateway.Plans{Carriers: carriers, Routes: routes}
	return m.version
}

// startHotGateway starts a gateway whose carriers and routes come from
// src (polled every 20 ms), starting with carriers and routes.
func startHotGateway(t *testing.T, driver string, src *memConfig, carriers []gateway.CarrierConfig, routes []router.Route) *gw {
	t.Helper()
	src.set(carriers, routes)
	g := startGatewayDeps(t, storetest.Config(t, driver), store.WriterConfig{}, gateway.Config{Carriers: carriers}, routes,
		func(d *gateway.Deps) { d.Config, d.ConfigPoll = src, 20*time.Millisecond })
	g.waitReady(t)
	return g
}

// waitApplied waits until g routes by version v.
func waitApplied(t *testing.T, g *gw, v int64) {
	t.Helper()
	eventually(t, fmt.Sprintf("version %d applied", v), func() (bool, string) {
		got, pending := g.svc.ConfigApplied()
		return got >= v && len(pending) == 0, fmt.Sprintf("version %d, pending %v", got, pending)
	})
}

// TestE2EHotCarrierAdded: a carrier added to the ConfigSource while the
// gateway runs, with a route to it in the same version, binds and takes
// the next messages within seconds, without a restart; their receipts
// come back through it, and its metrics appear.
func TestE2EHotCarrierAdded(t *testing.T) {
	t.Parallel()
	eachDriver(t, func(t *testing.T, driver string) {
		c1 := newCarrier(t, carrierOpts{})
		c2 := newCarrier(t, carrierOpts{})
		src := &memConfig{}
		cc1, cc2 := carrierConfig("c1", c1.Addr()), carrierConfig("c2", c2.Addr())
		g := startHotGateway(t, driver, src, []gateway.CarrierConfig{cc1}, routeAll("c1"))
		e := g.bind(t, g.customer(t, "Acme"), smpp.Transceiver)
		before := submitMany(t, e, uniqueTexts("before", 3), 3)

		cc2.TPS = 200
		added := time.Now()
		waitApplied(t, g, src.set([]gateway.CarrierConfig{cc1, cc2}, routeAll("c2")))
		after := submitMany(t, e, uniqueTexts("after", 10), 5)
		all := map[string]string{}
		for k, v := range before {
			all[k] = v
		}
		for k, v := range after {
			all[k] = v
		}
		checkAllDelivered(t, e, all)
		t.Logf("carrier added and its messages delivered %v after the change", time.Since(added))
		if got := c1.accepted(); len(got) != 3 {
			t.Fatalf("c1 accepted %v, want the 3 sent before", got)
		}
		got := c2.accepted()
		for text := range after {
			if got[text] != 1 {
				t.Errorf("%q reached c2 %d times, want 1", text, got[text])
			}
		}
		if !slices.Contains(g.svc.CarrierNames(), "c2") {
			t.Fatalf("carriers %v", g.svc.CarrierNames())
		}
		eventually(t, "c2's submitted_total", func() (bool, string) {
			n := g.metric(t, "gallant_router_submitted_total", "carrier", "c2")
			return n == 10, fmt.Sprint(n)
		})
		if n := g.metric(t, "gallant_gateway_carrier_bind_up", "carrier", "c2"); n != 1 {
			t.Fatalf("c2 bind up %v, want 1", n)
		}
		for _, cs := range g.svc.CarrierStatus() {
			if cs.Name == "c2" && cs.TPS != 200 {
				t.Fatalf("c2 status %+v, want tps 200", cs)
			}
		}
		if n := g.metric(t, "gallant_gateway_carriers_restart_pending"); n != 0 {
			t.Fatalf("carriers_restart_pending %v", n)
		}
	})
}

// TestE2EHotCarrierRemovedUnderLoad: a carrier removed from the
// ConfigSource while messages stream to it: the route moves to the other
// carrier first, the messages queued for the removed one go there, those
// in flight on it get their answers (and the receipts it sends before
// its binds unbind); nothing is lost or sent twice, its binds unbind
// (the carrier sees unbind), and it leaves the status and metrics.
func TestE2EHotCarrierRemovedUnderLoad(t *testing.T) {
	t.Parallel()
	eachDriver(t, func(t *testing.T, driver string) {
		c1 := newCarrier(t, carrierOpts{})
		c1.SetDelay(50 * time.Millisecond) // window 10: about 200 msg/s, submits in flight
		c2 := newCarrier(t, carrierOpts{})
		src := &memConfig{}
		cc1, cc2 := carrierConfig("c1", c1.Addr()), carrierConfig("c2", c2.Addr())
		g := startHotGateway(t, driver, src, []gateway.CarrierConfig{cc1, cc2}, routeAll("c1"))
		e := g.bind(t, g.customer(t, "Acme"), smpp.Transceiver)

		texts := uniqueTexts("load", 400)
		var ids map[string]string
		var sends sync.WaitGroup
		sends.Go(func() { ids = submitRetrying(t, e, texts, 10) })
		eventually(t, "messages at c1", func() (bool, string) {
			n := len(c1.Submits())
			return n >= 40, fmt.Sprint(n)
		})
		waitApplied(t, g, src.set([]gateway.CarrierConfig{cc2}, routeAll("c2")))
		atRemoval := len(c1.Submits())
		sends.Wait()

		eventually(t, "c1 unbound", func() (bool, string) {
			for _, end := range c1.SessionEnds() {
				if end.Reason == smpp.ClosePeerUnbind {
					return true, ""
				}
			}
			return false, fmt.Sprint(c1.SessionEnds())
		})
		// Every message reaches exactly one carrier, once.
		got1, got2 := c1.accepted(), c2.accepted()
		eventually(t, "every message at a carrier", func() (bool, string) {
			got1, got2 = c1.accepted(), c2.accepted()
			return len(got1)+len(got2) == len(texts), fmt.Sprintf("c1 %d, c2 %d", len(got1), len(got2))
		})
		for _, text := range texts {
			if got1[text]+got2[text] != 1 {
				t.Errorf("%q: c1 %d times, c2 %d times; want once", text, got1[text], got2[text])
			}
		}
		if len(got2) == 0 {
			t.Fatal("nothing queued for c1 went to c2")
		}
		// Every receipt the carriers sent reaches the customer: those of
		// c1's messages too, sent before its binds unbound.
		_, lost1 := c1.ReceiptsSent()
		_, lost2 := c2.ReceiptsSent()
		if lost2 != 0 {
			t.Fatalf("c2 lost %d receipts", lost2)
		}
		rs := byID(t, waitReceipts(t, e, len(texts)-lost1))
		for text, id := range ids {
			if _, ok := rs[id]; !ok && got2[text] == 1 {
				t.Errorf("%q (%s) sent by c2: no receipt", text, id)
			}
		}
		t.Logf("%d at c1 when removed, %d at c1 in all, %d moved to c2, %d receipts c1 could not send after unbinding",
			atRemoval, len(got1), len(got2), lost1)
		for _, cs := range g.svc.CarrierStatus() {
			if cs.Name == "c1" {
				t.Fatalf("c1 still in the status: %+v", cs)
			}
		}
		if slices.Contains(g.svc.CarrierNames(), "c1") {
			t.Fatalf("carriers %v", g.svc.CarrierNames())
		}
		eventually(t, "c1's metrics gone", func() (bool, string) {
			up := g.metric(t, "gallant_gateway_carrier_bind_up", "carrier", "c1")
			q := g.metric(t, "gallant_router_queue_depth", "carrier", "c1")
			return up == 0 && q == 0, fmt.Sprintf("bind_up %v, queue_depth %v", up, q)
		})
	})
}

// TestE2EHotOutbindListen: a carrier's outbind_listen set through the
// ConfigSource starts a listener without a restart (the carrier's outbind
// gets a receiver bind that brings receipts); cleared, the listener stops
// and the outbind session unbinds.
func TestE2EHotOutbindListen(t *testing.T) {
	t.Parallel()
	c := newCarrier(t, carrierOpts{})
	cc := carrierConfig("c1", c.Addr())
	cc.BindType = smpp.Transmitter
	src := &memConfig{}
	g := startHotGateway(t, "sqlite", src, []gateway.CarrierConfig{cc}, routeAll("c1"))
	if g.svc.OutbindAddr("c1") != nil {
		t.Fatal("an outbind listener before one was configured")
	}
	withOutbind := cc
	withOutbind.OutbindListen = "127.0.0.1:0"
	waitApplied(t, g, src.set([]gateway.CarrierConfig{withOutbind}, routeAll("c1")))
	addr := g.svc.OutbindAddr("c1")
	if addr == nil {
		t.Fatal("no outbind listener after the change")
	}
	if err := c.Outbind(testContext(t), addr.String(), "gallant", "secret"); err != nil {
		t.Fatalf("outbind: %v", err)
	}
	receivers := func() int {
		n := 0
		for _, s := range c.Sessions() {
			if s.State().Bound() && s.BindType() == smpp.Receiver {
				n++
			}
		}
		return n
	}
	eventually(t, "the receiver bind made after the outbind", func() (bool, string) {
		return receivers() == 1, fmt.Sprintf("%d receiver binds", receivers())
	})
	e := g.bind(t, g.customer(t, "Acme"), smpp.Transceiver)
	id := submit(t, e, textSM("receipt by outbind"))
	if r := waitReceipts(t, e, 1)[0]; r.id != id {
		t.Fatalf("receipt for %q, want %q", r.id, id)
	}

	waitApplied(t, g, src.set([]gateway.CarrierConfig{cc}, routeAll("c1")))
	if g.svc.OutbindAddr("c1") != nil {
		t.Fatal("the outbind listener stayed after it was cleared")
	}
	eventually(t, "the outbind session unbound", func() (bool, string) {
		for _, end := range c.SessionEnds() {
			if end.Reason == smpp.ClosePeerUnbind {
				return receivers() == 0, fmt.Sprintf("%d receiver binds", receivers())
			}
		}
		return false, fmt.Sprint(c.SessionEnds())
	})
}

// TestE2EHotOptOutCodes: a carrier's optout_errors changed through the
// ConfigSource count from the next answer, without a restart.
func TestE2EHotOptOutCodes(t *testing.T) {
	t.Parallel()
	const before, after = "447700900501", "447700900502"
	c := newCarrier(t, carrierOpts{decide: func(_ int, sm *pdu.SubmitSM) pdu.Status {
		if a := string(sm.Dest.Addr); a == before || a == after {
			return 0x45
		}
		return pdu.StatusOK
	}})
	cc := carrierConfig("c1", c.Addr())
	src := &memConfig{}
	src.set([]gateway.CarrierConfig{cc}, routeAll("c1"))
	var ledger *consent.Ledger
	g := startGatewayDeps(t, storetest.Config(t, "sqlite"), store.WriterConfig{},
		gateway.Config{Carriers: []gateway.CarrierConfig{cc}}, routeAll("c1"), func(d *gateway.Deps) {
			ledger = consent.NewLedger(d.Store, &consent.Index{}, consent.LedgerConfig{})
			d.OptOutLedger, d.Consent = ledger, ledger.Index()
			d.Config, d.ConfigPoll = src, 20*time.Millisecond
		})
	g.waitReady(t)
	cust := g.customer(t, "Acme")
	e := g.bind(t, cust, smpp.Transceiver)
	send := func(to string) sms.ID {
		sm := textSM("to " + to)
		sm.Dest.Addr = []byte(to)
		id, err := sms.ParseID(submit(t, e, sm))
		if err != nil {
			t.Fatal(err)
		}
		eventually(t, "message to "+to+" failed", func() (bool, string) {
			m, _, err := g.svc.Message(testContext(t), cust.AccountID, id)
			return err == nil && m.Status.Final(), fmt.Sprint(m, err)
		})
		return id
	}
	send(before)
	withCodes := cc
	withCodes.OptOutErrors = []string{"0x45"}
	waitApplied(t, g, src.set([]gateway.CarrierConfig{withCodes}, routeAll("c1")))
	send(after)
	eventually(t, "the carrier's opt-out recorded", func() (bool, string) {
		_, ok := ledger.Index().Blocked(cust.AccountID, "x", after)
		return ok, "not yet"
	})
	if _, ok := ledger.Index().Blocked(cust.AccountID, "x", before); ok {
		t.Fatal("an answer before the codes were set opted its number out")
	}
}

// TestE2EHotCarrierSharedTPS: with Redis, a carrier added through the
// ConfigSource draws on its TPS budget shared by every instance (its
// binds book leases in Redis), and its budget's metrics come and go
// with it.
func TestE2EHotCarrierSharedTPS(t *testing.T) {
	t.Parallel()
	c1 := newCarrier(t, carrierOpts{})
	c2 := newCarrier(t, carrierOpts{})
	rc := testRedisClient(t, testRedisAddr())
	prefix := "gallant-test-hotcarrier-" + strconv.FormatInt(time.Now().UnixNano(), 36) + ":"
	cc1, cc2 := carrierConfig("c1", c1.Addr()), carrierConfig("c2", c2.Addr())
	cc2.TPS = 50
	src := &memConfig{}
	src.set([]gateway.CarrierConfig{cc1}, routeAll("c1"))
	g := startGatewayDeps(t, storetest.Config(t, "sqlite"), store.WriterConfig{},
		gateway.Config{Carriers: []gateway.CarrierConfig{cc1}}, routeAll("c1"), func(d *gateway.Deps) {
			d.Redis = throttle.NewRedis(rc, prefix)
			d.RedisTimeout = 5 * time.Second
			d.Config, d.ConfigPoll = src, 20*time.Millisecond
		})
	g.waitReady(t)
	waitApplied(t, g, src.set([]gateway.CarrierConfig{cc1, cc2}, routeAll("c2")))
	e := g.bind(t, g.customer(t, "Acme"), smpp.Transceiver)
	checkAllDelivered(t, e, submitMany(t, e, uniqueTexts("shared", 5), 5))
	if len(c2.accepted()) != 5 {
		t.Fatalf("c2 accepted %v", c2.accepted())
	}
	if n := g.metric(t, "gallant_gateway_carrier_tps_shared", "carrier", "c2"); n != 1 {
		t.Fatalf("carrier_tps_shared{c2} = %v, want 1", n)
	}
	if n := g.metric(t, "gallant_gateway_carrier_tps_leases_total", "carrier", "c2"); n < 1 {
		t.Fatalf("carrier_tps_leases_total{c2} = %v, want leases booked in Redis", n)
	}
	waitApplied(t, g, src.set([]gateway.CarrierConfig{cc1}, routeAll("c1")))
	eventually(t, "c2's budget metrics gone", func() (bool, string) {
		// The leases counted above go with the collector.
		n := g.metric(t, "gallant_gateway_carrier_tps_leases_total", "carrier", "c2")
		return n == 0, fmt.Sprint(n)
	})
}
