package api

import (
	"context"
	"fmt"
	"strconv"

	"github.com/fasthttp/router"
	"github.com/valyala/fasthttp"

	"github.com/gallant-sms/gallant/app"
)

// The template types of the app package.
type (
	// Template is [app.Template].
	Template = app.Template
	// TemplatePage is [app.TemplatePage].
	TemplatePage = app.TemplatePage
	// TemplateInput is [app.TemplateInput].
	TemplateInput = app.TemplateInput
	// TemplateSettings is [app.TemplateSettings].
	TemplateSettings = app.TemplateSettings
	// PreviewInput is [app.PreviewInput].
	PreviewInput = app.PreviewInput
	// PreviewSample is [app.PreviewSample].
	PreviewSample = app.PreviewSample
	// Preview is [app.Preview].
	Preview = app.Preview
)

// Templates is the service behind /v1/templates: the account's named
// message templates with placeholders, the {{optout}} text and previews.
// Each method acts on p's account only. A body with an unknown
// placeholder or malformed braces is an invalid-request [*Error] naming
// it; a template of another account is not found. A nil Templates in
// Deps answers the endpoints 404.
type Templates interface {
	// Create stores a new template.
	Create(ctx context.Context, p Principal, in TemplateInput) (Template, error)
	// List returns a page of templates after cursor.
	List(ctx context.Context, p Principal, cursor string, limit int) (TemplatePage, error)
	// Get returns template id.
	Get(ctx context.Context, p Principal, id int64) (Template, error)
	// Update changes template id's name and/or body.
	Update(ctx context.Context, p Principal, id int64, in TemplateInput) (Template, error)
	// Delete deletes template id.
	Delete(ctx context.Context, p Principal, id int64) error
	// Settings returns the account's template settings.
	Settings(ctx context.Context, p Principal) (TemplateSettings, error)
	// PutSettings sets the account's opt-out text ("" = the default).
	PutSettings(ctx context.Context, p Principal, optOutText string) (TemplateSettings, error)
	// Preview renders a template for a contact or a sample.
	Preview(ctx context.Context, p Principal, in PreviewInput) (Preview, error)
}

// templateBody is the body of POST /v1/templates and PATCH
// /v1/templates/{id}.
type templateBody struct {
	Name *string `json:"name"`
	Body *string `json:"body"`
}

// previewBody is the body of the preview routes.
type previewBody struct {
	Body      string         `json:"body"`
	ContactID app.FlexID     `json:"contact_id"`
	Sample    *PreviewSample `json:"sample"`
}

// templateRoutes registers the template endpoints: reading and
// previewing need the read scope, changing the send scope.
func (s *Server) templateRoutes(r *router.Router) {
	const (
		base     = "/v1/templates"
		one      = base + "/{id}"
		settings = base + "/settings"
	)
	s.post(r, base, s.cfg.MaxBodyBytes, s.createTemplate)
	s.get(r, base, s.listTemplates)
	s.get(r, one, s.getTemplate)
	r.PATCH(one, s.instrument("PATCH "+one, s.authed(ScopeSend, s.patchTemplate)))
	r.DELETE(one, s.instrument("DELETE "+one, s.authed(ScopeSend, s.deleteTemplate)))
	s.get(r, settings, s.getTemplateSettings)
	r.PUT(settings, s.instrument("PUT "+settings, s.authed(ScopeSend, s.putTemplateSettings)))
	s.postRead(r, base+"/preview", s.previewTemplate)
	s.postRead(r, one+"/preview", s.previewTemplate)
}

// postRead registers an authenticated POST that changes nothing (a
// preview): it needs the read scope, takes bodies of at most
// MaxBodyBytes and needs no Idempotency-Key.
func (s *Server) postRead(r *router.Router, path string, h handler) {
	route := "POST " + path
	r.POST(path, s.instrument(route, s.authed(ScopeRead, func(ctx *fasthttp.RequestCtx, sctx context.Context, p Principal) {
		if len(ctx.PostBody()) > s.cfg.MaxBodyBytes {
			writeProblem(ctx, PayloadTooLarge("", fmt.Sprintf("the body exceeds %d bytes", s.cfg.MaxBodyBytes)))
			return
		}
		h(ctx, sctx, p)
	})))
}

// templatesOff answers 404 when the gateway has no Templates service.
func (s *Server) templatesOff(ctx *fasthttp.RequestCtx) bool {
	return notEnabled(ctx, s.deps.Templates == nil, "templates are")
}

// templateID is the {id} path parameter; it answers 404 when it is not
// one.
func templateID(ctx *fasthttp.RequestCtx) (int64, bool) {
	v, _ := ctx.UserValue("id").(string)
	id, err := strconv.ParseInt(v, 10, 64)
	if err != nil || id <= 0 {
		writeProblem(ctx, NotFound("no such template"))
		return 0, false
	}
	return id, true
}

func (s *Server) createTemplate(ctx *fasthttp.RequestCtx, sctx context.Context, p Principal) {
	if s.templatesOff(ctx) {
		return
	}
	var b templateBody
	if !decodeObject(ctx, &b) {
		return
	}
	t, err := s.deps.Templates.Create(sctx, p, TemplateInput{Name: b.Name, Body: b.Body})
	if err != nil {
		s.fail(ctx, err)
		return
	}
	s.writeJSON(ctx, fasthttp.StatusCreated, t)
}

func (s *Server) listTemplates(ctx *fasthttp.RequestCtx, sctx context.Context, p Principal) {
	if s.templatesOff(ctx) {
		return
	}
	var (
		cursor string
		limit  int
	)
	for k, v := range ctx.QueryArgs().All() {
		switch string(k) {
		case "cursor":
			cursor = string(v)
		case "limit":
			n, err := strconv.Atoi(string(v))
			if err != nil || n < 1 || n > app.MaxTemplatesListed {
				writeProblem(ctx, InvalidRequest("limit", "must be an integer from 1 to "+strconv.Itoa(app.MaxTemplatesListed)))
				return
			}
			limit = n
		default:
			writeProblem(ctx, InvalidRequest(string(k), "unknown query parameter"))
			return
		}
	}
	page, err := s.deps.Templates.List(sctx, p, cursor, limit)
	if err != nil {
		s.fail(ctx, err)
		return
	}
	s.writeJSON(ctx, fasthttp.StatusOK, page)
}

func (s *Server) getTemplate(ctx *fasthttp.RequestCtx, sctx context.Context, p Principal) {
	if s.templatesOff(ctx) {
		return
	}
	id, ok := templateID(ctx)
	if !ok {
		return
	}
	t, err := s.deps.Templates.Get(sctx, p, id)
	if err != nil {
		s.fail(ctx, err)
		return
	}
	s.writeJSON(ctx, fasthttp.StatusOK, t)
}

func (s *Server) patchTemplate(ctx *fasthttp.RequestCtx, sctx context.Context, p Principal) {
	if s.templatesOff(ctx) {
		return
	}
	id, ok := templateID(ctx)
	if !ok {
		return
	}
	var b templateBody
	if !decodeObject(ctx, &b) {
		return
	}
	t, err := s.deps.Templates.Update(sctx, p, id, TemplateInput{Name: b.Name, Body: b.Body})
	if err != nil {
		s.fail(ctx, err)
		return
	}
	s.writeJSON(ctx, fasthttp.StatusOK, t)
}

func (s *Server) deleteTemplate(ctx *fasthttp.RequestCtx, sctx context.Context, p Principal) {
	if s.templatesOff(ctx) {
		return
	}
	id, ok := templateID(ctx)
	if !ok {
		return
	}
	if err := s.deps.Templates.Delete(sctx, p, id); err != nil {
		s.fail(ctx, err)
		return
	}
	ctx.SetStatusCode(fasthttp.StatusNoContent)
}

func (s *Server) getTemplateSettings(ctx *fasthttp.RequestCtx, sctx context.Context, p Principal) {
	if s.templatesOff(ctx) {
		return
	}
	ts, err := s.deps.Templates.Settings(sctx, p)
	if err != nil {
		s.fail(ctx, err)
		return
	}
	s.writeJSON(ctx, fasthttp.StatusOK, ts)
}

func (s *Server) putTemplateSettings(ctx *fasthttp.RequestCtx, sctx context.Context, p Principal) {
	if s.templatesOff(ctx) {
		return
	}
	var b struct {
		OptOutText *string `json:"optout_text"`
	}
	if !decodeObject(ctx, &b) {
		return
	}
	if b.OptOutText == nil {
		writeProblem(ctx, InvalidRequest("optout_text", `give optout_text ("" for the default)`))
		return
	}
	ts, err := s.deps.Templates.PutSettings(sctx, p, *b.OptOutText)
	if err != nil {
		s.fail(ctx, err)
		return
	}
	s.writeJSON(ctx, fasthttp.StatusOK, ts)
}

// previewTemplate serves both preview routes: with {id} the saved
// template, without it the body given.
func (s *Server) previewTemplate(ctx *fasthttp.RequestCtx, sctx context.Context, p Principal) {
	if s.templatesOff(ctx) {
		return
	}
	var in PreviewInput
	if _, saved := ctx.UserValue("id").(string); saved {
		id, ok := templateID(ctx)
		if !ok {
			return
		}
		in.ID = id
	}
	var b previewBody
	if len(ctx.PostBody()) > 0 || in.ID == 0 {
		if !decodeObject(ctx, &b) {
			return
		}
	}
	if in.ID != 0 && b.Body != "" {
		writeProblem(ctx, InvalidRequest("body", "a saved template is previewed with its own body; POST /v1/templates/preview takes one"))
		return
	}
	in.Body, in.ContactID, in.Sample = b.Body, int64(b.ContactID), b.Sample
	pv, err := s.deps.Templates.Preview(sctx, p, in)
	if err != nil {
		s.fail(ctx, err)
		return
	}
	s.writeJSON(ctx, fasthttp.StatusOK, pv)
}
