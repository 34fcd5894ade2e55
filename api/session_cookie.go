package api

import (
	"bytes"
	"math"
	"net/http"
	"strconv"
	"time"

	"github.com/valyala/fasthttp"
)

// A browser keeps its refresh token in an HttpOnly cookie, out of reach
// of the page's scripts: a login with "cookie": true sets it, and the
// refresh and logout routes read it when their body names no token.
//
// The cookie is SameSite=Strict, so no other site's request carries it,
// and the routes that read or set it take only Content-Type
// application/json: a form on another site cannot send that type, and a
// script there must first pass a CORS preflight, which this server never
// grants. Its Path is /v1/auth, so no other route ever sees it.
const (
	// refreshCookie names the cookie holding the refresh token.
	refreshCookie = "gallant_refresh"
	// refreshCookiePath scopes the cookie to the routes that read it.
	refreshCookiePath = "/v1/auth"
)

// setRefreshCookie sets the session's refresh token as the cookie,
// living as long as the token.
func setRefreshCookie(ctx *fasthttp.RequestCtx, sess SessionView) {
	age := int64(math.Round(time.Until(sess.RefreshExpiresAt).Seconds()))
	writeRefreshCookie(ctx, sess.RefreshToken, max(age, 1))
}

// clearRefreshCookie tells the browser to drop the cookie.
func clearRefreshCookie(ctx *fasthttp.RequestCtx) { writeRefreshCookie(ctx, "", 0) }

func writeRefreshCookie(ctx *fasthttp.RequestCtx, token string, maxAge int64) {
	// Written by hand: fasthttp's Cookie cannot say Max-Age=0.
	v := make([]byte, 0, 128+len(token))
	v = append(v, refreshCookie+"="...)
	v = append(v, token...)
	v = append(v, "; Path="+refreshCookiePath+"; HttpOnly; Secure; SameSite=Strict; Max-Age="...)
	v = strconv.AppendInt(v, maxAge, 10)
	ctx.Response.Header.SetBytesV(fasthttp.HeaderSetCookie, v)
	ctx.Response.Header.Set(fasthttp.HeaderCacheControl, "no-store")
}

// jsonContent reports whether the request says its body is JSON
// (application/json, with any parameters); otherwise it answers 415.
func jsonContent(ctx *fasthttp.RequestCtx) bool {
	ct := ctx.Request.Header.ContentType()
	if i := bytes.IndexByte(ct, ';'); i >= 0 {
		ct = ct[:i]
	}
	if !bytes.EqualFold(bytes.TrimSpace(ct), []byte(contentJSON)) {
		writeProblem(ctx, UnsupportedMediaType("a browser session's routes take Content-Type application/json only"))
		return false
	}
	return true
}

// cookieToken returns the refresh token of the request's cookie. Without
// one it answers 400 as for a missing refresh_token member; with one in a
// request that is not JSON it answers 415.
func cookieToken(ctx *fasthttp.RequestCtx) (string, bool) {
	tok := ctx.Request.Header.Cookie(refreshCookie)
	if len(tok) == 0 {
		writeProblem(ctx, InvalidRequest("refresh_token", "refresh_token is required (or the "+refreshCookie+" cookie)"))
		return "", false
	}
	if !jsonContent(ctx) {
		return "", false
	}
	return string(tok), true
}

// sessionWithoutRefresh is a session answered to a browser: its refresh
// token is in the cookie only, never where a script can read it.
type sessionWithoutRefresh struct {
	SessionView
	// RefreshToken shadows the embedded member and stays empty.
	RefreshToken string `json:"refresh_token,omitempty"`
}

// idWriteCookieSession sets the cookie and answers the session without
// its refresh token.
func (s *Server) idWriteCookieSession(ctx *fasthttp.RequestCtx, sess SessionView) {
	setRefreshCookie(ctx, sess)
	sess.TokenType = "Bearer"
	s.writeJSON(ctx, fasthttp.StatusOK, sessionWithoutRefresh{SessionView: sess})
}

// failCookie answers err for a request that used the cookie, clearing it
// when err says its token is no good (401, 403): a broken or revoked
// cookie is not sent again.
func (s *Server) failCookie(ctx *fasthttp.RequestCtx, err error) {
	e := s.problem(ctx, err)
	if e.Status == http.StatusUnauthorized || e.Status == http.StatusForbidden {
		clearRefreshCookie(ctx)
	}
	writeProblem(ctx, e)
}
