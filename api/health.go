package api

import (
	"context"

	"github.com/valyala/fasthttp"
)

// healthz serves GET /healthz: 200 while the process runs.
func (s *Server) healthz(ctx *fasthttp.RequestCtx) {
	ctx.Response.Header.SetContentType(contentJSON)
	ctx.Response.SetBodyString(`{"status":"ok"}`)
}

// readyz serves GET /readyz: 200 when Health.Ready passes, else a
// not-ready problem (503).
func (s *Server) readyz(ctx *fasthttp.RequestCtx) {
	if s.deps.Health != nil {
		rctx, cancel := context.WithTimeout(s.base, s.cfg.ReadyTimeout)
		err := s.deps.Health.Ready(rctx)
		cancel()
		if err != nil {
			s.log.Warn("api: not ready", "err", err)
			writeProblem(ctx, NotReady("the gateway is not ready to serve"))
			return
		}
	}
	ctx.Response.Header.SetContentType(contentJSON)
	ctx.Response.SetBodyString(`{"status":"ready"}`)
}
