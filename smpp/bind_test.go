package smpp_test

import (
	"context"
	"errors"
	"net"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gallant-sms/gallant/smpp"
	"github.com/gallant-sms/gallant/smpp/pdu"
)

func TestBindTypes(t *testing.T) {
	for _, tc := range []struct {
		bt    smpp.BindType
		state smpp.BindState
	}{
		{smpp.Transmitter, smpp.BoundTX},
		{smpp.Receiver, smpp.BoundRX},
		{smpp.Transceiver, smpp.BoundTRX},
	} {
		t.Run(tc.bt.String(), func(t *testing.T) {
			bound := make(chan *smpp.Session, 1)
			srv := &smpp.Server{Authenticator: acceptAll, Handler: okHandler, SystemID: "SMSC01", OnBind: func(s *smpp.Session) { bound <- s }}
			addr := startServer(t, srv)
			c := dial(t, addr, tc.bt, smpp.SessionConfig{}, nil)
			if c.State() != tc.state || c.BindType() != tc.bt || c.SystemID() != "esme" {
				t.Errorf("client: state %s type %s system_id %q", c.State(), c.BindType(), c.SystemID())
			}
			if c.InterfaceVersion() != 0x34 {
				t.Errorf("client saw sc_interface_version %#x, want 0x34", c.InterfaceVersion())
			}
			var s *smpp.Session
			select {
			case s = <-bound:
			case <-time.After(testTimeout):
				t.Fatal("OnBind not called")
			}
			if s.State() != tc.state || s.BindType() != tc.bt || s.SystemID() != "esme" || s.Value() != "esme" {
				t.Errorf("server: state %s type %s system_id %q value %v", s.State(), s.BindType(), s.SystemID(), s.Value())
			}
			if got := srv.BindCount("esme"); got != 1 {
				t.Errorf("BindCount = %d, want 1", got)
			}
		})
	}
}

func TestBindRespVector(t *testing.T) {
	// docs/smpp.md, "Test vectors", A1 and A2: bind_transceiver for "gwclient" answered
	// with system_id "SMSC01" and sc_interface_version 0x34.
	srv := &smpp.Server{Authenticator: acceptAll, SystemID: "SMSC01"}
	r := dialRaw(t, startServer(t, srv))
	r.write(encode(pdu.BindTransceiver, 0, 1, (&pdu.Bind{SystemID: []byte("gwclient"), Password: []byte("s3cr3t"), InterfaceVersion: 0x34}).AppendBody(nil)))
	h, body := r.read()
	got := encode(h.ID, h.Status, h.Seq, body)
	want := []byte{0, 0, 0, 0x1C, 0x80, 0, 0, 9, 0, 0, 0, 0, 0, 0, 0, 1, 'S', 'M', 'S', 'C', '0', '1', 0, 0x02, 0x10, 0, 1, 0x34}
	if string(got) != string(want) {
		t.Fatalf("bind_resp\n got % x\nwant % x", got, want)
	}
}

func TestBindRefused(t *testing.T) {
	srv := &smpp.Server{Authenticator: acceptAll}
	addr := startServer(t, srv)

	t.Run("bad password", func(t *testing.T) {
		r := dialRaw(t, addr)
		seq := r.send(pdu.BindTransmitter, bindBody("x", "bad"))
		if body := r.expect(pdu.BindTransmitterResp, pdu.StatusBindFail, seq); len(body) != 0 {
			t.Errorf("error bind_resp has a body: % x", body)
		}
		r.expectEOF()
	})
	t.Run("Dial error", func(t *testing.T) {
		_, err := smpp.Dial(ctxT(t), smpp.ClientConfig{Addr: addr, SystemID: "x", Password: "bad"}, nil)
		var be *smpp.BindError
		if !errors.As(err, &be) || be.Status != pdu.StatusBindFail {
			t.Fatalf("Dial error = %v, want BindError ESME_RBINDFAIL", err)
		}
		if smpp.IsRetryable(err) {
			t.Error("a refused bind is not retryable")
		}
	})
	t.Run("malformed bind", func(t *testing.T) {
		r := dialRaw(t, addr)
		seq := r.send(pdu.BindTransceiver, []byte("no terminator"))
		h, _ := r.read()
		if h.ID != pdu.BindTransceiverResp || h.Seq != seq || h.Status == pdu.StatusOK {
			t.Fatalf("got %s status %s, want bind_transceiver_resp with an error", h.ID, h.Status.Name())
		}
		r.expectEOF()
	})
	t.Run("nil authenticator", func(t *testing.T) {
		addr := startServer(t, &smpp.Server{})
		r := dialRaw(t, addr)
		seq := r.send(pdu.BindReceiver, bindBody("x", "y"))
		r.expect(pdu.BindReceiverResp, pdu.StatusBindFail, seq)
		r.expectEOF()
	})
}

func TestBindTimeout(t *testing.T) {
	srv := &smpp.Server{Authenticator: acceptAll, Session: smpp.SessionConfig{BindTimeout: 100 * time.Millisecond}}
	r := dialRaw(t, startServer(t, srv))
	s := waitSession(t, srv)
	r.expectEOF()
	waitDone(t, s)
	if s.CloseReason() != smpp.CloseBindTimeout {
		t.Errorf("close reason %s, want bind_timeout", s.CloseReason())
	}
}

func TestBindTimeoutBoundsAuthenticator(t *testing.T) {
	var sawDeadline atomic.Bool
	auth := smpp.AuthenticatorFunc(func(ctx context.Context, _ smpp.BindRequest) (any, pdu.Status) {
		_, ok := ctx.Deadline()
		sawDeadline.Store(ok)
		<-ctx.Done() // a slow credential store
		return nil, pdu.StatusOK
	})
	srv := &smpp.Server{Authenticator: auth, Session: smpp.SessionConfig{BindTimeout: 100 * time.Millisecond}}
	r := dialRaw(t, startServer(t, srv))
	seq := r.send(pdu.BindTransceiver, bindBody("slow", "pw"))
	// Either the session refuses the bind when the deadline ends the
	// authenticator, or the bind timer closes the connection first.
	r.conn.SetReadDeadline(time.Now().Add(testTimeout))
	if h, _, _, err := pdu.ReadFrom(r.conn, nil, 0); err == nil {
		if h.ID != pdu.BindTransceiverResp || h.Seq != seq || h.Status == pdu.StatusOK {
			t.Fatalf("got %s status %s, want a refused bind", h.ID, h.Status.Name())
		}
		r.expectEOF()
	} else if ne, ok := err.(net.Error); ok && ne.Timeout() {
		t.Fatal("connection still open after the test timeout")
	}
	if !sawDeadline.Load() {
		t.Error("authenticator context had no deadline")
	}
}

func TestBindTwice(t *testing.T) {
	r := dialRaw(t, startServer(t, &smpp.Server{Authenticator: acceptAll}))
	r.bind(pdu.BindTransceiver)
	seq := r.send(pdu.BindTransmitter, bindBody("raw", "pw"))
	r.expect(pdu.BindTransmitterResp, pdu.StatusAlyBnd, seq)
	// Still bound and answering.
	seq = r.send(pdu.EnquireLink, nil)
	r.expect(pdu.EnquireLinkResp, pdu.StatusOK, seq)
}

func TestRequestsIllegalInState(t *testing.T) {
	addr := startServer(t, &smpp.Server{Authenticator: acceptAll, Handler: okHandler})

	t.Run("before bind", func(t *testing.T) {
		r := dialRaw(t, addr)
		seq := r.send(pdu.SubmitSMID, []byte("x"))
		r.expect(pdu.SubmitSMRespID, pdu.StatusInvBndSts, seq)
		seq = r.send(pdu.EnquireLink, nil) // allowed in OPEN
		r.expect(pdu.EnquireLinkResp, pdu.StatusOK, seq)
		seq = r.send(pdu.Unbind, nil) // not allowed in OPEN
		r.expect(pdu.UnbindResp, pdu.StatusInvBndSts, seq)
		seq = r.send(pdu.AlertNotificationID, nil) // no response type: generic_nack
		r.expect(pdu.GenericNack, pdu.StatusInvBndSts, seq)
		r.bind(pdu.BindTransmitter) // and binding still works
	})
	t.Run("submit on receiver", func(t *testing.T) {
		r := dialRaw(t, addr)
		r.bind(pdu.BindReceiver)
		seq := r.send(pdu.SubmitSMID, []byte("x"))
		r.expect(pdu.SubmitSMRespID, pdu.StatusInvBndSts, seq)
	})
	t.Run("deliver_sm from an ESME", func(t *testing.T) {
		r := dialRaw(t, addr)
		r.bind(pdu.BindTransceiver)
		seq := r.send(pdu.DeliverSMID, []byte("x"))
		r.expect(pdu.DeliverSMRespID, pdu.StatusInvBndSts, seq)
	})
	t.Run("client side", func(t *testing.T) {
		c := dial(t, addr, smpp.Receiver, smpp.SessionConfig{}, nil)
		if _, err := c.Send(ctxT(t), pdu.SubmitSMID, nil, nil); !errors.Is(err, smpp.ErrNotAllowed) {
			t.Errorf("submit_sm on a receiver: %v, want ErrNotAllowed", err)
		}
		if _, err := c.Send(ctxT(t), pdu.BindTransceiver, nil, nil); !errors.Is(err, smpp.ErrBadCommand) {
			t.Errorf("Send(bind): %v, want ErrBadCommand", err)
		}
	})
}

func TestBindLimitPerSystemID(t *testing.T) {
	srv := &smpp.Server{Authenticator: acceptAll, MaxBindsPerSystemID: 2}
	addr := startServer(t, srv)
	a := dial(t, addr, smpp.Transceiver, smpp.SessionConfig{}, nil)
	dial(t, addr, smpp.Transceiver, smpp.SessionConfig{}, nil)
	_, err := smpp.Dial(ctxT(t), smpp.ClientConfig{Addr: addr, SystemID: "esme", Password: "pw"}, nil)
	var be *smpp.BindError
	if !errors.As(err, &be) || be.Status != pdu.StatusBindFail {
		t.Fatalf("third bind: %v, want ESME_RBINDFAIL", err)
	}
	// Another system_id is not affected.
	other, err := smpp.Dial(ctxT(t), smpp.ClientConfig{Addr: addr, SystemID: "other", Password: "pw"}, nil)
	if err != nil {
		t.Fatalf("bind as other: %v", err)
	}
	other.Close()
	// Closing one frees its slot once the server has seen it go.
	a.Close()
	deadline := time.Now().Add(testTimeout)
	for srv.BindCount("esme") != 1 {
		if time.Now().After(deadline) {
			t.Fatalf("BindCount = %d after a close, want 1", srv.BindCount("esme"))
		}
		time.Sleep(time.Millisecond)
	}
	dial(t, addr, smpp.Transmitter, smpp.SessionConfig{}, nil)
}

func TestCloseCancelsAuthenticator(t *testing.T) {
	got := make(chan error, 1)
	entered := make(chan struct{})
	auth := smpp.AuthenticatorFunc(func(ctx context.Context, _ smpp.BindRequest) (any, pdu.Status) {
		close(entered)
		<-ctx.Done()
		got <- ctx.Err()
		return nil, pdu.StatusOK
	})
	srv := &smpp.Server{Authenticator: auth}
	r := dialRaw(t, startServer(t, srv))
	r.send(pdu.BindTransceiver, bindBody("slow", "pw"))
	<-entered
	srv.Close()
	if err := <-got; !errors.Is(err, context.Canceled) {
		t.Errorf("authenticator context ended with %v, want Canceled by Close", err)
	}
	r.expectEOF()
}
