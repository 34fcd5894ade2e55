package campaign

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/gallant-sms/gallant/store"
	"github.com/gallant-sms/gallant/store/storetest"
)

// TestEngineRendersAccountOptOutAndTrackedLinks: the engine renders
// {{optout}} with the account's own text (the engine's default for an
// account without one) and sends each recipient its own short link,
// stored before the text went out, with the campaign and the recipient
// row's id; a click counts in the campaign's clicks; erasing a contact
// erases the links sent to it.
func TestEngineRendersAccountOptOutAndTrackedLinks(t *testing.T) {
	for _, driver := range storetest.Drivers {
		t.Run(driver, func(t *testing.T) {
			st := storetest.Open(t, driver)
			ctx := context.Background()
			gw := newFakeGateway()
			clk := &fakeClock{t: time.Now().UTC()}
			links, err := NewLinks(st, "https://gal.example")
			if err != nil {
				t.Fatal(err)
			}
			e, err := NewEngine(st, gw, nil, Config{Now: clk.Now, QuietHours: []QuietRule{}, Links: links,
				OptOutText: "Engine default"}, nil)
			if err != nil {
				t.Fatal(err)
			}
			if _, _, err := st.UpsertContacts(ctx, 1, []store.Contact{{Phone: "447700900001", FirstName: "Ann"}}); err != nil {
				t.Fatal(err)
			}
			if err := st.PutTemplateSettings(ctx, &store.TemplateSettings{AccountID: 1, OptOutText: "Text END to stop"}); err != nil {
				t.Fatal(err)
			}
			body := "Hi {{first_name|there}} https://shop.example/sale?x=1. {{optout}}"
			c := &store.Campaign{AccountID: 1, Name: "links", Kind: KindTransactional, Sender: "Shop", Body: body,
				Numbers: []string{"447700900001", "447700900002", "447700900003"}}
			launch(t, st, c)
			// Another account without settings gets the engine's default.
			c2 := &store.Campaign{AccountID: 2, Name: "plain", Kind: KindTransactional, Sender: "Shop", Body: "Bye {{optout}}",
				Numbers: []string{"447700900009"}}
			launch(t, st, c2)
			passUntil(t, e, clk, 100*time.Millisecond, 50, func() bool {
				return state(t, st, c.ID) == store.CampaignCompleted && state(t, st, c2.ID) == store.CampaignCompleted
			})
			if got := gw.texts["447700900009"]; got != "Bye Engine default" {
				t.Fatalf("an account without settings got %q", got)
			}
			rcps, err := st.CampaignRecipients(ctx, c.ID, store.RecipientFilter{State: -1, Limit: 10})
			if err != nil || len(rcps) != 3 {
				t.Fatalf("recipients %v %v", rcps, err)
			}
			codes := map[string]bool{}
			for _, rc := range rcps {
				text := gw.texts[rc.Phone]
				name := "there"
				if rc.Phone == "447700900001" {
					name = "Ann"
				}
				rest, ok := strings.CutPrefix(text, "Hi "+name+" https://gal.example/")
				if !ok || !strings.HasSuffix(rest, ". Text END to stop") {
					t.Fatalf("text to %s: %q", rc.Phone, text)
				}
				code := strings.TrimSuffix(rest, ". Text END to stop")
				if !ValidCode(code) || codes[code] {
					t.Fatalf("code %q (seen: %v)", code, codes[code])
				}
				codes[code] = true
				l, err := st.LinkByCode(ctx, code)
				if err != nil {
					t.Fatalf("the code of %s is not stored: %v", rc.Phone, err)
				}
				if l.AccountID != 1 || l.CampaignID != c.ID || l.RecipientID != rc.ID || l.Variant != 0 ||
					l.URL != "https://shop.example/sale?x=1" {
					t.Fatalf("link %+v of recipient %+v", l, rc)
				}
				if _, err := st.RecordClick(ctx, l, time.Now(), "test"); err != nil {
					t.Fatal(err)
				}
			}
			if total, uniq, err := st.CampaignClicks(ctx, 1, c.ID); err != nil || total != 3 || uniq != 3 {
				t.Fatalf("clicks %d %d %v", total, uniq, err)
			}
			// Erasing Ann erases her link and its click log; the others
			// stay, and the counters keep their totals.
			ann, err := st.ContactByPhone(ctx, 1, "447700900001")
			if err != nil {
				t.Fatal(err)
			}
			if err := st.DeleteContact(ctx, 1, ann.ID); err != nil {
				t.Fatal(err)
			}
			left := 0
			for code := range codes {
				if _, err := st.LinkByCode(ctx, code); err == nil {
					left++
				} else if !errors.Is(err, store.ErrNotFound) {
					t.Fatal(err)
				}
			}
			if left != 2 {
				t.Fatalf("%d links left after erasing one recipient's contact, want 2", left)
			}
			if total, uniq, err := st.CampaignClicks(ctx, 1, c.ID); err != nil || total != 3 || uniq != 3 {
				t.Fatalf("clicks after the erasure %d %d %v", total, uniq, err)
			}
		})
	}
}

// TestEngineSkipsErasedContact: a contact deleted (erased) after its
// first drip step never gets a later step: its recipient row is skipped
// with the reason, while another contact goes on.
func TestEngineSkipsErasedContact(t *testing.T) {
	for _, driver := range storetest.Drivers {
		t.Run(driver, func(t *testing.T) {
			st := storetest.Open(t, driver)
			ctx := context.Background()
			gw := newFakeGateway()
			start := time.Now().UTC().Truncate(time.Second)
			clk := &fakeClock{t: start}
			e, err := NewEngine(st, gw, nil, Config{Now: clk.Now, QuietHours: []QuietRule{}}, nil)
			if err != nil {
				t.Fatal(err)
			}
			if _, _, err := st.UpsertContacts(ctx, 1, []store.Contact{
				{Phone: "447700900001", FirstName: "Ann"}, {Phone: "447700900002", FirstName: "Bob"}}); err != nil {
				t.Fatal(err)
			}
			if err := st.Insert(ctx, &listRow{id: 600, account: 1, name: "signups"}); err != nil {
				t.Fatal(err)
			}
			drip := &Drip{ListID: 600, IncludeExisting: true, Steps: []DripStep{{Delay: 0, Text: "One {{first_name|you}}"},
				{Delay: 3600, Text: "Two {{first_name|you}}"}}}
			c := &store.Campaign{AccountID: 1, Name: "drip", Kind: KindTransactional, Sender: "Shop",
				Options: Options{Drip: drip}.JSON()}
			if err := st.CreateCampaign(ctx, c); err != nil {
				t.Fatal(err)
			}
			if err := st.SetCampaignState(ctx, 1, c.ID, []string{store.CampaignDraft}, store.CampaignLaunching, ""); err != nil {
				t.Fatal(err)
			}
			if err := st.StartCampaign(ctx, 1, c.ID, 0, 0, false, []int64{}); err != nil {
				t.Fatal(err)
			}
			var bob int64
			for _, phone := range []string{"447700900001", "447700900002"} {
				ct, err := st.ContactByPhone(ctx, 1, phone)
				if err != nil {
					t.Fatal(err)
				}
				if phone == "447700900002" {
					bob = ct.ID
				}
				if err := st.Insert(ctx, &memberRow{list: 600, contact: ct.ID, at: start.Add(-time.Minute)}); err != nil {
					t.Fatal(err)
				}
			}
			passUntil(t, e, clk, time.Second, 20, func() bool { total, _ := gw.count(); return total == 2 })
			if gw.texts["447700900002"] != "One Bob" {
				t.Fatalf("texts %v", gw.texts)
			}
			if err := st.DeleteContact(ctx, 1, bob); err != nil {
				t.Fatal(err)
			}
			clk.Add(2 * time.Hour)
			passUntil(t, e, clk, time.Second, 20, func() bool {
				rows, _ := st.CampaignStats(ctx, c.ID)
				for _, r := range rows {
					if r.Step == 2 && r.Sent == 1 && r.Skipped == 1 {
						return true
					}
				}
				return false
			})
			gw.mu.Lock()
			ann, bobs, bobText := gw.texts["447700900001"], gw.got["447700900002"], gw.texts["447700900002"]
			gw.mu.Unlock()
			if ann != "Two Ann" || bobs != 1 || bobText != "One Bob" {
				t.Fatalf("Ann's last text %q; Bob got %d texts (last %q), want 1", ann, bobs, bobText)
			}
			rcps, err := st.CampaignRecipients(ctx, c.ID, store.RecipientFilter{State: store.RecipientSkipped, Limit: 10})
			if err != nil || len(rcps) != 1 || rcps[0].Phone != "447700900002" || rcps[0].Step != 2 || rcps[0].Reason != "contact erased" {
				t.Fatalf("skipped recipients %+v %v", rcps, err)
			}
		})
	}
}
