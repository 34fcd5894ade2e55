//go:build !race

package contact_test

import (
	"context"
	"testing"
	"time"

	"github.com/gallant-sms/gallant/contact"
	"github.com/gallant-sms/gallant/internal/testutil"
	"github.com/gallant-sms/gallant/store/storetest"
)

// TestImportBudget: 1,000,000 contacts import on both stores with the
// process's RSS growing by less than 100 MiB (issue 13). The rate is
// logged here and measured by BenchmarkImport (`make bench-import`), not
// gated by this test: a timed unit test fails on a slow disk, not on slow
// code.
func TestImportBudget(t *testing.T) {
	const n = 1_000_000
	for _, driver := range storetest.Drivers {
		t.Run(driver, func(t *testing.T) {
			st := openStore(t, driver)
			before, ok := testutil.ProcMemory(0, "VmRSS")
			if !ok {
				t.Fatal("no /proc/self/status")
			}
			start := time.Now()
			rep, err := contact.Import(context.Background(), st, 7, &csvRows{n: n}, contact.ImportOptions{})
			if err != nil {
				t.Fatal(err)
			}
			took := time.Since(start)
			rss, _ := testutil.ProcMemory(0, "VmRSS")
			peak, _ := testutil.ProcMemory(0, "VmHWM")
			rate := float64(rep.Rows) / took.Seconds()
			t.Logf("%s: %d contacts in %v (%.0f rows/s), RSS %d -> %d MiB (peak %d)", driver, rep.Imported, took, rate,
				before>>20, rss>>20, peak>>20)
			if rep.Imported != n || rep.Rejected != 0 {
				t.Fatalf("report %+v", rep)
			}
			if grew := (peak - before) >> 20; grew > 100 {
				t.Errorf("RSS grew by %d MiB, want under 100", grew)
			}
		})
	}
}
