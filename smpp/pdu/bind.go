package pdu

// Bind is the body of bind_transmitter, bind_receiver and
// bind_transceiver, which share one layout (SMPP 3.4 §4.1). ID says which;
// Decode leaves it alone, so set it from the header (as [NewBody] does).
type Bind struct {
	ID               CommandID // BindTransmitter, BindReceiver or BindTransceiver
	SystemID         []byte    // c16
	Password         []byte    // c9
	SystemType       []byte    // c13
	InterfaceVersion byte      // 0x34 for SMPP 3.4
	AddrTON          byte
	AddrNPI          byte
	AddressRange     []byte // c41
}

// CommandID returns p.ID.
func (p *Bind) CommandID() CommandID { return p.ID }

// Decode parses a bind body. A bind has no TLVs: trailing octets are
// [ErrTrailing].
func (p *Bind) Decode(body []byte) error {
	id := p.ID
	*p = Bind{ID: id}
	r := reader{b: body}
	var err error
	if p.SystemID, err = r.cstring(maxSystemID, ErrSystemID); err != nil {
		return err
	}
	if p.Password, err = r.cstring(maxPassword, ErrPassword); err != nil {
		return err
	}
	if p.SystemType, err = r.cstring(maxSystemType, ErrSystemType); err != nil {
		return err
	}
	if p.InterfaceVersion, err = r.u8(); err != nil {
		return err
	}
	if p.AddrTON, err = r.u8(); err != nil {
		return err
	}
	if p.AddrNPI, err = r.u8(); err != nil {
		return err
	}
	if p.AddressRange, err = r.cstring(maxAddressRange, ErrAddressRange); err != nil {
		return err
	}
	return r.done()
}

// AppendBody appends the encoded body to dst.
func (p *Bind) AppendBody(dst []byte) []byte {
	dst = appendCString(dst, p.SystemID)
	dst = appendCString(dst, p.Password)
	dst = appendCString(dst, p.SystemType)
	dst = append(dst, p.InterfaceVersion, p.AddrTON, p.AddrNPI)
	return appendCString(dst, p.AddressRange)
}

// Validate checks every field against its wire limit.
func (p *Bind) Validate() error {
	return firstErr(
		checkCString(p.SystemID, maxSystemID, ErrSystemID),
		checkCString(p.Password, maxPassword, ErrPassword),
		checkCString(p.SystemType, maxSystemType, ErrSystemType),
		checkCString(p.AddressRange, maxAddressRange, ErrAddressRange),
	)
}

// BindResp is the body of bind_transmitter_resp, bind_receiver_resp and
// bind_transceiver_resp: the MC's system_id and TLVs, usually
// sc_interface_version. ID says which; Decode leaves it alone. An error
// response may have no body: decoding an empty body gives empty fields.
type BindResp struct {
	ID       CommandID // BindTransmitterResp, BindReceiverResp or BindTransceiverResp
	SystemID []byte    // c16
	TLVs     TLVs
}

// CommandID returns p.ID.
func (p *BindResp) CommandID() CommandID { return p.ID }

// Decode parses a bind response body.
func (p *BindResp) Decode(body []byte) error {
	id := p.ID
	*p = BindResp{ID: id}
	if len(body) == 0 {
		return nil
	}
	r := reader{b: body}
	var err error
	if p.SystemID, err = r.cstring(maxSystemID, ErrSystemID); err != nil {
		return err
	}
	p.TLVs, err = r.tlvs()
	return err
}

// AppendBody appends the encoded body to dst.
func (p *BindResp) AppendBody(dst []byte) []byte {
	dst = appendCString(dst, p.SystemID)
	return append(dst, p.TLVs...)
}

// Validate checks every field against its wire limit.
func (p *BindResp) Validate() error {
	return firstErr(checkCString(p.SystemID, maxSystemID, ErrSystemID), p.TLVs.Validate())
}

// InterfaceVersion returns the sc_interface_version TLV, if present.
func (p *BindResp) InterfaceVersion() (byte, bool) {
	return p.TLVs.Byte(TagScInterfaceVersion)
}

// Outbind is the body of outbind (SMPP 3.4 §4.1.7): the MC's credentials
// for an ESME it connected to. It is never answered.
type Outbind struct {
	SystemID []byte // c16
	Password []byte // c9
}

// CommandID returns OutbindID.
func (p *Outbind) CommandID() CommandID { return OutbindID }

// Decode parses an outbind body.
func (p *Outbind) Decode(body []byte) error {
	*p = Outbind{}
	r := reader{b: body}
	var err error
	if p.SystemID, err = r.cstring(maxSystemID, ErrSystemID); err != nil {
		return err
	}
	if p.Password, err = r.cstring(maxPassword, ErrPassword); err != nil {
		return err
	}
	return r.done()
}

// AppendBody appends the encoded body to dst.
func (p *Outbind) AppendBody(dst []byte) []byte {
	dst = appendCString(dst, p.SystemID)
	return appendCString(dst, p.Password)
}

// Validate checks every field against its wire limit.
func (p *Outbind) Validate() error {
	return firstErr(
		checkCString(p.SystemID, maxSystemID, ErrSystemID),
		checkCString(p.Password, maxPassword, ErrPassword),
	)
}
