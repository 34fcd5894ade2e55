package store

import (
	"encoding/hex"
	"slices"
	"strconv"
	"time"

	"github.com/gallant-sms/gallant/sms"
)

// Values appends the SQL literals of one row to an INSERT statement being
// built by the [Writer]. A [Record]'s AppendValues calls one method per
// column, in its [Table]'s column order; Values adds the separators.
//
// No value is ever spliced into the statement as text it could escape
// from: strings and byte slices are written as hexadecimal literals
// (X'...'), which MySQL and SQLite both read as exactly the bytes given, so
// quotes, backslashes, NULs and any other byte are stored as they are.
// Strings made only of printable ASCII other than quote and backslash are
// written as plain quoted literals, which are shorter and mean the same.
//
// A Values is only valid during the AppendValues call it is passed to.
type Values struct {
	buf []byte
	d   dialect
	n   int // values appended to the current row
	// bind collects the values as arguments of a prepared SQLite
	// statement (see prepared.go) instead of writing literals into buf.
	bind bool
	args []any
	// keys seals the values appended by Sealed; nil: they go in clear.
	keys *Keyring
	// sealed is Sealed's reused buffer (literal mode).
	sealed []byte
}

// emptyBlob is bound for a nil byte slice: an empty BLOB, not NULL.
var emptyBlob = []byte{}

// arg adds x as the next argument, in bind mode.
func (v *Values) arg(x any) {
	v.n++
	v.args = append(v.args, x)
}

const hexDigits = "0123456789abcdef"

func (v *Values) sep() {
	if v.n > 0 {
		v.buf = append(v.buf, ',')
	}
	v.n++
}

// Null appends NULL.
func (v *Values) Null() {
	if v.bind {
		v.arg(nil)
		return
	}
	v.sep()
	v.buf = append(v.buf, "NULL"...)
}

// Int appends an integer.
func (v *Values) Int(i int64) {
	if v.bind {
		v.arg(i)
		return
	}
	v.sep()
	v.buf = strconv.AppendInt(v.buf, i, 10)
}

// Uint appends an unsigned integer. SQLite has only signed 64-bit integers:
// there a value above 1<<63-1 is stored as the int64 with the same bits.
func (v *Values) Uint(u uint64) {
	if v.bind {
		v.arg(int64(u)) // bind mode is SQLite's (prepared.go): the same bits
		return
	}
	v.sep()
	if v.d == dialectSQLite {
		v.buf = strconv.AppendInt(v.buf, int64(u), 10)
		return
	}
	v.buf = strconv.AppendUint(v.buf, u, 10)
}

// ID appends a message id (a BIGINT UNSIGNED column).
func (v *Values) ID(id sms.ID) { v.Uint(uint64(id)) }

// Bool appends 1 or 0.
func (v *Values) Bool(b bool) {
	if v.bind {
		if b {
			v.arg(int64(1))
		} else {
			v.arg(int64(0))
		}
		return
	}
	v.sep()
	if b {
		v.buf = append(v.buf, '1')
	} else {
		v.buf = append(v.buf, '0')
	}
}

// String appends a text value, stored byte for byte. MySQL checks that the
// bytes are valid UTF-8 for its utf8mb4 columns (invalid text fails the
// row); SQLite stores them as given.
func (v *Values) String(s string) {
	if v.bind {
		v.arg(s)
		return
	}
	v.sep()
	if plainText(s) {
		v.buf = append(v.buf, '\'')
		v.buf = append(v.buf, s...)
		v.buf = append(v.buf, '\'')
		return
	}
	if v.d == dialectSQLite {
		// A bare X'..' is a BLOB in SQLite, which never equals TEXT in a
		// comparison: cast it so the column holds TEXT.
		v.buf = append(v.buf, "CAST("...)
		v.buf = appendHexString(v.buf, s)
		v.buf = append(v.buf, " AS TEXT)"...)
		return
	}
	v.buf = appendHexString(v.buf, s)
}

// Bytes appends a binary value (a BLOB column); nil is stored as an empty
// BLOB, not NULL.
func (v *Values) Bytes(b []byte) {
	if v.bind {
		if b == nil {
			b = emptyBlob
		}
		v.arg(b)
		return
	}
	v.sep()
	v.buf = append(v.buf, 'X', '\'')
	n := len(v.buf)
	v.buf = slices.Grow(v.buf, 2*len(b)+1)[:n+2*len(b)]
	hex.Encode(v.buf[n:], b)
	v.buf = append(v.buf, '\'')
}

// Sealed appends b sealed under the store's current key (see [Keyring]),
// or as [Values.Bytes] does when the store has no key. An empty b stays
// empty: it holds nothing to hide.
func (v *Values) Sealed(b []byte) {
	if v.keys == nil || len(b) == 0 {
		v.Bytes(b)
		return
	}
	if v.bind {
		v.arg(v.keys.Seal(b)) // the argument lives until the statement runs
		return
	}
	v.sealed = v.keys.AppendSeal(v.sealed[:0], b)
	v.Bytes(v.sealed)
}

// Time appends t in UTC at microsecond precision (truncated), or NULL when
// t is zero.
func (v *Values) Time(t time.Time) {
	if t.IsZero() {
		v.Null()
		return
	}
	if v.bind {
		v.arg(t.UnixMicro()) // SQLite's times are unix microseconds
		return
	}
	v.sep()
	if v.d == dialectSQLite {
		v.buf = strconv.AppendInt(v.buf, t.UnixMicro(), 10)
		return
	}
	v.buf = appendDatetime(v.buf, t)
}

// plainText reports whether s can be written between single quotes as it
// is in both dialects: printable ASCII without the quote and the backslash
// (an escape character in MySQL's default sql_mode).
func plainText(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 || c > 0x7e || c == '\'' || c == '\\' {
			return false
		}
	}
	return true
}

func appendHexString(dst []byte, s string) []byte {
	dst = append(dst, 'X', '\'')
	n := len(dst)
	dst = slices.Grow(dst, 2*len(s)+1)[:n+2*len(s)]
	out := dst[n:]
	for i := 0; i < len(s); i++ {
		c := s[i]
		out[2*i], out[2*i+1] = hexDigits[c>>4], hexDigits[c&0x0f]
	}
	return append(dst, '\'')
}

// appendDatetime appends t as a MySQL DATETIME(6) literal in UTC:
// 'YYYY-MM-DD hh:mm:ss.ffffff'. Years outside 0..9999 produce a literal
// MySQL rejects, failing the row.
func appendDatetime(dst []byte, t time.Time) []byte {
	t = t.UTC()
	y, mo, d := t.Date()
	h, mi, s := t.Clock()
	us := t.Nanosecond() / 1000
	dst = append(dst, '\'')
	if y < 0 || y > 9999 {
		dst = strconv.AppendInt(dst, int64(y), 10)
	} else {
		dst = appendDigits(dst, y, 4)
	}
	dst = append(dst, '-')
	dst = appendDigits(dst, int(mo), 2)
	dst = append(dst, '-')
	dst = appendDigits(dst, d, 2)
	dst = append(dst, ' ')
	dst = appendDigits(dst, h, 2)
	dst = append(dst, ':')
	dst = appendDigits(dst, mi, 2)
	dst = append(dst, ':')
	dst = appendDigits(dst, s, 2)
	dst = append(dst, '.')
	dst = appendDigits(dst, us, 6)
	return append(dst, '\'')
}

// appendDigits appends n (non-negative) zero-padded to width digits.
func appendDigits(dst []byte, n, width int) []byte {
	var b [8]byte
	for i := width - 1; i >= 0; i-- {
		b[i] = byte('0' + n%10)
		n /= 10
	}
	return append(dst, b[:width]...)
}
