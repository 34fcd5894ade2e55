package campaign

import (
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// scanFields reads the JSON object s once and fills out[i] with the value
// of key names[i], without allocating (a key written with escapes is
// unescaped to compare it). A repeated key keeps its last value, as
// encoding/json does. An empty s is an empty object. It returns false
// when s is not one well-formed JSON object.
func scanFields(s string, names []string, out []fieldVal) bool {
	i := skipWS(s, 0)
	if i == len(s) {
		return true
	}
	if s[i] != '{' {
		return false
	}
	i = skipWS(s, i+1)
	if i < len(s) && s[i] == '}' {
		return skipWS(s, i+1) == len(s)
	}
	for {
		if i >= len(s) || s[i] != '"' {
			return false
		}
		end, kesc, ok := scanString(s, i)
		if !ok {
			return false
		}
		key := s[i+1 : end-1]
		i = skipWS(s, end)
		if i >= len(s) || s[i] != ':' {
			return false
		}
		i = skipWS(s, i+1)
		vstart := i
		vend, kind, vesc, ok := scanValue(s, i)
		if !ok {
			return false
		}
		if kesc {
			var kb strings.Builder
			appendUnescaped(&kb, key)
			key = kb.String()
		}
		for j, name := range names {
			if name != key {
				continue
			}
			switch kind {
			case '"':
				out[j] = fieldVal{raw: s[vstart+1 : vend-1], escaped: vesc, present: true}
			case '0', 't', 'f':
				out[j] = fieldVal{raw: s[vstart:vend], present: true}
			default: // null, objects and arrays are no value
				out[j] = fieldVal{}
			}
		}
		i = skipWS(s, vend)
		if i >= len(s) {
			return false
		}
		switch s[i] {
		case ',':
			i = skipWS(s, i+1)
		case '}':
			return skipWS(s, i+1) == len(s)
		default:
			return false
		}
	}
}

func skipWS(s string, i int) int {
	for i < len(s) && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r') {
		i++
	}
	return i
}

// scanString scans the JSON string starting at s[i] (a quote) and returns
// the index after its closing quote and whether it has escapes.
func scanString(s string, i int) (end int, escaped, ok bool) {
	for j := i + 1; j < len(s); j++ {
		switch c := s[j]; {
		case c == '"':
			return j + 1, escaped, true
		case c == '\\':
			escaped = true
			j++
		case c < 0x20:
			return 0, false, false
		}
	}
	return 0, false, false
}

// scanValue scans the JSON value at s[i] and returns the index after it,
// its kind ('"' string, '0' number, 't' true, 'f' false, 'n' null, '{'
// object, '[' array) and, for a string, whether it has escapes. Objects
// and arrays are skipped by counting brackets outside strings.
func scanValue(s string, i int) (end int, kind byte, escaped, ok bool) {
	if i >= len(s) {
		return 0, 0, false, false
	}
	switch c := s[i]; {
	case c == '"':
		end, escaped, ok = scanString(s, i)
		return end, '"', escaped, ok
	case c == '-' || (c >= '0' && c <= '9'):
		j := i + 1
		for j < len(s) && (s[j] >= '0' && s[j] <= '9' || s[j] == '.' || s[j] == 'e' || s[j] == 'E' || s[j] == '+' || s[j] == '-') {
			j++
		}
		return j, '0', false, true
	case strings.HasPrefix(s[i:], "true"):
		return i + 4, 't', false, true
	case strings.HasPrefix(s[i:], "false"):
		return i + 5, 'f', false, true
	case strings.HasPrefix(s[i:], "null"):
		return i + 4, 'n', false, true
	case c == '{' || c == '[':
		depth := 0
		for j := i; j < len(s); j++ {
			switch s[j] {
			case '"':
				e, _, ok := scanString(s, j)
				if !ok {
					return 0, 0, false, false
				}
				j = e - 1
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return j + 1, c, false, true
				}
			}
		}
	}
	return 0, 0, false, false
}

// appendUnescaped writes the inside of a JSON string, escapes decoded, to
// b. A malformed \u escape writes U+FFFD.
func appendUnescaped(b *strings.Builder, s string) {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '\\' || i+1 == len(s) {
			b.WriteByte(c)
			continue
		}
		i++
		switch s[i] {
		case 'n':
			b.WriteByte('\n')
		case 't':
			b.WriteByte('\t')
		case 'r':
			b.WriteByte('\r')
		case 'b':
			b.WriteByte('\b')
		case 'f':
			b.WriteByte('\f')
		case 'u':
			r, n := hex4(s, i+1)
			i += n
			if utf16.IsSurrogate(r) && strings.HasPrefix(s[i+1:], `\u`) {
				if r2, n2 := hex4(s, i+3); n2 == 4 {
					if d := utf16.DecodeRune(r, r2); d != utf8.RuneError {
						r = d
						i += 2 + n2
					}
				}
			}
			if utf16.IsSurrogate(r) {
				r = utf8.RuneError
			}
			b.WriteRune(r)
		default: // '"', '\\', '/' and anything else: the character itself
			b.WriteByte(s[i])
		}
	}
}

// hex4 decodes the four hex digits at s[i:], returning U+FFFD and how
// many digits it consumed when they are not all there.
func hex4(s string, i int) (rune, int) {
	var r rune
	for k := range 4 {
		if i+k >= len(s) {
			return utf8.RuneError, k
		}
		c := s[i+k]
		switch {
		case c >= '0' && c <= '9':
			r = r<<4 | rune(c-'0')
		case c >= 'a' && c <= 'f':
			r = r<<4 | rune(c-'a'+10)
		case c >= 'A' && c <= 'F':
			r = r<<4 | rune(c-'A'+10)
		default:
			return utf8.RuneError, k
		}
	}
	return r, 4
}
