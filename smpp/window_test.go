package smpp_test

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gallant-sms/gallant/smpp"
	"github.com/gallant-sms/gallant/smpp/pdu"
)

// holder is a server Handler that keeps requests unanswered until told.
type holder struct {
	mu   sync.Mutex
	held []heldReq
	got  chan struct{}
}

type heldReq struct {
	s *smpp.Session
	h pdu.Header
}

func newHolder() *holder { return &holder{got: make(chan struct{}, 1000)} }

func (hd *holder) HandlePDU(s *smpp.Session, h pdu.Header, _ []byte) {
	hd.mu.Lock()
	hd.held = append(hd.held, heldReq{s, h})
	hd.mu.Unlock()
	hd.got <- struct{}{}
}

// wait waits until n requests are held.
func (hd *holder) wait(t *testing.T, n int) {
	t.Helper()
	for range n {
		select {
		case <-hd.got:
		case <-time.After(testTimeout):
			t.Fatalf("handler did not receive %d requests", n)
		}
	}
}

// release answers the oldest held request.
func (hd *holder) release(t *testing.T) {
	t.Helper()
	hd.mu.Lock()
	r := hd.held[0]
	hd.held = hd.held[1:]
	hd.mu.Unlock()
	if err := r.s.Respond(r.h, pdu.StatusOK, []byte("m\x00")); err != nil {
		t.Fatalf("Respond: %v", err)
	}
}

// outcome records the Responder calls of numbered requests.
type outcome struct {
	mu    sync.Mutex
	calls map[int][]error
	ch    chan struct{}
}

func newOutcome() *outcome { return &outcome{calls: map[int][]error{}, ch: make(chan struct{}, 1000)} }

// to returns the Responder of request n.
func (o *outcome) to(n int) smpp.Responder {
	return smpp.ResponderFunc(func(_ pdu.Header, _ []byte, err error) {
		o.mu.Lock()
		o.calls[n] = append(o.calls[n], err)
		o.mu.Unlock()
		o.ch <- struct{}{}
	})
}

func (o *outcome) wait(t *testing.T, n int) {
	t.Helper()
	for range n {
		select {
		case <-o.ch:
		case <-time.After(testTimeout):
			t.Fatalf("only some of %d Responders were called", n)
		}
	}
}

func TestWindowFull(t *testing.T) {
	hd := newHolder()
	addr := startServer(t, &smpp.Server{Authenticator: acceptAll, Handler: hd})
	c := dial(t, addr, smpp.Transmitter, smpp.SessionConfig{Window: 3}, nil)
	o := newOutcome()
	for i := range 3 {
		if _, err := c.TrySend(pdu.SubmitSMID, nil, o.to(i)); err != nil {
			t.Fatalf("TrySend %d: %v", i, err)
		}
	}
	if _, err := c.TrySend(pdu.SubmitSMID, nil, o.to(3)); !errors.Is(err, smpp.ErrWindowFull) {
		t.Fatalf("4th TrySend: %v, want ErrWindowFull", err)
	}
	if got := c.Stats().Outstanding; got != 3 {
		t.Errorf("Outstanding = %d, want 3", got)
	}
	hd.wait(t, 3)

	// A Send with a short context gives up while the window stays full.
	short, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if _, err := c.Send(short, pdu.SubmitSMID, nil, o.to(3)); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Send with a full window: %v, want DeadlineExceeded", err)
	}

	// A blocked Send proceeds once a response frees a slot.
	sent := make(chan error, 1)
	go func() {
		_, err := c.Send(ctxT(t), pdu.SubmitSMID, nil, o.to(4))
		sent <- err
	}()
	select {
	case err := <-sent:
		t.Fatalf("Send returned %v with the window full", err)
	default:
	}
	hd.release(t)
	o.wait(t, 1)
	select {
	case err := <-sent:
		if err != nil {
			t.Fatalf("blocked Send: %v", err)
		}
	case <-time.After(testTimeout):
		t.Fatal("Send still blocked after a response")
	}
	hd.wait(t, 1)
	for range 3 {
		hd.release(t)
	}
	o.wait(t, 3)
	o.mu.Lock()
	defer o.mu.Unlock()
	for _, tag := range []int{0, 1, 2, 4} {
		if errs := o.calls[tag]; len(errs) != 1 || errs[0] != nil {
			t.Errorf("tag %d: done calls %v, want one nil", tag, errs)
		}
	}
	if _, ok := o.calls[3]; ok {
		t.Error("done called for a request that was never sent")
	}
}

func TestResponseTimeout(t *testing.T) {
	hd := newHolder()
	addr := startServer(t, &smpp.Server{Authenticator: acceptAll, Handler: hd})
	c := dial(t, addr, smpp.Transmitter, smpp.SessionConfig{Window: 1, ResponseTimeout: 100 * time.Millisecond}, nil)
	o := newOutcome()
	if _, err := c.Send(ctxT(t), pdu.SubmitSMID, nil, o.to(1)); err != nil {
		t.Fatal(err)
	}
	o.wait(t, 1)
	o.mu.Lock()
	errs := o.calls[1]
	o.mu.Unlock()
	if len(errs) != 1 || !errors.Is(errs[0], smpp.ErrResponseTimeout) {
		t.Fatalf("done got %v, want one ErrResponseTimeout", errs)
	}
	if !smpp.IsRetryable(errs[0]) {
		t.Error("ErrResponseTimeout should be retryable")
	}
	st := c.Stats()
	if st.Outstanding != 0 || st.ResponseTimeouts != 1 {
		t.Errorf("after timeout: Outstanding %d ResponseTimeouts %d, want 0 and 1", st.Outstanding, st.ResponseTimeouts)
	}
	// The slot is free again, and a late response is dropped as unknown.
	if _, err := c.TrySend(pdu.SubmitSMID, nil, o.to(2)); err != nil {
		t.Fatalf("TrySend after timeout: %v", err)
	}
	hd.wait(t, 2)
	hd.release(t) // the late answer to request 1
	hd.release(t)
	o.wait(t, 1)
	deadline := time.Now().Add(testTimeout)
	for c.Stats().UnknownResponses != 1 {
		if time.Now().After(deadline) {
			t.Fatalf("UnknownResponses = %d, want 1", c.Stats().UnknownResponses)
		}
		time.Sleep(time.Millisecond)
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	if len(o.calls[1]) != 1 {
		t.Errorf("request 1 completed %d times", len(o.calls[1]))
	}
}

func TestPeerVanishesMidWindow(t *testing.T) {
	hd := newHolder()
	srv := &smpp.Server{Authenticator: acceptAll, Handler: hd}
	addr := startServer(t, srv)
	c := dial(t, addr, smpp.Transceiver, smpp.SessionConfig{Window: 20}, nil)
	o := newOutcome()
	const n = 20
	for i := range n {
		if _, err := c.Send(ctxT(t), pdu.SubmitSMID, []byte("body"), o.to(i)); err != nil {
			t.Fatal(err)
		}
	}
	hd.wait(t, n)
	for _, s := range srv.Sessions() {
		s.Abort()
	}
	o.wait(t, n)
	waitDone(t, c)
	o.mu.Lock()
	defer o.mu.Unlock()
	for i := range n {
		if errs := o.calls[i]; len(errs) != 1 || !errors.Is(errs[0], smpp.ErrConnectionLost) {
			t.Errorf("tag %d: %v, want exactly one ErrConnectionLost", i, errs)
		}
	}
	if c.CloseReason() != smpp.CloseReadError {
		t.Errorf("close reason %s, want read_error", c.CloseReason())
	}
	if _, err := c.Send(ctxT(t), pdu.SubmitSMID, nil, o.to(99)); !errors.Is(err, smpp.ErrSessionClosed) {
		t.Errorf("Send after close: %v, want ErrSessionClosed", err)
	}
}

func TestInboundWindow(t *testing.T) {
	hd := newHolder()
	srv := &smpp.Server{Authenticator: acceptAll, Handler: hd, Session: smpp.SessionConfig{MaxInbound: 2}}
	r := dialRaw(t, startServer(t, srv))
	r.bind(pdu.BindTransmitter)
	r.send(pdu.SubmitSMID, nil)
	r.send(pdu.SubmitSMID, nil)
	hd.wait(t, 2)
	seq := r.send(pdu.SubmitSMID, nil)
	r.expect(pdu.SubmitSMRespID, pdu.StatusThrottled, seq)
	seq = r.send(pdu.EnquireLink, nil) // never stalled by the inbound window
	r.expect(pdu.EnquireLinkResp, pdu.StatusOK, seq)
	hd.release(t)
	r.expect(pdu.SubmitSMRespID, pdu.StatusOK, 2)
	seq = r.send(pdu.SubmitSMID, nil)
	hd.wait(t, 1)
	s := waitSession(t, srv)
	if st := s.Stats(); st.InboundThrottled != 1 || st.Inbound != 2 {
		t.Errorf("InboundThrottled %d Inbound %d, want 1 and 2", st.InboundThrottled, st.Inbound)
	}
	hd.release(t)
	hd.release(t)
	r.expect(pdu.SubmitSMRespID, pdu.StatusOK, 3)
	r.expect(pdu.SubmitSMRespID, pdu.StatusOK, seq)
}

func TestCallReturnsStatus(t *testing.T) {
	h := smpp.HandlerFunc(func(s *smpp.Session, h pdu.Header, _ []byte) { s.Respond(h, pdu.StatusMsgQFul, nil) })
	c := dial(t, startServer(t, &smpp.Server{Authenticator: acceptAll, Handler: h}), smpp.Transmitter, smpp.SessionConfig{}, nil)
	_, _, err := c.Call(ctxT(t), pdu.SubmitSMID, nil)
	if !errors.Is(err, pdu.StatusMsgQFul) || !smpp.IsRetryable(err) {
		t.Fatalf("Call: %v, want retryable ESME_RMSGQFUL", err)
	}
}

func TestSendManyConcurrent(t *testing.T) {
	c := dial(t, startServer(t, &smpp.Server{Authenticator: acceptAll, Handler: okHandler}), smpp.Transmitter, smpp.SessionConfig{Window: 7}, nil)
	var ok atomic.Int64
	var wg sync.WaitGroup
	done := smpp.ResponderFunc(func(h pdu.Header, _ []byte, err error) {
		if err == nil && h.ID == pdu.SubmitSMRespID {
			ok.Add(1)
		}
		wg.Done()
	})
	var senders sync.WaitGroup
	const per, workers = 200, 4
	wg.Add(per * workers)
	for range workers {
		senders.Go(func() {
			for range per {
				if _, err := c.Send(ctxT(t), pdu.SubmitSMID, []byte("body"), done); err != nil {
					t.Error(err)
					wg.Done()
				}
			}
		})
	}
	senders.Wait()
	wg.Wait()
	if ok.Load() != per*workers {
		t.Fatalf("%d responses, want %d", ok.Load(), per*workers)
	}
}
