package pdu

import (
	"encoding/binary"
	"strconv"
)

// networkErrorCodeLen is the size of a network_error_code value.
const networkErrorCodeLen = 3

// NetworkErrorCode is the value of the network_error_code TLV (SMPP 3.4
// §5.3.2.31): the kind of network that failed the message and that
// network's own error code. On the wire it is 3 octets: Type, then Code
// big-endian.
type NetworkErrorCode struct {
	Type byte // one of the NetErr constants
	Code uint16
}

// The network types of a [NetworkErrorCode] (SMPP 3.4 §5.3.2.31). They are
// not the values of dest_network_type and source_network_type.
const (
	NetErrANSI136Access byte = 1 // ANSI-136 access denied reason
	NetErrIS95Access    byte = 2 // IS-95 access denied reason
	NetErrGSM           byte = 3 // GSM
	NetErrANSI136Cause  byte = 4 // ANSI-136 cause code
	NetErrIS95Cause     byte = 5 // IS-95 cause code
	NetErrANSI41        byte = 6 // ANSI-41 error
	NetErrSMPP          byte = 7 // SMPP error: Code is a command_status
	NetErrMC            byte = 8 // message centre specific
)

var netErrNames = [...]string{
	NetErrANSI136Access: "ANSI-136 access denied",
	NetErrIS95Access:    "IS-95 access denied",
	NetErrGSM:           "GSM",
	NetErrANSI136Cause:  "ANSI-136 cause",
	NetErrIS95Cause:     "IS-95 cause",
	NetErrANSI41:        "ANSI-41",
	NetErrSMPP:          "SMPP",
	NetErrMC:            "MC specific",
}

// Decode parses a network_error_code value. A value that is not exactly 3
// octets is [ErrTLVLength], and n is left as it was.
func (n *NetworkErrorCode) Decode(val []byte) error {
	if len(val) != networkErrorCodeLen {
		return ErrTLVLength
	}
	n.Type = val[0]
	n.Code = binary.BigEndian.Uint16(val[1:])
	return nil
}

// Append appends the 3-octet value to dst; [AppendTLVNetworkErrorCode]
// appends the whole TLV.
func (n NetworkErrorCode) Append(dst []byte) []byte {
	dst = append(dst, n.Type)
	return binary.BigEndian.AppendUint16(dst, n.Code)
}

// String returns the network type's name and the code, such as "GSM error
// 27", for logs.
func (n NetworkErrorCode) String() string {
	code := strconv.FormatUint(uint64(n.Code), 10)
	if int(n.Type) < len(netErrNames) && netErrNames[n.Type] != "" {
		return netErrNames[n.Type] + " error " + code
	}
	return "network type " + strconv.Itoa(int(n.Type)) + " error " + code
}

// NetworkErrorCode returns the value of the network_error_code TLV. ok is
// false when the tag is absent or its value is not 3 octets; decode
// [TLVs.Get]'s value with [NetworkErrorCode.Decode] to tell the two apart.
func (t TLVs) NetworkErrorCode() (NetworkErrorCode, bool) {
	var n NetworkErrorCode
	v, ok := t.Get(TagNetworkErrorCode)
	if !ok || n.Decode(v) != nil {
		return NetworkErrorCode{}, false
	}
	return n, true
}

// AppendTLVNetworkErrorCode appends a network_error_code TLV to dst.
func AppendTLVNetworkErrorCode(dst []byte, n NetworkErrorCode) []byte {
	dst = binary.BigEndian.AppendUint16(dst, uint16(TagNetworkErrorCode))
	dst = append(dst, 0, networkErrorCodeLen)
	return n.Append(dst)
}

// MessageState returns the value of the message_state TLV (SMPP 3.4
// §5.3.2.35), as [QuerySMResp.MessageState] holds it: the state's number.
// Convert it with pdutext.MessageState for its name and meaning (package
// pdu imports nothing else from this module). ok is false when the tag is
// absent or its value is not one octet.
func (t TLVs) MessageState() (state byte, ok bool) {
	return t.Byte(TagMessageState)
}

// AppendTLVMessageState appends a message_state TLV to dst; state is a
// pdutext.MessageState's number.
func AppendTLVMessageState(dst []byte, state byte) []byte {
	return AppendTLVByte(dst, TagMessageState, state)
}
