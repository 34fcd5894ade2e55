package api

import (
	"encoding/csv"
	"strings"
	"testing"
)

// TestMessagesSenderCampaignFilters: the sender and campaign parameters
// reach the service, and bad values are refused naming them.
func TestMessagesSenderCampaignFilters(t *testing.T) {
	ts := newTestServer(t, Config{})
	for _, m := range []string{
		`{"to":"+447700900001","from":"Shop","text":"a","client_ref":"cmp:7:1"}`,
		`{"to":"+447700900002","from":"Shop","text":"b","client_ref":"cmp:70:1"}`,
		`{"to":"+447700900003","from":"Bank","text":"c","client_ref":"cmp:7:2"}`,
	} {
		if a := ts.do(t, "POST", "/v1/messages", keyAll, []byte(m)); a.Code != 202 {
			t.Fatalf("send: %d %s", a.Code, a.Body)
		}
	}
	var p struct {
		Items []struct {
			To string `json:"to"`
		} `json:"items"`
	}
	for _, c := range []struct{ query, want string }{
		{"sender=Shop", "+447700900001,+447700900002"},
		{"campaign=7", "+447700900001,+447700900003"},
		{"campaign=7&sender=Bank", "+447700900003"},
	} {
		a := ts.do(t, "GET", "/v1/messages?"+c.query, keyRead, nil)
		if a.Code != 200 {
			t.Fatalf("%s: %d %s", c.query, a.Code, a.Body)
		}
		p.Items = nil
		a.decode(t, &p)
		var got []string
		for _, it := range p.Items {
			got = append(got, it.To)
		}
		if strings.Join(got, ",") != c.want {
			t.Errorf("%s: %v, want %s", c.query, got, c.want)
		}
	}
	for _, c := range []struct{ path, field string }{
		{"/v1/messages?campaign=x", "campaign"},
		{"/v1/messages?campaign=0", "campaign"},
		{"/v1/messages?sender=" + strings.Repeat("x", 33), "sender"},
		{"/v1/messages/export?campaign=-1", "campaign"},
		{"/v1/messages/export?cursor=1", "cursor"},
		{"/v1/messages/export?limit=5", "limit"},
		{"/v1/messages/export?format=csv", "format"},
	} {
		a := ts.do(t, "GET", c.path, keyRead, nil)
		if pr := a.wantProblem(t, 400, TypeInvalidRequest); pr["field"] != c.field {
			t.Errorf("%s: field %v, want %s", c.path, pr["field"], c.field)
		}
	}
}

// TestExportMessages: the export holds every page of the filtered list,
// one row each, with a header, for the caller's account only.
func TestExportMessages(t *testing.T) {
	defer func(n int) { exportPageSize = n }(exportPageSize)
	exportPageSize = 2 // several pages from a few messages
	ts := newTestServer(t, Config{})
	for _, m := range []string{
		`{"to":"+447700900001","from":"Shop","text":"one, with a comma"}`,
		`{"to":"+447700900002","from":"Shop","text":"=HYPERLINK(\"x\")"}`,
		`{"to":"+447700900003","from":"Bank","text":"three"}`,
		`{"to":"+447700900004","from":"Shop","text":"four\nlines"}`,
		`{"to":"+447700900005","from":"Shop","text":"five"}`,
	} {
		if a := ts.do(t, "POST", "/v1/messages", keyAll, []byte(m)); a.Code != 202 {
			t.Fatalf("send: %d %s", a.Code, a.Body)
		}
	}
	ts.do(t, "POST", "/v1/messages", keyOther, []byte(`{"to":"+15550001","from":"Shop","text":"other"}`))

	a := ts.do(t, "GET", "/v1/messages/export?sender=Shop&status=delivered", keyRead, nil)
	if a.Code != 200 || !strings.HasPrefix(a.Header.Get("Content-Type"), "text/csv") ||
		!strings.Contains(a.Header.Get("Content-Disposition"), "messages.csv") {
		t.Fatalf("export: %d %v %s", a.Code, a.Header, a.Body)
	}
	rows, err := csv.NewReader(strings.NewReader(string(a.Body))).ReadAll()
	if err != nil {
		t.Fatalf("not CSV: %v\n%s", err, a.Body)
	}
	if strings.Join(rows[0], ",") != "id,created_at,updated_at,to,from,status,segments,encoding,price,client_ref,text" {
		t.Fatalf("header %v", rows[0])
	}
	var tos, texts []string
	for _, r := range rows[1:] {
		if r[4] != "Shop" || r[5] != "delivered" || r[1] != "2026-05-01T09:30:00Z" {
			t.Errorf("row %v", r)
		}
		tos, texts = append(tos, r[3]), append(texts, r[10])
	}
	if strings.Join(tos, ",") != "+447700900001,+447700900002,+447700900004,+447700900005" {
		t.Fatalf("exported %v", tos)
	}
	if texts[0] != "one, with a comma" || texts[1] != `'=HYPERLINK("x")` || texts[2] != "four\nlines" {
		t.Fatalf("texts %q", texts)
	}
	// Nothing matches: the header alone.
	a = ts.do(t, "GET", "/v1/messages/export?status=failed", keyRead, nil)
	if a.Code != 200 || strings.Count(string(a.Body), "\n") != 1 {
		t.Fatalf("empty export: %d %q", a.Code, a.Body)
	}
	// Another account exports its own only.
	a = ts.do(t, "GET", "/v1/messages/export", keyOther, nil)
	if a.Code != 200 || strings.Count(string(a.Body), "\n") != 2 || !strings.Contains(string(a.Body), "+15550001") {
		t.Fatalf("other account: %d %q", a.Code, a.Body)
	}
}
