package smpp_test

import (
	"context"
	"errors"
	"net"
	"testing"
	"time"

	"github.com/gallant-sms/gallant/smpp"
	"github.com/gallant-sms/gallant/smpp/pdu"
	"github.com/gallant-sms/gallant/smpp/smpptest"
)

// TestOutbindAgainstSmpptest: the fake SMSC connects to our outbind
// listener and sends outbind; we bind as a receiver on that connection,
// and the receipt of a message submitted on our transmitter bind comes
// back on it. An outbind with the wrong password is refused by closing,
// and ServeOutbind returns when its context ends.
func TestOutbindAgainstSmpptest(t *testing.T) {
	mc := smpptest.NewUnstartedServer()
	mc.Receipts = true
	if err := mc.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { mc.Close() })

	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	receipts := make(chan string, 1)
	cfg := smpp.ClientConfig{SystemID: "gallant", Password: "secret",
		Handler: smpp.HandlerFunc(func(s *smpp.Session, h pdu.Header, body []byte) {
			var dm pdu.DeliverSM
			if h.ID == pdu.DeliverSMID && dm.Decode(body) == nil {
				if id, ok := dm.TLVs.CString(pdu.TagReceiptedMessageID); ok {
					receipts <- string(id)
				}
				_ = s.Respond(h, pdu.StatusOK, []byte{0})
			}
		})}
	ctx, cancel := context.WithCancel(context.Background())
	bound := make(chan *smpp.Session, 2)
	served := make(chan error, 1)
	go func() { served <- smpp.ServeOutbind(ctx, l, cfg, nil, nil, func(s *smpp.Session) { bound <- s }) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-served:
			if err != nil {
				t.Errorf("ServeOutbind: %v", err)
			}
		case <-time.After(testTimeout):
			t.Error("ServeOutbind did not return after its context ended")
		}
	})

	if err := mc.Outbind(ctxT(t), l.Addr().String(), "gallant", "wrong"); err != nil {
		t.Fatalf("outbind: %v", err)
	}
	if err := mc.Outbind(ctxT(t), l.Addr().String(), "gallant", "secret"); err != nil {
		t.Fatalf("outbind: %v", err)
	}
	var rx *smpp.Session
	select {
	case rx = <-bound:
	case <-time.After(testTimeout):
		t.Fatal("no bind after outbind")
	}
	t.Cleanup(func() { rx.Close() })
	if rx.BindType() != smpp.Receiver || !rx.State().Bound() {
		t.Fatalf("outbind session %v %v, want a bound receiver", rx.BindType(), rx.State())
	}

	tx2, err := smpp.Dial(ctxT(t), smpp.ClientConfig{Addr: mc.Addr(), BindType: smpp.Transmitter, SystemID: "gallant", Password: "secret"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { tx2.Close() })
	sm := pdu.SubmitSM{Source: pdu.Address{TON: 5, Addr: []byte("Acme")}, Dest: pdu.Address{TON: 1, NPI: 1, Addr: []byte("447700900123")},
		RegisteredDelivery: 1, ShortMessage: []byte("via outbind")}
	_, body, err := tx2.Call(ctxT(t), pdu.SubmitSMID, sm.AppendBody(nil))
	if err != nil {
		t.Fatalf("submit_sm: %v", err)
	}
	var resp pdu.SubmitSMResp
	if err := resp.Decode(body); err != nil {
		t.Fatal(err)
	}
	select {
	case id := <-receipts:
		if id != string(resp.MessageID) {
			t.Errorf("receipt for %q, want %q", id, resp.MessageID)
		}
	case <-time.After(testTimeout):
		t.Fatal("no receipt on the outbind session")
	}
	select {
	case s := <-bound:
		t.Fatalf("the wrong password's outbind was bound too (%v)", s.SystemID())
	default:
	}
}

// TestAcceptOutbindRefusesOtherFirstPDU: a connection whose first PDU is
// not an outbind is closed, with an error saying so.
func TestAcceptOutbindRefusesOtherFirstPDU(t *testing.T) {
	a, b := net.Pipe()
	go func() {
		_, _ = b.Write(encode(pdu.EnquireLink, 0, 1, nil))
	}()
	_, err := smpp.AcceptOutbind(ctxT(t), a, smpp.ClientConfig{SystemID: "x", Password: "y"}, nil, nil)
	if err == nil || errors.Is(err, smpp.ErrOutbindRefused) {
		t.Fatalf("AcceptOutbind of an enquire_link: %v, want a not-an-outbind error", err)
	}
	if _, err := b.Write([]byte{0}); err == nil {
		t.Error("the connection is still open")
	}
}

// TestAcceptOutbindStopsWithContext: a connection that never sends its
// outbind does not hold AcceptOutbind (nor so ServeOutbind) past its
// context, however long DialTimeout is.
func TestAcceptOutbindStopsWithContext(t *testing.T) {
	a, b := net.Pipe()
	defer b.Close()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		_, err := smpp.AcceptOutbind(ctx, a, smpp.ClientConfig{SystemID: "x", Password: "y", DialTimeout: time.Hour}, nil, nil)
		done <- err
	}()
	go func() { _, _ = b.Write([]byte{0, 0}) }() // part of a header, then silence
	cancel()
	select {
	case err := <-done:
		if err == nil {
			t.Fatal("AcceptOutbind bound nothing yet returned no error")
		}
	case <-time.After(testTimeout):
		t.Fatal("AcceptOutbind waited for a silent connection after its context ended")
	}
}
