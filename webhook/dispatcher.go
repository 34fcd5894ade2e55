package webhook

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"runtime/pprof"
	"slices"
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
	// Body, when set, is posted as it is instead of Event: a JSON payload
	// of another shape (an inbound message, say), signed and retried as
	// events are.
	Body []byte
	// Attempts is how many posts were already made (0 for a new
	// delivery); a delivery returned by Stop and enqueued again goes on
	// counting from it towards Config.MaxAttempts.
	Attempts int
	// NextAt is the earliest time of the next post; zero means now.
	NextAt time.Time
}

// Dispatcher posts deliveries with a fixed pool of workers, fairly
// across accounts and receivers, and retries failures from one min-heap
// driven by one timer; a circuit breaker per receiver holds deliveries
// while it fails, and an optional [Outbox] keeps what memory cannot hold.
// Create it with [New], call [Dispatcher.Start], feed it with
// [Dispatcher.Enqueue] and end it with [Dispatcher.Stop]. Its methods
// are safe for concurrent use.
type Dispatcher struct {
	cfg      Config
	rec      Recorder
	log      *slog.Logger
	m        *metrics
	client   *http.Client
	ownTrans *http.Transport // closed on Stop; nil when given one
	owner    string          // names this dispatcher's claims in the outbox
	guard    *Guard          // enforces cfg.Policy

	// wake tells the scheduler that its earliest timer changed.
	wake chan struct{}
	// outboxWake tells the outbox loop that there is work.
	outboxWake chan struct{}
	// quit is closed by Stop: workers finish their post and leave.
	quit chan struct{}
	// done is closed by the last of the goroutines to leave.
	done    chan struct{}
	running atomic.Int32

	// hard is cancelled when Stop's context ends, aborting posts in
	// flight. It lives from New to Stop and is never used after.
	hard  context.Context
	abort context.CancelFunc

	mu sync.Mutex // guards the fields below
	// work wakes idle workers when a delivery is in turn, and at Stop.
	work *sync.Cond
	// accounts and hosts hold the fair queues and the breakers (lanes.go,
	// breaker.go); turn lists the accounts with a lane in turn.
	accounts map[int64]*account
	hosts    map[string]*host
	turn     fifo[*account]
	// retry orders deliveries awaiting a later attempt by due time;
	// timers orders the hosts whose breaker waits for a time.
	retry  jobHeap
	timers hostHeap
	// pending counts the deliveries held in memory: in lanes, in retry
	// or being posted (and slots reserved by the outbox loop). It never
	// exceeds QueueSize.
	pending int
	// queued are in lanes, parked of them in lanes waiting for their
	// receiver, inFlight being posted.
	queued, parked, inFlight int
	// spill holds deliveries on their way to the outbox; writing counts
	// those the outbox loop is writing now.
	spill   fifo[*job]
	writing int
	// finished lists the outbox ids of finished deliveries to delete;
	// owned counts the outbox entries this dispatcher holds claimed;
	// renewed is when their claims were last renewed; wantRoom says the
	// outbox loop found memory full.
	finished []int64
	owned    int
	renewed  time.Time
	wantRoom bool
	seq      uint64
	started  bool
	stopping bool
}

// job is a delivery with its encoded body.
type job struct {
	d    Delivery
	body []byte
	due  time.Time
	key  string // host key (hostKey)
	// oid is the outbox id of a delivery taken from the outbox, 0 for
	// others.
	oid int64
	// seq orders jobs by arrival, for Stop.
	seq uint64
	// probe marks the post that probes a half-open breaker.
	probe bool
	// reason is why a job went to the outbox (persisted metric label).
	reason string
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
		cfg:        cfg,
		rec:        rec,
		log:        logger,
		owner:      newOwner(),
		wake:       make(chan struct{}, 1),
		outboxWake: make(chan struct{}, 1),
		quit:       make(chan struct{}),
		done:       make(chan struct{}),
		accounts:   map[int64]*account{},
		hosts:      map[string]*host{},
	}
	d.work = sync.NewCond(&d.mu)
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
	d.m = newMetrics(reg, d.gauges)
	if err := d.m.register(); err != nil {
		return nil, err
	}
	d.hard, d.abort = context.WithCancel(context.Background())
	return d, nil
}

// gauges reads the queue gauges at scrape time.
func (d *Dispatcher) gauges() gaugeValues {
	d.mu.Lock()
	defer d.mu.Unlock()
	return gaugeValues{ready: d.queued - d.parked, blocked: d.parked, retrying: len(d.retry), inFlight: d.inFlight,
		outbox: d.spill.len() + d.writing, pending: d.pending}
}

// Start starts the workers, the retry scheduler and, with an Outbox, the
// loop that writes to it and resumes from it. Deliveries enqueued before
// Start wait for it. Calling Start again, or after Stop, does nothing.
func (d *Dispatcher) Start() {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.started || d.stopping {
		return
	}
	d.started = true
	n := d.cfg.Workers + 1
	if d.cfg.Outbox != nil {
		n++
	}
	d.running.Store(int32(n))
	for range d.cfg.Workers {
		go d.run("worker", d.worker)
	}
	go d.run("scheduler", d.schedule)
	if d.cfg.Outbox != nil {
		go d.run("outbox", d.outboxLoop)
	}
}

// run runs loop with pprof labels naming it, so a stuck worker shows up
// by name in a goroutine profile, and marks it gone when it returns.
func (d *Dispatcher) run(role string, loop func()) {
	defer d.exit()
	pprof.SetGoroutineLabels(pprof.WithLabels(context.Background(), pprof.Labels("component", "webhook", "role", role)))
	loop()
}

// exit marks one goroutine gone; the last closes done.
func (d *Dispatcher) exit() {
	if d.running.Add(-1) == 0 {
		close(d.done)
	}
}

// Enqueue hands dl to the dispatcher. It refuses a URL that
// [Guard.CheckURL] refuses under Config.Policy, an empty secret, and a
// delivery whose attempts are used up, and returns [ErrStopped] after
// Stop. A delivery that memory cannot hold (the queue or the account's
// share of it is full) goes to the Outbox, through a buffer of up to
// QueueSize deliveries waiting to be written; Enqueue returns at once
// unless that buffer is full too (the store is slower than the flow):
// then it writes the delivery to the Outbox itself, waiting up to 10 s
// for the store. It returns [ErrBacklog] when there is no room in memory
// and no Outbox, or the Outbox fails. Enqueue sets an empty
// Event.EventID, a zero Event.At to now, and converts Event.At to UTC.
func (d *Dispatcher) Enqueue(dl Delivery) error {
	if err := d.check(&dl); err != nil {
		d.m.refused.Inc()
		return err
	}
	body := dl.Body
	var err error
	if body == nil {
		if body, err = json.Marshal(&dl.Event); err != nil {
			d.m.refused.Inc()
			return fmt.Errorf("webhook: encode event: %w", err)
		}
	}
	j := &job{d: dl, body: body, due: dl.NextAt, key: hostKey(dl.URL)}

	d.mu.Lock()
	if d.stopping {
		d.mu.Unlock()
		return ErrStopped
	}
	j.seq = d.nextSeq()
	err = d.admitLocked(j, time.Now())
	d.mu.Unlock()
	if !errors.Is(err, errSpillFull) {
		return err
	}
	ctx, cancel := context.WithTimeout(d.hard, outboxOpTimeout)
	defer cancel()
	if err := d.cfg.Outbox.Save(ctx, []OutboxEntry{j.entry()}); err != nil {
		d.m.outboxErr("save")
		d.m.backlog.Inc()
		return fmt.Errorf("%w: outbox: %w", ErrBacklog, err)
	}
	d.m.persisted(j.reason)
	return nil
}

// errSpillFull says a delivery must go to the outbox but its buffer is
// full: Enqueue writes it itself.
var errSpillFull = errors.New("webhook: outbox buffer full")

// admitLocked holds j in memory if there is room for it, else hands it to
// the outbox; it returns ErrBacklog without an outbox, errSpillFull when
// the outbox's buffer is full.
func (d *Dispatcher) admitLocked(j *job, now time.Time) error {
	reason := ""
	if a := d.accounts[j.d.AccountID]; a != nil && a.held >= d.cfg.AccountQueueSize {
		reason = persistAccountFull
	} else if d.pending >= d.cfg.QueueSize && !d.evictLocked() {
		reason = persistQueueFull
	}
	if reason == "" {
		d.holdLocked(j, now)
		return nil
	}
	if d.cfg.Outbox == nil {
		d.m.backlog.Inc()
		return ErrBacklog
	}
	if j.due.IsZero() {
		j.due = now
	}
	if d.spillFullLocked() {
		j.reason = reason
		return errSpillFull
	}
	d.spillLocked(j, reason)
	return nil
}

// holdLocked holds j in memory: in its lane if due, else in the retry
// heap.
func (d *Dispatcher) holdLocked(j *job, now time.Time) {
	d.pending++
	d.accountLocked(j.d.AccountID).held++
	if j.due.After(now) {
		d.pushRetryLocked(j)
		return
	}
	j.due = now
	d.queueLocked(j)
}

// releaseLocked lets go of j, no longer held in memory.
func (d *Dispatcher) releaseLocked(j *job) {
	d.pending--
	if a := d.accounts[j.d.AccountID]; a != nil {
		a.held--
		d.forgetAccountLocked(a)
	}
	if d.wantRoom && d.pending <= d.cfg.QueueSize/2 {
		d.wantRoom = false
		d.kickOutbox()
	}
}

// nextSeq numbers jobs in arrival order.
func (d *Dispatcher) nextSeq() uint64 {
	d.seq++
	return d.seq
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

// Stop stops taking deliveries, lets posts in flight finish and then
// deals with the deliveries still pending (queued, awaiting a retry or
// waiting to be written to the outbox), with their Attempts and NextAt
// set. If ctx ends first, posts in flight are aborted (each is recorded
// as a failed attempt and kept as pending, its attempt not counted).
//
// Without an Outbox, Stop returns the pending deliveries so the caller
// can keep them and enqueue them again later. With one, it writes them to
// the outbox (those taken from it are handed back, the others saved),
// taking up to 10 s for that beyond ctx if the store is slow, and returns
// only those it could not write, with the error. Either way Stop returns ctx's
// error if it ended first. Stop closes the idle connections of a
// Transport it owns and unregisters the metrics. Calling it again returns
// nothing.
func (d *Dispatcher) Stop(ctx context.Context) ([]Delivery, error) {
	d.mu.Lock()
	if d.stopping {
		d.mu.Unlock()
		return nil, nil
	}
	d.stopping = true
	started := d.started
	d.work.Broadcast()
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

	d.mu.Lock()
	var jobs []*job
	for _, a := range d.accounts {
		for _, l := range a.lanes {
			jobs = append(jobs, l.q.all()...)
		}
	}
	jobs = append(jobs, d.retry...)
	jobs = append(jobs, d.spill.all()...)
	doneIDs := d.finished
	d.resetLocked()
	d.mu.Unlock()
	slices.SortFunc(jobs, func(a, b *job) int {
		if c := a.due.Compare(b.due); c != 0 {
			return c
		}
		return cmp.Compare(a.seq, b.seq)
	})

	left := jobs
	if d.cfg.Outbox != nil {
		// Writing them has a budget of its own: ctx bounds the wait for
		// posts in flight, and may have ended with them.
		pctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), stopPersistTimeout)
		defer cancel()
		var perr error
		left, perr = d.persist(pctx, jobs, doneIDs)
		err = errors.Join(err, perr)
	}
	d.m.unregister()
	out := make([]Delivery, len(left))
	for i, j := range left {
		out[i] = j.pending()
	}
	return out, err
}

// resetLocked empties the dispatcher's queues after Stop collected them.
func (d *Dispatcher) resetLocked() {
	d.accounts = map[int64]*account{}
	d.hosts = map[string]*host{}
	d.turn.reset()
	d.retry = nil
	d.timers = nil
	d.spill.reset()
	d.finished = nil
	d.pending, d.queued, d.parked, d.inFlight = 0, 0, 0, 0
}

// persist writes the deliveries pending at Stop to the outbox: the
// entries of finished ones deleted, those taken from it handed back, the
// others saved. It returns those it could not write.
func (d *Dispatcher) persist(ctx context.Context, jobs []*job, doneIDs []int64) ([]*job, error) {
	var errs []error
	if len(doneIDs) > 0 {
		if err := d.cfg.Outbox.Done(ctx, d.owner, doneIDs); err != nil {
			// Their claims end with the lease; they are posted again then.
			d.m.outboxErr("done")
			errs = append(errs, fmt.Errorf("webhook: outbox done: %w", err))
		}
	}
	var fresh, claimed []*job
	for _, j := range jobs {
		if j.oid != 0 {
			claimed = append(claimed, j)
		} else {
			fresh = append(fresh, j)
		}
	}
	if len(claimed) > 0 {
		if err := d.cfg.Outbox.Release(ctx, d.owner, entries(claimed)); err != nil {
			// Still in the outbox: claimable again when the lease ends.
			d.m.outboxErr("release")
			errs = append(errs, fmt.Errorf("webhook: outbox release: %w", err))
		} else {
			d.m.released.Add(float64(len(claimed)))
		}
	}
	if len(fresh) == 0 {
		return nil, errors.Join(errs...)
	}
	if err := d.cfg.Outbox.Save(ctx, entries(fresh)); err != nil {
		d.m.outboxErr("save")
		return fresh, errors.Join(append(errs, fmt.Errorf("webhook: outbox save: %w", err))...)
	}
	for _, j := range fresh {
		reason := j.reason
		if reason == "" {
			reason = persistShutdown
		}
		d.m.persisted(reason)
	}
	return nil, errors.Join(errs...)
}

// pending returns the delivery with its next attempt's time.
func (j *job) pending() Delivery {
	dl := j.d
	dl.NextAt = j.due
	return dl
}
