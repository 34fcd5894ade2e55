package store

import (
	"fmt"
	"strings"
	"time"

	"github.com/gallant-sms/gallant/sms"
)

// Table describes a table the [Writer] can insert into: its name and the
// columns a row supplies, in order. The store's built-in tables have
// unexported descriptors; other packages (billing's ledger, for one) make
// theirs once with [NewTable], keep it in a package-level variable, and
// return it from their rows' [Record.Table]. The table itself must exist:
// its CREATE TABLE belongs in the store's migrations, which own the schema.
// A Table is immutable and safe to share.
type Table struct {
	name    string
	columns []string
	// prefix is "INSERT INTO `name` (`c1`,`c2`,...) VALUES ".
	prefix string
	// conflict, when set, is appended to an INSERT that is retried after an
	// error that leaves unknown whether the first attempt committed (a
	// connection lost during COMMIT): rows of this table are identified by
	// their first column, so a row already stored is skipped instead of
	// failing the batch with a duplicate key.
	conflict [2]string
}

// NewTable returns the descriptor of table name with the given columns.
// Names must be identifiers: a letter or underscore, then letters, digits
// or underscores, at most 64 characters.
func NewTable(name string, columns ...string) (*Table, error) {
	if !identifier(name) {
		return nil, fmt.Errorf("%w: table name %q", ErrInvalid, name)
	}
	if len(columns) == 0 {
		return nil, fmt.Errorf("%w: table %s has no columns", ErrInvalid, name)
	}
	seen := make(map[string]bool, len(columns))
	var b strings.Builder
	b.WriteString("INSERT INTO `")
	b.WriteString(name)
	b.WriteString("` (")
	for i, c := range columns {
		if !identifier(c) || seen[c] {
			return nil, fmt.Errorf("%w: table %s: column %q", ErrInvalid, name, c)
		}
		seen[c] = true
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteByte('`')
		b.WriteString(c)
		b.WriteByte('`')
	}
	b.WriteString(") VALUES ")
	return &Table{name: name, columns: append([]string(nil), columns...), prefix: b.String()}, nil
}

// Name returns the table's name.
func (t *Table) Name() string { return t.name }

// Columns returns a copy of the table's column names.
func (t *Table) Columns() []string { return append([]string(nil), t.columns...) }

// mustTable builds a built-in table descriptor; its arguments are constants.
func mustTable(name string, keyed bool, columns ...string) *Table {
	t, err := NewTable(name, columns...)
	if err != nil {
		panic("store: BUG: built-in table: " + err.Error())
	}
	if keyed {
		t.conflict[dialectSQLite-1] = " ON CONFLICT DO NOTHING"
		t.conflict[dialectMySQL-1] = " ON DUPLICATE KEY UPDATE `" + columns[0] + "`=`" + columns[0] + "`"
	}
	return t
}

func identifier(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '_', c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z':
		case c >= '0' && c <= '9' && i > 0:
		default:
			return false
		}
	}
	return true
}

// Record is implemented by rows of tables defined outside the store with
// [NewTable]. Implement it on a pointer type; the Writer keeps the pointer
// until the row's Committer has been told, so do not modify the row before
// then.
type Record interface {
	// Table returns the row's table; every row of a type returns the same
	// *Table.
	Table() *Table
	// AppendValues appends the row's values to v, one call per column in
	// the table's column order.
	AppendValues(v *Values)
}

// Row is a row for [Writer.Add] and [Store.Insert]. It is one of the
// pointer types
//
//   - *sms.Message (table messages),
//   - *Event (message_events),
//   - *sms.MO (mo_messages),
//   - *HeldReceipt (held_receipts),
//   - *WebhookAttempt (webhook_attempts),
//   - *OptOut (opt_outs),
//   - *Contact (contacts; see [Store.UpsertContacts]),
//
// or any type implementing [Record]. Other values are refused with
// [ErrUnknownRow].
type Row any

// tableOf returns the table a row goes to.
func tableOf(row Row) (*Table, error) {
	switch r := row.(type) {
	case *sms.Message:
		if r != nil {
			return messagesTable, nil
		}
	case *Event:
		if r != nil {
			return eventsTable, nil
		}
	case *sms.MO:
		if r != nil {
			return moTable, nil
		}
	case *HeldReceipt:
		if r != nil {
			return heldReceiptsTable, nil
		}
	case *WebhookAttempt:
		if r != nil {
			return webhookAttemptsTable, nil
		}
	case *OptOut:
		if r != nil {
			return optOutsTable, nil
		}
	case *Contact:
		if r != nil {
			return contactsTable, nil
		}
	case Record:
		if t := r.Table(); t != nil {
			return t, nil
		}
	}
	return nil, fmt.Errorf("%w: %T", ErrUnknownRow, row)
}

// appendRow appends row's values to v. now stands in for a zero creation
// time of a built-in row.
func appendRow(v *Values, row Row, now time.Time) {
	switch r := row.(type) {
	case *sms.Message:
		appendMessage(v, r, now)
	case *Event:
		appendEvent(v, r, now)
	case *sms.MO:
		appendMO(v, r, now)
	case *HeldReceipt:
		appendHeldReceipt(v, r, now)
	case *WebhookAttempt:
		appendWebhookAttempt(v, r, now)
	case *OptOut:
		appendOptOut(v, r, now)
	case *Contact:
		appendContact(v, r, now)
	case Record:
		r.AppendValues(v)
	}
}
