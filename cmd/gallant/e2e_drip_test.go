package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestE2EDripOverAPI: a drip sequence defined over the HTTP API (entry
// into a segment, steps relative to a date field, a step condition in
// segment rules) reaches the carrier: each contact gets the steps it
// qualifies for, a signup of last year none; a bad step is a 400 naming
// its field.
func TestE2EDripOverAPI(t *testing.T) {
	eachDriver(t, func(t *testing.T, driver string) {
		dc := newDestCarrier()
		carrier := newCarrier(t, dc.decide)
		cfg := testConfig(t, driver, carrier.Addr())
		cfg.HTTP.RateLimitPerKey, cfg.HTTP.RateLimitPerIP = 0, 0
		a := startApp(t, cfg)
		cust := a.customer(t, "Acme", "")
		mustStatus(t, a.do(t, "POST", "/v1/contact-fields", cust.APIKey, `{"name":"signup","type":"date"}`), 201, "field")
		mustStatus(t, a.do(t, "POST", "/v1/contact-fields", cust.APIKey, `{"name":"plan","type":"text"}`), 201, "field")
		// Due half an hour ago, within the hour a date-field step may be
		// late: sent at once.
		due := time.Now().UTC().Add(-30 * time.Minute)
		for _, c := range []struct{ phone, name, signup, plan string }{
			{"+447700900701", "Ann", due.Format(time.DateOnly), "gold"},
			{"+447700900702", "Bob", due.Format(time.DateOnly), "silver"},
			{"+447700900703", "Old", due.AddDate(-1, 0, 0).Format(time.DateOnly), "gold"},
		} {
			mustStatus(t, a.do(t, "POST", "/v1/contacts", cust.APIKey, fmt.Sprintf(`{"phone":%q,"first_name":%q,"time_zone":"UTC",`+
				`"tags":["vip"],"fields":{"signup":%q,"plan":%q}}`, c.phone, c.name, c.signup, c.plan)), 201, "contact")
		}
		var seg struct{ ID int64 }
		mustStatus(t, a.do(t, "POST", "/v1/segments", cust.APIKey,
			`{"name":"vips","rules":{"conditions":[{"field":"tags","op":"has","value":"vip"}]}}`), 201, "segment").json(t, &seg)

		bad := fmt.Sprintf(`{"drip":{"segment_id":%d,"steps":[{"delay":0,"text":"x"},{"delay":60,"at":"25:00","text":"y"}]}}`, seg.ID)
		r := a.do(t, "POST", "/v1/campaigns", cust.APIKey, bad)
		var prob struct{ Field, Detail string }
		r.json(t, &prob)
		if r.status != http.StatusBadRequest || prob.Field != "drip.steps[1].at" || !strings.Contains(prob.Detail, "HH:MM") {
			t.Fatalf("a bad step: %d %s", r.status, r.body)
		}

		at := due.Format("15:04")
		id := a.createCampaign(t, cust.APIKey, map[string]any{"name": "Onboarding", "kind": "transactional", "from": "Acme",
			"drip": map[string]any{"segment_id": seg.ID, "date_field": "signup", "include_existing": true, "exit_on_leave": true,
				"steps": []any{
					map[string]any{"days": 0, "at": at, "text": "Welcome {{first_name|there}}"},
					map[string]any{"days": 0, "at": at, "text": "Gold perk", "condition": map[string]any{"rules": map[string]any{
						"conditions": []any{map[string]any{"field": "field.plan", "op": "eq", "value": "gold"}}}}},
				}}})
		path := fmt.Sprintf("/v1/campaigns/%d", id)
		var view struct {
			Drip struct {
				SegmentID int64  `json:"segment_id"`
				DateField string `json:"date_field"`
				Steps     []struct {
					Condition json.RawMessage `json:"condition"`
				} `json:"steps"`
			} `json:"drip"`
		}
		mustStatus(t, a.do(t, "GET", path, cust.APIKey, ""), 200, "get").json(t, &view)
		if view.Drip.SegmentID != seg.ID || view.Drip.DateField != "signup" || len(view.Drip.Steps) != 2 ||
			!strings.Contains(string(view.Drip.Steps[1].Condition), "field.plan") {
			t.Fatalf("drip as stored: %+v", view.Drip)
		}
		mustStatus(t, a.do(t, "POST", path+"/launch", cust.APIKey, ""), 200, "launch")
		eventually(t, "Ann's two steps and Bob's first", func() (bool, string) {
			_, total := dc.counts()
			return total == 3, fmt.Sprint(total)
		})
		eventually(t, "Bob's second step skipped", func() (bool, string) {
			s := a.campaignStats(t, cust.APIKey, id)
			return s.Totals.Skipped == 1, fmt.Sprintf("%+v", s.Totals)
		})
		var skipped struct {
			Data []struct {
				To     string `json:"to"`
				Step   int    `json:"step"`
				Reason string `json:"reason"`
			} `json:"data"`
		}
		mustStatus(t, a.do(t, "GET", path+"/recipients?state=skipped", cust.APIKey, ""), 200, "recipients").json(t, &skipped)
		if len(skipped.Data) != 1 || skipped.Data[0].To != "+447700900702" || skipped.Data[0].Step != 2 ||
			skipped.Data[0].Reason != "condition of step 2 not met" {
			t.Fatalf("skipped %+v", skipped.Data)
		}
		dc.mu.Lock()
		defer dc.mu.Unlock()
		if dc.n["447700900701"] != 2 || dc.n["447700900702"] != 1 || dc.n["447700900703"] != 0 ||
			dc.texts["447700900702"] != "Welcome Bob" {
			t.Fatalf("carrier got %v, last texts %v", dc.n, dc.texts)
		}
	})
}
