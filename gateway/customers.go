package gateway

import (
	"context"
	"errors"
	"net"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/gallant-sms/gallant/account"
	"github.com/gallant-sms/gallant/smpp"
	"github.com/gallant-sms/gallant/smpp/pdu"
	"github.com/gallant-sms/gallant/smpp/pdutext"
	"github.com/gallant-sms/gallant/smpp/proxyproto"
	"github.com/gallant-sms/gallant/sms"
	"github.com/gallant-sms/gallant/store"
)

// customers is the SMPP side facing customers: binds, submits, queries,
// and receipts back to their receiver and transceiver binds.
type customers struct {
	s   *Service
	srv *smpp.Server

	// rx maps system_id to the sessions that may receive
	// ([]*smpp.Session). Every receipt reads it, so readers take no lock
	// (sync.Map reads do not); bound and closed, under mu, store a new
	// slice and never modify one already stored. A bind costs a copy of
	// its system_id's slice, not of the whole map.
	mu  sync.Mutex
	rx  sync.Map
	nxt atomic.Uint64 // round robin over a system_id's sessions

	queue   chan *custReceipt
	flushes chan account.Binding
	alerts  chan *carrierAlert // carriers' alert_notification, to pass on (alert.go)
	// heldWhileBound is set when a receipt was held (stored) because the
	// send queue was full, though its customer may well be bound: the
	// flush loop then looks for held receipts of every bound customer
	// instead of waiting for the next bind.
	heldWhileBound atomic.Bool
	// ho tells other instances of rows held here, and flushes rows held
	// elsewhere for customers bound here (handoff.go).
	ho   *handoff
	quit chan struct{}
	wg   sync.WaitGroup

	// guard is the failed-bind limiter; refusals logs refused
	// connections and binds at a bounded rate.
	guard    *bindGuard
	refusals *refusalLog

	// ending holds the binds recheckBinds is ending, so an unbind slower
	// than one recheck interval is neither counted nor ended twice. Only
	// the recheck loop's goroutine touches it.
	ending map[*smpp.Session]struct{}
}

// receiptWorkers send receipts to customers in parallel, so one slow
// customer holds up at most its own receipts for a while.
const receiptWorkers = 4

func newCustomers(s *Service, guard *bindGuard, ho *handoff) *customers {
	c := &customers{s: s, ho: ho,
		queue: make(chan *custReceipt, s.cfg.ReceiptQueue), flushes: make(chan account.Binding, 1024), quit: make(chan struct{}),
		guard: guard, refusals: newRefusalLog(s.log.With("component", "smpp-server"))}
	c.alerts = make(chan *carrierAlert, alertQueue)
	sc := s.cfg.CustomerSession
	c.srv = &smpp.Server{
		Authenticator:       smpp.AuthenticatorFunc(c.authenticate),
		Handler:             smpp.HandlerFunc(c.handle),
		MaxBindsPerSystemID: s.cfg.MaxBindsPerSystemID,
		MaxConnections:      max(s.cfg.MaxConnections, 0),
		MaxConnectionsPerIP: max(s.cfg.MaxConnectionsPerIP, 0),
		OnRefuse:            c.connRefused,
		ProxyProtocol:       proxyproto.Config{Trusted: s.cfg.ProxyTrusted},
		Session:             sc,
		Logger:              s.log.With("component", "smpp-server"),
		SystemID:            s.cfg.SystemID,
		OnBind:              c.bound,
		OnClose:             c.closed,
	}
	for range receiptWorkers {
		c.wg.Add(1)
		go c.sendLoop()
	}
	ho.c = c
	ho.start()
	c.wg.Add(1)
	go c.flushLoop()
	c.wg.Add(1)
	go c.recheckLoop()
	c.wg.Add(1)
	go c.refusalLoop()
	c.wg.Add(1)
	go c.alertLoop()
	return c
}

func (c *customers) stop() {
	close(c.quit)
	c.wg.Wait()
	// Receipts still queued are held for the next run.
	for held := true; held; {
		select {
		case r := <-c.queue:
			c.hold(r)
		default:
			held = false
		}
	}
	c.ho.stop()
}

// authenticate checks a customer's bind against its SMPP credential,
// unless the failed-bind limiter blocks the client: then it refuses at
// once, without the password check (bcrypt) an attacker would make us
// run for every guess.
func (c *customers) authenticate(ctx context.Context, req smpp.BindRequest) (any, pdu.Status) {
	addr := smpp.ClientKey(req.RemoteAddr)
	if c.guard.blocked(ctx, addr, req.SystemID) {
		c.refuse(addr, req.SystemID, refusedBindBlocked)
		return nil, pdu.StatusBindFail
	}
	b, err := c.s.acc.AuthenticateSMPP(ctx, req.SystemID, req.Password, req.RemoteAddr)
	switch {
	case err == nil:
	case errors.Is(err, account.ErrUnauthorized):
		c.guard.failed(ctx, addr, req.SystemID)
		c.refuse(addr, req.SystemID, refusedBadCredentials)
		return nil, pdu.StatusBindFail
	case errors.Is(err, account.ErrSuspended), errors.Is(err, account.ErrAddress):
		// Counted too: a refused customer retrying in a loop would
		// otherwise cost a password check each time.
		c.guard.failed(ctx, addr, req.SystemID)
		c.refuse(addr, req.SystemID, refusedNotAllowed)
		return nil, pdu.StatusBindFail
	default:
		c.s.log.Error("authenticate bind", "system_id", req.SystemID, "err", err)
		return nil, pdu.StatusSysErr
	}
	// The server checks MaxBindsPerSystemID again as it counts the bind;
	// checking it here too counts most such refusals.
	if n := c.srv.BindCount(req.SystemID); (b.BindLimit > 0 && n >= b.BindLimit) ||
		(c.s.cfg.MaxBindsPerSystemID > 0 && n >= c.s.cfg.MaxBindsPerSystemID) {
		c.refuse(addr, req.SystemID, refusedBindLimit)
		return nil, pdu.StatusBindFail
	}
	return b, pdu.StatusOK
}

// connRefused is the server's OnRefuse: a connection turned away at
// accept, or closed for want of a bind.
func (c *customers) connRefused(remote net.Addr, reason smpp.RefuseReason) {
	c.refuse(smpp.ClientKey(remote), "", refusalOf(reason))
}

// refuse counts a refusal and logs it at a bounded rate.
func (c *customers) refuse(addr, systemID string, r smppRefusal) {
	c.s.m.smppRefused[r].Inc()
	c.refusals.note(addr, systemID, r)
}

// refusalLoop logs refusal counts and forgets expired limiter state once
// per refusalLogInterval.
func (c *customers) refusalLoop() {
	defer c.wg.Done()
	t := time.NewTicker(refusalLogInterval)
	defer t.Stop()
	for {
		select {
		case <-c.quit:
			c.refusals.flush()
			return
		case <-t.C:
			c.refusals.flush()
			c.guard.sweep()
		}
	}
}

func (c *customers) bound(sess *smpp.Session) {
	c.s.m.customerBinds.Inc()
	if !sess.BindType().CanReceive() {
		return
	}
	id := sess.SystemID()
	c.mu.Lock()
	list := c.sessions(id)
	c.rx.Store(id, append(list[:len(list):len(list)], sess)) // a new array: list may be in use
	c.mu.Unlock()
	if b, ok := sess.Value().(account.Binding); ok {
		select {
		case c.flushes <- b:
		default: // a flush is already due for plenty of binds
		}
	}
}

func (c *customers) closed(sess *smpp.Session) {
	c.s.m.customerBinds.Dec()
	id := sess.SystemID()
	c.mu.Lock()
	defer c.mu.Unlock()
	list := c.sessions(id)
	i := slices.Index(list, sess)
	switch {
	case i < 0: // never added (cannot receive)
	case len(list) == 1:
		c.rx.Delete(id)
	default:
		c.rx.Store(id, slices.Concat(list[:i], list[i+1:])) // a new array
	}
}

// sessions returns the sessions of systemID that may receive; the slice
// is shared and must not be modified.
func (c *customers) sessions(systemID string) []*smpp.Session {
	v, ok := c.rx.Load(systemID)
	if !ok {
		return nil
	}
	return v.([]*smpp.Session)
}

// pick returns a receiver session of systemID, round robin, or nil.
func (c *customers) pick(systemID string) *smpp.Session {
	list := c.sessions(systemID)
	if len(list) == 0 {
		return nil
	}
	return list[c.nxt.Add(1)%uint64(len(list))]
}

// handle serves a bound customer's requests.
func (c *customers) handle(sess *smpp.Session, h pdu.Header, body []byte) {
	b, _ := sess.Value().(account.Binding)
	switch h.ID {
	case pdu.SubmitSMID:
		var sm pdu.SubmitSM
		if err := sm.Decode(body); err != nil {
			c.s.m.refused(ProblemInvalidRequest)
			_ = sess.Respond(h, pdu.StatusOf(err), nil)
			return
		}
		c.submit(sess, h, b, submitFields{src: sm.Source, dst: sm.Dest, esm: sm.ESMClass, pid: sm.ProtocolID,
			prio: sm.PriorityFlag, sched: sm.ScheduleDeliveryTime, valid: sm.ValidityPeriod, rd: sm.RegisteredDelivery,
			dc: sm.DataCoding, payload: sm.Payload(), tlvs: sm.TLVs})
	case pdu.DataSMID:
		var dm pdu.DataSM
		if err := dm.Decode(body); err != nil {
			c.s.m.refused(ProblemInvalidRequest)
			_ = sess.Respond(h, pdu.StatusOf(err), nil)
			return
		}
		c.submit(sess, h, b, submitFields{src: dm.Source, dst: dm.Dest, esm: dm.ESMClass, rd: dm.RegisteredDelivery,
			dc: dm.DataCoding, payload: dm.Payload(), tlvs: dm.TLVs})
	case pdu.QuerySMID:
		c.query(sess, h, b, body)
	case pdu.CancelSMID:
		c.cancel(sess, h, b, body)
	case pdu.SubmitMultiID:
		c.submitMulti(sess, h, b, body)
	case pdu.ReplaceSMID:
		c.replace(sess, h, b, body)
	default:
		// Anything else we do not offer.
		_ = sess.Respond(h, pdu.StatusInvCmdID, nil)
	}
}

type submitFields struct {
	src, dst       pdu.Address
	esm, pid, prio byte
	sched, valid   []byte
	rd, dc         byte
	payload        []byte
	tlvs           pdu.TLVs
}

func (c *customers) submit(sess *smpp.Session, h pdu.Header, b account.Binding, f submitFields) {
	refuseWith := func(r *Refusal) {
		c.s.m.refused(r.Problem)
		_ = sess.Respond(h, r.Status, nil)
	}
	// A saturated gateway refuses before building the message: under
	// backpressure most submit_sm are refused and resent, and building
	// each cost about five allocations for nothing (BenchmarkPipeline,
	// fast mode). Accept checks again, for the other ingresses.
	if c.s.Saturated() {
		refuseWith(errBackpressure)
		return
	}
	dst, r := Destination(f.dst.TON, f.dst.NPI, string(f.dst.Addr))
	if r != nil {
		refuseWith(r)
		return
	}
	m, r := c.message(b, &f)
	if r != nil {
		refuseWith(r)
		return
	}
	m.Dest = dst
	c.s.Accept(m, b.TPSLimit, newSMPPReq(c, sess, h))
}

// message validates everything of f but the destination (source,
// content, times) into a message of b without a Dest.
func (c *customers) message(b account.Binding, f *submitFields) (*sms.Message, *Refusal) {
	src, r := Source(f.src.TON, f.src.NPI, string(f.src.Addr))
	if r != nil {
		return nil, r
	}
	content, r := SubmitContent(f.dc, f.esm, f.payload, f.tlvs, c.s.cfg.MaxSegments)
	if r != nil {
		return nil, r
	}
	now := time.Now()
	sendAt, err := pdutext.ParseTime(f.sched, now)
	if err != nil {
		return nil, refuse(pdu.StatusInvSched, ProblemInvalidRequest, 400, "schedule_delivery_time", err.Error())
	}
	validUntil, err := pdutext.ParseTime(f.valid, now)
	if err != nil {
		return nil, refuse(pdu.StatusInvExpiry, ProblemInvalidRequest, 400, "validity_period", err.Error())
	}
	if qos, ok := f.tlvs.Uint32(pdu.TagQosTimeToLive); ok && qos > 0 {
		validUntil = now.Add(time.Duration(qos) * time.Second)
	}
	m := &sms.Message{
		AccountID: b.AccountID, Ingress: sms.IngressSMPP, SystemID: b.SystemID,
		Source: src, DataCoding: content.DataCoding, ESMClass: content.ESMClass,
		ProtocolID: f.pid, Priority: f.prio, RegisteredDelivery: f.rd,
		Body: content.Body, Segments: content.Segments, SendAt: sendAt, ValidUntil: validUntil,
	}
	if ref, ok := f.tlvs.Uint16(pdu.TagUserMessageReference); ok {
		m.ClientRef = strconv.Itoa(int(ref))
	}
	return m, nil
}

// Accepted answers a submit_sm or data_sm with our message id, and
// releases the request (Accept calls it exactly once).
func (req *smppReq) Accepted(m *sms.Message, err error) {
	defer req.release()
	if err != nil {
		st := pdu.StatusSysErr
		// AsType, not As: no reflection for each refused submit_sm (a
		// saturated gateway refuses many; errors.As was 3% of the CPU).
		if r, ok := errors.AsType[*Refusal](err); ok {
			st = r.Status
		}
		_ = req.sess.Respond(req.h, st, nil)
		return
	}
	var buf [24]byte
	body := append(m.ID.AppendTo(buf[:0]), 0)
	_ = req.sess.Respond(req.h, pdu.StatusOK, body)
}

// requestedID parses the message_id of a query_sm or cancel_sm whose
// decoding gave decodeErr; when either fails it answers the request and
// reports false.
func requestedID(sess *smpp.Session, h pdu.Header, decodeErr error, raw []byte) (sms.ID, bool) {
	if decodeErr != nil {
		_ = sess.Respond(h, pdu.StatusOf(decodeErr), nil)
		return 0, false
	}
	id, err := sms.ParseIDBytes(raw)
	if err != nil {
		_ = sess.Respond(h, pdu.StatusInvMsgID, nil)
		return 0, false
	}
	return id, true
}

// query answers query_sm from the store.
func (c *customers) query(sess *smpp.Session, h pdu.Header, b account.Binding, body []byte) {
	var q pdu.QuerySM
	err := q.Decode(body)
	id, ok := requestedID(sess, h, err, q.MessageID)
	if !ok {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	// Read our own writes: a customer that got a receipt and asks at once
	// must not be told an older state still in the writer's batch.
	_ = c.s.w.Flush(ctx)
	ev, err := c.s.st.LatestStatus(ctx, b.AccountID, id)
	if errors.Is(err, store.ErrNotFound) {
		_ = sess.Respond(h, pdu.StatusInvMsgID, nil)
		return
	}
	if err != nil {
		_ = sess.Respond(h, pdu.StatusQueryFail, nil)
		return
	}
	resp := pdu.QuerySMResp{MessageID: q.MessageID, MessageState: byte(smppState(ev.Status, ev.ErrorCode))}
	if ev.Status.Final() {
		resp.FinalDate = pdutext.AppendAbsTime(nil, ev.At)
	}
	if n, err := strconv.Atoi(ev.ErrorCode); err == nil && n >= 0 && n < 256 {
		resp.ErrorCode = byte(n)
	}
	_ = sess.Respond(h, pdu.StatusOK, resp.AppendBody(nil))
}

// cancel answers cancel_sm: only a message still waiting for its send
// time can be cancelled.
func (c *customers) cancel(sess *smpp.Session, h pdu.Header, b account.Binding, body []byte) {
	var q pdu.CancelSM
	err := q.Decode(body)
	id, ok := requestedID(sess, h, err, q.MessageID)
	if !ok {
		return
	}
	ok, err = c.s.sched.cancel(b.AccountID, id)
	if err != nil {
		c.s.log.Error("cancel scheduled message", "id", id, "err", err)
	}
	if !ok {
		_ = sess.Respond(h, pdu.StatusCancelFail, nil)
		return
	}
	_ = sess.Respond(h, pdu.StatusOK, nil)
}

// codeCancelled is the error code of a message cancelled by cancel_sm.
const codeCancelled = "cancelled"

// smppState is the message_state a customer sees for a status with its
// error code: a cancelled message is DELETED (SMPP 3.4 §5.2.28).
func smppState(st sms.Status, code string) pdutext.MessageState {
	if st == sms.StatusRejected && code == codeCancelled {
		return pdutext.StateDeleted
	}
	return stateOf(st)
}

// receiptErr is the three-digit err field of a receipt (appendix B) for
// an error code: a carrier's receipt code as it came (padded), a
// command_status ("0x45") in decimal, and our own words ("no-route",
// "cancelled") as 000, since the state already says what happened.
//
// It returns the digits in an array, so that a receipt needs no
// allocation for them, and parses without strconv: a code that is not a
// number (the usual case: none at all) is not an error to build.
func receiptErr(code string) [3]byte {
	n := -1
	if h, ok := strings.CutPrefix(code, "0x"); ok {
		n = parseCapped(h, 16)
	} else {
		n = parseCapped(code, 10)
	}
	if n < 0 {
		return [3]byte{'0', '0', '0'}
	}
	return [3]byte{byte('0' + n/100), byte('0' + n/10%10), byte('0' + n%10)}
}

// parseCapped parses digits of base 10 or 16 (either case) and caps the
// value at 999; it returns -1 when s is empty or has another character.
func parseCapped(s string, base int) int {
	if s == "" {
		return -1
	}
	n := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		var d int
		switch {
		case c >= '0' && c <= '9':
			d = int(c - '0')
		case base == 16 && c|0x20 >= 'a' && c|0x20 <= 'f':
			d = int(c|0x20-'a') + 10
		default:
			return -1
		}
		n = min(n*base+d, 999)
	}
	return n
}

// stateOf maps our status to an SMPP message_state.
func stateOf(st sms.Status) pdutext.MessageState {
	switch st {
	case sms.StatusDelivered:
		return pdutext.StateDelivered
	case sms.StatusExpired:
		return pdutext.StateExpired
	case sms.StatusUndelivered:
		return pdutext.StateUndeliverable
	case sms.StatusRejected:
		return pdutext.StateRejected
	case sms.StatusFailed:
		return pdutext.StateUnknown
	case sms.StatusScheduled:
		return pdutext.StateScheduled
	case sms.StatusSubmitted:
		return pdutext.StateAccepted
	}
	return pdutext.StateEnroute
}

// appendReceiptText appends the customer receipt's text field to dst:
// the first 20 characters of the message when it is text, with anything
// outside printable ASCII shown as '?' (the receipt itself travels as GSM
// 7-bit).
func appendReceiptText(dst []byte, m *sms.Message) []byte {
	if m.HasUDH() {
		return dst
	}
	dc := pdutext.DataCoding(m.DataCoding)
	if a := dc.Alphabet(); a != pdutext.AlphabetGSM7 && a != pdutext.AlphabetUCS2 && a != pdutext.AlphabetIA5 && a != pdutext.AlphabetLatin1 {
		return dst
	}
	// A one-segment text decodes within the stack buffer; a longer one
	// spills to the heap, as before.
	var scratch [512]byte
	t, err := pdutext.Decode(scratch[:0], m.Body, dc)
	if err != nil {
		return dst
	}
	for n := 0; n < pdutext.ReceiptTextLen && len(t) > 0; n++ {
		r, size := utf8.DecodeRune(t) // not range string(t): that copies t
		t = t[size:]
		if r < 0x20 || r > 0x7E {
			r = '?'
		}
		dst = append(dst, byte(r))
	}
	return dst
}

// receipt queues a delivery receipt for an SMPP customer.
func (c *customers) receipt(m *sms.Message, st sms.Status, code string) {
	now := time.Now()
	state := smppState(st, code)
	dlvrd := 0
	if st == sms.StatusDelivered {
		dlvrd = 1
	}
	// Everything is encoded on the stack and then once into the pooled
	// custReceipt's own buffer: the strings converted here do not escape
	// (AppendReceipt only copies them), so they need no allocation.
	var idBuf [20]byte
	var textBuf [pdutext.ReceiptTextLen]byte
	var tlvBuf [64]byte
	var smBuf [256]byte
	id := m.ID.AppendTo(idBuf[:0])
	errDigits := receiptErr(code)
	text := pdutext.AppendReceipt(smBuf[:0], pdutext.Receipt{ID: string(id), Sub: 1, Dlvrd: dlvrd,
		SubmitDate: m.CreatedAt, DoneDate: now, Stat: state.Stat(), Err: string(errDigits[:]),
		Text: string(appendReceiptText(textBuf[:0], m))})
	if len(text) > 254 {
		text = text[:254]
	}
	tlvs := pdu.AppendTLVCString(tlvBuf[:0], pdu.TagReceiptedMessageID, id)
	tlvs = pdu.AppendTLVByte(tlvs, pdu.TagMessageState, byte(state))
	dm := pdu.DeliverSM{
		Source:   pdu.Address{TON: m.Dest.TON, NPI: m.Dest.NPI, Addr: []byte(m.Dest.Addr)},
		Dest:     pdu.Address{TON: m.Source.TON, NPI: m.Source.NPI, Addr: []byte(m.Source.Addr)},
		ESMClass: 0x04, ShortMessage: text, TLVs: tlvs,
	}
	if m.ClientRef != "" {
		if n, err := strconv.Atoi(m.ClientRef); err == nil && n >= 0 && n <= 0xFFFF {
			dm.TLVs = pdu.AppendTLVUint16(dm.TLVs, pdu.TagUserMessageReference, uint16(n))
		}
	}
	expires := m.ValidUntil
	if min := now.Add(time.Hour); expires.Before(min) {
		expires = min // a receipt outlives the message's validity a little
	}
	r := newCustReceipt()
	r.c, r.account, r.systemID, r.id, r.expires = c, m.AccountID, m.SystemID, m.ID, expires
	r.body = dm.AppendBody(r.buf[:0])
	select {
	case c.queue <- r:
	default:
		c.s.m.receiptsToCustomers("held")
		c.hold(r)
	}
}

// sendLoop delivers queued receipts, holding those no bind takes.
func (c *customers) sendLoop() {
	defer c.wg.Done()
	w := newWindowWait()
	defer w.stop()
	for {
		select {
		case <-c.quit:
			return
		case r := <-c.queue:
			c.send(r, w)
		}
	}
}

// heldPage gathers the answers to one page of held receipts sent by flush.
type heldPage struct {
	wg sync.WaitGroup // one per receipt sent, until its answer
	mu sync.Mutex
	ok []int64 // held receipt ids the customer took
}

// heldCall is one held receipt sent by flush: its smpp.Responder.
type heldCall struct {
	page *heldPage
	id   int64
}

// Response records a held receipt the customer took.
func (hc *heldCall) Response(h pdu.Header, _ []byte, err error) {
	defer hc.page.wg.Done()
	if err == nil && h.Status == pdu.StatusOK {
		hc.page.mu.Lock()
		hc.page.ok = append(hc.page.ok, hc.id)
		hc.page.mu.Unlock()
	}
}

// receiptTimeout bounds how long one receipt waits for room in a
// customer's window before it is held instead.
const receiptTimeout = 10 * time.Second

// windowWait is one sendLoop's bounded wait for a customer's window: a
// context that a reusable timer cancels receiptTimeout after start. A
// wait that ends in time (a slot frees) costs nothing; only one that runs
// out needs a new context and timer. context.WithTimeout per receipt
// would cost four allocations and a timer each time.
type windowWait struct {
	ctx    context.Context
	cancel context.CancelFunc
	timer  *time.Timer
}

func newWindowWait() *windowWait {
	w := &windowWait{}
	w.renew()
	return w
}

// renew makes a fresh context and a stopped timer that cancels it.
func (w *windowWait) renew() {
	w.ctx, w.cancel = context.WithCancel(context.Background())
	w.timer = time.AfterFunc(time.Hour, w.cancel)
	w.timer.Stop()
}

// start arms the deadline and returns the context to wait with.
func (w *windowWait) start() context.Context {
	w.timer.Reset(receiptTimeout)
	return w.ctx
}

// done disarms the deadline; if it fired (or is firing) the context is
// spent and is replaced.
func (w *windowWait) done() {
	if !w.timer.Stop() {
		w.cancel()
		w.renew()
	}
}

// stop releases the timer and the context.
func (w *windowWait) stop() {
	w.timer.Stop()
	w.cancel()
}

// send sends r to one of its customer's binds, or holds it; it takes the
// caller's reference to r. w bounds the wait for the window.
func (c *customers) send(r *custReceipt, w *windowWait) {
	sess := c.pick(r.systemID)
	if sess == nil {
		c.hold(r)
		return
	}
	// Send and TrySend wait only for room in the customer's window; the
	// answer comes to r.Response, which gets its own reference.
	r.retain()
	// Try first: a window with room needs no deadline at all.
	_, err := sess.TrySend(pdu.DeliverSMID, r.body, r)
	if errors.Is(err, smpp.ErrWindowFull) {
		_, err = sess.Send(w.start(), pdu.DeliverSMID, r.body, r)
		w.done()
	}
	if err != nil {
		r.release() // Response's: not called when Send fails
		c.s.m.receiptsToCustomers("held")
		c.hold(r)
		return
	}
	// The session copied the body when Send returned; Response may
	// still hold r.
	r.release()
}

// Response holds a receipt the customer did not take, and drops its
// reference to it.
func (r *custReceipt) Response(h pdu.Header, _ []byte, err error) {
	c := r.c
	if err != nil || h.Status != pdu.StatusOK {
		c.s.m.receiptsToCustomers("held")
		c.hold(r)
		return
	}
	c.s.m.receiptsToCustomers("delivered")
	r.release()
}

// hold keeps a receipt in the store until the customer binds. It takes
// the caller's reference to r and passes it on to the writer, which reads
// r.body until r.Stored.
func (c *customers) hold(r *custReceipt) {
	err := c.s.w.Add(&store.HeldReceipt{AccountID: r.account, SystemID: r.systemID, MessageID: r.id,
		Payload: r.body, ExpiresAt: r.expires}, r)
	if err != nil {
		c.s.m.receiptsToCustomers("dropped")
		c.s.log.Error("receipt for a customer dropped: writer backlog", "id", r.id, "system_id", r.systemID)
		r.release()
		return
	}
	c.heldWhileBound.Store(true)
}

// heldRetry is how often the flush loop sends receipts held while their
// customer was bound (the send queue was full).
const heldRetry = time.Second

// flushLoop sends held receipts to customers that bound, and, after
// receipts were held for want of room in the send queue, to every bound
// customer; otherwise, every heldRetry, to the bound customers another
// instance held rows for (checkHeld), and whenever a notice says so
// (wakeFor). Flushes run one at a time here; each claims its rows in the
// store, so no held row is sent by two flushes, here or elsewhere.
func (c *customers) flushLoop() {
	defer c.wg.Done()
	t := time.NewTicker(heldRetry)
	defer t.Stop()
	for {
		select {
		case <-c.quit:
			return
		case b := <-c.flushes:
			c.flush(b)
		case <-t.C:
			if !c.heldWhileBound.Swap(false) {
				// Rows other instances held for customers bound here.
				c.checkHeld()
				continue
			}
			for _, b := range c.receivers() {
				if c.flush(b) {
					c.heldWhileBound.Store(true) // try again next tick
				}
			}
		}
	}
}

// receivers returns one binding of every system_id with a bind that may
// receive.
func (c *customers) receivers() []account.Binding {
	var out []account.Binding
	c.rx.Range(func(_, v any) bool {
		if list := v.([]*smpp.Session); len(list) > 0 {
			if b, ok := list[0].Value().(account.Binding); ok {
				out = append(out, b)
			}
		}
		return true
	})
	return out
}

// flush delivers the receipts held for b's system_id, page by page,
// deleting each page's delivered receipts. It reports whether it stopped
// with receipts possibly still held (no bind left, a send or the store
// failed, the customer refused some).
func (c *customers) flush(b account.Binding) (left bool) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	// Let the writer store receipts held moments before the bind.
	_ = c.s.w.Flush(ctx)
	left = c.flushHeld(ctx, b, b.SystemID)
	// MOs held for any receiver bind of the account (inbound.go).
	return c.flushHeld(ctx, b, moHoldSystemID) || left
}

// flushHeld delivers the rows held under systemID for b's account on
// b's system_id's binds. It claims each page in the store first, so
// another instance flushing the same customer sends other rows; it
// deletes the rows the customer took and releases the others' claims.
func (c *customers) flushHeld(ctx context.Context, b account.Binding, systemID string) (left bool) {
	for ctx.Err() == nil {
		token := c.ho.token()
		held, err := c.s.st.ClaimHeldReceipts(ctx, b.AccountID, systemID, token, heldClaimTTL, 500)
		if err != nil {
			c.ho.warn("claim held receipts", "system_id", b.SystemID, "err", err)
			return true
		}
		if len(held) == 0 {
			return false
		}
		var (
			page heldPage
			fail bool
		)
		calls := make([]heldCall, len(held)) // one allocation for the page's Responders
		for i := range held {
			sess := c.pick(b.SystemID)
			if sess == nil {
				fail = true
				break
			}
			page.wg.Add(1)
			calls[i] = heldCall{page: &page, id: held[i].ID}
			if _, err := sess.Send(ctx, pdu.DeliverSMID, held[i].Payload, &calls[i]); err != nil {
				page.wg.Done()
				fail = true
				break
			}
		}
		page.wg.Wait()
		ok := page.ok
		if len(ok) > 0 {
			if _, err := c.s.st.DeleteHeldReceipts(ctx, ok); err != nil {
				// Sent, and claimed until heldClaimTTL: sent again after.
				c.s.log.Error("delete delivered held receipts", "err", err)
				return true
			}
			c.s.m.heldDelivered.Add(float64(len(ok)))
		}
		if len(ok) < len(held) {
			c.releaseHeld(token, held, ok)
		}
		if fail || len(ok) < len(held) {
			return true
		}
		if len(held) < 500 {
			return false
		}
	}
	return true
}

// releaseHeld hands back the claim on the rows of held the customer did
// not take (taken lists those it did), for the next flush here or on
// another instance. A release that fails leaves them until the claim
// expires.
func (c *customers) releaseHeld(token string, held []store.HeldReceipt, taken []int64) {
	took := make(map[int64]bool, len(taken))
	for _, id := range taken {
		took[id] = true
	}
	rest := make([]int64, 0, len(held)-len(taken))
	for _, h := range held {
		if !took[h.ID] {
			rest = append(rest, h.ID)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if _, err := c.s.st.ReleaseHeldReceipts(ctx, token, rest); err != nil {
		c.ho.warn("release held receipts", "count", len(rest), "err", err)
	}
}
