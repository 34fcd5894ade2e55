package webhook

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gallant-sms/gallant/sms"
	"github.com/prometheus/client_golang/prometheus"
)

// fakeOutbox is an Outbox in memory with the store's semantics: an entry
// is claimable when its avail time has passed, a claim leases it to its
// owner, only the owner renews, releases or deletes it.
type fakeOutbox struct {
	mu     sync.Mutex
	nextID int64
	rows   map[int64]*fakeRow
	// claims counts the claims of each id, to catch a double claim.
	claims map[int64]int
	// failSaves makes the next Saves fail.
	failSaves int
	saves     int // Save calls that succeeded
}

type fakeRow struct {
	e     OutboxEntry
	avail time.Time
	owner string
}

func newFakeOutbox() *fakeOutbox {
	return &fakeOutbox{rows: map[int64]*fakeRow{}, claims: map[int64]int{}}
}

func (o *fakeOutbox) Save(_ context.Context, es []OutboxEntry) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.failSaves > 0 {
		o.failSaves--
		return errors.New("fake outbox: save failed")
	}
	now := time.Now()
	for _, e := range es {
		o.nextID++
		e.ID = o.nextID
		e.Body = slices.Clone(e.Body)
		if e.NextAt.IsZero() {
			e.NextAt = now
		}
		o.rows[e.ID] = &fakeRow{e: e, avail: e.NextAt}
	}
	o.saves++
	return nil
}

func (o *fakeOutbox) Claim(_ context.Context, owner string, lease time.Duration, skip []int64, n int) ([]OutboxEntry, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	now := time.Now()
	var due []*fakeRow
	for _, r := range o.rows {
		if !r.avail.After(now) && !slices.Contains(skip, r.e.AccountID) {
			due = append(due, r)
		}
	}
	slices.SortFunc(due, func(a, b *fakeRow) int {
		if c := a.avail.Compare(b.avail); c != 0 {
			return c
		}
		return int(a.e.ID - b.e.ID)
	})
	var out []OutboxEntry
	for _, r := range due[:min(n, len(due))] {
		r.owner = owner
		r.avail = now.Add(lease)
		o.claims[r.e.ID]++
		out = append(out, r.e)
	}
	return out, nil
}

func (o *fakeOutbox) Renew(_ context.Context, owner string, lease time.Duration) (int, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	n := 0
	for _, r := range o.rows {
		if r.owner == owner {
			r.avail = time.Now().Add(lease)
			n++
		}
	}
	return n, nil
}

func (o *fakeOutbox) Release(_ context.Context, owner string, es []OutboxEntry) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	for _, e := range es {
		r := o.rows[e.ID]
		if r == nil || r.owner != owner {
			continue
		}
		r.owner = ""
		r.e.Attempts, r.e.NextAt = e.Attempts, e.NextAt
		if r.e.NextAt.IsZero() {
			r.e.NextAt = time.Now()
		}
		r.avail = r.e.NextAt
	}
	return nil
}

func (o *fakeOutbox) Done(_ context.Context, owner string, ids []int64) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	for _, id := range ids {
		if r := o.rows[id]; r != nil && r.owner == owner {
			delete(o.rows, id)
		}
	}
	return nil
}

// size returns how many entries the outbox holds and how many of them
// are claimed.
func (o *fakeOutbox) size() (all, claimed int) {
	o.mu.Lock()
	defer o.mu.Unlock()
	for _, r := range o.rows {
		if r.owner != "" {
			claimed++
		}
	}
	return len(o.rows), claimed
}

// doubleClaims returns the ids claimed more than once.
func (o *fakeOutbox) doubleClaims() []int64 {
	o.mu.Lock()
	defer o.mu.Unlock()
	var out []int64
	for id, n := range o.claims {
		if n > 1 {
			out = append(out, id)
		}
	}
	return out
}

// loopbackConfig readies cfg for receivers on 127.0.0.1 (httptest
// servers, the black hole): the one place where the tests posting over
// real sockets with these configs would opt in to loopback addresses.
func loopbackConfig(cfg Config) Config {
	cfg.Policy = loopback
	return cfg
}

// testSecrets gives every account the test deliveries' secret.
func testSecrets(context.Context, int64) (string, error) { return "whsec_test", nil }

// bulkWait bounds the waits of tests moving thousands of deliveries:
// about 1,000 posts a second go through under the race detector on two
// shared cores.
const bulkWait = 60 * time.Second

// eventually polls cond every 10 ms until it holds, failing the test with
// cond's last description after bulkWait.
func eventually(tb testing.TB, what string, cond func() (bool, string)) {
	tb.Helper()
	deadline := time.Now().Add(bulkWait)
	for {
		ok, desc := cond()
		if ok {
			return
		}
		if time.Now().After(deadline) {
			tb.Fatalf("timed out waiting for %s: %s", what, desc)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// tally is a receiver's count of 2xx answers per event id.
type tally struct {
	mu  sync.Mutex
	got map[string]int
}

func (t *tally) add(id string) {
	t.mu.Lock()
	t.got[id]++
	t.mu.Unlock()
}

// snapshot returns the distinct events received and those received more
// than once.
func (t *tally) snapshot() (distinct int, twice []string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for id, n := range t.got {
		if n > 1 {
			twice = append(twice, id)
		}
	}
	return len(t.got), twice
}

// TestPendingSurviveRestartDeliveredOnce: 10,000 deliveries pending when
// the dispatcher stops (16 posts hanging at a receiver that does not
// answer, the rest queued or, beyond the queue, in the outbox already)
// are all in the outbox after Stop, and two new dispatchers on the same
// outbox, like two instances after a restart, deliver each exactly once,
// as a first attempt (the aborted posts were not counted), signed with
// the secret looked up again; the outbox ends empty.
func TestPendingSurviveRestartDeliveredOnce(t *testing.T) {
	const accounts, each = 10, 1000
	const total = accounts * each
	var hanging atomic.Bool
	hanging.Store(true)
	var inFlight atomic.Int32
	got := &tally{got: map[string]int{}}
	rc := newReceiver(t, func(_ int, r *http.Request) answer {
		if hanging.Load() {
			inFlight.Add(1)
			<-r.Context().Done() // never answers: the client gives up
			return answer{status: http.StatusServiceUnavailable}
		}
		return answer{status: http.StatusNoContent}
	})
	ob := newFakeOutbox()
	cfg := loopbackConfig(DefaultConfig())
	cfg.QueueSize, cfg.AccountQueueSize = 4000, 1000
	cfg.Outbox, cfg.SecretOf = ob, testSecrets

	d1, err := New(cfg, nil, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	d1.Start()
	for i := range total {
		dl := testDelivery(rc.URL, i+1)
		dl.AccountID = int64(i%accounts + 1)
		if err := d1.Enqueue(dl); err != nil {
			t.Fatalf("Enqueue %d: %v", i, err)
		}
	}
	eventually(t, "posts hanging at the receiver", func() (bool, string) {
		n := inFlight.Load()
		return n == DefaultHostConcurrency, fmt.Sprint(n)
	})
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	stopStart := time.Now()
	left, err := d1.Stop(ctx)
	cancel()
	t.Logf("Stop with %d pending took %v", total, time.Since(stopStart))
	if !errors.Is(err, context.DeadlineExceeded) || len(left) != 0 {
		t.Fatalf("Stop = %d not persisted, %v; want none and the deadline", len(left), err)
	}
	if all, claimed := ob.size(); all != total || claimed != 0 {
		t.Fatalf("outbox holds %d (%d claimed) after Stop, want %d unclaimed", all, claimed, total)
	}

	hanging.Store(false)
	before := len(rc.requests()) // the posts that hung
	recs := []*fakeRecorder{newFakeRecorder(), newFakeRecorder()}
	resumeStart := time.Now()
	for _, rec := range recs {
		newTestDispatcher(t, cfg, rec)
	}
	eventually(t, "every delivery after the restart", func() (bool, string) {
		n := 0
		for _, rec := range recs {
			n += finished(rec.all())
		}
		return n >= total, fmt.Sprintf("%d of %d", n, total)
	})
	t.Logf("%d resumed and delivered by two dispatchers in %v", total, time.Since(resumeStart))
	for _, r := range rc.requests()[before:] {
		if err := Verify("whsec_test", r.header.Get(SignatureHeader), r.body, time.Now(), time.Minute); err != nil {
			t.Fatalf("resumed delivery signature: %v", err)
		}
		got.add(decodeEvent(t, r.body).EventID)
	}
	distinct, twice := got.snapshot()
	if distinct != total || len(twice) != 0 {
		t.Fatalf("receiver got %d distinct events, %d of them twice; want %d once each", distinct, len(twice), total)
	}
	for _, rec := range recs {
		for _, a := range rec.all() {
			if !a.Delivered || a.N != 1 {
				t.Fatalf("attempt %+v: want delivered at the first attempt", a)
			}
		}
	}
	if ids := ob.doubleClaims(); len(ids) != 0 {
		t.Fatalf("entries claimed twice: %v", ids)
	}
	eventually(t, "the outbox emptied", func() (bool, string) {
		all, claimed := ob.size()
		return all == 0, fmt.Sprintf("%d left, %d claimed", all, claimed)
	})
}

// TestOverflowGoesToOutboxAndIsDelivered: deliveries beyond the queue
// (and beyond the outbox's write buffer, written by Enqueue itself) are
// persisted, not refused, and delivered later, each once.
func TestOverflowGoesToOutboxAndIsDelivered(t *testing.T) {
	got := &tally{got: map[string]int{}}
	rc := newReceiver(t, func(_ int, r *http.Request) answer { return answer{status: http.StatusOK} })
	ob := newFakeOutbox()
	cfg := loopbackConfig(fast())
	cfg.QueueSize, cfg.AccountQueueSize = 20, 20
	cfg.Outbox, cfg.SecretOf = ob, testSecrets
	rec := newFakeRecorder()
	d, reg := newTestDispatcher(t, cfg, rec)
	const producers, each = 4, 250
	var wg sync.WaitGroup
	for p := range producers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				if err := d.Enqueue(testDelivery(rc.URL, p*each+i+1)); err != nil {
					t.Errorf("Enqueue: %v", err)
				}
			}
		}()
	}
	wg.Wait()
	rec.waitFor(t, "every delivery", func(as []Attempt) bool { return finished(as) >= producers*each })
	for _, r := range rc.requests() {
		got.add(decodeEvent(t, r.body).EventID)
	}
	if distinct, twice := got.snapshot(); distinct != producers*each || len(twice) != 0 {
		t.Fatalf("receiver got %d distinct events, %d twice; want %d once each", distinct, len(twice), producers*each)
	}
	if v := metricValue(t, reg, "gallant_webhook_deliveries_total", map[string]string{"result": "backlog"}); v != 0 {
		t.Errorf("deliveries_total{backlog} = %v, want 0", v)
	}
	// One account fills the queue: its share is full first (or the queue,
	// while the outbox loop reserves room to resume deliveries).
	var persisted float64
	for _, reason := range []string{"account_full", "queue_full"} {
		persisted += metricValue(t, reg, "gallant_webhook_outbox_persisted_total", map[string]string{"reason": reason})
	}
	if persisted <= 0 {
		t.Errorf("outbox_persisted_total{account_full,queue_full} = %v, want some", persisted)
	}
	if v := metricValue(t, reg, "gallant_webhook_outbox_resumed_total", nil); v != persisted {
		t.Errorf("outbox_resumed_total = %v, want the %v persisted", v, persisted)
	}
	eventually(t, "the outbox emptied", func() (bool, string) {
		all, claimed := ob.size()
		return all == 0, fmt.Sprintf("%d left, %d claimed", all, claimed)
	})
}

// TestOutboxFailingRefusesWithBacklog: while the outbox fails, a
// delivery that memory cannot hold is refused with ErrBacklog (and
// counted), not lost silently; once it works, overflow is persisted
// again.
func TestOutboxFailingRefusesWithBacklog(t *testing.T) {
	ob := newFakeOutbox()
	cfg := Config{QueueSize: 2, AccountQueueSize: 2, Outbox: ob, SecretOf: testSecrets}
	reg := prometheus.NewRegistry()
	d, err := New(cfg, nil, nil, reg)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Stop(context.Background())
	// Not started: memory fills, then the outbox buffer (two more).
	for i := range 4 {
		if err := d.Enqueue(testDelivery("https://hooks.example/x", i+1)); err != nil {
			t.Fatalf("Enqueue %d: %v", i, err)
		}
	}
	ob.mu.Lock()
	ob.failSaves = 1
	ob.mu.Unlock()
	if err := d.Enqueue(testDelivery("https://hooks.example/x", 5)); !errors.Is(err, ErrBacklog) {
		t.Fatalf("Enqueue with memory, buffer and outbox failing = %v, want ErrBacklog", err)
	}
	if v := metricValue(t, reg, "gallant_webhook_deliveries_total", map[string]string{"result": "backlog"}); v != 1 {
		t.Errorf("deliveries_total{backlog} = %v, want 1", v)
	}
	if v := metricValue(t, reg, "gallant_webhook_outbox_errors_total", map[string]string{"op": "save"}); v != 1 {
		t.Errorf("outbox_errors_total{save} = %v, want 1", v)
	}
	if err := d.Enqueue(testDelivery("https://hooks.example/x", 6)); err != nil {
		t.Fatalf("Enqueue with the outbox working again: %v", err)
	}
	if all, _ := ob.size(); all != 1 {
		t.Fatalf("outbox holds %d, want the one written by Enqueue", all)
	}
	left, err := d.Stop(context.Background())
	if err != nil || len(left) != 0 {
		t.Fatalf("Stop = %d left, %v", len(left), err)
	}
	if all, _ := ob.size(); all != 5 {
		t.Fatalf("outbox holds %d after Stop, want 5 (all but the refused one)", all)
	}
	var ids []sms.ID
	ob.mu.Lock()
	for _, r := range ob.rows {
		ids = append(ids, r.e.MessageID)
	}
	ob.mu.Unlock()
	slices.Sort(ids)
	if !slices.Equal(ids, []sms.ID{1, 2, 3, 4, 6}) {
		t.Fatalf("outbox holds messages %v, want 1-4 and 6", ids)
	}
}
