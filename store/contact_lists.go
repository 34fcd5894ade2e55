package store

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// ContactList is a static list of an account's contacts: a name and its
// members (contact_list_members). Deleting a list deletes its
// memberships, not the contacts.
type ContactList struct {
	ID        int64
	AccountID int64
	// Name is unique per account (case-sensitive) and at most
	// [MaxContactListName] bytes.
	Name string
	// Count is the number of members when read.
	Count     int
	CreatedAt time.Time
	UpdatedAt time.Time
}

// MaxContactListName bounds a list's name (its column).
const MaxContactListName = 100

// MaxListBatch bounds the contacts one [Store.AddToList],
// [Store.AddPhonesToList] or [Store.RemoveFromList] call takes; each
// statement names at most listChunk of them.
const (
	MaxListBatch = 10_000
	listChunk    = 1000
)

const (
	qInsertContactList = "INSERT INTO contact_lists (account_id, name, created_at, updated_at) VALUES (?, ?, ?, ?)"
	contactListColumns = "l.id, l.account_id, l.name, l.created_at, l.updated_at, " +
		"(SELECT COUNT(*) FROM contact_list_members m WHERE m.list_id = l.id) AS member_count"
	qContactList      = "SELECT " + contactListColumns + " FROM contact_lists l WHERE l.account_id = ? AND l.id = ?"
	qContactLists     = "SELECT " + contactListColumns + " FROM contact_lists l WHERE l.account_id = ? AND l.id > ? ORDER BY l.id LIMIT ?"
	qRenameList       = "UPDATE contact_lists SET name = ?, updated_at = ? WHERE account_id = ? AND id = ?"
	qListOwned        = "SELECT COUNT(*) FROM contact_lists WHERE account_id = ? AND id = ?"
	qDeleteList       = "DELETE FROM contact_lists WHERE account_id = ? AND id = ?"
	qDeleteMembers    = "DELETE FROM contact_list_members WHERE list_id = ?"
	qTouchList        = "UPDATE contact_lists SET updated_at = ? WHERE id = ?"
	qMembershipsOfIDs = "SELECT m.contact_id, m.list_id FROM contact_list_members m JOIN contact_lists l ON l.id = m.list_id " +
		"WHERE l.account_id = ? AND m.contact_id IN "
)

type contactListRow struct {
	ID        int64  `db:"id"`
	AccountID int64  `db:"account_id"`
	Name      string `db:"name"`
	CreatedAt dbTime `db:"created_at"`
	UpdatedAt dbTime `db:"updated_at"`
	Count     int    `db:"member_count"`
}

func (r *contactListRow) list() ContactList {
	return ContactList{ID: r.ID, AccountID: r.AccountID, Name: r.Name, Count: r.Count, CreatedAt: r.CreatedAt.Time,
		UpdatedAt: r.UpdatedAt.Time}
}

func checkListName(name string) error {
	if name == "" || len(name) > MaxContactListName {
		return fmt.Errorf("%w: a contact list needs a name of 1 to %d bytes", ErrInvalid, MaxContactListName)
	}
	return nil
}

// CreateContactList stores the new list l (of l.AccountID, named l.Name)
// and sets its ID and times. A name the account uses already is
// [ErrDuplicate].
func (s *Store) CreateContactList(ctx context.Context, l *ContactList) error {
	if l.AccountID <= 0 {
		return fmt.Errorf("%w: a contact list needs an account", ErrInvalid)
	}
	if err := checkListName(l.Name); err != nil {
		return err
	}
	now := s.now().UTC().Truncate(time.Microsecond)
	res, err := s.w.ExecContext(ctx, qInsertContactList, l.AccountID, l.Name, s.timeArg(now), s.timeArg(now))
	if err != nil {
		return fmt.Errorf("store: create contact list %q of account %d: %w", l.Name, l.AccountID, mapErr(err))
	}
	if l.ID, err = res.LastInsertId(); err != nil {
		return fmt.Errorf("store: create contact list %q: %w", l.Name, mapErr(err))
	}
	l.Count, l.CreatedAt, l.UpdatedAt = 0, now, now
	return nil
}

// ContactListByID returns account accountID's list id with its member
// count; another account's list, or none, is [ErrNotFound].
func (s *Store) ContactListByID(ctx context.Context, accountID, id int64) (ContactList, error) {
	var r contactListRow
	if err := s.w.GetContext(ctx, &r, qContactList, accountID, id); err != nil {
		return ContactList{}, fmt.Errorf("store: contact list %d of account %d: %w", id, accountID, mapErr(err))
	}
	return r.list(), nil
}

// ContactLists returns up to limit (1 to 1,000) of account accountID's
// lists with ids above after, in id order, each with its member count
// (counted when read: an index range per list), and the cursor of the
// next page (0 on the last).
func (s *Store) ContactLists(ctx context.Context, accountID, after int64, limit int) ([]ContactList, int64, error) {
	if limit < 1 || limit > 1000 {
		return nil, 0, fmt.Errorf("%w: contact lists limit %d", ErrInvalid, limit)
	}
	var rows []contactListRow
	if err := s.r.SelectContext(ctx, &rows, qContactLists, accountID, after, limit+1); err != nil {
		return nil, 0, fmt.Errorf("store: contact lists of account %d: %w", accountID, mapErr(err))
	}
	var next int64
	if len(rows) > limit {
		rows = rows[:limit]
		next = rows[limit-1].ID
	}
	out := make([]ContactList, len(rows))
	for i := range rows {
		out[i] = rows[i].list()
	}
	return out, next, nil
}

// RenameContactList renames account accountID's list id and returns it.
// A list the account does not have is [ErrNotFound], a name in use
// [ErrDuplicate].
func (s *Store) RenameContactList(ctx context.Context, accountID, id int64, name string) (ContactList, error) {
	if err := checkListName(name); err != nil {
		return ContactList{}, err
	}
	if _, err := s.w.ExecContext(ctx, qRenameList, name, s.timeArg(s.now()), accountID, id); err != nil {
		return ContactList{}, fmt.Errorf("store: rename contact list %d of account %d: %w", id, accountID, mapErr(err))
	}
	return s.ContactListByID(ctx, accountID, id)
}

// DeleteContactList deletes account accountID's list id and its
// memberships (not the contacts), in one transaction. A list the account
// does not have is [ErrNotFound].
func (s *Store) DeleteContactList(ctx context.Context, accountID, id int64) error {
	tx, err := s.w.BeginTxx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: delete contact list %d: %w", id, mapErr(err))
	}
	defer tx.Rollback()
	res, err := tx.ExecContext(ctx, qDeleteList, accountID, id)
	if err != nil {
		return fmt.Errorf("store: delete contact list %d: %w", id, mapErr(err))
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		if err == nil {
			err = ErrNotFound
		} else {
			err = mapErr(err)
		}
		return fmt.Errorf("store: delete contact list %d of account %d: %w", id, accountID, err)
	}
	if _, err := tx.ExecContext(ctx, qDeleteMembers, id); err != nil {
		return fmt.Errorf("store: delete contact list %d: members: %w", id, mapErr(err))
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("store: delete contact list %d: %w", id, mapErr(err))
	}
	return nil
}

// listOwned returns [ErrNotFound] unless list id is account accountID's.
func (s *Store) listOwned(ctx context.Context, accountID, id int64) error {
	var n int
	if err := s.w.GetContext(ctx, &n, qListOwned, accountID, id); err != nil {
		return fmt.Errorf("store: contact list %d: %w", id, mapErr(err))
	}
	if n == 0 {
		return fmt.Errorf("store: contact list %d of account %d: %w", id, accountID, ErrNotFound)
	}
	return nil
}

// ListChange says what adding to or removing from a list did.
type ListChange struct {
	// Matched are the contacts of the account among those named.
	Matched int
	// Changed are the memberships added (already members are not
	// counted) or removed.
	Changed int
}

// AddToList makes account accountID's contacts contactIDs members of its
// list listID (at most [MaxListBatch] ids; ids of other accounts'
// contacts, or of none, are skipped; members already are left as they
// are) and returns how many memberships it added. A list the account does
// not have is [ErrNotFound]. The CSV import calls it with the ids
// [Store.UpsertContactsIDs] returned.
func (s *Store) AddToList(ctx context.Context, accountID, listID int64, contactIDs []int64) (added int, err error) {
	ch, err := s.changeList(ctx, accountID, listID, contactIDs, nil, true)
	return ch.Changed, err
}

// ChangeList adds (add true) or removes account accountID's contacts,
// named by id and by phone (E.164 digits), to or from its list listID:
// at most [MaxListBatch] in all, in one transaction. Names that are no
// contact of the account are skipped (Matched counts those that are). A
// list the account does not have is [ErrNotFound].
func (s *Store) ChangeList(ctx context.Context, accountID, listID int64, ids []int64, phones []string, add bool) (ListChange, error) {
	return s.changeList(ctx, accountID, listID, ids, phones, add)
}

func (s *Store) changeList(ctx context.Context, accountID, listID int64, ids []int64, phones []string, add bool) (ListChange, error) {
	var ch ListChange
	if len(ids)+len(phones) > MaxListBatch {
		return ch, fmt.Errorf("%w: %d contacts, at most %d per call", ErrInvalid, len(ids)+len(phones), MaxListBatch)
	}
	tx, err := s.w.BeginTxx(ctx, nil)
	if err != nil {
		return ch, fmt.Errorf("store: change contact list %d: %w", listID, mapErr(err))
	}
	defer tx.Rollback()
	var n int
	if err := tx.GetContext(ctx, &n, qListOwned, accountID, listID); err != nil {
		return ch, fmt.Errorf("store: contact list %d: %w", listID, mapErr(err))
	}
	if n == 0 {
		return ch, fmt.Errorf("store: contact list %d of account %d: %w", listID, accountID, ErrNotFound)
	}
	now := s.timeArg(s.now())
	run := func(col string, vals []any) error {
		in := "(?" + strings.Repeat(",?", len(vals)-1) + ")"
		match := "FROM contacts c WHERE c.account_id = ? AND c." + col + " IN " + in
		args := append([]any{accountID}, vals...)
		var matched int
		if err := tx.GetContext(ctx, &matched, "SELECT COUNT(*) "+match, args...); err != nil {
			return mapErr(err)
		}
		ch.Matched += matched
		var q string
		switch {
		case !add:
			q = "DELETE FROM contact_list_members WHERE list_id = ? AND contact_id IN (SELECT c.id " + match + ")"
			args = append([]any{listID}, args...)
		case s.d == dialectMySQL:
			// IGNORE skips members already (a no-op ON DUPLICATE KEY
			// UPDATE would count them: the store sets CLIENT_FOUND_ROWS).
			q = "INSERT IGNORE INTO contact_list_members (list_id, contact_id, added_at) SELECT ?, c.id, ? " + match
			args = append([]any{listID, now}, args...)
		default:
			q = "INSERT INTO contact_list_members (list_id, contact_id, added_at) SELECT ?, c.id, ? " + match +
				" ON CONFLICT (list_id, contact_id) DO NOTHING"
			args = append([]any{listID, now}, args...)
		}
		res, err := tx.ExecContext(ctx, q, args...)
		if err != nil {
			return mapErr(err)
		}
		k, err := res.RowsAffected()
		if err != nil {
			return mapErr(err)
		}
		ch.Changed += int(k)
		return nil
	}
	// A contact named twice (by id and by phone) is counted twice in
	// Matched but changed once.
	for chunk := range chunks(len(ids)) {
		vals := make([]any, 0, listChunk)
		for _, id := range ids[chunk[0]:chunk[1]] {
			vals = append(vals, id)
		}
		if err := run("id", vals); err != nil {
			return ListChange{}, fmt.Errorf("store: change contact list %d: %w", listID, err)
		}
	}
	for chunk := range chunks(len(phones)) {
		vals := make([]any, 0, listChunk)
		for _, p := range phones[chunk[0]:chunk[1]] {
			vals = append(vals, p)
		}
		if err := run("phone", vals); err != nil {
			return ListChange{}, fmt.Errorf("store: change contact list %d: %w", listID, err)
		}
	}
	if ch.Changed > 0 {
		if _, err := tx.ExecContext(ctx, qTouchList, now, listID); err != nil {
			return ListChange{}, fmt.Errorf("store: change contact list %d: %w", listID, mapErr(err))
		}
	}
	if err := tx.Commit(); err != nil {
		return ListChange{}, fmt.Errorf("store: change contact list %d: %w", listID, mapErr(err))
	}
	return ch, nil
}

// chunks yields [start, end) ranges of at most listChunk over n items.
func chunks(n int) func(func([2]int) bool) {
	return func(yield func([2]int) bool) {
		for i := 0; i < n; i += listChunk {
			if !yield([2]int{i, min(i+listChunk, n)}) {
				return
			}
		}
	}
}

// ContactListIDs returns, for each of account accountID's contacts
// contactIDs (at most [MaxContactsPage]), the ids of the lists it is a
// member of, in list id order; contacts in no list are absent.
func (s *Store) ContactListIDs(ctx context.Context, accountID int64, contactIDs []int64) (map[int64][]int64, error) {
	out := make(map[int64][]int64)
	if len(contactIDs) == 0 {
		return out, nil
	}
	if len(contactIDs) > MaxContactsPage {
		return nil, fmt.Errorf("%w: %d contacts, at most %d", ErrInvalid, len(contactIDs), MaxContactsPage)
	}
	args := make([]any, 0, len(contactIDs)+1)
	args = append(args, accountID)
	for _, id := range contactIDs {
		args = append(args, id)
	}
	var rows []struct {
		Contact int64 `db:"contact_id"`
		List    int64 `db:"list_id"`
	}
	q := qMembershipsOfIDs + "(?" + strings.Repeat(",?", len(contactIDs)-1) + ") ORDER BY m.contact_id, m.list_id"
	if err := s.r.SelectContext(ctx, &rows, q, args...); err != nil {
		return nil, fmt.Errorf("store: lists of contacts of account %d: %w", accountID, mapErr(err))
	}
	for _, r := range rows {
		out[r.Contact] = append(out[r.Contact], r.List)
	}
	return out, nil
}
