package pdu

// SubmitSMResp is the body of submit_sm_resp (SMPP 3.4 §4.4.2): the MC's
// message_id for the submitted message, plus v5.0 TLVs on errors. An error
// response may have no body: decoding an empty body gives empty fields.
type SubmitSMResp struct {
	MessageID []byte // c65
	TLVs      TLVs
}

// DeliverSMResp is the body of deliver_sm_resp (SMPP 3.4 §4.6.2). Its
// message_id is unused and normally empty.
type DeliverSMResp SubmitSMResp

// DataSMResp is the body of data_sm_resp (SMPP 3.4 §4.7.2).
type DataSMResp SubmitSMResp

// CommandID returns SubmitSMRespID.
func (p *SubmitSMResp) CommandID() CommandID { return SubmitSMRespID }

// Decode parses a submit_sm_resp body. It allocates nothing.
func (p *SubmitSMResp) Decode(body []byte) error { return p.decode(body) }

// AppendBody appends the encoded body to dst.
func (p *SubmitSMResp) AppendBody(dst []byte) []byte { return p.appendBody(dst) }

// Validate checks every field against its wire limit.
func (p *SubmitSMResp) Validate() error { return p.validate() }

// CommandID returns DeliverSMRespID.
func (p *DeliverSMResp) CommandID() CommandID { return DeliverSMRespID }

// Decode parses a deliver_sm_resp body. It allocates nothing.
func (p *DeliverSMResp) Decode(body []byte) error { return (*SubmitSMResp)(p).decode(body) }

// AppendBody appends the encoded body to dst.
func (p *DeliverSMResp) AppendBody(dst []byte) []byte { return (*SubmitSMResp)(p).appendBody(dst) }

// Validate checks every field against its wire limit.
func (p *DeliverSMResp) Validate() error { return (*SubmitSMResp)(p).validate() }

// CommandID returns DataSMRespID.
func (p *DataSMResp) CommandID() CommandID { return DataSMRespID }

// Decode parses a data_sm_resp body. It allocates nothing.
func (p *DataSMResp) Decode(body []byte) error { return (*SubmitSMResp)(p).decode(body) }

// AppendBody appends the encoded body to dst.
func (p *DataSMResp) AppendBody(dst []byte) []byte { return (*SubmitSMResp)(p).appendBody(dst) }

// Validate checks every field against its wire limit.
func (p *DataSMResp) Validate() error { return (*SubmitSMResp)(p).validate() }

// decode parses the shared message_id + TLVs layout.
func (p *SubmitSMResp) decode(body []byte) error {
	*p = SubmitSMResp{}
	if len(body) == 0 {
		return nil
	}
	r := reader{b: body}
	var err error
	if p.MessageID, err = r.cstring(maxMessageID, ErrMessageID); err != nil {
		return err
	}
	p.TLVs, err = r.tlvs()
	return err
}

// appendBody encodes the shared message_id + TLVs layout.
func (p *SubmitSMResp) appendBody(dst []byte) []byte {
	dst = appendCString(dst, p.MessageID)
	return append(dst, p.TLVs...)
}

// validate checks the shared message_id + TLVs layout.
func (p *SubmitSMResp) validate() error {
	return firstErr(checkCString(p.MessageID, maxMessageID, ErrMessageID), p.TLVs.Validate())
}
