package gateway_test

// BenchmarkPipeline: allocations and throughput per message end to end
// in process and on loopback.
//
//	go test -run '^$' -bench Pipeline -benchtime 20000x ./gateway/
//
// One op is one message the whole way: a fake ESME submits a 1-segment
// GSM submit_sm asking for a receipt to the gateway's SMPP server; the
// gateway accepts it (after the commit in durable mode), routes it and
// sends it to a fake carrier over one of its binds; the carrier answers
// and sends a delivery receipt back; the gateway stores the receipt and
// delivers it to the ESME as a deliver_sm. The op is done when the ESME
// has the receipt. b.N messages are pushed as fast as the ESME's window
// allows (4 binds × window 100, like bench/run.sh) and the clock stops
// when the last of the b.N receipts arrives, so ns/op and msg/s are
// throughput, not latency.
//
// allocs/op and B/op count every allocation in the process while the
// clock runs: the gateway's, but also the fake carrier's and the fake
// ESME's (and the store driver's). The clients-only sub-benchmark sends
// the same traffic straight from the same ESME to the same carrier; the
// gw-allocs/msg and gw-B/msg metrics of the other sub-benchmarks are
// their figure minus the last clients-only figure of the same process
// (present only when clients-only ran first, which it does unless
// filtered out).
//
// The fakes are written lean (benchCarrier, benchESME: no recording, PDUs
// encoded into reused buffers) so that what is left is mostly the
// gateway's. smpptest.Server is not used here: it records every PDU, and
// it sends every receipt over one bind from a bounded queue, which a fast
// sender overflows.

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/gallant-sms/gallant/consent"
	"github.com/gallant-sms/gallant/gateway"
	"github.com/gallant-sms/gallant/smpp"
	"github.com/gallant-sms/gallant/smpp/pdu"
	"github.com/gallant-sms/gallant/smpp/pdutext"
	"github.com/gallant-sms/gallant/store"
	"github.com/gallant-sms/gallant/store/storetest"
)

// The benchmark's shape, as in bench/run.sh and bench/RESULTS.md.
const (
	benchESMEBinds   = 4   // customer binds
	benchESMEWindow  = 100 // outstanding submit_sm per customer bind
	benchCarrierBind = 4   // gateway binds to the carrier
	benchCarrierWin  = 200 // outstanding submit_sm per carrier bind
	// benchReceiptWin is the fake carrier's window for receipts: the
	// gateway's default MaxInbound (100) per carrier bind, since it answers
	// a receipt only once it is stored.
	benchReceiptWin = 100
	benchSystemID   = "gallant"
)

// clientsOnly is the last allocation figure of the clients-only
// sub-benchmark in this process, for the gateway's share; NaN until then.
var clientsOnly = struct {
	sync.Mutex
	allocs, bytes float64
}{allocs: math.NaN(), bytes: math.NaN()}

// BenchmarkPipeline measures messages end to end (see the top of the
// file): clients-only, then fast/sqlite, durable/sqlite and durable/mysql.
func BenchmarkPipeline(b *testing.B) {
	// Everything the sub-benchmarks start stops with them (the package
	// has no goleak TestMain): check it once they are all done.
	base := runtime.NumGoroutine()
	b.Cleanup(func() { checkGoroutines(b, base) })
	b.Run("clients-only", func(b *testing.B) {
		c := newBenchCarrier(b)
		r := runPipeline(b, c.addr, benchSystemID, "secret")
		if b.N > 1 {
			clientsOnly.Lock()
			clientsOnly.allocs, clientsOnly.bytes = r.allocs, r.bytes
			clientsOnly.Unlock()
		}
	})
	b.Run("fast", func(b *testing.B) {
		b.Run("sqlite", func(b *testing.B) { benchGateway(b, storetest.SQLite, gateway.Fast) })
	})
	b.Run("durable", func(b *testing.B) {
		b.Run("sqlite", func(b *testing.B) { benchGateway(b, storetest.SQLite, gateway.Durable) })
		b.Run("mysql", func(b *testing.B) { benchGateway(b, storetest.MySQL, gateway.Durable) })
	})
}

// checkGoroutines fails b when more than base goroutines are still
// running a few seconds after everything was stopped.
func checkGoroutines(b *testing.B, base int) {
	deadline := time.Now().Add(5 * time.Second)
	for runtime.NumGoroutine() > base {
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<20)
			b.Fatalf("%d goroutines left running, %d before the benchmark:\n%s",
				runtime.NumGoroutine(), base, buf[:runtime.Stack(buf, true)])
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// benchGateway starts a fake carrier and a gateway bound to it on a fresh
// store of driver, then runs the pipeline through the gateway. Everything
// stops when b ends (the ESME first, then the gateway, then the carrier).
func benchGateway(b *testing.B, driver string, mode gateway.Durability) {
	c := newBenchCarrier(b)
	cc := carrierConfig("bench", c.addr)
	cc.Binds, cc.Window = benchCarrierBind, benchCarrierWin
	// GALLANT_BENCH_WRITER_MAX_ROWS and _WORKERS try other writer settings.
	var wcfg store.WriterConfig
	if v := os.Getenv("GALLANT_BENCH_WRITER_MAX_ROWS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			b.Fatalf("GALLANT_BENCH_WRITER_MAX_ROWS: %v", err)
		}
		wcfg.MaxRows = n
	}
	if v := os.Getenv("GALLANT_BENCH_WRITER_WORKERS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			b.Fatalf("GALLANT_BENCH_WRITER_WORKERS: %v", err)
		}
		wcfg.Workers = n
	}
	// GALLANT_BENCH_OPTOUTS loads that many opt-outs into the gateway's
	// consent index first (none of the benchmark's numbers), for the
	// send path's cost of checking them (issue 12: within 5% at 10M).
	optouts := &consent.Index{}
	if v := os.Getenv("GALLANT_BENCH_OPTOUTS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			b.Fatalf("GALLANT_BENCH_OPTOUTS: %v", err)
		}
		fillOptOuts(optouts, n)
	}
	// GALLANT_BENCH_SEALED=1 seals bodies, receipts and webhooks at rest
	// (store.Keyring; issue 15: under 10% on the durable path).
	scfg := storetest.Config(b, driver)
	if os.Getenv("GALLANT_BENCH_SEALED") != "" {
		keys, err := store.ParseKeyring("1:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=")
		if err != nil {
			b.Fatal(err)
		}
		scfg.Keys = keys
	}
	g := startGatewayDeps(b, scfg, wcfg, gateway.Config{Durability: mode,
		Carriers: []gateway.CarrierConfig{cc}}, routeAll("bench"), func(d *gateway.Deps) { d.Consent = optouts })
	eventually(b, "every carrier bind", func() (bool, string) {
		n := c.srv.BindCount(cc.SystemID)
		return n == benchCarrierBind, fmt.Sprintf("%d of %d binds", n, benchCarrierBind)
	})
	cust := g.customer(b, "bench")
	r := runPipeline(b, g.addr, cust.SystemID, cust.SMPPPassword)
	clientsOnly.Lock()
	ca, cb := clientsOnly.allocs, clientsOnly.bytes
	clientsOnly.Unlock()
	if !math.IsNaN(ca) {
		b.ReportMetric(r.allocs-ca, "gw-allocs/msg")
		b.ReportMetric(r.bytes-cb, "gw-B/msg")
	}
	// The gateway, not some shortcut, carried every message: each was
	// accepted once and each receipt was matched to it.
	if acc := g.metric(b, "gallant_gateway_accepted_total"); acc != float64(b.N) {
		b.Fatalf("gateway accepted %v messages, want %d", acc, b.N)
	}
	if m := g.metric(b, "gallant_gateway_carrier_receipts_total", "result", "matched"); m != float64(b.N) {
		b.Fatalf("gateway matched %v carrier receipts, want %d", m, b.N)
	}
	// Rows and batches per message: what the store writer is asked to do
	// (setup rows included, a handful).
	rows := g.metric(b, "gallant_store_writer_rows_total")
	b.ReportMetric(rows/float64(b.N), "rows/msg")
	if batches := g.metric(b, "gallant_store_writer_batches_total"); batches > 0 {
		b.ReportMetric(rows/batches, "rows/batch")
	}
	// The mean time to write a batch: a durable accept, and a receipt in
	// durable mode, waits for its batch's commit.
	if sum, count := histogram(b, g, "gallant_store_writer_batch_duration_seconds"); count > 0 {
		b.ReportMetric(sum/count*1e3, "batch-ms")
	}
}

// pipeResult is one run's allocations per message, as the testing
// package counts them.
type pipeResult struct {
	allocs, bytes float64
}

// runPipeline binds a benchESME to addr and pushes b.N messages through,
// timing from the first submit_sm to the last receipt. It fails b when a
// message is refused for good, a receipt is malformed or missing, or the
// receipts take longer than a generous bound (30 s plus 1 ms a message).
func runPipeline(b *testing.B, addr, systemID, password string) pipeResult {
	e := newBenchESME(b, addr, systemID, password, int64(b.N))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var wg sync.WaitGroup
	defer wg.Wait() // after cancel (deferred calls run last in, first out)
	limit := 30*time.Second + time.Duration(b.N)*time.Millisecond
	timeout := time.NewTimer(limit)
	defer timeout.Stop()

	b.ReportAllocs()
	runtime.GC()
	var before, after runtime.MemStats
	b.ResetTimer()
	runtime.ReadMemStats(&before)
	cpuBefore, ioBefore := processCPU(), processIO()
	start := time.Now()
	for _, s := range e.sess {
		wg.Add(1)
		go func() {
			defer wg.Done()
			e.submitLoop(ctx, s)
		}()
	}
	var failure error
	select {
	case <-e.allReceipts:
	case <-e.failed:
	case <-timeout.C:
		failure = fmt.Errorf("receipts not all back after %v", limit)
	}
	elapsed := time.Since(start)
	runtime.ReadMemStats(&after)
	cpuAfter, ioAfter := processCPU(), processIO()
	b.StopTimer()
	cancel()
	wg.Wait()
	if err := e.err(); err != nil {
		failure = err
	}
	if failure != nil {
		b.Fatalf("%v (messages %d, accepted %d, retried %d, receipts %d)",
			failure, b.N, e.accepted.Load(), e.retries.Load(), e.receipts.Load())
	}
	n := float64(b.N)
	b.ReportMetric(n/elapsed.Seconds(), "msg/s")
	b.ReportMetric(float64(e.retries.Load())/n, "retries/msg")
	// CPU time and system calls per message hold up on a loaded machine,
	// where msg/s does not: they count the work, not the wait for a core.
	b.ReportMetric(float64((cpuAfter-cpuBefore).Microseconds())/n, "cpu-µs/msg")
	if ioBefore.ok && ioAfter.ok {
		b.ReportMetric(float64(ioAfter.syscw-ioBefore.syscw)/n, "writes/msg")
		b.ReportMetric(float64(ioAfter.syscr-ioBefore.syscr)/n, "reads/msg")
	}
	return pipeResult{
		allocs: float64(after.Mallocs-before.Mallocs) / n,
		bytes:  float64(after.TotalAlloc-before.TotalAlloc) / n,
	}
}

// benchESME is a lean fake customer: benchESMEBinds transceiver binds
// that submit the same submit_sm as fast as their windows allow, resend
// what the gateway refuses with backpressure (ESME_RTHROTTLED,
// ESME_RMSGQFUL) as a real ESME would, and count the receipts they are
// delivered. It serves one run of n messages.
type benchESME struct {
	sess []*smpp.Session
	body []byte // the submit_sm body of every message
	n    int64

	left     atomic.Int64 // messages not yet claimed for sending
	accepted atomic.Int64
	retries  atomic.Int64
	receipts atomic.Int64
	retry    chan struct{} // wakes an idle submitter after a refusal

	allAccepted chan struct{} // closed at n accepted
	allReceipts chan struct{} // closed at n receipts
	failed      chan struct{} // closed by fail
	failOnce    sync.Once
	failErr     error
}

// benchText is every message's text: 1 GSM segment.
const benchText = "Your code is 123456. It expires in 10 minutes."

// newBenchESME binds to addr; the sessions close when b ends (a
// benchmark, or a test that pushes many messages).
func newBenchESME(b testing.TB, addr, systemID, password string, n int64) *benchESME {
	b.Helper()
	e := &benchESME{n: n, retry: make(chan struct{}, 1), allAccepted: make(chan struct{}),
		allReceipts: make(chan struct{}), failed: make(chan struct{})}
	e.left.Store(n)
	e.body = textSM(benchText).AppendBody(nil)
	for range benchESMEBinds {
		s, err := smpp.Dial(testContext(b), smpp.ClientConfig{Addr: addr, BindType: smpp.Transceiver,
			SystemID: systemID, Password: password, Session: smpp.SessionConfig{Window: benchESMEWindow},
			Handler: smpp.HandlerFunc(e.handle)}, nil)
		if err != nil {
			b.Fatalf("bind %s: %v", systemID, err)
		}
		b.Cleanup(func() { s.Close() })
		e.sess = append(e.sess, s)
	}
	return e
}

// fail records the run's first fatal problem and stops it.
func (e *benchESME) fail(err error) {
	e.failOnce.Do(func() {
		e.failErr = err
		close(e.failed)
	})
}

// err returns what fail recorded, once the run is over.
func (e *benchESME) err() error {
	select {
	case <-e.failed:
		return e.failErr
	default:
		return nil
	}
}

// submitLoop sends on s while messages are left, then waits for refused
// ones to resend until all are accepted or the run ends.
func (e *benchESME) submitLoop(ctx context.Context, s *smpp.Session) {
	for {
		if e.left.Add(-1) < 0 {
			e.left.Add(1)
			select {
			case <-e.retry:
				// A refusal gave a message back: pause as an ESME does
				// after ESME_RTHROTTLED, then resend.
				time.Sleep(time.Millisecond)
				continue
			case <-e.allAccepted:
				return
			case <-e.failed:
				return
			case <-ctx.Done():
				return
			}
		}
		if _, err := s.Send(ctx, pdu.SubmitSMID, e.body, e); err != nil {
			e.left.Add(1)
			if ctx.Err() == nil {
				e.fail(fmt.Errorf("send submit_sm: %w", err))
			}
			return
		}
	}
}

// Response takes a submit_sm_resp (on a session's reader goroutine): e is
// the smpp.Responder of every submit_sm it sends.
func (e *benchESME) Response(h pdu.Header, _ []byte, err error) {
	switch {
	case err != nil:
		e.fail(fmt.Errorf("submit_sm: %w", err))
	case h.Status == pdu.StatusOK:
		if e.accepted.Add(1) == e.n {
			close(e.allAccepted)
		}
	case h.Status == pdu.StatusThrottled || h.Status == pdu.StatusMsgQFul:
		e.retries.Add(1)
		e.left.Add(1)
		select {
		case e.retry <- struct{}{}:
		default:
		}
	default:
		e.fail(fmt.Errorf("submit_sm refused: %w", h.Status))
	}
}

// handle takes the gateway's deliver_sm: each must be a DELIVRD receipt
// for one of our messages.
func (e *benchESME) handle(s *smpp.Session, h pdu.Header, body []byte) {
	if h.ID != pdu.DeliverSMID {
		if h.ID.HasResponse() {
			_ = s.Respond(h, pdu.StatusInvCmdID, nil)
		}
		return
	}
	var dm pdu.DeliverSM
	if err := dm.Decode(body); err != nil {
		_ = s.Respond(h, pdu.StatusOf(err), nil)
		e.fail(fmt.Errorf("decode deliver_sm: %w", err))
		return
	}
	_ = s.Respond(h, pdu.StatusOK, deliverResp)
	rid, okID := dm.TLVs.CString(pdu.TagReceiptedMessageID)
	ms, okState := dm.TLVs.Byte(pdu.TagMessageState)
	switch {
	case !dm.IsReceipt():
		e.fail(errors.New("deliver_sm is not a receipt"))
	case !okID || len(rid) == 0:
		e.fail(errors.New("receipt without receipted_message_id"))
	case !okState || pdutext.MessageState(ms) != pdutext.StateDelivered:
		e.fail(fmt.Errorf("receipt message_state %d, want DELIVERED", ms))
	default:
		switch n := e.receipts.Add(1); {
		case n == e.n:
			close(e.allReceipts)
		case n > e.n:
			e.fail(fmt.Errorf("receipt %d for %d messages", n, e.n))
		}
	}
}

// benchReceiptDelay holds each receipt this long after its submit_sm
// (GALLANT_BENCH_RECEIPT_DELAY, e.g. 1s as make bench's carrier does, so
// that no receipt folds into its queued "submitted" row); 0 sends at once.
var benchReceiptDelay = func() time.Duration {
	d, _ := time.ParseDuration(os.Getenv("GALLANT_BENCH_RECEIPT_DELAY"))
	return d
}()

// deliverResp is deliver_sm_resp's body: an empty message_id.
var deliverResp = []byte{0}

// benchCarrier is a lean fake SMSC: it accepts any bind, answers each
// submit_sm with a new hex message id and, when it asks for one, sends a
// DELIVRD receipt back over the same bind from a sender goroutine per
// bind (so the reader never blocks on the window). The receipt queue is
// unbounded: the sender's pace bounds it.
type benchCarrier struct {
	srv    *smpp.Server
	addr   string
	nextID atomic.Uint64
	ctx    context.Context // ends the receipt senders
	cancel context.CancelFunc
	wg     sync.WaitGroup // the receipt senders
	served chan error
}

// receiptJob is a receipt to send: the ids and addresses are copied out
// of the submit_sm, whose body is only valid in the handler.
type receiptJob struct {
	id       uint64
	due      time.Time // when to send it (GALLANT_BENCH_RECEIPT_DELAY)
	src, dst fixedAddr // the receipt's: the submit_sm's dest and source
	text     [20]byte  // the start of the message (Appendix B "text:")
	textLen  uint8
}

// fixedAddr holds an address without a heap allocation.
type fixedAddr struct {
	ton, npi byte
	n        uint8
	b        [21]byte
}

func (f *fixedAddr) set(a pdu.Address) {
	f.ton, f.npi = a.TON, a.NPI
	f.n = uint8(copy(f.b[:], a.Addr))
}

func (f *fixedAddr) addr() pdu.Address {
	return pdu.Address{TON: f.ton, NPI: f.npi, Addr: f.b[:f.n]}
}

// carrierBind is one bind's receipt queue (the session's Value).
type carrierBind struct {
	mu    sync.Mutex
	queue []receiptJob
	wake  chan struct{} // capacity 1
}

// newBenchCarrier starts a benchCarrier on 127.0.0.1, closed when b ends.
func newBenchCarrier(b *testing.B) *benchCarrier {
	b.Helper()
	c := &benchCarrier{served: make(chan error, 1)}
	c.ctx, c.cancel = context.WithCancel(context.Background())
	c.srv = &smpp.Server{
		Authenticator: smpp.AuthenticatorFunc(func(context.Context, smpp.BindRequest) (any, pdu.Status) {
			return &carrierBind{wake: make(chan struct{}, 1)}, pdu.StatusOK
		}),
		Handler: smpp.HandlerFunc(c.handle),
		OnBind: func(s *smpp.Session) {
			c.wg.Add(1)
			go func() {
				defer c.wg.Done()
				c.sendReceipts(s, s.Value().(*carrierBind))
			}()
		},
		// The handler answers at once, so MaxInbound is never reached;
		// Window paces the receipts.
		Session:  smpp.SessionConfig{Window: benchReceiptWin, MaxInbound: 4 * benchCarrierWin},
		SystemID: "benchsmsc",
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	c.addr = ln.Addr().String()
	go func() { c.served <- c.srv.Serve(ln) }()
	b.Cleanup(c.close)
	return c
}

// close stops the server (waiting for its sessions), then the senders.
func (c *benchCarrier) close() {
	c.srv.Close()
	c.cancel()
	c.wg.Wait()
	<-c.served
}

// handle answers submit_sm and queues its receipt.
func (c *benchCarrier) handle(s *smpp.Session, h pdu.Header, body []byte) {
	if h.ID != pdu.SubmitSMID {
		if h.ID.HasResponse() {
			_ = s.Respond(h, pdu.StatusInvCmdID, nil)
		}
		return
	}
	var sm pdu.SubmitSM
	if err := sm.Decode(body); err != nil {
		_ = s.Respond(h, pdu.StatusOf(err), nil)
		return
	}
	id := c.nextID.Add(1)
	var buf [24]byte
	_ = s.Respond(h, pdu.StatusOK, append(strconv.AppendUint(buf[:0], id, 16), 0))
	if sm.RegisteredDelivery&0x03 == 0 {
		return
	}
	cb := s.Value().(*carrierBind)
	cb.mu.Lock()
	cb.queue = append(cb.queue, receiptJob{id: id})
	if benchReceiptDelay > 0 {
		cb.queue[len(cb.queue)-1].due = time.Now().Add(benchReceiptDelay)
	}
	j := &cb.queue[len(cb.queue)-1]
	j.src.set(sm.Dest)
	j.dst.set(sm.Source)
	j.textLen = uint8(copy(j.text[:], sm.ShortMessage))
	cb.mu.Unlock()
	select {
	case cb.wake <- struct{}{}:
	default:
	}
}

// sendReceipts sends s's queued receipts, waiting for the window, until
// the session or the carrier ends.
func (c *benchCarrier) sendReceipts(s *smpp.Session, cb *carrierBind) {
	var batch []receiptJob
	var idb, text, tlvs, body []byte
	for {
		select {
		case <-cb.wake:
		case <-s.Done():
			return
		case <-c.ctx.Done():
			return
		}
		cb.mu.Lock()
		batch, cb.queue = cb.queue, batch[:0]
		cb.mu.Unlock()
		for i := range batch {
			j := &batch[i]
			if d := time.Until(j.due); d > 0 {
				time.Sleep(d) // pacing, as a carrier holds its receipts
			}
			now := time.Now()
			idb = strconv.AppendUint(idb[:0], j.id, 16)
			text = pdutext.AppendReceipt(text[:0], pdutext.Receipt{ID: string(idb), Sub: 1, Dlvrd: 1,
				SubmitDate: now, DoneDate: now, Stat: pdutext.StatDelivered, Err: "000",
				Text: string(j.text[:j.textLen])})
			tlvs = pdu.AppendTLVCString(tlvs[:0], pdu.TagReceiptedMessageID, idb)
			tlvs = pdu.AppendTLVByte(tlvs, pdu.TagMessageState, byte(pdutext.StateDelivered))
			dm := pdu.DeliverSM{Source: j.src.addr(), Dest: j.dst.addr(), ESMClass: 0x04,
				ShortMessage: text, TLVs: pdu.TLVs(tlvs)}
			body = dm.AppendBody(body[:0])
			if _, err := s.Send(c.ctx, pdu.DeliverSMID, body, nil); err != nil {
				return
			}
		}
	}
}

// fillOptOuts loads n account opt-outs over 1,000 accounts (a tenth of
// them platform-wide) into x, in the chunks a ledger load uses; the
// numbers start at 33 (France), the benchmark sends to 44.
func fillOptOuts(x *consent.Index, n int) {
	const chunk = 1 << 16
	batch := make([]consent.Change, 0, chunk)
	for i := range n {
		c := consent.Change{Entry: consent.Entry{Scope: consent.ScopeAccount, Account: int64(i % 1000),
			Number: strconv.Itoa(33600000000 + i*7)}, OptOut: true}
		if i%10 == 0 {
			c.Scope, c.Account = consent.ScopeGlobal, 0
		}
		batch = append(batch, c)
		if len(batch) == chunk {
			x.Apply(batch...)
			batch = batch[:0]
		}
	}
	x.Apply(batch...)
}

// processCPU is the user and system CPU time the process has used so far.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// ioCounts are the process's read-like and write-like system calls so far
// (syscr, syscw of /proc/self/io: read, recvmsg, write, sendmsg, ...).
type ioCounts struct {
	syscr, syscw int64
	ok           bool
}

// processIO reads /proc/self/io; ok is false where it is missing.
func processIO() ioCounts {
	data, err := os.ReadFile("/proc/self/io")
	if err != nil {
		return ioCounts{}
	}
	var c ioCounts
	for _, line := range strings.Split(string(data), "\n") {
		name, value, found := strings.Cut(line, ": ")
		if !found {
			continue
		}
		v, err := strconv.ParseInt(strings.TrimSpace(value), 10, 64)
		if err != nil {
			continue
		}
		switch name {
		case "syscr":
			c.syscr = v
		case "syscw":
			c.syscw = v
		}
	}
	c.ok = true
	return c
}

// histogram returns the sum and count of g's histogram name.
func histogram(b *testing.B, g *gw, name string) (sum, count float64) {
	mfs, err := g.reg.Gather()
	if err != nil {
		b.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
		for _, m := range mf.GetMetric() {
			if h := m.GetHistogram(); h != nil {
				sum += h.GetSampleSum()
				count += float64(h.GetSampleCount())
			}
		}
	}
	return sum, count
}
