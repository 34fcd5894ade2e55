package store

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/gallant-sms/gallant/sms"
)

// seedCampaignContacts stores n contacts of account (phones 1555000000+i)
// and a list holding the first half, and returns the list id.
func seedCampaignContacts(t testing.TB, s *Store, account int64, n int) int64 {
	t.Helper()
	ctx := context.Background()
	cs := make([]Contact, n)
	for i := range cs {
		cs[i] = Contact{Phone: fmt.Sprintf("1555%07d", i), FirstName: fmt.Sprintf("F%d", i)}
	}
	if _, _, err := s.UpsertContacts(ctx, account, cs); err != nil {
		t.Fatal(err)
	}
	res, err := s.w.ExecContext(ctx, "INSERT INTO contact_lists (account_id, name, created_at, updated_at) VALUES (?, ?, ?, ?)",
		account, fmt.Sprintf("list-%d", account), s.timeArg(time.Now()), s.timeArg(time.Now()))
	if err != nil {
		t.Fatal(err)
	}
	list, _ := res.LastInsertId()
	if _, err := s.w.ExecContext(ctx, "INSERT INTO contact_list_members (list_id, contact_id, added_at) SELECT ?, id, ? "+
		"FROM contacts WHERE account_id = ? AND phone < ?", list, s.timeArg(time.Now()), account, fmt.Sprintf("1555%07d", n/2)); err != nil {
		t.Fatal(err)
	}
	return list
}

func TestCampaignStoreLifecycle(t *testing.T) {
	forEachDialect(t, func(t *testing.T, driver string) {
		s := newTestStore(t, driver)
		ctx := context.Background()
		list := seedCampaignContacts(t, s, 7, 100)
		seedCampaignContacts(t, s, 8, 10) // another account's contacts stay out
		c := &Campaign{AccountID: 7, Name: "spring", Kind: "marketing", Sender: "Shop", Body: "Hi",
			ListIDs: []int64{list}, Numbers: []string{"15550000001", "4470000001", "4470000001"}}
		if err := s.CreateCampaign(ctx, c); err != nil {
			t.Fatal(err)
		}
		if _, err := s.CampaignByID(ctx, 8, c.ID); !errors.Is(err, ErrNotFound) {
			t.Fatalf("another account reads the campaign: %v", err)
		}
		var got []AudienceContact
		if err := s.StreamAudience(ctx, c, func(a AudienceContact) error { got = append(got, a); return nil }); err != nil {
			t.Fatal(err)
		}
		if len(got) != 51 { // 50 list members (one also given as a number) + one other number
			t.Fatalf("audience of %d, want 51", len(got))
		}
		if err := s.SetCampaignState(ctx, 7, c.ID, []string{CampaignDraft}, CampaignLaunching, ""); err != nil {
			t.Fatal(err)
		}
		if err := s.UpdateCampaign(ctx, c); !errors.Is(err, ErrCampaignState) {
			t.Fatalf("edit after launch: %v", err)
		}
		n, err := s.MaterializeCampaign(ctx, c)
		if err != nil || n != 51 {
			t.Fatalf("materialized %d, %v; want 51", n, err)
		}
		if err := s.StartCampaign(ctx, 7, c.ID, n, 0, false, nil); err != nil {
			t.Fatal(err)
		}
		now := time.Now()
		if ok, err := s.LeaseCampaign(ctx, c.ID, "a", now, now.Add(time.Minute)); err != nil || !ok {
			t.Fatalf("lease: %v %v", ok, err)
		}
		if ok, _ := s.LeaseCampaign(ctx, c.ID, "b", now, now.Add(time.Minute)); ok {
			t.Fatal("a second holder took a live lease")
		}
		if _, err := s.ClaimRecipients(ctx, c.ID, "b", now, 10); !errors.Is(err, ErrLeaseLost) {
			t.Fatalf("claim without the lease: %v", err)
		}
		claimed, err := s.ClaimRecipients(ctx, c.ID, "a", now, 10)
		if err != nil || len(claimed) != 10 {
			t.Fatalf("claimed %d, %v", len(claimed), err)
		}
		if claimed[0].Contact.FirstName != "F0" {
			t.Fatalf("contact not joined: %+v", claimed[0])
		}
		outs := make([]RecipientOutcome, len(claimed))
		for i, r := range claimed {
			outs[i] = RecipientOutcome{ID: r.ID, State: RecipientSent, MessageID: sms.ID(1000 + i), Price: 5}
		}
		outs[9] = RecipientOutcome{ID: claimed[9].ID, State: RecipientSkipped, Reason: "opted_out", OptedOut: true}
		outs[8] = RecipientOutcome{ID: claimed[8].ID, State: RecipientPending, NotBefore: now.Add(time.Hour)}
		if err := s.RecordOutcomes(ctx, c.ID, now, outs); err != nil {
			t.Fatal(err)
		}
		st, err := s.CampaignStats(ctx, c.ID)
		if err != nil || len(st) != 1 {
			t.Fatalf("stats %v %v", st, err)
		}
		if st[0].Targeted != 51 || st[0].Sent != 8 || st[0].Skipped != 1 || st[0].OptedOut != 1 || st[0].Spend != 40 {
			t.Fatalf("counters %+v", st[0])
		}
		// The deferred recipient is not due; the rest are.
		rest, err := s.ClaimRecipients(ctx, c.ID, "a", now, 10000)
		if err != nil || len(rest) != 41 {
			t.Fatalf("claimed %d, %v; want 41", len(rest), err)
		}
		// An instance dying now leaves them sending: resolved pending.
		k, err := s.ResolveSending(ctx, 7, c.ID, now, true, func(id int64) string { return fmt.Sprint("cmp:", id) })
		if err != nil || k != 41 {
			t.Fatalf("resolved %d, %v", k, err)
		}
		if done, err := s.FinishCampaign(ctx, c.ID); err != nil || done {
			t.Fatalf("finished with pending recipients: %v %v", done, err)
		}
		page, err := s.CampaignRecipients(ctx, c.ID, RecipientFilter{State: RecipientSent, Limit: 100})
		if err != nil || len(page) != 8 || page[0].MessageID != 1000 {
			t.Fatalf("sent recipients %v %v", page, err)
		}
	})
}

func TestCampaignTails(t *testing.T) {
	forEachDialect(t, func(t *testing.T, driver string) {
		s := newTestStore(t, driver)
		ctx := context.Background()
		now := time.Now()
		if ok, err := s.LeaseCampaignTails(ctx, "h", now, now.Add(time.Minute)); err != nil || !ok {
			t.Fatalf("tails lease %v %v", ok, err)
		}
		if ok, _ := s.LeaseCampaignTails(ctx, "other", now, now.Add(time.Minute)); ok {
			t.Fatal("a second holder took the tails")
		}
		c := &Campaign{AccountID: 7, Name: "t", Kind: "marketing", Sender: "Shop", Body: "Hi",
			Numbers: []string{"447700000001", "447700000002", "447700000003"}}
		if err := s.CreateCampaign(ctx, c); err != nil {
			t.Fatal(err)
		}
		if err := s.SetCampaignState(ctx, 7, c.ID, []string{CampaignDraft}, CampaignLaunching, ""); err != nil {
			t.Fatal(err)
		}
		if _, err := s.MaterializeCampaign(ctx, c); err != nil {
			t.Fatal(err)
		}
		if err := s.StartCampaign(ctx, 7, c.ID, 3, 0, false, nil); err != nil {
			t.Fatal(err)
		}
		if ok, _ := s.LeaseCampaign(ctx, c.ID, "h", now, now.Add(time.Minute)); !ok {
			t.Fatal("lease")
		}
		rs, err := s.ClaimRecipients(ctx, c.ID, "h", now, 3)
		if err != nil || len(rs) != 3 {
			t.Fatal(rs, err)
		}
		event := func(id sms.ID, st sms.Status) {
			t.Helper()
			if err := s.Insert(ctx, &Event{AccountID: 7, Event: sms.Event{MessageID: id, Status: st, At: now}}); err != nil {
				t.Fatal(err)
			}
		}
		// The third message's receipt is applied before its id is
		// recorded: the record picks it up.
		event(503, sms.StatusSubmitted)
		event(503, sms.StatusDelivered)
		if _, err := s.ApplyCampaignEvents(ctx, "h", 1000); err != nil {
			t.Fatal(err)
		}
		outs := []RecipientOutcome{{ID: rs[0].ID, State: RecipientSent, MessageID: 501, Price: 10},
			{ID: rs[1].ID, State: RecipientSent, MessageID: 502, Price: 10},
			{ID: rs[2].ID, State: RecipientSent, MessageID: 503, Price: 10}}
		if err := s.RecordOutcomes(ctx, c.ID, now, outs); err != nil {
			t.Fatal(err)
		}
		event(501, sms.StatusSubmitted)
		event(501, sms.StatusDelivered)
		event(502, sms.StatusDelivered)
		event(502, sms.StatusSubmitted) // late: does not undo delivered
		event(502, sms.StatusUndelivered)
		if _, err := s.ApplyCampaignEvents(ctx, "other", 1000); !errors.Is(err, ErrLeaseLost) {
			t.Fatalf("events applied without the lease: %v", err)
		}
		if n, err := s.ApplyCampaignEvents(ctx, "h", 1000); err != nil || n != 5 {
			t.Fatalf("applied %d, %v", n, err)
		}
		if n, _ := s.ApplyCampaignEvents(ctx, "h", 1000); n != 0 {
			t.Fatalf("applied %d again", n)
		}
		// Replies and opt-outs of recipients.
		mo := func(id sms.ID, from string) {
			t.Helper()
			if err := s.InsertMO(ctx, &sms.MO{ID: id, AccountID: 7, Source: sms.Address{Addr: from}, Dest: sms.Address{Addr: "Shop"},
				Body: []byte("hi"), ReceivedAt: now}); err != nil {
				t.Fatal(err)
			}
		}
		mo(9001, "447700000001")
		mo(9002, "447700000001")
		mo(9003, "447799999999")
		if n, err := s.ApplyCampaignReplies(ctx, "h", 100); err != nil || n != 3 {
			t.Fatalf("replies passed %d, %v", n, err)
		}
		if err := s.AddOptOuts(ctx, []OptOut{{Scope: 2, AccountID: 7, Number: "447700000002", OptedOut: true, Source: "keyword"}}); err != nil {
			t.Fatal(err)
		}
		if n, err := s.ApplyCampaignOptOuts(ctx, "h", 100); err != nil || n != 1 {
			t.Fatalf("opt-outs passed %d, %v", n, err)
		}
		st, err := s.CampaignStats(ctx, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		got := st[0]
		if got.Sent != 3 || got.Delivered != 2 || got.Undelivered != 1 || got.Replies != 1 || got.OptedOut != 1 || got.Spend != 30 {
			t.Fatalf("counters %+v", got)
		}
		pts, err := s.CampaignSeries(ctx, c.ID, 0, 100)
		if err != nil || len(pts) != 1 || pts[0].Delivered != 2 || pts[0].Failed != 1 || pts[0].Sent != 3 {
			t.Fatalf("series %+v %v", pts, err)
		}
	})
}
