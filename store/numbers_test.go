package store

import (
	"errors"
	"testing"
	"time"

	"github.com/gallant-sms/gallant/sms"
)

// TestNumbers: a number is held by one account (the same number, kind
// and keyword twice is refused), read, listed and changed by its account
// only, listed for the platform, and deleted; every change moves the
// version caches reload on.
func TestNumbers(t *testing.T) {
	forEachDialect(t, func(t *testing.T, driver string) {
		s := newTestStore(t, driver)
		ctx := testCtx(t)
		v0, err := s.NumbersVersion(ctx)
		if err != nil {
			t.Fatal(err)
		}
		a := &Number{AccountID: 7, Number: "447700900999", Kind: NumberLong, WebhookURL: "https://h.example/x", SMPP: true}
		if err := s.AddNumber(ctx, a); err != nil || a.ID == 0 || a.CreatedAt.IsZero() {
			t.Fatalf("add: %+v, %v", a, err)
		}
		kw := &Number{AccountID: 8, Number: "60000", Kind: NumberKeyword, Keyword: "PIZZA"}
		if err := s.AddNumber(ctx, kw); err != nil {
			t.Fatal(err)
		}
		if err := s.AddNumber(ctx, &Number{AccountID: 9, Number: "60000", Kind: NumberKeyword, Keyword: "TAXI"}); err != nil {
			t.Fatalf("a second keyword on the shared code: %v", err)
		}
		if err := s.AddNumber(ctx, &Number{AccountID: 8, Number: "447700900999", Kind: NumberLong}); !errors.Is(err, ErrDuplicate) {
			t.Fatalf("a number twice: %v, want ErrDuplicate", err)
		}
		for _, bad := range []Number{{Number: "1", Kind: NumberLong}, {AccountID: 1, Kind: NumberLong},
			{AccountID: 1, Number: "1", Kind: 9}, {AccountID: 1, Number: "1", Kind: NumberKeyword}, {AccountID: 1, Number: "1", Kind: NumberLong, Keyword: "X"}} {
			if err := s.AddNumber(ctx, &bad); !errors.Is(err, ErrInvalid) {
				t.Errorf("add %+v: %v, want ErrInvalid", bad, err)
			}
		}
		if _, err := s.GetNumber(ctx, 8, a.ID); !errors.Is(err, ErrNotFound) {
			t.Errorf("another account reads the number: %v", err)
		}
		got, err := s.GetNumber(ctx, 7, a.ID)
		if err != nil || got.Number != a.Number || got.WebhookURL != a.WebhookURL || !got.SMPP || got.Kind != NumberLong {
			t.Fatalf("get: %+v, %v", got, err)
		}
		if by, err := s.NumberByID(ctx, kw.ID); err != nil || by.AccountID != 8 || by.Keyword != "PIZZA" {
			t.Fatalf("by id: %+v, %v", by, err)
		}
		mine, err := s.AccountNumbers(ctx, 7, 0, 10)
		if err != nil || len(mine) != 1 || mine[0].ID != a.ID {
			t.Fatalf("account 7's numbers: %+v, %v", mine, err)
		}
		all, err := s.AllNumbers(ctx, 0, 10)
		if err != nil || len(all) != 3 {
			t.Fatalf("all numbers: %+v, %v", all, err)
		}
		if page, _ := s.AllNumbers(ctx, all[0].ID, 10); len(page) != 2 {
			t.Errorf("numbers after the first: %d, want 2", len(page))
		}
		v1, _ := s.NumbersVersion(ctx)
		if v1 == v0 {
			t.Error("version unchanged by adds")
		}
		// Another account cannot change it; its owner can.
		if err := s.UpdateNumber(ctx, &Number{ID: a.ID, AccountID: 8, SMPP: false}); !errors.Is(err, ErrNotFound) {
			t.Errorf("another account changes the number: %v", err)
		}
		up := &Number{ID: a.ID, AccountID: 7, Carrier: "acme", WebhookURL: ""}
		if err := s.UpdateNumber(ctx, up); err != nil || up.Carrier != "acme" || up.WebhookURL != "" || up.SMPP || up.Number != a.Number {
			t.Fatalf("update: %+v, %v", up, err)
		}
		if v2, _ := s.NumbersVersion(ctx); v2 == v1 {
			t.Error("version unchanged by an update")
		}
		if err := s.DeleteNumber(ctx, 8, a.ID); !errors.Is(err, ErrNotFound) {
			t.Errorf("another account deletes the number: %v", err)
		}
		if err := s.DeleteNumber(ctx, 7, a.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := s.GetNumber(ctx, 7, a.ID); !errors.Is(err, ErrNotFound) {
			t.Errorf("deleted number: %v", err)
		}
	})
}

// TestInbound: routed MOs are stored with their routing columns and
// listed per account with filters and a cursor, newest first; the
// conversation view merges an account's MOs from a counterpart with its
// messages to it, and shows nothing of another account's.
func TestInbound(t *testing.T) {
	forEachDialect(t, func(t *testing.T, driver string) {
		s := newTestStore(t, driver)
		ctx := testCtx(t)
		base := time.Now().UTC().Truncate(time.Millisecond).Add(-time.Hour)
		mo := func(id sms.ID, acct int64, from, to, body string, at time.Duration) *InboundMO {
			return &InboundMO{MO: sms.MO{ID: id, AccountID: acct, Carrier: "c1", Source: sms.Address{Addr: from},
				Dest: sms.Address{Addr: to}, Body: []byte(body), ReceivedAt: base.Add(at)}, NumberID: acct * 10, Parts: 1}
		}
		rows := []*InboundMO{
			mo(101, 7, "447700900001", "447700900999", "one", 0),
			mo(102, 7, "447700900002", "447700900999", "two", time.Minute),
			mo(103, 7, "447700900001", "447700900998", "three", 2*time.Minute),
			mo(104, 8, "447700900001", "60000", "PIZZA", 3*time.Minute),
		}
		rows[3].Keyword, rows[3].Parts, rows[3].Partial = "PIZZA", 3, true
		for _, r := range rows {
			if err := s.Insert(ctx, r); err != nil {
				t.Fatal(err)
			}
		}
		list := func(acct int64, f InboundFilter) []sms.ID {
			t.Helper()
			got, _, err := s.ListInbound(ctx, acct, f)
			if err != nil {
				t.Fatal(err)
			}
			var ids []sms.ID
			for _, m := range got {
				ids = append(ids, m.ID)
			}
			return ids
		}
		eq := func(what string, got []sms.ID, want ...sms.ID) {
			t.Helper()
			if len(got) != len(want) {
				t.Errorf("%s: %v, want %v", what, got, want)
				return
			}
			for i := range got {
				if got[i] != want[i] {
					t.Errorf("%s: %v, want %v", what, got, want)
					return
				}
			}
		}
		eq("account 7", list(7, InboundFilter{}), 103, 102, 101)
		eq("sender", list(7, InboundFilter{Sender: "447700900001"}), 103, 101)
		eq("number", list(7, InboundFilter{Number: "447700900999"}), 102, 101)
		eq("since", list(7, InboundFilter{Since: base.Add(time.Minute)}), 103, 102)
		eq("until", list(7, InboundFilter{Until: base.Add(time.Minute)}), 101)
		eq("account 8", list(8, InboundFilter{}), 104)
		eq("catch-all", list(0, InboundFilter{}))
		page, next, err := s.ListInbound(ctx, 7, InboundFilter{Limit: 2})
		if err != nil || len(page) != 2 || next != 102 {
			t.Fatalf("first page: %d, next %v, %v", len(page), next, err)
		}
		eq("second page", list(7, InboundFilter{Limit: 2, After: next}), 101)
		got, _, _ := s.ListInbound(ctx, 8, InboundFilter{})
		if m := got[0]; m.Keyword != "PIZZA" || m.Parts != 3 || !m.Partial || m.NumberID != 80 || string(m.Body) != "PIZZA" {
			t.Errorf("routing columns: %+v", m)
		}
		// The MOs stored before routing (sms.MO) read as one part.
		if err := s.InsertMO(ctx, &sms.MO{ID: 105, Carrier: "c1", Body: []byte("x"), ReceivedAt: base}); err != nil {
			t.Fatal(err)
		}
		if got, _, _ := s.ListInbound(ctx, 0, InboundFilter{}); len(got) != 1 || got[0].Parts != 1 || got[0].Partial {
			t.Errorf("catch-all MO: %+v", got)
		}

		cs, err := s.Conversations(ctx, 7, time.Time{}, 10)
		if err != nil || len(cs) != 2 || cs[0].Counterpart != "447700900001" || cs[0].Inbound != 2 || cs[1].Counterpart != "447700900002" {
			t.Fatalf("conversations: %+v, %v", cs, err)
		}
		if cs, _ := s.Conversations(ctx, 7, cs[0].LastAt, 10); len(cs) != 1 || cs[0].Counterpart != "447700900002" {
			t.Errorf("conversations before the newest: %+v", cs)
		}
		out := &sms.Message{ID: 201, AccountID: 7, Source: sms.Address{Addr: "447700900999"}, Dest: sms.Address{Addr: "447700900001"},
			Body: []byte("reply"), Segments: 1, CreatedAt: base.Add(90 * time.Second)}
		other := &sms.Message{ID: 202, AccountID: 8, Source: sms.Address{Addr: "60000"}, Dest: sms.Address{Addr: "447700900001"},
			Body: []byte("theirs"), Segments: 1, CreatedAt: base.Add(4 * time.Minute)}
		for _, m := range []*sms.Message{out, other} {
			if err := s.Insert(ctx, m); err != nil {
				t.Fatal(err)
			}
		}
		items, err := s.ConversationPage(ctx, 7, "447700900001", time.Time{}, 10)
		if err != nil || len(items) != 3 {
			t.Fatalf("conversation: %+v, %v", items, err)
		}
		if !items[0].Inbound || items[0].ID != 103 || items[1].Inbound || items[1].ID != 201 || !items[2].Inbound || items[2].ID != 101 {
			t.Errorf("conversation order: %+v", items)
		}
		if items, _ := s.ConversationPage(ctx, 7, "447700900001", items[1].At, 10); len(items) != 1 || items[0].ID != 101 {
			t.Errorf("conversation before the reply: %+v", items)
		}
	})
}
