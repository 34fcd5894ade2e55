package app

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/gallant-sms/gallant/consent"
	"github.com/gallant-sms/gallant/contact"
	"github.com/gallant-sms/gallant/store"
	"github.com/gallant-sms/gallant/webhook"
)

// Contacts manages the caller's account's contacts, their custom field
// declarations and the contact settings. Every call acts on p.AccountID
// only: another account's contact is not found. Reading needs the read
// scope (checked by the API); changing needs a caller that may send.
//
// Deleting a contact erases it: its row with every personal field and
// its list memberships go; messages sent to it keep the number as sent.
type Contacts struct {
	st *store.Store
	// hooks gets a contact.created event for each contact created here
	// (nil: none).
	hooks *webhook.Hooks
}

// Limits of the contacts API.
const (
	// MaxContactsListed bounds a page of contacts.
	MaxContactsListed = 500
	// maxQuery bounds a search.
	maxQuery = 100
)

// mayChangeContacts refuses a caller that may not change the account's
// contacts: the same callers that may send for it.
func mayChangeContacts(p Principal) error {
	if p.Unverified {
		return refuse(KindEmailUnverified, "", "verify your email before changing contacts")
	}
	if p.Role == RoleMember && !p.CanSend {
		return Forbidden("the caller may not send for this account, nor change its contacts")
	}
	return nil
}

// country returns the default country of a request: given (checked) or
// the account's.
func (s *Contacts) country(ctx context.Context, p Principal, given string) (string, error) {
	if given != "" {
		if !contact.KnownCountry(given) {
			return "", Invalid("default_country", "not an ISO 3166 country code this gateway knows (such as GB or US)")
		}
		return strings.ToUpper(given), nil
	}
	c, err := s.st.ContactDefaultCountry(ctx, p.AccountID)
	if err != nil {
		return "", fmt.Errorf("contact settings: %w", err)
	}
	return c, nil
}

// phone normalizes a number given in field.
func phone(field, raw, country string) (string, error) {
	ph, err := contact.NormalizePhone(raw, country)
	if err != nil {
		if errors.Is(err, contact.ErrPhone) {
			return "", refuse(KindInvalidNumber, field, strings.TrimPrefix(err.Error(), "contact: not a phone number: "))
		}
		return "", Invalid(field, strings.TrimPrefix(err.Error(), "contact: "))
	}
	return ph, nil
}

// detail is err's text without the package prefix.
func detail(err error) string { return strings.TrimPrefix(err.Error(), "contact: ") }

// apply checks in and applies it to c (a new contact when create).
func (s *Contacts) apply(ctx context.Context, p Principal, c *store.Contact, in ContactInput, create bool) error {
	oldPhone := c.Phone
	if create && (in.Phone == nil || strings.TrimSpace(*in.Phone) == "") {
		return Invalid("phone", "a contact needs a phone number")
	}
	if in.DefaultCountry != "" && in.Phone == nil {
		return Invalid("default_country", "default_country reads phone: give it with phone")
	}
	if in.Phone != nil {
		country, err := s.country(ctx, p, in.DefaultCountry)
		if err != nil {
			return err
		}
		if c.Phone, err = phone("phone", *in.Phone, country); err != nil {
			return err
		}
	}
	for _, f := range []struct {
		name string
		v    *string
		dst  *string
		chk  func(string) error
	}{
		{"first_name", in.FirstName, &c.FirstName, contact.CheckName},
		{"last_name", in.LastName, &c.LastName, contact.CheckName},
		{"email", in.Email, &c.Email, contact.CheckEmail},
		{"language", in.Language, &c.Language, contact.CheckLanguage},
	} {
		if f.v == nil {
			continue
		}
		v := strings.TrimSpace(*f.v)
		if err := f.chk(v); err != nil {
			return Invalid(f.name, detail(err))
		}
		*f.dst = v
	}
	switch {
	case in.TimeZone != nil && strings.TrimSpace(*in.TimeZone) != "":
		tz := strings.TrimSpace(*in.TimeZone)
		if err := contact.CheckTimeZone(tz); err != nil {
			return Invalid("time_zone", detail(err))
		}
		c.TimeZone = tz
	case create || in.TimeZone != nil || (c.Phone != oldPhone && c.TimeZone == contact.TimeZoneOf(oldPhone)):
		// Not given, cleared, or derived from a number that changed.
		c.TimeZone = contact.TimeZoneOf(c.Phone)
	}
	if in.ExternalID != nil {
		id := strings.TrimSpace(*in.ExternalID)
		if err := checkExternalID(id); err != nil {
			return err
		}
		c.ExternalID = id
	}
	if in.Tags != nil {
		tags, err := contact.NormalizeTags(*in.Tags)
		if err != nil {
			return Invalid("tags", detail(err))
		}
		c.Tags = tags
	}
	{ // always: values of fields no longer declared are dropped
		decl, err := s.st.ContactFields(ctx, p.AccountID)
		if err != nil {
			return fmt.Errorf("contact fields: %w", err)
		}
		fields, err := contact.ApplyFields(decl, c.Fields, in.Fields)
		var fe *contact.FieldError
		if errors.As(err, &fe) {
			return Invalid("fields."+fe.Name, fe.Reason)
		}
		if err != nil {
			return err
		}
		c.Fields = fields
	}
	return nil
}

// Create stores a new contact of the caller's account. A phone the
// account has already is a conflict.
func (s *Contacts) Create(ctx context.Context, p Principal, in ContactInput) (Contact, error) {
	if err := mayChangeContacts(p); err != nil {
		return Contact{}, err
	}
	c := store.Contact{AccountID: p.AccountID}
	if err := s.apply(ctx, p, &c, in, true); err != nil {
		return Contact{}, err
	}
	err := s.st.CreateContact(ctx, &c)
	if errors.Is(err, store.ErrDuplicate) {
		return Contact{}, s.duplicate(ctx, p, c, "the account has a contact with this phone already: PATCH it")
	}
	if err != nil {
		return Contact{}, fmt.Errorf("create contact: %w", err)
	}
	out, err := s.one(ctx, p, c)
	if err == nil && s.hooks.Wants(p.AccountID, webhook.HookContactCreated) {
		s.hooks.Publish(p.AccountID, webhook.HookContactCreated, 0, "", out)
	}
	return out, err
}

// Get returns the caller's account's contact id.
func (s *Contacts) Get(ctx context.Context, p Principal, id int64) (Contact, error) {
	c, err := s.get(ctx, p, id)
	if err != nil {
		return Contact{}, err
	}
	return s.one(ctx, p, c)
}

func (s *Contacts) get(ctx context.Context, p Principal, id int64) (store.Contact, error) {
	c, err := s.st.ContactByID(ctx, p.AccountID, id)
	if errors.Is(err, store.ErrNotFound) {
		return c, NotFound("no such contact")
	}
	if err != nil {
		return c, fmt.Errorf("get contact: %w", err)
	}
	return c, nil
}

// Update applies the changes in to the caller's account's contact id.
func (s *Contacts) Update(ctx context.Context, p Principal, id int64, in ContactInput) (Contact, error) {
	if err := mayChangeContacts(p); err != nil {
		return Contact{}, err
	}
	c, err := s.get(ctx, p, id)
	if err != nil {
		return Contact{}, err
	}
	if err := s.apply(ctx, p, &c, in, false); err != nil {
		return Contact{}, err
	}
	err = s.st.UpdateContact(ctx, &c)
	switch {
	case errors.Is(err, store.ErrDuplicate):
		return Contact{}, s.duplicate(ctx, p, c, "another contact of the account has this phone")
	case errors.Is(err, store.ErrNotFound):
		return Contact{}, NotFound("no such contact")
	case err != nil:
		return Contact{}, fmt.Errorf("update contact: %w", err)
	}
	return s.one(ctx, p, c)
}

// Delete erases the caller's account's contact id (see [Contacts]).
func (s *Contacts) Delete(ctx context.Context, p Principal, id int64) error {
	if err := mayChangeContacts(p); err != nil {
		return err
	}
	err := s.st.DeleteContact(ctx, p.AccountID, id)
	if errors.Is(err, store.ErrNotFound) {
		return NotFound("no such contact")
	}
	if err != nil {
		return fmt.Errorf("delete contact: %w", err)
	}
	return nil
}

// List returns a page of the caller's account's contacts matching q, in
// id order.
func (s *Contacts) List(ctx context.Context, p Principal, q ContactQuery) (ContactPage, error) {
	f := store.ContactFilter{Limit: q.Limit, ListID: q.List, SegmentID: q.Segment}
	if f.Limit == 0 {
		f.Limit = 100
	}
	if f.Limit < 1 || f.Limit > MaxContactsListed {
		return ContactPage{}, Invalid("limit", "limit is 1 to "+strconv.Itoa(MaxContactsListed))
	}
	if q.Cursor != "" {
		n, err := strconv.ParseInt(q.Cursor, 10, 64)
		if err != nil || n <= 0 {
			return ContactPage{}, Invalid("cursor", "not a cursor this endpoint gave")
		}
		f.After = n
	}
	if q.Tag != "" {
		tag, err := contact.NormalizeTag(q.Tag)
		if err != nil {
			return ContactPage{}, Invalid("tag", detail(err))
		}
		f.Tag = tag
	}
	if err := searchFilter(q.Q, &f); err != nil {
		return ContactPage{}, err
	}
	if national, ok := strings.CutPrefix(f.PhonePrefix, "0"); ok {
		// A national prefix ("07700"): in the account's default country.
		country, err := s.country(ctx, p, "")
		if err != nil {
			return ContactPage{}, err
		}
		cc, known := consent.CallingCode(country)
		if !known {
			return ContactPage{}, Invalid("q", "a national number needs the account's default country "+
				"(PUT /v1/contact-settings); or search with the country code")
		}
		f.PhonePrefix = cc + national
	}
	cs, next, err := s.st.Contacts(ctx, p.AccountID, f)
	switch {
	case errors.Is(err, store.ErrNotFound) && q.List != 0:
		return ContactPage{}, NotFound("no such list")
	case errors.Is(err, store.ErrNotFound):
		return ContactPage{}, NotFound("no such segment")
	case err != nil:
		return ContactPage{}, fmt.Errorf("list contacts: %w", err)
	}
	page := ContactPage{}
	if page.Data, err = s.views(ctx, p, cs); err != nil {
		return ContactPage{}, err
	}
	if next != 0 {
		page.NextCursor = strconv.FormatInt(next, 10)
	}
	return page, nil
}

// searchFilter reads a search into f: a phone prefix when q is written
// as a number, else name prefixes.
func searchFilter(q string, f *store.ContactFilter) error {
	q = strings.TrimSpace(q)
	if q == "" {
		return nil
	}
	if len(q) > maxQuery || !strings.ContainsFunc(q, func(r rune) bool { return r > ' ' }) {
		return Invalid("q", "a search has 1 to "+strconv.Itoa(maxQuery)+" characters")
	}
	digits := strings.Map(func(r rune) rune {
		switch {
		case r >= '0' && r <= '9':
			return r
		case r == '+' || r == ' ' || r == '-' || r == '(' || r == ')' || r == '.':
			return -1
		}
		return 'x'
	}, q)
	if digits != "" && !strings.Contains(digits, "x") {
		// "+44…" and "0044…" are international; "07…" national (read by
		// List in the account's default country).
		f.PhonePrefix = digits
		if strings.HasPrefix(digits, "00") {
			f.PhonePrefix = strings.TrimLeft(digits, "0")
		}
		if f.PhonePrefix == "" || f.PhonePrefix == "0" {
			return Invalid("q", "a phone search needs the number's first digits")
		}
		return nil
	}
	words := strings.Fields(q)
	if len(words) == 2 {
		f.FirstPrefix, f.LastPrefix = words[0], words[1]
	} else {
		f.FirstPrefix, f.Either = strings.Join(words, " "), true
	}
	return nil
}

// one is the view of a single contact.
func (s *Contacts) one(ctx context.Context, p Principal, c store.Contact) (Contact, error) {
	vs, err := s.views(ctx, p, []store.Contact{c})
	if err != nil {
		return Contact{}, err
	}
	return vs[0], nil
}

// views builds the views of a page of contacts with four bounded queries
// whatever its size: the field declarations, the memberships, the last
// messages and the opt-outs of the page's numbers.
func (s *Contacts) views(ctx context.Context, p Principal, cs []store.Contact) ([]Contact, error) {
	out := make([]Contact, len(cs))
	if len(cs) == 0 {
		return out, nil
	}
	decl, err := s.st.ContactFields(ctx, p.AccountID)
	if err != nil {
		return nil, fmt.Errorf("contact fields: %w", err)
	}
	ids := make([]int64, len(cs))
	phones := make([]string, len(cs))
	for i := range cs {
		ids[i], phones[i] = cs[i].ID, cs[i].Phone
	}
	lists, err := s.st.ContactListIDs(ctx, p.AccountID, ids)
	if err != nil {
		return nil, fmt.Errorf("contact lists: %w", err)
	}
	last, err := s.st.LastMessageTimes(ctx, p.AccountID, phones)
	if err != nil {
		return nil, fmt.Errorf("contact last messages: %w", err)
	}
	opted, err := s.st.OptedOutNumbers(ctx, p.AccountID, phones)
	if err != nil {
		return nil, fmt.Errorf("contact opt-outs: %w", err)
	}
	for i := range cs {
		c := &cs[i]
		v := Contact{ID: c.ID, Phone: c.Phone, FirstName: c.FirstName, LastName: c.LastName, Email: c.Email,
			Language: c.Language, TimeZone: c.TimeZone, Fields: contact.Fields(decl, c.Fields), Tags: c.Tags,
			ExternalID: c.ExternalID, Lists: lists[c.ID], CreatedAt: c.CreatedAt, UpdatedAt: c.UpdatedAt, OptedOut: opted[c.Phone]}
		if v.TimeZone == "" { // stored without one (an import): the number's
			v.TimeZone = contact.TimeZoneOf(c.Phone)
		}
		if v.Tags == nil {
			v.Tags = []string{}
		}
		if v.Lists == nil {
			v.Lists = []int64{}
		}
		if t, ok := last[c.Phone]; ok {
			t := t.UTC()
			v.LastMessageAt = &t
		}
		out[i] = v
	}
	return out, nil
}

// Fields returns the caller's account's custom field declarations.
func (s *Contacts) Fields(ctx context.Context, p Principal) (ContactFieldList, error) {
	decl, err := s.st.ContactFields(ctx, p.AccountID)
	if err != nil {
		return ContactFieldList{}, fmt.Errorf("contact fields: %w", err)
	}
	out := ContactFieldList{Data: make([]ContactField, len(decl))}
	for i, f := range decl {
		out.Data[i] = ContactField{Name: f.Name, Type: f.Type}
	}
	return out, nil
}

// DeclareField declares a custom field of the caller's account: at most
// contact.MaxFields; a name declared already is a conflict.
func (s *Contacts) DeclareField(ctx context.Context, p Principal, f ContactField) (ContactField, error) {
	if err := mayChangeContacts(p); err != nil {
		return ContactField{}, err
	}
	if err := contact.CheckFieldName(f.Name); err != nil {
		return ContactField{}, Invalid("name", err.(*contact.FieldError).Reason)
	}
	if err := contact.CheckFieldType(f.Type); err != nil {
		return ContactField{}, Invalid("type", err.(*contact.FieldError).Reason)
	}
	decl, err := s.st.ContactFields(ctx, p.AccountID)
	if err != nil {
		return ContactField{}, fmt.Errorf("contact fields: %w", err)
	}
	if len(decl) >= contact.MaxFields {
		return ContactField{}, refuse(KindUnprocessable, "name",
			fmt.Sprintf("the account has %d custom fields, the most it may: delete one first", contact.MaxFields))
	}
	err = s.st.CreateContactField(ctx, p.AccountID, store.ContactField{Name: f.Name, Type: f.Type})
	if errors.Is(err, store.ErrDuplicate) {
		return ContactField{}, refuse(KindConflict, "name", "the account has a custom field of this name already")
	}
	if err != nil {
		return ContactField{}, fmt.Errorf("declare contact field: %w", err)
	}
	return f, nil
}

// DeleteField removes the declaration of the caller's account's custom
// field name; its values are no longer shown and are dropped as each
// contact is next changed.
func (s *Contacts) DeleteField(ctx context.Context, p Principal, name string) error {
	if err := mayChangeContacts(p); err != nil {
		return err
	}
	err := s.st.DeleteContactField(ctx, p.AccountID, name)
	if errors.Is(err, store.ErrNotFound) {
		return NotFound("no such custom field")
	}
	if err != nil {
		return fmt.Errorf("delete contact field: %w", err)
	}
	return nil
}

// Settings returns the caller's account's contact settings.
func (s *Contacts) Settings(ctx context.Context, p Principal) (ContactSettings, error) {
	c, err := s.st.ContactDefaultCountry(ctx, p.AccountID)
	if err != nil {
		return ContactSettings{}, fmt.Errorf("contact settings: %w", err)
	}
	return ContactSettings{DefaultCountry: c}, nil
}

// SetSettings replaces the caller's account's contact settings.
func (s *Contacts) SetSettings(ctx context.Context, p Principal, in ContactSettings) (ContactSettings, error) {
	if err := mayChangeContacts(p); err != nil {
		return ContactSettings{}, err
	}
	c := strings.ToUpper(strings.TrimSpace(in.DefaultCountry))
	if c != "" && !contact.KnownCountry(c) {
		return ContactSettings{}, Invalid("default_country", "not an ISO 3166 country code this gateway knows (such as GB or US)")
	}
	if err := s.st.SetContactDefaultCountry(ctx, p.AccountID, c); err != nil {
		return ContactSettings{}, fmt.Errorf("contact settings: %w", err)
	}
	return ContactSettings{DefaultCountry: c}, nil
}
