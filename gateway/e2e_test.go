package gateway_test

// The end-to-end harness: a real gateway (store, batched writer, account
// service, router, carrier binds, customer SMPP server) on 127.0.0.1,
// fake carriers from smpptest recording what they are sent, and fake
// ESMEs for customers. Every test runs on both stores.

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"golang.org/x/crypto/bcrypt"

	"github.com/gallant-sms/gallant/account"
	"github.com/gallant-sms/gallant/billing"
	"github.com/gallant-sms/gallant/gateway"
	"github.com/gallant-sms/gallant/internal/testutil"
	"github.com/gallant-sms/gallant/router"
	"github.com/gallant-sms/gallant/smpp"
	"github.com/gallant-sms/gallant/smpp/pdu"
	"github.com/gallant-sms/gallant/smpp/pdutext"
	"github.com/gallant-sms/gallant/smpp/smpptest"
	"github.com/gallant-sms/gallant/sms"
	"github.com/gallant-sms/gallant/store"
	"github.com/gallant-sms/gallant/store/storetest"
)

const waitLong = testutil.WaitLong

// Shared end-to-end helpers (see internal/testutil).
var (
	eachDriver  = testutil.EachDriver
	testContext = testutil.Context
	eventually  = testutil.Eventually
	testLogger  = testutil.Logger
)

// carrier is a fake SMSC that records every submit_sm with its arrival
// time and answers with a policy the test chooses.
type carrier struct {
	*smpptest.Server
	mu      sync.Mutex
	arrived []time.Time // parallel to Submits()
}

// carrierOpts tunes newCarrier.
type carrierOpts struct {
	// decide answers a submit_sm (n counts from 1); nil accepts all.
	decide func(n int, sm *pdu.SubmitSM) pdu.Status
	// noReceipts turns delivery receipts off.
	noReceipts bool
	// stat is the receipts' state; "" is DELIVRD.
	stat pdutext.Stat
}

func newCarrier(t testing.TB, o carrierOpts) *carrier {
	t.Helper()
	c := &carrier{Server: smpptest.NewUnstartedServer()}
	c.Receipts = !o.noReceipts
	c.ReceiptStat = o.stat
	c.SubmitFunc = func(_ string, sm *pdu.SubmitSM) pdu.Status {
		c.mu.Lock()
		c.arrived = append(c.arrived, time.Now())
		n := len(c.arrived)
		c.mu.Unlock()
		if o.decide != nil {
			return o.decide(n, sm)
		}
		return pdu.StatusOK
	}
	if err := c.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// arrivals returns when each submit_sm arrived, in order.
func (c *carrier) arrivals() []time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]time.Time(nil), c.arrived...)
}

// accepted counts the accepted submit_sm by text.
func (c *carrier) accepted() map[string]int {
	out := map[string]int{}
	for _, s := range c.Submits() {
		if s.Status == pdu.StatusOK {
			out[string(s.SM.Payload())]++
		}
	}
	return out
}

// carrierConfig is a gateway carrier bound to c.
func carrierConfig(name, addr string) gateway.CarrierConfig {
	return gateway.CarrierConfig{Name: name, Addr: addr, SystemID: "gallant", Password: "secret",
		Binds: 1, Window: 10, MinBackoff: 20 * time.Millisecond, MaxBackoff: 200 * time.Millisecond}
}

// routeAll sends every destination to the named carriers, in priority
// order.
func routeAll(names ...string) []router.Route {
	r := router.Route{Prefix: ""}
	for i, n := range names {
		r.Carriers = append(r.Carriers, router.Choice{Carrier: n, Priority: i, Weight: 1})
	}
	return []router.Route{r}
}

// gw is a running gateway.
type gw struct {
	t      testing.TB
	st     *store.Store
	w      *store.Writer
	acc    *account.Service
	svc    *gateway.Service
	reg    *prometheus.Registry
	addr   string
	served chan error
	once   sync.Once
	// drain bounds the shutdown (default 30 s); undrainedOK accepts a
	// router that could not drain in time (a carrier that is down).
	drain       time.Duration
	undrainedOK bool
}

// startGateway starts a gateway on the store scfg names, with cfg's
// carriers and routes, and stops it when the test ends.
func startGateway(t testing.TB, scfg store.Config, cfg gateway.Config, routes []router.Route) *gw {
	t.Helper()
	return startGatewayWriter(t, scfg, store.WriterConfig{}, cfg, routes)
}

// startWithCarrier starts a test carrier with o and, on driver's store, a
// gateway whose one carrier "c1" it is and which routes every number there;
// it returns both once the gateway is ready.
func startWithCarrier(t testing.TB, driver string, o carrierOpts) (*carrier, *gw) {
	t.Helper()
	c := newCarrier(t, o)
	g := startGateway(t, storetest.Config(t, driver), gateway.Config{
		Carriers: []gateway.CarrierConfig{carrierConfig("c1", c.Addr())}}, routeAll("c1"))
	g.waitReady(t)
	return c, g
}

// startGatewayWriter is startGateway with a writer configured by wcfg.
func startGatewayWriter(t testing.TB, scfg store.Config, wcfg store.WriterConfig, cfg gateway.Config, routes []router.Route) *gw {
	t.Helper()
	return startGatewayDeps(t, scfg, wcfg, cfg, routes, nil)
}

// startGatewayDeps is startGatewayWriter with withDeps, if not nil,
// completing the gateway's dependencies.
func startGatewayDeps(t testing.TB, scfg store.Config, wcfg store.WriterConfig, cfg gateway.Config, routes []router.Route,
	withDeps func(*gateway.Deps)) *gw {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	st, err := store.Open(ctx, scfg, nil)
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	if _, err := st.Migrate(ctx); err != nil {
		st.Close()
		t.Fatalf("migrate: %v", err)
	}
	g := &gw{t: t, st: st, reg: prometheus.NewRegistry(), served: make(chan error, 1)}
	if g.w, err = store.NewWriter(st, wcfg, g.reg); err != nil {
		st.Close()
		t.Fatal(err)
	}
	g.acc = account.New(st, nil)
	// The default cost takes over a second per hash and per first bind
	// under the race detector; two cores cannot afford it in every test.
	g.acc.SetPasswordCost(bcrypt.MinCost)
	logger := testLogger(t)
	deps := gateway.Deps{Store: st, Writer: g.w, Accounts: g.acc, Routes: routes, Node: 1}
	if withDeps != nil {
		withDeps(&deps)
	}
	g.svc, err = gateway.New(cfg, deps, logger, g.reg)
	if err != nil {
		g.w.Close(ctx)
		st.Close()
		t.Fatalf("gateway.New: %v", err)
	}
	if err := g.svc.Start(ctx); err != nil {
		t.Fatalf("gateway start: %v", err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	g.addr = ln.Addr().String()
	go func() { g.served <- g.svc.SMPPServer().Serve(ln) }()
	t.Cleanup(g.stop)
	return g
}

// stop shuts the gateway down in order and closes its store; it may be
// called before the test ends (a restart) and again by the cleanup.
func (g *gw) stop() {
	g.once.Do(func() {
		drain := g.drain
		if drain == 0 {
			drain = 30 * time.Second
		}
		ctx, cancel := context.WithTimeout(context.Background(), drain)
		defer cancel()
		if err := g.svc.Shutdown(ctx); err != nil && !g.undrainedOK {
			g.t.Errorf("gateway shutdown: %v", err)
		}
		wctx, wcancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer wcancel()
		if err := <-g.served; err != nil && !errors.Is(err, smpp.ErrServerClosed) {
			g.t.Errorf("smpp serve: %v", err)
		}
		if err := g.w.Close(wctx); err != nil {
			g.t.Errorf("writer close: %v", err)
		}
		if err := g.st.Close(); err != nil {
			g.t.Errorf("store close: %v", err)
		}
	})
}

// waitReady waits until a carrier bind is up.
func (g *gw) waitReady(t testing.TB) {
	t.Helper()
	eventually(t, "a carrier bind", func() (bool, string) {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		err := g.svc.Ready(ctx)
		return err == nil, fmt.Sprint(err)
	})
}

// customer creates an account with account.Service.CreateAccount and
// returns its credentials.
func (g *gw) customer(t testing.TB, name string) account.Created {
	t.Helper()
	c, err := g.acc.CreateAccount(testContext(t), name)
	if err != nil {
		t.Fatalf("create account: %v", err)
	}
	return c
}

// bind binds an ESME of c to the gateway.
func (g *gw) bind(t testing.TB, c account.Created, bt smpp.BindType) *smpptest.ESME {
	t.Helper()
	e, err := smpptest.NewESME(testContext(t), g.addr, smpp.ClientConfig{BindType: bt,
		SystemID: c.SystemID, Password: c.SMPPPassword}, nil)
	if err != nil {
		t.Fatalf("bind %s as %v: %v", c.SystemID, bt, err)
	}
	t.Cleanup(func() { e.Close() })
	return e
}

// metric returns the value of a counter or gauge series whose labels
// include want (name=value pairs), summed over matching series.
func (g *gw) metric(t testing.TB, name string, want ...string) float64 {
	t.Helper()
	mfs, err := g.reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	total := 0.0
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
	series:
		for _, m := range mf.GetMetric() {
			for i := 0; i+1 < len(want); i += 2 {
				found := false
				for _, lp := range m.GetLabel() {
					if lp.GetName() == want[i] && lp.GetValue() == want[i+1] {
						found = true
					}
				}
				if !found {
					continue series
				}
			}
			switch {
			case m.GetCounter() != nil:
				total += m.GetCounter().GetValue()
			case m.GetGauge() != nil:
				total += m.GetGauge().GetValue()
			}
		}
	}
	return total
}

// The addresses customers send from and to.
var (
	alphaSender = pdu.Address{TON: 5, NPI: 0, Addr: []byte("Acme")}
	handset     = pdu.Address{TON: 1, NPI: 1, Addr: []byte("447700900123")}
)

// textSM is a GSM text submit_sm asking for a receipt.
func textSM(text string) *pdu.SubmitSM {
	return &pdu.SubmitSM{Source: alphaSender, Dest: handset, RegisteredDelivery: 1, ShortMessage: []byte(text)}
}

// submit sends sm and returns our message id, failing the test on a
// refusal.
func submit(t testing.TB, e *smpptest.ESME, sm *pdu.SubmitSM) string {
	t.Helper()
	id, err := e.Submit(testContext(t), sm)
	if err != nil {
		t.Fatalf("submit_sm: %v", err)
	}
	if _, perr := sms.ParseID(id); perr != nil || len(id) > 64 {
		t.Fatalf("submit_sm_resp message_id %q is not one of our ids: %v", id, perr)
	}
	return id
}

// statusOf returns the command_status of a Call's error.
func statusOf(err error) pdu.Status {
	var st pdu.Status
	if errors.As(err, &st) {
		return st
	}
	if err == nil {
		return pdu.StatusOK
	}
	return 0xFFFFFFFF
}

// query sends query_sm for id and returns the answer's message_state.
func query(t testing.TB, e *smpptest.ESME, id string) (pdu.QuerySMResp, error) {
	t.Helper()
	q := pdu.QuerySM{MessageID: []byte(id), Source: alphaSender}
	_, body, err := e.Session().Call(testContext(t), pdu.QuerySMID, q.AppendBody(nil))
	if err != nil {
		return pdu.QuerySMResp{}, err
	}
	var r pdu.QuerySMResp
	if err := r.Decode(body); err != nil {
		t.Fatalf("decode query_sm_resp: %v", err)
	}
	return r, nil
}

// cancel sends cancel_sm for id and returns its command_status.
func cancel(t testing.TB, e *smpptest.ESME, id string) pdu.Status {
	t.Helper()
	c := pdu.CancelSM{MessageID: []byte(id), Source: alphaSender, Dest: handset}
	_, _, err := e.Session().Call(testContext(t), pdu.CancelSMID, c.AppendBody(nil))
	return statusOf(err)
}

// receipt is a decoded delivery receipt a customer got.
type receipt struct {
	id    string // receipted_message_id
	state pdutext.MessageState
	text  pdutext.Receipt
	dm    pdu.DeliverSM
}

// receipts decodes the deliver_sm a customer received, failing the test
// on anything that is not a well-formed receipt.
func receipts(t testing.TB, ds []smpptest.Deliver) []receipt {
	t.Helper()
	out := make([]receipt, 0, len(ds))
	for _, d := range ds {
		if d.DM.ESMClass != 0x04 {
			t.Fatalf("deliver_sm esm_class %#x, want 0x04 (receipt)", d.DM.ESMClass)
		}
		rid, ok := d.DM.TLVs.CString(pdu.TagReceiptedMessageID)
		if !ok {
			t.Fatal("receipt without receipted_message_id")
		}
		ms, ok := d.DM.TLVs.Byte(pdu.TagMessageState)
		if !ok {
			t.Fatal("receipt without message_state")
		}
		r, err := pdutext.ParseReceipt(d.DM.ShortMessage)
		if err != nil {
			t.Fatalf("receipt text %q: %v", d.DM.ShortMessage, err)
		}
		if r.ID != string(rid) {
			t.Fatalf("receipt text id %q, receipted_message_id %q", r.ID, rid)
		}
		if r.Stat.State() != pdutext.MessageState(ms) {
			t.Fatalf("receipt stat %s disagrees with message_state %d", r.Stat, ms)
		}
		out = append(out, receipt{id: string(rid), state: pdutext.MessageState(ms), text: r, dm: d.DM})
	}
	return out
}

// waitReceipts waits for n receipts on e and returns them decoded.
func waitReceipts(t testing.TB, e *smpptest.ESME, n int) []receipt {
	t.Helper()
	return waitReceiptsWithin(t, e, n, waitLong)
}

// waitReceiptsWithin is waitReceipts with its own bound.
func waitReceiptsWithin(t testing.TB, e *smpptest.ESME, n int, d time.Duration) []receipt {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	ds, err := e.WaitDelivers(ctx, n)
	if err != nil {
		t.Fatalf("%v (got %d)", err, len(e.Delivers()))
	}
	return receipts(t, ds)
}

// byID indexes receipts by receipted_message_id, failing on duplicates.
func byID(t testing.TB, rs []receipt) map[string]receipt {
	t.Helper()
	m := make(map[string]receipt, len(rs))
	for _, r := range rs {
		if _, dup := m[r.id]; dup {
			t.Fatalf("two receipts for message %s", r.id)
		}
		m[r.id] = r
	}
	return m
}

// waitSubmits waits for n submit_sm at c.
func waitSubmits(t testing.TB, c *carrier, n int) []smpptest.Submit {
	t.Helper()
	subs, err := c.WaitSubmits(testContext(t), n)
	if err != nil {
		t.Fatalf("%v (got %d)", err, len(c.Submits()))
	}
	return subs
}

// relTime is an SMPP relative time field for d (second resolution).
func relTime(d time.Duration) []byte {
	return pdutext.AppendRelTime(nil, d)
}

func itoa(n int) string { return strconv.Itoa(n) }

func ftoa(f float64) string { return strconv.FormatFloat(f, 'g', -1, 64) }

func errString(err error) string {
	if err == nil {
		return "nil"
	}
	return err.Error()
}

// gsmText makes a GSM text of n characters that says where it is, so a
// reassembled text shows which part went missing.
func gsmText(n int) string {
	var b bytes.Buffer
	for i := 0; b.Len() < n; i++ {
		fmt.Fprintf(&b, "part %03d; ", i)
	}
	return b.String()[:n]
}

// gate is a TCP proxy in front of a carrier that refuses connections
// until opened: a carrier that cannot be reached, then can.
type gate struct {
	ln     net.Listener
	target string
	mu     sync.Mutex
	open   bool
	conns  []net.Conn
	wg     sync.WaitGroup
}

func newGate(t testing.TB, target string) *gate {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	g := &gate{ln: ln, target: target}
	g.wg.Add(1)
	go g.serve()
	t.Cleanup(g.close)
	return g
}

func (g *gate) addr() string { return g.ln.Addr().String() }

// setOpen lets connections through (or refuses new ones).
func (g *gate) setOpen(open bool) {
	g.mu.Lock()
	g.open = open
	g.mu.Unlock()
}

func (g *gate) serve() {
	defer g.wg.Done()
	for {
		c, err := g.ln.Accept()
		if err != nil {
			return
		}
		g.mu.Lock()
		open := g.open
		g.mu.Unlock()
		if !open {
			c.Close()
			continue
		}
		up, err := net.Dial("tcp", g.target)
		if err != nil {
			c.Close()
			continue
		}
		g.mu.Lock()
		g.conns = append(g.conns, c, up)
		g.mu.Unlock()
		g.wg.Add(2)
		go g.pipe(up, c)
		go g.pipe(c, up)
	}
}

func (g *gate) pipe(dst, src net.Conn) {
	defer g.wg.Done()
	_, _ = io.Copy(dst, src)
	dst.Close()
	src.Close()
}

func (g *gate) close() {
	g.ln.Close()
	g.mu.Lock()
	for _, c := range g.conns {
		c.Close()
	}
	g.mu.Unlock()
	g.wg.Wait()
}

// startBilledGateway starts a gateway on a fresh store of driver, sending
// through carrier cc (routed everything, as "c1"), that bills every
// message at 0.01 EUR a segment to +44 (a default plan) from prepaid
// balances, returned with it.
func startBilledGateway(t *testing.T, driver string, cc gateway.CarrierConfig) (*gw, *billing.Balances) {
	t.Helper()
	ctx := testContext(t)
	var bal *billing.Balances
	g := startGatewayDeps(t, storetest.Config(t, driver), store.WriterConfig{}, gateway.Config{
		Carriers: []gateway.CarrierConfig{cc}}, routeAll("c1"),
		func(d *gateway.Deps) {
			plan := &store.PricePlan{Name: "standard", Currency: "EUR", Default: true, ValidFrom: time.Now().Add(-time.Hour),
				Prices: []store.PlanPrice{{Prefix: "44", PriceMicros: 10_000}}}
			if err := d.Store.CreatePricePlan(ctx, plan); err != nil {
				t.Fatal(err)
			}
			p := billing.NewPricer(d.Store)
			if err := p.Reload(ctx); err != nil {
				t.Fatal(err)
			}
			var err error
			if bal, err = billing.NewBalances(d.Store, d.Writer, billing.DefaultConfig(), nil); err != nil {
				t.Fatal(err)
			}
			d.Billing = &gateway.Billing{Pricer: p, Balances: bal}
		})
	return g, bal
}
