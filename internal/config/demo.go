package config

import "path/filepath"

// Demo is gallant demo's configuration: SQLite in dir, the listeners
// given, billing on and one carrier, the simulator at simAddr. Callbacks
// may go to private addresses: the demo runs on one machine, and its
// users point callback_url at a receiver on it.
func Demo(dir, httpAddr, smppAddr, metricsAddr, durability, simAddr string) Config {
	cfg := Default()
	cfg.HTTP.Listen, cfg.SMPP.Listen, cfg.Metrics.Listen = httpAddr, smppAddr, metricsAddr
	cfg.Store = StoreConfig{Driver: "sqlite", DSN: filepath.Join(dir, "gallant.db")}
	cfg.Durability = durability
	cfg.Webhooks.Secret = "demo-webhook-secret" // gallant demo prints it; callbacks are signed with it
	cfg.Webhooks.AllowPrivate = true
	cfg.Billing.Enabled = true
	cfg.Mail.LogMails = true // the demo alone prints its mails (reset and verification links) to its log
	cfg.Auth.DashboardURL = "http://" + httpAddr
	cfg.Carriers = []CarrierConfig{{Name: "sim", Address: simAddr, SystemID: "gallant", Password: "secret",
		BindType: "transceiver", Binds: 2, Window: 100}}
	cfg.Routes = []RouteConfig{{Prefix: "", Carriers: []RouteCarrier{{Carrier: "sim", Weight: 1}}}}
	cfg.demoCarriers = true
	return cfg
}
