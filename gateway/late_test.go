package gateway

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/gallant-sms/gallant/smpp"
	"github.com/gallant-sms/gallant/smpp/pdu"
	"github.com/gallant-sms/gallant/smpp/smpptest"
)

// TestLateReceiptAfterShutdownAbandoned: once shutdown has abandoned
// the held receipts (dropLate), a receipt that would be held is abandoned
// at once: never answered with an error (a carrier that does not send a
// refused receipt again would lose it), and not waited for either, so
// the carrier bind unbinds at once and the carrier sends the receipt
// again after a new bind. Held, it would never be answered, and the
// bind, which unbinds only when every request it handed over was
// answered, would hang shutdown until its deadline.
func TestLateReceiptAfterShutdownAbandoned(t *testing.T) {
	carrier, err := smpptest.NewServer()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { carrier.Close() })
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()

	s := &Service{log: slog.New(slog.DiscardHandler)}
	s.dropLate()
	held := make(chan struct{})
	sess, err := smpp.Dial(ctx, smpp.ClientConfig{Addr: carrier.Addr(), BindType: smpp.Transceiver,
		SystemID: "gallant", Password: "secret", Session: smpp.SessionConfig{InboundFull: smpp.InboundBackpressure},
		Handler: smpp.HandlerFunc(func(sess *smpp.Session, h pdu.Header, _ []byte) {
			s.holdLate(&lateReceipt{req: carrierReq{sess: sess, h: h}, id: "unknown-id"})
			close(held)
		})}, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sess.Close() })

	type answer struct {
		h   pdu.Header
		err error
	}
	answered := make(chan answer, 1)
	go func() {
		h, err := carrier.Deliver(ctx, "gallant", &pdu.DeliverSM{ESMClass: 0x04, ShortMessage: []byte("id:unknown-id stat:DELIVRD")})
		answered <- answer{h, err}
	}()
	<-held
	if err := sess.Unbind(ctx); err != nil {
		t.Fatalf("unbind with the receipt abandoned: %v", err)
	}
	a := <-answered
	if a.err == nil || a.h.Status != 0 {
		t.Fatalf("the carrier got %s (%v), want no answer", a.h.Status.Name(), a.err)
	}
	if n := sess.Stats().Unanswered; n != 1 {
		t.Errorf("%d requests left unanswered, want 1", n)
	}
	if n := s.abandoned.Load(); n != 1 {
		t.Errorf("%d requests counted as left unanswered, want 1", n)
	}
	s.lateMu.Lock()
	left := len(s.late)
	s.lateMu.Unlock()
	if left != 0 {
		t.Fatalf("%d receipts held after shutdown", left)
	}
}
