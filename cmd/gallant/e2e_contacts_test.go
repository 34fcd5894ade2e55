package main

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/gallant-sms/gallant/internal/testutil"
)

// TestE2EContactsAPI: over the running gateway on each store, an account
// declares a custom field, creates contacts and a list; a message it
// sends shows as the contact's last_message_at, an opt-out it records as
// opted_out. Another account reaches none of it: every contacts and
// lists route naming the first account's contact or list answers 404 and
// its listings are empty. Erasing a contact keeps the message, with the
// number as sent.
func TestE2EContactsAPI(t *testing.T) {
	t.Parallel()
	eachDriver(t, func(t *testing.T, driver string) {
		c := newCarrier(t, nil)
		a := startApp(t, testConfig(t, driver, c.Addr()))
		acme, other := a.customer(t, "Acme", ""), a.customer(t, "Bravo", "")
		must := func(r httpAnswer, code int, what string) httpAnswer { t.Helper(); return mustStatus(t, r, code, what) }
		const number = "447700900777"

		must(a.do(t, "POST", "/v1/contact-fields", acme.APIKey, `{"name":"plan","type":"text"}`), 201, "declare plan")
		var ada struct {
			ID            int64          `json:"id"`
			Phone         string         `json:"phone"`
			TimeZone      string         `json:"time_zone"`
			Fields        map[string]any `json:"fields"`
			Lists         []int64        `json:"lists"`
			LastMessageAt *string        `json:"last_message_at"`
			OptedOut      bool           `json:"opted_out"`
		}
		must(a.do(t, "POST", "/v1/contacts", acme.APIKey, `{"phone":"+`+number+`","first_name":"Ada","fields":{"plan":"gold"},"tags":["vip"]}`),
			201, "create Ada").json(t, &ada)
		if ada.Phone != number || ada.TimeZone != "Europe/London" || ada.Fields["plan"] != "gold" {
			t.Fatalf("Ada %+v", ada)
		}
		var list struct {
			ID int64 `json:"id"`
		}
		must(a.do(t, "POST", "/v1/lists", acme.APIKey, `{"name":"Newsletter"}`), 201, "create a list").json(t, &list)
		must(a.do(t, "POST", fmt.Sprintf("/v1/lists/%d/contacts", list.ID), acme.APIKey, `{"phones":["+`+number+`"]}`), 200, "add Ada")

		msg := a.send(t, acme.APIKey, map[string]any{"to": "+" + number, "text": "hello Ada"})
		must(a.do(t, "POST", "/v1/opt-outs", acme.APIKey, `{"number":"+`+number+`"}`), 201, "opt Ada out")
		path := "/v1/contacts/" + strconv.FormatInt(ada.ID, 10)
		testutil.Eventually(t, "Ada's last message and opt-out show", func() (bool, string) {
			r := a.do(t, "GET", path, acme.APIKey, "")
			r.json(t, &ada)
			return ada.LastMessageAt != nil && ada.OptedOut && len(ada.Lists) == 1 && ada.Lists[0] == list.ID, string(r.body)
		})

		// Another account: not found, nothing listed, nothing changed.
		listPath := "/v1/lists/" + strconv.FormatInt(list.ID, 10)
		for _, op := range []struct{ method, path, body string }{
			{"GET", path, ""}, {"PATCH", path, `{"first_name":"Eve"}`}, {"DELETE", path, ""},
			{"GET", listPath, ""}, {"PATCH", listPath, `{"name":"Mine"}`}, {"DELETE", listPath, ""},
			{"GET", listPath + "/contacts", ""}, {"POST", listPath + "/contacts", `{"contact_ids":[` + strconv.FormatInt(ada.ID, 10) + `]}`},
			{"DELETE", listPath + "/contacts", `{"contact_ids":[` + strconv.FormatInt(ada.ID, 10) + `]}`},
			{"GET", "/v1/contacts?list=" + strconv.FormatInt(list.ID, 10), ""}, {"DELETE", "/v1/contact-fields/plan", ""},
		} {
			r := a.do(t, op.method, op.path, other.APIKey, op.body)
			if r.status != http.StatusNotFound || strings.Contains(string(r.body), "Ada") {
				t.Errorf("Bravo: %s %s: %d %s, want 404", op.method, op.path, r.status, r.body)
			}
		}
		for _, p := range []string{"/v1/contacts", "/v1/contacts?q=ada", "/v1/contacts?tag=vip", "/v1/lists", "/v1/contact-fields"} {
			r := must(a.do(t, "GET", p, other.APIKey, ""), 200, "Bravo lists "+p)
			if string(r.body) != `{"data":[]}` {
				t.Errorf("Bravo: GET %s shows %s", p, r.body)
			}
		}
		r := must(a.do(t, "GET", path, acme.APIKey, ""), 200, "Ada after Bravo's calls")
		if !strings.Contains(string(r.body), `"first_name":"Ada"`) || !strings.Contains(string(r.body), `"lists":[`+strconv.FormatInt(list.ID, 10)+`]`) {
			t.Fatalf("Ada changed: %s", r.body)
		}

		// Erasure keeps the message with the number as sent.
		must(a.do(t, "DELETE", path, acme.APIKey, ""), 204, "erase Ada")
		must(a.do(t, "GET", path, acme.APIKey, ""), 404, "Ada after erasure")
		r = must(a.do(t, "GET", listPath, acme.APIKey, ""), 200, "the list after erasure")
		if !strings.Contains(string(r.body), `"count":0`) {
			t.Errorf("the list still counts Ada: %s", r.body)
		}
		r = must(a.do(t, "GET", "/v1/messages/"+msg.ID, acme.APIKey, ""), 200, "the message after erasure")
		if !strings.Contains(string(r.body), number) {
			t.Errorf("the message lost its number: %s", r.body)
		}
	})
}
