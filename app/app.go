package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/gallant-sms/gallant/account"
	"github.com/gallant-sms/gallant/billing"
	"github.com/gallant-sms/gallant/campaign"
	"github.com/gallant-sms/gallant/consent"
	"github.com/gallant-sms/gallant/gateway"
	"github.com/gallant-sms/gallant/store"
	"github.com/gallant-sms/gallant/webhook"
)

// Deps are what the use cases run on.
type Deps struct {
	Store    *store.Store
	Accounts *account.Service
	// Users are the dashboard users and their sessions; nil leaves
	// Identity and session tokens out.
	Users *account.Users
	// Gateway sends messages and holds this instance's SMPP binds (ended
	// when their account is suspended or their credential changes); nil
	// leaves Messages out and ends no binds.
	Gateway *gateway.Service
	// Billing prices and holds balances; nil when billing is off: then
	// there are no Billing and Alerts services, and costs in reports are
	// unknown.
	Billing *gateway.Billing
	// URLs judges the webhook URLs callers store (alerts, accounts).
	URLs *webhook.Guard
	// Currency is the currency of new balances and plans that have no
	// reseller's to follow (billing.currency; default EUR).
	Currency string
	// OptOuts is the consent ledger (kept equal to the store by its
	// owner); nil leaves the OptOuts service out.
	OptOuts *consent.Ledger
	// IdempotencyRetention is how long an idempotent answer is kept.
	IdempotencyRetention time.Duration
	Log                  *slog.Logger
	// LinksDomain turns tracked short links on (links.domain, such as
	// https://gal.example); empty leaves them off.
	LinksDomain string
	// ImportDir holds the spooled uploads of contact imports ("" is the
	// system's temporary directory); the owner closes ContactImports.
	ImportDir string
	// Campaigns configures the campaign engine (campaigns.* settings).
	Campaigns campaign.Config
	// Retention is how long records live (retention.* settings): the
	// Purger deletes older ones; nil leaves it out.
	Retention *RetentionPolicy
	// Registerer receives the metrics of the background services (nil:
	// none).
	Registerer prometheus.Registerer
}

// App holds the use cases. A service that its dependencies do not allow
// is nil (see [Deps]).
type App struct {
	Auth        *Auth
	Identity    *Identity
	Messages    *Messages
	Idempotency *Idempotency
	Accounts    *Accounts
	Reports     *Reports
	Billing     *Billing // nil without billing
	Alerts      *Alerts  // nil without billing
	DistLists   *DistLists
	OptOuts     *OptOuts // nil without Deps.OptOuts
	Keywords    *Keywords
	Numbers     *Numbers // inbound numbers (app/numbers.go)
	Inbound     *Inbound // MOs and conversations (app/inbound.go)
	Contacts    *Contacts
	Lists       *Lists // static contact lists (app/lists.go)
	Templates   *Templates
	Links       *Links // GET /l/{code}; answers not found with links off
	// ShortLinks makes the tracked short links campaigns send; nil
	// without Deps.LinksDomain.
	ShortLinks *campaign.Links
	Segments   *Segments
	// ContactImports runs import jobs in goroutines: close it on shutdown.
	ContactImports *ContactImports
	ContactExport  *ContactExport
	// Campaigns runs the campaigns and their engine (app/campaigns.go);
	// nil without a gateway. Start and Stop its engine with the process.
	Campaigns *Campaigns
	// Operator is the platform admins' view of carriers and routes
	// (app/operator.go); never nil.
	Operator *Operator
	// Privacy answers data-subject requests (app/privacy.go); never nil.
	Privacy *Privacy
	// Purger deletes records past their retention (app/retention.go);
	// nil without Deps.Retention. StartBackground starts it.
	Purger *Purger
	// CarrierConfigs edits the stored carriers and route plans
	// (app/carriers_config.go); never nil.
	CarrierConfigs *CarrierConfigs
	// Hooks are the accounts' event subscriptions (app/hooks.go); never
	// nil. Without a gateway (and its webhook dispatcher) they are
	// stored and posted by no one.
	Hooks *Hooks
}

// New builds the use cases over d.
func New(d Deps) *App {
	if d.Log == nil {
		d.Log = slog.New(slog.DiscardHandler)
	}
	if d.Currency == "" {
		d.Currency = DefaultCurrency
	}
	a := &App{
		Idempotency: &Idempotency{st: d.Store, retention: d.IdempotencyRetention},
		Accounts: &Accounts{st: d.Store, acc: d.Accounts, pay: billing.NewManualProvider(d.Store), gw: d.Gateway,
			urls: d.URLs, currency: d.Currency, log: d.Log.With("component", "accounts")},
		Reports:   &Reports{st: d.Store, acc: d.Accounts, now: time.Now},
		DistLists: &DistLists{st: d.Store},
		Keywords:  &Keywords{st: d.Store},
		Numbers:   NewNumbers(d.Store, d.Gateway, d.URLs),
		Inbound:   &Inbound{st: d.Store},
		Contacts:  &Contacts{st: d.Store},
	}
	a.Lists = &Lists{st: d.Store, contacts: a.Contacts}
	var fan *webhook.Hooks
	if d.Gateway != nil {
		fan = d.Gateway.Hooks()
	}
	a.Hooks, a.Contacts.hooks = NewHooks(d.Store, fan, d.URLs), fan
	if d.OptOuts != nil && fan != nil {
		d.OptOuts.OnRecorded(optOutHooks(fan))
	}
	if d.LinksDomain != "" {
		l, err := campaign.NewLinks(d.Store, d.LinksDomain)
		if err != nil { // the configuration checks it first
			d.Log.Error("short links off", "err", err)
		}
		a.ShortLinks = l
	}
	a.Templates = NewTemplates(d.Store, a.ShortLinks, d.Billing)
	a.Links = NewLinks(d.Store, a.ShortLinks != nil, d.Log.With("component", "links"))
	if a.ShortLinks != nil {
		a.Links.host = shortHost(a.ShortLinks.Domain())
	}
	a.Segments, a.ContactExport = &Segments{st: d.Store}, &ContactExport{st: d.Store}
	a.ContactImports = NewContactImports(d.Store, d.ImportDir, "", d.Log)
	a.Auth = &Auth{acc: d.Accounts}
	if d.Users != nil {
		a.Auth.sessions = account.NewSessions(d.Users)
		a.Identity = &Identity{acc: d.Accounts, users: d.Users, gw: d.Gateway, log: d.Log.With("component", "identity")}
	}
	if d.OptOuts != nil {
		a.OptOuts = &OptOuts{st: d.Store, ledger: d.OptOuts}
	}
	if d.Gateway != nil {
		a.Messages = &Messages{gw: d.Gateway, st: d.Store, acc: d.Accounts, billing: d.Billing != nil}
		a.Campaigns = newCampaigns(d, a.ShortLinks)
	}
	a.Operator = NewOperator(d.Accounts, d.Gateway, nil)
	a.Privacy = NewPrivacy(d.Store, d.Accounts, nil, d.Log.With("component", "privacy"))
	if d.Gateway != nil {
		a.Privacy.cancel = d.Gateway
	}
	if d.Retention != nil {
		a.Purger = NewPurger(d.Store, *d.Retention, d.Log, d.Registerer)
	}
	a.CarrierConfigs = NewCarrierConfigs(d.Store, d.Accounts, d.Gateway, d.Log.With("component", "carriers"))
	a.CarrierConfigs.currency = d.Currency
	if d.Billing != nil {
		a.Operator.pricer = d.Billing.Pricer
		a.Accounts.pricer, a.Accounts.balances = d.Billing.Pricer, d.Billing.Balances
		a.Reports.pricer = d.Billing.Pricer
		a.Billing = &Billing{st: d.Store, bill: d.Billing}
		a.Alerts = &Alerts{st: d.Store, acc: d.Accounts, urls: d.URLs}
	}
	return a
}

// DefaultCurrency is the currency of new balances and plans when the
// configuration names none.
const DefaultCurrency = "EUR"

// StartBackground starts the work the use cases do on their own: the
// campaign engine (when there is one) and the retention purger.
func (a *App) StartBackground() {
	if a.Campaigns != nil {
		a.Campaigns.Start()
	}
	if a.Purger != nil {
		a.Purger.Start()
	}
}

// StopBackground stops what StartBackground started and the contact
// import jobs (a running import ends failed, keeping what it stored),
// waiting for them within ctx. A nil App has nothing to stop.
func (a *App) StopBackground(ctx context.Context) error {
	if a == nil {
		return nil
	}
	if a.ContactImports != nil {
		a.ContactImports.Close()
	}
	var errs []error
	if a.Purger != nil {
		errs = append(errs, a.Purger.Stop(ctx))
	}
	if a.Campaigns != nil {
		if err := a.Campaigns.Stop(ctx); err != nil {
			errs = append(errs, fmt.Errorf("campaigns: %w", err))
		}
	}
	return errors.Join(errs...)
}
