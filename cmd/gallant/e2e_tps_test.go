package main

// A carrier's TPS is a budget for the platform: three instances on one
// MariaDB and one Redis, all loaded, send the carrier at most its TPS in
// every second between them (gateway/tps.go, throttle.Shared), and at
// their share of it each when Redis does not answer.

import (
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/gallant-sms/gallant/internal/redistest"
	"github.com/gallant-sms/gallant/smpp/pdu"
	"github.com/gallant-sms/gallant/store/storetest"
)

// gaugeValue is the value of the gauge name{carrier} in reg (-1 when absent).
func gaugeValue(t testing.TB, reg prometheus.Gatherer, name, carrier string) float64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
		for _, m := range mf.GetMetric() {
			for _, lp := range m.GetLabel() {
				if lp.GetName() == "carrier" && lp.GetValue() == carrier {
					if g := m.GetGauge(); g != nil {
						return g.GetValue()
					}
					return m.GetCounter().GetValue()
				}
			}
		}
	}
	return -1
}

// TestE2ECarrierTPSAcrossInstances: three instances, one carrier at 300
// msg/s, 900 messages posted to each at once. The carrier sees at most
// 300 msg/s plus the documented lease overshoot in every whole second,
// about 300 msg/s in total (not 100 nor 900), and each instance sends a
// fair part of it. With Redis refusing connections, each instance falls
// back to 300/3 and the total stays about 300.
func TestE2ECarrierTPSAcrossInstances(t *testing.T) {
	for _, mode := range []string{"redis", "redis cluster", "redis down"} {
		t.Run(mode, func(t *testing.T) {
			testCarrierTPSAcrossInstances(t, mode)
		})
	}
}

// testCarrierTPSAcrossInstances runs the test with Redis in mode: one
// server ("redis"), a Redis Cluster of three primaries ("redis cluster"),
// or an address that refuses connections ("redis down").
func testCarrierTPSAcrossInstances(t *testing.T, mode string) {
	redisUp := mode != "redis down"
	const (
		tps       = 300
		instances = 3
		perInst   = 900 // 9 s of the TPS in all
	)
	type arrival struct {
		at   time.Time
		inst byte
	}
	var mu sync.Mutex
	var arrivals []arrival
	c := newCarrier(t, func(_ int, sm *pdu.SubmitSM) pdu.Status {
		mu.Lock()
		arrivals = append(arrivals, arrival{time.Now(), sm.ShortMessage[4]}) // "tps I NNNN"
		mu.Unlock()
		return pdu.StatusOK
	})
	cfg := testConfig(t, storetest.MySQL, c.Addr())
	cfg.HTTP.RateLimitPerKey, cfg.HTTP.RateLimitPerIP = 0, 0
	cfg.Carriers[0].TPS, cfg.Carriers[0].Binds, cfg.Carriers[0].Window = tps, 2, 50
	cfg.Redis.Addr = testRedisAddr()
	cfg.Redis.Prefix = fmt.Sprintf("gallant:test:tps:%d:", time.Now().UnixNano())
	if mode == "redis cluster" {
		cfg.Redis.Addr, cfg.Redis.Cluster = "", redistest.StartCluster(t, 3)
	}
	if !redisUp {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		cfg.Redis.Addr = ln.Addr().String()
		ln.Close() // refuses connections from now on
	}
	apps := make([]*testApp, instances)
	for i := range apps {
		apps[i] = startApp(t, cfg)
	}
	cust := apps[0].customer(t, "TPS", "")

	// Every instance counts the three (at Start, then every 10 s).
	for i, a := range apps {
		waitFor(t, 15*time.Second, fmt.Sprintf("instance %d counting three instances", i), func() (bool, string) {
			n := a.gw.LiveInstances()
			return n == instances, fmt.Sprint(n)
		})
	}
	var posting sync.WaitGroup
	errs := make(chan error, instances)
	for i, a := range apps {
		posting.Go(func() {
			client := &http.Client{Timeout: time.Minute}
			const batch = 300
			for b := range perInst / batch {
				items := make([]map[string]any, batch)
				for k := range items {
					items[k] = map[string]any{"to": "+447700900123", "text": fmt.Sprintf("tps %d %04d", i, b*batch+k)}
				}
				body, _ := json.Marshal(map[string]any{"messages": items})
				req, _ := http.NewRequest(http.MethodPost, a.base+"/v1/messages/batch", strings.NewReader(string(body)))
				req.Header.Set("Authorization", "Bearer "+cust.APIKey)
				req.Header.Set("Content-Type", "application/json")
				resp, err := client.Do(req)
				if err != nil {
					errs <- err
					return
				}
				resp.Body.Close()
				if resp.StatusCode != http.StatusAccepted {
					errs <- fmt.Errorf("instance %d batch %d: status %d", i, b, resp.StatusCode)
					return
				}
			}
		})
	}
	posting.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	const total = instances * perInst
	waitFor(t, time.Minute, "every message at the carrier", func() (bool, string) {
		mu.Lock()
		defer mu.Unlock()
		return len(arrivals) >= total, fmt.Sprintf("%d of %d", len(arrivals), total)
	})
	mu.Lock()
	got := append([]arrival(nil), arrivals...)
	mu.Unlock()
	if len(got) != total {
		t.Errorf("%d submit_sm for %d messages", len(got), total)
	}

	// Per whole second since the first arrival; the last, partial, second
	// is left out.
	t0 := got[0].at
	span := got[len(got)-1].at.Sub(t0)
	secs := int(span / time.Second)
	perSec := make([]int, secs)
	perInstSec := make([][instances]int, secs)
	for _, a := range got {
		if s := int(a.at.Sub(t0) / time.Second); s < secs {
			perSec[s]++
			perInstSec[s][a.inst-'0']++
		}
	}
	// The bound of throttle.Shared: TPS + (1.5N+1) leases of 20 ms of
	// TPS (6 segments at 300/s) = 333, plus 10 for arrival jitter at the
	// carrier moving a few segments across a second's boundary.
	const bound = tps + 33 + 10
	for s, n := range perSec {
		if n > bound {
			t.Errorf("second %d: the carrier received %d, over %d (TPS %d)", s, n, bound, tps)
		}
	}
	// Near the TPS in total: 900 per instance take 9 s at 300/s, not 3 s
	// (each at the TPS) nor 27 s (each at a third).
	if rate := float64(len(got)) / span.Seconds(); rate < 0.9*tps || rate > 1.1*tps {
		t.Errorf("%d messages in %v: %.0f msg/s, want about %d", len(got), span, rate, tps)
	}
	// Fair: while all three had messages (seconds 1 to 6: the first is
	// left out, an instance's first batch may still be on its way), each
	// sent between a fifth and half.
	for s := 1; s < min(7, secs); s++ {
		for i, n := range perInstSec[s] {
			if f := float64(n) / float64(perSec[s]); f < 0.2 || f > 0.5 {
				t.Errorf("second %d: instance %d sent %d of %d", s, i, n, perSec[s])
			}
		}
	}
	want := 1.0 // shared
	if !redisUp {
		want = 0
	}
	for i, a := range apps {
		if g := gaugeValue(t, a.reg, "gallant_gateway_carrier_tps_shared", "c1"); g != want {
			t.Errorf("instance %d: gallant_gateway_carrier_tps_shared{carrier=c1} = %v, want %v", i, g, want)
		}
		if f := gaugeValue(t, a.reg, "gallant_gateway_carrier_tps_fallbacks_total", "c1"); f != 1-want {
			t.Errorf("instance %d: gallant_gateway_carrier_tps_fallbacks_total{carrier=c1} = %v, want %v", i, f, 1-want)
		}
	}
	t.Logf("per second at the carrier: %v (bound %d); per instance: %v; %.0f msg/s over %v",
		perSec, bound, perInstSec, float64(len(got))/span.Seconds(), span.Round(time.Millisecond))
}
