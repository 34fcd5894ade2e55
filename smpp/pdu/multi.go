package pdu

import (
	"encoding/binary"
	"slices"
)

// dest_flag values of a submit_multi dest_address (SMPP 3.4 §4.5.1.1).
const (
	destFlagSME  = 1
	destFlagList = 2
)

// maxDests is the most number_of_dests (or no_unsuccess) can express.
const maxDests = 255

// MultiDest is one dest_address of a submit_multi: an SME address, or the
// name of a distribution list when List is set.
type MultiDest struct {
	List   bool    // dest_flag 2 (distribution list) rather than 1 (SME)
	Addr   Address // the SME address; unused when List is set
	DLName []byte  // c21, the list name; unused unless List is set
}

// SubmitMulti is the body of submit_multi (SMPP 3.4 §4.5.1): submit_sm
// with up to 255 destinations. Decode reuses the capacity of Dests, so a
// SubmitMulti kept by a session allocates only when a PDU has more
// destinations than any before it.
type SubmitMulti struct {
	ServiceType          []byte  // c6
	Source               Address // c21
	Dests                []MultiDest
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

// CommandID returns SubmitMultiID.
func (p *SubmitMulti) CommandID() CommandID { return SubmitMultiID }

// Decode parses a submit_multi body.
func (p *SubmitMulti) Decode(body []byte) error {
	clear(p.Dests)
	*p = SubmitMulti{Dests: p.Dests[:0]}
	r := reader{b: body}
	var err error
	if p.ServiceType, err = r.cstring(maxServiceType, ErrServiceType); err != nil {
		return err
	}
	if p.Source, err = r.addr(maxAddr21, ErrSourceAddr); err != nil {
		return err
	}
	if p.Dests, err = r.dests(p.Dests); err != nil {
		return err
	}
	if p.ESMClass, err = r.u8(); err != nil {
		return err
	}
	if p.ProtocolID, err = r.u8(); err != nil {
		return err
	}
	if p.PriorityFlag, err = r.u8(); err != nil {
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
	if p.ReplaceIfPresent, err = r.u8(); err != nil {
		return err
	}
	if p.DataCoding, err = r.u8(); err != nil {
		return err
	}
	if p.SMDefaultMsgID, err = r.u8(); err != nil {
		return err
	}
	p.ShortMessage, p.TLVs, err = r.content()
	return err
}

// Payload returns the message_payload TLV if present, else ShortMessage.
func (p *SubmitMulti) Payload() []byte { return payload(p.ShortMessage, p.TLVs) }

// dests reads number_of_dests and the dest_address list into dst[:0].
func (r *reader) dests(dst []MultiDest) ([]MultiDest, error) {
	n, err := r.u8()
	if err != nil {
		return dst, err
	}
	// The smallest dest_address is a dest_flag and an empty dl_name:
	// check that n of them fit before sizing anything from n.
	if n == 0 || int(n)*2 > len(r.b)-r.off {
		return dst, ErrNumDests
	}
	dst = slices.Grow(dst[:0], int(n))
	for range n {
		flag, err := r.u8()
		if err != nil {
			return dst, err
		}
		var d MultiDest
		switch flag {
		case destFlagSME:
			d.Addr, err = r.addr(maxAddr21, ErrDestAddr)
		case destFlagList:
			d.List = true
			d.DLName, err = r.cstring(maxAddr21, ErrDLName)
		default:
			return dst, ErrDestFlag
		}
		if err != nil {
			return dst, err
		}
		dst = append(dst, d)
	}
	return dst, nil
}

// AppendBody appends the encoded body to dst. Only the first 255 Dests
// and 255 octets of ShortMessage fit; [SubmitMulti.Validate] reports more.
func (p *SubmitMulti) AppendBody(dst []byte) []byte {
	dst = appendCString(dst, p.ServiceType)
	dst = appendAddr(dst, p.Source)
	ds := p.Dests
	if len(ds) > maxDests {
		ds = ds[:maxDests]
	}
	dst = append(dst, byte(len(ds)))
	for _, d := range ds {
		if d.List {
			dst = append(dst, destFlagList)
			dst = appendCString(dst, d.DLName)
		} else {
			dst = append(dst, destFlagSME)
			dst = appendAddr(dst, d.Addr)
		}
	}
	dst = append(dst, p.ESMClass, p.ProtocolID, p.PriorityFlag)
	dst = appendCString(dst, p.ScheduleDeliveryTime)
	dst = appendCString(dst, p.ValidityPeriod)
	dst = append(dst, p.RegisteredDelivery, p.ReplaceIfPresent, p.DataCoding, p.SMDefaultMsgID)
	dst = appendSM(dst, p.ShortMessage)
	return append(dst, p.TLVs...)
}

// Validate checks every field against its wire limit, and that there are
// 1 to 255 destinations.
func (p *SubmitMulti) Validate() error {
	if len(p.Dests) == 0 || len(p.Dests) > maxDests {
		return ErrNumDests
	}
	for _, d := range p.Dests {
		var err error
		if d.List {
			err = checkCString(d.DLName, maxAddr21, ErrDLName)
		} else {
			err = checkAddr(d.Addr, maxAddr21, ErrDestAddr)
		}
		if err != nil {
			return err
		}
	}
	return firstErr(
		checkCString(p.ServiceType, maxServiceType, ErrServiceType),
		checkAddr(p.Source, maxAddr21, ErrSourceAddr),
		checkTime(p.ScheduleDeliveryTime, ErrScheduleTime, false),
		checkTime(p.ValidityPeriod, ErrValidityPeriod, false),
		checkContent(p.ShortMessage, p.TLVs),
	)
}

// UnsuccessSME is one destination a submit_multi could not reach.
type UnsuccessSME struct {
	Dest   Address // c21
	Status Status  // error_status_code
}

// unsuccessMinLen is the smallest unsuccess_sme: TON, NPI, an empty
// address and a 4-octet status.
const unsuccessMinLen = 7

// SubmitMultiResp is the body of submit_multi_resp (SMPP 3.4 §4.5.2): the
// message_id and the destinations that failed. Decode reuses the capacity
// of Unsuccess. An error response may have no body: decoding an empty body
// gives empty fields.
type SubmitMultiResp struct {
	MessageID []byte // c65
	Unsuccess []UnsuccessSME
	TLVs      TLVs
}

// CommandID returns SubmitMultiRespID.
func (p *SubmitMultiResp) CommandID() CommandID { return SubmitMultiRespID }

// Decode parses a submit_multi_resp body.
func (p *SubmitMultiResp) Decode(body []byte) error {
	clear(p.Unsuccess)
	*p = SubmitMultiResp{Unsuccess: p.Unsuccess[:0]}
	if len(body) == 0 {
		return nil
	}
	r := reader{b: body}
	var err error
	if p.MessageID, err = r.cstring(maxMessageID, ErrMessageID); err != nil {
		return err
	}
	n, err := r.u8()
	if err != nil {
		return err
	}
	if int(n)*unsuccessMinLen > len(r.b)-r.off {
		return ErrTruncated
	}
	p.Unsuccess = slices.Grow(p.Unsuccess, int(n))
	for range n {
		var u UnsuccessSME
		if u.Dest, err = r.addr(maxAddr21, ErrDestAddr); err != nil {
			return err
		}
		s, err := r.u32()
		if err != nil {
			return err
		}
		u.Status = Status(s)
		p.Unsuccess = append(p.Unsuccess, u)
	}
	p.TLVs, err = r.tlvs()
	return err
}

// AppendBody appends the encoded body to dst. Only the first 255
// Unsuccess entries fit; [SubmitMultiResp.Validate] reports more.
func (p *SubmitMultiResp) AppendBody(dst []byte) []byte {
	dst = appendCString(dst, p.MessageID)
	us := p.Unsuccess
	if len(us) > maxDests {
		us = us[:maxDests]
	}
	dst = append(dst, byte(len(us)))
	for _, u := range us {
		dst = appendAddr(dst, u.Dest)
		dst = binary.BigEndian.AppendUint32(dst, uint32(u.Status))
	}
	return append(dst, p.TLVs...)
}

// Validate checks every field against its wire limit.
func (p *SubmitMultiResp) Validate() error {
	if len(p.Unsuccess) > maxDests {
		return ErrNumDests
	}
	for _, u := range p.Unsuccess {
		if err := checkAddr(u.Dest, maxAddr21, ErrDestAddr); err != nil {
			return err
		}
	}
	return firstErr(checkCString(p.MessageID, maxMessageID, ErrMessageID), p.TLVs.Validate())
}
