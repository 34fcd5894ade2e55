package smpptest

import (
	"sync"
	"testing"
	"time"

	"github.com/gallant-sms/gallant/smpp"
	"github.com/gallant-sms/gallant/smpp/pdu"
)

// receiptHolder is a receiver that answers no deliver_sm until released.
type receiptHolder struct {
	mu   sync.Mutex
	held []pdu.Header
	sess *smpp.Session
}

func (r *receiptHolder) HandlePDU(s *smpp.Session, h pdu.Header, _ []byte) {
	r.mu.Lock()
	r.sess = s
	r.held = append(r.held, h)
	r.mu.Unlock()
}

func (r *receiptHolder) count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.held)
}

// releaseAll answers every held deliver_sm.
func (r *receiptHolder) releaseAll() {
	r.mu.Lock()
	held, s := r.held, r.sess
	r.held = nil
	r.mu.Unlock()
	for _, h := range held {
		_ = s.Respond(h, pdu.StatusOK, []byte{0})
	}
}

// poll waits for cond, failing after 10 s.
func poll(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); !cond(); {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}

// TestSimulatorReceiptWindow: a bind gets at most ReceiptWindow receipts
// unanswered, and with a negative window all of them without answering
// any.
func TestSimulatorReceiptWindow(t *testing.T) {
	const n = 10
	for _, window := range []int{3, -1} {
		sim, addr := startSim(t, SimConfig{ReceiptWindow: window})
		hold := &receiptHolder{}
		sess, err := smpp.Dial(ctxT(t), smpp.ClientConfig{Addr: addr, BindType: smpp.Transceiver, SystemID: "gw", Password: "x",
			Handler: hold}, nil)
		if err != nil {
			t.Fatal(err)
		}
		for i := range n {
			if _, _, err := sess.Call(ctxT(t), pdu.SubmitSMID, testSM(i, 1).AppendBody(nil)); err != nil {
				t.Fatal(err)
			}
		}
		want := n
		if window > 0 {
			want = window
			// The next receipt is taken from the queue and waits for room.
			poll(t, "the simulator to wait for the window", func() bool { return sim.Summary().ReceiptsPending == n-window-1 })
		}
		poll(t, "receipts held", func() bool { return hold.count() >= want })
		if got := hold.count(); got != want {
			t.Errorf("window %d: %d receipts unanswered at once, want %d", window, got, want)
		}
		poll(t, "every receipt answered", func() bool {
			hold.releaseAll()
			return sim.Summary().Receipts["DELIVRD"] == n
		})
		sess.Close()
	}
}

// TestSimulatorNoResend: with NoResend a refused receipt is dropped and
// counted by status, never sent again.
func TestSimulatorNoResend(t *testing.T) {
	sim, addr := startSim(t, SimConfig{NoResend: true})
	e := bindESME(t, addr, smpp.Transceiver, "gw", "x")
	e.SetDeliverStatus(pdu.StatusThrottled)
	for i := range 5 {
		if _, err := e.Submit(ctxT(t), testSM(i, 1)); err != nil {
			t.Fatal(err)
		}
	}
	poll(t, "5 dropped receipts", func() bool { return sim.Summary().ReceiptsDropped >= 5 })
	sum := sim.Summary()
	if sum.ReceiptsDropped != 5 || sum.ReceiptsRetried != 0 || sum.ReceiptsRefused[pdu.StatusThrottled.Name()] != 5 || sum.ReceiptsPending != 0 {
		t.Fatalf("summary %+v: want 5 refused and dropped, none retried or pending", sum)
	}
	if got := len(e.Delivers()); got != 5 {
		t.Fatalf("%d deliver_sm, want 5 (none resent)", got)
	}
}
