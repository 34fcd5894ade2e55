package config

import (
	"cmp"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"log/slog"
	"os"
	"strings"

	"github.com/gallant-sms/gallant/app"
	"github.com/gallant-sms/gallant/gateway"
	"github.com/gallant-sms/gallant/router"
	"github.com/gallant-sms/gallant/smpp"
	"github.com/gallant-sms/gallant/smpp/proxyproto"
)

// Gateway translates the file's messages, smpp, carriers and routes
// sections for package gateway: its configuration, the routes for every
// account and the routes of single accounts.
func (cfg Config) Gateway() (gateway.Config, []router.Route, map[int64][]router.Route, error) {
	d, err := gateway.ParseDurability(cfg.Durability)
	if err != nil {
		return gateway.Config{}, nil, nil, err
	}
	g := gateway.Config{Durability: d, DefaultValidity: cfg.Messages.DefaultValidity, MaxValidity: cfg.Messages.MaxValidity,
		MaxInFlight: cfg.Messages.MaxInFlight, ScheduleHorizon: cfg.Messages.ScheduleHorizon,
		ScheduleMemory: cfg.Messages.ScheduleMemory, MaxScheduledPerAccount: cfg.Messages.MaxScheduledPerAccount,
		MaxScheduleAhead: cfg.Messages.MaxScheduleAhead,
		Inbound: gateway.InboundConfig{HoldValidity: cfg.Messages.MOHoldValidity,
			ReassemblyTimeout: cfg.Messages.MOReassemblyTimeout, ReassemblyMaxOpen: cfg.Messages.MOReassemblyMaxOpen},
		SystemID: cfg.SMPP.SystemID, MaxBindsPerSystemID: cfg.SMPP.MaxBindsPerSystemID, WebhookSecret: cfg.Webhooks.Secret,
		CustomerSession: smpp.SessionConfig{Window: cfg.SMPP.Window, MaxInbound: cfg.SMPP.MaxInbound,
			BindTimeout: cfg.SMPP.BindTimeout},
		// In the file 0 turns a cap off; in gateway.Config that is -1.
		MaxConnections: offIfZero(cfg.SMPP.MaxConnections), MaxConnectionsPerIP: offIfZero(cfg.SMPP.MaxConnectionsPerIP),
		BindGuard: gateway.BindGuardConfig{MaxFailuresPerAddress: offIfZero(cfg.SMPP.FailedBinds.PerIP),
			MaxFailuresPerSystemID: offIfZero(cfg.SMPP.FailedBinds.PerSystemID), Block: cfg.SMPP.FailedBinds.Block,
			MaxBlock: cfg.SMPP.FailedBinds.MaxBlock, Window: cfg.SMPP.FailedBinds.Window}}
	if g.ProxyTrusted, err = proxyproto.ParseTrusted(cfg.SMPP.ProxyProtocol.Trusted); err != nil {
		return gateway.Config{}, nil, nil, fmt.Errorf("config: smpp.proxy_protocol.trusted: %w", err)
	}
	var routes []router.Route
	var acct map[int64][]router.Route
	if g.Carriers, routes, acct, err = cfg.gatewayCarriers(); err != nil {
		return gateway.Config{}, nil, nil, err
	}
	return g, routes, acct, nil
}

// gatewayCarriers translates the carriers and routes sections for
// package gateway.
func (cfg Config) gatewayCarriers() ([]gateway.CarrierConfig, []router.Route, map[int64][]router.Route, error) {
	var out []gateway.CarrierConfig
	for _, c := range cfg.Carriers {
		bt := smpp.Transceiver
		switch c.BindType {
		case "transmitter":
			bt = smpp.Transmitter
		case "receiver":
			bt = smpp.Receiver
		}
		tc, err := carrierTLS(c)
		if err != nil {
			return nil, nil, nil, err
		}
		out = append(out, gateway.CarrierConfig{Name: c.Name, Addr: c.Address, SystemID: c.SystemID,
			Password: c.Password, SystemType: c.SystemType, BindType: bt, Binds: c.Binds, Window: c.Window, TPS: c.TPS,
			MaxInbound: c.MaxInbound, TLS: tc, OutbindListen: c.OutbindListen, OptOutErrors: c.OptOutErrors})
	}
	routes, acct := cfg.routerRoutes()
	return out, routes, acct, nil
}

// offIfZero maps a configured limit where 0 means off to gateway's
// convention, where 0 means the default and a negative value off.
func offIfZero(n int) int {
	if n == 0 {
		return -1
	}
	return n
}

// carrierTLS is the TLS configuration of carrier c, nil without tls.
func carrierTLS(c CarrierConfig) (*tls.Config, error) {
	if !c.TLS {
		return nil, nil
	}
	// InsecureSkipVerify is the operator's explicit choice for a test
	// rig; the gateway logs a warning for it.
	tc := &tls.Config{MinVersion: tls.VersionTLS12, ServerName: c.TLSServerName, InsecureSkipVerify: c.TLSInsecureSkipVerify}
	if c.TLSCA != "" {
		pem, err := os.ReadFile(c.TLSCA)
		if err != nil {
			return nil, fmt.Errorf("config: carrier %q: tls_ca: %w", c.Name, err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("config: carrier %q: tls_ca %s: no PEM certificate in it", c.Name, c.TLSCA)
		}
		tc.RootCAs = pool
	}
	return tc, nil
}

// NewLogger builds the process logger, on standard error, from the log
// section.
func NewLogger(cfg LogConfig) (*slog.Logger, error) {
	var level slog.Level
	if err := level.UnmarshalText([]byte(cfg.Level)); err != nil {
		return nil, fmt.Errorf("config: log.level: %w", err)
	}
	opts := &slog.HandlerOptions{Level: level}
	if strings.EqualFold(cfg.Format, "json") {
		return slog.New(slog.NewJSONHandler(os.Stderr, opts)), nil
	}
	return slog.New(slog.NewTextHandler(os.Stderr, opts)), nil
}

// BillingCurrency is the currency of new billing accounts and plans:
// billing.currency, or the default.
func (cfg Config) BillingCurrency() string {
	return cmp.Or(cfg.Billing.Currency, app.DefaultCurrency)
}
