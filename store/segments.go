package store

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gallant-sms/gallant/sms"
)

// Segment is a saved filter over an account's contacts: a name and its
// rules, kept as JSON ([SegmentRules]).
type Segment struct {
	ID        int64
	AccountID int64
	Name      string
	Rules     SegmentRules
	CreatedAt time.Time
	UpdatedAt time.Time
}

// SegmentRules are a segment's conditions, joined by Match: "all" (AND,
// the default) or "any" (OR). No conditions match every contact.
type SegmentRules struct {
	Match      string             `json:"match"`
	Conditions []SegmentCondition `json:"conditions"`
}

// SegmentCondition is one test on a contact: a field, an operator and,
// for most operators, a value (a string, a number or a boolean as the
// field's type wants).
//
// Fields and their operators:
//   - phone, first_name, last_name, email, language, time_zone: eq, neq,
//     contains, starts_with (contains and starts_with ignore ASCII case;
//     phone's starts_with is a digit prefix), empty, not_empty.
//   - field.NAME, a declared custom field: text fields as above; number:
//     eq, neq, lt, gt, empty, not_empty; date (YYYY-MM-DD): before, after,
//     within_last_days, empty, not_empty; boolean: is (true or false;
//     missing is false).
//   - tags: has, has_not (a whole tag).
//   - list: in_list, not_in_list (a list id).
//   - created_at: within_last_days.
//   - sent, delivered, replied: within_last_days (a message was sent to the
//     contact, one was delivered to it, it sent one to the account).
//   - opted_out: is (true or false): the contact's number is opted out of
//     the account or of the whole platform (sender-scoped opt-outs do not
//     count).
type SegmentCondition struct {
	Field string          `json:"field"`
	Op    string          `json:"op"`
	Value json.RawMessage `json:"value,omitempty"`
}

// Limits on segment rules.
const (
	MaxSegmentConditions = 50
	MaxSegmentValue      = 256   // bytes of a text value
	MaxSegmentDays       = 36500 // within_last_days
	maxSegmentName       = 100
	maxSegmentRulesBytes = 64 << 10
)

// SegmentProblem is one thing wrong with a rule set: the condition at
// fault (its index, -1 for the rules as a whole) and why.
type SegmentProblem struct {
	Index  int    `json:"index"`
	Field  string `json:"field,omitempty"`
	Detail string `json:"detail"`
}

// SegmentRulesError lists what is wrong with a rule set. It wraps
// [ErrInvalid].
type SegmentRulesError struct{ Problems []SegmentProblem }

// Error joins the problems.
func (e *SegmentRulesError) Error() string {
	parts := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		if p.Index >= 0 {
			parts[i] = fmt.Sprintf("conditions[%d]: %s", p.Index, p.Detail)
		} else {
			parts[i] = p.Detail
		}
	}
	return "store: invalid segment rules: " + strings.Join(parts, "; ")
}

// Unwrap makes the error an [ErrInvalid].
func (e *SegmentRulesError) Unwrap() error { return ErrInvalid }

// segBuiltinText are the contacts columns a text condition may test.
var segBuiltinText = map[string]bool{"phone": true, "first_name": true, "last_name": true, "email": true,
	"language": true, "time_zone": true}

// segTextOps are the operators of a text field.
var segTextOps = map[string]bool{"eq": true, "neq": true, "contains": true, "starts_with": true, "empty": true, "not_empty": true}

// segmentCompiler turns rules into SQL in one store's dialect.
type segmentCompiler struct {
	s       *Store
	account int64
	fields  map[string]string // custom field name -> type
	lists   map[int64]bool    // the account's list ids, loaded when a rule names one
	// saved: compiling a stored segment for use, where a list deleted
	// since matches no one instead of being a problem.
	saved bool
	now   time.Time
	args  []any
	probs []SegmentProblem
}

// ParseSegmentRules decodes a JSON rule set (without checking it against
// an account: see [Store.CheckSegmentRules]).
func ParseSegmentRules(b []byte) (SegmentRules, error) {
	var r SegmentRules
	if len(b) > maxSegmentRulesBytes {
		return r, &SegmentRulesError{[]SegmentProblem{{Index: -1, Detail: fmt.Sprintf("the rules exceed %d bytes", maxSegmentRulesBytes)}}}
	}
	d := json.NewDecoder(strings.NewReader(string(b)))
	d.DisallowUnknownFields()
	if err := d.Decode(&r); err != nil {
		return r, &SegmentRulesError{[]SegmentProblem{{Index: -1, Detail: "the rules are not a JSON object of match and conditions: " + err.Error()}}}
	}
	return r, nil
}

// CheckSegmentRules checks rules against account accountID's declared
// fields and lists: a [*SegmentRulesError] lists every problem.
func (s *Store) CheckSegmentRules(ctx context.Context, accountID int64, r SegmentRules) error {
	_, _, err := s.compileSegment(ctx, accountID, r, false)
	return err
}

// SegmentRulesCondition is [Store.SegmentCondition] for rules not saved
// (a preview).
func (s *Store) SegmentRulesCondition(ctx context.Context, accountID int64, r SegmentRules) (string, []any, error) {
	return s.compileSegment(ctx, accountID, r, false)
}

// SegmentCondition returns segment segmentID of account accountID as a
// SQL boolean condition over the contacts table aliased "c" (for
// "SELECT ... FROM contacts c WHERE c.account_id = ? AND (<cond>)"),
// with its arguments, in this store's dialect. A segment that does not
// exist is [ErrNotFound]; one whose rules no longer fit the account (a
// custom field undeclared since) is a [*SegmentRulesError]; a list
// deleted since has no members.
//
// Cost: field, tag, list and opt-out conditions are index lookups per
// contact. On MySQL sent/delivered are an EXISTS per contact over
// messages_account_dst; on SQLite (no such index, migration 0008) they
// are one pass over the account's messages of the window per statement,
// so a caller paging a large audience with such a condition should
// materialize it once rather than evaluate it per page. User values
// are always bound arguments. Time windows are relative to the call.
func (s *Store) SegmentCondition(ctx context.Context, accountID, segmentID int64) (string, []any, error) {
	seg, err := s.GetSegment(ctx, accountID, segmentID)
	if err != nil {
		return "", nil, err
	}
	return s.compileSegment(ctx, accountID, seg.Rules, true)
}

func (s *Store) compileSegment(ctx context.Context, accountID int64, r SegmentRules, saved bool) (string, []any, error) {
	c := &segmentCompiler{s: s, account: accountID, now: s.now().UTC(), saved: saved}
	switch r.Match {
	case "", "all", "any":
	default:
		c.probs = append(c.probs, SegmentProblem{Index: -1, Detail: `match must be "all" or "any"`})
	}
	if len(r.Conditions) > MaxSegmentConditions {
		c.probs = append(c.probs, SegmentProblem{Index: -1, Detail: fmt.Sprintf("at most %d conditions", MaxSegmentConditions)})
		return "", nil, &SegmentRulesError{c.probs}
	}
	for _, cond := range r.Conditions {
		if strings.HasPrefix(cond.Field, "field.") && c.fields == nil {
			fs, err := s.ContactFields(ctx, accountID)
			if err != nil {
				return "", nil, err
			}
			c.fields = make(map[string]string, len(fs))
			for _, f := range fs {
				c.fields[f.Name] = f.Type
			}
		}
		if cond.Field == "list" && c.lists == nil && !saved {
			var ids []int64
			if err := s.r.SelectContext(ctx, &ids, "SELECT id FROM contact_lists WHERE account_id = ?", accountID); err != nil {
				return "", nil, fmt.Errorf("store: segment lists: %w", mapErr(err))
			}
			c.lists = make(map[int64]bool, len(ids))
			for _, id := range ids {
				c.lists[id] = true
			}
		}
	}
	parts := make([]string, 0, len(r.Conditions))
	for i, cond := range r.Conditions {
		if sql := c.condition(i, cond); sql != "" {
			parts = append(parts, "("+sql+")")
		}
	}
	if len(c.probs) > 0 {
		return "", nil, &SegmentRulesError{c.probs}
	}
	if len(parts) == 0 {
		return "1=1", nil, nil
	}
	join := " AND "
	if r.Match == "any" {
		join = " OR "
	}
	return strings.Join(parts, join), c.args, nil
}

func (c *segmentCompiler) fail(i int, field, format string, a ...any) string {
	c.probs = append(c.probs, SegmentProblem{Index: i, Field: field, Detail: fmt.Sprintf(format, a...)})
	return ""
}

// str decodes a text value.
func (c *segmentCompiler) str(i int, cond SegmentCondition) (string, bool) {
	var v string
	if err := json.Unmarshal(cond.Value, &v); err != nil {
		c.fail(i, cond.Field, "operator %s wants a text value", cond.Op)
		return "", false
	}
	if len(v) > MaxSegmentValue || !utf8.ValidString(v) {
		c.fail(i, cond.Field, "a value is valid UTF-8 of at most %d bytes", MaxSegmentValue)
		return "", false
	}
	return v, true
}

// days decodes a within_last_days value.
func (c *segmentCompiler) days(i int, cond SegmentCondition) (int, bool) {
	var n int
	if err := json.Unmarshal(cond.Value, &n); err != nil || n < 1 || n > MaxSegmentDays {
		c.fail(i, cond.Field, "within_last_days wants a whole number of days from 1 to %d", MaxSegmentDays)
		return 0, false
	}
	return n, true
}

// boolean decodes an "is" value.
func (c *segmentCompiler) boolean(i int, cond SegmentCondition) (bool, bool) {
	var b bool
	if err := json.Unmarshal(cond.Value, &b); err != nil {
		c.fail(i, cond.Field, "operator is wants true or false")
		return false, false
	}
	return b, true
}

func (c *segmentCompiler) arg(a ...any) { c.args = append(c.args, a...) }

func (c *segmentCompiler) lower(x string) string { return "LOWER(" + x + ")" }

// text compiles a text operator over the SQL expression x (never NULL).
func (c *segmentCompiler) text(i int, cond SegmentCondition, x string) string {
	if !segTextOps[cond.Op] {
		return c.fail(i, cond.Field, "operator %q does not apply to a text field (eq, neq, contains, starts_with, empty, not_empty)", cond.Op)
	}
	switch cond.Op {
	case "empty":
		return x + " = ''"
	case "not_empty":
		return x + " <> ''"
	}
	v, ok := c.str(i, cond)
	if !ok {
		return ""
	}
	switch cond.Op {
	case "eq":
		c.arg(v)
		return x + " = ?"
	case "neq":
		c.arg(v)
		return x + " <> ?"
	case "contains":
		c.arg(strings.ToLower(v))
		return "INSTR(" + c.lower(x) + ", ?) > 0"
	default: // starts_with
		if v == "" {
			return "1=1"
		}
		c.arg(utf8.RuneCountInString(v), strings.ToLower(v))
		return "SUBSTR(" + c.lower(x) + ", 1, ?) = ?"
	}
}

// condition compiles condition i, or records its problem and returns "".
func (c *segmentCompiler) condition(i int, cond SegmentCondition) string {
	f := cond.Field
	switch {
	case f == "phone" && cond.Op == "starts_with":
		v, ok := c.str(i, cond)
		if !ok {
			return ""
		}
		v = strings.TrimPrefix(v, "+")
		if v == "" || strings.Trim(v, "0123456789") != "" {
			return c.fail(i, f, "a phone prefix is digits")
		}
		// A range over the (account_id, phone) index: ':' follows '9'.
		c.arg(v, v+":")
		return "c.phone >= ? AND c.phone < ?"
	case segBuiltinText[f]:
		return c.text(i, cond, "c."+f)
	case strings.HasPrefix(f, "field."):
		return c.custom(i, cond, strings.TrimPrefix(f, "field."))
	case f == "tags":
		v, ok := "", false
		if cond.Op == "has" || cond.Op == "has_not" {
			v, ok = c.str(i, cond)
		} else {
			return c.fail(i, f, "tags take has or has_not")
		}
		if !ok {
			return ""
		}
		if v == "" || strings.ContainsRune(v, ',') {
			return c.fail(i, f, "a tag is not empty and has no comma")
		}
		c.arg("," + v + ",")
		x := "INSTR(" + c.concat("','", "c.tags", "','") + ", ?) > 0"
		if cond.Op == "has_not" {
			return "NOT " + x
		}
		return x
	case f == "list":
		if cond.Op != "in_list" && cond.Op != "not_in_list" {
			return c.fail(i, f, "list takes in_list or not_in_list")
		}
		var id int64
		if err := json.Unmarshal(cond.Value, &id); err != nil || (!c.lists[id] && !c.saved) {
			return c.fail(i, f, "the value is not the id of one of the account's lists")
		}
		c.arg(id)
		x := "EXISTS (SELECT 1 FROM contact_list_members lm WHERE lm.list_id = ? AND lm.contact_id = c.id)"
		if cond.Op == "not_in_list" {
			return "NOT " + x
		}
		return x
	case f == "created_at":
		if cond.Op != "within_last_days" {
			return c.fail(i, f, "created_at takes within_last_days")
		}
		n, ok := c.days(i, cond)
		if !ok {
			return ""
		}
		c.arg(c.s.timeArg(c.now.Add(-time.Duration(n) * 24 * time.Hour)))
		return "c.created_at >= ?"
	case f == "sent" || f == "delivered" || f == "replied":
		if cond.Op != "within_last_days" {
			return c.fail(i, f, "%s takes within_last_days", f)
		}
		n, ok := c.days(i, cond)
		if !ok {
			return ""
		}
		return c.activity(f, c.now.Add(-time.Duration(n)*24*time.Hour))
	case f == "opted_out":
		if cond.Op != "is" {
			return c.fail(i, f, "opted_out takes is")
		}
		b, ok := c.boolean(i, cond)
		if !ok {
			return ""
		}
		// The newest ledger row of the number at account scope (2) or
		// platform scope (1, account 0) says it is opted out.
		x := "COALESCE((SELECT o.opted_out FROM opt_outs o WHERE o.account_id = c.account_id AND o.number = c.phone " +
			"AND o.scope = 2 ORDER BY o.id DESC LIMIT 1), 0) = 1 OR COALESCE((SELECT o.opted_out FROM opt_outs o " +
			"WHERE o.account_id = 0 AND o.number = c.phone AND o.scope = 1 ORDER BY o.id DESC LIMIT 1), 0) = 1"
		if !b {
			return "NOT (" + x + ")"
		}
		return x
	case f == "":
		return c.fail(i, f, "a condition needs a field")
	default:
		return c.fail(i, f, "unknown field %q (phone, first_name, last_name, email, language, time_zone, field.NAME, tags, list, created_at, sent, delivered, replied, opted_out)", segClipName(f))
	}
}

// concat joins SQL string expressions in the store's dialect.
func (c *segmentCompiler) concat(xs ...string) string {
	if c.s.d == dialectMySQL {
		return "CONCAT(" + strings.Join(xs, ", ") + ")"
	}
	return "(" + strings.Join(xs, " || ") + ")"
}

// activity compiles "a message was sent/delivered to the contact, or it
// replied, since since". Message ids start with their time (sms.ID), so
// a lower id bound walks only the window's messages of the account.
func (c *segmentCompiler) activity(f string, since time.Time) string {
	if f == "replied" {
		// mo_messages_sender (account_id, src_addr, id) on both dialects.
		c.arg(c.s.timeArg(since))
		return "EXISTS (SELECT 1 FROM mo_messages r WHERE r.account_id = c.account_id AND r.src_addr = c.phone AND r.received_at >= ?)"
	}
	minID := segIDFloor(since)
	delivered := ""
	if f == "delivered" {
		delivered = " AND EXISTS (SELECT 1 FROM message_events e WHERE e.message_id = m.id AND e.status = " +
			strconv.Itoa(int(sms.StatusDelivered)) + ")"
	}
	if c.s.d == dialectMySQL {
		// messages_account_dst (account_id, dst_addr, id).
		c.arg(c.s.idArg(minID), c.s.timeArg(since))
		return "EXISTS (SELECT 1 FROM messages m WHERE m.account_id = c.account_id AND m.dst_addr = c.phone AND m.id >= ? " +
			"AND m.created_at >= ?" + delivered + ")"
	}
	// SQLite has no (account_id, dst_addr) index (migration 0008): the
	// window's messages of the account, through messages_account, once.
	c.arg(c.account, c.s.idArg(minID), c.s.timeArg(since))
	return "c.phone IN (SELECT m.dst_addr FROM messages m WHERE m.account_id = ? AND m.id >= ? AND m.created_at >= ?" + delivered + ")"
}

// segIDFloor is the smallest message id generated at or after t.
func segIDFloor(t time.Time) sms.ID {
	ms := t.Sub(sms.Epoch).Milliseconds()
	if ms < 0 {
		return 0
	}
	return sms.ID(uint64(ms) << (sms.NodeBits + sms.SeqBits))
}

// custom compiles a condition on a declared custom field.
func (c *segmentCompiler) custom(i int, cond SegmentCondition, name string) string {
	typ, ok := c.fields[name]
	if !ok {
		return c.fail(i, cond.Field, "unknown custom field %q: declare it first", segClipName(name))
	}
	path, _ := json.Marshal(name)
	c.arg("$." + string(path))
	var v string // the value as text, NULL when missing
	if c.s.d == dialectMySQL {
		v = "JSON_VALUE(c.fields, ?)"
	} else {
		v = "json_extract(c.fields, ?)"
	}
	argsBefore := len(c.args)
	undo := func() string { c.args = c.args[:argsBefore-1]; return "" }
	switch typ {
	case "number":
		switch cond.Op {
		case "empty":
			return "COALESCE(" + v + ", '') = ''"
		case "not_empty":
			return "COALESCE(" + v + ", '') <> ''"
		case "eq", "neq", "lt", "gt":
		default:
			undo()
			return c.fail(i, cond.Field, "operator %q does not apply to a number field (eq, neq, lt, gt, empty, not_empty)", cond.Op)
		}
		var n float64
		if err := json.Unmarshal(cond.Value, &n); err != nil {
			undo()
			return c.fail(i, cond.Field, "operator %s wants a number", cond.Op)
		}
		op := map[string]string{"eq": "=", "neq": "<>", "lt": "<", "gt": ">"}[cond.Op]
		c.arg(c.args[argsBefore-1], n) // the path again, then the number
		cast := "CAST(" + v + " AS REAL)"
		if c.s.d == dialectMySQL {
			cast = "CAST(" + v + " AS DOUBLE)"
		}
		return "COALESCE(" + v + ", '') <> '' AND " + cast + " " + op + " ?"
	case "date":
		d := "SUBSTR(" + v + ", 1, 10)"
		switch cond.Op {
		case "empty":
			return "COALESCE(" + v + ", '') = ''"
		case "not_empty":
			return "COALESCE(" + v + ", '') <> ''"
		case "before", "after":
			s, ok := c.str(i, cond)
			if !ok {
				return undo()
			}
			if _, err := time.Parse(time.DateOnly, s); err != nil {
				undo()
				return c.fail(i, cond.Field, "a date is YYYY-MM-DD")
			}
			c.arg(s)
			if cond.Op == "before" {
				return d + " < ?"
			}
			return d + " > ?"
		case "within_last_days":
			n, ok := c.days(i, cond)
			if !ok {
				return undo()
			}
			// The path is used twice.
			c.arg(c.now.AddDate(0, 0, -n).Format(time.DateOnly), c.args[argsBefore-1], c.now.Format(time.DateOnly))
			return d + " >= ? AND " + "SUBSTR(" + v + ", 1, 10) <= ?"
		default:
			undo()
			return c.fail(i, cond.Field, "operator %q does not apply to a date field (before, after, within_last_days, empty, not_empty)", cond.Op)
		}
	case "boolean":
		if cond.Op != "is" {
			undo()
			return c.fail(i, cond.Field, "a boolean field takes is")
		}
		b, ok := c.boolean(i, cond)
		if !ok {
			return undo()
		}
		asText := "CAST(" + v + " AS TEXT)"
		if c.s.d == dialectMySQL {
			asText = "CAST(" + v + " AS CHAR)"
		}
		x := "LOWER(COALESCE(" + asText + ", '')) IN ('true', '1', 'yes')"
		if !b {
			return "NOT (" + x + ")"
		}
		return x
	default: // text
		if !segTextOps[cond.Op] {
			undo()
			return c.text(i, cond, "")
		}
		return c.text(i, cond, "COALESCE("+v+", '')")
	}
}

// segClipName shortens a name quoted in a problem.
func segClipName(s string) string {
	if len(s) > 64 {
		return s[:64] + "…"
	}
	return s
}

// segmentRow is a scanned segments row.
type segmentRow struct {
	ID        int64  `db:"id"`
	AccountID int64  `db:"account_id"`
	Name      string `db:"name"`
	Rules     string `db:"rules"`
	CreatedAt dbTime `db:"created_at"`
	UpdatedAt dbTime `db:"updated_at"`
}

func (r *segmentRow) segment() (Segment, error) {
	seg := Segment{ID: r.ID, AccountID: r.AccountID, Name: r.Name, CreatedAt: r.CreatedAt.Time, UpdatedAt: r.UpdatedAt.Time}
	if err := json.Unmarshal([]byte(r.Rules), &seg.Rules); err != nil {
		return seg, fmt.Errorf("store: segment %d: stored rules: %w", r.ID, err)
	}
	return seg, nil
}

const segmentColumns = "id, account_id, name, rules, created_at, updated_at"

// checkSegment refuses a name the table cannot hold and rules that do
// not fit the account.
func (s *Store) checkSegment(ctx context.Context, seg *Segment) ([]byte, error) {
	if seg.AccountID <= 0 || strings.TrimSpace(seg.Name) == "" || len(seg.Name) > maxSegmentName || !utf8.ValidString(seg.Name) {
		return nil, &SegmentRulesError{[]SegmentProblem{{Index: -1, Field: "name", Detail: fmt.Sprintf("a segment needs a name of 1 to %d bytes", maxSegmentName)}}}
	}
	if err := s.CheckSegmentRules(ctx, seg.AccountID, seg.Rules); err != nil {
		return nil, err
	}
	b, err := json.Marshal(seg.Rules)
	if err != nil {
		return nil, fmt.Errorf("store: segment rules: %w", err)
	}
	return b, nil
}

// CreateSegment checks and stores seg, setting its ID and times. A name
// in use in the account is [ErrDuplicate].
func (s *Store) CreateSegment(ctx context.Context, seg *Segment) error {
	rules, err := s.checkSegment(ctx, seg)
	if err != nil {
		return err
	}
	now := s.now().UTC().Truncate(time.Microsecond)
	res, err := s.w.ExecContext(ctx, "INSERT INTO segments (account_id, name, rules, created_at, updated_at) VALUES (?, ?, ?, ?, ?)",
		seg.AccountID, seg.Name, string(rules), s.timeArg(now), s.timeArg(now))
	if err != nil {
		return fmt.Errorf("store: create segment %q: %w", seg.Name, mapErr(err))
	}
	if seg.ID, err = res.LastInsertId(); err != nil {
		return fmt.Errorf("store: create segment %q: %w", seg.Name, mapErr(err))
	}
	seg.CreatedAt, seg.UpdatedAt = now, now
	return nil
}

// UpdateSegment replaces the name and rules of segment seg.ID of
// seg.AccountID, and reads it back into seg.
func (s *Store) UpdateSegment(ctx context.Context, seg *Segment) error {
	rules, err := s.checkSegment(ctx, seg)
	if err != nil {
		return err
	}
	now := s.now().UTC().Truncate(time.Microsecond)
	res, err := s.w.ExecContext(ctx, "UPDATE segments SET name = ?, rules = ?, updated_at = ? WHERE account_id = ? AND id = ?",
		seg.Name, string(rules), s.timeArg(now), seg.AccountID, seg.ID)
	if err != nil {
		return fmt.Errorf("store: update segment %d: %w", seg.ID, mapErr(err))
	}
	if n, err := res.RowsAffected(); err == nil && n == 0 {
		if _, err := s.GetSegment(ctx, seg.AccountID, seg.ID); err != nil {
			return err
		}
	}
	got, err := s.GetSegment(ctx, seg.AccountID, seg.ID)
	if err != nil {
		return err
	}
	*seg = got
	return nil
}

// GetSegment returns segment id of account accountID, or [ErrNotFound].
func (s *Store) GetSegment(ctx context.Context, accountID, id int64) (Segment, error) {
	var r segmentRow
	err := s.r.GetContext(ctx, &r, "SELECT "+segmentColumns+" FROM segments WHERE account_id = ? AND id = ?", accountID, id)
	if err != nil {
		return Segment{}, fmt.Errorf("store: segment %d: %w", id, mapErr(err))
	}
	return r.segment()
}

// Segments returns up to limit (1 to 1000) segments of the account in id
// order after id after.
func (s *Store) Segments(ctx context.Context, accountID, after int64, limit int) ([]Segment, error) {
	if limit < 1 || limit > 1000 {
		return nil, fmt.Errorf("%w: segments limit %d", ErrInvalid, limit)
	}
	var rows []segmentRow
	if err := s.r.SelectContext(ctx, &rows, "SELECT "+segmentColumns+" FROM segments WHERE account_id = ? AND id > ? ORDER BY id LIMIT ?",
		accountID, after, limit); err != nil {
		return nil, fmt.Errorf("store: segments: %w", mapErr(err))
	}
	out := make([]Segment, 0, len(rows))
	for i := range rows {
		seg, err := rows[i].segment()
		if err != nil {
			return nil, err
		}
		out = append(out, seg)
	}
	return out, nil
}

// DeleteSegment deletes segment id of the account, or says [ErrNotFound].
func (s *Store) DeleteSegment(ctx context.Context, accountID, id int64) error {
	res, err := s.w.ExecContext(ctx, "DELETE FROM segments WHERE account_id = ? AND id = ?", accountID, id)
	if err != nil {
		return fmt.Errorf("store: delete segment %d: %w", id, mapErr(err))
	}
	if n, err := res.RowsAffected(); err == nil && n == 0 {
		return fmt.Errorf("store: delete segment %d: %w", id, ErrNotFound)
	}
	return nil
}

// CountContactsMatching counts account accountID's contacts matching cond
// (a condition over contacts aliased c, such as [Store.SegmentCondition]
// gives; "" is every contact).
func (s *Store) CountContactsMatching(ctx context.Context, accountID int64, cond string, args []any) (int, error) {
	q, all := segWhereContacts("SELECT COUNT(*) FROM contacts c", accountID, cond, args)
	var n int
	if err := s.r.GetContext(ctx, &n, q, all...); err != nil {
		return 0, fmt.Errorf("store: count contacts: %w", mapErr(err))
	}
	return n, nil
}

// ContactsMatching returns up to limit (1 to 10,000) of account accountID's
// contacts matching cond with an id above after, in id order: a page of
// an export or a preview's sample.
func (s *Store) ContactsMatching(ctx context.Context, accountID int64, cond string, args []any, after int64, limit int) ([]Contact, error) {
	if limit < 1 || limit > 10000 {
		return nil, fmt.Errorf("%w: contacts limit %d", ErrInvalid, limit)
	}
	q, all := segWhereContacts("SELECT c.id, c.account_id, c.phone, c.first_name, c.last_name, c.email, c.language, c.time_zone, "+
		"c.fields, c.tags, c.created_at, c.updated_at FROM contacts c", accountID, cond, args)
	q += " AND c.id > ? ORDER BY c.id LIMIT ?"
	all = append(all, after, limit)
	rows, err := s.r.QueryxContext(ctx, q, all...)
	if err != nil {
		return nil, fmt.Errorf("store: contacts: %w", mapErr(err))
	}
	defer rows.Close()
	out := make([]Contact, 0, min(limit, 1000))
	for rows.Next() {
		var r segContactRow
		if err := rows.StructScan(&r); err != nil {
			return nil, fmt.Errorf("store: contacts: %w", mapErr(err))
		}
		out = append(out, Contact{ID: r.ID, AccountID: r.AccountID, Phone: r.Phone, FirstName: r.FirstName, LastName: r.LastName,
			Email: r.Email, Language: r.Language, TimeZone: r.TimeZone, Fields: r.Fields, Tags: splitWords(r.Tags, ","),
			CreatedAt: r.CreatedAt.Time, UpdatedAt: r.UpdatedAt.Time})
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: contacts: %w", mapErr(err))
	}
	return out, nil
}

type segContactRow struct {
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

// segWhereContacts scopes a contacts query to the account and cond.
func segWhereContacts(q string, accountID int64, cond string, args []any) (string, []any) {
	all := make([]any, 0, len(args)+3)
	all = append(all, accountID)
	q += " WHERE c.account_id = ?"
	if cond != "" {
		q += " AND (" + cond + ")"
		all = append(all, args...)
	}
	return q, all
}

// ContactListCondition is the condition "member of list listID" over contacts
// aliased c, for [Store.ContactsMatching]; ErrNotFound when the account has
// no such list.
func (s *Store) ContactListCondition(ctx context.Context, accountID, listID int64) (string, []any, error) {
	var n int
	if err := s.r.GetContext(ctx, &n, "SELECT COUNT(*) FROM contact_lists WHERE account_id = ? AND id = ?", accountID, listID); err != nil {
		return "", nil, fmt.Errorf("store: list %d: %w", listID, mapErr(err))
	}
	if n == 0 {
		return "", nil, fmt.Errorf("store: list %d: %w", listID, ErrNotFound)
	}
	return "EXISTS (SELECT 1 FROM contact_list_members lm WHERE lm.list_id = ? AND lm.contact_id = c.id)", []any{listID}, nil
}
