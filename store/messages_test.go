package store

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"testing"
	"time"

	"github.com/gallant-sms/gallant/sms"
)

// base is the creation time of the test messages.
var base = time.Date(2026, 6, 1, 9, 0, 0, 0, time.UTC)

// ev builds an event row.
func ev(account int64, id sms.ID, st sms.Status, at time.Time, seg int, carrier, cid, code string) *Event {
	return &Event{AccountID: account, Event: sms.Event{MessageID: id, Status: st, At: at, Segment: seg,
		Carrier: carrier, CarrierMsgID: cid, ErrorCode: code}}
}

func TestGetMessageAndHistory(t *testing.T) {
	forEachDialect(t, func(t *testing.T, driver string) {
		s := newTestStore(t, driver)
		ctx := testCtx(t)
		m := testMessage(1, 1001)
		m.CreatedAt = base
		m.SendAt = base.Add(time.Hour)
		m.ValidUntil = base.Add(48 * time.Hour)
		m.CallbackURL = "https://cb.example/x"
		m.Status = sms.StatusScheduled
		m.DataCoding, m.ESMClass, m.ProtocolID, m.Priority = 8, 0x40, 1, 2
		m.Segments = 2
		m.Price = 70_000 // two segments at 0.035
		if err := s.Insert(ctx, m,
			ev(1, 1001, sms.StatusSubmitted, base.Add(time.Minute), 1, "carrierA", "c-1", ""),
			ev(1, 1001, sms.StatusDelivered, base.Add(2*time.Minute), 1, "carrierA", "c-1", "000"),
		); err != nil {
			t.Fatal(err)
		}
		got, events, err := s.GetMessage(ctx, 1, 1001)
		if err != nil {
			t.Fatal(err)
		}
		want := *m
		want.Status = sms.StatusDelivered // the current status
		if got.ID != want.ID || got.AccountID != 1 || got.Ingress != sms.IngressSMPP || got.SystemID != want.SystemID ||
			got.ClientRef != want.ClientRef || got.Source != want.Source || got.Dest != want.Dest ||
			got.DataCoding != 8 || got.ESMClass != 0x40 || got.ProtocolID != 1 || got.Priority != 2 ||
			got.RegisteredDelivery != 1 || string(got.Body) != string(want.Body) || got.Segments != 2 ||
			!got.SendAt.Equal(want.SendAt) || !got.ValidUntil.Equal(want.ValidUntil) || got.CallbackURL != want.CallbackURL ||
			!got.CreatedAt.Equal(base) || got.Status != sms.StatusDelivered || got.Price != 70_000 {
			t.Fatalf("GetMessage =\n%+v\nwant\n%+v", got, want)
		}
		if got.CreatedAt.Location() != time.UTC {
			t.Fatalf("times come back in %v, want UTC", got.CreatedAt.Location())
		}
		if len(events) != 2 || events[0].Status != sms.StatusSubmitted || events[1].Status != sms.StatusDelivered ||
			events[1].ErrorCode != "000" || events[1].Carrier != "carrierA" || !events[1].At.Equal(base.Add(2*time.Minute)) {
			t.Fatalf("events = %+v", events)
		}
		// Another account cannot see it.
		if _, _, err := s.GetMessage(ctx, 2, 1001); !errors.Is(err, ErrNotFound) {
			t.Fatalf("other account: %v, want ErrNotFound", err)
		}
		if _, _, err := s.GetMessage(ctx, 1, 999); !errors.Is(err, ErrNotFound) {
			t.Fatalf("unknown id: %v", err)
		}
		// Zero times stay zero.
		plain := testMessage(1, 1002)
		plain.CreatedAt = base
		if err := s.Insert(ctx, plain); err != nil {
			t.Fatal(err)
		}
		got, events, err = s.GetMessage(ctx, 1, 1002)
		if err != nil || !got.SendAt.IsZero() || !got.ValidUntil.IsZero() || len(events) != 0 || got.Status != sms.StatusAccepted ||
			got.Price != 0 {
			t.Fatalf("plain message = %+v, %v, %v", got, events, err)
		}
		if err := s.Insert(ctx, testMessage(1, 1002)); !errors.Is(err, ErrDuplicate) {
			t.Fatalf("second insert of an id: %v, want ErrDuplicate", err)
		}
	})
}

func TestLatestStatus(t *testing.T) {
	forEachDialect(t, func(t *testing.T, driver string) {
		s := newTestStore(t, driver)
		ctx := testCtx(t)
		for i := sms.ID(1); i <= 3; i++ {
			m := testMessage(1, i)
			m.CreatedAt = base
			if err := s.Insert(ctx, m); err != nil {
				t.Fatal(err)
			}
		}
		if err := s.Insert(ctx,
			ev(1, 2, sms.StatusSubmitted, base.Add(time.Second), 0, "c", "x2", ""),
			ev(1, 2, sms.StatusUndelivered, base.Add(time.Minute), 0, "c", "x2", "0x0000000b"),
			// A receipt's time has minute precision and may precede the
			// submit acknowledgement recorded after it: the final status
			// still wins.
			ev(1, 3, sms.StatusDelivered, base, 0, "c", "x3", "000"),
			ev(1, 3, sms.StatusSubmitted, base.Add(30*time.Second), 0, "c", "x3", ""),
		); err != nil {
			t.Fatal(err)
		}
		cases := []struct {
			id   sms.ID
			want sms.Status
			at   time.Time
			code string
		}{
			{1, sms.StatusAccepted, base, ""},
			{2, sms.StatusUndelivered, base.Add(time.Minute), "0x0000000b"},
			{3, sms.StatusDelivered, base, "000"},
		}
		for _, c := range cases {
			got, err := s.LatestStatus(ctx, 1, c.id)
			if err != nil || got.Status != c.want || !got.At.Equal(c.at) || got.ErrorCode != c.code || got.MessageID != c.id {
				t.Errorf("LatestStatus(%v) = %+v, %v; want %v at %v code %q", c.id, got, err, c.want, c.at, c.code)
			}
			m, _, _ := s.GetMessage(ctx, 1, c.id)
			if m.Status != c.want {
				t.Errorf("GetMessage(%v).Status = %v, want %v", c.id, m.Status, c.want)
			}
		}
		if _, err := s.LatestStatus(ctx, 2, 2); !errors.Is(err, ErrNotFound) {
			t.Fatalf("other account: %v", err)
		}
	})
}

func TestLookupCarrierMessage(t *testing.T) {
	forEachDialect(t, func(t *testing.T, driver string) {
		s := newTestStore(t, driver)
		ctx := testCtx(t)
		if err := s.Insert(ctx,
			ev(7, 10, sms.StatusSubmitted, base, 2, "carrierA", "abc", ""),
			ev(8, 11, sms.StatusSubmitted, base, 1, "carrierB", "abc", ""),
			ev(9, 12, sms.StatusSubmitted, base, 1, "carrierA", "ABC", ""),
			// The carrier reused an id later: the newest wins.
			ev(9, 13, sms.StatusSubmitted, base, 3, "carrierB", "abc", ""),
		); err != nil {
			t.Fatal(err)
		}
		cases := []struct {
			carrier, cid string
			id           sms.ID
			acct         int64
			seg          int
		}{
			{"carrierA", "abc", 10, 7, 2},
			{"carrierA", "ABC", 12, 9, 1},
			{"carrierB", "abc", 13, 9, 3},
		}
		for _, c := range cases {
			id, acct, seg, err := s.LookupCarrierMessage(ctx, c.carrier, c.cid)
			if err != nil || id != c.id || acct != c.acct || seg != c.seg {
				t.Errorf("Lookup(%s, %s) = %v, %d, %d, %v", c.carrier, c.cid, id, acct, seg, err)
			}
		}
		if _, _, _, err := s.LookupCarrierMessage(ctx, "carrierC", "abc"); !errors.Is(err, ErrNotFound) {
			t.Fatalf("unknown carrier id: %v", err)
		}
	})
}

func TestListMessages(t *testing.T) {
	forEachDialect(t, func(t *testing.T, driver string) {
		s := newTestStore(t, driver)
		ctx := testCtx(t)
		// Account 1: ids 1..25, a minute apart, to two destinations; even
		// ids delivered, multiples of 5 failed later. Account 2: ids
		// 26..30 to the same destinations.
		var rows []Row
		for i := 1; i <= 30; i++ {
			acct := int64(1)
			if i > 25 {
				acct = 2
			}
			m := testMessage(acct, sms.ID(i))
			m.CreatedAt = base.Add(time.Duration(i) * time.Minute)
			m.Dest.Addr = "4477009000" + string(rune('0'+i%2))
			rows = append(rows, m)
			if i%2 == 0 {
				rows = append(rows, ev(acct, sms.ID(i), sms.StatusDelivered, m.CreatedAt.Add(time.Second), 0, "c", "", ""))
			}
			if i%5 == 0 {
				rows = append(rows, ev(acct, sms.ID(i), sms.StatusFailed, m.CreatedAt.Add(2*time.Second), 0, "c", "", "x"))
			}
		}
		if err := s.Insert(ctx, rows...); err != nil {
			t.Fatal(err)
		}
		ids := func(page []MessageSummary) []sms.ID {
			var out []sms.ID
			for _, p := range page {
				out = append(out, p.Message.ID)
			}
			return out
		}
		// All of account 1, newest first, in pages of 10.
		var all []sms.ID
		var after sms.ID
		for pages := 0; ; pages++ {
			page, next, err := s.ListMessages(ctx, 1, Filter{Limit: 10, After: after})
			if err != nil {
				t.Fatal(err)
			}
			all = append(all, ids(page)...)
			if next == 0 {
				if pages != 2 || len(page) != 5 {
					t.Fatalf("last page %d has %d rows", pages, len(page))
				}
				break
			}
			after = next
		}
		want := make([]sms.ID, 0, 25)
		for i := 25; i >= 1; i-- {
			want = append(want, sms.ID(i))
		}
		if !slices.Equal(all, want) {
			t.Fatalf("paged ids %v, want %v", all, want)
		}
		// A page exactly full at the end has no next cursor.
		if page, next, err := s.ListMessages(ctx, 2, Filter{Limit: 5}); err != nil || len(page) != 5 || next != 0 {
			t.Fatalf("account 2: %d rows, next %v, %v", len(page), next, err)
		}

		cases := []struct {
			name string
			f    Filter
			want []sms.ID
		}{
			{"failed", Filter{Status: sms.StatusFailed}, []sms.ID{25, 20, 15, 10, 5}},
			{"delivered", Filter{Status: sms.StatusDelivered}, []sms.ID{24, 22, 18, 16, 14, 12, 8, 6, 4, 2}},
			{"accepted", Filter{Status: sms.StatusAccepted, Dest: "44770090001", Limit: 3}, []sms.ID{23, 21, 19}},
			{"dest", Filter{Dest: "44770090000", From: base.Add(10 * time.Minute), To: base.Add(16 * time.Minute)}, []sms.ID{14, 12, 10}},
			{"time range", Filter{From: base.Add(3 * time.Minute), To: base.Add(5 * time.Minute)}, []sms.ID{4, 3}},
			{"after", Filter{After: 4}, []sms.ID{3, 2, 1}},
			{"nothing", Filter{Dest: "1"}, nil},
		}
		for _, c := range cases {
			page, _, err := s.ListMessages(ctx, 1, c.f)
			if err != nil {
				t.Fatalf("%s: %v", c.name, err)
			}
			if got := ids(page); !slices.Equal(got, c.want) {
				t.Errorf("%s: ids %v, want %v", c.name, got, c.want)
			}
		}
		page, _, err := s.ListMessages(ctx, 1, Filter{After: 11, Limit: 1})
		if err != nil || len(page) != 1 {
			t.Fatal(err)
		}
		if p := page[0]; p.Message.ID != 10 || p.Status != sms.StatusFailed || p.Message.Status != sms.StatusFailed ||
			!p.UpdatedAt.Equal(base.Add(10*time.Minute+2*time.Second)) {
			t.Fatalf("summary of 10 = %+v", p)
		}
		page, _, _ = s.ListMessages(ctx, 1, Filter{After: 2, Limit: 1})
		if p := page[0]; p.Status != sms.StatusAccepted || !p.UpdatedAt.Equal(base.Add(time.Minute)) {
			t.Fatalf("summary of 1 = %+v", p)
		}
		for _, bad := range []int{-1, 1001} {
			if _, _, err := s.ListMessages(ctx, 1, Filter{Limit: bad}); !errors.Is(err, ErrInvalid) {
				t.Errorf("limit %d: %v", bad, err)
			}
		}
		// Account scoping: account 2 never sees account 1's rows.
		page, _, err = s.ListMessages(ctx, 2, Filter{Limit: 100})
		if err != nil || !slices.Equal(ids(page), []sms.ID{30, 29, 28, 27, 26}) {
			t.Fatalf("account 2 sees %v, %v", ids(page), err)
		}
		if page, _, _ := s.ListMessages(ctx, 3, Filter{}); len(page) != 0 {
			t.Fatalf("account 3 sees %d messages", len(page))
		}
	})
}

func TestUnfinished(t *testing.T) {
	forEachDialect(t, func(t *testing.T, driver string) {
		s := newTestStore(t, driver)
		ctx := testCtx(t)
		msg := func(id sms.ID, segs int) *sms.Message {
			m := testMessage(int64(id%2+1), id)
			m.Segments = segs
			return m
		}
		sub := func(id sms.ID, seg int, st sms.Status) *Event {
			return ev(int64(id%2+1), id, st, base, seg, "c", "x", "")
		}
		if err := s.Insert(ctx,
			msg(1, 1),                                   // before since: ignored
			msg(10, 1),                                  // no events: pending
			msg(11, 1), sub(11, 0, sms.StatusSubmitted), // submitted: done
			msg(12, 1), sub(12, 1, sms.StatusQueued), // only queued: pending
			msg(13, 3), sub(13, 1, sms.StatusSubmitted), sub(13, 3, sms.StatusDelivered), // segment 2 missing
			msg(14, 2), sub(14, 1, sms.StatusSubmitted), sub(14, 2, sms.StatusSubmitted), // all segments: done
			msg(15, 2), sub(15, 0, sms.StatusFailed), // failed as a whole: done
			msg(16, 0), sub(16, 1, sms.StatusSubmitted), // zero segments counts as one: done
			msg(17, 2), sub(17, 1, sms.StatusSubmitted), sub(17, 1, sms.StatusDelivered), // one segment twice: pending
		); err != nil {
			t.Fatal(err)
		}
		got, err := s.Unfinished(ctx, 5, 100)
		if err != nil {
			t.Fatal(err)
		}
		type res struct {
			id   sms.ID
			segs []int
		}
		var have []res
		for _, p := range got {
			have = append(have, res{p.Message.ID, p.SubmittedSegments})
		}
		want := []res{{10, nil}, {12, nil}, {13, []int{1, 3}}, {17, []int{1}}}
		if !slices.EqualFunc(have, want, func(a, b res) bool { return a.id == b.id && slices.Equal(a.segs, b.segs) }) {
			t.Fatalf("Unfinished = %+v, want %+v", have, want)
		}
		if got[2].Message.Segments != 3 || got[2].Message.AccountID != 2 {
			t.Fatalf("pending message = %+v", got[2].Message)
		}
		// Paging: limit and since.
		first, err := s.Unfinished(ctx, 5, 2)
		if err != nil || len(first) != 2 || first[1].Message.ID != 12 {
			t.Fatalf("first page = %v, %v", first, err)
		}
		rest, err := s.Unfinished(ctx, first[1].Message.ID, 100)
		if err != nil || len(rest) != 2 || rest[0].Message.ID != 13 {
			t.Fatalf("second page = %v, %v", rest, err)
		}
		if none, err := s.Unfinished(ctx, 17, 100); err != nil || len(none) != 0 {
			t.Fatalf("after the last: %v, %v", none, err)
		}
		if _, err := s.Unfinished(ctx, 0, 0); !errors.Is(err, ErrInvalid) {
			t.Fatalf("limit 0: %v", err)
		}
	})
}

// TestLookupCarrierMessagesBatch: the batched lookups find what the
// one-at-a-time ones find (the newest reuse of an id, case kept), across
// IN lists of more than one query, and leave out what is not stored.
func TestLookupCarrierMessagesBatch(t *testing.T) {
	forEachDialect(t, func(t *testing.T, driver string) {
		s := newTestStore(t, driver)
		ctx := testCtx(t)
		if err := s.Insert(ctx,
			testMessage(7, 10), testMessage(9, 12), testMessage(9, 13),
			ev(7, 10, sms.StatusSubmitted, base, 2, "carrierA", "abc", ""),
			ev(8, 11, sms.StatusSubmitted, base, 1, "carrierB", "abc", ""),
			ev(9, 12, sms.StatusSubmitted, base, 1, "carrierA", "ABC", ""),
			ev(9, 13, sms.StatusSubmitted, base, 3, "carrierB", "abc", ""),
		); err != nil {
			t.Fatal(err)
		}
		ids := []string{"abc", "ABC"}
		for i := range 1200 { // three IN lists
			ids = append(ids, fmt.Sprintf("none-%d", i))
		}
		got, err := s.LookupCarrierMessages(ctx, "carrierA", ids)
		want := map[string]CarrierMatch{"abc": {MessageID: 10, AccountID: 7, Segment: 2}, "ABC": {MessageID: 12, AccountID: 9, Segment: 1}}
		if err != nil || !maps.Equal(got, want) {
			t.Fatalf("carrierA: %v, %v; want %v", got, err, want)
		}
		got, err = s.LookupCarrierMessages(ctx, "carrierB", []string{"abc", "ABC"})
		if want := map[string]CarrierMatch{"abc": {MessageID: 13, AccountID: 9, Segment: 3}}; err != nil || !maps.Equal(got, want) {
			t.Fatalf("carrierB (the newest reuse wins): %v, %v; want %v", got, err, want)
		}
		msgs, err := s.MessagesByID(ctx, []sms.ID{10, 12, 13, 99})
		if err != nil || len(msgs) != 3 || msgs[10].AccountID != 7 || msgs[13].AccountID != 9 || msgs[99] != nil ||
			msgs[12].ID != 12 || msgs[12].Dest.Addr == "" {
			t.Fatalf("MessagesByID: %v, %v", msgs, err)
		}
	})
}
