package pdutext

import "testing"

func TestStatTable(t *testing.T) {
	tests := []struct {
		stat  Stat
		state MessageState
		name  string
		final bool
	}{
		{StatScheduled, StateScheduled, "SCHEDULED", false},
		{StatEnroute, StateEnroute, "ENROUTE", false},
		{StatDelivered, StateDelivered, "DELIVERED", true},
		{StatExpired, StateExpired, "EXPIRED", true},
		{StatDeleted, StateDeleted, "DELETED", true},
		{StatUndeliverable, StateUndeliverable, "UNDELIVERABLE", true},
		{StatAccepted, StateAccepted, "ACCEPTED", false},
		{StatUnknown, StateUnknown, "UNKNOWN", true},
		{StatRejected, StateRejected, "REJECTED", true},
		{StatSkipped, StateSkipped, "SKIPPED", true},
	}
	for i, tt := range tests {
		if MessageState(i) != tt.state {
			t.Fatalf("row %d is state %d", i, tt.state)
		}
		if got := tt.stat.State(); got != tt.state {
			t.Errorf("%s.State() = %v, want %v", tt.stat, got, tt.state)
		}
		if got := tt.state.Stat(); got != tt.stat {
			t.Errorf("%v.Stat() = %s, want %s", tt.state, got, tt.stat)
		}
		if got := tt.state.String(); got != tt.name {
			t.Errorf("MessageState(%d).String() = %q, want %q", i, got, tt.name)
		}
		if tt.stat.Final() != tt.final || tt.state.Final() != tt.final {
			t.Errorf("%s final = %v/%v, want %v", tt.stat, tt.stat.Final(), tt.state.Final(), tt.final)
		}
		if got := parseStat(string(tt.stat)); got != tt.stat {
			t.Errorf("parseStat(%q) = %q", tt.stat, got)
		}
	}
	if got := MessageState(42).String(); got != "MessageState(42)" {
		t.Errorf("MessageState(42).String() = %q", got)
	}
	if got := MessageState(42).Stat(); got != StatUnknown {
		t.Errorf("MessageState(42).Stat() = %q", got)
	}
	if !StatDelivered.Delivered() || StatAccepted.Delivered() {
		t.Error("Delivered")
	}
}

func TestStatVendorWords(t *testing.T) {
	tests := []struct {
		in    string
		stat  Stat
		state MessageState
		final bool
	}{
		{"delivrd", StatDelivered, StateDelivered, true},
		{"Undeliv", StatUndeliverable, StateUndeliverable, true},
		{"ACKED", "ACKED", StateEnroute, false},
		{"buffred", "BUFFRED", StateEnroute, false},
		{"BUFFERD", "BUFFERD", StateEnroute, false},
		{"SCHEDUL", "SCHEDUL", StateScheduled, false},
		{"failed", "FAILED", StateUnknown, true},
		{"x", "X", StateUnknown, true},
		{"VERYLONGWORD", "VERYLONGWORD", StateUnknown, true},
	}
	for _, tt := range tests {
		s := parseStat(tt.in)
		if s != tt.stat || s.State() != tt.state || s.Final() != tt.final {
			t.Errorf("parseStat(%q) = %q (%v, final %v); want %q (%v, final %v)", tt.in, s, s.State(), s.Final(), tt.stat, tt.state, tt.final)
		}
	}
}
