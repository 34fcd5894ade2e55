package pdu

import "bytes"

// Maximum sizes of C-Octet String fields, NUL included (SMPP 3.4 §4).
const (
	maxSystemID     = 16
	maxPassword     = 9
	maxSystemType   = 13
	maxAddressRange = 41
	maxServiceType  = 6
	maxAddr21       = 21 // source_addr, destination_addr, dl_name
	maxAddr65       = 65 // data_sm and alert_notification addresses
	maxMessageID    = 65
	maxTime         = 17 // schedule_delivery_time, validity_period, final_date
	timeLen         = 16 // the only non-empty length of a time field
	timeLenShort    = 12 // YYMMDDhhmmss, sent by some MCs in final_date
	maxShortMessage = 255
)

// validTime reports whether v is a valid length for a time field.
func validTime(v []byte, short bool) bool {
	return len(v) == 0 || len(v) == timeLen || (short && len(v) == timeLenShort)
}

// appendCString appends s and its terminating NUL.
func appendCString(dst, s []byte) []byte {
	dst = append(dst, s...)
	return append(dst, 0)
}

// appendAddr appends a TON, an NPI and an address.
func appendAddr(dst []byte, a Address) []byte {
	dst = append(dst, a.TON, a.NPI)
	return appendCString(dst, a.Addr)
}

// appendSM appends sm_length and short_message, cutting short_message to
// 255 octets so that the PDU stays well-formed; Validate reports the cut.
func appendSM(dst, sm []byte) []byte {
	if len(sm) > maxShortMessage {
		sm = sm[:maxShortMessage]
	}
	dst = append(dst, byte(len(sm)))
	return append(dst, sm...)
}

// checkCString reports bad unless s fits a C-Octet String of limit octets
// (NUL included) and has no NUL of its own.
func checkCString(s []byte, limit int, bad *ProtocolError) error {
	if len(s) >= limit || bytes.IndexByte(s, 0) >= 0 {
		return bad
	}
	return nil
}

// checkAddr is checkCString for an address.
func checkAddr(a Address, limit int, bad *ProtocolError) error {
	return checkCString(a.Addr, limit, bad)
}

// checkTime reports bad unless s is a valid time field.
func checkTime(s []byte, bad *ProtocolError, short bool) error {
	if !validTime(s, short) || bytes.IndexByte(s, 0) >= 0 {
		return bad
	}
	return nil
}

// checkContent checks short_message against its limit and against a
// message_payload TLV, and the TLV section itself.
func checkContent(sm []byte, t TLVs) error {
	if len(sm) > maxShortMessage {
		return ErrShortMessage
	}
	if err := t.Validate(); err != nil {
		return err
	}
	if len(sm) > 0 {
		if _, ok := t.Get(TagMessagePayload); ok {
			return ErrMessageAndPayload
		}
	}
	return nil
}

// firstErr returns the first non-nil error.
func firstErr(errs ...error) error {
	for _, e := range errs {
		if e != nil {
			return e
		}
	}
	return nil
}
