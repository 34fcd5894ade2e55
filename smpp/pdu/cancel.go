package pdu

// CancelSM is the body of cancel_sm (SMPP 3.4 §4.9.1). An empty MessageID
// cancels every queued message from Source to Dest with ServiceType. Its
// response, cancel_sm_resp, is header only.
type CancelSM struct {
	ServiceType []byte  // c6
	MessageID   []byte  // c65
	Source      Address // c21
	Dest        Address // c21
}

// CommandID returns CancelSMID.
func (p *CancelSM) CommandID() CommandID { return CancelSMID }

// Decode parses a cancel_sm body. cancel_sm has no TLVs: trailing octets
// are [ErrTrailing].
func (p *CancelSM) Decode(body []byte) error {
	*p = CancelSM{}
	r := reader{b: body}
	var err error
	if p.ServiceType, err = r.cstring(maxServiceType, ErrServiceType); err != nil {
		return err
	}
	if p.MessageID, err = r.cstring(maxMessageID, ErrMessageID); err != nil {
		return err
	}
	if p.Source, err = r.addr(maxAddr21, ErrSourceAddr); err != nil {
		return err
	}
	if p.Dest, err = r.addr(maxAddr21, ErrDestAddr); err != nil {
		return err
	}
	return r.done()
}

// AppendBody appends the encoded body to dst.
func (p *CancelSM) AppendBody(dst []byte) []byte {
	dst = appendCString(dst, p.ServiceType)
	dst = appendCString(dst, p.MessageID)
	dst = appendAddr(dst, p.Source)
	return appendAddr(dst, p.Dest)
}

// Validate checks every field against its wire limit.
func (p *CancelSM) Validate() error {
	return firstErr(
		checkCString(p.ServiceType, maxServiceType, ErrServiceType),
		checkCString(p.MessageID, maxMessageID, ErrMessageID),
		checkAddr(p.Source, maxAddr21, ErrSourceAddr),
		checkAddr(p.Dest, maxAddr21, ErrDestAddr),
	)
}
