package api

import (
	"context"
	"database/sql"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gallant-sms/gallant/app"
	"github.com/gallant-sms/gallant/billing"
	"github.com/gallant-sms/gallant/campaign"
	"github.com/gallant-sms/gallant/gateway"
	"github.com/gallant-sms/gallant/store"
	"github.com/gallant-sms/gallant/store/storetest"
)

var (
	_ Templates = (*app.Templates)(nil)
	_ Links     = (*app.Links)(nil)
)

// templateWorld is a test server whose templates and links are the
// app's, over a fresh SQLite store, with account 1's custom fields city
// (text) and points (number) declared and two contacts: Ada (account 1)
// and Bob (account 2).
type templateWorld struct {
	*testServer
	st            *store.Store
	links         *campaign.Links
	ada, bob      int64
	sqlitePath    string
	billingPriced bool
}

// newTemplateWorld builds the world; with domain set, links are on; with
// priced, billing prices 44 at 0.03 per segment.
func newTemplateWorld(t *testing.T, domain string, priced bool) *templateWorld {
	t.Helper()
	cfg := storetest.Config(t, storetest.SQLite)
	st := storetest.OpenConfig(t, cfg)
	ctx := context.Background()
	w := &templateWorld{st: st, sqlitePath: cfg.DSN, billingPriced: priced}
	db, err := sql.Open("sqlite", cfg.DSN)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	// contact_fields as the contacts work declares them.
	for _, f := range []store.ContactField{{Name: "city", Type: "text"}, {Name: "points", Type: "number"}} {
		if _, err := db.Exec("INSERT INTO contact_fields (account_id, name, type, created_at) VALUES (1, ?, ?, ?)", f.Name, f.Type, time.Now().UnixMicro()); err != nil {
			t.Fatal(err)
		}
	}
	if _, _, err := st.UpsertContacts(ctx, 1, []store.Contact{{Phone: "447700900123", FirstName: "Ada", Fields: `{"city":"London","points":1250}`}}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := st.UpsertContacts(ctx, 2, []store.Contact{{Phone: "491701234567", FirstName: "Bob", Fields: `{"city":"Berlin"}`}}); err != nil {
		t.Fatal(err)
	}
	for acct, phone := range map[int64]string{1: "447700900123", 2: "491701234567"} {
		c, err := st.ContactByPhone(ctx, acct, phone)
		if err != nil {
			t.Fatal(err)
		}
		if acct == 1 {
			w.ada = c.ID
		} else {
			w.bob = c.ID
		}
	}
	deps := app.Deps{Store: st, LinksDomain: domain}
	if domain != "" {
		if w.links, err = campaign.NewLinks(st, domain); err != nil {
			t.Fatal(err)
		}
	}
	if priced {
		if err := st.CreatePricePlan(ctx, &store.PricePlan{Name: "platform", Currency: "EUR", Default: true,
			ValidFrom: time.Now().Add(-time.Hour), Prices: []store.PlanPrice{{Prefix: "44", PriceMicros: 30_000}}}); err != nil {
			t.Fatal(err)
		}
		pricer := billing.NewPricer(st)
		if err := pricer.Reload(ctx); err != nil {
			t.Fatal(err)
		}
		deps.Billing = &gateway.Billing{Pricer: pricer}
	}
	a := app.New(deps)
	w.testServer = newTestServerWith(t, Config{}, func(d *Deps) {
		d.Templates, d.Links = a.Templates, a.Links
	})
	return w
}

func decodeAs[T any](t *testing.T, a answer) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(a.Body, &v); err != nil {
		t.Fatalf("decode %s: %v", a.Body, err)
	}
	return v
}

// TestTemplatesAPI: templates are created, listed with a cursor, read,
// changed and deleted, each account seeing only its own; reading needs
// the read scope, changing the send scope; the opt-out text setting is
// read, set and reset.
func TestTemplatesAPI(t *testing.T) {
	w := newTemplateWorld(t, "", false)
	body := `{"name":"Sale","body":"Hi {{first_name|there}} in {{field.city}}! {{optout}}"}`
	a := w.do(t, "POST", "/v1/templates", keySend, []byte(body))
	if a.Code != http.StatusCreated {
		t.Fatalf("create: %d %s", a.Code, a.Body)
	}
	tpl := decodeAs[Template](t, a)
	if tpl.ID == 0 || tpl.Name != "Sale" || strings.Join(tpl.Placeholders, ",") != "first_name,field.city,optout" {
		t.Fatalf("created %+v", tpl)
	}
	id := func(t Template) string { return "/v1/templates/" + jsonID(t.ID) }
	if a := w.do(t, "POST", "/v1/templates", keySend, []byte(body)); a.Code != 409 || a.problem(t)["field"] != "name" {
		t.Fatalf("a second Sale: %d %s", a.Code, a.Body)
	}
	if a := w.do(t, "POST", "/v1/templates", keyRead, []byte(`{"name":"x","body":"y"}`)); a.Code != 403 {
		t.Fatalf("create with the read scope: %d %s", a.Code, a.Body)
	}
	// Account 2 has no custom field city: the same body is refused
	// there; a plain one under the same name is its own.
	if a := w.do(t, "POST", "/v1/templates", keyOther, []byte(body)); a.Code != 400 || !strings.Contains(string(a.Body), "{{field.city}}") {
		t.Fatalf("account 2's Sale with field.city: %d %s", a.Code, a.Body)
	}
	a = w.do(t, "POST", "/v1/templates", keyOther, []byte(`{"name":"Sale","body":"Hallo {{first_name}}"}`))
	if a.Code != 201 {
		t.Fatalf("account 2's Sale: %d %s", a.Code, a.Body)
	}
	other := decodeAs[Template](t, a)
	second := decodeAs[Template](t, w.do(t, "POST", "/v1/templates", keySend, []byte(`{"name":"Plain","body":"No placeholders"}`)))
	if second.Placeholders == nil || len(second.Placeholders) != 0 {
		t.Fatalf("plain template %+v", second)
	}

	page := decodeAs[TemplatePage](t, w.do(t, "GET", "/v1/templates?limit=1", keyRead, nil))
	if len(page.Data) != 1 || page.Data[0].ID != tpl.ID || page.NextCursor == "" {
		t.Fatalf("first page %+v", page)
	}
	page = decodeAs[TemplatePage](t, w.do(t, "GET", "/v1/templates?limit=1&cursor="+page.NextCursor, keyRead, nil))
	if len(page.Data) != 1 || page.Data[0].ID != second.ID {
		t.Fatalf("second page %+v", page)
	}
	if all := w.do(t, "GET", "/v1/templates", keyRead, nil); strings.Contains(string(all.Body), "Hallo") {
		t.Fatalf("account 1 lists account 2's template: %s", all.Body)
	}
	if a := w.do(t, "GET", id(tpl), keyRead, nil); a.Code != 200 || decodeAs[Template](t, a).Body != tpl.Body {
		t.Fatalf("get: %d %s", a.Code, a.Body)
	}
	// Another account's template is not found, whatever the method.
	for _, c := range []struct{ method, path, body string }{
		{"GET", id(other), ""}, {"PATCH", id(other), `{"name":"pwned"}`}, {"DELETE", id(other), ""},
		{"POST", id(other) + "/preview", `{}`},
	} {
		var b []byte
		if c.body != "" {
			b = []byte(c.body)
		}
		key := keySend
		if c.method == "GET" || strings.HasSuffix(c.path, "/preview") {
			key = keyRead
		}
		if a := w.do(t, c.method, c.path, key, b); a.Code != 404 || strings.Contains(string(a.Body), "Hallo") {
			t.Errorf("%s %s of account 2's template: %d %s", c.method, c.path, a.Code, a.Body)
		}
	}
	if got := decodeAs[Template](t, w.do(t, "GET", id(other), keyOther, nil)); got.Name != "Sale" || got.Body != "Hallo {{first_name}}" {
		t.Fatalf("account 2's template changed: %+v", got)
	}

	a = w.do(t, "PATCH", id(tpl), keySend, []byte(`{"body":"Last day, {{first_name|friend}}!"}`))
	if a.Code != 200 {
		t.Fatalf("patch: %d %s", a.Code, a.Body)
	}
	if got := decodeAs[Template](t, a); got.Name != "Sale" || got.Body != "Last day, {{first_name|friend}}!" || strings.Join(got.Placeholders, ",") != "first_name" {
		t.Fatalf("patched %+v", got)
	}
	if a := w.do(t, "PATCH", id(tpl), keySend, []byte(`{"name":"Plain"}`)); a.Code != 409 {
		t.Fatalf("rename onto Plain: %d %s", a.Code, a.Body)
	}
	if a := w.do(t, "PATCH", id(tpl), keySend, []byte(`{"body":"{{bogus}}"}`)); a.Code != 400 || !strings.Contains(string(a.Body), "{{bogus}}") {
		t.Fatalf("patch a bad body: %d %s", a.Code, a.Body)
	}
	if a := w.do(t, "PATCH", id(tpl), keySend, []byte(`{}`)); a.Code != 400 {
		t.Fatalf("an empty patch: %d %s", a.Code, a.Body)
	}
	if a := w.do(t, "PATCH", id(tpl), keyRead, []byte(`{"name":"x"}`)); a.Code != 403 {
		t.Fatalf("patch with the read scope: %d", a.Code)
	}
	if a := w.do(t, "DELETE", id(tpl), keySend, nil); a.Code != 204 {
		t.Fatalf("delete: %d %s", a.Code, a.Body)
	}
	if a := w.do(t, "GET", id(tpl), keyRead, nil); a.Code != 404 {
		t.Fatalf("get after delete: %d", a.Code)
	}
	if a := w.do(t, "DELETE", id(tpl), keySend, nil); a.Code != 404 {
		t.Fatalf("delete again: %d", a.Code)
	}

	// Settings.
	if s := decodeAs[TemplateSettings](t, w.do(t, "GET", "/v1/templates/settings", keyRead, nil)); s.OptOutText != campaign.DefaultOptOutText || !s.Default {
		t.Fatalf("default settings %+v", s)
	}
	a = w.do(t, "PUT", "/v1/templates/settings", keySend, []byte(`{"optout_text":"Text STOP to 60123"}`))
	if s := decodeAs[TemplateSettings](t, a); a.Code != 200 || s.OptOutText != "Text STOP to 60123" || s.Default {
		t.Fatalf("put settings: %d %s", a.Code, a.Body)
	}
	if s := decodeAs[TemplateSettings](t, w.do(t, "GET", "/v1/templates/settings", keyOther, nil)); !s.Default {
		t.Fatalf("account 2's settings changed: %+v", s)
	}
	for _, bad := range []string{`{"optout_text":"` + strings.Repeat("x", app.MaxOptOutTextChars+1) + `"}`, `{"optout_text":"a {{first_name}}"}`,
		`{"optout_text":"a\nb"}`, `{}`, `{"optout_text":1}`} {
		if a := w.do(t, "PUT", "/v1/templates/settings", keySend, []byte(bad)); a.Code != 400 {
			t.Errorf("put %.40s: %d %s", bad, a.Code, a.Body)
		}
	}
	if a := w.do(t, "PUT", "/v1/templates/settings", keyRead, []byte(`{"optout_text":""}`)); a.Code != 403 {
		t.Fatalf("put settings with the read scope: %d", a.Code)
	}
	if s := decodeAs[TemplateSettings](t, w.do(t, "PUT", "/v1/templates/settings", keySend, []byte(`{"optout_text":""}`))); !s.Default {
		t.Fatalf("reset settings %+v", s)
	}
}

func jsonID(id int64) string {
	b, _ := json.Marshal(struct {
		ID int64 `json:"id,string"`
	}{id})
	var v struct{ ID string }
	_ = json.Unmarshal(b, &v)
	return v.ID
}

// TestTemplatesAPIRefusals: bad bodies, names, ids and queries are
// problem JSON naming the field, the placeholder at fault in the detail.
func TestTemplatesAPIRefusals(t *testing.T) {
	w := newTemplateWorld(t, "", false)
	for _, c := range []struct {
		name, body, field, detail string
	}{
		{"unknown placeholder", `{"name":"a","body":"Hi {{nickname}}"}`, "body", "{{nickname}} at character 3"},
		{"undeclared field", `{"name":"a","body":"{{field.town}}"}`, "body", `no custom field \"town\"`},
		{"unclosed", `{"name":"a","body":"Hi {{first_name"}`, "body", "never closed"},
		{"lone close", `{"name":"a","body":"Hi }}"}`, "body", "without an opening"},
		{"too long", `{"name":"a","body":"` + strings.Repeat("x", campaign.MaxTemplateChars+1) + `"}`, "body", "longer than 1600"},
		{"no body", `{"name":"a"}`, "body", ""},
		{"empty body", `{"name":"a","body":""}`, "body", "empty"},
		{"no name", `{"body":"x"}`, "name", ""},
		{"blank name", `{"name":"  ","body":"x"}`, "name", ""},
		{"long name", `{"name":"` + strings.Repeat("n", app.MaxTemplateNameChars+1) + `","body":"x"}`, "name", ""},
		{"unknown member", `{"name":"a","body":"x","colour":"red"}`, "colour", ""},
		{"wrong type", `{"name":"a","body":7}`, "body", ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			a := w.do(t, "POST", "/v1/templates", keySend, []byte(c.body))
			if a.Code != 400 {
				t.Fatalf("%d %s", a.Code, a.Body)
			}
			p := a.problem(t)
			if p["field"] != c.field || !strings.Contains(string(a.Body), c.detail) {
				t.Fatalf("problem %s, want field %q and %q", a.Body, c.field, c.detail)
			}
		})
	}
	for _, path := range []string{"/v1/templates/0", "/v1/templates/abc", "/v1/templates/-1", "/v1/templates/99999999999999999999"} {
		if a := w.do(t, "GET", path, keyRead, nil); a.Code != 404 {
			t.Errorf("GET %s: %d", path, a.Code)
		}
	}
	for _, q := range []string{"limit=0", "limit=501", "limit=x", "cursor=abc", "colour=red"} {
		if a := w.do(t, "GET", "/v1/templates?"+q, keyRead, nil); a.Code != 400 {
			t.Errorf("GET ?%s: %d %s", q, a.Code, a.Body)
		}
	}
	if a := w.do(t, "POST", "/v1/templates/preview", keyRead, []byte(`{"body":"{{x}}"}`)); a.Code != 400 || !strings.Contains(string(a.Body), "{{x}}") {
		t.Fatalf("preview of a bad body: %d %s", a.Code, a.Body)
	}
	if a := w.do(t, "POST", "/v1/templates/preview", keyRead, []byte(`{}`)); a.Code != 400 {
		t.Fatalf("preview without a body: %d %s", a.Code, a.Body)
	}
	if a := w.do(t, "POST", "/v1/templates/preview", keyRead, []byte(`{"body":"x","contact_id":"1","sample":{}}`)); a.Code != 400 {
		t.Fatalf("preview with contact and sample: %d %s", a.Code, a.Body)
	}
	if a := w.do(t, "POST", "/v1/templates/preview", keyRead, []byte(`{"body":"x","sample":{"phone":"12ab"}}`)); a.Code != 400 || a.problem(t)["field"] != "sample.phone" {
		t.Fatalf("preview with a bad sample phone: %d %s", a.Code, a.Body)
	}
	if a := w.do(t, "POST", "/v1/templates/preview", keyRead, []byte(`{"body":"x","sample":{"fields":{"city":{"a":1}}}}`)); a.Code != 400 {
		t.Fatalf("preview with an object field: %d %s", a.Code, a.Body)
	}
}

// TestTemplatePreviewAPI: a preview renders for a contact of the
// account (not another's) or a sample, with the account's opt-out text;
// reports encoding, segments, the characters forcing UCS-2 with their
// index and the price; a skipped recipient is reported, not refused;
// links show as samples, stored nowhere.
func TestTemplatePreviewAPI(t *testing.T) {
	w := newTemplateWorld(t, "https://gal.example", true)
	tpl := decodeAs[Template](t, w.do(t, "POST", "/v1/templates", keySend,
		[]byte(`{"name":"Sale","body":"Hi {{first_name}}, {{field.points}} points in {{field.city}}: https://shop.example/sale {{optout}}"}`)))
	path := "/v1/templates/" + jsonID(tpl.ID) + "/preview"
	w.do(t, "PUT", "/v1/templates/settings", keySend, []byte(`{"optout_text":"STOP to 60123"}`))

	a := w.do(t, "POST", path, keyRead, []byte(`{"contact_id":`+jsonID(w.ada)+`}`))
	if a.Code != 200 {
		t.Fatalf("preview for Ada: %d %s", a.Code, a.Body)
	}
	pv := decodeAs[Preview](t, a)
	if len(pv.Links) != 1 || pv.Links[0].URL != "https://shop.example/sale" || !pv.Links[0].Sample ||
		!strings.HasPrefix(pv.Links[0].Short, "https://gal.example/") {
		t.Fatalf("links %+v", pv.Links)
	}
	want := "Hi Ada, 1250 points in London: " + pv.Links[0].Short + " STOP to 60123"
	if pv.Skipped || pv.Text != want || pv.Encoding != "gsm7" || pv.Segments != 1 || pv.Characters != len(want) || len(pv.UCS2Characters) != 0 {
		t.Fatalf("preview %+v\nwant text %q", pv, want)
	}
	if pv.Price == nil || pv.Price.To != "+447700900123" || pv.Price.PerSegment != 30_000 || pv.Price.Total != 30_000 || pv.Price.Currency != "EUR" {
		t.Fatalf("price %+v (%s)", pv.Price, pv.PriceNote)
	}
	if _, err := w.st.LinkByCode(context.Background(), strings.TrimPrefix(pv.Links[0].Short, "https://gal.example/")); err == nil {
		t.Fatal("a preview's sample link was stored")
	}
	// Bob is account 2's contact: not found for account 1.
	if a := w.do(t, "POST", path, keyRead, []byte(`{"contact_id":"`+jsonID(w.bob)+`"}`)); a.Code != 404 || strings.Contains(string(a.Body), "Bob") {
		t.Fatalf("preview for account 2's contact: %d %s", a.Code, a.Body)
	}
	// A sample with UCS-2 characters, priced for 2 segments.
	sample := `{"sample":{"first_name":"Zoë 😀","phone":"+447700900999","fields":{"city":"Łódź","points":7}}}`
	pv = decodeAs[Preview](t, w.do(t, "POST", path, keyRead, []byte(sample)))
	var chars []string
	for _, c := range pv.UCS2Characters {
		if []rune(pv.Text)[c.Index] != []rune(c.Char)[0] {
			t.Fatalf("character %q at %d, text has %q", c.Char, c.Index, []rune(pv.Text)[c.Index])
		}
		chars = append(chars, c.Char)
	}
	// ë is GSM 7-bit? No: only é, è, ù, ì, ò, Ç, Ø, ø, Å, å, Ä, ä, Ö, ö,
	// Ñ, ñ, Ü, ü, ß, É, Æ, æ are.
	if pv.Encoding != "ucs2" || strings.Join(chars, "") != "ë😀Łóź" || pv.UCS2Characters[0].Index != 5 {
		t.Fatalf("ucs2 %+v in %q (%s)", pv.UCS2Characters, pv.Text, pv.Encoding)
	}
	if pv.Segments != 2 || pv.Price == nil || pv.Price.Total != 60_000 {
		t.Fatalf("segments %d price %+v (%s), %d characters", pv.Segments, pv.Price, pv.PriceNote, pv.Characters)
	}
	// A recipient without points is skipped with the reason.
	a = w.do(t, "POST", path, keyRead, []byte(`{"sample":{"first_name":"Cy","fields":{"city":"Oslo"}}}`))
	pv = decodeAs[Preview](t, a)
	if a.Code != 200 || !pv.Skipped || !strings.Contains(pv.SkipReason, "points") || pv.Text != "" {
		t.Fatalf("skipped preview: %d %s", a.Code, a.Body)
	}
	// No recipient at all: skipped on first_name.
	if pv := decodeAs[Preview](t, w.do(t, "POST", path, keyRead, nil)); !pv.Skipped || !strings.Contains(pv.SkipReason, "first_name") {
		t.Fatalf("empty preview %+v", pv)
	}
	// An unsaved body, no number: no price, with the note.
	a = w.do(t, "POST", "/v1/templates/preview", keyRead, []byte(`{"body":"Hi {{first_name|there}} `+"`"+`x`+"`"+`"}`))
	pv = decodeAs[Preview](t, a)
	if a.Code != 200 || pv.Text != "Hi there `x`" || pv.Encoding != "ucs2" || len(pv.UCS2Characters) != 2 || pv.UCS2Characters[1].Index != 11 ||
		pv.Price != nil || pv.PriceNote == "" {
		t.Fatalf("unsaved preview: %d %s", a.Code, a.Body)
	}
	if a := w.do(t, "POST", path, keyRead, []byte(`{"body":"x"}`)); a.Code != 400 {
		t.Fatalf("a body with a saved template: %d %s", a.Code, a.Body)
	}
	// Without billing the price is null, with a note.
	w2 := newTemplateWorld(t, "", false)
	pv = decodeAs[Preview](t, w2.do(t, "POST", "/v1/templates/preview", keyRead, []byte(`{"body":"Hi https://x.example","sample":{"phone":"447700900123"}}`)))
	if pv.Price != nil || !strings.Contains(pv.PriceNote, "billing") || pv.Text != "Hi https://x.example" || len(pv.Links) != 0 {
		t.Fatalf("preview without billing or links: %+v", pv)
	}
}

// TestLinksAPI: GET /l/{code} answers 302 to the stored URL without
// credentials and counts the click (unique once per code); an unknown or
// malformed code is a 404 problem, never a redirect; with links off the
// route is 404.
func TestLinksAPI(t *testing.T) {
	w := newTemplateWorld(t, "https://gal.example", false)
	ctx := context.Background()
	short, err := w.links.Shorten(ctx, 1, 77, w.ada, "https://shop.example/sale?x=1")
	if err != nil {
		t.Fatal(err)
	}
	code := strings.TrimPrefix(short, "https://gal.example/")
	noFollow := &http.Client{Timeout: 10 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	get := func(path, ua string) *http.Response {
		t.Helper()
		req, _ := http.NewRequest("GET", w.base+path, nil)
		req.Header.Set("User-Agent", ua)
		resp, err := noFollow.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp
	}
	for i := range 2 {
		resp := get("/l/"+code, "Mozilla/5.0 "+strings.Repeat("x", 1000))
		if resp.StatusCode != 302 || resp.Header.Get("Location") != "https://shop.example/sale?x=1" || !strings.Contains(resp.Header.Get("Cache-Control"), "no-store") {
			t.Fatalf("click %d: %d %v", i, resp.StatusCode, resp.Header)
		}
	}
	if total, uniq, err := w.st.CampaignClicks(ctx, 1, 77); err != nil || total != 2 || uniq != 1 {
		t.Fatalf("campaign clicks %d %d %v, want 2 1", total, uniq, err)
	}
	clicks, err := w.st.LinkClicks(ctx, code, 10)
	if err != nil || len(clicks) != 2 || len(clicks[0].UserAgent) != store.MaxClickUserAgent || !strings.HasPrefix(clicks[0].UserAgent, "Mozilla/5.0") {
		t.Fatalf("click log %+v %v", clicks, err)
	}
	if total, _, _ := w.st.CampaignClicks(ctx, 2, 77); total != 0 {
		t.Fatalf("another account's campaign counted %d", total)
	}
	for _, path := range []string{"/l/" + campaign.NewCode(), "/l/" + strings.ToLower(code) + "x", "/l/x", "/l/..%2Fv1"} {
		resp := get(path, "curl")
		if resp.StatusCode != 404 || resp.Header.Get("Location") != "" {
			t.Errorf("GET %s: %d, Location %q", path, resp.StatusCode, resp.Header.Get("Location"))
		}
	}
	// On the links' own host (links.domain without a path) /CODE is the
	// link; on any other host, or with more path, it is no endpoint.
	onHost := func(host, path string) *http.Response {
		t.Helper()
		req, _ := http.NewRequest("GET", w.base+path, nil)
		req.Host = host
		resp, err := noFollow.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp
	}
	if resp := onHost("GAL.example", "/"+code); resp.StatusCode != 302 || resp.Header.Get("Location") != "https://shop.example/sale?x=1" {
		t.Fatalf("GET /CODE on the links host: %d %v", resp.StatusCode, resp.Header)
	}
	if total, _, _ := w.st.CampaignClicks(ctx, 1, 77); total != 3 {
		t.Fatalf("campaign clicks %d after a click on the links host, want 3", total)
	}
	for _, c := range []struct{ host, path string }{{"other.example", "/" + code}, {"gal.example", "/" + code + "/x"},
		{"gal.example", "/" + campaign.NewCode()}, {"gal.example", "/v1/messages"}} {
		if resp := onHost(c.host, c.path); resp.StatusCode == 302 || resp.Header.Get("Location") != "" {
			t.Errorf("GET %s on %s: %d, Location %q", c.path, c.host, resp.StatusCode, resp.Header.Get("Location"))
		}
	}
	if a := w.do(t, "GET", "/l/"+campaign.NewCode(), "", nil); a.Code != 404 {
		t.Fatalf("unknown code: %d", a.Code)
	} else if p := a.problem(t); !strings.HasSuffix(p["type"].(string), TypeNotFound) {
		t.Fatalf("problem %v", p)
	}
	off := newTemplateWorld(t, "", false)
	if _, err := campaign.NewLinks(off.st, "https://gal.example"); err != nil {
		t.Fatal(err)
	}
	if a := off.do(t, "GET", "/l/"+code, "", nil); a.Code != 404 || !strings.Contains(string(a.Body), "not enabled") {
		t.Fatalf("links off: %d %s", a.Code, a.Body)
	}
}
