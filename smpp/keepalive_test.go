package smpp_test

import (
	"context"
	"net"
	"testing"
	"testing/synctest"
	"time"

	"github.com/gallant-sms/gallant/smpp"
	"github.com/gallant-sms/gallant/smpp/pdu"
)

// fakeMC accepts one connection on 127.0.0.1 and hands it to the test as
// a raw peer, for tests of the client side.
func fakeMC(t *testing.T) (addr string, accept func() *raw) {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	return l.Addr().String(), func() *raw {
		t.Helper()
		c, err := l.Accept()
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		return &raw{t: t, conn: c}
	}
}

// dialAsync binds to addr in the background.
func dialAsync(t *testing.T, addr string, cfg smpp.SessionConfig) <-chan *smpp.Session {
	ch := make(chan *smpp.Session, 1)
	go func() {
		s, err := smpp.Dial(context.Background(), smpp.ClientConfig{Addr: addr, SystemID: "esme", Password: "pw", Session: cfg, DialTimeout: testTimeout}, nil)
		if err != nil {
			t.Errorf("Dial: %v", err)
		}
		ch <- s
	}()
	return ch
}

// acceptBind answers the client's bind on r.
func acceptBind(t *testing.T, r *raw) {
	t.Helper()
	h, _ := r.read()
	if !h.ID.IsBind() {
		t.Fatalf("got %s, want a bind", h.ID)
	}
	r.write(encode(h.ID.Response(), 0, h.Seq, []byte("MC\x00")))
}

func TestEnquireLinkSentWhenIdle(t *testing.T) {
	addr, accept := fakeMC(t)
	sc := dialAsync(t, addr, smpp.SessionConfig{EnquireLinkInterval: 50 * time.Millisecond})
	r := accept()
	acceptBind(t, r)
	s := <-sc
	if s == nil {
		t.FailNow()
	}
	defer s.Close()
	for i := range 2 {
		h, _ := r.read()
		if h.ID != pdu.EnquireLink {
			t.Fatalf("idle client sent %s, want enquire_link", h.ID)
		}
		r.write(encode(pdu.EnquireLinkResp, 0, h.Seq, nil))
		if i == 0 && s.State() != smpp.BoundTRX {
			t.Fatalf("state %s after enquire_link_resp", s.State())
		}
	}
	// Answering the keepalive leaves no request outstanding.
	if got := s.Stats().UnknownResponses; got != 0 {
		t.Errorf("UnknownResponses = %d", got)
	}
}

func TestEnquireLinkUnansweredCloses(t *testing.T) {
	addr, accept := fakeMC(t)
	sc := dialAsync(t, addr, smpp.SessionConfig{EnquireLinkInterval: 30 * time.Millisecond, ResponseTimeout: 60 * time.Millisecond})
	r := accept()
	acceptBind(t, r)
	s := <-sc
	if s == nil {
		t.FailNow()
	}
	defer s.Close()
	if h, _ := r.read(); h.ID != pdu.EnquireLink {
		t.Fatalf("got %s, want enquire_link", h.ID)
	}
	waitDone(t, s)
	if s.CloseReason() != smpp.CloseInactivity {
		t.Errorf("close reason %s, want inactivity", s.CloseReason())
	}
}

func TestEnquireLinkAnsweredInAnyState(t *testing.T) {
	r := dialRaw(t, startServer(t, &smpp.Server{Authenticator: acceptAll}))
	seq := r.send(pdu.EnquireLink, nil)
	r.expect(pdu.EnquireLinkResp, pdu.StatusOK, seq)
	r.bind(pdu.BindTransceiver)
	seq = r.send(pdu.EnquireLink, nil)
	r.expect(pdu.EnquireLinkResp, pdu.StatusOK, seq)
}

func TestInactivityClose(t *testing.T) {
	srv := &smpp.Server{Authenticator: acceptAll, Session: smpp.SessionConfig{
		InactivityTimeout: 150 * time.Millisecond, EnquireLinkInterval: -1,
	}}
	r := dialRaw(t, startServer(t, srv))
	r.bind(pdu.BindTransceiver)
	s := waitSession(t, srv)
	if h, _ := r.read(); h.ID != pdu.Unbind {
		t.Fatalf("got %s, want unbind before the inactivity close", h.ID)
	}
	r.expectEOF()
	waitDone(t, s)
	if s.CloseReason() != smpp.CloseInactivity {
		t.Errorf("close reason %s, want inactivity", s.CloseReason())
	}
}

// TestKeepaliveDefaults runs the default timers (30 s enquire_link, 300 s
// inactivity) on fake time over net.Pipe.
func TestKeepaliveDefaults(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		srv := &smpp.Server{Authenticator: acceptAll}
		cs, ss := net.Pipe()
		srv.ServeConn(ss)
		mc := &raw{t: t, conn: cs}
		mc.bind(pdu.BindTransceiver)
		start := time.Now()
		mc.conn.SetReadDeadline(time.Now().Add(time.Hour)) // fake time
		h, _, _, err := pdu.ReadFrom(mc.conn, nil, 0)
		if err != nil || h.ID != pdu.EnquireLink {
			t.Fatalf("got %s (%v), want enquire_link", h.ID, err)
		}
		if d := time.Since(start); d < smpp.DefaultEnquireLinkInterval || d > smpp.DefaultEnquireLinkInterval+2*time.Second {
			t.Errorf("enquire_link after %v, want about %v", d, smpp.DefaultEnquireLinkInterval)
		}
		// Ignore keepalives: the peer's enquire_link times out after the
		// response timeout and the session closes.
		for {
			mc.conn.SetReadDeadline(time.Now().Add(time.Hour))
			h, _, _, err := pdu.ReadFrom(mc.conn, nil, 0)
			if err != nil {
				break
			}
			if h.ID != pdu.EnquireLink {
				t.Fatalf("got %s", h.ID)
			}
		}
		d := time.Since(start)
		if want := smpp.DefaultEnquireLinkInterval + smpp.DefaultResponseTimeout; d < want || d > want+2*time.Second {
			t.Errorf("closed after %v, want about %v", d, want)
		}
		mc.conn.Close()
		srv.Close()
	})
}

// TestResponseTimeoutFakeTime checks the one-ticker response timeout on
// fake time: a request is failed no earlier than ResponseTimeout and no
// later than one tick after it.
func TestResponseTimeoutFakeTime(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		cs, ss := net.Pipe()
		mc := &raw{t: t, conn: ss}
		go func() {
			h, _ := mc.read()
			mc.write(encode(h.ID.Response(), 0, h.Seq, []byte("MC\x00")))
			for { // swallow everything, answer nothing
				if _, _, _, err := pdu.ReadFrom(mc.conn, nil, 0); err != nil {
					return
				}
			}
		}()
		s, err := smpp.BindConn(context.Background(), cs, smpp.ClientConfig{SystemID: "esme", Session: smpp.SessionConfig{ResponseTimeout: 4 * time.Second}}, nil)
		if err != nil {
			t.Fatal(err)
		}
		start := time.Now()
		errc := make(chan error, 1)
		if _, err := s.Send(context.Background(), pdu.SubmitSMID, nil, smpp.ResponderFunc(func(_ pdu.Header, _ []byte, err error) { errc <- err })); err != nil {
			t.Fatal(err)
		}
		err = <-errc
		d := time.Since(start)
		if err != smpp.ErrResponseTimeout || d < 4*time.Second || d > 6*time.Second {
			t.Errorf("done(%v) after %v, want ErrResponseTimeout after 4-6 s", err, d)
		}
		s.Close()
		ss.Close()
	})
}
