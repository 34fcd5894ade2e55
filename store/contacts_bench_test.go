package store

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/gallant-sms/gallant/sms"
)

// benchContacts fills account 1 with n contacts (every tenth tagged
// "vip", every hundredth in a list) and messages messages to them, and
// returns the store and the list.
func benchContacts(b *testing.B, driver string, n, messages int) (*Store, int64) {
	b.Helper()
	s := newTestStore(b, driver)
	ctx := context.Background()
	batch := make([]Contact, 0, 1000)
	var ids []int64
	for i := range n {
		c := Contact{Phone: fmt.Sprintf("4477%08d", i), FirstName: fmt.Sprintf("First%d", i), LastName: "Last"}
		if i%10 == 0 {
			c.Tags = []string{"news", "vip"}
		}
		batch = append(batch, c)
		if len(batch) == cap(batch) || i == n-1 {
			got, _, _, err := s.UpsertContactsIDs(ctx, 1, batch)
			if err != nil {
				b.Fatal(err)
			}
			for j, id := range got {
				if (i-len(batch)+1+j)%100 == 0 {
					ids = append(ids, id)
				}
			}
			batch = batch[:0]
		}
	}
	l := &ContactList{AccountID: 1, Name: "bench"}
	if err := s.CreateContactList(ctx, l); err != nil {
		b.Fatal(err)
	}
	if _, err := s.AddToList(ctx, 1, l.ID, ids); err != nil {
		b.Fatal(err)
	}
	rows := make([]Row, 0, 1000)
	for i := range messages {
		m := testMessage(1, sms.ID(i+1))
		m.Dest.Addr = fmt.Sprintf("4477%08d", i%n)
		m.CreatedAt = time.Unix(1_700_000_000+int64(i), 0)
		rows = append(rows, m)
		if len(rows) == cap(rows) || i == messages-1 {
			if err := s.Insert(ctx, rows...); err != nil {
				b.Fatal(err)
			}
			rows = rows[:0]
		}
	}
	return s, l.ID
}

// benchmarkContactsPage reads a page of 100 contacts, filtered, from the
// middle of an account of 100,000, with the data a contact view needs
// (memberships, last messages over 100,000 messages, opt-outs).
func benchmarkContactsPage(b *testing.B, driver string) {
	s, list := benchContacts(b, driver, 100_000, 100_000)
	ctx := context.Background()
	for _, f := range []struct {
		name string
		f    ContactFilter
	}{
		{"all", ContactFilter{After: 50_000}},
		{"tag", ContactFilter{After: 50_000, Tag: "vip"}},
		{"list", ContactFilter{ListID: list}},
		{"phone", ContactFilter{PhonePrefix: "447700050"}},
		{"name", ContactFilter{FirstPrefix: "first5000", Either: true}},
	} {
		b.Run(f.name, func(b *testing.B) {
			f.f.Limit = 100
			b.ReportAllocs()
			for b.Loop() {
				page, _, err := s.Contacts(ctx, 1, f.f)
				if err != nil || len(page) == 0 {
					b.Fatal(len(page), err)
				}
				ids := make([]int64, len(page))
				phones := make([]string, len(page))
				for i := range page {
					ids[i], phones[i] = page[i].ID, page[i].Phone
				}
				if _, err := s.ContactListIDs(ctx, 1, ids); err != nil {
					b.Fatal(err)
				}
				if _, err := s.LastMessageTimes(ctx, 1, phones); err != nil {
					b.Fatal(err)
				}
				if _, err := s.OptedOutNumbers(ctx, 1, phones); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkContactsPageSQLite(b *testing.B) { benchmarkContactsPage(b, DriverSQLite) }

func BenchmarkContactsPageMySQL(b *testing.B) { benchmarkContactsPage(b, DriverMySQL) }

// BenchmarkLastMessageTimesSQLite is the part of a page's cost that
// looks for the last messages on SQLite: a walk of the account's newest
// lastMessageWindow messages.
func BenchmarkLastMessageTimesSQLite(b *testing.B) {
	s, _ := benchContacts(b, DriverSQLite, 1000, 100_000)
	phones := make([]string, 100)
	for i := range phones {
		phones[i] = fmt.Sprintf("4477%08d", i)
	}
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		got, err := s.LastMessageTimes(ctx, 1, phones)
		if err != nil || len(got) != 100 {
			b.Fatal(len(got), err)
		}
	}
}

// benchmarkUpsert stores batches of 1,000 new contacts, as the CSV
// import does, with or without reading their ids back.
func benchmarkUpsert(b *testing.B, driver string, ids bool) {
	s := newTestStore(b, driver)
	ctx := context.Background()
	batch := make([]Contact, 1000)
	n := 0
	b.ReportAllocs()
	for b.Loop() {
		for i := range batch {
			batch[i] = Contact{Phone: fmt.Sprintf("4477%08d", n), FirstName: "First", LastName: "Last", Tags: []string{"vip"}}
			n++
		}
		var err error
		if ids {
			_, _, _, err = s.UpsertContactsIDs(ctx, 1, batch)
		} else {
			_, _, err = s.UpsertContacts(ctx, 1, batch)
		}
		if err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "rows/s")
}

func BenchmarkUpsertContactsSQLite(b *testing.B)    { benchmarkUpsert(b, DriverSQLite, false) }
func BenchmarkUpsertContactsIDsSQLite(b *testing.B) { benchmarkUpsert(b, DriverSQLite, true) }
func BenchmarkUpsertContactsMySQL(b *testing.B)     { benchmarkUpsert(b, DriverMySQL, false) }
func BenchmarkUpsertContactsIDsMySQL(b *testing.B)  { benchmarkUpsert(b, DriverMySQL, true) }

// benchmarkListCount reads a list of 200,000 members with its count (an
// index range counted on each read).
func benchmarkListCount(b *testing.B, driver string) {
	const n = 200_000
	s, _ := benchContacts(b, driver, n, 0)
	ctx := context.Background()
	l := &ContactList{AccountID: 1, Name: "all"}
	if err := s.CreateContactList(ctx, l); err != nil {
		b.Fatal(err)
	}
	ids := make([]int64, 0, MaxListBatch)
	for id := int64(1); id <= n; id++ {
		ids = append(ids, id)
		if len(ids) == MaxListBatch {
			if _, err := s.AddToList(ctx, 1, l.ID, ids); err != nil {
				b.Fatal(err)
			}
			ids = ids[:0]
		}
	}
	b.ResetTimer()
	for b.Loop() {
		got, err := s.ContactListByID(ctx, 1, l.ID)
		if err != nil || got.Count != n {
			b.Fatal(got.Count, err)
		}
	}
}

func BenchmarkListCountSQLite(b *testing.B) { benchmarkListCount(b, DriverSQLite) }
func BenchmarkListCountMySQL(b *testing.B)  { benchmarkListCount(b, DriverMySQL) }
