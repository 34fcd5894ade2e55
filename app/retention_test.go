package app

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"github.com/gallant-sms/gallant/internal/testutil"
	"github.com/gallant-sms/gallant/sms"
	"github.com/gallant-sms/gallant/store"
	"github.com/gallant-sms/gallant/store/storetest"
)

// insertAged stores n delivered messages of account 1 accepted age ago
// (each with a queued and a delivered event and a webhook attempt) and
// returns their ids.
func insertAged(t *testing.T, st *store.Store, n int, age time.Duration) []sms.ID {
	t.Helper()
	var rows []store.Row
	var ids []sms.ID
	for i := range n {
		at := time.Now().Add(-age).Add(time.Duration(i) * time.Millisecond)
		id := store.IDAt(at) | sms.ID(i%sms.MaxNode+1)
		ids = append(ids, id)
		rows = append(rows,
			&sms.Message{ID: id, AccountID: 1, Dest: sms.Address{Addr: "447700900001"}, Body: []byte("hi"), Segments: 1,
				RegisteredDelivery: 1, CreatedAt: at, Status: sms.StatusAccepted, ClientRef: fmt.Sprint("r", id)},
			&store.Event{AccountID: 1, Event: sms.Event{MessageID: id, Status: sms.StatusQueued, At: at}},
			&store.Event{AccountID: 1, Event: sms.Event{MessageID: id, Status: sms.StatusDelivered, At: at, Segment: 1, Carrier: "c1", CarrierMsgID: "x"}},
			&store.WebhookAttempt{MessageID: id, AccountID: 1, URL: "https://h.example/", Attempt: 1, StatusCode: 200, At: at})
	}
	if err := st.Insert(context.Background(), rows...); err != nil {
		t.Fatal(err)
	}
	return ids
}

// counterValue reads one labelled counter of a registry.
func counterValue(t *testing.T, reg *prometheus.Registry, name, label string) float64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
		for _, m := range mf.GetMetric() {
			if labelIs(m, label) {
				return m.GetCounter().GetValue()
			}
		}
	}
	return 0
}

func labelIs(m *dto.Metric, v string) bool {
	for _, l := range m.GetLabel() {
		if l.GetValue() == v {
			return true
		}
	}
	return false
}

// TestPurgerRun: a run under the lease purges old messages with their
// events, old webhook attempts, in several batches, and counts them in
// its metrics; another instance's purger finds the lease taken and purges
// nothing; newer records stay.
func TestPurgerRun(t *testing.T) {
	forEachDriver(t, func(t *testing.T, driver string) {
		st := storetest.Open(t, driver)
		ctx := context.Background()
		old := insertAged(t, st, 5, 3*24*time.Hour)
		recent := insertAged(t, st, 2, time.Hour)
		pol := RetentionPolicy{Messages: 2 * 24 * time.Hour, WebhookAttempts: 2 * 24 * time.Hour, Batch: 2, Pause: time.Millisecond}
		reg1, reg2 := prometheus.NewRegistry(), prometheus.NewRegistry()
		p1, p2 := NewPurger(st, pol, nil, reg1), NewPurger(st, pol, nil, reg2)
		run, err := p1.Run(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if !run.Leased || run.Rows[PurgeMessages] != 5 || run.Rows[PurgeEvents] != 10 || run.Rows[PurgeWebhookAttempts] != 5 {
			t.Fatalf("run %+v: want 5 messages, 10 events, 5 webhook attempts", run)
		}
		if run.Batches < 6 {
			t.Fatalf("%d batches of 2: want at least 3 for messages and 3 for webhook attempts", run.Batches)
		}
		if got := counterValue(t, reg1, "gallant_retention_purged_rows_total", PurgeMessages); got != 5 {
			t.Fatalf("purged rows metric %v, want 5", got)
		}
		for _, id := range old {
			if _, _, err := st.GetMessage(ctx, 1, id); err == nil {
				t.Fatalf("old message %v kept", id)
			}
		}
		for _, id := range recent {
			if _, evs, err := st.GetMessage(ctx, 1, id); err != nil || len(evs) != 2 {
				t.Fatalf("recent message %v: %d events, %v", id, len(evs), err)
			}
		}
		// p1 holds the lease: p2 purges nothing.
		insertAged(t, st, 1, 3*24*time.Hour)
		run2, err := p2.Run(ctx)
		if err != nil || run2.Leased || len(run2.Rows) != 0 {
			t.Fatalf("second instance's run %+v, %v: want no lease, nothing purged", run2, err)
		}
		if got := counterValue(t, reg2, "gallant_retention_runs_total", "not_leased"); got != 1 {
			t.Fatalf("not_leased runs %v, want 1", got)
		}
		// Stopping p1 (never started) releases nothing; releasing its
		// lease lets p2 purge at once.
		if err := st.ReleaseRetention(ctx, p1.holder); err != nil {
			t.Fatal(err)
		}
		if run2, err = p2.Run(ctx); err != nil || !run2.Leased || run2.Rows[PurgeMessages] != 1 {
			t.Fatalf("after release: %+v, %v", run2, err)
		}
	})
}

// TestPurgerStartStop: a started purger purges on its interval; Stop
// ends its goroutine and releases its lease, so another instance takes
// over at once.
func TestPurgerStartStop(t *testing.T) {
	forEachDriver(t, func(t *testing.T, driver string) {
		st := storetest.Open(t, driver)
		ctx := context.Background()
		pol := RetentionPolicy{Messages: 24 * time.Hour, Interval: 20 * time.Millisecond, Batch: 100, Pause: time.Millisecond}
		p := NewPurger(st, pol, nil, nil)
		p.Start()
		ids := insertAged(t, st, 3, 2*24*time.Hour)
		testutil.Eventually(t, "old messages purged", func() (bool, string) {
			for _, id := range ids {
				if _, _, err := st.GetMessage(ctx, 1, id); err == nil {
					return false, fmt.Sprintf("message %v still there", id)
				}
			}
			return true, ""
		})
		stopCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		if err := p.Stop(stopCtx); err != nil {
			t.Fatal(err)
		}
		select {
		case <-p.done:
		default:
			t.Fatal("purger goroutine still running after Stop")
		}
		other := NewPurger(st, pol, nil, nil)
		if run, err := other.Run(ctx); err != nil || !run.Leased {
			t.Fatalf("after Stop, another purger: %+v, %v; want the lease", run, err)
		}
	})
}
