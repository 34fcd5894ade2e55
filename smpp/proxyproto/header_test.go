package proxyproto

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"net/netip"
	"strings"
	"testing"
)

// sig is the version 2 signature, written out here rather than taken from
// the package.
const sig = "\r\n\r\n\x00\r\nQUIT\n"

// v2 builds a version 2 header by hand: ver/cmd, fam/proto, then payload
// with its length.
func v2(verCmd, famProto byte, payload []byte) []byte {
	b := append([]byte(sig), verCmd, famProto)
	b = binary.BigEndian.AppendUint16(b, uint16(len(payload)))
	return append(b, payload...)
}

// inet4 is a version 2 AF_INET block: 192.0.2.10:51000 to 10.0.0.5:2775.
var inet4 = []byte{192, 0, 2, 10, 10, 0, 0, 5, 0xC7, 0x38, 0x0A, 0xD7}

// inet6 is an AF_INET6 block: [2001:db8::7]:40000 to [2001:db8::1]:2775.
var inet6 = func() []byte {
	b := netip.MustParseAddr("2001:db8::7").As16()
	d := netip.MustParseAddr("2001:db8::1").As16()
	out := append(b[:], d[:]...)
	return append(out, 0x9C, 0x40, 0x0A, 0xD7)
}()

func read(t *testing.T, in []byte) (Header, []byte, error) {
	t.Helper()
	br := bufio.NewReader(bytes.NewReader(in))
	h, err := ReadHeader(br)
	rest, _ := io.ReadAll(br)
	return h, rest, err
}

func TestReadHeaderValid(t *testing.T) {
	tlv := []byte{0x04, 0x00, 0x03, 'a', 'b', 'c'} // PP2_TYPE_NOOP, skipped
	src4, dst4 := netip.MustParseAddrPort("192.0.2.10:51000"), netip.MustParseAddrPort("10.0.0.5:2775")
	src6, dst6 := netip.MustParseAddrPort("[2001:db8::7]:40000"), netip.MustParseAddrPort("[2001:db8::1]:2775")
	for _, tc := range []struct {
		name string
		in   []byte
		want Header
	}{
		{"v1 TCP4", []byte("PROXY TCP4 192.0.2.10 10.0.0.5 51000 2775\r\n"), Header{Version: 1, Source: src4, Destination: dst4}},
		{"v1 TCP6", []byte("PROXY TCP6 2001:db8::7 2001:db8::1 40000 2775\r\n"), Header{Version: 1, Source: src6, Destination: dst6}},
		{"v1 TCP6 mapped", []byte("PROXY TCP6 ::ffff:192.0.2.10 ::ffff:10.0.0.5 51000 2775\r\n"), Header{Version: 1, Source: src4, Destination: dst4}},
		{"v1 UNKNOWN", []byte("PROXY UNKNOWN\r\n"), Header{Version: 1, Local: true}},
		{"v1 107 bytes", []byte("PROXY UNKNOWN " + strings.Repeat("x", 91) + "\r\n"), Header{Version: 1, Local: true}},
		{"v1 UNKNOWN with addresses", []byte("PROXY UNKNOWN ffff:f...f:ffff 1.2.3.4 65535 65535\r\n"), Header{Version: 1, Local: true}},
		{"v1 longest", []byte("PROXY TCP6 ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff 65535 65535\r\n"),
			Header{Version: 1, Source: netip.MustParseAddrPort("[ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff]:65535"),
				Destination: netip.MustParseAddrPort("[ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff]:65535")}},
		{"v1 port 0", []byte("PROXY TCP4 192.0.2.10 10.0.0.5 0 2775\r\n"),
			Header{Version: 1, Source: netip.MustParseAddrPort("192.0.2.10:0"), Destination: dst4}},
		{"v2 inet", v2(0x21, 0x11, inet4), Header{Version: 2, Source: src4, Destination: dst4}},
		{"v2 inet unspec transport", v2(0x21, 0x10, inet4), Header{Version: 2, Source: src4, Destination: dst4}},
		{"v2 inet TLVs", v2(0x21, 0x11, append(bytes.Clone(inet4), tlv...)), Header{Version: 2, Source: src4, Destination: dst4}},
		{"v2 inet6", v2(0x21, 0x21, inet6), Header{Version: 2, Source: src6, Destination: dst6}},
		{"v2 inet6 TLVs", v2(0x21, 0x21, append(bytes.Clone(inet6), tlv...)), Header{Version: 2, Source: src6, Destination: dst6}},
		{"v2 LOCAL", v2(0x20, 0x00, nil), Header{Version: 2, Local: true}},
		// LOCAL ignores the block, family and all.
		{"v2 LOCAL with block", v2(0x20, 0x11, inet4), Header{Version: 2, Local: true}},
		{"v2 LOCAL odd family", v2(0x20, 0xFF, []byte{1, 2, 3}), Header{Version: 2, Local: true}},
		{"v2 unspec family", v2(0x21, 0x00, tlv), Header{Version: 2, Local: true}},
		{"v2 unix", v2(0x21, 0x31, make([]byte, 216)), Header{Version: 2, Local: true}},
		{"v2 largest", v2(0x21, 0x11, append(bytes.Clone(inet4), make([]byte, MaxV2Payload-12)...)),
			Header{Version: 2, Source: src4, Destination: dst4}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// The stream's own bytes follow the header and must be left.
			in := append(bytes.Clone(tc.in), "\x00\x00\x00\x10bind"...)
			h, rest, err := read(t, in)
			if err != nil {
				t.Fatalf("ReadHeader: %v", err)
			}
			if h != tc.want {
				t.Fatalf("header %+v, want %+v", h, tc.want)
			}
			if string(rest) != "\x00\x00\x00\x10bind" {
				t.Fatalf("left %q after the header, want the stream's bytes", rest)
			}
		})
	}
}

func TestReadHeaderInvalid(t *testing.T) {
	long := "PROXY TCP6 ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff 65535 655350\r\n"
	for _, tc := range []struct {
		name string
		in   []byte
		want error
	}{
		{"smpp bind", []byte("\x00\x00\x00\x2f\x00\x00\x00\x09"), ErrNoHeader},
		{"http", []byte("GET / HTTP/1.1\r\n"), ErrNoHeader},
		{"P but not PROXY", []byte("PRIVMSG x\r\n"), ErrNoHeader},
		{"CR but not the signature", []byte("\r\nhello"), ErrNoHeader},
		{"v1 oversized", []byte(long), ErrInvalid},
		{"v1 108 bytes", []byte("PROXY UNKNOWN " + strings.Repeat("x", 92) + "\r\n"), ErrInvalid},
		{"v1 no CRLF in 107 bytes", []byte("PROXY UNKNOWN " + strings.Repeat("x", 200)), ErrInvalid},
		{"v1 LF alone", []byte("PROXY TCP4 192.0.2.10 10.0.0.5 51000 2775\n"), ErrInvalid},
		{"v1 bad protocol", []byte("PROXY UDP4 192.0.2.10 10.0.0.5 51000 2775\r\n"), ErrInvalid},
		{"v1 family mismatch", []byte("PROXY TCP4 2001:db8::7 10.0.0.5 51000 2775\r\n"), ErrInvalid},
		{"v1 v4 as TCP6", []byte("PROXY TCP6 192.0.2.10 2001:db8::1 51000 2775\r\n"), ErrInvalid},
		{"v1 zone", []byte("PROXY TCP6 fe80::1%eth0 2001:db8::1 51000 2775\r\n"), ErrInvalid},
		{"v1 bad address", []byte("PROXY TCP4 192.0.2.300 10.0.0.5 51000 2775\r\n"), ErrInvalid},
		{"v1 port too big", []byte("PROXY TCP4 192.0.2.10 10.0.0.5 65536 2775\r\n"), ErrInvalid},
		{"v1 port leading zero", []byte("PROXY TCP4 192.0.2.10 10.0.0.5 051000 2775\r\n"), ErrInvalid},
		{"v1 port sign", []byte("PROXY TCP4 192.0.2.10 10.0.0.5 +5100 2775\r\n"), ErrInvalid},
		{"v1 missing field", []byte("PROXY TCP4 192.0.2.10 10.0.0.5 51000\r\n"), ErrInvalid},
		{"v1 double space", []byte("PROXY TCP4  192.0.2.10 10.0.0.5 51000 2775\r\n"), ErrInvalid},
		{"v1 extra field", []byte("PROXY TCP4 192.0.2.10 10.0.0.5 51000 2775 x\r\n"), ErrInvalid},
		{"v2 version 1", v2(0x11, 0x11, inet4), ErrInvalid},
		{"v2 command 2", v2(0x22, 0x11, inet4), ErrInvalid},
		{"v2 family 4", v2(0x21, 0x41, inet4), ErrInvalid},
		{"v2 transport 3", v2(0x21, 0x13, inet4), ErrInvalid},
		{"v2 datagram", v2(0x21, 0x12, inet4), ErrInvalid},
		{"v2 inet short", v2(0x21, 0x11, inet4[:11]), ErrInvalid},
		{"v2 inet6 short", v2(0x21, 0x21, inet6[:35]), ErrInvalid},
		{"v2 unix short", v2(0x21, 0x31, make([]byte, 100)), ErrInvalid},
		{"v2 oversized", v2(0x21, 0x11, append(bytes.Clone(inet4), make([]byte, MaxV2Payload-11)...)), ErrInvalid},
		{"v2 oversized length field", append([]byte(sig), 0x21, 0x11, 0xFF, 0xFF), ErrInvalid},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h, _, err := read(t, tc.in)
			if !errors.Is(err, tc.want) {
				t.Fatalf("ReadHeader = %+v, %v; want %v", h, err, tc.want)
			}
		})
	}
}

// TestReadHeaderTruncated: a stream that ends inside a header is
// io.ErrUnexpectedEOF, one that ends before it io.EOF; neither is taken
// for a header.
func TestReadHeaderTruncated(t *testing.T) {
	for _, whole := range [][]byte{
		[]byte("PROXY TCP4 192.0.2.10 10.0.0.5 51000 2775\r\n"),
		v2(0x21, 0x11, inet4),
		v2(0x21, 0x21, append(bytes.Clone(inet6), 4, 0, 1, 0)),
		v2(0x20, 0x00, nil),
	} {
		for n := 1; n < len(whole); n++ {
			if _, _, err := read(t, whole[:n]); !errors.Is(err, io.ErrUnexpectedEOF) {
				t.Fatalf("%q cut at %d: %v, want io.ErrUnexpectedEOF", whole, n, err)
			}
		}
	}
	if _, _, err := read(t, nil); !errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		t.Fatalf("empty stream: %v, want io.EOF", err)
	}
}

// TestReadHeaderReadsNoMore: ReadHeader reads a byte at a time what it
// must, so from a stream that delivers one byte per read it takes the
// header and nothing after it.
func TestReadHeaderReadsNoMore(t *testing.T) {
	for _, hdr := range [][]byte{
		[]byte("PROXY TCP4 192.0.2.10 10.0.0.5 51000 2775\r\n"),
		v2(0x21, 0x11, append(bytes.Clone(inet4), 1, 0, 0)),
	} {
		src := &oneByte{b: append(bytes.Clone(hdr), "after"...)}
		br := bufio.NewReaderSize(src, 16)
		if _, err := ReadHeader(br); err != nil {
			t.Fatal(err)
		}
		if got := len(hdr) - (src.read - br.Buffered()); got != 0 {
			t.Fatalf("consumed %d bytes more than the header", -got)
		}
		rest, _ := io.ReadAll(br)
		if string(rest) != "after" {
			t.Fatalf("left %q", rest)
		}
	}
}

// oneByte returns one byte per Read.
type oneByte struct {
	b    []byte
	read int
}

func (o *oneByte) Read(p []byte) (int, error) {
	if o.read == len(o.b) {
		return 0, io.EOF
	}
	if len(p) == 0 {
		return 0, nil
	}
	p[0] = o.b[o.read]
	o.read++
	return 1, nil
}

// TestHeaderAppend: what Append writes, ReadHeader reads back, in both
// versions and families; and Append's output is the specification's bytes.
func TestHeaderAppend(t *testing.T) {
	src4, dst4 := netip.MustParseAddrPort("192.0.2.10:51000"), netip.MustParseAddrPort("10.0.0.5:2775")
	src6, dst6 := netip.MustParseAddrPort("[2001:db8::7]:40000"), netip.MustParseAddrPort("[2001:db8::1]:2775")
	if got := (Header{Version: 1, Source: src4, Destination: dst4}).Append(nil); string(got) != "PROXY TCP4 192.0.2.10 10.0.0.5 51000 2775\r\n" {
		t.Fatalf("v1 = %q", got)
	}
	if got := (Header{Version: 2, Source: src4, Destination: dst4}).Append(nil); !bytes.Equal(got, v2(0x21, 0x11, inet4)) {
		t.Fatalf("v2 = %x", got)
	}
	if got := (Header{Version: 2, Source: src6, Destination: dst6}).Append(nil); !bytes.Equal(got, v2(0x21, 0x21, inet6)) {
		t.Fatalf("v2 inet6 = %x", got)
	}
	for _, h := range []Header{
		{Version: 1, Source: src6, Destination: dst6},
		{Version: 1, Local: true},
		{Version: 2, Local: true},
		{Version: 1, Source: src4, Destination: dst6}, // mixed: written as TCP6, read back unmapped
	} {
		got, _, err := read(t, h.Append(nil))
		if err != nil || got.Local != h.Local || got.Source != h.Source || got.Destination != h.Destination {
			t.Fatalf("%+v read back as %+v, %v", h, got, err)
		}
	}
}

// FuzzReadHeader: any input is a header, ErrNoHeader, ErrInvalid or a
// read error, never a panic; a header never takes more than the bounds,
// and names a client exactly when it is not Local.
func FuzzReadHeader(f *testing.F) {
	f.Add([]byte("PROXY TCP4 192.0.2.10 10.0.0.5 51000 2775\r\nrest"))
	f.Add([]byte("PROXY TCP6 2001:db8::7 2001:db8::1 40000 2775\r\n"))
	f.Add([]byte("PROXY UNKNOWN\r\n"))
	f.Add(v2(0x21, 0x11, inet4))
	f.Add(v2(0x21, 0x21, append(bytes.Clone(inet6), 4, 0, 1, 0)))
	f.Add(v2(0x20, 0x00, nil))
	f.Add(v2(0x21, 0x31, make([]byte, 216)))
	f.Add([]byte("\x00\x00\x00\x10\x00\x00\x00\x15"))
	f.Fuzz(func(t *testing.T, in []byte) {
		br := bufio.NewReaderSize(bytes.NewReader(in), 16)
		h, err := ReadHeader(br)
		consumed := len(in) - drain(br)
		if err != nil {
			if h != (Header{}) {
				t.Fatalf("error %v with a header %+v", err, h)
			}
			return
		}
		switch h.Version {
		case 1:
			if consumed > MaxV1Length {
				t.Fatalf("v1 header of %d bytes", consumed)
			}
		case 2:
			if consumed > 16+MaxV2Payload {
				t.Fatalf("v2 header of %d bytes", consumed)
			}
		default:
			t.Fatalf("version %d", h.Version)
		}
		if h.Local == h.Source.IsValid() || h.Source.IsValid() != h.Destination.IsValid() {
			t.Fatalf("header %+v: addresses exactly when not Local", h)
		}
		if h.Source.Addr().Is4In6() || h.Source.Addr().Zone() != "" {
			t.Fatalf("source %v not normalized", h.Source)
		}
	})
}

// drain reads br to its end and returns how many bytes that was: what
// ReadHeader left of the input.
func drain(br *bufio.Reader) int {
	n, _ := io.Copy(io.Discard, br)
	return int(n)
}

// BenchmarkReadHeader: the cost of reading one header (the bufio.Reader
// reused, as one per connection would be made once).
func BenchmarkReadHeader(b *testing.B) {
	for _, bc := range []struct {
		name string
		in   []byte
	}{
		{"v1", []byte("PROXY TCP4 192.0.2.10 10.0.0.5 51000 2775\r\n")},
		{"v2", v2(0x21, 0x11, inet4)},
		{"v2_inet6_tlv", v2(0x21, 0x21, append(bytes.Clone(inet6), 4, 0, 8, 1, 2, 3, 4, 5, 6, 7, 8))},
	} {
		b.Run(bc.name, func(b *testing.B) {
			r := bytes.NewReader(bc.in)
			br := bufio.NewReaderSize(r, 256)
			b.ReportAllocs()
			for b.Loop() {
				r.Reset(bc.in)
				br.Reset(r)
				if _, err := ReadHeader(br); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
