package campaign

import (
	"context"
	"testing"
	"time"

	"github.com/gallant-sms/gallant/sms"
	"github.com/gallant-sms/gallant/store"
	"github.com/gallant-sms/gallant/store/storetest"
)

// Contact lists are written by the contacts work; these records let the
// tests here make one.
var (
	listTable   = mustTable("contact_lists", "id", "account_id", "name", "created_at", "updated_at")
	memberTable = mustTable("contact_list_members", "list_id", "contact_id", "added_at")
)

func mustTable(name string, cols ...string) *store.Table {
	t, err := store.NewTable(name, cols...)
	if err != nil {
		panic(err)
	}
	return t
}

type listRow struct {
	id, account int64
	name        string
}

func (r *listRow) Table() *store.Table { return listTable }
func (r *listRow) AppendValues(v *store.Values) {
	v.Int(r.id)
	v.Int(r.account)
	v.String(r.name)
	v.Time(time.Now())
	v.Time(time.Now())
}

type memberRow struct {
	list, contact int64
	at            time.Time
}

func (r *memberRow) Table() *store.Table { return memberTable }
func (r *memberRow) AppendValues(v *store.Values) {
	v.Int(r.list)
	v.Int(r.contact)
	v.Time(r.at)
}

func TestEngineDripStepsFireAtTheirTime(t *testing.T) {
	for _, driver := range storetest.Drivers {
		t.Run(driver, func(t *testing.T) {
			st := storetest.Open(t, driver)
			ctx := context.Background()
			gw := newFakeGateway()
			start := time.Now().UTC().Truncate(time.Second)
			clk := &fakeClock{t: start}
			e, _ := NewEngine(st, gw, nil, Config{Now: clk.Now, QuietHours: []QuietRule{}}, nil)
			if _, _, err := st.UpsertContacts(ctx, 1, []store.Contact{
				{Phone: "447700900001", FirstName: "Ann", TimeZone: "Europe/London"},
				{Phone: "447700900002", FirstName: "Bob", TimeZone: "Europe/London"},
				{Phone: "447700900003", FirstName: "Cat", TimeZone: "Europe/London"}}); err != nil {
				t.Fatal(err)
			}
			if err := st.Insert(ctx, &listRow{id: 500, account: 1, name: "signups"}); err != nil {
				t.Fatal(err)
			}
			drip := &Drip{ListID: 500, ExitOnReply: true, Steps: []DripStep{{Delay: 3600, Text: "Welcome"},
				{Delay: 86400, At: "10:00", Text: "Day one"}}}
			if err := drip.Check(); err != nil {
				t.Fatal(err)
			}
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
			// Two contacts join after the launch.
			entered := time.Now()
			for _, phone := range []string{"447700900001", "447700900002"} {
				ct, err := st.ContactByPhone(ctx, 1, phone)
				if err != nil {
					t.Fatal(err)
				}
				if err := st.Insert(ctx, &memberRow{list: 500, contact: ct.ID, at: entered}); err != nil {
					t.Fatal(err)
				}
			}
			passUntil(t, e, clk, 10*time.Minute, 10, func() bool { return clk.Now().Sub(start) >= 50*time.Minute })
			if total, _ := gw.count(); total != 0 {
				t.Fatalf("%d sent before the first step's delay", total)
			}
			clk.t = entered.Add(time.Hour + time.Second)
			passUntil(t, e, clk, time.Second, 5, func() bool { total, _ := gw.count(); return total == 2 })
			if gw.texts["447700900001"] != "Welcome" {
				t.Fatalf("texts %v", gw.texts)
			}
			// Bob replies: he leaves the sequence.
			if err := st.InsertMO(ctx, &sms.MO{ID: 1 << 50, AccountID: 1, Source: sms.Address{Addr: "447700900002"},
				Dest: sms.Address{Addr: "Shop"}, Body: []byte("thanks"), ReceivedAt: time.Now()}); err != nil {
				t.Fatal(err)
			}
			passUntil(t, e, clk, time.Second, 5, func() bool {
				rows, _ := st.CampaignStats(ctx, c.ID)
				for _, r := range rows {
					if r.Step == 1 && r.Replies == 1 {
						return true
					}
				}
				return false
			})
			// A day after the entry: step 2 waits for 10:00 London time.
			london, _ := time.LoadLocation("Europe/London")
			due := entered.Add(24*time.Hour + time.Second)
			clk.t = due
			if err := e.Pass(ctx); err != nil {
				t.Fatal(err)
			}
			want := nextClock(due, 600, london)
			if want.After(due) {
				if total, _ := gw.count(); total != 2 {
					t.Fatalf("step 2 sent at %v, before 10:00 London", due.In(london))
				}
			}
			clk.t = want.Add(time.Second)
			passUntil(t, e, clk, time.Second, 5, func() bool { total, _ := gw.count(); return total == 3 })
			gw.mu.Lock()
			got := gw.texts["447700900001"]
			bob := gw.got["447700900002"]
			gw.mu.Unlock()
			if got != "Day one" || bob != 1 {
				t.Fatalf("Ann's last text %q; Bob got %d texts, want 1 (he replied)", got, bob)
			}
			rows, _ := st.CampaignStats(ctx, c.ID)
			for _, r := range rows {
				if r.Step == 2 && (r.Targeted != 2 || r.Sent != 1 || r.Skipped != 1) {
					t.Fatalf("step 2 counters %+v", r)
				}
			}
			if state(t, st, c.ID) != store.CampaignRunning {
				t.Fatal("a drip sequence completed on its own")
			}
		})
	}
}
