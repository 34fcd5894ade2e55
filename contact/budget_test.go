//go:build !race

package contact_test

import (
	"context"
	"io"
	"strconv"
	"testing"
	"time"

	"github.com/gallant-sms/gallant/contact"
	"github.com/gallant-sms/gallant/internal/testutil"
	"github.com/gallant-sms/gallant/store/storetest"
)

// csvRows is a contacts CSV of n rows, made as it is read.
type csvRows struct {
	i, n int
	buf  []byte
}

func (r *csvRows) Read(p []byte) (int, error) {
	if r.i == 0 && len(r.buf) == 0 {
		r.buf = append(r.buf, "phone,first_name,last_name,email,city\n"...)
	}
	for len(r.buf) < len(p) && r.i < r.n {
		r.buf = append(r.buf, '+', '4', '4', '7')
		r.buf = strconv.AppendInt(r.buf, int64(100000000+r.i), 10)
		r.buf = append(r.buf, ",Ann,Lee,ann"...)
		r.buf = strconv.AppendInt(r.buf, int64(r.i), 10)
		r.buf = append(r.buf, "@example.com,London\n"...)
		r.i++
	}
	if len(r.buf) == 0 {
		return 0, io.EOF
	}
	k := copy(p, r.buf)
	r.buf = r.buf[:copy(r.buf, r.buf[k:])]
	return k, nil
}

// TestImportBudget: 1,000,000 contacts import at 50,000 rows a second or
// more on both stores (issue 13), with the process's RSS growing by less
// than 100 MiB.
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
			if rate < 50_000 {
				t.Errorf("%.0f rows/s, want at least 50,000", rate)
			}
			if grew := (peak - before) >> 20; grew > 100 {
				t.Errorf("RSS grew by %d MiB, want under 100", grew)
			}
		})
	}
}
