package gateway

import (
	"context"
	"errors"
	"strconv"
	"sync"
	"time"

	"github.com/gallant-sms/gallant/router"
	"github.com/gallant-sms/gallant/smpp/pdu"
	"github.com/gallant-sms/gallant/smpp/pdutext"
	"github.com/gallant-sms/gallant/sms"
)

// Acceptor learns the outcome of Accept: Accepted gets err nil when the
// message is accepted (persisted, in durable mode) and m.ID is its id, or
// a *Refusal. It is called exactly once, possibly before Accept returns,
// from any goroutine, and must not block. A pointer to a pooled request
// is a good Acceptor: passing it allocates nothing.
type Acceptor interface {
	Accepted(m *sms.Message, err error)
}

// Refusals shared by the accept path.
var (
	errBackpressure = refuse(pdu.StatusMsgQFul, ProblemBackpressure, 503, "",
		"the gateway is busy; retry shortly")
	errThrottled = refuse(pdu.StatusThrottled, ProblemRateLimited, 429, "",
		"the account's message rate limit is exceeded; retry shortly")
	errNoRoute = refuse(pdu.StatusInvDstAdr, ProblemNoRoute, 422, "to",
		"no route to this destination")
	errPersist = refuse(pdu.StatusSysErr, ProblemInternal, 500, "",
		"the message could not be stored; it was not accepted")
	errExpiredAlready = refuse(pdu.StatusInvExpiry, ProblemInvalidRequest, 400, "valid_until",
		"the validity ends before the message could be sent")
)

// Accept takes a validated message (addresses and content already
// checked by the ingress: see Destination, Source, TextContent,
// SubmitContent) from account m.AccountID: it applies the consent check (opt-outs), the
// account's rate limit (tps, 0 = none) and routing, assigns the id,
// prices the message and reserves its price (with billing), persists it
// and dispatches it (now, or at m.SendAt).
func (s *Service) Accept(m *sms.Message, tps int, to Acceptor) {
	now := time.Now().UTC()
	if r := s.admit(m, tps, now); r != nil {
		s.m.refused(r.Problem)
		to.Accepted(m, r)
		return
	}
	m.ID = s.ids.Next()
	m.CreatedAt = now
	if m.SendAt.After(now) {
		m.Status = sms.StatusScheduled
	} else {
		m.Status = sms.StatusAccepted
	}
	if r := s.reserve(m, now); r != nil {
		s.unscheduled(m)
		s.m.refused(r.Problem)
		to.Accepted(m, r)
		return
	}
	// ac is the row's Committer: a pooled pointer, so passing it
	// allocates nothing; it carries s.
	ac := newAcceptCtx(s, m, to)
	if s.cfg.Durability == Fast {
		if err := s.w.Add(m, (*fastAccept)(ac)); err != nil {
			ac.release()
			s.unscheduled(m)
			s.refund(m.ID)
			s.m.refused(ProblemBackpressure)
			to.Accepted(m, errBackpressure)
			return
		}
		s.m.accepted(m)
		to.Accepted(m, nil)
		if m.Status != sms.StatusScheduled {
			s.dispatch(m, nil)
		} // a scheduled one is held or left in the store once persisted (fastAccept.Stored)
		return
	}
	if err := s.w.Add(m, ac); err != nil {
		ac.release()
		s.unscheduled(m)
		s.refund(m.ID)
		s.m.refused(ProblemBackpressure)
		to.Accepted(m, errBackpressure)
	}
}

// errBadSchedule refuses a send_at later than Config.MaxScheduleAhead.
func (s *Service) errBadSchedule() *Refusal {
	return refuse(pdu.StatusInvSched, ProblemInvalidRequest, 400, "send_at",
		"the send time is more than "+fmtDuration(s.cfg.MaxScheduleAhead)+" ahead")
}

// fmtDuration writes d in whole days or hours when it is some, as the
// docs do ("30 days", "72 hours").
func fmtDuration(d time.Duration) string {
	switch {
	case d >= 24*time.Hour && d%(24*time.Hour) == 0:
		return strconv.FormatInt(int64(d/(24*time.Hour)), 10) + " days"
	case d >= time.Hour && d%time.Hour == 0:
		return strconv.FormatInt(int64(d/time.Hour), 10) + " hours"
	}
	return d.String()
}

// validity sets m's valid_until: DefaultValidity from its send time (now,
// or a later send_at) when it gives none, and at most MaxValidity from
// it. A refusal names send_at when it is more than MaxScheduleAhead
// ahead, and valid_until when the validity is over before the send time.
func (s *Service) validity(m *sms.Message, now time.Time) *Refusal {
	start := now
	if m.SendAt.After(now) {
		if m.SendAt.After(now.Add(s.cfg.MaxScheduleAhead)) {
			return s.errBadSchedule()
		}
		start = m.SendAt
	}
	if m.ValidUntil.IsZero() {
		m.ValidUntil = start.Add(s.cfg.DefaultValidity)
	} else if maxV := start.Add(s.cfg.MaxValidity); m.ValidUntil.After(maxV) {
		m.ValidUntil = maxV
	}
	if !m.ValidUntil.After(now) || (!m.SendAt.IsZero() && !m.ValidUntil.After(m.SendAt)) {
		return errExpiredAlready
	}
	return nil
}

// oldestUnsent is how far back a message may have been accepted and
// still be due to send: scheduled the longest time ahead, then valid the
// longest.
func (s *Service) oldestUnsent() time.Duration { return s.cfg.MaxScheduleAhead + s.cfg.MaxValidity }

// admit runs the checks that refuse a message before it costs anything.
func (s *Service) admit(m *sms.Message, tps int, now time.Time) *Refusal {
	if r := s.validity(m, now); r != nil {
		return r
	}
	if scope, ok := s.optouts.Blocked(m.AccountID, m.Source.Addr, m.Dest.Addr); ok &&
		!s.optouts.TakeAllowance(m.AccountID, m.Dest.Addr, now) {
		return optedOut(m.Dest.Addr, scope)
	}
	if !s.rt.Routable(m.AccountID, m.Dest.Addr) {
		return errNoRoute
	}
	if s.Saturated() {
		return errBackpressure
	}
	if tps > 0 {
		// Only limited accounts pay for a limiter call (a Redis round trip
		// when Redis is configured).
		var kb [32]byte // one allocation for the key, not two
		key := string(strconv.AppendInt(append(kb[:0], "acct:"...), m.AccountID, 10))
		r, err := s.limits.Allow(context.Background(), key, float64(tps), tps, max(m.Segments, 1))
		switch {
		case err != nil:
			// A failing limiter must not stop the traffic it guards.
			s.log.Warn("account rate limiter failed; message let through", "account", m.AccountID, "err", err)
		case !r.Allowed:
			return errThrottled
		}
	}
	// Last: it counts the message against the account's scheduled limit
	// (unscheduled gives the count back if the accept fails later).
	if m.SendAt.After(now) && !s.sched.admit(m.AccountID) {
		return errScheduledLimit
	}
	return nil
}

// unscheduled gives back the scheduled-limit count admit took for m, when
// m is refused after admit or lost.
func (s *Service) unscheduled(m *sms.Message) {
	if m.Status == sms.StatusScheduled {
		s.sched.unadmit(m.AccountID)
	}
}

// Saturated reports whether the gateway would refuse any new message for
// backpressure right now: too many parked, too many rows waiting for the
// writer, too many messages on their way, or status events waiting in
// memory. The HTTP batch endpoint checks it before reading a request.
func (s *Service) Saturated() bool {
	return s.parkedLen() >= s.cfg.MaxParked || s.w.Pending() >= s.cfg.WriterHighWater ||
		s.tr.len() >= s.cfg.MaxInFlight || s.eventsBacklogged()
}

// BackgroundFull reports whether a background sender (the campaign
// engine) should wait: the gateway is Saturated, or half of MaxInFlight
// or of MaxParked is taken already. As for scheduled messages coming due
// (scheduler.room), the other halves stay for live API and SMPP traffic,
// and the memory a large campaign holds in flight stays bounded by them.
func (s *Service) BackgroundFull() bool {
	return s.Saturated() || s.tr.len() >= s.cfg.MaxInFlight/2 || s.parkedLen() >= s.cfg.MaxParked/2
}

// Stored is told the outcome of a durable accept's row; it releases the
// acceptCtx (the writer is done with it) before answering the Acceptor.
func (ac *acceptCtx) Stored(err error) {
	s, m, to := ac.s, ac.m, ac.to
	ac.release()
	if err != nil {
		s.log.Error("persist message", "err", err)
		s.unscheduled(m)
		s.refund(m.ID)
		s.m.refused(ProblemInternal)
		to.Accepted(m, errPersist)
		return
	}
	s.m.accepted(m)
	to.Accepted(m, nil)
	s.release(m)
}

// Stored is told the outcome of a fast-mode accept's row: the sender
// already has its answer, so a failure can only be logged. A scheduled
// message is handed to the scheduler only now: it can be taken when due
// only once its row exists.
func (fa *fastAccept) Stored(err error) {
	ac := (*acceptCtx)(fa)
	s, m := ac.s, ac.m
	ac.release()
	if err != nil {
		s.m.lostFast.Inc()
		s.log.Error("fast mode: accepted message not persisted", "id", m.ID, "err", err)
		if m.Status == sms.StatusScheduled {
			s.unscheduled(m)
			s.refund(m.ID)
		}
		return
	}
	if m.Status == sms.StatusScheduled {
		s.sched.accepted(m)
	}
}

// release sends a persisted message on its way: to the scheduler when it
// is scheduled (held in memory if due soon, else left in the store),
// else to the router.
func (s *Service) release(m *sms.Message) {
	if m.Status == sms.StatusScheduled {
		s.sched.accepted(m)
		return
	}
	s.dispatch(m, nil)
}

// dispatch splits m into carrier segments and hands it to the router,
// skipping segments already sent (after a restart). A full router parks
// the message; no route fails it.
func (s *Service) dispatch(m *sms.Message, sent []int) {
	if !m.ValidUntil.IsZero() && time.Now().After(m.ValidUntil) {
		s.finishUnsent(m, sms.StatusExpired, "")
		return
	}
	job := s.rt.AcquireJob()
	segs, err := segments(job.Segments[:0], m)
	if err != nil {
		s.rt.ReleaseJob(job)
		s.log.Error("split message", "id", m.ID, "err", err)
		s.finishUnsent(m, sms.StatusFailed, "split")
		return
	}
	if len(sent) > 0 {
		segs = without(segs, sent)
		if len(segs) == 0 {
			s.rt.ReleaseJob(job)
			return
		}
	}
	job.Msg, job.Segments = m, segs
	s.tr.add(m, m.Segments, m.ValidUntil.Add(time.Hour))
	if len(sent) > 0 {
		// Recovered after a restart with segments sent: charged then.
		s.tr.with(m.ID, func(fl *flight) bool { fl.charged = true; return false })
	}
	switch err := s.rt.Dispatch(job); {
	case err == nil:
	case errors.Is(err, router.ErrNoRoute):
		s.rt.ReleaseJob(job)
		s.finishUnsent(m, sms.StatusFailed, "no-route")
	default: // backpressure or stopping: keep it for later
		s.rt.ReleaseJob(job)
		s.park(m)
	}
}

// segments appends the carrier segments of m to dst: its body as is when
// it fits one message or carries the customer's own UDH, else split with
// an 8-bit-reference concatenation header (the reference is taken from
// the message id, so a re-send after a restart uses the same one).
func segments(dst []router.Segment, m *sms.Message) ([]router.Segment, error) {
	if m.Segments <= 1 || m.HasUDH() {
		return append(dst, router.Segment{Seq: 1, Total: 1, Body: m.Body, ESMClass: m.ESMClass, DataCoding: m.DataCoding}), nil
	}
	parts, err := pdutext.Split(m.Body, pdutext.DataCoding(m.DataCoding),
		pdutext.SplitOptions{Concat: pdutext.Concat8, Ref: uint16(uint64(m.ID) >> 10)})
	if err != nil {
		return dst, err
	}
	for i, p := range parts {
		dst = append(dst, router.Segment{Seq: i + 1, Total: len(parts), Body: p.Data,
			ESMClass: m.ESMClass | sms.UDHI, DataCoding: m.DataCoding})
	}
	return dst, nil
}

// without drops the segments whose 1-based Seq is in sent (ascending).
func without(segs []router.Segment, sent []int) []router.Segment {
	out := segs[:0]
	for _, sg := range segs {
		skip := false
		for _, n := range sent {
			if n == sg.Seq {
				skip = true
				break
			}
		}
		if !skip {
			out = append(out, sg)
		}
	}
	return out
}

func (s *Service) park(m *sms.Message) {
	s.parkMu.Lock()
	s.parked = append(s.parked, m)
	s.nParked.Store(int64(len(s.parked)))
	s.parkMu.Unlock()
	s.m.parked.Inc()
}

// parkedLen is how many messages are parked; every accept asks, so it
// reads a count kept beside the list instead of taking parkMu.
func (s *Service) parkedLen() int { return int(s.nParked.Load()) }

// unpark retries parked messages in order.
func (s *Service) unpark() {
	s.parkMu.Lock()
	list := s.parked
	s.parked = nil
	s.nParked.Store(0)
	s.parkMu.Unlock()
	for i, m := range list {
		job := s.rt.AcquireJob()
		segs, err := segments(job.Segments[:0], m)
		if err != nil {
			s.rt.ReleaseJob(job)
			continue
		}
		job.Msg, job.Segments = m, segs
		if err := s.rt.Dispatch(job); err != nil {
			s.rt.ReleaseJob(job)
			s.parkMu.Lock()
			s.parked = append(list[i:len(list):len(list)], s.parked...)
			s.nParked.Store(int64(len(s.parked)))
			s.parkMu.Unlock()
			return
		}
		s.m.parked.Dec()
	}
}

// finishUnsent records the final status of a message that never reached
// a carrier, and tells its sender.
func (s *Service) finishUnsent(m *sms.Message, st sms.Status, code string) {
	s.refund(m.ID)
	s.record(m, sms.Event{MessageID: m.ID, Status: st, At: time.Now().UTC(), ErrorCode: code})
	s.tr.with(m.ID, func(*flight) bool { return true })
	s.notifyFinal(m, st, code, "")
}

// record appends a status event through the writer (a pooled row: see
// addEvent).
func (s *Service) record(m *sms.Message, e sms.Event) { s.recordQueued(m, e) }

// waitCtx is the Acceptor of callers that wait for the outcome. It is
// pooled with its channel: AcceptWait puts it back only after it received
// the outcome, so the channel is empty and no callback is left to send.
type waitCtx struct {
	ch chan error
}

var waitCtxs = sync.Pool{New: func() any { return &waitCtx{ch: make(chan error, 1)} }}

// Accepted hands the outcome to the waiting AcceptWait.
func (w *waitCtx) Accepted(_ *sms.Message, err error) { w.ch <- err }

// AcceptWait is Accept for callers that wait (the HTTP API): it returns
// when the message is accepted or refused, or when ctx is done.
func (s *Service) AcceptWait(ctx context.Context, m *sms.Message, tps int) error {
	w := waitCtxs.Get().(*waitCtx)
	s.Accept(m, tps, w)
	select {
	case err := <-w.ch:
		waitCtxs.Put(w)
		return err
	case <-ctx.Done():
		// The callback will still send to w.ch: w is left to it (and
		// the garbage collector), not put back.
		return ctx.Err()
	}
}
