package contact

import (
	"bufio"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/gallant-sms/gallant/store"
)

// exportPage is the contacts read from the store per query of an export.
const exportPage = 1000

// ExportHeader is the header of an export of an account whose custom
// fields are fields: the built-in columns, then "field.NAME" for each
// (the names [GuessMapping] maps back).
func ExportHeader(fields []store.ContactField) []string {
	h := []string{FieldPhone, FieldFirstName, FieldLastName, FieldEmail, FieldLanguage, FieldTimeZone, FieldTags}
	for _, f := range fields {
		h = append(h, f.Name)
	}
	return h
}

// Export writes account's contacts matching cond (a condition over
// contacts aliased c with its args, as [store.Store.SegmentCondition]
// gives; "" for all) to w as CSV, in id order: a header (ExportHeader)
// then one row per contact, phone as "+digits". It reads the store a
// page at a time and flushes after each, so memory stays flat whatever
// the count. It returns how many contacts it wrote.
func Export(ctx context.Context, st *store.Store, account int64, cond string, args []any, w io.Writer) (int, error) {
	fields, err := st.ContactFields(ctx, account)
	if err != nil {
		return 0, fmt.Errorf("contact: export: %w", err)
	}
	bw := bufio.NewWriterSize(w, 64<<10)
	cw := csv.NewWriter(bw)
	if err := cw.Write(ExportHeader(fields)); err != nil {
		return 0, fmt.Errorf("contact: export: %w", err)
	}
	rec := make([]string, 7+len(fields))
	n := 0
	var after int64
	for {
		page, err := st.ContactsMatching(ctx, account, cond, args, after, exportPage)
		if err != nil {
			return n, fmt.Errorf("contact: export: %w", err)
		}
		for i := range page {
			c := &page[i]
			rec[0], rec[1], rec[2], rec[3] = "+"+c.Phone, c.FirstName, c.LastName, c.Email
			rec[4], rec[5], rec[6] = c.Language, c.TimeZone, strings.Join(c.Tags, ",")
			custom := exportCustomValues(c.Fields)
			for j, f := range fields {
				rec[7+j] = custom[f.Name]
			}
			if err := cw.Write(rec); err != nil {
				return n, fmt.Errorf("contact: export: %w", err)
			}
			n++
		}
		cw.Flush()
		if err := cw.Error(); err != nil {
			return n, fmt.Errorf("contact: export: %w", err)
		}
		if err := bw.Flush(); err != nil {
			return n, fmt.Errorf("contact: export: %w", err)
		}
		if len(page) < exportPage {
			return n, nil
		}
		after = page[len(page)-1].ID
	}
}

// exportCustomValues reads a contact's custom fields JSON as text values
// (numbers and booleans in their JSON form); bad JSON gives none.
func exportCustomValues(fields string) map[string]string {
	if fields == "" || fields == "{}" {
		return nil
	}
	var m map[string]json.RawMessage
	if json.Unmarshal([]byte(fields), &m) != nil {
		return nil
	}
	out := make(map[string]string, len(m))
	for k, raw := range m {
		var s string
		if json.Unmarshal(raw, &s) == nil {
			out[k] = s
		} else if string(raw) != "null" {
			out[k] = string(raw)
		}
	}
	return out
}

// ParseMapping reads a mapping given as a JSON array of field names or
// a comma-separated list ("-" or "" skips a column). Each entry is a
// built-in field, "field.NAME" or a skip.
func ParseMapping(s string) ([]string, error) {
	s = strings.TrimSpace(s)
	var m []string
	if strings.HasPrefix(s, "[") {
		if err := json.Unmarshal([]byte(s), &m); err != nil {
			return nil, fmt.Errorf("mapping: not a JSON array of strings: %w", err)
		}
	} else {
		m = strings.Split(s, ",")
	}
	if len(m) > 200 {
		return nil, fmt.Errorf("mapping: at most 200 columns")
	}
	phones := 0
	for i, f := range m {
		f = strings.TrimSpace(f)
		switch {
		case f == "-" || f == "":
			f = FieldSkip
		case f == FieldPhone:
			phones++
		case f == FieldFirstName, f == FieldLastName, f == FieldEmail, f == FieldLanguage, f == FieldTimeZone, f == FieldTags:
		case strings.HasPrefix(f, "field.") && len(f) > len("field.") && len(f) <= 70:
		default:
			return nil, fmt.Errorf("mapping: column %s: unknown field %q (phone, first_name, last_name, email, language, time_zone, tags, field.NAME or - to skip)",
				strconv.Itoa(i+1), clip(f))
		}
		m[i] = f
	}
	if phones != 1 {
		return nil, fmt.Errorf("mapping: exactly one column maps to phone")
	}
	return m, nil
}
