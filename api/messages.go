package api

import (
	"context"
	"encoding/json"

	"github.com/gallant-sms/gallant/sms"
	"github.com/valyala/fasthttp"
)

// postMessage serves POST /v1/messages.
func (s *Server) postMessage(ctx *fasthttp.RequestCtx, sctx context.Context, p Principal) {
	req, perr := decodeSend(ctx.PostBody())
	if perr == nil {
		perr = validateSend(&req)
	}
	if perr != nil {
		writeProblem(ctx, perr)
		return
	}
	res, err := s.deps.Messages.Send(sctx, p, req)
	if err != nil {
		s.fail(ctx, err)
		return
	}
	var loc [40]byte
	ctx.Response.Header.SetBytesV(fasthttp.HeaderLocation, res.ID.AppendTo(append(loc[:0], "/v1/messages/"...)))
	finish(ctx, fasthttp.StatusAccepted, contentJSON, appendSendResult(bodyBuffer(ctx), &res, true))
}

// getMessage serves GET /v1/messages/{id}.
func (s *Server) getMessage(ctx *fasthttp.RequestCtx, sctx context.Context, p Principal) {
	raw, _ := ctx.UserValue("id").(string)
	id, err := sms.ParseID(raw)
	if err != nil {
		// No message has a malformed id: the same answer as a missing one.
		writeProblem(ctx, NotFound("no such message"))
		return
	}
	v, err := s.deps.Messages.Get(sctx, p, id)
	if err != nil {
		s.fail(ctx, err)
		return
	}
	s.writeJSON(ctx, fasthttp.StatusOK, v)
}

// writeJSON answers with v encoded by encoding/json (the read paths, whose
// answers are nested and less hot than sending).
func (s *Server) writeJSON(ctx *fasthttp.RequestCtx, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		s.fail(ctx, err)
		return
	}
	ctx.Response.SetBody(b)
	ctx.Response.SetStatusCode(status)
	ctx.Response.Header.SetContentType(contentJSON)
}
