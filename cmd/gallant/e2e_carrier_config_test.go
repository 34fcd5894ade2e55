package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gallant-sms/gallant/internal/config"
	"github.com/gallant-sms/gallant/smpp"
	"github.com/gallant-sms/gallant/smpp/pdu"
	"github.com/gallant-sms/gallant/store"
	"github.com/gallant-sms/gallant/store/storetest"
)

// countingCarrier is a carrier simulator that counts the submits it took.
func countingCarrier(t *testing.T) (addr string, n *atomic.Int64) {
	n = new(atomic.Int64)
	c := newCarrier(t, func(_ int, _ *pdu.SubmitSM) pdu.Status {
		n.Add(1)
		return pdu.StatusOK
	})
	return c.Addr(), n
}

// twoCarrierConfig is testConfig with a second carrier "c2" at addr2
// (at 100 msg/s) that no route names.
func twoCarrierConfig(t *testing.T, driver, addr1, addr2 string) config.Config {
	cfg := testConfig(t, driver, addr1)
	cfg.HTTP.RateLimitPerKey, cfg.HTTP.RateLimitPerIP = 0, 0
	cfg.Carriers = append(cfg.Carriers, config.CarrierConfig{Name: "c2", Address: addr2, SystemID: "gallant",
		Password: "secret", Binds: 1, Window: 10, TPS: 100})
	return cfg
}

// appliedVersion waits until a's gateway routes by the store's version
// of the carriers and routes (or a newer one).
func appliedVersion(t *testing.T, a *testApp) {
	t.Helper()
	want, err := a.st.ConfigVersion(testContext(t))
	if err != nil {
		t.Fatal(err)
	}
	eventually(t, fmt.Sprintf("config version %d applied", want), func() (bool, string) {
		v, _ := a.gw.ConfigApplied()
		return v >= want, fmt.Sprintf("applied %d", v)
	})
}

// sendN sends n messages with key and waits until each is delivered.
func sendN(t *testing.T, a *testApp, key string, n int) {
	t.Helper()
	for i := range n {
		m := a.send(t, key, map[string]any{"to": "+447700900123", "text": fmt.Sprintf("route test %d", i)})
		a.waitStatus(t, key, m.ID, "delivered")
	}
}

// TestE2ECarrierConfigAPI: the YAML's carriers and routes are imported on
// the first start; a route changed through the API sends the next
// messages to the other carrier without a restart; a carrier's TPS, binds,
// window and opt-out codes apply without a restart; bad
// changes are refused with problems; only platform admins reach the
// carriers; the audit log shows the changes and no password; a restart
// does not import the YAML again (the store's routes stay).
func TestE2ECarrierConfigAPI(t *testing.T) {
	eachDriver(t, func(t *testing.T, driver string) {
		addr1, n1 := countingCarrier(t)
		addr2, n2 := countingCarrier(t)
		cfg := twoCarrierConfig(t, driver, addr1, addr2)
		a := startApp(t, cfg)
		_, admin := a.platformAdmin(t, "ops")
		cust := a.customer(t, "Shop", "")

		list := mustStatus(t, a.do(t, "GET", "/v1/carriers", admin, ""), 200, "list carriers")
		if strings.Contains(string(list.body), "secret") || !strings.Contains(string(list.body), `"password_set":true`) ||
			!strings.Contains(string(list.body), `"name":"c2"`) {
			t.Fatalf("carriers imported from the file: %s", list.body)
		}
		for _, call := range [][3]string{{"GET", "/v1/carriers", ""}, {"GET", "/v1/routes", ""},
			{"PUT", "/v1/routes", `{"routes":[]}`}, {"PATCH", "/v1/carriers/c1", `{"tps":5}`}, {"DELETE", "/v1/carriers/c2", ""}} {
			if r := a.do(t, call[0], call[1], cust.APIKey, call[2]); r.status != http.StatusForbidden {
				t.Fatalf("customer %s %s: %d %s, want 403", call[0], call[1], r.status, r.body)
			}
		}

		appliedVersion(t, a)
		sendN(t, a, cust.APIKey, 3)
		if n1.Load() != 3 || n2.Load() != 0 {
			t.Fatalf("before the change: c1 %d, c2 %d; want 3, 0", n1.Load(), n2.Load())
		}

		for _, bad := range []struct{ method, path, body string }{
			{"PUT", "/v1/routes", `{"routes":[{"prefix":"","carriers":[{"carrier":"ghost"}]}]}`},
			{"PUT", "/v1/routes", `{"routes":[{"prefix":"44x","carriers":[{"carrier":"c2"}]}]}`},
			{"PUT", "/v1/routes", `{"routes":[{"prefix":"4","carriers":[{"carrier":"c2"}]},{"prefix":"+4","carriers":[{"carrier":"c1"}]}]}`},
			{"POST", "/v1/carriers", `{"name":"c3","address":"127.0.0.1:1","system_id":"x","tps":-1}`},
			{"POST", "/v1/carriers", `{"name":"c1","address":"127.0.0.1:1","system_id":"x","tps":10,"window":0}`},
		} {
			r := a.do(t, bad.method, bad.path, admin, bad.body)
			if r.status != http.StatusBadRequest || !strings.Contains(r.header.Get("Content-Type"), "problem+json") {
				t.Fatalf("%s %s %s: %d %s, want a 400 problem", bad.method, bad.path, bad.body, r.status, r.body)
			}
		}
		if r := a.do(t, "POST", "/v1/carriers", admin, `{"name":"c1","address":"127.0.0.1:1","system_id":"x","tps":10}`); r.status != http.StatusConflict {
			t.Fatalf("duplicate carrier: %d %s", r.status, r.body)
		}
		if r := a.do(t, "DELETE", "/v1/carriers/c1", admin, ""); r.status != http.StatusConflict {
			t.Fatalf("delete a routed carrier: %d %s", r.status, r.body)
		}

		mustStatus(t, a.do(t, "PUT", "/v1/routes", admin, `{"routes":[{"prefix":"","carriers":[{"carrier":"c2","weight":1}]}]}`), 200, "route to c2")
		appliedVersion(t, a) // within DefaultConfigPoll, no restart
		sendN(t, a, cust.APIKey, 3)
		if n1.Load() != 3 || n2.Load() != 3 {
			t.Fatalf("after the change: c1 %d, c2 %d; want 3, 3", n1.Load(), n2.Load())
		}

		// A new TPS applies to the running binds.
		mustStatus(t, a.do(t, "PATCH", "/v1/carriers/c2", admin, `{"tps":40}`), 200, "change c2's tps")
		appliedVersion(t, a)
		if got := carrierTPS(t, a, admin, "c2"); got != 40 {
			t.Fatalf("c2 runs at %v msg/s after the change, want 40 without a restart", got)
		}
		var one struct {
			TPS            float64 `json:"tps"`
			Binds          int     `json:"binds"`
			RestartPending bool    `json:"restart_pending"`
		}
		mustStatus(t, a.do(t, "GET", "/v1/carriers/c2", admin, ""), 200, "read c2").json(t, &one)
		if one.TPS != 40 || one.RestartPending {
			t.Fatalf("c2 after the tps change = %+v; want tps 40 applied", one)
		}
		// New binds and window replace the running binds; new opt-out
		// codes apply too.
		mustStatus(t, a.do(t, "PATCH", "/v1/carriers/c2", admin, `{"binds":2,"window":20,"password":"secret"}`), 200, "change c2's binds")
		appliedVersion(t, a)
		eventually(t, "c2 on 2 binds", func() (bool, string) {
			n := carrierBinds(t, a, admin, "c2")
			return n == 2, fmt.Sprintf("%d binds", n)
		})
		mustStatus(t, a.do(t, "PATCH", "/v1/carriers/c2", admin, `{"optout_errors":["0x45"]}`), 200, "change c2's opt-out codes")
		appliedVersion(t, a)
		mustStatus(t, a.do(t, "GET", "/v1/carriers/c2", admin, ""), 200, "read c2").json(t, &one)
		if one.Binds != 2 || one.RestartPending {
			t.Fatalf("c2 after the opt-out codes change = %+v; want applied", one)
		}
		if m := a.metrics(t); !strings.Contains(m, "gallant_gateway_carriers_restart_pending 0") {
			t.Fatalf("metrics show carriers pending a restart:\n%s", grepLines(m, "gallant_gateway_c"))
		}

		audit := string(mustStatus(t, a.do(t, "GET", "/v1/operator/audit", admin, ""), 200, "audit").body)
		for _, want := range []string{"routes.set", "carrier.update", "password=(set)", "tps=40", "binds=2"} {
			if !strings.Contains(audit, want) {
				t.Fatalf("audit log lacks %q: %s", want, audit)
			}
		}
		if strings.Contains(audit, "password=secret") {
			t.Fatalf("audit log shows the password: %s", audit)
		}

		// A restart: the file still routes everything to c1, but the
		// store is the source now.
		a.stop()
		b := startApp(t, cfg)
		appliedVersion(t, b)
		sendN(t, b, cust.APIKey, 2)
		if n1.Load() != 3 || n2.Load() != 5 {
			t.Fatalf("after a restart: c1 %d, c2 %d; want 3, 5 (the file's routes not imported again)", n1.Load(), n2.Load())
		}
		if got := carrierTPS(t, b, admin, "c2"); got != 40 {
			t.Fatalf("c2 runs at %v msg/s after the restart, want 40", got)
		}
		if n := carrierBinds(t, b, admin, "c2"); n != 2 {
			t.Fatalf("c2 runs %d binds after the restart, want 2", n)
		}
		mustStatus(t, b.do(t, "GET", "/v1/carriers/c2", admin, ""), 200, "read c2").json(t, &one)
		if one.RestartPending {
			t.Fatalf("c2 after the restart = %+v; want applied", one)
		}
	})
}

// TestE2ECarrierAddedAndRemovedLive: on a running serve, a carrier
// created through /v1/carriers and named by a route through /v1/routes
// takes traffic within seconds, without a restart; routed away and
// deleted, it leaves service (its binds unbind) and the traffic goes on
// through the other carrier.
func TestE2ECarrierAddedAndRemovedLive(t *testing.T) {
	eachDriver(t, func(t *testing.T, driver string) {
		addr1, n1 := countingCarrier(t)
		c2 := newCarrier(t, nil)
		cfg := testConfig(t, driver, addr1)
		cfg.HTTP.RateLimitPerKey, cfg.HTTP.RateLimitPerIP = 0, 0
		a := startApp(t, cfg)
		_, admin := a.platformAdmin(t, "ops")
		cust := a.customer(t, "Shop", "")
		appliedVersion(t, a)
		sendN(t, a, cust.APIKey, 2)

		mustStatus(t, a.do(t, "POST", "/v1/carriers", admin,
			`{"name":"c2","address":"`+c2.Addr()+`","system_id":"gallant","password":"secret","tps":100}`), 201, "create c2")
		mustStatus(t, a.do(t, "PUT", "/v1/routes", admin, `{"routes":[{"prefix":"","carriers":[{"carrier":"c2"}]}]}`), 200, "route to c2")
		appliedVersion(t, a)
		sendN(t, a, cust.APIKey, 3)
		if n1.Load() != 2 || len(c2.Submits()) != 3 {
			t.Fatalf("after adding c2: c1 %d, c2 %d; want 2, 3", n1.Load(), len(c2.Submits()))
		}
		if got := carrierTPS(t, a, admin, "c2"); got != 100 {
			t.Fatalf("c2 runs at %v msg/s, want 100", got)
		}
		var list struct {
			RestartPending []string `json:"restart_pending"`
		}
		mustStatus(t, a.do(t, "GET", "/v1/carriers", admin, ""), 200, "list").json(t, &list)
		if len(list.RestartPending) != 0 {
			t.Fatalf("restart pending for %v", list.RestartPending)
		}

		mustStatus(t, a.do(t, "PUT", "/v1/routes", admin, `{"routes":[{"prefix":"","carriers":[{"carrier":"c1"}]}]}`), 200, "route to c1")
		mustStatus(t, a.do(t, "DELETE", "/v1/carriers/c2", admin, ""), 204, "delete c2")
		appliedVersion(t, a)
		eventually(t, "c2 unbound", func() (bool, string) {
			for _, end := range c2.SessionEnds() {
				if end.Reason == smpp.ClosePeerUnbind {
					return true, ""
				}
			}
			return false, fmt.Sprint(c2.SessionEnds())
		})
		var view struct {
			Carriers []operatorCarrier `json:"carriers"`
		}
		mustStatus(t, a.do(t, "GET", "/v1/operator/carriers", admin, ""), 200, "operator carriers").json(t, &view)
		if len(view.Carriers) != 1 || view.Carriers[0].Name != "c1" {
			t.Fatalf("running carriers %+v, want c1 only", view.Carriers)
		}
		sendN(t, a, cust.APIKey, 2)
		if n1.Load() != 4 || len(c2.Submits()) != 3 {
			t.Fatalf("after removing c2: c1 %d, c2 %d; want 4, 3", n1.Load(), len(c2.Submits()))
		}
		eventually(t, "c2's metrics gone", func() (bool, string) {
			m := grepLines(a.metrics(t), `carrier="c2"`)
			return m == "", m
		})
	})
}

// grepLines returns the lines of text containing sub.
func grepLines(text, sub string) string {
	var out []string
	for _, l := range strings.Split(text, "\n") {
		if strings.Contains(l, sub) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

// operatorCarrier is a carrier of GET /v1/operator/carriers.
type operatorCarrier struct {
	Name     string            `json:"name"`
	TPSLimit float64           `json:"tps_limit"`
	Binds    []json.RawMessage `json:"binds"`
}

// operatorView reads the named carrier of a's GET /v1/operator/carriers.
func operatorView(t *testing.T, a *testApp, admin, name string) operatorCarrier {
	t.Helper()
	var view struct {
		Carriers []operatorCarrier `json:"carriers"`
	}
	mustStatus(t, a.do(t, "GET", "/v1/operator/carriers", admin, ""), 200, "operator carriers").json(t, &view)
	for _, c := range view.Carriers {
		if c.Name == name {
			return c
		}
	}
	t.Fatalf("carrier %s not running", name)
	return operatorCarrier{}
}

func carrierTPS(t *testing.T, a *testApp, admin, name string) float64 {
	return operatorView(t, a, admin, name).TPSLimit
}

func carrierBinds(t *testing.T, a *testApp, admin, name string) int {
	return len(operatorView(t, a, admin, name).Binds)
}

// TestE2ERoutesTwoInstances: two instances on one MariaDB both apply a
// route change made through one of them within seconds.
func TestE2ERoutesTwoInstances(t *testing.T) {
	addr1, n1 := countingCarrier(t)
	addr2, n2 := countingCarrier(t)
	cfg := twoCarrierConfig(t, storetest.MySQL, addr1, addr2)
	a1 := startApp(t, cfg)
	a2 := startApp(t, cfg)
	_, admin := a1.platformAdmin(t, "ops")
	cust := a1.customer(t, "Shop", "")
	mustStatus(t, a1.do(t, "PUT", "/v1/routes", admin, `{"routes":[{"prefix":"","carriers":[{"carrier":"c2"}]}]}`), 200, "route to c2")
	appliedVersion(t, a1)
	appliedVersion(t, a2)
	sendN(t, a1, cust.APIKey, 2)
	sendN(t, a2, cust.APIKey, 2)
	if n1.Load() != 0 || n2.Load() != 4 {
		t.Fatalf("c1 %d, c2 %d; want 0, 4", n1.Load(), n2.Load())
	}
}

// TestE2EBuyRatesLeastCost: buy rates added through the API steer a
// least-cost route within seconds, without a restart.
func TestE2EBuyRatesLeastCost(t *testing.T) {
	eachDriver(t, func(t *testing.T, driver string) {
		ctx := testContext(t)
		addr1, n1 := countingCarrier(t)
		addr2, n2 := countingCarrier(t)
		cfg := twoCarrierConfig(t, driver, addr1, addr2)
		cfg.Routes = []config.RouteConfig{{Prefix: "", LeastCost: true,
			Carriers: []config.RouteCarrier{{Carrier: "c1", Weight: 1}, {Carrier: "c2", Weight: 1}}}}
		cfg.Billing.Enabled = true
		st := storetest.OpenConfig(t, store.Config{Driver: cfg.Store.Driver, DSN: cfg.Store.DSN})
		if err := st.CreatePricePlan(ctx, &store.PricePlan{Name: "std", Currency: "EUR", Default: true,
			ValidFrom: time.Now().Add(-time.Hour), Prices: []store.PlanPrice{{Prefix: "44", PriceMicros: 10_000}}}); err != nil {
			t.Fatal(err)
		}
		a := startApp(t, cfg)
		_, admin := a.platformAdmin(t, "ops")
		c := a.customer(t, "Lcr", "")
		payer(t, st, c, 1_000_000)

		mustStatus(t, a.do(t, "POST", "/v1/buy-rates", admin, `{"carrier":"c1","prefix":"44","price":"0.005","currency":"EUR"}`), 201, "c1's rate")
		cheap := mustStatus(t, a.do(t, "POST", "/v1/buy-rates", admin, `{"carrier":"c2","prefix":"44","price":"0.003","currency":"EUR"}`), 201, "c2's rate")
		appliedVersion(t, a)
		sendN(t, a, c.APIKey, 4)
		if n1.Load() != 0 || n2.Load() != 4 {
			t.Fatalf("with c2 cheaper: c1 %d, c2 %d; want 0, 4", n1.Load(), n2.Load())
		}
		var rate struct {
			ID string `json:"id"`
		}
		cheap.json(t, &rate)
		mustStatus(t, a.do(t, "DELETE", "/v1/buy-rates/"+rate.ID, admin, ""), 204, "delete c2's rate")
		appliedVersion(t, a)
		sendN(t, a, c.APIKey, 4)
		if n1.Load() != 4 || n2.Load() != 4 {
			t.Fatalf("with c2 unpriced: c1 %d, c2 %d; want 4, 4 (a priced carrier before unpriced ones)", n1.Load(), n2.Load())
		}
	})
}

// TestE2ECarrierBindsReplaced: while messages stream in and submits are
// in flight, a carrier's bind count and window change through the API:
// its binds are replaced without a restart and every accepted message
// reaches the carrier exactly once.
func TestE2ECarrierBindsReplaced(t *testing.T) {
	eachDriver(t, func(t *testing.T, driver string) {
		var mu sync.Mutex
		got := map[string]int{}
		c := newCarrier(t, func(_ int, sm *pdu.SubmitSM) pdu.Status {
			mu.Lock()
			got[string(sm.ShortMessage)]++
			mu.Unlock()
			return pdu.StatusOK
		})
		c.SetDelay(20 * time.Millisecond) // window 10 on one bind: about 500 msg/s, so submits are in flight
		cfg := testConfig(t, driver, c.Addr())
		cfg.HTTP.RateLimitPerKey, cfg.HTTP.RateLimitPerIP = 0, 0
		a := startApp(t, cfg)
		_, admin := a.platformAdmin(t, "ops")
		cust := a.customer(t, "Stream", "")
		// One goroutine sends until told to stop: before, during and after
		// the replacement.
		var stop atomic.Bool
		var ids []string
		var sends sync.WaitGroup
		sends.Go(func() {
			for i := 0; !stop.Load() && i < 5000; i++ {
				ids = append(ids, a.send(t, cust.APIKey, map[string]any{"to": "+447700900123", "text": fmt.Sprintf("m%04d", i)}).ID)
			}
		})
		arrived := func() int {
			mu.Lock()
			defer mu.Unlock()
			return len(got)
		}
		eventually(t, "messages at the carrier", func() (bool, string) {
			return arrived() >= 30, fmt.Sprint(arrived())
		})
		mustStatus(t, a.do(t, "PATCH", "/v1/carriers/c1", admin, `{"binds":3,"window":5,"tps":1000}`), 200, "new binds")
		eventually(t, "c1 on 3 binds", func() (bool, string) {
			b := carrierBinds(t, a, admin, "c1")
			return b == 3, fmt.Sprintf("%d binds", b)
		})
		atSwap := arrived()
		eventually(t, "messages on the new binds", func() (bool, string) {
			return arrived() >= atSwap+50, fmt.Sprint(arrived())
		})
		stop.Store(true)
		sends.Wait()
		// Every accepted message reaches the carrier (submitted, then
		// delivered when its receipt comes). The test carrier, unlike a
		// real SMSC, does not send again a receipt it sent to a bind that
		// was unbinding, so a few may stay "submitted".
		undelivered := 0
		for _, id := range ids {
			eventually(t, "message "+id+" at the carrier", func() (bool, string) {
				m, _ := a.get(t, cust.APIKey, id)
				return m.Status == "submitted" || m.Status == "delivered", m.Status
			})
		}
		for _, id := range ids {
			if m, _ := a.get(t, cust.APIKey, id); m.Status != "delivered" {
				undelivered++
			}
		}
		mu.Lock()
		defer mu.Unlock()
		if len(got) != len(ids) {
			t.Fatalf("the carrier got %d distinct messages of %d", len(got), len(ids))
		}
		for text, k := range got {
			if k != 1 {
				t.Fatalf("%s reached the carrier %d times", text, k)
			}
		}
		t.Logf("%d messages, %d at the carrier when the binds were replaced, %d receipts lost by the test carrier", len(ids), atSwap, undelivered)
		if v, pending := a.gw.ConfigApplied(); v < 0 || len(pending) != 0 {
			t.Fatalf("applied version %d, pending %v", v, pending)
		}
	})
}
