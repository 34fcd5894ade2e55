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

// stateLog records a Client's OnState calls.
type stateLog struct {
	mu     sync.Mutex
	states []smpp.BindState
	errs   []error
	ch     chan smpp.BindState
}

func newStateLog() *stateLog { return &stateLog{ch: make(chan smpp.BindState, 100)} }

func (l *stateLog) on(st smpp.BindState, err error) {
	l.mu.Lock()
	l.states = append(l.states, st)
	l.errs = append(l.errs, err)
	l.mu.Unlock()
	l.ch <- st
}

// waitFor waits for OnState(st).
func (l *stateLog) waitFor(t *testing.T, st smpp.BindState) {
	t.Helper()
	for {
		select {
		case got := <-l.ch:
			if got == st {
				return
			}
		case <-time.After(testTimeout):
			t.Fatalf("no OnState(%s)", st)
		}
	}
}

func TestClientReconnects(t *testing.T) {
	var binds atomic.Int64
	auth := smpp.AuthenticatorFunc(func(ctx context.Context, req smpp.BindRequest) (any, pdu.Status) {
		binds.Add(1)
		return nil, pdu.StatusOK
	})
	srv := &smpp.Server{Authenticator: auth, Handler: okHandler}
	addr := startServer(t, srv)
	log := newStateLog()
	c, err := smpp.NewClient(smpp.ClientConfig{
		Addr: addr, BindType: smpp.Transmitter, SystemID: "esme", Password: "pw",
		MinBackoff: 5 * time.Millisecond, MaxBackoff: 50 * time.Millisecond, OnState: log.on,
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := c.Send(ctxT(t), pdu.SubmitSMID, nil, nil); !errors.Is(err, smpp.ErrNotBound) {
		t.Errorf("Send before Start: %v, want ErrNotBound", err)
	}
	c.Start()
	if err := c.WaitBound(ctxT(t)); err != nil {
		t.Fatal(err)
	}
	first := c.Session()
	if _, _, err := c.Call(ctxT(t), pdu.SubmitSMID, nil); err != nil {
		t.Fatalf("Call: %v", err)
	}
	for range 3 {
		for _, s := range srv.Sessions() {
			s.Abort()
		}
		log.waitFor(t, smpp.Closed)
		log.waitFor(t, smpp.BoundTX)
	}
	if err := c.WaitBound(ctxT(t)); err != nil {
		t.Fatal(err)
	}
	if c.Session() == first {
		t.Error("still on the first session")
	}
	if _, _, err := c.Call(ctxT(t), pdu.SubmitSMID, nil); err != nil {
		t.Fatalf("Call after reconnect: %v", err)
	}
	if n := binds.Load(); n != 4 {
		t.Errorf("%d binds, want 4", n)
	}
	log.mu.Lock()
	for i, st := range log.states {
		if st == smpp.Closed && log.errs[i] != nil && !errors.Is(log.errs[i], smpp.ErrConnectionLost) {
			t.Errorf("OnState(closed, %v): want ErrConnectionLost", log.errs[i])
		}
	}
	log.mu.Unlock()
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	if c.State() != smpp.Closed {
		t.Errorf("state %s after Close", c.State())
	}
	if _, err := c.Send(ctxT(t), pdu.SubmitSMID, nil, nil); !errors.Is(err, smpp.ErrClientClosed) {
		t.Errorf("Send after Close: %v", err)
	}
}

func TestClientBackoffOnRefusedBind(t *testing.T) {
	var attempts atomic.Int64
	var mu sync.Mutex
	var times []time.Time
	auth := smpp.AuthenticatorFunc(func(ctx context.Context, req smpp.BindRequest) (any, pdu.Status) {
		attempts.Add(1)
		mu.Lock()
		times = append(times, time.Now())
		mu.Unlock()
		return nil, pdu.StatusInvPaswd // not temporary: retried at MaxBackoff
	})
	addr := startServer(t, &smpp.Server{Authenticator: auth})
	log := newStateLog()
	c, err := smpp.NewClient(smpp.ClientConfig{
		Addr: addr, SystemID: "esme", Password: "pw",
		MinBackoff: time.Millisecond, MaxBackoff: 80 * time.Millisecond, OnState: log.on,
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	c.Start()
	for attempts.Load() < 3 {
		log.waitFor(t, smpp.Closed)
	}
	c.Close()
	mu.Lock()
	defer mu.Unlock()
	// A refused bind waits MaxBackoff, not MinBackoff's 1 ms doubling.
	log.mu.Lock()
	defer log.mu.Unlock()
	var be *smpp.BindError
	found := false
	for _, err := range log.errs {
		if errors.As(err, &be) && be.Status == pdu.StatusInvPaswd {
			found = true
		}
	}
	if !found {
		t.Errorf("OnState never reported the refused bind: %v", log.errs)
	}
	for i := 1; i < len(times); i++ {
		if gap := times[i].Sub(times[i-1]); gap < 80*time.Millisecond {
			t.Errorf("retry after a refused bind came after %v, want MaxBackoff (80ms)", gap)
		}
	}
}

func TestClientUnbind(t *testing.T) {
	closed := make(chan *smpp.Session, 1)
	srv := &smpp.Server{Authenticator: acceptAll, Handler: okHandler, OnClose: func(s *smpp.Session) { closed <- s }}
	addr := startServer(t, srv)
	c, err := smpp.NewClient(smpp.ClientConfig{Addr: addr, SystemID: "esme", Password: "pw"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	c.Start()
	if err := c.WaitBound(ctxT(t)); err != nil {
		t.Fatal(err)
	}
	if err := c.Unbind(ctxT(t)); err != nil {
		t.Fatalf("Unbind: %v", err)
	}
	select {
	case s := <-closed:
		if s.CloseReason() != smpp.ClosePeerUnbind {
			t.Errorf("server reason %s, want peer_unbind", s.CloseReason())
		}
	case <-time.After(testTimeout):
		t.Fatal("server session did not close")
	}
	if err := c.Close(); err != nil { // idempotent
		t.Fatal(err)
	}
	if err := c.WaitBound(ctxT(t)); !errors.Is(err, smpp.ErrClientClosed) {
		t.Errorf("WaitBound after Unbind: %v", err)
	}
}

func TestClientCloseWithoutStart(t *testing.T) {
	c, err := smpp.NewClient(smpp.ClientConfig{Addr: "127.0.0.1:1", SystemID: "x"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	c.Start() // no effect after Close
	if c.State() != smpp.Closed {
		t.Errorf("state %s", c.State())
	}
}

func TestClientConfigValidation(t *testing.T) {
	for _, cfg := range []smpp.ClientConfig{
		{SystemID: "much-too-long-system-id"},
		{SystemID: "x", Password: "too-long-password"},
		{SystemID: "x", BindType: 9},
		{SystemID: "x", Session: smpp.SessionConfig{Window: -1}},
	} {
		if _, err := smpp.NewClient(cfg, nil); err == nil {
			t.Errorf("NewClient(%+v) accepted", cfg)
		}
	}
}
