package pdu

import (
	"bytes"
	"errors"
	"testing"
)

// fuzzMax bounds command_length in the fuzz targets; inputs are small.
const fuzzMax = 4096

// framed is what a session's read loop makes of a byte stream.
type framed struct {
	pdus [][]byte
	err  error
}

// frameStream feeds chunks to a growing buffer the way TCP reads arrive,
// taking every whole PDU out with Frame, until a framing error.
func frameStream(chunks ...[]byte) framed {
	var out framed
	var buf []byte
	for _, c := range chunks {
		buf = append(buf, c...)
		for {
			_, n, err := Frame(buf, fuzzMax)
			if err != nil {
				out.err = err
				return out
			}
			if n == 0 {
				break
			}
			out.pdus = append(out.pdus, bytes.Clone(buf[:n]))
			buf = buf[n:]
		}
	}
	return out
}

// checkSplit frames data whole and split in two halves and requires the
// same PDUs and the same framing error. The sequence number of a framing
// error may differ: it is known only once 16 octets are in.
func checkSplit(t *testing.T, data []byte) framed {
	t.Helper()
	whole := frameStream(data)
	half := len(data) / 2
	split := frameStream(data[:half], data[half:])
	if len(whole.pdus) != len(split.pdus) {
		t.Fatalf("whole: %d PDUs, split: %d", len(whole.pdus), len(split.pdus))
	}
	for i := range whole.pdus {
		mustEqualBytes(t, "split PDU", split.pdus[i], whole.pdus[i])
	}
	if (whole.err == nil) != (split.err == nil) {
		t.Fatalf("whole err %v, split err %v", whole.err, split.err)
	}
	if whole.err != nil {
		var a, b *ProtocolError
		if !errors.As(whole.err, &a) || !errors.As(split.err, &b) ||
			a.Status != StatusInvCmdLen || b.Status != StatusInvCmdLen || !a.Close || !b.Close {
			t.Fatalf("framing errors %#v / %#v, want ESME_RINVCMDLEN with Close", whole.err, split.err)
		}
	}
	return whole
}

// checkBody decodes body as the body of id. Whatever decodes must
// validate, re-encode to the same octets and decode again to the same
// fields; whatever fails must fail with a predeclared error.
func checkBody(t *testing.T, id CommandID, body []byte) {
	t.Helper()
	b, err := NewBody(id)
	if err != nil {
		if err != ErrUnknownCommand || id.Known() {
			t.Fatalf("NewBody(%s) = %v", id, err)
		}
		return
	}
	if err := b.Decode(body); err != nil {
		var pe *ProtocolError
		if !errors.As(err, &pe) || pe.Close || pe.Seq != 0 || pe.Status == StatusOK {
			t.Fatalf("%s: Decode error %#v is not a predeclared body error", id, err)
		}
		return
	}
	if v, ok := b.(interface{ Validate() error }); ok {
		if err := v.Validate(); err != nil {
			t.Fatalf("%s: decoded body does not validate: %v", id, err)
		}
	}
	enc := b.AppendBody(nil)
	if len(body) > 0 {
		mustEqualBytes(t, id.String()+" re-encoded body", enc, body)
	}
	again, _ := NewBody(id)
	if err := again.Decode(enc); err != nil {
		t.Fatalf("%s: re-encoded body does not decode: %v", id, err)
	}
	mustSame(t, again, b)
}

// seeds returns the appendix A vectors and the round-trip samples.
func seeds(tb testing.TB) [][]byte {
	var out [][]byte
	for _, v := range vectors(tb) {
		out = append(out, unhex(tb, v.hex))
	}
	for i, s := range samples() {
		out = append(out, Encode(nil, Header{Seq: uint32(i + 1)}, s))
	}
	return out
}

// FuzzDecode frames any input as a stream of PDUs (whole and split in two
// halves, as TCP would deliver it) and decodes every PDU found. It also
// decodes everything after a known header as that command's body.
func FuzzDecode(f *testing.F) {
	for _, s := range seeds(f) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		got := checkSplit(t, data)
		for _, p := range got.pdus {
			h, err := DecodeHeader(p)
			if err != nil || int(h.Length) != len(p) {
				t.Fatalf("framed PDU has header %+v, %v", h, err)
			}
			checkBody(t, h.ID, p[HeaderLen:])
		}
		if h, err := DecodeHeader(data); err == nil {
			checkBody(t, h.ID, data[HeaderLen:])
		}
	})
}

// FuzzTLVs checks Validate against an independent walk with Next, the
// appenders against the raw section, and the section inside a PDU fed to
// Frame whole and split.
func FuzzTLVs(f *testing.F) {
	f.Add(unhex(f, "0210 0001 34"))
	f.Add(unhex(f, "001E 0009 314132423343344400 0427 0001 02"))
	f.Add(unhex(f, "0424 0005 0102030405 1400 0000"))
	f.Add(unhex(f, "0427 0002 0002"))
	f.Add(unhex(f, "0423 0003 03"))
	f.Add([]byte{0, 5, 0})
	for _, s := range samples() {
		if v, ok := s.(*SubmitSM); ok {
			f.Add([]byte(v.TLVs))
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		tl := TLVs(data)
		var want error
		var rebuilt []byte
		broken := false
		first := map[Tag][]byte{}
		for rest := tl; len(rest) > 0; {
			tag, val, next, err := rest.Next()
			if err != nil {
				if want == nil {
					want = err
				}
				broken = true
				break
			}
			if lo, hi, ok := tag.lengths(); ok && (len(val) < lo || len(val) > hi) && want == nil {
				want = ErrTLVLength
			}
			if _, seen := first[tag]; !seen {
				first[tag] = val
			}
			rebuilt = AppendTLV(rebuilt, tag, val)
			rest = next
		}
		if err := tl.Validate(); err != want {
			t.Fatalf("Validate = %v, walk says %v", err, want)
		}
		if !broken {
			mustEqualBytes(t, "rebuilt TLVs", rebuilt, data)
		}
		for tag, val := range first { // Get finds what precedes any corruption
			if got, ok := tl.Get(tag); !ok || !bytes.Equal(got, val) {
				t.Fatalf("Get(%s) = %x, %v; want %x", tag, got, ok, val)
			}
		}

		if len(data) > fuzzMax-HeaderLen-1 {
			return
		}
		pdu := Encode(nil, Header{Seq: 3}, &SubmitSMResp{TLVs: tl})
		got := checkSplit(t, pdu)
		if len(got.pdus) != 1 || got.err != nil {
			t.Fatalf("framing one PDU gave %d PDUs, %v", len(got.pdus), got.err)
		}
		var r SubmitSMResp
		if err := r.Decode(got.pdus[0][HeaderLen:]); err != want {
			t.Fatalf("Decode = %v, want %v", err, want)
		}
	})
}
