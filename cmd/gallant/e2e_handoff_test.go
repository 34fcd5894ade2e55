package main

// A receipt or MO that arrives on one instance for a customer bound only
// on another (gateway/handoff.go).

import (
	"context"
	"fmt"
	"net"
	"slices"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/gallant-sms/gallant/internal/config"
	"github.com/gallant-sms/gallant/smpp"
	"github.com/gallant-sms/gallant/smpp/pdu"
	"github.com/gallant-sms/gallant/smpp/smpptest"
	"github.com/gallant-sms/gallant/sms"
	"github.com/gallant-sms/gallant/store"
	"github.com/gallant-sms/gallant/store/storetest"
)

// handOffBound is the longest a receipt or MO may take from the carrier
// on instance B to the customer's receiver on instance A: the aim is one
// second (Redis) or the store check's period of one second plus a flush;
// the rest is margin for a loaded two-core machine.
const handOffBound = 3 * time.Second

// TestE2EReceiptHandOff: two instances on one MariaDB. A customer submits
// through a transmitter on B and receives on a receiver bound only on A;
// B's carrier sends each receipt, and an MO, on B's bind. Each reaches the
// receiver on A once, within handOffBound of the carrier sending it:
// through the Redis notice, and through the store check with Redis
// configured but not answering, and with no Redis at all.
// Bound nowhere, an MO is held, and sent when the customer binds again.
// (Before: B held them, and A sent them only when the customer bound
// again.)
func TestE2EReceiptHandOff(t *testing.T) {
	for _, mode := range []string{handOffRedis, handOffRedisDown, handOffStore} {
		t.Run(storetest.MySQL+"/"+mode, func(t *testing.T) { testReceiptHandOff(t, mode) })
	}
}

// How the instances of TestE2EReceiptHandOff learn of held rows.
const (
	handOffRedis     = "redis"       // Redis notices
	handOffRedisDown = "redis-down"  // Redis configured, not answering: the store check
	handOffStore     = "store-check" // no Redis: the store check
)

// closedAddr returns a loopback address nothing listens on.
func closedAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

func testReceiptHandOff(t *testing.T, mode string) {
	ctx := testContext(t)
	carrierA := newCarrier(t, nil)
	carrierB := smpptest.NewUnstartedServer() // Receipts off: the test sends them, timed
	if err := carrierB.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { carrierB.Close() })

	cfgA := testConfig(t, storetest.MySQL, carrierA.Addr())
	switch mode {
	case handOffRedis:
		cfgA.Redis.Addr, cfgA.Redis.Prefix = testRedisAddr(), testRedisPrefix()
	case handOffRedisDown:
		cfgA.Redis.Addr, cfgA.Redis.Prefix = closedAddr(t), testRedisPrefix()
	}
	// Carriers and routes live in the store, the same for every
	// instance: B starts first and imports both carriers, the customer's
	// traffic routed to carrier B. Carrier B then refuses binds, so A
	// binds carrier A alone and carrier B's receipts and MOs can only
	// arrive on B.
	cfgB := cfgA
	cfgB.Carriers = append(slices.Clone(cfgA.Carriers), cfgA.Carriers[0])
	cfgB.Carriers[1].Name, cfgB.Carriers[1].Address = "c2", carrierB.Addr()
	cfgB.Routes = []config.RouteConfig{{Prefix: "", Carriers: []config.RouteCarrier{{Carrier: "c2"}}}}
	b := startApp(t, cfgB)
	eventually(t, "B bound to carrier B", func() (bool, string) {
		n := len(carrierB.Sessions())
		return n >= cfgB.Carriers[1].Binds, fmt.Sprint(n)
	})
	carrierB.SetRefuseBinds(pdu.StatusBindFail)
	a := startApp(t, cfgA)

	cust := a.customer(t, "Handoff", "")
	const moNumber = "447700900999"
	if err := a.st.AddNumber(ctx, &store.Number{AccountID: cust.AccountID, Number: moNumber, Kind: store.NumberLong, SMPP: true}); err != nil {
		t.Fatal(err)
	}
	if err := b.gw.ReloadNumbers(ctx); err != nil {
		t.Fatal(err)
	}
	rx := bindESME(t, a.smppAddr.String(), cust, smpp.Receiver)
	tx := bindESME(t, b.smppAddr.String(), cust, smpp.Transmitter)

	const n = 40
	ids := map[string]string{} // text -> our message id
	for i := range n {
		text := fmt.Sprintf("hand-off %02d", i)
		id, err := tx.Submit(ctx, &pdu.SubmitSM{Source: pdu.Address{TON: 5, Addr: []byte("Handoff")},
			Dest: pdu.Address{TON: 1, NPI: 1, Addr: []byte("447700900123")}, RegisteredDelivery: 1, ShortMessage: []byte(text)})
		if err != nil {
			t.Fatalf("submit %d: %v", i, err)
		}
		ids[text] = id
	}
	subs, err := carrierB.WaitSubmits(ctx, n)
	if err != nil {
		t.Fatalf("submits at B's carrier: %v", err)
	}
	if got := len(carrierA.Submits()); got != 0 {
		t.Fatalf("A's carrier got %d submit_sm; every message was submitted through B", got)
	}
	eventually(t, "every carrier answer recorded", func() (bool, string) {
		missing := 0
		for _, id := range ids {
			if !hasStatus(ctx, b.st, cust.AccountID, id, sms.StatusSubmitted) {
				missing++
			}
		}
		return missing == 0, fmt.Sprintf("%d of %d", missing, n)
	})

	// The carrier sends each receipt, and then some MOs, on B's bind,
	// one after the other (each waits for B's answer).
	sentAt := map[string]time.Time{} // our message id, or MO text -> when the carrier sent it
	for _, sub := range subs {
		id := ids[string(sub.SM.ShortMessage)]
		sentAt[id] = time.Now()
		if h, err := carrierB.Deliver(ctx, carrierSystemID, carrierReceipt(sub)); err != nil || h.Status != pdu.StatusOK {
			t.Fatalf("receipt for %s: %v %v", id, h.Status, err)
		}
	}
	const mos = 10
	for i := range mos {
		text := fmt.Sprintf("mo hand-off %02d", i)
		sentAt[text] = time.Now()
		if h, err := carrierB.Deliver(ctx, carrierSystemID, moPDU(text, moNumber)); err != nil || h.Status != pdu.StatusOK {
			t.Fatalf("MO %d: %v %v", i, h.Status, err)
		}
	}
	ds, err := rx.WaitDelivers(ctx, n+mos)
	if err != nil {
		t.Fatalf("at the receiver on A: %v (%d of %d)", err, len(rx.Delivers()), n+mos)
	}
	// Nothing is left held, and nothing more arrives.
	eventually(t, "no row left held", func() (bool, string) {
		left := heldRows(t, a.st, cust.AccountID, cust.SystemID) + heldRows(t, a.st, cust.AccountID, "*mo")
		return left == 0, fmt.Sprint(left)
	})
	ds = rx.Delivers()
	var worst, total time.Duration
	seen := map[string]int{}
	for _, d := range ds {
		key := string(d.DM.ShortMessage)
		if rid, ok := d.DM.TLVs.CString(pdu.TagReceiptedMessageID); ok {
			key = string(rid)
		}
		seen[key]++
		at, ok := sentAt[key]
		if !ok {
			t.Errorf("unexpected deliver_sm %q", key)
			continue
		}
		if seen[key] > 1 {
			continue
		}
		took := d.At.Sub(at)
		total += took
		worst = max(worst, took)
		if took > handOffBound {
			t.Errorf("%q reached the receiver on A %v after the carrier sent it on B", key, took)
		}
	}
	for key := range sentAt {
		if seen[key] != 1 {
			t.Errorf("%q reached the receiver %d times", key, seen[key])
		}
	}
	notified := heldFlushes(t, a.reg, "notification")
	polled := heldFlushes(t, a.reg, "poll")
	if mode == handOffRedis && notified == 0 {
		t.Errorf("no flush on A was started by a Redis notice (%v by the store check)", polled)
	}
	if mode != handOffRedis && (notified != 0 || polled == 0) {
		t.Errorf("%s: %v flushes by notice, %v by the store check", mode, notified, polled)
	}
	if mode == handOffRedisDown {
		// Each batch gives up after its deadline (a quarter second).
		eventually(t, "notices counted as not published on B", func() (bool, string) {
			lost := gathered(t, b.reg, "gallant_gateway_held_notifications_publish_errors_total")
			return lost > 0, fmt.Sprint(lost)
		})
	}
	if up := gathered(t, a.reg, "gallant_gateway_held_notifications_subscribed"); (mode == handOffRedis) != (up == 1) {
		t.Errorf("%s: subscribed gauge on A is %v", mode, up)
	}
	t.Logf("%d receipts and %d MOs from B's carrier to A's receiver: worst %v, mean %v; flushes on A started by notice %v, by the store check %v",
		n, mos, worst.Round(time.Millisecond), (total / time.Duration(len(sentAt))).Round(time.Millisecond), notified, polled)

	// Bound nowhere: held as before, and sent once the customer binds.
	rx.Close()
	eventually(t, "the receiver on A gone", func() (bool, string) {
		return a.gw.SMPPServer().BindCount(cust.SystemID) == 0, "still bound"
	})
	if h, err := carrierB.Deliver(ctx, carrierSystemID, moPDU("mo while unbound", moNumber)); err != nil || h.Status != pdu.StatusOK {
		t.Fatalf("MO while unbound: %v %v", h.Status, err)
	}
	eventually(t, "the MO held", func() (bool, string) {
		k := heldRows(t, a.st, cust.AccountID, "*mo")
		return k == 1, fmt.Sprint(k)
	})
	rx2 := bindESME(t, a.smppAddr.String(), cust, smpp.Receiver)
	got, err := rx2.WaitDelivers(ctx, 1)
	if err != nil || string(got[0].DM.ShortMessage) != "mo while unbound" {
		t.Fatalf("after the bind: %v %v", got, err)
	}
}

// moPDU is an MO from a handset to number.
func moPDU(text, number string) *pdu.DeliverSM {
	return &pdu.DeliverSM{Source: pdu.Address{TON: 1, NPI: 1, Addr: []byte("447700900555")},
		Dest: pdu.Address{TON: 1, NPI: 1, Addr: []byte(number)}, ShortMessage: []byte(text)}
}

// heldRows counts the rows held for systemID of account.
func heldRows(t testing.TB, st *store.Store, accountID int64, systemID string) int {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	held, err := st.HeldReceipts(ctx, accountID, systemID, 1000)
	if err != nil {
		t.Fatal(err)
	}
	return len(held)
}

// gathered is the value of the unlabelled counter or gauge name in reg
// (0 when absent).
func gathered(t testing.TB, reg prometheus.Gatherer, name string) float64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() == name && len(mf.GetMetric()) == 1 {
			m := mf.GetMetric()[0]
			return m.GetCounter().GetValue() + m.GetGauge().GetValue()
		}
	}
	return 0
}

// heldFlushes is gallant_gateway_held_flushes_triggered_total{trigger}.
func heldFlushes(t testing.TB, reg prometheus.Gatherer, trigger string) float64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() != "gallant_gateway_held_flushes_triggered_total" {
			continue
		}
		for _, m := range mf.GetMetric() {
			for _, lp := range m.GetLabel() {
				if lp.GetName() == "trigger" && lp.GetValue() == trigger {
					return m.GetCounter().GetValue()
				}
			}
		}
	}
	return 0
}
