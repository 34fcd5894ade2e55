package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"net"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gallant-sms/gallant/account"
	"github.com/gallant-sms/gallant/gateway"
	"github.com/gallant-sms/gallant/store"
)

// CarrierConfigs edits the carriers and route plans kept in the store
// (GET/POST /v1/carriers, /v1/routes, /v1/accounts/{id}/routes, gallant
// admin carrier|route). Every gateway instance polls the store and, within
// seconds and without a restart, puts carriers added into service before
// it swaps in routes that name them, swaps changed routes in at once,
// takes carriers removed out of service once no route names them (their
// binds unbind gracefully), and applies a carrier's new TPS, connection
// settings (its binds replaced gracefully), outbind_listen and
// optout_errors (see [gateway.Service.ConfigApplied] for what could not
// apply).
//
// Carriers and the default plan are for platform admins. A reseller sets
// the plans of its sub-accounts, naming only carriers the platform
// offers it: those of the default plan. Every change is audited (under
// account 0 for platform changes), never with a password.
type CarrierConfigs struct {
	st  *store.Store
	acc *account.Service // nil: the CLI, without reseller checks
	gw  *gateway.Service // nil: no running instance (the CLI)
	log *slog.Logger
	// currency is that of buy rates added without one ("": required).
	currency string
}

// NewCarrierConfigs returns the editor over st; acc and gw may be nil
// (the CLI: the caller is the platform's operator and nothing runs), and
// log too (no logs).
func NewCarrierConfigs(st *store.Store, acc *account.Service, gw *gateway.Service, log *slog.Logger) *CarrierConfigs {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &CarrierConfigs{st: st, acc: acc, gw: gw, log: log}
}

// CarrierInput is a carrier to create (name and address required) or
// the settings to change (nil: unchanged).
type CarrierInput struct {
	Name                  *string   `json:"name,omitempty"`
	Address               *string   `json:"address,omitempty"`
	SystemID              *string   `json:"system_id,omitempty"`
	Password              *string   `json:"password,omitempty"` // write-only
	SystemType            *string   `json:"system_type,omitempty"`
	BindType              *string   `json:"bind_type,omitempty"`
	Binds                 *int      `json:"binds,omitempty"`
	Window                *int      `json:"window,omitempty"`
	TPS                   *float64  `json:"tps,omitempty"`
	MaxInbound            *int      `json:"max_inbound,omitempty"`
	OptOutErrors          *[]string `json:"optout_errors,omitempty"`
	TLS                   *bool     `json:"tls,omitempty"`
	TLSCA                 *string   `json:"tls_ca,omitempty"`
	TLSServerName         *string   `json:"tls_server_name,omitempty"`
	TLSInsecureSkipVerify *bool     `json:"tls_insecure_skip_verify,omitempty"`
	OutbindListen         *string   `json:"outbind_listen,omitempty"`
}

// CarrierConfigView is a stored carrier as the API shows it: every
// setting but the password, of which only whether one is set.
type CarrierConfigView struct {
	Name                  string    `json:"name"`
	Address               string    `json:"address"`
	SystemID              string    `json:"system_id"`
	PasswordSet           bool      `json:"password_set"`
	SystemType            string    `json:"system_type"`
	BindType              string    `json:"bind_type"`
	Binds                 int       `json:"binds"`
	Window                int       `json:"window"`
	TPS                   float64   `json:"tps"`
	MaxInbound            int       `json:"max_inbound"`
	OptOutErrors          []string  `json:"optout_errors"`
	TLS                   bool      `json:"tls"`
	TLSCA                 string    `json:"tls_ca"`
	TLSServerName         string    `json:"tls_server_name"`
	TLSInsecureSkipVerify bool      `json:"tls_insecure_skip_verify"`
	OutbindListen         string    `json:"outbind_listen"`
	CreatedAt             time.Time `json:"created_at"`
	UpdatedAt             time.Time `json:"updated_at"`
	// RestartPending says that the instance that answered could not
	// apply these settings (see gateway.Service.ConfigApplied); the next
	// change or its next start tries again.
	RestartPending bool `json:"restart_pending"`
}

// CarrierList is the answer of GET /v1/carriers.
type CarrierList struct {
	Carriers []CarrierConfigView `json:"carriers"`
	// Version is the configuration's version in the store; Applied is
	// the one the answering instance routes by (-1: none yet).
	Version int64 `json:"version"`
	Applied int64 `json:"applied_version"`
	// RestartPending names carriers whose stored settings the answering
	// instance could not apply (added, changed or removed).
	RestartPending []string `json:"restart_pending"`
}

// RouteChoiceInput is one carrier of a route.
type RouteChoiceInput struct {
	Carrier  string `json:"carrier"`
	Priority int    `json:"priority"`
	Weight   int    `json:"weight"`
}

// RouteInput is one route of a plan.
type RouteInput struct {
	Prefix    string             `json:"prefix"`
	Carriers  []RouteChoiceInput `json:"carriers"`
	LeastCost bool               `json:"least_cost"`
	SenderTPS float64            `json:"sender_tps"`
}

// RoutePlan is a route plan: the default one (AccountID "0") or an
// account's own.
type RoutePlan struct {
	AccountID string       `json:"account_id"`
	Routes    []RouteInput `json:"routes"`
	Version   int64        `json:"version"`
}

// Limits of carrier and route settings.
const (
	maxCarrierBinds  = 64
	maxCarrierWindow = 1000
	maxCarrierTPS    = 100_000
	maxRouteWeight   = 1_000_000
	maxRoutePriority = 1000
	maxRoutes        = 10_000
)

// forPlatform refuses callers other than platform admins.
func forPlatform(p Principal) error {
	if p.Role != RoleAdmin {
		return Forbidden("carriers and the default routes are for platform admins")
	}
	return nil
}

// List returns the stored carriers (passwords left out).
func (c *CarrierConfigs) List(ctx context.Context, p Principal) (CarrierList, error) {
	if err := forPlatform(p); err != nil {
		return CarrierList{}, err
	}
	stored, err := c.st.ListCarrierConfigs(ctx)
	if err != nil {
		return CarrierList{}, err
	}
	v, err := c.st.ConfigVersion(ctx)
	if err != nil {
		return CarrierList{}, err
	}
	out := CarrierList{Carriers: make([]CarrierConfigView, 0, len(stored)), Version: v, Applied: -1, RestartPending: []string{}}
	if c.gw != nil {
		out.Applied, out.RestartPending = c.gw.ConfigApplied()
		if out.RestartPending == nil {
			out.RestartPending = []string{}
		}
	}
	for _, sc := range stored {
		out.Carriers = append(out.Carriers, c.view(sc, out.RestartPending))
	}
	return out, nil
}

// Get returns the stored carrier name.
func (c *CarrierConfigs) Get(ctx context.Context, p Principal, name string) (CarrierConfigView, error) {
	if err := forPlatform(p); err != nil {
		return CarrierConfigView{}, err
	}
	sc, err := c.st.CarrierConfigByName(ctx, name)
	if errors.Is(err, store.ErrNotFound) {
		return CarrierConfigView{}, NotFound("no carrier " + strconv.Quote(name))
	}
	if err != nil {
		return CarrierConfigView{}, err
	}
	return c.view(sc, c.pending()), nil
}

func (c *CarrierConfigs) pending() []string {
	if c.gw == nil {
		return nil
	}
	_, p := c.gw.ConfigApplied()
	return p
}

func (c *CarrierConfigs) view(sc store.CarrierConfig, pending []string) CarrierConfigView {
	opt := sc.OptOutErrors
	if opt == nil {
		opt = []string{}
	}
	return CarrierConfigView{Name: sc.Name, Address: sc.Address, SystemID: sc.SystemID, PasswordSet: sc.Password != "",
		SystemType: sc.SystemType, BindType: sc.BindType, Binds: sc.Binds, Window: sc.Window, TPS: sc.TPS,
		MaxInbound: sc.MaxInbound, OptOutErrors: opt, TLS: sc.TLS, TLSCA: sc.TLSCA, TLSServerName: sc.TLSServerName,
		TLSInsecureSkipVerify: sc.TLSInsecureSkipVerify, OutbindListen: sc.OutbindListen,
		CreatedAt: sc.CreatedAt.UTC(), UpdatedAt: sc.UpdatedAt.UTC(), RestartPending: slices.Contains(pending, sc.Name)}
}

// Create stores a new carrier. It binds on each instance's next start;
// routes may name it once every instance runs it.
func (c *CarrierConfigs) Create(ctx context.Context, p Principal, in CarrierInput, ip string) (CarrierConfigView, error) {
	if err := forPlatform(p); err != nil {
		return CarrierConfigView{}, err
	}
	if in.Name == nil {
		return CarrierConfigView{}, Invalid("name", "a carrier needs a name")
	}
	sc := store.CarrierConfig{Name: *in.Name, BindType: "transceiver", Binds: 1, Window: 10,
		MaxInbound: gateway.DefaultCarrierMaxInbound}
	if err := applyCarrierInput(&sc, in); err != nil {
		return CarrierConfigView{}, err
	}
	err := c.st.CreateCarrierConfig(ctx, &sc)
	if errors.Is(err, store.ErrDuplicate) {
		return CarrierConfigView{}, refuse(KindConflict, "name", "a carrier of this name exists already: PATCH it")
	}
	if err != nil {
		return CarrierConfigView{}, err
	}
	c.audit(ctx, p, 0, "carrier.create", "carrier:"+sc.Name, carrierDetails(sc, in), ip)
	return c.view(sc, c.pending()), nil
}

// Update changes the settings in set on the stored carrier name.
func (c *CarrierConfigs) Update(ctx context.Context, p Principal, name string, in CarrierInput, ip string) (CarrierConfigView, error) {
	if err := forPlatform(p); err != nil {
		return CarrierConfigView{}, err
	}
	if in.Name != nil && *in.Name != name {
		return CarrierConfigView{}, Invalid("name", "a carrier's name cannot change: create another and move the routes")
	}
	sc, err := c.st.CarrierConfigByName(ctx, name)
	if errors.Is(err, store.ErrNotFound) {
		return CarrierConfigView{}, NotFound("no carrier " + strconv.Quote(name))
	}
	if err != nil {
		return CarrierConfigView{}, err
	}
	if err := applyCarrierInput(&sc, in); err != nil {
		return CarrierConfigView{}, err
	}
	err = c.st.UpdateCarrierConfig(ctx, &sc)
	if errors.Is(err, store.ErrNotFound) {
		return CarrierConfigView{}, NotFound("no carrier " + strconv.Quote(name))
	}
	if err != nil {
		return CarrierConfigView{}, err
	}
	c.audit(ctx, p, 0, "carrier.update", "carrier:"+name, carrierDetails(sc, in), ip)
	return c.view(sc, c.pending()), nil
}

// Delete removes the stored carrier name; a carrier a route still names
// is refused (change those routes first).
func (c *CarrierConfigs) Delete(ctx context.Context, p Principal, name, ip string) error {
	if err := forPlatform(p); err != nil {
		return err
	}
	err := c.st.DeleteCarrierConfig(ctx, name)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return NotFound("no carrier " + strconv.Quote(name))
	case errors.Is(err, store.ErrReferenced):
		return refuse(KindConflict, "name", "routes still name this carrier ("+strings.TrimPrefix(errAfter(err, store.ErrReferenced), ": ")+"): change them first")
	case err != nil:
		return err
	}
	c.audit(ctx, p, 0, "carrier.delete", "carrier:"+name, "", ip)
	return nil
}

// errAfter returns what err says after sentinel's text.
func errAfter(err, sentinel error) string {
	s := err.Error()
	if i := strings.Index(s, sentinel.Error()); i >= 0 {
		return s[i+len(sentinel.Error()):]
	}
	return s
}

// applyCarrierInput sets in's fields on sc and validates the result.
func applyCarrierInput(sc *store.CarrierConfig, in CarrierInput) error {
	set := func(dst *string, src *string) {
		if src != nil {
			*dst = strings.TrimSpace(*src)
		}
	}
	set(&sc.Address, in.Address)
	set(&sc.SystemID, in.SystemID)
	set(&sc.SystemType, in.SystemType)
	set(&sc.BindType, in.BindType)
	set(&sc.TLSCA, in.TLSCA)
	set(&sc.TLSServerName, in.TLSServerName)
	set(&sc.OutbindListen, in.OutbindListen)
	if in.Password != nil {
		sc.Password = *in.Password
	}
	if in.Binds != nil {
		sc.Binds = *in.Binds
	}
	if in.Window != nil {
		sc.Window = *in.Window
	}
	if in.TPS != nil {
		sc.TPS = *in.TPS
	}
	if in.MaxInbound != nil {
		sc.MaxInbound = *in.MaxInbound
	}
	if in.OptOutErrors != nil {
		sc.OptOutErrors = slices.Clone(*in.OptOutErrors)
	}
	if in.TLS != nil {
		sc.TLS = *in.TLS
	}
	if in.TLSInsecureSkipVerify != nil {
		sc.TLSInsecureSkipVerify = *in.TLSInsecureSkipVerify
	}
	return validateCarrier(*sc)
}

// validateCarrier checks every setting of sc.
func validateCarrier(sc store.CarrierConfig) error {
	if !validCarrierName(sc.Name) {
		return Invalid("name", "a carrier's name is 1 to 64 letters, digits, '-', '_' or '.'")
	}
	if !validHostPort(sc.Address) {
		return Invalid("address", "address is host:port")
	}
	if sc.SystemID == "" || len(sc.SystemID) > 15 {
		return Invalid("system_id", "system_id is 1 to 15 characters (SMPP 3.4)")
	}
	if len(sc.Password) > 8 {
		return Invalid("password", "password is at most 8 characters (SMPP 3.4)")
	}
	if len(sc.SystemType) > 12 {
		return Invalid("system_type", "system_type is at most 12 characters (SMPP 3.4)")
	}
	switch sc.BindType {
	case "transceiver", "transmitter", "receiver":
	default:
		return Invalid("bind_type", "bind_type is transceiver, transmitter or receiver")
	}
	if sc.Binds < 1 || sc.Binds > maxCarrierBinds {
		return Invalid("binds", fmt.Sprintf("binds is 1 to %d", maxCarrierBinds))
	}
	if sc.Window < 1 || sc.Window > maxCarrierWindow {
		return Invalid("window", fmt.Sprintf("window is 1 to %d outstanding submits per bind", maxCarrierWindow))
	}
	if !(sc.TPS >= 0) || sc.TPS > maxCarrierTPS || math.IsInf(sc.TPS, 0) {
		return Invalid("tps", fmt.Sprintf("tps is 0 (no limit, as in the configuration file) to %d segments per second over all binds", maxCarrierTPS))
	}
	if sc.MaxInbound < 1 || sc.MaxInbound > 100_000 {
		return Invalid("max_inbound", "max_inbound is 1 to 100000")
	}
	if len(sc.OptOutErrors) > 32 {
		return Invalid("optout_errors", "at most 32 codes")
	}
	for _, e := range sc.OptOutErrors {
		if e == "" || len(e) > 16 {
			return Invalid("optout_errors", "each code is 1 to 16 characters, as \"0x45\" or \"005\"")
		}
	}
	if !sc.TLS && (sc.TLSCA != "" || sc.TLSServerName != "" || sc.TLSInsecureSkipVerify) {
		return Invalid("tls", "tls_ca, tls_server_name and tls_insecure_skip_verify need tls: true")
	}
	if sc.TLSCA != "" {
		if st, err := os.Stat(sc.TLSCA); err != nil || st.IsDir() {
			return Invalid("tls_ca", "tls_ca is a PEM file readable on the gateway's machines")
		}
	}
	if len(sc.TLSServerName) > 253 {
		return Invalid("tls_server_name", "tls_server_name is a host name")
	}
	if sc.OutbindListen != "" && !validHostPort(sc.OutbindListen) {
		return Invalid("outbind_listen", "outbind_listen is host:port")
	}
	return nil
}

func validCarrierName(n string) bool {
	if n == "" || len(n) > 64 {
		return false
	}
	for i := 0; i < len(n); i++ {
		b := n[i]
		if !(b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b >= '0' && b <= '9' || b == '-' || b == '_' || b == '.') {
			return false
		}
	}
	return true
}

func validHostPort(a string) bool {
	if len(a) > 255 {
		return false
	}
	host, port, err := net.SplitHostPort(a)
	if err != nil || host == "" {
		return false
	}
	n, err := strconv.Atoi(port)
	return err == nil && n > 0 && n < 65536
}

// carrierDetails describes a carrier change for the audit log: the
// fields set, with values, and the password only as "set".
func carrierDetails(sc store.CarrierConfig, in CarrierInput) string {
	var b strings.Builder
	add := func(ok bool, k string, v any) {
		if ok {
			fmt.Fprintf(&b, "%s=%v ", k, v)
		}
	}
	add(in.Address != nil, "address", sc.Address)
	add(in.SystemID != nil, "system_id", sc.SystemID)
	add(in.Password != nil, "password", "(set)")
	add(in.SystemType != nil, "system_type", sc.SystemType)
	add(in.BindType != nil, "bind_type", sc.BindType)
	add(in.Binds != nil, "binds", sc.Binds)
	add(in.Window != nil, "window", sc.Window)
	add(in.TPS != nil, "tps", sc.TPS)
	add(in.MaxInbound != nil, "max_inbound", sc.MaxInbound)
	add(in.OptOutErrors != nil, "optout_errors", strings.Join(sc.OptOutErrors, ","))
	add(in.TLS != nil, "tls", sc.TLS)
	add(in.TLSCA != nil, "tls_ca", sc.TLSCA)
	add(in.TLSServerName != nil, "tls_server_name", sc.TLSServerName)
	add(in.TLSInsecureSkipVerify != nil, "tls_insecure_skip_verify", sc.TLSInsecureSkipVerify)
	add(in.OutbindListen != nil, "outbind_listen", sc.OutbindListen)
	return strings.TrimSpace(b.String())
}

// audit appends an entry; a failure is logged (without the details), as
// the change is done.
func (c *CarrierConfigs) audit(ctx context.Context, p Principal, accountID int64, action, target, details, ip string) {
	e := &store.AuditEntry{AccountID: accountID, ActorUserID: p.UserID, Action: action, Target: target, Details: details, IP: ip}
	if p.UserID == 0 && p.KeyID != 0 {
		e.Details = strings.TrimSpace(e.Details + fmt.Sprintf(" by_key=%d by_account=%d", p.KeyID, p.AccountID))
	}
	if err := c.st.AppendAudit(ctx, e); err != nil {
		c.log.Warn("write audit log", "action", action, "target", target, "err", err)
	}
}

// Routes returns the plan of accountID (0: the default plan). Platform
// admins read any; a reseller its sub-accounts'.
func (c *CarrierConfigs) Routes(ctx context.Context, p Principal, accountID int64) (RoutePlan, error) {
	if err := c.mayRoute(ctx, p, accountID); err != nil {
		return RoutePlan{}, err
	}
	rs, err := c.st.RouteConfigsOf(ctx, accountID)
	if err != nil {
		return RoutePlan{}, err
	}
	v, err := c.st.ConfigVersion(ctx)
	if err != nil {
		return RoutePlan{}, err
	}
	out := RoutePlan{AccountID: strconv.FormatInt(accountID, 10), Routes: make([]RouteInput, 0, len(rs)), Version: v}
	for _, r := range rs {
		ri := RouteInput{Prefix: r.Prefix, LeastCost: r.LeastCost, SenderTPS: r.SenderTPS, Carriers: make([]RouteChoiceInput, 0, len(r.Choices))}
		for _, ch := range r.Choices {
			ri.Carriers = append(ri.Carriers, RouteChoiceInput(ch))
		}
		out.Routes = append(out.Routes, ri)
	}
	return out, nil
}

// mayRoute checks that p may read and set the plan of accountID: the
// default plan is the platform admins'; an account's plan is theirs and
// its reseller's (not the reseller's own).
func (c *CarrierConfigs) mayRoute(ctx context.Context, p Principal, accountID int64) error {
	if p.Role == RoleAdmin {
		if accountID != 0 {
			if _, err := c.st.GetAccountSummary(ctx, accountID); errors.Is(err, store.ErrNotFound) {
				return NotFound("no such account")
			} else if err != nil {
				return err
			}
		}
		return nil
	}
	if accountID == 0 || p.Role != RoleReseller || accountID == p.AccountID || c.acc == nil {
		return Forbidden("route plans are for platform admins, and a reseller's for its sub-accounts")
	}
	err := c.acc.Can(ctx, actorOf(p), account.ActionSuspend, accountID)
	if errors.Is(err, account.ErrForbidden) || errors.Is(err, store.ErrNotFound) {
		return NotFound("no such account")
	}
	return err
}

// SetRoutes replaces the plan of accountID (0: the default plan) with
// routes. Every instance swaps it in within seconds. A reseller's routes
// may name only carriers of the default plan (what the platform offers
// it); every route's carriers must run on the answering instance.
func (c *CarrierConfigs) SetRoutes(ctx context.Context, p Principal, accountID int64, routes []RouteInput, ip string) (RoutePlan, error) {
	if err := c.mayRoute(ctx, p, accountID); err != nil {
		return RoutePlan{}, err
	}
	if len(routes) > maxRoutes {
		return RoutePlan{}, Invalid("routes", fmt.Sprintf("at most %d routes per plan", maxRoutes))
	}
	known := map[string]bool{}
	stored, err := c.st.ListCarrierConfigs(ctx)
	if err != nil {
		return RoutePlan{}, err
	}
	for _, sc := range stored {
		known[sc.Name] = true
	}
	var offered map[string]bool
	if p.Role != RoleAdmin {
		def, err := c.st.RouteConfigsOf(ctx, 0)
		if err != nil {
			return RoutePlan{}, err
		}
		offered = map[string]bool{}
		for _, r := range def {
			for _, ch := range r.Choices {
				offered[ch.Carrier] = true
			}
		}
	}
	out := make([]store.RouteConfig, 0, len(routes))
	prefixes := map[string]bool{}
	for i, r := range routes {
		field := fmt.Sprintf("routes[%d]", i)
		prefix := strings.TrimPrefix(r.Prefix, "+")
		if prefix != "" && !store.ValidPrefix(prefix) {
			return RoutePlan{}, Invalid(field+".prefix", "a prefix is up to 15 digits of E.164 (\"\" matches every destination)")
		}
		if prefixes[prefix] {
			return RoutePlan{}, Invalid(field+".prefix", "prefix "+strconv.Quote(prefix)+" is listed twice")
		}
		prefixes[prefix] = true
		if len(r.Carriers) == 0 || len(r.Carriers) > 64 {
			return RoutePlan{}, Invalid(field+".carriers", "a route has 1 to 64 carriers")
		}
		if r.SenderTPS < 0 || r.SenderTPS > maxCarrierTPS || math.IsNaN(r.SenderTPS) {
			return RoutePlan{}, Invalid(field+".sender_tps", fmt.Sprintf("sender_tps is 0 (no limit) to %d", maxCarrierTPS))
		}
		rc := store.RouteConfig{AccountID: accountID, Prefix: prefix, LeastCost: r.LeastCost, SenderTPS: r.SenderTPS}
		seen := map[string]bool{}
		for _, ch := range r.Carriers {
			switch {
			case !known[ch.Carrier]:
				return RoutePlan{}, Invalid(field+".carriers", "unknown carrier "+strconv.Quote(ch.Carrier))
			case offered != nil && !offered[ch.Carrier]:
				return RoutePlan{}, Invalid(field+".carriers", "carrier "+strconv.Quote(ch.Carrier)+" is not offered to resellers (only carriers of the default routes are)")
			case seen[ch.Carrier]:
				return RoutePlan{}, Invalid(field+".carriers", "carrier "+strconv.Quote(ch.Carrier)+" is listed twice")
			case ch.Weight < 0 || ch.Weight > maxRouteWeight:
				return RoutePlan{}, Invalid(field+".carriers", fmt.Sprintf("weight is 0 (meaning 1) to %d", maxRouteWeight))
			case ch.Priority < 0 || ch.Priority > maxRoutePriority:
				return RoutePlan{}, Invalid(field+".carriers", fmt.Sprintf("priority is 0 (first) to %d", maxRoutePriority))
			}
			seen[ch.Carrier] = true
			rc.Choices = append(rc.Choices, store.RouteChoice(ch))
		}
		out = append(out, rc)
	}
	if err := c.st.ReplaceRoutes(ctx, accountID, out); errors.Is(err, store.ErrInvalid) {
		return RoutePlan{}, Invalid("routes", strings.TrimPrefix(errAfter(err, store.ErrInvalid), ": "))
	} else if err != nil {
		return RoutePlan{}, err
	}
	c.audit(ctx, p, accountID, "routes.set", "routes:"+strconv.FormatInt(accountID, 10), routesDetails(out), ip)
	return c.Routes(ctx, p, accountID)
}

// routesDetails describes a plan for the audit log, bounded.
func routesDetails(rs []store.RouteConfig) string {
	var b strings.Builder
	for _, r := range rs {
		if b.Len() > 900 {
			fmt.Fprintf(&b, "… (%d routes)", len(rs))
			break
		}
		fmt.Fprintf(&b, "%q:", r.Prefix)
		for i, ch := range r.Choices {
			if i > 0 {
				b.WriteByte(',')
			}
			fmt.Fprintf(&b, "%s/p%d/w%d", ch.Carrier, ch.Priority, ch.Weight)
		}
		if r.LeastCost {
			b.WriteString("/lcr")
		}
		b.WriteByte(' ')
	}
	return strings.TrimSpace(b.String())
}
