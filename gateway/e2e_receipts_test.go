package gateway_test

import (
	"bytes"
	"fmt"
	"testing"
	"time"

	"github.com/gallant-sms/gallant/gateway"
	"github.com/gallant-sms/gallant/smpp"
	"github.com/gallant-sms/gallant/smpp/pdutext"
	"github.com/gallant-sms/gallant/store/storetest"
)

// TestE2ETransceiverReceipt: a customer binds as transceiver, submits
// with registered_delivery, gets our id, the carrier gets the submit_sm,
// and the receipt comes back on the same bind in the appendix-B format.
func TestE2ETransceiverReceipt(t *testing.T) {
	t.Parallel()
	eachDriver(t, func(t *testing.T, driver string) {
		c, g := startWithCarrier(t, driver, carrierOpts{})
		cust := g.customer(t, "Acme")
		e := g.bind(t, cust, smpp.Transceiver)

		id := submit(t, e, textSM("Hello receipt"))

		subs := waitSubmits(t, c, 1)
		sm := subs[0].SM
		if string(sm.Dest.Addr) != "447700900123" || sm.Dest.TON != 1 || sm.Dest.NPI != 1 {
			t.Errorf("carrier destination %+v", sm.Dest)
		}
		if string(sm.Source.Addr) != "Acme" || sm.Source.TON != 5 {
			t.Errorf("carrier source %+v", sm.Source)
		}
		if string(sm.ShortMessage) != "Hello receipt" || sm.DataCoding != 0 || sm.RegisteredDelivery&0x03 == 0 {
			t.Errorf("carrier got text %q dc %d rd %d", sm.ShortMessage, sm.DataCoding, sm.RegisteredDelivery)
		}

		r := waitReceipts(t, e, 1)[0]
		if r.id != id {
			t.Fatalf("receipted_message_id %q, want our id %q", r.id, id)
		}
		if r.state != pdutext.StateDelivered || r.text.Stat != pdutext.StatDelivered || r.text.Dlvrd != 1 || r.text.Sub != 1 {
			t.Errorf("receipt state %v, text %+v", r.state, r.text)
		}
		if r.text.Err != "000" || r.text.Text != "Hello receipt" {
			t.Errorf("receipt err %q text %q", r.text.Err, r.text.Text)
		}
		if r.text.SubmitDate.IsZero() || r.text.DoneDate.Before(r.text.SubmitDate) {
			t.Errorf("receipt dates submit %v done %v", r.text.SubmitDate, r.text.DoneDate)
		}
		// A receipt travels from the handset back to the sender.
		if !bytes.Equal(r.dm.Source.Addr, handset.Addr) || !bytes.Equal(r.dm.Dest.Addr, alphaSender.Addr) {
			t.Errorf("receipt addresses %q -> %q, want swapped", r.dm.Source.Addr, r.dm.Dest.Addr)
		}

		q, err := query(t, e, id)
		if err != nil {
			t.Fatalf("query_sm: %v", err)
		}
		if pdutext.MessageState(q.MessageState) != pdutext.StateDelivered || len(q.FinalDate) == 0 || string(q.MessageID) != id {
			t.Errorf("query_sm: state %d final date %q id %q", q.MessageState, q.FinalDate, q.MessageID)
		}
	})
}

// TestE2EReceiverBindGetsTransmitterReceipts: receipts of a transmitter
// bind's submits reach a receiver bind of the same system_id.
func TestE2EReceiverBindGetsTransmitterReceipts(t *testing.T) {
	t.Parallel()
	eachDriver(t, func(t *testing.T, driver string) {
		_, g := startWithCarrier(t, driver, carrierOpts{})
		cust := g.customer(t, "Acme")
		rx := g.bind(t, cust, smpp.Receiver)
		tx := g.bind(t, cust, smpp.Transmitter)

		ids := map[string]bool{}
		for i := range 3 {
			ids[submit(t, tx, textSM(gsmText(20+i)))] = true
		}
		got := byID(t, waitReceipts(t, rx, 3))
		for id := range ids {
			if r, ok := got[id]; !ok || r.state != pdutext.StateDelivered {
				t.Errorf("message %s: receipt %+v (found %v)", id, r, ok)
			}
		}
		if n := len(tx.Delivers()); n != 0 {
			t.Errorf("transmitter bind got %d deliver_sm", n)
		}
	})
}

// TestE2EHeldReceipts: receipts for a customer without a receiver bind
// are held in the store and delivered when it binds.
func TestE2EHeldReceipts(t *testing.T) {
	t.Parallel()
	eachDriver(t, func(t *testing.T, driver string) {
		_, g := startWithCarrier(t, driver, carrierOpts{})
		cust := g.customer(t, "Acme")
		tx := g.bind(t, cust, smpp.Transmitter)
		ids := map[string]bool{}
		for i := range 3 {
			ids[submit(t, tx, textSM(gsmText(30+i)))] = true
		}
		ctx := testContext(t)
		eventually(t, "three held receipts", func() (bool, string) {
			held, err := g.st.HeldReceipts(ctx, cust.AccountID, cust.SystemID, 10)
			return err == nil && len(held) == 3, "held " + itoa(len(held)) + ", err " + errString(err)
		})

		rx := g.bind(t, cust, smpp.Receiver)
		got := byID(t, waitReceipts(t, rx, 3))
		for id := range ids {
			if r, ok := got[id]; !ok || r.state != pdutext.StateDelivered {
				t.Errorf("held receipt for %s: %+v (found %v)", id, r, ok)
			}
		}
		eventually(t, "delivered held receipts removed", func() (bool, string) {
			held, err := g.st.HeldReceipts(ctx, cust.AccountID, cust.SystemID, 10)
			return err == nil && len(held) == 0, "held " + itoa(len(held)) + ", err " + errString(err)
		})
		// A second receiver bind must not get them again.
		rx2 := g.bind(t, cust, smpp.Receiver)
		id := submit(t, tx, textSM("after the flush"))
		eventually(t, "the new receipt", func() (bool, string) {
			n := len(rx.Delivers()) + len(rx2.Delivers())
			return n >= 4, "deliver_sm " + itoa(n)
		})
		all := byID(t, append(receipts(t, rx.Delivers()), receipts(t, rx2.Delivers())...))
		if len(all) != 4 || all[id].state != pdutext.StateDelivered {
			t.Errorf("after the flush: %d receipts, new one %+v", len(all), all[id])
		}
	})
}

// TestE2EFailureReceipt: an UNDELIV receipt from the carrier reaches the
// customer as UNDELIVERABLE, with the carrier's error code, and only
// customers that asked for failures get it.
func TestE2EFailureReceipt(t *testing.T) {
	t.Parallel()
	eachDriver(t, func(t *testing.T, driver string) {
		_, g := startWithCarrier(t, driver, carrierOpts{stat: pdutext.StatUndeliverable})
		e := g.bind(t, g.customer(t, "Acme"), smpp.Transceiver)
		successOnly := textSM("success only")
		successOnly.RegisteredDelivery = 3
		submit(t, e, successOnly)
		failOnly := textSM("failure only")
		failOnly.RegisteredDelivery = 2
		id := submit(t, e, failOnly)
		rs := waitReceipts(t, e, 1)
		if rs[0].id != id || rs[0].state != pdutext.StateUndeliverable || rs[0].text.Stat != pdutext.StatUndeliverable {
			t.Fatalf("receipt %+v, want UNDELIV for %s", rs[0], id)
		}
		// Both carrier receipts were processed before the second query
		// answers final; the success-only message must not have a receipt.
		eventually(t, "both messages final", func() (bool, string) {
			n := g.metric(t, "gallant_gateway_messages_final_total", "status", "undelivered")
			return n == 2, "final undelivered " + ftoa(n)
		})
		if n := len(e.Delivers()); n != 1 {
			t.Errorf("%d receipts, want 1 (registered_delivery 3 asks for successes only)", n)
		}
	})
}

// TestE2EReceiptsHeldWhileBound: when the send queue to customers is
// full, receipts are held in the store, and reach the customer from there
// while it stays bound (not only at its next bind), each exactly once.
func TestE2EReceiptsHeldWhileBound(t *testing.T) {
	t.Parallel()
	eachDriver(t, func(t *testing.T, driver string) {
		c := newCarrier(t, carrierOpts{})
		g := startGateway(t, storetest.Config(t, driver), gateway.Config{
			Carriers:     []gateway.CarrierConfig{carrierConfig("c1", c.Addr())},
			ReceiptQueue: 1, // nearly every receipt overflows the queue
			// Two deliver_sm outstanding per customer bind: the send
			// workers soon wait on the window.
			CustomerSession: smpp.SessionConfig{Window: 1},
		}, routeAll("c1"))
		g.waitReady(t)
		e := g.bind(t, g.customer(t, "Acme"), smpp.Transceiver)
		e.SetDeliverDelay(200 * time.Millisecond) // a slow customer: the send workers wait on its window
		texts := uniqueTexts("overflow", 20)
		ids := submitMany(t, e, texts, 20)
		got := byID(t, waitReceiptsWithin(t, e, len(texts), 30*time.Second))
		for text, id := range ids {
			if r, ok := got[id]; !ok || r.state != pdutext.StateDelivered {
				t.Errorf("receipt of %q: %+v (found %v)", text, r, ok)
			}
		}
		if n := len(receipts(t, e.Delivers())); n != len(texts) {
			t.Errorf("%d receipts, want %d: none twice", n, len(texts))
		}
		// Most went through the store (the queue holds one): counted once
		// the customer has answered them.
		eventually(t, "receipts sent from the store", func() (bool, string) {
			n := g.metric(t, "gallant_gateway_held_receipts_delivered_total")
			return n > 0, fmt.Sprint(n)
		})
	})
}
