package store

import (
	"errors"
	"testing"
	"time"
)

// TestCarrierConfigCRUD: carriers and routes are created, read, updated
// and deleted on both stores; every change grows the config version; a
// route naming an unknown carrier and a carrier still routed to are
// refused; the YAML import happens once and never over edited rows.
func TestCarrierConfigCRUD(t *testing.T) {
	forEachDialect(t, func(t *testing.T, driver string) {
		s := newTestStore(t, driver)
		ctx := testCtx(t)
		v0, err := s.ConfigVersion(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if done, err := s.ConfigImported(ctx); err != nil || done {
			t.Fatalf("imported before import = %v, %v", done, err)
		}
		yamlCarriers := []CarrierConfig{{Name: "alpha", Address: "127.0.0.1:2776", SystemID: "gw", Password: "s3cret",
			Binds: 2, Window: 10, TPS: 50, OptOutErrors: []string{"0x45"}, TLS: true, TLSServerName: "smsc.example"}}
		yamlRoutes := []RouteConfig{{Prefix: "", Choices: []RouteChoice{{Carrier: "alpha", Weight: 1}}},
			{AccountID: 7, Prefix: "44", Choices: []RouteChoice{{Carrier: "alpha", Priority: 1, Weight: 3}}, LeastCost: true, SenderTPS: 1}}
		imported, err := s.ImportCarrierConfig(ctx, yamlCarriers, yamlRoutes)
		if err != nil || !imported {
			t.Fatalf("first import = %v, %v", imported, err)
		}
		if again, err := s.ImportCarrierConfig(ctx, yamlCarriers, nil); err != nil || again {
			t.Fatalf("second import = %v, %v", again, err)
		}
		got, err := s.CarrierConfigByName(ctx, "alpha")
		if err != nil || got.Password != "s3cret" || got.Binds != 2 || got.TPS != 50 || !got.TLS || got.TLSServerName != "smsc.example" ||
			len(got.OptOutErrors) != 1 || got.CreatedAt.IsZero() {
			t.Fatalf("alpha = %+v, %v", got, err)
		}
		routes, err := s.ListRouteConfigs(ctx)
		if err != nil || len(routes) != 2 || routes[0].AccountID != 0 || routes[1].AccountID != 7 || !routes[1].LeastCost ||
			routes[1].SenderTPS != 1 || routes[1].Choices[0].Weight != 3 || routes[1].Choices[0].Priority != 1 {
			t.Fatalf("routes = %+v, %v", routes, err)
		}

		beta := CarrierConfig{Name: "beta", Address: "127.0.0.1:2777", SystemID: "gw", Binds: 1, Window: 5, TPS: 10}
		if err := s.CreateCarrierConfig(ctx, &beta); err != nil {
			t.Fatal(err)
		}
		if err := s.CreateCarrierConfig(ctx, &beta); !errors.Is(err, ErrDuplicate) {
			t.Fatalf("duplicate carrier: %v", err)
		}
		v1, _ := s.ConfigVersion(ctx)
		if v1 <= v0 {
			t.Fatalf("version %d after create, was %d", v1, v0)
		}
		beta.TPS, beta.Binds = 20, 3
		if err := s.UpdateCarrierConfig(ctx, &beta); err != nil {
			t.Fatal(err)
		}
		if b, err := s.CarrierConfigByName(ctx, "beta"); err != nil || b.TPS != 20 || b.Binds != 3 {
			t.Fatalf("beta after update = %+v, %v", b, err)
		}
		if err := s.UpdateCarrierConfig(ctx, &CarrierConfig{Name: "nope", Address: "x"}); !errors.Is(err, ErrNotFound) {
			t.Fatalf("update unknown: %v", err)
		}
		v2, _ := s.ConfigVersion(ctx)
		if v2 <= v1 {
			t.Fatalf("version %d after update, was %d", v2, v1)
		}

		if err := s.ReplaceRoutes(ctx, 0, []RouteConfig{{Prefix: "1", Choices: []RouteChoice{{Carrier: "ghost"}}}}); !errors.Is(err, ErrInvalid) {
			t.Fatalf("unknown carrier in route: %v", err)
		}
		if err := s.ReplaceRoutes(ctx, 0, []RouteConfig{{Prefix: "1x", Choices: []RouteChoice{{Carrier: "beta"}}}}); !errors.Is(err, ErrInvalid) {
			t.Fatalf("bad prefix: %v", err)
		}
		if err := s.ReplaceRoutes(ctx, 0, []RouteConfig{{Prefix: "1", Choices: []RouteChoice{{Carrier: "beta"}}},
			{Prefix: "1", Choices: []RouteChoice{{Carrier: "alpha"}}}}); !errors.Is(err, ErrInvalid) {
			t.Fatalf("duplicate prefix: %v", err)
		}
		if v, _ := s.ConfigVersion(ctx); v != v2 {
			t.Fatalf("refused changes moved the version to %d from %d", v, v2)
		}
		if err := s.ReplaceRoutes(ctx, 0, []RouteConfig{{Prefix: "", Choices: []RouteChoice{{Carrier: "beta", Weight: 1}}}}); err != nil {
			t.Fatal(err)
		}
		def, err := s.RouteConfigsOf(ctx, 0)
		if err != nil || len(def) != 1 || def[0].Choices[0].Carrier != "beta" {
			t.Fatalf("default plan = %+v, %v", def, err)
		}
		if err := s.DeleteCarrierConfig(ctx, "alpha"); !errors.Is(err, ErrReferenced) {
			t.Fatalf("delete routed carrier: %v", err) // account 7 still routes to alpha
		}
		if err := s.ReplaceRoutes(ctx, 7, nil); err != nil {
			t.Fatal(err)
		}
		if err := s.DeleteCarrierConfig(ctx, "alpha"); err != nil {
			t.Fatal(err)
		}
		if err := s.DeleteCarrierConfig(ctx, "alpha"); !errors.Is(err, ErrNotFound) {
			t.Fatalf("delete twice: %v", err)
		}
		list, err := s.ListCarrierConfigs(ctx)
		if err != nil || len(list) != 1 || list[0].Name != "beta" {
			t.Fatalf("carriers = %+v, %v", list, err)
		}
		v3, _ := s.ConfigVersion(ctx)
		if v3 <= v2 {
			t.Fatalf("version %d after routes and delete, was %d", v3, v2)
		}

		from := time.Now().UTC().Add(-time.Hour).Truncate(time.Microsecond)
		if err := s.AddBuyRate(ctx, &BuyRate{Carrier: "beta", Prefix: "44", PriceMicros: 4200, Currency: "EUR", ValidFrom: from}); err != nil {
			t.Fatal(err)
		}
		v4, _ := s.ConfigVersion(ctx)
		rates, err := s.ListBuyRates(ctx)
		if err != nil || len(rates) != 1 || rates[0].PriceMicros != 4200 || !rates[0].ValidFrom.Equal(from) || v4 <= v3 {
			t.Fatalf("buy rates = %+v, %v (version %d after %d)", rates, err, v4, v3)
		}
		if err := s.DeleteBuyRate(ctx, "beta", "44", from.Add(time.Microsecond)); !errors.Is(err, ErrNotFound) {
			t.Fatalf("delete another start: %v", err)
		}
		if err := s.DeleteBuyRate(ctx, "beta", "44", rates[0].ValidFrom); err != nil {
			t.Fatal(err)
		}
		if rates, err := s.ListBuyRates(ctx); err != nil || len(rates) != 0 {
			t.Fatalf("after delete: %+v, %v", rates, err)
		}
		if v5, _ := s.ConfigVersion(ctx); v5 <= v4 {
			t.Fatalf("version %d after the delete, was %d", v5, v4)
		}
	})
}
