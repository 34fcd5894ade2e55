package gateway_test

import (
	"testing"

	"github.com/gallant-sms/gallant/gateway"
	"github.com/gallant-sms/gallant/smpp"
	"github.com/gallant-sms/gallant/store/storetest"
)

// TestBackgroundFull: background senders (the campaign engine) wait once
// half of MaxInFlight is on its way, while live traffic is still taken
// up to the whole bound.
func TestBackgroundFull(t *testing.T) {
	t.Parallel()
	c := newCarrier(t, carrierOpts{noReceipts: true}) // nothing ever completes
	g := startGateway(t, storetest.Config(t, "sqlite"), gateway.Config{
		Carriers:    []gateway.CarrierConfig{carrierConfig("c1", c.Addr())},
		MaxInFlight: 4,
	}, routeAll("c1"))
	g.waitReady(t)
	e := g.bind(t, g.customer(t, "Acme"), smpp.Transceiver)
	ctx := testContext(t)
	if g.svc.BackgroundFull() {
		t.Fatal("full with nothing in flight")
	}
	for i := range 2 {
		if _, err := e.Submit(ctx, textSM(gsmText(40+i))); err != nil {
			t.Fatalf("message %d: %v", i, err)
		}
	}
	eventually(t, "two messages at the carrier", func() (bool, string) {
		return len(c.Submits()) == 2, itoa(len(c.Submits()))
	})
	if !g.svc.BackgroundFull() || g.svc.Saturated() {
		t.Fatalf("half of MaxInFlight on its way: background full %v (want true), saturated %v (want false)",
			g.svc.BackgroundFull(), g.svc.Saturated())
	}
	if _, err := e.Submit(ctx, textSM("live traffic still taken")); err != nil {
		t.Fatalf("live message past the background half: %v", err)
	}
}
