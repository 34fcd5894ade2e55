package sms

import (
	"sync"
	"testing"
	"time"
)

func TestIDGeneratorUniqueIncreasingConcurrent(t *testing.T) {
	g, err := NewIDGenerator(7, 0)
	if err != nil {
		t.Fatal(err)
	}
	const workers, per = 8, 20000
	out := make([][]ID, workers)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ids := make([]ID, per)
			for i := range ids {
				ids[i] = g.Next()
			}
			out[w] = ids
		}()
	}
	wg.Wait()
	seen := make(map[ID]bool, workers*per)
	for _, ids := range out {
		for i, id := range ids {
			if seen[id] {
				t.Fatalf("duplicate id %v", id)
			}
			seen[id] = true
			if id.Node() != 7 {
				t.Fatalf("id %v has node %d, want 7", id, id.Node())
			}
			if i > 0 && id <= ids[i-1] {
				t.Fatalf("ids not increasing within a goroutine: %v after %v", id, ids[i-1])
			}
		}
	}
}

func TestIDGeneratorFloorAndClockStepBack(t *testing.T) {
	now := Epoch.Add(48 * time.Hour)
	floorGen, _ := NewIDGenerator(3, 0)
	floorGen.now = func() time.Time { return now.Add(time.Hour) }
	floor := floorGen.Next()

	g, _ := NewIDGenerator(4, floor)
	g.now = func() time.Time { return now } // an hour behind the floor
	a, b := g.Next(), g.Next()
	if a <= floor || b <= a {
		t.Fatalf("ids %v, %v not above floor %v and increasing", a, b, floor)
	}
	if a.Node() != 4 || b.Node() != 4 {
		t.Fatalf("nodes %d, %d, want 4", a.Node(), b.Node())
	}
}

func TestIDTimeAndParse(t *testing.T) {
	g, _ := NewIDGenerator(0, 0)
	at := time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)
	g.now = func() time.Time { return at }
	id := g.Next()
	if !id.Time().Equal(at) {
		t.Fatalf("Time() = %v, want %v", id.Time(), at)
	}
	s := id.String()
	if len(s) > 64 {
		t.Fatalf("id %q longer than 64 characters", s)
	}
	back, err := ParseID(s)
	if err != nil || back != id {
		t.Fatalf("ParseID(%q) = %v, %v", s, back, err)
	}
	back, err = ParseIDBytes([]byte(s))
	if err != nil || back != id {
		t.Fatalf("ParseIDBytes(%q) = %v, %v", s, back, err)
	}
	for _, bad := range []string{"", "0", "12a", "-5", "99999999999999999999", "184467440737095516160"} {
		if _, err := ParseID(bad); err == nil {
			t.Errorf("ParseID(%q) succeeded", bad)
		}
		if _, err := ParseIDBytes([]byte(bad)); err == nil {
			t.Errorf("ParseIDBytes(%q) succeeded", bad)
		}
	}
	if _, err := NewIDGenerator(MaxNode+1, 0); err == nil {
		t.Fatal("node out of range accepted")
	}
}

func TestStatusNames(t *testing.T) {
	for s := StatusAccepted; s <= StatusFailed; s++ {
		got, err := ParseStatus(s.String())
		if err != nil || got != s {
			t.Fatalf("ParseStatus(%q) = %v, %v", s.String(), got, err)
		}
		var u Status
		b, _ := s.MarshalText()
		if err := u.UnmarshalText(b); err != nil || u != s {
			t.Fatalf("text round trip of %v gave %v, %v", s, u, err)
		}
	}
	if _, err := ParseStatus("unknown"); err == nil {
		t.Fatal("ParseStatus(unknown) succeeded")
	}
	if StatusSubmitted.Final() || !StatusExpired.Final() || !StatusDelivered.Success() || StatusFailed.Success() {
		t.Fatal("Final/Success wrong")
	}
}

func TestWantsReceipt(t *testing.T) {
	cases := []struct {
		rd   byte
		s    Status
		want bool
	}{
		{0, StatusDelivered, false},
		{1, StatusDelivered, true},
		{1, StatusUndelivered, true},
		{1, StatusSubmitted, false},
		{2, StatusDelivered, false},
		{2, StatusExpired, true},
		{3, StatusDelivered, true},
		{3, StatusRejected, false},
		{0x11, StatusDelivered, true},
	}
	for _, c := range cases {
		m := Message{RegisteredDelivery: c.rd}
		if got := m.WantsReceipt(c.s); got != c.want {
			t.Errorf("registered_delivery %#x, %v: got %v, want %v", c.rd, c.s, got, c.want)
		}
	}
}
