//go:build !race

package consent

import (
	"context"
	"io"
	"runtime"
	"strconv"
	"testing"
	"time"

	"github.com/gallant-sms/gallant/store"
	"github.com/gallant-sms/gallant/store/storetest"
)

// TestIndexMemoryBudget: 10,000,000 opt-outs take under 200 MiB of heap
// (issue 12), and loading them stays within a few seconds.
func TestIndexMemoryBudget(t *testing.T) {
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

// TestRegistryImportBudget: a 10,000,000-number registry imports at
// 200,000 numbers a second or more on both stores (issue 12), and loads
// back into an index on another instance.
func TestRegistryImportBudget(t *testing.T) {
	const n = 10_000_000
	for _, driver := range storetest.Drivers {
		t.Run(driver, func(t *testing.T) {
			cfg := storetest.Config(t, driver)
			st, err := store.Open(context.Background(), cfg, nil)
			if err != nil {
				t.Fatal(err)
			}
			defer st.Close()
			if _, err := st.Migrate(context.Background()); err != nil {
				t.Fatal(err)
			}
			rep, err := ImportRegistry(context.Background(), st, "GB", &registryLines{n: n})
			if err != nil {
				t.Fatal(err)
			}
			rate := float64(rep.Numbers) / rep.Took.Seconds()
			t.Logf("%s: %d numbers imported in %v: %.0f numbers/s", driver, rep.Numbers, rep.Took, rate)
			if rep.Numbers != n || rep.Rejected != 0 {
				t.Fatalf("report %+v", rep)
			}
			if rate < 200_000 {
				t.Fatalf("%.0f numbers/s, want at least 200,000", rate)
			}
			var idx Index
			start := time.Now()
			if err := NewRegistries(st, &idx, nil).Load(context.Background()); err != nil {
				t.Fatal(err)
			}
			t.Logf("%s: loaded in %v", driver, time.Since(start))
			if idx.InRegistry("44"+strconv.Itoa(7100000000+3*(n-1))) != "GB" {
				t.Fatal("the last number is missing")
			}
		})
	}
}

// registryLines is a registry file of n national numbers (07…), made as
// it is read.
type registryLines struct {
	i, n int
	buf  []byte
}

func (r *registryLines) Read(p []byte) (int, error) {
	for len(r.buf) < len(p) && r.i < r.n {
		r.buf = append(r.buf, '0')
		r.buf = strconv.AppendInt(r.buf, int64(7100000000+r.i*3), 10)
		r.buf = append(r.buf, '\n')
		r.i++
	}
	if len(r.buf) == 0 {
		return 0, io.EOF
	}
	k := copy(p, r.buf)
	r.buf = r.buf[:copy(r.buf, r.buf[k:])]
	return k, nil
}
