package smpp_test

import (
	"context"
	"errors"
	"net"
	"testing"
	"time"

	"github.com/gallant-sms/gallant/smpp"
	"github.com/gallant-sms/gallant/smpp/pdu"
)

func TestUnbindFromClient(t *testing.T) {
	bound := make(chan *smpp.Session, 1)
	closed := make(chan *smpp.Session, 1)
	srv := &smpp.Server{Authenticator: acceptAll, Handler: okHandler,
		OnBind: func(s *smpp.Session) { bound <- s }, OnClose: func(s *smpp.Session) { closed <- s }}
	c := dial(t, startServer(t, srv), smpp.Transceiver, smpp.SessionConfig{}, nil)
	ss := <-bound
	if _, _, err := c.Call(ctxT(t), pdu.SubmitSMID, nil); err != nil {
		t.Fatal(err)
	}
	if err := c.Unbind(ctxT(t)); err != nil {
		t.Fatalf("Unbind: %v", err)
	}
	if c.CloseReason() != smpp.CloseUnbind || c.Err() != nil || c.State() != smpp.Closed {
		t.Errorf("client: reason %s err %v state %s", c.CloseReason(), c.Err(), c.State())
	}
	select {
	case s := <-closed:
		if s != ss {
			t.Error("OnClose got another session")
		}
	case <-time.After(testTimeout):
		t.Fatal("OnClose not called")
	}
	if ss.CloseReason() != smpp.ClosePeerUnbind {
		t.Errorf("server: reason %s, want peer_unbind", ss.CloseReason())
	}
	if n := srv.BindCount("esme"); n != 0 {
		t.Errorf("BindCount = %d after unbind", n)
	}
}

func TestUnbindFromServer(t *testing.T) {
	bound := make(chan *smpp.Session, 1)
	srv := &smpp.Server{Authenticator: acceptAll, OnBind: func(s *smpp.Session) { bound <- s }}
	addr := startServer(t, srv)
	c := dial(t, addr, smpp.Transceiver, smpp.SessionConfig{}, nil)
	ss := <-bound
	if err := ss.Unbind(ctxT(t)); err != nil {
		t.Fatalf("server Unbind: %v", err)
	}
	waitDone(t, c)
	if c.CloseReason() != smpp.ClosePeerUnbind {
		t.Errorf("client: reason %s, want peer_unbind", c.CloseReason())
	}
	if ss.CloseReason() != smpp.CloseUnbind {
		t.Errorf("server: reason %s, want unbind", ss.CloseReason())
	}
}

func TestPeerUnbindFailsOutstanding(t *testing.T) {
	addr, accept := fakeMC(t)
	sc := dialAsync(t, addr, smpp.SessionConfig{})
	r := accept()
	acceptBind(t, r)
	s := <-sc
	if s == nil {
		t.FailNow()
	}
	o := newOutcome()
	for i := range 3 {
		if _, err := s.Send(ctxT(t), pdu.SubmitSMID, nil, o.to(i)); err != nil {
			t.Fatal(err)
		}
	}
	for range 3 {
		if h, _ := r.read(); h.ID != pdu.SubmitSMID {
			t.Fatalf("got %s", h.ID)
		}
	}
	r.write(encode(pdu.Unbind, 0, 1, nil))
	r.expect(pdu.UnbindResp, pdu.StatusOK, 1)
	r.expectEOF()
	r.conn.Close()
	o.wait(t, 3)
	waitDone(t, s)
	for i := range 3 {
		if errs := o.calls[i]; len(errs) != 1 || !errors.Is(errs[0], smpp.ErrConnectionLost) {
			t.Errorf("tag %d: %v, want one ErrConnectionLost", i, errs)
		}
	}
}

func TestUnbindWaitsForInbound(t *testing.T) {
	hd := newHolder()
	bound := make(chan *smpp.Session, 1)
	srv := &smpp.Server{Authenticator: acceptAll, Handler: hd, OnBind: func(s *smpp.Session) { bound <- s }}
	c := dial(t, startServer(t, srv), smpp.Transceiver, smpp.SessionConfig{}, nil)
	ss := <-bound
	got := make(chan error, 1)
	if _, err := c.Send(ctxT(t), pdu.SubmitSMID, nil, smpp.ResponderFunc(func(h pdu.Header, _ []byte, err error) {
		if err == nil && h.Status != pdu.StatusOK {
			err = h.Status
		}
		got <- err
	})); err != nil {
		t.Fatal(err)
	}
	hd.wait(t, 1)
	unbound := make(chan error, 1)
	go func() { unbound <- ss.Unbind(ctxT(t)) }()
	// The server owes a submit_sm_resp, so it drains before it sends
	// unbind: it stays open until the handler responds.
	deadline := time.Now().Add(testTimeout)
	for ss.State() != smpp.Unbinding {
		if time.Now().After(deadline) {
			t.Fatal("server session not unbinding")
		}
		time.Sleep(time.Millisecond)
	}
	select {
	case err := <-unbound:
		t.Fatalf("Unbind returned %v with a response owed", err)
	default:
	}
	hd.release(t)
	if err := <-unbound; err != nil {
		t.Fatalf("Unbind: %v", err)
	}
	if err := <-got; err != nil {
		t.Fatalf("submit outcome %v, want the response owed before the unbind", err)
	}
}

func TestServerShutdown(t *testing.T) {
	srv := &smpp.Server{Authenticator: acceptAll, Handler: okHandler}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	serveErr := make(chan error, 1)
	go func() { serveErr <- srv.Serve(l) }()
	addr := l.Addr().String()
	var clients []*smpp.Session
	for range 3 {
		clients = append(clients, dial(t, addr, smpp.Transceiver, smpp.SessionConfig{}, nil))
	}
	raw := dialRaw(t, addr) // connected, never binds: closed, not unbound
	if err := srv.Shutdown(ctxT(t)); err != nil {
		t.Fatalf("Shutdown: %v", err)
	}
	if err := <-serveErr; !errors.Is(err, smpp.ErrServerClosed) {
		t.Errorf("Serve: %v", err)
	}
	for _, c := range clients {
		waitDone(t, c)
		if c.CloseReason() != smpp.ClosePeerUnbind {
			t.Errorf("client reason %s, want peer_unbind (unbind before close)", c.CloseReason())
		}
	}
	raw.expectEOF()
	if n := len(srv.Sessions()); n != 0 {
		t.Errorf("%d sessions after Shutdown", n)
	}
	if _, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
		t.Error("still accepting after Shutdown")
	}
	if err := srv.Serve(l); !errors.Is(err, smpp.ErrServerClosed) {
		t.Errorf("Serve after Shutdown: %v", err)
	}
}

func TestServerShutdownDeadline(t *testing.T) {
	hd := newHolder()
	srv := &smpp.Server{Authenticator: acceptAll, Handler: hd}
	addr := startServer(t, srv)
	c := dial(t, addr, smpp.Transceiver, smpp.SessionConfig{}, nil)
	o := newOutcome()
	if _, err := c.Send(ctxT(t), pdu.SubmitSMID, nil, o.to(1)); err != nil {
		t.Fatal(err)
	}
	hd.wait(t, 1) // never answered: the drain cannot finish
	ctx, cancel := context.WithTimeout(context.Background(), 150*time.Millisecond)
	defer cancel()
	start := time.Now()
	if err := srv.Shutdown(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Shutdown: %v, want DeadlineExceeded", err)
	}
	if d := time.Since(start); d < 150*time.Millisecond {
		t.Errorf("Shutdown returned after %v, before its deadline", d)
	}
	if n := len(srv.Sessions()); n != 0 {
		t.Errorf("%d sessions left after a forced Shutdown", n)
	}
	o.wait(t, 1)
	if errs := o.calls[1]; len(errs) != 1 || !errors.Is(errs[0], smpp.ErrConnectionLost) {
		t.Errorf("outstanding request got %v, want ErrConnectionLost", errs)
	}
}

// TestUnbindBackpressureLeavesRequestsUnanswered: under
// InboundBackpressure, which never refuses a request, a peer request that
// arrives while we drain for unbind is left unanswered instead of
// answered ESME_RTHROTTLED, and one the handler holds can be abandoned:
// the unbind then goes out with neither answered, for the MC to send
// them again after a new bind.
func TestUnbindBackpressureLeavesRequestsUnanswered(t *testing.T) {
	addr, accept := fakeMC(t)
	held := make(chan pdu.Header, 1)
	ch := make(chan *smpp.Session, 1)
	go func() {
		s, err := smpp.Dial(context.Background(), smpp.ClientConfig{Addr: addr, SystemID: "esme", Password: "pw",
			Session: smpp.SessionConfig{InboundFull: smpp.InboundBackpressure}, DialTimeout: testTimeout,
			Handler: smpp.HandlerFunc(func(_ *smpp.Session, h pdu.Header, _ []byte) { held <- h })}, nil)
		if err != nil {
			t.Errorf("Dial: %v", err)
		}
		ch <- s
	}()
	r := accept()
	acceptBind(t, r)
	s := <-ch
	if s == nil {
		t.FailNow()
	}
	t.Cleanup(func() { s.Close() })
	r.send(pdu.DeliverSMID, nil)
	h := <-held
	unbound := make(chan error, 1)
	go func() { unbound <- s.Unbind(ctxT(t)) }()
	for deadline := time.Now().Add(testTimeout); s.State() != smpp.Unbinding; time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("session not unbinding")
		}
	}
	r.send(pdu.DeliverSMID, nil) // while unbinding: not refused
	s.Abandon(h, false)
	uh, _ := r.read()
	if uh.ID != pdu.Unbind {
		t.Fatalf("got %s (status %s), want unbind and no answer to either deliver_sm", uh.ID, uh.Status.Name())
	}
	r.write(encode(pdu.UnbindResp, 0, uh.Seq, nil))
	if err := <-unbound; err != nil {
		t.Fatalf("Unbind: %v", err)
	}
	if st := s.Stats(); st.Unanswered != 2 || st.InboundThrottled != 0 || len(st.InboundErrors) != 0 {
		t.Errorf("unanswered %d, throttled %d, errors %v; want 2, 0, none", st.Unanswered, st.InboundThrottled, st.InboundErrors)
	}
}
