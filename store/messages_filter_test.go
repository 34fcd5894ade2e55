package store

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/gallant-sms/gallant/sms"
)

func TestFirstIDAt(t *testing.T) {
	at := time.Date(2026, 7, 1, 12, 0, 0, 0, time.UTC)
	id := firstIDAt(at)
	if !id.Time().Equal(at) || firstIDAt(at.Add(-time.Millisecond)) >= id {
		t.Fatalf("firstIDAt(%v) = %d, whose time is %v", at, id, id.Time())
	}
	g, err := sms.NewIDGenerator(5, 0)
	if err != nil {
		t.Fatal(err)
	}
	if got := g.Next(); got < firstIDAt(time.Now().Add(-time.Second)) || got >= firstIDAt(time.Now().Add(time.Second)) {
		t.Fatalf("a new id %d is outside the second around now", got)
	}
	if firstIDAt(sms.Epoch.Add(-time.Hour)) != 0 {
		t.Fatal("a time before the epoch gives id 0")
	}
}

// TestListMessagesSenderCampaign: the sender and campaign filters, alone
// and with the others, on both stores.
func TestListMessagesSenderCampaign(t *testing.T) {
	forEachDialect(t, func(t *testing.T, driver string) {
		s := newTestStore(t, driver)
		ctx := testCtx(t)
		launch := time.Date(2026, 7, 1, 12, 0, 0, 0, time.UTC)
		camp := &Campaign{AccountID: 1, Name: "spring", Kind: "marketing", Sender: "Shop", Body: "hi"}
		other := &Campaign{AccountID: 1, Name: "draft", Kind: "marketing", Sender: "Shop", Body: "hi"}
		foreign := &Campaign{AccountID: 2, Name: "theirs", Kind: "marketing", Sender: "Shop", Body: "hi"}
		for _, c := range []*Campaign{camp, other, foreign} {
			if err := s.CreateCampaign(ctx, c); err != nil {
				t.Fatal(err)
			}
		}
		for _, c := range []*Campaign{camp, foreign} {
			if _, err := s.w.ExecContext(ctx, "UPDATE campaigns SET launched_at = ?, finished_at = ? WHERE id = ?",
				s.timeArg(launch), s.timeArg(launch.Add(time.Hour)), c.ID); err != nil {
				t.Fatal(err)
			}
		}
		// Messages a minute apart from an hour before the launch to three
		// hours after: i%3 == 0 are the campaign's (within its run, and
		// a stray "tag" long after it, outside the window), the rest
		// plain, from "Shop" or "447700900999" alternately.
		var rows []Row
		id := func(i int) sms.ID { return firstIDAt(launch.Add(time.Duration(i-60)*time.Minute)) + sms.ID(i) }
		for i := 0; i < 240; i++ {
			m := testMessage(1, id(i))
			m.CreatedAt = id(i).Time()
			m.Source.Addr = "Shop"
			if i%2 == 1 {
				m.Source.Addr = "447700900999"
			}
			if i%3 == 0 && i >= 60 {
				m.ClientRef = fmt.Sprintf("cmp:%d:%d", camp.ID, i)
			}
			if i%3 == 0 && i < 60 {
				// Before the launch: another campaign's, or a client's own reference.
				m.ClientRef = fmt.Sprintf("cmp:%d:%d", camp.ID+10, i)
			}
			rows = append(rows, m)
			if i%4 == 0 {
				rows = append(rows, ev(1, id(i), sms.StatusDelivered, m.CreatedAt.Add(time.Second), 0, "c", "", ""))
			}
		}
		// Account 2 sends from the same sender, tagged with camp's reference.
		for i := 0; i < 5; i++ {
			m := testMessage(2, id(100+i)+500)
			m.Source.Addr = "Shop"
			m.ClientRef = fmt.Sprintf("cmp:%d:%d", camp.ID, i)
			rows = append(rows, m)
		}
		if err := s.Insert(ctx, rows...); err != nil {
			t.Fatal(err)
		}
		list := func(f Filter) []sms.ID {
			t.Helper()
			var out []sms.ID
			for pages := 0; pages < 100; pages++ {
				page, next, err := s.ListMessages(ctx, 1, f)
				if err != nil {
					t.Fatal(err)
				}
				for _, p := range page {
					out = append(out, p.Message.ID)
				}
				if next == 0 {
					return out
				}
				f.After = next
			}
			t.Fatal("too many pages")
			return nil
		}
		want := func(keep func(i int) bool) []sms.ID {
			var out []sms.ID
			for i := 239; i >= 0; i-- {
				if keep(i) {
					out = append(out, id(i))
				}
			}
			return out
		}
		inRun := func(i int) bool { return i%3 == 0 && i >= 60 && i < 180 } // launch to finish + 1h: minutes 60..179
		cases := []struct {
			name string
			f    Filter
			want []sms.ID
		}{
			{"sender", Filter{Source: "447700900999", Limit: 50}, want(func(i int) bool { return i%2 == 1 })},
			{"sender none", Filter{Source: "Nobody"}, nil},
			{"campaign", Filter{Campaign: camp.ID, Limit: 7}, want(inRun)},
			{"campaign and sender", Filter{Campaign: camp.ID, Source: "Shop"}, want(func(i int) bool { return inRun(i) && i%2 == 0 })},
			{"campaign delivered", Filter{Campaign: camp.ID, Status: sms.StatusDelivered}, want(func(i int) bool { return inRun(i) && i%4 == 0 })},
			{"campaign in a range", Filter{Campaign: camp.ID, From: id(90).Time(), To: id(100).Time()}, want(func(i int) bool { return inRun(i) && i >= 90 && i < 100 })},
			{"campaign never launched", Filter{Campaign: other.ID}, nil},
			{"another account's campaign", Filter{Campaign: foreign.ID}, nil},
			{"no such campaign", Filter{Campaign: 9999}, nil},
		}
		for _, c := range cases {
			if got := list(c.f); !slices.Equal(got, c.want) {
				t.Errorf("%s: %d ids %v\nwant %d %v", c.name, len(got), got, len(c.want), c.want)
			}
		}
	})
}
