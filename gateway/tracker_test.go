package gateway

import (
	"runtime"
	"testing"
	"time"

	"github.com/gallant-sms/gallant/sms"
)

// TestTrackerShrinksAfterBurst: after a burst, the sweep gives back the
// maps' memory (a Go map keeps its largest size) and keeps what is still
// in flight.
func TestTrackerShrinksAfterBurst(t *testing.T) {
	tr := newTracker(1 << 22)
	now := time.Now()
	const burst = 200_000
	for i := range burst {
		m := &sms.Message{ID: sms.ID(i + 1)}
		if !tr.add(m, 1, now.Add(time.Hour)) {
			t.Fatal("tracker full")
		}
		tr.putDLR("c1", "x"+sms.ID(i+1).String(), dlrRef{msg: m.ID, seg: 1, at: now})
	}
	// All but a few finish.
	for i := range burst {
		id := sms.ID(i + 1)
		if i%1000 == 0 {
			continue
		}
		tr.with(id, func(*flight) bool { return true })
		tr.takeDLR("c1", "x"+id.String())
	}
	heap := func() uint64 {
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		return ms.HeapInuse
	}
	before := heap()
	if f, d := tr.sweep(now, time.Hour); f != 0 || d != 0 {
		t.Fatalf("swept %d flights, %d correlations that had not expired", f, d)
	}
	after := heap()
	if after >= before || before-after < 10<<20 {
		t.Errorf("heap in use %d -> %d bytes: the sweep gave back less than 10 MiB", before, after)
	}
	for i := 0; i < burst; i += 1000 {
		id := sms.ID(i + 1)
		if !tr.with(id, func(*flight) bool { return false }) {
			t.Fatalf("flight %d lost by the shrink", id)
		}
		if _, ok := tr.takeDLR("c1", "x"+id.String()); !ok {
			t.Fatalf("correlation of %d lost by the shrink", id)
		}
	}
	for i := range tr.flights {
		if p := tr.flights[i].peak; p > shrinkBelow {
			t.Fatalf("shard %d still has peak %d", i, p)
		}
	}
}
