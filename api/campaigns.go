package api

import (
	"bufio"
	"context"
	"io"
	"strconv"
	"time"

	"github.com/fasthttp/router"
	"github.com/valyala/fasthttp"

	"github.com/gallant-sms/gallant/app"
)

// The campaign types of the app package.
type (
	// CampaignInput is [app.CampaignInput].
	CampaignInput = app.CampaignInput
	// CampaignView is [app.CampaignView].
	CampaignView = app.CampaignView
	// CampaignPage is [app.CampaignPage].
	CampaignPage = app.CampaignPage
	// CampaignEstimate is [app.CampaignEstimate].
	CampaignEstimate = app.CampaignEstimate
	// CampaignStats is [app.CampaignStats].
	CampaignStats = app.CampaignStats
	// RecipientPage is [app.RecipientPage].
	RecipientPage = app.RecipientPage
	// RecipientQuery is [app.RecipientQuery].
	RecipientQuery = app.RecipientQuery
)

// Campaigns is the service behind /v1/campaigns. Each method acts on p's
// account only; a campaign of another account is not found. A nil
// Campaigns in Deps answers the endpoints 404.
type Campaigns interface {
	Create(ctx context.Context, p Principal, in CampaignInput) (CampaignView, error)
	List(ctx context.Context, p Principal, cursor string, limit int) (CampaignPage, error)
	Get(ctx context.Context, p Principal, id int64) (CampaignView, error)
	Update(ctx context.Context, p Principal, id int64, in CampaignInput) (CampaignView, error)
	Delete(ctx context.Context, p Principal, id int64) error
	Estimate(ctx context.Context, p Principal, id int64) (CampaignEstimate, error)
	Launch(ctx context.Context, p Principal, id int64) (CampaignView, error)
	Pause(ctx context.Context, p Principal, id int64) (CampaignView, error)
	Resume(ctx context.Context, p Principal, id int64) (CampaignView, error)
	Cancel(ctx context.Context, p Principal, id int64) (CampaignView, error)
	ChooseWinner(ctx context.Context, p Principal, id int64, variant int) (CampaignView, error)
	Stats(ctx context.Context, p Principal, id int64) (CampaignStats, error)
	Recipients(ctx context.Context, p Principal, id int64, q RecipientQuery) (RecipientPage, error)
	CheckRecipients(ctx context.Context, p Principal, id int64, q RecipientQuery) error
	ExportRecipients(ctx context.Context, p Principal, id int64, q RecipientQuery, w io.Writer) error
}

// campaignRoutes registers the campaign endpoints: reading needs the
// read scope, changing the send scope.
func (s *Server) campaignRoutes(r *router.Router) {
	const (
		base = "/v1/campaigns"
		one  = base + "/{id}"
	)
	s.post(r, base, s.cfg.MaxBodyBytes, s.createCampaign)
	s.get(r, base, s.listCampaigns)
	s.get(r, one, s.getCampaign)
	r.PATCH(one, s.instrument("PATCH "+one, s.authed(ScopeSend, s.patchCampaign)))
	r.DELETE(one, s.instrument("DELETE "+one, s.authed(ScopeSend, s.deleteCampaign)))
	s.post(r, one+"/estimate", s.cfg.MaxBodyBytes, s.campaignAction(func(c Campaigns, ctx context.Context, p Principal, id int64) (any, error) {
		return c.Estimate(ctx, p, id)
	}))
	for name, act := range map[string]func(Campaigns, context.Context, Principal, int64) (CampaignView, error){
		"launch": Campaigns.Launch, "pause": Campaigns.Pause, "resume": Campaigns.Resume, "cancel": Campaigns.Cancel,
	} {
		s.post(r, one+"/"+name, s.cfg.MaxBodyBytes, s.campaignAction(func(c Campaigns, ctx context.Context, p Principal, id int64) (any, error) {
			return act(c, ctx, p, id)
		}))
	}
	s.post(r, one+"/winner", s.cfg.MaxBodyBytes, s.campaignWinner)
	s.get(r, one+"/stats", s.campaignAction(func(c Campaigns, ctx context.Context, p Principal, id int64) (any, error) {
		return c.Stats(ctx, p, id)
	}))
	s.get(r, one+"/recipients", s.campaignRecipients)
}

func (s *Server) campaignsOff(ctx *fasthttp.RequestCtx) bool {
	return notEnabled(ctx, s.deps.Campaigns == nil, "campaigns are")
}

// campaignID is the {id} path parameter; a malformed one is not found.
func campaignID(ctx *fasthttp.RequestCtx) (int64, bool) {
	v, _ := ctx.UserValue("id").(string)
	id, err := strconv.ParseInt(v, 10, 64)
	if err != nil || id <= 0 {
		writeProblem(ctx, NotFound("no such campaign"))
		return 0, false
	}
	return id, true
}

// campaignAction answers a call on one campaign with its result as JSON.
func (s *Server) campaignAction(f func(Campaigns, context.Context, Principal, int64) (any, error)) handler {
	return func(ctx *fasthttp.RequestCtx, sctx context.Context, p Principal) {
		if s.campaignsOff(ctx) {
			return
		}
		id, ok := campaignID(ctx)
		if !ok {
			return
		}
		v, err := f(s.deps.Campaigns, sctx, p, id)
		if err != nil {
			s.fail(ctx, err)
			return
		}
		s.writeJSON(ctx, fasthttp.StatusOK, v)
	}
}

func (s *Server) createCampaign(ctx *fasthttp.RequestCtx, sctx context.Context, p Principal) {
	if s.campaignsOff(ctx) {
		return
	}
	var b CampaignInput
	if !decodeObject(ctx, &b) {
		return
	}
	c, err := s.deps.Campaigns.Create(sctx, p, b)
	if err != nil {
		s.fail(ctx, err)
		return
	}
	s.writeJSON(ctx, fasthttp.StatusCreated, c)
}

func (s *Server) listCampaigns(ctx *fasthttp.RequestCtx, sctx context.Context, p Principal) {
	if s.campaignsOff(ctx) {
		return
	}
	cursor, limit, ok := pageArgs(ctx, nil)
	if !ok {
		return
	}
	page, err := s.deps.Campaigns.List(sctx, p, cursor, limit)
	if err != nil {
		s.fail(ctx, err)
		return
	}
	s.writeJSON(ctx, fasthttp.StatusOK, page)
}

func (s *Server) getCampaign(ctx *fasthttp.RequestCtx, sctx context.Context, p Principal) {
	s.campaignAction(func(c Campaigns, ctx context.Context, p Principal, id int64) (any, error) {
		return c.Get(ctx, p, id)
	})(ctx, sctx, p)
}

func (s *Server) patchCampaign(ctx *fasthttp.RequestCtx, sctx context.Context, p Principal) {
	if s.campaignsOff(ctx) {
		return
	}
	id, ok := campaignID(ctx)
	if !ok {
		return
	}
	if len(ctx.PostBody()) > s.cfg.MaxBodyBytes {
		writeProblem(ctx, PayloadTooLarge("", "the body is too large"))
		return
	}
	var b CampaignInput
	if !decodeObject(ctx, &b) {
		return
	}
	c, err := s.deps.Campaigns.Update(sctx, p, id, b)
	if err != nil {
		s.fail(ctx, err)
		return
	}
	s.writeJSON(ctx, fasthttp.StatusOK, c)
}

func (s *Server) deleteCampaign(ctx *fasthttp.RequestCtx, sctx context.Context, p Principal) {
	if s.campaignsOff(ctx) {
		return
	}
	id, ok := campaignID(ctx)
	if !ok {
		return
	}
	if err := s.deps.Campaigns.Delete(sctx, p, id); err != nil {
		s.fail(ctx, err)
		return
	}
	ctx.SetStatusCode(fasthttp.StatusNoContent)
}

// campaignRecipients lists a campaign's recipients, or with
// ?format=csv streams them all as CSV.
func (s *Server) campaignRecipients(ctx *fasthttp.RequestCtx, sctx context.Context, p Principal) {
	if s.campaignsOff(ctx) {
		return
	}
	id, ok := campaignID(ctx)
	if !ok {
		return
	}
	var q RecipientQuery
	format := "json"
	cursor, limit, ok := pageArgs(ctx, func(k string, v []byte) (bool, *Error) {
		switch k {
		case "state":
			q.State = string(v)
		case "status":
			q.Status = string(v)
		case "format":
			format = string(v)
			if format != "json" && format != "csv" {
				return true, InvalidRequest("format", "format is json or csv")
			}
		default:
			return false, nil
		}
		return true, nil
	})
	if !ok {
		return
	}
	q.Cursor, q.Limit = cursor, limit
	camps := s.deps.Campaigns
	if format == "csv" {
		if err := camps.CheckRecipients(sctx, p, id, q); err != nil {
			s.fail(ctx, err)
			return
		}
		ctx.Response.Header.SetContentType("text/csv; charset=utf-8")
		ctx.Response.Header.Set("Content-Disposition", `attachment; filename="campaign-`+strconv.FormatInt(id, 10)+`-recipients.csv"`)
		ctx.SetBodyStreamWriter(func(w *bufio.Writer) {
			// The request's context ends with the handler: the stream
			// runs after it, bounded by its own time.
			ectx, cancel := context.WithTimeout(context.Background(), 30*time.Minute)
			defer cancel()
			if err := camps.ExportRecipients(ectx, p, id, q, w); err != nil {
				s.log.Error("export campaign recipients", "account", p.AccountID, "campaign", id, "err", err)
			}
		})
		return
	}
	page, err := camps.Recipients(sctx, p, id, q)
	if err != nil {
		s.fail(ctx, err)
		return
	}
	s.writeJSON(ctx, fasthttp.StatusOK, page)
}

// campaignWinner decides an A/B test by hand: {"variant": n}.
func (s *Server) campaignWinner(ctx *fasthttp.RequestCtx, sctx context.Context, p Principal) {
	if s.campaignsOff(ctx) {
		return
	}
	id, ok := campaignID(ctx)
	if !ok {
		return
	}
	var b struct {
		Variant int `json:"variant"`
	}
	if !decodeObject(ctx, &b) {
		return
	}
	c, err := s.deps.Campaigns.ChooseWinner(sctx, p, id, b.Variant)
	if err != nil {
		s.fail(ctx, err)
		return
	}
	s.writeJSON(ctx, fasthttp.StatusOK, c)
}
