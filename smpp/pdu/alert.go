package pdu

// AlertNotification is the body of alert_notification (SMPP 3.4 §4.12.1):
// the MC tells an ESME that a mobile it asked about is reachable again,
// usually with an ms_availability_status TLV. It is never answered.
type AlertNotification struct {
	Source Address // c65: the mobile
	ESME   Address // c65: the ESME that set the alert
	TLVs   TLVs
}

// CommandID returns AlertNotificationID.
func (p *AlertNotification) CommandID() CommandID { return AlertNotificationID }

// Decode parses an alert_notification body.
func (p *AlertNotification) Decode(body []byte) error {
	*p = AlertNotification{}
	r := reader{b: body}
	var err error
	if p.Source, err = r.addr(maxAddr65, ErrSourceAddr); err != nil {
		return err
	}
	if p.ESME, err = r.addr(maxAddr65, ErrESMEAddr); err != nil {
		return err
	}
	p.TLVs, err = r.tlvs()
	return err
}

// AppendBody appends the encoded body to dst.
func (p *AlertNotification) AppendBody(dst []byte) []byte {
	dst = appendAddr(dst, p.Source)
	dst = appendAddr(dst, p.ESME)
	return append(dst, p.TLVs...)
}

// Validate checks every field against its wire limit.
func (p *AlertNotification) Validate() error {
	return firstErr(
		checkAddr(p.Source, maxAddr65, ErrSourceAddr),
		checkAddr(p.ESME, maxAddr65, ErrESMEAddr),
		p.TLVs.Validate(),
	)
}
