package gateway

import (
	"github.com/gallant-sms/gallant/smpp/pdutext"
	"github.com/gallant-sms/gallant/sms"
)

// EncodingBinary names an 8-bit body, as the HTTP API shows it.
const EncodingBinary = "binary"

// Decoded is a stored message's body as the HTTP API shows it: the
// inverse of [TextContent] and [BinaryContent].
type Decoded struct {
	// Encoding is EncodingGSM7, EncodingUCS2 or EncodingBinary.
	Encoding string
	// Text is the decoded text; empty when Binary is set.
	Text string
	// Binary is the body as stored when it is 8-bit data or carries a
	// UDH (a concatenated part); nil otherwise.
	Binary []byte
	// Flash is a class 0 message.
	Flash bool
}

// Decode returns m's body as the HTTP API shows it.
func Decode(m *sms.Message) Decoded {
	var d Decoded
	dc := pdutext.DataCoding(m.DataCoding)
	if c, ok := dc.Class(); ok && c == 0 {
		d.Flash = true
	}
	switch dc.Alphabet() {
	case pdutext.AlphabetUCS2:
		d.Encoding = EncodingUCS2
	case pdutext.AlphabetBinary:
		d.Encoding = EncodingBinary
	default:
		d.Encoding = EncodingGSM7
	}
	if d.Encoding == EncodingBinary || m.HasUDH() {
		d.Binary = m.Body
	} else if t, err := pdutext.Decode(nil, m.Body, dc); err == nil {
		d.Text = string(t)
	}
	return d
}
