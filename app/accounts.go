package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/gallant-sms/gallant/account"
	"github.com/gallant-sms/gallant/billing"
	"github.com/gallant-sms/gallant/gateway"
	"github.com/gallant-sms/gallant/store"
	"github.com/gallant-sms/gallant/webhook"
)

// Accounts is the use cases of the account tree (sub-accounts, resellers,
// suspension, price plans, top-ups, the audit log) over the account
// service, the store and billing. Every
// call is checked with the account policy (account.Service.Can through
// actorOf): an account the caller may not read is answered as unknown
// (404), one it may read but not change with 403.
type Accounts struct {
	st  *store.Store
	acc *account.Service
	// pricer and balances are nil when billing is off; balances then
	// still change in the store, and plans still change for the next
	// start with billing on.
	pricer   *billing.Pricer
	balances *billing.Balances
	pay      billing.PaymentProvider
	// gw unbinds the SMPP sessions of a suspended account; nil skips it.
	gw *gateway.Service
	// urls judges webhook URLs, as for status callbacks.
	urls     *webhook.Guard
	currency string // of new balances without a reseller's
	log      *slog.Logger
}

// Problems of the account endpoints.
var (
	errNoAccount = NotFound("no such account")
	errNoPlan    = NotFound("no such plan")
)

// role is the role p acts with; anything unknown is a member.
func role(p Principal) account.Role {
	r := account.Role(p.Role)
	if !r.Valid() {
		return account.RoleMember
	}
	return r
}

// visible returns account id's summary when p may read it, else the
// not-found problem.
func (s *Accounts) visible(ctx context.Context, p Principal, id int64) (store.AccountSummary, error) {
	err := s.acc.Can(ctx, actorOf(p), account.ActionRead, id)
	if errors.Is(err, account.ErrForbidden) {
		return store.AccountSummary{}, errNoAccount
	}
	if err != nil {
		return store.AccountSummary{}, err
	}
	sum, err := s.st.GetAccountSummary(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return store.AccountSummary{}, errNoAccount
	}
	return sum, err
}

// may checks that p may do action to account id (which it can see).
func (s *Accounts) may(ctx context.Context, p Principal, action account.Action, id int64, what string) error {
	err := s.acc.Can(ctx, actorOf(p), action, id)
	if errors.Is(err, account.ErrForbidden) {
		return Forbidden("your role may not " + what)
	}
	return err
}

// auditEntry is the audit entry of p's action.
func (s *Accounts) auditEntry(p Principal, accountID int64, action, target, details, ip string) *store.AuditEntry {
	e := &store.AuditEntry{AccountID: accountID, ActorUserID: p.UserID, Action: action, Target: target,
		Details: details, IP: ip}
	if p.UserID == 0 && p.KeyID != 0 {
		e.Details = strings.TrimSpace(e.Details + fmt.Sprintf(" by_key=%d by_account=%d", p.KeyID, p.AccountID))
	}
	return e
}

// audit appends an entry; a failure is logged, as the action is done.
func (s *Accounts) audit(ctx context.Context, p Principal, accountID int64, action, target, details, ip string) {
	if err := s.st.AppendAudit(ctx, s.auditEntry(p, accountID, action, target, details, ip)); err != nil {
		s.log.Warn("write audit log", "action", action, "account_id", accountID, "err", err)
	}
}

func accountView(sum store.AccountSummary) AccountView {
	v := AccountView{ID: sum.ID, Name: sum.Name, Kind: string(sum.Kind), Status: string(sum.Status),
		ParentID: sum.ParentID, TPSLimit: sum.TPSLimit, WebhookURL: sum.WebhookURL, CreatedAt: sum.CreatedAt}
	if sum.Billing != nil {
		b := balanceView(sum.Billing)
		v.Balance = &b
	}
	return v
}

func balanceView(b *store.BillingAccount) BalanceView {
	return BalanceView{Currency: b.Currency, Balance: b.Balance, Held: b.Held, CreditLimit: b.CreditLimit,
		Available: b.Available()}
}

// view reads account id again for the answer.
func (s *Accounts) view(ctx context.Context, id int64) (AccountView, error) {
	sum, err := s.st.GetAccountSummary(ctx, id)
	if err != nil {
		return AccountView{}, err
	}
	return accountView(sum), nil
}

// List returns a page of the accounts p may see, in id order after the cursor:
// every account for an admin, the reseller and the accounts below it for a
// reseller, its own account otherwise.
func (s *Accounts) List(ctx context.Context, p Principal, cursor string, limit int) (AccountPage, error) {
	var after int64
	if cursor != "" {
		n, err := strconv.ParseInt(cursor, 10, 64)
		if err != nil || n < 0 {
			return AccountPage{}, Invalid("cursor", "malformed cursor")
		}
		after = n
	}
	var rows []store.AccountSummary
	switch role(p) {
	case account.RoleAdmin:
		r, err := s.st.ListAccounts(ctx, 0, after, limit)
		if err != nil {
			return AccountPage{}, err
		}
		rows = r
	case account.RoleReseller:
		r, err := s.st.ListAccounts(ctx, p.AccountID, after, limit)
		if err != nil {
			return AccountPage{}, err
		}
		rows = r
	default:
		// Owners and members see their own account only, never what an
		// admin may have put below it.
		if after < p.AccountID {
			sum, err := s.st.GetAccountSummary(ctx, p.AccountID)
			if err != nil {
				return AccountPage{}, err
			}
			rows = []store.AccountSummary{sum}
		}
	}
	page := AccountPage{Items: make([]AccountView, len(rows))}
	for i := range rows {
		page.Items[i] = accountView(rows[i])
	}
	if len(rows) == limit && role(p) != account.RoleOwner && role(p) != account.RoleMember {
		page.NextCursor = strconv.FormatInt(rows[len(rows)-1].ID, 10)
	}
	return page, nil
}

// Create creates an account, with an owner API key (admin scope), SMPP
// credentials and a balance, in one transaction: a reseller creates
// customers below itself, an admin anything anywhere.
func (s *Accounts) Create(ctx context.Context, p Principal, req CreateAccountRequest) (CreatedAccount, error) {
	kind := store.AccountKind(req.Kind)
	if kind == "" {
		kind = store.KindCustomer
	}
	parent := int64(req.ParentID)
	switch role(p) {
	case account.RoleAdmin:
	case account.RoleReseller:
		if kind != store.KindCustomer {
			return CreatedAccount{}, Forbidden("a reseller creates customer accounts only")
		}
		if parent != 0 && parent != p.AccountID {
			if _, err := s.visible(ctx, p, parent); err != nil {
				return CreatedAccount{}, err
			}
			return CreatedAccount{}, Forbidden("a reseller creates accounts directly below itself only")
		}
		parent = p.AccountID
	default:
		return CreatedAccount{}, Forbidden("only an admin or a reseller creates accounts")
	}
	var parentBill *store.BillingAccount
	if parent != 0 {
		ps, err := s.visible(ctx, p, parent)
		if err != nil {
			if errors.Is(err, errNoAccount) {
				return CreatedAccount{}, Invalid("parent_id", "no such account")
			}
			return CreatedAccount{}, err
		}
		if ps.Kind == store.KindCustomer {
			return CreatedAccount{}, Invalid("parent_id", "accounts go below a reseller (or the platform), not a customer")
		}
		parentBill = ps.Billing
	}

	cur := s.currency
	if parentBill != nil {
		cur = parentBill.Currency
	}
	// One transaction: the account, its kind, its place below the
	// parent, its owner key, its SMPP credential, its balance and the
	// audit entries. The owner's key holds the admin scope: it acts as
	// owner, reseller or platform admin by the account's kind.
	spec := account.AccountSpec{Name: req.Name, Kind: kind, Parent: parent, KeyName: "owner",
		KeyScopes: []string{account.ScopeAdmin}, Currency: cur}
	var c account.Created
	var err error
	if parent != 0 {
		c, err = s.acc.CreateSubAccountWith(ctx, actorOf(p), spec, req.IP)
	} else {
		spec.Audit = func(id int64) []*store.AuditEntry {
			return []*store.AuditEntry{s.auditEntry(p, id, "account.create", fmt.Sprintf("account:%d", id), "kind="+string(kind), req.IP)}
		}
		c, err = s.acc.CreateAccountWith(ctx, spec)
	}
	if errors.Is(err, account.ErrForbidden) {
		return CreatedAccount{}, Forbidden("your role may not create accounts there")
	}
	if err != nil {
		return CreatedAccount{}, err
	}
	id := c.AccountID
	key := c.APIKey
	// Price the new account by its reseller's default plan from its first
	// message on this instance (the pricer's account-to-reseller map is
	// loaded with the plans; other instances reload every 30 s).
	s.reloadPrices(ctx)
	v, err := s.view(ctx, id)
	if err != nil {
		return CreatedAccount{}, err
	}
	return CreatedAccount{Account: v, APIKey: key, SMPPSystemID: c.SystemID, SMPPPassword: c.SMPPPassword,
		WebhookSecret: c.WebhookSecret}, nil
}

// Get returns account id, if p may read it.
func (s *Accounts) Get(ctx context.Context, p Principal, id int64) (AccountView, error) {
	sum, err := s.visible(ctx, p, id)
	if err != nil {
		return AccountView{}, err
	}
	return accountView(sum), nil
}

// Update changes the settings req sets: name and webhook URL (the
// account's managers), TPS limit (its reseller or an admin), credit limit
// (an admin).
func (s *Accounts) Update(ctx context.Context, p Principal, id int64, req UpdateAccountRequest) (AccountView, error) {
	sum, err := s.visible(ctx, p, id)
	if err != nil {
		return AccountView{}, err
	}
	if req.Name != nil || req.WebhookURL != nil {
		if err := s.may(ctx, p, account.ActionManage, id, "change this account's settings"); err != nil {
			return AccountView{}, err
		}
	}
	if req.TPSLimit != nil {
		// The rate is sold: the reseller above the account or an admin
		// sets it, never the account itself.
		if err := s.may(ctx, p, account.ActionSuspend, id, "change this account's TPS limit"); err != nil {
			return AccountView{}, err
		}
	}
	if req.CreditLimit != nil && role(p) != account.RoleAdmin {
		return AccountView{}, Forbidden("only an admin sets credit limits")
	}
	if req.WebhookURL != nil && *req.WebhookURL != "" {
		// Checked once the caller may change it, so that nobody else can
		// probe the network through the answer.
		if err := s.urls.CheckStoredURL(ctx, *req.WebhookURL); err != nil {
			return AccountView{}, invalidURL("webhook_url", err)
		}
	}
	var changed []string
	if req.Name != nil || req.TPSLimit != nil || req.WebhookURL != nil {
		if err := s.acc.UpdateAccount(ctx, id, store.AccountUpdate{Name: req.Name, TPSLimit: req.TPSLimit,
			WebhookURL: req.WebhookURL}); err != nil {
			return AccountView{}, err
		}
		if req.Name != nil {
			changed = append(changed, "name="+*req.Name)
		}
		if req.TPSLimit != nil {
			changed = append(changed, "tps_limit="+strconv.Itoa(*req.TPSLimit))
		}
		if req.WebhookURL != nil {
			changed = append(changed, "webhook_url="+*req.WebhookURL)
		}
	}
	if req.CreditLimit != nil {
		if sum.Billing == nil {
			if err := s.ensureBalance(ctx, sum); err != nil {
				return AccountView{}, err
			}
		}
		if err := s.st.SetCreditLimit(ctx, id, req.CreditLimitMicros); err != nil {
			return AccountView{}, err
		}
		changed = append(changed, "credit_limit="+billing.Micros(req.CreditLimitMicros).String())
	}
	s.audit(ctx, p, id, "account.update", fmt.Sprintf("account:%d", id), strings.Join(changed, " "), req.IP)
	return s.view(ctx, id)
}

// ensureBalance opens sum's balance at zero (for accounts made before
// billing), in its reseller's currency when it has one.
func (s *Accounts) ensureBalance(ctx context.Context, sum store.AccountSummary) error {
	cur := s.currency
	if sum.ParentID != 0 {
		if pb, err := s.st.GetBillingAccount(ctx, sum.ParentID); err == nil {
			cur = pb.Currency
		}
	}
	err := s.st.CreateBillingAccount(ctx, &store.BillingAccount{AccountID: sum.ID, ResellerID: sum.ParentID, Currency: cur})
	if errors.Is(err, store.ErrDuplicate) {
		return nil
	}
	return err
}

// SetSuspended suspends (or reactivates) account id at once, and unbinds
// its SMPP sessions on this instance.
func (s *Accounts) SetSuspended(ctx context.Context, p Principal, id int64, suspended bool, ip string) (AccountView, error) {
	if _, err := s.visible(ctx, p, id); err != nil {
		return AccountView{}, err
	}
	status := store.AccountActive
	if suspended {
		status = store.AccountSuspended
	}
	err := s.acc.SetAccountStatus(ctx, actorOf(p), id, status, ip)
	if errors.Is(err, account.ErrForbidden) {
		return AccountView{}, Forbidden("your role may not suspend or reactivate this account")
	}
	if err != nil {
		return AccountView{}, err
	}
	if suspended {
		s.unbind(ctx, id)
	}
	return s.view(ctx, id)
}

// unbind ends the open SMPP sessions of account id on this instance
// (see gateway.Service.UnbindAccount).
func (s *Accounts) unbind(ctx context.Context, id int64) {
	if s.gw == nil {
		return
	}
	if n := s.gw.UnbindAccount(ctx, id); n > 0 {
		s.log.Info("unbound the sessions of a suspended account", "account_id", id, "sessions", n)
	}
}

// TopUp adds money to account id's balance: an admin's top-up is a
// payment recorded by the payment provider, a reseller's a transfer from
// its own balance.
func (s *Accounts) TopUp(ctx context.Context, p Principal, id int64, req TopUpRequest) (TopUpResult, error) {
	sum, err := s.visible(ctx, p, id)
	if err != nil {
		return TopUpResult{}, err
	}
	amount := billing.Micros(req.AmountMicros)
	switch role(p) {
	case account.RoleAdmin:
		if err := s.ensureBalance(ctx, sum); err != nil {
			return TopUpResult{}, err
		}
		pay, err := s.pay.Credit(ctx, id, amount, req.Reference)
		if err != nil {
			return TopUpResult{}, err
		}
		s.balances.Credited(id)
		s.audit(ctx, p, id, "balance.topup", fmt.Sprintf("account:%d", id),
			fmt.Sprintf("amount=%s provider=%s reference=%s ledger=%d", amount, pay.Provider, pay.Reference, pay.LedgerID), req.IP)
		s.resolveAsks(ctx, p, id)
		b, err := s.st.GetBillingAccount(ctx, id)
		if err != nil {
			return TopUpResult{}, err
		}
		return TopUpResult{Source: TopUpPayment, Balance: balanceView(b),
			Entry: LedgerItem{ID: pay.LedgerID, Kind: string(store.LedgerTopUp), Amount: int64(amount),
				Reason: pay.Provider + ": " + pay.Reference, At: pay.At}}, nil
	case account.RoleReseller:
		// A reseller funds the accounts below it, never itself.
		if err := s.may(ctx, p, account.ActionSuspend, id, "top up this account"); err != nil {
			return TopUpResult{}, err
		}
		if _, err := s.st.GetBillingAccount(ctx, p.AccountID); errors.Is(err, store.ErrNotFound) {
			return TopUpResult{}, insufficientBalance("your account has no balance to transfer from")
		} else if err != nil {
			return TopUpResult{}, err
		}
		if err := s.ensureBalance(ctx, sum); err != nil {
			return TopUpResult{}, err
		}
		tr, err := billing.Transfer(ctx, s.st, s.balances, p.AccountID, id, amount,
			fmt.Sprintf("transfer %d->%d: %s", p.AccountID, id, req.Reference))
		switch {
		case errors.Is(err, billing.ErrInsufficientBalance):
			return TopUpResult{}, insufficientBalance("your available balance does not cover " + amount.String())
		case errors.Is(err, store.ErrInvalid):
			return TopUpResult{}, refuse(KindUnprocessable, "amount", "your balance and this account's are in different currencies")
		case err != nil:
			return TopUpResult{}, err
		}
		details := fmt.Sprintf("amount=%s from=%d to=%d reference=%s", amount, p.AccountID, id, req.Reference)
		s.audit(ctx, p, id, "balance.topup", fmt.Sprintf("account:%d", id), details+fmt.Sprintf(" ledger=%d", tr.In.ID), req.IP)
		s.audit(ctx, p, p.AccountID, "balance.transfer_out", fmt.Sprintf("account:%d", id), details+fmt.Sprintf(" ledger=%d", tr.Out.ID), req.IP)
		s.resolveAsks(ctx, p, id)
		return TopUpResult{Source: TopUpTransfer, Balance: balanceView(&tr.To),
			Entry: LedgerItem{ID: tr.In.ID, Kind: string(tr.In.Kind), Amount: tr.In.Amount, Reason: tr.In.Reason,
				At: tr.In.CreatedAt}}, nil
	}
	return TopUpResult{}, Forbidden("only an admin or the account's reseller tops up accounts")
}

func planView(pl *store.PricePlan) PlanView {
	v := PlanView{ID: pl.ID, OwnerAccountID: pl.OwnerAccountID, Name: pl.Name, Currency: pl.Currency,
		Default: pl.Default, ValidFrom: pl.ValidFrom, CreatedAt: pl.CreatedAt, Prices: make([]PlanPriceView, len(pl.Prices))}
	if !pl.ValidTo.IsZero() {
		t := pl.ValidTo
		v.ValidTo = &t
	}
	for i, pr := range pl.Prices {
		v.Prices[i] = PlanPriceView{Prefix: pr.Prefix, Price: billing.Micros(pr.PriceMicros).String(), PriceMicros: pr.PriceMicros}
	}
	return v
}

// Plans returns the price plans p may see.
func (s *Accounts) Plans(ctx context.Context, p Principal) ([]PlanView, error) {
	var plans []store.PricePlan
	var err error
	switch role(p) {
	case account.RoleAdmin:
		plans, err = s.st.PricePlansByOwner(ctx, 0)
	case account.RoleReseller:
		plans, err = s.st.PricePlansByOwner(ctx, p.AccountID)
	default:
		plans, err = s.st.PricePlansOfAccount(ctx, p.AccountID)
		if err == nil {
			plans, err = s.withPlanInForce(ctx, p.AccountID, plans)
		}
	}
	if err != nil {
		return nil, err
	}
	out := make([]PlanView, len(plans))
	for i := range plans {
		out[i] = planView(&plans[i])
	}
	return out, nil
}

// CreatePlan creates a price plan: a platform or reseller plan for an
// admin, the reseller's own for a reseller.
func (s *Accounts) CreatePlan(ctx context.Context, p Principal, req CreatePlanRequest) (PlanView, error) {
	owner := int64(req.OwnerAccountID)
	switch role(p) {
	case account.RoleAdmin:
		if owner != 0 {
			sum, err := s.st.GetAccountSummary(ctx, owner)
			if errors.Is(err, store.ErrNotFound) || (err == nil && sum.Kind != store.KindReseller) {
				return PlanView{}, Invalid("owner_account_id", "the owner of a plan is a reseller")
			}
			if err != nil {
				return PlanView{}, err
			}
		}
	case account.RoleReseller:
		if owner != 0 && owner != p.AccountID {
			return PlanView{}, Forbidden("a reseller creates plans of its own only")
		}
		owner = p.AccountID
	default:
		return PlanView{}, Forbidden("only an admin or a reseller creates price plans")
	}
	pl := &store.PricePlan{OwnerAccountID: owner, Name: req.Name, Currency: req.Currency, Default: req.Default,
		ValidFrom: time.Now().UTC().Truncate(time.Microsecond), Prices: make([]store.PlanPrice, len(req.Prices))}
	if req.ValidFrom != nil {
		pl.ValidFrom = req.ValidFrom.UTC().Truncate(time.Microsecond)
	}
	if req.ValidTo != nil {
		pl.ValidTo = req.ValidTo.UTC().Truncate(time.Microsecond)
	}
	for i, pr := range req.Prices {
		pl.Prices[i] = store.PlanPrice{Prefix: pr.Prefix, PriceMicros: pr.PriceMicros}
	}
	if err := s.st.CreatePricePlan(ctx, pl); err != nil {
		if errors.Is(err, store.ErrInvalid) {
			return PlanView{}, Invalid("", "the plan cannot be stored as given: "+err.Error())
		}
		return PlanView{}, err
	}
	s.reloadPrices(ctx)
	auditAccount := owner
	if auditAccount == 0 {
		auditAccount = p.AccountID
	}
	s.audit(ctx, p, auditAccount, "plan.create", fmt.Sprintf("plan:%d", pl.ID),
		fmt.Sprintf("name=%s currency=%s default=%t owner=%d prices=%d", pl.Name, pl.Currency, pl.Default, owner, len(pl.Prices)), req.IP)
	return planView(pl), nil
}

// reloadPrices makes this instance price with the plans just changed
// (other instances reload every pricesReload).
func (s *Accounts) reloadPrices(ctx context.Context) {
	if s.pricer == nil {
		return
	}
	if err := s.pricer.Reload(ctx); err != nil {
		s.log.Error("reload price plans after a change", "err", err)
	}
}

// planFor returns plan id if p may see it: an admin every plan, a
// reseller its own and those assigned to it, anyone else those assigned
// to its account.
func (s *Accounts) planFor(ctx context.Context, p Principal, id int64) (*store.PricePlan, error) {
	pl, err := s.st.GetPricePlan(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, errNoPlan
	}
	if err != nil {
		return nil, err
	}
	r := role(p)
	if r == account.RoleAdmin || (r == account.RoleReseller && pl.OwnerAccountID == p.AccountID) {
		return pl, nil
	}
	if inForce, ok := s.planInForce(p.AccountID); ok && inForce == id {
		return pl, nil // the plan the account is priced by: its price list
	}
	assigned, err := s.st.PricePlansOfAccount(ctx, p.AccountID)
	if err != nil {
		return nil, err
	}
	for _, a := range assigned {
		if a.ID == id {
			return pl, nil
		}
	}
	return nil, errNoPlan
}

// planInForce is the id of the plan account id is priced by now, when
// billing is on and a plan is in force.
func (s *Accounts) planInForce(id int64) (int64, bool) {
	if s.pricer == nil {
		return 0, false
	}
	return s.pricer.PlanInForce(id, time.Now())
}

// withPlanInForce adds to plans, those assigned to account id, the plan
// it is priced by when that is none of them (its reseller's default or
// the platform's): a customer's price list is the plan it buys at.
func (s *Accounts) withPlanInForce(ctx context.Context, id int64, plans []store.PricePlan) ([]store.PricePlan, error) {
	inForce, ok := s.planInForce(id)
	if !ok {
		return plans, nil
	}
	for _, pl := range plans {
		if pl.ID == inForce {
			return plans, nil
		}
	}
	pl, err := s.st.GetPricePlan(ctx, inForce)
	if errors.Is(err, store.ErrNotFound) {
		return plans, nil // removed since the prices were loaded
	}
	if err != nil {
		return nil, fmt.Errorf("app: plan in force %d: %w", inForce, err)
	}
	return append([]store.PricePlan{*pl}, plans...), nil
}

// Plan returns plan id, if p may see it.
func (s *Accounts) Plan(ctx context.Context, p Principal, id int64) (PlanView, error) {
	pl, err := s.planFor(ctx, p, id)
	if err != nil {
		return PlanView{}, err
	}
	return planView(pl), nil
}

// AssignPlan makes plan planID account accountID's plan.
func (s *Accounts) AssignPlan(ctx context.Context, p Principal, accountID, planID int64, ip string) (AccountView, error) {
	sum, err := s.visible(ctx, p, accountID)
	if err != nil {
		return AccountView{}, err
	}
	switch role(p) {
	case account.RoleAdmin:
	case account.RoleReseller:
		if err := s.may(ctx, p, account.ActionSuspend, accountID, "set this account's price plan"); err != nil {
			return AccountView{}, err
		}
	default:
		return AccountView{}, Forbidden("only an admin or the account's reseller sets price plans")
	}
	pl, err := s.planFor(ctx, p, planID)
	if errors.Is(err, errNoPlan) {
		return AccountView{}, Invalid("plan_id", "no such plan")
	}
	if err != nil {
		return AccountView{}, err
	}
	if role(p) == account.RoleReseller && pl.OwnerAccountID != p.AccountID {
		return AccountView{}, Forbidden("a reseller assigns its own plans only")
	}
	if sum.Billing != nil && sum.Billing.Currency != pl.Currency {
		return AccountView{}, Invalid("plan_id",
			fmt.Sprintf("the plan is in %s but the account bills in %s", pl.Currency, sum.Billing.Currency))
	}
	if err := s.st.SetAccountPlan(ctx, accountID, planID); err != nil {
		return AccountView{}, err
	}
	s.reloadPrices(ctx)
	s.audit(ctx, p, accountID, "plan.assign", fmt.Sprintf("plan:%d", planID),
		fmt.Sprintf("name=%s currency=%s owner=%d", pl.Name, pl.Currency, pl.OwnerAccountID), ip)
	return s.view(ctx, accountID)
}

// Audit returns up to limit audit entries of account id, newest first,
// with ids below before (0: from the newest).
func (s *Accounts) Audit(ctx context.Context, p Principal, id, before int64, limit int) (AuditPage, error) {
	if _, err := s.visible(ctx, p, id); err != nil {
		return AuditPage{}, err
	}
	entries, err := s.acc.ReadAudit(ctx, actorOf(p), id, before, limit)
	if errors.Is(err, account.ErrForbidden) {
		return AuditPage{}, Forbidden("your role may not read this account's audit log")
	}
	if err != nil {
		return AuditPage{}, err
	}
	page := AuditPage{Items: make([]AuditItem, len(entries))}
	for i, e := range entries {
		page.Items[i] = AuditItem{ID: e.ID, AccountID: e.AccountID, ActorUserID: e.ActorUserID, Action: e.Action,
			Target: e.Target, Details: e.Details, IP: e.IP, At: e.At}
	}
	if len(entries) == limit {
		page.NextBefore = strconv.FormatInt(entries[len(entries)-1].ID, 10)
	}
	return page, nil
}
