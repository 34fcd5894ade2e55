package api

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"time"

	"github.com/fasthttp/router"
	"github.com/valyala/fasthttp"

	"github.com/gallant-sms/gallant/app"
)

// The opt-out types of the app package.
type (
	// OptOutInput is [app.OptOutInput].
	OptOutInput = app.OptOutInput
	// OptOutResult is [app.OptOutResult].
	OptOutResult = app.OptOutResult
	// OptOutPage is [app.OptOutPage].
	OptOutPage = app.OptOutPage
	// OptOutStatus is [app.OptOutStatus].
	OptOutStatus = app.OptOutStatus
	// OptOutImport is [app.OptOutImport].
	OptOutImport = app.OptOutImport
)

// optOutsImportPath takes a CSV body as large as a batch
// (MaxBatchBodyBytes).
const optOutsImportPath = "/v1/opt-outs/import"

// OptOuts is the service behind /v1/opt-outs: the numbers the caller's
// account (or, for a platform admin, the platform) may not message. A nil
// OptOuts in Deps answers the endpoints 404.
type OptOuts interface {
	// Add records opt-outs.
	Add(ctx context.Context, p Principal, in OptOutInput) (OptOutResult, error)
	// Remove opts number in again at scope (and sender).
	Remove(ctx context.Context, p Principal, number, scope, sender string) error
	// Status says whether the account may message number, with its history.
	Status(ctx context.Context, p Principal, number string) (OptOutStatus, error)
	// List returns a page of current opt-outs.
	List(ctx context.Context, p Principal, scope, cursor string, limit int) (OptOutPage, error)
	// Import records an opt-out for each number of a CSV.
	Import(ctx context.Context, p Principal, r io.Reader, scope, sender string) (OptOutImport, error)
	// Export writes the current opt-outs as CSV.
	Export(ctx context.Context, p Principal, scope string, w io.Writer) error
}

// optOutRoutes registers the opt-out endpoints: reading needs the read
// scope, changing the send scope.
func (s *Server) optOutRoutes(r *router.Router) {
	const (
		base = "/v1/opt-outs"
		one  = base + "/{number}"
	)
	s.post(r, base, s.cfg.MaxBodyBytes, s.postOptOuts)
	s.post(r, optOutsImportPath, s.cfg.MaxBatchBodyBytes, s.importOptOuts)
	s.get(r, base+"/export", s.exportOptOuts)
	s.get(r, base, s.listOptOuts)
	s.get(r, one, s.getOptOut)
	r.DELETE(one, s.instrument("DELETE "+one, s.authed(ScopeSend, s.deleteOptOut)))
}

// optOutsOff answers 404 when the gateway has no OptOuts service.
func (s *Server) optOutsOff(ctx *fasthttp.RequestCtx) bool {
	return notEnabled(ctx, s.deps.OptOuts == nil, "opt-outs are")
}

func optOutNumberParam(ctx *fasthttp.RequestCtx) string {
	n, _ := ctx.UserValue("number").(string)
	return n
}

func (s *Server) postOptOuts(ctx *fasthttp.RequestCtx, sctx context.Context, p Principal) {
	if s.optOutsOff(ctx) {
		return
	}
	var in OptOutInput
	if !decodeObject(ctx, &in) {
		return
	}
	res, err := s.deps.OptOuts.Add(sctx, p, in)
	if err != nil {
		s.fail(ctx, err)
		return
	}
	s.writeJSON(ctx, fasthttp.StatusCreated, res)
}

func (s *Server) listOptOuts(ctx *fasthttp.RequestCtx, sctx context.Context, p Principal) {
	if s.optOutsOff(ctx) {
		return
	}
	limit, ok := listLimit(ctx)
	if !ok {
		return
	}
	args := ctx.QueryArgs()
	cursor := string(args.Peek("cursor"))
	if len(cursor) > maxCursor {
		writeProblem(ctx, InvalidRequest("cursor", "malformed cursor"))
		return
	}
	page, err := s.deps.OptOuts.List(sctx, p, string(args.Peek("scope")), cursor, limit)
	if err != nil {
		s.fail(ctx, err)
		return
	}
	s.writeJSON(ctx, fasthttp.StatusOK, page)
}

func (s *Server) getOptOut(ctx *fasthttp.RequestCtx, sctx context.Context, p Principal) {
	if s.optOutsOff(ctx) {
		return
	}
	st, err := s.deps.OptOuts.Status(sctx, p, optOutNumberParam(ctx))
	if err != nil {
		s.fail(ctx, err)
		return
	}
	s.writeJSON(ctx, fasthttp.StatusOK, st)
}

func (s *Server) deleteOptOut(ctx *fasthttp.RequestCtx, sctx context.Context, p Principal) {
	if s.optOutsOff(ctx) {
		return
	}
	args := ctx.QueryArgs()
	if err := s.deps.OptOuts.Remove(sctx, p, optOutNumberParam(ctx), string(args.Peek("scope")), string(args.Peek("sender"))); err != nil {
		s.fail(ctx, err)
		return
	}
	ctx.SetStatusCode(fasthttp.StatusNoContent)
}

// importOptOuts takes the CSV as the body (text/csv) or as the file
// field of a multipart form.
func (s *Server) importOptOuts(ctx *fasthttp.RequestCtx, sctx context.Context, p Principal) {
	if s.optOutsOff(ctx) {
		return
	}
	var body io.Reader = bytes.NewReader(ctx.PostBody())
	if bytes.HasPrefix(ctx.Request.Header.ContentType(), []byte("multipart/form-data")) {
		fh, err := ctx.FormFile("file")
		if err != nil {
			writeProblem(ctx, InvalidRequest("file", "a multipart import needs the CSV in the field file"))
			return
		}
		f, err := fh.Open()
		if err != nil {
			writeProblem(ctx, InvalidRequest("file", "the file could not be read"))
			return
		}
		defer f.Close()
		body = f
	}
	args := ctx.QueryArgs()
	rep, err := s.deps.OptOuts.Import(sctx, p, body, string(args.Peek("scope")), string(args.Peek("sender")))
	if err != nil {
		s.fail(ctx, err)
		return
	}
	s.writeJSON(ctx, fasthttp.StatusOK, rep)
}

// exportOptOuts streams the current opt-outs as CSV.
func (s *Server) exportOptOuts(ctx *fasthttp.RequestCtx, sctx context.Context, p Principal) {
	if s.optOutsOff(ctx) {
		return
	}
	scope := string(ctx.QueryArgs().Peek("scope"))
	if scope == "global" && p.Role != app.RoleAdmin {
		writeProblem(ctx, Forbidden("only platform administrators export platform-wide opt-outs"))
		return
	}
	ctx.Response.Header.SetContentType("text/csv; charset=utf-8")
	ctx.Response.Header.Set("Content-Disposition", `attachment; filename="opt-outs.csv"`)
	opts := s.deps.OptOuts
	ctx.SetBodyStreamWriter(func(w *bufio.Writer) {
		// The request's context ends with the handler: the stream runs
		// after it, bounded by its own time.
		ectx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
		defer cancel()
		if err := opts.Export(ectx, p, scope, w); err != nil {
			s.log.Error("export opt-outs", "account", p.AccountID, "err", err)
		}
	})
}
