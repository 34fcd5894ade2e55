package app

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/gallant-sms/gallant/account"
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

// Reports serves the usage, statement, invoice and margin endpoints
// from the store, under the account service's access policy.
type Reports struct {
	st  *store.Store
	acc *account.Service
	// pricer prices resellers' costs and carriers' buy rates; nil without
	// billing, when every cost is unknown.
	pricer *billing.Pricer
	now    func() time.Time
}

// reportNoAccount is the answer for an account the caller may not read and
// for one that does not exist alike, so that ids cannot be probed.
func reportNoAccount() error { return NotFound("no such account") }

// readable returns account id if p may read it.
func (r Reports) readable(ctx context.Context, p Principal, id int64) (*store.Account, error) {
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
func (r Reports) currency(ctx context.Context, id int64) (string, error) {
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
		return Invalid("from", "the range holds too many messages for one report; ask for a shorter range")
	case errors.Is(err, store.ErrInvalid):
		return Invalid("from", "the range is not valid: from must come before until, at most 366 days apart")
	}
	return err
}

// Usage sums the account's messages accepted in the query's range.
func (r Reports) Usage(ctx context.Context, p Principal, id int64, q UsageQuery) (UsageReport, error) {
	if _, err := r.readable(ctx, p, id); err != nil {
		return UsageReport{}, err
	}
	g, err := billing.ParseUsageGrouping(q.GroupBy)
	if err != nil {
		return UsageReport{}, Invalid("group_by", "must be day, month, destination or status")
	}
	cur, err := r.currency(ctx, id)
	if err != nil {
		return UsageReport{}, err
	}
	rows, err := r.st.Usage(ctx, id, q.From, q.Until, g.StoreKey())
	if err != nil {
		return UsageReport{}, reportError(err)
	}
	buckets, total := billing.SummarizeUsage(rows, g)
	out := UsageReport{AccountID: id, From: q.From, Until: q.Until, GroupBy: string(g), Currency: cur,
		Buckets: make([]UsageBucket, len(buckets)), Total: usageCounts(total)}
	for i, b := range buckets {
		out.Buckets[i] = UsageBucket{Key: b.Key, UsageCounts: usageCounts(b.UsageCounts)}
		if !b.Start.IsZero() {
			start := b.Start
			out.Buckets[i].Start = &start
		}
	}
	return out, nil
}

func usageCounts(c billing.UsageCounts) UsageCounts {
	return UsageCounts{Messages: c.Messages, Segments: c.Segments, Charged: int64(c.Charged), Refunded: int64(c.Refunded),
		Delivered: c.Delivered, Failed: c.Failed, Pending: c.Pending}
}

// Statement returns the account's statement of the month starting at
// month.
func (r Reports) Statement(ctx context.Context, p Principal, id int64, month time.Time) (StatementView, error) {
	a, err := r.readable(ctx, p, id)
	if err != nil {
		return StatementView{}, err
	}
	cur, err := r.currency(ctx, id)
	if err != nil {
		return StatementView{}, err
	}
	if cur == "" {
		return StatementView{}, NotFound("the account has no prepaid balance, so no statements")
	}
	from := time.Date(month.Year(), month.Month(), 1, 0, 0, 0, 0, time.UTC)
	until := from.AddDate(0, 1, 0)
	d, err := r.st.Statement(ctx, id, from, until)
	if err != nil {
		return StatementView{}, reportError(err)
	}
	st, err := billing.BuildStatement(id, cur, from, until, r.now(), d)
	if err != nil {
		return StatementView{}, err
	}
	out := StatementView{AccountID: id, AccountName: a.Name, Currency: cur, Month: from.Format("2006-01"),
		From: from, Until: until, Complete: st.Complete, Opening: int64(st.Opening), TopUps: int64(st.TopUps),
		TransfersIn: int64(st.TransfersIn), Charges: int64(st.Charges), Refunds: int64(st.Refunds),
		Adjustments: int64(st.Adjustments), TransfersOut: int64(st.TransfersOut), Other: int64(st.Other),
		Closing: int64(st.Closing), Segments: st.Segments, Lines: make([]InvoiceLine, len(st.Lines))}
	for i, l := range st.Lines {
		dest := ""
		if l.Dest != "" {
			dest = "+" + l.Dest
		}
		out.Lines[i] = InvoiceLine{Destination: dest, Messages: l.Messages, Segments: l.Segments,
			UnitPrice: int64(l.UnitPrice), Amount: int64(l.Amount)}
	}
	return out, nil
}

// errOtherCurrency means a price is not in the currency it is compared
// with: the cost is unknown.
var errOtherCurrency = errors.New("price in another currency")

// SubAccountUsage sums the traffic of a reseller's sub-accounts with the
// reseller's cost and margin; for resellers and admins.
func (r Reports) SubAccountUsage(ctx context.Context, p Principal, id int64, from, until time.Time) (SubAccountReport, error) {
	if _, err := r.readable(ctx, p, id); err != nil {
		return SubAccountReport{}, err
	}
	if p.Role != RoleAdmin && p.Role != RoleReseller {
		return SubAccountReport{}, Forbidden("sub-account usage is for resellers and platform admins")
	}
	children, err := r.st.ChildAccounts(ctx, id)
	if err != nil {
		return SubAccountReport{}, err
	}
	if len(children) > reportMaxChildren {
		return SubAccountReport{}, Invalid("", fmt.Sprintf("the account has more than %d sub-accounts", reportMaxChildren))
	}
	resellerCur, err := r.currency(ctx, id)
	if err != nil {
		return SubAccountReport{}, err
	}
	names := make(map[int64]string, len(children))
	currencies := make(map[int64]string, len(children))
	for _, c := range children {
		a, err := r.st.GetAccount(ctx, c)
		if err != nil {
			return SubAccountReport{}, err
		}
		names[c] = a.Name
		if currencies[c], err = r.currency(ctx, c); err != nil {
			return SubAccountReport{}, err
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
		return SubAccountReport{}, reportError(err)
	}
	// Messages purged by retention count from their rollups.
	rolled, err := r.st.ChildRollups(ctx, id, from, until)
	if err != nil {
		return SubAccountReport{}, reportError(err)
	}
	for i := range rolled {
		sum.AddRolledUp(&rolled[i])
	}
	subs, total := sum.Result()
	out := SubAccountReport{AccountID: id, From: from, Until: until, Currency: resellerCur,
		SubAccounts: make([]SubAccountUsage, len(subs)), Total: subAccountUsage(total)}
	for i, s := range subs {
		out.SubAccounts[i] = subAccountUsage(s)
		out.SubAccounts[i].Name = names[s.AccountID]
		out.SubAccounts[i].Currency = currencies[s.AccountID]
	}
	out.Total.AccountID = 0
	return out, nil
}

func subAccountUsage(s billing.SubAccountUsage) SubAccountUsage {
	v := SubAccountUsage{AccountID: s.AccountID, Messages: s.Messages, Segments: s.Segments, Charged: int64(s.Charged),
		Cost: int64(s.Cost), UnpricedMessages: s.Unpriced}
	if s.MarginKnown {
		m := int64(s.Margin)
		v.Margin = &m
	}
	return v
}

// Margin sums the platform's traffic by carrier and destination with
// revenue, cost and margin; for platform admins.
func (r Reports) Margin(ctx context.Context, p Principal, from, until time.Time) (MarginReport, error) {
	if p.Role != RoleAdmin {
		return MarginReport{}, Forbidden("the margin report is for platform admins")
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
		return MarginReport{}, reportError(err)
	}
	lines, totals := rep.Result()
	out := MarginReport{From: from, Until: until, Lines: make([]MarginLine, len(lines)), Totals: make([]MarginLine, len(totals))}
	for i, l := range lines {
		out.Lines[i] = marginLine(l)
	}
	for i, l := range totals {
		out.Totals[i] = marginLine(l)
	}
	return out, nil
}

func marginLine(l billing.MarginLine) MarginLine {
	v := MarginLine{Carrier: l.Carrier, Destination: l.Dest, Currency: l.Currency, Segments: l.Segments,
		Revenue: int64(l.Revenue), Cost: int64(l.Cost), UnpricedSegments: l.Unpriced, CostUnknown: !l.MarginKnown}
	if l.MarginKnown {
		m := int64(l.Margin)
		v.Margin = &m
	}
	return v
}
