package config

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"testing"

	"github.com/gallant-sms/gallant/store/storetest"
)

// TestFromStore: the file's carriers and routes are imported into an
// empty store on the first start, ignored (and logged so) after; the
// demo's simulated carrier follows its new address each start.
func TestFromStore(t *testing.T) {
	for _, driver := range storetest.Drivers {
		t.Run(driver, func(t *testing.T) {
			ctx := context.Background()
			st := storetest.Open(t, driver)
			var logs bytes.Buffer
			log := slog.New(slog.NewTextHandler(&logs, nil))

			cfg := Demo(t.TempDir(), "127.0.0.1:0", "127.0.0.1:0", "", "durable", "127.0.0.1:4001")
			cfg.Routes = append(cfg.Routes, RouteConfig{Prefix: "44", Account: 9, Carriers: []RouteCarrier{{Carrier: "sim", Weight: 2}}})
			if err := cfg.FromStore(ctx, st, log); err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(logs.String(), "imported from the configuration file") {
				t.Fatalf("first start logs: %s", logs.String())
			}
			stored, err := st.ListCarrierConfigs(ctx)
			if err != nil || len(stored) != 1 || stored[0].Address != "127.0.0.1:4001" || stored[0].Binds != 2 {
				t.Fatalf("stored carriers %+v, %v", stored, err)
			}
			stored[0].Window = 77
			if err := st.UpdateCarrierConfig(ctx, &stored[0]); err != nil {
				t.Fatal(err)
			}

			// Second start: another file, and the simulator moved.
			logs.Reset()
			next := Demo(t.TempDir(), "127.0.0.1:0", "127.0.0.1:0", "", "durable", "127.0.0.1:4002")
			next.Routes = nil
			if err := next.FromStore(ctx, st, log); err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(logs.String(), "ignored") {
				t.Fatalf("second start logs: %s", logs.String())
			}
			if len(next.Carriers) != 1 || next.Carriers[0].Window != 77 || next.Carriers[0].Address != "127.0.0.1:4002" {
				t.Fatalf("carriers in force %+v; want the store's, at the simulator's new address", next.Carriers)
			}
			if len(next.Routes) != 2 || next.Routes[1].Account != 9 || next.Routes[1].Carriers[0].Weight != 2 {
				t.Fatalf("routes in force %+v; want the store's two", next.Routes)
			}
			if strings.Contains(logs.String(), "secret") {
				t.Fatalf("logs show the password: %s", logs.String())
			}
		})
	}
}
