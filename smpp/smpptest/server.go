package smpptest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strconv"
	"sync"
	"time"

	"github.com/gallant-sms/gallant/smpp"
	"github.com/gallant-sms/gallant/smpp/pdu"
	"github.com/gallant-sms/gallant/smpp/pdutext"
)

// receiptQueue bounds the receipts waiting to be sent.
const receiptQueue = 4096

// Received is a PDU the fake SMSC's handler received, with its body
// copied.
type Received struct {
	SystemID string
	Header   pdu.Header
	Body     []byte
}

// Submit is a submit_sm the fake SMSC accepted or refused. SM is decoded
// from Body, a private copy, so its fields stay valid.
type Submit struct {
	SystemID  string
	Seq       uint32
	MessageID string // "" when refused
	Status    pdu.Status
	SM        pdu.SubmitSM
	Body      []byte
}

// SessionEnd is a bound session of the fake SMSC that has ended.
type SessionEnd struct {
	SystemID string
	// Reason says why it ended: smpp.ClosePeerUnbind when the peer sent
	// unbind.
	Reason smpp.CloseReason
	// At is when the server saw it end, after the unbind (if any) was
	// answered.
	At time.Time
}

// Server is a fake SMSC: an smpp.Server on 127.0.0.1 that accepts binds
// (any, or those in Credentials), answers submit_sm with unique message
// ids, optionally sends a delivery receipt for each accepted submit_sm to
// a receiver or transceiver bind of the same system_id, and records
// everything. Set the exported fields before Start; use the Set methods to
// change behaviour while it runs. Its methods are safe for concurrent use.
type Server struct {
	// Credentials maps system_id to password; nil accepts every bind.
	Credentials map[string]string
	// SubmitFunc, if set, decides each submit_sm's status; otherwise
	// SetSubmitStatus's value (default ESME_ROK) applies.
	SubmitFunc func(systemID string, sm *pdu.SubmitSM) pdu.Status
	// Receipts makes the server send a receipt (deliver_sm with
	// esm_class 0x04, Appendix B text, receipted_message_id and
	// message_state TLVs) for each accepted submit_sm whose
	// registered_delivery asks for one.
	Receipts bool
	// ReceiptStat is the receipt's state; "" means DELIVRD.
	ReceiptStat pdutext.Stat
	// MaxBindsPerSystemID is passed to smpp.Server.
	MaxBindsPerSystemID int
	// Session configures the sessions; zero fields take smpp defaults.
	Session smpp.SessionConfig
	// Logger receives smpp logs; nil discards.
	Logger *slog.Logger

	srv      *smpp.Server
	addr     string
	serveErr chan error
	receipts chan receiptJob
	stop     chan struct{}
	wg       sync.WaitGroup // the Serve and receipt goroutines, delayed responses

	mu        sync.Mutex
	received  []Received
	submits   []Submit
	nextID    uint64
	status    pdu.Status
	delay     time.Duration
	refuse    pdu.Status
	changed   chan struct{} // closed and replaced whenever something is recorded
	started   bool
	closed    bool
	lostDLRs  int
	sentDLRs  int
	ends      []SessionEnd
	pending   map[*time.Timer]struct{}
	closeOnce sync.Once
}

// receiptJob is a receipt waiting to be sent.
type receiptJob struct {
	systemID string
	body     []byte
}

// NewServer returns a started fake SMSC with default settings.
func NewServer() (*Server, error) {
	s := NewUnstartedServer()
	if err := s.Start(); err != nil {
		return nil, err
	}
	return s, nil
}

// NewUnstartedServer returns a fake SMSC to configure and Start.
func NewUnstartedServer() *Server {
	return &Server{changed: make(chan struct{})}
}

// Start listens on 127.0.0.1:0 and serves.
func (s *Server) Start() error {
	s.mu.Lock()
	if s.started || s.closed {
		s.mu.Unlock()
		return errors.New("smpptest: server already started")
	}
	s.started = true
	s.mu.Unlock()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return fmt.Errorf("smpptest: listen: %w", err)
	}
	s.addr = l.Addr().String()
	s.srv = &smpp.Server{
		Authenticator:       smpp.AuthenticatorFunc(s.authenticate),
		Handler:             smpp.HandlerFunc(s.handle),
		OnClose:             s.sessionEnded,
		MaxBindsPerSystemID: s.MaxBindsPerSystemID,
		Session:             s.Session,
		Logger:              s.Logger,
		SystemID:            "smpptest",
	}
	s.serveErr = make(chan error, 1)
	s.receipts = make(chan receiptJob, receiptQueue)
	s.stop = make(chan struct{})
	s.pending = make(map[*time.Timer]struct{})
	s.wg.Add(2)
	go func() {
		defer s.wg.Done()
		s.serveErr <- s.srv.Serve(l)
	}()
	go func() {
		defer s.wg.Done()
		s.sendReceipts()
	}()
	return nil
}

// Addr returns the host:port the server listens on.
func (s *Server) Addr() string { return s.addr }

// SMPP returns the underlying smpp.Server (for Sessions, Shutdown...).
func (s *Server) SMPP() *smpp.Server { return s.srv }

// Close stops the server: it closes every session, cancels delayed
// responses and stops the receipt sender, waiting for all of them.
func (s *Server) Close() error {
	s.closeOnce.Do(func() {
		s.mu.Lock()
		s.closed = true
		started := s.started
		for t := range s.pending {
			if t.Stop() {
				s.wg.Done()
			}
		}
		s.pending = nil
		s.mu.Unlock()
		if !started {
			return
		}
		close(s.stop)
		s.srv.Close()
		s.wg.Wait()
	})
	return nil
}

// Shutdown unbinds every session gracefully (smpp.Server.Shutdown), then
// closes the server.
func (s *Server) Shutdown(ctx context.Context) error {
	err := s.srv.Shutdown(ctx)
	s.Close()
	return err
}

// SetSubmitStatus makes every later submit_sm (without SubmitFunc) be
// answered with st; pdu.StatusThrottled simulates a throttling carrier.
func (s *Server) SetSubmitStatus(st pdu.Status) {
	s.mu.Lock()
	s.status = st
	s.mu.Unlock()
}

// SetDelay delays every later response to submit_sm by d.
func (s *Server) SetDelay(d time.Duration) {
	s.mu.Lock()
	s.delay = d
	s.mu.Unlock()
}

// SetRefuseBinds makes later binds fail with st; 0 accepts them again.
func (s *Server) SetRefuseBinds(st pdu.Status) {
	s.mu.Lock()
	s.refuse = st
	s.mu.Unlock()
}

// DropConnections closes every session at once, without unbind, as a
// network failure would.
func (s *Server) DropConnections() {
	for _, sess := range s.srv.Sessions() {
		sess.Abort()
	}
}

// Sessions returns the server's current sessions.
func (s *Server) Sessions() []*smpp.Session { return s.srv.Sessions() }

// Received returns every PDU the handler has received so far.
func (s *Server) Received() []Received {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Received(nil), s.received...)
}

// Submits returns every submit_sm received so far.
func (s *Server) Submits() []Submit {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Submit(nil), s.submits...)
}

// SessionEnds returns the bound sessions that have ended so far, in the
// order they ended.
func (s *Server) SessionEnds() []SessionEnd {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]SessionEnd(nil), s.ends...)
}

// sessionEnded records a bound session that ended (smpp.Server.OnClose).
func (s *Server) sessionEnded(sess *smpp.Session) {
	end := SessionEnd{SystemID: sess.SystemID(), Reason: sess.CloseReason(), At: time.Now()}
	s.mu.Lock()
	s.ends = append(s.ends, end)
	s.mu.Unlock()
}

// ReceiptsSent returns how many receipts were delivered and how many
// found no receiver bind or failed.
func (s *Server) ReceiptsSent() (sent, lost int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.sentDLRs, s.lostDLRs
}

// WaitSubmits waits until at least n submit_sm have been received and
// returns them, or returns ctx's error.
func (s *Server) WaitSubmits(ctx context.Context, n int) ([]Submit, error) {
	for {
		s.mu.Lock()
		if len(s.submits) >= n {
			out := append([]Submit(nil), s.submits...)
			s.mu.Unlock()
			return out, nil
		}
		ch := s.changed
		s.mu.Unlock()
		select {
		case <-ch:
		case <-ctx.Done():
			return nil, fmt.Errorf("smpptest: waiting for %d submits: %w", n, ctx.Err())
		}
	}
}

// Deliver sends a deliver_sm (an MO message or a hand-made receipt) to a
// receiver or transceiver bind of systemID and waits for its response.
func (s *Server) Deliver(ctx context.Context, systemID string, dm *pdu.DeliverSM) (pdu.Header, error) {
	sess := s.receiverFor(systemID)
	if sess == nil {
		return pdu.Header{}, fmt.Errorf("smpptest: no receiver bind for %q", systemID)
	}
	h, _, err := sess.Call(ctx, pdu.DeliverSMID, dm.AppendBody(nil))
	return h, err
}

// authenticate checks Credentials and the injected bind refusal.
func (s *Server) authenticate(_ context.Context, req smpp.BindRequest) (any, pdu.Status) {
	s.mu.Lock()
	refuse := s.refuse
	s.mu.Unlock()
	if refuse != pdu.StatusOK {
		return nil, refuse
	}
	if s.Credentials != nil {
		if pw, ok := s.Credentials[req.SystemID]; !ok || pw != req.Password {
			return nil, pdu.StatusBindFail
		}
	}
	return nil, pdu.StatusOK
}

// handle records a request and answers it.
func (s *Server) handle(sess *smpp.Session, h pdu.Header, body []byte) {
	cp := bytes.Clone(body)
	s.mu.Lock()
	s.received = append(s.received, Received{SystemID: sess.SystemID(), Header: h, Body: cp})
	s.mu.Unlock()
	switch h.ID {
	case pdu.SubmitSMID:
		s.handleSubmit(sess, h, cp)
	default:
		if h.ID.HasResponse() {
			_ = sess.Respond(h, pdu.StatusOK, nil)
		}
		s.notify()
	}
}

// handleSubmit decides, records and answers a submit_sm.
func (s *Server) handleSubmit(sess *smpp.Session, h pdu.Header, body []byte) {
	sub := Submit{SystemID: sess.SystemID(), Seq: h.Seq, Body: body}
	if err := sub.SM.Decode(body); err != nil {
		sub.Status = pdu.StatusOf(err)
	} else if s.SubmitFunc != nil {
		sub.Status = s.SubmitFunc(sub.SystemID, &sub.SM)
	}
	s.mu.Lock()
	if sub.Status == pdu.StatusOK && s.SubmitFunc == nil {
		sub.Status = s.status
	}
	if sub.Status == pdu.StatusOK {
		s.nextID++
		sub.MessageID = strconv.FormatUint(s.nextID, 16)
	}
	s.submits = append(s.submits, sub)
	delay := s.delay
	s.mu.Unlock()
	s.notify()

	respond := func() {
		var b []byte
		if sub.Status == pdu.StatusOK {
			b = (&pdu.SubmitSMResp{MessageID: []byte(sub.MessageID)}).AppendBody(nil)
		}
		_ = sess.Respond(h, sub.Status, b)
		if sub.Status == pdu.StatusOK && s.Receipts && sub.SM.RegisteredDelivery&0x03 != 0 {
			s.queueReceipt(sub)
		}
	}
	if delay <= 0 {
		respond()
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return
	}
	s.wg.Add(1)
	var t *time.Timer
	t = time.AfterFunc(delay, func() {
		defer s.wg.Done()
		s.mu.Lock()
		delete(s.pending, t)
		s.mu.Unlock()
		respond()
	})
	s.pending[t] = struct{}{}
}

// notify wakes WaitSubmits callers.
func (s *Server) notify() {
	s.mu.Lock()
	close(s.changed)
	s.changed = make(chan struct{})
	s.mu.Unlock()
}

// queueReceipt builds a receipt for sub and queues it for the sender.
func (s *Server) queueReceipt(sub Submit) {
	stat := s.ReceiptStat
	if stat == "" {
		stat = pdutext.StatDelivered
	}
	now := time.Now()
	text := pdutext.AppendReceipt(nil, pdutext.Receipt{
		ID: sub.MessageID, Sub: 1, Dlvrd: 1, SubmitDate: now, DoneDate: now,
		Stat: stat, Err: "000", Text: string(sub.SM.ShortMessage),
	})
	var tlvs []byte
	tlvs = pdu.AppendTLVCString(tlvs, pdu.TagReceiptedMessageID, []byte(sub.MessageID))
	tlvs = pdu.AppendTLVByte(tlvs, pdu.TagMessageState, byte(stat.State()))
	dm := pdu.DeliverSM{
		Source:       sub.SM.Dest,
		Dest:         sub.SM.Source,
		ESMClass:     0x04,
		ShortMessage: text,
		TLVs:         tlvs,
	}
	if len(text) > 254 {
		dm.ShortMessage = text[:254]
	}
	select {
	case s.receipts <- receiptJob{systemID: sub.SystemID, body: dm.AppendBody(nil)}:
	default:
		s.mu.Lock()
		s.lostDLRs++
		s.mu.Unlock()
	}
}

// sendReceipts is the receipt sender goroutine: it delivers queued
// receipts one at a time, waiting for the window, until Close.
func (s *Server) sendReceipts() {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() { // ends with sendReceipts: cancel or stop
		select {
		case <-s.stop:
			cancel()
		case <-ctx.Done():
		}
	}()
	for {
		select {
		case <-s.stop:
			return
		case job := <-s.receipts:
			sess := s.receiverFor(job.systemID)
			if sess == nil {
				s.countDLR(false)
				continue
			}
			if _, err := sess.Send(ctx, pdu.DeliverSMID, job.body, &receiptCall{s: s, job: job}); err != nil {
				s.countDLR(false)
			}
		}
	}
}

// receiptRetry is how long the server waits before sending again a
// receipt its peer answered with a temporary error.
const receiptRetry = 10 * time.Millisecond

// receiptCall is a receipt sent to the peer, waiting for its answer.
type receiptCall struct {
	s   *Server
	job receiptJob
}

// Response counts a receipt the peer took and sends again, after
// receiptRetry, one it refused for the time being (ESME_RX_T_APPN,
// ESME_RTHROTTLED, ESME_RMSGQFUL), as an SMSC does; other answers lose
// it.
func (c *receiptCall) Response(h pdu.Header, _ []byte, err error) {
	s, job := c.s, c.job
	switch {
	case err == nil && h.Status == pdu.StatusOK:
		s.countDLR(true)
	case err == nil && (h.Status == pdu.StatusXTAppn || h.Status == pdu.StatusThrottled || h.Status == pdu.StatusMsgQFul):
		time.AfterFunc(receiptRetry, func() {
			select {
			case s.receipts <- job:
			case <-s.stop:
			}
		})
	default:
		s.countDLR(false)
	}
}

func (s *Server) countDLR(sent bool) {
	s.mu.Lock()
	if sent {
		s.sentDLRs++
	} else {
		s.lostDLRs++
	}
	s.mu.Unlock()
}

// receiverFor returns a bound session of systemID that may be sent
// deliver_sm, or nil.
func (s *Server) receiverFor(systemID string) *smpp.Session {
	for _, sess := range s.srv.Sessions() {
		if sess.SystemID() == systemID && sess.State().Bound() && sess.BindType().CanReceive() {
			return sess
		}
	}
	return nil
}

// Outbind connects to an ESME listening at addr and sends outbind with
// systemID and password, as an MC with messages for it does; the ESME's
// bind on that connection is then served like any other (receipts and
// MO messages go to it as to a bind the ESME dialled).
func (s *Server) Outbind(ctx context.Context, addr, systemID, password string) error {
	ob := pdu.Outbind{SystemID: []byte(systemID), Password: []byte(password)}
	if err := ob.Validate(); err != nil {
		return err
	}
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return fmt.Errorf("smpptest: outbind dial: %w", err)
	}
	p := ob.AppendBody(pdu.AppendHeader(nil, pdu.Header{ID: pdu.OutbindID, Seq: 1}))
	pdu.SetLength(p)
	if _, err := conn.Write(p); err != nil {
		_ = conn.Close()
		return fmt.Errorf("smpptest: outbind write: %w", err)
	}
	s.srv.ServeConn(conn)
	return nil
}
