package gateway_test

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

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

// TestHeldNoticeResubscribes: a customer submits through one gateway and
// receives on another, both on one Redis. Its receipts reach it through
// the Redis notice; after Redis drops the receiving gateway's
// subscription, the gateway subscribes again and later receipts still
// come through notices, not only through the store check.
func TestHeldNoticeResubscribes(t *testing.T) {
	eachDriver(t, func(t *testing.T, driver string) {
		ctx := testContext(t)
		name := fmt.Sprintf("gallant-test-held-%d-%d", time.Now().UnixNano(), rand.Uint64())
		rdb := redis.NewClient(&redis.Options{Addr: testRedisAddr(), ClientName: name, ContextTimeoutEnabled: true,
			DialTimeout: time.Second})
		t.Cleanup(func() { _ = rdb.Close() })
		if err := rdb.Ping(ctx).Err(); err != nil {
			t.Fatalf("redis at %s (GALLANT_TEST_REDIS_ADDR): %v", testRedisAddr(), err)
		}
		withRedis := func(d *gateway.Deps) { d.HeldRedis, d.HeldChannel = rdb, name }
		scfg := storetest.Config(t, driver)
		c := newCarrier(t, carrierOpts{})
		sender := startGatewayDeps(t, scfg, store.WriterConfig{}, gateway.Config{
			Carriers: []gateway.CarrierConfig{carrierConfig("c1", c.Addr())}}, routeAll("c1"),
			func(d *gateway.Deps) { withRedis(d); d.Node = 2 })
		sender.waitReady(t)
		receiver := startGatewayDeps(t, scfg, store.WriterConfig{}, gateway.Config{}, nil, withRedis)
		cust := sender.customer(t, "Notice")
		rx := receiver.bind(t, cust, smpp.Receiver)
		tx := sender.bind(t, cust, smpp.Transmitter)
		notified := func() float64 {
			return receiver.metric(t, "gallant_gateway_held_flushes_triggered_total", "trigger", "notification")
		}
		subscribers := func() int64 {
			n, err := rdb.PubSubNumSub(ctx, name).Result()
			if err != nil {
				t.Fatal(err)
			}
			return n[name]
		}
		eventually(t, "both gateways subscribed", func() (bool, string) {
			return subscribers() == 2, fmt.Sprint(subscribers())
		})
		sendAndWait := func(k int) {
			t.Helper()
			before := len(rx.Delivers())
			for i := range k {
				submit(t, tx, textSM(fmt.Sprintf("notice %d", i)))
			}
			if _, err := rx.WaitDelivers(ctx, before+k); err != nil {
				t.Fatalf("receipts at the other gateway: %v", err)
			}
		}
		sendAndWait(5)
		first := notified()
		if first == 0 {
			t.Fatal("no flush started by a notice")
		}
		// Drop the receiving gateway's subscription (the sender's too:
		// both share the client name).
		list, err := rdb.ClientList(ctx).Result()
		if err != nil {
			t.Fatal(err)
		}
		killed := 0
		for _, line := range strings.Split(list, "\n") {
			if !strings.Contains(" "+line+" ", " name="+name+" ") || strings.Contains(line, " sub=0 ") {
				continue
			}
			id, _, _ := strings.Cut(strings.TrimPrefix(line, "id="), " ")
			if err := rdb.Do(ctx, "CLIENT", "KILL", "ID", id).Err(); err != nil {
				t.Fatal(err)
			}
			killed++
		}
		if killed != 2 {
			t.Fatalf("killed %d subscriptions, want 2:\n%s", killed, list)
		}
		eventually(t, "both gateways subscribed again", func() (bool, string) {
			return subscribers() == 2, fmt.Sprint(subscribers())
		})
		sendAndWait(5)
		if notified() <= first {
			t.Errorf("after resubscribing, no flush was started by a notice (%v before, %v after)", first, notified())
		}
	})
}
