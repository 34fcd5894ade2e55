package smpptest

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/gallant-sms/gallant/smpp"
	"github.com/gallant-sms/gallant/smpp/pdu"
)

// Deliver is a deliver_sm the fake ESME received. DM is decoded from
// Body, a private copy.
type Deliver struct {
	Header pdu.Header
	DM     pdu.DeliverSM
	Body   []byte
	At     time.Time // when it arrived
}

// ESME is a fake ESME: one bound session that submits messages and
// collects the deliver_sm (receipts and MO messages) it is sent, answering
// each with ESME_ROK (or the status set with SetDeliverStatus). Its
// methods are safe for concurrent use.
type ESME struct {
	sess *smpp.Session

	mu       sync.Mutex
	delivers []Deliver
	alerts   []pdu.AlertNotification
	status   pdu.Status
	delay    time.Duration
	changed  chan struct{}
}

// NewESME connects to addr and binds with cfg (cfg.Addr and cfg.Handler
// are set by NewESME). logger may be nil.
func NewESME(ctx context.Context, addr string, cfg smpp.ClientConfig, logger *slog.Logger) (*ESME, error) {
	e := &ESME{changed: make(chan struct{})}
	cfg.Addr = addr
	cfg.Handler = smpp.HandlerFunc(e.handle)
	s, err := smpp.Dial(ctx, cfg, logger)
	if err != nil {
		return nil, err
	}
	e.sess = s
	return e, nil
}

// Session returns the ESME's session.
func (e *ESME) Session() *smpp.Session { return e.sess }

// Submit sends sm and waits for its submit_sm_resp, returning the message
// id. A non-zero command_status is returned as the error (a pdu.Status).
func (e *ESME) Submit(ctx context.Context, sm *pdu.SubmitSM) (string, error) {
	_, body, err := e.sess.Call(ctx, pdu.SubmitSMID, sm.AppendBody(nil))
	if err != nil {
		return "", err
	}
	var resp pdu.SubmitSMResp
	if err := resp.Decode(body); err != nil {
		return "", fmt.Errorf("smpptest: decode submit_sm_resp: %w", err)
	}
	return string(resp.MessageID), nil
}

// SubmitMulti sends sm and waits for its submit_multi_resp. A non-zero
// command_status is returned as the error (a pdu.Status), with the
// response body decoded as far as it came.
func (e *ESME) SubmitMulti(ctx context.Context, sm *pdu.SubmitMulti) (pdu.SubmitMultiResp, error) {
	var resp pdu.SubmitMultiResp
	_, body, err := e.sess.Call(ctx, pdu.SubmitMultiID, sm.AppendBody(nil))
	if derr := resp.Decode(body); derr != nil && err == nil {
		err = fmt.Errorf("smpptest: decode submit_multi_resp: %w", derr)
	}
	return resp, err
}

// SetDeliverStatus sets the status later deliver_sm are answered with.
func (e *ESME) SetDeliverStatus(st pdu.Status) {
	e.mu.Lock()
	e.status = st
	e.mu.Unlock()
}

// Delivers returns the deliver_sm received so far.
func (e *ESME) Delivers() []Deliver {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]Deliver(nil), e.delivers...)
}

// WaitDelivers waits until at least n deliver_sm have arrived and returns
// them, or returns ctx's error.
func (e *ESME) WaitDelivers(ctx context.Context, n int) ([]Deliver, error) {
	for {
		e.mu.Lock()
		if len(e.delivers) >= n {
			out := append([]Deliver(nil), e.delivers...)
			e.mu.Unlock()
			return out, nil
		}
		ch := e.changed
		e.mu.Unlock()
		select {
		case <-ch:
		case <-ctx.Done():
			return nil, fmt.Errorf("smpptest: waiting for %d deliver_sm: %w", n, ctx.Err())
		}
	}
}

// Alerts returns the alert_notification received so far, decoded from
// private copies.
func (e *ESME) Alerts() []pdu.AlertNotification {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]pdu.AlertNotification(nil), e.alerts...)
}

// SetDeliverDelay makes the ESME answer each deliver_sm d after it came
// (a slow customer); 0, the default, answers at once.
func (e *ESME) SetDeliverDelay(d time.Duration) {
	e.mu.Lock()
	e.delay = d
	e.mu.Unlock()
}

// Unbind unbinds gracefully.
func (e *ESME) Unbind(ctx context.Context) error { return e.sess.Unbind(ctx) }

// Close closes the session at once.
func (e *ESME) Close() error { return e.sess.Close() }

// handle records deliver_sm and alert_notification and answers every
// request.
func (e *ESME) handle(s *smpp.Session, h pdu.Header, body []byte) {
	e.mu.Lock()
	st, delay := e.status, e.delay
	if h.ID == pdu.AlertNotificationID {
		var a pdu.AlertNotification
		if a.Decode(bytes.Clone(body)) == nil {
			e.alerts = append(e.alerts, a)
			close(e.changed)
			e.changed = make(chan struct{})
		}
	}
	if h.ID == pdu.DeliverSMID {
		d := Deliver{Header: h, Body: bytes.Clone(body), At: time.Now()}
		if err := d.DM.Decode(d.Body); err != nil {
			st = pdu.StatusOf(err)
		} else {
			e.delivers = append(e.delivers, d)
			close(e.changed)
			e.changed = make(chan struct{})
		}
	}
	e.mu.Unlock()
	if h.ID.HasResponse() {
		var b []byte
		if h.ID == pdu.DeliverSMID || h.ID == pdu.DataSMID {
			b = []byte{0} // empty message_id (docs/smpp.md, "Interoperability pitfalls")
		}
		if delay > 0 && h.ID == pdu.DeliverSMID {
			time.AfterFunc(delay, func() { _ = s.Respond(h, st, b) })
			return
		}
		_ = s.Respond(h, st, b)
	}
}
