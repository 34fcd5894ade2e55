package gateway

import (
	"errors"
	"unicode/utf8"

	"github.com/gallant-sms/gallant/smpp/pdu"
	"github.com/gallant-sms/gallant/smpp/pdutext"
	"github.com/gallant-sms/gallant/sms"
)

// DefaultMaxSegments caps the parts of one long message: 10 segments is
// 1,530 GSM characters or 670 UCS-2 units, the limit hosted APIs use too,
// and it bounds what one accepted request can cost the customer.
const DefaultMaxSegments = 10

// Content is a message body ready for the dispatcher.
type Content struct {
	DataCoding byte
	ESMClass   byte
	Body       []byte
	Segments   int
}

// Encoding names accepted by the HTTP API.
const (
	EncodingAuto = "auto"
	EncodingGSM7 = "gsm7"
	EncodingUCS2 = "ucs2"
)

// TextContent encodes an HTTP text in the requested encoding ("auto",
// "gsm7" or "ucs2"; auto picks GSM 7-bit when every character fits, else
// UCS-2), as a flash message (class 0) when asked, and counts its
// segments. Texts longer than maxSegments parts are refused.
func TextContent(text, encoding string, flash bool, maxSegments int) (Content, *Refusal) {
	if text == "" {
		return Content{}, refuse(pdu.StatusInvMsgLen, ProblemInvalidRequest, 400, "text", "text is empty")
	}
	if !utf8.ValidString(text) {
		return Content{}, refuse(pdu.StatusInvMsgLen, ProblemInvalidRequest, 400, "text", "text is not valid UTF-8")
	}
	var dc pdutext.DataCoding
	switch encoding {
	case "", EncodingAuto:
		dc = pdutext.Choose(text)
	case EncodingGSM7:
		dc = pdutext.DefaultAlphabet
	case EncodingUCS2:
		dc = pdutext.UCS2
	default:
		return Content{}, refuse(pdu.StatusInvDCS, ProblemInvalidRequest, 400, "encoding", "encoding must be auto, gsm7 or ucs2")
	}
	body, err := pdutext.Encode(nil, text, dc)
	if err != nil {
		var ue *pdutext.UnrepresentableError
		if errors.As(err, &ue) {
			return Content{}, refuse(pdu.StatusInvDCS, ProblemInvalidRequest, 400, "text",
				"text has a character that "+encoding+" cannot carry: "+string(ue.Rune))
		}
		return Content{}, refuse(pdu.StatusInvDCS, ProblemInvalidRequest, 400, "text", err.Error())
	}
	if flash {
		f, ok := pdutext.Flash(dc.Alphabet())
		if !ok {
			return Content{}, refuse(pdu.StatusInvDCS, ProblemInvalidRequest, 400, "flash", "this encoding has no flash form")
		}
		dc = f
	}
	return counted(Content{DataCoding: byte(dc), Body: body}, maxSegments)
}

// BinaryContent wraps 8-bit binary data (data_coding 0x04).
func BinaryContent(data []byte, maxSegments int) (Content, *Refusal) {
	if len(data) == 0 {
		return Content{}, refuse(pdu.StatusInvMsgLen, ProblemInvalidRequest, 400, "binary", "binary body is empty")
	}
	c, r := counted(Content{DataCoding: byte(pdutext.Octet), Body: data}, maxSegments)
	if r != nil {
		named := *r // counted names text; here the body is binary
		named.Field = "binary"
		return c, &named
	}
	return c, nil
}

// SubmitContent takes the content of an SMPP submit_sm or data_sm: the
// short_message or message_payload (both at once is refused by the
// decoder), the customer's own UDH when esm_class has UDHI (the message
// is then one segment of the customer's concatenated set), or the SAR
// TLVs, which are turned into a UDH so carriers without SAR support
// still reassemble it. body is copied.
func SubmitContent(dataCoding, esmClass byte, payload []byte, tlvs pdu.TLVs, maxSegments int) (Content, *Refusal) {
	dc := pdutext.DataCoding(dataCoding)
	if dc.Alphabet() == pdutext.AlphabetUnsupported {
		return Content{}, refuse(pdu.StatusInvDCS, ProblemInvalidRequest, 400, "data_coding", "data_coding not supported")
	}
	if len(payload) == 0 {
		return Content{}, refuse(pdu.StatusInvMsgLen, ProblemInvalidRequest, 400, "short_message", "message is empty")
	}
	c := Content{DataCoding: dataCoding, ESMClass: esmClass &^ 0x03} // messaging mode is ours to choose
	if esmClass&sms.UDHI != 0 {
		udh, rest, err := pdutext.ParseUDH(payload)
		if err != nil || len(rest) == 0 && !udh.Concat {
			return Content{}, refuse(pdu.StatusInvEsmClass, ProblemInvalidRequest, 400, "short_message", "UDHI set but the user data header is malformed")
		}
		if !udhFits(dc, udh.Len, len(rest)) {
			return Content{}, refuse(pdu.StatusInvMsgLen, ProblemTooLong, 400, "short_message", "a segment with a user data header must fit 140 octets")
		}
		c.Body = append([]byte(nil), payload...)
		c.Segments = 1
		return c, nil
	}
	if ref, okRef := tlvs.Uint16(pdu.TagSarMsgRefNum); okRef {
		total, ok1 := tlvs.Byte(pdu.TagSarTotalSegments)
		seq, ok2 := tlvs.Byte(pdu.TagSarSegmentSeqnum)
		if !ok1 || !ok2 || total == 0 || seq == 0 || seq > total {
			return Content{}, refuse(pdu.StatusInvOptParamVal, ProblemInvalidRequest, 400, "sar", "SAR TLVs incomplete or inconsistent")
		}
		body := pdutext.AppendConcatUDH(make([]byte, 0, 7+len(payload)), ref, total, seq, ref > 255)
		udhLen := len(body)
		body = append(body, payload...)
		if !udhFits(dc, udhLen, len(payload)) {
			return Content{}, refuse(pdu.StatusInvMsgLen, ProblemTooLong, 400, "short_message", "a SAR segment must fit 140 octets with its header")
		}
		c.Body, c.ESMClass, c.Segments = body, c.ESMClass|sms.UDHI, 1
		return c, nil
	}
	c.Body = append([]byte(nil), payload...)
	return counted(c, maxSegments)
}

// udhFits reports whether a segment of udhLen header octets (UDHL
// included) and textLen text octets fits one short message of 140
// octets. GSM 7-bit text travels unpacked on SMPP, one octet per septet,
// and is packed by the carrier after the header and its fill bits, so a
// 6-octet header leaves room for 153 septets; other codings count octets.
func udhFits(dc pdutext.DataCoding, udhLen, textLen int) bool {
	switch dc.Alphabet() {
	case pdutext.AlphabetGSM7, pdutext.AlphabetIA5, pdutext.AlphabetLatin1:
		return udhLen*8+pdutext.FillBits(udhLen)+textLen*7 <= 140*8
	}
	return udhLen+textLen <= 140
}

func counted(c Content, maxSegments int) (Content, *Refusal) {
	if maxSegments <= 0 {
		maxSegments = DefaultMaxSegments
	}
	n, err := pdutext.CountEncoded(c.Body, pdutext.DataCoding(c.DataCoding))
	if err != nil {
		return Content{}, refuse(pdu.StatusInvMsgLen, ProblemInvalidRequest, 400, "text", "body does not match its data_coding: "+err.Error())
	}
	if n.Segments > maxSegments {
		return Content{}, refuse(pdu.StatusInvMsgLen, ProblemTooLong, 400, "text",
			"message needs more segments than the allowed maximum")
	}
	c.Segments = n.Segments
	return c, nil
}
