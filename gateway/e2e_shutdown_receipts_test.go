package gateway_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/gallant-sms/gallant/gateway"
	"github.com/gallant-sms/gallant/smpp/smpptest"
	"github.com/gallant-sms/gallant/sms"
	"github.com/gallant-sms/gallant/store"
	"github.com/gallant-sms/gallant/store/storetest"
)

// TestE2EReceiptsDuringShutdown: a carrier that sends receipts without a
// window and never sends a refused one again keeps sending them while
// the gateway shuts down. None is refused: each is stored and answered,
// or left unanswered for the carrier to send again after the next bind,
// which a new gateway on the same store matches from the store. Before
// carrier binds left them unanswered while unbinding, the gateway
// answered them ESME_RTHROTTLED (unbinding) or ESME_RX_T_APPN (held or
// waiting for the writer at shutdown), and the carrier lost them: on
// MariaDB hundreds per run.
func TestE2EReceiptsDuringShutdown(t *testing.T) {
	t.Parallel()
	const (
		messages = 5000
		binds    = 2
	)
	eachDriver(t, func(t *testing.T, driver string) {
		// Submits paced, receipts a moment after each: receipts keep
		// coming, steadily, while the gateway drains, unbinds and closes.
		sim, addr := startSim(t, smpptest.SimConfig{ReceiptWindow: -1, NoResend: true, ReceiptDelay: time.Second})
		cc := carrierConfig("c1", addr)
		cc.Binds, cc.Window, cc.TPS = binds, 200, 2500
		scfg := storetest.Config(t, driver)
		cfg := gateway.Config{Carriers: []gateway.CarrierConfig{cc}}
		// A small writer: receipts wait for it (in the writer, in memory
		// behind it, unanswered in the binds) when the gateway stops.
		g1 := startGatewayWriter(t, scfg, store.WriterConfig{MaxPending: 64, MaxRows: 16}, cfg, routeAll("c1"))
		eventually(t, "every carrier bind", func() (bool, string) {
			n := len(sim.SMPP().Sessions())
			return n == binds, fmt.Sprintf("%d of %d binds", n, binds)
		})
		cust := g1.customer(t, "Acme")
		e := newBenchESME(t, g1.addr, cust.SystemID, cust.SMPPPassword, messages)
		ctx, cancel := context.WithCancel(context.Background())
		var wg sync.WaitGroup
		for _, s := range e.sess {
			wg.Go(func() { e.submitLoop(ctx, s) })
		}
		// Stop while submits go out and receipts stream back.
		eventually(t, "receipts streaming", func() (bool, string) {
			n := sim.Summary().Receipts["DELIVRD"]
			return n >= messages/20, fmt.Sprintf("%d receipts taken", n)
		})
		g1.stop()
		cancel()
		wg.Wait()
		sum := sim.Summary()
		t.Logf("at shutdown: carrier took %d submits, gateway took %d receipts, retried %d, refused %v",
			sum.SubmitSM, sum.Receipts["DELIVRD"], sum.ReceiptsRetried, sum.ReceiptsRefused)

		g2 := startGateway(t, scfg, cfg, routeAll("c1"))
		eventually(t, "every stored message delivered and every receipt taken", func() (bool, string) {
			counts, total := statusCounts(t, g2.st, cust.AccountID)
			sum := sim.Summary()
			taken := sum.Receipts["DELIVRD"]
			done := counts[sms.StatusDelivered] == total && taken >= uint64(total) && sum.ReceiptsPending == 0
			return done || sum.ReceiptsDropped > 0, fmt.Sprintf("%d messages stored, by status %v; carrier: %d submits, %d receipts taken, %d pending, refused %v",
				total, counts, sum.SubmitSM, taken, sum.ReceiptsPending, sum.ReceiptsRefused)
		})
		sum = sim.Summary()
		if len(sum.ReceiptsRefused) != 0 || sum.ReceiptsDropped != 0 {
			t.Fatalf("the carrier had %d receipts refused (%v) and dropped %d, want none",
				len(sum.ReceiptsRefused), sum.ReceiptsRefused, sum.ReceiptsDropped)
		}
		if n := g2.metric(t, "gallant_gateway_carrier_inbound_errors_total"); n != 0 {
			t.Errorf("%v carrier PDUs answered with an error after the restart, want none", n)
		}
	})
}

// statusCounts counts account's messages in st by current status.
func statusCounts(t testing.TB, st *store.Store, account int64) (map[sms.Status]int, int) {
	t.Helper()
	counts := map[sms.Status]int{}
	total := 0
	f := store.Filter{Limit: 1000}
	for {
		page, next, err := st.ListMessages(testContext(t), account, f)
		if err != nil {
			t.Fatalf("list messages: %v", err)
		}
		for _, m := range page {
			counts[m.Status]++
			total++
		}
		if next == 0 {
			return counts, total
		}
		f.After = next
	}
}
