package pdutext

import (
	"fmt"
	"slices"
)

// Concat is how the segments of a long message are tied together.
type Concat byte

// The concatenation methods.
const (
	// Concat8 puts a 6-octet header with an 8-bit reference in each
	// segment (05 00 03 RR TT SS); the most widely supported form.
	Concat8 Concat = iota
	// Concat16 puts a 7-octet header with a 16-bit reference in each
	// segment (06 08 04 RH RL TT SS).
	Concat16
	// ConcatSAR puts no header in the segments: the caller sends the
	// sar_msg_ref_num, sar_total_segments and sar_segment_seqnum TLVs from
	// [Segment.Ref], [Segment.Total] and [Segment.Seq], and the MC builds
	// the header, so segments are sized as for Concat8.
	ConcatSAR
)

// SplitOptions configures [Split]. The zero value splits with an 8-bit
// reference 0.
type SplitOptions struct {
	Concat Concat
	// Ref is the concatenation reference, chosen by the caller so that it
	// differs between recent long messages to the same destination. Concat8
	// uses its low 8 bits.
	Ref uint16
}

// Segment is one short_message of a split message.
type Segment struct {
	// Data is the short_message: a concatenation header followed by the
	// text when UDH is set, the text alone otherwise.
	Data []byte
	// UDH tells that Data starts with a user data header, so esm_class
	// needs UDHI (0x40).
	UDH bool
	// Ref, Total and Seq are the concatenation numbers written (or, for
	// ConcatSAR, to be sent as TLVs). Total is 1 when the message fits a
	// single segment, which then has no header and needs no TLVs.
	Ref   uint16
	Total byte
	Seq   byte
}

// Split cuts an encoded message (GSM 7-bit unpacked) into short_message
// segments for dc. A message that fits one segment (160 septets, 70 UCS-2
// units or 140 octets) is returned whole without a header. Longer ones are
// cut greedily at 153/67/134 units per segment (152/66/133 with Concat16),
// never between an escape and its code nor inside a surrogate pair: such a
// character moves whole to the next segment. More than [MaxSegments]
// segments is [ErrTooManySegments]; octets the coding cannot hold or an
// unsupported coding are errors as for [CountEncoded].
//
// To send GSM 7-bit packed, pack each segment's text after its header with
// [PackGSM7] and [FillBits].
func Split(encoded []byte, dc DataCoding, opts SplitOptions) ([]Segment, error) {
	segs, _, err := AppendSplit(nil, nil, encoded, dc, opts)
	return segs, err
}

// AppendSplit is [Split] appending the segments to dst and their octets to
// buf, which is grown at most once so that the segments' Data, which point
// into it, stay valid until buf is reused. It returns both extended
// slices; a caller that keeps them allocates nothing.
func AppendSplit(dst []Segment, buf []byte, encoded []byte, dc DataCoding, opts SplitOptions) ([]Segment, []byte, error) {
	a := dc.Alphabet()
	if a == AlphabetUnsupported {
		return dst, buf, fmt.Errorf("split data_coding 0x%02X: %w", byte(dc), ErrUnsupportedCoding)
	}
	if opts.Concat > ConcatSAR {
		return dst, buf, fmt.Errorf("split: unknown concatenation method %d", opts.Concat)
	}
	if err := validate(encoded, a); err != nil {
		return dst, buf, fmt.Errorf("split: %w", err)
	}
	total := totalUnits(encoded, a)
	ref := opts.Ref
	if opts.Concat != Concat16 && opts.Concat != ConcatSAR {
		ref &= 0xFF
	}
	if total <= capacity(a, 0) {
		start := len(buf)
		buf = append(buf, encoded...)
		dst = append(dst, Segment{Data: buf[start:len(buf):len(buf)], Ref: ref, Total: 1, Seq: 1})
		return dst, buf, nil
	}

	udhLen := udhLenConcat8
	if opts.Concat == Concat16 {
		udhLen = udhLenConcat16
	}
	limit := capacity(a, udhLen)
	var ends [MaxSegments]int
	n := 0
	for i := 0; i < len(encoded); {
		if n == MaxSegments {
			return dst, buf, fmt.Errorf("split %d units by %d: %w", total, limit, ErrTooManySegments)
		}
		i = cutEnd(encoded, i, limit, a)
		ends[n] = i
		n++
	}

	header := 0
	if opts.Concat != ConcatSAR {
		header = udhLen
	}
	need := len(encoded) + n*header
	if cap(buf)-len(buf) < need {
		grown := make([]byte, len(buf), len(buf)+need)
		copy(grown, buf)
		buf = grown
	}
	dst = slices.Grow(dst, n)
	prev := 0
	for k := range n {
		start := len(buf)
		if header > 0 {
			buf = AppendConcatUDH(buf, ref, byte(n), byte(k+1), opts.Concat == Concat16)
		}
		buf = append(buf, encoded[prev:ends[k]]...)
		prev = ends[k]
		dst = append(dst, Segment{
			Data:  buf[start:len(buf):len(buf)],
			UDH:   header > 0,
			Ref:   ref,
			Total: byte(n),
			Seq:   byte(k + 1),
		})
	}
	return dst, buf, nil
}
