package api

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"strconv"
	"time"

	"github.com/fasthttp/router"
	"github.com/valyala/fasthttp"

	"github.com/gallant-sms/gallant/app"
)

// The import types of the app package.
type (
	// ContactImport is [app.ContactImport].
	ContactImport = app.ContactImport
	// ContactImportPage is [app.ContactImportPage].
	ContactImportPage = app.ContactImportPage
	// ImportInput is [app.ImportInput].
	ImportInput = app.ImportInput
	// ImportPreview is [app.ImportPreview].
	ImportPreview = app.ImportPreview
)

// ContactImports is the service behind /v1/contacts/imports: CSV
// imports run as background jobs.
type ContactImports interface {
	// DryRun previews the first rows of an upload, storing nothing.
	DryRun(ctx context.Context, p Principal, in ImportInput) (ImportPreview, error)
	// Start spools the upload and starts its job.
	Start(ctx context.Context, p Principal, in ImportInput) (ContactImport, error)
	// List returns the account's jobs, newest first, below id before.
	List(ctx context.Context, p Principal, before int64, limit int) (ContactImportPage, error)
	// Get returns job id.
	Get(ctx context.Context, p Principal, id int64) (ContactImport, error)
	// Stop asks job id to stop at its next batch.
	Stop(ctx context.Context, p Principal, id int64) (ContactImport, error)
	// CheckRejected says whether the caller may read job id's rejections.
	CheckRejected(ctx context.Context, p Principal, id int64) error
	// StreamRejected writes job id's rejected rows as CSV.
	StreamRejected(ctx context.Context, id int64, w io.Writer) error
}

// contactImportsPath takes a CSV body up to MaxImportBodyBytes.
const contactImportsPath = "/v1/contacts/imports"

// contactImportRoutes registers the import endpoints: starting and
// stopping need the send scope, reading the read scope.
func (s *Server) contactImportRoutes(r *router.Router) {
	const one = contactImportsPath + "/{id}"
	s.post(r, contactImportsPath, s.cfg.MaxImportBodyBytes, s.postContactImport)
	s.get(r, contactImportsPath, s.listContactImports)
	s.get(r, one, s.getContactImport)
	s.post(r, one+"/stop", s.cfg.MaxBodyBytes, s.stopContactImport)
	s.get(r, one+"/rejected", s.getImportRejected)
}

func (s *Server) importsOff(ctx *fasthttp.RequestCtx) bool {
	return notEnabled(ctx, s.deps.ContactImports == nil, "contact imports are")
}

// postContactImport takes a text/csv body, or a multipart form with the
// CSV in its file part; options in the query or the form.
func (s *Server) postContactImport(ctx *fasthttp.RequestCtx, sctx context.Context, p Principal) {
	if s.importsOff(ctx) {
		return
	}
	for k := range ctx.QueryArgs().All() {
		switch string(k) {
		case "mapping", "header", "default_country", "list_id", "tags", "dry_run":
		default:
			writeProblem(ctx, InvalidRequest(string(k), "unknown query parameter"))
			return
		}
	}
	opt := func(name string) string { return string(ctx.QueryArgs().Peek(name)) }
	var body io.Reader = bytes.NewReader(ctx.PostBody())
	if bytes.HasPrefix(ctx.Request.Header.ContentType(), []byte("multipart/form-data")) {
		form, err := ctx.MultipartForm()
		if err != nil {
			writeProblem(ctx, InvalidRequest("file", "the multipart form could not be read"))
			return
		}
		fhs := form.File["file"]
		if len(fhs) != 1 {
			writeProblem(ctx, InvalidRequest("file", "a multipart import needs the CSV in one part named file"))
			return
		}
		f, err := fhs[0].Open()
		if err != nil {
			writeProblem(ctx, InvalidRequest("file", "the file could not be read"))
			return
		}
		defer f.Close()
		body = f
		query := opt
		opt = func(name string) string {
			if v := form.Value[name]; len(v) > 0 {
				return v[0]
			}
			return query(name)
		}
	}
	in := ImportInput{Body: body, Mapping: opt("mapping"), DefaultCountry: opt("default_country"), Tags: opt("tags")}
	if v := opt("list_id"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n <= 0 {
			writeProblem(ctx, InvalidRequest("list_id", "must be a list id"))
			return
		}
		in.ListID = n
	}
	switch opt("header") {
	case "", "true":
	case "false":
		in.NoHeader = true
	default:
		writeProblem(ctx, InvalidRequest("header", "must be true or false"))
		return
	}
	switch opt("dry_run") {
	case "true":
		pv, err := s.deps.ContactImports.DryRun(sctx, p, in)
		if err != nil {
			s.fail(ctx, err)
			return
		}
		s.writeJSON(ctx, fasthttp.StatusOK, pv)
		return
	case "", "false":
	default:
		writeProblem(ctx, InvalidRequest("dry_run", "must be true or false"))
		return
	}
	j, err := s.deps.ContactImports.Start(sctx, p, in)
	if err != nil {
		s.fail(ctx, err)
		return
	}
	ctx.Response.Header.Set("Location", contactImportsPath+"/"+strconv.FormatInt(j.ID, 10))
	s.writeJSON(ctx, fasthttp.StatusAccepted, j)
}

func (s *Server) listContactImports(ctx *fasthttp.RequestCtx, sctx context.Context, p Principal) {
	if s.importsOff(ctx) {
		return
	}
	var (
		before int64
		limit  int
	)
	for k, v := range ctx.QueryArgs().All() {
		switch string(k) {
		case "before":
			n, err := strconv.ParseInt(string(v), 10, 64)
			if err != nil || n < 0 {
				writeProblem(ctx, InvalidRequest("before", "must be an import id"))
				return
			}
			before = n
		case "limit":
			n, err := strconv.Atoi(string(v))
			if err != nil || n < 1 || n > app.MaxImportsListed {
				writeProblem(ctx, InvalidRequest("limit", "must be an integer from 1 to "+strconv.Itoa(app.MaxImportsListed)))
				return
			}
			limit = n
		default:
			writeProblem(ctx, InvalidRequest(string(k), "unknown query parameter"))
			return
		}
	}
	page, err := s.deps.ContactImports.List(sctx, p, before, limit)
	if err != nil {
		s.fail(ctx, err)
		return
	}
	s.writeJSON(ctx, fasthttp.StatusOK, page)
}

func (s *Server) getContactImport(ctx *fasthttp.RequestCtx, sctx context.Context, p Principal) {
	if s.importsOff(ctx) {
		return
	}
	id, ok := pathParamID(ctx, "id", "import")
	if !ok {
		return
	}
	j, err := s.deps.ContactImports.Get(sctx, p, id)
	if err != nil {
		s.fail(ctx, err)
		return
	}
	s.writeJSON(ctx, fasthttp.StatusOK, j)
}

func (s *Server) stopContactImport(ctx *fasthttp.RequestCtx, sctx context.Context, p Principal) {
	if s.importsOff(ctx) {
		return
	}
	id, ok := pathParamID(ctx, "id", "import")
	if !ok {
		return
	}
	j, err := s.deps.ContactImports.Stop(sctx, p, id)
	if err != nil {
		s.fail(ctx, err)
		return
	}
	s.writeJSON(ctx, fasthttp.StatusOK, j)
}

// getImportRejected streams the rejected rows as CSV: line, reason, then
// the row's fields.
func (s *Server) getImportRejected(ctx *fasthttp.RequestCtx, sctx context.Context, p Principal) {
	if s.importsOff(ctx) {
		return
	}
	id, ok := pathParamID(ctx, "id", "import")
	if !ok {
		return
	}
	imports := s.deps.ContactImports
	if err := imports.CheckRejected(sctx, p, id); err != nil {
		s.fail(ctx, err)
		return
	}
	ctx.Response.Header.SetContentType("text/csv; charset=utf-8")
	ctx.Response.Header.Set("Content-Disposition", `attachment; filename="import-`+strconv.FormatInt(id, 10)+`-rejected.csv"`)
	ctx.SetBodyStreamWriter(func(w *bufio.Writer) {
		// The request's context ends with the handler: the stream runs
		// after it, bounded by its own time.
		ectx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
		defer cancel()
		if err := imports.StreamRejected(ectx, id, w); err != nil {
			s.log.Error("import rejections", "account", p.AccountID, "import", id, "err", err)
		}
	})
}
