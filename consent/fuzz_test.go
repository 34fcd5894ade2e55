package consent

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzKeywords: any MO text either matches no keyword or matches one that
// is a normalized single word; normalizing is idempotent; nothing panics.
func FuzzKeywords(f *testing.F) {
	for _, s := range []string{"STOP", " stop! ", "Arrêt", "please stop by later", "ß", "\x00\xff", "HELP?"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		kind, word := Match(text, &KeywordSet{Stop: []string{"HALT"}})
		if kind == KeywordNone {
			if word != "" {
				t.Fatalf("no keyword, but word %q", word)
			}
			return
		}
		if word == "" || strings.ContainsFunc(word, func(r rune) bool { return r == ' ' }) || NormalizeKeyword(word) != word {
			t.Fatalf("Match(%q) = %v %q: not a normalized word", text, kind, word)
		}
		if utf8.ValidString(text) && NormalizeKeyword(text) != word {
			t.Fatalf("Match(%q) matched %q but normalizes to %q", text, word, NormalizeKeyword(text))
		}
	})
}

// FuzzRegistryNumber: whatever a registry line holds, a number taken is
// 7 to 15 digits not starting with 0, and packs.
func FuzzRegistryNumber(f *testing.F) {
	for _, s := range []string{"07700900123", "+44 7700 900123", "0044(0)7700", "12a", "", "+"} {
		f.Add(s, "44")
	}
	f.Fuzz(func(t *testing.T, raw, cc string) {
		if len(cc) == 0 || len(cc) > 3 || strings.Trim(cc, "0123456789") != "" {
			return
		}
		d, ok := RegistryNumber(raw, cc)
		if !ok {
			return
		}
		if len(d) < 7 || len(d) > 15 || d[0] == '0' || strings.Trim(d, "0123456789") != "" {
			t.Fatalf("RegistryNumber(%q, %s) = %q", raw, cc, d)
		}
		if _, ok := pack(d); !ok {
			t.Fatalf("%q does not pack", d)
		}
	})
}
