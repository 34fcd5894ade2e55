package gateway_test

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/gallant-sms/gallant/gateway"
	"github.com/gallant-sms/gallant/internal/testutil"
	"github.com/gallant-sms/gallant/smpp/smpptest"
	"github.com/gallant-sms/gallant/store"
	"github.com/gallant-sms/gallant/store/storetest"
)

// startSim serves a simulated carrier with cfg on 127.0.0.1 until the
// test ends.
func startSim(t testing.TB, cfg smpptest.SimConfig) (*smpptest.Simulator, string) {
	t.Helper()
	return testutil.StartSimulator(t, cfg)
}

// TestE2EReceiptWindows: a carrier that keeps up to N receipts
// unanswered per bind (1, 100, 200, or no window at all) and never sends
// a refused receipt again gets every receipt taken, on both stores and
// in both modes, and every one reaches the customer. Before carrier binds
// stopped reading instead of answering ESME_RTHROTTLED past 100
// unanswered receipts, windows of 200 and unlimited lost receipts.
func TestE2EReceiptWindows(t *testing.T) {
	t.Parallel()
	const (
		messages = 2000
		binds    = 2
	)
	eachDriver(t, func(t *testing.T, driver string) {
		for _, mode := range []gateway.Durability{gateway.Durable, gateway.Fast} {
			for _, window := range []int{1, 100, 200, -1} {
				name := fmt.Sprintf("%s/window=%d", mode, window)
				if window < 0 {
					name = mode.String() + "/window=unlimited"
				}
				t.Run(name, func(t *testing.T) {
					sim, addr := startSim(t, smpptest.SimConfig{ReceiptWindow: window, NoResend: true})
					cc := carrierConfig("c1", addr)
					cc.Binds, cc.Window = binds, 200
					g := startGateway(t, storetest.Config(t, driver), gateway.Config{Durability: mode,
						Carriers: []gateway.CarrierConfig{cc}}, routeAll("c1"))
					eventually(t, "every carrier bind", func() (bool, string) {
						n := len(sim.SMPP().Sessions())
						return n == binds, fmt.Sprintf("%d of %d binds", n, binds)
					})
					cust := g.customer(t, "Acme")
					lost := pushReceipts(t, sim, g.addr, cust.SystemID, cust.SMPPPassword, messages)
					if lost != 0 {
						t.Fatalf("%d of %d receipts lost", lost, messages)
					}
					if n := g.metric(t, "gallant_gateway_carrier_inbound_errors_total"); n != 0 {
						t.Errorf("%v carrier PDUs answered with an error, want none", n)
					}
				})
			}
		}
	})
}

// pushReceipts sends n messages through the gateway at addr as the
// customer systemID, as fast as its binds' windows allow, and waits
// until the carrier simulator sim has settled every receipt (taken or
// dropped) and the customer has what the gateway took. It returns how
// many receipts did not reach the customer, and fails t on anything else
// going wrong.
func pushReceipts(t *testing.T, sim *smpptest.Simulator, addr, systemID, password string, n int) int {
	t.Helper()
	e := newBenchESME(t, addr, systemID, password, int64(n))
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	defer func() {
		cancel()
		wg.Wait()
	}()
	for _, s := range e.sess {
		wg.Go(func() { e.submitLoop(ctx, s) })
	}
	settled := func() (uint64, uint64) {
		sum := sim.Summary()
		return sum.Receipts["DELIVRD"], sum.ReceiptsDropped
	}
	eventually(t, "every receipt settled at the carrier", func() (bool, string) {
		if err := e.err(); err != nil {
			t.Fatal(err)
		}
		taken, dropped := settled()
		return taken+dropped == uint64(n), fmt.Sprintf("accepted %d, carrier receipts taken %d, dropped %d (refused %v)",
			e.accepted.Load(), taken, dropped, sim.Summary().ReceiptsRefused)
	})
	taken, dropped := settled()
	eventually(t, "the taken receipts at the customer", func() (bool, string) {
		got := e.receipts.Load()
		return got >= int64(taken), fmt.Sprintf("%d of %d taken receipts delivered", got, taken)
	})
	if dropped > 0 {
		t.Logf("the carrier dropped %d refused receipts: %v", dropped, sim.Summary().ReceiptsRefused)
	}
	if err := e.err(); err != nil {
		t.Fatal(err)
	}
	// The customer must not get more than it sent either.
	if got := e.receipts.Load(); got > int64(n) {
		t.Fatalf("%d receipts for %d messages", got, n)
	}
	return n - int(e.receipts.Load())
}

// TestE2EReceiptsWhenWriterFull: when the store's writer is full, a
// carrier's receipt waits (its deliver_sm unanswered, the bind reading
// no further once max_inbound are waiting) instead of being refused with
// ESME_RX_T_APPN, which a carrier that does not resend would lose.
func TestE2EReceiptsWhenWriterFull(t *testing.T) {
	t.Parallel()
	const messages = 1500
	sim, addr := startSim(t, smpptest.SimConfig{ReceiptWindow: -1, NoResend: true})
	cc := carrierConfig("c1", addr)
	cc.Binds, cc.Window, cc.MaxInbound = 2, 200, 50
	g := startGatewayWriter(t, storetest.Config(t, storetest.SQLite), store.WriterConfig{MaxPending: 64, MaxRows: 16},
		gateway.Config{Carriers: []gateway.CarrierConfig{cc}}, routeAll("c1"))
	eventually(t, "every carrier bind", func() (bool, string) {
		n := len(sim.SMPP().Sessions())
		return n == 2, fmt.Sprintf("%d of 2 binds", n)
	})
	cust := g.customer(t, "Acme")
	if lost := pushReceipts(t, sim, g.addr, cust.SystemID, cust.SMPPPassword, messages); lost != 0 {
		t.Fatalf("%d of %d receipts lost", lost, messages)
	}
	if n := g.metric(t, "gallant_gateway_carrier_inbound_errors_total"); n != 0 {
		t.Errorf("%v carrier PDUs answered with an error, want none", n)
	}
}
