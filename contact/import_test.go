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
	want := []string{"phone", "first_name", "last_name", "email", "time_zone", "field.loyalty_tier", "tags", ""}
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
			if len(progress) == 0 || progress[len(progress)-1].Imported != 2 || len(progress) > 2 {
				t.Fatalf("progress %+v", progress)
			}
			c, err := st.ContactByPhone(ctx, 7, "447700900001")
			if err != nil || c.FirstName != "Anne" || c.LastName != "Lee" || c.Fields != `{"tier":"platinum"}` ||
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

// TestImportTypedFields: custom values are parsed to their declared types
// (a value that does not parse rejects its row with the field named),
// undeclared ones are kept as text, personal fields are checked as the
// API checks them, and a missing time zone comes from the number.
func TestImportTypedFields(t *testing.T) {
	ctx := context.Background()
	st := openStore(t, storetest.SQLite)
	decl := []store.ContactField{{Name: "points", Type: contact.TypeNumber}, {Name: "vip", Type: contact.TypeBoolean},
		{Name: "joined", Type: contact.TypeDate}}
	file := "phone,Points,VIP,Joined,Loyalty Tier,email,tz\n" +
		"+447700900001,12.5,yes,2026-01-31,gold,a@example.com,\n" +
		"+447700900002,lots,no,2026-01-31,,,\n" + // line 3: not a number
		"+447700900003,1,maybe,,,,\n" + // line 4: not a boolean
		"+447700900004,1,1,31/01/2026,,,\n" + // line 5: not a date
		"+447700900005,,,,,not-an-email,\n" + // line 6
		"+447700900006,,,,,,Mars/Olympus\n" + // line 7
		"+12125550100,,,,,,\n"
	rep, err := contact.Import(ctx, st, 7, strings.NewReader(file), contact.ImportOptions{Fields: decl})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Rows != 7 || rep.Imported != 2 || rep.Rejected != 5 {
		t.Fatalf("report %+v", rep)
	}
	want := map[int]string{3: "field points", 4: "field vip", 5: "field joined", 6: "email", 7: "time_zone"}
	for _, rj := range rep.FirstRejected {
		if w, ok := want[rj.Line]; !ok || !strings.HasPrefix(rj.Reason, w+": ") {
			t.Errorf("line %d rejected with %q, want a reason starting %q", rj.Line, rj.Reason, w)
		}
		delete(want, rj.Line)
	}
	if len(want) != 0 {
		t.Errorf("lines not rejected: %v", want)
	}
	c, err := st.ContactByPhone(ctx, 7, "447700900001")
	if err != nil || c.Fields != `{"joined":"2026-01-31","loyalty_tier":"gold","points":12.5,"vip":true}` || c.TimeZone != "Europe/London" {
		t.Fatalf("contact %+v, %v", c, err)
	}
	if c, err := st.ContactByPhone(ctx, 7, "12125550100"); err != nil || c.TimeZone != "America/New_York" || c.Fields != "{}" {
		t.Fatalf("contact %+v, %v", c, err)
	}
}
