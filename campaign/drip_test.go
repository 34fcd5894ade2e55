package campaign

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
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

// dripSetup opens a store of driver with an engine on a fake clock at
// start (no quiet hours), and contacts (a list of them when list).
type dripEnv struct {
	t   *testing.T
	st  *store.Store
	gw  *fakeGateway
	clk *fakeClock
	e   *Engine
	ids map[string]int64
}

func newDripEnv(t *testing.T, driver string, start time.Time, contacts []store.Contact) *dripEnv {
	t.Helper()
	st := storetest.Open(t, driver)
	ctx := context.Background()
	env := &dripEnv{t: t, st: st, gw: newFakeGateway(), clk: &fakeClock{t: start}, ids: map[string]int64{}}
	var err error
	if env.e, err = NewEngine(st, env.gw, nil, Config{Now: env.clk.Now, QuietHours: []QuietRule{}}, nil); err != nil {
		t.Fatal(err)
	}
	if err := st.CreateContactField(ctx, 1, store.ContactField{Name: "signup", Type: "date"}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := st.UpsertContacts(ctx, 1, contacts); err != nil {
		t.Fatal(err)
	}
	for _, c := range contacts {
		got, err := st.ContactByPhone(ctx, 1, c.Phone)
		if err != nil {
			t.Fatal(err)
		}
		env.ids[c.Phone] = got.ID
	}
	return env
}

// list makes a list of phones and returns its id.
func (env *dripEnv) list(phones ...string) int64 {
	env.t.Helper()
	ctx := context.Background()
	l := &store.ContactList{AccountID: 1, Name: fmt.Sprintf("l%d", len(phones))}
	if err := env.st.CreateContactList(ctx, l); err != nil {
		env.t.Fatal(err)
	}
	ids := make([]int64, len(phones))
	for i, p := range phones {
		ids[i] = env.ids[p]
	}
	if _, err := env.st.AddToList(ctx, 1, l.ID, ids); err != nil {
		env.t.Fatal(err)
	}
	return l.ID
}

// launch starts a drip campaign of d.
func (env *dripEnv) launch(d *Drip) int64 {
	env.t.Helper()
	ctx := context.Background()
	if err := d.Check(); err != nil {
		env.t.Fatal(err)
	}
	c := &store.Campaign{AccountID: 1, Name: "drip", Kind: KindTransactional, Sender: "Shop", Options: Options{Drip: d}.JSON()}
	if err := env.st.CreateCampaign(ctx, c); err != nil {
		env.t.Fatal(err)
	}
	if err := env.st.SetCampaignState(ctx, 1, c.ID, []string{store.CampaignDraft}, store.CampaignLaunching, ""); err != nil {
		env.t.Fatal(err)
	}
	if err := env.st.StartCampaign(ctx, 1, c.ID, 0, 0, false, []int64{}); err != nil {
		env.t.Fatal(err)
	}
	return c.ID
}

// at moves the clock to t and runs passes (a minute of fake time apart,
// enough for an enrollment each) while cond is false, at most n.
func (env *dripEnv) at(t time.Time, n int, cond func() bool) {
	env.t.Helper()
	env.clk.mu.Lock()
	env.clk.t = t
	env.clk.mu.Unlock()
	passUntil(env.t, env.e, env.clk, enrollEvery, n, cond)
}

func (env *dripEnv) got(phone string) (int, string) {
	env.gw.mu.Lock()
	defer env.gw.mu.Unlock()
	return env.gw.got[phone], env.gw.texts[phone]
}

// rows returns campaign id's rows by phone and step.
func (env *dripEnv) rows(id int64) map[string]map[int]store.CampaignRecipient {
	env.t.Helper()
	rs, err := env.st.CampaignRecipients(context.Background(), id, store.RecipientFilter{State: -1, Limit: 1000})
	if err != nil {
		env.t.Fatal(err)
	}
	out := map[string]map[int]store.CampaignRecipient{}
	for _, r := range rs {
		if out[r.Phone] == nil {
			out[r.Phone] = map[int]store.CampaignRecipient{}
		}
		out[r.Phone][r.Step] = r
	}
	return out
}

func (env *dripEnv) setContact(phone string, fn func(c *store.Contact)) {
	env.t.Helper()
	ctx := context.Background()
	c, err := env.st.ContactByPhone(ctx, 1, phone)
	if err != nil {
		env.t.Fatal(err)
	}
	fn(&c)
	if err := env.st.UpdateContact(ctx, &c); err != nil {
		env.t.Fatal(err)
	}
}

// "3 days after signup at 10:00 local": each contact at 10:00 of its own
// zone; a date in the past is not sent; a changed date reschedules.
func TestEngineDripStepFromDateField(t *testing.T) {
	for _, driver := range storetest.Drivers {
		t.Run(driver, func(t *testing.T) {
			start := time.Date(2026, 3, 2, 12, 0, 0, 0, time.UTC)
			env := newDripEnv(t, driver, start, []store.Contact{
				{Phone: "12125550101", FirstName: "Ny", TimeZone: "America/New_York", Fields: `{"signup":"2026-03-02"}`},
				{Phone: "81312345678", FirstName: "Tk", TimeZone: "Asia/Tokyo", Fields: `{"signup":"2026-03-02"}`},
				{Phone: "447700900301", FirstName: "Old", TimeZone: "Europe/London", Fields: `{"signup":"2025-01-01"}`},
				{Phone: "447700900302", FirstName: "Moved", TimeZone: "Europe/London", Fields: `{"signup":"2026-03-20"}`},
				{Phone: "447700900303", FirstName: "None", TimeZone: "Europe/London"},
				{Phone: "447700900304", FirstName: "Back", TimeZone: "Europe/London", Fields: `{"signup":"2026-03-25"}`},
			})
			list := env.list("12125550101", "81312345678", "447700900301", "447700900302", "447700900303", "447700900304")
			id := env.launch(&Drip{ListID: list, DateField: "signup", Steps: []DripStep{{Days: 3, At: "10:00", Text: "Day three"}}})
			env.at(start, 3, always2(env, 3))
			if rows := env.rows(id); len(rows) != 4 || rows["447700900301"] != nil || rows["447700900303"] != nil {
				t.Fatalf("enrolled %v: want the four with a date ahead", rows)
			}
			// Tokyo's 10:00 on 5 March is 01:00 UTC.
			tokyo := time.Date(2026, 3, 5, 1, 0, 0, 0, time.UTC)
			env.at(tokyo.Add(-time.Minute), 1, always2(env, 1))
			if total, _ := env.gw.count(); total != 0 {
				t.Fatalf("%d sent before 10:00 Tokyo", total)
			}
			env.at(tokyo.Add(time.Second), 3, func() bool { n, _ := env.got("81312345678"); return n == 1 })
			if n, _ := env.got("12125550101"); n != 0 {
				t.Fatal("New York got it at 20:00 local the day before")
			}
			// New York's 10:00 (EST) is 15:00 UTC.
			ny := time.Date(2026, 3, 5, 15, 0, 0, 0, time.UTC)
			env.at(ny.Add(-time.Minute), 1, always2(env, 1))
			if n, _ := env.got("12125550101"); n != 0 {
				t.Fatal("New York got it before 10:00 local")
			}
			env.at(ny.Add(time.Second), 3, func() bool { n, _ := env.got("12125550101"); return n == 1 })
			// Moved's signup comes forward to 4 March: due 7 March 10:00
			// London (GMT) instead of 23 March.
			env.setContact("447700900302", func(c *store.Contact) { c.Fields = `{"signup":"2026-03-04"}` })
			moved := time.Date(2026, 3, 7, 10, 0, 0, 0, time.UTC)
			env.at(moved.Add(-time.Hour), 2, always2(env, 2))
			if r := env.rows(id)["447700900302"][1]; !r.NotBefore.Equal(moved) || r.State != store.RecipientPending {
				t.Fatalf("moved row %+v, want pending at %v", r, moved)
			}
			env.at(moved.Add(time.Second), 3, func() bool { n, _ := env.got("447700900302"); return n == 1 })
			if _, text := env.got("447700900302"); text != "Day three" {
				t.Fatalf("text %q", text)
			}
			// A date moved into the past skips the step: None gets one
			// two days back (its step due yesterday).
			env.setContact("447700900303", func(c *store.Contact) { c.Fields = `{"signup":"2026-03-03"}` })
			// Back's enrolled step moves into the past: skipped.
			env.setContact("447700900304", func(c *store.Contact) { c.Fields = `{"signup":"2026-01-01"}` })
			env.at(moved.Add(time.Hour), 2, always2(env, 2))
			rows := env.rows(id)
			if rows["447700900303"] != nil {
				t.Fatal("a step whose date passed was enrolled")
			}
			if r := rows["447700900304"][1]; r.State != store.RecipientSkipped || r.Reason != "date passed" {
				t.Fatalf("a step moved into the past: %+v", r)
			}
			if n, _ := env.got("447700900304"); n != 0 {
				t.Fatal("a step moved into the past was sent")
			}
			for _, c := range stepCounters(t, env.st, id) {
				if c.Step == 1 && (c.Targeted != 4 || c.Sent != 3 || c.Skipped != 1) {
					t.Fatalf("step 1 counters %+v", c)
				}
			}
			if n, _ := env.got("447700900301"); n != 0 {
				t.Fatal("a signup of last year got the step")
			}
		})
	}
}

// always2 holds at the n-th call: passUntil runs exactly n passes.
func always2(env *dripEnv, n int) func() bool {
	k := 0
	return func() bool { k++; return k >= n }
}

func stepCounters(t *testing.T, st *store.Store, id int64) []store.CampaignCounters {
	t.Helper()
	rows, err := st.CampaignStats(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

// A contact that starts matching the segment after the launch enters
// the sequence; one matching at launch does not (no include_existing);
// leaving the segment with exit_on_leave ends the sequence.
func TestEngineDripSegmentEntry(t *testing.T) {
	for _, driver := range storetest.Drivers {
		t.Run(driver, func(t *testing.T) {
			start := time.Date(2026, 3, 2, 12, 0, 0, 0, time.UTC)
			env := newDripEnv(t, driver, start, []store.Contact{
				{Phone: "447700900401", FirstName: "Was", TimeZone: "Europe/London", Tags: []string{"vip"}},
				{Phone: "447700900402", FirstName: "New", TimeZone: "Europe/London"},
				{Phone: "447700900403", FirstName: "Gone", TimeZone: "Europe/London"},
			})
			ctx := context.Background()
			seg := &store.Segment{AccountID: 1, Name: "vip", Rules: store.SegmentRules{Conditions: []store.SegmentCondition{
				{Field: "tags", Op: "has", Value: json.RawMessage(`"vip"`)}}}}
			if err := env.st.CreateSegment(ctx, seg); err != nil {
				t.Fatal(err)
			}
			id := env.launch(&Drip{SegmentID: seg.ID, ExitOnLeave: true, Steps: []DripStep{{Delay: 0, Text: "Welcome, VIP"},
				{Delay: 86400, Text: "A day in"}}})
			env.at(start, 2, always2(env, 2))
			if total, _ := env.gw.count(); total != 0 {
				t.Fatalf("%d sent to contacts in the segment at launch", total)
			}
			if r := env.rows(id)["447700900401"][0]; r.State != store.RecipientSkipped {
				t.Fatalf("the contact in the segment at launch: %+v", r)
			}
			// Two start matching later.
			for _, p := range []string{"447700900402", "447700900403"} {
				env.setContact(p, func(c *store.Contact) { c.Tags = []string{"vip"} })
			}
			env.at(start.Add(time.Hour), 5, func() bool { total, _ := env.gw.count(); return total == 2 })
			if n, text := env.got("447700900402"); n != 1 || text != "Welcome, VIP" {
				t.Fatalf("New got %d, %q", n, text)
			}
			if n, _ := env.got("447700900401"); n != 0 {
				t.Fatal("the contact in the segment at launch entered")
			}
			// Gone leaves the segment before its second step.
			env.setContact("447700900403", func(c *store.Contact) { c.Tags = nil })
			env.at(start.Add(26*time.Hour), 5, func() bool { n, _ := env.got("447700900402"); return n == 2 })
			env.at(start.Add(27*time.Hour), 2, always2(env, 2))
			if n, _ := env.got("447700900403"); n != 1 {
				t.Fatalf("Gone got %d texts, want 1: it left the segment", n)
			}
			if r := env.rows(id)["447700900403"][2]; r.State != store.RecipientSkipped || r.Reason != "left the audience: left the sequence" {
				t.Fatalf("Gone's step 2: %+v", r)
			}
			// Coming back does not enter the sequence again.
			env.setContact("447700900403", func(c *store.Contact) { c.Tags = []string{"vip"} })
			env.at(start.Add(50*time.Hour), 3, always2(env, 3))
			if total, _ := env.gw.count(); total != 3 {
				t.Fatalf("%d sent, want 3", total)
			}
			// The segment deleted: the sequence pauses, saying why.
			if err := env.st.DeleteSegment(ctx, 1, seg.ID); err != nil {
				t.Fatal(err)
			}
			env.at(start.Add(51*time.Hour), 3, func() bool { return state(t, env.st, id) == store.CampaignPaused })
			if c, _ := env.st.CampaignByID(ctx, 1, id); !strings.Contains(c.Reason, "no longer exists") {
				t.Fatalf("reason %q", c.Reason)
			}
		})
	}
}

// A step whose condition the contact does not match when it is due is
// skipped with a reason; the sequence goes on (on_fail skip) or ends
// (on_fail exit).
func TestEngineDripStepCondition(t *testing.T) {
	for _, driver := range storetest.Drivers {
		t.Run(driver, func(t *testing.T) {
			start := time.Now().UTC().Truncate(time.Second) // list entries are stamped by the store's clock
			env := newDripEnv(t, driver, start, []store.Contact{
				{Phone: "447700900501", FirstName: "Gold", TimeZone: "Europe/London", Tags: []string{"gold"}},
				{Phone: "447700900502", FirstName: "Plain", TimeZone: "Europe/London"},
			})
			ctx := context.Background()
			list := env.list("447700900501", "447700900502")
			gold := store.SegmentRules{Conditions: []store.SegmentCondition{{Field: "tags", Op: "has", Value: json.RawMessage(`"gold"`)}}}
			plainSeg := &store.Segment{AccountID: 1, Name: "first Plain", Rules: store.SegmentRules{Conditions: []store.SegmentCondition{
				{Field: "first_name", Op: "eq", Value: json.RawMessage(`"Gold"`)}}}}
			if err := env.st.CreateSegment(ctx, plainSeg); err != nil {
				t.Fatal(err)
			}
			id := env.launch(&Drip{ListID: list, IncludeExisting: true, Steps: []DripStep{
				{Delay: 0, Text: "One"},
				{Delay: 3600, Text: "Gold only", Condition: &StepCondition{Rules: &gold}},
				{Delay: 7200, Text: "Three"},
				{Delay: 10800, Text: "Named Gold", Condition: &StepCondition{SegmentID: plainSeg.ID}, OnFail: OnFailExit},
				{Delay: 14400, Text: "Five"},
			}})
			env.at(start, 3, func() bool { total, _ := env.gw.count(); return total == 2 })
			env.at(start.Add(5*time.Hour), 10, func() bool { n, _ := env.got("447700900501"); return n == 5 })
			env.at(start.Add(6*time.Hour), 2, always2(env, 2))
			if n, text := env.got("447700900502"); n != 2 || text != "Three" {
				t.Fatalf("Plain got %d texts, the last %q; want One and Three", n, text)
			}
			rows := env.rows(id)["447700900502"]
			if r := rows[2]; r.State != store.RecipientSkipped || r.Reason != "condition of step 2 not met" {
				t.Fatalf("Plain's step 2: %+v", r)
			}
			if r := rows[4]; r.State != store.RecipientSkipped || r.Reason != "condition of step 4 not met: left the sequence" {
				t.Fatalf("Plain's step 4: %+v", r)
			}
			if r := rows[5]; r.State != store.RecipientSkipped || r.Reason != "condition of step 4 not met: left the sequence" {
				t.Fatalf("Plain's step 5: %+v", r)
			}
		})
	}
}

// An opt-out by MO (the ledger row its STOP writes, read by the opt-out
// tail) mid-sequence stops the later steps.
func TestEngineDripOptOutStopsLaterSteps(t *testing.T) {
	for _, driver := range storetest.Drivers {
		t.Run(driver, func(t *testing.T) {
			start := time.Now().UTC().Truncate(time.Second) // list entries are stamped by the store's clock
			env := newDripEnv(t, driver, start, []store.Contact{
				{Phone: "447700900601", FirstName: "Stays", TimeZone: "Europe/London"},
				{Phone: "447700900602", FirstName: "Stops", TimeZone: "Europe/London"},
				{Phone: "447700900603", FirstName: "Blocked", TimeZone: "Europe/London"},
			})
			ctx := context.Background()
			list := env.list("447700900601", "447700900602", "447700900603")
			id := env.launch(&Drip{ListID: list, IncludeExisting: true, Steps: []DripStep{{Delay: 0, Text: "One"},
				{Delay: 3600, Text: "Two"}, {Delay: 7200, Text: "Three"}}})
			env.at(start, 3, func() bool { total, _ := env.gw.count(); return total == 3 })
			// Blocked opts out where the gateway's consent index sees it
			// at once: its next step is skipped and the sequence ends.
			env.e.cons = blockList{"447700900603": true}
			mo := sms.ID(1<<50 + 7)
			if err := env.st.InsertMO(ctx, &sms.MO{ID: mo, AccountID: 1, Source: sms.Address{Addr: "447700900602"},
				Dest: sms.Address{Addr: "Shop"}, Body: []byte("STOP"), ReceivedAt: time.Now()}); err != nil {
				t.Fatal(err)
			}
			if err := env.st.AddOptOuts(ctx, []store.OptOut{{Scope: 2, AccountID: 1, Number: "447700900602", OptedOut: true,
				Source: "keyword", Keyword: "STOP", MOID: mo}}); err != nil {
				t.Fatal(err)
			}
			env.at(start.Add(time.Hour+time.Minute), 3, func() bool { n, _ := env.got("447700900601"); return n == 2 })
			blocked := env.rows(id)["447700900603"]
			if blocked[2].Reason != "opted_out" || blocked[3].State != store.RecipientSkipped ||
				blocked[3].Reason != "opted out: left the sequence" {
				t.Fatalf("Blocked's steps 2 and 3: %+v %+v", blocked[2], blocked[3])
			}
			env.at(start.Add(3*time.Hour), 10, func() bool { n, _ := env.got("447700900601"); return n == 3 })
			env.at(start.Add(4*time.Hour), 2, always2(env, 2))
			if n, _ := env.got("447700900602"); n != 1 {
				t.Fatalf("the contact who opted out got %d texts, want 1", n)
			}
			rows := env.rows(id)["447700900602"]
			for _, step := range []int{2, 3} {
				if r := rows[step]; r.State != store.RecipientSkipped || r.Reason != "opted out: left the sequence" {
					t.Fatalf("step %d after the opt-out: %+v", step, r)
				}
			}
			for _, c := range stepCounters(t, env.st, id) {
				if c.Step == 1 && c.OptedOut != 1 {
					t.Fatalf("step 1 counters %+v: the opt-out counts on the step that preceded it", c)
				}
			}
		})
	}
}
