package main

import (
	"sync/atomic"
	"time"

	"github.com/gallant-sms/gallant/smpp"
	"github.com/gallant-sms/gallant/smpp/pdu"
	"github.com/gallant-sms/gallant/smpp/pdutext"
)

// numStates is the size of the receipts-by-state table: the message
// states 0..9 and one slot for values outside them.
const numStates = 11

// recorder keeps what one session's reader goroutine sees: the
// submit_sm_resp callbacks of a sending bind and the deliver_sm of a
// receiving one (a transceiver has both). Plain fields belong to that
// goroutine and are read by the report once the session has ended;
// atomics are also read by the progress line.
type recorder struct {
	r *smppRun

	submitLat  Histogram
	receiptLat Histogram
	statuses   map[pdu.Status]uint64 // non-OK submit_sm_resp
	gnacks     uint64                // generic_nack in place of submit_sm_resp
	badResps   uint64                // OK submit_sm_resp without a usable message_id
	receipts   uint64                // final receipts
	states     [numStates]uint64     // final receipts by message_state
	interim    uint64                // intermediate notifications and non-final receipts
	duplicates uint64
	unsolicit  uint64 // receipts while none were asked for
	mo         uint64 // deliver_sm that are not receipts
	badDeliver uint64 // deliver_sm or data_sm that failed to decode, or receipts without an id
	respBody   []byte // deliver_sm_resp body: an empty message_id

	ok          atomic.Uint64 // OK submit_sm_resp
	received    atomic.Uint64 // final receipts, for the progress line
	lastResp    atomic.Int64  // run clock of the latest OK submit_sm_resp
	pauseUntil  atomic.Int64  // run clock until which the sender waits (after 0x58/0x14)
	lastReceipt atomic.Int64  // run clock of the latest paired receipt
}

// newRecorder returns the recorder of one session of r.
func newRecorder(r *smppRun) *recorder {
	return &recorder{r: r, statuses: map[pdu.Status]uint64{}, respBody: []byte{0}}
}

// submitted handles a submit_sm_resp (or generic_nack) to the submit_sm
// sent at run-clock time sent.
func (rc *recorder) submitted(h pdu.Header, body []byte, sent int64) {
	r := rc.r
	now := r.now()
	rc.submitLat.Record(time.Duration(now - sent))
	switch {
	case h.ID == pdu.GenericNack:
		rc.gnacks++
		return
	case h.Status != pdu.StatusOK:
		rc.statuses[h.Status]++
		if h.Status == pdu.StatusThrottled || h.Status == pdu.StatusMsgQFul {
			// Backpressure: the sender pauses, as an ESME should.
			rc.pauseUntil.Store(now + int64(refusalBackoff))
		}
		return
	}
	rc.lastResp.Store(now)
	rc.ok.Add(1)
	if r.ids == nil {
		return
	}
	var resp pdu.SubmitSMResp
	if resp.Decode(body) != nil || len(resp.MessageID) == 0 {
		rc.badResps++
		return
	}
	r.expected.Add(1)
	if lat, ok := r.ids.submitted(resp.MessageID, sent); ok {
		rc.receiptLat.Record(time.Duration(lat))
		rc.lastReceipt.Store(now)
		r.matched.Add(1)
	}
}

// HandlePDU answers the MC's requests: deliver_sm and data_sm at once
// with OK (a receipt, an intermediate notification or an MO message),
// anything else with ESME_RINVCMDID.
func (rc *recorder) HandlePDU(s *smpp.Session, h pdu.Header, body []byte) {
	switch h.ID {
	case pdu.DeliverSMID:
		var dm pdu.DeliverSM
		if err := dm.Decode(body); err != nil {
			rc.badDeliver++
			_ = s.Respond(h, pdu.StatusOf(err), nil)
			return
		}
		_ = s.Respond(h, pdu.StatusOK, rc.respBody)
		switch {
		case dm.IsReceipt():
			rc.receipt(dm.TLVs, dm.Payload())
		case dm.IsIntermediate():
			rc.interim++
		default:
			rc.mo++
		}
	case pdu.DataSMID:
		var dm pdu.DataSM
		if err := dm.Decode(body); err != nil {
			rc.badDeliver++
			_ = s.Respond(h, pdu.StatusOf(err), nil)
			return
		}
		_ = s.Respond(h, pdu.StatusOK, rc.respBody)
		if dm.IsReceipt() {
			rc.receipt(dm.TLVs, dm.Payload())
		} else {
			rc.mo++
		}
	default:
		if h.ID.HasResponse() {
			_ = s.Respond(h, pdu.StatusInvCmdID, nil)
		}
	}
}

// receipt pairs a delivery receipt with its submit.
func (rc *recorder) receipt(tlvs pdu.TLVs, text []byte) {
	id, state, ok := receiptOf(tlvs, text)
	if !ok {
		rc.badDeliver++
		return
	}
	if !state.Final() {
		rc.interim++
		return
	}
	rc.receipts++
	rc.states[min(int(state), numStates-1)]++
	rc.received.Add(1)
	r := rc.r
	if r.ids == nil {
		rc.unsolicit++
		return
	}
	now := r.now()
	lat, out := r.ids.received(id, now)
	switch out {
	case receiptMatched:
		rc.receiptLat.Record(time.Duration(lat))
		rc.lastReceipt.Store(now)
		r.matched.Add(1)
	case receiptDuplicate:
		rc.duplicates++
	}
}

// receiptOf returns a receipt's message id and state: from the
// receipted_message_id and message_state TLVs (docs/smpp.md, "Receipt
// transport"), else from
// the appendix-B text, which allocates.
func receiptOf(tlvs pdu.TLVs, text []byte) ([]byte, pdutext.MessageState, bool) {
	id, okID := tlvs.CString(pdu.TagReceiptedMessageID)
	st, okSt := tlvs.Byte(pdu.TagMessageState)
	if okID && len(id) > 0 && okSt {
		return id, pdutext.MessageState(st), true
	}
	rcpt, err := pdutext.ParseReceipt(text)
	if okID && len(id) > 0 {
		if err != nil || rcpt.Stat == "" {
			return id, pdutext.StateUnknown, true
		}
		return id, rcpt.Stat.State(), true
	}
	if err != nil {
		return nil, 0, false
	}
	state := rcpt.Stat.State()
	if okSt {
		state = pdutext.MessageState(st)
	}
	return []byte(rcpt.ID), state, true
}
