package store

import (
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gallant-sms/gallant/sms"
)

// TestOptOutLedger: rows are appended all together, read back in id
// order from any point of the tail, by id, and as the newest row of a
// number at a scope; an opt-in again is a row of its own; what the table
// cannot hold is refused and nothing of its batch is stored.
func TestOptOutLedger(t *testing.T) {
	forEachDialect(t, func(t *testing.T, driver string) {
		s := newTestStore(t, driver)
		ctx := testCtx(t)
		at := time.Date(2026, 12, 7, 10, 0, 0, 123000000, time.UTC)
		rows := []OptOut{
			{Scope: 2, AccountID: 7, Number: "447700900001", OptedOut: true, Source: "keyword", Keyword: "STOP", MOID: sms.ID(1 << 62), CreatedAt: at},
			{Scope: 1, Number: "447700900002", OptedOut: true, Source: "dnd-registry"},
			{Scope: 3, AccountID: 7, Sender: "12345", Number: "447700900003", OptedOut: true, Source: "api"},
		}
		if err := s.AddOptOuts(ctx, rows); err != nil {
			t.Fatal(err)
		}
		if err := s.AddOptOuts(ctx, []OptOut{{Scope: 2, AccountID: 7, Number: "447700900001", Source: "keyword", Keyword: "START"}}); err != nil {
			t.Fatal(err)
		}
		all, err := s.OptOutsAfter(ctx, 0, 10)
		if err != nil || len(all) != 4 {
			t.Fatalf("tail from 0: %d rows, %v", len(all), err)
		}
		for i := 1; i < len(all); i++ {
			if all[i].ID <= all[i-1].ID {
				t.Fatalf("ids out of order: %d after %d", all[i].ID, all[i-1].ID)
			}
		}
		first := all[0]
		if first.Scope != 2 || first.AccountID != 7 || first.Number != "447700900001" || !first.OptedOut ||
			first.Source != "keyword" || first.Keyword != "STOP" || first.MOID != sms.ID(1<<62) || !first.CreatedAt.Equal(at) {
			t.Fatalf("first row = %+v", first)
		}
		if all[1].CreatedAt.IsZero() || all[3].OptedOut {
			t.Fatalf("rows = %+v", all)
		}
		rest, err := s.OptOutsAfter(ctx, all[1].ID, 10)
		if err != nil || len(rest) != 2 || rest[0].ID != all[2].ID {
			t.Fatalf("tail after the second: %+v, %v", rest, err)
		}
		byID, err := s.OptOutsByID(ctx, []int64{all[3].ID, all[0].ID, all[3].ID + 100})
		if err != nil || len(byID) != 2 || byID[0].ID != all[0].ID || byID[1].ID != all[3].ID {
			t.Fatalf("by id: %+v, %v", byID, err)
		}
		latest, err := s.LatestOptOut(ctx, 2, 7, "", "447700900001")
		if err != nil || latest.ID != all[3].ID || latest.OptedOut {
			t.Fatalf("latest: %+v, %v", latest, err)
		}
		if _, err := s.LatestOptOut(ctx, 2, 8, "", "447700900001"); !errors.Is(err, ErrNotFound) {
			t.Fatalf("another account's latest: %v, want ErrNotFound", err)
		}
		bad := [][]OptOut{
			{{Scope: 2, AccountID: 7, Number: "447700900009", OptedOut: true, Source: "api"}, {Scope: 4, Number: "1"}},
			{{Scope: 2, AccountID: 7, Number: ""}},
			{{Scope: 2, AccountID: 7, Number: "447700900009", Keyword: string(make([]byte, 33))}},
		}
		for i, b := range bad {
			if err := s.AddOptOuts(ctx, b); !errors.Is(err, ErrInvalid) {
				t.Errorf("bad batch %d: %v, want ErrInvalid", i, err)
			}
		}
		if n, _ := s.OptOutsAfter(ctx, 0, 100); len(n) != 4 {
			t.Fatalf("a refused batch left %d rows", len(n)-4)
		}
		if _, err := s.OptOutsAfter(ctx, 0, 0); !errors.Is(err, ErrInvalid) {
			t.Fatalf("page 0: %v", err)
		}
	})
}

// TestOptOutLedgerBulk: a batch far larger than one statement is stored
// whole, in order.
func TestOptOutLedgerBulk(t *testing.T) {
	forEachDialect(t, func(t *testing.T, driver string) {
		s := newTestStore(t, driver)
		ctx := testCtx(t)
		const n = 20000
		rows := make([]OptOut, n)
		for i := range rows {
			rows[i] = OptOut{Scope: 2, AccountID: 3, Number: strconv.Itoa(447700000000 + i), OptedOut: true, Source: "import"}
		}
		if err := s.AddOptOuts(ctx, rows); err != nil {
			t.Fatal(err)
		}
		got, err := s.OptOutsAfter(ctx, 0, maxOptOutPage)
		if err != nil || len(got) != n {
			t.Fatalf("%d rows, %v", len(got), err)
		}
		for i, r := range got {
			if r.Number != rows[i].Number {
				t.Fatalf("row %d is %s, want %s", i, r.Number, rows[i].Number)
			}
		}
	})
}

// TestOptOutCurrentAndHistory: the current opt-outs of an account are the
// entries whose newest row is an opt-out, paged in number order without
// losing or repeating an entry; history shows a number's rows for the
// account and platform-wide, newest first, and nothing of other accounts.
func TestOptOutCurrentAndHistory(t *testing.T) {
	forEachDialect(t, func(t *testing.T, driver string) {
		s := newTestStore(t, driver)
		ctx := testCtx(t)
		add := func(rows ...OptOut) {
			t.Helper()
			if err := s.AddOptOuts(ctx, rows); err != nil {
				t.Fatal(err)
			}
		}
		acct := func(n string, out bool) OptOut {
			return OptOut{Scope: 2, AccountID: 7, Number: n, OptedOut: out, Source: "api"}
		}
		add(acct("447700900001", true), acct("447700900002", true), acct("447700900003", true))
		add(acct("447700900002", false))                                                                                // opted in again
		add(acct("447700900003", true))                                                                                 // STOP twice: one entry
		add(OptOut{Scope: 3, AccountID: 7, Sender: "12345", Number: "447700900001", OptedOut: true, Source: "keyword"}) // a second scope
		add(OptOut{Scope: 2, AccountID: 8, Number: "447700900004", OptedOut: true, Source: "api"})                      // another account
		add(OptOut{Scope: 1, Number: "447700900001", OptedOut: true, Source: "dnd-registry"})                           // platform-wide

		var got []string
		var cur OptOutCursor
		for range 10 {
			page, err := s.CurrentOptOuts(ctx, 7, cur, 1)
			if err != nil {
				t.Fatal(err)
			}
			if len(page) == 0 {
				break
			}
			r := page[0]
			got = append(got, r.Number+"/"+strconv.Itoa(int(r.Scope)))
			cur = OptOutCursor{Number: r.Number, ID: r.ID}
		}
		want := []string{"447700900001/2", "447700900001/3", "447700900003/2"}
		if strings.Join(got, ",") != strings.Join(want, ",") {
			t.Fatalf("current opt-outs of 7: %v, want %v", got, want)
		}
		hist, err := s.OptOutHistory(ctx, 7, "447700900001", 100)
		if err != nil || len(hist) != 3 || hist[0].Scope != 1 || hist[1].Scope != 3 || hist[2].Scope != 2 {
			t.Fatalf("history: %+v, %v", hist, err)
		}
		if hist, err := s.OptOutHistory(ctx, 8, "447700900002", 100); err != nil || len(hist) != 0 {
			t.Fatalf("account 8 sees account 7's rows: %+v, %v", hist, err)
		}
	})
}

// TestKeywordSettings: an account without settings reads the zero value;
// Put stores and replaces them; another account's stay apart; what the
// columns cannot hold is refused.
func TestKeywordSettings(t *testing.T) {
	forEachDialect(t, func(t *testing.T, driver string) {
		s := newTestStore(t, driver)
		ctx := testCtx(t)
		k, err := s.KeywordSettingsOf(ctx, 7)
		if err != nil || k.AccountID != 7 || k.StopWords != nil || k.HelpReply != "" {
			t.Fatalf("no settings: %+v, %v", k, err)
		}
		put := &KeywordSettings{AccountID: 7, StopWords: []string{"HALT", "ENOUGH"}, HelpReply: "Acme: call 0800"}
		if err := s.PutKeywordSettings(ctx, put); err != nil {
			t.Fatal(err)
		}
		put2 := &KeywordSettings{AccountID: 7, StartWords: []string{"AGAIN"}, StopReply: "bye"}
		if err := s.PutKeywordSettings(ctx, put2); err != nil {
			t.Fatal(err)
		}
		if err := s.PutKeywordSettings(ctx, &KeywordSettings{AccountID: 8, StopWords: []string{"NOPE"}}); err != nil {
			t.Fatal(err)
		}
		k, err = s.KeywordSettingsOf(ctx, 7)
		if err != nil || k.StopWords != nil || len(k.StartWords) != 1 || k.StartWords[0] != "AGAIN" || k.StopReply != "bye" ||
			k.HelpReply != "" || k.UpdatedAt.IsZero() {
			t.Fatalf("replaced settings: %+v, %v", k, err)
		}
		if err := s.PutKeywordSettings(ctx, &KeywordSettings{AccountID: 7, HelpReply: strings.Repeat("x", 2049)}); !errors.Is(err, ErrInvalid) {
			t.Fatalf("a reply too long: %v", err)
		}
	})
}

// TestDNDRegistry: a registry's chunks are replaced whole, read back in
// order with the version they belong to; registries of other countries
// stay; a new import raises the version.
func TestDNDRegistry(t *testing.T) {
	forEachDialect(t, func(t *testing.T, driver string) {
		s := newTestStore(t, driver)
		ctx := testCtx(t)
		read := func(country string) (int64, []string) {
			var got []string
			v, err := s.DNDChunks(ctx, country, func(c []byte) error { got = append(got, string(c)); return nil })
			if err != nil {
				t.Fatal(err)
			}
			return v, got
		}
		if v, got := read("GB"); v != 0 || len(got) != 0 {
			t.Fatalf("no registry: version %d, %v", v, got)
		}
		big := strings.Repeat("x", 600_000) // larger than one default packet chunk of some drivers
		if v, err := s.ReplaceDND(ctx, "GB", [][]byte{[]byte("one"), []byte(big), []byte("three")}, 3); err != nil || v != 1 {
			t.Fatalf("first import: %d, %v", v, err)
		}
		if _, err := s.ReplaceDND(ctx, "IN", [][]byte{[]byte("india")}, 1); err != nil {
			t.Fatal(err)
		}
		if v, got := read("GB"); v != 1 || len(got) != 3 || got[0] != "one" || got[1] != big || got[2] != "three" {
			t.Fatalf("GB: version %d, %d chunks", v, len(got))
		}
		if v, err := s.ReplaceDND(ctx, "GB", [][]byte{[]byte("new")}, 1); err != nil || v != 2 {
			t.Fatalf("second import: %d, %v", v, err)
		}
		if v, got := read("GB"); v != 2 || len(got) != 1 || got[0] != "new" {
			t.Fatalf("GB after the second import: version %d, %v", v, got)
		}
		regs, err := s.DNDRegistries(ctx)
		if err != nil || len(regs) != 2 || regs[0].Country != "GB" || regs[0].Version != 2 || regs[0].Count != 1 ||
			regs[1].Country != "IN" || regs[1].ImportedAt.IsZero() {
			t.Fatalf("registries: %+v, %v", regs, err)
		}
		if _, err := s.ReplaceDND(ctx, "", nil, 0); !errors.Is(err, ErrInvalid) {
			t.Fatalf("no country: %v", err)
		}
	})
}
