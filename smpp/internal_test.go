package smpp

import (
	"errors"
	"math/rand/v2"
	"reflect"
	"testing"
	"time"

	"github.com/gallant-sms/gallant/smpp/pdu"
)

func TestInflightTable(t *testing.T) {
	var tb inflight
	tb.init(10)
	ref := map[uint32]bool{}
	rng := rand.New(rand.NewPCG(1, 2))
	next := uint32(0x7FFFFFF0) // exercise the wrap
	for range 20000 {
		if len(ref) < 10 && (len(ref) == 0 || rng.IntN(2) == 0) {
			next = pdu.NextSeq(next)
			if tb.has(next) {
				t.Fatalf("seq %d present before insert", next)
			}
			tb.insert(request{seq: next})
			ref[next] = true
		} else {
			// Remove a random present key, or probe an absent one.
			var k uint32
			for k = range ref {
				break
			}
			if rng.IntN(4) == 0 {
				if _, ok := tb.remove(k + 1000); ok && !ref[k+1000] {
					t.Fatalf("removed absent seq %d", k+1000)
				}
				continue
			}
			r, ok := tb.remove(k)
			if !ok || r.seq != k {
				t.Fatalf("remove(%d) = %d, %v", k, r.seq, ok)
			}
			delete(ref, k)
		}
		if tb.n != len(ref) {
			t.Fatalf("n = %d, want %d", tb.n, len(ref))
		}
		for k := range ref {
			if !tb.has(k) {
				t.Fatalf("seq %d lost", k)
			}
		}
	}
}

func TestInflightCollisions(t *testing.T) {
	var tb inflight
	tb.init(4) // 8 slots
	// Three seqs sharing a home slot and two sharing the next one, so
	// that their probe runs overlap.
	var a, b []uint32
	h := tb.home(1)
	for seq := uint32(1); len(a) < 3 || len(b) < 2; seq++ {
		switch tb.home(seq) {
		case h:
			if len(a) < 3 {
				a = append(a, seq)
			}
		case (h + 1) & tb.mask:
			if len(b) < 2 {
				b = append(b, seq)
			}
		}
	}
	seqs := []uint32{a[0], a[1], b[0], a[2], b[1]}
	for i, seq := range seqs {
		tb.insert(request{seq: seq, expires: int64(i + 1)})
	}
	if got := tb.appendExpired(nil, 3); len(got) != 3 {
		t.Errorf("expired at 3: %v, want 3 seqs", got)
	}
	left := map[uint32]bool{}
	for _, seq := range seqs {
		left[seq] = true
	}
	for _, seq := range []uint32{a[1], a[0], b[1], a[2], b[0]} {
		if r, ok := tb.remove(seq); !ok || r.seq != seq {
			t.Fatalf("remove(%d) failed", seq)
		}
		delete(left, seq)
		for other := range left {
			if !tb.has(other) {
				t.Fatalf("seq %d lost after removing %d", other, seq)
			}
		}
	}
	if tb.n != 0 {
		t.Fatalf("n = %d", tb.n)
	}
	for i := range tb.slots {
		if tb.slots[i].seq != 0 {
			t.Fatalf("slot %d not empty", i)
		}
	}
}

func TestBackoff(t *testing.T) {
	lo, hi := 100*time.Millisecond, 30*time.Second
	for attempt := range 40 {
		ceil := hi
		if attempt < 20 {
			ceil = min(hi, lo<<attempt)
		}
		var sum time.Duration
		const n = 200
		for range n {
			d := backoff(lo, hi, attempt)
			if d < 0 || d > ceil {
				t.Fatalf("attempt %d: %v outside [0, %v]", attempt, d, ceil)
			}
			sum += d
		}
		// Full jitter: the mean is about half the ceiling.
		if mean := sum / n; mean < ceil/4 || mean > 3*ceil/4 {
			t.Errorf("attempt %d: mean %v for ceiling %v", attempt, mean, ceil)
		}
	}
}

func TestTickInterval(t *testing.T) {
	d := DefaultSessionConfig()
	if got := d.tickInterval(); got != time.Second {
		t.Errorf("default tick %v, want 1s", got)
	}
	c := SessionConfig{ResponseTimeout: 100 * time.Millisecond}.withDefaults()
	if got := c.tickInterval(); got != 25*time.Millisecond {
		t.Errorf("tick %v, want 25ms", got)
	}
	c = SessionConfig{ResponseTimeout: time.Millisecond}.withDefaults()
	if got := c.tickInterval(); got != 5*time.Millisecond {
		t.Errorf("tick %v, want the 5ms floor", got)
	}
}

func TestConfigDefaults(t *testing.T) {
	c := SessionConfig{EnquireLinkInterval: -1, Window: 5}.withDefaults()
	if c.EnquireLinkInterval != 0 || c.Window != 5 || c.ResponseTimeout != DefaultResponseTimeout || c.MaxPDULength != pdu.DefaultMaxLength {
		t.Errorf("withDefaults: %+v", c)
	}
	if !reflect.DeepEqual((SessionConfig{}).withDefaults(), DefaultSessionConfig()) {
		t.Error("zero config is not the default config")
	}
	if err := (SessionConfig{MaxPDULength: 8}).Validate(); err == nil {
		t.Error("MaxPDULength 8 accepted")
	}
}

func TestLegal(t *testing.T) {
	cases := []struct {
		sender role
		bt     BindType
		id     pdu.CommandID
		want   bool
	}{
		{roleESME, Transmitter, pdu.SubmitSMID, true},
		{roleESME, Receiver, pdu.SubmitSMID, false},
		{roleESME, Transceiver, pdu.SubmitMultiID, true},
		{roleMC, Transmitter, pdu.SubmitSMID, false},
		{roleMC, Receiver, pdu.DeliverSMID, true},
		{roleMC, Transmitter, pdu.DeliverSMID, false},
		{roleESME, Transceiver, pdu.DeliverSMID, false},
		{roleESME, Transmitter, pdu.DataSMID, true},
		{roleESME, Receiver, pdu.DataSMID, false},
		{roleMC, Receiver, pdu.DataSMID, true},
		{roleMC, Transmitter, pdu.DataSMID, false},
		{roleMC, Receiver, pdu.AlertNotificationID, true},
		{roleESME, Transmitter, pdu.QuerySMID, true},
		{roleESME, Transmitter, pdu.OutbindID, false},
	}
	for _, c := range cases {
		if got := legal(c.sender, c.bt, c.id); got != c.want {
			t.Errorf("legal(%d, %s, %s) = %v", c.sender, c.bt, c.id, got)
		}
	}
}

func TestStrings(t *testing.T) {
	for _, c := range []struct{ got, want string }{
		{Transmitter.String(), "transmitter"},
		{Transceiver.String(), "transceiver"},
		{BindType(7).String(), "bind_type(7)"},
		{BoundTRX.String(), "bound_trx"},
		{Unbinding.String(), "unbinding"},
		{BindState(42).String(), "bind_state(42)"},
		{ClosePeerUnbind.String(), "peer_unbind"},
		{CloseBindTimeout.String(), "bind_timeout"},
		{CloseReason(99).String(), "close_reason(99)"},
	} {
		if c.got != c.want {
			t.Errorf("%q, want %q", c.got, c.want)
		}
	}
	if Receiver.CommandID() != pdu.BindReceiver || !Receiver.CanReceive() || Receiver.CanSend() {
		t.Error("Receiver bind type")
	}
}

func TestIsRetryable(t *testing.T) {
	for _, c := range []struct {
		err  error
		want bool
	}{
		{nil, false},
		{ErrConnectionLost, true},
		{ErrResponseTimeout, true},
		{ErrWindowFull, true},
		{ErrNotBound, true},
		{pdu.StatusThrottled, true},
		{pdu.StatusMsgQFul, true},
		{pdu.StatusInvDstAdr, false},
		{&BindError{Status: pdu.StatusBindFail}, false},
		{errors.Join(errors.New("x"), ErrConnectionLost), true},
		{ErrBadCommand, false},
	} {
		if got := IsRetryable(c.err); got != c.want {
			t.Errorf("IsRetryable(%v) = %v", c.err, got)
		}
	}
}

// TestInflightGrows: a table sized for a few entries takes many more,
// keeping every one findable and removable (a very large window).
func TestInflightGrows(t *testing.T) {
	var tb inflight
	tb.init(2)
	const n = 5000
	for seq := uint32(1); seq <= n; seq++ {
		tb.insert(request{seq: seq, kind: kindUser})
	}
	if tb.n != n || len(tb.slots) < 2*n {
		t.Fatalf("n %d slots %d after %d inserts", tb.n, len(tb.slots), n)
	}
	for seq := uint32(1); seq <= n; seq++ {
		if r, ok := tb.remove(seq); !ok || r.seq != seq {
			t.Fatalf("remove %d: %v %v", seq, r.seq, ok)
		}
	}
	if tb.n != 0 {
		t.Fatalf("n %d after removing all", tb.n)
	}
}
