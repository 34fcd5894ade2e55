package app

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/gallant-sms/gallant/store"
)

// Lists manages the caller's account's static contact lists and their
// members. Every call acts on p.AccountID only: another account's list
// or contact is not found (or, named as a member, not matched). Deleting
// a list deletes its memberships, never the contacts.
type Lists struct {
	st       *store.Store
	contacts *Contacts
}

// Limits of the lists API.
const (
	// MaxListMembersPerCall bounds the contacts one add or remove names.
	MaxListMembersPerCall = store.MaxListBatch
	// MaxListsListed bounds a page of lists.
	MaxListsListed = 1000
)

func listView(l *store.ContactList) ContactList {
	return ContactList{ID: l.ID, Name: l.Name, Count: l.Count, CreatedAt: l.CreatedAt, UpdatedAt: l.UpdatedAt}
}

// listName checks a list's name: 1 to 100 bytes of printable UTF-8,
// spaces around it trimmed.
func listName(name string) (string, error) {
	name = strings.TrimSpace(name)
	if name == "" || len(name) > store.MaxContactListName || !utf8.ValidString(name) ||
		strings.ContainsFunc(name, func(r rune) bool { return r < ' ' || r == 0x7f }) {
		return "", Invalid("name", "a list's name has 1 to "+strconv.Itoa(store.MaxContactListName)+" bytes of printable text")
	}
	return name, nil
}

func listErr(err error, what string) error {
	switch {
	case errors.Is(err, store.ErrNotFound):
		return NotFound("no such list")
	case errors.Is(err, store.ErrDuplicate):
		return refuse(KindConflict, "name", "the account has a list of this name already")
	}
	return fmt.Errorf("%s: %w", what, err)
}

// Create stores a new, empty list of the caller's account.
func (s *Lists) Create(ctx context.Context, p Principal, name string) (ContactList, error) {
	if err := mayChangeContacts(p); err != nil {
		return ContactList{}, err
	}
	name, err := listName(name)
	if err != nil {
		return ContactList{}, err
	}
	l := &store.ContactList{AccountID: p.AccountID, Name: name}
	if err := s.st.CreateContactList(ctx, l); err != nil {
		return ContactList{}, listErr(err, "create list")
	}
	return listView(l), nil
}

// List returns a page of the caller's account's lists in id order.
func (s *Lists) List(ctx context.Context, p Principal, cursor string, limit int) (ContactListPage, error) {
	if limit == 0 {
		limit = 100
	}
	if limit < 1 || limit > MaxListsListed {
		return ContactListPage{}, Invalid("limit", "limit is 1 to "+strconv.Itoa(MaxListsListed))
	}
	after, err := idCursor(cursor)
	if err != nil {
		return ContactListPage{}, err
	}
	ls, next, err := s.st.ContactLists(ctx, p.AccountID, after, limit)
	if err != nil {
		return ContactListPage{}, fmt.Errorf("list lists: %w", err)
	}
	page := ContactListPage{Data: make([]ContactList, len(ls))}
	for i := range ls {
		page.Data[i] = listView(&ls[i])
	}
	if next != 0 {
		page.NextCursor = strconv.FormatInt(next, 10)
	}
	return page, nil
}

// idCursor reads a cursor that is an id ("" is the start).
func idCursor(cursor string) (int64, error) {
	if cursor == "" {
		return 0, nil
	}
	n, err := strconv.ParseInt(cursor, 10, 64)
	if err != nil || n <= 0 {
		return 0, Invalid("cursor", "not a cursor this endpoint gave")
	}
	return n, nil
}

// Get returns the caller's account's list id with its member count.
func (s *Lists) Get(ctx context.Context, p Principal, id int64) (ContactList, error) {
	l, err := s.st.ContactListByID(ctx, p.AccountID, id)
	if err != nil {
		return ContactList{}, listErr(err, "get list")
	}
	return listView(&l), nil
}

// Rename renames the caller's account's list id.
func (s *Lists) Rename(ctx context.Context, p Principal, id int64, name string) (ContactList, error) {
	if err := mayChangeContacts(p); err != nil {
		return ContactList{}, err
	}
	name, err := listName(name)
	if err != nil {
		return ContactList{}, err
	}
	l, err := s.st.RenameContactList(ctx, p.AccountID, id, name)
	if err != nil {
		return ContactList{}, listErr(err, "rename list")
	}
	return listView(&l), nil
}

// Delete deletes the caller's account's list id and its memberships.
func (s *Lists) Delete(ctx context.Context, p Principal, id int64) error {
	if err := mayChangeContacts(p); err != nil {
		return err
	}
	if err := s.st.DeleteContactList(ctx, p.AccountID, id); err != nil {
		return listErr(err, "delete list")
	}
	return nil
}

// Members returns a page of the members of the caller's account's list
// id, in contact id order, as full contacts.
func (s *Lists) Members(ctx context.Context, p Principal, id int64, cursor string, limit int) (ContactPage, error) {
	return s.contacts.List(ctx, p, ContactQuery{List: id, Cursor: cursor, Limit: limit})
}

// members checks the contacts named by in and returns their ids and
// normalized phones.
func (s *Lists) members(ctx context.Context, p Principal, in ListMembersInput) ([]int64, []string, error) {
	n := len(in.ContactIDs) + len(in.Phones)
	if n == 0 {
		return nil, nil, Invalid("contact_ids", "name the contacts by contact_ids, phones or both")
	}
	if n > MaxListMembersPerCall {
		return nil, nil, refuse(KindInvalid, "contact_ids",
			fmt.Sprintf("%d contacts named, at most %d per call", n, MaxListMembersPerCall))
	}
	ids := make([]int64, 0, len(in.ContactIDs))
	seenID := make(map[int64]bool, len(in.ContactIDs))
	for i, id := range in.ContactIDs {
		if id <= 0 {
			return nil, nil, Invalid("contact_ids["+strconv.Itoa(i)+"]", "a contact id is a positive integer")
		}
		if !seenID[int64(id)] { // named twice: counted once
			seenID[int64(id)] = true
			ids = append(ids, int64(id))
		}
	}
	if len(in.Phones) == 0 {
		if in.DefaultCountry != "" {
			return nil, nil, Invalid("default_country", "default_country reads phones: give it with phones")
		}
		return ids, nil, nil
	}
	country, err := s.contacts.country(ctx, p, in.DefaultCountry)
	if err != nil {
		return nil, nil, err
	}
	phones := make([]string, 0, len(in.Phones))
	seen := make(map[string]bool, len(in.Phones))
	for i, raw := range in.Phones {
		ph, err := phone("phones["+strconv.Itoa(i)+"]", raw, country)
		if err != nil {
			return nil, nil, err
		}
		if !seen[ph] {
			seen[ph] = true
			phones = append(phones, ph)
		}
	}
	return ids, phones, nil
}

// AddMembers adds contacts of the caller's account, named by id and by
// phone, to its list id (at most MaxListMembersPerCall in one call).
// Names that are no contact of the account are counted in NotFound.
func (s *Lists) AddMembers(ctx context.Context, p Principal, id int64, in ListMembersInput) (ListAddResult, error) {
	if err := mayChangeContacts(p); err != nil {
		return ListAddResult{}, err
	}
	ids, phones, err := s.members(ctx, p, in)
	if err != nil {
		return ListAddResult{}, err
	}
	ch, err := s.st.ChangeList(ctx, p.AccountID, id, ids, phones, true)
	if err != nil {
		return ListAddResult{}, listErr(err, "add list members")
	}
	return ListAddResult{Matched: ch.Matched, Added: ch.Changed, NotFound: len(ids) + len(phones) - ch.Matched}, nil
}

// RemoveMembers removes contacts of the caller's account, named by id and
// by phone, from its list id; the contacts stay.
func (s *Lists) RemoveMembers(ctx context.Context, p Principal, id int64, in ListMembersInput) (ListRemoveResult, error) {
	if err := mayChangeContacts(p); err != nil {
		return ListRemoveResult{}, err
	}
	ids, phones, err := s.members(ctx, p, in)
	if err != nil {
		return ListRemoveResult{}, err
	}
	ch, err := s.st.ChangeList(ctx, p.AccountID, id, ids, phones, false)
	if err != nil {
		return ListRemoveResult{}, listErr(err, "remove list members")
	}
	return ListRemoveResult{Matched: ch.Matched, Removed: ch.Changed, NotFound: len(ids) + len(phones) - ch.Matched}, nil
}
