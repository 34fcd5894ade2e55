package main

import (
	"database/sql"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"mime/multipart"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/gallant-sms/gallant/internal/config"
)

// importRawDB opens the test app's database for the rows no route of this
// branch writes yet (custom field declarations, lists).
func importRawDB(t *testing.T, cfg config.Config) (*sql.DB, string) {
	t.Helper()
	driver, dsn, now := "sqlite", "file:"+cfg.Store.DSN+"?_pragma=busy_timeout(10000)", "0"
	if cfg.Store.Driver == "mysql" {
		driver, dsn, now = "mysql", cfg.Store.DSN, "NOW(6)"
	}
	db, err := sql.Open(driver, dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db, now
}

// importJobJSON is the JSON of an import job.
type importJobJSON struct {
	ID       int64    `json:"id"`
	State    string   `json:"state"`
	Mapping  []string `json:"mapping"`
	Rows     int      `json:"rows"`
	Imported int      `json:"imported"`
	Updated  int      `json:"updated"`
	Rejected int      `json:"rejected"`
	Percent  int      `json:"percent"`
	Error    string   `json:"error"`
}

// importContactCSV is n contacts with a custom field "tier"; the rows i with
// i%1000 == 7 have a bad phone, and row 5000 a national number (no
// default country given). It returns the file and the bad rows' lines.
func importContactCSV(n, offset int) (string, []int) {
	var b strings.Builder
	b.WriteString("Phone,First Name,Last Name,Email,tier\n")
	var bad []int
	for i := range n {
		phone := "+4477" + strconv.Itoa(10000000+offset+i)
		switch {
		case i%1000 == 7:
			phone, bad = "12ab"+strconv.Itoa(i), append(bad, i+2)
		case i == 5000:
			phone, bad = "07700900123", append(bad, i+2)
		}
		tier := []string{"gold", "silver", "bronze"}[i%3]
		fmt.Fprintf(&b, "%s,Ann%d,\"Lee, Jr\",ann%d@example.com,%s\n", phone, i, i, tier)
	}
	return b.String(), bad
}

// TestE2EContactImportExport: over HTTP on both stores, a 10,000-row
// CSV with a custom field and bad rows is previewed (dry run: nothing
// stored), imported into a list with a tag as a background job that
// reaches completed with exact counts, its rejected rows download as
// exactly the bad lines, the export gives back what was imported (all,
// the list, a segment), a large import stopped partway keeps what it
// stored and ends stopped, and another account sees none of it.
func TestE2EContactImportExport(t *testing.T) {
	eachDriver(t, func(t *testing.T, driver string) {
		carrier := newCarrier(t, nil)
		cfg := testConfig(t, driver, carrier.Addr())
		cfg.HTTP.RateLimitPerKey, cfg.HTTP.RateLimitPerIP = 0, 0
		a := startApp(t, cfg)
		c := a.customer(t, "Importer", noOwnSecret)
		other := a.customer(t, "Other", noOwnSecret)
		must := func(r httpAnswer, code int, what string) httpAnswer { t.Helper(); return mustStatus(t, r, code, what) }
		db, now := importRawDB(t, cfg)
		if _, err := db.Exec("INSERT INTO contact_fields (account_id, name, type, created_at) VALUES (?, 'tier', 'text', "+now+")", c.AccountID); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Exec("INSERT INTO contact_lists (account_id, name, created_at, updated_at) VALUES (?, 'imported', "+now+", "+now+")", c.AccountID); err != nil {
			t.Fatal(err)
		}
		var list int64
		if err := db.QueryRow("SELECT id FROM contact_lists WHERE account_id = ?", c.AccountID).Scan(&list); err != nil {
			t.Fatal(err)
		}
		const n = 10_000
		file, bad := importContactCSV(n, 0)
		csvHeader := []string{"Content-Type", "text/csv"}
		countAll := func(key string) int {
			t.Helper()
			var pv struct {
				Count int `json:"count"`
			}
			must(a.do(t, "POST", "/v1/segments/preview", key, `{"rules":{"match":"all","conditions":[]}}`), 200, "count").json(t, &pv)
			return pv.Count
		}

		// A dry run answers at once and stores nothing.
		var pv struct {
			DryRun   bool     `json:"dry_run"`
			Mapping  []string `json:"mapping"`
			Contacts []struct {
				Line   int             `json:"line"`
				Phone  string          `json:"phone"`
				Fields json.RawMessage `json:"fields"`
			} `json:"contacts"`
			Rejected []struct {
				Line int `json:"line"`
			} `json:"rejected"`
		}
		must(a.do(t, "POST", "/v1/contacts/imports?dry_run=true", c.APIKey, file, csvHeader...), 200, "dry run").json(t, &pv)
		if !pv.DryRun || !slices.Equal(pv.Mapping, []string{"phone", "first_name", "last_name", "email", "field.tier"}) ||
			len(pv.Contacts) != 19 || len(pv.Rejected) != 1 || pv.Rejected[0].Line != 9 || pv.Contacts[0].Phone != "+447710000000" ||
			string(pv.Contacts[0].Fields) != `{"tier":"gold"}` {
			t.Fatalf("dry run: %+v", pv)
		}
		if got := countAll(c.APIKey); got != 0 {
			t.Fatalf("after the dry run the account has %d contacts", got)
		}
		must(a.do(t, "POST", "/v1/contacts/imports?dryrun=true", c.APIKey, file, csvHeader...), 400, "unknown option")
		must(a.do(t, "POST", "/v1/contacts/imports?mapping=phone,nick", c.APIKey, file, csvHeader...), 400, "bad mapping")
		must(a.do(t, "POST", "/v1/contacts/imports", c.APIKey, "", csvHeader...), 400, "empty file")
		var jobs struct {
			Data []importJobJSON `json:"data"`
		}
		if must(a.do(t, "GET", "/v1/contacts/imports", c.APIKey, ""), 200, "list").json(t, &jobs); len(jobs.Data) != 0 {
			t.Fatalf("a dry run made a job: %+v", jobs)
		}

		// The import runs in the background to completed.
		var job importJobJSON
		r := must(a.do(t, "POST", "/v1/contacts/imports?tags=imported&list_id="+strconv.FormatInt(list, 10), c.APIKey, file, csvHeader...),
			202, "import")
		r.json(t, &job)
		if job.ID == 0 || (job.State != "queued" && job.State != "running" && job.State != "completed") || r.header.Get("Location") == "" {
			t.Fatalf("import: %+v", job)
		}
		path := "/v1/contacts/imports/" + strconv.FormatInt(job.ID, 10)
		eventually(t, "the import completes", func() (bool, string) {
			must(a.do(t, "GET", path, c.APIKey, ""), 200, "job").json(t, &job)
			return job.State == "completed", fmt.Sprintf("%+v", job)
		})
		if job.Rows != n || job.Imported != n-len(bad) || job.Updated != 0 || job.Rejected != len(bad) || job.Percent != 100 {
			t.Fatalf("completed job %+v, want %d rows, %d imported, %d rejected", job, n, n-len(bad), len(bad))
		}
		rej := must(a.do(t, "GET", path+"/rejected", c.APIKey, ""), 200, "rejected")
		rr := csv.NewReader(strings.NewReader(string(rej.body)))
		rr.FieldsPerRecord = -1 // line, reason, then the row's own fields
		recs, err := rr.ReadAll()
		if err != nil || len(recs) != len(bad)+1 || !slices.Equal(recs[0][:3], []string{"line", "reason", "fields"}) {
			t.Fatalf("rejected CSV: %v %q", err, rej.body)
		}
		for i, rec := range recs[1:] {
			if rec[0] != strconv.Itoa(bad[i]) || rec[1] == "" || len(rec) != 2+5 || !strings.HasPrefix(rec[3], "Ann") || rec[4] != "Lee, Jr" {
				t.Fatalf("rejected row %d: %q, want line %d with its fields", i, rec, bad[i])
			}
		}

		// The export gives back what was imported, with the custom field.
		exp := must(a.do(t, "GET", "/v1/contacts/export", c.APIKey, ""), 200, "export")
		rows, err := csv.NewReader(strings.NewReader(string(exp.body))).ReadAll()
		if err != nil || len(rows) != n-len(bad)+1 {
			t.Fatalf("export: %v, %d rows", err, len(rows))
		}
		if !slices.Equal(rows[0], []string{"phone", "first_name", "last_name", "email", "language", "time_zone", "tags", "tier"}) {
			t.Fatalf("export header %q", rows[0])
		}
		orig, _ := csv.NewReader(strings.NewReader(file)).ReadAll()
		byPhone := map[string][]string{}
		for _, o := range orig[1:] {
			byPhone[o[0]] = o
		}
		for _, row := range rows[1:] {
			o := byPhone[row[0]]
			if o == nil || row[1] != o[1] || row[2] != o[2] || row[3] != o[3] || row[6] != "imported" || row[7] != o[4] {
				t.Fatalf("exported %q, imported %q", row, o)
			}
		}
		if l := must(a.do(t, "GET", "/v1/contacts/export?list="+strconv.FormatInt(list, 10), c.APIKey, ""), 200, "list export"); strings.Count(string(l.body), "\n") != n-len(bad)+1 {
			t.Fatalf("list export has %d lines", strings.Count(string(l.body), "\n"))
		}
		// Importing the export again updates every contact, adds none.
		must(a.do(t, "POST", "/v1/contacts/imports", c.APIKey, string(exp.body), csvHeader...), 202, "re-import").json(t, &job)
		eventually(t, "the re-import completes", func() (bool, string) {
			must(a.do(t, "GET", "/v1/contacts/imports/"+strconv.FormatInt(job.ID, 10), c.APIKey, ""), 200, "job").json(t, &job)
			return job.State == "completed", fmt.Sprintf("%+v", job)
		})
		if job.Imported != 0 || job.Updated != n-len(bad) || job.Rejected != 0 {
			t.Fatalf("re-import %+v", job)
		}

		// A segment over the custom field, saved and previewed.
		var seg struct {
			ID int64 `json:"id"`
		}
		must(a.do(t, "POST", "/v1/segments", c.APIKey, `{"name":"gold","rules":{"match":"all","conditions":[{"field":"field.tier","op":"eq","value":"gold"},{"field":"tags","op":"has","value":"imported"}]}}`),
			201, "segment").json(t, &seg)
		gold := 0
		for _, o := range orig[1:] {
			if o[4] == "gold" && strings.HasPrefix(o[0], "+") {
				gold++
			}
		}
		var spv struct {
			Count  int `json:"count"`
			Sample []struct {
				Phone string `json:"phone"`
			} `json:"sample"`
		}
		segPath := "/v1/segments/" + strconv.FormatInt(seg.ID, 10)
		must(a.do(t, "POST", segPath+"/preview", c.APIKey, ""), 200, "preview").json(t, &spv)
		if spv.Count != gold || len(spv.Sample) != 10 {
			t.Fatalf("gold segment: count %d (want %d), sample %d", spv.Count, gold, len(spv.Sample))
		}
		if s := must(a.do(t, "GET", "/v1/contacts/export?segment="+strconv.FormatInt(seg.ID, 10), c.APIKey, ""), 200, "segment export"); strings.Count(string(s.body), "\n") != gold+1 {
			t.Fatalf("segment export has %d lines, want %d", strings.Count(string(s.body), "\n"), gold+1)
		}
		must(a.do(t, "POST", "/v1/segments", c.APIKey, `{"name":"bad","rules":{"conditions":[{"field":"field.shoe","op":"eq","value":"x"}]}}`), 400, "unknown field")

		// Another account sees none of it.
		for _, p := range []string{path, path + "/rejected", segPath, "/v1/contacts/export?list=" + strconv.FormatInt(list, 10),
			"/v1/contacts/export?segment=" + strconv.FormatInt(seg.ID, 10)} {
			must(a.do(t, "GET", p, other.APIKey, ""), 404, "other account: "+p)
		}
		must(a.do(t, "POST", path+"/stop", other.APIKey, ""), 404, "other account stops")
		must(a.do(t, "POST", segPath+"/preview", other.APIKey, ""), 404, "other account previews")
		must(a.do(t, "PATCH", segPath, other.APIKey, `{"name":"mine"}`), 404, "other account renames")
		must(a.do(t, "DELETE", segPath, other.APIKey, ""), 404, "other account deletes")
		must(a.do(t, "POST", "/v1/contacts/imports?list_id="+strconv.FormatInt(list, 10), other.APIKey, file, csvHeader...), 400, "other's list")
		if got := countAll(other.APIKey); got != 0 {
			t.Fatalf("the other account has %d contacts", got)
		}
		if e := must(a.do(t, "GET", "/v1/contacts/export", other.APIKey, ""), 200, "other export"); strings.Count(string(e.body), "\n") != 1 {
			t.Fatalf("other account's export: %q", e.body)
		}
		must(a.do(t, "GET", "/v1/contacts/imports", other.APIKey, ""), 200, "other list").json(t, &jobs)
		if len(jobs.Data) != 0 {
			t.Fatalf("other account lists %+v", jobs.Data)
		}

		// A multipart upload, options as form fields.
		var mp strings.Builder
		mw := multipart.NewWriter(&mp)
		_ = mw.WriteField("default_country", "GB")
		_ = mw.WriteField("dry_run", "true")
		fw, _ := mw.CreateFormFile("file", "contacts.csv")
		_, _ = fw.Write([]byte("mobile,name\n07700 900555,Zoe\n"))
		_ = mw.Close()
		must(a.do(t, "POST", "/v1/contacts/imports", c.APIKey, mp.String(), "Content-Type", mw.FormDataContentType()), 200, "multipart dry run").json(t, &pv)
		if len(pv.Contacts) != 1 || pv.Contacts[0].Phone != "+447700900555" || !slices.Equal(pv.Mapping, []string{"phone", "first_name"}) {
			t.Fatalf("multipart dry run: %+v", pv)
		}

		// A large import stopped partway keeps what it stored.
		big, _ := importContactCSV(300_000, 500_000)
		must(a.do(t, "POST", "/v1/contacts/imports", c.APIKey, big, csvHeader...), 202, "big import").json(t, &job)
		bigPath := "/v1/contacts/imports/" + strconv.FormatInt(job.ID, 10)
		eventually(t, "the big import runs", func() (bool, string) {
			must(a.do(t, "GET", bigPath, c.APIKey, ""), 200, "job").json(t, &job)
			return job.Rows > 0, fmt.Sprintf("%+v", job)
		})
		must(a.do(t, "POST", bigPath+"/stop", c.APIKey, ""), 200, "stop")
		eventually(t, "the big import stops", func() (bool, string) {
			must(a.do(t, "GET", bigPath, c.APIKey, ""), 200, "job").json(t, &job)
			return job.State != "running" && job.State != "queued", fmt.Sprintf("%+v", job)
		})
		if job.State != "stopped" || job.Imported == 0 || job.Rows >= 300_000 || job.Percent >= 100 {
			t.Fatalf("stopped job %+v", job)
		}
		if got := countAll(c.APIKey); got != n-len(bad)+job.Imported {
			t.Fatalf("%d contacts after the stop, want %d + %d", got, n-len(bad), job.Imported)
		}
	})
}
