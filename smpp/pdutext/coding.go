package pdutext

// DataCoding is the SMPP data_coding octet (SMPP 3.4 §5.2.19). Values from
// 0x10 up that the SMPP table leaves reserved are read as GSM TP-DCS
// (3GPP TS 23.038 §4), since many MCs pass those through.
type DataCoding byte

// The data_coding values this package knows by name.
const (
	DefaultAlphabet DataCoding = 0x00 // MC default alphabet; GSM 03.38 here
	IA5             DataCoding = 0x01 // IA5 (CCITT T.50) / ASCII
	Binary8         DataCoding = 0x02 // octet unspecified (8-bit binary)
	Latin1          DataCoding = 0x03 // ISO-8859-1
	Octet           DataCoding = 0x04 // octet unspecified (8-bit binary), the usual binary value
	UCS2            DataCoding = 0x08 // ISO/IEC 10646 UCS-2, sent as UTF-16BE

	FlashGSM7 DataCoding = 0x10 // GSM TP-DCS: GSM 7-bit, message class 0
	FlashUCS2 DataCoding = 0x18 // GSM TP-DCS: UCS-2, message class 0

	GSM7Class0  DataCoding = 0xF0 // message class group: GSM 7-bit, class 0 (flash)
	GSM7Class1  DataCoding = 0xF1 // GSM 7-bit, class 1 (ME specific)
	GSM7Class2  DataCoding = 0xF2 // GSM 7-bit, class 2 (SIM specific)
	GSM7Class3  DataCoding = 0xF3 // GSM 7-bit, class 3 (TE specific)
	Data8Class0 DataCoding = 0xF4 // 8-bit data, class 0
	Data8Class1 DataCoding = 0xF5 // 8-bit data, class 1
	Data8Class2 DataCoding = 0xF6 // 8-bit data, class 2 ((U)SIM data download)
	Data8Class3 DataCoding = 0xF7 // 8-bit data, class 3
)

// Alphabet is how the octets of a short_message encode characters.
type Alphabet byte

// The alphabets. GSM7 is carried unpacked, one septet per octet.
const (
	AlphabetGSM7        Alphabet = iota // GSM 03.38 default alphabet with extension table
	AlphabetLatin1                      // ISO-8859-1, one octet per character
	AlphabetIA5                         // ASCII, one octet per character
	AlphabetBinary                      // 8-bit data, passed through untouched
	AlphabetUCS2                        // UTF-16BE
	AlphabetUnsupported                 // a national or reserved coding this package does not convert
)

var alphabetNames = [...]string{
	AlphabetGSM7:        "GSM7",
	AlphabetLatin1:      "Latin1",
	AlphabetIA5:         "IA5",
	AlphabetBinary:      "8-bit",
	AlphabetUCS2:        "UCS2",
	AlphabetUnsupported: "unsupported",
}

// String returns the alphabet's short name.
func (a Alphabet) String() string {
	if int(a) < len(alphabetNames) {
		return alphabetNames[a]
	}
	return "unsupported"
}

// Alphabet returns the alphabet of dc. The SMPP values 0x00–0x0F are read
// from the SMPP table: 0x00 is GSM 03.38, 0x05–0x07 and 0x09–0x0F are
// national or reserved codings ([AlphabetUnsupported]). From 0x10 the value
// is read as GSM TP-DCS: the general and automatic-deletion groups
// (0x10–0x7F) by bits 3–2, compressed text as binary; 0x80–0xBF reserved;
// 0xC0–0xDF waiting-indication groups in GSM 7-bit; 0xE0–0xEF in UCS-2;
// 0xF0–0xFF GSM 7-bit or 8-bit by bit 2.
func (dc DataCoding) Alphabet() Alphabet {
	switch {
	case dc < 0x10:
		switch dc {
		case DefaultAlphabet:
			return AlphabetGSM7
		case IA5:
			return AlphabetIA5
		case Binary8, Octet:
			return AlphabetBinary
		case Latin1:
			return AlphabetLatin1
		case UCS2:
			return AlphabetUCS2
		}
		return AlphabetUnsupported
	case dc < 0x80:
		if dc&0x20 != 0 { // compressed (TS 23.038 §4, bit 5)
			return AlphabetBinary
		}
		switch (dc >> 2) & 3 {
		case 0:
			return AlphabetGSM7
		case 1:
			return AlphabetBinary
		case 2:
			return AlphabetUCS2
		}
		return AlphabetUnsupported
	case dc < 0xC0:
		return AlphabetUnsupported
	case dc < 0xE0:
		return AlphabetGSM7
	case dc < 0xF0:
		return AlphabetUCS2
	case dc&0x04 != 0:
		return AlphabetBinary
	}
	return AlphabetGSM7
}

// Class returns the GSM message class (0–3) that dc requests, and false
// when it requests none. Class 0 is a flash message shown without being
// stored. Only the TP-DCS groups carry a class: 0x10–0x7F with bit 4 set,
// and 0xF0–0xFF.
func (dc DataCoding) Class() (class int, ok bool) {
	switch {
	case dc >= 0xF0:
		return int(dc & 3), true
	case dc >= 0x10 && dc < 0x80 && dc&0x10 != 0:
		return int(dc & 3), true
	}
	return 0, false
}

// Flash returns the data_coding that sends text of alphabet a as a flash
// (class 0) message, and false when a has no class-0 form (Latin-1, IA5
// and unsupported codings travel only in the SMPP-specific values).
//
// GSM 7-bit gives [FlashGSM7] (0x10), UCS-2 [FlashUCS2] (0x18) and 8-bit
// data 0x14. The general TP-DCS group is chosen because it expresses both
// text alphabets the same way. [GSM7Class0] (0xF0), from the older message
// class group, means the same for GSM 7-bit and is the alternative for MCs
// that treat 0x10 as reserved: make it a per-route setting.
func Flash(a Alphabet) (DataCoding, bool) {
	switch a {
	case AlphabetGSM7:
		return FlashGSM7, true
	case AlphabetUCS2:
		return FlashUCS2, true
	case AlphabetBinary:
		return 0x14, true
	}
	return 0, false
}
