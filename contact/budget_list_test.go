//go:build !race

package contact_test

import (
	"context"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/gallant-sms/gallant/contact"
	"github.com/gallant-sms/gallant/internal/testutil"
	"github.com/gallant-sms/gallant/store"
	"github.com/gallant-sms/gallant/store/storetest"
)

// TestImportListBudget: an import into a target list (every row upserted
// and made a member of the list in its batch's transaction) runs at
// 50,000 rows a second or more on both stores (issue 13), and a second
// import of the same file (every row an update, every member already
// there) too. 300,000 rows keep `make test` short; GALLANT_IMPORT_BUDGET_N
// sets another count (1,000,000 for the figure).
func TestImportListBudget(t *testing.T) {
	n := 300_000
	if v, err := strconv.Atoi(os.Getenv("GALLANT_IMPORT_BUDGET_N")); err == nil && v > 0 {
		n = v
	}
	for _, driver := range storetest.Drivers {
		t.Run(driver, func(t *testing.T) {
			st := openStore(t, driver)
			ctx := context.Background()
			l := store.ContactList{AccountID: 7, Name: "imported"}
			if err := st.CreateContactList(ctx, &l); err != nil {
				t.Fatal(err)
			}
			for _, pass := range []string{"new", "again"} {
				before, _ := testutil.ProcMemory(0, "VmRSS")
				start := time.Now()
				rep, err := contact.Import(ctx, st, 7, &csvRows{n: n}, contact.ImportOptions{ListID: l.ID})
				if err != nil {
					t.Fatal(err)
				}
				took := time.Since(start)
				peak, _ := testutil.ProcMemory(0, "VmHWM")
				rate := float64(rep.Rows) / took.Seconds()
				t.Logf("%s, %s: %d rows (%d new, %d updated) into a list in %v (%.0f rows/s), RSS %d MiB (peak %d)",
					driver, pass, rep.Rows, rep.Imported, rep.Updated, took, rate, before>>20, peak>>20)
				if pass == "new" && (rep.Imported != n || rep.Rejected != 0) || pass == "again" && rep.Updated != n {
					t.Fatalf("%s: report %+v", pass, rep)
				}
				if rate < 50_000 {
					t.Errorf("%s: %.0f rows/s into a list, want at least 50,000", pass, rate)
				}
				got, err := st.ContactListByID(ctx, 7, l.ID)
				if err != nil {
					t.Fatal(err)
				}
				if got.Count != n {
					t.Fatalf("%s: the list has %d members, want %d", pass, got.Count, n)
				}
			}
		})
	}
}
