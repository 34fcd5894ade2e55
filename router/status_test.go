package router

import (
	"testing"
	"testing/synctest"
)

func TestStatusAndRoutePlans(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := newFakeSender("f", 0, 0)
		f.setBound(false) // keep what is dispatched in the queue
		g := newFakeSender("g", 0, 0)
		plan := []Route{{Prefix: "44", Carriers: []Choice{{Carrier: "A", Weight: 2}}, LeastCost: true}}
		r := startRouter(t, Config{
			Carriers:      []Carrier{carrierCfg("A", 0, 10, f), carrierCfg("B", 0, 0, g)},
			Routes:        plan,
			AccountRoutes: map[int64][]Route{7: {{Prefix: "1", Carriers: []Choice{{Carrier: "B"}}}}},
		}, &nopRecorder{}, nil)
		defer stopAll(r, f, g)
		if err := r.Dispatch(newJob(r, 1, 0, "447700900000", 3)); err != nil {
			t.Fatal(err)
		}
		synctest.Wait()
		st := r.Status()
		if len(st) != 2 || st[0].Name != "A" || st[1].Name != "B" {
			t.Fatalf("Status = %+v, want carriers A and B in order", st)
		}
		if a := st[0]; a.Queued != 3 || a.Reserved != 3 || a.Capacity != 10 {
			t.Errorf("A = %+v, want 3 queued, 3 reserved of 10", a)
		}
		if b := st[1]; b.Queued != 0 || b.Reserved != 0 || b.Capacity <= 0 {
			t.Errorf("B = %+v, want empty with its default capacity", b)
		}

		routes, acct := r.RoutePlans()
		if len(routes) != 1 || routes[0].Prefix != "44" || len(routes[0].Carriers) != 1 || routes[0].Carriers[0].Weight != 2 || !routes[0].LeastCost {
			t.Fatalf("RoutePlans default = %+v", routes)
		}
		if len(acct) != 1 || len(acct[7]) != 1 || acct[7][0].Carriers[0].Carrier != "B" {
			t.Fatalf("RoutePlans account = %+v", acct)
		}
		routes[0].Carriers[0].Carrier = "changed" // a copy: the router's plan stays
		if again, _ := r.RoutePlans(); again[0].Carriers[0].Carrier != "A" {
			t.Errorf("changing RoutePlans' answer changed the router's plan: %+v", again)
		}
		if err := r.SetRoutes([]Route{{Prefix: "", Carriers: []Choice{{Carrier: "B"}}}}, nil); err != nil {
			t.Fatal(err)
		}
		if routes, acct := r.RoutePlans(); len(routes) != 1 || routes[0].Prefix != "" || acct != nil {
			t.Errorf("after SetRoutes RoutePlans = %+v, %+v", routes, acct)
		}
	})
}
