package pdu

// ReplaceSM is the body of replace_sm (SMPP 3.4 §4.10.1). SMPP 3.4 gives
// it no TLVs; v5.0 allows message_payload, so a TLV section is accepted
// and kept. Its response, replace_sm_resp, is header only.
type ReplaceSM struct {
	MessageID            []byte  // c65
	Source               Address // c21
	ScheduleDeliveryTime []byte  // empty or 16 characters
	ValidityPeriod       []byte  // empty or 16 characters
	RegisteredDelivery   byte
	SMDefaultMsgID       byte
	ShortMessage         []byte // at most 255 octets
	TLVs                 TLVs
}

// CommandID returns ReplaceSMID.
func (p *ReplaceSM) CommandID() CommandID { return ReplaceSMID }

// Decode parses a replace_sm body.
func (p *ReplaceSM) Decode(body []byte) error {
	*p = ReplaceSM{}
	r := reader{b: body}
	var err error
	if p.MessageID, err = r.cstring(maxMessageID, ErrMessageID); err != nil {
		return err
	}
	if p.Source, err = r.addr(maxAddr21, ErrSourceAddr); err != nil {
		return err
	}
	if p.ScheduleDeliveryTime, err = r.time(ErrScheduleTime, false); err != nil {
		return err
	}
	if p.ValidityPeriod, err = r.time(ErrValidityPeriod, false); err != nil {
		return err
	}
	if p.RegisteredDelivery, err = r.u8(); err != nil {
		return err
	}
	if p.SMDefaultMsgID, err = r.u8(); err != nil {
		return err
	}
	p.ShortMessage, p.TLVs, err = r.content()
	return err
}

// AppendBody appends the encoded body to dst. A ShortMessage longer than
// 255 octets is cut to 255; [ReplaceSM.Validate] reports it.
func (p *ReplaceSM) AppendBody(dst []byte) []byte {
	dst = appendCString(dst, p.MessageID)
	dst = appendAddr(dst, p.Source)
	dst = appendCString(dst, p.ScheduleDeliveryTime)
	dst = appendCString(dst, p.ValidityPeriod)
	dst = append(dst, p.RegisteredDelivery, p.SMDefaultMsgID)
	dst = appendSM(dst, p.ShortMessage)
	return append(dst, p.TLVs...)
}

// Validate checks every field against its wire limit.
func (p *ReplaceSM) Validate() error {
	return firstErr(
		checkCString(p.MessageID, maxMessageID, ErrMessageID),
		checkAddr(p.Source, maxAddr21, ErrSourceAddr),
		checkTime(p.ScheduleDeliveryTime, ErrScheduleTime, false),
		checkTime(p.ValidityPeriod, ErrValidityPeriod, false),
		checkContent(p.ShortMessage, p.TLVs),
	)
}

// Payload returns the message content: the message_payload TLV if present,
// else short_message.
func (p *ReplaceSM) Payload() []byte { return payload(p.ShortMessage, p.TLVs) }
