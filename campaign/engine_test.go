package campaign

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/gallant-sms/gallant/consent"
	"github.com/gallant-sms/gallant/sms"
	"github.com/gallant-sms/gallant/store"
	"github.com/gallant-sms/gallant/store/storetest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// fakeGateway records submissions by destination.
type fakeGateway struct {
	mu        sync.Mutex
	next      sms.ID
	got       map[string]int
	texts     map[string]string
	saturated bool
	// countOnly counts submissions without remembering them (the 1M
	// benchmark measures the engine's memory, not the fake's).
	countOnly bool
	total     int
	// refuse, when set, answers a submission instead of accepting it.
	refuse func(s Submission) (SubmitResult, bool)
}

func newFakeGateway() *fakeGateway {
	return &fakeGateway{next: 1 << 40, got: map[string]int{}, texts: map[string]string{}}
}

func (g *fakeGateway) Submit(_ context.Context, _ int64, subs []Submission) []SubmitResult {
	g.mu.Lock()
	defer g.mu.Unlock()
	out := make([]SubmitResult, len(subs))
	for i, s := range subs {
		if g.refuse != nil {
			if r, ok := g.refuse(s); ok {
				out[i] = r
				continue
			}
		}
		g.next++
		if g.countOnly {
			g.total++
			out[i] = SubmitResult{Outcome: Sent, MessageID: g.next, Price: 1000}
			continue
		}
		g.got[s.To]++
		g.texts[s.To] = s.Text
		out[i] = SubmitResult{Outcome: Sent, MessageID: g.next, Price: 1000}
	}
	return out
}

func (g *fakeGateway) Saturated() bool { g.mu.Lock(); defer g.mu.Unlock(); return g.saturated }

func (g *fakeGateway) count() (total, max int) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.countOnly {
		return g.total, 1
	}
	for _, n := range g.got {
		total += n
		if n > max {
			max = n
		}
	}
	return total, max
}

type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *fakeClock) Add(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }
func numbers(prefix string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("%s%07d", prefix, i)
	}
	return out
}

// launch stores and starts a campaign to nums (bypassing the app's
// estimate).
func launch(t *testing.T, st *store.Store, c *store.Campaign) {
	t.Helper()
	ctx := context.Background()
	if c.AccountID == 0 {
		c.AccountID = 1
	}
	if err := st.CreateCampaign(ctx, c); err != nil {
		t.Fatal(err)
	}
	if err := st.SetCampaignState(ctx, c.AccountID, c.ID, []string{store.CampaignDraft}, store.CampaignLaunching, ""); err != nil {
		t.Fatal(err)
	}
	n, err := st.MaterializeCampaign(ctx, c)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.StartCampaign(ctx, c.AccountID, c.ID, n, 0, false, nil); err != nil {
		t.Fatal(err)
	}
}

// passUntil runs passes (advancing clk by step each) until cond holds,
// at most max passes.
func passUntil(t *testing.T, e *Engine, clk *fakeClock, step time.Duration, max int, cond func() bool) {
	t.Helper()
	for range max {
		if err := e.Pass(context.Background()); err != nil {
			t.Fatal(err)
		}
		if cond() {
			return
		}
		clk.Add(step)
	}
	t.Fatalf("condition not reached in %d passes", max)
}

func state(t *testing.T, st *store.Store, id int64) string {
	t.Helper()
	c, err := st.CampaignByID(context.Background(), 0, id)
	if err != nil {
		t.Fatal(err)
	}
	return c.State
}

func stats(t *testing.T, st *store.Store, id int64) store.CampaignCounters {
	t.Helper()
	rows, err := st.CampaignStats(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	var sum store.CampaignCounters
	for _, r := range rows {
		sum.Targeted += r.Targeted
		sum.Sent += r.Sent
		sum.Skipped += r.Skipped
		sum.OptedOut += r.OptedOut
		sum.Spend += r.Spend
		sum.Unknown += r.Unknown
	}
	return sum
}

func TestEngineSendsEachRecipientOnceAtItsRate(t *testing.T) {
	for _, driver := range storetest.Drivers {
		t.Run(driver, func(t *testing.T) {
			st := storetest.Open(t, driver)
			gw := newFakeGateway()
			clk := &fakeClock{t: time.Date(2026, 3, 2, 15, 0, 0, 0, time.UTC)}
			e, err := NewEngine(st, gw, nil, Config{MaxRate: 1000, Now: clk.Now}, nil)
			if err != nil {
				t.Fatal(err)
			}
			c := &store.Campaign{Name: "a", Kind: KindTransactional, Sender: "Shop", Body: "Hello",
				Numbers: numbers("4420", 300), MaxRate: 100}
			launch(t, st, c)
			// 100 msg/s over 1 s of fake time: about 100 (burst 50).
			passUntil(t, e, clk, 100*time.Millisecond, 10, func() bool {
				return clk.Now().Sub(time.Date(2026, 3, 2, 15, 0, 0, 0, time.UTC)) >= 900*time.Millisecond
			})
			if total, _ := gw.count(); total < 50 || total > 160 {
				t.Fatalf("%d sent in 1 s at 100/s", total)
			}
			passUntil(t, e, clk, 100*time.Millisecond, 100, func() bool { return state(t, st, c.ID) == store.CampaignCompleted })
			total, most := gw.count()
			if total != 300 || most != 1 {
				t.Fatalf("sent %d, at most %d to one number; want 300 once each", total, most)
			}
			s := stats(t, st, c.ID)
			if s.Targeted != 300 || s.Sent != 300 || s.Spend != 300*1000 {
				t.Fatalf("counters %+v", s)
			}
		})
	}
}

func TestEngineQuietHoursDefer(t *testing.T) {
	st := storetest.Open(t, storetest.SQLite)
	gw := newFakeGateway()
	ny, _ := time.LoadLocation("America/New_York")
	clk := &fakeClock{t: time.Date(2026, 3, 2, 22, 30, 0, 0, ny)} // 22:30 in New York
	e, err := NewEngine(st, gw, nil, Config{Now: clk.Now}, nil)
	if err != nil {
		t.Fatal(err)
	}
	c := &store.Campaign{Name: "q", Kind: KindMarketing, Sender: "Shop", Body: "Sale", Numbers: []string{"12125550100", "819012345678"}}
	launch(t, st, c)
	passUntil(t, e, clk, time.Second, 5, func() bool { total, _ := gw.count(); return total == 1 })
	if gw.got["819012345678"] != 1 || gw.got["12125550100"] != 0 {
		t.Fatalf("sent %v: the US number is in quiet hours (22:30), Japan has no rule", gw.got)
	}
	if state(t, st, c.ID) != store.CampaignRunning {
		t.Fatal("a deferred recipient completed the campaign")
	}
	clk.Add(10 * time.Hour) // 08:30 in New York
	passUntil(t, e, clk, time.Second, 5, func() bool { return gw.got["12125550100"] == 1 })
	passUntil(t, e, clk, time.Second, 5, func() bool { return state(t, st, c.ID) == store.CampaignCompleted })
}

type blockList map[string]bool

func (b blockList) Blocked(_ int64, _, number string) (consent.Scope, bool) {
	return consent.ScopeAccount, b[number]
}

func TestEngineOptOutAndBackpressure(t *testing.T) {
	st := storetest.Open(t, storetest.SQLite)
	gw := newFakeGateway()
	clk := &fakeClock{t: time.Date(2026, 3, 2, 15, 0, 0, 0, time.UTC)}
	blocked := blockList{"44200000003": true}
	e, err := NewEngine(st, gw, blocked, Config{Now: clk.Now, QuietHours: []QuietRule{}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	c := &store.Campaign{Name: "o", Kind: KindMarketing, Sender: "Shop", Body: "Hi", Numbers: numbers("4420", 10)}
	launch(t, st, c)
	gw.saturated = true
	for range 3 {
		if err := e.Pass(context.Background()); err != nil {
			t.Fatal(err)
		}
		clk.Add(time.Second)
	}
	if total, _ := gw.count(); total != 0 {
		t.Fatalf("%d submitted to a saturated gateway", total)
	}
	gw.saturated = false
	refused := 0
	gw.refuse = func(s Submission) (SubmitResult, bool) {
		if s.To == "44200000005" && refused == 0 {
			refused++
			return SubmitResult{Outcome: Retry, Reason: "backpressure"}, true
		}
		if s.To == "44200000007" {
			return SubmitResult{Outcome: Skip, Reason: "recipient-opted-out", OptedOut: true}, true
		}
		return SubmitResult{}, false
	}
	passUntil(t, e, clk, time.Second, 20, func() bool { return state(t, st, c.ID) == store.CampaignCompleted })
	if gw.got["44200000003"] != 0 || gw.got["44200000005"] != 1 {
		t.Fatalf("sent %v", gw.got)
	}
	s := stats(t, st, c.ID)
	if s.Sent != 8 || s.Skipped != 2 || s.OptedOut != 2 {
		t.Fatalf("counters %+v", s)
	}
}

func TestEngineTakeoverAfterLeaseExpiry(t *testing.T) {
	for _, driver := range storetest.Drivers {
		t.Run(driver, func(t *testing.T) {
			st := storetest.Open(t, driver)
			clk := &fakeClock{t: time.Date(2026, 3, 2, 15, 0, 0, 0, time.UTC)}
			gwA, gwB := newFakeGateway(), newFakeGateway()
			cfg := Config{Now: clk.Now, LeaseTTL: 10 * time.Second, QuietHours: []QuietRule{}}
			a, _ := NewEngine(st, gwA, nil, cfg, nil)
			b, _ := NewEngine(st, gwB, nil, cfg, nil)
			c := &store.Campaign{Name: "t", Kind: KindTransactional, Sender: "Shop", Body: "Hi", Numbers: numbers("4420", 50), MaxRate: 10}
			launch(t, st, c)
			// A sends some, then dies holding a claimed page (sending).
			passUntil(t, a, clk, time.Second, 5, func() bool { total, _ := gwA.count(); return total >= 10 })
			ctx := context.Background()
			if _, err := st.ClaimRecipients(ctx, c.ID, a.holder, clk.Now(), 5); err != nil {
				t.Fatal(err)
			}
			// B waits while A's lease lives.
			if err := b.Pass(ctx); err != nil {
				t.Fatal(err)
			}
			if total, _ := gwB.count(); total != 0 {
				t.Fatal("B sent under A's live lease")
			}
			clk.Add(11 * time.Second)
			passUntil(t, b, clk, time.Second, 50, func() bool { return state(t, st, c.ID) == store.CampaignCompleted })
			for _, n := range numbers("4420", 50) {
				if gwA.got[n]+gwB.got[n] != 1 {
					t.Fatalf("%s sent %d+%d times", n, gwA.got[n], gwB.got[n])
				}
			}
		})
	}
}

func TestEngineBudgetCapPauses(t *testing.T) {
	st := storetest.Open(t, storetest.SQLite)
	gw := newFakeGateway()
	clk := &fakeClock{t: time.Date(2026, 3, 2, 15, 0, 0, 0, time.UTC)}
	e, _ := NewEngine(st, gw, nil, Config{Now: clk.Now, QuietHours: []QuietRule{}}, nil)
	c := &store.Campaign{Name: "b", Kind: KindTransactional, Sender: "Shop", Body: "Hi", Numbers: numbers("4420", 100),
		BudgetCap: 20 * 1000}
	launch(t, st, c)
	passUntil(t, e, clk, time.Second, 20, func() bool { return state(t, st, c.ID) == store.CampaignPaused })
	if total, _ := gw.count(); total > 20 {
		t.Fatalf("%d sent under a cap of 20 messages' worth", total)
	}
	got, _ := st.CampaignByID(context.Background(), 0, c.ID)
	if got.Reason != "budget cap reached" {
		t.Fatalf("reason %q", got.Reason)
	}
}

func TestEngineScheduleAndPause(t *testing.T) {
	st := storetest.Open(t, storetest.SQLite)
	gw := newFakeGateway()
	clk := &fakeClock{t: time.Date(2026, 3, 2, 15, 0, 0, 0, time.UTC)}
	e, _ := NewEngine(st, gw, nil, Config{Now: clk.Now, QuietHours: []QuietRule{}}, nil)
	ctx := context.Background()
	c := &store.Campaign{AccountID: 1, Name: "s", Kind: KindTransactional, Sender: "Shop", Body: "Hi", Numbers: numbers("4420", 50),
		MaxRate: 10, SendAt: clk.Now().Add(time.Hour)}
	if err := st.CreateCampaign(ctx, c); err != nil {
		t.Fatal(err)
	}
	if err := st.SetCampaignState(ctx, 1, c.ID, []string{store.CampaignDraft}, store.CampaignLaunching, ""); err != nil {
		t.Fatal(err)
	}
	n, _ := st.MaterializeCampaign(ctx, c)
	if err := st.StartCampaign(ctx, 1, c.ID, n, 0, true, nil); err != nil {
		t.Fatal(err)
	}
	for range 3 {
		if err := e.Pass(ctx); err != nil {
			t.Fatal(err)
		}
		clk.Add(time.Minute)
	}
	if total, _ := gw.count(); total != 0 || state(t, st, c.ID) != store.CampaignScheduled {
		t.Fatalf("%d sent before send_at", total)
	}
	clk.Add(time.Hour)
	passUntil(t, e, clk, time.Second, 10, func() bool { total, _ := gw.count(); return total >= 10 })
	if err := st.SetCampaignState(ctx, 1, c.ID, []string{store.CampaignRunning}, store.CampaignPaused, ""); err != nil {
		t.Fatal(err)
	}
	held, _ := gw.count()
	for range 5 {
		if err := e.Pass(ctx); err != nil {
			t.Fatal(err)
		}
		clk.Add(time.Second)
	}
	if total, _ := gw.count(); total != held {
		t.Fatalf("%d sent while paused", total-held)
	}
	if err := st.SetCampaignState(ctx, 1, c.ID, []string{store.CampaignPaused}, store.CampaignRunning, ""); err != nil {
		t.Fatal(err)
	}
	passUntil(t, e, clk, time.Second, 20, func() bool { return state(t, st, c.ID) == store.CampaignCompleted })
	if total, most := gw.count(); total != 50 || most != 1 {
		t.Fatalf("sent %d, at most %d to one", total, most)
	}
}

func TestEngineABTestPicksTheBetterVariant(t *testing.T) {
	for _, driver := range storetest.Drivers {
		t.Run(driver, func(t *testing.T) {
			st := storetest.Open(t, driver)
			gw := newFakeGateway()
			clk := &fakeClock{t: time.Date(2026, 3, 2, 15, 0, 0, 0, time.UTC)}
			e, _ := NewEngine(st, gw, nil, Config{Now: clk.Now, QuietHours: []QuietRule{}}, nil)
			ctx := context.Background()
			opts := Options{AB: &ABTest{Variants: []Variant{{Text: "Plain", Split: 50}, {Text: "Fancy", Split: 50}},
				TestPercent: 20, Metric: MetricDelivery, Window: 600}}
			if err := opts.AB.Check(); err != nil {
				t.Fatal(err)
			}
			c := &store.Campaign{AccountID: 1, Name: "ab", Kind: KindTransactional, Sender: "Shop", Numbers: numbers("4420", 1000),
				Options: opts.JSON()}
			if err := st.CreateCampaign(ctx, c); err != nil {
				t.Fatal(err)
			}
			if err := st.SetCampaignState(ctx, 1, c.ID, []string{store.CampaignDraft}, store.CampaignLaunching, ""); err != nil {
				t.Fatal(err)
			}
			n, _ := st.MaterializeCampaign(ctx, c)
			per, err := st.AssignVariants(ctx, c.ID, 20, []int{50, 50})
			if err != nil || per[0]+per[1]+per[2] != 1000 || per[1]+per[2] < 190 || per[1]+per[2] > 210 || per[1] < 95 || per[2] < 95 {
				t.Fatalf("split %v %v", per, err)
			}
			if err := st.StartCampaign(ctx, 1, c.ID, n, 0, false, per); err != nil {
				t.Fatal(err)
			}
			test := int(per[1] + per[2])
			passUntil(t, e, clk, time.Second, 20, func() bool { total, _ := gw.count(); return total == test })
			// Receipts: variant 2 ("Fancy") delivers 90%, variant 1 60%.
			sent, err := st.CampaignRecipients(ctx, c.ID, store.RecipientFilter{State: store.RecipientSent, Limit: 1000})
			if err != nil || len(sent) != test {
				t.Fatalf("%d sent, %v", len(sent), err)
			}
			k := map[int]int{}
			for _, r := range sent {
				k[r.Variant]++
				st2 := sms.StatusUndelivered
				if (r.Variant == 2 && k[2] <= 90) || (r.Variant == 1 && k[1] <= 60) {
					st2 = sms.StatusDelivered
				}
				if err := st.Insert(ctx, &store.Event{AccountID: 1, Event: sms.Event{MessageID: r.MessageID, Status: st2, At: clk.Now()}}); err != nil {
					t.Fatal(err)
				}
			}
			for range 3 { // the held-back 800 wait for the window
				if err := e.Pass(ctx); err != nil {
					t.Fatal(err)
				}
				clk.Add(time.Minute)
			}
			if total, _ := gw.count(); total != test {
				t.Fatalf("%d sent before the window ended", total)
			}
			clk.Add(10 * time.Minute)
			passUntil(t, e, clk, time.Second, 30, func() bool { return state(t, st, c.ID) == store.CampaignCompleted })
			gw.mu.Lock()
			fancy := 0
			for _, text := range gw.texts {
				if text == "Fancy" {
					fancy++
				}
			}
			gw.mu.Unlock()
			if total, most := gw.count(); total != 1000 || most != 1 || fancy != int(per[0]+per[2]) {
				t.Fatalf("sent %d (at most %d each), %d Fancy; want 1000 once each, %d Fancy", total, most, fancy, per[0]+per[2])
			}
			got, _ := st.CampaignByID(ctx, 0, c.ID)
			o, _ := ParseOptions(got.Options)
			if o.AB.Winner != 2 || len(o.AB.Rates) != 2 || o.AB.Rates[1] != 90/float64(per[2]) || o.AB.Rates[0] != 60/float64(per[1]) {
				t.Fatalf("outcome %+v", o.AB)
			}
			rows, _ := st.CampaignStats(ctx, c.ID)
			for _, r := range rows {
				if r.Variant == 2 && (r.Targeted != per[0]+per[2] || r.Sent != per[0]+per[2]) || r.Variant == 0 && r.Targeted != 0 {
					t.Fatalf("counters %+v", rows)
				}
			}
		})
	}
}

// A slow campaign whose audience is in quiet hours defers it at once:
// deferring costs no rate.
func TestEngineQuietHoursDeferAtScale(t *testing.T) {
	st := storetest.Open(t, storetest.SQLite)
	gw := newFakeGateway()
	ny, _ := time.LoadLocation("America/New_York")
	clk := &fakeClock{t: time.Date(2026, 3, 2, 23, 0, 0, 0, ny)}
	e, _ := NewEngine(st, gw, nil, Config{Now: clk.Now, PageSize: 500}, nil)
	c := &store.Campaign{Name: "night", Kind: KindMarketing, Sender: "Shop", Body: "Sale", Numbers: numbers("1212", 3000), MaxRate: 1}
	launch(t, st, c)
	passUntil(t, e, clk, 100*time.Millisecond, 10, func() bool {
		rows, err := st.CampaignRecipients(context.Background(), c.ID, store.RecipientFilter{State: store.RecipientPending, Limit: 10000})
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range rows {
			if r.Reason != "quiet_hours" {
				return false
			}
		}
		return len(rows) == 3000
	})
	if total, _ := gw.count(); total != 0 {
		t.Fatalf("%d sent in quiet hours", total)
	}
	clk.Add(9*time.Hour + time.Minute) // 08:01
	passUntil(t, e, clk, time.Second, 10, func() bool { total, _ := gw.count(); return total >= 3 })
	if total, _ := gw.count(); total > 12 {
		t.Fatalf("%d sent in a few seconds at 1 msg/s", total)
	}
}

func TestEngineLocalTime(t *testing.T) {
	st := storetest.Open(t, storetest.SQLite)
	gw := newFakeGateway()
	clk := &fakeClock{t: time.Date(2026, 3, 2, 7, 0, 0, 0, time.UTC)}
	e, _ := NewEngine(st, gw, nil, Config{Now: clk.Now, QuietHours: []QuietRule{{Prefix: "1", Zone: "America/New_York",
		Start: "08:00", End: "21:00"}, {Prefix: "44", Zone: "Europe/London", Start: "08:00", End: "21:00"}}}, nil)
	c := &store.Campaign{Name: "lt", Kind: KindTransactional, Sender: "Shop", Body: "Morning",
		Numbers: []string{"12125550100", "447700900100"}, Options: Options{LocalTime: "09:00"}.JSON(), SendAt: clk.Now()}
	launch(t, st, c)
	if err := e.Pass(context.Background()); err != nil {
		t.Fatal(err)
	}
	if total, _ := gw.count(); total != 0 {
		t.Fatalf("%d sent at 07:00 UTC", total)
	}
	clk.t = time.Date(2026, 3, 2, 9, 0, 1, 0, time.UTC) // 09:00 London, 04:00 New York
	passUntil(t, e, clk, time.Second, 3, func() bool { return gw.got["447700900100"] == 1 })
	if gw.got["12125550100"] != 0 {
		t.Fatal("New York got it at 04:00 local")
	}
	clk.t = time.Date(2026, 3, 2, 14, 0, 1, 0, time.UTC) // 09:00 New York (EST)
	passUntil(t, e, clk, time.Second, 3, func() bool { return gw.got["12125550100"] == 1 })
	passUntil(t, e, clk, time.Second, 3, func() bool { return state(t, st, c.ID) == store.CampaignCompleted })
}
