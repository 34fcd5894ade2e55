package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gallant-sms/gallant/smpp"
)

// Tuning of an SMPP run.
const (
	// pollEvery paces the waits after the send phase: short against the
	// run, long against the cost of summing a few counters.
	pollEvery = 5 * time.Millisecond
	// writeBuffer is each session's initial output buffer: a window of
	// 100 submit_sm of about 100 octets coalesces into one write.
	writeBuffer = 16 << 10
	// maxInbound lets the MC have this many deliver_sm unanswered; we
	// answer each one at once, so it only has to exceed the MC's window.
	maxInbound = 1000
)

// smppRun is the state of one [RunSMPP].
type smppRun struct {
	cfg   SMPPConfig
	log   *slog.Logger
	start time.Time // the run clock's zero
	cycle []Kind
	nums  numbers
	tmpl  [numKinds]template
	ids   *idTable // nil without registered delivery

	next     atomic.Int64 // the next message number to claim
	stop     atomic.Bool  // the send phase is over
	expected atomic.Int64 // OK submit_sm_resp that asked for a receipt
	matched  atomic.Int64 // receipts paired with their submit

	sessions []*smpp.Session
	recs     []*recorder
	txs      []*txBind

	sendStart, sendEnd int64 // run clock
	waitStart, waitEnd int64
	interrupted        bool
}

// now returns the run clock: monotonic nanoseconds since the start.
func (r *smppRun) now() int64 { return int64(time.Since(r.start)) }

// RunSMPP runs an SMPP load test described by cfg: it binds, sends until
// cfg.Duration or cfg.Count, waits for the outstanding responses and then
// up to cfg.ReceiptWait for the missing receipts, unbinds, and returns
// the report. A bind failure is an error. When ctx ends early the
// sending stops, the receipt wait is skipped, and the report is returned
// with Interrupted set.
func RunSMPP(ctx context.Context, cfg SMPPConfig) (*SMPPReport, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cfg = cfg.withDefaults()
	r := &smppRun{cfg: cfg, log: cfg.Logger, start: time.Now(), cycle: cfg.Mix.cycle()}
	if r.log == nil {
		r.log = slog.New(slog.DiscardHandler)
	}
	var err error
	if r.nums, err = cfg.Addressing.numbers(); err != nil {
		return nil, err
	}
	if r.tmpl, err = buildTemplates(cfg); err != nil {
		return nil, err
	}
	if cfg.RegisteredDelivery {
		r.ids = newIDTable()
	}
	if err := r.bind(ctx); err != nil {
		r.closeAll()
		return nil, err
	}
	stopProgress := r.startProgress()
	r.sendPhase(ctx)
	r.waitResponses(ctx)
	r.waitReceipts(ctx)
	stopProgress()
	r.unbindAll()
	return r.report(), nil
}

// bind opens every session: for each sending bind, first its receiver
// when it needs one.
func (r *smppRun) bind(ctx context.Context) error {
	cfg := r.cfg
	for i := range cfg.Binds {
		if cfg.BindType == smpp.Transmitter && cfg.RegisteredDelivery {
			if _, err := r.dial(ctx, smpp.Receiver); err != nil {
				return fmt.Errorf("receiver bind %d: %w", i+1, err)
			}
		}
		rec, err := r.dial(ctx, cfg.BindType)
		if err != nil {
			return fmt.Errorf("%s bind %d: %w", cfg.BindType, i+1, err)
		}
		r.txs = append(r.txs, newTxBind(r, r.sessions[len(r.sessions)-1], rec))
	}
	return nil
}

// dial binds one session of type bt with its recorder.
func (r *smppRun) dial(ctx context.Context, bt smpp.BindType) (*recorder, error) {
	cfg := r.cfg
	rec := newRecorder(r)
	s, err := smpp.Dial(ctx, smpp.ClientConfig{
		Addr:       cfg.Addr,
		BindType:   bt,
		SystemID:   cfg.SystemID,
		Password:   cfg.Password,
		SystemType: cfg.SystemType,
		Handler:    rec,
		Session: smpp.SessionConfig{
			Window:          cfg.Window,
			MaxInbound:      maxInbound,
			ResponseTimeout: cfg.ResponseTimeout,
			WriteBufferSize: writeBuffer,
		},
	}, r.log)
	if err != nil {
		return nil, err
	}
	r.sessions = append(r.sessions, s)
	r.recs = append(r.recs, rec)
	return rec, nil
}

// sendPhase runs one sender goroutine per sending bind until the
// duration, the count or ctx ends it.
func (r *smppRun) sendPhase(ctx context.Context) {
	sctx, cancel := context.WithTimeout(ctx, r.cfg.Duration)
	defer cancel()
	stopAfter := context.AfterFunc(sctx, func() { r.stop.Store(true) })
	defer stopAfter()
	r.sendStart = r.now()
	var wg sync.WaitGroup
	perBind := r.cfg.Rate / float64(len(r.txs))
	for _, b := range r.txs {
		wg.Go(func() { b.send(sctx, newPacer(perBind)) })
	}
	wg.Wait()
	r.stop.Store(true)
	r.sendEnd = r.now()
	r.interrupted = ctx.Err() != nil
}

// waitResponses waits until every submit_sm has had its callback, for
// at most the response timeout (after which the session times them out
// itself) plus a second.
func (r *smppRun) waitResponses(ctx context.Context) {
	deadline := time.Now().Add(r.cfg.ResponseTimeout + time.Second)
	for time.Now().Before(deadline) && ctx.Err() == nil {
		var n int64
		for _, b := range r.txs {
			n += b.inflight.Load()
		}
		if n == 0 {
			return
		}
		time.Sleep(pollEvery)
	}
}

// waitReceipts waits up to ReceiptWait for the receipts still missing.
func (r *smppRun) waitReceipts(ctx context.Context) {
	r.waitStart = r.now()
	defer func() { r.waitEnd = r.now() }()
	if r.ids == nil || r.cfg.ReceiptWait < 0 || ctx.Err() != nil {
		return
	}
	deadline := time.Now().Add(r.cfg.ReceiptWait)
	for r.matched.Load() < r.expected.Load() && time.Now().Before(deadline) && r.receiving() {
		if ctx.Err() != nil {
			r.interrupted = true
			return
		}
		time.Sleep(pollEvery)
	}
}

// receiving reports whether a session that can receive receipts is
// still open: when the MC has dropped them all, waiting is pointless.
func (r *smppRun) receiving() bool {
	for _, s := range r.sessions {
		if !s.BindType().CanReceive() {
			continue
		}
		select {
		case <-s.Done():
		default:
			return true
		}
	}
	return false
}

// unbindAll unbinds every session at once, closing those that do not
// finish within UnbindTimeout, and waits until all have ended.
func (r *smppRun) unbindAll() {
	ctx, cancel := context.WithTimeout(context.Background(), r.cfg.UnbindTimeout)
	defer cancel()
	var wg sync.WaitGroup
	for _, s := range r.sessions {
		wg.Go(func() {
			if err := s.Unbind(ctx); err != nil && !errors.Is(err, context.DeadlineExceeded) {
				r.log.Debug("unbind", "err", err)
			}
			<-s.Done()
		})
	}
	wg.Wait()
}

// closeAll closes every session opened so far.
func (r *smppRun) closeAll() {
	for _, s := range r.sessions {
		s.Close()
	}
}

// startProgress starts the progress goroutine when asked for, and
// returns the function that stops it and waits for it.
func (r *smppRun) startProgress() func() {
	if r.cfg.Progress == nil {
		return func() {}
	}
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		t := time.NewTicker(r.cfg.ProgressEvery)
		defer t.Stop()
		var lastOK uint64
		last := time.Now()
		for {
			select {
			case <-done:
				return
			case now := <-t.C:
				var pdus, ok, rcv uint64
				for _, b := range r.txs {
					pdus += b.pdus.Load()
				}
				for _, rc := range r.recs {
					ok += rc.ok.Load()
					rcv += rc.received.Load()
				}
				rate := float64(ok-lastOK) / now.Sub(last).Seconds()
				lastOK, last = ok, now
				fmt.Fprintf(r.cfg.Progress, "%6.1fs  submit_sm %d  ok %d  %.0f/s  receipts %d (matched %d of %d)\n",
					time.Since(r.start).Seconds(), pdus, ok, rate, rcv, r.matched.Load(), r.expected.Load())
			}
		}
	})
	return func() {
		close(done)
		wg.Wait()
	}
}
