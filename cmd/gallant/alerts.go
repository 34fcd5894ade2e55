package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"time"

	appsvc "github.com/gallant-sms/gallant/app"
	"github.com/gallant-sms/gallant/billing"
	"github.com/gallant-sms/gallant/gateway"
	"github.com/gallant-sms/gallant/internal/config"
	"github.com/gallant-sms/gallant/store"
)

// alerts is the app's low-balance alerting: the sweep that fires alerts
// and the notifier that sends them. It exists only with billing.
type alerts struct {
	sweep  *billing.Alerter
	notify *gateway.AlertNotifier
}

// newAlerts builds the alerting of a (billing on), sending mail with the
// app's mailer.
func (a *app) newAlerts() error {
	if a.bill == nil {
		return nil
	}
	n := gateway.NewAlertNotifier(gateway.AlertConfig{Secret: a.cfg.Webhooks.Secret, Mailer: a.mailer, Guard: a.hooks.Guard(), Hooks: a.gw.Hooks(),
		Registerer: a.reg}, a.st, a.log)
	sw, err := billing.NewAlerter(a.st, n, a.log)
	if err != nil {
		return err
	}
	a.alerts = &alerts{sweep: sw, notify: n}
	return nil
}

// startAlerts starts the notifier and the periodic sweep (stopped with
// the app's other loops), and keeps least-cost routing's buy rates in
// step with the price reloads.
func (a *app) startAlerts() {
	if a.bill == nil {
		return
	}
	if err := a.gw.RefreshBuyRates(); err != nil {
		a.log.Error("buy rates", "err", err)
	}
	a.every(pricesReload, "refresh buy rates", func(context.Context) error { return a.gw.RefreshBuyRates() })
	if a.alerts == nil {
		return
	}
	a.alerts.notify.Start()
	interval := a.cfg.Billing.AlertInterval
	if interval <= 0 {
		interval = config.Default().Billing.AlertInterval
	}
	a.every(interval, "low-balance alerts", func(ctx context.Context) error {
		_, err := a.alerts.sweep.Sweep(ctx)
		return err
	})
}

// stopAlerts stops the notifier (after the loops have stopped).
func (a *app) stopAlerts(ctx context.Context) error {
	if a.alerts == nil {
		return nil
	}
	return a.alerts.notify.Stop(ctx)
}

// buyRateOut is the output of "admin buyrate add".
type buyRateOut struct {
	Carrier     string `json:"carrier"`
	Prefix      string `json:"prefix"`
	Price       string `json:"price"`
	PriceMicros int64  `json:"price_micros"`
	Currency    string `json:"currency"`
	ValidFrom   string `json:"valid_from"`
}

// buyRateAdd stores a carrier's buy rate for a prefix, in force from now;
// least-cost routes compare them (running instances pick it up at their
// next price reload).
func (e adminEnv) buyRateAdd(ctx context.Context, args []string) error {
	var carrier, prefix, price, currency string
	path, err := e.parse("buyrate add", args, func(fs *flag.FlagSet) {
		fs.StringVar(&carrier, "carrier", "", "the carrier's name, as in the configuration")
		fs.StringVar(&prefix, "prefix", "", "E.164 digits the rate applies to, e.g. 44")
		fs.StringVar(&price, "price", "", "what the carrier charges per segment, e.g. 0.0042")
		fs.StringVar(&currency, "currency", "", "ISO 4217 currency (default billing.currency of the configuration)")
	})
	if err != nil {
		return err
	}
	switch {
	case carrier == "" || len(carrier) > 64:
		return usageError{errors.New("admin buyrate add: --carrier must be 1 to 64 bytes")}
	case !store.ValidPrefix(prefix):
		return usageError{errors.New("admin buyrate add: --prefix must be 1 to 15 digits (E.164, no '+')")}
	case currency != "" && !billing.ValidCurrency(currency):
		return usageError{fmt.Errorf("admin buyrate add: --currency %q is not an ISO 4217 code such as EUR", currency)}
	}
	m, err := billing.ParseMicros(price)
	if err != nil || m < 0 {
		return usageError{fmt.Errorf("admin buyrate add: --price %q must be a decimal amount >= 0", price)}
	}
	return e.withAdmin(ctx, path, func(_ config.Config, ad *appsvc.Admin) (any, error) {
		r := &store.BuyRate{Carrier: carrier, Prefix: prefix, PriceMicros: int64(m), Currency: currency,
			ValidFrom: time.Now().UTC().Truncate(time.Microsecond)}
		if err := ad.AddBuyRate(ctx, r); err != nil {
			return nil, err
		}
		return buyRateOut{Carrier: carrier, Prefix: prefix, Price: m.String(), PriceMicros: int64(m), Currency: r.Currency,
			ValidFrom: r.ValidFrom.Format(time.RFC3339Nano)}, nil
	})
}
