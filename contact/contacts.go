package contact

import (
	"errors"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/gallant-sms/gallant/consent"
)

// Limits on a contact's fields (the contacts table's columns).
const (
	MaxName     = 100
	MaxEmail    = 254
	MaxLanguage = 16
	// MaxTags is the tags a contact may have, MaxTag the longest tag in
	// bytes; joined with commas they stay within the 1,024 bytes the
	// store keeps.
	MaxTags = 20
	MaxTag  = 48
)

// ErrPhone is returned by [NormalizePhone] for what is not a number.
var ErrPhone = errors.New("contact: not a phone number")

// NormalizePhone turns raw ("+44 7700 900123", "0044…", "07700 900123"
// with country GB) into E.164 digits without "+", as the CSV import does:
// a national number (trunk "0") needs country, the ISO code of the
// default country; an international one needs none. An unknown country
// is an error naming it.
func NormalizePhone(raw, country string) (string, error) {
	cc := ""
	if country != "" {
		var ok bool
		if cc, ok = consent.CallingCode(country); !ok {
			return "", fmt.Errorf("contact: no calling code known for country %q", country)
		}
	}
	phone, ok := consent.RegistryNumber(raw, cc)
	if !ok || (cc == "" && national(raw)) {
		if cc == "" && national(raw) {
			return "", fmt.Errorf("%w: %q is national: give it with its country code or a default country", ErrPhone, clip(raw))
		}
		return "", fmt.Errorf("%w: %q is not an E.164 number (7 to 15 digits with the country code)", ErrPhone, clip(raw))
	}
	return phone, nil
}

// KnownCountry reports whether country (ISO 3166 alpha-2, any case) is
// one whose calling code [NormalizePhone] knows.
func KnownCountry(country string) bool {
	_, ok := consent.CallingCode(country)
	return ok
}

// NormalizeTags checks and normalizes tags: spaces around a tag trimmed
// and runs of spaces inside it made one, duplicates dropped (the first
// kept, order kept). A tag is 1 to MaxTag bytes of printable UTF-8
// without commas (the store joins tags with commas); at most MaxTags.
// Tags are compared exactly, case included.
func NormalizeTags(tags []string) ([]string, error) {
	if len(tags) > MaxTags {
		return nil, fmt.Errorf("contact: %d tags, at most %d", len(tags), MaxTags)
	}
	out := make([]string, 0, len(tags))
	for _, t := range tags {
		t = strings.Join(strings.Fields(t), " ")
		if err := checkTag(t); err != nil {
			return nil, err
		}
		if !containsString(out, t) {
			out = append(out, t)
		}
	}
	return out, nil
}

// NormalizeTag normalizes one tag as [NormalizeTags] does (for a filter).
func NormalizeTag(tag string) (string, error) {
	tag = strings.Join(strings.Fields(tag), " ")
	return tag, checkTag(tag)
}

func checkTag(t string) error {
	switch {
	case t == "" || len(t) > MaxTag:
		return fmt.Errorf("contact: a tag has 1 to %d bytes", MaxTag)
	case strings.ContainsRune(t, ','):
		return fmt.Errorf("contact: tag %q has a comma", clip(t))
	case !printable(t):
		return fmt.Errorf("contact: tag %q has a control character or is not UTF-8", clip(t))
	}
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

// printable reports whether s is valid UTF-8 without control characters.
func printable(s string) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if unicode.IsControl(r) {
			return false
		}
	}
	return true
}

// CheckName refuses a first or last name over MaxName bytes or with
// control characters.
func CheckName(name string) error {
	if len(name) > MaxName || !printable(name) {
		return fmt.Errorf("contact: a name has at most %d bytes of printable UTF-8", MaxName)
	}
	return nil
}

// CheckEmail refuses what is not an address "local@domain" (at most
// MaxEmail bytes, no spaces); empty is no email and is fine.
func CheckEmail(email string) error {
	if email == "" {
		return nil
	}
	at := strings.LastIndexByte(email, '@')
	if len(email) > MaxEmail || at < 1 || at == len(email)-1 || !printable(email) || strings.ContainsAny(email, " \t") ||
		!strings.Contains(email[at+1:], ".") {
		return fmt.Errorf("contact: %q is not an email address", clip(email))
	}
	return nil
}

// CheckLanguage refuses what is not a BCP 47 language tag of at most
// MaxLanguage bytes ("en", "pt-BR", "zh-Hant"); empty is fine.
func CheckLanguage(lang string) error {
	if lang == "" {
		return nil
	}
	bad := fmt.Errorf("contact: %q is not a language tag such as en or pt-BR", clip(lang))
	if len(lang) > MaxLanguage {
		return bad
	}
	for i, part := range strings.Split(lang, "-") {
		if len(part) < 1 || len(part) > 8 || (i == 0 && (len(part) < 2 || len(part) > 3)) {
			return bad
		}
		for j := 0; j < len(part); j++ {
			c := part[j]
			alpha := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
			if !alpha && (i == 0 || c < '0' || c > '9') {
				return bad
			}
		}
	}
	return nil
}
