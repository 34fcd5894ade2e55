package api

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/gallant-sms/gallant/app"
	"github.com/gallant-sms/gallant/gateway"
	"github.com/gallant-sms/gallant/store/storetest"
)

var _ DistLists = (*app.DistLists)(nil)

// newDistListServer is a test server whose distribution lists are the
// app's, over a fresh SQLite store.
func newDistListServer(t *testing.T) *testServer {
	t.Helper()
	a := app.New(app.Deps{Store: storetest.Open(t, storetest.SQLite)})
	return newTestServerWith(t, Config{}, func(d *Deps) { d.DistLists = a.DistLists })
}

// TestDistListsAPI: lists are created, listed, read, replaced and
// deleted through the API, each account seeing only its own; numbers are
// normalised as the send path normalises destinations.
func TestDistListsAPI(t *testing.T) {
	ts := newDistListServer(t)
	a := ts.do(t, "POST", "/v1/distribution-lists", keySend, []byte(`{"name":"team.A","numbers":["+447700900001","447700900002","+447700900001"]}`))
	if a.Code != http.StatusCreated {
		t.Fatalf("create: %d %s", a.Code, a.Body)
	}
	var l DistList
	if err := json.Unmarshal(a.Body, &l); err != nil || l.Name != "team.A" || l.Count != 2 ||
		strings.Join(l.Numbers, " ") != "447700900001 447700900002" {
		t.Fatalf("created %+v (%v)", l, err)
	}
	if a := ts.do(t, "POST", "/v1/distribution-lists", keySend, []byte(`{"name":"team.A","numbers":["447700900003"]}`)); a.Code != 422 {
		t.Fatalf("second team.A: %d %s", a.Code, a.Body)
	}
	// Account 2 may use the name, and does not see account 1's list.
	if a := ts.do(t, "POST", "/v1/distribution-lists", keyOther, []byte(`{"name":"team.A","numbers":["491701234567"]}`)); a.Code != 201 {
		t.Fatalf("account 2's team.A: %d %s", a.Code, a.Body)
	}
	a = ts.do(t, "GET", "/v1/distribution-lists/team.A", keyRead, nil)
	if a.Code != 200 || !strings.Contains(string(a.Body), `"447700900002"`) || strings.Contains(string(a.Body), "491701234567") {
		t.Fatalf("get: %d %s", a.Code, a.Body)
	}
	a = ts.do(t, "GET", "/v1/distribution-lists", keyRead, nil)
	var page DistListPage
	if err := json.Unmarshal(a.Body, &page); err != nil || a.Code != 200 || page.Total != 1 || len(page.Data) != 1 ||
		page.Data[0].Count != 2 || page.Data[0].Numbers != nil {
		t.Fatalf("list: %d %s", a.Code, a.Body)
	}
	a = ts.do(t, "PUT", "/v1/distribution-lists/team.A", keySend, []byte(`{"numbers":["33612345678"]}`))
	if a.Code != 200 || !strings.Contains(string(a.Body), `"numbers":["33612345678"]`) {
		t.Fatalf("put: %d %s", a.Code, a.Body)
	}
	if a := ts.do(t, "GET", "/v1/distribution-lists/team.A", keyOther, nil); a.Code != 200 || !strings.Contains(string(a.Body), "491701234567") {
		t.Fatalf("account 2's list after account 1's put: %d %s", a.Code, a.Body)
	}
	if a := ts.do(t, "PUT", "/v1/distribution-lists/nope", keySend, []byte(`{"numbers":[]}`)); a.Code != 404 {
		t.Fatalf("put unknown: %d %s", a.Code, a.Body)
	}
	if a := ts.do(t, "PUT", "/v1/distribution-lists/team.A", keyRead, []byte(`{"numbers":[]}`)); a.Code != 403 {
		t.Fatalf("put with the read scope: %d %s", a.Code, a.Body)
	}
	if a := ts.do(t, "DELETE", "/v1/distribution-lists/team.A", keySend, nil); a.Code != 204 {
		t.Fatalf("delete: %d %s", a.Code, a.Body)
	}
	if a := ts.do(t, "GET", "/v1/distribution-lists/team.A", keyRead, nil); a.Code != 404 {
		t.Fatalf("get after delete: %d %s", a.Code, a.Body)
	}
	if a := ts.do(t, "DELETE", "/v1/distribution-lists/team.A", keySend, nil); a.Code != 404 {
		t.Fatalf("delete again: %d %s", a.Code, a.Body)
	}
	if a := ts.do(t, "GET", "/v1/distribution-lists/team.A", keyOther, nil); a.Code != 200 {
		t.Fatalf("account 2's list after account 1's delete: %d %s", a.Code, a.Body)
	}
}

// TestDistListsAPIRefusals: bad names and numbers, and lists past the
// gateway's limits, are problem JSON 400s naming the field; a list at the
// limit is taken.
func TestDistListsAPIRefusals(t *testing.T) {
	ts := newDistListServer(t)
	numbers := func(n int) string {
		var b strings.Builder
		for i := range n {
			if i > 0 {
				b.WriteByte(',')
			}
			fmt.Fprintf(&b, `"4477009%05d"`, i)
		}
		return b.String()
	}
	long := strings.Repeat("n", gateway.MaxDistListNameLen)
	for _, c := range []struct {
		name, body, typ, field string
	}{
		{"empty name", `{"name":"","numbers":["447700900001"]}`, TypeInvalidRequest, "name"},
		{"name too long", `{"name":"` + long + `x","numbers":[]}`, TypeInvalidRequest, "name"},
		{"name with a slash", `{"name":"a/b","numbers":[]}`, TypeInvalidRequest, "name"},
		{"no numbers", `{"name":"x"}`, TypeInvalidRequest, "numbers"},
		{"bad number", `{"name":"x","numbers":["447700900001","12ab"]}`, TypeInvalidNumber, "numbers[1]"},
		{"short number", `{"name":"x","numbers":["123"]}`, TypeInvalidNumber, "numbers[0]"},
		{"too many", `{"name":"x","numbers":[` + numbers(gateway.MaxDistListNumbers+1) + `]}`, TypeInvalidRequest, "numbers"},
		{"numbers not strings", `{"name":"x","numbers":[1]}`, TypeInvalidRequest, ""},
		{"unknown member", `{"name":"x","numbers":[],"colour":"red"}`, TypeInvalidRequest, "colour"},
	} {
		t.Run(c.name, func(t *testing.T) {
			a := ts.do(t, "POST", "/v1/distribution-lists", keySend, []byte(c.body))
			if a.Code != 400 {
				t.Fatalf("%d %s", a.Code, a.Body)
			}
			p := a.problem(t)
			if !strings.HasSuffix(p["type"].(string), c.typ) || (c.field != "" && p["field"] != c.field) {
				t.Fatalf("problem %v, want type %s field %q", p, c.typ, c.field)
			}
		})
	}
	if a := ts.do(t, "POST", "/v1/distribution-lists", keySend,
		[]byte(`{"name":"`+long+`","numbers":[`+numbers(gateway.MaxDistListNumbers)+`]}`)); a.Code != 201 ||
		!strings.Contains(string(a.Body), fmt.Sprintf(`"count":%d`, gateway.MaxDistListNumbers)) {
		t.Fatalf("a list at the limits: %d %.200s", a.Code, a.Body)
	}
	if a := ts.do(t, "PUT", "/v1/distribution-lists/"+long, keySend, []byte(`{"numbers":["+0447700900001"]}`)); a.Code != 400 {
		t.Fatalf("put a bad number: %d %s", a.Code, a.Body)
	}
	if a := ts.do(t, "GET", "/openapi.json", "", nil); !strings.Contains(string(a.Body), `"/v1/distribution-lists/{name}"`) {
		t.Fatal("the OpenAPI document lacks the distribution list routes")
	}
}
