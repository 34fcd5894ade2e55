package gateway_test

import (
	"testing"
	"time"

	"github.com/gallant-sms/gallant/gateway"
	"github.com/gallant-sms/gallant/smpp"
	"github.com/gallant-sms/gallant/smpp/pdu"
	"github.com/gallant-sms/gallant/smpp/pdutext"
	"github.com/gallant-sms/gallant/sms"
	"github.com/gallant-sms/gallant/store/storetest"
)

// TestE2EScheduled: a message with a schedule_delivery_time is held (the
// carrier does not have it, query_sm says SCHEDULED), then goes out no
// earlier than its time; cancel_sm removes a held message and fails on
// a sent one.
func TestE2EScheduled(t *testing.T) {
	t.Parallel()
	eachDriver(t, func(t *testing.T, driver string) {
		c, g := startWithCarrier(t, driver, carrierOpts{})
		e := g.bind(t, g.customer(t, "Acme"), smpp.Transceiver)

		const delay = 3 * time.Second
		before := time.Now()
		// Both forms of schedule_delivery_time: absolute and relative.
		keep := textSM("scheduled and sent")
		keep.ScheduleDeliveryTime = pdutext.AppendAbsTime(nil, before.Add(delay))
		keepID := submit(t, e, keep)
		drop := textSM("scheduled and cancelled")
		drop.ScheduleDeliveryTime = relTime(delay)
		dropID := submit(t, e, drop)

		for _, id := range []string{keepID, dropID} {
			q, err := query(t, e, id)
			if err != nil || pdutext.MessageState(q.MessageState) != pdutext.StateScheduled {
				t.Fatalf("query_sm of a held message: state %d, %v", q.MessageState, err)
			}
		}
		if st := cancel(t, e, dropID); st != pdu.StatusOK {
			t.Fatalf("cancel_sm of a held message: %v", st)
		}
		if q, err := query(t, e, dropID); err != nil || pdutext.MessageState(q.MessageState) != pdutext.StateDeleted {
			t.Fatalf("query_sm of a cancelled message: state %d, %v; want DELETED", q.MessageState, err)
		}
		if st := cancel(t, e, dropID); st != pdu.StatusCancelFail {
			t.Errorf("second cancel_sm: %v, want ESME_RCANCELFAIL", st)
		}
		if elapsed := time.Since(before); elapsed < delay-time.Second {
			// Still well before the send time: nothing may have gone out.
			if n := len(c.Submits()); n != 0 {
				t.Fatalf("carrier got %d submit_sm %v after a submit scheduled %v ahead", n, elapsed, delay)
			}
		}

		subs := waitSubmits(t, c, 1)
		if got := string(subs[0].SM.ShortMessage); got != "scheduled and sent" {
			t.Fatalf("carrier got %q", got)
		}
		if at := c.arrivals()[0]; at.Before(before.Add(delay - 100*time.Millisecond)) {
			// Absolute times have a resolution of a tenth of a second.
			t.Fatalf("scheduled message reached the carrier %v after submit, scheduled %v", at.Sub(before), delay)
		}
		// registered_delivery 1 asks for every final outcome: the
		// cancelled message's is DELETED.
		rs := byID(t, waitReceipts(t, e, 2))
		if r := rs[dropID]; r.state != pdutext.StateDeleted || r.text.Stat != pdutext.StatDeleted || r.text.Err != "000" {
			t.Errorf("receipt of the cancelled message: %+v", r)
		}
		if r := rs[keepID]; r.state != pdutext.StateDelivered {
			t.Fatalf("receipt of the sent message: %+v", r)
		}
		if n := len(c.Submits()); n != 1 {
			t.Errorf("carrier got %d submit_sm, want only the one not cancelled", n)
		}
		if st := cancel(t, e, keepID); st != pdu.StatusCancelFail {
			t.Errorf("cancel_sm of a sent message: %v, want ESME_RCANCELFAIL", st)
		}
	})
}

// TestE2EExpiredWhileCarrierDown: a message whose validity passes while
// its carrier cannot be reached ends expired, and its SMPP sender gets
// an EXPIRED receipt; query_sm says EXPIRED. The carrier, when it comes
// back, never gets the message.
func TestE2EExpiredWhileCarrierDown(t *testing.T) {
	t.Parallel()
	for _, returns := range []bool{false, true} {
		name := "carrier stays down"
		if returns {
			name = "carrier returns after the validity"
		}
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			eachDriver(t, func(t *testing.T, driver string) {
				c := newCarrier(t, carrierOpts{})
				gt := newGate(t, c.Addr()) // closed: connections are refused
				g := startGateway(t, storetest.Config(t, driver), gateway.Config{
					Carriers: []gateway.CarrierConfig{carrierConfig("down", gt.addr())}}, routeAll("down"))
				cust := g.customer(t, "Acme")
				e := g.bind(t, cust, smpp.Transceiver)
				sm := textSM("too late")
				sm.ValidityPeriod = relTime(2 * time.Second)
				id := submit(t, e, sm)
				if returns {
					// Let the validity the gateway stored pass, then let
					// the carrier be reached.
					mid, _ := sms.ParseID(id)
					m, _, err := g.st.GetMessage(testContext(t), cust.AccountID, mid)
					if err != nil || m.ValidUntil.IsZero() {
						t.Fatalf("stored message: %+v, %v", m, err)
					}
					time.Sleep(time.Until(m.ValidUntil) + 100*time.Millisecond)
					gt.setOpen(true)
				} else {
					g.drain, g.undrainedOK = 2*time.Second, true // nothing drains to a dead carrier
				}
				// Validity 2 s: the receipt is due soon after; 15 s is plenty.
				r := waitReceiptsWithin(t, e, 1, 15*time.Second)[0]
				if r.id != id || r.state != pdutext.StateExpired || r.text.Stat != pdutext.StatExpired || r.text.Dlvrd != 0 {
					t.Fatalf("receipt %+v, want EXPIRED for %s", r, id)
				}
				q, err := query(t, e, id)
				if err != nil || pdutext.MessageState(q.MessageState) != pdutext.StateExpired {
					t.Fatalf("query_sm: state %d, %v; want EXPIRED", q.MessageState, err)
				}
				if n := len(c.Submits()); n != 0 {
					t.Errorf("the carrier got %d submit_sm of an expired message", n)
				}
			})
		})
	}
}

// TestE2EIsolationSMPP: one account cannot query or cancel another's
// message, and its attempt does not disturb it.
func TestE2EIsolationSMPP(t *testing.T) {
	t.Parallel()
	eachDriver(t, func(t *testing.T, driver string) {
		_, g := startWithCarrier(t, driver, carrierOpts{})
		a := g.bind(t, g.customer(t, "Alpha"), smpp.Transceiver)
		b := g.bind(t, g.customer(t, "Bravo"), smpp.Transceiver)
		sm := textSM("for alpha's eyes")
		sm.ScheduleDeliveryTime = relTime(2 * time.Second)
		id := submit(t, a, sm)
		if _, err := query(t, b, id); statusOf(err) != pdu.StatusInvMsgID {
			t.Errorf("query_sm of another account's message: %v, want ESME_RINVMSGID", err)
		}
		if st := cancel(t, b, id); st != pdu.StatusCancelFail {
			t.Errorf("cancel_sm of another account's message: %v, want ESME_RCANCELFAIL", st)
		}
		if q, err := query(t, a, id); err != nil || pdutext.MessageState(q.MessageState) != pdutext.StateScheduled {
			t.Errorf("owner's query_sm after the other's cancel: state %d, %v", q.MessageState, err)
		}
		r := waitReceipts(t, a, 1)[0]
		if r.id != id || r.state != pdutext.StateDelivered {
			t.Errorf("owner's receipt %+v", r)
		}
		if n := len(b.Delivers()); n != 0 {
			t.Errorf("the other account got %d deliver_sm", n)
		}
	})
}
