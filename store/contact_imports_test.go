package store

import (
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestContactImportJobs: a job is created queued, started, records its
// progress and reads a stop request, ends in a state; a job whose
// heartbeat is stale shows failed; rejections page by line; another
// account sees none of it; imported phones join a list.
func TestContactImportJobs(t *testing.T) {
	forEachDialect(t, func(t *testing.T, driver string) {
		s := newTestStore(t, driver)
		ctx := testCtx(t)
		j := &ContactImport{AccountID: 7, Options: `{}`, Mapping: "phone,first_name", BytesTotal: 1000, Holder: "a"}
		if err := s.CreateContactImport(ctx, j); err != nil || j.ID == 0 || j.State != ImportQueued {
			t.Fatalf("create: %+v %v", j, err)
		}
		if _, err := s.GetContactImport(ctx, 8, j.ID); !errors.Is(err, ErrNotFound) {
			t.Fatalf("account 8 reads it: %v", err)
		}
		if err := s.StopContactImport(ctx, 8, j.ID); !errors.Is(err, ErrNotFound) {
			t.Fatalf("account 8 stops it: %v", err)
		}
		if ok, err := s.StartContactImport(ctx, j.ID); !ok || err != nil {
			t.Fatalf("start: %v %v", ok, err)
		}
		p := ImportProgress{BytesRead: 500, Rows: 10, Imported: 8, Updated: 1, Rejected: 1}
		if stop, err := s.ContactImportProgress(ctx, j.ID, p); stop || err != nil {
			t.Fatalf("progress: %v %v", stop, err)
		}
		if err := s.StopContactImport(ctx, 7, j.ID); err != nil {
			t.Fatal(err)
		}
		if stop, err := s.ContactImportProgress(ctx, j.ID, p); !stop || err != nil {
			t.Fatalf("progress after stop: %v %v", stop, err)
		}
		if err := s.FinishContactImport(ctx, j.ID, ImportStopped, "", ImportProgress{}); err != nil {
			t.Fatal(err)
		}
		got, err := s.GetContactImport(ctx, 7, j.ID)
		if err != nil || got.State != ImportStopped || got.Rows != 10 || got.Imported != 8 || got.BytesRead != 500 ||
			got.StartedAt.IsZero() || got.FinishedAt.IsZero() {
			t.Fatalf("stopped job: %+v %v", got, err)
		}
		// A queued job asked to stop never runs.
		q := &ContactImport{AccountID: 7, Options: `{}`, Holder: "a"}
		if err := s.CreateContactImport(ctx, q); err != nil {
			t.Fatal(err)
		}
		if err := s.StopContactImport(ctx, 7, q.ID); err != nil {
			t.Fatal(err)
		}
		if ok, err := s.StartContactImport(ctx, q.ID); ok || err != nil {
			t.Fatalf("start after stop: %v %v", ok, err)
		}
		// A running job whose instance went quiet shows failed.
		old := s.now
		s.now = func() time.Time { return old().Add(-time.Hour) }
		r := &ContactImport{AccountID: 7, Options: `{}`, Holder: "dead"}
		if err := s.CreateContactImport(ctx, r); err != nil {
			t.Fatal(err)
		}
		if ok, err := s.StartContactImport(ctx, r.ID); !ok || err != nil {
			t.Fatal(ok, err)
		}
		s.now = old
		if n, err := s.FailStaleContactImports(ctx, 8, time.Now().Add(-time.Minute)); n != 0 || err != nil {
			t.Fatalf("account 8 fails account 7's jobs: %d %v", n, err)
		}
		if n, err := s.FailStaleContactImports(ctx, 7, time.Now().Add(-time.Minute)); n != 1 || err != nil {
			t.Fatalf("stale: %d %v", n, err)
		}
		if got, _ := s.GetContactImport(ctx, 7, r.ID); got.State != ImportFailed || got.Error == "" {
			t.Fatalf("stale job %+v", got)
		}
		// Its instance, alive after all, is told to stop and cannot undo
		// the failure.
		if stop, err := s.ContactImportProgress(ctx, r.ID, p); !stop || err != nil {
			t.Fatalf("progress of a failed job: %v %v", stop, err)
		}
		if err := s.FinishContactImport(ctx, r.ID, ImportCompleted, "", p); err != nil {
			t.Fatal(err)
		}
		if got, _ := s.GetContactImport(ctx, 7, r.ID); got.State != ImportFailed || got.Rows != 0 {
			t.Fatalf("finished after failing: %+v", got)
		}
		jobs, err := s.ContactImports(ctx, 7, 0, 2)
		if err != nil || len(jobs) != 2 || jobs[0].ID != r.ID || jobs[1].ID != q.ID {
			t.Fatalf("jobs: %+v %v", jobs, err)
		}
		if more, _ := s.ContactImports(ctx, 7, jobs[1].ID, 10); len(more) != 1 || more[0].ID != j.ID {
			t.Fatalf("next page: %+v", more)
		}
		// Rejections page by line, bounded per row, kept once.
		var rows []ContactImportRejection
		for i := range 1500 {
			rows = append(rows, ContactImportRejection{Line: int64(i + 2), Reason: "bad", Record: "x," + strconv.Itoa(i)})
		}
		rows[0].Record = strings.Repeat("é", MaxImportRecord) // cut on a character
		rows[1].Record = "caf\xe9,Latin-1"
		if err := s.AddContactImportRejections(ctx, j.ID, rows); err != nil {
			t.Fatal(err)
		}
		if err := s.AddContactImportRejections(ctx, j.ID, rows[:10]); err != nil {
			t.Fatalf("again: %v", err)
		}
		page, err := s.ContactImportRejections(ctx, j.ID, 0, 1000)
		if err != nil || len(page) != 1000 || page[0].Line != 2 || len(page[0].Record) != MaxImportRecord || page[1].Record != "caf\uFFFD,Latin-1" || page[999].Line != 1001 {
			t.Fatalf("first page: %d %v", len(page), err)
		}
		if page, _ = s.ContactImportRejections(ctx, j.ID, 1001, 1000); len(page) != 500 || page[499].Record != "x,1499" {
			t.Fatalf("second page: %d", len(page))
		}
		// Rejections of jobs finished before the cutoff are purged, of
		// that account only.
		if n, err := s.PurgeContactImportRejections(ctx, 8, time.Now().Add(time.Hour)); n != 0 || err != nil {
			t.Fatalf("account 8 purges account 7's: %d %v", n, err)
		}
		if n, err := s.PurgeContactImportRejections(ctx, 7, time.Now().Add(-time.Hour)); n != 0 || err != nil {
			t.Fatalf("purge before the job finished: %d %v", n, err)
		}
		if n, err := s.PurgeContactImportRejections(ctx, 7, time.Now().Add(time.Hour)); n != 1500 || err != nil {
			t.Fatalf("purge: %d %v", n, err)
		}
		// Upserted contacts join a list, in the same transaction; another
		// account's contact of the same phone does not.
		if _, _, err := s.UpsertContacts(ctx, 8, []Contact{{Phone: "447700900001"}}); err != nil {
			t.Fatal(err)
		}
		if ins, upd, err := s.UpsertContactsToList(ctx, 7, 55, []Contact{{Phone: "447700900001"}, {Phone: "447700900002"}}); ins != 2 || upd != 0 || err != nil {
			t.Fatalf("upsert to list: %d %d %v", ins, upd, err)
		}
		if ins, upd, err := s.UpsertContactsToList(ctx, 7, 55, []Contact{{Phone: "447700900001", FirstName: "Ann"}}); ins != 0 || upd != 1 || err != nil {
			t.Fatalf("again: %d %d %v", ins, upd, err)
		}
		var n int
		if err := s.r.GetContext(ctx, &n, "SELECT COUNT(*) FROM contact_list_members lm JOIN contacts c ON c.id = lm.contact_id "+
			"WHERE lm.list_id = 55 AND c.account_id = 7"); err != nil || n != 2 {
			t.Fatalf("members %d %v", n, err)
		}
		if err := s.r.GetContext(ctx, &n, "SELECT COUNT(*) FROM contact_list_members WHERE list_id = 55"); err != nil || n != 2 {
			t.Fatalf("all members %d %v (another account's contact joined)", n, err)
		}
	})
}
