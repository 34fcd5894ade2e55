package gateway_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/gallant-sms/gallant/gateway"
	"github.com/gallant-sms/gallant/smpp"
	"github.com/gallant-sms/gallant/smpp/pdutext"
	"github.com/gallant-sms/gallant/store"
	"github.com/gallant-sms/gallant/store/storetest"
)

// TestE2EWriterFullLosesNoEvent: with a writer whose queue is nearly
// always full, status events wait in memory instead of being lost, in
// order: every message ends delivered in the store, with its "submitted"
// event before its final one, and every receipt reaches the customer.
func TestE2EWriterFullLosesNoEvent(t *testing.T) {
	t.Parallel()
	c := newCarrier(t, carrierOpts{})
	g := startGatewayWriter(t, storetest.Config(t, "sqlite"),
		store.WriterConfig{MaxPending: 8, MaxRows: 4, MaxDelay: 20 * time.Millisecond},
		gateway.Config{Carriers: []gateway.CarrierConfig{carrierConfig("c1", c.Addr())}, WriterHighWater: 4},
		routeAll("c1"))
	g.waitReady(t)
	e := g.bind(t, g.customer(t, "Acme"), smpp.Transceiver)
	texts := uniqueTexts("full", 40)
	ids := submitRetrying(t, e, texts, 8)
	got := byID(t, waitReceiptsWithin(t, e, len(texts), 60*time.Second))
	for text, id := range ids {
		if r, ok := got[id]; !ok || r.state != pdutext.StateDelivered {
			t.Errorf("receipt of %q: %+v (found %v)", text, r, ok)
		}
	}
	if n := g.metric(t, "gallant_gateway_events_unrecorded_total"); n != 0 {
		t.Errorf("%v status events lost", n)
	}
	for text, id := range ids {
		eventually(t, "the events of "+text, func() (bool, string) {
			q, err := query(t, e, id)
			st := pdutext.MessageState(q.MessageState)
			return err == nil && st == pdutext.StateDelivered, fmt.Sprintf("state %d, %v", st, err)
		})
	}
}
