package main

// Issue 15, "Several instances, one platform": three `gallant serve`
// processes on one MariaDB database and one Redis, a carrier at 300
// msg/s, SMPP and HTTP load spread over all three, and one of them killed
// (SIGKILL) mid-run and started again.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gallant-sms/gallant/account"
	"github.com/gallant-sms/gallant/gateway"
	"github.com/gallant-sms/gallant/internal/testutil"
	"github.com/gallant-sms/gallant/smpp"
	"github.com/gallant-sms/gallant/smpp/pdu"
	"github.com/gallant-sms/gallant/smpp/smpptest"
	"github.com/gallant-sms/gallant/store"
	"github.com/gallant-sms/gallant/store/storetest"
)

// The scenario of TestE2EThreeInstancesKillRestart.
const (
	threeInstances = 3
	// threeTPS is the carrier's TPS, a budget the instances share
	// through Redis.
	threeTPS = 300
	// Each instance takes two sources, an SMPP customer and an HTTP
	// customer, each offering threePerSource messages at threeRate msg/s
	// with threeWorkers requests in flight at most: 600 msg/s offered in
	// all, twice the TPS, so every instance holds a backlog when one is
	// killed. 3,600 messages, 12 s of the carrier's TPS.
	threePerSource = 600
	threeRate      = 100
	threeWorkers   = 8
	// The victim is killed once threeKillAfter messages are acknowledged
	// in all, about two seconds into the load, and threeKillBacklog of
	// those it acknowledged have not reached the carrier.
	threeKillAfter   = 1200
	threeKillBacklog = 20
	// threeVictim is the slot of the instance killed and started again.
	threeVictim = 1
	// threeInFlight: a message that reached the carrier twice must have
	// first reached it at most this long before the kill (its carrier
	// answer was not committed: group commit takes milliseconds), the
	// rule of TestE2ESIGKILL and TestE2EKilledInstanceTakenOver; so must
	// the first copy of a receipt that reached its customer twice (the
	// carrier's receipt was not committed, and the carrier sent it again).
	threeInFlight = time.Second
	// threeTPSBound is the most the carrier may receive in one second:
	// throttle.Shared's documented bound TPS + (1.5N+1) leases of 20 ms
	// of the TPS (N = 3 instances running at once, 6 tokens a lease at
	// 300 msg/s: 333), plus 10 for arrival jitter moving a few messages
	// across a second's boundary, as in TestE2ECarrierTPSAcrossInstances.
	// A process that starts (the restart) adds nothing: its pool is empty
	// when it starts, and every lease it books is in Redis's budget. The
	// carrier runs in the test's process: a second in which that process
	// stood still for d (a loaded machine) may count TPS x d more, which
	// arrived during the stall and were timestamped after it (stallWatch).
	threeTPSBound = threeTPS + 33 + 10
)

// TestE2EThreeInstancesKillRestart: three gateway processes on one
// MariaDB database and one Redis, node lease 3 s; a carrier simulator at
// 300 msg/s (carrier TPS shared through Redis) that sends a DELIVRD
// receipt 200 ms after each submit_sm, keeps at most 100 unanswered
// receipts a bind and never sends a refused receipt again (as a real
// SMSC; an unanswered one, after a lost connection, it sends again). On
// each instance an SMPP customer submits through a transmitter, and
// binds a receiver on every instance, and an HTTP customer POSTs
// /v1/messages, 3,600 messages at 600 msg/s in all. About two seconds in,
// once it holds acknowledged messages the carrier has not received, one
// instance is killed (SIGKILL): its customers rebind their transmitter to
// the next instance (as a client with a list of addresses does) and its
// HTTP traffic goes to the next one (as a load balancer does); once the
// carrier has taken a second's worth of messages from the survivors, it
// is started again with the same configuration, and every SMPP customer
// binds a receiver on it again.
//
// Then: every acknowledged message (submit_sm_resp ESME_ROK, HTTP 202)
// reaches the carrier; only one in flight at the kill (threeInFlight)
// reaches it twice, none three times; every SMPP message's receipt
// reaches its customer on one of its receivers, twice only if the first
// came within threeInFlight before the kill; every HTTP message is
// "delivered" in GET /v1/messages/{id} (status callbacks queued in the
// killed process's memory are lost with it: the status is what an HTTP
// customer can count on); and the carrier never receives more than
// threeTPSBound in a second (plus what arrived while the test's process
// stood still, counted after it).
//
// Two ways: started again at once, a second after the kill, within the
// node lease (its lock file proves its previous life gone, so it takes
// its node over and sends what that life left; on a machine so loaded
// that the start outlasts the lease, a survivor takes them over first, as
// the test logs), and started again only once a survivor has taken the
// node's messages over (it then leases another node, and must not send
// them).
func TestE2EThreeInstancesKillRestart(t *testing.T) {
	t.Parallel()
	bin := buildGallant(t)
	for _, afterTakeover := range []bool{false, true} {
		name := "restart-at-once"
		if afterTakeover {
			name = "restart-after-takeover"
		}
		t.Run(storetest.MySQL+"/"+name, func(t *testing.T) {
			t.Parallel()
			testThreeInstancesKillRestart(t, bin, afterTakeover)
		})
	}
}

func testThreeInstancesKillRestart(t *testing.T, bin string, afterTakeover bool) {
	began := time.Now()
	scfg := storetest.Config(t, storetest.MySQL)

	// The carrier runs in this process: the time it reads for an arrival
	// is late when the process did not run for a while (a loaded machine
	// descheduling it), and what arrived meanwhile is counted at once.
	stalls := watchStalls(t)
	arr := &arrivalCarrier{at: map[string][]time.Time{}}
	sim, simAddr := testutil.StartSimulator(t, smpptest.SimConfig{
		ReceiptDelay:  200 * time.Millisecond,
		ReceiptWindow: 100,
		NoResend:      true,
		OnSubmit: func(_, _ pdu.Address, dc byte, text []byte) {
			arr.record(gateway.DecodeText(text, dc))
		},
	})

	// The customers, one SMPP and one HTTP per instance.
	ctx := testContext(t)
	st, err := store.Open(ctx, scfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	acc := account.New(st, nil)
	smppCust := make([]customer, threeInstances)
	httpCust := make([]customer, threeInstances)
	for i := range threeInstances {
		smppCust[i] = newCustomer(t, st, acc, fmt.Sprintf("Smpp%d", i), "")
		httpCust[i] = newCustomer(t, st, acc, fmt.Sprintf("Http%d", i), "")
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}

	cfg := serveConfig(scfg, simAddr, "3s", 2)
	cfg["carriers"].([]any)[0].(map[string]any)["tps"] = threeTPS
	cfg["carriers"].([]any)[0].(map[string]any)["window"] = 50
	cfg["redis"] = map[string]any{"addr": testRedisAddr(), "prefix": testRedisPrefix()}
	cfgPath := filepath.Join(t.TempDir(), "gallant.yaml")
	writeJSONConfig(t, cfgPath, cfg)

	f := &fleet{procs: make([]*gallantProc, threeInstances)}
	for i := range threeInstances {
		f.set(i, startGallant(t, bin, cfgPath))
	}
	// Every instance bound to the carrier (2 binds each) before the load.
	eventually(t, "every instance bound to the carrier", func() (bool, string) {
		n := 0
		for _, s := range sim.SMPP().Sessions() {
			if s.SystemID() == carrierSystemID && s.State().Bound() {
				n++
			}
		}
		return n == 2*threeInstances, fmt.Sprintf("%d binds", n)
	})
	// Every SMPP customer's receivers, one on each instance.
	rx := make([]*receivers, threeInstances)
	for i, c := range smppCust {
		rx[i] = &receivers{}
		for slot := range threeInstances {
			_, p := f.pick(slot)
			rx[i].add(bindESME(t, p.smppAddr, c, smpp.Receiver))
		}
	}

	// The load.
	stop := make(chan struct{})
	transport := &http.Transport{MaxIdleConnsPerHost: threeWorkers}
	client := &http.Client{Transport: transport, Timeout: 20 * time.Second}
	var sources []*threeSource
	var smppClients []*smppClient
	for i := range threeInstances {
		sc := &smppClient{f: f, home: i, c: smppCust[i]}
		smppClients = append(smppClients, sc)
		sources = append(sources,
			&threeSource{name: fmt.Sprintf("s%d", i), send: sc.submit},
			&threeSource{name: fmt.Sprintf("h%d", i), send: httpSender(f, i, httpCust[i], client)})
	}
	for _, s := range sources {
		s.start(stop)
	}
	t.Cleanup(func() {
		close(stop)
		for _, s := range sources {
			<-s.done
		}
		for _, sc := range smppClients {
			sc.close()
		}
		transport.CloseIdleConnections()
	})
	acked := func() int {
		n := 0
		for _, s := range sources {
			n += s.count()
		}
		return n
	}
	// unsent counts what the victim acknowledged and the carrier has not
	// received yet.
	unsent := func() int {
		n := 0
		for _, s := range sources {
			for text, a := range s.snapshot() {
				if a.slot == threeVictim && len(arr.arrivals(text)) == 0 {
					n++
				}
			}
		}
		return n
	}
	// Mid-run, about two seconds in, with a backlog in the victim (it
	// takes twice its share of the TPS).
	eventually(t, "the load under way, with messages the victim acknowledged unsent", func() (bool, string) {
		n, u := acked(), unsent()
		return n >= threeKillAfter && u >= threeKillBacklog, fmt.Sprintf("%d acknowledged, %d of the victim's unsent", n, u)
	})

	// The kill: clients see the instance gone at once.
	victim := f.down(threeVictim)
	killed := victim.kill(t)
	// What the survivors or the restart must send.
	left := unsent()
	if left == 0 {
		t.Fatalf("every message the killed instance acknowledged had reached the carrier at the kill: nothing left to take over")
	}
	// The platform goes on without it: a second's worth of the TPS at the
	// carrier after the kill, then it starts again; or once a survivor
	// has taken the node over (its lease expired).
	eventually(t, "the survivors sending after the kill", func() (bool, string) {
		n := arr.since(killed)
		return n >= threeTPS, fmt.Sprint(n)
	})
	if afterTakeover {
		eventually(t, "a survivor recovering the killed instance's messages", func() (bool, string) {
			for i := range threeInstances {
				if _, p := f.pick(i); p != nil && strings.Contains(p.logText(), "recovered unfinished messages") {
					return true, ""
				}
			}
			return false, "no survivor logged it"
		})
	}
	restarting := time.Now()
	restarted := startGallant(t, bin, cfgPath)
	t.Logf("restarting %v after the kill, serving %v later", restarting.Sub(killed).Round(time.Millisecond), time.Since(restarting).Round(time.Millisecond))
	f.set(threeVictim, restarted)
	restartedAt := time.Now()
	for i, c := range smppCust {
		rx[i].add(bindESME(t, restarted.smppAddr, c, smpp.Receiver))
	}

	for _, s := range sources {
		select {
		case <-s.done:
		case <-time.After(waitLong):
			t.Fatalf("source %s still sending after %v", s.name, waitLong)
		}
	}

	// (a) Every acknowledged message at the carrier.
	eventually(t, "every acknowledged message at the carrier", func() (bool, string) {
		missing, total := 0, 0
		for _, s := range sources {
			for text := range s.snapshot() {
				total++
				if len(arr.arrivals(text)) == 0 {
					missing++
				}
			}
		}
		return missing == 0, fmt.Sprintf("%d of %d missing", missing, total)
	})

	// (b) Twice only what was in flight at the kill; never three times.
	dups := 0
	arr.mu.Lock()
	for text, at := range arr.at {
		if len(at) > 1 {
			dups++
			if len(at) > 2 || at[0].Before(killed.Add(-threeInFlight)) {
				t.Errorf("%q reached the carrier %d times, first %v before the kill", text, len(at), killed.Sub(at[0]))
			}
		}
	}
	arr.mu.Unlock()

	// (c) Every SMPP message's receipt at its customer.
	var receiptDups int
	for i, s := range sources {
		if i%2 != 0 {
			continue // HTTP
		}
		r := rx[i/2]
		want := s.snapshot()
		var missing []string
		deadline := time.Now().Add(waitLong)
		for {
			got := r.receipts()
			missing = missing[:0]
			for text, a := range want {
				if len(got[a.id]) == 0 {
					missing = append(missing, text)
				}
			}
			if len(missing) == 0 || time.Now().After(deadline) {
				break
			}
			time.Sleep(20 * time.Millisecond)
		}
		if len(missing) > 0 {
			db := rawDB(t, scfg)
			for _, text := range missing[:min(len(missing), 5)] {
				id := want[text].id
				var held int
				if err := db.QueryRow("SELECT COUNT(*) FROM held_receipts WHERE message_id = ?", id).Scan(&held); err != nil {
					t.Log(err)
				}
				_, body, err := getMessage(ctx, client, f, 0, smppCust[i/2].APIKey, id)
				var at []string
				for _, x := range arr.arrivals(text) {
					at = append(at, x.Sub(killed).Round(time.Millisecond).String())
				}
				t.Errorf("customer %s: no receipt for %q (id %s, acknowledged by instance %d): at the carrier %v after the kill; %d held rows; stored: %s %v",
					s.name, text, id, want[text].slot, at, held, body, err)
			}
			t.Fatalf("customer %s: %d of %d receipts missing", s.name, len(missing), len(want))
		}
		got := r.receipts()
		ids := map[string]bool{}
		for _, a := range want {
			ids[a.id] = true
		}
		for id, at := range got {
			if !ids[id] {
				// A message the victim took but could not acknowledge: no
				// rule for it, beyond the carrier's.
				continue
			}
			if len(at) > 1 {
				receiptDups++
				if len(at) > 2 || at[0].Before(killed.Add(-threeInFlight)) {
					t.Errorf("customer %s: the receipt of %s arrived %d times, first %v before the kill",
						s.name, id, len(at), killed.Sub(at[0]))
				}
			}
		}
	}

	// (d) Every HTTP message delivered, as its customer reads it.
	for i, s := range sources {
		if i%2 != 1 {
			continue
		}
		c := httpCust[i/2]
		missing := map[string]bool{}
		for _, a := range s.snapshot() {
			missing[a.id] = true
		}
		var last string
		eventually(t, "every message of HTTP customer "+s.name+" delivered", func() (bool, string) {
			for id := range missing {
				status, err := messageStatus(ctx, client, f, i/2, c.APIKey, id)
				if err != nil {
					last = err.Error()
					break
				}
				if status == "delivered" {
					delete(missing, id)
				} else {
					last = id + " " + status
				}
			}
			return len(missing) == 0, fmt.Sprintf("%d not delivered (%s)", len(missing), last)
		})
	}

	// (e) The carrier's TPS in every second.
	var all []time.Time
	arr.mu.Lock()
	for _, at := range arr.at {
		all = append(all, at...)
	}
	arr.mu.Unlock()
	slices.SortFunc(all, func(a, b time.Time) int { return a.Compare(b) })
	perSec := make([]int, int(all[len(all)-1].Sub(all[0])/time.Second)+1)
	for _, at := range all {
		perSec[int(at.Sub(all[0])/time.Second)]++
	}
	for s, n := range perSec {
		from := all[0].Add(time.Duration(s) * time.Second)
		held := stalls.within(from, from.Add(time.Second))
		if extra := int(math.Ceil(threeTPS * held.Seconds())); n > threeTPSBound+extra {
			t.Errorf("second %d: the carrier received %d, over %d (TPS %d, and %d for %v this process stood still); Redis fallbacks per instance: %v",
				s, n, threeTPSBound+extra, threeTPS, extra, held, f.fallbacks(t))
		}
	}

	// The victim's messages went out through the restart (its node lease
	// taken over) or a survivor (the lease expired first).
	tookOver := strings.Contains(restarted.logText(), "node lease taken over")
	how := "a survivor recovered them"
	if tookOver {
		how = "the restart took its node over"
	}
	if afterTakeover && tookOver {
		t.Errorf("started after a survivor took the node over, the restart took it back:\n%s", restarted.logText())
	}
	var failedN, bySlot [threeInstances]int
	for _, s := range sources {
		s.mu.Lock()
		for _, a := range s.acked {
			bySlot[a.slot]++
		}
		s.mu.Unlock()
	}
	for i := range threeInstances {
		failedN[i] = sources[2*i].failures() + sources[2*i+1].failures()
	}
	t.Logf("%d messages at the carrier in %v; per second %v (bound %d); %d acknowledged (by instance %v), %d not (by source pair %v); %d acknowledged by the victim were not at the carrier at the kill (%s); restarted %v after the kill; %d sent twice, %d SMPP receipts delivered twice; test ran %v",
		len(all), all[len(all)-1].Sub(all[0]).Round(time.Millisecond), perSec, threeTPSBound, acked(), bySlot,
		failedN[0]+failedN[1]+failedN[2], failedN, left, how, restartedAt.Sub(killed).Round(time.Millisecond),
		dups, receiptDups, time.Since(began).Round(time.Millisecond))
	if sum := sim.Summary(); sum.ReceiptsDropped != 0 {
		t.Errorf("the carrier dropped %d receipts (refused by the gateway: %v)", sum.ReceiptsDropped, sum.ReceiptsRefused)
	}
	for i := range threeInstances {
		_, p := f.pick(i)
		p.stop(t, 30*time.Second)
	}
}

// stallWatch notes the times this process stood still: a goroutine ticks
// every stallTick and records each tick that came stallMin late or more.
type stallWatch struct {
	mu     sync.Mutex
	stalls []stall
}

// stall is a time this process stood still: d long, until end.
type stall struct {
	end time.Time
	d   time.Duration
}

const (
	stallTick = 5 * time.Millisecond
	stallMin  = 20 * time.Millisecond
)

// watchStalls watches until the test ends.
func watchStalls(t *testing.T) *stallWatch {
	w := &stallWatch{}
	stop, done := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(done)
		tick := time.NewTicker(stallTick)
		defer tick.Stop()
		last := time.Now()
		for {
			select {
			case <-stop:
				return
			case <-tick.C:
				now := time.Now()
				if gap := now.Sub(last) - stallTick; gap >= stallMin {
					w.mu.Lock()
					w.stalls = append(w.stalls, stall{end: now, d: gap})
					w.mu.Unlock()
				}
				last = now
			}
		}
	}()
	t.Cleanup(func() {
		close(stop)
		<-done
	})
	return w
}

// within is how long the process stood still in stalls that ended in
// [from, to): what arrived at the carrier meanwhile was counted then.
func (w *stallWatch) within(from, to time.Time) time.Duration {
	w.mu.Lock()
	defer w.mu.Unlock()
	var d time.Duration
	for _, s := range w.stalls {
		if !s.end.Before(from) && s.end.Before(to) {
			d += s.d
		}
	}
	return d
}

// since counts the arrivals after t.
func (c *arrivalCarrier) since(t time.Time) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := 0
	for _, at := range c.at {
		for _, x := range at {
			if x.After(t) {
				n++
			}
		}
	}
	return n
}

// fleet is the gateway processes by slot as clients see them: a slot is
// empty while its process is down.
type fleet struct {
	mu    sync.Mutex
	procs []*gallantProc
}

// set puts p in slot i.
func (f *fleet) set(i int, p *gallantProc) {
	f.mu.Lock()
	f.procs[i] = p
	f.mu.Unlock()
}

// down empties slot i and returns its process.
func (f *fleet) down(i int) *gallantProc {
	f.mu.Lock()
	defer f.mu.Unlock()
	p := f.procs[i]
	f.procs[i] = nil
	return p
}

// pick returns the first running process from slot home on, and its slot
// (-1 and nil when none runs).
func (f *fleet) pick(home int) (int, *gallantProc) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for k := range len(f.procs) {
		i := (home + k) % len(f.procs)
		if p := f.procs[i]; p != nil {
			return i, p
		}
	}
	return -1, nil
}

// fallbacks reads each running process's count of switches to its own
// share of a carrier's TPS (Redis not answering in time).
func (f *fleet) fallbacks(t *testing.T) []float64 {
	var out []float64
	for i := range len(f.procs) {
		if slot, p := f.pick(i); slot == i {
			out = append(out, scrapeMetric(t, p.metricsURL, "gallant_gateway_carrier_tps_fallbacks_total"))
		}
	}
	return out
}

// threeAck is an acknowledged message: the gateway's id, and the slot of
// the instance that acknowledged it.
type threeAck struct {
	id   string
	slot int
}

// threeSource offers threePerSource unique texts ("three <name> NNNN")
// at threeRate msg/s through send, from threeWorkers goroutines, each
// text once (a failed attempt is not retried: another text follows), and
// records the acknowledged ones.
type threeSource struct {
	name string
	send func(ctx context.Context, text string) (id string, slot int, err error)
	done chan struct{}

	mu      sync.Mutex
	acked   map[string]threeAck // text ->
	failed  int
	lastErr error
}

// start runs the source until it has offered every text or stop closes.
func (s *threeSource) start(stop <-chan struct{}) {
	s.acked = map[string]threeAck{}
	s.done = make(chan struct{})
	begin := time.Now()
	var wg sync.WaitGroup
	for w := range threeWorkers {
		wg.Go(func() {
			for i := w; i < threePerSource; i += threeWorkers {
				if d := time.Until(begin.Add(time.Duration(i) * time.Second / threeRate)); d > 0 {
					select {
					case <-time.After(d):
					case <-stop:
						return
					}
				}
				select {
				case <-stop:
					return
				default:
				}
				text := fmt.Sprintf("three %s %04d", s.name, i)
				ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
				id, slot, err := s.send(ctx, text)
				cancel()
				s.mu.Lock()
				if err == nil {
					s.acked[text] = threeAck{id: id, slot: slot}
				} else {
					s.failed++
					s.lastErr = err
				}
				s.mu.Unlock()
			}
		})
	}
	go func() {
		wg.Wait()
		close(s.done)
	}()
}

func (s *threeSource) count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.acked)
}

func (s *threeSource) failures() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.failed
}

// snapshot returns a copy of the acknowledged messages.
func (s *threeSource) snapshot() map[string]threeAck {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[string]threeAck, len(s.acked))
	for k, v := range s.acked {
		out[k] = v
	}
	return out
}

// smppClient is an SMPP customer's transmitter: bound to its home
// instance, and when that bind fails, to the first running instance from
// its home on, as a client with a list of addresses rebinds.
type smppClient struct {
	f    *fleet
	home int
	c    customer

	mu   sync.Mutex
	esme *smpptest.ESME
	slot int
	all  []*smpptest.ESME
}

// session returns the current bind, binding anew when there is none or
// it ended.
func (sc *smppClient) session(ctx context.Context) (*smpptest.ESME, int, error) {
	sc.mu.Lock()
	defer sc.mu.Unlock()
	if sc.esme != nil {
		select {
		case <-sc.esme.Session().Done():
		default:
			return sc.esme, sc.slot, nil
		}
	}
	slot, p := sc.f.pick(sc.home)
	if p == nil {
		return nil, -1, errors.New("no instance running")
	}
	e, err := smpptest.NewESME(ctx, p.smppAddr, smpp.ClientConfig{BindType: smpp.Transmitter,
		SystemID: sc.c.SystemID, Password: sc.c.SMPPPassword}, nil)
	if err != nil {
		return nil, -1, fmt.Errorf("bind to instance %d: %w", slot, err)
	}
	sc.esme, sc.slot = e, slot
	sc.all = append(sc.all, e)
	return e, slot, nil
}

// submit sends text with a receipt requested; a bind that ended is
// replaced at the next submit.
func (sc *smppClient) submit(ctx context.Context, text string) (string, int, error) {
	e, slot, err := sc.session(ctx)
	if err != nil {
		return "", -1, err
	}
	id, err := e.Submit(ctx, &pdu.SubmitSM{Source: pdu.Address{TON: 5, Addr: []byte("Three")},
		Dest: pdu.Address{TON: 1, NPI: 1, Addr: []byte("447700900123")}, RegisteredDelivery: 1,
		ShortMessage: []byte(text)})
	return id, slot, err
}

// close closes every bind the client made.
func (sc *smppClient) close() {
	sc.mu.Lock()
	defer sc.mu.Unlock()
	for _, e := range sc.all {
		e.Close()
	}
}

// httpSender POSTs /v1/messages for c to the first running instance from
// slot home on, as a load balancer that has taken a dead instance out
// sends it.
func httpSender(f *fleet, home int, c customer, client *http.Client) func(context.Context, string) (string, int, error) {
	return func(ctx context.Context, text string) (string, int, error) {
		slot, p := f.pick(home)
		if p == nil {
			return "", -1, errors.New("no instance running")
		}
		body, _ := json.Marshal(map[string]any{"to": "+447700900123", "text": text})
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, p.httpURL+"/v1/messages", strings.NewReader(string(body)))
		if err != nil {
			return "", -1, err
		}
		req.Header.Set("Authorization", "Bearer "+c.APIKey)
		req.Header.Set("Content-Type", "application/json")
		resp, err := client.Do(req)
		if err != nil {
			return "", -1, err
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		if err != nil {
			return "", -1, err
		}
		if resp.StatusCode != http.StatusAccepted {
			return "", -1, fmt.Errorf("instance %d: %d %s", slot, resp.StatusCode, b)
		}
		var s sent
		if err := json.Unmarshal(b, &s); err != nil || s.ID == "" {
			return "", -1, fmt.Errorf("instance %d: answer %s: %v", slot, b, err)
		}
		return s.ID, slot, nil
	}
}

// messageStatus reads message id's status with GET /v1/messages/{id}
// from the first running instance from slot home on.
func messageStatus(ctx context.Context, client *http.Client, f *fleet, home int, key, id string) (string, error) {
	st, _, err := getMessage(ctx, client, f, home, key, id)
	return st, err
}

// getMessage reads message id with GET /v1/messages/{id} from the first
// running instance from slot home on: its status and the answer.
func getMessage(ctx context.Context, client *http.Client, f *fleet, home int, key, id string) (string, []byte, error) {
	_, p := f.pick(home)
	if p == nil {
		return "", nil, errors.New("no instance running")
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, p.httpURL+"/v1/messages/"+id, nil)
	if err != nil {
		return "", nil, err
	}
	req.Header.Set("Authorization", "Bearer "+key)
	resp, err := client.Do(req)
	if err != nil {
		return "", nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return "", nil, err
	}
	var m struct {
		Status string `json:"status"`
	}
	if resp.StatusCode != http.StatusOK || json.Unmarshal(b, &m) != nil {
		return "", b, fmt.Errorf("GET /v1/messages/%s: %d %s", id, resp.StatusCode, b)
	}
	return m.Status, b, nil
}

// receivers is an SMPP customer's receiver binds, over the test.
type receivers struct {
	mu  sync.Mutex
	all []*smpptest.ESME
}

func (r *receivers) add(e *smpptest.ESME) {
	r.mu.Lock()
	r.all = append(r.all, e)
	r.mu.Unlock()
}

// receipts returns when each receipt arrived, on any of the binds, by
// the receipted message id.
func (r *receivers) receipts() map[string][]time.Time {
	r.mu.Lock()
	all := slices.Clone(r.all)
	r.mu.Unlock()
	out := map[string][]time.Time{}
	for _, e := range all {
		for _, d := range e.Delivers() {
			if id, ok := d.DM.TLVs.CString(pdu.TagReceiptedMessageID); ok && d.DM.ESMClass&0x3c == 0x04 {
				out[string(id)] = append(out[string(id)], d.At)
			}
		}
	}
	for _, at := range out {
		slices.SortFunc(at, func(a, b time.Time) int { return a.Compare(b) })
	}
	return out
}
