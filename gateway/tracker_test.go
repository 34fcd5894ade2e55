package gateway

import (
	"runtime"
	"testing"
	"time"
	"unsafe"

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
		tr.putDLR("c1", "x"+sms.ID(i+1).String(), dlrRef{msg: m.ID, seg: 1, at: now.UnixNano()})
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

// TestTrackerEntriesStaySmall: every message on its way costs a flight and
// a receipt correlation per segment; they stay within their size budget
// (the gateway's memory at peak is mostly these), and a flight holds the statuses of up to
// inlineSegs segments itself.
func TestTrackerEntriesStaySmall(t *testing.T) {
	if s := unsafe.Sizeof(flight{}); s > 64 {
		t.Errorf("flight is %d bytes, want at most 64", s)
	}
	if s := unsafe.Sizeof(dlrRef{}); s > 48 {
		t.Errorf("dlrRef is %d bytes, want at most 48", s)
	}
	tr := newTracker(1000)
	exp := time.Now().Add(time.Hour)
	for _, segs := range []int{1, inlineSegs, inlineSegs + 2} {
		m := &sms.Message{ID: sms.ID(100 + segs)}
		if !tr.add(m, segs, exp) {
			t.Fatal("add refused")
		}
		tr.with(m.ID, func(fl *flight) bool {
			if len(fl.segs) != segs || int(fl.left) != segs {
				t.Errorf("%d segments: flight has %d statuses, %d left", segs, len(fl.segs), fl.left)
			}
			inline := segs <= inlineSegs && &fl.segs[0] == &fl.inline[0]
			if inline != (segs <= inlineSegs) {
				t.Errorf("%d segments: statuses inline = %v", segs, inline)
			}
			for i := range fl.segs {
				fl.segs[i] = sms.StatusDelivered
			}
			return false
		})
	}
}
