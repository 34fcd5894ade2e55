package api

import (
	"bufio"
	"context"
	"strconv"
	"time"

	"github.com/fasthttp/router"
	"github.com/valyala/fasthttp"

	"github.com/gallant-sms/gallant/app"
)

// ContactExport is the service behind GET /v1/contacts/export.
type ContactExport interface {
	// Prepare checks the list or segment (0: none) and returns the
	// function that writes the CSV.
	Prepare(ctx context.Context, p Principal, listID, segmentID int64) (app.ExportFunc, error)
}

// contactExportRoutes registers the export: read scope.
func (s *Server) contactExportRoutes(r *router.Router) {
	s.get(r, "/v1/contacts/export", s.exportContacts)
}

// exportContacts streams the account's contacts, a list's (?list=ID) or
// a segment's (?segment=ID), as CSV.
func (s *Server) exportContacts(ctx *fasthttp.RequestCtx, sctx context.Context, p Principal) {
	if notEnabled(ctx, s.deps.ContactExport == nil, "contact exports are") {
		return
	}
	var list, segment int64
	for k, v := range ctx.QueryArgs().All() {
		n, err := strconv.ParseInt(string(v), 10, 64)
		switch string(k) {
		case "list", "segment":
			if err != nil || n <= 0 {
				writeProblem(ctx, InvalidRequest(string(k), "must be an id"))
				return
			}
			if string(k) == "list" {
				list = n
			} else {
				segment = n
			}
		default:
			writeProblem(ctx, InvalidRequest(string(k), "unknown query parameter"))
			return
		}
	}
	write, err := s.deps.ContactExport.Prepare(sctx, p, list, segment)
	if err != nil {
		s.fail(ctx, err)
		return
	}
	ctx.Response.Header.SetContentType("text/csv; charset=utf-8")
	ctx.Response.Header.Set("Content-Disposition", `attachment; filename="contacts.csv"`)
	ctx.SetBodyStreamWriter(func(w *bufio.Writer) {
		// The request's context ends with the handler: the stream runs
		// after it, bounded by its own time and ended by a forced shutdown.
		ectx, cancel := context.WithTimeout(s.base, 30*time.Minute)
		defer cancel()
		if _, err := write(ectx, w); err != nil {
			s.log.Error("export contacts", "account", p.AccountID, "err", err)
		}
	})
}
