package main

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gallant-sms/gallant/campaign"
)

// TestE2ETemplates: through the wired gateway on each store, a template
// is created, previewed with a short link on the configured domain and
// invisible to another account; a campaign's short link is redirected by
// the public GET /l/{code} and its clicks counted; an unknown code is a
// 404, never a redirect.
func TestE2ETemplates(t *testing.T) {
	eachDriver(t, func(t *testing.T, driver string) {
		carrier := newCarrier(t, nil)
		cfg := testConfig(t, driver, carrier.Addr())
		cfg.Links.Domain = "https://gal.example"
		a := startApp(t, cfg)
		c1 := a.customer(t, "Templater", noOwnSecret)
		c2 := a.customer(t, "Other", noOwnSecret)
		r := mustStatus(t, a.do(t, "POST", "/v1/templates", c1.APIKey, `{"name":"Sale","body":"Hi {{first_name|there}}: https://shop.example/sale {{optout}}"}`), 201, "create")
		var tpl struct {
			ID string `json:"id"`
		}
		r.json(t, &tpl)
		mustStatus(t, a.do(t, "GET", "/v1/templates/"+tpl.ID, c2.APIKey, ""), 404, "another account reads it")
		mustStatus(t, a.do(t, "POST", "/v1/templates/"+tpl.ID+"/preview", c2.APIKey, `{}`), 404, "another account previews it")
		r = mustStatus(t, a.do(t, "POST", "/v1/templates/"+tpl.ID+"/preview", c1.APIKey, `{"sample":{"phone":"+447700900123"}}`), 200, "preview")
		var pv struct {
			Text  string `json:"text"`
			Links []struct {
				Short  string `json:"short"`
				Sample bool   `json:"sample"`
			} `json:"links"`
		}
		r.json(t, &pv)
		if len(pv.Links) != 1 || !pv.Links[0].Sample || !strings.HasPrefix(pv.Text, "Hi there: https://gal.example/") ||
			!strings.HasSuffix(pv.Text, "Reply STOP to unsubscribe") {
			t.Fatalf("preview %s", r.body)
		}

		links, err := campaign.NewLinks(a.st, cfg.Links.Domain)
		if err != nil {
			t.Fatal(err)
		}
		short, err := links.Shorten(testContext(t), c1.AccountID, 3, 11, "https://shop.example/sale")
		if err != nil {
			t.Fatal(err)
		}
		code := strings.TrimPrefix(short, "https://gal.example/")
		client := &http.Client{Timeout: 10 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		for range 3 {
			resp, err := client.Get(a.base + "/l/" + code)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusFound || resp.Header.Get("Location") != "https://shop.example/sale" {
				t.Fatalf("GET /l/%s: %d %q", code, resp.StatusCode, resp.Header.Get("Location"))
			}
		}
		if total, uniq, err := a.st.CampaignClicks(testContext(t), c1.AccountID, 3); err != nil || total != 3 || uniq != 1 {
			t.Fatalf("clicks %d %d %v, want 3 1", total, uniq, err)
		}
		resp, err := client.Get(a.base + "/l/" + campaign.NewCode())
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusNotFound || resp.Header.Get("Location") != "" {
			t.Fatalf("an unknown code: %d %q", resp.StatusCode, resp.Header.Get("Location"))
		}
	})
}
