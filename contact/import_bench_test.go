package contact_test

import (
	"context"
	"io"
	"os"
	"strconv"
	"testing"

	"github.com/gallant-sms/gallant/contact"
	"github.com/gallant-sms/gallant/store"
	"github.com/gallant-sms/gallant/store/storetest"
)

// benchImportRows is the rows of one benchmarked import: 300,000, or
// GALLANT_IMPORT_BENCH_N (1,000,000 for issue 13's figure).
func benchImportRows() int {
	if v, err := strconv.Atoi(os.Getenv("GALLANT_IMPORT_BENCH_N")); err == nil && v > 0 {
		return v
	}
	return 300_000
}

// BenchmarkImport measures CSV import in rows a second on both stores
// (issue 13's target: 50,000 or more on each), one op being one whole
// import of benchImportRows rows:
//   - new: every row a new contact;
//   - list-new: every row a new contact that joins a target list in its
//     batch's transaction;
//   - list-again: the same file into the same list again (every row an
//     update, every member already there).
//
// Each op imports into an account of its own, so ops do not see each
// other's rows. `make bench-import` runs it once per case and fails
// below the target.
func BenchmarkImport(b *testing.B) {
	n := benchImportRows()
	for _, driver := range storetest.Drivers {
		for _, mode := range []string{"new", "list-new", "list-again"} {
			b.Run(driver+"/"+mode, func(b *testing.B) {
				st := openStore(b, driver)
				ctx := context.Background()
				account := int64(100)
				for b.Loop() {
					b.StopTimer()
					account++
					var opt contact.ImportOptions
					if mode != "new" {
						l := store.ContactList{AccountID: account, Name: "imported"}
						if err := st.CreateContactList(ctx, &l); err != nil {
							b.Fatal(err)
						}
						opt.ListID = l.ID
					}
					if mode == "list-again" {
						if _, err := contact.Import(ctx, st, account, &csvRows{n: n}, opt); err != nil {
							b.Fatal(err)
						}
					}
					b.StartTimer()
					rep, err := contact.Import(ctx, st, account, &csvRows{n: n}, opt)
					if err != nil {
						b.Fatal(err)
					}
					b.StopTimer()
					switch {
					case rep.Rows != n || rep.Rejected != 0:
						b.Fatalf("report %+v", rep)
					case mode == "list-again" && rep.Updated != n:
						b.Fatalf("again: %d updated, want %d", rep.Updated, n)
					case mode != "list-again" && rep.Imported != n:
						b.Fatalf("%d imported, want %d", rep.Imported, n)
					}
					if opt.ListID != 0 {
						got, err := st.ContactListByID(ctx, account, opt.ListID)
						if err != nil {
							b.Fatal(err)
						}
						if got.Count != n {
							b.Fatalf("the list has %d members, want %d", got.Count, n)
						}
					}
					b.StartTimer()
				}
				b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
			})
		}
	}
}

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
