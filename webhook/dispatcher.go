package webhook

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"runtime/pprof"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gallant-sms/gallant/sms"
	"github.com/prometheus/client_golang/prometheus"
)

// Delivery is one event to post to one URL.
type Delivery struct {
	// URL is the callback URL: absolute, http or https.
	URL string
	// Secret keys the signature; it must not be empty.
	Secret string
	// AccountID and MessageID say whose callback this is, for [Attempt].
	AccountID int64
	MessageID sms.ID
	// Event is the payload, posted as JSON.
	Event Event
	// Attempts is how many posts were already made (0 for a new
	// delivery); a delivery returned by Stop and enqueued again goes on
	// counting from it towards Config.MaxAttempts.
	Attempts int
	// NextAt is the earliest time of the next post; zero means now.
	NextAt time.Time
}

// Dispatcher posts deliveries with a fixed pool of workers and retries
// failures from one min-heap driven by one timer. Create it with [New],
// call [Dispatcher.Start], feed it with [Dispatcher.Enqueue] and end it
// with [Dispatcher.Stop]. Its methods are safe for concurrent use.
type Dispatcher struct {
	cfg      Config
	rec      Recorder
	log      *slog.Logger
	m        *metrics
	client   *http.Client
	ownTrans *http.Transport // closed on Stop; nil when given one
	guard    *Guard          // enforces cfg.Policy

	// ready holds deliveries due now. Its capacity is QueueSize and
	// pending never exceeds it, so sends never block.
	ready chan *job
	// wake tells the scheduler that the heap's earliest entry changed.
	wake chan struct{}
	// quit is closed by Stop: workers finish their post and leave.
	quit chan struct{}
	// done is closed by the last of the workers and scheduler to leave.
	done    chan struct{}
	running atomic.Int32

	// hard is cancelled when Stop's context ends, aborting posts in
	// flight. It lives from New to Stop and is never used after.
	hard  context.Context
	abort context.CancelFunc

	mu sync.Mutex // guards the fields below
	// retry orders deliveries awaiting a later attempt by due time.
	retry    jobHeap
	pending  int // deliveries held: in ready, in retry or being posted
	started  bool
	stopping bool
}

// job is a delivery with its encoded body.
type job struct {
	d    Delivery
	body []byte
	due  time.Time
}

// New returns a Dispatcher for cfg, reporting attempts to rec (nil: none),
// logging to logger (nil: nowhere) and registering its metrics with reg
// (nil: not registered). It fails on an invalid cfg or if the metrics are
// already registered with reg.
func New(cfg Config, rec Recorder, logger *slog.Logger, reg prometheus.Registerer) (*Dispatcher, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cfg = cfg.withDefaults()
	if rec == nil {
		rec = nopRecorder{}
	}
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	d := &Dispatcher{
		cfg:   cfg,
		rec:   rec,
		log:   logger,
		ready: make(chan *job, cfg.QueueSize),
		wake:  make(chan struct{}, 1),
		quit:  make(chan struct{}),
		done:  make(chan struct{}),
	}
	guard, err := NewGuard(cfg.Policy, reg)
	if err != nil {
		return nil, err
	}
	d.guard = guard
	rt := cfg.Transport
	if rt == nil {
		d.ownTrans = guard.NewTransport(cfg.Workers, cfg.Timeout)
		rt = d.ownTrans
	}
	d.client = &http.Client{Transport: rt, CheckRedirect: noRedirect}
	d.m = newMetrics(reg,
		func() float64 { return float64(len(d.ready)) },
		func() float64 { d.mu.Lock(); defer d.mu.Unlock(); return float64(len(d.retry)) },
		func() float64 { d.mu.Lock(); defer d.mu.Unlock(); return float64(d.pending) },
	)
	if err := d.m.register(); err != nil {
		return nil, err
	}
	d.hard, d.abort = context.WithCancel(context.Background())
	return d, nil
}

// Start starts the workers and the retry scheduler. Deliveries enqueued
// before Start wait for it. Calling Start again, or after Stop, does
// nothing.
func (d *Dispatcher) Start() {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.started || d.stopping {
		return
	}
	d.started = true
	d.running.Store(int32(d.cfg.Workers) + 1)
	for range d.cfg.Workers {
		go d.run("worker", d.worker)
	}
	go d.run("scheduler", d.schedule)
}

// run runs loop with pprof labels naming it, so a stuck worker shows up
// by name in a goroutine profile, and marks it gone when it returns.
func (d *Dispatcher) run(role string, loop func()) {
	defer d.exit()
	pprof.SetGoroutineLabels(pprof.WithLabels(context.Background(), pprof.Labels("component", "webhook", "role", role)))
	loop()
}

// exit marks one worker or the scheduler gone; the last closes done.
func (d *Dispatcher) exit() {
	if d.running.Add(-1) == 0 {
		close(d.done)
	}
}

// Enqueue hands dl to the dispatcher and returns at once. It refuses a
// URL that [Guard.CheckURL] refuses under Config.Policy,
// an empty secret, and a delivery whose attempts are used up; it returns
// [ErrBacklog] when the dispatcher already holds Config.QueueSize
// deliveries and [ErrStopped] after Stop. Enqueue sets an empty
// Event.EventID, a zero Event.At to now, and converts Event.At to UTC.
func (d *Dispatcher) Enqueue(dl Delivery) error {
	if err := d.check(&dl); err != nil {
		d.m.refused.Inc()
		return err
	}
	body, err := json.Marshal(&dl.Event)
	if err != nil {
		d.m.refused.Inc()
		return fmt.Errorf("webhook: encode event: %w", err)
	}
	j := &job{d: dl, body: body, due: dl.NextAt}

	d.mu.Lock()
	defer d.mu.Unlock()
	if d.stopping {
		return ErrStopped
	}
	if d.pending >= d.cfg.QueueSize {
		d.m.backlog.Inc()
		return ErrBacklog
	}
	d.pending++
	now := time.Now()
	if j.due.After(now) {
		d.pushRetryLocked(j)
		return nil
	}
	j.due = now
	d.ready <- j // never blocks: len(ready) < pending <= QueueSize = cap
	return nil
}

// check validates dl and fills in its event's id and time zone.
func (d *Dispatcher) check(dl *Delivery) error {
	if err := d.guard.CheckURL(dl.URL); err != nil {
		return err
	}
	if dl.Secret == "" {
		return ErrNoSecret
	}
	if dl.Attempts < 0 || dl.Attempts >= d.cfg.MaxAttempts {
		return fmt.Errorf("%w: %d attempts made, at most %d allowed", ErrBadDelivery, dl.Attempts, d.cfg.MaxAttempts)
	}
	if dl.Event.EventID == "" {
		dl.Event.EventID = newEventID()
	}
	if dl.Event.At.IsZero() {
		dl.Event.At = time.Now()
	}
	dl.Event.At = dl.Event.At.UTC()
	return nil
}

// Stop stops taking deliveries, lets posts in flight finish and returns
// the deliveries still pending, queued or awaiting a retry, with their
// Attempts and NextAt set so the caller can persist them and enqueue them
// again later. If ctx ends first, posts in flight are aborted (each is
// recorded as a failed attempt and returned as pending) and Stop returns
// ctx's error with the pending deliveries. Stop closes the idle
// connections of a Transport it owns and unregisters the metrics.
// Calling it again returns nothing.
func (d *Dispatcher) Stop(ctx context.Context) ([]Delivery, error) {
	d.mu.Lock()
	if d.stopping {
		d.mu.Unlock()
		return nil, nil
	}
	d.stopping = true
	started := d.started
	d.mu.Unlock()

	close(d.quit)
	var err error
	if started {
		select {
		case <-d.done:
		case <-ctx.Done():
			err = ctx.Err()
			d.abort()
			<-d.done
		}
	}
	d.abort()
	if d.ownTrans != nil {
		d.ownTrans.CloseIdleConnections()
	}
	d.m.unregister()

	d.mu.Lock()
	defer d.mu.Unlock()
	out := make([]Delivery, 0, d.pending)
drain:
	for {
		select {
		case j := <-d.ready:
			out = append(out, j.pending())
		default:
			break drain
		}
	}
	for len(d.retry) > 0 {
		out = append(out, d.popRetryLocked().pending())
	}
	d.pending = 0
	return out, err
}

// pending returns the delivery with its next attempt's time.
func (j *job) pending() Delivery {
	dl := j.d
	dl.NextAt = j.due
	return dl
}
