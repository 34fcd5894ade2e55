package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
)

// Contact is a person an account messages: a phone number (E.164
// digits, unique per account) with personal fields. The store keeps what
// it is given; the contact package checks and normalizes it. *Contact is
// a [Row].
type Contact struct {
	ID        int64 // set by the database
	AccountID int64
	Phone     string
	FirstName string
	LastName  string
	Email     string
	Language  string
	TimeZone  string
	// Fields are the account's custom fields, as a JSON object ("{}"
	// when none).
	Fields string
	Tags   []string
	// ExternalID is the contact's id in another system (a CRM's), unique
	// in the account; "" for none.
	ExternalID string
	CreatedAt  time.Time // zero: when written
	UpdatedAt  time.Time // zero: when written
}

// Column bounds of the contacts table.
const (
	maxContactPhone = 20
	maxContactName  = 100
	maxContactEmail = 254
	maxContactTags  = 1024
	// MaxContactExternalID bounds Contact.ExternalID (VARCHAR(128)).
	MaxContactExternalID = 128
	// MySQL VARCHAR(16) and VARCHAR(64).
	maxContactLanguage = 16
	maxContactTimeZone = 64
	maxContactFields   = 65_535 // MySQL TEXT
)

// contactsTable upserts on (account_id, phone): a contact imported again
// has its fields replaced and keeps its id and creation time.
var contactsTable = func() *Table {
	t := mustTable("contacts", false, "account_id", "phone", "first_name", "last_name", "email", "language",
		"time_zone", "fields", "tags", "created_at", "updated_at")
	set := []string{"first_name", "last_name", "email", "language", "time_zone", "fields", "tags", "updated_at"}
	var my, lite strings.Builder
	my.WriteString(" ON DUPLICATE KEY UPDATE ")
	lite.WriteString(" ON CONFLICT (account_id, phone) DO UPDATE SET ")
	for i, c := range set {
		if i > 0 {
			my.WriteByte(',')
			lite.WriteByte(',')
		}
		fmt.Fprintf(&my, "`%s`=VALUES(`%s`)", c, c)
		fmt.Fprintf(&lite, "`%s`=excluded.`%s`", c, c)
	}
	t.conflict[dialectMySQL-1], t.conflict[dialectSQLite-1] = my.String(), lite.String()
	return t
}()

// appendContact writes a contact row; zero times are stored as now.
func appendContact(v *Values, c *Contact, now time.Time) {
	created, updated := c.CreatedAt, c.UpdatedAt
	if created.IsZero() {
		created = now
	}
	if updated.IsZero() {
		updated = now
	}
	fields := c.Fields
	if fields == "" {
		fields = "{}"
	}
	v.Int(c.AccountID)
	v.String(c.Phone)
	v.String(c.FirstName)
	v.String(c.LastName)
	v.String(c.Email)
	v.String(c.Language)
	v.String(c.TimeZone)
	v.String(fields)
	v.String(strings.Join(c.Tags, ","))
	v.Time(created)
	v.Time(updated)
}

// checkContact refuses what the table cannot hold.
func checkContact(c *Contact) error {
	switch {
	case c.AccountID <= 0:
		return fmt.Errorf("%w: a contact needs an account", ErrInvalid)
	case c.Phone == "" || len(c.Phone) > maxContactPhone:
		return fmt.Errorf("%w: contact phone %q", ErrInvalid, c.Phone)
	case len(c.FirstName) > maxContactName || len(c.LastName) > maxContactName || len(c.Email) > maxContactEmail ||
		len(c.Language) > maxContactLanguage || len(c.TimeZone) > maxContactTimeZone:
		return fmt.Errorf("%w: contact %s: a name, the email, the language or the time zone is too long", ErrInvalid, c.Phone)
	case len(c.Fields) > maxContactFields:
		return fmt.Errorf("%w: contact %s: custom fields longer than %d bytes", ErrInvalid, c.Phone, maxContactFields)
	case len(strings.Join(c.Tags, ",")) > maxContactTags:
		return fmt.Errorf("%w: contact %s: tags longer than %d bytes", ErrInvalid, c.Phone, maxContactTags)
	case len(c.ExternalID) > MaxContactExternalID:
		return fmt.Errorf("%w: contact %s: external id longer than %d bytes", ErrInvalid, c.Phone, MaxContactExternalID)
	}
	return nil
}

// externalIDArg is c's external id as stored: NULL for none, so that the
// unique index (account_id, external_id) admits any number of contacts
// without one.
func externalIDArg(id string) any {
	if id == "" {
		return nil
	}
	return id
}

// UpsertContacts stores contacts of account accountID in one
// transaction: new phones are inserted, known ones have their fields
// replaced (keeping id and creation time). It returns how many were new
// and how many updated. Each phone may appear once.
func (s *Store) UpsertContacts(ctx context.Context, accountID int64, contacts []Contact) (inserted, updated int, err error) {
	_, inserted, updated, err = s.upsertContacts(ctx, accountID, 0, contacts, false)
	return inserted, updated, err
}

// UpsertContactsIDs is [Store.UpsertContacts] that also returns the id of
// each contact, in the order of contacts (for an import that puts its
// rows in a list with [Store.AddToList]); it sets each contact's ID too.
func (s *Store) UpsertContactsIDs(ctx context.Context, accountID int64, contacts []Contact) (ids []int64, inserted, updated int, err error) {
	return s.upsertContacts(ctx, accountID, 0, contacts, true)
}

// UpsertContactsToList is [Store.UpsertContacts] that also adds every
// contact of the batch to list listID of the account (members already
// there stay as they are), in the same transaction: one commit per batch.
// The caller checks that the list is the account's.
func (s *Store) UpsertContactsToList(ctx context.Context, accountID, listID int64, contacts []Contact) (inserted, updated int, err error) {
	_, inserted, updated, err = s.upsertContacts(ctx, accountID, listID, contacts, false)
	return inserted, updated, err
}

// contactByID is a known contact written with its id (MySQL): the upsert
// then meets the duplicate on the primary key at once, where one keyed
// on the phone inserts the row into the primary key first and takes it
// out again when the unique phone index refuses it (about twice the
// work per updated row).
type contactByID struct {
	c   *Contact
	id  int64
	now time.Time
}

// contactsByIDTable is the contacts table with the id first, upserting
// on it.
var contactsByIDTable = func() *Table {
	t := mustTable("contacts", false, append([]string{"id"}, contactsTable.columns...)...)
	t.conflict = contactsTable.conflict
	return t
}()

func (r *contactByID) Table() *Table { return contactsByIDTable }

func (r *contactByID) AppendValues(v *Values) {
	v.Int(r.id)
	appendContact(v, r.c, r.now)
}

// upsertContacts stores a batch of contacts in one transaction: one
// read of the batch's known phones (and, with a list, which of them are
// members already), the writes (MySQL: the known rows by id, the new
// ones by phone), the new members in one INSERT ... SELECT, and, when
// asked, the new rows' ids. The counts assume no other writer adds one
// of the phones meanwhile (then it counts as new and is updated).
func (s *Store) upsertContacts(ctx context.Context, accountID, listID int64, contacts []Contact, wantIDs bool) (ids []int64, inserted, updated int, err error) {
	if len(contacts) == 0 {
		return nil, 0, 0, nil
	}
	for i := range contacts {
		c := &contacts[i]
		c.AccountID = accountID
		if err := checkContact(c); err != nil {
			return nil, 0, 0, err
		}
	}
	// A batch stored while another import's batch (or this import's
	// other writer, see contact.Import) is being stored may lose an InnoDB
	// lock conflict; the transaction was rolled back whole, so it is run
	// again (a few times, a few milliseconds apart).
	for attempt := 1; ; attempt++ {
		ids, inserted, updated, err = s.upsertContactsTx(ctx, accountID, listID, contacts, wantIDs)
		if err == nil || attempt == upsertAttempts || !errors.Is(err, ErrUnavailable) || ctx.Err() != nil {
			return ids, inserted, updated, err
		}
		time.Sleep(time.Duration(attempt)*time.Millisecond + rand.N(2*time.Millisecond))
	}
}

// upsertAttempts bounds the runs of a contact batch's transaction that
// failed in a way the same call may not meet again.
const upsertAttempts = 3

// upsertContactsTx is one run of [Store.upsertContacts]'s transaction.
func (s *Store) upsertContactsTx(ctx context.Context, accountID, listID int64, contacts []Contact, wantIDs bool) (ids []int64, inserted, updated int, err error) {
	var opts *sql.TxOptions
	lock := ""
	if s.d == dialectMySQL {
		// Read committed: the locking read below takes the rows found,
		// no gaps, so imports and edits of other phones of the account
		// do not wait on (or deadlock with) this batch. The lock keeps
		// a contact deleted meanwhile from coming back under its id.
		opts, lock = &sql.TxOptions{Isolation: sql.LevelReadCommitted}, " FOR UPDATE"
	}
	tx, err := s.w.BeginTxx(ctx, opts)
	if err != nil {
		return nil, 0, 0, fmt.Errorf("store: upsert contacts: %w", mapErr(err))
	}
	defer tx.Rollback()
	have, err := s.knownContacts(ctx, tx, accountID, listID, contacts, lock)
	if err != nil {
		return nil, 0, 0, err
	}
	now := s.now()
	entries := make([]entry, len(contacts))
	byID := make([]contactByID, 0, len(have))
	join := make([]any, 0, len(contacts)+3) // phones that join the list
	join = append(join, listID, s.timeArg(now), accountID)
	var fresh []any // new phones, when their ids are wanted
	if wantIDs {
		fresh = append(fresh, accountID)
		ids = make([]int64, len(contacts))
	}
	for i := range contacts {
		c := &contacts[i]
		k, ok := have[c.Phone]
		entries[i] = entry{row: c, table: contactsTable}
		switch {
		case !ok:
			join = append(join, c.Phone)
			if wantIDs {
				fresh = append(fresh, c.Phone)
			}
			continue
		case s.d == dialectMySQL:
			byID = append(byID, contactByID{c: c, id: k.id, now: now})
			entries[i] = entry{row: &byID[len(byID)-1], table: contactsByIDTable}
		}
		if !k.member {
			join = append(join, c.Phone)
		}
		if wantIDs {
			ids[i], c.ID = k.id, k.id
		}
	}
	b := newBuilder(s.d, defaultMaxStatementBytes, s.keys)
	b.build(entries, now, true) // with the upsert clauses
	for _, st := range b.stmts {
		if _, err := tx.ExecContext(ctx, string(b.v.buf[st.start:st.end])); err != nil {
			return nil, 0, 0, fmt.Errorf("store: upsert contacts: %w", mapErr(err))
		}
	}
	if listID != 0 && len(join) > 3 {
		ins := "INSERT OR IGNORE INTO"
		if s.d == dialectMySQL {
			ins = "INSERT IGNORE INTO"
		}
		if _, err := tx.ExecContext(ctx, ins+" contact_list_members (list_id, contact_id, added_at) SELECT ?, id, ? FROM contacts "+
			"WHERE account_id = ? AND phone IN "+placeholders(len(join)-3), join...); err != nil {
			return nil, 0, 0, fmt.Errorf("store: upsert contacts to list %d: %w", listID, mapErr(err))
		}
	}
	if len(fresh) > 1 {
		var rows []struct {
			ID    int64  `db:"id"`
			Phone string `db:"phone"`
		}
		if err := tx.SelectContext(ctx, &rows, "SELECT id, phone FROM contacts WHERE account_id = ? AND phone IN "+
			placeholders(len(fresh)-1), fresh...); err != nil {
			return nil, 0, 0, fmt.Errorf("store: upsert contacts: ids: %w", mapErr(err))
		}
		byPhone := make(map[string]int64, len(rows))
		for _, r := range rows {
			byPhone[r.Phone] = r.ID
		}
		for i := range contacts {
			if id, ok := byPhone[contacts[i].Phone]; ok {
				ids[i], contacts[i].ID = id, id
			}
		}
	}
	if err := tx.Commit(); err != nil {
		return nil, 0, 0, fmt.Errorf("store: upsert contacts: %w", mapErr(err))
	}
	return ids, len(contacts) - len(have), len(have), nil
}

// knownContact is a stored contact of an upserted batch.
type knownContact struct {
	id     int64
	member bool // of the target list already
}

// knownContacts returns the batch's phones the account has already, by
// phone, with whether each is a member of list listID (0: none).
func (s *Store) knownContacts(ctx context.Context, tx *sqlx.Tx, accountID, listID int64, contacts []Contact, lock string) (map[string]knownContact, error) {
	args := make([]any, 0, len(contacts)+2)
	q := "SELECT c.id, c.phone, 0 FROM contacts c WHERE c.account_id = ? AND c.phone IN "
	if listID != 0 {
		q = "SELECT c.id, c.phone, m.contact_id IS NOT NULL FROM contacts c LEFT JOIN contact_list_members m " +
			"ON m.list_id = ? AND m.contact_id = c.id WHERE c.account_id = ? AND c.phone IN "
		args = append(args, listID)
	}
	args = append(args, accountID)
	for i := range contacts {
		args = append(args, contacts[i].Phone)
	}
	rows, err := tx.QueryContext(ctx, q+placeholders(len(contacts))+lock, args...)
	if err != nil {
		return nil, fmt.Errorf("store: upsert contacts: %w", mapErr(err))
	}
	defer rows.Close()
	have := make(map[string]knownContact, len(contacts))
	for rows.Next() {
		var k knownContact
		var phone string
		if err := rows.Scan(&k.id, &phone, &k.member); err != nil {
			return nil, fmt.Errorf("store: upsert contacts: %w", mapErr(err))
		}
		have[phone] = k
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: upsert contacts: %w", mapErr(err))
	}
	return have, nil
}

// placeholders is "(?,?,...)" of n (at least 1) placeholders.
func placeholders(n int) string {
	return "(?" + strings.Repeat(",?", n-1) + ")"
}

// CountContacts returns how many contacts account accountID has.
func (s *Store) CountContacts(ctx context.Context, accountID int64) (int, error) {
	var n int
	if err := s.r.GetContext(ctx, &n, "SELECT COUNT(*) FROM contacts WHERE account_id = ?", accountID); err != nil {
		return 0, fmt.Errorf("store: count contacts: %w", mapErr(err))
	}
	return n, nil
}

// ContactByPhone returns account accountID's contact with phone, or
// [ErrNotFound].
func (s *Store) ContactByPhone(ctx context.Context, accountID int64, phone string) (Contact, error) {
	var r contactRow
	if err := s.r.GetContext(ctx, &r, qContactByPhone, accountID, phone); err != nil {
		return Contact{}, fmt.Errorf("store: contact %s: %w", phone, mapErr(err))
	}
	return r.contact(), nil
}

// contactColumns are the contacts table's columns as [contactRow] reads
// them, over the table aliased "c".
const contactColumns = "c.id, c.account_id, c.phone, c.first_name, c.last_name, c.email, c.language, c.time_zone, " +
	"c.fields, c.tags, COALESCE(c.external_id, '') AS external_id, c.created_at, c.updated_at"

const (
	qContactByPhone = "SELECT " + contactColumns + " FROM contacts c WHERE c.account_id = ? AND c.phone = ?"
	qContactByID    = "SELECT " + contactColumns + " FROM contacts c WHERE c.account_id = ? AND c.id = ?"
	qContactByExtID = "SELECT " + contactColumns + " FROM contacts c WHERE c.account_id = ? AND c.external_id = ?"
	qInsertContact  = "INSERT INTO contacts (account_id, phone, first_name, last_name, email, language, time_zone, " +
		"fields, tags, external_id, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
	qUpdateContact = "UPDATE contacts SET phone = ?, first_name = ?, last_name = ?, email = ?, language = ?, " +
		"time_zone = ?, fields = ?, tags = ?, external_id = ?, updated_at = ? WHERE account_id = ? AND id = ?"
	qDeleteContact        = "DELETE FROM contacts WHERE account_id = ? AND id = ?"
	qDeleteContactMembers = "DELETE FROM contact_list_members WHERE contact_id = ?"
	// link_codes.recipient_id is a campaign_recipients id (campaign
	// engine); campaign_recipients_contact (0024) finds the contact's.
	qDeleteContactClicks = "DELETE FROM link_clicks WHERE code IN (SELECT code FROM link_codes WHERE account_id = ? AND " +
		"recipient_id IN (SELECT id FROM campaign_recipients WHERE contact_id = ?))"
	qDeleteContactLinks = "DELETE FROM link_codes WHERE account_id = ? AND " +
		"recipient_id IN (SELECT id FROM campaign_recipients WHERE contact_id = ?)"
)

// contactRow is a contacts row as read.
type contactRow struct {
	ID         int64  `db:"id"`
	AccountID  int64  `db:"account_id"`
	Phone      string `db:"phone"`
	FirstName  string `db:"first_name"`
	LastName   string `db:"last_name"`
	Email      string `db:"email"`
	Language   string `db:"language"`
	TimeZone   string `db:"time_zone"`
	Fields     string `db:"fields"`
	Tags       string `db:"tags"`
	ExternalID string `db:"external_id"`
	CreatedAt  dbTime `db:"created_at"`
	UpdatedAt  dbTime `db:"updated_at"`
}

func (r *contactRow) contact() Contact {
	return Contact{ID: r.ID, AccountID: r.AccountID, Phone: r.Phone, FirstName: r.FirstName, LastName: r.LastName,
		Email: r.Email, Language: r.Language, TimeZone: r.TimeZone, Fields: r.Fields, Tags: splitWords(r.Tags, ","),
		ExternalID: r.ExternalID, CreatedAt: r.CreatedAt.Time, UpdatedAt: r.UpdatedAt.Time}
}

// ContactByExternalID returns account accountID's contact whose
// external id is id, or [ErrNotFound].
func (s *Store) ContactByExternalID(ctx context.Context, accountID int64, id string) (Contact, error) {
	var r contactRow
	if err := s.w.GetContext(ctx, &r, qContactByExtID, accountID, id); err != nil {
		return Contact{}, fmt.Errorf("store: contact with external id %q: %w", id, mapErr(err))
	}
	return r.contact(), nil
}

// ContactByID returns account accountID's contact id; a contact of
// another account, or none, is [ErrNotFound].
func (s *Store) ContactByID(ctx context.Context, accountID, id int64) (Contact, error) {
	var r contactRow
	if err := s.w.GetContext(ctx, &r, qContactByID, accountID, id); err != nil {
		return Contact{}, fmt.Errorf("store: contact %d: %w", id, mapErr(err))
	}
	return r.contact(), nil
}

// CreateContact stores the new contact c (of c.AccountID) and sets its
// ID and times. A phone the account has already is [ErrDuplicate].
func (s *Store) CreateContact(ctx context.Context, c *Contact) error {
	if err := checkContact(c); err != nil {
		return err
	}
	now := s.now().UTC().Truncate(time.Microsecond)
	if c.Fields == "" {
		c.Fields = "{}"
	}
	res, err := s.w.ExecContext(ctx, qInsertContact, c.AccountID, c.Phone, c.FirstName, c.LastName, c.Email, c.Language,
		c.TimeZone, c.Fields, strings.Join(c.Tags, ","), externalIDArg(c.ExternalID), s.timeArg(now), s.timeArg(now))
	if err != nil {
		return fmt.Errorf("store: create contact of account %d: %w", c.AccountID, mapErr(err))
	}
	if c.ID, err = res.LastInsertId(); err != nil {
		return fmt.Errorf("store: create contact of account %d: %w", c.AccountID, mapErr(err))
	}
	c.CreatedAt, c.UpdatedAt = now, now
	return nil
}

// UpdateContact replaces the phone and every personal field of contact
// c.ID of c.AccountID with c's, and reads the contact back into c. A
// contact the account does not have is [ErrNotFound]; a phone another of
// its contacts has is [ErrDuplicate].
func (s *Store) UpdateContact(ctx context.Context, c *Contact) error {
	if err := checkContact(c); err != nil {
		return err
	}
	if c.Fields == "" {
		c.Fields = "{}"
	}
	now := s.now().UTC().Truncate(time.Microsecond)
	if _, err := s.w.ExecContext(ctx, qUpdateContact, c.Phone, c.FirstName, c.LastName, c.Email, c.Language, c.TimeZone,
		c.Fields, strings.Join(c.Tags, ","), externalIDArg(c.ExternalID), s.timeArg(now), c.AccountID, c.ID); err != nil {
		return fmt.Errorf("store: update contact %d of account %d: %w", c.ID, c.AccountID, mapErr(err))
	}
	got, err := s.ContactByID(ctx, c.AccountID, c.ID)
	if err != nil {
		return err
	}
	*c = got
	return nil
}

// DeleteContact erases account accountID's contact id: its row (every
// personal field with it) and its list memberships, in one transaction.
// Messages sent to it keep their destination as sent. A contact the
// account does not have is [ErrNotFound].
func (s *Store) DeleteContact(ctx context.Context, accountID, id int64) error {
	tx, err := s.w.BeginTxx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: delete contact %d: %w", id, mapErr(err))
	}
	defer tx.Rollback()
	res, err := tx.ExecContext(ctx, qDeleteContact, accountID, id)
	if err != nil {
		return fmt.Errorf("store: delete contact %d: %w", id, mapErr(err))
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		if err == nil {
			err = ErrNotFound
		} else {
			err = mapErr(err)
		}
		return fmt.Errorf("store: delete contact %d of account %d: %w", id, accountID, err)
	}
	// The contact was the account's, so its memberships are too.
	if _, err := tx.ExecContext(ctx, qDeleteContactMembers, id); err != nil {
		return fmt.Errorf("store: delete contact %d: memberships: %w", id, mapErr(err))
	}
	// The short links sent to it (a URL may carry its fields) and their
	// click log; the campaigns' counters keep their totals.
	for _, q := range []string{qDeleteContactClicks, qDeleteContactLinks} {
		if _, err := tx.ExecContext(ctx, q, accountID, id); err != nil {
			return fmt.Errorf("store: delete contact %d: links: %w", id, mapErr(err))
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("store: delete contact %d: %w", id, mapErr(err))
	}
	return nil
}

// MaxContactsPage bounds a page of [Store.Contacts].
const MaxContactsPage = 1000

// ContactFilter selects an account's contacts for [Store.Contacts]. The
// conditions set are all applied.
type ContactFilter struct {
	// After is the cursor: contacts with a greater id (0: from the first).
	After int64
	// Limit is the page size, 1 to [MaxContactsPage].
	Limit int
	// PhonePrefix keeps phones starting with these digits (digits only).
	PhonePrefix string
	// FirstPrefix and LastPrefix keep contacts whose first (last) name
	// starts with them, ignoring ASCII case. With Either, a contact
	// matching FirstPrefix on either name is kept (LastPrefix unused).
	FirstPrefix, LastPrefix string
	Either                  bool
	// Tag keeps contacts with this exact tag (a whole tag, case and all).
	Tag string
	// ListID keeps the members of the account's list ListID (a list of
	// another account, or none, is [ErrNotFound]).
	ListID int64
	// SegmentID keeps the contacts in the account's segment SegmentID
	// (see [Store.SegmentCondition]; none is [ErrNotFound]).
	SegmentID int64
}

// likeEscape escapes s for a LIKE pattern with ESCAPE '!'.
func likeEscape(s string) string {
	return strings.NewReplacer("!", "!!", "%", "!%", "_", "!_").Replace(s)
}

// Contacts returns a page of account accountID's contacts matching f in
// id order, and the cursor of the next page (0 on the last). It reads
// the account's contacts by id (through the list's members when
// f.ListID is set), never more than needed for the page.
func (s *Store) Contacts(ctx context.Context, accountID int64, f ContactFilter) ([]Contact, int64, error) {
	if f.Limit < 1 || f.Limit > MaxContactsPage {
		return nil, 0, fmt.Errorf("%w: contacts limit %d not in 1..%d", ErrInvalid, f.Limit, MaxContactsPage)
	}
	var q strings.Builder
	args := make([]any, 0, 8)
	q.WriteString("SELECT " + contactColumns)
	if f.ListID != 0 {
		if err := s.listOwned(ctx, accountID, f.ListID); err != nil {
			return nil, 0, err
		}
		q.WriteString(" FROM contact_list_members m JOIN contacts c ON c.id = m.contact_id" +
			" WHERE m.list_id = ? AND m.contact_id > ? AND c.account_id = ?")
		args = append(args, f.ListID, f.After, accountID)
	} else {
		q.WriteString(" FROM contacts c WHERE c.account_id = ? AND c.id > ?")
		args = append(args, accountID, f.After)
	}
	if f.PhonePrefix != "" {
		// A range, which both stores answer from the (account_id, phone)
		// index (SQLite's case-insensitive LIKE would not use it).
		// Phones are digits, and ':' follows '9'.
		q.WriteString(" AND c.phone >= ? AND c.phone < ?")
		args = append(args, f.PhonePrefix, f.PhonePrefix+":")
	}
	switch {
	case f.Either && f.FirstPrefix != "":
		q.WriteString(" AND (LOWER(c.first_name) LIKE ? ESCAPE '!' OR LOWER(c.last_name) LIKE ? ESCAPE '!')")
		p := likeEscape(strings.ToLower(f.FirstPrefix)) + "%"
		args = append(args, p, p)
	default:
		if f.FirstPrefix != "" {
			q.WriteString(" AND LOWER(c.first_name) LIKE ? ESCAPE '!'")
			args = append(args, likeEscape(strings.ToLower(f.FirstPrefix))+"%")
		}
		if f.LastPrefix != "" {
			q.WriteString(" AND LOWER(c.last_name) LIKE ? ESCAPE '!'")
			args = append(args, likeEscape(strings.ToLower(f.LastPrefix))+"%")
		}
	}
	if f.Tag != "" {
		// A whole tag: ",tag," inside ",tags,", compared byte for byte.
		if s.d == dialectMySQL {
			q.WriteString(" AND LOCATE(?, CONCAT(',', c.tags, ',')) > 0")
		} else {
			q.WriteString(" AND instr(',' || c.tags || ',', ?) > 0")
		}
		args = append(args, ","+f.Tag+",")
	}
	if f.SegmentID != 0 {
		cond, cargs, err := s.SegmentCondition(ctx, accountID, f.SegmentID)
		if err != nil {
			return nil, 0, err
		}
		q.WriteString(" AND (" + cond + ")")
		args = append(args, cargs...)
	}
	if f.ListID != 0 {
		q.WriteString(" ORDER BY m.contact_id LIMIT ?")
	} else {
		q.WriteString(" ORDER BY c.id LIMIT ?")
	}
	args = append(args, f.Limit+1)
	var rows []contactRow
	if err := s.r.SelectContext(ctx, &rows, q.String(), args...); err != nil {
		return nil, 0, fmt.Errorf("store: contacts of account %d: %w", accountID, mapErr(err))
	}
	var next int64
	if len(rows) > f.Limit {
		rows = rows[:f.Limit]
		next = rows[f.Limit-1].ID
	}
	out := make([]Contact, len(rows))
	for i := range rows {
		out[i] = rows[i].contact()
	}
	return out, next, nil
}

// lastMessageWindow bounds the messages [Store.LastMessageTimes] reads on
// SQLite, which has no (account, destination) index on messages (0008
// dropped it for the writer's sake): there the answer is found among the
// account's newest 50,000 messages only.
const lastMessageWindow = 50_000

// maxLastMessagePhones bounds one [Store.LastMessageTimes] call.
const maxLastMessagePhones = MaxContactsPage

// LastMessageTimes returns when account accountID last sent a message to
// each of phones (E.164 digits), for those it ever did: one query. On
// MySQL it walks the (account_id, dst_addr, id) index, one probe per
// phone; on SQLite it looks among the account's newest 50,000 messages
// only (lastMessageWindow), so an older last message is not reported.
func (s *Store) LastMessageTimes(ctx context.Context, accountID int64, phones []string) (map[string]time.Time, error) {
	out := make(map[string]time.Time, len(phones))
	if len(phones) == 0 {
		return out, nil
	}
	if len(phones) > maxLastMessagePhones {
		return nil, fmt.Errorf("%w: %d phones, at most %d", ErrInvalid, len(phones), maxLastMessagePhones)
	}
	in := "(?" + strings.Repeat(",?", len(phones)-1) + ")"
	var inner string
	args := make([]any, 0, len(phones)+2)
	args = append(args, accountID)
	if s.d == dialectMySQL {
		inner = "SELECT dst_addr, MAX(id) AS id FROM messages WHERE account_id = ? AND dst_addr IN " + in + " GROUP BY dst_addr"
	} else {
		inner = "SELECT dst_addr, MAX(id) AS id FROM (SELECT id, dst_addr FROM messages WHERE account_id = ? " +
			"ORDER BY id DESC LIMIT ?) WHERE dst_addr IN " + in + " GROUP BY dst_addr"
		args = append(args, lastMessageWindow)
	}
	for _, p := range phones {
		args = append(args, p)
	}
	var rows []struct {
		Dst string `db:"dst_addr"`
		At  dbTime `db:"created_at"`
	}
	q := "SELECT m.dst_addr, m.created_at FROM messages m JOIN (" + inner + ") x ON m.id = x.id"
	if err := s.r.SelectContext(ctx, &rows, q, args...); err != nil {
		return nil, fmt.Errorf("store: last messages of account %d: %w", accountID, mapErr(err))
	}
	for _, r := range rows {
		out[r.Dst] = r.At.Time
	}
	return out, nil
}

// ContactDefaultCountry returns account accountID's default country for
// contacts (ISO 3166 alpha-2), "" when it has set none.
func (s *Store) ContactDefaultCountry(ctx context.Context, accountID int64) (string, error) {
	var c string
	err := s.r.GetContext(ctx, &c, "SELECT default_country FROM contact_settings WHERE account_id = ?", accountID)
	if errors.Is(mapErr(err), ErrNotFound) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("store: contact settings of account %d: %w", accountID, mapErr(err))
	}
	return c, nil
}

// SetContactDefaultCountry sets account accountID's default country for
// contacts ("" clears it). The caller checks the code.
func (s *Store) SetContactDefaultCountry(ctx context.Context, accountID int64, country string) error {
	if len(country) > 2 {
		return fmt.Errorf("%w: country %q", ErrInvalid, country)
	}
	now := s.timeArg(s.now())
	q := "INSERT INTO contact_settings (account_id, default_country, updated_at) VALUES (?, ?, ?) " +
		"ON CONFLICT (account_id) DO UPDATE SET default_country = excluded.default_country, updated_at = excluded.updated_at"
	if s.d == dialectMySQL {
		q = "INSERT INTO contact_settings (account_id, default_country, updated_at) VALUES (?, ?, ?) " +
			"ON DUPLICATE KEY UPDATE default_country = VALUES(default_country), updated_at = VALUES(updated_at)"
	}
	if _, err := s.w.ExecContext(ctx, q, accountID, country, now); err != nil {
		return fmt.Errorf("store: set contact settings of account %d: %w", accountID, mapErr(err))
	}
	return nil
}

// OptedOutNumbers returns which of numbers (E.164 digits, at most
// [MaxContactsPage]) have opted out of account accountID's messages or
// platform-wide, by the newest ledger row of each (scope 1 or 2): one
// query over the (account_id, number, id) index. Opt-outs from one sender
// (scope 3) do not count.
func (s *Store) OptedOutNumbers(ctx context.Context, accountID int64, numbers []string) (map[string]bool, error) {
	out := make(map[string]bool)
	if len(numbers) == 0 {
		return out, nil
	}
	if len(numbers) > MaxContactsPage {
		return nil, fmt.Errorf("%w: %d numbers, at most %d", ErrInvalid, len(numbers), MaxContactsPage)
	}
	in := "(?" + strings.Repeat(",?", len(numbers)-1) + ")"
	args := make([]any, 0, 2*len(numbers)+1)
	for _, n := range numbers {
		args = append(args, n)
	}
	args = append(args, accountID)
	for _, n := range numbers {
		args = append(args, n)
	}
	q := "SELECT o.number, o.opted_out FROM opt_outs o JOIN (" +
		"SELECT MAX(id) AS id FROM opt_outs WHERE account_id = 0 AND scope = 1 AND number IN " + in + " GROUP BY number " +
		"UNION ALL SELECT MAX(id) AS id FROM opt_outs WHERE account_id = ? AND scope = 2 AND number IN " + in + " GROUP BY number" +
		") x ON o.id = x.id"
	var rows []struct {
		Number   string `db:"number"`
		OptedOut bool   `db:"opted_out"`
	}
	if err := s.r.SelectContext(ctx, &rows, q, args...); err != nil {
		return nil, fmt.Errorf("store: opted-out numbers of account %d: %w", accountID, mapErr(err))
	}
	for _, r := range rows {
		if r.OptedOut {
			out[r.Number] = true
		}
	}
	return out, nil
}
