package pdutext

import (
	"bytes"
	"errors"
	"math/rand/v2"
	"strings"
	"testing"
	"unicode/utf8"
)

func encodeChosen(t testing.TB, s string) ([]byte, DataCoding) {
	t.Helper()
	dc := Choose(s)
	enc, err := Encode(nil, s, dc)
	if err != nil {
		t.Fatalf("Encode(%q): %v", s, err)
	}
	return enc, dc
}

func TestSplitSingle(t *testing.T) {
	enc, dc := encodeChosen(t, "Hello @ 5€")
	segs, err := Split(enc, dc, SplitOptions{Ref: 7})
	if err != nil {
		t.Fatal(err)
	}
	if len(segs) != 1 {
		t.Fatalf("%d segments, want 1", len(segs))
	}
	s := segs[0]
	if s.UDH || s.Total != 1 || s.Seq != 1 || !bytes.Equal(s.Data, enc) {
		t.Errorf("segment = %+v, want the whole message without UDH", s)
	}
	if &s.Data[0] == &enc[0] {
		t.Error("segment aliases the input, want a copy")
	}
}

func TestSplitConcat8Vector(t *testing.T) {
	// docs/smpp.md, "Test vectors", A6: part 2 of 2, reference 0x2A, text "see you".
	a6 := append(AppendConcatUDH(nil, 0x2A, 2, 2, false), "see you"...)
	if want := mustHex(t, "0500032A020273656520796F75"); !bytes.Equal(a6, want) {
		t.Errorf("A6 short_message = % X, want % X", a6, want)
	}
	// 153 + 8 septets exceed 160, so the text splits after 153.
	enc, dc := encodeChosen(t, strings.Repeat("x", 153)+"see you!")
	segs, err := Split(enc, dc, SplitOptions{Ref: 0x12A}) // 8-bit: low octet only
	if err != nil {
		t.Fatal(err)
	}
	if len(segs) != 2 {
		t.Fatalf("%d segments, want 2", len(segs))
	}
	if want := mustHex(t, "0500032A020273656520796F7521"); !bytes.Equal(segs[1].Data, want) {
		t.Errorf("segment 2 = % X, want % X", segs[1].Data, want)
	}
	if want := append(mustHex(t, "0500032A0201"), strings.Repeat("x", 153)...); !bytes.Equal(segs[0].Data, want) {
		t.Errorf("segment 1 = % X, want % X", segs[0].Data, want)
	}
	for i, s := range segs {
		if !s.UDH || s.Ref != 0x2A || s.Total != 2 || s.Seq != byte(i+1) {
			t.Errorf("segment %d = UDH %v ref %#x %d/%d", i, s.UDH, s.Ref, s.Seq, s.Total)
		}
	}
}

func TestSplitConcat16AndSAR(t *testing.T) {
	enc, dc := encodeChosen(t, strings.Repeat("y", 305))
	segs, err := Split(enc, dc, SplitOptions{Concat: Concat16, Ref: 0xBEEF})
	if err != nil {
		t.Fatal(err)
	}
	if len(segs) != 3 { // 152 + 152 + 1
		t.Fatalf("Concat16: %d segments, want 3", len(segs))
	}
	if want := mustHex(t, "060804BEEF0301"); !bytes.Equal(segs[0].Data[:7], want) {
		t.Errorf("Concat16 header = % X, want % X", segs[0].Data[:7], want)
	}
	if n := len(segs[0].Data) - 7; n != 152 {
		t.Errorf("Concat16 first segment text = %d septets, want 152", n)
	}

	segs, err = Split(enc, dc, SplitOptions{Concat: ConcatSAR, Ref: 0xBEEF})
	if err != nil {
		t.Fatal(err)
	}
	if len(segs) != 2 { // 153 + 152: sized as with the 6-octet header
		t.Fatalf("SAR: %d segments, want 2", len(segs))
	}
	for i, s := range segs {
		if s.UDH || s.Ref != 0xBEEF || s.Total != 2 || s.Seq != byte(i+1) {
			t.Errorf("SAR segment %d = UDH %v ref %#x %d/%d", i, s.UDH, s.Ref, s.Seq, s.Total)
		}
	}
	if len(segs[0].Data) != 153 || len(segs[1].Data) != 152 {
		t.Errorf("SAR sizes %d, %d; want 153, 152", len(segs[0].Data), len(segs[1].Data))
	}
}

func TestSplitNeverCutsEscapeOrSurrogate(t *testing.T) {
	enc, dc := encodeChosen(t, strings.Repeat("a", 152)+"€"+strings.Repeat("b", 10))
	segs, err := Split(enc, dc, SplitOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(segs) != 2 {
		t.Fatalf("%d segments, want 2", len(segs))
	}
	if last := segs[0].Data[len(segs[0].Data)-1]; last == esc {
		t.Error("segment 1 ends with an escape")
	}
	if !bytes.HasPrefix(segs[1].Data[6:], []byte{esc, 0x65}) {
		t.Errorf("segment 2 text starts % X, want 1B 65", segs[1].Data[6:8])
	}

	enc, dc = encodeChosen(t, strings.Repeat("ж", 66)+"👋"+strings.Repeat("ж", 10))
	segs, err = Split(enc, dc, SplitOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if got := len(segs[0].Data) - 6; got != 132 {
		t.Errorf("segment 1 text = %d octets, want 132 (the pair moves on)", got)
	}
	if !bytes.HasPrefix(segs[1].Data[6:], []byte{0xD8, 0x3D, 0xDC, 0x4B}) {
		t.Errorf("segment 2 text starts % X, want the surrogate pair", segs[1].Data[6:10])
	}
}

func TestSplitLimits(t *testing.T) {
	enc := bytes.Repeat([]byte("a"), 255*153)
	segs, err := Split(enc, DefaultAlphabet, SplitOptions{})
	if err != nil || len(segs) != 255 {
		t.Fatalf("255×153 septets: %d segments, %v", len(segs), err)
	}
	if _, err := Split(append(enc, 'a'), DefaultAlphabet, SplitOptions{}); !errors.Is(err, ErrTooManySegments) {
		t.Errorf("255×153+1 septets: error = %v, want ErrTooManySegments", err)
	}
	if _, err := Split([]byte{0x80}, DefaultAlphabet, SplitOptions{}); !errors.Is(err, ErrBadOctet) {
		t.Errorf("septet 0x80: error = %v, want ErrBadOctet", err)
	}
	if _, err := Split([]byte{0, 1, 2}, UCS2, SplitOptions{}); !errors.Is(err, ErrOddLength) {
		t.Errorf("odd UCS2: error = %v, want ErrOddLength", err)
	}
	if _, err := Split([]byte("x"), 0x0A, SplitOptions{}); !errors.Is(err, ErrUnsupportedCoding) {
		t.Errorf("coding 0x0A: error = %v, want ErrUnsupportedCoding", err)
	}
	if _, err := Split([]byte("x"), 0, SplitOptions{Concat: 9}); err == nil {
		t.Error("unknown Concat: no error")
	}
	bin := bytes.Repeat([]byte{0xFF}, 141)
	segs, err = Split(bin, Octet, SplitOptions{})
	if err != nil || len(segs) != 2 || len(segs[0].Data) != 140 || len(segs[1].Data) != 13 {
		t.Errorf("141 octets: %d segments, %v", len(segs), err)
	}
}

func TestAppendSplitReusesBuffers(t *testing.T) {
	enc, dc := encodeChosen(t, strings.Repeat("z", 400))
	dst := make([]Segment, 0, 8)
	buf := make([]byte, 0, 1024)
	segs, out, err := AppendSplit(dst, buf, enc, dc, SplitOptions{Ref: 1})
	if err != nil {
		t.Fatal(err)
	}
	if len(segs) != 3 || &out[0] != &buf[:1][0] || &segs[0] != &dst[:1][0] {
		t.Errorf("buffers were not reused")
	}
	if len(out) != 400+3*6 {
		t.Errorf("buf holds %d octets, want %d", len(out), 400+3*6)
	}
	// A too-small buf grows once and every segment lies in the new array.
	segs, out, err = AppendSplit(nil, make([]byte, 0, 10), enc, dc, SplitOptions{Ref: 1})
	if err != nil {
		t.Fatal(err)
	}
	for i, s := range segs {
		if &s.Data[0] != &out[i*159] {
			t.Errorf("segment %d not in the returned buffer", i)
		}
	}
}

// randomText mixes plain GSM, extension, Greek, non-GSM BMP and non-BMP
// characters; mostly GSM so that both codings are exercised.
func randomText(rng *rand.Rand, n int) string {
	pools := []string{
		"abcdefghijklmnopqrstuvwxyz ABC0123456789.,!?@$_\n\r",
		"€{}[]\\^~|\f",
		"ΔΦΓΛΩΠΨΣΘΞäöüñß",
		"жщçąłあ中",
		"👋😀🎉𝄞",
	}
	gsmOnly := rng.IntN(2) == 0
	var sb strings.Builder
	for range n {
		p := pools[rng.IntN(len(pools))]
		if gsmOnly && rng.IntN(3) > 0 {
			p = pools[rng.IntN(3)]
		}
		rs := []rune(p)
		sb.WriteRune(rs[rng.IntN(len(rs))])
	}
	return sb.String()
}

func TestSplitProperty(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for iter := range 1500 {
		s := randomText(rng, rng.IntN(700))
		dc := Choose(s)
		if rng.IntN(4) == 0 && dc == UCS2 {
			dc = FlashUCS2
		}
		enc, err := Encode(nil, s, dc)
		if err != nil {
			t.Fatalf("Encode(%q, 0x%02X): %v", s, byte(dc), err)
		}
		opts := SplitOptions{Concat: Concat(rng.IntN(3)), Ref: uint16(rng.IntN(65536))}
		segs, err := Split(enc, dc, opts)
		if err != nil {
			t.Fatalf("iter %d: Split: %v", iter, err)
		}
		if opts.Concat != Concat16 {
			if want := CountText(s).Segments; len(segs) != want {
				t.Errorf("iter %d: %d segments, CountText says %d", iter, len(segs), want)
			}
		}
		var joined []byte
		for i, seg := range segs {
			body := seg.Data
			if seg.UDH {
				u, rest, err := ParseUDH(seg.Data)
				if err != nil || !u.Concat || u.Seq != byte(i+1) || u.Total != byte(len(segs)) || u.Ref16 != (opts.Concat == Concat16) {
					t.Fatalf("iter %d seg %d: UDH %+v, %v", iter, i, u, err)
				}
				body = rest
			} else if len(segs) > 1 && opts.Concat != ConcatSAR {
				t.Fatalf("iter %d seg %d: multipart segment without UDH", iter, i)
			}
			units, octets, limit := len(body), len(seg.Data), 160
			if dc.Alphabet() == AlphabetUCS2 {
				units, limit = units/2, 70
			} else { // on the air: UDH, fill bits, packed septets
				udhLen := len(seg.Data) - len(body)
				octets = udhLen + (FillBits(udhLen)+7*len(body)+7)/8
			}
			if len(segs) > 1 {
				limit = capacity(dc.Alphabet(), 6)
				if opts.Concat == Concat16 {
					limit = capacity(dc.Alphabet(), 7)
				}
			}
			if units > limit {
				t.Fatalf("iter %d seg %d: %d units > %d", iter, i, units, limit)
			}
			if octets > 140 && opts.Concat != ConcatSAR {
				t.Fatalf("iter %d seg %d: %d octets on air > 140", iter, i, octets)
			}
			if dc.Alphabet() == AlphabetGSM7 && len(body) > 0 && body[len(body)-1] == esc {
				t.Fatalf("iter %d seg %d: ends with escape", iter, i)
			}
			if dc.Alphabet() == AlphabetUCS2 && len(body) >= 2 && body[len(body)-2]&0xFC == 0xD8 {
				t.Fatalf("iter %d seg %d: ends with high surrogate", iter, i)
			}
			part, err := Decode(nil, body, dc)
			if err != nil {
				t.Fatalf("iter %d seg %d: Decode: %v", iter, i, err)
			}
			if !utf8.Valid(part) {
				t.Fatalf("iter %d seg %d: decoded segment is not valid UTF-8", iter, i)
			}
			joined = append(joined, part...)
		}
		if string(joined) != s {
			t.Fatalf("iter %d: joined segments differ\n got %q\nwant %q", iter, joined, s)
		}
	}
}

// refSegments is a character-by-character greedy split of raw octets, the
// definition cutEnd implements in fewer steps.
func refSegments(b []byte, a Alphabet, limit int) [][]byte {
	var segs [][]byte
	start, used := 0, 0
	for i := 0; i < len(b); {
		size, units := 1, 1
		switch a {
		case AlphabetGSM7:
			if b[i] == esc && i+1 < len(b) {
				size, units = 2, 2
			}
		case AlphabetUCS2:
			size = 2
			if b[i]&0xFC == 0xD8 && i+3 < len(b) && b[i+2]&0xFC == 0xDC {
				size, units = 4, 2
			}
		}
		if used+units > limit {
			segs = append(segs, b[start:i])
			start, used = i, 0
		}
		used += units
		i += size
	}
	return append(segs, b[start:])
}

func TestSplitMatchesReferenceOnRawOctets(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	gsmAlphabet := []byte{esc, esc, esc, 'a', 0x65, 0x00}
	ucsUnits := [][2]byte{{0xD8, 0x3D}, {0xDC, 0x4B}, {0x00, 0x41}, {0xDB, 0xFF}, {0xDF, 0xFF}}
	for iter := range 3000 {
		var b []byte
		dc := DefaultAlphabet
		if iter%2 == 0 {
			for range 161 + rng.IntN(400) {
				b = append(b, gsmAlphabet[rng.IntN(len(gsmAlphabet))])
			}
		} else {
			dc = UCS2
			for range 71 + rng.IntN(200) {
				u := ucsUnits[rng.IntN(len(ucsUnits))]
				b = append(b, u[0], u[1])
			}
		}
		want := refSegments(b, dc.Alphabet(), capacity(dc.Alphabet(), 6))
		segs, err := Split(b, dc, SplitOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if len(segs) != len(want) {
			t.Fatalf("iter %d: %d segments, reference %d", iter, len(segs), len(want))
		}
		for i := range segs {
			if !bytes.Equal(segs[i].Data[6:], want[i]) {
				t.Fatalf("iter %d seg %d:\n got % X\nwant % X", iter, i, segs[i].Data[6:], want[i])
			}
		}
		if c, err := CountEncoded(b, dc); err != nil || c.Segments != len(want) {
			t.Fatalf("iter %d: CountEncoded = %+v, %v; want %d segments", iter, c, err, len(want))
		}
	}
}

func TestSplitLatin1CountsExtensionSeptets(t *testing.T) {
	enc, err := EncodeLatin1(nil, strings.Repeat("a", 152)+"["+strings.Repeat("é", 10))
	if err != nil {
		t.Fatal(err)
	}
	segs, err := Split(enc, Latin1, SplitOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(segs) != 2 || len(segs[0].Data) != 6+152 || segs[1].Data[6] != '[' {
		t.Fatalf("segments %d, first %d octets; want 2 with '[' moved on", len(segs), len(segs[0].Data))
	}
	enc = bytes.Repeat([]byte("["), 80)
	if segs, _ := Split(enc, IA5, SplitOptions{}); len(segs) != 1 {
		t.Errorf("80 '[' (160 septets): %d segments, want 1", len(segs))
	}
	if segs, _ := Split(append(enc, 'x'), IA5, SplitOptions{}); len(segs) != 2 || len(segs[0].Data) != 6+76 {
		t.Errorf("80 '[' + x: %d segments, want 2 with 76 in the first", len(segs))
	}
}
