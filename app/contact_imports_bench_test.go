package app

import (
	"context"
	"fmt"
	"testing"

	"github.com/gallant-sms/gallant/internal/testutil"
	"github.com/gallant-sms/gallant/store"
	"github.com/gallant-sms/gallant/store/storetest"
)

// BenchmarkImportJob: a 1,000,000-row import through the job service
// (spooled to a file, progress in the store), one import per op, on both
// stores; reports rows/s and the peak RSS. A benchmark rather than a
// budget test: make test runs the budget tests of several packages at
// once, and two million-row imports on two cores would fail each other
// (contact's BenchmarkImport, `make bench-import`, holds the 50,000
// rows/s line). Measured
// alone on the 2-core machine (go test ./app -run '^$' -bench ImportJob
// -benchtime 1x): SQLite 215k rows/s, MariaDB 81k rows/s, peak RSS 91
// MiB. With a target list (each batch's contacts join it in the batch's
// transaction) SQLite keeps 109k rows/s but MariaDB falls to about 32k
// rows/s: the members' two index trees double the redo written, and the
// default 96 MiB redo log and 128 MiB buffer pool then flush all along.
func BenchmarkImportJob(b *testing.B) {
	const n = 1_000_000
	for _, driver := range storetest.Drivers {
		b.Run(driver, func(b *testing.B) {
			ctx := context.Background()
			st := storetest.Open(b, driver)
			s := NewContactImports(st, b.TempDir(), "bench", nil)
			defer s.Close()
			owner := Principal{AccountID: 1, Role: RoleOwner, CanSend: true}
			for b.Loop() {
				j, err := s.Start(ctx, owner, ImportInput{Body: &importRows{n: n}})
				if err != nil {
					b.Fatal(err)
				}
				var got ContactImport
				testutil.Eventually(b, "the import ends", func() (bool, string) {
					got, err = s.Get(ctx, owner, j.ID)
					return err == nil && got.FinishedAt != nil, fmt.Sprintf("%+v %v", got, err)
				})
				if got.State != store.ImportCompleted || got.Rows != n {
					b.Fatalf("job %+v", got)
				}
			}
			b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
			if peak, ok := testutil.ProcMemory(0, "VmHWM"); ok {
				b.ReportMetric(float64(peak>>20), "peak-RSS-MiB")
			}
		})
	}
}
