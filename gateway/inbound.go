package gateway

import (
	"context"
	"encoding/json"
	"errors"
	"hash/fnv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gallant-sms/gallant/account"
	"github.com/gallant-sms/gallant/consent"
	"github.com/gallant-sms/gallant/smpp"
	"github.com/gallant-sms/gallant/smpp/pdu"
	"github.com/gallant-sms/gallant/smpp/pdutext"
	"github.com/gallant-sms/gallant/sms"
	"github.com/gallant-sms/gallant/store"
	"github.com/gallant-sms/gallant/webhook"
	"github.com/prometheus/client_golang/prometheus"
)

// InboundConfig tunes the routing of carriers' MOs (docs/architecture.md,
// "Inbound messages"). The zero value of each field means its default.
type InboundConfig struct {
	// HoldValidity is how long an MO for SMPP waits in the store while
	// none of its account's receiver binds is up (held as receipts are);
	// default 48 h.
	HoldValidity time.Duration
	// ReassemblyTimeout is how long the parts of a long MO wait for the
	// missing ones before what arrived is delivered, flagged partial;
	// default 2 minutes.
	ReassemblyTimeout time.Duration
	// ReassemblyMaxOpen bounds the long MOs being reassembled at once
	// (their parts stay in memory, at most 255 parts of 255 octets
	// each); beyond it the oldest is delivered partial. Default 10,000.
	ReassemblyMaxOpen int
	// Reload is how often the numbers are read again from the store, so
	// a change made on another instance routes within it; default 1 s.
	Reload time.Duration
}

func (c InboundConfig) withDefaults() InboundConfig {
	if c.HoldValidity <= 0 {
		c.HoldValidity = 48 * time.Hour
	}
	if c.ReassemblyTimeout <= 0 {
		c.ReassemblyTimeout = 2 * time.Minute
	}
	if c.ReassemblyMaxOpen <= 0 {
		c.ReassemblyMaxOpen = 10000
	}
	if c.Reload <= 0 {
		c.Reload = time.Second
	}
	return c
}

// moHoldSystemID is the system_id of the held_receipts rows holding MOs
// for any receiver bind of their account (a real system_id cannot hold
// a "*"; see customers.flush).
const moHoldSystemID = "*mo"

// inbound routes carriers' MOs to the owners of their numbers: it
// reassembles long ones, stores each (the carrier is answered once it is
// stored), runs the keyword rules and delivers over SMPP and webhooks.
type inbound struct {
	s   *Service
	cfg InboundConfig
	kw  consent.KeywordHandler

	idx   atomic.Pointer[numberIndex]
	relMu sync.Mutex // one reload at a time
	ver   string     // the store's numbers version idx was built from; under relMu

	re     *pdutext.Reassembler
	gmu    sync.Mutex
	groups map[groupKey]*moGroup // the parts of long MOs, with their requests

	// lanes are the delivery workers' queues of stored MOs: a sender's
	// MOs always go to the same lane, so its keywords (a STOP, then a
	// START) are applied in the order they were stored. (Two of its MOs
	// in batches that two writer workers commit out of order, on MySQL,
	// are applied in commit order: a sender rarely sends two keywords
	// within one batch's milliseconds.)
	lanes [inboundWorkers]moLane

	m    inboundMetrics
	quit chan struct{}
	wg   sync.WaitGroup
}

// moLane is one delivery worker's queue.
type moLane struct {
	mu    sync.Mutex
	queue []*inboundAck
	wake  chan struct{} // capacity 1
}

// laneOf is the lane of an MO from sender.
func laneOf(sender string) int {
	h := fnv.New32a()
	_, _ = h.Write([]byte(sender))
	return int(h.Sum32() % inboundWorkers)
}

// inboundMetrics count what became of MOs.
type inboundMetrics struct {
	partial, unrouted prometheus.Counter
	deliveredVec      *prometheus.CounterVec
}

func (m *inboundMetrics) delivered(how string) { m.deliveredVec.WithLabelValues(how).Inc() }

func newInboundMetrics(reg prometheus.Registerer) inboundMetrics {
	const ns = "gallant_gateway"
	m := inboundMetrics{
		partial: prometheus.NewCounter(prometheus.CounterOpts{Namespace: ns, Name: "mo_partial_total",
			Help: "Long MOs delivered with parts missing after the reassembly timeout or eviction."}),
		unrouted: prometheus.NewCounter(prometheus.CounterOpts{Namespace: ns, Name: "mo_unrouted_total",
			Help: "MOs to no known number, stored in the platform catch-all."}),
		deliveredVec: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: ns, Name: "mo_deliveries_total",
			Help: "Routed MOs passed on, by way and result (smpp, smpp-held, smpp-dropped, webhook, webhook-dropped, reply, reply-refused)."},
			[]string{"result"}),
	}
	if reg != nil {
		reg.MustRegister(m.partial, m.unrouted, m.deliveredVec)
	}
	return m
}

type groupKey struct {
	key   string
	ref   uint16
	total byte
}

// moGroup is what a long MO's first part said, and every part's request
// to answer once the whole is stored.
type moGroup struct {
	carrier  string
	src, dst sms.Address
	dc, esm  byte
	reqs     []carrierReq
}

func newInbound(s *Service, kw consent.KeywordHandler, reg prometheus.Registerer) *inbound {
	cfg := s.cfg.Inbound
	in := &inbound{s: s, cfg: cfg, kw: kw, groups: map[groupKey]*moGroup{}, m: newInboundMetrics(reg),
		re:   pdutext.NewReassembler(pdutext.ReassemblerConfig{Timeout: cfg.ReassemblyTimeout, MaxOpen: cfg.ReassemblyMaxOpen}),
		quit: make(chan struct{})}
	for i := range in.lanes {
		in.lanes[i].wake = make(chan struct{}, 1)
	}
	return in
}

// inboundWorkers deliver stored MOs in parallel, each its own senders'
// (see moLane).
const inboundWorkers = 2

// start loads the numbers and starts the delivery workers and the
// reload, expiry and retry loop.
func (in *inbound) start(ctx context.Context) error {
	if err := in.reload(ctx); err != nil {
		return err
	}
	for i := range in.lanes {
		in.wg.Go(func() { in.deliverLoop(&in.lanes[i]) })
	}
	in.wg.Go(in.tickLoop)
	return nil
}

// stop ends the goroutines; MOs not yet delivered stay stored (those
// for SMPP are not held: see docs/architecture.md, "Inbound messages").
func (in *inbound) stop() {
	select {
	case <-in.quit:
		return
	default:
	}
	close(in.quit)
	in.wg.Wait()
	in.gmu.Lock()
	for k, g := range in.groups {
		for _, r := range g.reqs {
			in.s.abandon(r)
		}
		delete(in.groups, k)
	}
	in.gmu.Unlock()
}

// reload rebuilds the number index when the store's numbers changed.
func (in *inbound) reload(ctx context.Context) error {
	in.relMu.Lock()
	defer in.relMu.Unlock()
	v, err := in.s.st.NumbersVersion(ctx)
	if err != nil {
		return err
	}
	if v == in.ver && in.idx.Load() != nil {
		return nil
	}
	ns, err := loadNumbers(ctx, in.s.st)
	if err != nil {
		return err
	}
	in.idx.Store(newNumberIndex(ns))
	in.ver = v
	return nil
}

// tickLoop reloads the numbers and delivers timed-out long MOs as
// partial.
func (in *inbound) tickLoop() {
	t := time.NewTicker(min(in.cfg.Reload, time.Second))
	defer t.Stop()
	last := time.Now()
	for {
		select {
		case <-in.quit:
			return
		case now := <-t.C:
			in.expire(now)
			if now.Sub(last) >= in.cfg.Reload {
				last = now
				ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
				if err := in.reload(ctx); err != nil {
					in.s.log.Warn("reload inbound numbers", "err", err)
				}
				cancel()
			}
		}
	}
}

// ReloadNumbers reads the inbound numbers again at once (after a change made
// on this instance; other instances see it within InboundConfig.Reload).
func (s *Service) ReloadNumbers(ctx context.Context) error {
	return s.in.reload(ctx)
}

// moPDU is an MO as a carrier sent it.
type moPDU struct {
	src, dst pdu.Address
	dc, esm  byte
	body     []byte
	tlvs     pdu.TLVs
}

// take handles one MO deliver_sm or data_sm of carrier c: a part of a
// long MO waits for the others; a whole MO is routed and stored.
func (in *inbound) take(c *carrier, req carrierReq, p moPDU) {
	in.s.m.mo.Inc()
	body, esm := p.body, p.esm
	var ref uint16
	var total, seq byte
	if esm&0x40 != 0 {
		if u, rest, err := pdutext.ParseUDH(body); err == nil {
			body = rest
			esm &^= 0x40
			if u.Concat {
				ref, total, seq = u.Ref, u.Total, u.Seq
			}
		}
	} else if t, ok := p.tlvs.Byte(pdu.TagSarTotalSegments); ok && t > 1 {
		r, _ := p.tlvs.Uint16(pdu.TagSarMsgRefNum)
		s, _ := p.tlvs.Byte(pdu.TagSarSegmentSeqnum)
		ref, total, seq = r, t, s
	}
	src := sms.Address{TON: p.src.TON, NPI: p.src.NPI, Addr: string(p.src.Addr)}
	dst := sms.Address{TON: p.dst.TON, NPI: p.dst.NPI, Addr: string(p.dst.Addr)}
	if total > 1 {
		key := c.cfg.Name + "\x00" + src.Addr + "\x00" + dst.Addr
		if in.part(c.cfg.Name, key, ref, total, seq, body, src, dst, p.dc, esm, req) {
			return
		}
		// Numbers that cannot be valid: deliver the part on its own.
	}
	in.route(&store.InboundMO{MO: sms.MO{ID: in.s.ids.Next(), Carrier: c.cfg.Name, Source: src, Dest: dst,
		DataCoding: p.dc, ESMClass: esm, Body: append([]byte(nil), body...), ReceivedAt: time.Now().UTC()}, Parts: 1},
		[]carrierReq{req})
}

// part adds a part of a long MO and records its request with the MO's
// group; when the MO is complete it routes it. Long MOs the reassembler
// gave up meanwhile are delivered partial. The reassembler and the
// groups change together under gmu, so a part never joins a group that
// another part completed. It reports false for concatenation numbers
// that cannot be valid (the caller delivers the part on its own).
func (in *inbound) part(carrier, key string, ref uint16, total, seq byte, body []byte, src, dst sms.Address, dc, esm byte, req carrierReq) bool {
	k := groupKey{key, ref, total}
	in.gmu.Lock()
	res, err := in.re.Add(key, ref, total, seq, body, time.Now())
	if err != nil {
		in.gmu.Unlock()
		return false
	}
	dropped := in.takeGroupsLocked(res.Dropped)
	var g *moGroup
	if !res.Duplicate {
		g = in.groups[k]
		if g == nil {
			g = &moGroup{carrier: carrier, src: src, dst: dst, dc: dc, esm: esm}
			in.groups[k] = g
		}
		g.reqs = append(g.reqs, req)
		if res.Complete {
			delete(in.groups, k)
		}
	}
	in.gmu.Unlock()
	if res.Duplicate {
		req.ack(nil) // a part resent: the first copy is answered with its MO
	}
	in.routePartial(dropped)
	if res.Complete {
		var whole []byte
		for _, p := range res.Parts {
			whole = append(whole, p...)
		}
		in.route(g.mo(in.s.ids.Next(), whole, int(total), false), g.reqs)
	}
	return true
}

// givenUp is a long MO the reassembler gave up, with its group.
type givenUp struct {
	inc pdutext.Incomplete
	g   *moGroup
}

// takeGroupsLocked removes the groups of the given-up MOs. gmu is held.
func (in *inbound) takeGroupsLocked(incs []pdutext.Incomplete) []givenUp {
	var out []givenUp
	for _, inc := range incs {
		k := groupKey{inc.Key, inc.Ref, inc.Total}
		if g := in.groups[k]; g != nil {
			delete(in.groups, k)
			out = append(out, givenUp{inc, g})
		}
	}
	return out
}

// expire gives up the long MOs whose timeout passed at now and delivers
// what arrived of them.
func (in *inbound) expire(now time.Time) {
	in.gmu.Lock()
	dropped := in.takeGroupsLocked(in.re.Expire(now))
	in.gmu.Unlock()
	in.routePartial(dropped)
}

// routePartial routes what arrived of given-up long MOs, flagged partial.
func (in *inbound) routePartial(gs []givenUp) {
	for _, d := range gs {
		var body []byte
		for _, p := range d.inc.Parts {
			body = append(body, p.Data...)
		}
		in.m.partial.Inc()
		in.route(d.g.mo(in.s.ids.Next(), body, int(d.inc.Total), true), d.g.reqs)
	}
}

func (g *moGroup) mo(id sms.ID, body []byte, parts int, partial bool) *store.InboundMO {
	return &store.InboundMO{MO: sms.MO{ID: id, Carrier: g.carrier, Source: g.src, Dest: g.dst, DataCoding: g.dc,
		ESMClass: g.esm, Body: body, ReceivedAt: time.Now().UTC()}, Parts: parts, Partial: partial}
}

// moText decodes an MO's body; undecodable octets give "".
func moText(m *sms.MO) string { return DecodeText(m.Body, m.DataCoding) }

// DecodeText decodes a stored body of data coding dc (GSM 7-bit
// unpacked, UCS-2, Latin-1, IA5, or binary as it is); octets that do not
// decode give "".
func DecodeText(body []byte, dc byte) string {
	b, err := pdutext.Decode(nil, body, pdutext.DataCoding(dc))
	if err != nil {
		return ""
	}
	return string(b)
}

// inboundAck is a routed MO on its way: stored, then delivered. It is
// the MO row's store.Committer.
type inboundAck struct {
	in     *inbound
	mo     *store.InboundMO
	reqs   []carrierReq
	num    store.Number
	shared bool
	text   string
}

// route finds the MO's owner and stores it; reqs are answered once it is
// stored.
func (in *inbound) route(mo *store.InboundMO, reqs []carrierReq) {
	text := moText(&mo.MO)
	n, shared, ok := in.idx.Load().route(mo.Carrier, mo.Dest.Addr, text)
	if ok {
		mo.AccountID, mo.NumberID, mo.Keyword = n.AccountID, n.ID, n.Keyword
	} else {
		in.m.unrouted.Inc()
	}
	a := &inboundAck{in: in, mo: mo, reqs: reqs, num: n, shared: shared, text: text}
	switch err := in.s.w.Add(mo, a); {
	case errors.Is(err, store.ErrBacklog):
		// Never refused for flow control: it waits for room behind the
		// status events (overflow.go), unanswered, holding its room in
		// the bind's MaxInbound.
		in.s.recordMOLater(a)
	case err != nil:
		for _, r := range reqs {
			r.respond(pdu.StatusXTAppn, nil)
		}
	}
}

// Stored answers the carrier and queues the MO for delivery.
func (a *inboundAck) Stored(err error) {
	for _, r := range a.reqs {
		r.ack(err)
	}
	if err != nil || (a.mo.AccountID == 0 && !a.shared) {
		return // unrouted: in the catch-all only
	}
	l := &a.in.lanes[laneOf(a.mo.Source.Addr)]
	l.mu.Lock()
	l.queue = append(l.queue, a)
	l.mu.Unlock()
	select {
	case l.wake <- struct{}{}:
	default:
	}
}

// deliverLoop delivers the stored MOs of lane l to their owners, in
// order.
func (in *inbound) deliverLoop(l *moLane) {
	for {
		l.mu.Lock()
		var a *inboundAck
		if len(l.queue) > 0 {
			a = l.queue[0]
			l.queue[0] = nil
			l.queue = l.queue[1:]
		}
		l.mu.Unlock()
		if a != nil {
			in.deliver(a)
			continue
		}
		select {
		case <-in.quit:
			return
		case <-l.wake:
		}
	}
}

// deliver runs the keyword rules on a stored MO, then delivers it.
func (in *inbound) deliver(a *inboundAck) {
	mo := a.mo
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if in.kw != nil {
		out, err := in.kw.HandleInbound(ctx, consent.Inbound{Account: mo.AccountID, From: InboundDigits(mo.Source.Addr),
			To: InboundDigits(mo.Dest.Addr), Text: a.text, MOID: mo.ID, Shared: a.shared})
		switch {
		case err != nil:
			in.s.log.Warn("keyword rules of an MO", "id", mo.ID, "err", err)
		case out.Reply != "" && mo.AccountID != 0:
			in.reply(ctx, mo, out.Reply)
		}
	}
	if mo.AccountID == 0 {
		return // a shared code's unclaimed MO: its rules applied, no owner to deliver to
	}
	if a.num.SMPP {
		in.toSMPP(mo)
	}
	if a.num.WebhookURL != "" {
		in.toWebhook(a)
	}
	if in.s.hooks.Wants(mo.AccountID, webhook.HookMessageInbound) {
		ev := inboundEvent(a)
		in.s.hooks.Publish(mo.AccountID, webhook.HookMessageInbound, mo.ID, ev.EventID, ev)
	}
}

// inboundEvent is the inbound webhook's body for the MO a answers.
func inboundEvent(a *inboundAck) InboundEvent {
	mo := a.mo
	return InboundEvent{Type: EventInbound, ID: mo.ID, From: mo.Source.Addr, To: mo.Dest.Addr,
		Text: a.text, Encoding: MOEncoding(mo.DataCoding), Parts: max(mo.Parts, 1), Partial: mo.Partial,
		ReceivedAt: mo.ReceivedAt.UTC(), Keyword: mo.Keyword, EventID: "mo-" + mo.ID.String()}
}

// reply sends an auto-reply from the MO's number to its sender, on the
// number's account, through the normal submit path (billed as any).
func (in *inbound) reply(ctx context.Context, mo *store.InboundMO, text string) {
	_, err := in.s.Send(ctx, mo.AccountID, 0, SendRequest{To: mo.Source.Addr, From: InboundDigits(mo.Dest.Addr), Text: text})
	if err != nil {
		in.s.log.Warn("auto-reply to an MO not sent", "id", mo.ID, "account", mo.AccountID, "err", err)
		in.m.delivered("reply-refused")
		return
	}
	in.m.delivered("reply")
}

// InboundEvent is the JSON body of an inbound webhook: one MO sent to
// one of the account's numbers.
type InboundEvent struct {
	Type       string    `json:"type"` // "message.inbound"
	ID         sms.ID    `json:"id,string"`
	From       string    `json:"from"`
	To         string    `json:"to"`
	Text       string    `json:"text"`
	Encoding   string    `json:"encoding"` // gsm7, ucs2, latin1, ascii or binary
	Parts      int       `json:"parts"`
	Partial    bool      `json:"partial"`
	ReceivedAt time.Time `json:"received_at"`
	Keyword    string    `json:"keyword"`
	EventID    string    `json:"event_id"`
}

// EventInbound is the type of an inbound webhook.
const EventInbound = "message.inbound"

// MOEncoding names an MO's data coding as the API does.
func MOEncoding(dc byte) string {
	switch pdutext.DataCoding(dc).Alphabet() {
	case pdutext.AlphabetGSM7:
		return "gsm7"
	case pdutext.AlphabetUCS2:
		return "ucs2"
	case pdutext.AlphabetLatin1:
		return "latin1"
	case pdutext.AlphabetIA5:
		return "ascii"
	}
	return "binary"
}

// toWebhook posts the MO to its number's webhook through the status
// dispatcher: signed, retried and kept in its outbox as status events.
func (in *inbound) toWebhook(a *inboundAck) {
	s := in.s
	mo := a.mo
	if s.hook == nil {
		in.m.delivered("webhook-dropped")
		return
	}
	acct, err := s.acc.Account(context.Background(), mo.AccountID)
	if err != nil {
		acct = nil
	}
	body, err := json.Marshal(inboundEvent(a))
	if err != nil {
		return
	}
	err = s.hook.Enqueue(webhook.Delivery{URL: a.num.WebhookURL, Secret: webhookSecret(acct, s.cfg.WebhookSecret),
		AccountID: mo.AccountID, MessageID: mo.ID, Body: body})
	if err != nil {
		in.m.delivered("webhook-dropped")
		s.log.Warn("inbound webhook not queued", "id", mo.ID, "err", err)
		return
	}
	in.m.delivered("webhook")
}

// moDeliverSM encodes an MO as the deliver_sm body for a customer.
func moDeliverSM(mo *store.InboundMO) []byte {
	dm := pdu.DeliverSM{
		Source:     pdu.Address{TON: mo.Source.TON, NPI: mo.Source.NPI, Addr: []byte(mo.Source.Addr)},
		Dest:       pdu.Address{TON: mo.Dest.TON, NPI: mo.Dest.NPI, Addr: []byte(mo.Dest.Addr)},
		ESMClass:   mo.ESMClass &^ 0x40,
		DataCoding: mo.DataCoding,
	}
	if len(mo.Body) > 254 {
		dm.TLVs = pdu.AppendTLV(nil, pdu.TagMessagePayload, mo.Body)
	} else {
		dm.ShortMessage = mo.Body
	}
	return dm.AppendBody(nil)
}

// toSMPP sends the MO as a deliver_sm on one of its account's receiver
// binds, or holds it in the store until one binds (as receipts are).
func (in *inbound) toSMPP(mo *store.InboundMO) {
	body := moDeliverSM(mo)
	c := in.s.customers
	if sess := c.pickAccount(mo.AccountID); sess != nil {
		done := make(chan bool, 1)
		ctx, cancel := context.WithTimeout(context.Background(), receiptTimeout)
		_, err := sess.Send(ctx, pdu.DeliverSMID, body, moResponder(done))
		cancel()
		if err == nil && <-done {
			in.m.delivered("smpp")
			return
		}
	}
	in.hold(mo, body)
}

// moResponder reports whether the customer took the MO.
type moResponder chan bool

// Response implements smpp.Responder.
func (r moResponder) Response(h pdu.Header, _ []byte, err error) {
	r <- err == nil && h.Status == pdu.StatusOK
}

// hold keeps an MO for SMPP in held_receipts until a receiver bind of
// its account is up, or HoldValidity passes.
func (in *inbound) hold(mo *store.InboundMO, body []byte) {
	err := in.s.w.Add(&store.HeldReceipt{AccountID: mo.AccountID, SystemID: moHoldSystemID, MessageID: mo.ID,
		Payload: body, ExpiresAt: time.Now().Add(in.cfg.HoldValidity)}, store.CommitterFunc(func(err error) {
		if err != nil {
			in.s.log.Error("MO for a customer not held", "id", mo.ID, "err", err)
			return
		}
		in.s.customers.ho.held(heldKey{account: mo.AccountID, systemID: moHoldSystemID})
	}))
	if err != nil {
		in.m.delivered("smpp-dropped")
		in.s.log.Error("MO for a customer dropped: writer backlog", "id", mo.ID, "account", mo.AccountID)
		return
	}
	in.m.delivered("smpp-held")
	in.s.customers.heldWhileBound.Store(true)
}

// pickAccount returns a receiver session of account id, round robin
// over its system_ids' binds, or nil.
func (c *customers) pickAccount(id int64) *smpp.Session {
	var found []*smpp.Session
	c.rx.Range(func(_, v any) bool {
		for _, sess := range v.([]*smpp.Session) {
			if b, ok := sess.Value().(account.Binding); ok && b.AccountID == id {
				found = append(found, sess)
			}
		}
		return true
	})
	if len(found) == 0 {
		return nil
	}
	return found[c.nxt.Add(1)%uint64(len(found))]
}
