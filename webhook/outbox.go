package webhook

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/gallant-sms/gallant/sms"
)

// OutboxEntry is a delivery as an [Outbox] keeps it: its body encoded as
// posted and no signing secret.
type OutboxEntry struct {
	// ID is the outbox's own id of the entry: set by Claim, ignored by
	// Save.
	ID        int64
	AccountID int64
	MessageID sms.ID
	URL       string
	// Body is the event's JSON exactly as it is posted.
	Body []byte
	// Attempts is how many posts were already made.
	Attempts int
	// NextAt is the earliest time of the next post; zero means now.
	NextAt time.Time
}

// Outbox persists deliveries the dispatcher cannot hold in memory, so
// that nothing is dropped while the store works: those that find the
// queue, or their account's share of it, full; those of a receiver whose
// breaker is open when memory is needed; and those pending at Stop. Each
// dispatcher claims entries under its own owner name with a lease, so
// dispatchers of several instances sharing one store never hold one entry
// at once; it deletes an entry once its delivery is done (delivered or
// given up) and hands back the ones it still holds at Stop. A process
// that dies holding entries leaves them to be claimed again when their
// lease ends: a delivery is then posted again, which is the at-least-once
// a receiver must expect of HTTP anyway (the event_id lets it drop a
// repeat). Methods are called from one goroutine at a time per
// dispatcher.
type Outbox interface {
	// Save adds es, unclaimed and claimable from their NextAt: all of
	// them or, on error, none.
	Save(ctx context.Context, es []OutboxEntry) error
	// Claim leases to owner up to n entries claimable now, leaving out
	// those of the accounts in skip, and returns them with their IDs. An
	// entry is not claimable again while its lease lasts.
	Claim(ctx context.Context, owner string, lease time.Duration, skip []int64, n int) ([]OutboxEntry, error)
	// Renew extends every lease owner holds to lease from now and returns
	// how many entries it holds.
	Renew(ctx context.Context, owner string, lease time.Duration) (int, error)
	// Release hands entries owner holds back, unclaimed, with their
	// Attempts and NextAt updated: all or, on error, none.
	Release(ctx context.Context, owner string, es []OutboxEntry) error
	// Done deletes the entries owner holds with the given IDs.
	Done(ctx context.Context, owner string, ids []int64) error
}

// Outbox tuning.
const (
	// outboxBatch bounds the entries of one Save, Release or Claim of the
	// outbox loop.
	outboxBatch = 500
	// outboxPoll is how often the outbox is asked for entries due while
	// there is room in memory.
	outboxPoll = time.Second
	// outboxOpTimeout bounds one call to the Outbox.
	outboxOpTimeout = 10 * time.Second
	// outboxMaxBackoff bounds the wait after a failed call.
	outboxMaxBackoff = 30 * time.Second
	// secretRetry is how long an entry whose secret could not be looked
	// up waits before it is claimed again.
	secretRetry = 30 * time.Second
	// maxSkip bounds the accounts a claim leaves out for having their
	// share of memory full (at most QueueSize/AccountQueueSize of them).
	maxSkip = 1000
	// stopPersistTimeout bounds writing the pending deliveries at Stop.
	stopPersistTimeout = 10 * time.Second
)

// Reasons counted by gallant_webhook_outbox_persisted_total.
const (
	persistQueueFull   = "queue_full"   // the dispatcher's queue was full
	persistAccountFull = "account_full" // the account's share of it was full
	persistEvicted     = "evicted"      // waiting on an open breaker while memory was needed
	persistShutdown    = "shutdown"     // pending at Stop
)

// newOwner returns a random owner name for a dispatcher's claims.
func newOwner() string {
	var b [12]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails (Go 1.24+).
	return "webhook-" + hex.EncodeToString(b[:])
}

// entry returns j as the outbox keeps it.
func (j *job) entry() OutboxEntry {
	return OutboxEntry{ID: j.oid, AccountID: j.d.AccountID, MessageID: j.d.MessageID, URL: j.d.URL,
		Body: j.body, Attempts: j.d.Attempts, NextAt: j.due}
}

// entries returns js as the outbox keeps them.
func entries(js []*job) []OutboxEntry {
	out := make([]OutboxEntry, len(js))
	for i, j := range js {
		out[i] = j.entry()
	}
	return out
}

// spillLocked hands j, no longer held in memory, to the outbox loop.
func (d *Dispatcher) spillLocked(j *job, reason string) {
	j.reason = reason
	d.spill.push(j)
	d.kickOutbox()
}

// spillFullLocked reports whether the deliveries waiting to be written
// to the outbox already fill their buffer (QueueSize): the store is
// behind or failing.
func (d *Dispatcher) spillFullLocked() bool {
	return d.spill.len()+d.writing >= d.cfg.QueueSize
}

// kickOutbox wakes the outbox loop.
func (d *Dispatcher) kickOutbox() {
	select {
	case d.outboxWake <- struct{}{}:
	default:
	}
}

// evictLocked moves the deliveries waiting on open breakers to the
// outbox, a receiver at a time, until memory has room; it reports whether
// it made some. They come back when the breaker's cooldown ends.
func (d *Dispatcher) evictLocked() bool {
	if d.cfg.Outbox == nil {
		return false
	}
	made := false
	for i := 0; i < len(d.timers) && d.pending >= d.cfg.QueueSize; i++ {
		h := d.timers[i]
		if h.state != breakerOpen || len(h.parked) == 0 {
			continue
		}
		var emptied []*lane
		keep := h.parked[:0]
		for _, l := range h.parked {
			for !l.q.empty() && !d.spillFullLocked() {
				j := l.q.pop()
				d.queued--
				d.parked--
				d.pending--
				l.acct.held--
				j.due = maxTime(j.due, h.until)
				d.spillLocked(j, persistEvicted)
				made = true
			}
			if l.q.empty() {
				l.state = laneIdle
				emptied = append(emptied, l)
				continue
			}
			keep = append(keep, l)
		}
		clear(h.parked[len(keep):])
		h.parked = keep
		for _, l := range emptied {
			d.dropLaneLocked(l)
		}
	}
	return made
}

// maxTime returns the later of a and b.
func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// outboxLoop writes spilled deliveries to the outbox, deletes the
// entries of finished ones, renews the claims and resumes entries due
// while memory has room, until Stop.
func (d *Dispatcher) outboxLoop() {
	timer := time.NewTimer(0) // at once: resume what is due
	defer timer.Stop()
	var backoff time.Duration
	failing := false
	for {
		select {
		case <-d.quit:
			return
		case <-d.outboxWake:
		case <-timer.C:
		}
		more, err := d.outboxRound()
		next := outboxPoll
		switch {
		case err != nil:
			backoff = min(max(2*backoff, 100*time.Millisecond), outboxMaxBackoff)
			next = backoff
			if !failing {
				failing = true
				d.log.LogAttrs(context.Background(), slog.LevelError, "webhook outbox failing: deliveries wait in memory",
					slog.String("error", err.Error()))
			}
		case more:
			next = 0
		}
		if err == nil {
			backoff = 0
			if failing {
				failing = false
				d.log.LogAttrs(context.Background(), slog.LevelInfo, "webhook outbox working again")
			}
		}
		timer.Reset(next)
	}
}

// outboxRound does one round of the outbox loop and reports whether more
// work is waiting at once.
func (d *Dispatcher) outboxRound() (bool, error) {
	ctx, cancel := context.WithTimeout(d.hard, outboxOpTimeout)
	defer cancel()
	var errs []error
	if err := d.flushDone(ctx); err != nil {
		errs = append(errs, err)
	}
	moreSpill, err := d.flushSpill(ctx)
	if err != nil {
		errs = append(errs, err)
	}
	if err := d.renew(ctx); err != nil {
		errs = append(errs, err)
	}
	moreLoad := false
	if len(errs) == 0 {
		moreLoad, err = d.load(ctx)
		if err != nil {
			errs = append(errs, err)
		}
	}
	return moreSpill || moreLoad, errors.Join(errs...)
}

// flushDone deletes the entries of finished deliveries.
func (d *Dispatcher) flushDone(ctx context.Context) error {
	d.mu.Lock()
	ids := d.finished
	d.finished = nil
	d.mu.Unlock()
	if len(ids) == 0 {
		return nil
	}
	if err := d.cfg.Outbox.Done(ctx, d.owner, ids); err != nil {
		d.m.outboxErr("done")
		d.mu.Lock()
		d.finished = append(ids, d.finished...)
		d.mu.Unlock()
		return fmt.Errorf("webhook: outbox done: %w", err)
	}
	d.mu.Lock()
	d.owned -= len(ids)
	d.mu.Unlock()
	return nil
}

// flushSpill writes up to a batch of spilled deliveries: new ones saved,
// claimed ones handed back. It reports whether more are waiting.
func (d *Dispatcher) flushSpill(ctx context.Context) (bool, error) {
	d.mu.Lock()
	n := min(d.spill.len(), outboxBatch)
	batch := make([]*job, n)
	for i := range batch {
		batch[i] = d.spill.pop()
	}
	d.writing = n
	d.mu.Unlock()
	if n == 0 {
		return false, nil
	}
	var fresh, claimed []*job
	for _, j := range batch {
		if j.oid != 0 {
			claimed = append(claimed, j)
		} else {
			fresh = append(fresh, j)
		}
	}
	var err error
	if len(fresh) > 0 {
		if err = d.cfg.Outbox.Save(ctx, entries(fresh)); err != nil {
			d.m.outboxErr("save")
			err = fmt.Errorf("webhook: outbox save: %w", err)
		} else {
			for _, j := range fresh {
				d.m.persisted(j.reason)
			}
			fresh = nil
		}
	}
	released := 0
	if len(claimed) > 0 {
		if rerr := d.cfg.Outbox.Release(ctx, d.owner, entries(claimed)); rerr != nil {
			d.m.outboxErr("release")
			err = errors.Join(err, fmt.Errorf("webhook: outbox release: %w", rerr))
		} else {
			released = len(claimed)
			d.m.released.Add(float64(released))
			claimed = nil
		}
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	d.writing = 0
	d.owned -= released
	// Put back, in front and in order, what could not be written.
	if back := append(fresh, claimed...); len(back) > 0 {
		d.spill.items = append(back, d.spill.all()...)
		d.spill.head = 0
	}
	return d.spill.len() > 0, err
}

// renew renews the claims on entries this dispatcher holds, every third
// of the lease.
func (d *Dispatcher) renew(ctx context.Context) error {
	d.mu.Lock()
	owned := d.owned
	due := time.Since(d.renewed) >= d.cfg.OutboxLease/3
	d.mu.Unlock()
	if owned <= 0 || !due {
		return nil
	}
	n, err := d.cfg.Outbox.Renew(ctx, d.owner, d.cfg.OutboxLease)
	if err != nil {
		d.m.outboxErr("renew")
		return fmt.Errorf("webhook: outbox renew: %w", err)
	}
	d.mu.Lock()
	d.renewed = time.Now()
	if n < d.owned {
		lost := d.owned - n
		d.m.leasesLost.Add(float64(lost))
		d.log.LogAttrs(context.Background(), slog.LevelWarn, "webhook outbox claims lost: another instance may post them too",
			slog.Int("lost", lost))
		d.owned = n
	}
	d.mu.Unlock()
	return nil
}

// load claims entries due from the outbox while memory has room, skipping
// accounts whose share is full, and holds them as deliveries. It reports
// whether a full batch came (more may be due).
func (d *Dispatcher) load(ctx context.Context) (bool, error) {
	d.mu.Lock()
	if d.spill.len() > 0 || d.stopping {
		// Memory is short or we are leaving: load nothing now.
		d.mu.Unlock()
		return false, nil
	}
	if d.pending >= d.cfg.QueueSize {
		d.evictLocked()
	}
	free := d.cfg.QueueSize - d.pending
	if free <= 0 {
		d.wantRoom = true
		d.mu.Unlock()
		return false, nil
	}
	n := min(free, outboxBatch)
	d.pending += n // reserved while claiming, so Enqueue cannot take the room meanwhile
	var skip []int64
	for id, a := range d.accounts {
		if a.held >= d.cfg.AccountQueueSize && len(skip) < maxSkip {
			skip = append(skip, id)
		}
	}
	d.mu.Unlock()

	es, err := d.cfg.Outbox.Claim(ctx, d.owner, d.cfg.OutboxLease, skip, n)
	if err != nil {
		d.m.outboxErr("claim")
		err = fmt.Errorf("webhook: outbox claim: %w", err)
	}
	secrets := map[int64]string{}
	var secretErr error
	for _, e := range es {
		if _, ok := secrets[e.AccountID]; ok {
			continue
		}
		s, serr := d.cfg.SecretOf(ctx, e.AccountID)
		if serr != nil {
			secretErr = serr
			continue
		}
		secrets[e.AccountID] = s
	}

	d.mu.Lock()
	defer d.mu.Unlock()
	d.pending -= n
	d.owned += len(es)
	if d.renewed.IsZero() && len(es) > 0 {
		d.renewed = time.Now() // the claim's lease starts now
	}
	d.m.resumed.Add(float64(len(es)))
	now := time.Now()
	for _, e := range es {
		secret, ok := secrets[e.AccountID]
		if !ok {
			// The secret could not be looked up (the store?): hand the
			// entry back for later.
			e.NextAt = maxTime(e.NextAt, now.Add(secretRetry))
			d.spill.push(&job{d: Delivery{URL: e.URL, AccountID: e.AccountID, MessageID: e.MessageID, Attempts: e.Attempts},
				body: e.Body, due: e.NextAt, oid: e.ID, seq: d.nextSeq()})
			continue
		}
		j, reason := d.resumeLocked(e, secret)
		if j == nil {
			d.finished = append(d.finished, e.ID)
			d.log.LogAttrs(context.Background(), slog.LevelWarn, "webhook from the outbox given up",
				slog.Int64("account", e.AccountID), slog.String("message", e.MessageID.String()),
				slog.String("reason", reason))
			continue
		}
		d.holdLocked(j, now)
	}
	if len(d.finished) > 0 || d.spill.len() > 0 {
		d.kickOutbox()
	}
	if secretErr != nil {
		err = errors.Join(err, fmt.Errorf("webhook: secret for a delivery from the outbox: %w", secretErr))
	}
	return len(es) == n, err
}

// resumeLocked makes a job of outbox entry e signed with secret. It
// returns nil and why for an entry to give up: a body that does not
// decode, a URL refused, no secret, or attempts used up.
func (d *Dispatcher) resumeLocked(e OutboxEntry, secret string) (*job, string) {
	var ev Event
	if err := json.Unmarshal(e.Body, &ev); err != nil {
		d.m.refused.Inc()
		return nil, "body does not decode: " + err.Error()
	}
	dl := Delivery{URL: e.URL, Secret: secret, AccountID: e.AccountID, MessageID: e.MessageID, Event: ev,
		Attempts: e.Attempts, NextAt: e.NextAt}
	if err := d.check(&dl); err != nil {
		if errors.Is(err, ErrBadDelivery) {
			d.m.gaveUp.Inc()
		} else {
			d.m.refused.Inc()
		}
		return nil, err.Error()
	}
	return &job{d: dl, body: e.Body, due: e.NextAt, key: hostKey(e.URL), oid: e.ID, seq: d.nextSeq()}, ""
}
