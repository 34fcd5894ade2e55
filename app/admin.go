package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"github.com/gallant-sms/gallant/account"
	"github.com/gallant-sms/gallant/billing"
	"github.com/gallant-sms/gallant/store"
)

// Admin holds the platform admin's use cases for the command line
// ("gallant admin ..."). They act on the store directly as the platform
// admin, with no user: audit entries carry IP "cli". Running instances
// see their effect within their cache life (30 seconds) and at their
// next price reload.
type Admin struct {
	st       *store.Store
	acc      *account.Service
	currency string
	log      *slog.Logger
}

// cliAdmin is the actor of the command line.
var cliAdmin = account.Actor{Role: account.RoleAdmin}

// NewAdmin returns the admin use cases over st; currency is that of new
// balances and plans ("" is [DefaultCurrency]).
func NewAdmin(st *store.Store, logger *slog.Logger, currency string) *Admin {
	if currency == "" {
		currency = DefaultCurrency
	}
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &Admin{st: st, acc: account.New(st, logger), currency: currency, log: logger}
}

// Currency is the currency of new balances and plans.
func (a *Admin) Currency() string { return a.currency }

// CreateAccount creates an account of kind below parent (0: none) with
// its default API key, an SMPP credential, its balance at zero in the
// admin's currency and, for a reseller or the platform, an admin-scope
// key (their keys act by that role only with the admin scope), all in
// one transaction.
func (a *Admin) CreateAccount(ctx context.Context, name string, kind store.AccountKind, parent int64) (account.Created, error) {
	if !billing.ValidCurrency(a.currency) {
		return account.Created{}, fmt.Errorf("billing.currency %q is not an ISO 4217 code", a.currency)
	}
	if !kind.Valid() {
		return account.Created{}, fmt.Errorf("account kind %q: want customer, reseller or platform", kind)
	}
	if parent != 0 {
		if _, err := a.st.GetAccount(ctx, parent); err != nil {
			return account.Created{}, fmt.Errorf("parent %d: %w", parent, err)
		}
	}
	spec := account.AccountSpec{Name: name, Kind: kind, Parent: parent, Currency: a.currency}
	if kind != store.KindCustomer {
		spec.AdminKeyName = "admin"
	}
	if parent != 0 {
		spec.Audit = func(id int64) []*store.AuditEntry {
			return []*store.AuditEntry{{AccountID: id, Action: "account.create", Target: fmt.Sprintf("account:%d", id),
				Details: fmt.Sprintf("parent=%d kind=%s", parent, kind), IP: "cli"}}
		}
	}
	return a.acc.CreateAccountWith(ctx, spec)
}

// SetAccountStatus suspends or reactivates account id.
func (a *Admin) SetAccountStatus(ctx context.Context, id int64, status store.AccountStatus) error {
	return a.acc.SetAccountStatus(ctx, cliAdmin, id, status, "cli")
}

// AssignPlan makes plan planID account id's only plan and returns the
// plan; a plan in another currency than the account's balance is
// refused.
func (a *Admin) AssignPlan(ctx context.Context, id, planID int64) (*store.PricePlan, error) {
	sum, err := a.st.GetAccountSummary(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("account %d: %w", id, err)
	}
	pl, err := a.st.GetPricePlan(ctx, planID)
	if err != nil {
		return nil, err
	}
	if sum.Billing != nil && sum.Billing.Currency != pl.Currency {
		return nil, fmt.Errorf("plan %d is in %s but account %d bills in %s", planID, pl.Currency, id, sum.Billing.Currency)
	}
	if err := a.st.SetAccountPlan(ctx, id, planID); err != nil {
		return nil, err
	}
	if err := a.st.AppendAudit(ctx, &store.AuditEntry{AccountID: id, Action: "plan.assign",
		Target: fmt.Sprintf("plan:%d", planID), IP: "cli",
		Details: fmt.Sprintf("name=%s currency=%s owner=%d", pl.Name, pl.Currency, pl.OwnerAccountID)}); err != nil {
		return nil, fmt.Errorf("assigned, but not audited: %w", err)
	}
	return pl, nil
}

// EnsureBalance opens the balance (at zero, in the admin's currency) of
// account id if it has none, as for accounts created before billing. An
// unknown account is [store.ErrNotFound].
func (a *Admin) EnsureBalance(ctx context.Context, id int64) error {
	_, err := a.st.GetBillingAccount(ctx, id)
	if !errors.Is(err, store.ErrNotFound) {
		return err
	}
	if _, err := a.st.GetAccount(ctx, id); err != nil {
		return fmt.Errorf("account %d: %w", id, err)
	}
	err = a.st.CreateBillingAccount(ctx, &store.BillingAccount{AccountID: id, Currency: a.currency})
	if errors.Is(err, store.ErrDuplicate) { // opened meanwhile by someone else
		return nil
	}
	return err
}

// TopUp credits amount to account id's balance (opened first if need be)
// as a payment confirmed by a person (bank transfer, cash: the manual
// provider), and returns the payment and the balance right after.
func (a *Admin) TopUp(ctx context.Context, id int64, amount billing.Micros, reference string) (billing.Payment, *store.BillingAccount, error) {
	if err := a.EnsureBalance(ctx, id); err != nil {
		return billing.Payment{}, nil, err
	}
	pay, err := billing.NewManualProvider(a.st).Credit(ctx, id, amount, reference)
	if err != nil {
		return billing.Payment{}, nil, err
	}
	// The money is in: the account's pending top-up requests are answered.
	if _, err := a.st.ResolveTopUpRequests(ctx, id, 0, store.TopUpDone, 0); err != nil {
		a.log.Warn("resolve top-up requests", "account_id", id, "err", err)
	}
	b, err := a.st.GetBillingAccount(ctx, id)
	return pay, b, err
}

// CreatePlan stores plan p (in the admin's currency when it names none)
// and, when assignTo is set, adds it to that account's plans. The account
// is checked first, so that a mistyped id leaves no orphan plan.
func (a *Admin) CreatePlan(ctx context.Context, p *store.PricePlan, assignTo int64) error {
	if p.Currency == "" {
		p.Currency = a.currency
	}
	if assignTo > 0 {
		if _, err := a.st.GetAccount(ctx, assignTo); err != nil {
			return fmt.Errorf("account %d: %w", assignTo, err)
		}
	}
	if err := a.st.CreatePricePlan(ctx, p); err != nil {
		return err
	}
	if assignTo > 0 {
		if err := a.st.AssignPricePlan(ctx, assignTo, p.ID); err != nil {
			return fmt.Errorf("plan %d created, but not assigned: %w", p.ID, err)
		}
	}
	return nil
}

// AddBuyRate stores a carrier's buy rate (in the admin's currency when
// it names none); least-cost routes compare them.
func (a *Admin) AddBuyRate(ctx context.Context, r *store.BuyRate) error {
	if r.Currency == "" {
		r.Currency = a.currency
	}
	return a.st.AddBuyRate(ctx, r)
}

// CreateUser creates a dashboard user without an acting user, to
// bootstrap the platform's first admin (role admin on the platform
// account) or a customer's owner; users sends the verification mail when
// it has a mailer. The role must fit the account's kind.
func (a *Admin) CreateUser(ctx context.Context, users *account.Users, nu account.NewUser) (account.User, error) {
	acct, err := a.st.GetAccount(ctx, nu.AccountID)
	if err != nil {
		return account.User{}, fmt.Errorf("account %d: %w", nu.AccountID, err)
	}
	if err := account.RoleFitsKind(nu.Role, acct.Kind); err != nil {
		return account.User{}, fmt.Errorf("account %d is a %s account: %w", nu.AccountID, acct.Kind, err)
	}
	u, err := users.CreateUser(ctx, nu)
	if err != nil {
		return account.User{}, err
	}
	if err := a.st.AppendAudit(ctx, &store.AuditEntry{AccountID: nu.AccountID, Action: "user.create",
		Target: fmt.Sprintf("user:%d", u.ID), Details: "role=" + string(nu.Role) + " by gallant admin"}); err != nil {
		a.log.Warn("write audit log", "err", err) // the user exists: report it
	}
	return u, nil
}

// Accounts returns the account service the admin acts through.
func (a *Admin) Accounts() *account.Service { return a.acc }
