//go:build !race

package consent

import (
	"runtime"
	"strconv"
	"testing"
	"time"
)

// TestIndexMemoryBudget: 10,000,000 opt-outs take under 200 MiB of heap
// (issue 12), and loading them stays within a few seconds.
func TestIndexMemoryBudget(t *testing.T) {
	if testing.Short() {
		t.Skip("loads 10M entries")
	}
	const n = 10_000_000
	runtime.GC()
	var before runtime.MemStats
	runtime.ReadMemStats(&before)
	var x Index
	start := time.Now()
	fill(&x, n)
	took := time.Since(start)
	runtime.GC()
	var after runtime.MemStats
	runtime.ReadMemStats(&after)
	heap := float64(after.HeapAlloc-before.HeapAlloc) / (1 << 20)
	t.Logf("%d opt-outs: %.1f MiB of heap (%.1f bytes each), loaded in %v", x.Len(), heap, heap*(1<<20)/n, took)
	if x.Len() != n {
		t.Fatalf("Len = %d, want %d", x.Len(), n)
	}
	if heap > 200 {
		t.Fatalf("%.1f MiB for %d opt-outs, budget 200 MiB", heap, n)
	}
	if _, ok := x.Blocked(1, "", strconv.Itoa(447000000000+7)); !ok {
		t.Fatal("an opt-out is missing")
	}
	runtime.KeepAlive(&x)
}
