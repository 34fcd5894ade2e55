// Package campaign holds templates and personalisation, campaigns
// (audience, schedule, pacing, quiet hours, A/B tests, drip sequences),
// link tracking and campaign statistics (issue 13).
package campaign

import (
	"github.com/gallant-sms/gallant/store"
)

// Template is a parsed message template.
//
// Contract for issue 13: the templates work replaces this file's
// bodies and keeps these signatures.
type Template struct {
	body string
}

// ParseTemplate parses body, refusing unknown placeholders: fields are
// the account's declared custom fields (name to type).
func ParseTemplate(body string, fields []store.ContactField) (*Template, error) {
	return &Template{body: body}, nil
}

// Recipient is what a template renders for.
type Recipient struct {
	Contact store.Contact
	// OptOutText renders {{optout}} ("Reply STOP to unsubscribe").
	OptOutText string
	// Link, when set, turns a URL in the body into its tracked short
	// form for this recipient; nil leaves URLs as they are.
	Link func(url string) (string, error)
}

// SkipError says a recipient cannot be rendered for (a value without a
// default is missing) and why.
type SkipError struct{ Reason string }

func (e *SkipError) Error() string { return "campaign: recipient skipped: " + e.Reason }

// Render renders t for r; a recipient lacking a value with no default
// is a *SkipError.
func (t *Template) Render(r Recipient) (string, error) {
	return t.body, nil
}
