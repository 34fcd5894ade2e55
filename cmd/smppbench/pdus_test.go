package main

import (
	"encoding/json"
	"testing"

	"github.com/gallant-sms/gallant/smpp/pdu"
	"github.com/gallant-sms/gallant/smpp/pdutext"
)

// decodeSM decodes a template body, failing the test on error.
func decodeSM(t *testing.T, b []byte) pdu.SubmitSM {
	t.Helper()
	var sm pdu.SubmitSM
	if err := sm.Decode(b); err != nil {
		t.Fatalf("template body does not decode: %v", err)
	}
	return sm
}

func TestTemplatesDecodeAndPatch(t *testing.T) {
	cfg := DefaultSMPPConfig()
	cfg.Addr = "x:1"
	cfg.Addressing = Addressing{From: "Brand", To: "447700900000", Spread: 1000}
	cfg = cfg.withDefaults()
	tmpl, err := buildTemplates(cfg)
	if err != nil {
		t.Fatal(err)
	}
	nums, _ := cfg.Addressing.numbers()
	for k := range numKinds {
		tm := tmpl[k].clone()
		tm.patch(nums, 1234) // 1234 mod 1000 = 234, reference 0xD2
		for i, b := range tm.bodies {
			sm := decodeSM(t, b)
			if string(sm.Dest.Addr) != "447700900234" || sm.Dest.TON != 1 || sm.Dest.NPI != 1 {
				t.Errorf("%s body %d: destination %d/%d %q", Kind(k), i, sm.Dest.TON, sm.Dest.NPI, sm.Dest.Addr)
			}
			if string(sm.Source.Addr) != "Brand" || sm.Source.TON != 5 || sm.RegisteredDelivery != 1 {
				t.Errorf("%s body %d: source %d %q, registered_delivery %d", Kind(k), i, sm.Source.TON, sm.Source.Addr, sm.RegisteredDelivery)
			}
		}
		// The template itself is untouched by a clone's patch.
		if sm := decodeSM(t, tmpl[k].bodies[0]); string(sm.Dest.Addr) != "447700900000" {
			t.Errorf("%s: patching a clone changed the template: %q", Kind(k), sm.Dest.Addr)
		}
	}

	if sm := decodeSM(t, tmpl[UCS2].bodies[0]); sm.DataCoding != 8 {
		t.Errorf("ucs2 data_coding %d", sm.DataCoding)
	} else if text, err := pdutext.DecodeUCS2(nil, sm.ShortMessage); err != nil || string(text) != ucs2Text {
		t.Errorf("ucs2 text %q, %v", text, err)
	}

	long := tmpl[Long].clone()
	long.patch(nums, 0x1D2)
	if len(long.bodies) != longParts {
		t.Fatalf("long message in %d PDUs, want %d", len(long.bodies), longParts)
	}
	var whole []byte
	for i, b := range long.bodies {
		sm := decodeSM(t, b)
		if !sm.UDHI() {
			t.Fatalf("segment %d without UDHI", i+1)
		}
		udh, rest, err := pdutext.ParseUDH(sm.ShortMessage)
		if err != nil || !udh.Concat || udh.Ref != 0xD2 || udh.Total != longParts || int(udh.Seq) != i+1 {
			t.Fatalf("segment %d UDH %+v, %v; want ref 0xD2, %d of %d", i+1, udh, err, i+1, longParts)
		}
		whole = append(whole, rest...)
	}
	if text := pdutext.DecodeGSM7(nil, whole); string(text) != longText() {
		t.Errorf("segments join to %q", text)
	}
}

func TestTemplatePayloadAndNumericSender(t *testing.T) {
	cfg := DefaultSMPPConfig()
	cfg.Addr = "x:1"
	cfg.LongAs = LongPayload
	cfg.RegisteredDelivery = false
	cfg.Addressing.From = "12345"
	cfg = cfg.withDefaults()
	tmpl, err := buildTemplates(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if len(tmpl[Long].bodies) != 1 {
		t.Fatalf("payload long message in %d PDUs", len(tmpl[Long].bodies))
	}
	sm := decodeSM(t, tmpl[Long].bodies[0])
	if len(sm.ShortMessage) != 0 || len(sm.Payload()) != longLen || sm.UDHI() {
		t.Errorf("payload: short_message %d octets, payload %d, udhi %v", len(sm.ShortMessage), len(sm.Payload()), sm.UDHI())
	}
	if sm.Source.TON != 1 || sm.Source.NPI != 1 || sm.RegisteredDelivery != 0 {
		t.Errorf("numeric sender %d/%d, registered_delivery %d", sm.Source.TON, sm.Source.NPI, sm.RegisteredDelivery)
	}
}

func TestHTTPBodies(t *testing.T) {
	cfg := DefaultHTTPConfig()
	cfg.URL = "http://x"
	cfg.Endpoint, cfg.BatchSize, cfg.NoDeliveryReport = Batch, 3, true
	cfg = cfg.withDefaults()
	nums, _ := cfg.Addressing.numbers()
	body := httpBodyFor(cfg, UCS2, 3)
	for j, off := range body.dest {
		nums.put(body.b[off:], uint64(998+j))
	}
	var batch struct {
		From           string   `json:"from"`
		Text           string   `json:"text"`
		To             []string `json:"to"`
		DeliveryReport *bool    `json:"delivery_report"`
	}
	if err := json.Unmarshal(body.b, &batch); err != nil {
		t.Fatalf("batch body %s: %v", body.b, err)
	}
	want := []string{"447700900998", "447700900999", "447700900000"}
	if batch.From != "Gallant" || batch.Text != ucs2Text || len(batch.To) != 3 || batch.To[0] != want[0] ||
		batch.To[1] != want[1] || batch.To[2] != want[2] || batch.DeliveryReport == nil || *batch.DeliveryReport {
		t.Errorf("batch body %s", body.b)
	}

	cfg.Endpoint, cfg.NoDeliveryReport = Single, false
	cfg = cfg.withDefaults()
	one := httpBodyFor(cfg, GSM7, 1)
	var single map[string]any
	if err := json.Unmarshal(one.b, &single); err != nil || single["to"] != "447700900000" || len(single) != 3 {
		t.Errorf("single body %s: %v", one.b, err)
	}
}
