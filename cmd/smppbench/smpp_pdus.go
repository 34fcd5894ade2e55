package main

import (
	"fmt"

	"github.com/gallant-sms/gallant/smpp/pdu"
	"github.com/gallant-sms/gallant/smpp/pdutext"
)

// esmUDHI is the esm_class bit saying short_message starts with a UDH.
const esmUDHI = 0x40

// template is the pre-encoded submit_sm bodies of one message kind, one
// per PDU, with the offsets of what changes from message to message.
type template struct {
	bodies  [][]byte
	destOff int // where the destination digits start, the same in every body
	refOff  int // where the UDH concatenation reference is, -1 without UDH
}

// clone returns a copy with bodies of its own, for one sender to patch.
func (t template) clone() template {
	c := t
	c.bodies = make([][]byte, len(t.bodies))
	for i, b := range t.bodies {
		c.bodies[i] = append([]byte(nil), b...)
	}
	return c
}

// patch writes message k's destination and, for UDH segments, its
// concatenation reference (k's low 8 bits) into the bodies.
func (t *template) patch(nums numbers, k uint64) {
	for _, b := range t.bodies {
		nums.put(b[t.destOff:], k)
		if t.refOff >= 0 {
			b[t.refOff] = byte(k)
		}
	}
}

// buildTemplates encodes the submit_sm bodies of every kind for cfg.
func buildTemplates(cfg SMPPConfig) ([numKinds]template, error) {
	var out [numKinds]template
	a := cfg.Addressing
	src := pdu.Address{TON: 5, NPI: 0, Addr: []byte(a.From)}
	if a.numericFrom() {
		src.TON, src.NPI = 1, 1
	}
	base := pdu.SubmitSM{
		Source: src,
		Dest:   pdu.Address{TON: 1, NPI: 1, Addr: []byte(a.To)},
	}
	if cfg.RegisteredDelivery {
		base.RegisteredDelivery = 1
	}
	// service_type "" (1), source TON and NPI (2), source_addr and NUL,
	// destination TON and NPI (2).
	destOff := 1 + 2 + len(src.Addr) + 1 + 2

	gsm, err := pdutext.EncodeGSM7(nil, gsm7Text)
	if err != nil {
		return out, fmt.Errorf("encode gsm7 text: %w", err)
	}
	sm := base
	sm.ShortMessage = gsm
	if out[GSM7], err = single(&sm, destOff); err != nil {
		return out, err
	}

	ucs, err := pdutext.EncodeUCS2(nil, ucs2Text)
	if err != nil {
		return out, fmt.Errorf("encode ucs2 text: %w", err)
	}
	sm = base
	sm.DataCoding = byte(pdutext.UCS2)
	sm.ShortMessage = ucs
	if out[UCS2], err = single(&sm, destOff); err != nil {
		return out, err
	}

	long, err := pdutext.EncodeGSM7(nil, longText())
	if err != nil {
		return out, fmt.Errorf("encode long text: %w", err)
	}
	if cfg.LongAs == LongPayload {
		sm = base
		sm.TLVs = pdu.AppendTLV(nil, pdu.TagMessagePayload, long)
		out[Long], err = single(&sm, destOff)
		return out, err
	}
	segs, err := pdutext.Split(long, pdutext.DefaultAlphabet, pdutext.SplitOptions{Concat: pdutext.Concat8})
	if err != nil {
		return out, fmt.Errorf("split long text: %w", err)
	}
	if len(segs) != longParts {
		return out, fmt.Errorf("long text split into %d segments, want %d", len(segs), longParts)
	}
	t := template{destOff: destOff}
	for _, seg := range segs {
		sm = base
		sm.ESMClass = esmUDHI
		sm.ShortMessage = seg.Data
		if err := sm.Validate(); err != nil {
			return out, fmt.Errorf("long segment: %w", err)
		}
		b := sm.AppendBody(nil)
		// 05 00 03 RR TT SS: the reference is the UDH's fourth octet, and
		// short_message ends the body (there are no TLVs).
		t.refOff = len(b) - len(seg.Data) + 3
		t.bodies = append(t.bodies, b)
	}
	out[Long] = t
	return out, nil
}

// single returns the template of a one-PDU message.
func single(sm *pdu.SubmitSM, destOff int) (template, error) {
	if err := sm.Validate(); err != nil {
		return template{}, fmt.Errorf("submit_sm template: %w", err)
	}
	return template{bodies: [][]byte{sm.AppendBody(nil)}, destOff: destOff, refOff: -1}, nil
}
