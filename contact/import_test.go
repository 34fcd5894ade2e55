package contact_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	_ "github.com/go-sql-driver/mysql"
	"go.uber.org/goleak"

	"github.com/gallant-sms/gallant/contact"
	"github.com/gallant-sms/gallant/store"
	"github.com/gallant-sms/gallant/store/storetest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func openStore(t testing.TB, driver string) *store.Store {
	t.Helper()
	st, err := store.Open(context.Background(), storetest.Config(t, driver), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if _, err := st.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	return st
}

func TestGuessMapping(t *testing.T) {
	got := contact.GuessMapping([]string{"Mobile Number", "First Name", "surname", "E-mail", "TZ", "Loyalty tier", "Tags", ""})
	want := []string{"phone", "first_name", "last_name", "email", "time_zone", "field.Loyalty tier", "tags", ""}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Fatalf("GuessMapping = %q, want %q", got, want)
	}
}

// TestImport: a CSV with a guessed header, national and international
// numbers, a custom field, tags, a repeated phone and bad rows; a second
// import of the same phones updates them; another account's contacts are
// apart.
func TestImport(t *testing.T) {
	for _, driver := range storetest.Drivers {
		t.Run(driver, func(t *testing.T) {
			st := openStore(t, driver)
			ctx := context.Background()
			file := "Phone,First name,Last name,Tier,Tags\n" +
				"07700 900001,Ann,Lee,gold,vip;london\n" +
				"+447700900002,Bob,,silver,\n" +
				"not a phone,Cid,,,\n" +
				"\n" +
				"447700900001,Anne,Lee,platinum,\n" + // the same phone: the later row wins
				"\"unterminated,quote\n"
			var progress []contact.Report
			rep, err := contact.Import(ctx, st, 7, strings.NewReader(file), contact.ImportOptions{DefaultCountry: "GB",
				Tags: []string{"imported"}, Progress: func(r contact.Report) { progress = append(progress, r) }})
			if err != nil {
				t.Fatal(err)
			}
			if rep.Rows != 5 || rep.Imported != 2 || rep.Updated != 0 || rep.Rejected != 2 || rep.FirstRejected[0].Line != 4 {
				t.Fatalf("report %+v", rep)
			}
			if len(progress) != 1 || progress[0].Imported != 2 {
				t.Fatalf("progress %+v", progress)
			}
			c, err := st.ContactByPhone(ctx, 7, "447700900001")
			if err != nil || c.FirstName != "Anne" || c.LastName != "Lee" || c.Fields != `{"Tier":"platinum"}` ||
				strings.Join(c.Tags, ",") != "imported" {
				t.Fatalf("contact %+v, %v", c, err)
			}
			rep, err = contact.Import(ctx, st, 7, strings.NewReader("phone,first_name\n+447700900002,Robert\n+447700900003,Cat\n"), contact.ImportOptions{})
			if err != nil || rep.Imported != 1 || rep.Updated != 1 {
				t.Fatalf("second import: %+v, %v", rep, err)
			}
			if c, err := st.ContactByPhone(ctx, 7, "447700900002"); err != nil || c.FirstName != "Robert" {
				t.Fatalf("updated contact %+v, %v", c, err)
			}
			if n, _ := st.CountContacts(ctx, 7); n != 3 {
				t.Fatalf("account 7 has %d contacts, want 3", n)
			}
			if _, err := st.ContactByPhone(ctx, 8, "447700900002"); !errors.Is(err, store.ErrNotFound) {
				t.Fatalf("another account sees the contact: %v", err)
			}
			// Without a default country a national number is refused.
			rep, err = contact.Import(ctx, st, 7, strings.NewReader("phone\n07700900009\n"), contact.ImportOptions{})
			if err != nil || rep.Rejected != 1 {
				t.Fatalf("national number without a country: %+v, %v", rep, err)
			}
			if _, err := contact.Import(ctx, st, 7, strings.NewReader("name\nAnn\n"), contact.ImportOptions{}); err == nil {
				t.Fatal("a file without a phone column was taken")
			}
		})
	}
}
