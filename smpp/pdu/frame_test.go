package pdu

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"testing"
)

func TestFrame(t *testing.T) {
	a7 := unhex(t, "00000019 80000004 00000000 00000002 3141324233433444 00")
	for n := range len(a7) {
		h, l, err := Frame(a7[:n], 0)
		if err != nil || l != 0 {
			t.Errorf("Frame of %d octets = %d, %v; want 0, nil", n, l, err)
		}
		if n >= 4 && h.Length != 25 {
			t.Errorf("Frame of %d octets: Length %d, want 25", n, h.Length)
		}
	}
	two := append(append([]byte{}, a7...), a7[:10]...)
	h, l, err := Frame(two, 0)
	if err != nil || l != len(a7) || h != (Header{Length: 25, ID: SubmitSMRespID, Seq: 2}) {
		t.Errorf("Frame of a PDU and a part = %+v, %d, %v", h, l, err)
	}
}

func TestFrameBadLength(t *testing.T) {
	cases := []struct {
		name    string
		b       []byte
		max     uint32
		wantSeq uint32
	}{
		{"zero, length octets only", unhex(t, "00000000"), 0, 0},
		{"15, length octets only", unhex(t, "0000000F 0000"), 0, 0},
		{"15 with a header", unhex(t, "0000000F 00000015 00000000 0000002A"), 0, 42},
		{"over the default max", unhex(t, "00010001 00000004 00000000 00000007"), 0, 7},
		{"over a given max", unhex(t, "00000011 80000005 00000000 00000007 00"), 16, 7},
		{"huge", unhex(t, "FFFFFFFF"), 0, 0},
	}
	for _, c := range cases {
		_, l, err := Frame(c.b, c.max)
		var pe *ProtocolError
		if !errors.As(err, &pe) || l != 0 {
			t.Errorf("%s: Frame = %d, %v; want a *ProtocolError", c.name, l, err)
			continue
		}
		if pe.Status != StatusInvCmdLen || !pe.Close || pe.Seq != c.wantSeq {
			t.Errorf("%s: err = %+v, want ESME_RINVCMDLEN, Close, Seq %d", c.name, pe, c.wantSeq)
		}
	}
	// Exactly at the limits is fine.
	if _, l, err := Frame(unhex(t, "00000010 00000015 00000000 00000001"), 16); err != nil || l != 16 {
		t.Errorf("16-octet PDU with max 16: %d, %v", l, err)
	}
	full := make([]byte, DefaultMaxLength)
	copy(full, unhex(t, "00010000 80000004 00000000 00000001"))
	if _, l, err := Frame(full, 0); err != nil || l != DefaultMaxLength {
		t.Errorf("PDU of DefaultMaxLength: %d, %v", l, err)
	}
}

func TestReadFrom(t *testing.T) {
	var stream []byte
	vs := vectors(t)
	for _, v := range vs {
		stream = append(stream, unhex(t, v.hex)...)
	}
	r := bufio.NewReader(bytes.NewReader(stream))
	buf := make([]byte, 0, 32) // smaller than A9: ReadFrom must grow it
	for _, v := range vs {
		var h Header
		var body []byte
		var err error
		h, body, buf, err = ReadFrom(r, buf, 0)
		if err != nil {
			t.Fatalf("%s: %v", v.name, err)
		}
		if h != v.h {
			t.Errorf("%s: header %+v, want %+v", v.name, h, v.h)
		}
		mustEqualBytes(t, v.name+" body", body, unhex(t, v.hex)[HeaderLen:])
	}
	if _, _, _, err := ReadFrom(r, buf, 0); !errors.Is(err, io.EOF) {
		t.Errorf("after the last PDU: err = %v, want io.EOF", err)
	}
	if cap(buf) < 175 {
		t.Errorf("buffer did not grow: cap %d", cap(buf))
	}
}

func TestReadFromErrors(t *testing.T) {
	a9 := unhex(t, vectors(t)[8].hex)
	cases := []struct {
		name string
		in   []byte
		max  uint32
		want error
	}{
		{"cut in the header", a9[:10], 0, io.ErrUnexpectedEOF},
		{"cut in the body", a9[:100], 0, io.ErrUnexpectedEOF},
		{"over max", a9, 100, StatusInvCmdLen},
		{"under 16", unhex(t, "00000008 00000015 00000000 00000001"), 0, StatusInvCmdLen},
	}
	for _, c := range cases {
		_, _, _, err := ReadFrom(bytes.NewReader(c.in), nil, c.max)
		if !errors.Is(err, c.want) {
			t.Errorf("%s: err = %v, want %v", c.name, err, c.want)
		}
	}
	// A bad length must not size the buffer: a 4 GiB claim allocates nothing big.
	_, _, buf, err := ReadFrom(bytes.NewReader(unhex(t, "FFFFFFF0 00000004 00000000 00000001")), nil, 0)
	if err == nil || cap(buf) > 4096 {
		t.Errorf("huge command_length: err %v, cap %d", err, cap(buf))
	}
}
