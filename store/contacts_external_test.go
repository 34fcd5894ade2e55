package store

import (
	"errors"
	"testing"
)

// TestContactExternalID: an external id is unique in its account, absent
// on any number of contacts, found by ContactByExternalID, kept by an
// import's upsert by phone, and cleared by an update.
func TestContactExternalID(t *testing.T) {
	forEachDialect(t, func(t *testing.T, driver string) {
		s := newTestStore(t, driver)
		ctx := testCtx(t)
		a := &Contact{AccountID: 1, Phone: "447700900001", ExternalID: "crm-1"}
		if err := s.CreateContact(ctx, a); err != nil {
			t.Fatal(err)
		}
		for i, ph := range []string{"447700900002", "447700900003"} { // none: NULL, any number of them
			if err := s.CreateContact(ctx, &Contact{AccountID: 1, Phone: ph}); err != nil {
				t.Fatalf("contact %d without an external id: %v", i, err)
			}
		}
		if err := s.CreateContact(ctx, &Contact{AccountID: 1, Phone: "447700900004", ExternalID: "crm-1"}); !errors.Is(err, ErrDuplicate) {
			t.Fatalf("crm-1 twice in account 1: %v, want ErrDuplicate", err)
		}
		if err := s.CreateContact(ctx, &Contact{AccountID: 2, Phone: "447700900004", ExternalID: "crm-1"}); err != nil {
			t.Fatalf("crm-1 in account 2: %v", err)
		}
		got, err := s.ContactByExternalID(ctx, 1, "crm-1")
		if err != nil || got.ID != a.ID || got.ExternalID != "crm-1" {
			t.Fatalf("by external id: %+v, %v", got, err)
		}
		if _, err := s.ContactByExternalID(ctx, 3, "crm-1"); !errors.Is(err, ErrNotFound) {
			t.Fatalf("account 3: %v, want ErrNotFound", err)
		}
		if err := s.CreateContact(ctx, &Contact{AccountID: 1, Phone: "447700900005", ExternalID: string(make([]byte, MaxContactExternalID+1))}); !errors.Is(err, ErrInvalid) {
			t.Fatalf("an external id too long: %v, want ErrInvalid", err)
		}
		// An import updates by phone and leaves the external id alone.
		if _, _, err := s.UpsertContacts(ctx, 1, []Contact{{Phone: "447700900001", FirstName: "Ada"}}); err != nil {
			t.Fatal(err)
		}
		if got, err := s.ContactByPhone(ctx, 1, "447700900001"); err != nil || got.ExternalID != "crm-1" || got.FirstName != "Ada" {
			t.Fatalf("after an import: %+v, %v", got, err)
		}
		got.ExternalID = ""
		if err := s.UpdateContact(ctx, &got); err != nil || got.ExternalID != "" {
			t.Fatalf("clear: %+v, %v", got, err)
		}
		if _, err := s.ContactByExternalID(ctx, 1, "crm-1"); !errors.Is(err, ErrNotFound) {
			t.Fatalf("crm-1 after clearing: %v", err)
		}
	})
}
