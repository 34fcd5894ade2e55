package api

import (
	"strconv"
	"strings"
	"sync"
	"testing"
)

// TestContactsUpsert: POST /v1/contacts:upsert finds a contact by
// external_id, else by phone; creates (201) or updates (200) it; is
// idempotent; refuses what would take another contact's phone or
// external id; and is scoped to the caller's account.
func TestContactsUpsert(t *testing.T) {
	ts := newContactServer(t)
	const path = "/v1/contacts:upsert"
	upsert := func(key, body string, code int, what string) Contact {
		t.Helper()
		var c Contact
		a := mustCode(t, ts.do(t, "POST", path, key, []byte(body)), code, what)
		if code < 300 {
			a.decode(t, &c)
		}
		return c
	}
	ada := upsert(keySend, `{"external_id":"crm-1","phone":"+447700900200","first_name":"Ada"}`, 201, "create by external id")
	if ada.ExternalID != "crm-1" || ada.Phone != "447700900200" || ada.FirstName != "Ada" {
		t.Fatalf("created %+v", ada)
	}
	again := upsert(keySend, `{"external_id":"crm-1","phone":"+447700900200","first_name":"Ada"}`, 200, "the same record again")
	if again.ID != ada.ID || again.FirstName != "Ada" {
		t.Fatalf("repeated upsert %+v, want contact %d unchanged", again, ada.ID)
	}
	moved := upsert(keySend, `{"external_id":"crm-1","phone":"+447700900201","last_name":"Lovelace"}`, 200, "new phone for crm-1")
	if moved.ID != ada.ID || moved.Phone != "447700900201" || moved.FirstName != "Ada" || moved.LastName != "Lovelace" {
		t.Fatalf("after a phone change %+v", moved)
	}
	byPhone := upsert(keySend, `{"phone":"+447700900201","email":"ada@example.com"}`, 200, "by phone only")
	if byPhone.ID != ada.ID || byPhone.ExternalID != "crm-1" || byPhone.Email != "ada@example.com" {
		t.Fatalf("by phone %+v", byPhone)
	}
	// A contact made without an external id gets one when a CRM upserts it by its phone.
	bob := mustCode(t, ts.do(t, "POST", "/v1/contacts", keySend, []byte(`{"phone":"+447700900300"}`)), 201, "create Bob")
	var b Contact
	bob.decode(t, &b)
	linked := upsert(keySend, `{"external_id":"crm-2","phone":"+447700900300"}`, 200, "link Bob to crm-2")
	if linked.ID != b.ID || linked.ExternalID != "crm-2" {
		t.Fatalf("linked %+v, want contact %d with crm-2", linked, b.ID)
	}

	// Refusals.
	p := mustCode(t, ts.do(t, "POST", path, keySend, []byte(`{"external_id":"crm-3","phone":"+447700900201"}`)), 409,
		"a phone that crm-1 has, under another external id").problem(t)
	if p["field"] != "external_id" && !strings.Contains(p["detail"].(string), "external_id") {
		t.Fatalf("problem %v", p)
	}
	mustCode(t, ts.do(t, "POST", path, keySend, []byte(`{"external_id":"crm-1","phone":"+447700900300"}`)), 409,
		"crm-1 taking Bob's phone")
	p = mustCode(t, ts.do(t, "POST", "/v1/contacts", keySend, []byte(`{"external_id":"crm-1","phone":"+447700900400"}`)), 409,
		"create with crm-1's external id").problem(t)
	if p["field"] != "external_id" {
		t.Fatalf("problem %v, want field external_id", p)
	}
	mustCode(t, ts.do(t, "POST", path, keySend, []byte(`{}`)), 400, "neither external id nor phone")
	mustCode(t, ts.do(t, "POST", path, keySend, []byte(`{"external_id":"crm-9"}`)), 400, "a new contact without a phone")
	mustCode(t, ts.do(t, "POST", path, keySend, []byte(`{"external_id":"a\u0007b","phone":"+447700900500"}`)), 400, "a control character")
	mustCode(t, ts.do(t, "POST", path, keySend, []byte(`{"external_id":"`+strings.Repeat("x", 129)+`","phone":"+447700900500"}`)), 400,
		"129 bytes")
	mustCode(t, ts.do(t, "POST", path, keyRead, []byte(`{"external_id":"crm-1","phone":"+447700900200"}`)), 403, "read scope only")

	// Another account has its own crm-1.
	other := upsert(keyOther, `{"external_id":"crm-1","phone":"+447700900200"}`, 201, "account 2's crm-1")
	if other.ID == ada.ID {
		t.Fatalf("account 2 upserted account 1's contact %d", ada.ID)
	}
	if got := upsert(keySend, `{"external_id":"crm-1"}`, 200, "account 1's crm-1 by external id alone"); got.ID != ada.ID {
		t.Fatalf("account 1's crm-1 is %d, want %d", got.ID, ada.ID)
	}

	// PATCH clears an external id; the phone then finds the contact.
	var cleared Contact
	mustCode(t, ts.do(t, "PATCH", "/v1/contacts/"+strconv.FormatInt(ada.ID, 10), keySend, []byte(`{"external_id":""}`)), 200,
		"clear crm-1").decode(t, &cleared)
	if cleared.ExternalID != "" {
		t.Fatalf("cleared %+v", cleared)
	}
	if got := upsert(keySend, `{"external_id":"crm-1b","phone":"+447700900201"}`, 200, "relink by phone"); got.ID != ada.ID || got.ExternalID != "crm-1b" {
		t.Fatalf("relinked %+v", got)
	}

	// Concurrent upserts of one new record make one contact.
	var wg sync.WaitGroup
	ids := make([]int64, 8)
	for i := range ids {
		wg.Go(func() {
			a := ts.do(t, "POST", path, keySend, []byte(`{"external_id":"crm-race","phone":"+447700900600"}`))
			if a.Code != 200 && a.Code != 201 {
				t.Errorf("concurrent upsert %d: %d %s", i, a.Code, a.Body)
				return
			}
			var c Contact
			a.decode(t, &c)
			ids[i] = c.ID
		})
	}
	wg.Wait()
	for _, id := range ids[1:] {
		if id != ids[0] {
			t.Fatalf("concurrent upserts made contacts %v", ids)
		}
	}
}
