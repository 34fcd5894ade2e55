package app

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gallant-sms/gallant/campaign"
	"github.com/gallant-sms/gallant/gateway"
	"github.com/gallant-sms/gallant/store"
)

// Templates manages the caller's account's message templates, their
// settings (the {{optout}} text) and previews. Every call acts on
// p.AccountID only. Reading and previewing need the read scope (checked
// by the API); changing needs a caller that may send.
type Templates struct {
	st    *store.Store
	links *campaign.Links  // nil: links.domain is off
	bill  *gateway.Billing // nil: billing is off, previews have no price
	now   func() time.Time
}

// Bounds of templates.
const (
	// MaxTemplatesPerAccount bounds an account's templates.
	MaxTemplatesPerAccount = 1000
	// MaxTemplateNameChars bounds a template's name.
	MaxTemplateNameChars = 100
	// MaxOptOutTextChars bounds an account's opt-out text: one GSM
	// segment, so {{optout}} alone never makes a text longer than one
	// more segment.
	MaxOptOutTextChars = 160
	// MaxTemplatesListed bounds one page of templates (default 100).
	MaxTemplatesListed = 500
	// maxSampleValue bounds each value of a preview's sample.
	maxSampleValue = 1000
	// maxSampleFields bounds the custom fields of a preview's sample.
	maxSampleFields = 100
)

// Template is the JSON form of a template.
type Template struct {
	ID   int64  `json:"id,string"`
	Name string `json:"name"`
	Body string `json:"body"`
	// Placeholders are the distinct placeholders of the body, in order
	// of appearance ("first_name", "field.city", "optout").
	Placeholders []string  `json:"placeholders"`
	CreatedAt    time.Time `json:"created_at"`
	UpdatedAt    time.Time `json:"updated_at"`
}

// TemplatePage is a page of templates in id order.
type TemplatePage struct {
	Data []Template `json:"data"`
	// NextCursor, when set, gets the next page.
	NextCursor string `json:"next_cursor,omitempty"`
}

// TemplateInput is a template to create (both members needed) or the
// members of one to change (nil keeps what it has).
type TemplateInput struct {
	Name *string
	Body *string
}

// TemplateSettings is the JSON form of an account's template settings.
type TemplateSettings struct {
	// OptOutText is what {{optout}} renders.
	OptOutText string `json:"optout_text"`
	// Default is true when the account set no text of its own.
	Default bool `json:"default"`
}

// PreviewSample is a made-up recipient for a preview.
type PreviewSample struct {
	FirstName string `json:"first_name"`
	LastName  string `json:"last_name"`
	// Phone is an E.164 number; it prices the preview.
	Phone string `json:"phone"`
	Email string `json:"email"`
	// Fields are custom field values (strings, numbers or booleans).
	Fields map[string]json.RawMessage `json:"fields"`
}

// PreviewInput is what to preview: a saved template (ID) or an unsaved
// Body, for a contact of the account or a sample (neither: an empty
// recipient, whose missing values show as the skip reason).
type PreviewInput struct {
	ID        int64
	Body      string
	ContactID int64
	Sample    *PreviewSample
}

// Preview is a template rendered for one recipient.
type Preview struct {
	// Skipped is true when the recipient would be skipped; SkipReason
	// says why and Text is empty.
	Skipped    bool   `json:"skipped"`
	SkipReason string `json:"skip_reason,omitempty"`
	Text       string `json:"text"`
	// Encoding is the coding the gateway would send Text in: gsm7 or
	// ucs2.
	Encoding string `json:"encoding"`
	// Characters is Text's length in Unicode characters.
	Characters int `json:"characters"`
	// Segments is how many SMS Text takes (0 for an empty text).
	Segments int `json:"segments"`
	// TooLong is true when Text needs more segments than the gateway
	// takes in one message (10 by default).
	TooLong bool `json:"too_long"`
	// UCS2Characters are the characters outside the GSM 7-bit alphabet,
	// which make the whole text UCS-2 (70 characters per segment instead
	// of 160).
	UCS2Characters []UCS2Character `json:"ucs2_characters"`
	// Price is what Text would cost to the recipient's number; null
	// without billing, without a number, or without a price for it
	// (PriceNote says which).
	Price     *PreviewPrice `json:"price"`
	PriceNote string        `json:"price_note,omitempty"`
	// Links are the URLs replaced by tracked short links (links.domain
	// set), each a sample: a campaign gives each recipient its own.
	Links        []PreviewLink `json:"links"`
	Placeholders []string      `json:"placeholders"`
}

// UCS2Character is one character forcing UCS-2 and its index in Text,
// in characters from 0.
type UCS2Character struct {
	Char  string `json:"char"`
	Index int    `json:"index"`
}

// PreviewPrice is the price of a preview's text, in micro-units.
type PreviewPrice struct {
	To         string `json:"to"`
	Currency   string `json:"currency"`
	PerSegment int64  `json:"per_segment"`
	Total      int64  `json:"total"`
}

// PreviewLink is a URL of the text and the short link standing for it.
type PreviewLink struct {
	URL    string `json:"url"`
	Short  string `json:"short"`
	Sample bool   `json:"sample"`
}

// NewTemplates returns the template use cases over st; links (nil when
// links.domain is off) shows short links in previews, bill (nil without
// billing) prices them.
func NewTemplates(st *store.Store, links *campaign.Links, bill *gateway.Billing) *Templates {
	return &Templates{st: st, links: links, bill: bill, now: time.Now}
}

// mayChange refuses a caller that may not send for its account.
func (s *Templates) mayChange(p Principal) error {
	if p.Unverified {
		return refuse(KindEmailUnverified, "", "verify your email before changing templates")
	}
	if p.Role == RoleMember && !p.CanSend {
		return Forbidden("the caller may not send for this account, nor change its templates")
	}
	return nil
}

// parse parses body against the account's declared fields, refusing it
// with a problem naming the placeholder at fault.
func (s *Templates) parse(ctx context.Context, accountID int64, body string) (*campaign.Template, error) {
	fields, err := s.st.ContactFields(ctx, accountID)
	if err != nil {
		return nil, fmt.Errorf("template fields: %w", err)
	}
	t, err := campaign.ParseTemplate(body, fields)
	var te *campaign.TemplateError
	switch {
	case errors.As(err, &te):
		detail := te.Reason
		if te.Placeholder != "" {
			detail = "{{" + te.Placeholder + "}} at character " + strconv.Itoa(te.Offset) + ": " + te.Reason
		} else if te.Offset > 0 {
			detail = "at character " + strconv.Itoa(te.Offset) + ": " + te.Reason
		}
		return nil, Invalid("body", detail)
	case errors.Is(err, campaign.ErrTemplateTooLong):
		return nil, Invalid("body", fmt.Sprintf("the body is longer than %d characters", campaign.MaxTemplateChars))
	case err != nil:
		return nil, err
	}
	return t, nil
}

func checkTemplateName(name string) error {
	name = strings.TrimSpace(name)
	if name == "" || utf8.RuneCountInString(name) > MaxTemplateNameChars || !utf8.ValidString(name) {
		return Invalid("name", fmt.Sprintf("give the template a name of 1 to %d characters", MaxTemplateNameChars))
	}
	for _, r := range name {
		if r < 0x20 || r == 0x7f {
			return Invalid("name", "the name has a control character")
		}
	}
	return nil
}

func templateView(t *store.Template, parsed *campaign.Template) Template {
	v := Template{ID: t.ID, Name: t.Name, Body: t.Body, CreatedAt: t.CreatedAt, UpdatedAt: t.UpdatedAt, Placeholders: []string{}}
	if parsed != nil && len(parsed.Placeholders()) > 0 {
		v.Placeholders = parsed.Placeholders()
	}
	return v
}

// Create stores a new template of the caller's account. The body is
// parsed: an unknown placeholder or malformed braces is refused naming
// it. A name in use is an unprocessable refusal.
func (s *Templates) Create(ctx context.Context, p Principal, in TemplateInput) (Template, error) {
	if err := s.mayChange(p); err != nil {
		return Template{}, err
	}
	if in.Name == nil {
		return Template{}, Invalid("name", "give the template a name")
	}
	if in.Body == nil {
		return Template{}, Invalid("body", "give the template a body")
	}
	name := strings.TrimSpace(*in.Name)
	if err := checkTemplateName(name); err != nil {
		return Template{}, err
	}
	parsed, err := s.parse(ctx, p.AccountID, *in.Body)
	if err != nil {
		return Template{}, err
	}
	n, err := s.st.CountTemplates(ctx, p.AccountID)
	if err != nil {
		return Template{}, fmt.Errorf("create template: %w", err)
	}
	if n >= MaxTemplatesPerAccount {
		return Template{}, refuse(KindUnprocessable, "", fmt.Sprintf("the account has %d templates, the most it may have", n))
	}
	t := &store.Template{AccountID: p.AccountID, Name: name, Body: *in.Body}
	err = s.st.CreateTemplate(ctx, t)
	if errors.Is(err, store.ErrDuplicate) {
		return Template{}, refuse(KindConflict, "name", "the account already has a template of this name")
	}
	if err != nil {
		return Template{}, fmt.Errorf("create template: %w", err)
	}
	return templateView(t, parsed), nil
}

// reparse parses a stored body for its placeholders; a body that no
// longer parses (a custom field undeclared since) lists none.
func (s *Templates) reparse(ctx context.Context, t *store.Template) *campaign.Template {
	parsed, err := s.parse(ctx, t.AccountID, t.Body)
	if err != nil {
		return nil
	}
	return parsed
}

// Get returns the caller's account's template id.
func (s *Templates) Get(ctx context.Context, p Principal, id int64) (Template, error) {
	t, err := s.st.TemplateByID(ctx, p.AccountID, id)
	if errors.Is(err, store.ErrNotFound) {
		return Template{}, NotFound("no such template")
	}
	if err != nil {
		return Template{}, fmt.Errorf("get template: %w", err)
	}
	return templateView(&t, s.reparse(ctx, &t)), nil
}

// List returns a page of the caller's account's templates in id order,
// after cursor (a page's NextCursor), of at most limit (0: 100).
func (s *Templates) List(ctx context.Context, p Principal, cursor string, limit int) (TemplatePage, error) {
	if limit == 0 {
		limit = 100
	}
	if limit < 1 || limit > MaxTemplatesListed {
		return TemplatePage{}, Invalid("limit", fmt.Sprintf("limit must be 1 to %d", MaxTemplatesListed))
	}
	var after int64
	if cursor != "" {
		n, err := strconv.ParseInt(cursor, 10, 64)
		if err != nil || n < 0 {
			return TemplatePage{}, Invalid("cursor", "malformed cursor")
		}
		after = n
	}
	ts, err := s.st.Templates(ctx, p.AccountID, after, limit)
	if err != nil {
		return TemplatePage{}, fmt.Errorf("list templates: %w", err)
	}
	fields, err := s.st.ContactFields(ctx, p.AccountID)
	if err != nil {
		return TemplatePage{}, fmt.Errorf("list templates: %w", err)
	}
	page := TemplatePage{Data: make([]Template, len(ts))}
	for i := range ts {
		parsed, _ := campaign.ParseTemplate(ts[i].Body, fields)
		page.Data[i] = templateView(&ts[i], parsed)
	}
	if len(ts) == limit {
		page.NextCursor = strconv.FormatInt(ts[len(ts)-1].ID, 10)
	}
	return page, nil
}

// Update changes the name and/or body of the caller's account's template
// id, checked as in Create.
func (s *Templates) Update(ctx context.Context, p Principal, id int64, in TemplateInput) (Template, error) {
	if err := s.mayChange(p); err != nil {
		return Template{}, err
	}
	if in.Name == nil && in.Body == nil {
		return Template{}, Invalid("", "give the name or the body to change")
	}
	t, err := s.st.TemplateByID(ctx, p.AccountID, id)
	if errors.Is(err, store.ErrNotFound) {
		return Template{}, NotFound("no such template")
	}
	if err != nil {
		return Template{}, fmt.Errorf("update template: %w", err)
	}
	if in.Name != nil {
		if err := checkTemplateName(*in.Name); err != nil {
			return Template{}, err
		}
		t.Name = strings.TrimSpace(*in.Name)
	}
	if in.Body != nil {
		t.Body = *in.Body
	}
	parsed, err := s.parse(ctx, p.AccountID, t.Body)
	if err != nil {
		return Template{}, err
	}
	err = s.st.UpdateTemplate(ctx, &t)
	switch {
	case errors.Is(err, store.ErrDuplicate):
		return Template{}, refuse(KindConflict, "name", "the account already has a template of this name")
	case errors.Is(err, store.ErrNotFound):
		return Template{}, NotFound("no such template")
	case err != nil:
		return Template{}, fmt.Errorf("update template: %w", err)
	}
	return templateView(&t, parsed), nil
}

// Delete deletes the caller's account's template id.
func (s *Templates) Delete(ctx context.Context, p Principal, id int64) error {
	if err := s.mayChange(p); err != nil {
		return err
	}
	err := s.st.DeleteTemplate(ctx, p.AccountID, id)
	if errors.Is(err, store.ErrNotFound) {
		return NotFound("no such template")
	}
	if err != nil {
		return fmt.Errorf("delete template: %w", err)
	}
	return nil
}

// Settings returns the caller's account's template settings.
func (s *Templates) Settings(ctx context.Context, p Principal) (TemplateSettings, error) {
	ts, err := s.st.TemplateSettingsOf(ctx, p.AccountID)
	if err != nil {
		return TemplateSettings{}, fmt.Errorf("template settings: %w", err)
	}
	if ts.OptOutText == "" {
		return TemplateSettings{OptOutText: campaign.DefaultOptOutText, Default: true}, nil
	}
	return TemplateSettings{OptOutText: ts.OptOutText}, nil
}

// PutSettings sets the caller's account's opt-out text; "" goes back to
// the default.
func (s *Templates) PutSettings(ctx context.Context, p Principal, optOutText string) (TemplateSettings, error) {
	if err := s.mayChange(p); err != nil {
		return TemplateSettings{}, err
	}
	text := strings.TrimSpace(optOutText)
	if !utf8.ValidString(text) || utf8.RuneCountInString(text) > MaxOptOutTextChars {
		return TemplateSettings{}, Invalid("optout_text", fmt.Sprintf("at most %d characters of text", MaxOptOutTextChars))
	}
	for _, r := range text {
		if r < 0x20 || r == 0x7f {
			return TemplateSettings{}, Invalid("optout_text", "the text has a control character")
		}
	}
	if strings.Contains(text, "{{") || strings.Contains(text, "}}") {
		return TemplateSettings{}, Invalid("optout_text", "the text may not hold placeholders")
	}
	if err := s.st.PutTemplateSettings(ctx, &store.TemplateSettings{AccountID: p.AccountID, OptOutText: text}); err != nil {
		return TemplateSettings{}, fmt.Errorf("put template settings: %w", err)
	}
	return s.Settings(ctx, p)
}
