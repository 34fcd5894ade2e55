package pdutext

import (
	"fmt"
	"strconv"
	"time"
	"unicode/utf8"
)

// ReceiptTextLen is how many characters of the original message a receipt
// quotes after "text:".
const ReceiptTextLen = 20

// Receipt is the content of a delivery receipt's text (SMPP 3.4 Appendix
// B): "id:… sub:… dlvrd:… submit date:… done date:… stat:… err:… text:…".
type Receipt struct {
	ID         string    // the MC's message id, as written (see [NormalizeID])
	Sub        int       // messages submitted, usually 1
	Dlvrd      int       // messages delivered
	SubmitDate time.Time // when the message was submitted; minute precision in the standard form
	DoneDate   time.Time // when it reached this state
	Stat       Stat      // the state word, e.g. DELIVRD
	Err        string    // the network or MC error code, e.g. "000"
	Text       string    // the start of the original message
}

// AppendReceipt appends the Appendix B text of r to dst and returns the
// extended buffer:
//
//	id:ID sub:001 dlvrd:001 submit date:YYMMDDhhmm done date:YYMMDDhhmm stat:DELIVRD err:000 text:…
//
// Counts are zero-padded to three digits, dates written in their own
// location (a zero time as ten zeros), an empty Stat as UNKNOWN, an empty
// Err as 000, and Text cut to its first [ReceiptTextLen] characters. The
// result is UTF-8; encode it for the receipt's data_coding.
func AppendReceipt(dst []byte, r Receipt) []byte {
	dst = append(dst, "id:"...)
	dst = append(dst, r.ID...)
	dst = append(dst, " sub:"...)
	dst = appendPadded(dst, r.Sub, 3)
	dst = append(dst, " dlvrd:"...)
	dst = appendPadded(dst, r.Dlvrd, 3)
	dst = append(dst, " submit date:"...)
	dst = appendReceiptDate(dst, r.SubmitDate)
	dst = append(dst, " done date:"...)
	dst = appendReceiptDate(dst, r.DoneDate)
	dst = append(dst, " stat:"...)
	if r.Stat == "" {
		dst = append(dst, StatUnknown...)
	} else {
		dst = append(dst, r.Stat...)
	}
	dst = append(dst, " err:"...)
	if r.Err == "" {
		dst = append(dst, "000"...)
	} else {
		dst = append(dst, r.Err...)
	}
	dst = append(dst, " text:"...)
	text := r.Text
	for i, n := 0, 0; i < len(text); n++ {
		if n == ReceiptTextLen {
			text = text[:i]
			break
		}
		_, size := utf8.DecodeRuneInString(text[i:])
		i += size
	}
	return append(dst, text...)
}

// appendPadded appends n (negative as 0) with at least width digits.
func appendPadded(dst []byte, n, width int) []byte {
	n = max(n, 0)
	for d, p := 1, 10; d < width; d, p = d+1, p*10 {
		if n < p {
			dst = append(dst, '0')
		}
	}
	return strconv.AppendInt(dst, int64(n), 10)
}

func appendReceiptDate(dst []byte, t time.Time) []byte {
	if t.IsZero() {
		return append(dst, "0000000000"...)
	}
	dst = append2(dst, t.Year()%100)
	dst = append2(dst, int(t.Month()))
	dst = append2(dst, t.Day())
	dst = append2(dst, t.Hour())
	return append2(dst, t.Minute())
}

// append2 appends n (0–99) as two digits.
func append2(dst []byte, n int) []byte {
	return append(dst, byte('0'+n/10), byte('0'+n%10))
}

// Receipt field labels, in their usual order.
const (
	labID = iota
	labSub
	labDlvrd
	labSubmitDate
	labDoneDate
	labStat
	labErr
	labText
	numLabels
)

var labelWords = [numLabels]string{"id", "sub", "dlvrd", "submit", "done", "stat", "err", "text"}

// ParseReceipt reads delivery receipt text leniently, as carriers write
// it: labels in any case and order, extra spaces, "submit_date" for
// "submit date", any field missing but the id. Dates may have 10
// (YYMMDDhhmm), 12 (YYMMDDhhmmss) or 14 (YYYYMMDDhhmmss) digits and are
// read as UTC; one that is malformed is left zero. Text runs to the end,
// or to the next label not yet seen when the fields are out of order. The
// id is kept as written. Text without an id is [ErrNotReceipt].
//
// b is the decoded short_message (or message_payload); in GSM 7-bit the
// labels and digits are the same octets as in ASCII. All strings of the
// result share one allocation; [ParseReceiptView] reads the same fields
// without it.
func ParseReceipt(b []byte) (Receipt, error) {
	r, err := parseReceipt(string(b))
	return Receipt(r), err
}

// ReceiptView is a delivery receipt read in place by [ParseReceiptView]:
// the fields of [Receipt], but ID, Err and Text are sub-slices of the
// text that was parsed, valid as long as it is and changed with it.
type ReceiptView struct {
	ID         []byte
	Sub        int
	Dlvrd      int
	SubmitDate time.Time
	DoneDate   time.Time
	Stat       Stat
	Err        []byte
	Text       []byte
}

// ParseReceiptView is [ParseReceipt] without copying b, for hot paths
// such as a gateway reading every receipt of its carriers: the same
// rules give the same fields. It does not allocate, except for a stat
// word that is not one of the standard ones, or a count that is more than
// plain digits.
func ParseReceiptView(b []byte) (ReceiptView, error) {
	r, err := parseReceipt(b)
	return ReceiptView(r), err
}

// receiptOf is Receipt or ReceiptView, as parseReceipt returns them.
type receiptOf[T ~string | ~[]byte] struct {
	ID         T
	Sub        int
	Dlvrd      int
	SubmitDate time.Time
	DoneDate   time.Time
	Stat       Stat
	Err        T
	Text       T
}

// parseReceipt is ParseReceipt and ParseReceiptView: the fields it
// returns are sub-slices of s.
func parseReceipt[T ~string | ~[]byte](s T) (receiptOf[T], error) {
	var pos, val [numLabels]int // label start and value start; val 0 = not seen
	for i := 0; i < len(s); {
		if i > 0 && !isSpace(s[i-1]) {
			i++
			continue
		}
		lab, v := matchLabel(s, i)
		if lab < 0 || val[lab] != 0 {
			i++
			continue
		}
		pos[lab], val[lab] = i, v
		i = v // past the label and colon: always progress
		if lab != labText {
			i += len(token(s, v))
		}
	}
	var r receiptOf[T]
	if val[labID] == 0 {
		return r, fmt.Errorf("no id label: %w", ErrNotReceipt)
	}
	r.ID = token(s, val[labID])
	if len(r.ID) == 0 {
		var zero receiptOf[T]
		return zero, fmt.Errorf("empty id: %w", ErrNotReceipt)
	}
	if val[labSub] != 0 {
		r.Sub = atoi(token(s, val[labSub]))
	}
	if val[labDlvrd] != 0 {
		r.Dlvrd = atoi(token(s, val[labDlvrd]))
	}
	if val[labSubmitDate] != 0 {
		r.SubmitDate = parseReceiptDate(token(s, val[labSubmitDate]))
	}
	if val[labDoneDate] != 0 {
		r.DoneDate = parseReceiptDate(token(s, val[labDoneDate]))
	}
	if val[labStat] != 0 {
		if w := token(s, val[labStat]); len(w) > 0 {
			r.Stat = statOf(w)
		}
	}
	if val[labErr] != 0 {
		r.Err = token(s, val[labErr])
	}
	if v := val[labText]; v != 0 {
		end := len(s)
		for lab := range numLabels {
			if val[lab] != 0 && pos[lab] > v && pos[lab] < end {
				end = pos[lab]
			}
		}
		for end > v && isSpace(s[end-1]) {
			end--
		}
		r.Text = s[v:end]
	}
	return r, nil
}

// atoi is strconv.Atoi ignoring its error, without converting plain
// digits to a string first.
func atoi[T ~string | ~[]byte](s T) int {
	if len(s) > 0 && len(s) < 19 { // fits an int64 whatever the digits
		n := 0
		for i := 0; i < len(s); i++ {
			c := s[i]
			if c < '0' || c > '9' {
				n = -1
				break
			}
			n = n*10 + int(c-'0')
		}
		if n >= 0 {
			return n
		}
	}
	n, _ := strconv.Atoi(string(s)) // signs, overflow, errors: as strconv does
	return n
}

// statOf is parseStat for a word of either kind: a standard word, the
// usual case, is matched in place; anything else goes to parseStat.
func statOf[T ~string | ~[]byte](w T) Stat {
	var up [9]byte
	if len(w) <= len(up) {
		for i := 0; i < len(w); i++ {
			up[i] = upper(w[i])
		}
		for _, st := range stateStats {
			if string(up[:len(w)]) == string(st) {
				return st
			}
		}
	}
	return parseStat(string(w))
}

// matchLabel reports which label starts s[i:], followed by optional spaces
// and a colon, and where its value starts (after the colon and any
// spaces). It returns -1 when none does.
func matchLabel[T ~string | ~[]byte](s T, i int) (lab, val int) {
	if i >= len(s) {
		return -1, 0
	}
	switch s[i] | 0x20 { // the labels' first letters, in either case
	case 'i', 's', 'd', 't', 'e':
	default:
		return -1, 0
	}
	for l, w := range labelWords {
		j, ok := matchWord(s, i, w)
		if !ok {
			continue
		}
		if l == labSubmitDate || l == labDoneDate {
			k := j
			for k < len(s) && (s[k] == ' ' || s[k] == '_') {
				k++
			}
			if j, ok = matchWord(s, k, "date"); !ok {
				continue
			}
		}
		for j < len(s) && s[j] == ' ' {
			j++
		}
		if j == len(s) || s[j] != ':' {
			continue
		}
		j++
		for j < len(s) && s[j] == ' ' {
			j++
		}
		return l, j
	}
	return -1, 0
}

// matchWord reports whether s[i:] starts with the lower-case word w in
// any case, and returns the index after it.
func matchWord[T ~string | ~[]byte](s T, i int, w string) (int, bool) {
	if len(s)-i < len(w) {
		return i, false
	}
	for k := 0; k < len(w); k++ {
		if c := s[i+k]; c != w[k] && c+('a'-'A') != w[k] {
			return i, false
		}
	}
	return i + len(w), true
}

// token returns the run of non-space characters at s[i:], or an empty
// one when a label starts there (an empty value followed by the next
// field).
func token[T ~string | ~[]byte](s T, i int) T {
	if lab, _ := matchLabel(s, i); lab >= 0 {
		return s[i:i]
	}
	j := i
	for j < len(s) && !isSpace(s[j]) {
		j++
	}
	return s[i:j]
}

func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\r' || c == '\n'
}

// parseReceiptDate reads 10, 12 or 14 digits as a UTC time, or returns the
// zero time.
func parseReceiptDate[T ~string | ~[]byte](s T) time.Time {
	var d [14]int
	if len(s) != 10 && len(s) != 12 && len(s) != 14 {
		return time.Time{}
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return time.Time{}
		}
		d[i] = int(s[i] - '0')
	}
	var year int
	f := d[:]
	if len(s) == 14 {
		year = d[0]*1000 + d[1]*100 + d[2]*10 + d[3]
		f = d[2:]
	} else {
		year = 2000 + d[0]*10 + d[1]
	}
	two := func(k int) int { return f[2*k]*10 + f[2*k+1] }
	sec := 0
	if len(s) != 10 {
		sec = two(5)
	}
	t, ok := makeTime(year, two(1), two(2), two(3), two(4), sec, 0, time.UTC)
	if !ok {
		return time.Time{}
	}
	return t
}

// makeTime builds a time from fields, reporting false when one is out of
// range (time.Date would normalise 31 February to March).
func makeTime(year, month, day, hour, minute, sec, nsec int, loc *time.Location) (time.Time, bool) {
	if month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || sec > 59 {
		return time.Time{}, false
	}
	t := time.Date(year, time.Month(month), day, hour, minute, sec, nsec, loc)
	if t.Day() != day {
		return time.Time{}, false
	}
	return t, true
}
