package gateway_test

import (
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gallant-sms/gallant/gateway"
	"github.com/gallant-sms/gallant/internal/testutil"
	"github.com/gallant-sms/gallant/smpp"
	"github.com/gallant-sms/gallant/smpp/pdu"
	"github.com/gallant-sms/gallant/smpp/pdutext"
	"github.com/gallant-sms/gallant/store/storetest"
)

// TestE2EScheduledWaitInStore: with a 1 s horizon and room for 4 in
// memory, 12 messages scheduled 3 s ahead are not held at their accept;
// they are loaded as they come due, never more than 4 at once, and each
// reaches the carrier exactly once, not before its time. One cancelled
// while it waits in the store is never sent and its sender gets a DELETED
// receipt. The account may have 12 waiting: the 13th is refused
// ESME_RMSGQFUL, and once the 12 have left, scheduling works again.
func TestE2EScheduledWaitInStore(t *testing.T) {
	t.Parallel()
	eachDriver(t, func(t *testing.T, driver string) {
		var mu sync.Mutex
		got := map[string]int{}
		early := 0
		var sendAt time.Time
		c := newCarrier(t, carrierOpts{decide: func(_ int, sm *pdu.SubmitSM) pdu.Status {
			mu.Lock()
			got[string(sm.ShortMessage)]++
			if time.Now().Before(sendAt.Add(-100 * time.Millisecond)) { // absolute times: 0.1 s resolution
				early++
			}
			mu.Unlock()
			return pdu.StatusOK
		}})
		const waiting, memory = 12, 4
		g := startGateway(t, storetest.Config(t, driver), gateway.Config{
			Carriers:        []gateway.CarrierConfig{carrierConfig("c1", c.Addr())},
			ScheduleHorizon: time.Second, ScheduleMemory: memory, MaxScheduledPerAccount: waiting,
		}, routeAll("c1"))
		g.waitReady(t)
		e := g.bind(t, g.customer(t, "Acme"), smpp.Transceiver)

		// Sample the messages held in memory for the whole test.
		var peak atomic.Int64
		stopSampling := make(chan struct{})
		sampled := make(chan struct{})
		go func() {
			defer close(sampled)
			for {
				if n := int64(g.metric(t, "gallant_gateway_scheduled")); n > peak.Load() {
					peak.Store(n)
				}
				select {
				case <-stopSampling:
					return
				case <-time.After(5 * time.Millisecond):
				}
			}
		}()

		mu.Lock()
		sendAt = time.Now().Add(3 * time.Second)
		mu.Unlock()
		ids := make([]string, waiting)
		for i := range waiting {
			sm := textSM(fmt.Sprintf("scheduled %d", i))
			sm.ScheduleDeliveryTime = pdutext.AppendAbsTime(nil, sendAt)
			id, err := e.Submit(testContext(t), sm)
			if err != nil {
				t.Fatalf("submit_sm %d: %v (refused: %v scheduled-limit, %v backpressure)", i, err,
					g.metric(t, "gallant_gateway_refused_total", "reason", gateway.ProblemScheduledLimit),
					g.metric(t, "gallant_gateway_refused_total", "reason", gateway.ProblemBackpressure))
			}
			ids[i] = id
		}
		over := textSM("one too many")
		over.ScheduleDeliveryTime = pdutext.AppendAbsTime(nil, sendAt)
		if _, err := e.Submit(testContext(t), over); statusOf(err) != pdu.StatusMsgQFul {
			t.Fatalf("submit over the account's scheduled limit: %v, want ESME_RMSGQFUL", err)
		}
		if held := g.metric(t, "gallant_gateway_scheduled"); held != 0 && time.Until(sendAt) > 1500*time.Millisecond {
			t.Fatalf("%v messages held in memory 1.5 s before the horizon reaches them", held)
		}
		// Cancelled while it waits in the store only.
		if st := cancel(t, e, ids[0]); st != pdu.StatusOK {
			t.Fatalf("cancel_sm of a message waiting in the store: %v", st)
		}

		testutil.Eventually(t, "every message not cancelled at the carrier", func() (bool, string) {
			mu.Lock()
			defer mu.Unlock()
			return len(got) == waiting-1, fmt.Sprint(len(got))
		})
		rs := byID(t, waitReceipts(t, e, waiting))
		if r := rs[ids[0]]; r.state != pdutext.StateDeleted {
			t.Errorf("receipt of the cancelled message: %+v", r)
		}
		close(stopSampling)
		<-sampled
		mu.Lock()
		for text, n := range got {
			if n != 1 {
				t.Errorf("%q reached the carrier %d times", text, n)
			}
		}
		if got["scheduled 0"] != 0 {
			t.Error("the cancelled message reached the carrier")
		}
		if early > 0 {
			t.Errorf("%d messages reached the carrier before their time", early)
		}
		mu.Unlock()
		if p := peak.Load(); p > memory {
			t.Errorf("%d messages held in memory at once, the cap is %d", p, memory)
		}
		// None waits any more: the account may schedule again.
		again := textSM("after the others")
		again.ScheduleDeliveryTime = relTime(time.Hour)
		submit(t, e, again)
	})
}
