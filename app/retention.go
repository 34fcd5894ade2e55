package app

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/gallant-sms/gallant/sms"
	"github.com/gallant-sms/gallant/store"
)

// RetentionPolicy says how long records live (the retention.* settings).
// A zero period keeps its records forever.
type RetentionPolicy struct {
	// Messages is how long messages, both ways, are kept (with their
	// status history and held receipts); their totals stay in rollups.
	Messages time.Duration
	// Events is how long a message's status history is kept row by row;
	// after it, finished segments' acknowledgements are folded into their
	// final events.
	Events time.Duration
	// WebhookAttempts is how long webhook delivery attempts are kept.
	WebhookAttempts time.Duration
	// Interval is the time between runs (default 5m).
	Interval time.Duration
	// Batch is the most rows one statement touches (default 1,000).
	Batch int
	// Pause is the rest between two batches, so that the purge never
	// holds the store's writer for long (default 20ms).
	Pause time.Duration
}

// Tables the purger counts its work by (the table label of
// gallant_retention_purged_rows_total).
const (
	PurgeMessages        = "messages"
	PurgeEvents          = "message_events"
	PurgeHeldReceipts    = "held_receipts"
	PurgeInbound         = "mo_messages"
	PurgeWebhookAttempts = "webhook_attempts"
)

// PurgeRun is what one run of the purger did.
type PurgeRun struct {
	// Leased is false when another instance held the lease: nothing was
	// purged.
	Leased bool
	// Rows counts the rows deleted by table; Batches the statements run.
	Rows    map[string]int64
	Batches int
}

// Purger deletes records older than their retention, in small batches
// off the hot path, under a lease in the store so that one instance
// purges at a time. Start it once and Stop it on shutdown.
type Purger struct {
	st     *store.Store
	pol    RetentionPolicy
	log    *slog.Logger
	holder string
	now    func() time.Time
	m      purgeMetrics

	startOnce sync.Once
	stopOnce  sync.Once
	stop      chan struct{}
	done      chan struct{}
}

// purgeMetrics are the purger's metrics.
type purgeMetrics struct {
	rows     *prometheus.CounterVec
	runs     *prometheus.CounterVec
	lastRun  prometheus.Gauge
	duration prometheus.Gauge
}

// NewPurger returns a purger over st; reg (nil: none) receives its
// metrics.
func NewPurger(st *store.Store, pol RetentionPolicy, log *slog.Logger, reg prometheus.Registerer) *Purger {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if pol.Interval <= 0 {
		pol.Interval = 5 * time.Minute
	}
	if pol.Batch <= 0 {
		pol.Batch = 1000
	}
	pol.Batch = min(pol.Batch, store.MaxPurgeBatch)
	if pol.Pause <= 0 {
		pol.Pause = 20 * time.Millisecond
	}
	var b [8]byte
	rand.Read(b[:])
	host, _ := os.Hostname()
	p := &Purger{st: st, pol: pol, log: log.With("component", "retention"), holder: host + "/" + hex.EncodeToString(b[:]),
		now: time.Now, stop: make(chan struct{}), done: make(chan struct{})}
	p.m = purgeMetrics{
		rows: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "gallant_retention_purged_rows_total",
			Help: "Rows deleted by the retention purge, by table."}, []string{"table"}),
		runs: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "gallant_retention_runs_total",
			Help: "Retention purge runs by result: purged, not_leased (another instance purges) or failed."}, []string{"result"}),
		lastRun: prometheus.NewGauge(prometheus.GaugeOpts{Name: "gallant_retention_last_run_timestamp_seconds",
			Help: "When this instance last finished a retention purge run (unix seconds)."}),
		duration: prometheus.NewGauge(prometheus.GaugeOpts{Name: "gallant_retention_last_run_duration_seconds",
			Help: "How long this instance's last retention purge run took."}),
	}
	if reg != nil {
		reg.MustRegister(p.m.rows, p.m.runs, p.m.lastRun, p.m.duration)
	}
	return p
}

// Start runs the purger in its own goroutine, every Interval, until Stop.
func (p *Purger) Start() {
	p.startOnce.Do(func() {
		go p.loop()
	})
}

// Stop ends the purger (a batch under way is finished or rolled back)
// and releases its lease, waiting within ctx. Stopping a purger that was
// never started returns at once.
func (p *Purger) Stop(ctx context.Context) error {
	started := true
	p.startOnce.Do(func() { started = false })
	p.stopOnce.Do(func() { close(p.stop) })
	if !started {
		return nil
	}
	select {
	case <-p.done:
	case <-ctx.Done():
		return fmt.Errorf("retention purger: %w", ctx.Err())
	}
	if err := p.st.ReleaseRetention(ctx, p.holder); err != nil {
		return fmt.Errorf("retention purger: %w", err)
	}
	return nil
}

func (p *Purger) loop() {
	defer close(p.done)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		select {
		case <-p.stop:
			cancel()
		case <-ctx.Done():
		}
	}()
	t := time.NewTicker(p.pol.Interval)
	defer t.Stop()
	for {
		select {
		case <-p.stop:
			return
		case <-t.C:
		}
		if _, err := p.Run(ctx); err != nil && ctx.Err() == nil {
			p.log.Error("retention purge failed", "err", err)
		}
	}
}

// leaseFor is how long a lease lasts: a purger that dies is replaced
// after it.
func (p *Purger) leaseFor() time.Duration { return max(2*p.pol.Interval, time.Minute) }

// Run purges once: every table with a retention, batch by batch, while
// it holds the lease (renewed as it goes). It logs a line with what it
// deleted.
func (p *Purger) Run(ctx context.Context) (PurgeRun, error) {
	run := PurgeRun{Rows: map[string]int64{}}
	start := p.now()
	ok, err := p.st.LeaseRetention(ctx, p.holder, start, start.Add(p.leaseFor()))
	if err != nil {
		p.m.runs.WithLabelValues("failed").Inc()
		return run, err
	}
	if !ok {
		p.m.runs.WithLabelValues("not_leased").Inc()
		p.log.Debug("retention purge skipped: another instance holds the lease")
		return run, nil
	}
	run.Leased = true
	err = p.purge(ctx, &run)
	took := time.Since(start)
	p.m.duration.Set(took.Seconds())
	p.m.lastRun.Set(float64(p.now().Unix()))
	attrs := []any{"took", took.Round(time.Millisecond), "batches", run.Batches, "messages", run.Rows[PurgeMessages],
		"events", run.Rows[PurgeEvents], "held_receipts", run.Rows[PurgeHeldReceipts], "inbound", run.Rows[PurgeInbound],
		"webhook_attempts", run.Rows[PurgeWebhookAttempts]}
	if err != nil {
		p.m.runs.WithLabelValues("failed").Inc()
		p.log.Warn("retention purge stopped", append(attrs, "err", err)...)
		return run, err
	}
	p.m.runs.WithLabelValues("purged").Inc()
	p.log.Info("retention purge", attrs...)
	return run, nil
}

// errLeaseLost ends a run whose lease another instance took.
var errLeaseLost = errors.New("retention lease lost")

// purge runs the batches of one run.
func (p *Purger) purge(ctx context.Context, run *PurgeRun) error {
	renewed := p.now()
	// add counts rows deleted, in the run and (at once) in the metrics.
	add := func(table string, n int64) {
		if n > 0 {
			run.Rows[table] += n
			p.m.rows.WithLabelValues(table).Add(float64(n))
		}
	}
	// step rests between batches and renews the lease when half of it
	// has passed.
	step := func() error {
		run.Batches++
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(p.pol.Pause):
		}
		if now := p.now(); now.Sub(renewed) > p.leaseFor()/2 {
			ok, err := p.st.LeaseRetention(ctx, p.holder, now, now.Add(p.leaseFor()))
			if err != nil {
				return err
			}
			if !ok {
				return errLeaseLost
			}
			renewed = now
		}
		return nil
	}
	now := p.now()
	if d := p.pol.Messages; d > 0 {
		before := now.Add(-d)
		var after sms.ID
		for {
			b, err := p.st.PurgeMessages(ctx, before, after, p.pol.Batch)
			if err != nil {
				return err
			}
			add(PurgeMessages, b.Messages)
			add(PurgeEvents, b.Events)
			add(PurgeHeldReceipts, b.HeldReceipts)
			if err := step(); err != nil {
				return err
			}
			if b.Done {
				break
			}
			after = b.Next
		}
		for {
			n, err := p.st.PurgeInbound(ctx, before, p.pol.Batch)
			if err != nil {
				return err
			}
			add(PurgeInbound, n)
			if err := step(); err != nil {
				return err
			}
			if n < int64(p.pol.Batch) {
				break
			}
		}
	}
	if d := p.pol.Events; d > 0 {
		before := now.Add(-d)
		var after sms.ID
		for {
			b, err := p.st.PurgeEvents(ctx, before, after, p.pol.Batch)
			if err != nil {
				return err
			}
			add(PurgeEvents, b.Deleted)
			if err := step(); err != nil {
				return err
			}
			if b.Done {
				break
			}
			after = b.Next
		}
	}
	if d := p.pol.WebhookAttempts; d > 0 {
		for {
			n, err := p.st.PurgeWebhookAttempts(ctx, now.Add(-d), p.pol.Batch)
			if err != nil {
				return err
			}
			add(PurgeWebhookAttempts, n)
			if err := step(); err != nil {
				return err
			}
			if n < int64(p.pol.Batch) {
				break
			}
		}
	}
	return nil
}
