package contact

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gallant-sms/gallant/store"
)

// The types of a custom field.
const (
	TypeText    = "text"
	TypeNumber  = "number"
	TypeDate    = "date"
	TypeBoolean = "boolean"
)

// Limits on custom fields.
const (
	// MaxFields is the custom fields an account may declare.
	MaxFields = 100
	// MaxFieldName is the longest field name, in bytes.
	MaxFieldName = 64
	// MaxTextValue is the longest text value, in bytes (a contact's
	// values, at most MaxFields of them, stay within the store's TEXT
	// column of 64 KiB).
	MaxTextValue = 500
)

// DateLayout is how a date value is kept and shown.
const DateLayout = "2006-01-02"

// ErrField is wrapped by every [*FieldError].
var ErrField = errors.New("contact: bad custom field")

// FieldError is a custom field name or value refused, and why.
type FieldError struct {
	Name   string
	Reason string
}

// Error returns "contact: field NAME: reason".
func (e *FieldError) Error() string { return "contact: field " + e.Name + ": " + e.Reason }

// Unwrap returns [ErrField].
func (e *FieldError) Unwrap() error { return ErrField }

// CheckFieldName refuses a name that is not a letter followed by up to 63
// letters, digits and underscores (the names a template's
// {{field.NAME}} can name).
func CheckFieldName(name string) error {
	if name == "" || len(name) > MaxFieldName {
		return &FieldError{Name: name, Reason: fmt.Sprintf("a name has 1 to %d characters", MaxFieldName)}
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		letter := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
		if !letter && (i == 0 || !(c >= '0' && c <= '9' || c == '_')) {
			return &FieldError{Name: name, Reason: "a name is a letter followed by letters, digits and underscores"}
		}
	}
	return nil
}

// CheckFieldType refuses a type other than text, number, date and
// boolean.
func CheckFieldType(typ string) error {
	switch typ {
	case TypeText, TypeNumber, TypeDate, TypeBoolean:
		return nil
	}
	return &FieldError{Name: "type", Reason: "the type is text, number, date or boolean"}
}

// ParseFieldValue turns raw text (a CSV cell) into the value of a field
// of type typ as stored in a contact's fields: a string for text (at
// most MaxTextValue bytes), a float64 for number, true or false for
// boolean (from true/false, yes/no, y/n, 1/0, in any case) and a
// "YYYY-MM-DD" string for date (from that form or an RFC 3339 time).
// Blank raw text is no value: nil and no error.
func ParseFieldValue(typ, raw string) (any, error) {
	v := strings.TrimSpace(raw)
	if v == "" {
		return nil, nil
	}
	switch typ {
	case TypeText:
		return textValue(v)
	case TypeNumber:
		f, err := strconv.ParseFloat(v, 64)
		if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
			return nil, fmt.Errorf("%w: %q is not a number", ErrField, clip(v))
		}
		return f, nil
	case TypeBoolean:
		switch strings.ToLower(v) {
		case "true", "yes", "y", "1":
			return true, nil
		case "false", "no", "n", "0":
			return false, nil
		}
		return nil, fmt.Errorf("%w: %q is not true or false", ErrField, clip(v))
	case TypeDate:
		if d, err := time.Parse(DateLayout, v); err == nil {
			return d.Format(DateLayout), nil
		}
		if t, err := time.Parse(time.RFC3339, v); err == nil {
			return t.Format(DateLayout), nil
		}
		return nil, fmt.Errorf("%w: %q is not a date (YYYY-MM-DD)", ErrField, clip(v))
	}
	return nil, fmt.Errorf("%w: unknown type %q", ErrField, typ)
}

func textValue(v string) (any, error) {
	switch {
	case len(v) > MaxTextValue:
		return nil, fmt.Errorf("%w: text longer than %d bytes", ErrField, MaxTextValue)
	case !utf8.ValidString(v):
		return nil, fmt.Errorf("%w: text is not UTF-8", ErrField)
	case strings.ContainsFunc(v, func(r rune) bool { return r < ' ' && r != '\n' && r != '\t' || r == 0x7f }):
		return nil, fmt.Errorf("%w: text has a control character", ErrField)
	}
	return v, nil
}

// maxFieldsJSON bounds a contact's encoded custom values, within the
// 65,535 bytes of the store's TEXT column (100 fields of 500 bytes fit
// unless escapes inflate them).
const maxFieldsJSON = 60_000

// encodeFields encodes values as stored: a JSON object without HTML
// escapes, at most maxFieldsJSON bytes.
func encodeFields(values map[string]any) (string, error) {
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(values); err != nil {
		return "", fmt.Errorf("contact: encode fields: %w", err)
	}
	out := strings.TrimSuffix(b.String(), "\n")
	if len(out) > maxFieldsJSON {
		return "", &FieldError{Name: "fields", Reason: fmt.Sprintf("the custom values take more than %d bytes", maxFieldsJSON)}
	}
	return out, nil
}

// CoerceFieldValue checks a value given in JSON for a field of type typ
// and returns it as stored (see [ParseFieldValue]): text takes a string;
// number a number or a numeric string; boolean true, false or their
// string forms; date a "YYYY-MM-DD" string. null is no value (nil).
func CoerceFieldValue(typ string, v any) (any, error) {
	switch x := v.(type) {
	case nil:
		return nil, nil
	case string:
		if typ == TypeText {
			return textValue(x) // kept as given, spaces and all
		}
		if strings.TrimSpace(x) == "" {
			return nil, fmt.Errorf("%w: an empty string is no %s (null removes the value)", ErrField, typ)
		}
		return ParseFieldValue(typ, x)
	case float64:
		if typ == TypeNumber {
			return x, nil
		}
	case json.Number:
		if typ == TypeNumber {
			return ParseFieldValue(typ, x.String())
		}
	case bool:
		if typ == TypeBoolean {
			return x, nil
		}
	}
	want := map[string]string{TypeText: "a string", TypeNumber: "a number", TypeBoolean: "true or false",
		TypeDate: `a date as "YYYY-MM-DD"`}[typ]
	if want == "" {
		return nil, fmt.Errorf("%w: unknown type %q", ErrField, typ)
	}
	return nil, fmt.Errorf("%w: want %s", ErrField, want)
}

// ApplyFields merges values (from a request: null removes a value) into
// the stored JSON object current, checking each against the account's
// declarations decl, and returns the new JSON object. Values of fields
// no longer declared are dropped. A name not declared, or a value of the
// wrong type, is a [*FieldError] naming the field.
func ApplyFields(decl []store.ContactField, current string, values map[string]any) (string, error) {
	types := make(map[string]string, len(decl))
	for _, f := range decl {
		types[f.Name] = f.Type
	}
	merged := Fields(decl, current)
	for name, v := range values {
		typ, ok := types[name]
		if !ok {
			return "", &FieldError{Name: name, Reason: "no such custom field: declare it with POST /v1/contact-fields first"}
		}
		cv, err := CoerceFieldValue(typ, v)
		if err != nil {
			return "", &FieldError{Name: name, Reason: strings.TrimPrefix(err.Error(), ErrField.Error()+": ")}
		}
		if cv == nil {
			delete(merged, name)
		} else {
			merged[name] = cv
		}
	}
	return encodeFields(merged)
}

// Fields decodes a contact's stored fields (a JSON object), keeping the
// declared ones whose value fits the declared type: a value stored before
// its field was declared again with another type is not shown. A stored
// object that does not decode gives none.
func Fields(decl []store.ContactField, stored string) map[string]any {
	out := make(map[string]any, len(decl))
	if stored == "" || stored == "{}" || len(decl) == 0 {
		return out
	}
	var raw map[string]any
	if json.Unmarshal([]byte(stored), &raw) != nil {
		return out
	}
	for _, f := range decl {
		v, ok := raw[f.Name]
		if !ok {
			continue
		}
		if cv, err := CoerceFieldValue(f.Type, v); err == nil && cv != nil {
			out[f.Name] = cv
		}
	}
	return out
}
