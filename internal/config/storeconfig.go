package config

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/gallant-sms/gallant/gateway"
	"github.com/gallant-sms/gallant/router"
	"github.com/gallant-sms/gallant/store"
)

// FromStore makes the store the source of the carriers and routes. On
// the first start (no import recorded and no carriers or routes stored)
// the file's carriers and routes sections are imported into the store;
// on every start after, they are ignored (a log line says so) and cfg's
// Carriers and Routes are replaced by the store's, which the API and
// "gallant admin carrier|route" edit. The result is validated as the
// file would be.
func (cfg *Config) FromStore(ctx context.Context, st *store.Store, log *slog.Logger) error {
	carriers := make([]store.CarrierConfig, 0, len(cfg.Carriers))
	for _, c := range cfg.Carriers {
		carriers = append(carriers, StoreCarrier(c))
	}
	var routes []store.RouteConfig
	for _, r := range cfg.Routes {
		routes = append(routes, StoreRoute(r))
	}
	imported, err := st.ImportCarrierConfig(ctx, carriers, routes)
	if err != nil {
		return fmt.Errorf("config: import carriers and routes: %w", err)
	}
	if imported {
		log.Info("carriers and routes imported from the configuration file into the store; from now on the store is their source (edit them through /v1/carriers, /v1/routes or gallant admin carrier|route)",
			"carriers", len(carriers), "routes", len(routes))
	} else if len(cfg.Carriers) > 0 || len(cfg.Routes) > 0 {
		log.Info("the configuration file's carriers and routes sections are ignored: they were imported on the first start and the store is their source")
	}
	stored, err := st.ListCarrierConfigs(ctx)
	if err != nil {
		return err
	}
	if cfg.demoCarriers {
		if stored, err = followSimulator(ctx, st, cfg.Carriers, stored); err != nil {
			return err
		}
	}
	plans, err := st.ListRouteConfigs(ctx)
	if err != nil {
		return err
	}
	cfg.Carriers = cfg.Carriers[:0]
	for _, c := range stored {
		cfg.Carriers = append(cfg.Carriers, FileCarrier(c))
	}
	cfg.Routes = cfg.Routes[:0]
	for _, r := range plans {
		cfg.Routes = append(cfg.Routes, FileRoute(r))
	}
	cfg.FillDefaults()
	if err := cfg.Validate(); err != nil {
		return fmt.Errorf("config: the store's carriers and routes: %w", err)
	}
	return nil
}

// followSimulator points the stored carriers named as in file at the
// file's addresses (the demo's simulator moves every start).
func followSimulator(ctx context.Context, st *store.Store, file []CarrierConfig, stored []store.CarrierConfig) ([]store.CarrierConfig, error) {
	for i := range stored {
		for _, f := range file {
			if f.Name == stored[i].Name && f.Address != stored[i].Address {
				stored[i].Address = f.Address
				if err := st.UpdateCarrierConfig(ctx, &stored[i]); err != nil {
					return nil, fmt.Errorf("config: demo carrier %q: %w", f.Name, err)
				}
			}
		}
	}
	return stored, nil
}

// StoreCarrier converts a carriers entry of the file to its stored form.
func StoreCarrier(c CarrierConfig) store.CarrierConfig {
	return store.CarrierConfig{Name: c.Name, Password: c.Password, Address: c.Address, SystemID: c.SystemID,
		SystemType: c.SystemType, BindType: c.BindType, Binds: c.Binds, Window: c.Window, TPS: c.TPS,
		MaxInbound: c.MaxInbound, OptOutErrors: c.OptOutErrors, TLS: c.TLS, TLSCA: c.TLSCA,
		TLSServerName: c.TLSServerName, TLSInsecureSkipVerify: c.TLSInsecureSkipVerify, OutbindListen: c.OutbindListen}
}

// FileCarrier converts a stored carrier to the file's form.
func FileCarrier(c store.CarrierConfig) CarrierConfig {
	return CarrierConfig{Name: c.Name, Password: c.Password, Address: c.Address, SystemID: c.SystemID,
		SystemType: c.SystemType, BindType: c.BindType, Binds: c.Binds, Window: c.Window, TPS: c.TPS,
		MaxInbound: c.MaxInbound, OptOutErrors: c.OptOutErrors, TLS: c.TLS, TLSCA: c.TLSCA,
		TLSServerName: c.TLSServerName, TLSInsecureSkipVerify: c.TLSInsecureSkipVerify, OutbindListen: c.OutbindListen}
}

// StoreRoute converts a routes entry of the file to its stored form.
func StoreRoute(r RouteConfig) store.RouteConfig {
	out := store.RouteConfig{AccountID: r.Account, Prefix: r.Prefix, LeastCost: r.LeastCost, SenderTPS: r.SenderTPS}
	for _, c := range r.Carriers {
		out.Choices = append(out.Choices, store.RouteChoice{Carrier: c.Carrier, Priority: c.Priority, Weight: c.Weight})
	}
	return out
}

// FileRoute converts a stored route to the file's form.
func FileRoute(r store.RouteConfig) RouteConfig {
	out := RouteConfig{Account: r.AccountID, Prefix: r.Prefix, LeastCost: r.LeastCost, SenderTPS: r.SenderTPS}
	for _, c := range r.Choices {
		out.Carriers = append(out.Carriers, RouteCarrier{Carrier: c.Carrier, Priority: c.Priority, Weight: c.Weight})
	}
	return out
}

// GatewayCarrier converts a stored carrier to package gateway's form,
// with the defaults of the file filled in (TLS CA files are read here).
func GatewayCarrier(c store.CarrierConfig) (gateway.CarrierConfig, error) {
	tmp := Config{Carriers: []CarrierConfig{FileCarrier(c)}}
	tmp.FillDefaults()
	g, _, _, err := tmp.gatewayCarriers()
	if err != nil {
		return gateway.CarrierConfig{}, err
	}
	return g[0], nil
}

// StoreSource is the gateway's view of the carriers and routes in the
// store ([gateway.ConfigSource]).
type StoreSource struct{ Store *store.Store }

var _ gateway.ConfigSource = StoreSource{}

// Version implements [gateway.ConfigSource].
func (s StoreSource) Version(ctx context.Context) (int64, error) { return s.Store.ConfigVersion(ctx) }

// Load implements [gateway.ConfigSource].
func (s StoreSource) Load(ctx context.Context) (gateway.Plans, error) {
	stored, err := s.Store.ListCarrierConfigs(ctx)
	if err != nil {
		return gateway.Plans{}, err
	}
	routes, err := s.Store.ListRouteConfigs(ctx)
	if err != nil {
		return gateway.Plans{}, err
	}
	tmp := Config{}
	for _, c := range stored {
		tmp.Carriers = append(tmp.Carriers, FileCarrier(c))
	}
	for _, r := range routes {
		tmp.Routes = append(tmp.Routes, FileRoute(r))
	}
	tmp.FillDefaults()
	carriers, def, acct, err := tmp.gatewayCarriers()
	if err != nil {
		return gateway.Plans{}, err
	}
	return gateway.Plans{Carriers: carriers, Routes: def, AccountRoutes: acct}, nil
}

// routerRoutes is the file's routes for package router.
func (cfg Config) routerRoutes() ([]router.Route, map[int64][]router.Route) {
	var routes []router.Route
	acct := map[int64][]router.Route{}
	for _, r := range cfg.Routes {
		rr := router.Route{Prefix: r.Prefix, LeastCost: r.LeastCost, SenderTPS: r.SenderTPS}
		for _, c := range r.Carriers {
			rr.Carriers = append(rr.Carriers, router.Choice{Carrier: c.Carrier, Priority: c.Priority, Weight: c.Weight})
		}
		if r.Account != 0 {
			acct[r.Account] = append(acct[r.Account], rr)
		} else {
			routes = append(routes, rr)
		}
	}
	return routes, acct
}
