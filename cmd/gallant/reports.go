package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/gallant-sms/gallant/account"
	"github.com/gallant-sms/gallant/api"
	"github.com/gallant-sms/gallant/billing"
	"github.com/gallant-sms/gallant/store"
)

// Bounds of the reports that read message by message: a reseller's
// sub-accounts and their messages, the platform's submitted segments.
// Past them the client is asked for a shorter range.
const (
	reportMaxChildren = 5_000
	reportMaxMessages = 2_000_000
	reportMaxSegments = 2_000_000
)

// apiReports serves the usage, statement, invoice and margin endpoints
// from the store, under the account service's access policy.
type apiReports struct {
	st  *store.Store
	acc *account.Service
	// pricer prices resellers' costs and carriers' buy rates; nil without
	// billing, when every cost is unknown.
	pricer *billing.Pricer
	now    func() time.Time
}

var _ api.Reports = apiReports{}

// apiReports is the API's report service; costs need billing.
func (a *app) apiReports() api.Reports {
	r := apiReports{st: a.st, acc: a.acc, now: time.Now}
	if a.bill != nil {
		r.pricer = a.bill.Pricer
	}
	return r
}

// reportNoAccount is the answer for an account the caller may not read and
// for one that does not exist alike, so that ids cannot be probed.
func reportNoAccount() error { return api.NotFound("no such account") }

// readable returns account id if p may read it.
func (r apiReports) readable(ctx context.Context, p api.Principal, id int64) (*store.Account, error) {
	err := r.acc.Can(ctx, actorOf(p), account.ActionRead, id)
	if errors.Is(err, account.ErrForbidden) {
		return nil, reportNoAccount()
	}
	if err != nil {
		return nil, err
	}
	a, err := r.st.GetAccount(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, reportNoAccount()
	}
	return a, err
}

// currency returns account id's billing currency, "" without a billing
// account.
func (r apiReports) currency(ctx context.Context, id int64) (string, error) {
	b, err := r.st.GetBillingAccount(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	return b.Currency, nil
}

// reportError turns the store's refusals into problems.
func reportError(err error) error {
	switch {
	case errors.Is(err, store.ErrReportTooLarge):
		return api.InvalidRequest("from", "the range holds too many messages for one report; ask for a shorter range")
	case errors.Is(err, store.ErrInvalid):
		return api.InvalidRequest("from", "the range is not valid: from must come before until, at most 366 days apart")
	}
	return err
}

func (r apiReports) Usage(ctx context.Context, p api.Principal, id int64, q api.UsageQuery) (api.UsageReport, error) {
	if _, err := r.readable(ctx, p, id); err != nil {
		return api.UsageReport{}, err
	}
	g, err := billing.ParseUsageGrouping(q.GroupBy)
	if err != nil {
		return api.UsageReport{}, api.InvalidRequest("group_by", "must be day, month, destination or status")
	}
	cur, err := r.currency(ctx, id)
	if err != nil {
		return api.UsageReport{}, err
	}
	rows, err := r.st.Usage(ctx, id, q.From, q.Until, g.StoreKey())
	if err != nil {
		return api.UsageReport{}, reportError(err)
	}
	buckets, total := billing.SummarizeUsage(rows, g)
	out := api.UsageReport{AccountID: id, From: q.From, Until: q.Until, GroupBy: string(g), Currency: cur,
		Buckets: make([]api.UsageBucket, len(buckets)), Total: usageCounts(total)}
	for i, b := range buckets {
		out.Buckets[i] = api.UsageBucket{Key: b.Key, UsageCounts: usageCounts(b.UsageCounts)}
		if !b.Start.IsZero() {
			start := b.Start
			out.Buckets[i].Start = &start
		}
	}
	return out, nil
}

func usageCounts(c billing.UsageCounts) api.UsageCounts {
	return api.UsageCounts{Messages: c.Messages, Segments: c.Segments, Charged: int64(c.Charged), Refunded: int64(c.Refunded),
		Delivered: c.Delivered, Failed: c.Failed, Pending: c.Pending}
}

func (r apiReports) Statement(ctx context.Context, p api.Principal, id int64, month time.Time) (api.StatementView, error) {
	a, err := r.readable(ctx, p, id)
	if err != nil {
		return api.StatementView{}, err
	}
	cur, err := r.currency(ctx, id)
	if err != nil {
		return api.StatementView{}, err
	}
	if cur == "" {
		return api.StatementView{}, api.NotFound("the account has no prepaid balance, so no statements")
	}
	from := time.Date(month.Year(), month.Month(), 1, 0, 0, 0, 0, time.UTC)
	until := from.AddDate(0, 1, 0)
	d, err := r.st.Statement(ctx, id, from, until)
	if err != nil {
		return api.StatementView{}, reportError(err)
	}
	st, err := billing.BuildStatement(id, cur, from, until, r.now(), d)
	if err != nil {
		return api.StatementView{}, err
	}
	out := api.StatementView{AccountID: id, AccountName: a.Name, Currency: cur, Month: from.Format("2006-01"),
		From: from, Until: until, Complete: st.Complete, Opening: int64(st.Opening), TopUps: int64(st.TopUps),
		TransfersIn: int64(st.TransfersIn), Charges: int64(st.Charges), Refunds: int64(st.Refunds),
		Adjustments: int64(st.Adjustments), TransfersOut: int64(st.TransfersOut), Other: int64(st.Other),
		Closing: int64(st.Closing), Segments: st.Segments, Lines: make([]api.InvoiceLine, len(st.Lines))}
	for i, l := range st.Lines {
		dest := ""
		if l.Dest != "" {
			dest = "+" + l.Dest
		}
		out.Lines[i] = api.InvoiceLine{Destination: dest, Messages: l.Messages, Segments: l.Segments,
			UnitPrice: int64(l.UnitPrice), Amount: int64(l.Amount)}
	}
	return out, nil
}

// errOtherCurrency means a price is not in the currency it is compared
// with: the cost is unknown.
var errOtherCurrency = errors.New("price in another currency")

func (r apiReports) SubAccountUsage(ctx context.Context, p api.Principal, id int64, from, until time.Time) (api.SubAccountReport, error) {
	if _, err := r.readable(ctx, p, id); err != nil {
		return api.SubAccountReport{}, err
	}
	if p.Role != api.RoleAdmin && p.Role != api.RoleReseller {
		return api.SubAccountReport{}, api.Forbidden("sub-account usage is for resellers and platform admins")
	}
	children, err := r.st.ChildAccounts(ctx, id)
	if err != nil {
		return api.SubAccountReport{}, err
	}
	if len(children) > reportMaxChildren {
		return api.SubAccountReport{}, api.InvalidRequest("", fmt.Sprintf("the account has more than %d sub-accounts", reportMaxChildren))
	}
	resellerCur, err := r.currency(ctx, id)
	if err != nil {
		return api.SubAccountReport{}, err
	}
	names := make(map[int64]string, len(children))
	currencies := make(map[int64]string, len(children))
	for _, c := range children {
		a, err := r.st.GetAccount(ctx, c)
		if err != nil {
			return api.SubAccountReport{}, err
		}
		names[c] = a.Name
		if currencies[c], err = r.currency(ctx, c); err != nil {
			return api.SubAccountReport{}, err
		}
	}
	// The cost of a message is the reseller's own price for it, in the
	// currency the sub-account paid in; anything else is unknown.
	var paidIn string
	price := func(dest string, segments int, at time.Time) (billing.Micros, error) {
		if r.pricer == nil {
			return 0, billing.ErrNoPlan
		}
		q, err := r.pricer.Price(id, dest, segments, at)
		if err != nil {
			return 0, err
		}
		if q.Currency != paidIn {
			return 0, errOtherCurrency
		}
		return q.Total, nil
	}
	sum := billing.NewResellerUsage(price)
	for _, c := range children {
		sum.Include(c)
	}
	err = r.st.EachChildMessage(ctx, id, from, until, reportMaxMessages, func(m *store.BilledMessage) error {
		paidIn = currencies[m.AccountID]
		sum.Add(m)
		return nil
	})
	if err != nil {
		return api.SubAccountReport{}, reportError(err)
	}
	subs, total := sum.Result()
	out := api.SubAccountReport{AccountID: id, From: from, Until: until, Currency: resellerCur,
		SubAccounts: make([]api.SubAccountUsage, len(subs)), Total: subAccountUsage(total)}
	for i, s := range subs {
		out.SubAccounts[i] = subAccountUsage(s)
		out.SubAccounts[i].Name = names[s.AccountID]
		out.SubAccounts[i].Currency = currencies[s.AccountID]
	}
	out.Total.AccountID = 0
	return out, nil
}

func subAccountUsage(s billing.SubAccountUsage) api.SubAccountUsage {
	v := api.SubAccountUsage{AccountID: s.AccountID, Messages: s.Messages, Segments: s.Segments, Charged: int64(s.Charged),
		Cost: int64(s.Cost), UnpricedMessages: s.Unpriced}
	if s.MarginKnown {
		m := int64(s.Margin)
		v.Margin = &m
	}
	return v
}

func (r apiReports) Margin(ctx context.Context, p api.Principal, from, until time.Time) (api.MarginReport, error) {
	if p.Role != api.RoleAdmin {
		return api.MarginReport{}, api.Forbidden("the margin report is for platform admins")
	}
	rate := func(carrier, dest string, at time.Time) (billing.Money, error) {
		if r.pricer == nil {
			return billing.Money{}, billing.ErrNoPrice
		}
		return r.pricer.BuyRate(carrier, dest, at)
	}
	rep := billing.NewMarginReport(rate)
	err := r.st.EachSubmittedSegment(ctx, from, until, reportMaxSegments, func(s *store.SubmittedSegment) error {
		rep.Add(s)
		return nil
	})
	if err != nil {
		return api.MarginReport{}, reportError(err)
	}
	lines, totals := rep.Result()
	out := api.MarginReport{From: from, Until: until, Lines: make([]api.MarginLine, len(lines)), Totals: make([]api.MarginLine, len(totals))}
	for i, l := range lines {
		out.Lines[i] = marginLine(l)
	}
	for i, l := range totals {
		out.Totals[i] = marginLine(l)
	}
	return out, nil
}

func marginLine(l billing.MarginLine) api.MarginLine {
	v := api.MarginLine{Carrier: l.Carrier, Destination: l.Dest, Currency: l.Currency, Segments: l.Segments,
		Revenue: int64(l.Revenue), Cost: int64(l.Cost), UnpricedSegments: l.Unpriced, CostUnknown: !l.MarginKnown}
	if l.MarginKnown {
		m := int64(l.Margin)
		v.Margin = &m
	}
	return v
}
