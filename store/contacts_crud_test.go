package store

import (
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/gallant-sms/gallant/sms"
)

// TestContactCRUD: a contact is created once per account and phone, read
// by id only by its account, updated (a phone taken by another contact
// is refused) and erased.
func TestContactCRUD(t *testing.T) {
	forEachDialect(t, func(t *testing.T, driver string) {
		s := newTestStore(t, driver)
		ctx := testCtx(t)
		c := &Contact{AccountID: 1, Phone: "447700900001", FirstName: "Ada", LastName: "Lovelace", Email: "ada@example.com",
			Language: "en", TimeZone: "Europe/London", Fields: `{"plan":"gold"}`, Tags: []string{"vip", "beta"}}
		if err := s.CreateContact(ctx, c); err != nil || c.ID == 0 || c.CreatedAt.IsZero() {
			t.Fatalf("create: %+v, %v", c, err)
		}
		if err := s.CreateContact(ctx, &Contact{AccountID: 1, Phone: "447700900001"}); !errors.Is(err, ErrDuplicate) {
			t.Fatalf("same phone again: %v, want ErrDuplicate", err)
		}
		other := &Contact{AccountID: 2, Phone: "447700900001", FirstName: "Bob"}
		if err := s.CreateContact(ctx, other); err != nil {
			t.Fatalf("another account, same phone: %v", err)
		}
		got, err := s.ContactByID(ctx, 1, c.ID)
		if err != nil || got.FirstName != "Ada" || got.Fields != `{"plan":"gold"}` || !slices.Equal(got.Tags, []string{"vip", "beta"}) ||
			!got.CreatedAt.Equal(c.CreatedAt) || got.TimeZone != "Europe/London" {
			t.Fatalf("by id: %+v, %v", got, err)
		}
		if _, err := s.ContactByID(ctx, 2, c.ID); !errors.Is(err, ErrNotFound) {
			t.Fatalf("account 2 reads account 1's contact: %v", err)
		}
		second := &Contact{AccountID: 1, Phone: "447700900002"}
		if err := s.CreateContact(ctx, second); err != nil {
			t.Fatal(err)
		}
		second.Phone = "447700900001"
		if err := s.UpdateContact(ctx, second); !errors.Is(err, ErrDuplicate) {
			t.Fatalf("update to a phone in use: %v", err)
		}
		upd := got
		upd.Phone, upd.FirstName, upd.Tags = "447700900003", "Augusta", nil
		if err := s.UpdateContact(ctx, &upd); err != nil || upd.Phone != "447700900003" || upd.FirstName != "Augusta" ||
			upd.Tags != nil || !upd.CreatedAt.Equal(c.CreatedAt) {
			t.Fatalf("update: %+v, %v", upd, err)
		}
		stranger := upd
		stranger.AccountID = 2
		if err := s.UpdateContact(ctx, &stranger); !errors.Is(err, ErrNotFound) {
			t.Fatalf("account 2 updates account 1's contact: %v", err)
		}
		if got, _ := s.ContactByID(ctx, 1, c.ID); got.FirstName != "Augusta" {
			t.Fatalf("after a foreign update: %+v", got)
		}
		if err := s.DeleteContact(ctx, 2, c.ID); !errors.Is(err, ErrNotFound) {
			t.Fatalf("account 2 deletes account 1's contact: %v", err)
		}
		if err := s.DeleteContact(ctx, 1, c.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := s.ContactByID(ctx, 1, c.ID); !errors.Is(err, ErrNotFound) {
			t.Fatalf("after delete: %v", err)
		}
		if err := s.DeleteContact(ctx, 1, c.ID); !errors.Is(err, ErrNotFound) {
			t.Fatalf("delete again: %v", err)
		}
		if err := s.CreateContact(ctx, &Contact{AccountID: 1, Phone: "44770090000", FirstName: string(make([]byte, 101))}); !errors.Is(err, ErrInvalid) {
			t.Fatalf("a name too long: %v", err)
		}
	})
}

// seedContacts creates n contacts of account with phones 4477009000NN,
// names "First<i>"/"Last<i>", and returns them in id order.
func seedContacts(t *testing.T, s *Store, account int64, n int, edit func(i int, c *Contact)) []Contact {
	t.Helper()
	out := make([]Contact, n)
	for i := range n {
		c := Contact{AccountID: account, Phone: fmt.Sprintf("4477009%05d", i), FirstName: fmt.Sprintf("First%d", i),
			LastName: fmt.Sprintf("Last%d", i)}
		if edit != nil {
			edit(i, &c)
		}
		if err := s.CreateContact(testCtx(t), &c); err != nil {
			t.Fatal(err)
		}
		out[i] = c
	}
	return out
}

func contactIDs(cs []Contact) []int64 {
	out := make([]int64, len(cs))
	for i := range cs {
		out[i] = cs[i].ID
	}
	return out
}

// allContacts reads every page of f.
func allContacts(t *testing.T, s *Store, account int64, f ContactFilter) []int64 {
	t.Helper()
	var ids []int64
	for pages := 0; pages < 100; pages++ {
		page, next, err := s.Contacts(testCtx(t), account, f)
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, contactIDs(page)...)
		if next == 0 {
			return ids
		}
		f.After = next
	}
	t.Fatal("more than 100 pages")
	return nil
}

// TestContactsFilter: pages by id cover an account's contacts once each
// and nothing of another account's; phone and name prefixes, whole
// tags, list membership and segments select as documented.
func TestContactsFilter(t *testing.T) {
	forEachDialect(t, func(t *testing.T, driver string) {
		s := newTestStore(t, driver)
		ctx := testCtx(t)
		tags := [][]string{{"vip"}, {"vipper"}, {"a_b", "vip"}, {"VIP"}, {"x%"}, nil}
		cs := seedContacts(t, s, 1, 25, func(i int, c *Contact) {
			c.Tags = tags[i%len(tags)]
			if i == 7 {
				c.FirstName, c.LastName = "Ada", "Lovelace"
			}
			if i == 8 {
				c.FirstName, c.LastName = "Lovely", "Day"
			}
			if i == 9 {
				c.Phone = "33612345678"
			}
		})
		foreign := seedContacts(t, s, 2, 3, func(i int, c *Contact) { c.Tags = []string{"vip"}; c.FirstName = "Ada" })
		all := allContacts(t, s, 1, ContactFilter{Limit: 10})
		if !slices.Equal(all, contactIDs(cs)) {
			t.Fatalf("pages: %v, want %v", all, contactIDs(cs))
		}
		if page, next, err := s.Contacts(ctx, 1, ContactFilter{Limit: 25}); err != nil || len(page) != 25 || next != 0 {
			t.Fatalf("one full page: %d, %d, %v", len(page), next, err)
		}
		if _, _, err := s.Contacts(ctx, 1, ContactFilter{Limit: MaxContactsPage + 1}); !errors.Is(err, ErrInvalid) {
			t.Fatalf("limit over the cap: %v", err)
		}
		pick := func(idx ...int) []int64 {
			var out []int64
			for _, i := range idx {
				out = append(out, cs[i].ID)
			}
			return out
		}
		withTag := func(tag string) []int64 {
			var out []int64
			for i := range cs {
				if slices.Contains(cs[i].Tags, tag) {
					out = append(out, cs[i].ID)
				}
			}
			return out
		}
		for _, c := range []struct {
			name string
			f    ContactFilter
			want []int64
		}{
			{"tag vip is whole and case-sensitive", ContactFilter{Tag: "vip"}, withTag("vip")},
			{"tag VIP", ContactFilter{Tag: "VIP"}, withTag("VIP")},
			{"tag vi matches no tag", ContactFilter{Tag: "vi"}, nil},
			{"tag with an underscore", ContactFilter{Tag: "a_b"}, withTag("a_b")},
			{"tag with a percent", ContactFilter{Tag: "x%"}, withTag("x%")},
			{"phone prefix", ContactFilter{PhonePrefix: "336"}, pick(9)},
			{"phone prefix of many", ContactFilter{PhonePrefix: "44770090001"}, pick(10, 11, 12, 13, 14, 15, 16, 17, 18, 19)},
			{"first name prefix, any case", ContactFilter{FirstPrefix: "ADA"}, pick(7)},
			{"either name", ContactFilter{FirstPrefix: "love", Either: true}, pick(7, 8)},
			{"first and last", ContactFilter{FirstPrefix: "lov", LastPrefix: "d"}, pick(8)},
			{"a LIKE wildcard is a character", ContactFilter{FirstPrefix: "%"}, nil},
			{"tag and name", ContactFilter{Tag: "vip", FirstPrefix: "first2"}, pick(2, 20, 24)},
		} {
			t.Run(c.name, func(t *testing.T) {
				c.f.Limit = 4
				if got := allContacts(t, s, 1, c.f); !slices.Equal(got, c.want) {
					t.Fatalf("got %v, want %v", got, c.want)
				}
			})
		}
		// The tag of account 2's contacts does not show in account 1's.
		if got := allContacts(t, s, 2, ContactFilter{Limit: 10, Tag: "vip"}); !slices.Equal(got, contactIDs(foreign)) {
			t.Fatalf("account 2's vip: %v", got)
		}
		// List membership.
		l := &ContactList{AccountID: 1, Name: "members"}
		if err := s.CreateContactList(ctx, l); err != nil {
			t.Fatal(err)
		}
		if n, err := s.AddToList(ctx, 1, l.ID, pick(3, 1, 20)); err != nil || n != 3 {
			t.Fatalf("add: %d, %v", n, err)
		}
		if got := allContacts(t, s, 1, ContactFilter{Limit: 2, ListID: l.ID}); !slices.Equal(got, pick(1, 3, 20)) {
			t.Fatalf("members: %v", got)
		}
		if got := allContacts(t, s, 1, ContactFilter{Limit: 2, ListID: l.ID, Tag: "vipper"}); !slices.Equal(got, pick(1)) {
			t.Fatalf("members with tag vipper: %v", got)
		}
		if _, _, err := s.Contacts(ctx, 2, ContactFilter{Limit: 2, ListID: l.ID}); !errors.Is(err, ErrNotFound) {
			t.Fatalf("account 2 filters by account 1's list: %v", err)
		}
		if _, _, err := s.Contacts(ctx, 1, ContactFilter{Limit: 2, SegmentID: 999}); !errors.Is(err, ErrNotFound) {
			t.Fatalf("unknown segment: %v", err)
		}
	})
}

// TestContactLists: lists are per account with unique names; members are
// added by id and phone (other accounts' contacts skipped, members
// already not counted twice), counted, removed; deleting a list keeps
// its contacts, deleting a contact removes its memberships.
func TestContactLists(t *testing.T) {
	forEachDialect(t, func(t *testing.T, driver string) {
		s := newTestStore(t, driver)
		ctx := testCtx(t)
		cs := seedContacts(t, s, 1, 5, nil)
		foreign := seedContacts(t, s, 2, 2, func(i int, c *Contact) { c.Phone = fmt.Sprintf("3361234%04d", i) })
		a := &ContactList{AccountID: 1, Name: "A"}
		b := &ContactList{AccountID: 1, Name: "B"}
		for _, l := range []*ContactList{a, b} {
			if err := s.CreateContactList(ctx, l); err != nil {
				t.Fatal(err)
			}
		}
		if err := s.CreateContactList(ctx, &ContactList{AccountID: 1, Name: "A"}); !errors.Is(err, ErrDuplicate) {
			t.Fatalf("a name twice: %v", err)
		}
		theirs := &ContactList{AccountID: 2, Name: "A"}
		if err := s.CreateContactList(ctx, theirs); err != nil {
			t.Fatalf("another account's A: %v", err)
		}
		n, err := s.AddToList(ctx, 1, a.ID, []int64{cs[0].ID, cs[1].ID, foreign[0].ID, 999_999})
		if err != nil || n != 2 {
			t.Fatalf("add by id: %d, %v", n, err)
		}
		ch, err := s.ChangeList(ctx, 1, a.ID, []int64{cs[1].ID}, []string{cs[2].Phone, foreign[1].Phone, "1999"}, true)
		if err != nil || ch.Changed != 1 || ch.Matched != 2 {
			t.Fatalf("add by phone: %+v, %v", ch, err)
		}
		if _, err := s.AddToList(ctx, 1, theirs.ID, []int64{cs[0].ID}); !errors.Is(err, ErrNotFound) {
			t.Fatalf("add to another account's list: %v", err)
		}
		if _, err := s.AddToList(ctx, 2, a.ID, []int64{foreign[0].ID}); !errors.Is(err, ErrNotFound) {
			t.Fatalf("account 2 adds to account 1's list: %v", err)
		}
		if _, err := s.AddToList(ctx, 1, a.ID, make([]int64, MaxListBatch+1)); !errors.Is(err, ErrInvalid) {
			t.Fatalf("over the batch cap: %v", err)
		}
		if _, err := s.AddToList(ctx, 1, b.ID, []int64{cs[0].ID}); err != nil {
			t.Fatal(err)
		}
		got, err := s.ContactListByID(ctx, 1, a.ID)
		if err != nil || got.Count != 3 || got.Name != "A" {
			t.Fatalf("list A: %+v, %v", got, err)
		}
		if _, err := s.ContactListByID(ctx, 2, a.ID); !errors.Is(err, ErrNotFound) {
			t.Fatalf("account 2 reads list A: %v", err)
		}
		ls, next, err := s.ContactLists(ctx, 1, 0, 1)
		if err != nil || len(ls) != 1 || ls[0].ID != a.ID || next != a.ID {
			t.Fatalf("lists page 1: %+v, %d, %v", ls, next, err)
		}
		ls, next, err = s.ContactLists(ctx, 1, next, 1)
		if err != nil || len(ls) != 1 || ls[0].ID != b.ID || ls[0].Count != 1 || next != 0 {
			t.Fatalf("lists page 2: %+v, %d, %v", ls, next, err)
		}
		memberships, err := s.ContactListIDs(ctx, 1, contactIDs(cs))
		if err != nil || !slices.Equal(memberships[cs[0].ID], []int64{a.ID, b.ID}) || !slices.Equal(memberships[cs[2].ID], []int64{a.ID}) ||
			len(memberships[cs[3].ID]) != 0 {
			t.Fatalf("memberships: %v, %v", memberships, err)
		}
		if m, _ := s.ContactListIDs(ctx, 2, contactIDs(cs)); len(m) != 0 {
			t.Fatalf("account 2 sees account 1's memberships: %v", m)
		}
		if _, err := s.RenameContactList(ctx, 1, b.ID, "A"); !errors.Is(err, ErrDuplicate) {
			t.Fatalf("rename to a name in use: %v", err)
		}
		if _, err := s.RenameContactList(ctx, 2, b.ID, "C"); !errors.Is(err, ErrNotFound) {
			t.Fatalf("account 2 renames account 1's list: %v", err)
		}
		if r, err := s.RenameContactList(ctx, 1, b.ID, "C"); err != nil || r.Name != "C" || r.Count != 1 {
			t.Fatalf("rename: %+v, %v", r, err)
		}
		ch, err = s.ChangeList(ctx, 1, a.ID, []int64{cs[0].ID}, []string{cs[2].Phone, cs[4].Phone}, false)
		if err != nil || ch.Changed != 2 || ch.Matched != 3 {
			t.Fatalf("remove: %+v, %v", ch, err)
		}
		// Erasing a contact removes its memberships.
		if err := s.DeleteContact(ctx, 1, cs[1].ID); err != nil {
			t.Fatal(err)
		}
		if got, _ := s.ContactListByID(ctx, 1, a.ID); got.Count != 0 {
			t.Fatalf("list A after its last member was deleted: %+v", got)
		}
		if err := s.DeleteContactList(ctx, 2, b.ID); !errors.Is(err, ErrNotFound) {
			t.Fatalf("account 2 deletes list C: %v", err)
		}
		if err := s.DeleteContactList(ctx, 1, b.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := s.ContactByID(ctx, 1, cs[0].ID); err != nil {
			t.Fatalf("a member of a deleted list: %v", err)
		}
		var left int
		if err := s.r.GetContext(ctx, &left, "SELECT COUNT(*) FROM contact_list_members WHERE list_id = ?", b.ID); err != nil || left != 0 {
			t.Fatalf("memberships of a deleted list: %d, %v", left, err)
		}
	})
}

// TestUpsertContactsIDs: the ids come back in the batch's order, for new
// and known phones alike, and put the rows in a list.
func TestUpsertContactsIDs(t *testing.T) {
	forEachDialect(t, func(t *testing.T, driver string) {
		s := newTestStore(t, driver)
		ctx := testCtx(t)
		known := seedContacts(t, s, 1, 1, nil)[0]
		batch := []Contact{{Phone: "447700900555"}, {Phone: known.Phone, FirstName: "Again"}, {Phone: "447700900556"}}
		ids, ins, upd, err := s.UpsertContactsIDs(ctx, 1, batch)
		if err != nil || ins != 2 || upd != 1 || len(ids) != 3 || ids[1] != known.ID || ids[0] == 0 || ids[2] == 0 || ids[0] == ids[2] {
			t.Fatalf("upsert: %v %d %d %v", ids, ins, upd, err)
		}
		for i, id := range ids {
			c, err := s.ContactByID(ctx, 1, id)
			if err != nil || c.Phone != batch[i].Phone || batch[i].ID != id {
				t.Fatalf("id %d: %+v, %v", id, c, err)
			}
		}
		l := &ContactList{AccountID: 1, Name: "import"}
		if err := s.CreateContactList(ctx, l); err != nil {
			t.Fatal(err)
		}
		if n, err := s.AddToList(ctx, 1, l.ID, ids); err != nil || n != 3 {
			t.Fatalf("add the batch: %d, %v", n, err)
		}
		if n, err := s.AddToList(ctx, 1, l.ID, ids); err != nil || n != 0 {
			t.Fatalf("add the batch again: %d, %v", n, err)
		}
	})
}

// TestLastMessageTimes: the newest message to each phone of the account,
// none for a phone never messaged or messaged by another account only.
func TestLastMessageTimes(t *testing.T) {
	forEachDialect(t, func(t *testing.T, driver string) {
		s := newTestStore(t, driver)
		ctx := testCtx(t)
		var rows []Row
		for i := 1; i <= 6; i++ {
			acct := int64(1)
			if i == 6 {
				acct = 2
			}
			m := testMessage(acct, sms.ID(i))
			m.CreatedAt = base.Add(time.Duration(i) * time.Minute)
			m.Dest.Addr = []string{"447700900001", "447700900002"}[i%2]
			if i == 6 {
				m.Dest.Addr = "447700900003"
			}
			rows = append(rows, m)
		}
		if err := s.Insert(ctx, rows...); err != nil {
			t.Fatal(err)
		}
		got, err := s.LastMessageTimes(ctx, 1, []string{"447700900001", "447700900002", "447700900003", "447700900004"})
		if err != nil || len(got) != 2 || !got["447700900001"].Equal(base.Add(4*time.Minute)) ||
			!got["447700900002"].Equal(base.Add(5*time.Minute)) {
			t.Fatalf("last messages: %v, %v", got, err)
		}
		if got, err := s.LastMessageTimes(ctx, 1, nil); err != nil || len(got) != 0 {
			t.Fatalf("no phones: %v, %v", got, err)
		}
	})
}

// TestContactDefaultCountry: unset is "", set and changed per account.
func TestContactDefaultCountry(t *testing.T) {
	forEachDialect(t, func(t *testing.T, driver string) {
		s := newTestStore(t, driver)
		ctx := testCtx(t)
		if c, err := s.ContactDefaultCountry(ctx, 1); err != nil || c != "" {
			t.Fatalf("unset: %q, %v", c, err)
		}
		for _, want := range []string{"GB", "FR"} {
			if err := s.SetContactDefaultCountry(ctx, 1, want); err != nil {
				t.Fatal(err)
			}
			if c, err := s.ContactDefaultCountry(ctx, 1); err != nil || c != want {
				t.Fatalf("got %q, %v; want %s", c, err, want)
			}
		}
		if c, _ := s.ContactDefaultCountry(ctx, 2); c != "" {
			t.Fatalf("account 2: %q", c)
		}
	})
}
