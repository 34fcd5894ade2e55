package smpptest

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gallant-sms/gallant/smpp"
	"github.com/gallant-sms/gallant/smpp/pdu"
	"github.com/gallant-sms/gallant/smpp/pdutext"
)

// SimConfig configures a [Simulator]. The zero value is a well-behaved
// carrier: any credentials bind, every submit_sm is accepted, and a
// DELIVRD receipt goes out at once to every message that asked for one.
type SimConfig struct {
	// Credentials, if not nil, maps system_id to password; other binds
	// are refused with ESME_RBINDFAIL.
	Credentials map[string]string
	// RefuseBinds refuses every bind with ESME_RBINDFAIL.
	RefuseBinds bool
	// ReceiptDelay is how long after its submit_sm_resp a receipt is sent.
	ReceiptDelay time.Duration
	// ReceiptMix chooses each receipt's outcome by weight; empty means
	// DELIVRD only.
	ReceiptMix []StatWeight
	// ThrottleRatio of submits (0..1) are answered ESME_RTHROTTLED and
	// FailRatio ESME_RSUBMITFAIL.
	ThrottleRatio, FailRatio float64
	// SlowRatio of accepted submits are answered after SlowDelay.
	SlowRatio float64
	SlowDelay time.Duration
	// DropEvery, if positive, drops the connection that carries every
	// DropEvery-th submit_sm, without answering it.
	DropEvery int
	// MORate sends this many MO messages per second (deliver_sm with
	// esm_class 0) to bound receivers, from random MSISDNs to MODest
	// (default "12345"), round robin over receiver sessions.
	MORate float64
	MODest string
	// HexIDs makes message ids hexadecimal instead of decimal.
	HexIDs bool
	// MaxPendingReceipts bounds the receipts waiting for their time or
	// for a receiver bind; beyond it receipts are dropped and counted.
	// Default 1,000,000 (about 150 MB at most).
	MaxPendingReceipts int
	// ReceiptWindow is the most deliver_sm (receipts and MO) a bind may
	// have unanswered, as a real SMSC configures per bind: the next waits
	// for an answer. 0 keeps Session.Window (default 100); negative is
	// unlimited: receipts go out without waiting for answers, paced only
	// by TCP.
	ReceiptWindow int
	// NoResend drops a receipt the bind answers with an error status
	// (counted in Summary.ReceiptsRefused and ReceiptsDropped) instead of
	// sending it again after a temporary refusal, as many SMSCs do. A
	// receipt that got no answer (connection lost, response timeout) is
	// still sent again.
	NoResend bool
	// Session configures every session. The simulator's defaults are a
	// window of 100 for receipts and 5,000 inbound requests, so a load
	// generator is never throttled by the simulator's own limits.
	Session smpp.SessionConfig
	// SystemID is sent in bind responses; default "smscsim".
	SystemID string
	// OnSubmit, if set, is called with each submit_sm and data_sm
	// decoded (tests read the texts; text is only valid during the
	// call). It runs on the session's goroutine: keep it short.
	OnSubmit func(src, dst pdu.Address, dataCoding byte, text []byte)
}

// StatWeight is one outcome of a receipt mix.
type StatWeight struct {
	Stat   pdutext.Stat
	Weight int
}

// ParseReceiptMix parses "DELIVRD=90,UNDELIV=5,EXPIRED=3,REJECTD=2".
func ParseReceiptMix(s string) ([]StatWeight, error) {
	var mix []StatWeight
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		name, w, ok := strings.Cut(part, "=")
		if !ok {
			return nil, fmt.Errorf("smpptest: receipt mix %q: want STAT=WEIGHT", part)
		}
		n, err := strconv.Atoi(w)
		if err != nil || n < 0 {
			return nil, fmt.Errorf("smpptest: receipt mix %q: weight must be a whole number", part)
		}
		st := pdutext.Stat(strings.ToUpper(strings.TrimSpace(name)))
		if st.State() == pdutext.StateUnknown && st != pdutext.StatUnknown {
			return nil, fmt.Errorf("smpptest: receipt mix: unknown stat %q", name)
		}
		mix = append(mix, StatWeight{Stat: st, Weight: n})
	}
	total := 0
	for _, m := range mix {
		total += m.Weight
	}
	if len(mix) > 0 && total == 0 {
		return nil, errors.New("smpptest: receipt mix weights add up to zero")
	}
	return mix, nil
}

// Summary counts what a Simulator saw; it is what smscsim prints.
type Summary struct {
	Binds           uint64            `json:"binds"`
	BindsRefused    uint64            `json:"binds_refused"`
	SubmitSM        uint64            `json:"submit_sm"`
	DataSM          uint64            `json:"data_sm"`
	Answered        map[string]uint64 `json:"answered"`
	ByDataCoding    map[string]uint64 `json:"by_data_coding"`
	Receipts        map[string]uint64 `json:"receipts"`
	ReceiptsPending int               `json:"receipts_pending"`
	ReceiptsDropped uint64            `json:"receipts_dropped"`
	// ReceiptsRefused counts the deliver_sm receipts answered with an
	// error, by status name (e.g. ESME_RTHROTTLED).
	ReceiptsRefused map[string]uint64 `json:"receipts_refused"`
	// ReceiptsRetried counts receipts sent again after a temporary
	// refusal or a lost connection.
	ReceiptsRetried   uint64  `json:"receipts_retried"`
	MOSent            uint64  `json:"mo_sent"`
	DroppedConns      uint64  `json:"dropped_connections"`
	Seconds           float64 `json:"seconds"`
	SubmitRatePerSec  float64 `json:"submit_rate_per_second"`
	ReceiptRatePerSec float64 `json:"receipt_rate_per_second"`
}

// Simulator is a carrier SMSC for development, tests and benchmarks: it
// accepts binds, acks submit_sm and data_sm with unique ids, sends
// delivery receipts (text in the appendix-B format plus the
// receipted_message_id and message_state TLVs) to a receiver or
// transceiver bind of the same system_id, holding them while none is
// bound, injects faults and sends MO messages. Unlike [Server] it keeps
// no per-message record beyond pending receipts, so it runs for hours at
// full rate in bounded memory. query_sm, cancel_sm and replace_sm are
// answered with their failure status: the simulator does not keep
// messages it could cancel or report on.
type Simulator struct {
	cfg   SimConfig
	log   *slog.Logger
	srv   *smpp.Server
	mix   []StatWeight
	total int // sum of mix weights

	nextID   atomic.Uint64
	submits  atomic.Uint64 // submit_sm and data_sm counted together for DropEvery
	counters simCounters

	mu        sync.Mutex
	queue     simQueue             // receipts waiting for their time
	held      map[string]*simQueue // system_id -> receipts waiting for a bind
	heldCount int
	rx        map[string][]*smpp.Session // system_id -> bound receiver sessions
	rxNext    int
	wake      chan struct{}

	start   time.Time
	stop    chan struct{}
	wg      sync.WaitGroup
	started bool
	closed  bool
}

type simCounters struct {
	binds, bindsRefused        atomic.Uint64
	submitSM, dataSM           atomic.Uint64
	ok, throttled, failed, bad atomic.Uint64
	byCoding                   [256]atomic.Uint64
	receipts                   []atomic.Uint64 // by mix index
	receiptsDropped            atomic.Uint64
	receiptsRetried            atomic.Uint64
	refusedMu                  sync.Mutex
	refused                    map[string]uint64 // by status name
	moSent, droppedConns       atomic.Uint64
	firstSubmit, lastSubmit    atomic.Int64
	lastReceipt                atomic.Int64
}

// simReceipt is one receipt to send; fixed-size fields keep the queue free
// of per-message allocations.
type simReceipt struct {
	due      int64 // unix nanos
	id       uint64
	submitAt int64
	systemID string
	stat     uint8 // index into mix
	// Source and destination of the receipt: src in addrBuf[:srcLen],
	// dst in addrBuf[21:21+dstLen].
	srcTON, srcNPI, srcLen uint8
	dstTON, dstNPI, dstLen uint8
	addrBuf                [42]byte
	text                   [pdutext.ReceiptTextLen]byte
	textLen                uint8
}

// unlimitedWindow is the session window of a negative ReceiptWindow:
// more than any test or benchmark has outstanding.
const unlimitedWindow = 1 << 30

// NewSimulator returns a Simulator; call Serve or ListenAndServe.
func NewSimulator(cfg SimConfig, logger *slog.Logger) (*Simulator, error) {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	if cfg.ThrottleRatio < 0 || cfg.FailRatio < 0 || cfg.SlowRatio < 0 || cfg.ThrottleRatio+cfg.FailRatio > 1 || cfg.SlowRatio > 1 {
		return nil, errors.New("smpptest: fault ratios must be in [0,1] and throttle+fail at most 1")
	}
	if cfg.MaxPendingReceipts <= 0 {
		cfg.MaxPendingReceipts = 1_000_000
	}
	if cfg.MODest == "" {
		cfg.MODest = "12345"
	}
	if cfg.SystemID == "" {
		cfg.SystemID = "smscsim"
	}
	switch {
	case cfg.ReceiptWindow > 0:
		cfg.Session.Window = cfg.ReceiptWindow
	case cfg.ReceiptWindow < 0:
		cfg.Session.Window = unlimitedWindow
	case cfg.Session.Window == 0:
		cfg.Session.Window = 100
	}
	if cfg.Session.MaxInbound == 0 {
		cfg.Session.MaxInbound = 5000
	}
	mix := cfg.ReceiptMix
	if len(mix) == 0 {
		mix = []StatWeight{{Stat: pdutext.StatDelivered, Weight: 1}}
	}
	s := &Simulator{cfg: cfg, log: logger, mix: mix,
		held: map[string]*simQueue{}, rx: map[string][]*smpp.Session{},
		wake: make(chan struct{}, 1), stop: make(chan struct{})}
	for _, m := range mix {
		s.total += m.Weight
	}
	s.counters.receipts = make([]atomic.Uint64, len(mix))
	s.srv = &smpp.Server{
		Authenticator: smpp.AuthenticatorFunc(s.authenticate),
		Handler:       smpp.HandlerFunc(s.handle),
		Session:       cfg.Session,
		Logger:        logger,
		SystemID:      cfg.SystemID,
		OnBind:        s.bound,
		OnClose:       s.unbound,
	}
	return s, nil
}

// SMPP returns the underlying server.
func (s *Simulator) SMPP() *smpp.Server { return s.srv }

// ListenAndServe listens on addr and serves until Shutdown or Close.
func (s *Simulator) ListenAndServe(addr string) error {
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("smpptest: listen: %w", err)
	}
	return s.Serve(l)
}

// Serve serves binds on l until Shutdown or Close; it returns
// smpp.ErrServerClosed then.
func (s *Simulator) Serve(l net.Listener) error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		l.Close()
		return smpp.ErrServerClosed
	}
	if !s.started {
		s.started = true
		s.start = time.Now()
		s.wg.Add(1)
		go s.sendReceipts()
		if s.cfg.MORate > 0 {
			s.wg.Add(1)
			go s.sendMOs()
		}
	}
	s.mu.Unlock()
	return s.srv.Serve(l)
}

// ServeTLS serves binds over TLS on l, with cfg (its certificates; a
// MinVersion below TLS 1.2 is raised to it), until Shutdown or Close. It
// may run beside Serve on another listener, as a carrier offers both.
func (s *Simulator) ServeTLS(l net.Listener, cfg *tls.Config) error {
	if cfg == nil || (len(cfg.Certificates) == 0 && cfg.GetCertificate == nil) {
		l.Close()
		return errors.New("smpptest: ServeTLS needs a tls.Config with a certificate")
	}
	cfg = cfg.Clone()
	cfg.MinVersion = max(cfg.MinVersion, tls.VersionTLS12)
	return s.Serve(tls.NewListener(l, cfg))
}

// Shutdown unbinds every session gracefully within ctx, then stops the
// simulator's goroutines.
func (s *Simulator) Shutdown(ctx context.Context) error {
	err := s.srv.Shutdown(ctx)
	s.Close()
	return err
}

// Close stops at once. It is idempotent.
func (s *Simulator) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	close(s.stop)
	s.mu.Unlock()
	err := s.srv.Close()
	s.wg.Wait()
	return err
}

// Summary returns the counters so far.
func (s *Simulator) Summary() Summary {
	c := &s.counters
	sum := Summary{
		Binds: c.binds.Load(), BindsRefused: c.bindsRefused.Load(),
		SubmitSM: c.submitSM.Load(), DataSM: c.dataSM.Load(),
		Answered: map[string]uint64{"ok": c.ok.Load(), "throttled": c.throttled.Load(),
			"failed": c.failed.Load(), "invalid": c.bad.Load()},
		ByDataCoding:    map[string]uint64{},
		Receipts:        map[string]uint64{},
		ReceiptsDropped: c.receiptsDropped.Load(),
		ReceiptsRetried: c.receiptsRetried.Load(),
		ReceiptsRefused: map[string]uint64{},
		MOSent:          c.moSent.Load(),
		DroppedConns:    c.droppedConns.Load(),
	}
	for i := range c.byCoding {
		if n := c.byCoding[i].Load(); n > 0 {
			sum.ByDataCoding[strconv.Itoa(i)] = n
		}
	}
	c.refusedMu.Lock()
	for k, v := range c.refused {
		sum.ReceiptsRefused[k] = v
	}
	c.refusedMu.Unlock()
	var receipts uint64
	for i, m := range s.mix {
		n := c.receipts[i].Load()
		sum.Receipts[string(m.Stat)] += n
		receipts += n
	}
	s.mu.Lock()
	sum.ReceiptsPending = s.queue.len() + s.heldCount
	started := s.start
	s.mu.Unlock()
	if !started.IsZero() {
		sum.Seconds = time.Since(started).Seconds()
	}
	if first, last := c.firstSubmit.Load(), c.lastSubmit.Load(); last > first {
		sum.SubmitRatePerSec = float64(sum.SubmitSM+sum.DataSM) / (float64(last-first) / 1e9)
		if lr := c.lastReceipt.Load(); lr > first {
			sum.ReceiptRatePerSec = float64(receipts) / (float64(lr-first) / 1e9)
		}
	}
	return sum
}

func (s *Simulator) authenticate(_ context.Context, req smpp.BindRequest) (any, pdu.Status) {
	if s.cfg.RefuseBinds {
		s.counters.bindsRefused.Add(1)
		return nil, pdu.StatusBindFail
	}
	if s.cfg.Credentials != nil {
		if pw, ok := s.cfg.Credentials[req.SystemID]; !ok || pw != req.Password {
			s.counters.bindsRefused.Add(1)
			return nil, pdu.StatusBindFail
		}
	}
	s.counters.binds.Add(1)
	return nil, pdu.StatusOK
}

// bound registers a receiver session and releases receipts held for it.
func (s *Simulator) bound(sess *smpp.Session) {
	if !sess.BindType().CanReceive() {
		return
	}
	id := sess.SystemID()
	s.mu.Lock()
	s.rx[id] = append(s.rx[id], sess)
	if q := s.held[id]; q != nil {
		now := time.Now().UnixNano()
		for q.len() > 0 {
			j := q.pop()
			j.due = now
			s.queue.push(j)
			s.heldCount--
		}
		delete(s.held, id)
	}
	s.mu.Unlock()
	s.signal()
}

func (s *Simulator) unbound(sess *smpp.Session) {
	id := sess.SystemID()
	s.mu.Lock()
	list := s.rx[id]
	for i, x := range list {
		if x == sess {
			list = append(list[:i], list[i+1:]...)
			break
		}
	}
	if len(list) == 0 {
		delete(s.rx, id)
	} else {
		s.rx[id] = list
	}
	s.mu.Unlock()
}

func (s *Simulator) signal() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// handle answers post-bind requests.
func (s *Simulator) handle(sess *smpp.Session, h pdu.Header, body []byte) {
	switch h.ID {
	case pdu.SubmitSMID:
		var sm pdu.SubmitSM
		if err := sm.Decode(body); err != nil {
			s.counters.bad.Add(1)
			_ = sess.Respond(h, pdu.StatusOf(err), nil)
			return
		}
		s.counters.submitSM.Add(1)
		s.submit(sess, h, sm.Source, sm.Dest, sm.DataCoding, sm.RegisteredDelivery, sm.Payload())
	case pdu.DataSMID:
		var dm pdu.DataSM
		if err := dm.Decode(body); err != nil {
			s.counters.bad.Add(1)
			_ = sess.Respond(h, pdu.StatusOf(err), nil)
			return
		}
		s.counters.dataSM.Add(1)
		s.submit(sess, h, dm.Source, dm.Dest, dm.DataCoding, dm.RegisteredDelivery, dm.Payload())
	case pdu.SubmitMultiID:
		var sm pdu.SubmitMulti
		if err := sm.Decode(body); err != nil {
			_ = sess.Respond(h, pdu.StatusOf(err), nil)
			return
		}
		resp := pdu.SubmitMultiResp{MessageID: s.appendID(nil, s.nextID.Add(1))}
		_ = sess.Respond(h, pdu.StatusOK, resp.AppendBody(nil))
	case pdu.QuerySMID:
		_ = sess.Respond(h, pdu.StatusQueryFail, nil)
	case pdu.CancelSMID:
		_ = sess.Respond(h, pdu.StatusCancelFail, nil)
	case pdu.ReplaceSMID:
		_ = sess.Respond(h, pdu.StatusReplaceFail, nil)
	default:
		if h.ID.HasResponse() {
			_ = sess.Respond(h, pdu.StatusInvCmdID, nil)
		}
	}
}

// submit decides the outcome of one submit_sm or data_sm and answers it.
func (s *Simulator) submit(sess *smpp.Session, h pdu.Header, src, dst pdu.Address, dc, rd byte, text []byte) {
	if s.cfg.OnSubmit != nil {
		s.cfg.OnSubmit(src, dst, dc, text)
	}
	now := time.Now().UnixNano()
	s.counters.firstSubmit.CompareAndSwap(0, now)
	s.counters.lastSubmit.Store(now)
	s.counters.byCoding[dc].Add(1)
	if n := s.cfg.DropEvery; n > 0 && s.submits.Add(1)%uint64(n) == 0 {
		s.counters.droppedConns.Add(1)
		sess.Abort()
		return
	}
	if r := rand.Float64(); r < s.cfg.ThrottleRatio {
		s.counters.throttled.Add(1)
		_ = sess.Respond(h, pdu.StatusThrottled, nil)
		return
	} else if r < s.cfg.ThrottleRatio+s.cfg.FailRatio {
		s.counters.failed.Add(1)
		_ = sess.Respond(h, pdu.StatusSubmitFail, nil)
		return
	}
	id := s.nextID.Add(1)
	var buf [pdu.HeaderLen + 24]byte
	respBody := append(s.appendID(buf[:0], id), 0)
	s.counters.ok.Add(1)
	if s.cfg.SlowRatio > 0 && rand.Float64() < s.cfg.SlowRatio {
		body := append([]byte(nil), respBody...)
		s.wg.Add(1)
		time.AfterFunc(s.cfg.SlowDelay, func() {
			defer s.wg.Done()
			_ = sess.Respond(h, pdu.StatusOK, body)
		})
	} else {
		_ = sess.Respond(h, pdu.StatusOK, respBody)
	}
	if rd&0x03 == 0 {
		return
	}
	stat := s.pickStat()
	delivered := s.mix[stat].Stat == pdutext.StatDelivered
	switch rd & 0x03 {
	case 2: // failure only
		if delivered {
			return
		}
	case 3: // success only
		if !delivered {
			return
		}
	}
	j := simReceipt{due: now + int64(s.cfg.ReceiptDelay), id: id, submitAt: now,
		systemID: sess.SystemID(), stat: uint8(stat)}
	// The receipt travels from the handset back to the sender: swap.
	j.srcTON, j.srcNPI, j.srcLen = dst.TON, dst.NPI, uint8(copy(j.addrBuf[:21], dst.Addr))
	j.dstTON, j.dstNPI, j.dstLen = src.TON, src.NPI, uint8(copy(j.addrBuf[21:], src.Addr))
	if a := pdutext.DataCoding(dc).Alphabet(); a == pdutext.AlphabetGSM7 || a == pdutext.AlphabetIA5 || a == pdutext.AlphabetLatin1 {
		j.textLen = uint8(copy(j.text[:], text))
	}
	s.mu.Lock()
	if s.queue.len()+s.heldCount >= s.cfg.MaxPendingReceipts {
		s.mu.Unlock()
		s.counters.receiptsDropped.Add(1)
		return
	}
	s.queue.push(j)
	s.mu.Unlock()
	s.signal()
}

func (s *Simulator) pickStat() int {
	if len(s.mix) == 1 {
		return 0
	}
	r := rand.IntN(s.total)
	for i, m := range s.mix {
		if r < m.Weight {
			return i
		}
		r -= m.Weight
	}
	return len(s.mix) - 1
}

func (s *Simulator) appendID(dst []byte, id uint64) []byte {
	if s.cfg.HexIDs {
		return strconv.AppendUint(dst, id, 16)
	}
	return strconv.AppendUint(dst, id, 10)
}

// sendReceipts is the receipt goroutine: it sends each receipt when due
// to a receiver bind of its system_id, or holds it until one binds.
func (s *Simulator) sendReceipts() {
	defer s.wg.Done()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	s.wg.Add(1)
	go func() { // cancels blocked Sends on Close
		defer s.wg.Done()
		<-s.stop
		cancel()
	}()
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	var body, text []byte
	for {
		s.mu.Lock()
		var j simReceipt
		wait := time.Duration(-1)
		if s.queue.len() > 0 {
			if d := time.Duration(s.queue.peek().due - time.Now().UnixNano()); d > 0 {
				wait = d
			} else {
				j = s.queue.pop()
			}
		} else {
			wait = time.Hour
		}
		s.mu.Unlock()
		if wait >= 0 {
			timer.Reset(wait)
			select {
			case <-s.stop:
				return
			case <-s.wake:
			case <-timer.C:
			}
			continue
		}
		sess := s.receiver(j.systemID)
		if sess == nil {
			s.hold(j)
			continue
		}
		body, text = s.receiptBody(body[:0], text[:0], &j)
		call := simCalls.Get().(*simCall)
		call.s, call.j = s, j
		if _, err := sess.Send(ctx, pdu.DeliverSMID, body, call); err != nil {
			call.release()
			if ctx.Err() != nil {
				return
			}
			s.hold(j)
			continue
		}
	}
}

// simCall is a receipt riding with its deliver_sm, and the Responder
// that learns the gateway's answer.
type simCall struct {
	s *Simulator
	j simReceipt
}

// simCalls recycles the receipts riding with their deliver_sm.
var simCalls = sync.Pool{New: func() any { return new(simCall) }}

func (c *simCall) release() {
	*c = simCall{}
	simCalls.Put(c)
}

// simReceiptRetry is how long a receipt refused for the time being waits
// before it is sent again.
const simReceiptRetry = 50 * time.Millisecond

// Response counts a receipt the gateway took. One it refused for
// the time being (ESME_RX_T_APPN, ESME_RTHROTTLED, ESME_RMSGQFUL) goes
// back in the queue to be sent again, as an SMSC does, unless NoResend;
// one that got no answer (its connection lost) always does; another
// refusal is counted dropped.
func (c *simCall) Response(h pdu.Header, _ []byte, err error) {
	s, j := c.s, &c.j
	defer c.release()
	if err == nil && h.Status != pdu.StatusOK {
		s.counters.refusedMu.Lock()
		if s.counters.refused == nil {
			s.counters.refused = map[string]uint64{}
		}
		s.counters.refused[h.Status.Name()]++
		s.counters.refusedMu.Unlock()
	}
	switch {
	case err == nil && h.Status == pdu.StatusOK:
		s.counters.receipts[j.stat].Add(1)
		s.counters.lastReceipt.Store(time.Now().UnixNano())
	case err != nil || (!s.cfg.NoResend && (h.Status == pdu.StatusXTAppn || h.Status == pdu.StatusThrottled || h.Status == pdu.StatusMsgQFul)):
		again := *j
		again.due = time.Now().Add(simReceiptRetry).UnixNano()
		s.counters.receiptsRetried.Add(1)
		s.hold(again)
		s.signal()
	default:
		s.counters.receiptsDropped.Add(1)
	}
}

// receiptBody encodes j's deliver_sm body.
func (s *Simulator) receiptBody(body, text []byte, j *simReceipt) ([]byte, []byte) {
	stat := s.mix[j.stat].Stat
	dlvrd, errCode := 0, "000"
	if stat == pdutext.StatDelivered {
		dlvrd = 1
	} else {
		errCode = "001"
	}
	idBuf := s.appendID(make([]byte, 0, 24), j.id)
	text = pdutext.AppendReceipt(text, pdutext.Receipt{
		ID: string(idBuf), Sub: 1, Dlvrd: dlvrd,
		SubmitDate: time.Unix(0, j.submitAt), DoneDate: time.Now(),
		Stat: stat, Err: errCode, Text: string(j.text[:j.textLen]),
	})
	var tlvs []byte
	tlvs = pdu.AppendTLVCString(tlvs, pdu.TagReceiptedMessageID, idBuf)
	tlvs = pdu.AppendTLVByte(tlvs, pdu.TagMessageState, byte(stat.State()))
	dm := pdu.DeliverSM{
		Source:   pdu.Address{TON: j.srcTON, NPI: j.srcNPI, Addr: j.addrBuf[:j.srcLen]},
		Dest:     pdu.Address{TON: j.dstTON, NPI: j.dstNPI, Addr: j.addrBuf[21 : 21+int(j.dstLen)]},
		ESMClass: 0x04, ShortMessage: text, TLVs: tlvs,
	}
	return dm.AppendBody(body), text
}

// receiver picks a bound receiver session of systemID, round robin.
func (s *Simulator) receiver(systemID string) *smpp.Session {
	s.mu.Lock()
	defer s.mu.Unlock()
	list := s.rx[systemID]
	if len(list) == 0 {
		return nil
	}
	s.rxNext++
	return list[s.rxNext%len(list)]
}

// anyReceiver picks any bound receiver session, round robin.
func (s *Simulator) anyReceiver() *smpp.Session {
	s.mu.Lock()
	defer s.mu.Unlock()
	var all []*smpp.Session
	for _, list := range s.rx {
		all = append(all, list...)
	}
	if len(all) == 0 {
		return nil
	}
	s.rxNext++
	return all[s.rxNext%len(all)]
}

// hold keeps a receipt until a receiver of its system_id binds.
func (s *Simulator) hold(j simReceipt) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.queue.len()+s.heldCount >= s.cfg.MaxPendingReceipts {
		s.counters.receiptsDropped.Add(1)
		return
	}
	if len(s.rx[j.systemID]) > 0 { // a receiver bound meanwhile
		s.queue.push(j)
		return
	}
	q := s.held[j.systemID]
	if q == nil {
		q = &simQueue{}
		s.held[j.systemID] = q
	}
	q.push(j)
	s.heldCount++
}

// sendMOs sends MO messages at cfg.MORate until Close.
func (s *Simulator) sendMOs() {
	defer s.wg.Done()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	interval := time.Duration(float64(time.Second) / s.cfg.MORate)
	if interval <= 0 {
		interval = time.Microsecond
	}
	tick := time.NewTicker(interval)
	defer tick.Stop()
	var body []byte
	for n := 1; ; n++ {
		select {
		case <-s.stop:
			return
		case <-tick.C:
		}
		sess := s.anyReceiver()
		if sess == nil {
			continue
		}
		from := strconv.AppendUint([]byte("4477009"), uint64(rand.IntN(100000))+100000, 10)[:12]
		dm := pdu.DeliverSM{
			Source:       pdu.Address{TON: 1, NPI: 1, Addr: from},
			Dest:         pdu.Address{TON: 0, NPI: 0, Addr: []byte(s.cfg.MODest)},
			ShortMessage: strconv.AppendInt([]byte("MO test "), int64(n), 10),
		}
		body = dm.AppendBody(body[:0])
		sctx, scancel := context.WithTimeout(ctx, time.Second)
		_, err := sess.Send(sctx, pdu.DeliverSMID, body, nil)
		scancel()
		if err == nil {
			s.counters.moSent.Add(1)
		}
	}
}

// simQueue is a FIFO ring of receipts. With one ReceiptDelay for all
// receipts, arrival order is due order, so a FIFO is the timer queue.
type simQueue struct {
	buf        []simReceipt
	head, size int
}

func (q *simQueue) len() int { return q.size }

func (q *simQueue) push(j simReceipt) {
	if q.size == len(q.buf) {
		n := 2 * len(q.buf)
		if n == 0 {
			n = 1024
		}
		nb := make([]simReceipt, n)
		for i := range q.size {
			nb[i] = q.buf[(q.head+i)%len(q.buf)]
		}
		q.buf, q.head = nb, 0
	}
	q.buf[(q.head+q.size)%len(q.buf)] = j
	q.size++
}

func (q *simQueue) peek() *simReceipt { return &q.buf[q.head] }

func (q *simQueue) pop() simReceipt {
	j := q.buf[q.head]
	q.buf[q.head] = simReceipt{}
	q.head = (q.head + 1) % len(q.buf)
	q.size--
	return j
}
