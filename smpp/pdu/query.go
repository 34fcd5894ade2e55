package pdu

// QuerySM is the body of query_sm (SMPP 3.4 §4.8.1): which message to ask
// about, and the source address it was submitted with.
type QuerySM struct {
	MessageID []byte  // c65
	Source    Address // c21
}

// CommandID returns QuerySMID.
func (p *QuerySM) CommandID() CommandID { return QuerySMID }

// Decode parses a query_sm body. query_sm has no TLVs: trailing octets
// are [ErrTrailing].
func (p *QuerySM) Decode(body []byte) error {
	*p = QuerySM{}
	r := reader{b: body}
	var err error
	if p.MessageID, err = r.cstring(maxMessageID, ErrMessageID); err != nil {
		return err
	}
	if p.Source, err = r.addr(maxAddr21, ErrSourceAddr); err != nil {
		return err
	}
	return r.done()
}

// AppendBody appends the encoded body to dst.
func (p *QuerySM) AppendBody(dst []byte) []byte {
	dst = appendCString(dst, p.MessageID)
	return appendAddr(dst, p.Source)
}

// Validate checks every field against its wire limit.
func (p *QuerySM) Validate() error {
	return firstErr(
		checkCString(p.MessageID, maxMessageID, ErrMessageID),
		checkAddr(p.Source, maxAddr21, ErrSourceAddr),
	)
}

// QuerySMResp is the body of query_sm_resp (SMPP 3.4 §4.8.2). FinalDate
// is empty, 16 characters, or the 12-character form some MCs send.
// Trailing TLVs (v5.0) are kept. An error response may have no body:
// decoding an empty body gives empty fields.
type QuerySMResp struct {
	MessageID    []byte // c65
	FinalDate    []byte // c17
	MessageState byte
	ErrorCode    byte
	TLVs         TLVs
}

// CommandID returns QuerySMRespID.
func (p *QuerySMResp) CommandID() CommandID { return QuerySMRespID }

// Decode parses a query_sm_resp body.
func (p *QuerySMResp) Decode(body []byte) error {
	*p = QuerySMResp{}
	if len(body) == 0 {
		return nil
	}
	r := reader{b: body}
	var err error
	if p.MessageID, err = r.cstring(maxMessageID, ErrMessageID); err != nil {
		return err
	}
	if p.FinalDate, err = r.time(ErrFinalDate, true); err != nil {
		return err
	}
	if p.MessageState, err = r.u8(); err != nil {
		return err
	}
	if p.ErrorCode, err = r.u8(); err != nil {
		return err
	}
	p.TLVs, err = r.tlvs()
	return err
}

// AppendBody appends the encoded body to dst.
func (p *QuerySMResp) AppendBody(dst []byte) []byte {
	dst = appendCString(dst, p.MessageID)
	dst = appendCString(dst, p.FinalDate)
	dst = append(dst, p.MessageState, p.ErrorCode)
	return append(dst, p.TLVs...)
}

// Validate checks every field against its wire limit.
func (p *QuerySMResp) Validate() error {
	return firstErr(
		checkCString(p.MessageID, maxMessageID, ErrMessageID),
		checkTime(p.FinalDate, ErrFinalDate, true),
		p.TLVs.Validate(),
	)
}
