// Package contact keeps an account's contacts (issue 13): people with a
// phone number, personal and custom fields and tags, and the CSV import
// that fills them in bulk.
package contact

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/gallant-sms/gallant/consent"
	"github.com/gallant-sms/gallant/store"
)

// The fields a CSV column maps to; anything else is a custom field
// ("field.NAME").
const (
	FieldPhone     = "phone"
	FieldFirstName = "first_name"
	FieldLastName  = "last_name"
	FieldEmail     = "email"
	FieldLanguage  = "language"
	FieldTimeZone  = "time_zone"
	FieldTags      = "tags"
	FieldSkip      = "" // the column is not imported
)

// headerGuesses maps normalized header names to fields.
var headerGuesses = map[string]string{
	"phone": FieldPhone, "mobile": FieldPhone, "msisdn": FieldPhone, "number": FieldPhone, "phonenumber": FieldPhone,
	"mobilenumber": FieldPhone, "cell": FieldPhone, "tel": FieldPhone, "telephone": FieldPhone,
	"firstname": FieldFirstName, "first": FieldFirstName, "givenname": FieldFirstName, "name": FieldFirstName,
	"lastname": FieldLastName, "last": FieldLastName, "surname": FieldLastName, "familyname": FieldLastName,
	"email": FieldEmail, "emailaddress": FieldEmail, "mail": FieldEmail,
	"language": FieldLanguage, "lang": FieldLanguage, "locale": FieldLanguage,
	"timezone": FieldTimeZone, "tz": FieldTimeZone,
	"tags": FieldTags, "tag": FieldTags, "labels": FieldTags,
}

// GuessMapping maps each header to a field: known names (case, spaces,
// "_" and "-" ignored) to theirs, others to a custom field named after
// the header ("field.NAME", NAME from fieldNameOf).
func GuessMapping(header []string) []string {
	out := make([]string, len(header))
	for i, h := range header {
		k := strings.Map(func(r rune) rune {
			switch r {
			case ' ', '_', '-', '.':
				return -1
			}
			return r
		}, strings.ToLower(strings.TrimSpace(h)))
		if f, ok := headerGuesses[k]; ok {
			out[i] = f
		} else if name := fieldNameOf(h); name != "" {
			out[i] = "field." + name
		}
	}
	return out
}

// fieldNameOf makes a custom field's name of a header: lower case, each
// run of other characters than ASCII letters and digits one "_",
// starting with a letter ("Loyalty tier" is loyalty_tier, "2nd phone"
// f_2nd_phone), at most MaxFieldName bytes; "" for a header with no
// letter or digit.
func fieldNameOf(header string) string {
	var b strings.Builder
	gap := false
	for _, r := range strings.ToLower(strings.TrimSpace(header)) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			if gap && b.Len() > 0 {
				b.WriteByte('_')
			}
			gap = false
			b.WriteRune(r)
			continue
		}
		gap = true
	}
	name := b.String()
	if name == "" {
		return ""
	}
	if name[0] < 'a' {
		name = "f_" + name
	}
	if len(name) > MaxFieldName {
		name = strings.TrimRight(name[:MaxFieldName], "_")
	}
	return name
}

// ImportOptions tune an import.
type ImportOptions struct {
	// Mapping gives each column's field (see GuessMapping, which is used
	// when Mapping is nil: the first row is then a header).
	Mapping []string
	// Header says the first row is a header to skip (always when Mapping
	// is nil).
	Header bool
	// DefaultCountry (ISO code) turns national numbers into E.164; numbers
	// with "+" or "00" need none.
	DefaultCountry string
	// Tags are added to every imported contact.
	Tags []string
	// Fields are the account's declared custom fields: a column mapped to
	// one has its values parsed to the field's type (a value that does not
	// parse rejects the row); a column mapped to an undeclared name is kept
	// as text (the caller declares it, see DeclareColumns).
	Fields []store.ContactField
	// ListID, when not 0, is a list of the account every imported
	// contact joins, in the transaction that stores its batch (the caller
	// checks the list is the account's).
	ListID int64
	// MaxRows, when positive, bounds the data rows read: the row after
	// the last allowed ends the import with [ErrTooManyRows] (what was
	// stored stays).
	MaxRows int
	// Progress, if set, is called after each batch with the report so far.
	Progress func(Report)
	// Stored, if set, is called after each batch is stored with its
	// contacts (valid during the call only); an error ends the import
	// with it (ErrStopped to stop).
	Stored func(ctx context.Context, batch []store.Contact, rep Report) error
	// Reject, if set, is called with each rejected row and its fields
	// (nil for a row the CSV reader could not split; valid during the
	// call only) and the report so far; an error ends the import with it.
	Reject func(r Rejection, record []string, rep Report) error
}

// ErrStopped is returned by an [ImportOptions].Stored hook to stop an
// import; Import returns it wrapped.
var ErrStopped = errors.New("contact: import stopped")

// ErrTooManyRows ends an import that has more rows than MaxRows.
var ErrTooManyRows = errors.New("contact: too many rows")

// Report says what an import did.
type Report struct {
	Rows     int `json:"rows"`     // data rows read
	Imported int `json:"imported"` // new contacts
	Updated  int `json:"updated"`  // contacts already there, their fields replaced
	Rejected int `json:"rejected"`
	// FirstRejected are the first rejected rows (up to 100), 1-based
	// line numbers of the file with the reason.
	FirstRejected []Rejection `json:"first_rejected,omitempty"`
}

// Rejection is a row not imported, and why.
type Rejection struct {
	Line   int    `json:"line"`
	Reason string `json:"reason"`
}

// batchSize is the contacts stored per transaction.
const batchSize = 1000

// rowFunc receives a valid row's contact (line: its file line).
type rowFunc func(line int, c store.Contact) error

// scanCSV reads r and calls row for each valid row and reject for each
// rejected one, stopping at the first error either returns. It returns
// the mapping used.
func scanCSV(r io.Reader, opt ImportOptions, rep *Report, row rowFunc, reject func(Rejection, []string, Report) error) ([]string, error) {
	cc := ""
	if opt.DefaultCountry != "" {
		var ok bool
		if cc, ok = consent.CallingCode(opt.DefaultCountry); !ok {
			return nil, fmt.Errorf("contact: no calling code known for country %q", opt.DefaultCountry)
		}
	}
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	cr.LazyQuotes = true
	mapping := opt.Mapping
	line := 0
	if mapping == nil || opt.Header {
		head, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return mapping, nil
		}
		if err != nil {
			return mapping, fmt.Errorf("contact: read the header: %w", err)
		}
		line++
		if mapping == nil {
			mapping = GuessMapping(head)
		}
	}
	phoneCol := -1
	for i, f := range mapping {
		if f == FieldPhone {
			phoneCol = i
		}
	}
	if phoneCol < 0 {
		return mapping, ErrNoPhoneColumn
	}
	types := make(map[string]string, len(opt.Fields))
	for _, f := range opt.Fields {
		types[f.Name] = f.Type
	}
	rejectRow := func(reason string, rec []string) error {
		rep.Rejected++
		rj := Rejection{Line: line, Reason: reason}
		if len(rep.FirstRejected) < 100 {
			rep.FirstRejected = append(rep.FirstRejected, rj)
		}
		if reject != nil {
			return reject(rj, rec, *rep)
		}
		return nil
	}
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return mapping, nil
		}
		if err != nil {
			var pe *csv.ParseError
			if !errors.As(err, &pe) {
				return mapping, fmt.Errorf("contact: read line %d: %w", line+1, err)
			}
		}
		// The reader's own line count: a quoted field may span lines, and
		// blank lines are skipped.
		line++
		if err == nil && len(rec) > 0 {
			line, _ = cr.FieldPos(0)
		}
		if opt.MaxRows > 0 && rep.Rows >= opt.MaxRows && !(err == nil && len(rec) == 1 && strings.TrimSpace(rec[0]) == "") {
			return mapping, fmt.Errorf("%w: more than %d rows", ErrTooManyRows, opt.MaxRows)
		}
		if err != nil {
			var pe *csv.ParseError
			errors.As(err, &pe)
			if pe.StartLine > 0 {
				line = pe.StartLine
			}
			rep.Rows++
			if err := rejectRow(pe.Err.Error(), nil); err != nil {
				return mapping, err
			}
			continue
		}
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
			continue // a blank line
		}
		rep.Rows++
		c, reason := toContact(rec, mapping, phoneCol, cc, opt.Tags, types)
		if reason != "" {
			if err := rejectRow(reason, rec); err != nil {
				return mapping, err
			}
			continue
		}
		if err := row(line, c); err != nil {
			return mapping, err
		}
	}
}

// ErrNoPhoneColumn is a mapping without a phone column.
var ErrNoPhoneColumn = errors.New("contact: no column maps to the phone number")

// importWriters is at most how many batches of an import are stored at
// once, each by a goroutine of the import. Rows are spread over them by
// phone, so a phone's rows always go to the same writer, in file order:
// the file's later row still wins, and two writers never upsert the same
// contact. On MariaDB two transactions keep both cores busy where one
// left one idle (BenchmarkImport: new contacts 33–45k → 55–64k rows/s);
// SQLite has one writing connection, and a second writer only made it
// slower (108–130k → 82–84k rows/s), so it gets one.
const importWriters = 2

// writersFor is how many writers an import into st uses.
func writersFor(st *store.Store) int {
	if st.Driver() == store.DriverMySQL {
		return importWriters
	}
	return 1
}

// importPart is one writer's share of an import: the batch filling from
// the file, the one being stored, and that store's outcome.
type importPart struct {
	batch   []store.Contact
	spare   []store.Contact    // the batch being stored
	index   map[string]int     // phone -> position in batch
	storing chan importOutcome // nil when no batch is being stored
}

// importOutcome is what storing one batch did.
type importOutcome struct {
	ins, upd int
	err      error
}

// partOf picks which of n writers stores a phone (FNV-1a).
func partOf(phone string, n int) int {
	h := uint32(2166136261)
	for i := 0; i < len(phone); i++ {
		h = (h ^ uint32(phone[i])) * 16777619
	}
	return int(h % uint32(n))
}

// Import reads a CSV of contacts from r and stores them for account:
// streamed, batches of 1,000 per transaction, so memory stays flat
// whatever the file's size. A phone seen again (in the file or already
// stored) updates that contact. Rows without a valid phone are counted
// and reported, not fatal. opt's hooks are called from the calling
// goroutine only.
func Import(ctx context.Context, st *store.Store, account int64, r io.Reader, opt ImportOptions) (rep Report, err error) {
	// Each writer has two batches: one filling from the file while the
	// other is stored by a goroutine of this call, so parsing overlaps
	// the database's work.
	parts := make([]importPart, writersFor(st))
	for i := range parts {
		parts[i] = importPart{
			batch: make([]store.Contact, 0, batchSize),
			spare: make([]store.Contact, 0, batchSize),
			index: make(map[string]int, batchSize),
		}
	}
	defer func() {
		for i := range parts {
			if parts[i].storing != nil {
				<-parts[i].storing // an early return: the goroutines end before Import
			}
		}
	}()
	// collect waits for the batch p is storing and counts it.
	collect := func(p *importPart) error {
		if p.storing == nil {
			return nil
		}
		o := <-p.storing
		p.storing = nil
		if o.err != nil {
			return fmt.Errorf("contact: store a batch: %w", o.err)
		}
		rep.Imported += o.ins
		rep.Updated += o.upd
		if opt.Stored != nil {
			if err := opt.Stored(ctx, p.spare, rep); err != nil {
				return err
			}
		}
		if opt.Progress != nil {
			opt.Progress(rep)
		}
		return nil
	}
	// flush starts storing p's batch, once p's batch before is stored.
	flush := func(p *importPart) error {
		if err := collect(p); err != nil {
			return err
		}
		if len(p.batch) == 0 {
			return nil
		}
		b := p.batch
		p.batch, p.spare = p.spare[:0], b
		clear(p.index)
		ch := make(chan importOutcome, 1)
		p.storing = ch
		go func() {
			var o importOutcome
			if opt.ListID != 0 {
				o.ins, o.upd, o.err = st.UpsertContactsToList(ctx, account, opt.ListID, b)
			} else {
				o.ins, o.upd, o.err = st.UpsertContacts(ctx, account, b)
			}
			ch <- o
		}()
		return nil
	}
	// finish stores what is left and waits for all of it.
	finish := func() error {
		for i := range parts {
			if err := flush(&parts[i]); err != nil {
				return err
			}
		}
		for i := range parts {
			if err := collect(&parts[i]); err != nil {
				return err
			}
		}
		return nil
	}
	// collectAll counts the batches stored meanwhile when the import ends
	// on an error (which is the news).
	collectAll := func() {
		for i := range parts {
			_ = collect(&parts[i])
		}
	}
	_, err = scanCSV(r, opt, &rep, func(_ int, c store.Contact) error {
		p := &parts[partOf(c.Phone, len(parts))]
		if i, ok := p.index[c.Phone]; ok {
			p.batch[i] = c // the file's later row wins
			return nil
		}
		p.index[c.Phone] = len(p.batch)
		p.batch = append(p.batch, c)
		if len(p.batch) == batchSize {
			if err := flush(p); err != nil {
				return err
			}
			if err := ctx.Err(); err != nil {
				return fmt.Errorf("contact: import stopped: %w", err)
			}
		}
		return nil
	}, opt.Reject)
	if err != nil {
		if errors.Is(err, ErrTooManyRows) {
			if ferr := finish(); ferr != nil {
				return rep, ferr
			}
			return rep, err
		}
		collectAll()
		return rep, err
	}
	err = finish()
	return rep, err
}

// PreviewRow is a row of a dry run: its file line and the contact it
// would store.
type PreviewRow struct {
	Line    int
	Contact store.Contact
}

// Preview is what a dry run of an import found in its first rows.
type Preview struct {
	Mapping  []string
	Rows     []PreviewRow
	Rejected []Rejection
	// Report counts the rows read (up to the preview's limit).
	Report Report
}

// errPreviewFull ends a preview's scan.
var errPreviewFull = errors.New("preview full")

// PreviewImport reads up to n data rows of r as [Import] would, storing
// nothing: the mapping used, the contacts they make and the rejected
// rows among them.
func PreviewImport(r io.Reader, opt ImportOptions, n int) (Preview, error) {
	var p Preview
	opt.MaxRows = 0
	mapping, err := scanCSV(r, opt, &p.Report, func(line int, c store.Contact) error {
		p.Rows = append(p.Rows, PreviewRow{Line: line, Contact: c})
		if p.Report.Rows >= n {
			return errPreviewFull
		}
		return nil
	}, func(rj Rejection, _ []string, _ Report) error {
		p.Rejected = append(p.Rejected, rj)
		if p.Report.Rows >= n {
			return errPreviewFull
		}
		return nil
	})
	p.Mapping = mapping
	if err != nil && !errors.Is(err, errPreviewFull) {
		return p, err
	}
	return p, nil
}

// toContact builds a contact from one row, or says why it cannot: the
// phone in E.164, personal fields checked as the API checks them, tags
// normalized, custom values parsed to their declared type (types: name
// to type; undeclared names kept as text), and the time zone derived
// from the number when the row gives none.
func toContact(rec, mapping []string, phoneCol int, cc string, tags []string, types map[string]string) (store.Contact, string) {
	if phoneCol >= len(rec) {
		return store.Contact{}, "no phone number"
	}
	phone, ok := consent.RegistryNumber(rec[phoneCol], cc)
	if !ok || (cc == "" && national(rec[phoneCol])) {
		return store.Contact{}, fmt.Sprintf("phone %q is not a number (E.164 with country code, or national with a default country)", clip(rec[phoneCol]))
	}
	c := store.Contact{Phone: phone, Tags: append([]string(nil), tags...)}
	var custom map[string]any
	for i, f := range mapping {
		if i >= len(rec) || i == phoneCol || f == FieldSkip {
			continue
		}
		v := strings.TrimSpace(rec[i])
		if !utf8.ValidString(v) {
			return store.Contact{}, "the row is not valid UTF-8: save the file as UTF-8"
		}
		switch f {
		case FieldFirstName:
			c.FirstName = v
		case FieldLastName:
			c.LastName = v
		case FieldEmail:
			c.Email = v
		case FieldLanguage:
			c.Language = v
		case FieldTimeZone:
			c.TimeZone = v
		case FieldTags:
			for _, t := range strings.FieldsFunc(v, func(r rune) bool { return r == ',' || r == ';' || r == '|' }) {
				if t = strings.TrimSpace(t); t != "" {
					c.Tags = append(c.Tags, t)
				}
			}
		default:
			name, ok := strings.CutPrefix(f, "field.")
			if !ok || v == "" {
				continue
			}
			var val any = v
			if typ, declared := types[name]; declared {
				var err error
				if val, err = ParseFieldValue(typ, v); err != nil {
					return store.Contact{}, "field " + name + ": " + strings.TrimPrefix(err.Error(), ErrField.Error()+": ")
				}
			} else if len(v) > MaxTextValue {
				return store.Contact{}, fmt.Sprintf("field %s: longer than %d bytes", name, MaxTextValue)
			}
			if custom == nil {
				custom = map[string]any{}
			}
			custom[name] = val
		}
	}
	if reason := checkRow(&c); reason != "" {
		return store.Contact{}, reason
	}
	if custom != nil {
		b, err := encodeFields(custom)
		if err != nil {
			return store.Contact{}, "custom fields: " + strings.TrimPrefix(err.Error(), "contact: ")
		}
		c.Fields = b
	}
	return c, ""
}

// reason is a rejection's text for field's error err.
func reason(field string, err error) string {
	return field + ": " + strings.TrimPrefix(err.Error(), "contact: ")
}

// checkRow applies the API's checks to a row's personal fields and tags
// and fills in the time zone from the number when the row gives none.
func checkRow(c *store.Contact) string {
	if err := CheckName(c.FirstName); err != nil {
		return reason("first_name", err)
	}
	if err := CheckName(c.LastName); err != nil {
		return reason("last_name", err)
	}
	if err := CheckEmail(c.Email); err != nil {
		return reason("email", err)
	}
	if err := CheckLanguage(c.Language); err != nil {
		return reason("language", err)
	}
	if c.TimeZone == "" {
		c.TimeZone = TimeZoneOf(c.Phone)
	} else if err := CheckTimeZone(c.TimeZone); err != nil {
		return reason("time_zone", err)
	}
	if len(c.Tags) > 0 {
		t, err := NormalizeTags(c.Tags)
		if err != nil {
			return reason("tags", err)
		}
		c.Tags = t
	}
	return ""
}

// national reports whether raw is written in national form (a trunk
// "0", not "00"), which needs a default country.
func national(raw string) bool {
	raw = strings.TrimSpace(raw)
	return strings.HasPrefix(raw, "0") && !strings.HasPrefix(raw, "00")
}

// clip shortens a value quoted in a reason.
func clip(s string) string {
	if len(s) > 40 {
		return s[:40] + "…"
	}
	return s
}
