package smpp_test

import (
	"errors"
	"testing"
	"time"

	"github.com/gallant-sms/gallant/smpp"
	"github.com/gallant-sms/gallant/smpp/pdu"
)

// TestNotifyAlertNotification: an MC session sends alert_notification to
// a receiver bind, which gets it in its handler and answers nothing; the
// session stays usable. Other commands, and a transmitter bind, are
// refused.
func TestNotifyAlertNotification(t *testing.T) {
	srv := &smpp.Server{Authenticator: acceptAll, Handler: okHandler}
	addr := startServer(t, srv)
	got := make(chan pdu.AlertNotification, 1)
	dial(t, addr, smpp.Receiver, smpp.SessionConfig{}, smpp.HandlerFunc(func(s *smpp.Session, h pdu.Header, body []byte) {
		if h.ID == pdu.AlertNotificationID {
			var a pdu.AlertNotification
			if err := a.Decode(body); err == nil {
				a.Source.Addr = append([]byte(nil), a.Source.Addr...)
				got <- a
			}
		}
	}))
	mc := waitSession(t, srv)
	a := pdu.AlertNotification{Source: pdu.Address{TON: 1, NPI: 1, Addr: []byte("447700900123")},
		ESME: pdu.Address{TON: 5, Addr: []byte("Acme")}}
	if err := mc.Notify(pdu.AlertNotificationID, a.AppendBody(nil)); err != nil {
		t.Fatalf("Notify: %v", err)
	}
	select {
	case g := <-got:
		if string(g.Source.Addr) != "447700900123" {
			t.Errorf("alert for %q", g.Source.Addr)
		}
	case <-time.After(testTimeout):
		t.Fatal("the receiver got no alert_notification")
	}
	if err := mc.Notify(pdu.DeliverSMID, nil); !errors.Is(err, smpp.ErrBadCommand) {
		t.Errorf("Notify(deliver_sm): %v, want ErrBadCommand", err)
	}
	if _, _, err := mc.Call(ctxT(t), pdu.EnquireLink, nil); err != nil {
		t.Errorf("enquire_link after the alert: %v", err)
	}
}

func TestNotifyRefusedOnTransmitter(t *testing.T) {
	srv := &smpp.Server{Authenticator: acceptAll, Handler: okHandler}
	addr := startServer(t, srv)
	dial(t, addr, smpp.Transmitter, smpp.SessionConfig{}, nil)
	mc := waitSession(t, srv)
	if err := mc.Notify(pdu.AlertNotificationID, (&pdu.AlertNotification{}).AppendBody(nil)); !errors.Is(err, smpp.ErrNotAllowed) {
		t.Errorf("Notify on a transmitter bind: %v, want ErrNotAllowed", err)
	}
}
