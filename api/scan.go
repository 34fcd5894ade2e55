package api

import (
	"strconv"
	"unicode/utf16"
	"unicode/utf8"
)

// scanner reads JSON from a request body in place, for the flat objects
// the API accepts. It checks the grammar of RFC 8259 as far as it reads
// and reports problems with the byte offset; it never reads past data.
type scanner struct {
	data []byte
	pos  int
}

// syntax returns an invalid-json problem at the current offset.
func (s *scanner) syntax(what string) *Error {
	return InvalidJSON(what + " at byte " + strconv.Itoa(s.pos))
}

// ws skips white space.
func (s *scanner) ws() {
	for s.pos < len(s.data) {
		switch s.data[s.pos] {
		case ' ', '\t', '\n', '\r':
			s.pos++
		default:
			return
		}
	}
}

// peek returns the next byte after white space, or 0 at the end.
func (s *scanner) peek() byte {
	s.ws()
	if s.pos >= len(s.data) {
		return 0
	}
	return s.data[s.pos]
}

// expect consumes c after white space.
func (s *scanner) expect(c byte, what string) *Error {
	if s.peek() != c {
		if s.pos >= len(s.data) {
			return s.syntax("unexpected end of input, want " + what)
		}
		return s.syntax("want " + what)
	}
	s.pos++
	return nil
}

// end checks that only white space follows.
func (s *scanner) end() *Error {
	s.ws()
	if s.pos != len(s.data) {
		return s.syntax("unexpected data after the JSON object")
	}
	return nil
}

// member reads the separator before the next member of an object and its
// name and colon. It returns done at the closing brace. first is true for
// the first call after the opening brace.
func (s *scanner) member(first bool) (name []byte, escaped, done bool, err *Error) {
	c := s.peek()
	if c == '}' {
		s.pos++
		return nil, false, true, nil
	}
	if !first {
		if c != ',' {
			if c == 0 {
				return nil, false, false, s.syntax("unexpected end of input, want ',' or '}'")
			}
			return nil, false, false, s.syntax("want ',' or '}'")
		}
		s.pos++
		c = s.peek()
	}
	if c != '"' {
		return nil, false, false, s.syntax("want a member name in double quotes")
	}
	name, escaped, err = s.rawString()
	if err != nil {
		return nil, false, false, err
	}
	if err := s.expect(':', "':'"); err != nil {
		return nil, false, false, err
	}
	s.ws()
	return name, escaped, false, nil
}

// rawString reads a string at s.pos (a double quote) and returns its
// content still escaped, and whether it holds escapes. It rejects control
// characters and invalid UTF-8.
func (s *scanner) rawString() (raw []byte, escaped bool, err *Error) {
	start := s.pos + 1
	high := false
	for i := start; i < len(s.data); i++ {
		switch c := s.data[i]; {
		case c == '"':
			raw = s.data[start:i]
			if high && !utf8.Valid(raw) {
				return nil, false, s.syntax("invalid UTF-8 in string")
			}
			s.pos = i + 1
			return raw, escaped, nil
		case c == '\\':
			escaped = true
			i++ // the escaped byte; checked by unescape
		case c < 0x20:
			s.pos = i
			return nil, false, s.syntax("control character in string")
		case c >= utf8.RuneSelf:
			high = true
		}
	}
	s.pos = len(s.data)
	return nil, false, s.syntax("unterminated string")
}

// unescape returns the value of an escaped string content, with the
// rules of encoding/json for lone surrogates (U+FFFD).
func (s *scanner) unescape(raw []byte) ([]byte, *Error) {
	out := make([]byte, 0, len(raw))
	for i := 0; i < len(raw); {
		c := raw[i]
		if c != '\\' {
			out = append(out, c)
			i++
			continue
		}
		if i+1 >= len(raw) {
			return nil, s.syntax("bad escape in string")
		}
		i++
		switch raw[i] {
		case '"', '\\', '/':
			out = append(out, raw[i])
		case 'b':
			out = append(out, '\b')
		case 'f':
			out = append(out, '\f')
		case 'n':
			out = append(out, '\n')
		case 'r':
			out = append(out, '\r')
		case 't':
			out = append(out, '\t')
		case 'u':
			r, ok := hex4(raw[i+1:])
			if !ok {
				return nil, s.syntax("bad \\u escape in string")
			}
			i += 4
			if utf16.IsSurrogate(r) {
				r2, ok2 := rune(-1), false
				if i+2 < len(raw) && raw[i+1] == '\\' && raw[i+2] == 'u' {
					r2, ok2 = hex4(raw[i+3:])
				}
				if d := utf16.DecodeRune(r, r2); ok2 && d != utf8.RuneError {
					r = d
					i += 6
				} else {
					r = utf8.RuneError
				}
			}
			out = utf8.AppendRune(out, r)
		default:
			return nil, s.syntax("bad escape in string")
		}
		i++
	}
	return out, nil
}

// hex4 decodes the four hex digits at the start of b.
func hex4(b []byte) (rune, bool) {
	if len(b) < 4 {
		return 0, false
	}
	var r rune
	for _, c := range b[:4] {
		switch {
		case '0' <= c && c <= '9':
			c -= '0'
		case 'a' <= c && c <= 'f':
			c = c - 'a' + 10
		case 'A' <= c && c <= 'F':
			c = c - 'A' + 10
		default:
			return 0, false
		}
		r = r<<4 | rune(c)
	}
	return r, true
}

// literal consumes word (true, false or null) at s.pos.
func (s *scanner) literal(word string) bool {
	if len(s.data)-s.pos < len(word) || string(s.data[s.pos:s.pos+len(word)]) != word {
		return false
	}
	s.pos += len(word)
	return true
}

// null consumes a null at s.pos.
func (s *scanner) null() bool {
	return s.pos < len(s.data) && s.data[s.pos] == 'n' && s.literal("null")
}

// wrongType returns the problem for a value of the wrong type at s.pos:
// invalid-json when it cannot start any JSON value, else invalid-request.
func (s *scanner) wrongType(field, want string) *Error {
	if s.pos >= len(s.data) {
		return s.syntax("unexpected end of input, want a value")
	}
	switch c := s.data[s.pos]; {
	case c == '"' || c == '{' || c == '[' || c == 't' || c == 'f' || c == 'n' || c == '-' || ('0' <= c && c <= '9'):
		return InvalidRequest(field, "must be "+want)
	}
	return s.syntax("invalid character")
}

// str reads a string value (null leaves ok false) into a new string.
func (s *scanner) str(field string) (v string, ok bool, err *Error) {
	b, ok, err := s.bytes(field)
	if !ok || err != nil {
		return "", false, err
	}
	return string(b), true, nil
}

// bytes reads a string value (null leaves ok false). The result may alias
// the body.
func (s *scanner) bytes(field string) (v []byte, ok bool, err *Error) {
	if s.null() {
		return nil, false, nil
	}
	if s.pos >= len(s.data) || s.data[s.pos] != '"' {
		return nil, false, s.wrongType(field, "a string")
	}
	raw, escaped, err := s.rawString()
	if err != nil {
		return nil, false, err
	}
	if escaped {
		if raw, err = s.unescape(raw); err != nil {
			return nil, false, err
		}
	}
	return raw, true, nil
}

// boolean reads true or false (null leaves ok false).
func (s *scanner) boolean(field string) (v, ok bool, err *Error) {
	switch {
	case s.null():
		return false, false, nil
	case s.literal("true"):
		return true, true, nil
	case s.literal("false"):
		return false, true, nil
	}
	return false, false, s.wrongType(field, "true or false")
}
