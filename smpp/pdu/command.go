package pdu

import "strconv"

// CommandID is an SMPP command_id. Bit 31 marks a response.
type CommandID uint32

// The SMPP 3.4 command ids (§5.1.2). Ids of PDUs that have a body type in
// this package end in ID (SubmitSMID), so that the type (SubmitSM) keeps
// the plain name; header-only PDUs keep the plain name (EnquireLink).
const (
	GenericNack         CommandID = 0x80000000
	BindReceiver        CommandID = 0x00000001
	BindReceiverResp    CommandID = 0x80000001
	BindTransmitter     CommandID = 0x00000002
	BindTransmitterResp CommandID = 0x80000002
	QuerySMID           CommandID = 0x00000003
	QuerySMRespID       CommandID = 0x80000003
	SubmitSMID          CommandID = 0x00000004
	SubmitSMRespID      CommandID = 0x80000004
	DeliverSMID         CommandID = 0x00000005
	DeliverSMRespID     CommandID = 0x80000005
	Unbind              CommandID = 0x00000006
	UnbindResp          CommandID = 0x80000006
	ReplaceSMID         CommandID = 0x00000007
	ReplaceSMResp       CommandID = 0x80000007
	CancelSMID          CommandID = 0x00000008
	CancelSMResp        CommandID = 0x80000008
	BindTransceiver     CommandID = 0x00000009
	BindTransceiverResp CommandID = 0x80000009
	OutbindID           CommandID = 0x0000000B
	EnquireLink         CommandID = 0x00000015
	EnquireLinkResp     CommandID = 0x80000015
	SubmitMultiID       CommandID = 0x00000021
	SubmitMultiRespID   CommandID = 0x80000021
	AlertNotificationID CommandID = 0x00000102
	DataSMID            CommandID = 0x00000103
	DataSMRespID        CommandID = 0x80000103
)

// respBit marks a response command_id.
const respBit = 0x80000000

// IsResponse reports whether id is a response (generic_nack included).
func (id CommandID) IsResponse() bool { return id&respBit != 0 }

// Response returns the response id for a request id.
func (id CommandID) Response() CommandID { return id | respBit }

// Request returns the request id for a response id.
func (id CommandID) Request() CommandID { return id &^ respBit }

// HasResponse reports whether a request with this id is answered by a
// response PDU. outbind and alert_notification are not, nor is any response.
func (id CommandID) HasResponse() bool {
	return !id.IsResponse() && id != OutbindID && id != AlertNotificationID
}

// Known reports whether id is an SMPP 3.4 command this package decodes.
func (id CommandID) Known() bool { return id.name() != "" }

// IsBind reports whether id is one of the three bind requests.
func (id CommandID) IsBind() bool {
	return id == BindReceiver || id == BindTransmitter || id == BindTransceiver
}

// IsBindResp reports whether id is one of the three bind responses.
func (id CommandID) IsBindResp() bool {
	return id == BindReceiverResp || id == BindTransmitterResp || id == BindTransceiverResp
}

// name returns the spec name of id, or "" when id is not an SMPP 3.4
// command. A switch rather than a map: it is called per PDU.
func (id CommandID) name() string {
	switch id {
	case GenericNack:
		return "generic_nack"
	case BindReceiver:
		return "bind_receiver"
	case BindReceiverResp:
		return "bind_receiver_resp"
	case BindTransmitter:
		return "bind_transmitter"
	case BindTransmitterResp:
		return "bind_transmitter_resp"
	case QuerySMID:
		return "query_sm"
	case QuerySMRespID:
		return "query_sm_resp"
	case SubmitSMID:
		return "submit_sm"
	case SubmitSMRespID:
		return "submit_sm_resp"
	case DeliverSMID:
		return "deliver_sm"
	case DeliverSMRespID:
		return "deliver_sm_resp"
	case Unbind:
		return "unbind"
	case UnbindResp:
		return "unbind_resp"
	case ReplaceSMID:
		return "replace_sm"
	case ReplaceSMResp:
		return "replace_sm_resp"
	case CancelSMID:
		return "cancel_sm"
	case CancelSMResp:
		return "cancel_sm_resp"
	case BindTransceiver:
		return "bind_transceiver"
	case BindTransceiverResp:
		return "bind_transceiver_resp"
	case OutbindID:
		return "outbind"
	case EnquireLink:
		return "enquire_link"
	case EnquireLinkResp:
		return "enquire_link_resp"
	case SubmitMultiID:
		return "submit_multi"
	case SubmitMultiRespID:
		return "submit_multi_resp"
	case AlertNotificationID:
		return "alert_notification"
	case DataSMID:
		return "data_sm"
	case DataSMRespID:
		return "data_sm_resp"
	}
	return ""
}

// String returns the spec name of id, or its hex value when unknown.
func (id CommandID) String() string {
	if n := id.name(); n != "" {
		return n
	}
	return "command_id(0x" + strconv.FormatUint(uint64(id), 16) + ")"
}
