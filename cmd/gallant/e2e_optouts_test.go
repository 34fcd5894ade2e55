package main

import (
	"bytes"
	"fmt"
	"mime/multipart"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gallant-sms/gallant/consent"
	"github.com/gallant-sms/gallant/internal/testutil"
	"github.com/gallant-sms/gallant/smpp/pdu"
	"github.com/gallant-sms/gallant/store"
	"github.com/gallant-sms/gallant/store/storetest"
)

// TestE2EOptOutsAPI: an account's opt-out made over the API refuses its
// sends to the number (422 recipient-opted-out) and nobody else's; it
// shows in the account's listing and status, not in another account's;
// the account may lift what it recorded but not a STOP the number sent;
// platform-wide opt-outs are for platform admins; bad numbers are 400.
func TestE2EOptOutsAPI(t *testing.T) {
	t.Parallel()
	eachDriver(t, func(t *testing.T, driver string) {
		c := newCarrier(t, nil)
		a := startApp(t, testConfig(t, driver, c.Addr()))
		acme, other := a.customer(t, "Acme", ""), a.customer(t, "Bravo", "")
		const number = "447700900555"
		send := func(key string) int {
			return a.do(t, http.MethodPost, "/v1/messages", key, `{"to":"+`+number+`","text":"hello"}`).status
		}

		r := a.do(t, http.MethodPost, "/v1/opt-outs", acme.APIKey, `{"number":"+`+number+`"}`)
		var res struct {
			Recorded int      `json:"recorded"`
			Numbers  []string `json:"numbers"`
			Scope    string   `json:"scope"`
		}
		if r.json(t, &res); r.status != http.StatusCreated || res.Recorded != 1 || res.Numbers[0] != number || res.Scope != "account" {
			t.Fatalf("POST /v1/opt-outs: %d %s", r.status, r.body)
		}
		r = a.do(t, http.MethodPost, "/v1/messages", acme.APIKey, `{"to":"+`+number+`","text":"hello"}`)
		if r.status != http.StatusUnprocessableEntity || r.problemType(t) != "recipient-opted-out" {
			t.Fatalf("send after the opt-out: %d %s", r.status, r.body)
		}
		if st := send(other.APIKey); st != http.StatusAccepted {
			t.Fatalf("another account's send: %d", st)
		}

		var page struct {
			Data []struct {
				Number string `json:"number"`
				Source string `json:"source"`
			} `json:"data"`
		}
		r = a.do(t, http.MethodGet, "/v1/opt-outs", acme.APIKey, "")
		r.json(t, &page)
		if len(page.Data) != 1 ||
			page.Data[0].Number != number || page.Data[0].Source != "api" {
			t.Fatalf("Acme's opt-outs: %s", r.body)
		}
		r = a.do(t, http.MethodGet, "/v1/opt-outs", other.APIKey, "")
		r.json(t, &page)
		if len(page.Data) != 0 {
			t.Fatalf("Bravo sees %s", r.body)
		}
		var status struct {
			Blocked bool     `json:"blocked"`
			Scopes  []string `json:"scopes"`
			History []any    `json:"history"`
		}
		r = a.do(t, http.MethodGet, "/v1/opt-outs/+"+number, acme.APIKey, "")
		r.json(t, &status)
		if !status.Blocked ||
			len(status.Scopes) != 1 || status.Scopes[0] != "account" || len(status.History) != 1 {
			t.Fatalf("Acme's status of the number: %s", r.body)
		}
		r = a.do(t, http.MethodGet, "/v1/opt-outs/"+number, other.APIKey, "")
		r.json(t, &status)
		if status.Blocked || len(status.History) != 0 {
			t.Fatalf("Bravo's status of the number: %s", r.body)
		}

		if r = a.do(t, http.MethodDelete, "/v1/opt-outs/"+number, other.APIKey, ""); r.status != http.StatusNotFound {
			t.Fatalf("Bravo lifts Acme's opt-out: %d %s", r.status, r.body)
		}
		if r = a.do(t, http.MethodDelete, "/v1/opt-outs/"+number, acme.APIKey, ""); r.status != http.StatusNoContent {
			t.Fatalf("Acme lifts its own opt-out: %d %s", r.status, r.body)
		}
		if st := send(acme.APIKey); st != http.StatusAccepted {
			t.Fatalf("send after the opt-in: %d", st)
		}

		// A STOP the number sent is not the account's to lift.
		if err := a.optouts.Record(testContext(t), consent.Record{Change: consent.Change{Entry: consent.Entry{
			Scope: consent.ScopeAccount, Account: acme.AccountID, Number: number}, OptOut: true},
			Source: consent.SourceKeyword, Keyword: "STOP"}); err != nil {
			t.Fatal(err)
		}
		if r = a.do(t, http.MethodDelete, "/v1/opt-outs/"+number, acme.APIKey, ""); r.status != http.StatusUnprocessableEntity {
			t.Fatalf("Acme lifts a STOP: %d %s", r.status, r.body)
		}
		if st := send(acme.APIKey); st != http.StatusUnprocessableEntity {
			t.Fatalf("send after the STOP: %d", st)
		}

		for _, body := range []string{`{"number":"+44"}`, `{"numbers":[]}`, `{"number":"447700900556","scope":"nobody"}`,
			`{"number":"447700900556","scope":"number"}`} {
			if r = a.do(t, http.MethodPost, "/v1/opt-outs", acme.APIKey, body); r.status != http.StatusBadRequest {
				t.Errorf("POST %s: %d %s, want 400", body, r.status, r.body)
			}
		}
		if r = a.do(t, http.MethodPost, "/v1/opt-outs", acme.APIKey, `{"number":"447700900556","scope":"global"}`); r.status != http.StatusForbidden {
			t.Errorf("a customer's platform-wide opt-out: %d %s, want 403", r.status, r.body)
		}
	})
}

// TestE2EOptOutOnAnotherInstance: an opt-out made through one instance
// refuses sends through a second instance of the same store within a
// second.
func TestE2EOptOutOnAnotherInstance(t *testing.T) {
	t.Parallel()
	c := newCarrier(t, nil)
	cfg := testConfig(t, storetest.MySQL, c.Addr())
	a1 := startApp(t, cfg)
	a2 := startApp(t, cfg)
	cust := a1.customer(t, "Acme", "")
	const number = "447700900666"
	if st := a2.do(t, http.MethodPost, "/v1/messages", cust.APIKey, `{"to":"+`+number+`","text":"before"}`).status; st != http.StatusAccepted {
		t.Fatalf("send before the opt-out: %d", st)
	}
	if r := a1.do(t, http.MethodPost, "/v1/opt-outs", cust.APIKey, `{"number":"`+number+`"}`); r.status != http.StatusCreated {
		t.Fatalf("opt-out on the first instance: %d %s", r.status, r.body)
	}
	recorded := time.Now()
	waitFor(t, 10*time.Second, "the second instance refuses", func() (bool, string) {
		st := a2.do(t, http.MethodPost, "/v1/messages", cust.APIKey, `{"to":"+`+number+`","text":"after"}`).status
		return st == http.StatusUnprocessableEntity, fmt.Sprint(st)
	})
	if d := time.Since(recorded); d > time.Second {
		t.Errorf("the second instance enforced the opt-out after %v, want under a second", d)
	}
}

// TestE2EKeywordsAPI: an account's own keywords and replies are stored
// normalized, read back with the defaults, kept apart from another
// account's; bad words are 400.
func TestE2EKeywordsAPI(t *testing.T) {
	t.Parallel()
	c := newCarrier(t, nil)
	a := startApp(t, testConfig(t, storetest.SQLite, c.Addr()))
	acme, other := a.customer(t, "Acme", ""), a.customer(t, "Bravo", "")
	r := a.do(t, http.MethodPut, "/v1/keywords", acme.APIKey, `{"keywords":{"stop":["halt","Arrête!"]},"replies":{"help":"Acme help"}}`)
	var k struct {
		Keywords struct {
			Stop []string `json:"stop"`
		} `json:"keywords"`
		Replies struct {
			Help string `json:"help"`
		} `json:"replies"`
		Defaults struct {
			Keywords struct {
				Stop []string `json:"stop"`
			} `json:"keywords"`
		} `json:"defaults"`
	}
	r.json(t, &k)
	if r.status != http.StatusOK || fmt.Sprint(k.Keywords.Stop) != "[HALT ARRETE]" || k.Replies.Help != "Acme help" || len(k.Defaults.Keywords.Stop) == 0 {
		t.Fatalf("PUT /v1/keywords: %d %s", r.status, r.body)
	}
	r = a.do(t, http.MethodGet, "/v1/keywords", acme.APIKey, "")
	r.json(t, &k)
	if fmt.Sprint(k.Keywords.Stop) != "[HALT ARRETE]" || k.Replies.Help != "Acme help" {
		t.Fatalf("GET /v1/keywords: %s", r.body)
	}
	r = a.do(t, http.MethodGet, "/v1/keywords", other.APIKey, "")
	r.json(t, &k)
	if len(k.Keywords.Stop) != 0 || k.Replies.Help != "" {
		t.Fatalf("another account's keywords: %s", r.body)
	}
	for _, body := range []string{`{"keywords":{"stop":["two words"]}}`, `{"keywords":{"help":["STOP"]}}`} {
		if r = a.do(t, http.MethodPut, "/v1/keywords", acme.APIKey, body); r.status != http.StatusBadRequest {
			t.Errorf("PUT %s: %d %s, want 400", body, r.status, r.body)
		}
	}
}

// TestE2EDNDImport: "gallant admin dnd import FILE --country GB" stores a
// national registry that a running instance enforces within seconds for
// every account (422 recipient-opted-out, scope global), and reports the
// lines it could not read.
func TestE2EDNDImport(t *testing.T) {
	t.Parallel()
	eachDriver(t, func(t *testing.T, driver string) {
		c := newCarrier(t, nil)
		cfg := testConfig(t, driver, c.Addr())
		a := startApp(t, cfg)
		cust := a.customer(t, "Acme", "")
		file := filepath.Join(t.TempDir(), "tps.csv")
		if err := os.WriteFile(file, []byte("number\n07700900771\n+447700900772\nnot a number\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		f := &adminFixture{t: t, cfg: cfg}
		var rep struct {
			Country       string  `json:"country"`
			Version       int64   `json:"version"`
			Lines         int64   `json:"lines"`
			Numbers       int64   `json:"numbers"`
			Rejected      int64   `json:"rejected"`
			FirstRejected []int64 `json:"first_rejected"`
			PerSecond     int64   `json:"numbers_per_second"`
		}
		f.ok(&rep, "dnd", "import", file, "--country", "GB")
		if rep.Country != "GB" || rep.Numbers != 2 || rep.Rejected != 1 || rep.FirstRejected[0] != 4 || rep.Version != 1 {
			t.Fatalf("report %+v", rep)
		}
		waitFor(t, 30*time.Second, "the registry enforced", func() (bool, string) {
			r := a.do(t, http.MethodPost, "/v1/messages", cust.APIKey, `{"to":"+447700900771","text":"hi"}`)
			return r.status == http.StatusUnprocessableEntity && strings.Contains(string(r.body), "scope global"), fmt.Sprint(r.status)
		})
		if st := a.do(t, http.MethodPost, "/v1/messages", cust.APIKey, `{"to":"+447700900773","text":"hi"}`).status; st != http.StatusAccepted {
			t.Fatalf("a number outside the registry: %d", st)
		}
		if _, err := f.run("dnd", "import", file); err == nil {
			t.Fatal("an import without --country was taken")
		}
	})
}

// TestE2EOptOutsCSV: a CSV import (as the body, and as a multipart file)
// records each number and reports the lines it could not take; the
// export streams the account's current opt-outs and nobody else's; the
// imported numbers are refused; 100,000 numbers import in one request.
func TestE2EOptOutsCSV(t *testing.T) {
	t.Parallel()
	eachDriver(t, func(t *testing.T, driver string) {
		c := newCarrier(t, nil)
		a := startApp(t, testConfig(t, driver, c.Addr()))
		acme, other := a.customer(t, "Acme", ""), a.customer(t, "Bravo", "")
		var rep struct {
			Lines         int `json:"lines"`
			Recorded      int `json:"recorded"`
			Rejected      int `json:"rejected"`
			FirstRejected []struct {
				Line   int    `json:"line"`
				Reason string `json:"reason"`
			} `json:"first_rejected"`
		}
		r := a.do(t, http.MethodPost, "/v1/opt-outs/import", acme.APIKey, "number,name\n+447700900801,Ann\n447700900802\nnot a number\n\n",
			"Content-Type", "text/csv")
		r.json(t, &rep)
		if r.status != http.StatusOK || rep.Lines != 5 || rep.Recorded != 2 || rep.Rejected != 1 || rep.FirstRejected[0].Line != 4 {
			t.Fatalf("import: %d %s", r.status, r.body)
		}
		var form bytes.Buffer
		mw := multipart.NewWriter(&form)
		fw, _ := mw.CreateFormFile("file", "stops.csv")
		fmt.Fprint(fw, "447700900803\n")
		mw.Close()
		r = a.do(t, http.MethodPost, "/v1/opt-outs/import", acme.APIKey, form.String(), "Content-Type", mw.FormDataContentType())
		if r.json(t, &rep); r.status != http.StatusOK || rep.Recorded != 1 {
			t.Fatalf("multipart import: %d %s", r.status, r.body)
		}
		r = a.do(t, http.MethodGet, "/v1/opt-outs/export", acme.APIKey, "")
		lines := strings.Split(strings.TrimSpace(string(r.body)), "\n")
		if r.status != http.StatusOK || len(lines) != 4 || lines[0] != "number,scope,sender,source,keyword,at" ||
			!strings.HasPrefix(lines[1], "447700900801,account,,import,,") {
			t.Fatalf("export: %d %q", r.status, r.body)
		}
		if r = a.do(t, http.MethodGet, "/v1/opt-outs/export", other.APIKey, ""); strings.Count(string(r.body), "\n") != 1 {
			t.Fatalf("another account's export: %q", r.body)
		}
		if st := a.do(t, http.MethodPost, "/v1/messages", acme.APIKey, `{"to":"+447700900803","text":"hi"}`).status; st != http.StatusUnprocessableEntity {
			t.Fatalf("send to an imported number: %d", st)
		}

		n := 100_000
		if testutil.RaceEnabled && driver == storetest.SQLite {
			// The race detector slows the pure-Go SQLite about twentyfold:
			// 100,000 rows would take most of the request's 30 s.
			n = 20_000
		}
		var big strings.Builder
		for i := range n {
			big.WriteString("+4477" + strconv.Itoa(10000000+i) + "\n")
		}
		start := time.Now()
		r = a.do(t, http.MethodPost, "/v1/opt-outs/import", acme.APIKey, big.String(), "Content-Type", "text/csv")
		took := time.Since(start)
		if r.json(t, &rep); r.status != http.StatusOK || rep.Recorded != n {
			t.Fatalf("large import: %d %s", r.status, string(r.body)[:min(len(r.body), 300)])
		}
		t.Logf("%s: %d opt-outs imported over HTTP in %v (%.0f/s)", driver, n, took, float64(n)/took.Seconds())
	})
}

// TestE2EStopSurvivesRestart: a STOP sent by the number (through the
// carrier, to the account's number) is honoured after the gateway
// restarts on the same store: the ledger is the truth, loaded at start.
func TestE2EStopSurvivesRestart(t *testing.T) {
	t.Parallel()
	eachDriver(t, func(t *testing.T, driver string) {
		c := newCarrier(t, nil)
		cfg := testConfig(t, driver, c.Addr())
		a := startApp(t, cfg)
		cust := a.customer(t, "Acme", "")
		const number, from = "447700900444", "447700900123"
		if err := a.st.AddNumber(testContext(t), &store.Number{AccountID: cust.AccountID, Number: number, Kind: store.NumberLong}); err != nil {
			t.Fatal(err)
		}
		if err := a.gw.ReloadNumbers(testContext(t)); err != nil {
			t.Fatal(err)
		}
		mo := pdu.DeliverSM{Source: pdu.Address{TON: 1, NPI: 1, Addr: []byte(from)}, Dest: pdu.Address{TON: 1, NPI: 1, Addr: []byte(number)},
			ShortMessage: []byte("STOP")}
		if _, err := c.Deliver(testContext(t), "gallant", &mo); err != nil {
			t.Fatal(err)
		}
		send := func(a *testApp) int {
			return a.do(t, http.MethodPost, "/v1/messages", cust.APIKey, `{"to":"+`+from+`","text":"after STOP"}`).status
		}
		waitFor(t, 10*time.Second, "the STOP honoured", func() (bool, string) {
			st := send(a)
			return st == http.StatusUnprocessableEntity, fmt.Sprint(st)
		})
		a.stop()
		b := startApp(t, cfg)
		if st := send(b); st != http.StatusUnprocessableEntity {
			t.Fatalf("after the restart a send to the number that sent STOP: %d, want 422", st)
		}
	})
}
