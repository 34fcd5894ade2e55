package store

import (
	"fmt"
	"strings"
	"testing"

	"github.com/gallant-sms/gallant/sms"
)

// TestContactErasure: after DeleteContact no personal field of the
// contact (names, email, custom value, tag) remains in any column of any
// table of the store, and its number remains only in the message
// history, as sent; its memberships are gone and other contacts stay.
func TestContactErasure(t *testing.T) {
	forEachDialect(t, func(t *testing.T, driver string) {
		s := newTestStore(t, driver)
		ctx := testCtx(t)
		const phone = "447700977301"
		personal := []string{"Zebulon7731", "Quixote9917", "zq9917@erase.example", "secretplan5521", "tag8842"}
		c := &Contact{AccountID: 1, Phone: phone, FirstName: personal[0], LastName: personal[1], Email: personal[2],
			Language: "en", TimeZone: "Europe/London", Fields: `{"plan":"` + personal[3] + `"}`, Tags: []string{personal[4], "vip"}}
		if err := s.CreateContact(ctx, c); err != nil {
			t.Fatal(err)
		}
		keep := seedContacts(t, s, 1, 1, nil)[0]
		for _, name := range []string{"one", "two"} {
			l := &ContactList{AccountID: 1, Name: name}
			if err := s.CreateContactList(ctx, l); err != nil {
				t.Fatal(err)
			}
			if _, err := s.AddToList(ctx, 1, l.ID, []int64{c.ID, keep.ID}); err != nil {
				t.Fatal(err)
			}
		}
		m := testMessage(1, sms.ID(77))
		m.Dest.Addr = phone
		if err := s.Insert(ctx, m); err != nil {
			t.Fatal(err)
		}
		if n := s.countEverywhere(t, personal[0]); len(n) == 0 {
			t.Fatal("the scan does not find a stored name: it would prove nothing")
		}
		if err := s.DeleteContact(ctx, 1, c.ID); err != nil {
			t.Fatal(err)
		}
		for _, v := range personal {
			if where := s.countEverywhere(t, v); len(where) > 0 {
				t.Errorf("%q remains in %v", v, where)
			}
		}
		for _, where := range s.countEverywhere(t, phone) {
			if !strings.HasPrefix(where, "messages.") {
				t.Errorf("the number remains in %s", where)
			}
		}
		var members int
		if err := s.r.GetContext(ctx, &members, "SELECT COUNT(*) FROM contact_list_members WHERE contact_id = ?", c.ID); err != nil || members != 0 {
			t.Fatalf("memberships left: %d, %v", members, err)
		}
		if err := s.r.GetContext(ctx, &members, "SELECT COUNT(*) FROM contact_list_members WHERE contact_id = ?", keep.ID); err != nil || members != 2 {
			t.Fatalf("the other contact's memberships: %d, %v", members, err)
		}
	})
}

// countEverywhere returns "table.column" of every column of every table
// holding a value that contains v.
func (s *Store) countEverywhere(t *testing.T, v string) []string {
	t.Helper()
	ctx := testCtx(t)
	var cols []struct {
		Table  string `db:"t"`
		Column string `db:"c"`
	}
	q := "SELECT m.name AS t, p.name AS c FROM sqlite_master m, pragma_table_info(m.name) p WHERE m.type = 'table'"
	cast := "CAST(`%s` AS TEXT)"
	if s.d == dialectMySQL {
		q = "SELECT table_name AS t, column_name AS c FROM information_schema.columns WHERE table_schema = DATABASE()"
		cast = "CAST(`%s` AS CHAR)"
	}
	if err := s.r.SelectContext(ctx, &cols, q); err != nil {
		t.Fatal(err)
	}
	if len(cols) < 50 {
		t.Fatalf("only %d columns found", len(cols))
	}
	var out []string
	for _, c := range cols {
		var n int
		stmt := fmt.Sprintf("SELECT COUNT(*) FROM `%s` WHERE "+cast+" LIKE ?", c.Table, c.Column)
		if err := s.r.GetContext(ctx, &n, stmt, "%"+v+"%"); err != nil {
			t.Fatalf("%s.%s: %v", c.Table, c.Column, err)
		}
		if n > 0 {
			out = append(out, c.Table+"."+c.Column)
		}
	}
	return out
}
