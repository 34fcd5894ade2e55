package app

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gallant-sms/gallant/internal/testutil"
	"github.com/gallant-sms/gallant/store"
	"github.com/gallant-sms/gallant/store/storetest"
)

// importRows is a CSV of n contacts made as it is read.
type importRows struct {
	i, n int
	buf  []byte
}

func (r *importRows) Read(p []byte) (int, error) {
	if r.i == 0 && len(r.buf) == 0 {
		r.buf = append(r.buf, "phone,first_name\n"...)
	}
	for len(r.buf) < len(p) && r.i < r.n {
		r.buf = append(r.buf, "+4477"+strconv.Itoa(10000000+r.i)+",Ann\n"...)
		r.i++
	}
	if len(r.buf) == 0 {
		return 0, io.EOF
	}
	k := copy(p, r.buf)
	r.buf = r.buf[:copy(r.buf, r.buf[k:])]
	return k, nil
}

// TestContactImportsPolicy: only a caller that may send imports; bad
// options are refused before anything is stored; a dry run stores
// nothing; another account's jobs are not found.
func TestContactImportsPolicy(t *testing.T) {
	ctx := context.Background()
	cfg := storetest.Config(t, storetest.SQLite)
	st := storetest.OpenConfig(t, cfg)
	s := NewContactImports(st, t.TempDir(), "test", nil)
	defer s.Close()
	owner := Principal{AccountID: 1, Role: RoleOwner, CanSend: true}
	member := Principal{AccountID: 1, Role: RoleMember}
	unverified := Principal{AccountID: 1, Role: RoleOwner, CanSend: true, Unverified: true}
	body := func() io.Reader { return strings.NewReader("phone,,name\n+447700900001,x,Ann\n") }
	if _, err := s.Start(ctx, member, ImportInput{Body: body()}); KindOf(err) != KindForbidden {
		t.Errorf("member: %v", err)
	}
	if _, err := s.DryRun(ctx, unverified, ImportInput{Body: body()}); KindOf(err) != KindEmailUnverified {
		t.Errorf("unverified: %v", err)
	}
	for _, in := range []ImportInput{
		{Mapping: "phone,nickname"},
		{Mapping: "first_name,last_name"},
		{Mapping: "phone,phone"},
		{DefaultCountry: "XX"},
		{ListID: 99},
		{NoHeader: true},
		{Tags: strings.Repeat("t,", MaxImportTags+1)},
	} {
		in.Body = body()
		if _, err := s.Start(ctx, owner, in); KindOf(err) != KindInvalid {
			t.Errorf("%+v: %v, want invalid", in, err)
		}
	}
	if _, err := s.Start(ctx, owner, ImportInput{Body: strings.NewReader("name,email\nAnn,a@example.com\n")}); KindOf(err) != KindInvalid ||
		!strings.Contains(err.Error(), "phone") {
		t.Errorf("no phone column: %v", err)
	}
	pv, err := s.DryRun(ctx, owner, ImportInput{Body: strings.NewReader("nr;x\n07700 900001,Ann\nbad,Bob\n"), Mapping: `["phone","first_name"]`,
		DefaultCountry: "gb"})
	if err != nil || len(pv.Contacts) != 1 || pv.Contacts[0].Phone != "+447700900001" || pv.Contacts[0].Line != 2 ||
		len(pv.Rejected) != 1 || pv.Rejected[0].Line != 3 || pv.Guessed {
		t.Fatalf("dry run: %+v %v", pv, err)
	}
	pv, err = s.DryRun(ctx, owner, ImportInput{Body: strings.NewReader("+447700900001,Ann\n"), Mapping: "phone,first_name", NoHeader: true})
	if err != nil || len(pv.Contacts) != 1 || pv.Contacts[0].Line != 1 || pv.Contacts[0].FirstName != "Ann" {
		t.Fatalf("dry run without a header: %+v %v", pv, err)
	}
	if n, _ := st.CountContacts(ctx, 1); n != 0 {
		t.Fatalf("dry run stored %d contacts", n)
	}
	if entries, _ := os.ReadDir(s.dir); len(entries) != 0 {
		t.Fatalf("files left: %v", entries)
	}
	list := newImportTestList(t, cfg, 1)
	j, err := s.Start(ctx, owner, ImportInput{Body: body(), ListID: list, Tags: "a, b"})
	if err != nil || j.Options.ListID != list || len(j.Options.Tags) != 2 || strings.Join(j.Mapping, " ") != "phone - first_name" {
		t.Fatalf("start: %+v %v", j, err)
	}
	testutil.Eventually(t, "the job completes", func() (bool, string) {
		got, err := s.Get(ctx, owner, j.ID)
		return err == nil && got.State == store.ImportCompleted, fmt.Sprintf("%+v %v", got, err)
	})
	cond, args, err := st.ContactListCondition(ctx, 1, list)
	if err != nil {
		t.Fatal(err)
	}
	if members, err := st.ContactsMatching(ctx, 1, cond, args, 0, 10); err != nil || len(members) != 1 ||
		strings.Join(members[0].Tags, ",") != "a,b" || members[0].FirstName != "Ann" {
		t.Fatalf("list members %+v %v", members, err)
	}
	if _, err := s.Start(ctx, owner, ImportInput{Body: strings.NewReader("")}); KindOf(err) != KindInvalid {
		t.Errorf("empty file: %v", err)
	}
	stranger := Principal{AccountID: 2, Role: RoleOwner, CanSend: true}
	if _, err := s.Get(ctx, stranger, j.ID); KindOf(err) != KindNotFound {
		t.Errorf("stranger get: %v", err)
	}
	if _, err := s.Stop(ctx, stranger, j.ID); KindOf(err) != KindNotFound {
		t.Errorf("stranger stop: %v", err)
	}
	if err := s.CheckRejected(ctx, stranger, j.ID); KindOf(err) != KindNotFound {
		t.Errorf("stranger rejected: %v", err)
	}
	if page, err := s.List(ctx, stranger, 0, 0); err != nil || len(page.Data) != 0 {
		t.Errorf("stranger list: %+v %v", page, err)
	}
	testutil.Eventually(t, "the spooled file is removed", func() (bool, string) {
		entries, _ := os.ReadDir(s.dir)
		return len(entries) == 0, fmt.Sprint(entries)
	})
}

// TestContactImportsShutdown: closing the service ends a running job
// failed, keeps what it stored, removes its spooled file and leaves no
// goroutine.
func TestContactImportsShutdown(t *testing.T) {
	forEachDriver(t, func(t *testing.T, driver string) {
		ctx := context.Background()
		st := storetest.Open(t, driver)
		dir := t.TempDir()
		s := NewContactImports(st, dir, "test", nil)
		owner := Principal{AccountID: 1, Role: RoleOwner, CanSend: true}
		j, err := s.Start(ctx, owner, ImportInput{Body: &importRows{n: 1_000_000}})
		if err != nil {
			t.Fatal(err)
		}
		testutil.Eventually(t, "the job runs", func() (bool, string) {
			got, err := s.Get(ctx, owner, j.ID)
			return err == nil && got.Imported > 0, fmt.Sprintf("%+v %v", got, err)
		})
		s.Close()
		got, err := s.Get(ctx, owner, j.ID)
		if err != nil || got.State != store.ImportFailed || !strings.Contains(got.Error, "shut down") || got.Imported == 0 || got.Imported >= 1_000_000 {
			t.Fatalf("after close: %+v %v", got, err)
		}
		if n, _ := st.CountContacts(ctx, 1); int64(n) != got.Imported {
			t.Fatalf("%d contacts stored, the job says %d", n, got.Imported)
		}
		if files, _ := filepath.Glob(filepath.Join(dir, "*")); len(files) != 0 {
			t.Fatalf("spooled files left: %v", files)
		}
		if _, err := s.Start(ctx, owner, ImportInput{Body: strings.NewReader("phone\n+447700900001\n")}); err == nil {
			t.Fatal("a closed service started a job")
		}
	})
}

// newImportTestList creates a contact list of account in the database cfg
// names (no store method of this branch writes lists) and returns its id.
func newImportTestList(t *testing.T, cfg store.Config, account int64) int64 {
	t.Helper()
	driver, dsn, now := "sqlite", "file:"+cfg.DSN+"?_pragma=busy_timeout(10000)", "0"
	if cfg.Driver == storetest.MySQL {
		driver, dsn, now = "mysql", cfg.DSN, "NOW(6)"
	}
	db, err := sql.Open(driver, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	res, err := db.Exec("INSERT INTO contact_lists (account_id, name, created_at, updated_at) VALUES (?, ?, "+now+", "+now+")",
		account, "list "+strconv.FormatInt(time.Now().UnixNano(), 10))
	if err != nil {
		t.Fatal(err)
	}
	id, err := res.LastInsertId()
	if err != nil {
		t.Fatal(err)
	}
	return id
}
