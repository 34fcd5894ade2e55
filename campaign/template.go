// Package campaign holds templates and personalisation, campaigns
// (audience, schedule, pacing, quiet hours, A/B tests, drip sequences),
// link tracking and campaign statistics (issue 13).
package campaign

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/gallant-sms/gallant/store"
)

// MaxTemplateChars caps a template's body, in characters: ten GSM 7-bit
// segments are 1,530 characters (gateway.DefaultMaxSegments), so a body
// longer than 1,600 could not be sent even with every placeholder empty.
const MaxTemplateChars = 1600

// maxPlaceholders bounds the placeholders of one template, so a body of
// "{{optout}}" repeated cannot make rendering quadratic in anything.
const maxPlaceholders = 100

// DefaultOptOutText is what {{optout}} renders for an account that set no
// text of its own.
const DefaultOptOutText = "Reply STOP to unsubscribe"

// The built-in placeholders; a custom field is "field." + its declared
// name.
const (
	PlaceholderFirstName = "first_name"
	PlaceholderLastName  = "last_name"
	PlaceholderPhone     = "phone"
	PlaceholderEmail     = "email"
	PlaceholderOptOut    = "optout"
	fieldPrefix          = "field."
)

// partKind says what one piece of a template renders.
type partKind uint8

const (
	partText partKind = iota
	partFirstName
	partLastName
	partPhone
	partEmail
	partField
	partOptOut
)

// part is a literal text or a placeholder.
type part struct {
	kind   partKind
	hasDef bool
	field  int    // partField: index in Template.fields
	text   string // partText: the text; a placeholder: its default
	name   string // a placeholder's name, for skip reasons
}

// Template is a parsed message template: literal text and placeholders
// ({{first_name}}, {{last_name}}, {{phone}}, {{email}},
// {{field.NAME}}, {{optout}}), each optionally with a default after a
// bar ({{first_name|there}}; {{first_name|}} renders nothing when the
// value is missing). Spaces around the name and the default are
// ignored. A Template is immutable and safe for concurrent use: parse it
// once per campaign and render it for each recipient.
type Template struct {
	body   string
	parts  []part
	fields []string // distinct custom fields referenced, in order of appearance
	names  []string // distinct placeholders, in order of appearance
	static int      // bytes of literal text
	optout bool
}

// TemplateError is a body [ParseTemplate] refuses: an unknown placeholder
// or malformed braces, at Offset characters into the body.
type TemplateError struct {
	// Placeholder is the placeholder at fault as written, without its
	// braces ("" when the fault is not one, such as a lone "}}").
	Placeholder string
	// Offset is the character (Unicode code point) index of the fault,
	// from 0.
	Offset int
	// Reason says what is wrong, for a human.
	Reason string
}

// Error returns "campaign: template: {{x}} at character N: reason".
func (e *TemplateError) Error() string {
	if e.Placeholder != "" {
		return "campaign: template: {{" + e.Placeholder + "}} at character " + strconv.Itoa(e.Offset) + ": " + e.Reason
	}
	return "campaign: template: at character " + strconv.Itoa(e.Offset) + ": " + e.Reason
}

// ErrTemplateTooLong is the error of a body over [MaxTemplateChars].
var ErrTemplateTooLong = fmt.Errorf("campaign: template: the body is longer than %d characters", MaxTemplateChars)

// ParseTemplate parses body, refusing unknown placeholders: fields are
// the account's declared custom fields (name to type). A fault in the
// body is a [*TemplateError]; a body that is empty, not UTF-8 or longer
// than [MaxTemplateChars] is refused too.
func ParseTemplate(body string, fields []store.ContactField) (*Template, error) {
	switch {
	case body == "":
		return nil, &TemplateError{Reason: "the body is empty"}
	case !utf8.ValidString(body):
		return nil, &TemplateError{Reason: "the body is not valid UTF-8"}
	case utf8.RuneCountInString(body) > MaxTemplateChars:
		return nil, ErrTemplateTooLong
	}
	t := &Template{body: body}
	at := func(pos int) int { return utf8.RuneCountInString(body[:pos]) }
	placeholders := 0
	for i := 0; i < len(body); {
		open := strings.Index(body[i:], "{{")
		if cl := strings.Index(body[i:], "}}"); cl >= 0 && (open < 0 || cl < open) {
			return nil, &TemplateError{Offset: at(i + cl), Reason: `"}}" without an opening "{{"`}
		}
		if open < 0 {
			t.addText(body[i:])
			break
		}
		t.addText(body[i : i+open])
		start := i + open
		inner, rest, ok := strings.Cut(body[start+2:], "}}")
		if !ok {
			return nil, &TemplateError{Offset: at(start), Reason: `"{{" is never closed by "}}"`}
		}
		if strings.Contains(inner, "{{") {
			return nil, &TemplateError{Offset: at(start), Reason: `"{{" is never closed by "}}" before the next "{{"`}
		}
		if placeholders++; placeholders > maxPlaceholders {
			return nil, &TemplateError{Offset: at(start), Reason: fmt.Sprintf("more than %d placeholders", maxPlaceholders)}
		}
		if err := t.addPlaceholder(inner, fields); err != nil {
			err.Offset = at(start)
			return nil, err
		}
		i = len(body) - len(rest)
	}
	return t, nil
}

func (t *Template) addText(s string) {
	if s == "" {
		return
	}
	t.parts = append(t.parts, part{kind: partText, text: s})
	t.static += len(s)
}

// addPlaceholder adds the placeholder written inner (between the braces).
func (t *Template) addPlaceholder(inner string, fields []store.ContactField) *TemplateError {
	name, def, hasDef := strings.Cut(inner, "|")
	name, def = strings.TrimSpace(name), strings.TrimSpace(def)
	shown := strings.TrimSpace(inner)
	if strings.ContainsAny(def, "{}|") {
		return &TemplateError{Placeholder: shown, Reason: "a default may not contain braces or a bar"}
	}
	p := part{name: name, text: def, hasDef: hasDef}
	switch name {
	case "":
		return &TemplateError{Placeholder: shown, Reason: "empty placeholder"}
	case PlaceholderFirstName:
		p.kind = partFirstName
	case PlaceholderLastName:
		p.kind = partLastName
	case PlaceholderPhone:
		p.kind = partPhone
	case PlaceholderEmail:
		p.kind = partEmail
	case PlaceholderOptOut:
		if hasDef {
			return &TemplateError{Placeholder: shown, Reason: "{{optout}} takes no default: it renders the account's opt-out text"}
		}
		p.kind = partOptOut
		t.optout = true
	default:
		f, ok := strings.CutPrefix(name, fieldPrefix)
		if !ok {
			return &TemplateError{Placeholder: shown, Reason: "unknown placeholder; known are first_name, last_name, phone, email, optout and field.NAME for a declared custom field"}
		}
		declared := false
		for _, d := range fields {
			if d.Name == f {
				declared = true
				break
			}
		}
		if !declared {
			return &TemplateError{Placeholder: shown, Reason: fmt.Sprintf("unknown placeholder: the account has no custom field %q", f)}
		}
		p.kind, p.field = partField, -1
		for j, have := range t.fields {
			if have == f {
				p.field = j
			}
		}
		if p.field < 0 {
			p.field = len(t.fields)
			t.fields = append(t.fields, f)
		}
	}
	if !containsString(t.names, name) {
		t.names = append(t.names, name)
	}
	t.parts = append(t.parts, p)
	return nil
}

func containsString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// Body returns the template's source text.
func (t *Template) Body() string { return t.body }

// Placeholders returns the distinct placeholders of the template
// ("first_name", "field.city", "optout", ...) in order of appearance.
// The slice is the template's: do not change it.
func (t *Template) Placeholders() []string { return t.names }

// Fields returns the custom fields the template uses, without the
// "field." prefix. The slice is the template's: do not change it.
func (t *Template) Fields() []string { return t.fields }

// HasOptOut reports whether the template has {{optout}}.
func (t *Template) HasOptOut() bool { return t.optout }

// Recipient is what a template renders for.
type Recipient struct {
	Contact store.Contact
	// OptOutText renders {{optout}} ("Reply STOP to unsubscribe");
	// empty renders [DefaultOptOutText].
	OptOutText string
	// Link, when set, turns a URL in the body into its tracked short
	// form for this recipient; nil leaves URLs as they are.
	Link func(url string) (string, error)
}

// SkipError says a recipient cannot be rendered for (a value without a
// default is missing) and why.
type SkipError struct{ Reason string }

func (e *SkipError) Error() string { return "campaign: recipient skipped: " + e.Reason }

// fieldVal is a custom field's value as found in the contact's JSON:
// raw is the text of a number or boolean, or the inside of a string
// (still escaped when escaped is set).
type fieldVal struct {
	raw     string
	escaped bool
	present bool
}

// Render renders t for r; a recipient lacking a value with no default
// is a *SkipError. An empty value counts as missing. Custom fields are
// read from r.Contact.Fields (a JSON object): a string renders as
// written, a number or boolean as its JSON text (42, 3.50, true); null,
// an object or an array is missing. With r.Link set, every http:// or
// https:// URL of the rendered text is replaced by what Link returns for
// it (see [Links]). Render makes one allocation (the text) when no URL is
// replaced.
func (t *Template) Render(r Recipient) (string, error) {
	var stack [8]fieldVal
	vals := stack[:0]
	if len(t.fields) > 0 {
		if len(t.fields) <= len(stack) {
			vals = stack[:len(t.fields)]
		} else {
			vals = make([]fieldVal, len(t.fields))
		}
		if !scanFields(r.Contact.Fields, t.fields, vals) {
			return "", &SkipError{Reason: "the contact's custom fields are not a valid JSON object"}
		}
	}
	optout := r.OptOutText
	if optout == "" {
		optout = DefaultOptOutText
	}
	// First pass: check every value is there and size the text.
	n := t.static
	for i := range t.parts {
		p := &t.parts[i]
		if p.kind == partText {
			continue
		}
		v, ok := t.value(p, &r.Contact, vals, optout)
		if !ok {
			if !p.hasDef {
				return "", skipMissing(p)
			}
			v = fieldVal{raw: p.text}
		}
		n += len(v.raw)
		if p.kind == partPhone && ok {
			n++ // the '+'
		}
	}
	var b strings.Builder
	b.Grow(n)
	for i := range t.parts {
		p := &t.parts[i]
		if p.kind == partText {
			b.WriteString(p.text)
			continue
		}
		v, ok := t.value(p, &r.Contact, vals, optout)
		switch {
		case !ok:
			b.WriteString(p.text)
		case v.escaped:
			appendUnescaped(&b, v.raw)
		default:
			if p.kind == partPhone {
				b.WriteByte('+')
			}
			b.WriteString(v.raw)
		}
	}
	out := b.String()
	if r.Link != nil {
		return replaceLinks(out, r.Link)
	}
	return out, nil
}

// value returns placeholder p's value for c, false when it is missing.
func (t *Template) value(p *part, c *store.Contact, vals []fieldVal, optout string) (fieldVal, bool) {
	var s string
	switch p.kind {
	case partFirstName:
		s = c.FirstName
	case partLastName:
		s = c.LastName
	case partPhone:
		s = c.Phone
	case partEmail:
		s = c.Email
	case partOptOut:
		s = optout
	case partField:
		v := vals[p.field]
		return v, v.present && v.raw != ""
	}
	return fieldVal{raw: s, present: true}, s != ""
}

// skipMissing is the skip error of a placeholder without a value.
func skipMissing(p *part) *SkipError {
	if p.kind == partField {
		return &SkipError{Reason: "custom field " + strings.TrimPrefix(p.name, fieldPrefix) +
			" is missing and {{" + p.name + "}} has no default"}
	}
	return &SkipError{Reason: p.name + " is empty and {{" + p.name + "}} has no default"}
}

// LoadTemplate reads the account's template id, its declared custom
// fields and its opt-out text, and parses the template: what a campaign
// does once before rendering for each recipient (with the returned text
// as every [Recipient].OptOutText). A template the account does not have
// is store.ErrNotFound.
func LoadTemplate(ctx context.Context, st *store.Store, accountID, id int64) (t *Template, optOutText string, err error) {
	row, err := st.TemplateByID(ctx, accountID, id)
	if err != nil {
		return nil, "", err
	}
	fields, err := st.ContactFields(ctx, accountID)
	if err != nil {
		return nil, "", err
	}
	settings, err := st.TemplateSettingsOf(ctx, accountID)
	if err != nil {
		return nil, "", err
	}
	if t, err = ParseTemplate(row.Body, fields); err != nil {
		return nil, "", fmt.Errorf("campaign: template %d: %w", id, err)
	}
	optOutText = settings.OptOutText
	if optOutText == "" {
		optOutText = DefaultOptOutText
	}
	return t, optOutText, nil
}
