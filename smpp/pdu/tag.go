package pdu

import "strconv"

// Tag identifies a TLV (optional parameter), SMPP 3.4 §5.3.2 plus the v5.0
// additions peers send. Tags 0x1400–0x3FFF are vendor specific.
type Tag uint16

// The known TLV tags. The comment gives the value size accepted by
// [TLVs.Validate].
const (
	TagDestAddrSubunit            Tag = 0x0005 // 1
	TagDestNetworkType            Tag = 0x0006 // 1
	TagDestBearerType             Tag = 0x0007 // 1
	TagDestTelematicsID           Tag = 0x0008 // 2
	TagSourceAddrSubunit          Tag = 0x000D // 1
	TagSourceNetworkType          Tag = 0x000E // 1
	TagSourceBearerType           Tag = 0x000F // 1
	TagSourceTelematicsID         Tag = 0x0010 // 1 or 2 (implementations disagree)
	TagQosTimeToLive              Tag = 0x0017 // 4
	TagPayloadType                Tag = 0x0019 // 1
	TagAdditionalStatusInfoText   Tag = 0x001D // ≤256
	TagReceiptedMessageID         Tag = 0x001E // ≤65
	TagMsMsgWaitFacilities        Tag = 0x0030 // 1
	TagPrivacyIndicator           Tag = 0x0201 // 1
	TagSourceSubaddress           Tag = 0x0202 // 2–23
	TagDestSubaddress             Tag = 0x0203 // 2–23
	TagUserMessageReference       Tag = 0x0204 // 2
	TagUserResponseCode           Tag = 0x0205 // 1
	TagSourcePort                 Tag = 0x020A // 2
	TagDestinationPort            Tag = 0x020B // 2
	TagSarMsgRefNum               Tag = 0x020C // 2
	TagLanguageIndicator          Tag = 0x020D // 1
	TagSarTotalSegments           Tag = 0x020E // 1
	TagSarSegmentSeqnum           Tag = 0x020F // 1
	TagScInterfaceVersion         Tag = 0x0210 // 1
	TagCallbackNumPresInd         Tag = 0x0302 // 1
	TagCallbackNumAtag            Tag = 0x0303 // ≤65
	TagNumberOfMessages           Tag = 0x0304 // 1
	TagCallbackNum                Tag = 0x0381 // 4–19
	TagDpfResult                  Tag = 0x0420 // 1
	TagSetDpf                     Tag = 0x0421 // 1
	TagMsAvailabilityStatus       Tag = 0x0422 // 1
	TagNetworkErrorCode           Tag = 0x0423 // 3
	TagMessagePayload             Tag = 0x0424 // any
	TagDeliveryFailureReason      Tag = 0x0425 // 1
	TagMoreMessagesToSend         Tag = 0x0426 // 1
	TagMessageState               Tag = 0x0427 // 1
	TagCongestionState            Tag = 0x0428 // 1 (v5.0)
	TagUssdServiceOp              Tag = 0x0501 // 1
	TagBroadcastChannelIndicator  Tag = 0x0600 // 1 (v5.0)
	TagBroadcastContentType       Tag = 0x0601 // 3 (v5.0)
	TagBroadcastContentTypeInfo   Tag = 0x0602 // any (v5.0)
	TagBroadcastMessageClass      Tag = 0x0603 // 1 (v5.0)
	TagBroadcastRepNum            Tag = 0x0604 // any: implementations disagree (v5.0)
	TagBroadcastFrequencyInterval Tag = 0x0605 // 3 (v5.0)
	TagBroadcastAreaIdentifier    Tag = 0x0606 // any (v5.0)
	TagBroadcastErrorStatus       Tag = 0x0607 // 4 (v5.0)
	TagBroadcastAreaSuccess       Tag = 0x0608 // 1 (v5.0)
	TagBroadcastEndTime           Tag = 0x0609 // ≤17 (v5.0)
	TagBroadcastServiceGroup      Tag = 0x060A // any (v5.0)
	TagBillingIdentification      Tag = 0x060B // ≤1024 (v5.0)
	TagSourceNetworkID            Tag = 0x060D // ≤65 (v5.0)
	TagDestNetworkID              Tag = 0x060E // ≤65 (v5.0)
	TagSourceNodeID               Tag = 0x060F // 6 (v5.0)
	TagDestNodeID                 Tag = 0x0610 // 6 (v5.0)
	TagDestAddrNpResolution       Tag = 0x0611 // 1 (v5.0)
	TagDestAddrNpInformation      Tag = 0x0612 // 10 (v5.0)
	TagDestAddrNpCountry          Tag = 0x0613 // 1–5 (v5.0)
	TagDisplayTime                Tag = 0x1201 // 1
	TagSmsSignal                  Tag = 0x1203 // 2
	TagMsValidity                 Tag = 0x1204 // 1, or up to 4 in v5.0
	TagAlertOnMessageDelivery     Tag = 0x130C // 0, or 1 in v5.0
	TagItsReplyType               Tag = 0x1380 // 1
	TagItsSessionInfo             Tag = 0x1383 // 2
)

// Vendor-specific tags lie in this range (inclusive); they pass through.
const (
	TagVendorFirst Tag = 0x1400
	TagVendorLast  Tag = 0x3FFF
)

// lengths returns the value sizes a known tag allows. known is false for
// unknown and vendor tags and for tags of unbounded size.
func (t Tag) lengths() (lo, hi int, known bool) {
	switch t {
	case TagDestAddrSubunit, TagDestNetworkType, TagDestBearerType,
		TagSourceAddrSubunit, TagSourceNetworkType, TagSourceBearerType,
		TagPayloadType, TagMsMsgWaitFacilities, TagPrivacyIndicator,
		TagUserResponseCode, TagLanguageIndicator, TagSarTotalSegments,
		TagSarSegmentSeqnum, TagScInterfaceVersion, TagCallbackNumPresInd,
		TagNumberOfMessages, TagDpfResult, TagSetDpf,
		TagMsAvailabilityStatus, TagDeliveryFailureReason,
		TagMoreMessagesToSend, TagMessageState, TagCongestionState,
		TagUssdServiceOp, TagBroadcastChannelIndicator,
		TagBroadcastMessageClass, TagBroadcastAreaSuccess,
		TagDestAddrNpResolution, TagDisplayTime, TagItsReplyType:
		return 1, 1, true
	case TagDestTelematicsID, TagUserMessageReference, TagSourcePort,
		TagDestinationPort, TagSarMsgRefNum, TagSmsSignal, TagItsSessionInfo:
		return 2, 2, true
	case TagNetworkErrorCode, TagBroadcastContentType, TagBroadcastFrequencyInterval:
		return 3, 3, true
	case TagQosTimeToLive, TagBroadcastErrorStatus:
		return 4, 4, true
	case TagSourceNodeID, TagDestNodeID:
		return 6, 6, true
	case TagDestAddrNpInformation:
		return 10, 10, true
	case TagSourceTelematicsID:
		return 1, 2, true
	case TagMsValidity:
		return 1, 4, true
	case TagAlertOnMessageDelivery:
		return 0, 1, true
	case TagSourceSubaddress, TagDestSubaddress:
		return 2, 23, true
	case TagCallbackNum:
		return 4, 19, true
	case TagDestAddrNpCountry:
		return 1, 5, true
	case TagBroadcastEndTime:
		return 0, maxTime, true
	case TagReceiptedMessageID, TagCallbackNumAtag, TagSourceNetworkID, TagDestNetworkID:
		return 0, 65, true
	case TagAdditionalStatusInfoText:
		return 0, 256, true
	case TagBillingIdentification:
		return 0, 1024, true
	}
	return 0, 0, false
}

// name returns the spec name of t, or "" when t is not known.
func (t Tag) name() string {
	switch t {
	case TagDestAddrSubunit:
		return "dest_addr_subunit"
	case TagDestNetworkType:
		return "dest_network_type"
	case TagDestBearerType:
		return "dest_bearer_type"
	case TagDestTelematicsID:
		return "dest_telematics_id"
	case TagSourceAddrSubunit:
		return "source_addr_subunit"
	case TagSourceNetworkType:
		return "source_network_type"
	case TagSourceBearerType:
		return "source_bearer_type"
	case TagSourceTelematicsID:
		return "source_telematics_id"
	case TagQosTimeToLive:
		return "qos_time_to_live"
	case TagPayloadType:
		return "payload_type"
	case TagAdditionalStatusInfoText:
		return "additional_status_info_text"
	case TagReceiptedMessageID:
		return "receipted_message_id"
	case TagMsMsgWaitFacilities:
		return "ms_msg_wait_facilities"
	case TagPrivacyIndicator:
		return "privacy_indicator"
	case TagSourceSubaddress:
		return "source_subaddress"
	case TagDestSubaddress:
		return "dest_subaddress"
	case TagUserMessageReference:
		return "user_message_reference"
	case TagUserResponseCode:
		return "user_response_code"
	case TagSourcePort:
		return "source_port"
	case TagDestinationPort:
		return "destination_port"
	case TagSarMsgRefNum:
		return "sar_msg_ref_num"
	case TagLanguageIndicator:
		return "language_indicator"
	case TagSarTotalSegments:
		return "sar_total_segments"
	case TagSarSegmentSeqnum:
		return "sar_segment_seqnum"
	case TagScInterfaceVersion:
		return "sc_interface_version"
	case TagCallbackNumPresInd:
		return "callback_num_pres_ind"
	case TagCallbackNumAtag:
		return "callback_num_atag"
	case TagNumberOfMessages:
		return "number_of_messages"
	case TagCallbackNum:
		return "callback_num"
	case TagDpfResult:
		return "dpf_result"
	case TagSetDpf:
		return "set_dpf"
	case TagMsAvailabilityStatus:
		return "ms_availability_status"
	case TagNetworkErrorCode:
		return "network_error_code"
	case TagMessagePayload:
		return "message_payload"
	case TagDeliveryFailureReason:
		return "delivery_failure_reason"
	case TagMoreMessagesToSend:
		return "more_messages_to_send"
	case TagMessageState:
		return "message_state"
	case TagCongestionState:
		return "congestion_state"
	case TagUssdServiceOp:
		return "ussd_service_op"
	case TagBroadcastChannelIndicator:
		return "broadcast_channel_indicator"
	case TagBroadcastContentType:
		return "broadcast_content_type"
	case TagBroadcastContentTypeInfo:
		return "broadcast_content_type_info"
	case TagBroadcastMessageClass:
		return "broadcast_message_class"
	case TagBroadcastRepNum:
		return "broadcast_rep_num"
	case TagBroadcastFrequencyInterval:
		return "broadcast_frequency_interval"
	case TagBroadcastAreaIdentifier:
		return "broadcast_area_identifier"
	case TagBroadcastErrorStatus:
		return "broadcast_error_status"
	case TagBroadcastAreaSuccess:
		return "broadcast_area_success"
	case TagBroadcastEndTime:
		return "broadcast_end_time"
	case TagBroadcastServiceGroup:
		return "broadcast_service_group"
	case TagBillingIdentification:
		return "billing_identification"
	case TagSourceNetworkID:
		return "source_network_id"
	case TagDestNetworkID:
		return "dest_network_id"
	case TagSourceNodeID:
		return "source_node_id"
	case TagDestNodeID:
		return "dest_node_id"
	case TagDestAddrNpResolution:
		return "dest_addr_np_resolution"
	case TagDestAddrNpInformation:
		return "dest_addr_np_information"
	case TagDestAddrNpCountry:
		return "dest_addr_np_country"
	case TagDisplayTime:
		return "display_time"
	case TagSmsSignal:
		return "sms_signal"
	case TagMsValidity:
		return "ms_validity"
	case TagAlertOnMessageDelivery:
		return "alert_on_message_delivery"
	case TagItsReplyType:
		return "its_reply_type"
	case TagItsSessionInfo:
		return "its_session_info"
	}
	return ""
}

// Known reports whether t is one of the tags named above.
func (t Tag) Known() bool { return t.name() != "" }

// Vendor reports whether t lies in the vendor-specific range.
func (t Tag) Vendor() bool { return t >= TagVendorFirst && t <= TagVendorLast }

// String returns the spec name of t (receipted_message_id), or a hex form
// for vendor-specific and unknown tags.
func (t Tag) String() string {
	if n := t.name(); n != "" {
		return n
	}
	h := strconv.FormatUint(uint64(t), 16)
	if t.Vendor() {
		return "vendor_tag(0x" + h + ")"
	}
	return "tag(0x" + h + ")"
}
