package app

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"unicode"

	"github.com/gallant-sms/gallant/store"
)

// checkExternalID checks a contact's external id: empty (none), or 1 to
// store.MaxContactExternalID bytes of printable characters.
func checkExternalID(id string) error {
	if len(id) > store.MaxContactExternalID {
		return Invalid("external_id", fmt.Sprintf("at most %d bytes", store.MaxContactExternalID))
	}
	if strings.IndexFunc(id, func(r rune) bool { return !unicode.IsPrint(r) }) >= 0 {
		return Invalid("external_id", "printable characters only")
	}
	return nil
}

// duplicate explains a unique-key refusal of contact c: its external id
// or its phone is another contact's.
func (s *Contacts) duplicate(ctx context.Context, p Principal, c store.Contact, phoneDetail string) error {
	if c.ExternalID != "" {
		other, err := s.st.ContactByExternalID(ctx, p.AccountID, c.ExternalID)
		if err == nil && other.ID != c.ID {
			return refuse(KindConflict, "external_id", fmt.Sprintf("contact %d has this external_id", other.ID))
		}
	}
	return refuse(KindConflict, "phone", phoneDetail)
}

// maxUpsertTries bounds the retries of an upsert that raced another
// creating the same contact.
const maxUpsertTries = 3

// Upsert creates or updates one contact of the caller's account, found by
// in.ExternalID when it is given and not empty, else by in.Phone: what a
// CRM sync calls for each record, as often as it likes (idempotent). A
// found contact is updated with what in gives (as PATCH: fields merged,
// absent members kept); otherwise a contact is created from in, which
// then needs a phone. created says which. A contact found by phone whose
// external id is another's is a conflict, as is a phone that another
// contact has.
func (s *Contacts) Upsert(ctx context.Context, p Principal, in ContactInput) (c Contact, created bool, err error) {
	if err := mayChangeContacts(p); err != nil {
		return Contact{}, false, err
	}
	extID := ""
	if in.ExternalID != nil {
		extID = strings.TrimSpace(*in.ExternalID)
		if err := checkExternalID(extID); err != nil {
			return Contact{}, false, err
		}
	}
	if extID == "" && (in.Phone == nil || strings.TrimSpace(*in.Phone) == "") {
		return Contact{}, false, Invalid("phone", "an upsert finds the contact by external_id or by phone: give one")
	}
	for range maxUpsertTries {
		found, err := s.upsertTarget(ctx, p, extID, in)
		if err != nil {
			return Contact{}, false, err
		}
		if found == nil {
			c, err := s.Create(ctx, p, in)
			if e := (*Error)(nil); errors.As(err, &e) && e.Kind == KindConflict {
				continue // created meanwhile by another call: update it
			}
			return c, err == nil, err
		}
		if extID != "" && found.ExternalID != "" && found.ExternalID != extID {
			return Contact{}, false, refuse(KindConflict, "external_id",
				fmt.Sprintf("contact %d has this phone with another external_id", found.ID))
		}
		c, err := s.Update(ctx, p, found.ID, in)
		if e := (*Error)(nil); errors.As(err, &e) && e.Kind == KindNotFound {
			continue // deleted meanwhile
		}
		return c, false, err
	}
	return Contact{}, false, refuse(KindConflict, "", "the contact kept changing under this upsert: try again")
}

// upsertTarget finds the contact an upsert updates: by extID, else by
// in's phone; nil when there is none.
func (s *Contacts) upsertTarget(ctx context.Context, p Principal, extID string, in ContactInput) (*store.Contact, error) {
	if extID != "" {
		c, err := s.st.ContactByExternalID(ctx, p.AccountID, extID)
		switch {
		case err == nil:
			return &c, nil
		case !errors.Is(err, store.ErrNotFound):
			return nil, fmt.Errorf("upsert contact: %w", err)
		}
	}
	if in.Phone == nil || strings.TrimSpace(*in.Phone) == "" {
		return nil, nil
	}
	country, err := s.country(ctx, p, in.DefaultCountry)
	if err != nil {
		return nil, err
	}
	ph, err := phone("phone", *in.Phone, country)
	if err != nil {
		return nil, err
	}
	c, err := s.st.ContactByPhone(ctx, p.AccountID, ph)
	switch {
	case err == nil:
		return &c, nil
	case errors.Is(err, store.ErrNotFound):
		return nil, nil
	}
	return nil, fmt.Errorf("upsert contact: %w", err)
}
