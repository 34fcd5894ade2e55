package pdu

// ESM class bits used by the helpers (SMPP 3.4 §5.2.12).
const (
	esmTypeMask     = 0x3C // message type bits 5–2
	esmReceipt      = 0x04 // MC delivery receipt
	esmIntermediate = 0x20 // intermediate delivery notification
	esmUDHI         = 0x40 // short_message or payload starts with a UDH
)

// SubmitSM is the body of submit_sm (SMPP 3.4 §4.4.1). Decoded fields are
// views into the PDU buffer. short_message is an octet string that may
// contain 0x00 (GSM '@'); its length is len(ShortMessage).
type SubmitSM struct {
	ServiceType          []byte // c6
	Source               Address
	Dest                 Address
	ESMClass             byte
	ProtocolID           byte
	PriorityFlag         byte
	ScheduleDeliveryTime []byte // empty or 16 characters
	ValidityPeriod       []byte // empty or 16 characters
	RegisteredDelivery   byte
	ReplaceIfPresent     byte
	DataCoding           byte
	SMDefaultMsgID       byte
	ShortMessage         []byte // at most 255 octets
	TLVs                 TLVs
}

// DeliverSM is the body of deliver_sm (SMPP 3.4 §4.6.1), laid out exactly
// like submit_sm. In a deliver_sm the schedule, validity, replace and
// default-message fields are normally empty or zero; Decode does not
// insist, since carriers differ.
type DeliverSM SubmitSM

// CommandID returns SubmitSMID.
func (p *SubmitSM) CommandID() CommandID { return SubmitSMID }

// Decode parses a submit_sm body. It allocates nothing.
func (p *SubmitSM) Decode(body []byte) error { return p.decode(body) }

// AppendBody appends the encoded body to dst. A ShortMessage longer than
// 255 octets is cut to 255; [SubmitSM.Validate] reports it.
func (p *SubmitSM) AppendBody(dst []byte) []byte { return p.appendBody(dst) }

// Validate checks every field against its wire limit and short_message
// against message_payload.
func (p *SubmitSM) Validate() error { return p.validate() }

// Payload returns the message content: the message_payload TLV if present,
// else short_message.
func (p *SubmitSM) Payload() []byte { return payload(p.ShortMessage, p.TLVs) }

// UDHI reports whether esm_class says the content starts with a UDH.
func (p *SubmitSM) UDHI() bool { return p.ESMClass&esmUDHI != 0 }

// CommandID returns DeliverSMID.
func (p *DeliverSM) CommandID() CommandID { return DeliverSMID }

// Decode parses a deliver_sm body. It allocates nothing.
func (p *DeliverSM) Decode(body []byte) error { return (*SubmitSM)(p).decode(body) }

// AppendBody appends the encoded body to dst, as [SubmitSM.AppendBody].
func (p *DeliverSM) AppendBody(dst []byte) []byte { return (*SubmitSM)(p).appendBody(dst) }

// Validate checks every field as [SubmitSM.Validate] does.
func (p *DeliverSM) Validate() error { return (*SubmitSM)(p).validate() }

// Payload returns the message content: the message_payload TLV if present,
// else short_message.
func (p *DeliverSM) Payload() []byte { return payload(p.ShortMessage, p.TLVs) }

// UDHI reports whether esm_class says the content starts with a UDH.
func (p *DeliverSM) UDHI() bool { return p.ESMClass&esmUDHI != 0 }

// IsReceipt reports whether the deliver_sm is an MC delivery receipt
// (esm_class & 0x3C == 0x04) rather than a mobile-originated message.
func (p *DeliverSM) IsReceipt() bool { return p.ESMClass&esmTypeMask == esmReceipt }

// IsIntermediate reports whether the deliver_sm is an intermediate
// delivery notification (esm_class & 0x3C == 0x20).
func (p *DeliverSM) IsIntermediate() bool { return p.ESMClass&esmTypeMask == esmIntermediate }

// decode parses the shared submit_sm/deliver_sm layout.
func (p *SubmitSM) decode(body []byte) error {
	*p = SubmitSM{}
	r := reader{b: body}
	var err error
	if p.ServiceType, err = r.cstring(maxServiceType, ErrServiceType); err != nil {
		return err
	}
	if p.Source, err = r.addr(maxAddr21, ErrSourceAddr); err != nil {
		return err
	}
	if p.Dest, err = r.addr(maxAddr21, ErrDestAddr); err != nil {
		return err
	}
	f, err := r.fixed(3)
	if err != nil {
		return err
	}
	p.ESMClass, p.ProtocolID, p.PriorityFlag = f[0], f[1], f[2]
	if p.ScheduleDeliveryTime, err = r.time(ErrScheduleTime, false); err != nil {
		return err
	}
	if p.ValidityPeriod, err = r.time(ErrValidityPeriod, false); err != nil {
		return err
	}
	if f, err = r.fixed(4); err != nil {
		return err
	}
	p.RegisteredDelivery, p.ReplaceIfPresent, p.DataCoding, p.SMDefaultMsgID = f[0], f[1], f[2], f[3]
	if p.ShortMessage, p.TLVs, err = r.content(); err != nil {
		return err
	}
	return nil
}

// appendBody encodes the shared submit_sm/deliver_sm layout.
func (p *SubmitSM) appendBody(dst []byte) []byte {
	dst = appendCString(dst, p.ServiceType)
	dst = appendAddr(dst, p.Source)
	dst = appendAddr(dst, p.Dest)
	dst = append(dst, p.ESMClass, p.ProtocolID, p.PriorityFlag)
	dst = appendCString(dst, p.ScheduleDeliveryTime)
	dst = appendCString(dst, p.ValidityPeriod)
	dst = append(dst, p.RegisteredDelivery, p.ReplaceIfPresent, p.DataCoding, p.SMDefaultMsgID)
	dst = appendSM(dst, p.ShortMessage)
	return append(dst, p.TLVs...)
}

// validate checks the shared submit_sm/deliver_sm layout.
func (p *SubmitSM) validate() error {
	return firstErr(
		checkCString(p.ServiceType, maxServiceType, ErrServiceType),
		checkAddr(p.Source, maxAddr21, ErrSourceAddr),
		checkAddr(p.Dest, maxAddr21, ErrDestAddr),
		checkTime(p.ScheduleDeliveryTime, ErrScheduleTime, false),
		checkTime(p.ValidityPeriod, ErrValidityPeriod, false),
		checkContent(p.ShortMessage, p.TLVs),
	)
}

// payload returns message_payload if present, else sm.
func payload(sm []byte, t TLVs) []byte {
	if v, ok := t.Get(TagMessagePayload); ok {
		return v
	}
	return sm
}
