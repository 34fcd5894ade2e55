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

// TestHeldRowsTwoInstances: two gateways on one store, without Redis.
// Rows held for a customer by a third instance (written to the store
// directly) while it is bound on the first gateway only are sent there by
// the store check. Then the customer binds on the second gateway too and
// more rows are held: the second gateway's bind and the first's store
// check flush them at the same time, and the customer gets each row
// exactly once over its two binds, none left held. (Before: the first
// gateway did not look for rows until the customer bound again, and two
// gateways flushing at once sent every row twice.)
func TestHeldRowsTwoInstances(t *testing.T) {
	eachDriver(t, func(t *testing.T, driver string) {
		ctx := testContext(t)
		scfg := storetest.Config(t, driver)
		// A window of 10 deliver_sm per customer bind: with the slow
		// answers below, a page of 500 rows takes about 2.5 s to send.
		cfg := gateway.Config{CustomerSession: smpp.SessionConfig{Window: 10}}
		g1 := startGateway(t, scfg, cfg, nil)
		g2 := startGatewayDeps(t, scfg, store.WriterConfig{}, cfg, nil, func(d *gateway.Deps) { d.Node = 2 })
		cust := g1.customer(t, "Twice")
		rx1 := g1.bind(t, cust, smpp.Receiver)
		expires := time.Now().Add(time.Hour)
		hold := func(prefix string, n int) {
			t.Helper()
			for i := range n {
				text := fmt.Sprintf("%s %04d", prefix, i)
				body := (&pdu.DeliverSM{Source: pdu.Address{TON: 1, NPI: 1, Addr: []byte("447700900123")},
					Dest: pdu.Address{TON: 5, Addr: []byte("Twice")}, ESMClass: 0x04, ShortMessage: []byte(text)}).AppendBody(nil)
				if _, err := g1.st.HoldReceipt(ctx, cust.AccountID, cust.SystemID, sms.ID(1000+i), body, expires); err != nil {
					t.Fatal(err)
				}
			}
		}
		noneHeld := func() {
			t.Helper()
			eventually(t, "no row left held", func() (bool, string) {
				held, err := g1.st.HeldReceipts(ctx, cust.AccountID, cust.SystemID, 10)
				return err == nil && len(held) == 0, fmt.Sprintf("%d, %v", len(held), err)
			})
		}

		// Bound on the first only: its store check finds the rows.
		hold("first", 20)
		if _, err := rx1.WaitDelivers(ctx, 20); err != nil {
			t.Fatalf("rows held elsewhere, at the bound customer: %v", err)
		}
		noneHeld()
		if p := g1.metric(t, "gallant_gateway_held_flushes_triggered_total", "trigger", "poll"); p == 0 {
			t.Error("the rows were not flushed by the store check")
		}

		// Slow answers: whichever gateway claims first is still sending
		// its page when the other (a bind, or a check within the second)
		// claims the rest.
		rx1.SetDeliverDelay(50 * time.Millisecond)
		const n = 700
		hold("both", n)
		rx2 := g2.bind(t, cust, smpp.Receiver)
		rx2.SetDeliverDelay(50 * time.Millisecond)
		eventually(t, "every held row delivered", func() (bool, string) {
			k := len(rx1.Delivers()) - 20 + len(rx2.Delivers())
			return k >= n, fmt.Sprintf("%d of %d", k, n)
		})
		noneHeld()
		got := map[string]int{}
		d1, d2 := rx1.Delivers()[20:], rx2.Delivers()
		for _, d := range append(d1, d2...) {
			got[string(d.DM.ShortMessage)]++
		}
		for i := range n {
			text := fmt.Sprintf("both %04d", i)
			if got[text] != 1 {
				t.Errorf("%q delivered %d times", text, got[text])
			}
		}
		if len(got) != n {
			t.Errorf("%d distinct deliver_sm for %d rows", len(got), n)
		}
		if len(d1) == 0 || len(d2) == 0 {
			t.Errorf("both gateways should have sent some of the rows: %d and %d", len(d1), len(d2))
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
