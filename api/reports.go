package api

import (
	"bytes"
	"context"
	_ "embed"
	"html/template"
	"strconv"
	"strings"
	"time"

	"github.com/fasthttp/router"
	"github.com/valyala/fasthttp"

	"github.com/gallant-sms/gallant/app"
)

// Reports is the service behind the usage, statement, invoice and margin
// endpoints. Amounts are micro-units of a currency. Like [Messages], its
// methods return an [*Error] for answers the client should see; any other
// error is answered as internal without revealing it.
//
// The methods taking an accountID read that account on behalf of p under
// the account policy (its owner and members, its reseller, an admin): an
// account p may not read, or that does not exist, is the same not-found
// [*Error], so callers cannot probe for accounts.
type Reports interface {
	// Usage sums the account's messages accepted in the query's range.
	Usage(ctx context.Context, p Principal, accountID int64, q UsageQuery) (UsageReport, error)
	// Statement returns the account's statement of the month starting at
	// month (the first day, UTC).
	Statement(ctx context.Context, p Principal, accountID int64, month time.Time) (StatementView, error)
	// SubAccountUsage sums the traffic of a reseller's sub-accounts with
	// the reseller's cost and margin; only for resellers and admins.
	SubAccountUsage(ctx context.Context, p Principal, accountID int64, from, until time.Time) (SubAccountReport, error)
	// Margin sums the platform's traffic by carrier and destination with
	// revenue, carrier cost and margin; only for platform admins.
	Margin(ctx context.Context, p Principal, from, until time.Time) (MarginReport, error)
}

// MaxReportRange is the longest time range a report covers.
const MaxReportRange = 366 * 24 * time.Hour

// defaultReportRange is the range of a report without "from".
const defaultReportRange = 30 * 24 * time.Hour

// reportRoutes registers the usage, statement, invoice and margin
// endpoints. They need the read scope; the service applies the account
// policy.
func (s *Server) reportRoutes(r *router.Router) {
	s.get(r, "/v1/accounts/{id}/usage", s.getUsage)
	s.get(r, "/v1/usage", s.getOwnUsage)
	s.get(r, "/v1/accounts/{id}/sub-accounts/usage", s.getSubAccountUsage)
	s.get(r, "/v1/accounts/{id}/statements/{month}", s.getStatement)
	s.get(r, "/v1/accounts/{id}/statements/{month}/invoice", s.getInvoice)
	s.get(r, "/v1/reports/margin", s.getMargin)
}

// reportsOff answers 404 when the gateway has no Reports service.
func (s *Server) reportsOff(ctx *fasthttp.RequestCtx) bool {
	return notEnabled(ctx, s.deps.Reports == nil, "reports are")
}

// reportTime parses a report bound: an RFC 3339 time, or a date
// (YYYY-MM-DD) meaning its midnight UTC.
func reportTime(field string, v []byte) (time.Time, *Error) {
	if t, err := time.Parse(time.DateOnly, string(v)); err == nil {
		return t, nil
	}
	var t time.Time
	if t.UnmarshalText(v) != nil {
		return time.Time{}, InvalidRequest(field, "must be a date such as 2026-05-01 or an RFC 3339 time such as 2026-05-01T09:30:00Z")
	}
	return t.UTC(), nil
}

// reportRange reads from, until and the extra parameters allowed
// (extra[name] receives the value) from the query. Until defaults to now,
// from to 30 days before until; from must come before until, at most
// MaxReportRange apart. Unknown parameters are refused.
func reportRange(ctx *fasthttp.RequestCtx, extra map[string]*string) (from, until time.Time, perr *Error) {
	var haveFrom, haveUntil bool
	for k, v := range ctx.QueryArgs().All() {
		switch name := string(k); name {
		case "from":
			if from, perr = reportTime("from", v); perr != nil {
				return
			}
			haveFrom = true
		case "until":
			if until, perr = reportTime("until", v); perr != nil {
				return
			}
			haveUntil = true
		default:
			dst, ok := extra[name]
			if !ok {
				return from, until, InvalidRequest(name, "unknown query parameter")
			}
			*dst = string(v)
		}
	}
	if !haveUntil {
		until = time.Now().UTC().Truncate(time.Second)
	}
	if !haveFrom {
		from = until.Add(-defaultReportRange)
	}
	switch {
	case !from.Before(until):
		return from, until, InvalidRequest("until", "until must come after from")
	case until.Sub(from) > MaxReportRange:
		return from, until, InvalidRequest("from", "a report covers at most 366 days")
	}
	return from, until, nil
}

// getUsage serves GET /v1/accounts/{id}/usage.
// getOwnUsage serves GET /v1/usage: the caller's own account's usage.
func (s *Server) getOwnUsage(ctx *fasthttp.RequestCtx, sctx context.Context, p Principal) {
	ctx.SetUserValue("id", strconv.FormatInt(p.AccountID, 10))
	s.getUsage(ctx, sctx, p)
}

func (s *Server) getUsage(ctx *fasthttp.RequestCtx, sctx context.Context, p Principal) {
	if s.reportsOff(ctx) {
		return
	}
	id, ok := accountParam(ctx)
	if !ok {
		return
	}
	var groupBy string
	from, until, perr := reportRange(ctx, map[string]*string{"group_by": &groupBy})
	if perr != nil {
		writeProblem(ctx, perr)
		return
	}
	g, err := app.ParseUsageGrouping(groupBy)
	if err != nil {
		writeProblem(ctx, InvalidRequest("group_by", "must be day, month, destination or status"))
		return
	}
	rep, err := s.deps.Reports.Usage(sctx, p, id, UsageQuery{From: from, Until: until, GroupBy: g})
	if err != nil {
		s.fail(ctx, err)
		return
	}
	if rep.Buckets == nil {
		rep.Buckets = []UsageBucket{}
	}
	s.writeJSON(ctx, fasthttp.StatusOK, rep)
}

// getSubAccountUsage serves GET /v1/accounts/{id}/sub-accounts/usage.
func (s *Server) getSubAccountUsage(ctx *fasthttp.RequestCtx, sctx context.Context, p Principal) {
	if s.reportsOff(ctx) {
		return
	}
	id, ok := accountParam(ctx)
	if !ok {
		return
	}
	from, until, perr := reportRange(ctx, nil)
	if perr != nil {
		writeProblem(ctx, perr)
		return
	}
	rep, err := s.deps.Reports.SubAccountUsage(sctx, p, id, from, until)
	if err != nil {
		s.fail(ctx, err)
		return
	}
	if rep.SubAccounts == nil {
		rep.SubAccounts = []SubAccountUsage{}
	}
	s.writeJSON(ctx, fasthttp.StatusOK, rep)
}

// getMargin serves GET /v1/reports/margin.
func (s *Server) getMargin(ctx *fasthttp.RequestCtx, sctx context.Context, p Principal) {
	if s.reportsOff(ctx) {
		return
	}
	from, until, perr := reportRange(ctx, nil)
	if perr != nil {
		writeProblem(ctx, perr)
		return
	}
	rep, err := s.deps.Reports.Margin(sctx, p, from, until)
	if err != nil {
		s.fail(ctx, err)
		return
	}
	if rep.Lines == nil {
		rep.Lines = []MarginLine{}
	}
	if rep.Totals == nil {
		rep.Totals = []MarginLine{}
	}
	s.writeJSON(ctx, fasthttp.StatusOK, rep)
}

// statement reads the path and the query of the statement endpoints and
// asks for the statement; on failure it has answered.
func (s *Server) statement(ctx *fasthttp.RequestCtx, sctx context.Context, p Principal) (StatementView, bool) {
	if s.reportsOff(ctx) {
		return StatementView{}, false
	}
	id, ok := accountParam(ctx)
	if !ok {
		return StatementView{}, false
	}
	if ctx.QueryArgs().Len() > 0 {
		writeProblem(ctx, InvalidRequest("", "this endpoint takes no query parameters"))
		return StatementView{}, false
	}
	raw, _ := ctx.UserValue("month").(string)
	month, _, err := app.StatementMonth(raw, time.Now().UTC())
	if err != nil {
		writeProblem(ctx, InvalidRequest("month", "must be a month that has started, such as 2026-05"))
		return StatementView{}, false
	}
	st, err := s.deps.Reports.Statement(sctx, p, id, month)
	if err != nil {
		s.fail(ctx, err)
		return StatementView{}, false
	}
	if st.Lines == nil {
		st.Lines = []InvoiceLine{}
	}
	return st, true
}

// getStatement serves GET /v1/accounts/{id}/statements/{month}.
func (s *Server) getStatement(ctx *fasthttp.RequestCtx, sctx context.Context, p Principal) {
	if st, ok := s.statement(ctx, sctx, p); ok {
		s.writeJSON(ctx, fasthttp.StatusOK, st)
	}
}

// contentHTML is the type of the printable invoice.
const contentHTML = "text/html; charset=utf-8"

//go:embed invoice.html.tmpl
var invoiceHTML string

// invoiceTemplate renders a [StatementView] as a printable HTML invoice;
// html/template escapes every value (account names come from customers).
var invoiceTemplate = template.Must(template.New("invoice").Funcs(template.FuncMap{
	"money": func(m int64) string { return app.Micros(m).Decimal() },
	"date":  func(t time.Time) string { return t.UTC().Format("2 January 2006") },
	"lastDay": func(t time.Time) string {
		return t.UTC().AddDate(0, 0, -1).Format("2 January 2006")
	},
	"dest": func(d string) string {
		if d == "" {
			return "Other"
		}
		return d
	},
	"upper": strings.ToUpper,
}).Parse(invoiceHTML))

// getInvoice serves GET /v1/accounts/{id}/statements/{month}/invoice.
func (s *Server) getInvoice(ctx *fasthttp.RequestCtx, sctx context.Context, p Principal) {
	st, ok := s.statement(ctx, sctx, p)
	if !ok {
		return
	}
	var b bytes.Buffer
	if err := invoiceTemplate.Execute(&b, st); err != nil {
		s.fail(ctx, err)
		return
	}
	ctx.Response.Header.Set("Cache-Control", "private, no-store")
	ctx.Response.SetBody(b.Bytes())
	ctx.Response.SetStatusCode(fasthttp.StatusOK)
	ctx.Response.Header.SetContentType(contentHTML)
}
