package app

import (
	"context"
	"testing"
	"time"

	"github.com/gallant-sms/gallant/sms"
	"github.com/gallant-sms/gallant/store"
	"github.com/gallant-sms/gallant/store/storetest"
)

// TestContactsPolicy: a member who may not send, or an unverified user,
// reads contacts and lists but changes nothing; every call stays in the
// caller's account.
func TestContactsPolicy(t *testing.T) {
	ctx := context.Background()
	a := New(Deps{Store: storetest.Open(t, storetest.SQLite)})
	owner := Principal{AccountID: 1, Role: RoleOwner, CanSend: true}
	member := Principal{AccountID: 1, Role: RoleMember}
	unverified := Principal{AccountID: 1, Role: RoleOwner, CanSend: true, Unverified: true}
	stranger := Principal{AccountID: 2, Role: RoleOwner, CanSend: true}
	ph := func(s string) *string { return &s }

	c, err := a.Contacts.Create(ctx, owner, ContactInput{Phone: ph("+447700900001")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.Contacts.Create(ctx, member, ContactInput{Phone: ph("+447700900002")}); KindOf(err) != KindForbidden {
		t.Errorf("member create: %v", err)
	}
	if _, err := a.Contacts.Create(ctx, unverified, ContactInput{Phone: ph("+447700900002")}); KindOf(err) != KindEmailUnverified {
		t.Errorf("unverified create: %v", err)
	}
	if _, err := a.Contacts.Update(ctx, member, c.ID, ContactInput{FirstName: ph("X")}); KindOf(err) != KindForbidden {
		t.Errorf("member update: %v", err)
	}
	if err := a.Contacts.Delete(ctx, member, c.ID); KindOf(err) != KindForbidden {
		t.Errorf("member delete: %v", err)
	}
	if _, err := a.Contacts.DeclareField(ctx, member, ContactField{Name: "x", Type: "text"}); KindOf(err) != KindForbidden {
		t.Errorf("member declares a field: %v", err)
	}
	if _, err := a.Lists.Create(ctx, member, "l"); KindOf(err) != KindForbidden {
		t.Errorf("member creates a list: %v", err)
	}
	if got, err := a.Contacts.Get(ctx, member, c.ID); err != nil || got.Phone != "447700900001" {
		t.Errorf("member reads: %+v, %v", got, err)
	}
	if _, err := a.Contacts.Get(ctx, stranger, c.ID); KindOf(err) != KindNotFound {
		t.Errorf("stranger reads: %v", err)
	}
	if _, err := a.Contacts.Update(ctx, stranger, c.ID, ContactInput{FirstName: ph("X")}); KindOf(err) != KindNotFound {
		t.Errorf("stranger updates: %v", err)
	}
	if err := a.Contacts.Delete(ctx, stranger, c.ID); KindOf(err) != KindNotFound {
		t.Errorf("stranger deletes: %v", err)
	}
	l, err := a.Lists.Create(ctx, owner, "l")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.Lists.AddMembers(ctx, stranger, l.ID, ListMembersInput{ContactIDs: []FlexID{FlexID(c.ID)}}); KindOf(err) != KindNotFound {
		t.Errorf("stranger adds to the list: %v", err)
	}
	if _, err := a.Lists.Create(ctx, owner, "l"); KindOf(err) != KindConflict {
		t.Errorf("a list name twice: %v", err)
	}
}

// TestContactViewConsentAndActivity: opted_out follows the ledger's
// newest account-wide or platform-wide row for the number (an opt-out
// from one sender does not count, an opt-in again lifts it, another
// account's does not apply); last_message_at is the account's newest
// message to the number.
func TestContactViewConsentAndActivity(t *testing.T) {
	ctx := context.Background()
	st := storetest.Open(t, storetest.SQLite)
	a := New(Deps{Store: st})
	owner := Principal{AccountID: 1, Role: RoleOwner, CanSend: true}
	ph := func(s string) *string { return &s }
	var cs []Contact
	for _, n := range []string{"+447700900001", "+447700900002", "+447700900003", "+447700900004"} {
		c, err := a.Contacts.Create(ctx, owner, ContactInput{Phone: ph(n)})
		if err != nil {
			t.Fatal(err)
		}
		cs = append(cs, c)
	}
	at := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	rows := []store.OptOut{
		{Scope: 2, AccountID: 1, Number: "447700900001", OptedOut: true, Source: "api", CreatedAt: at},
		{Scope: 1, Number: "447700900002", OptedOut: true, Source: "operator", CreatedAt: at},
		{Scope: 3, AccountID: 1, Sender: "12345", Number: "447700900003", OptedOut: true, Source: "keyword", CreatedAt: at},
		{Scope: 2, AccountID: 2, Number: "447700900004", OptedOut: true, Source: "api", CreatedAt: at},
		{Scope: 2, AccountID: 1, Number: "447700900004", OptedOut: true, Source: "api", CreatedAt: at},
		{Scope: 2, AccountID: 1, Number: "447700900004", OptedOut: false, Source: "api", CreatedAt: at.Add(time.Minute)},
	}
	if err := st.AddOptOuts(ctx, rows); err != nil {
		t.Fatal(err)
	}
	msg := func(id int64, acct int64, dst string, created time.Time) store.Row {
		return &sms.Message{ID: sms.ID(id), AccountID: acct, Dest: sms.Address{TON: 1, NPI: 1, Addr: dst}, Body: []byte("hi"),
			Segments: 1, CreatedAt: created, Status: sms.StatusAccepted}
	}
	if err := st.Insert(ctx, msg(1, 1, "447700900001", at), msg(2, 1, "447700900001", at.Add(time.Hour)),
		msg(3, 2, "447700900002", at)); err != nil {
		t.Fatal(err)
	}
	page, err := a.Contacts.List(ctx, owner, ContactQuery{})
	if err != nil || len(page.Data) != 4 {
		t.Fatalf("list: %+v, %v", page, err)
	}
	want := []bool{true, true, false, false}
	for i, c := range page.Data {
		if c.OptedOut != want[i] {
			t.Errorf("%s opted_out %v, want %v", c.Phone, c.OptedOut, want[i])
		}
	}
	if l := page.Data[0].LastMessageAt; l == nil || !l.Equal(at.Add(time.Hour)) {
		t.Errorf("last message of %s: %v", page.Data[0].Phone, l)
	}
	if l := page.Data[1].LastMessageAt; l != nil {
		t.Errorf("another account's message counts: %v", l)
	}
	if got, err := a.Contacts.Get(ctx, owner, cs[0].ID); err != nil || !got.OptedOut || got.LastMessageAt == nil {
		t.Errorf("one contact: %+v, %v", got, err)
	}
	// A contact stored without a time zone (as an import may) shows its
	// number's.
	if _, _, err := st.UpsertContacts(ctx, 1, []store.Contact{{Phone: "33612345678"}}); err != nil {
		t.Fatal(err)
	}
	imported, err := st.ContactByPhone(ctx, 1, "33612345678")
	if err != nil || imported.TimeZone != "" {
		t.Fatalf("imported %+v, %v", imported, err)
	}
	if got, err := a.Contacts.Get(ctx, owner, imported.ID); err != nil || got.TimeZone != "Europe/Paris" {
		t.Errorf("imported contact's zone: %+v, %v", got, err)
	}
}
