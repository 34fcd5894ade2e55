package main

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/gallant-sms/gallant/smpp/pdu"
	"github.com/gallant-sms/gallant/smpp/smpptest"
)

func BenchmarkHistogramRecord(b *testing.B) {
	var h Histogram
	b.ReportAllocs()
	v := uint64(0)
	for b.Loop() {
		v = (v + 7919) % 1_000_000
		h.RecordMicros(v)
	}
}

// BenchmarkIDTable pairs a new numeric id's response and receipt, as
// every message of a run does, including the maps' growth.
func BenchmarkIDTable(b *testing.B) {
	t := newIDTable()
	ids := make([][]byte, 1<<16)
	for i := range ids {
		ids[i] = []byte(strconv.Itoa(1_000_000_000 + i))
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		id := ids[i&(len(ids)-1)]
		if i&(len(ids)-1) == 0 && i > 0 {
			t = newIDTable() // fresh ids again: keep measuring inserts
		}
		t.submitted(id, int64(i))
		t.received(id, int64(i)+1000)
		i++
	}
}

// BenchmarkRecorderReceipt handles one receipt's TLVs and an OK response
// for the same id.
func BenchmarkRecorderReceipt(b *testing.B) {
	r := &smppRun{ids: newIDTable(), start: time.Now()}
	rc := newRecorder(r)
	resp := (&pdu.SubmitSMResp{MessageID: []byte("123456789")}).AppendBody(nil)
	var tlvs []byte
	tlvs = pdu.AppendTLVCString(tlvs, pdu.TagReceiptedMessageID, []byte("123456789"))
	tlvs = pdu.AppendTLVByte(tlvs, pdu.TagMessageState, 2)
	h := pdu.Header{ID: pdu.SubmitSMRespID}
	b.ReportAllocs()
	for b.Loop() {
		rc.submitted(h, resp, 1)
		rc.receipt(tlvs, nil)
	}
}

// BenchmarkRunSMPP is the whole generator against the in-process
// simulator on 127.0.0.1: 4 transceiver binds, window 100, 20,000 GSM
// messages with receipts per iteration. It reports submit_sm/s; both
// ends share the process, so the allocations include the simulator's.
func BenchmarkRunSMPP(b *testing.B) {
	_, addr := startSim(b, smpptest.SimConfig{})
	cfg := DefaultSMPPConfig()
	cfg.Addr, cfg.SystemID, cfg.Password = addr, "bench", "pw"
	cfg.Binds, cfg.Window, cfg.Count = 4, 100, 20_000
	cfg.Mix = Mix{GSM7: 1}
	cfg.ReceiptWait = 10 * time.Second
	b.ReportAllocs()
	var ok uint64
	var secs float64
	for b.Loop() {
		rep, err := RunSMPP(context.Background(), cfg)
		if err != nil {
			b.Fatal(err)
		}
		if !rep.Complete || rep.SubmitOK != 20_000 {
			b.Fatalf("ok %d, receipts %+v", rep.SubmitOK, rep.Receipts)
		}
		ok += rep.SubmitOK
		secs += rep.SendSeconds
	}
	b.ReportMetric(float64(ok)/secs, "submit_sm/s")
}
