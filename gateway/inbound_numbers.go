package gateway

import (
	"cmp"
	"context"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/gallant-sms/gallant/store"
)

// numberIndex is every account's inbound numbers, in memory, to route
// MOs without a store query on the carrier's reader goroutine. It is
// immutable once built: a reload builds a new one.
type numberIndex struct {
	exact  map[string][]store.Number // long, short and keyword rows by number
	ranges []store.Number            // range rows, longest prefix first
}

func newNumberIndex(ns []store.Number) *numberIndex {
	x := &numberIndex{exact: map[string][]store.Number{}}
	for _, n := range ns {
		if n.Kind == store.NumberRange {
			x.ranges = append(x.ranges, n)
			continue
		}
		x.exact[n.Number] = append(x.exact[n.Number], n)
	}
	slices.SortStableFunc(x.ranges, func(a, b store.Number) int { return cmp.Compare(len(b.Number), len(a.Number)) })
	return x
}

// route finds the number row of an MO from carrier to dst whose text is
// text: the exact number first (on a shared code, the row of the MO's
// first word), then the longest prefix of a range. shared reports that
// dst is a shared code (it has keyword rows).
func (x *numberIndex) route(carrier, dst, text string) (n store.Number, shared, ok bool) {
	if x == nil {
		return store.Number{}, false, false
	}
	dst = InboundDigits(dst)
	if rows := x.exact[dst]; len(rows) > 0 {
		kw := ""
		var whole *store.Number
		for i := range rows {
			r := &rows[i]
			if r.Carrier != "" && r.Carrier != carrier {
				continue
			}
			if r.Kind != store.NumberKeyword {
				whole = r
				continue
			}
			shared = true
			if kw == "" {
				kw = FirstKeyword(text)
			}
			if kw != "" && r.Keyword == kw {
				return *r, true, true
			}
		}
		if whole != nil {
			return *whole, shared, true
		}
		if shared {
			return store.Number{}, true, false
		}
	}
	for _, r := range x.ranges {
		if strings.HasPrefix(dst, r.Number) && (r.Carrier == "" || r.Carrier == carrier) {
			return r, false, true
		}
	}
	return store.Number{}, false, false
}

// InboundDigits is a destination address as numbers are stored: without
// a leading "+".
func InboundDigits(addr string) string {
	return strings.TrimPrefix(strings.TrimSpace(addr), "+")
}

// FirstKeyword returns the first word of text as keywords are compared:
// upper case, without accents, without surrounding punctuation; empty
// when text has no word.
func FirstKeyword(text string) string {
	text = strings.TrimSpace(text)
	if i := strings.IndexFunc(text, unicode.IsSpace); i >= 0 {
		text = text[:i]
	}
	return NormalizeKeyword(text)
}

// NormalizeKeyword folds a keyword for comparison: letters and digits
// only, upper case, accents removed ("Café!" is "CAFE").
func NormalizeKeyword(s string) string {
	var b strings.Builder
	for _, r := range s {
		r = foldAccent(r)
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(unicode.ToUpper(r))
		}
	}
	return b.String()
}

// accentFold maps the accented Latin letters of Latin-1 and Latin
// Extended-A to their base letter.
var accentFold = func() map[rune]rune {
	m := map[rune]rune{}
	add := func(base rune, accented string) {
		for _, r := range accented {
			m[r] = base
		}
	}
	add('a', "àáâãäåāăą")
	add('A', "ÀÁÂÃÄÅĀĂĄ")
	add('c', "çćĉċč")
	add('C', "ÇĆĈĊČ")
	add('d', "ďđ")
	add('D', "ĎĐ")
	add('e', "èéêëēĕėęě")
	add('E', "ÈÉÊËĒĔĖĘĚ")
	add('g', "ĝğġģ")
	add('G', "ĜĞĠĢ")
	add('i', "ìíîïĩīĭįı")
	add('I', "ÌÍÎÏĨĪĬĮİ")
	add('n', "ñńņňŉ")
	add('N', "ÑŃŅŇ")
	add('o', "òóôõöøōŏő")
	add('O', "ÒÓÔÕÖØŌŎŐ")
	add('s', "śŝşš")
	add('S', "ŚŜŞŠ")
	add('u', "ùúûüũūŭůűų")
	add('U', "ÙÚÛÜŨŪŬŮŰŲ")
	add('y', "ýÿŷ")
	add('Y', "ÝŶŸ")
	add('z', "źżž")
	add('Z', "ŹŻŽ")
	return m
}()

func foldAccent(r rune) rune {
	if r < utf8.RuneSelf {
		return r
	}
	if b, ok := accentFold[r]; ok {
		return b
	}
	return r
}

// loadNumbers reads every number row from the store.
func loadNumbers(ctx context.Context, st *store.Store) ([]store.Number, error) {
	var all []store.Number
	var after int64
	for {
		page, err := st.AllNumbers(ctx, after, 1000)
		if err != nil {
			return nil, err
		}
		all = append(all, page...)
		if len(page) < 1000 {
			return all, nil
		}
		after = page[len(page)-1].ID
	}
}
