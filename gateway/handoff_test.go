package gateway_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/gallant-sms/gallant/gateway"
	"github.com/gallant-sms/gallant/smpp"
	"github.com/gallant-sms/gallant/smpp/pdu"
	"github.com/gallant-sms/gallant/sms"
	"github.com/gallant-sms/gallant/store"
	"github.com/gallant-sms/gallant/store/storetest"
)

// TestHeldRowsTwoInstances: two gateways on one store, without Redis,
// and a customer with a receiver bind on each. Rows held for it by a
// third instance (written to the store directly) are found by both
// gateways' store checks and flushed by both at once; the customer gets
// each row exactly once, over its two binds, and none is left held.
// (Before: neither gateway looked for them until the customer bound
// again; had both looked, both would have sent every row.)
func TestHeldRowsTwoInstances(t *testing.T) {
	eachDriver(t, func(t *testing.T, driver string) {
		ctx := testContext(t)
		scfg := storetest.Config(t, driver)
		g1 := startGateway(t, scfg, gateway.Config{}, nil)
		g2 := startGatewayDeps(t, scfg, store.WriterConfig{}, gateway.Config{}, nil, func(d *gateway.Deps) { d.Node = 2 })
		cust := g1.customer(t, "Twice")
		rx1 := g1.bind(t, cust, smpp.Receiver)
		rx2 := g2.bind(t, cust, smpp.Receiver)
		// Slow answers make one flush last longer than the check's
		// period: the other gateway's check comes while it runs.
		rx1.SetDeliverDelay(2 * time.Millisecond)
		rx2.SetDeliverDelay(2 * time.Millisecond)

		const n = 1000
		expires := time.Now().Add(time.Hour)
		for i := range n {
			text := fmt.Sprintf("held elsewhere %04d", i)
			body := (&pdu.DeliverSM{Source: pdu.Address{TON: 1, NPI: 1, Addr: []byte("447700900123")},
				Dest: pdu.Address{TON: 5, Addr: []byte("Twice")}, ESMClass: 0x04, ShortMessage: []byte(text)}).AppendBody(nil)
			if _, err := g1.st.HoldReceipt(ctx, cust.AccountID, cust.SystemID, sms.ID(1000+i), body, expires); err != nil {
				t.Fatal(err)
			}
		}
		eventually(t, "every held row delivered", func() (bool, string) {
			k := len(rx1.Delivers()) + len(rx2.Delivers())
			return k >= n, fmt.Sprintf("%d of %d", k, n)
		})
		eventually(t, "no row left held", func() (bool, string) {
			held, err := g1.st.HeldReceipts(ctx, cust.AccountID, cust.SystemID, 10)
			return err == nil && len(held) == 0, fmt.Sprintf("%d, %v", len(held), err)
		})
		got := map[string]int{}
		d1, d2 := rx1.Delivers(), rx2.Delivers()
		for _, d := range append(d1, d2...) {
			got[string(d.DM.ShortMessage)]++
		}
		for i := range n {
			text := fmt.Sprintf("held elsewhere %04d", i)
			if got[text] != 1 {
				t.Errorf("%q delivered %d times", text, got[text])
			}
		}
		if len(got) != n {
			t.Errorf("%d distinct deliver_sm for %d rows", len(got), n)
		}
		p1 := g1.metric(t, "gallant_gateway_held_flushes_triggered_total", "trigger", "poll")
		p2 := g2.metric(t, "gallant_gateway_held_flushes_triggered_total", "trigger", "poll")
		if p1 == 0 || p2 == 0 || len(d1) == 0 || len(d2) == 0 {
			t.Errorf("both gateways should have flushed: store-check flushes %v and %v, deliver_sm %d and %d", p1, p2, len(d1), len(d2))
		}
		t.Logf("%d rows: %d through the first gateway, %d through the second", n, len(d1), len(d2))
	})
}
