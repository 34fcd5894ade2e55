package pdu

// DataSM is the body of data_sm (SMPP 3.4 §4.7.1). It has no
// short_message: the content travels in the message_payload TLV. Decode
// does not require that TLV (SMPP 3.4 lists it as optional); use
// [DataSM.Payload] and check for yourself.
type DataSM struct {
	ServiceType        []byte  // c6
	Source             Address // c65
	Dest               Address // c65
	ESMClass           byte
	RegisteredDelivery byte
	DataCoding         byte
	TLVs               TLVs
}

// CommandID returns DataSMID.
func (p *DataSM) CommandID() CommandID { return DataSMID }

// Decode parses a data_sm body.
func (p *DataSM) Decode(body []byte) error {
	*p = DataSM{}
	r := reader{b: body}
	var err error
	if p.ServiceType, err = r.cstring(maxServiceType, ErrServiceType); err != nil {
		return err
	}
	if p.Source, err = r.addr(maxAddr65, ErrSourceAddr); err != nil {
		return err
	}
	if p.Dest, err = r.addr(maxAddr65, ErrDestAddr); err != nil {
		return err
	}
	if p.ESMClass, err = r.u8(); err != nil {
		return err
	}
	if p.RegisteredDelivery, err = r.u8(); err != nil {
		return err
	}
	if p.DataCoding, err = r.u8(); err != nil {
		return err
	}
	p.TLVs, err = r.tlvs()
	return err
}

// AppendBody appends the encoded body to dst.
func (p *DataSM) AppendBody(dst []byte) []byte {
	dst = appendCString(dst, p.ServiceType)
	dst = appendAddr(dst, p.Source)
	dst = appendAddr(dst, p.Dest)
	dst = append(dst, p.ESMClass, p.RegisteredDelivery, p.DataCoding)
	return append(dst, p.TLVs...)
}

// Validate checks every field against its wire limit.
func (p *DataSM) Validate() error {
	return firstErr(
		checkCString(p.ServiceType, maxServiceType, ErrServiceType),
		checkAddr(p.Source, maxAddr65, ErrSourceAddr),
		checkAddr(p.Dest, maxAddr65, ErrDestAddr),
		p.TLVs.Validate(),
	)
}

// Payload returns the message_payload TLV, or nil when there is none.
func (p *DataSM) Payload() []byte {
	v, _ := p.TLVs.Get(TagMessagePayload)
	return v
}

// IsReceipt reports whether the data_sm is an MC delivery receipt
// (esm_class & 0x3C == 0x04).
func (p *DataSM) IsReceipt() bool { return p.ESMClass&esmTypeMask == esmReceipt }
