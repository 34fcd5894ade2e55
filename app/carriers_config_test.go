package app

import (
	"context"
	"strings"
	"testing"

	"github.com/gallant-sms/gallant/store"
)

func ptr[T any](v T) *T { return &v }

// TestCarrierConfigs: platform admins create, change and delete carriers
// and set the default plan, with problems for bad settings, unknown
// carriers and routed carriers; the password is never shown nor audited;
// a reseller sets its sub-account's plan with the default plan's
// carriers only, and nobody else's; others are refused.
func TestCarrierConfigs(t *testing.T) {
	forEachDriver(t, func(t *testing.T, driver string) {
		f := newFixture(t, driver, "EUR")
		ctx := context.Background()
		cc := f.app.CarrierConfigs
		in := CarrierInput{Name: ptr("alpha"), Address: ptr("127.0.0.1:2776"), SystemID: ptr("gw"), Password: ptr("topsecr"), TPS: ptr(100.0), Binds: ptr(2)}
		v, err := cc.Create(ctx, f.admin, in, "192.0.2.9")
		if err != nil || !v.PasswordSet || v.Binds != 2 || v.Window != 10 || v.BindType != "transceiver" {
			t.Fatalf("create = %+v, %v", v, err)
		}
		if _, err := cc.Create(ctx, f.admin, in, ""); KindOf(err) != KindConflict {
			t.Fatalf("duplicate name: %v", err)
		}
		for name, bad := range map[string]CarrierInput{
			"tps":      {Name: ptr("b1"), Address: ptr("h:1"), SystemID: ptr("x"), TPS: ptr(-1.0)},
			"window":   {Name: ptr("b2"), Address: ptr("h:1"), SystemID: ptr("x"), TPS: ptr(1.0), Window: ptr(5000)},
			"address":  {Name: ptr("b3"), Address: ptr("nohost"), SystemID: ptr("x"), TPS: ptr(1.0)},
			"name":     {Name: ptr("bad name"), Address: ptr("h:1"), SystemID: ptr("x"), TPS: ptr(1.0)},
			"tls":      {Name: ptr("b4"), Address: ptr("h:1"), SystemID: ptr("x"), TPS: ptr(1.0), TLSServerName: ptr("x")},
			"password": {Name: ptr("b5"), Address: ptr("h:1"), SystemID: ptr("x"), TPS: ptr(1.0), Password: ptr("much-too-long")},
		} {
			if _, err := cc.Create(ctx, f.admin, bad, ""); KindOf(err) != KindInvalid || !strings.Contains(err.Error(), name) {
				t.Errorf("bad %s: %v", name, err)
			}
		}
		if _, err := cc.Create(ctx, f.reseller, CarrierInput{Name: ptr("r"), Address: ptr("h:1"), SystemID: ptr("x"), TPS: ptr(1.0)}, ""); KindOf(err) != KindForbidden {
			t.Fatalf("reseller creates a carrier: %v", err)
		}
		if _, err := cc.List(ctx, f.reseller); KindOf(err) != KindForbidden {
			t.Fatalf("reseller lists carriers: %v", err)
		}
		v, err = cc.Update(ctx, f.admin, "alpha", CarrierInput{TPS: ptr(50.0), Window: ptr(20)}, "")
		if err != nil || v.TPS != 50 || v.Window != 20 || v.Binds != 2 || !v.PasswordSet {
			t.Fatalf("update = %+v, %v", v, err)
		}
		if _, err := cc.Update(ctx, f.admin, "ghost", CarrierInput{TPS: ptr(5.0)}, ""); KindOf(err) != KindNotFound {
			t.Fatalf("update unknown: %v", err)
		}
		if _, err := cc.Create(ctx, f.admin, CarrierInput{Name: ptr("beta"), Address: ptr("127.0.0.1:2777"), SystemID: ptr("gw"), TPS: ptr(10.0)}, ""); err != nil {
			t.Fatal(err)
		}

		if _, err := cc.SetRoutes(ctx, f.admin, 0, []RouteInput{{Prefix: "44", Carriers: []RouteChoiceInput{{Carrier: "ghost"}}}}, ""); KindOf(err) != KindInvalid {
			t.Fatalf("unknown carrier: %v", err)
		}
		if _, err := cc.SetRoutes(ctx, f.admin, 0, []RouteInput{{Prefix: "44a", Carriers: []RouteChoiceInput{{Carrier: "alpha"}}}}, ""); KindOf(err) != KindInvalid {
			t.Fatalf("bad prefix: %v", err)
		}
		plan, err := cc.SetRoutes(ctx, f.admin, 0, []RouteInput{{Prefix: "", Carriers: []RouteChoiceInput{{Carrier: "alpha", Weight: 1}}},
			{Prefix: "+44", Carriers: []RouteChoiceInput{{Carrier: "alpha", Priority: 0, Weight: 3}}, LeastCost: true}}, "")
		if err != nil || len(plan.Routes) != 2 || plan.Routes[1].Prefix != "44" || !plan.Routes[1].LeastCost || plan.Routes[1].Carriers[0].Weight != 3 {
			t.Fatalf("default plan = %+v, %v", plan, err)
		}
		if _, err := cc.SetRoutes(ctx, f.reseller, 0, nil, ""); KindOf(err) != KindForbidden {
			t.Fatalf("reseller sets the default plan: %v", err)
		}
		if err := cc.Delete(ctx, f.admin, "alpha", ""); KindOf(err) != KindConflict {
			t.Fatalf("delete a routed carrier: %v", err)
		}

		sub, err := f.app.Accounts.Create(ctx, f.reseller, CreateAccountRequest{Name: "Shop"})
		if err != nil {
			t.Fatal(err)
		}
		subID := sub.Account.ID
		if _, err := cc.SetRoutes(ctx, f.reseller, subID, []RouteInput{{Prefix: "49", Carriers: []RouteChoiceInput{{Carrier: "beta"}}}}, ""); KindOf(err) != KindInvalid ||
			!strings.Contains(err.Error(), "not offered") {
			t.Fatalf("reseller routes to a carrier not offered: %v", err)
		}
		if _, err := cc.SetRoutes(ctx, f.reseller, subID, []RouteInput{{Prefix: "49", Carriers: []RouteChoiceInput{{Carrier: "alpha"}}}}, ""); err != nil {
			t.Fatalf("reseller routes its sub-account: %v", err)
		}
		if _, err := cc.SetRoutes(ctx, f.reseller, f.resellerID, nil, ""); KindOf(err) != KindForbidden {
			t.Fatalf("reseller sets its own plan: %v", err)
		}
		other, err := f.app.Accounts.Create(ctx, f.admin, CreateAccountRequest{Name: "Elsewhere"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := cc.SetRoutes(ctx, f.reseller, other.Account.ID, nil, ""); KindOf(err) != KindNotFound {
			t.Fatalf("reseller sets another's plan: %v", err)
		}
		if got, err := cc.Routes(ctx, f.admin, subID); err != nil || len(got.Routes) != 1 || got.Routes[0].Carriers[0].Carrier != "alpha" {
			t.Fatalf("sub-account plan = %+v, %v", got, err)
		}

		if _, err := cc.SetRoutes(ctx, f.admin, 0, []RouteInput{{Prefix: "", Carriers: []RouteChoiceInput{{Carrier: "beta"}}}}, ""); err != nil {
			t.Fatal(err)
		}
		if _, err := cc.SetRoutes(ctx, f.admin, subID, nil, ""); err != nil {
			t.Fatal(err)
		}
		if err := cc.Delete(ctx, f.admin, "alpha", ""); err != nil {
			t.Fatal(err)
		}
		list, err := cc.List(ctx, f.admin)
		if err != nil || len(list.Carriers) != 1 || list.Carriers[0].Name != "beta" || list.Version < 1 {
			t.Fatalf("list = %+v, %v", list, err)
		}

		audit, err := f.st.ListAudit(ctx, store.AuditAllAccounts, 0, 100)
		if err != nil {
			t.Fatal(err)
		}
		actions := map[string]int{}
		for _, e := range audit {
			actions[e.Action]++
			if strings.Contains(e.Details, "topsecr") {
				t.Fatalf("audit entry shows the password: %+v", e)
			}
			if e.Action == "carrier.create" && e.Target == "carrier:alpha" && !strings.Contains(e.Details, "password=(set)") {
				t.Fatalf("create entry = %+v", e)
			}
		}
		if actions["carrier.create"] != 2 || actions["carrier.update"] != 1 || actions["carrier.delete"] != 1 || actions["routes.set"] != 4 {
			t.Fatalf("audited actions = %v", actions)
		}
	})
}

// TestBuyRatesAPI: platform admins add, list and delete buy rates of
// stored carriers, audited; bad input and other callers are refused.
func TestBuyRatesAPI(t *testing.T) {
	forEachDriver(t, func(t *testing.T, driver string) {
		f := newFixture(t, driver, "EUR")
		ctx := context.Background()
		cc := f.app.CarrierConfigs
		if _, err := cc.Create(ctx, f.admin, CarrierInput{Name: ptr("uk1"), Address: ptr("127.0.0.1:2776"), SystemID: ptr("gw"), TPS: ptr(10.0)}, ""); err != nil {
			t.Fatal(err)
		}
		r, err := cc.AddBuyRate(ctx, f.admin, BuyRateInput{Carrier: "uk1", Prefix: "+44", Price: "0.0042"}, "192.0.2.1")
		if err != nil || r.PriceMicros != 4200 || r.Currency != "EUR" || r.Prefix != "44" || r.ID == "" || r.ValidTo != nil {
			t.Fatalf("add = %+v, %v", r, err)
		}
		for field, bad := range map[string]BuyRateInput{
			"carrier":  {Carrier: "ghost", Prefix: "44", Price: "1"},
			"prefix":   {Carrier: "uk1", Prefix: "4x", Price: "1"},
			"price":    {Carrier: "uk1", Prefix: "44", Price: "-1"},
			"currency": {Carrier: "uk1", Prefix: "44", Price: "1", Currency: "EURO"},
		} {
			if _, err := cc.AddBuyRate(ctx, f.admin, bad, ""); KindOf(err) != KindInvalid || !strings.Contains(err.Error(), field) {
				t.Errorf("bad %s: %v", field, err)
			}
		}
		if _, err := cc.AddBuyRate(ctx, f.reseller, BuyRateInput{Carrier: "uk1", Prefix: "44", Price: "1"}, ""); KindOf(err) != KindForbidden {
			t.Fatalf("reseller adds a buy rate: %v", err)
		}
		list, err := cc.BuyRates(ctx, f.admin)
		if err != nil || len(list.BuyRates) != 1 || list.BuyRates[0].ID != r.ID || list.BuyRates[0].Price != r.Price {
			t.Fatalf("list = %+v, %v", list, err)
		}
		if err := cc.DeleteBuyRate(ctx, f.admin, "1-44-uk1", ""); KindOf(err) != KindNotFound {
			t.Fatalf("delete unknown: %v", err)
		}
		if err := cc.DeleteBuyRate(ctx, f.admin, "garbage", ""); KindOf(err) != KindNotFound {
			t.Fatalf("delete garbage id: %v", err)
		}
		if err := cc.DeleteBuyRate(ctx, f.admin, r.ID, ""); err != nil {
			t.Fatal(err)
		}
		if list, err := cc.BuyRates(ctx, f.admin); err != nil || len(list.BuyRates) != 0 {
			t.Fatalf("after delete: %+v, %v", list, err)
		}
		audit, err := f.st.ListAudit(ctx, store.AuditAllAccounts, 0, 100)
		if err != nil {
			t.Fatal(err)
		}
		var add, del bool
		for _, e := range audit {
			add = add || (e.Action == "buy_rate.add" && strings.Contains(e.Details, "price=0.0042"))
			del = del || (e.Action == "buy_rate.delete" && e.Target == "buy_rate:"+r.ID)
		}
		if !add || !del {
			t.Fatalf("audit log lacks the buy rate changes: %+v", audit)
		}
	})
}
