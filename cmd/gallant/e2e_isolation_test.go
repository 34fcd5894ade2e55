package main

import (
	"cmp"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/gallant-sms/gallant/store"
	"github.com/gallant-sms/gallant/store/storetest"
)

// isoAccount is one account of the isolation test's world, with one of
// each thing a route can name: an API key, an SMPP credential, a message
// and (for resellers) a price plan.
type isoAccount struct {
	name     string
	id       string
	key      string // an admin-scope key: acts as the account's reseller or owner
	keyID    string // a second key, the target of the key routes
	credID   string
	userID   string // a member user, the target of the user routes
	message  string
	plan     string // resellers only
	planName string
	// assigned is the plan the account buys at, when a reseller gave it
	// one: the account may read that plan.
	assigned string
}

// isoRoute is how the isolation test calls one documented operation:
// scoped routes name an account (and maybe an object below it);
// unscoped ones are checked for what they show.
type isoRoute struct {
	// body is sent with the request; %s is replaced by a fresh token, so
	// a body that wrongly succeeded twice would not clash with itself.
	body string
	// scoped: the path names an account ({id}) or an object of one
	// ({id} of /v1/messages/{id} and /v1/plans/{id}).
	scoped bool
	// public: no caller identity (the /v1/auth flows and the probes).
	public bool
}

// isoRoutes classifies every operation of the API. A test fails when
// openapi.json documents an operation missing here, so a new route
// cannot escape the isolation check.
var isoRoutes = map[string]isoRoute{
	"GET /healthz":      {public: true},
	"GET /openapi.json": {public: true},
	"GET /readyz":       {public: true},

	"GET /v1/auth/config":                  {public: true},
	"POST /v1/auth/login":                  {public: true},
	"POST /v1/auth/logout":                 {public: true},
	"POST /v1/auth/password-reset":         {public: true},
	"POST /v1/auth/password-reset/confirm": {public: true},
	"POST /v1/auth/refresh":                {public: true},
	"POST /v1/auth/register":               {public: true},
	"POST /v1/auth/verify-email":           {public: true},

	// The caller's own things, by construction: checked for leaks below.
	"GET /v1/accounts":                                    {},
	"POST /v1/accounts":                                   {body: `{"name":"iso %s","parent_id":"{id}"}`, scoped: true},
	"GET /v1/balance":                                     {},
	"GET /v1/ledger":                                      {},
	"GET /v1/me":                                          {},
	"POST /v1/me/password":                                {},
	"POST /v1/me/logout-all":                              {},
	"POST /v1/me/verify-email":                            {},
	"GET /v1/messages":                                    {},
	"POST /v1/messages":                                   {},
	"POST /v1/messages/batch":                             {},
	"GET /v1/plans":                                       {},
	"POST /v1/plans":                                      {},
	"GET /v1/pricing":                                     {},
	"GET /v1/usage":                                       {},
	"GET /v1/webhooks/deliveries":                         {},
	"GET /v1/topup-requests":                              {},
	"POST /v1/topup-requests":                             {body: `{"amount":1000000,"note":"iso %s"}`},
	"GET /v1/reports/margin":                              {},
	"GET /v1/operator/carriers":                           {},
	"GET /v1/operator/routes":                             {},
	"GET /v1/operator/audit":                              {},
	"GET /v1/messages/{id}":                               {scoped: true},
	"GET /v1/plans/{id}":                                  {scoped: true},
	"GET /v1/accounts/{id}":                               {scoped: true},
	"PATCH /v1/accounts/{id}":                             {body: `{"name":"pwned %s"}`, scoped: true},
	"POST /v1/accounts/{id}/activate":                     {scoped: true},
	"POST /v1/accounts/{id}/suspend":                      {scoped: true},
	"GET /v1/accounts/{id}/alerts":                        {scoped: true},
	"PUT /v1/accounts/{id}/alerts":                        {body: `{"low_balance_threshold":"1.00","email":"x%s@example.com"}`, scoped: true},
	"GET /v1/accounts/{id}/audit":                         {scoped: true},
	"POST /v1/accounts/{id}/webhook-secret":               {scoped: true},
	"GET /v1/accounts/{id}/keys":                          {scoped: true},
	"POST /v1/accounts/{id}/keys":                         {body: `{"name":"iso %s","scopes":["read"]}`, scoped: true},
	"DELETE /v1/accounts/{id}/keys/{key_id}":              {scoped: true},
	"PUT /v1/accounts/{id}/plan":                          {body: `{"plan_id":"{plan}"}`, scoped: true},
	"GET /v1/accounts/{id}/smpp-credentials":              {scoped: true},
	"POST /v1/accounts/{id}/smpp-credentials":             {body: `{"system_id":"iso%s"}`, scoped: true},
	"PATCH /v1/accounts/{id}/smpp-credentials/{cred_id}":  {body: `{"tps_limit":5}`, scoped: true},
	"DELETE /v1/accounts/{id}/smpp-credentials/{cred_id}": {scoped: true},
	"GET /v1/accounts/{id}/statements/{month}":            {scoped: true},
	"GET /v1/accounts/{id}/statements/{month}/invoice":    {scoped: true},
	"GET /v1/accounts/{id}/sub-accounts/usage":            {scoped: true},
	"POST /v1/accounts/{id}/topups":                       {body: `{"amount":"1.00","reference":"iso %s"}`, scoped: true},
	"GET /v1/accounts/{id}/usage":                         {scoped: true},
	"GET /v1/accounts/{id}/users":                         {scoped: true},
	"POST /v1/accounts/{id}/users":                        {body: `{"email":"iso%s@example.com","password":"correct horse battery","role":"member"}`, scoped: true},
	"PATCH /v1/accounts/{id}/users/{user_id}":             {body: `{"disabled":true}`, scoped: true},
	"DELETE /v1/accounts/{id}/users/{user_id}":            {scoped: true},

	// Distribution lists: the caller's account's, by name
	// (TestDistListsAPI and TestDistListsPolicy check that another
	// account's are not found).
	"GET /v1/distribution-lists":           {},
	"POST /v1/distribution-lists":          {},
	"GET /v1/distribution-lists/{name}":    {},
	"PUT /v1/distribution-lists/{name}":    {},
	"DELETE /v1/distribution-lists/{name}": {},

	// Opt-outs: the caller's account's, by number (TestE2EOptOutsAPI
	// checks that one account's opt-outs neither show nor apply in
	// another).
	"GET /v1/opt-outs":             {},
	"POST /v1/opt-outs":            {},
	"GET /v1/opt-outs/{number}":    {},
	"DELETE /v1/opt-outs/{number}": {},
	"POST /v1/opt-outs/import":     {body: "number\n+447700900123\n"},
	"GET /v1/opt-outs/export":      {},
	// Top-up requests: {id} is a request, not an account; only the
	// reseller above the asking account or an admin declines it, another
	// account's is not found (app.TestTopUpAsks).
	"POST /v1/topup-requests/{id}/decline": {},
	// Keyword settings: the caller's account's own (TestE2EKeywordsAPI).
	"GET /v1/keywords": {},
	"PUT /v1/keywords": {body: `{"keywords":{"stop":["HALT"]}}`},
	// Inbound numbers and MOs: the caller's account's, by construction;
	// a number of another account is not found, and only platform admins
	// assign, remove or list others' numbers (TestE2ENumbersAPI checks it).
	"GET /v1/numbers":                {},
	"POST /v1/numbers":               {},
	"GET /v1/numbers/{id}":           {},
	"PATCH /v1/numbers/{id}":         {},
	"DELETE /v1/numbers/{id}":        {},
	"GET /v1/inbound":                {},
	"GET /v1/conversations":          {},
	"GET /v1/conversations/{number}": {},
	// Contacts, custom fields, contact settings and lists: the caller's
	// account's, by id or name (TestE2EContactsAPI checks that another
	// account's contact or list is not found and that listings show only
	// the caller's; TestContactsAPI and TestListsAPI in package api too;
	// TestContactsUpsert that an upsert finds only the caller's).
	"GET /v1/contacts":                 {},
	"POST /v1/contacts":                {},
	"POST /v1/contacts:upsert":         {},
	"GET /v1/contacts/{id}":            {},
	"PATCH /v1/contacts/{id}":          {},
	"DELETE /v1/contacts/{id}":         {},
	"GET /v1/contact-fields":           {},
	"POST /v1/contact-fields":          {},
	"DELETE /v1/contact-fields/{name}": {},
	"GET /v1/contact-settings":         {},
	"PUT /v1/contact-settings":         {},
	"GET /v1/lists":                    {},
	"POST /v1/lists":                   {},
	"GET /v1/lists/{id}":               {},
	"PATCH /v1/lists/{id}":             {},
	"DELETE /v1/lists/{id}":            {},
	"GET /v1/lists/{id}/contacts":      {},
	"POST /v1/lists/{id}/contacts":     {},
	"DELETE /v1/lists/{id}/contacts":   {},
	// Hooks: the caller's account's, by id (TestE2EHooks checks that
	// another account's hook is not found, not listed, and never gets
	// the caller's events).
	"GET /v1/hooks":         {},
	"POST /v1/hooks":        {},
	"GET /v1/hooks/{id}":    {},
	"DELETE /v1/hooks/{id}": {},
	// Templates: the caller's account's, by id; another account's is
	// not found (api TestTemplatesAPI, TestE2ETemplates).
	"GET /v1/templates":               {},
	"POST /v1/templates":              {},
	"GET /v1/templates/{id}":          {},
	"PATCH /v1/templates/{id}":        {},
	"DELETE /v1/templates/{id}":       {},
	"POST /v1/templates/{id}/preview": {},
	"POST /v1/templates/preview":      {},
	"GET /v1/templates/settings":      {},
	"PUT /v1/templates/settings":      {},
	// Short links: public, the unguessable code is the credential; an
	// unknown code is 404, never a redirect (TestE2ETemplates).
	"GET /l/{code}": {public: true},
	// Segments, contact import jobs and the export: the caller's
	// account's, by id (TestE2EContactImportExport checks that another
	// account's segment, job, rejected rows and list are not found).
	"GET /v1/segments":                       {},
	"POST /v1/segments":                      {},
	"POST /v1/segments/preview":              {},
	"GET /v1/segments/{id}":                  {},
	"PATCH /v1/segments/{id}":                {},
	"DELETE /v1/segments/{id}":               {},
	"POST /v1/segments/{id}/preview":         {},
	"GET /v1/contacts/imports":               {},
	"POST /v1/contacts/imports":              {},
	"GET /v1/contacts/imports/{id}":          {},
	"POST /v1/contacts/imports/{id}/stop":    {},
	"GET /v1/contacts/imports/{id}/rejected": {},
	"GET /v1/contacts/export":                {},
	// The message export: the caller's account's messages only
	// (api.TestExportMessages; filters are those of GET /v1/messages).
	"GET /v1/messages/export": {},
	// Campaigns: the caller's account's, by id; another account's is
	// not found (TestE2ECampaignAPI checks every route).
	"GET /v1/campaigns":                 {},
	"POST /v1/campaigns":                {body: `{"name":"iso %s"}`},
	"GET /v1/campaigns/{id}":            {},
	"PATCH /v1/campaigns/{id}":          {body: `{"name":"iso"}`},
	"DELETE /v1/campaigns/{id}":         {},
	"POST /v1/campaigns/{id}/estimate":  {},
	"POST /v1/campaigns/{id}/launch":    {},
	"POST /v1/campaigns/{id}/pause":     {},
	"POST /v1/campaigns/{id}/resume":    {},
	"POST /v1/campaigns/{id}/cancel":    {},
	"POST /v1/campaigns/{id}/winner":    {body: `{"variant":1}`},
	"GET /v1/campaigns/{id}/stats":      {},
	"GET /v1/campaigns/{id}/recipients": {},
	// Data-subject requests: the caller's account's data unless it names
	// another it may manage (account_id); another account is 403
	// (TestE2EPrivacy, app.TestPrivacyExportAndErase).
	"GET /v1/privacy/export":   {},
	"POST /v1/privacy/erase":   {},
	"GET /v1/privacy/requests": {},
	// Carriers and the default route plan: platform admins only (403 for
	// every other caller, checked below and by TestE2ECarrierConfigAPI).
	"GET /v1/carriers":           {},
	"POST /v1/carriers":          {},
	"GET /v1/carriers/{name}":    {},
	"PATCH /v1/carriers/{name}":  {},
	"DELETE /v1/carriers/{name}": {},
	"GET /v1/routes":             {},
	"PUT /v1/routes":             {},
	"GET /v1/buy-rates":          {},
	"POST /v1/buy-rates":         {},
	"DELETE /v1/buy-rates/{id}":  {},
	// An account's own route plan: admins, and the reseller above it.
	"GET /v1/accounts/{id}/routes": {scoped: true},
	"PUT /v1/accounts/{id}/routes": {body: `{"routes":[]}`, scoped: true},
}

// TestE2EIsolation: no caller reaches data outside the accounts it may
// see. A world of two resellers with a sub-account each, a direct
// customer and the platform is built over the API; then every scoped
// operation of openapi.json is called by each caller (reseller key,
// owner key, owner session, customer key) on every account outside its
// reach, and on its own account with another account's object. Every
// such call must be refused with 403 or 404, nothing else; the listings
// must not show foreign accounts, messages or plans; and afterwards no
// foreign account has changed.
func TestE2EIsolation(t *testing.T) {
	eachDriver(t, func(t *testing.T, driver string) {
		ctx := testContext(t)
		carrier := newCarrier(t, nil)
		cfg := testConfig(t, driver, carrier.Addr())
		cfg.Billing.Enabled = true
		cfg.HTTP.RateLimitPerKey, cfg.HTTP.RateLimitPerIP = 0, 0
		st := storetest.OpenConfig(t, store.Config{Driver: cfg.Store.Driver, DSN: cfg.Store.DSN})
		if err := st.CreatePricePlan(ctx, &store.PricePlan{Name: "platform", Currency: "EUR", Default: true,
			ValidFrom: time.Now().Add(-time.Hour), Prices: []store.PlanPrice{{Prefix: "44", PriceMicros: 30_000}}}); err != nil {
			t.Fatal(err)
		}
		a := startApp(t, cfg)
		a.acc.SetPasswordCost(bcrypt.MinCost)
		_, adminKey := a.platformAdmin(t, "admin")
		must := func(r httpAnswer, code int, what string) httpAnswer { t.Helper(); return mustStatus(t, r, code, what) }
		create := func(by, name, body string) *isoAccount {
			var c createdJSON
			must(a.do(t, "POST", "/v1/accounts", by, body), 201, "create "+name).json(t, &c)
			return &isoAccount{name: name, id: c.Account.ID, key: c.APIKey}
		}
		r1 := create(adminKey, "Reseller One", `{"name":"Reseller One","kind":"reseller"}`)
		r2 := create(adminKey, "Reseller Two", `{"name":"Reseller Two","kind":"reseller"}`)
		cust := create(adminKey, "Direct Customer", `{"name":"Direct Customer"}`)
		for _, x := range []*isoAccount{r1, r2, cust} {
			must(a.do(t, "POST", "/v1/accounts/"+x.id+"/topups", adminKey, `{"amount":"10","reference":"wire"}`), 201, "fund "+x.name)
		}
		s1 := create(r1.key, "Sub One", `{"name":"Sub One"}`)
		s2 := create(r2.key, "Sub Two", `{"name":"Sub Two"}`)
		for _, p := range []struct{ reseller, sub *isoAccount }{{r1, s1}, {r2, s2}} {
			var plan struct {
				ID string `json:"id"`
			}
			p.reseller.planName = "tariff " + p.sub.name
			must(a.do(t, "POST", "/v1/plans", p.reseller.key, `{"name":"`+p.reseller.planName+`","currency":"EUR","prices":[{"prefix":"44","price":"0.05"}]}`),
				201, "plan of "+p.reseller.name).json(t, &plan)
			p.reseller.plan, p.sub.assigned = plan.ID, plan.ID
			must(a.do(t, "PUT", "/v1/accounts/"+p.sub.id+"/plan", p.reseller.key, `{"plan_id":"`+plan.ID+`"}`), 200, "assign plan")
			must(a.do(t, "POST", "/v1/accounts/"+p.sub.id+"/topups", p.reseller.key, `{"amount":"1","reference":"prefund"}`), 201, "prefund")
		}
		world := []*isoAccount{r1, s1, r2, s2, cust}
		for i, x := range world {
			var k struct {
				ID string `json:"id"`
			}
			must(a.do(t, "POST", "/v1/accounts/"+x.id+"/keys", x.key, `{"name":"target","scopes":["read"]}`), 201, "key of "+x.name).json(t, &k)
			x.keyID = k.ID
			var c struct {
				ID string `json:"id"`
			}
			must(a.do(t, "POST", "/v1/accounts/"+x.id+"/smpp-credentials", x.key, fmt.Sprintf(`{"system_id":"iso%d"}`, i)), 201, "credential of "+x.name).json(t, &c)
			x.credID = c.ID
			var u struct {
				ID string `json:"id"`
			}
			must(a.do(t, "POST", "/v1/accounts/"+x.id+"/users", x.key, fmt.Sprintf(`{"email":"member%d@iso.example","password":"correct horse battery","role":"member"}`, i)),
				201, "user of "+x.name).json(t, &u)
			x.userID = u.ID
			x.message = a.send(t, x.key, map[string]any{"to": "+447700900123", "text": "hello from " + x.name}).ID
		}
		// A dashboard session of Sub One's owner.
		must(a.do(t, "POST", "/v1/accounts/"+s1.id+"/users", s1.key, `{"email":"owner@sub.one","password":"correct horse battery","role":"owner"}`),
			201, "user of Sub One")
		session := a.login(t, "owner@sub.one", "correct horse battery").AccessToken

		type caller struct {
			name    string
			token   string
			own     *isoAccount
			visible []*isoAccount
		}
		callers := []caller{
			{"reseller key", r1.key, r1, []*isoAccount{r1, s1}},
			{"sub-account key", s1.key, s1, []*isoAccount{s1}},
			{"sub-account session", session, s1, []*isoAccount{s1}},
			{"customer key", cust.key, cust, []*isoAccount{cust}},
		}
		before := map[string]string{}
		for _, x := range world {
			before[x.id] = snapshot(t, a, adminKey, x)
		}
		month := time.Now().UTC().Format("2006-01")
		n := 0
		fill := func(path string, target, objects *isoAccount, c caller) string {
			n++
			// A real plan, so the body is valid: the caller's own, the one
			// it buys at, or another reseller's.
			plan := cmp.Or(c.own.plan, c.own.assigned, r2.plan)
			r := strings.NewReplacer("{id}", target.id, "{key_id}", objects.keyID, "{cred_id}", objects.credID, "{user_id}", objects.userID,
				"{month}", month, "{plan}", plan, "%s", fmt.Sprint(n))
			return r.Replace(path)
		}

		ops := documentedOperations(t, a)
		for _, op := range ops {
			route, ok := isoRoutes[op]
			if !ok {
				t.Errorf("%s is documented but not classified in isoRoutes: add it", op)
				continue
			}
			if !route.scoped {
				continue
			}
			method, path, _ := strings.Cut(op, " ")
			for _, c := range callers {
				for _, target := range world {
					if slices.Contains(c.visible, target) {
						continue
					}
					for _, objects := range []*isoAccount{target, c.own} {
						p, body := fill(path, target, objects, c), fill(route.body, target, objects, c)
						switch path {
						case "/v1/messages/{id}":
							p = "/v1/messages/" + target.message
						case "/v1/plans/{id}":
							if target.plan == "" || target.plan == c.own.assigned {
								continue
							}
							p = "/v1/plans/" + target.plan
						case "/v1/accounts":
							// {id} is the parent asked for.
						}
						r := a.do(t, method, p, c.token, body)
						if r.status != http.StatusForbidden && r.status != http.StatusNotFound {
							t.Errorf("%s: %s %s on %s's %s: %d %s, want 403 or 404", c.name, method, p, target.name, path, r.status, r.body)
						}
						for _, leak := range []string{target.name, target.message} {
							if leak != "" && strings.Contains(string(r.body), leak) {
								t.Errorf("%s: %s %s shows %q", c.name, method, p, leak)
							}
						}
					}
					// The caller's own account naming another's object.
					if strings.Contains(path, "{key_id}") || strings.Contains(path, "{cred_id}") || strings.Contains(path, "{user_id}") {
						p := fill(path, c.own, target, c)
						if r := a.do(t, method, p, c.token, fill(route.body, c.own, target, c)); r.status != http.StatusNotFound && r.status != http.StatusForbidden {
							t.Errorf("%s: %s %s (%s's object under its own account): %d %s", c.name, method, p, target.name, r.status, r.body)
						}
					}
				}
			}
		}

		// Listings show only what the caller may see.
		for _, c := range callers {
			for _, list := range []string{"/v1/accounts", "/v1/messages", "/v1/plans", "/v1/ledger", "/v1/balance", "/v1/me", "/v1/usage"} {
				r := a.do(t, "GET", list, c.token, "")
				if r.status != http.StatusOK {
					t.Errorf("%s: GET %s: %d %s", c.name, list, r.status, r.body)
					continue
				}
				for _, x := range world {
					if slices.Contains(c.visible, x) {
						continue
					}
					leaks := []string{x.name, x.message}
					if x.plan != "" && x.plan != c.own.assigned {
						leaks = append(leaks, x.planName)
					}
					for _, leak := range leaks {
						if strings.Contains(string(r.body), leak) {
							t.Errorf("%s: GET %s shows %q of %s: %s", c.name, list, leak, x.name, r.body)
						}
					}
				}
			}
			for _, admins := range []string{"/v1/reports/margin", "/v1/operator/carriers", "/v1/operator/routes", "/v1/operator/audit",
				"/v1/carriers", "/v1/carriers/c1", "/v1/routes", "/v1/buy-rates"} {
				if r := a.do(t, "GET", admins, c.token, ""); r.status != http.StatusForbidden {
					t.Errorf("%s: GET %s (platform admins only): %d, want 403", c.name, admins, r.status)
				}
			}
		}
		// What a reseller may see, it does see (the refusals above are
		// not a broken request): its own sub-account's data.
		for _, p := range []string{"/v1/accounts/" + s1.id, "/v1/accounts/" + s1.id + "/keys", "/v1/accounts/" + s1.id + "/usage",
			"/v1/accounts/" + s1.id + "/statements/" + month, "/v1/accounts/" + s1.id + "/audit", "/v1/messages/" + r1.message,
			"/v1/plans/" + r1.plan, "/v1/accounts/" + s1.id + "/smpp-credentials", "/v1/accounts/" + r1.id + "/sub-accounts/usage"} {
			must(a.do(t, "GET", p, r1.key, ""), 200, "reseller reads "+p)
		}
		for _, x := range world {
			if got := snapshot(t, a, adminKey, x); got != before[x.id] {
				t.Errorf("%s changed:\nbefore %s\nafter  %s", x.name, before[x.id], got)
			}
		}
		// The user routes work for whoever may use them (so their
		// refusals above are not broken requests): the reseller over its
		// sub-account's user, the sub-account's owner session over its own.
		must(a.do(t, "PATCH", "/v1/accounts/"+s1.id+"/users/"+s1.userID, r1.key, `{"can_send":true}`), 200, "reseller changes a sub-account user")
		must(a.do(t, "DELETE", "/v1/accounts/"+s1.id+"/users/"+s1.userID, session, ""), 204, "owner removes its member")
		t.Logf("%d refused calls checked", n)
	})
}

// snapshot is what the admin sees of x that a foreign caller could have
// changed: the account, its keys, credentials, users, plan and balance.
func snapshot(t *testing.T, a *testApp, adminKey string, x *isoAccount) string {
	t.Helper()
	var b strings.Builder
	for _, p := range []string{"", "/keys", "/smpp-credentials", "/users", "/alerts"} {
		r := a.do(t, "GET", "/v1/accounts/"+x.id+p, adminKey, "")
		if r.status != http.StatusOK {
			t.Fatalf("admin reads %s%s: %d %s", x.name, p, r.status, r.body)
		}
		var v any
		r.json(t, &v)
		stripVolatile(v)
		out, _ := json.Marshal(v)
		b.Write(out)
	}
	return b.String()
}

// stripVolatile drops the fields that change by themselves (a key's last
// use, the balance held by leases) from a decoded JSON value.
func stripVolatile(v any) {
	switch x := v.(type) {
	case map[string]any:
		delete(x, "last_used_at")
		delete(x, "held")
		delete(x, "available")
		for _, e := range x {
			stripVolatile(e)
		}
	case []any:
		for _, e := range x {
			stripVolatile(e)
		}
	}
}

// documentedOperations lists "METHOD /path" of every operation in the
// served OpenAPI document.
func documentedOperations(t *testing.T, a *testApp) []string {
	t.Helper()
	var doc struct {
		Paths map[string]map[string]json.RawMessage `json:"paths"`
	}
	r := a.do(t, "GET", "/openapi.json", "", "")
	r.json(t, &doc)
	var ops []string
	for p, m := range doc.Paths {
		for method := range m {
			ops = append(ops, strings.ToUpper(method)+" "+p)
		}
	}
	sort.Strings(ops)
	if len(ops) < 40 {
		t.Fatalf("openapi.json documents %d operations", len(ops))
	}
	return ops
}
