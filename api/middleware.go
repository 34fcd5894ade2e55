package api

import (
	"context"
	"runtime/debug"
	"time"

	"github.com/valyala/fasthttp"
)

// handler is an authenticated handler: sctx is the context for its
// service calls and p the caller.
type handler func(ctx *fasthttp.RequestCtx, sctx context.Context, p Principal)

// instrument counts and times the answers of h under route and turns a
// panic into a 500 problem, logged with its stack.
func (s *Server) instrument(route string, h fasthttp.RequestHandler) fasthttp.RequestHandler {
	rm := s.metrics.route(route)
	return func(ctx *fasthttp.RequestCtx) {
		start := time.Now()
		defer func() {
			if v := recover(); v != nil {
				s.panicked(ctx, v)
			}
			rm.observe(ctx.Response.StatusCode(), time.Since(start))
		}()
		h(ctx)
	}
}

// panicked answers a request whose handler panicked with v.
func (s *Server) panicked(ctx *fasthttp.RequestCtx, v any) {
	s.metrics.panics.Inc()
	s.log.Error("api: handler panic", "method", string(ctx.Method()), "path", string(ctx.Path()),
		"panic", v, "stack", string(debug.Stack()))
	ctx.Response.Reset()
	writeProblem(ctx, Internal())
}

// authed authenticates the caller, checks that its key holds scope and
// calls h with a context bounded by the handler timeout.
func (s *Server) authed(scope string, h handler) fasthttp.RequestHandler {
	return func(ctx *fasthttp.RequestCtx) {
		sctx := s.deadlines.context(time.Now())
		if s.limited(ctx, sctx, nil) {
			return
		}
		p, ok := s.authenticate(ctx, sctx)
		if !ok {
			return
		}
		if !p.Has(scope) {
			who := "this API key"
			if p.KeyID == 0 {
				who = "this session"
			}
			writeProblem(ctx, Forbidden(who+` lacks the "`+scope+`" scope`))
			return
		}
		if s.limited(ctx, sctx, &p) {
			return
		}
		h(ctx, sctx, p)
	}
}

// Values of WWW-Authenticate (RFC 6750 section 3).
const (
	challenge             = `Bearer realm="gallant"`
	challengeInvalidToken = `Bearer realm="gallant", error="invalid_token"`
	challengeBadRequest   = `Bearer realm="gallant", error="invalid_request"`
)

// authenticate checks the Authorization header; when it fails it answers
// the request and returns false.
func (s *Server) authenticate(ctx *fasthttp.RequestCtx, sctx context.Context) (Principal, bool) {
	h := ctx.Request.Header.Peek(fasthttp.HeaderAuthorization)
	if len(h) == 0 {
		ctx.Response.Header.Set(fasthttp.HeaderWWWAuthenticate, challenge)
		writeProblem(ctx, Unauthorized("give the API key as Authorization: Bearer <key>"))
		return Principal{}, false
	}
	key, ok := bearerToken(h)
	if !ok {
		ctx.Response.Header.Set(fasthttp.HeaderWWWAuthenticate, challengeBadRequest)
		writeProblem(ctx, Unauthorized("malformed Authorization header; want Bearer <key>"))
		return Principal{}, false
	}
	p, err := s.deps.Auth.AuthenticateAPIKey(sctx, string(key))
	if err != nil {
		e := s.problem(ctx, err)
		if e.Status == fasthttp.StatusUnauthorized {
			ctx.Response.Header.Set(fasthttp.HeaderWWWAuthenticate, challengeInvalidToken)
		}
		writeProblem(ctx, e)
		return Principal{}, false
	}
	return p, true
}

// maxKeyLen bounds an API key; real ones are far shorter.
const maxKeyLen = 512

// bearerToken returns the token of a "Bearer <token>" header value (the
// scheme in any case); the token must be visible ASCII.
func bearerToken(h []byte) ([]byte, bool) {
	const scheme = "bearer"
	if len(h) < len(scheme)+2 || h[len(scheme)] != ' ' {
		return nil, false
	}
	for i := range len(scheme) {
		if h[i]|0x20 != scheme[i] {
			return nil, false
		}
	}
	tok := h[len(scheme)+1:]
	for len(tok) > 0 && tok[0] == ' ' {
		tok = tok[1:]
	}
	for len(tok) > 0 && tok[len(tok)-1] == ' ' {
		tok = tok[:len(tok)-1]
	}
	if len(tok) == 0 || len(tok) > maxKeyLen {
		return nil, false
	}
	for _, c := range tok {
		if c <= ' ' || c > '~' {
			return nil, false
		}
	}
	return tok, true
}

// problem maps a service error to the problem to answer, logging errors
// the client must not see.
func (s *Server) problem(ctx *fasthttp.RequestCtx, err error) *Error {
	e, known := problemOf(err)
	if !known {
		s.log.Error("api: service error", "method", string(ctx.Method()), "path", string(ctx.Path()), "err", err)
	}
	return e
}

// fail answers the request with the problem for err.
func (s *Server) fail(ctx *fasthttp.RequestCtx, err error) {
	writeProblem(ctx, s.problem(ctx, err))
}
