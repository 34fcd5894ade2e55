package gateway

import (
	"sync"
	"sync/atomic"
	"time"

	"github.com/gallant-sms/gallant/router"
	"github.com/gallant-sms/gallant/smpp"
	"github.com/gallant-sms/gallant/smpp/pdu"
	"github.com/gallant-sms/gallant/sms"
	"github.com/gallant-sms/gallant/store"
)

// Pools of the small objects every message needs on its way, so that a
// message costs a few allocations, not dozens (BenchmarkPipeline counts them).
// The rule for each: a value goes back to its pool only when its last
// owner is done with it, which the comment on each type spells out; in
// particular never while the store's Writer (whose Add keeps a row until
// its Committer is told) or an SMPP session may still read it. Each is its
// own callback: the store.Committer or smpp.Responder of what it carries,
// so no callback needs a type assertion and passing one allocates nothing.

// eventRow is a status event on its way to the store, with what its
// Stored needs: the service, to count a lost event, and for a carrier's
// receipt the deliver_sm to answer once the event is stored. Owner: the
// caller until Writer.Add succeeds, then the Writer until Stored, which
// releases it.
type eventRow struct {
	ev  store.Event
	s   *Service
	req carrierReq // the carrier's request to answer; zero for none
}

var eventRows = sync.Pool{New: func() any { return new(eventRow) }}

// addEvent gives an event of accountID to the writer; when req is not
// zero, it is answered once the event is stored (or with a temporary
// error when it cannot be). It returns the writer's error, in which case
// nothing was answered.
func (s *Service) addEvent(accountID int64, e sms.Event, req carrierReq) error {
	_, err := s.addEventQueued(accountID, e, req)
	return err
}

// addEventQueued is addEvent that also returns the queued row (see
// fold.go). The row is the Writer's: only Writer.Amend may change it.
func (s *Service) addEventQueued(accountID int64, e sms.Event, req carrierReq) (queuedEvent, error) {
	if req.sess != nil && s.eventsBacklogged() {
		// Older events wait for the writer (overflow.go): this one waits
		// behind them, so that they stay in order.
		return queuedEvent{}, store.ErrBacklog
	}
	return s.addEventRow(accountID, e, req)
}

// addEventRow gives the event to the writer, whatever waits in memory.
func (s *Service) addEventRow(accountID int64, e sms.Event, req carrierReq) (queuedEvent, error) {
	r := eventRows.Get().(*eventRow)
	r.ev = store.Event{AccountID: accountID, Event: e}
	r.s, r.req = s, req
	n, err := s.w.AddNumbered(&r.ev, r)
	if err != nil {
		r.release() // the writer did not take it
		return queuedEvent{}, err
	}
	return queuedEvent{row: r, n: n}, nil
}

// Stored is told the outcome of the event's row. The Writer is done with
// the row when it calls this, so the row is released.
func (r *eventRow) Stored(err error) {
	switch {
	case r.req.sess != nil:
		r.req.ack(err)
	case err != nil:
		r.s.m.eventsLost.Inc()
		r.s.log.Error("status event not recorded", "id", r.ev.MessageID, "status", r.ev.Status, "err", err)
	}
	r.release()
}

func (r *eventRow) release() {
	*r = eventRow{}
	eventRows.Put(r)
}

// acceptCtx carries one Accept through the writer: it is the message
// row's store.Committer in durable mode, and as a *fastAccept in fast mode.
// Owner: Accept until Writer.Add succeeds, then the Writer until Stored,
// which releases it.
type acceptCtx struct {
	s  *Service
	m  *sms.Message
	to Acceptor
}

var acceptCtxs = sync.Pool{New: func() any { return new(acceptCtx) }}

func newAcceptCtx(s *Service, m *sms.Message, to Acceptor) *acceptCtx {
	ac := acceptCtxs.Get().(*acceptCtx)
	ac.s, ac.m, ac.to = s, m, to
	return ac
}

func (ac *acceptCtx) release() {
	*ac = acceptCtx{}
	acceptCtxs.Put(ac)
}

// submitCall is one submit_sm on its way to a carrier: its
// smpp.Responder, carrying the bind that sent it and the router's
// segment. Owner: bind.Submit until TrySend succeeds, then the session
// until Response, which releases it before handing the answer on.
type submitCall struct {
	b *bind
	o *router.Outgoing
}

var submitCalls = sync.Pool{New: func() any { return new(submitCall) }}

func newSubmitCall(b *bind, o *router.Outgoing) *submitCall {
	sc := submitCalls.Get().(*submitCall)
	sc.b, sc.o = b, o
	return sc
}

func (sc *submitCall) release() {
	*sc = submitCall{}
	submitCalls.Put(sc)
}

// Response hands the carrier's answer to the bind that sent the segment.
func (sc *submitCall) Response(h pdu.Header, body []byte, err error) {
	b, o := sc.b, sc.o
	sc.release()
	b.answered(o, h, body, err)
}

// fastAccept is an acceptCtx whose message was acknowledged before it was
// stored (fast mode): its Stored only reports a failure and sends the
// message on.
type fastAccept acceptCtx

// smppReq is one customer request waiting for its accept. Owner: the
// Accept it is the Acceptor of, until Accepted answers it and releases it
// (Accept calls it exactly once).
type smppReq struct {
	c    *customers
	sess *smpp.Session
	h    pdu.Header
}

var smppReqs = sync.Pool{New: func() any { return new(smppReq) }}

func newSMPPReq(c *customers, sess *smpp.Session, h pdu.Header) *smppReq {
	r := smppReqs.Get().(*smppReq)
	r.c, r.sess, r.h = c, sess, h
	return r
}

func (r *smppReq) release() {
	*r = smppReq{}
	smppReqs.Put(r)
}

// custReceiptBuf is the room for a receipt's deliver_sm body inside a
// custReceipt: about 60 octets of fixed fields and addresses, a receipt
// text of about 130 and 40 of TLVs. A longer body (long addresses or
// carrier codes) spills to the heap.
const custReceiptBuf = 256

// custReceipt is one receipt on its way to a customer.
//
// It is its deliver_sm's smpp.Responder (Response, in customers.go) and,
// when held, its row's store.Committer (Stored).
//
// It is shared by reference count (refs): the one who made it (and the
// queue, and then sendLoop) holds one reference; Send takes a second for
// Response before the request goes out; hold passes its caller's
// reference on to the Writer, which gives it back through Stored. The
// last release puts it back in the pool. The count matters because a
// session that closes while Send is still copying the body calls
// Response (with ErrConnectionLost) from its own goroutine, before
// Send returns: body must stay untouched until both are done.
type custReceipt struct {
	c        *customers // the customers it goes to
	account  int64
	systemID string
	id       sms.ID
	body     []byte // deliver_sm body: buf[:n], or a larger heap copy
	expires  time.Time
	refs     atomic.Int32
	buf      [custReceiptBuf]byte
}

var custReceipts = sync.Pool{New: func() any { return new(custReceipt) }}

// newCustReceipt returns an empty custReceipt with one reference.
func newCustReceipt() *custReceipt {
	r := custReceipts.Get().(*custReceipt)
	r.refs.Store(1)
	return r
}

// retain adds a reference.
func (r *custReceipt) retain() { r.refs.Add(1) }

// release drops a reference; the last one puts r back in the pool.
func (r *custReceipt) release() {
	switch n := r.refs.Add(-1); {
	case n > 0:
		return
	case n < 0:
		// Released more often than retained: a bug. Never reuse it (it
		// may still be read); the garbage collector takes it.
		return
	}
	r.c, r.account, r.systemID, r.id, r.body, r.expires = nil, 0, "", 0, nil, time.Time{}
	custReceipts.Put(r)
}

// Stored is told the outcome of a held receipt's row: the Writer is done
// reading its payload (r.body), so hold's reference is dropped. A row
// stored is announced to the other instances (handoff.go).
func (r *custReceipt) Stored(err error) {
	if err == nil {
		r.c.ho.held(heldKey{account: r.account, systemID: r.systemID})
	}
	r.release()
}
