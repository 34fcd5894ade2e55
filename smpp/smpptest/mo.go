package smpptest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/gallant-sms/gallant/smpp"
	"github.com/gallant-sms/gallant/smpp/pdu"
	"github.com/gallant-sms/gallant/smpp/pdutext"
)

// MOParts returns the deliver_sm of an MO text from one number to
// another as a handset's SMSC sends it: GSM 7-bit (unpacked) when every
// character fits, else UCS-2; one PDU when it fits one SMS, else one per
// part tied together by concat (8-bit or 16-bit UDH, or SAR TLVs) with
// reference ref.
func MOParts(from, to, text string, concat pdutext.Concat, ref uint16) ([]*pdu.DeliverSM, error) {
	dc := pdutext.Choose(text)
	enc, err := pdutext.Encode(nil, text, dc)
	if err != nil {
		return nil, fmt.Errorf("smpptest: encode MO: %w", err)
	}
	segs, err := pdutext.Split(enc, dc, pdutext.SplitOptions{Concat: concat, Ref: ref})
	if err != nil {
		return nil, fmt.Errorf("smpptest: split MO: %w", err)
	}
	out := make([]*pdu.DeliverSM, len(segs))
	for i, s := range segs {
		dm := &pdu.DeliverSM{Source: pdu.Address{TON: 1, NPI: 1, Addr: []byte(from)},
			Dest: pdu.Address{TON: 1, NPI: 1, Addr: []byte(to)}, DataCoding: byte(dc), ShortMessage: s.Data}
		if s.UDH {
			dm.ESMClass = 0x40
		}
		if concat == pdutext.ConcatSAR && s.Total > 1 {
			tl := pdu.AppendTLVUint16(nil, pdu.TagSarMsgRefNum, s.Ref)
			tl = pdu.AppendTLVByte(tl, pdu.TagSarTotalSegments, s.Total)
			dm.TLVs = pdu.TLVs(pdu.AppendTLVByte(tl, pdu.TagSarSegmentSeqnum, s.Seq))
		}
		out[i] = dm
	}
	return out, nil
}

// ErrNoReceiver is returned by [Simulator.SendMO] when no receiver or
// transceiver bind of the system_id is up.
var ErrNoReceiver = errors.New("smpptest: no receiver bind")

// SendMO sends the parts of one MO (see [MOParts]) on one receiver or
// transceiver bind of systemID (any system_id when empty), all at once
// as an SMSC with a window does, and waits for every answer: the error
// names the first part not answered ESME_ROK.
func (s *Simulator) SendMO(ctx context.Context, systemID string, parts []*pdu.DeliverSM) error {
	var sess *smpp.Session
	if systemID == "" {
		sess = s.anyReceiver()
	} else {
		sess = s.receiver(systemID)
	}
	if sess == nil {
		return ErrNoReceiver
	}
	var wg sync.WaitGroup
	errs := make([]error, len(parts))
	for i, dm := range parts {
		wg.Go(func() {
			h, _, err := sess.Call(ctx, pdu.DeliverSMID, dm.AppendBody(nil))
			if err == nil && h.Status != pdu.StatusOK {
				err = fmt.Errorf("answered %v", h.Status)
			}
			if err != nil {
				errs[i] = fmt.Errorf("smpptest: MO part %d of %d: %w", i+1, len(parts), err)
			} else {
				s.counters.moSent.Add(1)
			}
		})
	}
	wg.Wait()
	return errors.Join(errs...)
}

// SendMOWhenBound retries SendMO every interval until a receiver of
// systemID is bound, then sends once; it returns SendMO's error or
// ctx's.
func (s *Simulator) SendMOWhenBound(ctx context.Context, systemID string, parts []*pdu.DeliverSM, interval time.Duration) error {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		err := s.SendMO(ctx, systemID, parts)
		if !errors.Is(err, ErrNoReceiver) {
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
		}
	}
}
