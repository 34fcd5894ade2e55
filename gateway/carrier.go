package gateway

import (
	"bytes"
	"cmp"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/gallant-sms/gallant/router"
	"github.com/gallant-sms/gallant/smpp"
	"github.com/gallant-sms/gallant/smpp/pdu"
	"github.com/gallant-sms/gallant/smpp/pdutext"
	"github.com/gallant-sms/gallant/sms"
	"github.com/gallant-sms/gallant/throttle"
)

// carrier is one SMSC with its persistent binds.
type carrier struct {
	s   *Service
	cfg CarrierConfig // as built; live has the settings in force
	// tpsBits is the rate in force (math.Float64bits): cfg.TPS, or what
	// the store changed it to since (hotconfig.go).
	tpsBits atomic.Uint64
	// budget is the carrier's TPS shared by every instance (tps.go); nil
	// without Redis or without a TPS.
	budget *throttle.Shared
	// submitLat and receiptLat are this carrier's latency histograms
	// (gallant_gateway_submit_latency_seconds, receipt_latency_seconds).
	submitLat, receiptLat prometheus.Observer
	// lastInbound is when the carrier last sent a request (UnixNano):
	// binds being retired wait for a quiet moment (carriers.go).
	lastInbound atomic.Int64

	// budgetMetrics are the collectors of budget, unregistered with the
	// carrier (tps.go).
	budgetMetrics []prometheus.Collector

	mu       sync.Mutex       // guards the fields below
	binds    []*bind          // the binds in use; replaced as a whole (hotconfig.go)
	ob       *outbindListener // nil without OutbindListen (outbind.go)
	live     CarrierConfig
	nextBind int  // index of the next bind made, for logs and metrics
	closing  bool // unbind has begun: no more replacements
}

// tps is the carrier's rate in force (0: unlimited).
func (c *carrier) tps() float64 { return math.Float64frombits(c.tpsBits.Load()) }

// outbind returns the outbind listener in use (nil: none).
func (c *carrier) outbind() *outbindListener {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.ob
}

// routerCarrier is c as the router takes it: its name, rate and binds.
func (c *carrier) routerCarrier() router.Carrier {
	rc := router.Carrier{Name: c.cfg.Name, TPS: c.tps()}
	for _, b := range c.bindList() {
		rc.Binds = append(rc.Binds, b)
	}
	return rc
}

// bindList returns the binds in use.
func (c *carrier) bindList() []*bind {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.binds
}

// bind adapts one smpp.Client to router.Sender.
type bind struct {
	c       *carrier
	cl      *smpp.Client
	idx     int       // the carrier's bind number in logs and metrics
	window  int       // outstanding submits it may have
	scratch []byte    // encoding buffer: Submit is called from one router goroutine
	st      bindStats // what the operator sees (carrier_status.go)
}

var _ router.Sender = (*bind)(nil)

func (s *Service) newCarrier(cc CarrierConfig) (*carrier, error) {
	c := &carrier{s: s, cfg: cc, live: cc, submitLat: s.m.submitLatency.WithLabelValues(cc.Name),
		receiptLat: s.m.receiptLatency.WithLabelValues(cc.Name)}
	c.tpsBits.Store(math.Float64bits(cc.TPS))
	binds, err := c.makeBinds(cc)
	if err != nil {
		return nil, err
	}
	c.binds = binds
	c.ob = newOutbindListener(c, cc)
	return c, nil
}

// makeBinds makes cc.Binds binds (not started) with cc's connection
// settings.
func (c *carrier) makeBinds(cc CarrierConfig) ([]*bind, error) {
	s := c.s
	var tc *tls.Config
	if cc.TLS != nil {
		tc = cc.TLS.Clone()
		tc.MinVersion = max(tc.MinVersion, tls.VersionTLS12)
		if tc.InsecureSkipVerify {
			s.log.Warn("carrier TLS certificate verification is off (tls_insecure_skip_verify): anyone on the path can read and change this carrier's traffic; use it for test rigs only",
				"carrier", cc.Name)
		}
	}
	c.mu.Lock()
	first := c.nextBind
	c.nextBind += max(cc.Binds, 1)
	c.mu.Unlock()
	var binds []*bind
	for k := range max(cc.Binds, 1) {
		i := first + k
		sc := cc.Session
		if cc.Window > 0 {
			sc.Window = cc.Window
		}
		sc.MaxInbound = cmp.Or(cc.MaxInbound, sc.MaxInbound, DefaultCarrierMaxInbound)
		sc.InboundFull = smpp.InboundBackpressure
		sc.OnInboundError = c.inboundError
		b := &bind{c: c, idx: i, window: cmp.Or(sc.Window, smpp.DefaultWindow)}
		cl, err := smpp.NewClient(smpp.ClientConfig{
			Addr: cc.Addr, TLSConfig: tc, BindType: cc.BindType, SystemID: cc.SystemID, Password: cc.Password,
			SystemType: cc.SystemType, Session: sc, Handler: smpp.HandlerFunc(c.handle),
			MinBackoff: cc.MinBackoff, MaxBackoff: cc.MaxBackoff,
			OnState: func(st smpp.BindState, err error) {
				s.m.bindUp(cc.Name, i, st.Bound())
				b.st.changed(st, err)
				if err != nil {
					s.log.Warn("carrier bind", "carrier", cc.Name, "bind", i, "state", st.String(), "err", err)
				} else {
					s.log.Info("carrier bind", "carrier", cc.Name, "bind", i, "state", st.String())
				}
			},
		}, s.log.With("carrier", cc.Name, "bind", i))
		if err != nil {
			for _, b := range binds {
				b.cl.Close()
			}
			return nil, fmt.Errorf("gateway: carrier %s: %w", cc.Name, err)
		}
		b.cl = cl
		binds = append(binds, b)
	}
	return binds, nil
}

// inboundError counts a carrier request answered with an error (the
// session's OnInboundError).
func (c *carrier) inboundError(cmd pdu.CommandID, st pdu.Status) {
	c.s.m.carrierInboundError(c.cfg.Name, cmd, st)
}

func (c *carrier) start() {
	for _, b := range c.bindList() {
		b.cl.Start()
	}
}

// unbind starts unbinding every bind of c (and closing its outbind
// listener), each on a goroutine of wg:
// from now on the binds read no request into the handler (a carrier's
// deliver_sm is left unanswered, for the carrier to send again after a
// new bind; see smpp.InboundBackpressure), and each sends unbind once the
// requests it holds are answered or abandoned, or closes when ctx ends.
func (c *carrier) unbind(ctx context.Context, wg *sync.WaitGroup) {
	c.mu.Lock()
	c.closing = true
	binds, ob := c.binds, c.ob
	c.mu.Unlock()
	wg.Go(func() { ob.stop(ctx) })
	for _, b := range binds {
		wg.Go(func() {
			if err := b.cl.Unbind(ctx); err != nil {
				b.cl.Close()
			}
		})
	}
}

// newBindLimiter paces one bind with a token bucket; a zero rate means
// no limit.
func newBindLimiter(perSecond float64) router.Limiter {
	if perSecond <= 0 || math.IsInf(perSecond, 0) {
		perSecond = throttle.MaxRate
	}
	burst := int(perSecond / 100) // 10 ms worth
	if burst < 1 {
		burst = 1
	}
	b, err := throttle.NewTokenBucket(perSecond, burst, nil)
	if err != nil {
		b, _ = throttle.NewTokenBucket(throttle.MaxRate, 1, nil)
	}
	return bucketLimiter{b}
}

type bucketLimiter struct{ *throttle.TokenBucket }

func (l bucketLimiter) SetRate(r float64) { _ = l.TokenBucket.SetRate(r) }

// Bound reports whether the bind can take submits.
func (b *bind) Bound() bool { return b.cl.Bound() && b.cl.State().Bound() }

// Submit encodes one segment as submit_sm and sends it without waiting.
// The outcome reaches the router through o.Complete (see answered), by
// way of a submitCall, the request's smpp.Responder.
func (b *bind) Submit(o *router.Outgoing) error {
	m, seg := o.Message(), o.Segment()
	sm := pdu.SubmitSM{
		Source:             pdu.Address{TON: m.Source.TON, NPI: m.Source.NPI, Addr: []byte(m.Source.Addr)},
		Dest:               pdu.Address{TON: m.Dest.TON, NPI: m.Dest.NPI, Addr: []byte(m.Dest.Addr)},
		ESMClass:           seg.ESMClass,
		ProtocolID:         m.ProtocolID,
		PriorityFlag:       m.Priority,
		RegisteredDelivery: 1, // always ask: receipts drive our statuses
		DataCoding:         seg.DataCoding,
	}
	if !m.ValidUntil.IsZero() {
		if d := time.Until(m.ValidUntil); d > time.Second {
			var vbuf [17]byte
			sm.ValidityPeriod = pdutext.AppendRelTime(vbuf[:0], d)
		}
	}
	if len(seg.Body) <= 254 {
		sm.ShortMessage = seg.Body
	} else {
		sm.TLVs = pdu.TLVs(pdu.AppendTLV(nil, pdu.TagMessagePayload, seg.Body))
	}
	b.scratch = sm.AppendBody(b.scratch[:0])
	call := newSubmitCall(b, o)
	_, err := b.cl.TrySend(pdu.SubmitSMID, b.scratch, call)
	if err != nil {
		call.release() // not sent: Response is never called
	}
	switch {
	case err == nil:
		return nil
	case errors.Is(err, smpp.ErrWindowFull):
		return router.ErrBusy
	case errors.Is(err, smpp.ErrNotBound), errors.Is(err, smpp.ErrSessionClosed), errors.Is(err, smpp.ErrConnectionLost):
		return router.ErrNotBound
	}
	return &router.SubmitError{Kind: router.Temporary}
}

// answered handles a carrier's submit_sm_resp (on the bind's reader
// goroutine, before the next PDU of that connection is read, so a receipt
// on the same connection always finds its correlation).
func (b *bind) answered(o *router.Outgoing, h pdu.Header, body []byte, err error) {
	switch {
	case err != nil:
		kind := router.Temporary
		if errors.Is(err, smpp.ErrConnectionLost) {
			kind = router.ConnectionLost
		}
		o.Complete("", &router.SubmitError{Kind: kind})
		return
	case h.Status != pdu.StatusOK:
		o.Complete("", &router.SubmitError{Code: uint32(h.Status), Kind: router.KindOf(uint32(h.Status))})
		return
	}
	m, seq := o.Message(), o.Segment().Seq
	var resp pdu.SubmitSMResp
	id := ""
	if err := resp.Decode(body); err == nil {
		id = string(resp.MessageID)
	}
	// Record "submitted" before the receipt can be matched, here or on
	// another bind, so it always comes first.
	from := m.CreatedAt
	if m.SendAt.After(from) {
		from = m.SendAt
	}
	if !from.IsZero() {
		b.c.submitLat.Observe(time.Since(from).Seconds())
	}
	q := b.c.s.submitted(m, seq, b.c.cfg.Name, id)
	b.st.acked.Add(1)
	if id == "" {
		// Accepted, but we cannot match its receipt: count it sent.
		b.c.s.m.unmatchable.Inc()
	} else {
		b.c.s.tr.putDLR(b.c.cfg.Name, normalizeCarrierID(id), dlrRef{msg: m.ID, account: m.AccountID, seg: seq, at: time.Now().UnixNano(), queued: q})
	}
	o.Complete(id, nil)
}

// normalizeCarrierID makes a carrier's message id comparable between its
// submit_sm_resp and its receipts: trimmed, upper case, without leading
// zeros (docs/smpp.md, "Message ids and correlation").
func normalizeCarrierID(id string) string {
	id = strings.TrimSpace(id)
	for len(id) > 1 && id[0] == '0' {
		id = id[1:]
	}
	return strings.ToUpper(id)
}

// appendCarrierKey appends normalizeCarrierID(string(id)) to dst, without
// a string in between for the usual ASCII id.
func appendCarrierKey(dst, id []byte) []byte {
	for _, c := range id {
		if c >= utf8.RuneSelf {
			return append(dst, normalizeCarrierID(string(id))...)
		}
	}
	id = bytes.TrimSpace(id)
	for len(id) > 1 && id[0] == '0' {
		id = id[1:]
	}
	for _, c := range id {
		if c >= 'a' && c <= 'z' {
			c -= 'a' - 'A'
		}
		dst = append(dst, c)
	}
	return dst
}

// handle takes the carrier's requests: receipts and MO messages.
func (c *carrier) handle(sess *smpp.Session, h pdu.Header, body []byte) {
	c.lastInbound.Store(time.Now().UnixNano())
	switch h.ID {
	case pdu.DeliverSMID:
		var dm pdu.DeliverSM
		if err := dm.Decode(body); err != nil {
			_ = sess.Respond(h, pdu.StatusOf(err), nil)
			return
		}
		if dm.IsReceipt() {
			c.receipt(sess, h, dm.TLVs, dm.Payload())
			return
		}
		if dm.IsIntermediate() {
			_ = sess.Respond(h, pdu.StatusOK, deliverRespBody)
			return
		}
		c.s.in.take(c, carrierReq{sess: sess, h: h}, moPDU{src: dm.Source, dst: dm.Dest, dc: dm.DataCoding, esm: dm.ESMClass,
			body: dm.Payload(), tlvs: dm.TLVs})
	case pdu.DataSMID:
		var dm pdu.DataSM
		if err := dm.Decode(body); err != nil {
			_ = sess.Respond(h, pdu.StatusOf(err), nil)
			return
		}
		if dm.IsReceipt() {
			c.receipt(sess, h, dm.TLVs, dm.Payload())
			return
		}
		c.s.in.take(c, carrierReq{sess: sess, h: h}, moPDU{src: dm.Source, dst: dm.Dest, dc: dm.DataCoding, esm: dm.ESMClass,
			body: dm.Payload(), tlvs: dm.TLVs})
	case pdu.AlertNotificationID:
		c.s.customers.alert(c.cfg.Name, body) // never answered; passed on (alert.go)
	default:
		if h.ID.HasResponse() {
			_ = sess.Respond(h, pdu.StatusInvCmdID, nil)
		}
	}
}

// deliverRespBody is deliver_sm_resp's body: an empty message_id.
var deliverRespBody = []byte{0}

// carrierReq is a carrier's deliver_sm or data_sm to answer: its session
// and header, and whether it was detached from the session's MaxInbound
// room (a receipt held while its submit_sm_resp is unread; see late.go).
// The zero value (sess nil) is none.
type carrierReq struct {
	sess     *smpp.Session
	h        pdu.Header
	detached bool
}

// respond answers the request.
func (r carrierReq) respond(st pdu.Status, body []byte) {
	if r.detached {
		_ = r.sess.RespondDetached(r.h, st, body)
		return
	}
	_ = r.sess.Respond(r.h, st, body)
}

// abandon leaves the request unanswered for good, at shutdown: the
// carrier keeps it and sends it again after a new bind, to this instance
// after a restart or to another (docs/smpp.md, "Windows, throttling and
// back-off"). Answering it with a temporary error instead would lose it
// at the many carriers that do not send a refused receipt again.
func (r carrierReq) abandon() { r.sess.Abandon(r.h, r.detached) }

// abandon leaves r unanswered for good (see carrierReq.abandon) and
// counts it.
func (s *Service) abandon(r carrierReq) {
	s.abandoned.Add(1)
	r.abandon()
}

// ack answers the request once what it carried is stored (deliver_sm_resp
// and data_sm_resp with an empty message_id), or with a temporary error
// when storing failed.
func (r carrierReq) ack(err error) {
	if err != nil {
		r.respond(pdu.StatusXTAppn, nil) // temporary: the carrier will send it again
		return
	}
	r.respond(pdu.StatusOK, deliverRespBody)
}

// receipt matches a carrier's delivery receipt to our message segment,
// records its status and, when the message is complete, tells its sender.
func (c *carrier) receipt(sess *smpp.Session, h pdu.Header, tlvs pdu.TLVs, text []byte) {
	s := c.s
	var idb []byte // the carrier's message id, in the PDU
	var st sms.Status
	var code string
	if rid, ok := tlvs.CString(pdu.TagReceiptedMessageID); ok && len(rid) > 0 {
		idb = rid
	}
	stateOK := false
	if ms, ok := tlvs.Byte(pdu.TagMessageState); ok {
		st, stateOK = statusOfState(pdutext.MessageState(ms))
	}
	// Read in place: only what is kept (an id from the text, an error
	// code) is copied out of text, which is valid during this call only.
	if r, err := pdutext.ParseReceiptView(text); err == nil {
		if len(idb) == 0 {
			idb = r.ID
		}
		if !stateOK {
			st, stateOK = statusOfState(r.Stat.State())
		}
		if len(r.Err) > 0 && string(r.Err) != "000" {
			code = string(r.Err)
		}
	}
	if len(idb) == 0 || !stateOK {
		// Not a receipt we can use, or not final: acknowledge and move on.
		s.m.receipts("ignored")
		_ = sess.Respond(h, pdu.StatusOK, deliverRespBody)
		return
	}
	// The lookup key is normalized on the stack: takeDLR keeps no
	// reference to it.
	var kb [64]byte
	ref, ok := s.tr.takeDLR(c.cfg.Name, string(appendCarrierKey(kb[:0], idb)))
	if !ok {
		// Not known in memory: its submit_sm_resp may still be unread on
		// another bind, or it is older than this process. Match it again
		// shortly, off this reader goroutine (see late.go).
		s.holdLate(&lateReceipt{c: c, req: carrierReq{sess: sess, h: h}, id: string(idb), st: st, code: code})
		return
	}
	c.applyReceipt(carrierReq{sess: sess, h: h}, ref, st, code)
}

// applyReceipt records a matched receipt and, when its message is
// complete, tells the sender; the carrier is answered once the event is
// stored (durable) or taken (fast). A receipt is never refused because
// the writer is busy: it then waits in memory behind the events already
// waiting (overflow.go), in durable mode with its answer, which keeps its
// room in the bind's MaxInbound, so that a busy store slows the carrier
// down through TCP instead of losing what it will not send again.
func (c *carrier) applyReceipt(req carrierReq, ref dlrRef, st sms.Status, code string) {
	c.applyReceiptStored(req, ref, st, code, nil)
}

// applyReceiptStored is applyReceipt with the message read from the store
// already (stored, when not nil), as matchStored reads them in batches.
func (c *carrier) applyReceiptStored(req carrierReq, ref dlrRef, st sms.Status, code string, stored *sms.Message) {
	s := c.s
	s.m.receipts("matched")
	// The carrier's message id stays on the segment's "submitted" event
	// (sms.Event): a second index entry per segment cost SQLite's writer
	// about a third of its time (bench/RESULTS.md, "durable rows").
	ev := sms.Event{MessageID: ref.msg, Status: st, At: time.Now().UTC(),
		Segment: ref.seg, Carrier: c.cfg.Name, ErrorCode: code}
	if ref.at != 0 { // 0: matched from the store, sent before this process
		c.receiptLat.Observe(float64(ev.At.UnixNano()-ref.at) / 1e9)
	}
	// A message this instance does not track (another instance sent it,
	// or a previous life) is read from the store to tell its sender. Read
	// it before the receipt's event is written: the carrier is answered
	// once that is stored, and a process killed between that answer and
	// the read would lose the customer's receipt for good, the carrier not
	// sending it again (TestE2EThreeInstancesKillRestart).
	if stored == nil && ref.at == 0 && !s.tr.with(ref.msg, func(*flight) bool { return false }) {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		stored, _, _ = s.st.GetMessage(ctx, ref.account, ref.msg) // on failure segmentFinal reads it again
		cancel()
	}
	if s.cfg.Durability == Fast {
		// Fast mode answers the carrier at once, as it answers customers:
		// a crash before the event is written loses this receipt (the
		// message then stays "submitted").
		if !s.fold(ref.queued, ev, carrierReq{}) {
			if s.eventsBacklogged() || s.addEvent(ref.account, ev, carrierReq{}) != nil {
				s.recordLater(ref.account, ev, carrierReq{})
			}
		}
		req.ack(nil)
	} else if !s.fold(ref.queued, ev, req) {
		if err := s.addEvent(ref.account, ev, req); err != nil {
			s.recordLater(ref.account, ev, req) // answered once stored
		}
	}
	s.segmentFinal(ref.msg, ref.account, ref.seg, st, code, c.cfg.Name, stored)
}

// statusOfState maps a receipt's message_state to our status; ok is false
// for states that are not final.
func statusOfState(ms pdutext.MessageState) (sms.Status, bool) {
	switch ms {
	case pdutext.StateDelivered:
		return sms.StatusDelivered, true
	case pdutext.StateExpired:
		return sms.StatusExpired, true
	case pdutext.StateUndeliverable:
		return sms.StatusUndelivered, true
	case pdutext.StateRejected, pdutext.StateDeleted:
		return sms.StatusRejected, true
	case pdutext.StateUnknown, pdutext.StateSkipped:
		return sms.StatusFailed, true
	}
	return sms.StatusUnknown, false
}

// carrierStatusCode formats a command_status for an event's error code.
func carrierStatusCode(code uint32) string {
	if code == 0 {
		return ""
	}
	return "0x" + strconv.FormatUint(uint64(code), 16)
}
