package gateway

import (
	"context"
	"testing"
	"time"

	"github.com/gallant-sms/gallant/smpp"
	"github.com/gallant-sms/gallant/smpp/pdu"
	"github.com/gallant-sms/gallant/smpp/smpptest"
)

// TestLateReceiptAfterShutdownAnsweredAtOnce: once shutdown has answered
// the held receipts (dropLate), a receipt that would be held is answered
// at once with a temporary error instead. Held, it would never be
// answered, and the carrier bind, which unbinds only when every request
// it handed over was answered, would hang shutdown until its deadline.
func TestLateReceiptAfterShutdownAnsweredAtOnce(t *testing.T) {
	carrier, err := smpptest.NewServer()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { carrier.Close() })
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()

	s := &Service{}
	s.dropLate()
	sess, err := smpp.Dial(ctx, smpp.ClientConfig{Addr: carrier.Addr(), BindType: smpp.Transceiver,
		SystemID: "gallant", Password: "secret",
		Handler: smpp.HandlerFunc(func(sess *smpp.Session, h pdu.Header, _ []byte) {
			s.holdLate(&lateReceipt{req: carrierReq{sess: sess, h: h}, id: "unknown-id"})
		})}, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sess.Close() })

	// Call reports an error status as an error, with the header.
	h, err := carrier.Deliver(ctx, "gallant", &pdu.DeliverSM{ESMClass: 0x04, ShortMessage: []byte("id:unknown-id stat:DELIVRD")})
	if h.Status != pdu.StatusXTAppn {
		t.Fatalf("answered %s (%v), want %s (send again later)", h.Status.Name(), err, pdu.StatusXTAppn.Name())
	}
	s.lateMu.Lock()
	held := len(s.late)
	s.lateMu.Unlock()
	if held != 0 {
		t.Fatalf("%d receipts held after shutdown", held)
	}
}
