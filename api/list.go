package api

import (
	"context"
	"strconv"
	"time"

	"github.com/gallant-sms/gallant/sms"
	"github.com/valyala/fasthttp"
)

// maxCursor bounds the opaque cursor a client may send back.
const maxCursor = 1024

// maxSenderFilter bounds the sender filter (a number or an alphanumeric
// sender is far shorter).
const maxSenderFilter = 32

// listMessages serves GET /v1/messages.
func (s *Server) listMessages(ctx *fasthttp.RequestCtx, sctx context.Context, p Principal) {
	f, perr := parseListFilter(ctx.QueryArgs())
	if perr != nil {
		writeProblem(ctx, perr)
		return
	}
	page, err := s.deps.Messages.List(sctx, p, f)
	if err != nil {
		s.fail(ctx, err)
		return
	}
	if page.Items == nil {
		page.Items = []MessageView{} // "items":[], never null
	}
	s.writeJSON(ctx, fasthttp.StatusOK, page)
}

// parseListFilter reads the query of GET /v1/messages. Unknown parameters
// are refused, so that a misspelt filter is not silently ignored.
func parseListFilter(args *fasthttp.Args) (ListFilter, *Error) {
	f := ListFilter{Limit: DefaultListLimit}
	for k, v := range args.All() {
		switch string(k) {
		case "status":
			st, err := sms.ParseStatus(string(v))
			if err != nil {
				return f, InvalidRequest("status", "must be one of accepted, scheduled, queued, submitted, delivered, undelivered, expired, rejected, failed")
			}
			f.Status = st
		case "to":
			f.To = string(v)
		case "sender":
			if len(v) > maxSenderFilter {
				return f, InvalidRequest("sender", "must be at most "+strconv.Itoa(maxSenderFilter)+" characters")
			}
			f.Sender = string(v)
		case "campaign":
			n, err := strconv.ParseInt(string(v), 10, 64)
			if err != nil || n <= 0 {
				return f, InvalidRequest("campaign", "must be a campaign id")
			}
			f.Campaign = n
		case "from":
			if perr := parseTime("from", v, &f.From); perr != nil {
				return f, perr
			}
		case "until":
			if perr := parseTime("until", v, &f.Until); perr != nil {
				return f, perr
			}
		case "cursor":
			if len(v) > maxCursor {
				return f, InvalidRequest("cursor", "is not a cursor this API gave")
			}
			f.Cursor = string(v)
		case "limit":
			n, err := strconv.Atoi(string(v))
			if err != nil || n < 1 || n > MaxListLimit {
				return f, InvalidRequest("limit", "must be an integer from 1 to "+strconv.Itoa(MaxListLimit))
			}
			f.Limit = n
		default:
			return f, InvalidRequest(string(k), "unknown query parameter")
		}
	}
	if !f.From.IsZero() && !f.Until.IsZero() && !f.Until.After(f.From) {
		return f, InvalidRequest("until", "must be after from")
	}
	return f, nil
}

func parseTime(field string, v []byte, t *time.Time) *Error {
	if t.UnmarshalText(v) != nil {
		return InvalidRequest(field, "must be an RFC 3339 time such as 2026-05-01T09:30:00Z")
	}
	return nil
}
