package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/gallant-sms/gallant/account"
	"github.com/gallant-sms/gallant/api"
	"github.com/gallant-sms/gallant/billing"
	"github.com/gallant-sms/gallant/gateway"
	"github.com/gallant-sms/gallant/store"
	"github.com/gallant-sms/gallant/webhook"
)

// apiAccounts serves the account tree, reseller and admin endpoints
// (api.Accounts) over the account service, the store and billing. Every
// call is checked with the account policy (account.Service.Can through
// actorOf): an account the caller may not read is answered as unknown
// (404), one it may read but not change with 403.
type apiAccounts struct {
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

var _ api.Accounts = (*apiAccounts)(nil)

// apiAccounts builds the account service of the API for a.
func (a *app) apiAccounts() *apiAccounts {
	s := &apiAccounts{st: a.st, acc: a.acc, pay: billing.NewManualProvider(a.st), gw: a.gw, urls: a.hooks.Guard(),
		currency: billingCurrency(a.cfg), log: a.log.With("component", "accounts")}
	if a.bill != nil {
		s.pricer, s.balances = a.bill.Pricer, a.bill.Balances
	}
	return s
}

// unbindTimeout bounds the graceful unbind of a suspended account's open
// SMPP sessions; what remains is then closed.
const unbindTimeout = 5 * time.Second

// Problems of the account endpoints.
var (
	errNoAccount = api.NotFound("no such account")
	errNoPlan    = api.NotFound("no such plan")
)

// role is the role p acts with; anything unknown is a member.
func role(p api.Principal) account.Role {
	r := account.Role(p.Role)
	if !r.Valid() {
		return account.RoleMember
	}
	return r
}

// visible returns account id's summary when p may read it, else the
// not-found problem.
func (s *apiAccounts) visible(ctx context.Context, p api.Principal, id int64) (store.AccountSummary, error) {
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
func (s *apiAccounts) may(ctx context.Context, p api.Principal, action account.Action, id int64, what string) error {
	err := s.acc.Can(ctx, actorOf(p), action, id)
	if errors.Is(err, account.ErrForbidden) {
		return api.Forbidden("your role may not " + what)
	}
	return err
}

// audit appends an entry; a failure is logged, as the action is done.
func (s *apiAccounts) audit(ctx context.Context, p api.Principal, accountID int64, action, target, details, ip string) {
	e := &store.AuditEntry{AccountID: accountID, ActorUserID: p.UserID, Action: action, Target: target,
		Details: details, IP: ip}
	if p.UserID == 0 && p.KeyID != 0 {
		e.Details = strings.TrimSpace(e.Details + fmt.Sprintf(" by_key=%d by_account=%d", p.KeyID, p.AccountID))
	}
	if err := s.st.AppendAudit(ctx, e); err != nil {
		s.log.Warn("write audit log", "action", action, "account_id", accountID, "err", err)
	}
}

func accountView(sum store.AccountSummary) api.AccountView {
	v := api.AccountView{ID: sum.ID, Name: sum.Name, Kind: string(sum.Kind), Status: string(sum.Status),
		ParentID: sum.ParentID, TPSLimit: sum.TPSLimit, WebhookURL: sum.WebhookURL, CreatedAt: sum.CreatedAt}
	if sum.Billing != nil {
		b := balanceView(sum.Billing)
		v.Balance = &b
	}
	return v
}

func balanceView(b *store.BillingAccount) api.BalanceView {
	return api.BalanceView{Currency: b.Currency, Balance: b.Balance, Held: b.Held, CreditLimit: b.CreditLimit,
		Available: b.Available()}
}

// view reads account id again for the answer.
func (s *apiAccounts) view(ctx context.Context, id int64) (api.AccountView, error) {
	sum, err := s.st.GetAccountSummary(ctx, id)
	if err != nil {
		return api.AccountView{}, err
	}
	return accountView(sum), nil
}

func (s *apiAccounts) List(ctx context.Context, p api.Principal, cursor string, limit int) (api.AccountPage, error) {
	var after int64
	if cursor != "" {
		n, err := strconv.ParseInt(cursor, 10, 64)
		if err != nil || n < 0 {
			return api.AccountPage{}, api.InvalidRequest("cursor", "malformed cursor")
		}
		after = n
	}
	var rows []store.AccountSummary
	switch role(p) {
	case account.RoleAdmin:
		r, err := s.st.ListAccounts(ctx, 0, after, limit)
		if err != nil {
			return api.AccountPage{}, err
		}
		rows = r
	case account.RoleReseller:
		r, err := s.st.ListAccounts(ctx, p.AccountID, after, limit)
		if err != nil {
			return api.AccountPage{}, err
		}
		rows = r
	default:
		// Owners and members see their own account only, never what an
		// admin may have put below it.
		if after < p.AccountID {
			sum, err := s.st.GetAccountSummary(ctx, p.AccountID)
			if err != nil {
				return api.AccountPage{}, err
			}
			rows = []store.AccountSummary{sum}
		}
	}
	page := api.AccountPage{Items: make([]api.AccountView, len(rows))}
	for i := range rows {
		page.Items[i] = accountView(rows[i])
	}
	if len(rows) == limit && role(p) != account.RoleOwner && role(p) != account.RoleMember {
		page.NextCursor = strconv.FormatInt(rows[len(rows)-1].ID, 10)
	}
	return page, nil
}

func (s *apiAccounts) Create(ctx context.Context, p api.Principal, req api.CreateAccountRequest) (api.CreatedAccount, error) {
	kind := store.AccountKind(req.Kind)
	parent := int64(req.ParentID)
	switch role(p) {
	case account.RoleAdmin:
	case account.RoleReseller:
		if kind != store.KindCustomer {
			return api.CreatedAccount{}, api.Forbidden("a reseller creates customer accounts only")
		}
		if parent != 0 && parent != p.AccountID {
			if _, err := s.visible(ctx, p, parent); err != nil {
				return api.CreatedAccount{}, err
			}
			return api.CreatedAccount{}, api.Forbidden("a reseller creates accounts directly below itself only")
		}
		parent = p.AccountID
	default:
		return api.CreatedAccount{}, api.Forbidden("only an admin or a reseller creates accounts")
	}
	var parentBill *store.BillingAccount
	if parent != 0 {
		ps, err := s.visible(ctx, p, parent)
		if err != nil {
			if errors.Is(err, errNoAccount) {
				return api.CreatedAccount{}, api.InvalidRequest("parent_id", "no such account")
			}
			return api.CreatedAccount{}, err
		}
		if ps.Kind == store.KindCustomer {
			return api.CreatedAccount{}, api.InvalidRequest("parent_id", "accounts go below a reseller (or the platform), not a customer")
		}
		parentBill = ps.Billing
	}

	var c account.Created
	var err error
	if parent != 0 {
		c, err = s.acc.CreateSubAccount(ctx, actorOf(p), parent, req.Name, req.IP)
	} else {
		c, err = s.acc.CreateAccount(ctx, req.Name)
		if err == nil {
			s.audit(ctx, p, c.AccountID, "account.create", fmt.Sprintf("account:%d", c.AccountID), "kind="+string(kind), req.IP)
		}
	}
	if errors.Is(err, account.ErrForbidden) {
		return api.CreatedAccount{}, api.Forbidden("your role may not create accounts there")
	}
	if err != nil {
		return api.CreatedAccount{}, err
	}
	id := c.AccountID
	if kind != store.KindCustomer {
		if err := s.st.SetAccountKind(ctx, id, kind); err != nil {
			return api.CreatedAccount{}, fmt.Errorf("accounts: account %d created, but not made a %s: %w", id, kind, err)
		}
	}
	cur := s.currency
	if parentBill != nil {
		cur = parentBill.Currency
	}
	if err := s.st.CreateBillingAccount(ctx, &store.BillingAccount{AccountID: id, ResellerID: parent, Currency: cur}); err != nil {
		return api.CreatedAccount{}, fmt.Errorf("accounts: account %d created, but not its balance: %w", id, err)
	}
	// The owner's key holds the admin scope: it acts as owner, reseller
	// or platform admin by the account's kind. The send-and-read key
	// CreateAccount made is never shown, so it is revoked.
	key, err := s.acc.CreateAPIKey(ctx, id, "owner", []string{account.ScopeAdmin})
	if err != nil {
		return api.CreatedAccount{}, fmt.Errorf("accounts: account %d created, but not its owner key: %w", id, err)
	}
	s.revokeKey(ctx, id, c.APIKey)
	v, err := s.view(ctx, id)
	if err != nil {
		return api.CreatedAccount{}, err
	}
	return api.CreatedAccount{Account: v, APIKey: key, SMPPSystemID: c.SystemID, SMPPPassword: c.SMPPPassword,
		WebhookSecret: c.WebhookSecret}, nil
}

// revokeKey revokes key (gal_<8-char prefix>_<secret>) of account id.
func (s *apiAccounts) revokeKey(ctx context.Context, id int64, key string) {
	rest, ok := strings.CutPrefix(key, "gal_")
	if !ok || len(rest) < 9 {
		return
	}
	k, _, err := s.st.APIKeyByPrefix(ctx, rest[:8])
	if err == nil && k.AccountID == id {
		err = s.st.RevokeAPIKey(ctx, id, k.ID, time.Now().UTC())
	}
	if err != nil {
		s.log.Warn("revoke the unused default key of a new account", "account_id", id, "err", err)
	}
}

func (s *apiAccounts) Get(ctx context.Context, p api.Principal, id int64) (api.AccountView, error) {
	sum, err := s.visible(ctx, p, id)
	if err != nil {
		return api.AccountView{}, err
	}
	return accountView(sum), nil
}

func (s *apiAccounts) Update(ctx context.Context, p api.Principal, id int64, req api.UpdateAccountRequest) (api.AccountView, error) {
	sum, err := s.visible(ctx, p, id)
	if err != nil {
		return api.AccountView{}, err
	}
	if req.Name != nil || req.WebhookURL != nil {
		if err := s.may(ctx, p, account.ActionManage, id, "change this account's settings"); err != nil {
			return api.AccountView{}, err
		}
	}
	if req.TPSLimit != nil {
		// The rate is sold: the reseller above the account or an admin
		// sets it, never the account itself.
		if err := s.may(ctx, p, account.ActionSuspend, id, "change this account's TPS limit"); err != nil {
			return api.AccountView{}, err
		}
	}
	if req.CreditLimit != nil && role(p) != account.RoleAdmin {
		return api.AccountView{}, api.Forbidden("only an admin sets credit limits")
	}
	if req.WebhookURL != nil && *req.WebhookURL != "" {
		// Checked once the caller may change it, so that nobody else can
		// probe the network through the answer.
		if err := s.urls.CheckStoredURL(ctx, *req.WebhookURL); err != nil {
			return api.AccountView{}, invalidURL("webhook_url", err)
		}
	}
	var changed []string
	if req.Name != nil || req.TPSLimit != nil || req.WebhookURL != nil {
		if err := s.st.UpdateAccount(ctx, id, store.AccountUpdate{Name: req.Name, TPSLimit: req.TPSLimit,
			WebhookURL: req.WebhookURL}); err != nil {
			return api.AccountView{}, err
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
				return api.AccountView{}, err
			}
		}
		if err := s.st.SetCreditLimit(ctx, id, req.CreditLimitMicros); err != nil {
			return api.AccountView{}, err
		}
		changed = append(changed, "credit_limit="+billing.Micros(req.CreditLimitMicros).String())
	}
	s.audit(ctx, p, id, "account.update", fmt.Sprintf("account:%d", id), strings.Join(changed, " "), req.IP)
	return s.view(ctx, id)
}

// ensureBalance opens sum's balance at zero (for accounts made before
// billing), in its reseller's currency when it has one.
func (s *apiAccounts) ensureBalance(ctx context.Context, sum store.AccountSummary) error {
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

func (s *apiAccounts) SetSuspended(ctx context.Context, p api.Principal, id int64, suspended bool, ip string) (api.AccountView, error) {
	if _, err := s.visible(ctx, p, id); err != nil {
		return api.AccountView{}, err
	}
	status := store.AccountActive
	if suspended {
		status = store.AccountSuspended
	}
	err := s.acc.SetAccountStatus(ctx, actorOf(p), id, status, ip)
	if errors.Is(err, account.ErrForbidden) {
		return api.AccountView{}, api.Forbidden("your role may not suspend or reactivate this account")
	}
	if err != nil {
		return api.AccountView{}, err
	}
	if suspended {
		s.unbind(ctx, id)
	}
	return s.view(ctx, id)
}

// unbind ends the open SMPP sessions of account id on this instance:
// gracefully (outstanding submits answered, then unbind), or closed when
// unbindTimeout passes first. Other instances refuse the account's binds
// and keys within their cache life, and end sessions already open there
// at their next recheck of open binds (gateway.Config.BindRecheck).
func (s *apiAccounts) unbind(ctx context.Context, id int64) {
	if s.gw == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), unbindTimeout)
	defer cancel()
	n := 0
	for _, sess := range s.gw.SMPPServer().Sessions() {
		if b, ok := sess.Value().(account.Binding); ok && b.AccountID == id {
			_ = sess.Unbind(ctx)
			n++
		}
	}
	if n > 0 {
		s.log.Info("unbound the sessions of a suspended account", "account_id", id, "sessions", n)
	}
}

func (s *apiAccounts) TopUp(ctx context.Context, p api.Principal, id int64, req api.TopUpRequest) (api.TopUpResult, error) {
	sum, err := s.visible(ctx, p, id)
	if err != nil {
		return api.TopUpResult{}, err
	}
	amount := billing.Micros(req.AmountMicros)
	switch role(p) {
	case account.RoleAdmin:
		if err := s.ensureBalance(ctx, sum); err != nil {
			return api.TopUpResult{}, err
		}
		pay, err := s.pay.Credit(ctx, id, amount, req.Reference)
		if err != nil {
			return api.TopUpResult{}, err
		}
		s.balances.Credited(id)
		s.audit(ctx, p, id, "balance.topup", fmt.Sprintf("account:%d", id),
			fmt.Sprintf("amount=%s provider=%s reference=%s ledger=%d", amount, pay.Provider, pay.Reference, pay.LedgerID), req.IP)
		b, err := s.st.GetBillingAccount(ctx, id)
		if err != nil {
			return api.TopUpResult{}, err
		}
		return api.TopUpResult{Source: api.TopUpPayment, Balance: balanceView(b),
			Entry: api.LedgerItem{ID: pay.LedgerID, Kind: string(store.LedgerTopUp), Amount: int64(amount),
				Reason: pay.Provider + ": " + pay.Reference, At: pay.At}}, nil
	case account.RoleReseller:
		// A reseller funds the accounts below it, never itself.
		if err := s.may(ctx, p, account.ActionSuspend, id, "top up this account"); err != nil {
			return api.TopUpResult{}, err
		}
		if _, err := s.st.GetBillingAccount(ctx, p.AccountID); errors.Is(err, store.ErrNotFound) {
			return api.TopUpResult{}, api.InsufficientBalance("your account has no balance to transfer from")
		} else if err != nil {
			return api.TopUpResult{}, err
		}
		if err := s.ensureBalance(ctx, sum); err != nil {
			return api.TopUpResult{}, err
		}
		tr, err := billing.Transfer(ctx, s.st, s.balances, p.AccountID, id, amount,
			fmt.Sprintf("transfer %d->%d: %s", p.AccountID, id, req.Reference))
		switch {
		case errors.Is(err, billing.ErrInsufficientBalance):
			return api.TopUpResult{}, api.InsufficientBalance("your available balance does not cover " + amount.String())
		case errors.Is(err, store.ErrInvalid):
			return api.TopUpResult{}, &api.Error{Type: api.TypeInvalidRequest, Title: "Invalid request", Status: 422,
				Field: "amount", Detail: "your balance and this account's are in different currencies"}
		case err != nil:
			return api.TopUpResult{}, err
		}
		details := fmt.Sprintf("amount=%s from=%d to=%d reference=%s", amount, p.AccountID, id, req.Reference)
		s.audit(ctx, p, id, "balance.topup", fmt.Sprintf("account:%d", id), details+fmt.Sprintf(" ledger=%d", tr.In.ID), req.IP)
		s.audit(ctx, p, p.AccountID, "balance.transfer_out", fmt.Sprintf("account:%d", id), details+fmt.Sprintf(" ledger=%d", tr.Out.ID), req.IP)
		return api.TopUpResult{Source: api.TopUpTransfer, Balance: balanceView(&tr.To),
			Entry: api.LedgerItem{ID: tr.In.ID, Kind: string(tr.In.Kind), Amount: tr.In.Amount, Reason: tr.In.Reason,
				At: tr.In.CreatedAt}}, nil
	}
	return api.TopUpResult{}, api.Forbidden("only an admin or the account's reseller tops up accounts")
}

func planView(pl *store.PricePlan) api.PlanView {
	v := api.PlanView{ID: pl.ID, OwnerAccountID: pl.OwnerAccountID, Name: pl.Name, Currency: pl.Currency,
		Default: pl.Default, ValidFrom: pl.ValidFrom, CreatedAt: pl.CreatedAt, Prices: make([]api.PlanPriceView, len(pl.Prices))}
	if !pl.ValidTo.IsZero() {
		t := pl.ValidTo
		v.ValidTo = &t
	}
	for i, pr := range pl.Prices {
		v.Prices[i] = api.PlanPriceView{Prefix: pr.Prefix, Price: billing.Micros(pr.PriceMicros).String(), PriceMicros: pr.PriceMicros}
	}
	return v
}

func (s *apiAccounts) Plans(ctx context.Context, p api.Principal) ([]api.PlanView, error) {
	var plans []store.PricePlan
	var err error
	switch role(p) {
	case account.RoleAdmin:
		plans, err = s.st.PricePlansByOwner(ctx, 0)
	case account.RoleReseller:
		plans, err = s.st.PricePlansByOwner(ctx, p.AccountID)
	default:
		plans, err = s.st.PricePlansOfAccount(ctx, p.AccountID)
	}
	if err != nil {
		return nil, err
	}
	out := make([]api.PlanView, len(plans))
	for i := range plans {
		out[i] = planView(&plans[i])
	}
	return out, nil
}

func (s *apiAccounts) CreatePlan(ctx context.Context, p api.Principal, req api.CreatePlanRequest) (api.PlanView, error) {
	owner := int64(req.OwnerAccountID)
	switch role(p) {
	case account.RoleAdmin:
		if owner != 0 {
			sum, err := s.st.GetAccountSummary(ctx, owner)
			if errors.Is(err, store.ErrNotFound) || (err == nil && sum.Kind != store.KindReseller) {
				return api.PlanView{}, api.InvalidRequest("owner_account_id", "the owner of a plan is a reseller")
			}
			if err != nil {
				return api.PlanView{}, err
			}
		}
	case account.RoleReseller:
		if owner != 0 && owner != p.AccountID {
			return api.PlanView{}, api.Forbidden("a reseller creates plans of its own only")
		}
		owner = p.AccountID
	default:
		return api.PlanView{}, api.Forbidden("only an admin or a reseller creates price plans")
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
			return api.PlanView{}, api.InvalidRequest("", "the plan cannot be stored as given: "+err.Error())
		}
		return api.PlanView{}, err
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
func (s *apiAccounts) reloadPrices(ctx context.Context) {
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
func (s *apiAccounts) planFor(ctx context.Context, p api.Principal, id int64) (*store.PricePlan, error) {
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

func (s *apiAccounts) Plan(ctx context.Context, p api.Principal, id int64) (api.PlanView, error) {
	pl, err := s.planFor(ctx, p, id)
	if err != nil {
		return api.PlanView{}, err
	}
	return planView(pl), nil
}

func (s *apiAccounts) AssignPlan(ctx context.Context, p api.Principal, accountID, planID int64, ip string) (api.AccountView, error) {
	sum, err := s.visible(ctx, p, accountID)
	if err != nil {
		return api.AccountView{}, err
	}
	switch role(p) {
	case account.RoleAdmin:
	case account.RoleReseller:
		if err := s.may(ctx, p, account.ActionSuspend, accountID, "set this account's price plan"); err != nil {
			return api.AccountView{}, err
		}
	default:
		return api.AccountView{}, api.Forbidden("only an admin or the account's reseller sets price plans")
	}
	pl, err := s.planFor(ctx, p, planID)
	if errors.Is(err, errNoPlan) {
		return api.AccountView{}, api.InvalidRequest("plan_id", "no such plan")
	}
	if err != nil {
		return api.AccountView{}, err
	}
	if role(p) == account.RoleReseller && pl.OwnerAccountID != p.AccountID {
		return api.AccountView{}, api.Forbidden("a reseller assigns its own plans only")
	}
	if sum.Billing != nil && sum.Billing.Currency != pl.Currency {
		return api.AccountView{}, api.InvalidRequest("plan_id",
			fmt.Sprintf("the plan is in %s but the account bills in %s", pl.Currency, sum.Billing.Currency))
	}
	if err := s.st.SetAccountPlan(ctx, accountID, planID); err != nil {
		return api.AccountView{}, err
	}
	s.reloadPrices(ctx)
	s.audit(ctx, p, accountID, "plan.assign", fmt.Sprintf("plan:%d", planID),
		fmt.Sprintf("name=%s currency=%s owner=%d", pl.Name, pl.Currency, pl.OwnerAccountID), ip)
	return s.view(ctx, accountID)
}

func (s *apiAccounts) Audit(ctx context.Context, p api.Principal, id, before int64, limit int) (api.AuditPage, error) {
	if _, err := s.visible(ctx, p, id); err != nil {
		return api.AuditPage{}, err
	}
	entries, err := s.acc.ReadAudit(ctx, actorOf(p), id, before, limit)
	if errors.Is(err, account.ErrForbidden) {
		return api.AuditPage{}, api.Forbidden("your role may not read this account's audit log")
	}
	if err != nil {
		return api.AuditPage{}, err
	}
	page := api.AuditPage{Items: make([]api.AuditItem, len(entries))}
	for i, e := range entries {
		page.Items[i] = api.AuditItem{ID: e.ID, AccountID: e.AccountID, ActorUserID: e.ActorUserID, Action: e.Action,
			Target: e.Target, Details: e.Details, IP: e.IP, At: e.At}
	}
	if len(entries) == limit {
		page.NextBefore = strconv.FormatInt(entries[len(entries)-1].ID, 10)
	}
	return page, nil
}

// The admin subcommands for the account tree ("gallant admin account
// suspend|activate", "gallant admin plan assign"). They act as the
// platform admin from the command line (audit entries carry no user),
// on the store directly: running instances see a suspension within their
// cache life (30 seconds; open SMPP sessions there end at their next
// recheck of open binds, 15 seconds) and a plan change at their next
// price reload (pricesReload).

// cliAdmin is the actor of the command line.
var cliAdmin = account.Actor{Role: account.RoleAdmin}

// accountStatusOut is the output of "admin account suspend|activate".
type accountStatusOut struct {
	AccountID int64  `json:"account_id"`
	Status    string `json:"status"`
}

// accountSetStatus suspends or reactivates the account whose id is the
// one argument in args.
func (e adminEnv) accountSetStatus(ctx context.Context, args []string, status store.AccountStatus) error {
	name := "account suspend"
	if status == store.AccountActive {
		name = "account activate"
	}
	// The id comes first ("suspend 12 --config f"); flags may follow.
	if len(args) == 0 || strings.HasPrefix(args[0], "-") {
		return usageError{fmt.Errorf("admin %s: give the account id: gallant admin %s ID", name, name)}
	}
	id, err := strconv.ParseInt(args[0], 10, 64)
	if err != nil || id <= 0 {
		return usageError{fmt.Errorf("admin %s: %q is not an account id", name, args[0])}
	}
	path, err := e.parse(name, args[1:], func(*flag.FlagSet) {})
	if err != nil {
		return err
	}
	return e.withStore(ctx, path, func(_ Config, st *store.Store) (any, error) {
		logger, err := newLogger(LogConfig{Level: "warn"})
		if err != nil {
			return nil, err
		}
		if err := account.New(st, logger).SetAccountStatus(ctx, cliAdmin, id, status, "cli"); err != nil {
			return nil, fmt.Errorf("admin %s: %w", name, err)
		}
		return accountStatusOut{AccountID: id, Status: string(status)}, nil
	})
}

// planAssignOut is the output of "admin plan assign".
type planAssignOut struct {
	AccountID int64  `json:"account_id"`
	PlanID    int64  `json:"plan_id"`
	Name      string `json:"name"`
	Currency  string `json:"currency"`
}

// planAssign makes a plan an account's only plan.
func (e adminEnv) planAssign(ctx context.Context, args []string) error {
	var id, planID int64
	path, err := e.parse("plan assign", args, func(fs *flag.FlagSet) {
		fs.Int64Var(&id, "account", 0, "the account")
		fs.Int64Var(&planID, "plan", 0, "the plan to give it")
	})
	if err != nil {
		return err
	}
	if err := requireAccount("plan assign", id); err != nil {
		return err
	}
	if planID <= 0 {
		return usageError{errors.New("admin plan assign: --plan must be a positive plan id")}
	}
	return e.withStore(ctx, path, func(_ Config, st *store.Store) (any, error) {
		sum, err := st.GetAccountSummary(ctx, id)
		if err != nil {
			return nil, fmt.Errorf("admin plan assign: account %d: %w", id, err)
		}
		pl, err := st.GetPricePlan(ctx, planID)
		if err != nil {
			return nil, fmt.Errorf("admin plan assign: %w", err)
		}
		if sum.Billing != nil && sum.Billing.Currency != pl.Currency {
			return nil, fmt.Errorf("admin plan assign: plan %d is in %s but account %d bills in %s",
				planID, pl.Currency, id, sum.Billing.Currency)
		}
		if err := st.SetAccountPlan(ctx, id, planID); err != nil {
			return nil, err
		}
		if err := st.AppendAudit(ctx, &store.AuditEntry{AccountID: id, Action: "plan.assign",
			Target: fmt.Sprintf("plan:%d", planID), IP: "cli",
			Details: fmt.Sprintf("name=%s currency=%s owner=%d", pl.Name, pl.Currency, pl.OwnerAccountID)}); err != nil {
			return nil, fmt.Errorf("admin plan assign: assigned, but not audited: %w", err)
		}
		return planAssignOut{AccountID: id, PlanID: planID, Name: pl.Name, Currency: pl.Currency}, nil
	})
}

// placeAccount gives a new account made by "admin account create" its
// kind and parent, and an admin-scope key when it is a reseller or the
// platform (whose keys act by that role only with the admin scope). It
// returns that key, or "" for a customer.
func placeAccount(ctx context.Context, st *store.Store, acc *account.Service, id int64, kind store.AccountKind, parent int64) (string, error) {
	if kind != store.KindCustomer {
		if err := st.SetAccountKind(ctx, id, kind); err != nil {
			return "", err
		}
	}
	if parent != 0 {
		if err := st.SetAccountParent(ctx, id, parent); err != nil {
			return "", err
		}
		if err := st.AppendAudit(ctx, &store.AuditEntry{AccountID: id, Action: "account.create",
			Target: fmt.Sprintf("account:%d", id), Details: fmt.Sprintf("parent=%d kind=%s", parent, kind), IP: "cli"}); err != nil {
			return "", err
		}
	}
	if kind == store.KindCustomer {
		return "", nil
	}
	return acc.CreateAPIKey(ctx, id, "admin", []string{account.ScopeAdmin})
}
