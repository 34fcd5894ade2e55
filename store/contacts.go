package store

import (
	"context"
	"fmt"
	"strings"
	"time"
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
	Fields    string
	Tags      []string
	CreatedAt time.Time // zero: when written
	UpdatedAt time.Time // zero: when written
}

// Column bounds of the contacts table.
const (
	maxContactPhone = 20
	maxContactName  = 100
	maxContactEmail = 254
	maxContactTags  = 1024
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
	case len(c.FirstName) > maxContactName || len(c.LastName) > maxContactName || len(c.Email) > maxContactEmail:
		return fmt.Errorf("%w: contact %s: a name or the email is too long", ErrInvalid, c.Phone)
	case len(strings.Join(c.Tags, ",")) > maxContactTags:
		return fmt.Errorf("%w: contact %s: tags longer than %d bytes", ErrInvalid, c.Phone, maxContactTags)
	}
	return nil
}

// UpsertContacts stores contacts of account accountID in one
// transaction: new phones are inserted, known ones have their fields
// replaced (keeping id and creation time). It returns how many were new
// and how many updated. Each phone may appear once.
func (s *Store) UpsertContacts(ctx context.Context, accountID int64, contacts []Contact) (inserted, updated int, err error) {
	if len(contacts) == 0 {
		return 0, 0, nil
	}
	entries := make([]entry, len(contacts))
	phones := make([]string, len(contacts))
	for i := range contacts {
		c := &contacts[i]
		c.AccountID = accountID
		if err := checkContact(c); err != nil {
			return 0, 0, err
		}
		entries[i] = entry{row: c, table: contactsTable}
		phones[i] = c.Phone
	}
	tx, err := s.w.BeginTxx(ctx, nil)
	if err != nil {
		return 0, 0, fmt.Errorf("store: upsert contacts: %w", mapErr(err))
	}
	defer tx.Rollback()
	q := "SELECT COUNT(*) FROM contacts WHERE account_id = ? AND phone IN (?" + strings.Repeat(",?", len(phones)-1) + ")"
	args := make([]any, 0, len(phones)+1)
	args = append(args, accountID)
	for _, p := range phones {
		args = append(args, p)
	}
	var known int
	if err := tx.GetContext(ctx, &known, q, args...); err != nil {
		return 0, 0, fmt.Errorf("store: upsert contacts: %w", mapErr(err))
	}
	b := newBuilder(s.d, defaultMaxStatementBytes)
	b.build(entries, s.now(), true) // with the upsert clause
	for _, st := range b.stmts {
		if _, err := tx.ExecContext(ctx, string(b.v.buf[st.start:st.end])); err != nil {
			return 0, 0, fmt.Errorf("store: upsert contacts: %w", mapErr(err))
		}
	}
	if err := tx.Commit(); err != nil {
		return 0, 0, fmt.Errorf("store: upsert contacts: %w", mapErr(err))
	}
	return len(contacts) - known, known, nil
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
	var r struct {
		ID        int64  `db:"id"`
		AccountID int64  `db:"account_id"`
		Phone     string `db:"phone"`
		FirstName string `db:"first_name"`
		LastName  string `db:"last_name"`
		Email     string `db:"email"`
		Language  string `db:"language"`
		TimeZone  string `db:"time_zone"`
		Fields    string `db:"fields"`
		Tags      string `db:"tags"`
		CreatedAt dbTime `db:"created_at"`
		UpdatedAt dbTime `db:"updated_at"`
	}
	err := s.r.GetContext(ctx, &r, "SELECT id, account_id, phone, first_name, last_name, email, language, time_zone, "+
		"fields, tags, created_at, updated_at FROM contacts WHERE account_id = ? AND phone = ?", accountID, phone)
	if err != nil {
		return Contact{}, fmt.Errorf("store: contact %s: %w", phone, mapErr(err))
	}
	return Contact{ID: r.ID, AccountID: r.AccountID, Phone: r.Phone, FirstName: r.FirstName, LastName: r.LastName,
		Email: r.Email, Language: r.Language, TimeZone: r.TimeZone, Fields: r.Fields, Tags: splitWords(r.Tags, ","),
		CreatedAt: r.CreatedAt.Time, UpdatedAt: r.UpdatedAt.Time}, nil
}
