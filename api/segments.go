package api

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/fasthttp/router"
	"github.com/valyala/fasthttp"

	"github.com/gallant-sms/gallant/app"
)

// The segment types of the app package.
type (
	// Segment is [app.Segment].
	Segment = app.Segment
	// SegmentInput is [app.SegmentInput].
	SegmentInput = app.SegmentInput
	// SegmentPage is [app.SegmentPage].
	SegmentPage = app.SegmentPage
	// SegmentPreview is [app.SegmentPreview].
	SegmentPreview = app.SegmentPreview
)

// Segments is the service behind /v1/segments: saved filters over the
// account's contacts. Bad rules are invalid-request [*Error]s naming the
// condition at fault.
type Segments interface {
	// Create stores a new segment.
	Create(ctx context.Context, p Principal, in SegmentInput) (Segment, error)
	// List returns a page of segments after id after.
	List(ctx context.Context, p Principal, after int64, limit int) (SegmentPage, error)
	// Get returns segment id.
	Get(ctx context.Context, p Principal, id int64) (Segment, error)
	// Update changes segment id's name and/or rules.
	Update(ctx context.Context, p Principal, id int64, in SegmentInput) (Segment, error)
	// Delete deletes segment id.
	Delete(ctx context.Context, p Principal, id int64) error
	// Preview counts segment id's contacts and samples ten.
	Preview(ctx context.Context, p Principal, id int64) (SegmentPreview, error)
	// PreviewRules counts and samples the contacts unsaved rules match.
	PreviewRules(ctx context.Context, p Principal, rules json.RawMessage) (SegmentPreview, error)
}

// segmentBody is the body of POST /v1/segments and PATCH
// /v1/segments/{id}.
type segmentBody struct {
	Name  *string         `json:"name"`
	Rules json.RawMessage `json:"rules"`
}

// segmentRoutes registers the segment endpoints: reading and previewing
// need the read scope, changing the send scope.
func (s *Server) segmentRoutes(r *router.Router) {
	const (
		base = "/v1/segments"
		one  = base + "/{id}"
	)
	s.post(r, base, s.cfg.MaxBodyBytes, s.createSegment)
	s.get(r, base, s.listSegments)
	s.get(r, one, s.getSegment)
	r.PATCH(one, s.instrument("PATCH "+one, s.authed(ScopeSend, s.patchSegment)))
	r.DELETE(one, s.instrument("DELETE "+one, s.authed(ScopeSend, s.deleteSegment)))
	s.segmentPostRead(r, base+"/preview", s.previewRules)
	s.segmentPostRead(r, one+"/preview", s.previewSegment)
}

// segmentPostRead registers a POST that only reads (a preview): read scope, the
// management body limit.
func (s *Server) segmentPostRead(r *router.Router, path string, h handler) {
	route := "POST " + path
	r.POST(path, s.instrument(route, s.authed(ScopeRead, func(ctx *fasthttp.RequestCtx, sctx context.Context, p Principal) {
		if len(ctx.PostBody()) > s.cfg.MaxBodyBytes {
			writeProblem(ctx, PayloadTooLarge("", fmt.Sprintf("the body exceeds %d bytes", s.cfg.MaxBodyBytes)))
			return
		}
		h(ctx, sctx, p)
	})))
}

func (s *Server) segmentsOff(ctx *fasthttp.RequestCtx) bool {
	return notEnabled(ctx, s.deps.Segments == nil, "segments are")
}

func (s *Server) createSegment(ctx *fasthttp.RequestCtx, sctx context.Context, p Principal) {
	if s.segmentsOff(ctx) {
		return
	}
	var b segmentBody
	if !decodeObject(ctx, &b) {
		return
	}
	seg, err := s.deps.Segments.Create(sctx, p, SegmentInput(b))
	if err != nil {
		s.fail(ctx, err)
		return
	}
	s.writeJSON(ctx, fasthttp.StatusCreated, seg)
}

func (s *Server) listSegments(ctx *fasthttp.RequestCtx, sctx context.Context, p Principal) {
	if s.segmentsOff(ctx) {
		return
	}
	var (
		after int64
		limit int
	)
	for k, v := range ctx.QueryArgs().All() {
		switch string(k) {
		case "after":
			n, err := strconv.ParseInt(string(v), 10, 64)
			if err != nil || n < 0 {
				writeProblem(ctx, InvalidRequest("after", "must be a segment id"))
				return
			}
			after = n
		case "limit":
			n, err := strconv.Atoi(string(v))
			if err != nil || n < 1 || n > app.MaxSegmentsListed {
				writeProblem(ctx, InvalidRequest("limit", "must be an integer from 1 to "+strconv.Itoa(app.MaxSegmentsListed)))
				return
			}
			limit = n
		default:
			writeProblem(ctx, InvalidRequest(string(k), "unknown query parameter"))
			return
		}
	}
	page, err := s.deps.Segments.List(sctx, p, after, limit)
	if err != nil {
		s.fail(ctx, err)
		return
	}
	s.writeJSON(ctx, fasthttp.StatusOK, page)
}

func (s *Server) getSegment(ctx *fasthttp.RequestCtx, sctx context.Context, p Principal) {
	if s.segmentsOff(ctx) {
		return
	}
	id, ok := pathParamID(ctx, "id", "segment")
	if !ok {
		return
	}
	seg, err := s.deps.Segments.Get(sctx, p, id)
	if err != nil {
		s.fail(ctx, err)
		return
	}
	s.writeJSON(ctx, fasthttp.StatusOK, seg)
}

func (s *Server) patchSegment(ctx *fasthttp.RequestCtx, sctx context.Context, p Principal) {
	if s.segmentsOff(ctx) {
		return
	}
	id, ok := pathParamID(ctx, "id", "segment")
	if !ok {
		return
	}
	if len(ctx.PostBody()) > s.cfg.MaxBodyBytes {
		writeProblem(ctx, PayloadTooLarge("", fmt.Sprintf("the body exceeds %d bytes", s.cfg.MaxBodyBytes)))
		return
	}
	var b segmentBody
	if !decodeObject(ctx, &b) {
		return
	}
	seg, err := s.deps.Segments.Update(sctx, p, id, SegmentInput(b))
	if err != nil {
		s.fail(ctx, err)
		return
	}
	s.writeJSON(ctx, fasthttp.StatusOK, seg)
}

func (s *Server) deleteSegment(ctx *fasthttp.RequestCtx, sctx context.Context, p Principal) {
	if s.segmentsOff(ctx) {
		return
	}
	id, ok := pathParamID(ctx, "id", "segment")
	if !ok {
		return
	}
	if err := s.deps.Segments.Delete(sctx, p, id); err != nil {
		s.fail(ctx, err)
		return
	}
	ctx.SetStatusCode(fasthttp.StatusNoContent)
}

func (s *Server) previewSegment(ctx *fasthttp.RequestCtx, sctx context.Context, p Principal) {
	if s.segmentsOff(ctx) {
		return
	}
	id, ok := pathParamID(ctx, "id", "segment")
	if !ok {
		return
	}
	pv, err := s.deps.Segments.Preview(sctx, p, id)
	if err != nil {
		s.fail(ctx, err)
		return
	}
	s.writeJSON(ctx, fasthttp.StatusOK, pv)
}

func (s *Server) previewRules(ctx *fasthttp.RequestCtx, sctx context.Context, p Principal) {
	if s.segmentsOff(ctx) {
		return
	}
	var b struct {
		Rules json.RawMessage `json:"rules"`
	}
	if !decodeObject(ctx, &b) {
		return
	}
	pv, err := s.deps.Segments.PreviewRules(sctx, p, b.Rules)
	if err != nil {
		s.fail(ctx, err)
		return
	}
	s.writeJSON(ctx, fasthttp.StatusOK, pv)
}
