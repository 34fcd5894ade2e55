package main

import (
	"context"
	"encoding/json"
	"errors"
	"net"
	"strconv"
	"testing"
	"time"

	"github.com/gallant-sms/gallant/internal/testutil"
	"github.com/gallant-sms/gallant/smpp"
	"github.com/gallant-sms/gallant/smpp/pdu"
	"github.com/gallant-sms/gallant/smpp/pdutext"
	"github.com/gallant-sms/gallant/smpp/smpptest"
)

// startSim serves a simulator on 127.0.0.1:0 for the test.
func startSim(t testing.TB, cfg smpptest.SimConfig) (*smpptest.Simulator, string) {
	t.Helper()
	return testutil.StartSimulator(t, cfg)
}

// runSMPP runs cfg against addr with a test deadline.
func runSMPP(t *testing.T, cfg SMPPConfig) *SMPPReport {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	rep, err := RunSMPP(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

func TestRunSMPPTransceiverEveryReceiptMatched(t *testing.T) {
	sim, addr := startSim(t, smpptest.SimConfig{ReceiptDelay: 5 * time.Millisecond})
	cfg := DefaultSMPPConfig()
	cfg.Addr, cfg.SystemID, cfg.Password = addr, "bench", "pw"
	cfg.Binds, cfg.Window, cfg.Count = 2, 50, 2000
	cfg.Mix = Mix{GSM7: 60, UCS2: 20, Long: 20}
	cfg.ReceiptWait = 5 * time.Second
	rep := runSMPP(t, cfg)

	// 2,000 messages: 1,200 GSM, 400 UCS-2 and 400 long in 3 segments.
	const wantPDUs = 1200 + 400 + 400*3
	if rep.Messages != 2000 || rep.MessagesByKind["gsm7"] != 1200 || rep.MessagesByKind["ucs2"] != 400 || rep.MessagesByKind["long"] != 400 {
		t.Errorf("messages %d by kind %v, want 2000 = 1200 gsm7 + 400 ucs2 + 400 long", rep.Messages, rep.MessagesByKind)
	}
	if rep.SubmitSM != wantPDUs || rep.SubmitOK != wantPDUs {
		t.Errorf("submit_sm %d, ok %d, want %d each", rep.SubmitSM, rep.SubmitOK, wantPDUs)
	}
	if rep.SubmitRefused+rep.SubmitTimeouts+rep.SubmitLost+rep.SendErrors+rep.BadResponses != 0 {
		t.Errorf("errors in a clean run: %+v", rep)
	}
	rc := rep.Receipts
	if rc.Expected != wantPDUs || rc.Matched != wantPDUs || rc.Received != wantPDUs || rc.Missing != 0 ||
		rc.Duplicates != 0 || rc.Unknown != 0 || rc.Invalid != 0 || !rep.Complete {
		t.Errorf("receipts %+v complete %v, want all %d matched", rc, rep.Complete, wantPDUs)
	}
	if rc.States["DELIVERED"] != wantPDUs {
		t.Errorf("receipt states %v, want %d DELIVERED", rc.States, wantPDUs)
	}
	if rep.SubmitLatency.Count != wantPDUs || rep.SubmitLatency.P50US > rep.SubmitLatency.P99US || rep.SubmitLatency.P99US > rep.SubmitLatency.MaxUS {
		t.Errorf("submit latency %+v: want %d ordered values", rep.SubmitLatency, wantPDUs)
	}
	// Receipts come at least ReceiptDelay after the submit.
	if rc.Latency.Count != wantPDUs || rc.Latency.P50US < 5000 {
		t.Errorf("receipt latency %+v: want %d values of at least 5 ms", rc.Latency, wantPDUs)
	}
	if len(rep.Statuses) != 1 || rep.Statuses[0] != (StatusCount{Status: "0x00000000", Name: "ESME_ROK", Count: wantPDUs}) {
		t.Errorf("statuses %+v", rep.Statuses)
	}
	if rep.AcceptedPerSecond <= 0 || rep.SendSeconds <= 0 {
		t.Errorf("accepted %.1f/s over %.3f s", rep.AcceptedPerSecond, rep.SendSeconds)
	}

	sum := sim.Summary()
	if sum.SubmitSM != wantPDUs || sum.ByDataCoding["8"] != 400 || sum.ByDataCoding["0"] != wantPDUs-400 {
		t.Errorf("simulator saw %d submit_sm by coding %v", sum.SubmitSM, sum.ByDataCoding)
	}
	if sum.Binds != 2 {
		t.Errorf("simulator saw %d binds, want 2", sum.Binds)
	}

	// The JSON object carries the documented names.
	b, err := json.Marshal(rep)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"mode", "accepted_per_second", "submit_latency", "statuses", "receipts", "complete", "messages", "submit_sm"} {
		if _, ok := m[k]; !ok {
			t.Errorf("JSON has no %q: %s", k, b)
		}
	}
	if m["mode"] != "smpp" || m["complete"] != true {
		t.Errorf("JSON mode %v complete %v", m["mode"], m["complete"])
	}
	lat := m["submit_latency"].(map[string]any)
	for _, k := range []string{"p50_us", "p90_us", "p99_us", "max_us"} {
		if _, ok := lat[k]; !ok {
			t.Errorf("submit_latency has no %q", k)
		}
	}
	r := m["receipts"].(map[string]any)
	if r["matched"] != float64(wantPDUs) || r["missing"] != float64(0) {
		t.Errorf("JSON receipts %v", r)
	}
}

func TestRunSMPPTransmitterWithReceiversAndPayload(t *testing.T) {
	sim, addr := startSim(t, smpptest.SimConfig{})
	cfg := DefaultSMPPConfig()
	cfg.Addr, cfg.SystemID, cfg.Password = addr, "bench", "pw"
	cfg.BindType = smpp.Transmitter
	cfg.Binds, cfg.Window, cfg.Count = 2, 20, 500
	cfg.Mix = Mix{GSM7: 1, Long: 1}
	cfg.LongAs = LongPayload
	cfg.ReceiptWait = 5 * time.Second
	rep := runSMPP(t, cfg)
	if rep.Messages != 500 || rep.SubmitSM != 500 || rep.SubmitOK != 500 {
		t.Errorf("messages %d, submit_sm %d, ok %d; want 500 each (payload: one PDU a message)", rep.Messages, rep.SubmitSM, rep.SubmitOK)
	}
	if rep.Receipts.Matched != 500 || !rep.Complete {
		t.Errorf("receipts %+v", rep.Receipts)
	}
	if sum := sim.Summary(); sum.Binds != 4 {
		t.Errorf("simulator saw %d binds, want 2 transmitters + 2 receivers", sum.Binds)
	}
}

func TestRunSMPPMissingReceipts(t *testing.T) {
	_, addr := startSim(t, smpptest.SimConfig{ReceiptDelay: time.Minute})
	cfg := DefaultSMPPConfig()
	cfg.Addr, cfg.SystemID, cfg.Password = addr, "bench", "pw"
	cfg.Count, cfg.Mix = 50, Mix{GSM7: 1}
	cfg.ReceiptWait = 50 * time.Millisecond
	cfg.UnbindTimeout = time.Second
	rep := runSMPP(t, cfg)
	if rep.SubmitOK != 50 || rep.Receipts.Expected != 50 || rep.Receipts.Missing != 50 || rep.Complete {
		t.Errorf("ok %d, receipts %+v, complete %v; want 50 missing", rep.SubmitOK, rep.Receipts, rep.Complete)
	}
	if rep.Receipts.WaitSeconds < 0.05 {
		t.Errorf("waited %.3f s for receipts, want at least the 50 ms asked", rep.Receipts.WaitSeconds)
	}
}

func TestRunSMPPThrottledAndRateLimited(t *testing.T) {
	_, addr := startSim(t, smpptest.SimConfig{ThrottleRatio: 0.2})
	cfg := DefaultSMPPConfig()
	cfg.Addr, cfg.SystemID, cfg.Password = addr, "bench", "pw"
	cfg.Count, cfg.Mix, cfg.Rate = 300, Mix{GSM7: 1}, 1000
	cfg.ReceiptWait = 5 * time.Second
	rep := runSMPP(t, cfg)
	var throttled uint64
	for _, st := range rep.Statuses {
		if st.Status == "0x00000058" && st.Name == "ESME_RTHROTTLED" {
			throttled = st.Count
		}
	}
	// Every throttled submit_sm is sent again, as an ESME does, until
	// all 300 messages are accepted.
	if throttled == 0 || rep.SubmitOK != 300 || rep.SubmitRefused != throttled || rep.SubmitResent != throttled ||
		rep.SubmitSM != 300+throttled {
		t.Errorf("throttled %d, ok %d, refused %d, resent %d, sent %d; want 300 accepted and every refusal resent",
			throttled, rep.SubmitOK, rep.SubmitRefused, rep.SubmitResent, rep.SubmitSM)
	}
	// Only accepted messages get receipts.
	if rep.Receipts.Expected != rep.SubmitOK || !rep.Complete {
		t.Errorf("receipts %+v for %d accepted", rep.Receipts, rep.SubmitOK)
	}
	// 300 messages at 1,000/s take about 0.3 s; the pacer allows a
	// first burst of one, so at least 0.25 s.
	if rep.SendSeconds < 0.25 || rep.MessagesPerSecond > 1200 {
		t.Errorf("300 messages in %.3f s (%.0f/s) at a rate of 1000/s", rep.SendSeconds, rep.MessagesPerSecond)
	}
}

func TestRunSMPPBindRefused(t *testing.T) {
	_, addr := startSim(t, smpptest.SimConfig{Credentials: map[string]string{"bench": "right"}})
	cfg := DefaultSMPPConfig()
	cfg.Addr, cfg.SystemID, cfg.Password = addr, "bench", "wrong"
	cfg.Binds = 2
	_, err := RunSMPP(context.Background(), cfg)
	var be *smpp.BindError
	if !errors.As(err, &be) {
		t.Fatalf("RunSMPP with a wrong password: %v, want a *smpp.BindError", err)
	}
}

func TestRunSMPPInterrupted(t *testing.T) {
	_, addr := startSim(t, smpptest.SimConfig{})
	cfg := DefaultSMPPConfig()
	cfg.Addr, cfg.SystemID, cfg.Password = addr, "bench", "pw"
	cfg.Rate, cfg.Duration = 200, 10*time.Second
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	start := time.Now()
	rep, err := RunSMPP(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if !rep.Interrupted || time.Since(start) > 5*time.Second {
		t.Errorf("interrupted %v after %v", rep.Interrupted, time.Since(start))
	}
	if rep.Messages == 0 || rep.Messages > 200 {
		t.Errorf("%d messages in 0.3 s at 200/s", rep.Messages)
	}
}

func TestSMPPConfigValidate(t *testing.T) {
	good := DefaultSMPPConfig()
	good.Addr = "127.0.0.1:1"
	if err := good.Validate(); err != nil {
		t.Fatalf("default config with an address: %v", err)
	}
	tests := []struct {
		name string
		edit func(*SMPPConfig)
	}{
		{"no address", func(c *SMPPConfig) { c.Addr = "" }},
		{"negative binds", func(c *SMPPConfig) { c.Binds = -1 }},
		{"receiver bind", func(c *SMPPConfig) { c.BindType = smpp.Receiver }},
		{"negative window", func(c *SMPPConfig) { c.Window = -5 }},
		{"negative rate", func(c *SMPPConfig) { c.Rate = -1 }},
		{"negative count", func(c *SMPPConfig) { c.Count = -1 }},
		{"negative mix", func(c *SMPPConfig) { c.Mix = Mix{GSM7: -1, UCS2: 2} }},
		{"letters in to", func(c *SMPPConfig) { c.Addressing.To = "44abc" }},
		{"spread overflows", func(c *SMPPConfig) { c.Addressing.To, c.Addressing.Spread = "999", 2 }},
		{"long sender", func(c *SMPPConfig) { c.Addressing.From = "a sender name far too long" }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := good
			tt.edit(&c)
			if err := c.Validate(); err == nil {
				t.Error("Validate accepted it")
			}
			if _, err := RunSMPP(context.Background(), c); err == nil {
				t.Error("RunSMPP accepted it")
			}
		})
	}
}

// TestRunSMPPConnectionDropped loses the only bind mid-run: the run
// counts the lost requests and does not wait for receipts that can no
// longer come.
func TestRunSMPPConnectionDropped(t *testing.T) {
	_, addr := startSim(t, smpptest.SimConfig{DropEvery: 50, ReceiptDelay: time.Minute})
	cfg := DefaultSMPPConfig()
	cfg.Addr, cfg.SystemID, cfg.Password = addr, "bench", "pw"
	cfg.Count, cfg.Mix, cfg.Window = 1000, Mix{GSM7: 1}, 10
	cfg.ReceiptWait = 30 * time.Second
	start := time.Now()
	rep := runSMPP(t, cfg)
	if took := time.Since(start); took > 5*time.Second {
		t.Errorf("run took %v with its bind gone: it waited for receipts", took)
	}
	if rep.SubmitOK >= 50 || rep.SubmitLost+rep.SendErrors == 0 || rep.Complete {
		t.Errorf("ok %d, lost %d, not sent %d, complete %v after the MC dropped the bind at the 50th submit",
			rep.SubmitOK, rep.SubmitLost, rep.SendErrors, rep.Complete)
	}
}

// oddMC is an MC that answers every submit_sm and sends its receipt right
// away (before or after the response, the two go out together), and
// misbehaves on purpose: every 10th receipt is sent twice, and after the
// 50th submit it reports on an id it never issued.
func oddMC(t *testing.T) string {
	t.Helper()
	var n int // the MC's session reader owns it: one bind
	srv := &smpp.Server{
		Authenticator: smpp.AuthenticatorFunc(func(context.Context, smpp.BindRequest) (any, pdu.Status) { return nil, pdu.StatusOK }),
		Session:       smpp.SessionConfig{Window: 1000},
		Handler: smpp.HandlerFunc(func(s *smpp.Session, h pdu.Header, body []byte) {
			if h.ID != pdu.SubmitSMID {
				_ = s.Respond(h, pdu.StatusInvCmdID, nil)
				return
			}
			n++
			id := []byte(strconv.Itoa(1000 + n))
			receipt := func(id []byte) {
				tlvs := pdu.AppendTLVCString(nil, pdu.TagReceiptedMessageID, id)
				tlvs = pdu.AppendTLVByte(tlvs, pdu.TagMessageState, byte(pdutext.StateDelivered))
				dm := pdu.DeliverSM{ESMClass: 0x04, ShortMessage: []byte("id:" + string(id) + " stat:DELIVRD"), TLVs: tlvs}
				if _, err := s.TrySend(pdu.DeliverSMID, dm.AppendBody(nil), nil); err != nil {
					t.Errorf("oddMC: send receipt: %v", err)
				}
			}
			if n%2 == 0 {
				receipt(id) // before the response
			}
			_ = s.Respond(h, pdu.StatusOK, append(id, 0))
			if n%2 == 1 {
				receipt(id)
			}
			if n%10 == 0 {
				receipt(id)
			}
			if n == 50 {
				receipt([]byte("999999"))
			}
		}),
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(l) }()
	t.Cleanup(func() {
		srv.Close()
		<-done
	})
	return l.Addr().String()
}

func TestRunSMPPDuplicateAndUnknownReceipts(t *testing.T) {
	cfg := DefaultSMPPConfig()
	cfg.Addr, cfg.SystemID = oddMC(t), "bench"
	cfg.Count, cfg.Mix, cfg.Window = 100, Mix{GSM7: 1}, 5
	cfg.ReceiptWait = 5 * time.Second
	rep := runSMPP(t, cfg)
	rc := rep.Receipts
	if rc.Expected != 100 || rc.Matched != 100 || rc.Missing != 0 || !rep.Complete {
		t.Errorf("receipts %+v: want all 100 matched", rc)
	}
	if rc.Received != 111 || rc.Duplicates != 10 || rc.Unknown != 1 {
		t.Errorf("received %d, duplicates %d, unknown %d; want 111, 10, 1", rc.Received, rc.Duplicates, rc.Unknown)
	}
}
