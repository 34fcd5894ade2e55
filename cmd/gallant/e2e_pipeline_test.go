package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gallant-sms/gallant/campaign"
	"github.com/gallant-sms/gallant/gateway"
	"github.com/gallant-sms/gallant/internal/testutil"
	"github.com/gallant-sms/gallant/smpp/pdu"
	"github.com/gallant-sms/gallant/smpp/smpptest"
)

// simTexts records the texts the carrier simulator receives, by
// destination.
type simTexts struct {
	mu    sync.Mutex
	texts map[string][]string
}

func (s *simTexts) onSubmit(_, dst pdu.Address, dc byte, text []byte) {
	t := gateway.DecodeText(text, dc)
	s.mu.Lock()
	s.texts[string(dst.Addr)] = append(s.texts[string(dst.Addr)], t)
	s.mu.Unlock()
}

// snapshot returns a copy of the texts by destination and their number.
func (s *simTexts) snapshot() (map[string][]string, int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[string][]string, len(s.texts))
	n := 0
	for k, v := range s.texts {
		out[k] = append([]string(nil), v...)
		n += len(v)
	}
	return out, n
}

// pipelineRow is one contact of the pipeline's CSV.
type pipelineRow struct{ phone, first, plan string }

// pipelineCSV is n contacts with a custom field plan: every tenth
// "trial", the others "gold"; every seventh without a first name.
func pipelineCSV(n int) (string, []pipelineRow) {
	var b strings.Builder
	b.WriteString("phone,first_name,plan\n")
	rows := make([]pipelineRow, n)
	for i := range rows {
		r := pipelineRow{phone: fmt.Sprintf("4477001%05d", i), first: "Ann" + strconv.Itoa(i), plan: "gold"}
		if i%7 == 0 {
			r.first = ""
		}
		if i%10 == 0 {
			r.plan = "trial"
		}
		rows[i] = r
		fmt.Fprintf(&b, "+%s,%s,%s\n", r.phone, r.first, r.plan)
	}
	return b.String(), rows
}

// noRedirect is a client that shows redirects instead of following them.
var noRedirect = &http.Client{Timeout: 10 * time.Second,
	CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

// click fetches a short link's code from the gateway and returns the
// answer's status and Location.
func (a *testApp) click(t testing.TB, code string) (int, string) {
	t.Helper()
	resp, err := noRedirect.Get(a.base + "/l/" + code)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode, resp.Header.Get("Location")
}

// pipelineStats is the part of GET /v1/campaigns/{id}/stats the
// pipeline reads.
type pipelineStats struct {
	State  string `json:"state"`
	Totals struct {
		Targeted  int64 `json:"targeted"`
		Sent      int64 `json:"sent"`
		Delivered int64 `json:"delivered"`
		Skipped   int64 `json:"skipped"`
	} `json:"totals"`
	Breakdown []struct {
		Variant   int   `json:"variant"`
		Targeted  int64 `json:"targeted"`
		Sent      int64 `json:"sent"`
		Delivered int64 `json:"delivered"`
		Clicks    *struct {
			Total  int64 `json:"total"`
			Unique int64 `json:"unique"`
		} `json:"clicks"`
	} `json:"breakdown"`
	Clicks *struct {
		Total  int64 `json:"total"`
		Unique int64 `json:"unique"`
	} `json:"clicks"`
}

func (a *testApp) pipelineStats(t testing.TB, key string, id int64) pipelineStats {
	t.Helper()
	var s pipelineStats
	mustStatus(t, a.do(t, "GET", fmt.Sprintf("/v1/campaigns/%d/stats", id), key, ""), 200, "stats").json(t, &s)
	return s
}

// TestE2EPipeline is issue 13's path end to end over the HTTP API of a
// wired gateway, on each store, to the carrier simulator: a custom field
// is declared, a 10,000-row CSV imported as a job, a segment on the
// field previewed (its count checked against the CSV), a template with
// {{first_name|there}}, {{field.plan}}, a link and {{optout}} saved with
// the account's own opt-out text, and a campaign on the segment with the
// template scheduled a few seconds ahead: the simulator receives exactly
// one text per contact of the segment, each personalised for its number
// with its own tracked link and the account's opt-out text; the
// statistics reach that many delivered; a link answers 302 and counts
// one click; erasing its contact makes it 404. An A/B test judged by
// click rate then picks the clicked variant, sends it to the rest, and
// counts clicks per variant.
func TestE2EPipeline(t *testing.T) {
	eachDriver(t, func(t *testing.T, driver string) {
		began := time.Now()
		rec := &simTexts{texts: map[string][]string{}}
		sim, simAddr := testutil.StartSimulator(t, smpptest.SimConfig{OnSubmit: rec.onSubmit})
		cfg := testConfig(t, driver, simAddr)
		cfg.HTTP.RateLimitPerKey, cfg.HTTP.RateLimitPerIP = 0, 0
		cfg.Campaigns.MaxRate = 5000
		cfg.Carriers[0].Binds, cfg.Carriers[0].Window = 2, 100
		cfg.Links.Domain = "https://gal.example"
		a := startApp(t, cfg)
		cust := a.customer(t, "Acme", "")
		key := cust.APIKey

		// A custom field, then the import.
		mustStatus(t, a.do(t, "POST", "/v1/contact-fields", key, `{"name":"plan","type":"text"}`), 201, "field")
		const n = 10000
		file, rows := pipelineCSV(n)
		var job importJobJSON
		mustStatus(t, a.do(t, "POST", "/v1/contacts/imports", key, file, "Content-Type", "text/csv"), 202, "import").json(t, &job)
		jobPath := fmt.Sprintf("/v1/contacts/imports/%d", job.ID)
		eventually(t, "the import completed", func() (bool, string) {
			mustStatus(t, a.do(t, "GET", jobPath, key, ""), 200, "job").json(t, &job)
			return job.State == "completed", fmt.Sprintf("%+v", job)
		})
		if job.Imported != n || job.Rejected != 0 {
			t.Fatalf("import %+v", job)
		}
		imported := time.Since(began)

		// The segment: plan gold.
		want := map[string]pipelineRow{}
		for _, r := range rows {
			if r.plan == "gold" {
				want[r.phone] = r
			}
		}
		var seg struct {
			ID int64 `json:"id"`
		}
		mustStatus(t, a.do(t, "POST", "/v1/segments", key, `{"name":"gold","rules":{"match":"all","conditions":[`+
			`{"field":"field.plan","op":"eq","value":"gold"}]}}`), 201, "segment").json(t, &seg)
		var pv struct {
			Count int `json:"count"`
		}
		mustStatus(t, a.do(t, "POST", fmt.Sprintf("/v1/segments/%d/preview", seg.ID), key, ""), 200, "preview").json(t, &pv)
		if pv.Count != len(want) {
			t.Fatalf("the segment counts %d, the CSV has %d gold", pv.Count, len(want))
		}

		// The template and the account's opt-out text.
		const optout = "Text END to stop"
		mustStatus(t, a.do(t, "PUT", "/v1/templates/settings", key, `{"optout_text":"`+optout+`"}`), 200, "settings")
		var tpl struct {
			ID string `json:"id"`
		}
		mustStatus(t, a.do(t, "POST", "/v1/templates", key, `{"name":"Deal","body":"Hi {{first_name|there}}, your `+
			`{{field.plan}} deal: https://shop.example/deal?src=sms. {{optout}}"}`), 201, "template").json(t, &tpl)

		// The campaign, scheduled 3 s ahead.
		sendAt := time.Now().Add(3 * time.Second).UTC()
		id := a.createCampaign(t, key, map[string]any{"name": "Gold deal", "kind": "transactional", "from": "Acme",
			"template_id": json.Number(tpl.ID), "audience": map[string]any{"segment_ids": []int64{seg.ID}},
			"send_at": sendAt.Format(time.RFC3339Nano)})
		path := fmt.Sprintf("/v1/campaigns/%d", id)
		var c campaignJSON
		mustStatus(t, a.do(t, "POST", path+"/launch", key, ""), 200, "launch").json(t, &c)
		if c.State != "scheduled" || c.Targeted != int64(len(want)) {
			t.Fatalf("launched %+v", c)
		}
		launched := time.Now()
		var s pipelineStats
		for stalled := time.Now(); ; {
			prev := s
			s = a.pipelineStats(t, key, id)
			if s.State == "completed" && s.Totals.Delivered == int64(len(want)) {
				break
			}
			if s.Totals.Delivered != prev.Totals.Delivered || s.Totals.Sent != prev.Totals.Sent || time.Now().Before(sendAt) {
				stalled = time.Now()
			}
			if time.Since(stalled) > waitLong {
				t.Fatalf("the statistics stopped at %+v", s)
			}
			time.Sleep(50 * time.Millisecond) // polling
		}
		done := time.Now()
		texts, total := rec.snapshot()
		if total != len(want) || len(texts) != len(want) || sim.Summary().SubmitSM != uint64(len(want)) {
			t.Fatalf("the simulator got %d texts to %d numbers (%d submits), want %d once each", total, len(texts),
				sim.Summary().SubmitSM, len(want))
		}
		codes := make(map[string]string, len(want))
		for phone, r := range want {
			got := texts[phone]
			if len(got) != 1 {
				t.Fatalf("%s got %d texts", phone, len(got))
			}
			name := r.first
			if name == "" {
				name = "there"
			}
			rest, ok := strings.CutPrefix(got[0], "Hi "+name+", your gold deal: https://gal.example/")
			code, ok2 := strings.CutSuffix(rest, ". "+optout)
			if !ok || !ok2 || !campaign.ValidCode(code) {
				t.Fatalf("%s got %q", phone, got[0])
			}
			if other, seen := codes[code]; seen {
				t.Fatalf("%s and %s got the same link %s", phone, other, code)
			}
			codes[code] = phone
		}
		if s.Clicks == nil || s.Clicks.Total != 0 {
			t.Fatalf("clicks before any %+v", s.Clicks)
		}
		// One link clicked: 302 to the target, one click counted.
		var code, phone string
		for code, phone = range codes {
			break
		}
		if st, loc := a.click(t, code); st != http.StatusFound || loc != "https://shop.example/deal?src=sms" {
			t.Fatalf("GET /l/%s: %d %q", code, st, loc)
		}
		s = a.pipelineStats(t, key, id)
		if s.Clicks == nil || s.Clicks.Total != 1 || s.Clicks.Unique != 1 {
			t.Fatalf("clicks after one %+v", s.Clicks)
		}
		// Erasing the contact erases its link.
		var page struct {
			Data []struct {
				ID int64 `json:"id"`
			} `json:"data"`
		}
		mustStatus(t, a.do(t, "GET", "/v1/contacts?q=%2B"+phone, key, ""), 200, "find").json(t, &page)
		if len(page.Data) != 1 {
			t.Fatalf("contact %s: %+v", phone, page)
		}
		mustStatus(t, a.do(t, "DELETE", fmt.Sprintf("/v1/contacts/%d", page.Data[0].ID), key, ""), 204, "erase")
		if st, loc := a.click(t, code); st != http.StatusNotFound || loc != "" {
			t.Fatalf("the erased contact's link: %d %q", st, loc)
		}
		t.Logf("%s: import of %d rows %v; campaign of %d from its send_at to all delivered %v (launch to send_at %v)",
			driver, n, imported.Round(time.Millisecond), len(want), done.Sub(sendAt).Round(time.Millisecond),
			sendAt.Sub(launched).Round(time.Millisecond))

		// An A/B test judged by click rate over 40 numbers: half the
		// audience is the test group; variant 2's links are clicked.
		numbers := make([]string, 40)
		for i := range numbers {
			numbers[i] = fmt.Sprintf("+4477002%05d", i)
		}
		ab := a.createCampaign(t, key, map[string]any{"name": "AB", "kind": "transactional", "from": "Acme",
			"audience": map[string]any{"numbers": numbers},
			"ab": map[string]any{"variants": []map[string]any{
				{"text": "Plain https://shop.example/a {{optout}}", "split": 50},
				{"text": "Fancy https://shop.example/b {{optout}}", "split": 50}},
				"test_percent": 50, "metric": "click", "window": 6}})
		apath := fmt.Sprintf("/v1/campaigns/%d", ab)
		mustStatus(t, a.do(t, "POST", apath+"/launch", key, ""), 200, "launch A/B")
		// The test group: the recipients given a variant at launch.
		var testGroup int
		for _, b := range a.pipelineStats(t, key, ab).Breakdown {
			if b.Variant > 0 {
				testGroup += int(b.Targeted)
			}
		}
		if testGroup < 10 || testGroup > 30 {
			t.Fatalf("a test group of %d of 40 at 50%%", testGroup)
		}
		abText := func(num string) []string {
			texts, _ := rec.snapshot()
			return texts[num[1:]]
		}
		eventually(t, "the test group at the carrier", func() (bool, string) {
			k := 0
			for _, num := range numbers {
				k += len(abText(num))
			}
			return k == testGroup, fmt.Sprint(k)
		})
		clicked := 0
		for _, num := range numbers {
			if got := abText(num); len(got) == 1 && strings.HasPrefix(got[0], "Fancy https://gal.example/") {
				c := strings.TrimSuffix(strings.TrimPrefix(got[0], "Fancy https://gal.example/"), " "+optout)
				if st, _ := a.click(t, c); st != http.StatusFound {
					t.Fatalf("GET /l/%s: %d", c, st)
				}
				clicked++
			}
		}
		if clicked == 0 || clicked == testGroup {
			t.Fatalf("%d of the test group got variant 2", clicked)
		}
		eventually(t, "the A/B campaign completed", func() (bool, string) {
			s := a.pipelineStats(t, key, ab)
			return s.State == "completed" && s.Totals.Delivered == 40, fmt.Sprintf("%+v", s)
		})
		var view struct {
			AB struct {
				Winner int       `json:"winner"`
				Rates  []float64 `json:"rates"`
			} `json:"ab"`
		}
		mustStatus(t, a.do(t, "GET", apath, key, ""), 200, "A/B campaign").json(t, &view)
		if view.AB.Winner != 2 || len(view.AB.Rates) != 2 || view.AB.Rates[0] != 0 || view.AB.Rates[1] != 1 {
			t.Fatalf("A/B outcome %+v", view.AB)
		}
		fancy := 0
		for _, num := range numbers {
			got := abText(num)
			if len(got) != 1 {
				t.Fatalf("%s got %d texts", num, len(got))
			}
			if strings.HasPrefix(got[0], "Fancy ") {
				fancy++
			}
		}
		if fancy != clicked+40-testGroup {
			t.Fatalf("%d got variant 2, want %d of the test group and the %d held back", fancy, clicked, 40-testGroup)
		}
		as := a.pipelineStats(t, key, ab)
		per := map[int]int64{}
		for _, b := range as.Breakdown {
			if b.Clicks != nil {
				per[b.Variant] += b.Clicks.Unique
			}
		}
		if per[1] != 0 || per[2] != int64(clicked) || as.Clicks == nil || as.Clicks.Unique != int64(clicked) {
			t.Fatalf("clicks per variant %v, in all %+v; want %d on variant 2", per, as.Clicks, clicked)
		}
		t.Logf("%s: whole pipeline %v", driver, time.Since(began).Round(time.Millisecond))
	})
}
