package smpptest

import (
	"context"
	"errors"
	"net"
	"strconv"
	"testing"
	"time"

	"github.com/gallant-sms/gallant/smpp"
	"github.com/gallant-sms/gallant/smpp/pdu"
	"github.com/gallant-sms/gallant/smpp/pdutext"
)

func startSim(t *testing.T, cfg SimConfig) (*Simulator, string) {
	t.Helper()
	sim, err := NewSimulator(cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- sim.Serve(l) }()
	t.Cleanup(func() {
		sim.Close()
		if err := <-done; !errors.Is(err, smpp.ErrServerClosed) {
			t.Errorf("Serve: %v", err)
		}
	})
	return sim, l.Addr().String()
}

func bindESME(t *testing.T, addr string, bt smpp.BindType, id, pw string) *ESME {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	e, err := NewESME(ctx, addr, smpp.ClientConfig{BindType: bt, SystemID: id, Password: pw}, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close() })
	return e
}

func testSM(i int, rd byte) *pdu.SubmitSM {
	return &pdu.SubmitSM{
		Source:             pdu.Address{TON: 5, Addr: []byte("Brand")},
		Dest:               pdu.Address{TON: 1, NPI: 1, Addr: []byte("4477009" + strconv.Itoa(10000+i))},
		RegisteredDelivery: rd,
		ShortMessage:       []byte("hello number " + strconv.Itoa(i)),
	}
}

func ctxT(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func TestSimulatorReceiptsMatchIDs(t *testing.T) {
	sim, addr := startSim(t, SimConfig{ReceiptDelay: time.Millisecond})
	e := bindESME(t, addr, smpp.Transceiver, "gw", "x")
	ctx := ctxT(t)
	ids := map[string]int{}
	for i := range 50 {
		id, err := e.Submit(ctx, testSM(i, 1))
		if err != nil {
			t.Fatal(err)
		}
		if _, dup := ids[id]; dup {
			t.Fatalf("duplicate id %s", id)
		}
		ids[id] = i
	}
	ds, err := e.WaitDelivers(ctx, 50)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range ds {
		if !d.DM.IsReceipt() {
			t.Fatalf("not a receipt: esm_class %#x", d.DM.ESMClass)
		}
		rid, ok := d.DM.TLVs.CString(pdu.TagReceiptedMessageID)
		if !ok {
			t.Fatal("no receipted_message_id")
		}
		i, known := ids[string(rid)]
		if !known {
			t.Fatalf("receipt for unknown id %q", rid)
		}
		delete(ids, string(rid))
		st, _ := d.DM.TLVs.Byte(pdu.TagMessageState)
		r, err := pdutext.ParseReceipt(d.DM.ShortMessage)
		if err != nil || r.ID != string(rid) || r.Stat != pdutext.StatDelivered || pdutext.MessageState(st) != pdutext.StateDelivered {
			t.Fatalf("receipt text %q: %+v, %v, state %d", d.DM.ShortMessage, r, err, st)
		}
		if string(d.DM.Source.Addr) != "4477009"+strconv.Itoa(10000+i) || string(d.DM.Dest.Addr) != "Brand" {
			t.Fatalf("receipt addresses not swapped: %s -> %s", d.DM.Source.Addr, d.DM.Dest.Addr)
		}
		if r.Text != "hello number "+strconv.Itoa(i) {
			t.Fatalf("receipt text field %q", r.Text)
		}
	}
	// The simulator counts a receipt once the ESME has answered it, which
	// may be just after the ESME has seen it.
	sum := sim.Summary()
	for deadline := time.Now().Add(5 * time.Second); sum.Receipts["DELIVRD"] < 50 && time.Now().Before(deadline); {
		time.Sleep(time.Millisecond)
		sum = sim.Summary()
	}
	if sum.SubmitSM != 50 || sum.Answered["ok"] != 50 || sum.Receipts["DELIVRD"] != 50 || sum.ByDataCoding["0"] != 50 {
		t.Fatalf("summary %+v", sum)
	}
}

func TestSimulatorHoldsReceiptsUntilReceiverBinds(t *testing.T) {
	sim, addr := startSim(t, SimConfig{})
	tx := bindESME(t, addr, smpp.Transmitter, "acme", "x")
	ctx := ctxT(t)
	for i := range 5 {
		if _, err := tx.Submit(ctx, testSM(i, 1)); err != nil {
			t.Fatal(err)
		}
	}
	// Wait until the five receipts are held (no receiver yet).
	for sim.Summary().ReceiptsPending != 5 {
		select {
		case <-ctx.Done():
			t.Fatalf("receipts pending %d, want 5", sim.Summary().ReceiptsPending)
		case <-time.After(5 * time.Millisecond):
		}
	}
	other := bindESME(t, addr, smpp.Receiver, "other", "x")
	rx := bindESME(t, addr, smpp.Receiver, "acme", "x")
	if _, err := rx.WaitDelivers(ctx, 5); err != nil {
		t.Fatal(err)
	}
	if n := len(other.Delivers()); n != 0 {
		t.Fatalf("another system_id got %d receipts", n)
	}
	if p := sim.Summary().ReceiptsPending; p != 0 {
		t.Fatalf("still pending: %d", p)
	}
}

func TestSimulatorRegisteredDeliveryAndMix(t *testing.T) {
	mix, err := ParseReceiptMix("UNDELIV=1")
	if err != nil {
		t.Fatal(err)
	}
	sim, addr := startSim(t, SimConfig{ReceiptMix: mix, HexIDs: true})
	e := bindESME(t, addr, smpp.Transceiver, "gw", "x")
	ctx := ctxT(t)
	// 0: none; 3: success only (UNDELIV is not); 2: failure only; 1: any.
	for i, rd := range []byte{0, 3, 2, 1} {
		if _, err := e.Submit(ctx, testSM(i, rd)); err != nil {
			t.Fatal(err)
		}
	}
	ds, err := e.WaitDelivers(ctx, 2)
	if err != nil {
		t.Fatal(err)
	}
	// The simulator decides on a submit's receipt before it reads the
	// next submit, and the last one's receipt has arrived: once it has no
	// receipt queued or unanswered, a stray third one would have arrived.
	for deadline := time.Now().Add(5 * time.Second); sim.Summary().ReceiptsPending > 0; {
		if time.Now().After(deadline) {
			t.Fatalf("receipts still pending: %+v", sim.Summary())
		}
		time.Sleep(time.Millisecond)
	}
	if n := len(e.Delivers()); n != 2 {
		t.Fatalf("got %d receipts, want 2 (rd 2 and 1)", n)
	}
	for _, d := range ds {
		r, _ := pdutext.ParseReceipt(d.DM.ShortMessage)
		if r.Stat != pdutext.StatUndeliverable || r.Dlvrd != 0 || r.Err == "000" {
			t.Fatalf("receipt %+v", r)
		}
		if _, err := strconv.ParseUint(r.ID, 16, 64); err != nil {
			t.Fatalf("id %q not hex", r.ID)
		}
	}
}

func TestSimulatorFaults(t *testing.T) {
	t.Run("throttle", func(t *testing.T) {
		sim, addr := startSim(t, SimConfig{ThrottleRatio: 1})
		e := bindESME(t, addr, smpp.Transceiver, "gw", "x")
		_, err := e.Submit(ctxT(t), testSM(1, 1))
		if !errors.Is(err, pdu.StatusThrottled) {
			t.Fatalf("err %v, want throttled", err)
		}
		if s := sim.Summary(); s.Answered["throttled"] != 1 || s.ReceiptsPending != 0 {
			t.Fatalf("summary %+v", s)
		}
	})
	t.Run("fail", func(t *testing.T) {
		_, addr := startSim(t, SimConfig{FailRatio: 1})
		e := bindESME(t, addr, smpp.Transceiver, "gw", "x")
		if _, err := e.Submit(ctxT(t), testSM(1, 0)); !errors.Is(err, pdu.StatusSubmitFail) {
			t.Fatalf("err %v, want submit fail", err)
		}
	})
	t.Run("drop every 3", func(t *testing.T) {
		sim, addr := startSim(t, SimConfig{DropEvery: 3})
		e := bindESME(t, addr, smpp.Transceiver, "gw", "x")
		ctx := ctxT(t)
		for i := range 2 {
			if _, err := e.Submit(ctx, testSM(i, 0)); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := e.Submit(ctx, testSM(3, 0)); !errors.Is(err, smpp.ErrConnectionLost) {
			t.Fatalf("third submit: %v, want connection lost", err)
		}
		if s := sim.Summary(); s.DroppedConns != 1 {
			t.Fatalf("summary %+v", s)
		}
	})
	t.Run("slow", func(t *testing.T) {
		const delay = 30 * time.Millisecond
		_, addr := startSim(t, SimConfig{SlowRatio: 1, SlowDelay: delay})
		e := bindESME(t, addr, smpp.Transceiver, "gw", "x")
		start := time.Now()
		if _, err := e.Submit(ctxT(t), testSM(1, 0)); err != nil {
			t.Fatal(err)
		}
		// A lower bound only: the answer cannot come before SlowDelay.
		if took := time.Since(start); took < delay {
			t.Fatalf("answered after %v, want at least SlowDelay (%v)", took, delay)
		}
	})
	t.Run("credentials and refusal", func(t *testing.T) {
		sim, addr := startSim(t, SimConfig{Credentials: map[string]string{"gw": "pw"}})
		ctx := ctxT(t)
		if _, err := NewESME(ctx, addr, smpp.ClientConfig{BindType: smpp.Transceiver, SystemID: "gw", Password: "bad"}, nil); err == nil {
			t.Fatal("bad password bound")
		}
		bindESME(t, addr, smpp.Transceiver, "gw", "pw")
		if s := sim.Summary(); s.Binds != 1 || s.BindsRefused != 1 {
			t.Fatalf("summary %+v", s)
		}
		_, addr2 := startSim(t, SimConfig{RefuseBinds: true})
		if _, err := NewESME(ctx, addr2, smpp.ClientConfig{BindType: smpp.Transceiver, SystemID: "gw", Password: "pw"}, nil); err == nil {
			t.Fatal("bind accepted by a refusing simulator")
		}
	})
	t.Run("bad ratios", func(t *testing.T) {
		if _, err := NewSimulator(SimConfig{ThrottleRatio: 0.7, FailRatio: 0.7}, nil); err == nil {
			t.Fatal("ratios over 1 accepted")
		}
	})
}

func TestSimulatorMO(t *testing.T) {
	sim, addr := startSim(t, SimConfig{MORate: 200, MODest: "5555"})
	e := bindESME(t, addr, smpp.Receiver, "gw", "x")
	ds, err := e.WaitDelivers(ctxT(t), 3)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range ds[:3] {
		if d.DM.IsReceipt() || string(d.DM.Dest.Addr) != "5555" || len(d.DM.ShortMessage) == 0 {
			t.Fatalf("MO %+v", d.DM)
		}
	}
	// Counted once the ESME has answered, which may be just after it saw
	// the MO.
	for deadline := time.Now().Add(5 * time.Second); sim.Summary().MOSent < 3 && time.Now().Before(deadline); {
		time.Sleep(time.Millisecond)
	}
	if sim.Summary().MOSent < 3 {
		t.Fatalf("mo_sent %d", sim.Summary().MOSent)
	}
}

// TestSimulatorWeightedReceiptMix: with four outcomes of equal weight,
// a few hundred receipts show every one of them, each receipt's
// message_state TLV agrees with its stat text, and no other outcome
// appears.
func TestSimulatorWeightedReceiptMix(t *testing.T) {
	mix := []StatWeight{
		{Stat: pdutext.StatDelivered, Weight: 1},
		{Stat: pdutext.StatUndeliverable, Weight: 1},
		{Stat: pdutext.StatExpired, Weight: 1},
		{Stat: pdutext.StatRejected, Weight: 1},
	}
	// 400 draws: the chance that one of four equal outcomes never comes
	// up is 4 * (3/4)^400, about 1e-49.
	const n = 400
	sim, addr := startSim(t, SimConfig{ReceiptMix: mix})
	e := bindESME(t, addr, smpp.Transceiver, "gw", "x")
	ctx := ctxT(t)
	for i := range n {
		if _, err := e.Submit(ctx, testSM(i, 1)); err != nil {
			t.Fatal(err)
		}
	}
	ds, err := e.WaitDelivers(ctx, n)
	if err != nil {
		t.Fatal(err)
	}
	if len(ds) != n {
		t.Fatalf("%d receipts for %d submits", len(ds), n)
	}
	seen := map[pdutext.Stat]int{}
	for _, d := range ds {
		r, err := pdutext.ParseReceipt(d.DM.ShortMessage)
		if err != nil {
			t.Fatalf("receipt text %q: %v", d.DM.ShortMessage, err)
		}
		st, ok := d.DM.TLVs.MessageState()
		if !ok {
			t.Fatalf("receipt %q has no message_state TLV", d.DM.ShortMessage)
		}
		if want := r.Stat.State(); pdutext.MessageState(st) != want {
			t.Fatalf("receipt stat %s with message_state %s, want %s", r.Stat, pdutext.MessageState(st), want)
		}
		if delivered := r.Stat == pdutext.StatDelivered; delivered != (r.Dlvrd == 1) || delivered != (r.Err == "000") {
			t.Fatalf("receipt stat %s with dlvrd %d err %s", r.Stat, r.Dlvrd, r.Err)
		}
		seen[r.Stat]++
	}
	for _, m := range mix {
		if seen[m.Stat] == 0 {
			t.Errorf("no %s receipt in %d: %v", m.Stat, n, seen)
		}
		delete(seen, m.Stat)
	}
	if len(seen) != 0 {
		t.Errorf("receipts outside the mix: %v", seen)
	}
	// The simulator counts a receipt once the ESME has answered it.
	total := func(sum Summary) (all uint64) {
		for _, c := range sum.Receipts {
			all += c
		}
		return all
	}
	sum := sim.Summary()
	for deadline := time.Now().Add(5 * time.Second); total(sum) < n && time.Now().Before(deadline); {
		time.Sleep(time.Millisecond)
		sum = sim.Summary()
	}
	if total(sum) != n || len(sum.Receipts) > len(mix) {
		t.Fatalf("summary receipts %v, want %d over the four stats", sum.Receipts, n)
	}
}

func TestParseReceiptMix(t *testing.T) {
	mix, err := ParseReceiptMix("DELIVRD=90, undeliv=5,EXPIRED=3,REJECTD=2")
	if err != nil || len(mix) != 4 || mix[1].Stat != pdutext.StatUndeliverable || mix[0].Weight != 90 {
		t.Fatalf("%+v %v", mix, err)
	}
	for _, bad := range []string{"DELIVRD", "DELIVRD=x", "NOPE=1", "DELIVRD=0", "DELIVRD=-1"} {
		if _, err := ParseReceiptMix(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

// TestSimulatorRetriesRefusedReceipts: a receipt the ESME refuses for the
// time being (ESME_RX_T_APPN) is sent again until it is taken, as an SMSC
// does; none is lost.
func TestSimulatorRetriesRefusedReceipts(t *testing.T) {
	sim, addr := startSim(t, SimConfig{ReceiptDelay: time.Millisecond})
	e := bindESME(t, addr, smpp.Transceiver, "gw", "x")
	e.SetDeliverStatus(pdu.StatusXTAppn)
	ctx := ctxT(t)
	for i := range 5 {
		if _, err := e.Submit(ctx, testSM(i, 1)); err != nil {
			t.Fatal(err)
		}
	}
	for deadline := time.Now().Add(5 * time.Second); sim.Summary().ReceiptsRetried < 5 && time.Now().Before(deadline); {
		time.Sleep(time.Millisecond)
	}
	if n := sim.Summary().ReceiptsRetried; n < 5 {
		t.Fatalf("%d receipts retried, want at least 5", n)
	}
	e.SetDeliverStatus(pdu.StatusOK)
	for deadline := time.Now().Add(5 * time.Second); sim.Summary().Receipts["DELIVRD"] < 5 && time.Now().Before(deadline); {
		time.Sleep(time.Millisecond)
	}
	if sum := sim.Summary(); sum.Receipts["DELIVRD"] != 5 || sum.ReceiptsDropped != 0 {
		t.Fatalf("summary %+v: want the 5 receipts taken, none dropped", sum)
	}
}
