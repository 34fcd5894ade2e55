package gateway_test

import (
	"testing"
	"time"

	"github.com/gallant-sms/gallant/smpp"
	"github.com/gallant-sms/gallant/smpp/pdutext"
)

// histogram returns the sample count and sum of the histogram series of
// name with the label carrier=c in g's registry (0, 0 when none).
func (g *gw) histogram(t testing.TB, name, c string) (count uint64, sum float64) {
	t.Helper()
	mfs, err := g.reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
		for _, m := range mf.GetMetric() {
			for _, lp := range m.GetLabel() {
				if lp.GetName() == "carrier" && lp.GetValue() == c {
					count += m.GetHistogram().GetSampleCount()
					sum += m.GetHistogram().GetSampleSum()
				}
			}
		}
	}
	return count, sum
}

// TestE2ELatencyHistograms: each segment a carrier accepts adds one
// sample to gallant_gateway_submit_latency_seconds{carrier}, and each
// receipt one to receipt_latency_seconds{carrier}, no longer than the
// test took; a carrier that sent nothing has no samples.
func TestE2ELatencyHistograms(t *testing.T) {
	t.Parallel()
	eachDriver(t, func(t *testing.T, driver string) {
		_, g := startWithCarrier(t, driver, carrierOpts{})
		e := g.bind(t, g.customer(t, "Acme"), smpp.Transceiver)
		if n, _ := g.histogram(t, "gallant_gateway_submit_latency_seconds", "c1"); n != 0 {
			t.Fatalf("%d submit samples before any message", n)
		}
		start := time.Now()
		const n = 3
		for i := range n {
			submit(t, e, textSM("latency "+itoa(i)))
		}
		for _, r := range waitReceipts(t, e, n) {
			if r.state != pdutext.StateDelivered {
				t.Fatalf("receipt %+v, want delivered", r)
			}
		}
		took := time.Since(start).Seconds()
		for _, name := range []string{"gallant_gateway_submit_latency_seconds", "gallant_gateway_receipt_latency_seconds"} {
			count, sum := g.histogram(t, name, "c1")
			if count != n {
				t.Errorf("%s{carrier=c1}: %d samples, want %d", name, count, n)
			}
			if sum <= 0 || sum > n*took {
				t.Errorf("%s{carrier=c1}: sum %vs, want within (0, %vs]", name, sum, n*took)
			}
			if other, _ := g.histogram(t, name, "c2"); other != 0 {
				t.Errorf("%s{carrier=c2}: %d samples from a carrier that does not exist", name, other)
			}
		}
	})
}
