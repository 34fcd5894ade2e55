package main

import (
	"strings"
	"testing"

	appsvc "github.com/gallant-sms/gallant/app"
)

// TestAdminCarrierRoute: gallant admin carrier add|set|list|remove and
// route set|list edit the store's carriers and plans, never print a
// password, and refuse bad input.
func TestAdminCarrierRoute(t *testing.T) {
	eachDriver(t, func(t *testing.T, driver string) {
		f := newAdminFixture(t, driver)
		var c appsvc.CarrierConfigView
		f.ok(&c, "carrier", "add", "--name", "c9", "--address", "127.0.0.1:2776", "--system-id", "gw", "--password", "pw9", "--tps", "30", "--binds", "2")
		if c.Name != "c9" || c.Binds != 2 || c.TPS != 30 || !c.PasswordSet {
			t.Fatalf("added %+v", c)
		}
		f.ok(&c, "carrier", "set", "c9", "--window", "50")
		if c.Window != 50 || c.TPS != 30 {
			t.Fatalf("set %+v", c)
		}
		var plan appsvc.RoutePlan
		f.ok(&plan, "route", "set", "--route", "44=c9/0/3", "--route", "=c9", "--least-cost", "44")
		if len(plan.Routes) != 2 || plan.Routes[0].Prefix != "44" || !plan.Routes[0].LeastCost || plan.Routes[0].Carriers[0].Weight != 3 {
			t.Fatalf("route set %+v", plan)
		}
		f.ok(&plan, "route", "list")
		if len(plan.Routes) != 2 {
			t.Fatalf("route list %+v", plan)
		}
		out, err := f.run("carrier", "list")
		if err != nil || strings.Contains(out, "pw9") || !strings.Contains(out, `"c9"`) {
			t.Fatalf("carrier list: %s, %v", out, err)
		}
		for _, bad := range [][]string{
			{"carrier", "add", "--name", "x", "--address", "127.0.0.1:1", "--system-id", "gw", "--tps", "-1"},
			{"route", "set", "--route", "44=ghost"},
			{"route", "set", "--route", "44"},
			{"route", "set"},
			{"carrier", "remove", "c9"}, // still routed
			{"carrier", "frobnicate"},
		} {
			if _, err := f.run(bad...); err == nil {
				t.Errorf("admin %v: no error", bad)
			}
		}
		var empty appsvc.RoutePlan
		f.ok(&empty, "route", "set", "--json", `{"routes":[]}`)
		var gone map[string]string
		f.ok(&gone, "carrier", "remove", "c9")
		if gone["removed"] != "c9" {
			t.Fatalf("remove: %v", gone)
		}
	})
}
