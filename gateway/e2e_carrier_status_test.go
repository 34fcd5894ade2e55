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

// TestE2ECarrierStatus: CarrierStatus shows a carrier's bind bound, the
// submits it holds in flight while the carrier does not answer, the
// segments it acknowledged, and the bind down once the carrier is gone.
func TestE2ECarrierStatus(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	c := newCarrier(t, carrierOpts{noReceipts: true, decide: func(int, *pdu.SubmitSM) pdu.Status {
		<-release
		return pdu.StatusOK
	}})
	var once sync.Once
	free := func() { once.Do(func() { close(release) }) }
	t.Cleanup(free) // before the carrier closes (cleanups run last first)
	cc := carrierConfig("c1", c.Addr())
	cc.TPS = 50
	g := startGateway(t, storetest.Config(t, "sqlite"), gateway.Config{Carriers: []gateway.CarrierConfig{cc}}, routeAll("c1"))
	g.waitReady(t)

	one := func() gateway.CarrierStatus {
		st := g.svc.CarrierStatus()
		if len(st) != 1 || st[0].Name != "c1" || len(st[0].Binds) != 1 {
			t.Fatalf("CarrierStatus = %+v, want c1 with one bind", st)
		}
		return st[0]
	}
	s := one()
	if b := s.Binds[0]; b.State != gateway.BindBound || b.Since.IsZero() || b.Submitted != 0 || b.Window != 10 {
		t.Fatalf("bind at start = %+v, want bound since a time, nothing submitted, window 10", b)
	}
	if s.TPS != 50 || s.Capacity <= 0 || s.Queued != 0 || s.Reserved != 0 {
		t.Fatalf("carrier at start = %+v", s)
	}

	e := g.bind(t, g.customer(t, "Acme"), smpp.Transceiver)
	ctx := testContext(t)
	for i := range 3 {
		if _, err := e.Submit(ctx, textSM(fmt.Sprintf("status %d", i))); err != nil {
			t.Fatal(err)
		}
	}
	eventually(t, "three submits in flight", func() (bool, string) {
		s := one()
		return s.Binds[0].InFlight == 3 && s.Reserved == 3, fmt.Sprintf("%+v", s)
	})
	free()
	eventually(t, "three segments acknowledged", func() (bool, string) {
		s := one()
		return s.Binds[0].Submitted == 3 && s.Binds[0].InFlight == 0 && s.Reserved == 0, fmt.Sprintf("%+v", s)
	})

	bound := one().Binds[0].Since
	c.Close()
	eventually(t, "the bind down or reconnecting", func() (bool, string) {
		b := one().Binds[0]
		return b.State != gateway.BindBound && b.Since.After(bound) && b.LastError != "", fmt.Sprintf("%+v", b)
	})
	g.undrainedOK = true
}
