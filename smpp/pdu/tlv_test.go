package pdu

import (
	"bytes"
	"strings"
	"testing"
)

func TestTLVAppendAndGet(t *testing.T) {
	var b []byte
	b = AppendTLVByte(b, TagMessageState, 2)
	b = AppendTLVUint16(b, TagSarMsgRefNum, 0xBEEF)
	b = AppendTLVUint32(b, TagQosTimeToLive, 86400)
	b = AppendTLVCString(b, TagReceiptedMessageID, []byte("abc"))
	b = AppendTLV(b, TagNetworkErrorCode, []byte{3, 0x01, 0x02})
	b = AppendTLV(b, TagMessageState, []byte{9}) // a second one: Get finds the first
	want := unhex(t, `0427 0001 02  020C 0002 BEEF  0017 0004 00015180
		001E 0004 61626300  0423 0003 030102  0427 0001 09`)
	mustEqualBytes(t, "appended TLVs", b, want)

	tl := TLVs(b)
	if err := tl.Validate(); err != nil {
		t.Fatalf("Validate: %v", err)
	}
	if v, ok := tl.Byte(TagMessageState); !ok || v != 2 {
		t.Errorf("Byte = %d, %v", v, ok)
	}
	if v, ok := tl.Uint16(TagSarMsgRefNum); !ok || v != 0xBEEF {
		t.Errorf("Uint16 = %#x, %v", v, ok)
	}
	if v, ok := tl.Uint32(TagQosTimeToLive); !ok || v != 86400 {
		t.Errorf("Uint32 = %d, %v", v, ok)
	}
	if v, ok := tl.CString(TagReceiptedMessageID); !ok || string(v) != "abc" {
		t.Errorf("CString = %q, %v", v, ok)
	}
	if v, ok := tl.Get(TagNetworkErrorCode); !ok || !bytes.Equal(v, []byte{3, 1, 2}) {
		t.Errorf("Get = %x, %v", v, ok)
	}
	// Wrong sizes and absent tags are not found.
	if _, ok := tl.Byte(TagSarMsgRefNum); ok {
		t.Error("Byte of a 2-octet TLV succeeded")
	}
	if _, ok := tl.Uint16(TagMessageState); ok {
		t.Error("Uint16 of a 1-octet TLV succeeded")
	}
	if _, ok := tl.Uint32(TagSarMsgRefNum); ok {
		t.Error("Uint32 of a 2-octet TLV succeeded")
	}
	if _, ok := tl.Get(TagMessagePayload); ok || tl.Has(TagMessagePayload) {
		t.Error("absent tag found")
	}
	if _, ok := tl.CString(TagMessagePayload); ok {
		t.Error("CString of an absent tag succeeded")
	}
	if !tl.Has(TagQosTimeToLive) {
		t.Error("Has(qos_time_to_live) = false")
	}
}

func TestTLVCStringWithoutNUL(t *testing.T) {
	tl := TLVs(AppendTLV(nil, TagReceiptedMessageID, []byte("0A1B")))
	if v, ok := tl.CString(TagReceiptedMessageID); !ok || string(v) != "0A1B" {
		t.Errorf("CString = %q, %v; want the whole value", v, ok)
	}
	tl = TLVs(AppendTLV(nil, TagReceiptedMessageID, []byte("ab\x00cd")))
	if v, ok := tl.CString(TagReceiptedMessageID); !ok || string(v) != "ab" {
		t.Errorf("CString = %q, %v; want the value up to the NUL", v, ok)
	}
}

func TestTLVNext(t *testing.T) {
	b := AppendTLVByte(AppendTLV(nil, 0x1500, []byte("vv")), TagMessageState, 5)
	var tags []Tag
	var vals []string
	for tl := TLVs(b); len(tl) > 0; {
		tag, val, rest, err := tl.Next()
		if err != nil {
			t.Fatal(err)
		}
		tags = append(tags, tag)
		vals = append(vals, string(val))
		tl = rest
	}
	if len(tags) != 2 || tags[0] != 0x1500 || tags[1] != TagMessageState || vals[0] != "vv" || vals[1] != "\x05" {
		t.Errorf("iterated %v %q", tags, vals)
	}
	if tag, val, rest, err := TLVs(nil).Next(); tag != 0 || val != nil || rest != nil || err != nil {
		t.Error("Next on empty TLVs returned something")
	}
	// A value view is capped: appending to it cannot clobber the next TLV.
	_, val, _, _ := TLVs(b).Next()
	_ = append(val, 'X')
	if b[6] != byte(TagMessageState>>8) {
		t.Error("appending to a value overwrote the following TLV")
	}
}

func TestTLVValidate(t *testing.T) {
	cases := []struct {
		name string
		b    []byte
		want error
	}{
		{"empty", nil, nil},
		{"one stray octet", octs(4), ErrTLVStream},
		{"three stray octets", octs(4, 0x27, 0), ErrTLVStream},
		{"overrun", unhex(t, "0424 0005 01020304"), ErrTLVStream},
		{"overrun after a good TLV", unhex(t, "0427 0001 02 0424 0005"), ErrTLVStream},
		{"fixed too short", unhex(t, "0017 0003 000000"), ErrTLVLength},
		{"fixed too long", unhex(t, "020E 0002 0001"), ErrTLVLength},
		{"range too short", unhex(t, "0381 0003 313233"), ErrTLVLength},
		{"range too long", join(unhex(t, "0202 0018"), rep(1, 24)), ErrTLVLength},
		{"range ok", unhex(t, "0202 0002 A001"), nil},
		{"flag TLV empty", unhex(t, "130C 0000"), nil},
		{"flag TLV v5 value", unhex(t, "130C 0001 01"), nil},
		{"source_telematics_id 2", unhex(t, "0010 0002 0001"), nil},
		{"unknown tag any length", unhex(t, "7777 0003 010203"), nil},
		{"empty payload", unhex(t, "0424 0000"), nil},
	}
	for _, c := range cases {
		if err := TLVs(c.b).Validate(); err != c.want {
			t.Errorf("%s: Validate = %v, want %v", c.name, err, c.want)
		}
	}
}

func TestTLVGetStopsAtCorruption(t *testing.T) {
	b := append(AppendTLVByte(nil, TagMessageState, 1), 0x04)
	if _, ok := TLVs(b).Get(TagMessagePayload); ok {
		t.Error("Get past a corrupt TLV found something")
	}
	if v, ok := TLVs(b).Byte(TagMessageState); !ok || v != 1 {
		t.Error("Get did not find the TLV before the corruption")
	}
}

func TestAppendTLVCuts(t *testing.T) {
	big := rep('x', MaxTLVValue+10)
	b := AppendTLV(nil, TagMessagePayload, big)
	if len(b) != tlvHeaderLen+MaxTLVValue {
		t.Fatalf("len = %d, want %d", len(b), tlvHeaderLen+MaxTLVValue)
	}
	if v, ok := TLVs(b).Get(TagMessagePayload); !ok || len(v) != MaxTLVValue {
		t.Errorf("cut payload: %d, %v", len(v), ok)
	}
	b = AppendTLVCString(nil, TagAdditionalStatusInfoText, big)
	if err := TLVs(b).Validate(); err != ErrTLVLength { // well-formed, but over c256
		t.Errorf("Validate of a cut c-string = %v, want ErrTLVLength", err)
	}
	if _, _, rest, err := TLVs(b).Next(); err != nil || len(rest) != 0 {
		t.Errorf("cut c-string not well-formed: %v, %d left", err, len(rest))
	}
}

func TestTagString(t *testing.T) {
	cases := map[Tag]string{
		TagReceiptedMessageID:         "receipted_message_id",
		TagMessageState:               "message_state",
		TagMessagePayload:             "message_payload",
		TagSarMsgRefNum:               "sar_msg_ref_num",
		TagSarTotalSegments:           "sar_total_segments",
		TagSarSegmentSeqnum:           "sar_segment_seqnum",
		TagScInterfaceVersion:         "sc_interface_version",
		TagNetworkErrorCode:           "network_error_code",
		TagUserMessageReference:       "user_message_reference",
		TagBroadcastFrequencyInterval: "broadcast_frequency_interval",
		TagItsSessionInfo:             "its_session_info",
		0x1400:                        "vendor_tag(0x1400)",
		0x3fff:                        "vendor_tag(0x3fff)",
		0x0001:                        "tag(0x1)",
		0x4000:                        "tag(0x4000)",
	}
	for tag, want := range cases {
		if got := tag.String(); got != want {
			t.Errorf("Tag(%#x).String() = %q, want %q", uint16(tag), got, want)
		}
	}
}

// TestTagTables checks that the name and length tables agree: every tag
// with a length rule has a name, names are unique and look like spec
// names, and the vendor range has neither.
func TestTagTables(t *testing.T) {
	seen := map[string]Tag{}
	named := 0
	for i := range 0x10000 {
		tag := Tag(i)
		name := tag.name()
		_, _, hasLen := tag.lengths()
		if hasLen && name == "" {
			t.Errorf("tag %#x has a length rule but no name", i)
		}
		if name == "" {
			continue
		}
		named++
		if prev, dup := seen[name]; dup {
			t.Errorf("name %q used by %#x and %#x", name, uint16(prev), i)
		}
		seen[name] = tag
		if strings.ToLower(name) != name || strings.ContainsAny(name, " -(") {
			t.Errorf("tag %#x name %q is not a spec name", i, name)
		}
		if tag.Vendor() {
			t.Errorf("vendor tag %#x has a name", i)
		}
	}
	if named != 64 {
		t.Errorf("%d named tags, want 64 (docs/smpp.md, \"Optional parameters (TLVs)\")", named)
	}
}
