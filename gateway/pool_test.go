package gateway

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/gallant-sms/gallant/smpp/pdutext"
	"github.com/gallant-sms/gallant/sms"
)

func TestAppendCarrierKeyMatchesNormalize(t *testing.T) {
	for _, id := range []string{"", "0", "000", "00a1b2", " 7f3a ", "\t0x1f\r\n", "ABC", "0 5", "é1a", "\u00a0 1a", "12345678901234567890abcdef"} {
		want := normalizeCarrierID(id)
		if got := string(appendCarrierKey([]byte("k:"), []byte(id))); got != "k:"+want {
			t.Errorf("appendCarrierKey(%q) = %q, want %q", id, got, "k:"+want)
		}
	}
}

func TestReceiptErr(t *testing.T) {
	for code, want := range map[string]string{
		"": "000", "0": "000", "7": "007", "42": "042", "0x45": "069", "0xFF": "255", "0xfff": "999",
		"1234": "999", "no-route": "000", "cancelled": "000", "0x": "000", "0xzz": "000", "-1": "000", "12a": "000",
	} {
		if got := receiptErr(code); string(got[:]) != want {
			t.Errorf("receiptErr(%q) = %q, want %q", code, got[:], want)
		}
	}
}

func TestAppendReceiptText(t *testing.T) {
	gsm, err := pdutext.Encode(nil, "Hello € world, this is longer than twenty", pdutext.DefaultAlphabet)
	if err != nil {
		t.Fatal(err)
	}
	ucs, err := pdutext.Encode(nil, "Grüße 😀 aus Köln", pdutext.UCS2)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		m    sms.Message
		want string
	}{
		{"gsm cut to 20, non-ASCII as ?", sms.Message{DataCoding: byte(pdutext.DefaultAlphabet), Body: gsm}, "Hello ? world, this "},
		{"ucs2 with a surrogate pair", sms.Message{DataCoding: byte(pdutext.UCS2), Body: ucs}, "Gr??e ? aus K?ln"},
		{"odd ucs2 is no text", sms.Message{DataCoding: byte(pdutext.UCS2), Body: []byte{0, 'a', 0}}, ""},
		{"binary is no text", sms.Message{DataCoding: byte(pdutext.Octet), Body: []byte("abc")}, ""},
		{"udh is no text", sms.Message{DataCoding: byte(pdutext.DefaultAlphabet), ESMClass: sms.UDHI, Body: []byte{5, 0, 3, 1, 2, 1, 'a'}}, ""},
	}
	for _, tt := range tests {
		if got := string(appendReceiptText([]byte("x"), &tt.m)); got != "x"+tt.want {
			t.Errorf("%s: %q, want %q", tt.name, got, "x"+tt.want)
		}
	}
}

func TestCustReceiptRefs(t *testing.T) {
	r := newCustReceipt()
	r.systemID, r.body = "sys", r.buf[:3]
	r.retain()
	r.release()
	if r.systemID != "sys" || len(r.body) != 3 {
		t.Fatal("custReceipt cleared while a reference remained")
	}
	r.release()
	// r is back in the pool; nothing else in this test takes from it.
	if r.systemID != "" || r.body != nil {
		t.Fatal("custReceipt not cleared by its last release")
	}
	// A release too many (a bug) leaves the receipt alone: it is not
	// cleared for reuse, and nothing panics.
	extra := &custReceipt{systemID: "kept"}
	extra.release()
	if extra.systemID != "kept" {
		t.Fatal("a receipt released once too often was cleared for reuse")
	}
}

func TestWindowWait(t *testing.T) {
	w := newWindowWait()
	defer w.stop()
	ctx := w.start()
	if ctx.Err() != nil {
		t.Fatal("fresh wait already done")
	}
	w.done() // ended in time: the same context serves the next wait
	if w.start() != ctx || ctx.Err() != nil {
		t.Fatal("a wait that ended in time did not keep its context")
	}
	w.timer.Reset(time.Millisecond) // as if receiptTimeout ran out
	select {
	case <-ctx.Done():
	case <-time.After(5 * time.Second):
		t.Fatal("deadline did not cancel the context")
	}
	if !errors.Is(ctx.Err(), context.Canceled) {
		t.Fatalf("ctx.Err() = %v", ctx.Err())
	}
	w.done()
	if next := w.start(); next == ctx || next.Err() != nil {
		t.Fatal("a spent context was not replaced")
	}
	w.done()
}
