package gateway_test

import (
	"testing"

	"github.com/gallant-sms/gallant/gateway"
	"github.com/gallant-sms/gallant/smpp"
	"github.com/gallant-sms/gallant/smpp/pdu"
	"github.com/gallant-sms/gallant/store/storetest"
)

// TestE2EMaxInFlight: messages waiting for their receipts are bounded;
// past MaxInFlight new ones get backpressure (ESME_RTHROTTLED) instead
// of memory.
func TestE2EMaxInFlight(t *testing.T) {
	t.Parallel()
	c := newCarrier(t, carrierOpts{noReceipts: true}) // nothing ever completes
	g := startGateway(t, storetest.Config(t, "sqlite"), gateway.Config{
		Carriers:    []gateway.CarrierConfig{carrierConfig("c1", c.Addr())},
		MaxInFlight: 5,
	}, routeAll("c1"))
	g.waitReady(t)
	e := g.bind(t, g.customer(t, "Acme"), smpp.Transceiver)
	ctx := testContext(t)
	for i := range 5 {
		if _, err := e.Submit(ctx, textSM(gsmText(40+i))); err != nil {
			t.Fatalf("message %d within the bound: %v", i, err)
		}
	}
	eventually(t, "five messages submitted to the carrier", func() (bool, string) {
		return len(c.Submits()) == 5, itoa(len(c.Submits()))
	})
	_, err := e.Submit(ctx, textSM("one too many"))
	if st := pdu.StatusOf(err); st != pdu.StatusThrottled && st != pdu.StatusMsgQFul {
		t.Fatalf("the sixth message: %v, want backpressure", err)
	}
}
