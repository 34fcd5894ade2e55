package pdutext

import (
	"fmt"
	"unicode/utf16"
	"unicode/utf8"
)

// MaxSegments is the most segments one concatenated message can have: the
// total is a single octet.
const MaxSegments = 255

// Count is how a handset bills a text: the coding it travels in, its length
// in that coding's units, the number of segments and the capacity of each.
type Count struct {
	Coding DataCoding
	// Units is the length in septets (GSM 7-bit, extension characters
	// counting two; also for Latin-1 and IA5, which the MC sends as GSM
	// 7-bit), UTF-16 units (UCS-2, a character outside the BMP counting
	// two) or octets (8-bit).
	Units int
	// Segments is 1 for a text that fits one message, including the empty
	// text; otherwise the number of concatenated parts. It may exceed
	// [MaxSegments], which [Split] refuses.
	Segments int
	// PerSegment is the capacity in Units of each segment: 160, 70 or 140
	// for a single message; 153, 67 or 134 with the 6-octet concatenation
	// header.
	PerSegment int
}

// capacity returns how many units of alphabet a fit in one 140-octet
// message next to a user data header of udhLen octets (docs/smpp.md, "GSM 7-bit:
// counting and packing"):
// floor(8(140−U)/7) septets, floor((140−U)/2) UTF-16 units or 140−U octets.
func capacity(a Alphabet, udhLen int) int {
	switch a {
	case AlphabetGSM7, AlphabetLatin1, AlphabetIA5:
		return (140 - udhLen) * 8 / 7
	case AlphabetUCS2:
		return (140 - udhLen) / 2
	}
	return 140 - udhLen
}

// segCounter counts greedy segments over a stream of character weights.
// Characters are never split, so a two-unit character that does not fit
// moves whole to the next segment.
type segCounter struct {
	multi, fill, segs, total int
}

func newSegCounter(a Alphabet) segCounter {
	return segCounter{multi: capacity(a, udhLenConcat8), segs: 1}
}

func (c *segCounter) add(w int) {
	c.total += w
	if c.fill+w > c.multi {
		c.segs++
		c.fill = 0
	}
	c.fill += w
}

// count decides single versus multipart on the whole length first.
func (c *segCounter) count(dc DataCoding, a Alphabet) Count {
	single := capacity(a, 0)
	if c.total <= single {
		return Count{Coding: dc, Units: c.total, Segments: 1, PerSegment: single}
	}
	return Count{Coding: dc, Units: c.total, Segments: c.segs, PerSegment: c.multi}
}

// CountText counts s in the coding [Choose] picks for it. Segment sizes
// assume the usual 6-octet concatenation header (8-bit reference); with a
// 16-bit reference use [Split] to count. The decision between one message
// and several is made on the whole length first (≤160 septets or ≤70
// units is one message). An invalid UTF-8 byte counts as one UCS-2 unit,
// as the U+FFFD that would replace it. CountText does not allocate.
func CountText(s string) Count {
	c := newSegCounter(AlphabetGSM7)
	for i := 0; i < len(s); {
		r, size := rune(s[i]), 1
		if r >= utf8.RuneSelf {
			r, size = utf8.DecodeRuneInString(s[i:])
		}
		v := gsmLookup(r)
		if v == gsmNone || (r == utf8.RuneError && size == 1) {
			return countUCS2(s)
		}
		c.add(1 + int(v>>7)) // extension characters carry gsmExtFlag, 0x80
		i += size
	}
	return c.count(DefaultAlphabet, AlphabetGSM7)
}

// countUCS2 counts s as UTF-16 units, an invalid UTF-8 byte as one.
func countUCS2(s string) Count {
	c := newSegCounter(AlphabetUCS2)
	for i := 0; i < len(s); {
		if s[i] < utf8.RuneSelf {
			c.add(1)
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		c.add(utf16.RuneLen(r))
		i += size
	}
	return c.count(UCS2, AlphabetUCS2)
}

// CountAs counts s encoded for dc, as [CountText] does for the coding it
// chooses. A text the coding cannot carry, or invalid UTF-8, gives an
// [*UnrepresentableError]. Latin-1 and IA5 count the GSM 7-bit septets the
// MC will send (a character outside GSM 03.38 counting one, as its
// replacement would). An unsupported coding is [ErrUnsupportedCoding].
func CountAs(s string, dc DataCoding) (Count, error) {
	a := dc.Alphabet()
	switch a {
	case AlphabetUCS2:
		for i, r := range s {
			if r == utf8.RuneError {
				if _, size := utf8.DecodeRuneInString(s[i:]); size == 1 {
					return Count{}, &UnrepresentableError{Rune: r, Offset: i, Coding: "UTF-8 input"}
				}
			}
		}
		c := countUCS2(s)
		c.Coding = dc
		return c, nil
	case AlphabetBinary:
		c := newSegCounter(a)
		c.total, c.segs = len(s), (len(s)+c.multi-1)/c.multi
		return c.count(dc, a), nil
	case AlphabetUnsupported:
		return Count{}, fmt.Errorf("count data_coding 0x%02X: %w", byte(dc), ErrUnsupportedCoding)
	}
	maxRune, coding := rune(utf8.MaxRune), "GSM 03.38"
	switch a {
	case AlphabetLatin1:
		maxRune, coding = 0xFF, "Latin-1"
	case AlphabetIA5:
		maxRune, coding = 0x7F, "IA5"
	}
	c := newSegCounter(a)
	for i := 0; i < len(s); {
		r, size := rune(s[i]), 1
		if r >= utf8.RuneSelf {
			r, size = utf8.DecodeRuneInString(s[i:])
		}
		v := gsmLookup(r)
		if r > maxRune || (r == utf8.RuneError && size == 1) || (a == AlphabetGSM7 && v == gsmNone) {
			return Count{}, &UnrepresentableError{Rune: r, Offset: i, Coding: coding}
		}
		if v != gsmNone && v&gsmExtFlag != 0 {
			c.add(2)
		} else {
			c.add(1)
		}
		i += size
	}
	return c.count(dc, a), nil
}

// CountEncoded counts a message already encoded for dc (GSM 7-bit
// unpacked), by the rules of [CountText]. It fails on octets the coding
// cannot hold: a septet above 0x7F, IA5 above 0x7F, odd-length UCS-2.
func CountEncoded(b []byte, dc DataCoding) (Count, error) {
	a := dc.Alphabet()
	if a == AlphabetUnsupported {
		return Count{}, fmt.Errorf("count data_coding 0x%02X: %w", byte(dc), ErrUnsupportedCoding)
	}
	if err := validate(b, a); err != nil {
		return Count{}, err
	}
	total, single, multi := totalUnits(b, a), capacity(a, 0), capacity(a, udhLenConcat8)
	if total <= single {
		return Count{Coding: dc, Units: total, Segments: 1, PerSegment: single}, nil
	}
	n := 0
	for i := 0; i < len(b); n++ {
		i = cutEnd(b, i, multi, a)
	}
	return Count{Coding: dc, Units: total, Segments: n, PerSegment: multi}, nil
}

// validate checks that b holds only what alphabet a allows.
func validate(b []byte, a Alphabet) error {
	switch a {
	case AlphabetGSM7, AlphabetIA5:
		for i, c := range b {
			if c > 0x7F {
				return octetError(i)
			}
		}
	case AlphabetUCS2:
		if len(b)%2 != 0 {
			return ErrOddLength
		}
	}
	return nil
}

// latinWeight returns the septets the MC sends for Latin-1 (or IA5) octet
// c: two for a GSM extension character such as '[', else one.
func latinWeight(c byte) int {
	if v := latinToGSM[c]; v != gsmNone && v&gsmExtFlag != 0 {
		return 2
	}
	return 1
}

// totalUnits returns the length of validated octets b in alphabet a's
// units.
func totalUnits(b []byte, a Alphabet) int {
	switch a {
	case AlphabetUCS2:
		return len(b) / 2
	case AlphabetLatin1, AlphabetIA5:
		n := 0
		for _, c := range b {
			n += latinWeight(c)
		}
		return n
	}
	return len(b) // unpacked GSM 7-bit: an escape pair is two octets, two septets
}

// cutEnd returns where a segment of at most limit units that starts at
// b[start] ends. It never cuts between an escape and its code, nor inside
// a UTF-16 surrogate pair (TS 23.040 §9.2.3.24.1): such a character moves
// whole to the next segment. start must be a character boundary.
func cutEnd(b []byte, start, limit int, a Alphabet) int {
	switch a {
	case AlphabetGSM7:
		end := start + limit
		if end >= len(b) {
			return len(b)
		}
		if b[end-1] == esc {
			// Escapes pair up from the start of their run, which is a
			// character boundary: b[end-1] opens a pair when an even
			// number of escapes precede it in the run.
			r := end - 1
			for r > start && b[r-1] == esc {
				r--
			}
			if (end-1-r)%2 == 0 {
				end--
			}
		}
		return end
	case AlphabetUCS2:
		end := start + 2*limit
		if end >= len(b) {
			return len(b)
		}
		if b[end-2]&0xFC == 0xD8 && b[end]&0xFC == 0xDC {
			end -= 2
		}
		return end
	case AlphabetLatin1, AlphabetIA5:
		used, i := 0, start
		for i < len(b) {
			w := latinWeight(b[i])
			if used+w > limit {
				break
			}
			used += w
			i++
		}
		return i
	}
	return min(start+limit, len(b))
}
