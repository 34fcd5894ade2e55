package gateway

import (
	"context"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/gallant-sms/gallant/smpp"
	"github.com/gallant-sms/gallant/smpp/pdu"
	"github.com/gallant-sms/gallant/smpp/smpptest"
)

// TestLateReceiptsDoNotPauseTheBind: a held receipt (its submit_sm_resp
// not read yet, perhaps on this very bind) gives back its room in the
// bind's MaxInbound, so a bind that stops reading at MaxInbound still
// reads on; the held receipts are settled later, once each: at shutdown
// abandoned, unanswered, and the bind unbinds without waiting for them.
func TestLateReceiptsDoNotPauseTheBind(t *testing.T) {
	carrier, err := smpptest.NewServer()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { carrier.Close() })
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()

	s := &Service{log: slog.New(slog.DiscardHandler)}
	sess, err := smpp.Dial(ctx, smpp.ClientConfig{Addr: carrier.Addr(), BindType: smpp.Transceiver,
		SystemID: "gallant", Password: "secret",
		Session: smpp.SessionConfig{MaxInbound: 1, InboundFull: smpp.InboundBackpressure},
		Handler: smpp.HandlerFunc(func(sess *smpp.Session, h pdu.Header, _ []byte) {
			s.holdLate(&lateReceipt{req: carrierReq{sess: sess, h: h}, id: "unknown-id"})
		})}, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sess.Close() })

	const n = 3 // more than MaxInbound
	var wg sync.WaitGroup
	statuses := make([]pdu.Status, n)
	errs := make([]error, n)
	for i := range n {
		wg.Go(func() {
			h, err := carrier.Deliver(ctx, "gallant", &pdu.DeliverSM{ESMClass: 0x04, ShortMessage: []byte("id:unknown-id stat:DELIVRD")})
			statuses[i], errs[i] = h.Status, err
		})
	}
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(time.Millisecond) {
		s.lateMu.Lock()
		held, detached := len(s.late), s.lateDetached
		s.lateMu.Unlock()
		if held == n {
			if detached != n || sess.Stats().Inbound != 0 {
				t.Fatalf("%d detached, %d counted inbound; want %d and 0", detached, sess.Stats().Inbound, n)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d receipts held: the bind stopped reading (inbound %d)", held, n, sess.Stats().Inbound)
		}
	}
	s.dropLate()
	if s.lateDetached != 0 || sess.Stats().Inbound != 0 {
		t.Errorf("after dropping: %d detached, inbound %d", s.lateDetached, sess.Stats().Inbound)
	}
	if err := sess.Unbind(ctx); err != nil {
		t.Fatalf("unbind with the held receipts abandoned: %v", err)
	}
	wg.Wait()
	for i, st := range statuses {
		if errs[i] == nil || st != 0 {
			t.Errorf("receipt %d answered %s (%v), want no answer", i, st.Name(), errs[i])
		}
	}
	if got := sess.Stats().Unanswered; got != n {
		t.Errorf("%d receipts left unanswered, want %d", got, n)
	}
}
