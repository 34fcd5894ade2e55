package gateway_test

import (
	"fmt"
	"sync"
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

// TestE2ESaturatedRefusesBeforeBuilding: a saturated gateway answers a
// submit_sm with backpressure before it looks at the message, so a flood
// of resends costs it no message built and thrown away: even a request
// with a bad destination is told to come back later (and would be told
// what is wrong with it then).
func TestE2ESaturatedRefusesBeforeBuilding(t *testing.T) {
	t.Parallel()
	c := newCarrier(t, carrierOpts{noReceipts: true}) // nothing ever completes
	g := startGateway(t, storetest.Config(t, "sqlite"), gateway.Config{
		Carriers:    []gateway.CarrierConfig{carrierConfig("c1", c.Addr())},
		MaxInFlight: 1,
	}, routeAll("c1"))
	g.waitReady(t)
	e := g.bind(t, g.customer(t, "Acme"), smpp.Transceiver)
	ctx := testContext(t)
	bad := textSM("nowhere")
	bad.Dest = pdu.Address{TON: 1, NPI: 1, Addr: []byte("not a number")}
	if _, err := e.Submit(ctx, bad); pdu.StatusOf(err) != pdu.StatusInvDstAdr {
		t.Fatalf("bad destination, not saturated: %v, want ESME_RINVDSTADR", err)
	}
	if _, err := e.Submit(ctx, textSM("fills the gateway")); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the message on its way", func() (bool, string) {
		return len(c.Submits()) == 1, itoa(len(c.Submits()))
	})
	before := g.metric(t, "gallant_gateway_refused_total", "reason", gateway.ProblemBackpressure)
	if _, err := e.Submit(ctx, bad); pdu.StatusOf(err) != pdu.StatusMsgQFul {
		t.Fatalf("bad destination, saturated: %v, want ESME_RMSGQFUL", err)
	}
	if n := g.metric(t, "gallant_gateway_refused_total", "reason", gateway.ProblemBackpressure); n != before+1 {
		t.Fatalf("backpressure refusals %v → %v, want one more", before, n)
	}
}

// TestE2ECarrierInFlightMetric: gallant_gateway_carrier_in_flight counts
// the submits a carrier has not answered, and carrier_window the room its
// bound binds have; both are read at scrape time.
func TestE2ECarrierInFlightMetric(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	var once sync.Once
	free := func() { once.Do(func() { close(release) }) }
	t.Cleanup(free)
	c := newCarrier(t, carrierOpts{noReceipts: true, decide: func(int, *pdu.SubmitSM) pdu.Status {
		<-release // the carrier holds its answers
		return pdu.StatusOK
	}})
	cc := carrierConfig("c1", c.Addr())
	cc.Binds, cc.Window = 2, 7
	g := startGateway(t, storetest.Config(t, "sqlite"), gateway.Config{Carriers: []gateway.CarrierConfig{cc}}, routeAll("c1"))
	g.waitReady(t)
	eventually(t, "both binds counted in the window", func() (bool, string) {
		w := g.metric(t, "gallant_gateway_carrier_window", "carrier", "c1")
		return w == 14, fmt.Sprint(w)
	})
	e := g.bind(t, g.customer(t, "Acme"), smpp.Transceiver)
	ctx := testContext(t)
	for i := range 3 {
		if _, err := e.Submit(ctx, textSM(gsmText(40+i))); err != nil {
			t.Fatal(err)
		}
	}
	eventually(t, "three submits in flight at the carrier", func() (bool, string) {
		n := g.metric(t, "gallant_gateway_carrier_in_flight", "carrier", "c1")
		return n == 3, fmt.Sprint(n)
	})
	free()
	eventually(t, "nothing in flight once the carrier answered", func() (bool, string) {
		n := g.metric(t, "gallant_gateway_carrier_in_flight", "carrier", "c1")
		return n == 0 && len(c.Submits()) == 3, fmt.Sprint(n, " in flight, ", len(c.Submits()), " submits")
	})
}
