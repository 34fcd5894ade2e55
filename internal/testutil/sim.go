package testutil

import (
	"errors"
	"net"
	"testing"

	"github.com/gallant-sms/gallant/smpp"
	"github.com/gallant-sms/gallant/smpp/smpptest"
)

// StartSimulator serves a simulated carrier with cfg on 127.0.0.1 until
// the test ends, and returns it with its address. The test fails if the
// simulator's Serve ends with anything but its own close.
func StartSimulator(t testing.TB, cfg smpptest.SimConfig) (*smpptest.Simulator, string) {
	t.Helper()
	sim, err := smpptest.NewSimulator(cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	served := make(chan error, 1)
	go func() { served <- sim.Serve(l) }()
	t.Cleanup(func() {
		sim.Close()
		if err := <-served; !errors.Is(err, smpp.ErrServerClosed) {
			t.Errorf("simulator: %v", err)
		}
	})
	return sim, l.Addr().String()
}
