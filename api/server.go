package api

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net"
	"net/netip"
	"slices"
	"sync"
	"time"

	"github.com/fasthttp/router"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/valyala/fasthttp"
)

// Deps are the services the API calls.
type Deps struct {
	// Auth checks API keys. Required.
	Auth Authenticator
	// Messages sends and reads messages. Required.
	Messages Messages
	// Limiter enforces Config's per-key and per-address rates; nil
	// applies none.
	Limiter RateLimiter
	// Billing serves the balance, ledger and pricing endpoints; nil
	// answers them 404 (billing off).
	Billing Billing
	// Identity serves the user, session, API key and SMPP credential
	// endpoints (api/identity.go); nil answers them 404.
	Identity Identity
	// Accounts serves the account tree, reseller and admin endpoints:
	// sub-accounts, suspension, plans, top-ups, audit log
	// (api/accounts.go); nil answers them 404.
	Accounts Accounts
	// Reports serves usage, statements, invoices and margin reports
	// (api/reports.go); nil answers them 404.
	Reports Reports
	// Alerts serves the low-balance alert settings (api/alerts.go); nil
	// answers them 404.
	Alerts Alerts
	// DistLists serves the distribution lists (api/distlists.go); nil
	// answers them 404.
	DistLists DistLists
	// OptOuts serves the opt-outs (api/optouts.go); nil answers them 404.
	OptOuts OptOuts
	// Keywords serves the account's keyword settings (api/keywords.go);
	// nil answers them 404.
	Keywords Keywords
	// Numbers serves the inbound numbers (api/numbers.go); nil answers
	// them 404.
	Numbers Numbers
	// Inbound serves the MOs and conversations (api/inbound.go); nil
	// answers them 404.
	Inbound Inbound
	// Contacts serves the contacts, custom fields and contact settings
	// (api/contacts.go); nil answers them 404.
	Contacts Contacts
	// Lists serves the static contact lists (api/lists.go); nil answers
	// them 404.
	Lists Lists
	// Hooks serves the event subscriptions /v1/hooks (api/hooks.go); nil
	// answers them 404.
	Hooks Hooks
	// Templates serves the message templates (api/templates.go); nil
	// answers them 404.
	Templates Templates
	// Links serves the public short links GET /l/{code} (api/links.go);
	// nil (links.domain off) answers it 404.
	Links Links
	// Segments, ContactImports and ContactExport serve /v1/segments,
	// /v1/contacts/imports and /v1/contacts/export; nil answers 404.
	Segments       Segments
	ContactImports ContactImports
	ContactExport  ContactExport
	// Campaigns serves the campaigns (api/campaigns.go); nil answers
	// them 404.
	Campaigns Campaigns
	// Operator serves the platform admins' views of carriers and routes
	// (api/operator.go); nil answers them 404.
	Operator Operator
	// Privacy serves the data-subject requests (api/privacy.go); nil
	// answers them 404.
	Privacy Privacy
	// CarrierConfigs edits the stored carriers and route plans
	// (api/carriers_config.go); nil answers them 404.
	CarrierConfigs CarrierConfigs
	// Idempotency stores answers to POSTs with an Idempotency-Key.
	// Required.
	Idempotency Idempotency
	// Health backs /readyz; nil means always ready.
	Health Health
	// Dashboard is the web dashboard's build (index.html at its root,
	// hashed files under assets/), served on the GET and HEAD requests
	// outside the API's paths (api/dashboard.go); nil, or one without
	// index.html, serves a page at / saying how to build it.
	Dashboard fs.FS
}

// Server is the HTTP API server. Its methods are safe for concurrent use.
//
// It bounds what a client can make it hold. Connections over
// Config.Concurrency, or over Config.MaxConnsPerIP from one address, are
// answered and closed as they are accepted. A request's body limit is
// chosen from its headers alone, before its body is read: a request
// without valid credentials may send Config.MaxUnauthenticatedBodyBytes,
// an authenticated one MaxBodyBytes, an authenticated batch
// MaxBatchBodyBytes; a larger declared body is refused with 413 unread
// (a chunked one when it passes the limit). Every refusal counts in
// gallant_http_refused_total. Prometheus metrics are not served here but
// on a listener of their own (see cmd/gallant).
type Server struct {
	cfg      Config
	deps     Deps
	log      *slog.Logger
	metrics  *metrics
	router   *router.Router
	hs       *fasthttp.Server
	inflight inflight
	trusted  []netip.Prefix // Config.TrustedProxies
	conns    *connCounter
	// refusals are the raw answers to refused connections, by reason.
	refusals map[string][]byte
	// uploads bounds the contact import bodies received at once.
	uploads *uploadSlots
	// rootLink serves GET /CODE on the links' short host (api/links.go).
	rootLink fasthttp.RequestHandler
	// dashboard serves the web app (api/dashboard.go).
	dashboard *dashboard

	// base is the parent of every service call's context; Shutdown
	// cancels it once the drain is over or its deadline has passed, like
	// net/http's BaseContext.
	base      context.Context
	cancel    context.CancelFunc
	deadlines *deadlines

	mu     sync.Mutex
	closed bool                  // guarded by mu
	lns    []net.Listener        // guarded by mu
	open   map[net.Conn]struct{} // guarded by mu
}

// New returns a server for the API, answering with deps and logging to
// logger (nil discards). Its metrics are registered with reg; nil
// registers them with a private registry.
func New(cfg Config, deps Deps, logger *slog.Logger, reg prometheus.Registerer) (*Server, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	switch {
	case deps.Auth == nil:
		return nil, errors.New("api: deps: Auth is required")
	case deps.Messages == nil:
		return nil, errors.New("api: deps: Messages is required")
	case deps.Idempotency == nil:
		return nil, errors.New("api: deps: Idempotency is required")
	}
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	if reg == nil {
		reg = prometheus.NewRegistry()
	}
	if _, err := openAPIDoc(); err != nil {
		return nil, err
	}
	trusted, err := parseTrusted(cfg.TrustedProxies)
	if err != nil {
		return nil, err
	}
	s := &Server{
		cfg:      cfg.withDefaults(),
		deps:     deps,
		log:      logger,
		inflight: inflight{keys: make(map[inflightKey]struct{})},
		trusted:  trusted,
		refusals: refusalAnswers(),
		open:     make(map[net.Conn]struct{}),
	}
	s.dashboard = newDashboard(deps.Dashboard, logger.Error)
	s.uploads = &uploadSlots{max: s.cfg.MaxImportUploads, ttl: s.cfg.ReadTimeout + s.cfg.HandlerTimeout, now: time.Now}
	s.conns = newConnCounter(s.cfg.Concurrency, max(s.cfg.MaxConnsPerIP, 0), s.isTrusted)
	if s.metrics, err = newMetrics(reg, func() float64 { return float64(s.conns.open()) }); err != nil {
		return nil, fmt.Errorf("api: register metrics: %w", err)
	}
	s.base, s.cancel = context.WithCancel(context.Background())
	s.deadlines = newDeadlines(s.base, s.cfg.HandlerTimeout)
	s.router = s.routes()
	s.hs = &fasthttp.Server{
		Handler:        s.serveHTTP,
		HeaderReceived: s.bodyLimit,
		ErrorHandler:   s.serveError,
		ConnState:      s.connState,
		Logger:         fasthttpLogger{logger},
		Name:           "gallant",
		// A backstop: the listener refuses connections over the limit
		// first (conns.go).
		Concurrency:  s.cfg.Concurrency,
		ReadTimeout:  s.cfg.ReadTimeout,
		WriteTimeout: s.cfg.WriteTimeout,
		IdleTimeout:  s.cfg.IdleTimeout,
		// bodyLimit sets each request's limit; this one applies only if
		// it were not called.
		MaxRequestBodySize: s.cfg.MaxUnauthenticatedBodyBytes,
		// No route takes multipart forms; fasthttp would otherwise parse
		// them, spilling large files to disk, before the handler runs.
		DisablePreParseMultipartForm: true,
		// Answers always set their own content type; headers we receive
		// are looked up by their canonical names.
		NoDefaultContentType: true,
		// Keep-alive clients are told to go away while draining.
		CloseOnShutdown: true,
	}
	return s, nil
}

// serveHTTP is the server's handler: it settles who the client is, then
// routes the request.
func (s *Server) serveHTTP(ctx *fasthttp.RequestCtx) {
	s.settleClient(ctx)
	s.router.Handler(ctx)
}

// batchPath and optOutsImportPath are the routes whose bodies may exceed
// MaxBodyBytes.
const batchPath = "/v1/messages/batch"

// bodyLimit is fasthttp's HeaderReceived hook: from the request's headers
// alone, before any of its body is read, it sets the largest body the
// request may send. A body that fits the unauthenticated limit needs
// nothing more. A larger one (or a chunked one, whose size is unknown) is
// allowed only with credentials that authenticate: up to
// MaxBatchBodyBytes for POST /v1/messages/batch and /v1/opt-outs/import
// with the send scope,
// MaxImportBodyBytes for POST /v1/contacts/imports with the send scope
// while fewer than MaxImportUploads such bodies are being received,
// MaxBodyBytes otherwise (and for POST and DELETE
// /v1/lists/{id}/contacts, which name up to 10,000 contacts). A body over its limit is refused with 413 and
// its connection closed, so each failed check costs the client a
// connection.
func (s *Server) bodyLimit(h *fasthttp.RequestHeader) fasthttp.RequestConfig {
	h.Del(uploadSlotHeader) // only this hook marks a request holding a slot
	small := fasthttp.RequestConfig{MaxRequestBodySize: s.cfg.MaxUnauthenticatedBodyBytes}
	if n := h.ContentLength(); n != -1 && n <= s.cfg.MaxUnauthenticatedBodyBytes {
		return small // -2: no body at all
	}
	key, ok := bearerToken(h.Peek(fasthttp.HeaderAuthorization))
	if !ok {
		return small
	}
	p, err := s.deps.Auth.AuthenticateAPIKey(s.deadlines.context(time.Now()), string(key))
	if err != nil {
		return small
	}
	if path := requestPath(h); p.Has(ScopeSend) && (h.IsPost() && (path == batchPath || path == optOutsImportPath) ||
		(h.IsPost() || h.IsDelete()) && listMembersPath(path)) {
		return fasthttp.RequestConfig{MaxRequestBodySize: s.cfg.MaxBatchBodyBytes}
	} else if h.IsPost() && p.Has(ScopeSend) && path == contactImportsPath && s.uploads.take() {
		h.Set(uploadSlotHeader, "1") // given back when the handler ends (api/uploads.go)
		return fasthttp.RequestConfig{MaxRequestBodySize: s.cfg.MaxImportBodyBytes}
	}
	return fasthttp.RequestConfig{MaxRequestBodySize: s.cfg.MaxBodyBytes}
}

// requestPath returns the path a request's URI routes to, normalised as
// the router sees it.
func requestPath(h *fasthttp.RequestHeader) string {
	u := fasthttp.AcquireURI()
	defer fasthttp.ReleaseURI(u)
	if err := u.Parse(nil, h.RequestURI()); err != nil {
		return ""
	}
	return string(u.Path())
}

// routes builds the router. Every route is instrumented with the pattern
// as its metrics label, and appears in openapi.json (a test checks it).
func (s *Server) routes() *router.Router {
	r := router.New()
	// An API answers at one spelling of each path: no redirects.
	r.RedirectTrailingSlash = false
	r.RedirectFixedPath = false
	r.HandleOPTIONS = false
	r.HandleMethodNotAllowed = true
	unmatched := s.instrument("unmatched", func(ctx *fasthttp.RequestCtx) {
		writeProblem(ctx, NotFound("no such endpoint"))
	})
	dashboard := s.instrument(dashboardRoute, s.dashboard.serve)
	r.NotFound = func(ctx *fasthttp.RequestCtx) {
		switch {
		case s.rootLink != nil && s.shortRoot(ctx):
			s.rootLink(ctx) // a short link on the links' own host
		case dashboardPath(ctx):
			dashboard(ctx)
		default:
			unmatched(ctx)
		}
	}
	r.MethodNotAllowed = s.instrument("unmatched", func(ctx *fasthttp.RequestCtx) {
		writeProblem(ctx, MethodNotAllowed("the endpoint does not serve this method"))
	})
	r.PanicHandler = s.panicked // outside instrumented handlers: the router itself

	s.post(r, "/v1/messages", s.cfg.MaxBodyBytes, s.postMessage)
	s.post(r, "/v1/messages/batch", s.cfg.MaxBatchBodyBytes, s.postBatch)
	s.get(r, "/v1/messages", s.listMessages)
	s.get(r, "/v1/messages/export", s.exportMessages)
	s.get(r, "/v1/messages/{id}", s.getMessage)
	s.get(r, "/v1/balance", s.getBalance)
	s.get(r, "/v1/ledger", s.getLedger)
	s.get(r, "/v1/pricing", s.getPricing)

	s.identityRoutes(r)
	s.accountRoutes(r)
	s.reportRoutes(r)
	s.alertRoutes(r)
	s.webhookRoutes(r)
	s.topUpAskRoutes(r)
	s.distListRoutes(r)
	s.optOutRoutes(r)
	s.keywordRoutes(r)
	s.numberRoutes(r)
	s.inboundRoutes(r)
	s.contactRoutes(r)
	s.hookRoutes(r)
	s.listRoutes(r)
	s.templateRoutes(r)
	s.linkRoutes(r)
	s.segmentRoutes(r)
	s.contactImportRoutes(r)
	s.contactExportRoutes(r)
	s.campaignRoutes(r)
	s.operatorRoutes(r)
	s.privacyRoutes(r)
	s.carrierConfigRoutes(r)

	r.GET("/healthz", s.instrument("GET /healthz", s.healthz))
	r.GET("/readyz", s.instrument("GET /readyz", s.readyz))
	r.GET("/openapi.json", s.instrument("GET /openapi.json", serveOpenAPI))
	return r
}

// post registers an authenticated, idempotent POST route taking bodies of
// at most maxBody bytes.
func (s *Server) post(r *router.Router, path string, maxBody int, h handler) {
	route := "POST " + path
	inner := s.idempotent(route, h)
	serve := s.instrument(route, s.authed(ScopeSend, func(ctx *fasthttp.RequestCtx, sctx context.Context, p Principal) {
		if len(ctx.PostBody()) > maxBody {
			writeProblem(ctx, PayloadTooLarge("", fmt.Sprintf("the body exceeds %d bytes", maxBody)))
			return
		}
		inner(ctx, sctx, p)
	}))
	if path == contactImportsPath { // its body held an upload slot (api/uploads.go)
		held := serve
		serve = func(ctx *fasthttp.RequestCtx) {
			defer s.releaseUpload(ctx)
			held(ctx)
		}
	}
	r.POST(path, serve)
}

// get registers an authenticated GET route.
func (s *Server) get(r *router.Router, path string, h handler) {
	route := "GET " + path
	r.GET(path, s.instrument(route, s.authed(ScopeRead, h)))
}

// ListenAndServe listens on the TCP address addr and serves until
// [Server.Shutdown], returning [ErrServerClosed] then.
func (s *Server) ListenAndServe(addr string) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("api: listen: %w", err)
	}
	return s.Serve(ln)
}

// Serve accepts connections on ln (speaking TLS when Config.TLS is set)
// until [Server.Shutdown], returning [ErrServerClosed] then, or another
// error when accepting fails. It closes ln when it returns.
func (s *Server) Serve(ln net.Listener) error {
	ln = &onceCloseListener{Listener: ln}
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		_ = ln.Close()
		return ErrServerClosed
	}
	s.lns = append(s.lns, ln)
	s.mu.Unlock()

	var served net.Listener = &limitListener{Listener: ln, s: s, answer: s.cfg.TLS == nil}
	if s.cfg.TLS != nil {
		served = tls.NewListener(served, s.cfg.TLS)
	}
	err := s.hs.Serve(served)
	_ = ln.Close()
	s.mu.Lock()
	closed := s.closed
	s.mu.Unlock()
	switch {
	case closed:
		return ErrServerClosed
	case err != nil:
		return fmt.Errorf("api: serve: %w", err)
	}
	return nil
}

// Shutdown stops the server: it closes the listeners, answers requests in
// progress (telling keep-alive clients to close), closes idle connections
// and waits for the rest until ctx is done. Then it cancels the contexts
// of service calls still running and, if ctx ended first, closes the
// remaining connections and returns an error wrapping ctx.Err(). It does
// not wait for the goroutines calling [Server.Serve] to return. Calling it
// again returns at once.
func (s *Server) Shutdown(ctx context.Context) error {
	s.mu.Lock()
	s.closed = true
	lns := slices.Clone(s.lns)
	s.mu.Unlock()
	for _, ln := range lns {
		_ = ln.Close()
	}
	err := s.hs.ShutdownWithContext(ctx)
	s.cancel()
	if err != nil {
		n := s.closeConns()
		return fmt.Errorf("api: shutdown: closed %d connections by force: %w", n, err)
	}
	return nil
}

// connState tracks open connections, for a forced shutdown.
func (s *Server) connState(c net.Conn, st fasthttp.ConnState) {
	switch st {
	case fasthttp.StateNew:
		s.mu.Lock()
		s.open[c] = struct{}{}
		s.mu.Unlock()
	case fasthttp.StateClosed, fasthttp.StateHijacked:
		s.mu.Lock()
		delete(s.open, c)
		s.mu.Unlock()
	}
}

// closeConns closes every open connection and returns how many.
func (s *Server) closeConns() int {
	s.mu.Lock()
	open := make([]net.Conn, 0, len(s.open))
	for c := range s.open {
		open = append(open, c)
	}
	s.mu.Unlock()
	for _, c := range open {
		_ = c.Close()
	}
	return len(open)
}

// serveError answers a request fasthttp could not read.
func (s *Server) serveError(ctx *fasthttp.RequestCtx, err error) {
	s.releaseUpload(ctx) // a body that could not be read holds its slot no more
	var ne net.Error
	var small *fasthttp.ErrSmallBuffer
	switch {
	case errors.Is(err, fasthttp.ErrBodyTooLarge):
		s.metrics.refuse(refusedBodyTooLarge)
		// The client is still sending the body: let it, for a moment, so
		// that it reads this answer instead of a reset connection.
		markLinger(ctx)
		writeProblem(ctx, PayloadTooLarge("", fmt.Sprintf(
			"the body is too large: at most %d bytes without valid credentials, %d with them, %d for a batch, %d for a contact import "+
				"(while fewer than %d imports are uploading at once: retry a refused import shortly)",
			s.cfg.MaxUnauthenticatedBodyBytes, s.cfg.MaxBodyBytes, s.cfg.MaxBatchBodyBytes, s.cfg.MaxImportBodyBytes, s.cfg.MaxImportUploads)))
	case errors.As(err, &small):
		s.metrics.refuse(refusedHeaderTooBig)
		e := InvalidRequest("", "the request's headers are too large")
		e.Status = fasthttp.StatusRequestHeaderFieldsTooLarge
		writeProblem(ctx, e)
	case errors.As(err, &ne) && ne.Timeout():
		s.metrics.refuse(refusedReadTimeout)
		e := InvalidRequest("", "the request was not received in time")
		e.Status = fasthttp.StatusRequestTimeout
		writeProblem(ctx, e)
	default:
		writeProblem(ctx, InvalidRequest("", "malformed HTTP request"))
	}
}

// onceCloseListener lets Serve, Shutdown and fasthttp all close a
// listener.
type onceCloseListener struct {
	net.Listener
	once sync.Once
	err  error
}

func (l *onceCloseListener) Close() error {
	l.once.Do(func() { l.err = l.Listener.Close() })
	return l.err
}

// fasthttpLogger sends fasthttp's messages to slog.
type fasthttpLogger struct{ log *slog.Logger }

func (l fasthttpLogger) Printf(format string, args ...any) {
	l.log.Warn("api: fasthttp", "msg", fmt.Sprintf(format, args...))
}

// notEnabled answers 404 "WHAT not enabled on this gateway" when missing
// (a service left out of Deps), and says whether it did.
func notEnabled(ctx *fasthttp.RequestCtx, missing bool, what string) bool {
	if missing {
		writeProblem(ctx, NotFound(what+" not enabled on this gateway"))
	}
	return missing
}
