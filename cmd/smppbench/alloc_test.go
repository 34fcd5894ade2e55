//go:build !race

package main

import (
	"testing"
	"time"

	"github.com/gallant-sms/gallant/smpp/pdu"
)

// The per-message work of a run allocates nothing: recording a latency,
// handling an OK or refused submit_sm_resp, handling a receipt given by
// its TLVs, and patching a template. (Pairing new ids grows the maps and
// paired lists now and then; BenchmarkIDTable counts that.)
func TestZeroAllocs(t *testing.T) {
	var h Histogram
	if n := testing.AllocsPerRun(1000, func() { h.RecordMicros(12345) }); n != 0 {
		t.Errorf("Histogram.RecordMicros: %v allocs", n)
	}

	r := &smppRun{ids: newIDTable(), start: time.Now()}
	rc := newRecorder(r)
	resp := (&pdu.SubmitSMResp{MessageID: []byte("123456789")}).AppendBody(nil)
	h200 := pdu.Header{ID: pdu.SubmitSMRespID}
	rc.submitted(h200, resp, 1)
	if n := testing.AllocsPerRun(1000, func() { rc.submitted(h200, resp, 1) }); n != 0 {
		t.Errorf("recorder.submitted: %v allocs", n)
	}
	throttled := pdu.Header{ID: pdu.SubmitSMRespID, Status: pdu.StatusThrottled}
	rc.submitted(throttled, nil, 1)
	if n := testing.AllocsPerRun(1000, func() { rc.submitted(throttled, nil, 1) }); n != 0 {
		t.Errorf("recorder.submitted, throttled: %v allocs", n)
	}

	var tlvs []byte
	tlvs = pdu.AppendTLVCString(tlvs, pdu.TagReceiptedMessageID, []byte("123456789"))
	tlvs = pdu.AppendTLVByte(tlvs, pdu.TagMessageState, 2)
	if n := testing.AllocsPerRun(1000, func() { rc.receipt(tlvs, nil) }); n != 0 {
		t.Errorf("recorder.receipt: %v allocs", n)
	}
	if rc.receipts != 1001 || rc.duplicates != 999 {
		t.Errorf("receipts %d, duplicates %d: the receipt path did not run", rc.receipts, rc.duplicates)
	}

	nums := numbers{base: 447700900000, spread: 1000, width: 12}
	tm := template{bodies: [][]byte{make([]byte, 40)}, destOff: 10, refOff: 30}
	k := uint64(0)
	if n := testing.AllocsPerRun(1000, func() { k++; tm.patch(nums, k) }); n != 0 {
		t.Errorf("template.patch: %v allocs", n)
	}
}
