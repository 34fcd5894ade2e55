package pdu

// Body is a PDU body: everything after the 16-octet header. Decode parses
// body octets into the value, keeping views into them; AppendBody appends
// the encoding to dst. Every body type in this package implements Body
// with a pointer receiver.
type Body interface {
	CommandID() CommandID
	Decode(body []byte) error
	AppendBody(dst []byte) []byte
}

// Compile-time checks that every body type is a Body.
var (
	_ Body = (*Bind)(nil)
	_ Body = (*BindResp)(nil)
	_ Body = (*Outbind)(nil)
	_ Body = (*SubmitSM)(nil)
	_ Body = (*SubmitSMResp)(nil)
	_ Body = (*DeliverSM)(nil)
	_ Body = (*DeliverSMResp)(nil)
	_ Body = (*DataSM)(nil)
	_ Body = (*DataSMResp)(nil)
	_ Body = (*QuerySM)(nil)
	_ Body = (*QuerySMResp)(nil)
	_ Body = (*CancelSM)(nil)
	_ Body = (*ReplaceSM)(nil)
	_ Body = (*SubmitMulti)(nil)
	_ Body = (*SubmitMultiResp)(nil)
	_ Body = (*AlertNotification)(nil)
	_ Body = (*HeaderOnly)(nil)
)

// HeaderOnly is the body of a PDU that has none: enquire_link, unbind,
// their responses, generic_nack, cancel_sm_resp and replace_sm_resp.
// Requests must have an empty body. Responses are read leniently: v5.0
// peers may append TLVs (congestion_state, additional_status_info_text),
// which are kept.
type HeaderOnly struct {
	ID   CommandID
	TLVs TLVs
}

// CommandID returns p.ID.
func (p *HeaderOnly) CommandID() CommandID { return p.ID }

// Decode accepts an empty body, or for a response a TLV section.
func (p *HeaderOnly) Decode(body []byte) error {
	p.TLVs = nil
	if len(body) == 0 {
		return nil
	}
	if !p.ID.IsResponse() {
		return ErrTrailing
	}
	t := TLVs(body[:len(body):len(body)])
	if err := t.Validate(); err != nil {
		return err
	}
	p.TLVs = t
	return nil
}

// AppendBody appends the TLVs, if any.
func (p *HeaderOnly) AppendBody(dst []byte) []byte { return append(dst, p.TLVs...) }

// NewBody returns a new, empty body for a command id: a *SubmitSM for
// SubmitSMID, a *Bind (with ID set) for each bind request, a *HeaderOnly
// for PDUs without a body, and so on. An id this package does not know is
// [ErrUnknownCommand], to be answered with generic_nack. NewBody allocates;
// hot paths keep a body value per session and call its Decode.
func NewBody(id CommandID) (Body, error) {
	switch id {
	case BindReceiver, BindTransmitter, BindTransceiver:
		return &Bind{ID: id}, nil
	case BindReceiverResp, BindTransmitterResp, BindTransceiverResp:
		return &BindResp{ID: id}, nil
	case OutbindID:
		return &Outbind{}, nil
	case SubmitSMID:
		return &SubmitSM{}, nil
	case SubmitSMRespID:
		return &SubmitSMResp{}, nil
	case DeliverSMID:
		return &DeliverSM{}, nil
	case DeliverSMRespID:
		return &DeliverSMResp{}, nil
	case DataSMID:
		return &DataSM{}, nil
	case DataSMRespID:
		return &DataSMResp{}, nil
	case QuerySMID:
		return &QuerySM{}, nil
	case QuerySMRespID:
		return &QuerySMResp{}, nil
	case CancelSMID:
		return &CancelSM{}, nil
	case ReplaceSMID:
		return &ReplaceSM{}, nil
	case SubmitMultiID:
		return &SubmitMulti{}, nil
	case SubmitMultiRespID:
		return &SubmitMultiResp{}, nil
	case AlertNotificationID:
		return &AlertNotification{}, nil
	case GenericNack, EnquireLink, EnquireLinkResp, Unbind, UnbindResp,
		CancelSMResp, ReplaceSMResp:
		return &HeaderOnly{ID: id}, nil
	}
	return nil, ErrUnknownCommand
}

// DecodeBody returns the decoded body of a PDU with the given command id;
// body is the PDU without its header. It allocates the body (see
// [NewBody]); the body's fields are views into body.
func DecodeBody(id CommandID, body []byte) (Body, error) {
	b, err := NewBody(id)
	if err != nil {
		return nil, err
	}
	if err := b.Decode(body); err != nil {
		return nil, err
	}
	return b, nil
}

// Encode appends a whole PDU to dst: h, then b (nil for a header-only
// PDU), with command_length set to the PDU's length. When h.ID is zero it
// is taken from b. Encode is a convenience; the allocation-free way is
//
//	start := len(buf)
//	buf = pdu.AppendHeader(buf, h)
//	buf = sm.AppendBody(buf)
//	pdu.SetLength(buf[start:])
func Encode(dst []byte, h Header, b Body) []byte {
	start := len(dst)
	if h.ID == 0 && b != nil {
		h.ID = b.CommandID()
	}
	dst = AppendHeader(dst, h)
	if b != nil {
		dst = b.AppendBody(dst)
	}
	SetLength(dst[start:])
	return dst
}
