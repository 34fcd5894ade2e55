package api

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/gallant-sms/gallant/app"
	"github.com/gallant-sms/gallant/store/storetest"
)

var (
	_ Contacts = (*app.Contacts)(nil)
	_ Lists    = (*app.Lists)(nil)
)

// newContactServer is a test server whose contacts and lists are the
// app's, over a fresh SQLite store.
func newContactServer(t *testing.T) *testServer {
	t.Helper()
	a := app.New(app.Deps{Store: storetest.Open(t, storetest.SQLite)})
	return newTestServerWith(t, Config{}, func(d *Deps) { d.Contacts, d.Lists = a.Contacts, a.Lists })
}

// mustCode fails the test unless a has status code.
func mustCode(t *testing.T, a answer, code int, what string) answer {
	t.Helper()
	if a.Code != code {
		t.Fatalf("%s: %d %s, want %d", what, a.Code, a.Body, code)
	}
	return a
}

// TestContactsAPI: contacts are created (numbers normalised, time zone
// derived, custom values typed), read, changed, searched and filtered,
// and erased; each account sees only its own.
func TestContactsAPI(t *testing.T) {
	ts := newContactServer(t)
	mustCode(t, ts.do(t, "POST", "/v1/contact-fields", keySend, []byte(`{"name":"plan","type":"text"}`)), 201, "declare plan")
	mustCode(t, ts.do(t, "POST", "/v1/contact-fields", keySend, []byte(`{"name":"score","type":"number"}`)), 201, "declare score")
	mustCode(t, ts.do(t, "POST", "/v1/contact-fields", keySend, []byte(`{"name":"vip","type":"boolean"}`)), 201, "declare vip")
	mustCode(t, ts.do(t, "POST", "/v1/contact-fields", keySend, []byte(`{"name":"signup","type":"date"}`)), 201, "declare signup")
	mustCode(t, ts.do(t, "POST", "/v1/contact-fields", keySend, []byte(`{"name":"plan","type":"number"}`)), 409, "declare plan again")

	var ada Contact
	a := mustCode(t, ts.do(t, "POST", "/v1/contacts", keySend, []byte(`{"phone":"+44 7700 900123","first_name":"Ada","last_name":"Lovelace",
		"email":"ada@example.com","language":"en","fields":{"plan":"gold","score":"42","vip":"yes","signup":"2026-11-30"},"tags":[" vip ","news"]}`)), 201, "create Ada")
	a.decode(t, &ada)
	if ada.Phone != "447700900123" || ada.TimeZone != "Europe/London" || ada.Fields["score"] != 42.0 || ada.Fields["vip"] != true ||
		ada.Fields["signup"] != "2026-11-30" || !slices.Equal(ada.Tags, []string{"vip", "news"}) || ada.OptedOut ||
		ada.LastMessageAt != nil || len(ada.Lists) != 0 {
		t.Fatalf("Ada: %s", a.Body)
	}
	if !strings.Contains(string(a.Body), `"last_message_at":null`) || !strings.Contains(string(a.Body), `"lists":[]`) {
		t.Fatalf("Ada's null and empty members: %s", a.Body)
	}
	p := mustCode(t, ts.do(t, "POST", "/v1/contacts", keySend, []byte(`{"phone":"+447700900123"}`)), 409, "the same phone").problem(t)
	if !strings.HasSuffix(p["type"].(string), TypeConflict) || p["field"] != "phone" {
		t.Fatalf("duplicate phone problem %v", p)
	}
	// A national number: with default_country, then with the account's.
	mustCode(t, ts.do(t, "POST", "/v1/contacts", keySend, []byte(`{"phone":"07700 900124"}`)), 400, "a national number without a country")
	var bob Contact
	mustCode(t, ts.do(t, "POST", "/v1/contacts", keySend, []byte(`{"phone":"06 12 34 56 78","default_country":"fr","first_name":"Bob",
		"time_zone":"America/Chicago","tags":["news"]}`)), 201, "create Bob").decode(t, &bob)
	if bob.Phone != "33612345678" || bob.TimeZone != "America/Chicago" {
		t.Fatalf("Bob %+v", bob)
	}
	mustCode(t, ts.do(t, "PUT", "/v1/contact-settings", keySend, []byte(`{"default_country":"gb"}`)), 200, "set GB")
	if a := ts.do(t, "GET", "/v1/contact-settings", keyRead, nil); a.Code != 200 || !strings.Contains(string(a.Body), `"GB"`) {
		t.Fatalf("settings %d %s", a.Code, a.Body)
	}
	var cy Contact
	mustCode(t, ts.do(t, "POST", "/v1/contacts", keySend, []byte(`{"phone":"07700 900124","first_name":"Cy","last_name":"Lovell"}`)), 201,
		"a national number with the account's country").decode(t, &cy)
	if cy.Phone != "447700900124" {
		t.Fatalf("Cy %+v", cy)
	}
	// Account 2 sees none of it, and may use the same phone.
	path := "/v1/contacts/" + strconv.FormatInt(ada.ID, 10)
	mustCode(t, ts.do(t, "GET", path, keyOther, nil), 404, "account 2 reads Ada")
	mustCode(t, ts.do(t, "PATCH", path, keyOther, []byte(`{"first_name":"Eve"}`)), 404, "account 2 changes Ada")
	mustCode(t, ts.do(t, "DELETE", path, keyOther, nil), 404, "account 2 deletes Ada")
	if a := ts.do(t, "GET", "/v1/contacts", keyOther, nil); a.Code != 200 || string(a.Body) != `{"data":[]}` {
		t.Fatalf("account 2's contacts: %d %s", a.Code, a.Body)
	}
	mustCode(t, ts.do(t, "POST", "/v1/contacts", keyOther, []byte(`{"phone":"+447700900123"}`)), 201, "account 2, Ada's phone")
	mustCode(t, ts.do(t, "GET", "/v1/contacts/"+strconv.FormatInt(bob.ID, 10), keyRead, nil), 200, "read Bob")

	// PATCH: fields merge (null removes), tags replace, a new phone
	// moves a derived time zone.
	var upd Contact
	mustCode(t, ts.do(t, "PATCH", path, keySend, []byte(`{"phone":"+33 6 99 88 77 66","fields":{"score":43.5,"vip":null},"tags":["vip"]}`)), 200,
		"patch Ada").decode(t, &upd)
	if upd.Phone != "33699887766" || upd.TimeZone != "Europe/Paris" || upd.Fields["score"] != 43.5 || upd.Fields["plan"] != "gold" ||
		upd.Fields["vip"] != nil || !slices.Equal(upd.Tags, []string{"vip"}) || upd.FirstName != "Ada" || !upd.CreatedAt.Equal(ada.CreatedAt) {
		t.Fatalf("patched %+v", upd)
	}
	mustCode(t, ts.do(t, "PATCH", path, keySend, []byte(`{"phone":"+447700900124"}`)), 409, "Cy's phone")
	mustCode(t, ts.do(t, "PATCH", path, keyRead, []byte(`{"first_name":"X"}`)), 403, "patch with the read scope")

	// Search and filters.
	list := func(query string) []int64 {
		t.Helper()
		var page ContactPage
		mustCode(t, ts.do(t, "GET", "/v1/contacts?"+query, keyRead, nil), 200, query).decode(t, &page)
		var ids []int64
		for _, c := range page.Data {
			ids = append(ids, c.ID)
		}
		return ids
	}
	for query, want := range map[string][]int64{
		"q=%2B33":          {ada.ID, bob.ID},
		"q=0033+6":         {ada.ID, bob.ID},
		"q=07700+90012":    {cy.ID},
		"q=33+69":          {ada.ID},
		"q=love":           {ada.ID, cy.ID},
		"q=ada+lov":        {ada.ID},
		"q=BOB":            {bob.ID},
		"tag=news":         {bob.ID},
		"tag=vip":          {ada.ID},
		"tag=vi":           nil,
		"tag=news&q=bob":   {bob.ID},
		"q=4477009001&x=1": nil,
	} {
		if strings.Contains(query, "x=1") {
			mustCode(t, ts.do(t, "GET", "/v1/contacts?"+query, keyRead, nil), 400, "an unknown parameter")
			continue
		}
		if got := list(query); !slices.Equal(got, want) {
			t.Errorf("%s: %v, want %v", query, got, want)
		}
	}
	// Pages by cursor.
	var page ContactPage
	mustCode(t, ts.do(t, "GET", "/v1/contacts?limit=2", keyRead, nil), 200, "page 1").decode(t, &page)
	if len(page.Data) != 2 || page.NextCursor == "" {
		t.Fatalf("page 1: %+v", page)
	}
	var page2 ContactPage
	mustCode(t, ts.do(t, "GET", "/v1/contacts?limit=2&cursor="+page.NextCursor, keyRead, nil), 200, "page 2").decode(t, &page2)
	if len(page2.Data) != 1 || page2.NextCursor != "" || page2.Data[0].ID != cy.ID {
		t.Fatalf("page 2: %+v", page2)
	}
	mustCode(t, ts.do(t, "GET", "/v1/contacts?segment=7", keyRead, nil), 404, "an unknown segment")
	mustCode(t, ts.do(t, "GET", "/v1/contacts?q=07700", keyOther, nil), 400, "a national search without a default country")
	mustCode(t, ts.do(t, "GET", "/v1/contacts?list=7", keyRead, nil), 404, "an unknown list")

	// Deleting a field hides its values.
	mustCode(t, ts.do(t, "DELETE", "/v1/contact-fields/plan", keySend, nil), 204, "delete plan")
	mustCode(t, ts.do(t, "DELETE", "/v1/contact-fields/plan", keySend, nil), 404, "delete plan again")
	var fl ContactFieldList
	mustCode(t, ts.do(t, "GET", "/v1/contact-fields", keyRead, nil), 200, "fields").decode(t, &fl)
	if len(fl.Data) != 3 || fl.Data[0].Name != "score" {
		t.Fatalf("fields %+v", fl)
	}
	var after Contact
	mustCode(t, ts.do(t, "GET", path, keyRead, nil), 200, "Ada").decode(t, &after)
	if _, ok := after.Fields["plan"]; ok || after.Fields["score"] != 43.5 {
		t.Fatalf("after deleting plan: %+v", after.Fields)
	}

	// Erasure.
	mustCode(t, ts.do(t, "DELETE", path, keySend, nil), 204, "erase Ada")
	mustCode(t, ts.do(t, "GET", path, keyRead, nil), 404, "Ada after erasure")
	mustCode(t, ts.do(t, "DELETE", path, keySend, nil), 404, "erase Ada again")
	if got := list("q=ada"); len(got) != 0 {
		t.Fatalf("Ada still found: %v", got)
	}
}

// TestContactsAPIRefusals: bad input is a problem naming the field.
func TestContactsAPIRefusals(t *testing.T) {
	ts := newContactServer(t)
	mustCode(t, ts.do(t, "POST", "/v1/contact-fields", keySend, []byte(`{"name":"score","type":"number"}`)), 201, "declare score")
	long := strings.Repeat("n", 101)
	tags := make([]string, 21)
	for i := range tags {
		tags[i] = `"t` + strconv.Itoa(i) + `"`
	}
	for _, c := range []struct {
		name, body string
		code       int
		typ, field string
	}{
		{"no phone", `{"first_name":"A"}`, 400, TypeInvalidRequest, "phone"},
		{"bad phone", `{"phone":"12ab"}`, 400, TypeInvalidNumber, "phone"},
		{"short phone", `{"phone":"+123"}`, 400, TypeInvalidNumber, "phone"},
		{"unknown country", `{"phone":"0612345678","default_country":"ZZ"}`, 400, TypeInvalidRequest, "default_country"},
		{"long name", `{"phone":"+447700900001","first_name":"` + long + `"}`, 400, TypeInvalidRequest, "first_name"},
		{"bad email", `{"phone":"+447700900001","email":"ada"}`, 400, TypeInvalidRequest, "email"},
		{"bad language", `{"phone":"+447700900001","language":"english"}`, 400, TypeInvalidRequest, "language"},
		{"bad time zone", `{"phone":"+447700900001","time_zone":"Mars/Base"}`, 400, TypeInvalidRequest, "time_zone"},
		{"unknown field", `{"phone":"+447700900001","fields":{"colour":"red"}}`, 400, TypeInvalidRequest, "fields.colour"},
		{"wrong type", `{"phone":"+447700900001","fields":{"score":"many"}}`, 400, TypeInvalidRequest, "fields.score"},
		{"fields not an object", `{"phone":"+447700900001","fields":[1]}`, 400, TypeInvalidRequest, ""},
		{"tag with a comma", `{"phone":"+447700900001","tags":["a,b"]}`, 400, TypeInvalidRequest, "tags"},
		{"too many tags", `{"phone":"+447700900001","tags":[` + strings.Join(tags, ",") + `]}`, 400, TypeInvalidRequest, "tags"},
		{"unknown member", `{"phone":"+447700900001","colour":"red"}`, 400, TypeInvalidRequest, "colour"},
		{"not JSON", `{"phone":`, 400, TypeInvalidJSON, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			a := mustCode(t, ts.do(t, "POST", "/v1/contacts", keySend, []byte(c.body)), c.code, c.name)
			p := a.problem(t)
			if !strings.HasSuffix(p["type"].(string), c.typ) || (c.field != "" && p["field"] != c.field) {
				t.Fatalf("problem %v, want type %s field %q", p, c.typ, c.field)
			}
		})
	}
	for _, q := range []string{"limit=0", "limit=501", "cursor=abc", "list=x", "segment=-1", "tag=a,b", "q=" + strings.Repeat("a", 101)} {
		mustCode(t, ts.do(t, "GET", "/v1/contacts?"+q, keyRead, nil), 400, q)
	}
	mustCode(t, ts.do(t, "GET", "/v1/contacts/abc", keyRead, nil), 404, "a malformed id")
	for _, body := range []string{`{"name":"2x","type":"text"}`, `{"name":"x","type":"int"}`, `{"name":"a b","type":"text"}`} {
		mustCode(t, ts.do(t, "POST", "/v1/contact-fields", keySend, []byte(body)), 400, body)
	}
	mustCode(t, ts.do(t, "PUT", "/v1/contact-settings", keySend, []byte(`{"default_country":"XX"}`)), 400, "an unknown country")
	// The cap on custom fields.
	for i := 1; i < 100; i++ {
		mustCode(t, ts.do(t, "POST", "/v1/contact-fields", keySend, []byte(fmt.Sprintf(`{"name":"f%d","type":"text"}`, i))), 201, "a field")
	}
	mustCode(t, ts.do(t, "POST", "/v1/contact-fields", keySend, []byte(`{"name":"onemore","type":"text"}`)), 422, "field 101")
}

// TestListsAPI: lists are created, renamed, listed and deleted; members
// are added and removed by id and phone, each account touching only its
// own lists and contacts; deleting a list keeps its contacts, erasing a
// contact takes it out of its lists.
func TestListsAPI(t *testing.T) {
	ts := newContactServer(t)
	var ids []int64
	for i := range 3 {
		var c Contact
		mustCode(t, ts.do(t, "POST", "/v1/contacts", keySend, []byte(fmt.Sprintf(`{"phone":"+44770090010%d"}`, i))), 201, "contact").decode(t, &c)
		ids = append(ids, c.ID)
	}
	var foreign Contact
	mustCode(t, ts.do(t, "POST", "/v1/contacts", keyOther, []byte(`{"phone":"+33612345678"}`)), 201, "account 2's contact").decode(t, &foreign)

	var l ContactList
	mustCode(t, ts.do(t, "POST", "/v1/lists", keySend, []byte(`{"name":"Newsletter"}`)), 201, "create").decode(t, &l)
	mustCode(t, ts.do(t, "POST", "/v1/lists", keySend, []byte(`{"name":"Newsletter"}`)), 409, "the name again")
	mustCode(t, ts.do(t, "POST", "/v1/lists", keyOther, []byte(`{"name":"Newsletter"}`)), 201, "account 2's Newsletter")
	mustCode(t, ts.do(t, "POST", "/v1/lists", keySend, []byte(`{"name":""}`)), 400, "no name")
	lp := "/v1/lists/" + strconv.FormatInt(l.ID, 10)

	var add ListAddResult
	body := fmt.Sprintf(`{"contact_ids":[%d,"%d",%d,999999],"phones":["+447700900102","07700 900102"],"default_country":"GB"}`, ids[0], ids[1], foreign.ID)
	mustCode(t, ts.do(t, "POST", lp+"/contacts", keySend, []byte(body)), 200, "add").decode(t, &add)
	if add.Added != 3 || add.Matched != 3 || add.NotFound != 2 {
		t.Fatalf("add: %+v", add)
	}
	mustCode(t, ts.do(t, "POST", lp+"/contacts", keyOther, []byte(fmt.Sprintf(`{"contact_ids":[%d]}`, foreign.ID))), 404, "account 2 adds to account 1's list")
	mustCode(t, ts.do(t, "POST", lp+"/contacts", keySend, []byte(`{"phones":["12ab"]}`)), 400, "a bad phone")
	mustCode(t, ts.do(t, "POST", lp+"/contacts", keySend, []byte(`{}`)), 400, "nobody")
	many := strings.Repeat("1,", app.MaxListMembersPerCall) + "1"
	mustCode(t, ts.do(t, "POST", lp+"/contacts", keySend, []byte(`{"contact_ids":[`+many+`]}`)), 400, "too many")

	// The most a call takes fits its body limit (about 170 KB of phones,
	// over MaxBodyBytes); a list's other routes keep the smaller limit.
	phones := make([]string, app.MaxListMembersPerCall)
	for i := range phones {
		phones[i] = fmt.Sprintf(`"+44 7700 9%05d"`, i)
	}
	big := []byte(`{"phones":[` + strings.Join(phones, ",") + `]}`)
	if len(big) <= 64<<10 {
		t.Fatalf("the big body has %d bytes only", len(big))
	}
	mustCode(t, ts.do(t, "POST", lp+"/contacts", keySend, big), 200, "add 10,000 phones").decode(t, &add)
	if add.Matched != 3 || add.Added != 0 || add.NotFound != app.MaxListMembersPerCall-3 { // the three contacts, members already
		t.Fatalf("add 10,000 phones: %+v", add)
	}
	mustCode(t, ts.do(t, "DELETE", lp+"/contacts", keySend, big), 200, "remove 10,000 phones")
	mustCode(t, ts.do(t, "POST", lp+"/contacts", keySend, big), 200, "add them back")
	mustCode(t, ts.do(t, "PATCH", lp, keySend, big), 413, "a big body elsewhere")
	for path, want := range map[string]bool{"/v1/lists/3/contacts": true, "/v1/lists/3": false, "/v1/lists//contacts": false,
		"/v1/lists/3/x/contacts": false, "/v1/contacts": false} {
		if listMembersPath(path) != want {
			t.Errorf("listMembersPath(%s) != %v", path, want)
		}
	}

	var got ContactList
	mustCode(t, ts.do(t, "GET", lp, keyRead, nil), 200, "get").decode(t, &got)
	if got.Count != 3 || got.Name != "Newsletter" {
		t.Fatalf("list %+v", got)
	}
	mustCode(t, ts.do(t, "GET", lp, keyOther, nil), 404, "account 2 reads the list")
	var members ContactPage
	mustCode(t, ts.do(t, "GET", lp+"/contacts?limit=2", keyRead, nil), 200, "members").decode(t, &members)
	if len(members.Data) != 2 || members.NextCursor == "" || !slices.Equal(members.Data[0].Lists, []int64{l.ID}) {
		t.Fatalf("members page 1 %+v", members)
	}
	mustCode(t, ts.do(t, "GET", lp+"/contacts?cursor="+members.NextCursor, keyRead, nil), 200, "members 2").decode(t, &members)
	if len(members.Data) != 1 || members.Data[0].ID != ids[2] {
		t.Fatalf("members page 2 %+v", members)
	}
	mustCode(t, ts.do(t, "GET", lp+"/contacts", keyOther, nil), 404, "account 2 reads the members")
	if a := ts.do(t, "GET", "/v1/contacts?list="+strconv.FormatInt(l.ID, 10), keyOther, nil); a.Code != 404 {
		t.Fatalf("account 2 filters by the list: %d %s", a.Code, a.Body)
	}

	var rm ListRemoveResult
	mustCode(t, ts.do(t, "DELETE", lp+"/contacts", keySend, []byte(fmt.Sprintf(`{"contact_ids":[%d]}`, ids[0]))), 200, "remove").decode(t, &rm)
	if rm.Removed != 1 || rm.Matched != 1 {
		t.Fatalf("remove %+v", rm)
	}
	mustCode(t, ts.do(t, "DELETE", "/v1/contacts/"+strconv.FormatInt(ids[1], 10), keySend, nil), 204, "erase a member")
	mustCode(t, ts.do(t, "GET", lp, keyRead, nil), 200, "get").decode(t, &got)
	if got.Count != 1 {
		t.Fatalf("count after a removal and an erasure: %+v", got)
	}
	mustCode(t, ts.do(t, "PATCH", lp, keySend, []byte(`{"name":"Weekly"}`)), 200, "rename")
	mustCode(t, ts.do(t, "PATCH", lp, keyOther, []byte(`{"name":"Mine"}`)), 404, "account 2 renames")
	var lists ContactListPage
	mustCode(t, ts.do(t, "GET", "/v1/lists", keyRead, nil), 200, "lists").decode(t, &lists)
	if len(lists.Data) != 1 || lists.Data[0].Name != "Weekly" || lists.Data[0].Count != 1 {
		t.Fatalf("lists %+v", lists)
	}
	mustCode(t, ts.do(t, "DELETE", lp, keyOther, nil), 404, "account 2 deletes")
	mustCode(t, ts.do(t, "DELETE", lp, keySend, nil), 204, "delete")
	mustCode(t, ts.do(t, "GET", lp, keyRead, nil), 404, "after delete")
	var c Contact
	mustCode(t, ts.do(t, "GET", "/v1/contacts/"+strconv.FormatInt(ids[2], 10), keyRead, nil), 200, "a member of a deleted list").decode(t, &c)
	if len(c.Lists) != 0 {
		t.Fatalf("lists of a member of a deleted list: %v", c.Lists)
	}
}

// TestContactsOpenAPILimits: the page limits the OpenAPI document states
// are the service's.
func TestContactsOpenAPILimits(t *testing.T) {
	raw, err := openAPIDoc()
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Paths map[string]map[string]struct {
			Parameters []struct {
				Name   string `json:"name"`
				Schema struct {
					Maximum int `json:"maximum"`
				} `json:"schema"`
			} `json:"parameters"`
		} `json:"paths"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		path string
		max  int
	}{{"/v1/contacts", app.MaxContactsListed}, {"/v1/lists/{id}/contacts", app.MaxContactsListed}, {"/v1/lists", app.MaxListsListed}} {
		found := false
		for _, p := range doc.Paths[c.path]["get"].Parameters {
			if p.Name == "limit" {
				found = true
				if p.Schema.Maximum != c.max {
					t.Errorf("GET %s: limit maximum %d, want %d", c.path, p.Schema.Maximum, c.max)
				}
			}
		}
		if !found {
			t.Errorf("GET %s documents no limit", c.path)
		}
	}
}
