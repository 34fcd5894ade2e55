package gateway_test

import (
	"sync"
	"testing"
	"time"

	"github.com/gallant-sms/gallant/gateway"
	"github.com/gallant-sms/gallant/smpp"
	"github.com/gallant-sms/gallant/smpp/pdutext"
	"github.com/gallant-sms/gallant/sms"
	"github.com/gallant-sms/gallant/store"
	"github.com/gallant-sms/gallant/store/storetest"
)

// TestE2EFoldedReceipts: with a writer that holds rows for a while, every
// carrier receipt arrives while its segment's "submitted" event still
// waits; the final status is folded into that row. The customer still
// gets every receipt, the history still shows both events, and the store
// wrote one event row per message instead of two.
func TestE2EFoldedReceipts(t *testing.T) {
	t.Parallel()
	eachDriver(t, func(t *testing.T, driver string) {
		c := newCarrier(t, carrierOpts{})
		// One worker is held busy, so rows wait up to 300 ms for the
		// other: the fake carrier's receipt comes within milliseconds of
		// its submit_sm_resp.
		g := startGatewayWriter(t, storetest.Config(t, driver),
			store.WriterConfig{MaxRows: 10000, MaxPending: 10000, MaxDelay: 300 * time.Millisecond, Workers: 2},
			gateway.Config{Carriers: []gateway.CarrierConfig{carrierConfig("c1", c.Addr())}}, routeAll("c1"))
		g.waitReady(t)
		release := holdWriterBusy(t, g.w)
		cust := g.customer(t, "Acme")
		e := g.bind(t, cust, smpp.Transceiver)

		const n = 4
		ids := make([]string, n)
		for i := range ids {
			ids[i] = submit(t, e, textSM("folded "+itoa(i)))
		}
		got := byID(t, waitReceipts(t, e, n))
		for _, id := range ids {
			if r, ok := got[id]; !ok || r.state != pdutext.StateDelivered {
				t.Fatalf("receipt for %s: %+v, %v", id, r, ok)
			}
		}
		eventually(t, "every final event folded into its submitted row", func() (bool, string) {
			folded := g.metric(t, "gallant_gateway_events_folded_total")
			rows := g.metric(t, "gallant_store_writer_rows_total", "table", "message_events")
			return folded == n && rows == n, "folded " + ftoa(folded) + ", event rows " + ftoa(rows)
		})
		release() // reading a message flushes the writer first
		for _, raw := range ids {
			id, err := sms.ParseID(raw)
			if err != nil {
				t.Fatal(err)
			}
			m, hist, err := g.svc.Message(testContext(t), cust.AccountID, id)
			if err != nil {
				t.Fatal(err)
			}
			if m.Status != sms.StatusDelivered || len(hist) != 2 ||
				hist[0].Status != sms.StatusSubmitted || hist[0].Carrier != "c1" || hist[0].CarrierMsgID == "" ||
				hist[1].Status != sms.StatusDelivered || hist[1].At.Before(hist[0].At) {
				t.Fatalf("message %s: status %v, history %+v", raw, m.Status, hist)
			}
		}
	})
}

// holdWriterBusy keeps one of w's workers busy until the test ends, with a
// row whose Committer blocks. An idle writer writes at once (group
// commit); beside a batch in flight the other worker gathers rows for
// MaxDelay, which is what lets receipts fold here. release frees the
// worker (a Flush waits for it); the cleanup calls it too, before the
// gateway's own cleanup shuts the writer down.
func holdWriterBusy(t *testing.T, w *store.Writer) (release func()) {
	t.Helper()
	held, free := make(chan struct{}), make(chan struct{})
	blocker := &sms.Message{ID: 1, AccountID: -1, Segments: 1, CreatedAt: time.Now()}
	if err := w.Add(blocker, store.CommitterFunc(func(error) { close(held); <-free })); err != nil {
		t.Fatal(err)
	}
	var once sync.Once
	release = func() { once.Do(func() { close(free) }) }
	t.Cleanup(release)
	select {
	case <-held:
	case <-time.After(waitLong):
		t.Fatal("the blocking row was not written")
	}
	return release
}

// TestE2ECarrierIDOnSubmissionOnly: a segment's carrier message id is
// stored with its "submitted" event only, so the store indexes it once;
// the final event leaves it empty, folded or not, and the id still finds
// its message (a receipt matched from the store after a restart).
func TestE2ECarrierIDOnSubmissionOnly(t *testing.T) {
	t.Parallel()
	eachDriver(t, func(t *testing.T, driver string) {
		c := newCarrier(t, carrierOpts{})
		g := startGateway(t, storetest.Config(t, driver),
			gateway.Config{Carriers: []gateway.CarrierConfig{carrierConfig("c1", c.Addr())}}, routeAll("c1"))
		g.waitReady(t)
		cust := g.customer(t, "Acme")
		e := g.bind(t, cust, smpp.Transceiver)
		const n = 6
		ids := make([]string, n)
		for i := range ids {
			ids[i] = submit(t, e, textSM("indexed once "+itoa(i)))
		}
		waitReceipts(t, e, n)
		for _, raw := range ids {
			id, err := sms.ParseID(raw)
			if err != nil {
				t.Fatal(err)
			}
			var hist []sms.Event
			eventually(t, "the receipt of "+raw+" stored", func() (bool, string) {
				_, h, err := g.svc.Message(testContext(t), cust.AccountID, id)
				if err != nil {
					t.Fatal(err)
				}
				hist = h
				return len(h) == 2, "history " + itoa(len(h))
			})
			sub, fin := hist[0], hist[1]
			if sub.Status != sms.StatusSubmitted || sub.CarrierMsgID == "" || fin.Status != sms.StatusDelivered || fin.CarrierMsgID != "" {
				t.Fatalf("message %s: history %+v", raw, hist)
			}
			got, acct, seg, err := g.st.LookupCarrierMessage(testContext(t), "c1", sub.CarrierMsgID)
			if err != nil || got != id || acct != cust.AccountID || seg != 1 {
				t.Fatalf("lookup %q: %v %d %d %v, want %v", sub.CarrierMsgID, got, acct, seg, err, id)
			}
		}
	})
}
