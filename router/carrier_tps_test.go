package router

import (
	"errors"
	"testing"
)

// TestSetCarrierTPS: a carrier's new rate is split over its binds and
// set on their limiters at once; an unknown carrier, a rate of 0 and a
// carrier built without a limit are refused and change nothing.
func TestSetCarrierTPS(t *testing.T) {
	var lims []*fakeLimiter
	cfg := DefaultConfig()
	cfg.NewLimiter = func(perSecond float64) Limiter {
		l := &fakeLimiter{rate: perSecond}
		lims = append(lims, l)
		return l
	}
	a1, a2, u := newFakeSender("a1", 10, 0), newFakeSender("a2", 10, 0), newFakeSender("u", 10, 0)
	cfg.Carriers = []Carrier{carrierCfg("a", 100, 0, a1, a2), carrierCfg("u", 0, 0, u)}
	cfg.Routes = []Route{{Prefix: "", Carriers: []Choice{{Carrier: "a"}}}}
	r := startRouter(t, cfg, &nopRecorder{}, nil)
	defer stopAll(r, a1, a2, u)
	if len(lims) != 2 || r.CarrierTPS("a") != 100 {
		t.Fatalf("built with %d limiters, carrier a at %v", len(lims), r.CarrierTPS("a"))
	}
	if err := r.SetCarrierTPS("a", 30); err != nil {
		t.Fatal(err)
	}
	for i, l := range lims {
		if l.Rate() != 15 {
			t.Fatalf("bind %d limiter at %v, want 15 (30 over 2 binds)", i, l.Rate())
		}
	}
	if got := r.CarrierTPS("a"); got != 30 {
		t.Fatalf("carrier a at %v, want 30", got)
	}
	if err := r.SetCarrierTPS("ghost", 5); err == nil {
		t.Fatal("unknown carrier accepted")
	}
	if err := r.SetCarrierTPS("a", 0); !errors.Is(err, ErrUnlimitedCarrier) {
		t.Fatalf("tps 0: %v", err)
	}
	if err := r.SetCarrierTPS("u", 5); !errors.Is(err, ErrUnlimitedCarrier) {
		t.Fatalf("unlimited carrier: %v", err)
	}
	if r.CarrierTPS("a") != 30 || r.CarrierTPS("u") != 0 || r.CarrierTPS("ghost") != -1 {
		t.Fatalf("after refusals: a %v, u %v", r.CarrierTPS("a"), r.CarrierTPS("u"))
	}
}
