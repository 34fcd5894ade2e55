package gateway

import (
	"container/heap"
	"context"
	"errors"
	"time"

	"github.com/gallant-sms/gallant/account"
	"github.com/gallant-sms/gallant/billing"
	"github.com/gallant-sms/gallant/smpp"
	"github.com/gallant-sms/gallant/smpp/pdu"
	"github.com/gallant-sms/gallant/smpp/pdutext"
	"github.com/gallant-sms/gallant/sms"
	"github.com/gallant-sms/gallant/store"
)

// replace_sm (SMPP 3.4 §4.10) replaces the text, send time, validity and
// registered_delivery of a message of the customer's account that still
// waits for its send time, or that waits in this instance's carrier queue
// for its turn (see replaceQueued). A message on its way (handed to a
// carrier bind, or sent) cannot be changed: it gets ESME_RREPLACEFAIL, as
// does a message due so soon (within the scheduler's horizon) that
// another instance may hold it in memory, unless this instance holds it. An empty
// short_message keeps the text, and an empty schedule_delivery_time or
// validity_period keeps that time, as the protocol says; the new text is
// in the message's data_coding. When the new text changes the number of
// segments the price is quoted again: a held message's reservation is
// replaced by one of the new amount (refused, changing nothing, when the
// balance does not cover it), and a message waiting in the store carries
// the new price to the reservation made when it is due.

// replace answers replace_sm.
func (c *customers) replace(sess *smpp.Session, h pdu.Header, b account.Binding, body []byte) {
	var q pdu.ReplaceSM
	err := q.Decode(body)
	id, ok := requestedID(sess, h, err, q.MessageID)
	if !ok {
		return
	}
	st := c.s.sched.replace(b.AccountID, id, &q)
	result := "ok"
	if st != pdu.StatusOK {
		result = "refused"
	}
	c.s.m.smppOps.WithLabelValues("replace_sm", result).Inc()
	_ = sess.Respond(h, st, nil)
}

// replace replaces message id of account with q's fields (see above) and
// returns the answer's status.
func (sc *scheduler) replace(account int64, id sms.ID, q *pdu.ReplaceSM) pdu.Status {
	s := sc.s
	ctx, cancel := context.WithTimeout(context.Background(), schedStoreTimeout)
	defer cancel()
	now := time.Now()

	// A message held here leaves the heap for the time of the change, so
	// it cannot be released meanwhile; it goes back, old or new, after.
	sc.mu.Lock()
	var old *sms.Message
	if it := sc.byID[id]; it != nil && it.m.AccountID == account {
		heap.Remove(&sc.h, it.index)
		delete(sc.byID, id)
		sc.s.m.scheduled.Dec()
		old = it.m
	}
	sc.mu.Unlock()
	held := old != nil
	if !held {
		if st, ok := sc.replaceQueued(ctx, account, id, q, now); ok {
			return st
		}
	}
	putBack := func(m *sms.Message) {
		sc.mu.Lock()
		if time.Until(m.SendAt) <= sc.horizon && len(sc.h) < sc.capacity && sc.holdLocked(m) {
			sc.mu.Unlock()
			return
		}
		sc.mu.Unlock()
		// Left to wait in the store: its reservation is made when due.
		s.refund(m.ID)
	}
	if !held {
		m, _, err := s.st.GetMessage(ctx, account, id)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			s.log.Error("replace_sm: read message", "id", id, "err", err)
			return pdu.StatusReplaceFail
		}
		if err != nil || m.Status != sms.StatusScheduled {
			return pdu.StatusReplaceFail
		}
		old = m
	}
	nm, st := sc.replacement(old, q, now)
	if st != pdu.StatusOK {
		if held {
			putBack(old)
		}
		return st
	}
	// Billing: a held message's reservation is swapped for one of the new
	// price before the store changes; undone if the store refuses.
	var swapped, prev billing.Reservation
	swappedOK := false
	if s.bill != nil && nm.Price != old.Price && held && s.res.has(id) {
		r, err := s.bill.Balances.Reserve(ctx, account, billing.Micros(nm.Price))
		if err != nil {
			if !errors.Is(err, billing.ErrInsufficientBalance) {
				s.log.Error("replace_sm: reserve", "id", id, "err", err)
			}
			putBack(old)
			return pdu.StatusReplaceFail
		}
		swapped, swappedOK = r, true
		prev, _ = s.res.take(id)
		s.res.put(id, swapped)
	}
	dueAfter := time.Time{}
	if !held {
		dueAfter = now.Add(sc.horizon)
	}
	ok, err := s.st.ReplaceScheduled(ctx, sc.node, nm, dueAfter)
	if err != nil {
		s.log.Error("replace_sm: store", "id", id, "err", err)
	}
	if !ok {
		if swappedOK {
			s.res.take(id)
			if err := s.bill.Balances.Refund(swapped); err != nil {
				s.log.Error("replace_sm: give back the new reservation", "id", id, "err", err)
			}
			s.res.put(id, prev)
		}
		if held {
			putBack(old)
		}
		return pdu.StatusReplaceFail
	}
	if swappedOK {
		if err := s.bill.Balances.Refund(prev); err != nil {
			s.log.Error("replace_sm: give back the old reservation", "id", id, "err", err)
		}
	}
	if held {
		putBack(nm)
	}
	return pdu.StatusOK
}

// replacement returns old with q's changes, priced, or the status that
// refuses them.
func (sc *scheduler) replacement(old *sms.Message, q *pdu.ReplaceSM, now time.Time) (*sms.Message, pdu.Status) {
	s := sc.s
	if len(q.Source.Addr) > 0 && string(q.Source.Addr) != old.Source.Addr {
		return nil, pdu.StatusReplaceFail // source_addr names the original's sender
	}
	nm := *old
	nm.RegisteredDelivery = q.RegisteredDelivery
	if p := q.Payload(); len(p) > 0 {
		c, r := SubmitContent(old.DataCoding, old.ESMClass, p, q.TLVs, s.cfg.MaxSegments)
		if r != nil {
			s.m.refused(r.Problem)
			return nil, r.Status
		}
		nm.Body, nm.Segments, nm.ESMClass = c.Body, c.Segments, c.ESMClass
	}
	if len(q.ScheduleDeliveryTime) > 0 {
		t, err := pdutext.ParseTime(q.ScheduleDeliveryTime, now)
		if err != nil {
			return nil, pdu.StatusInvSched
		}
		nm.SendAt = t.UTC()
	}
	if !nm.SendAt.After(now) {
		nm.SendAt = now.UTC() // due at once: the scheduler takes it
	}
	if len(q.ValidityPeriod) > 0 {
		t, err := pdutext.ParseTime(q.ValidityPeriod, now)
		if err != nil {
			return nil, pdu.StatusInvExpiry
		}
		nm.ValidUntil = t.UTC()
	}
	if maxV := now.Add(s.cfg.MaxValidity); nm.ValidUntil.After(maxV) {
		nm.ValidUntil = maxV
	}
	if nm.SendAt.After(now.Add(s.cfg.MaxValidity)) {
		return nil, pdu.StatusInvSched
	}
	if !nm.ValidUntil.After(nm.SendAt) {
		return nil, pdu.StatusInvExpiry
	}
	if s.bill != nil && nm.Segments != old.Segments {
		qt, err := s.bill.Pricer.Price(nm.AccountID, nm.Dest.Addr, max(nm.Segments, 1), now)
		if err != nil {
			return nil, pdu.StatusReplaceFail
		}
		nm.Price = int64(qt.Total)
	}
	return &nm, pdu.StatusOK
}

// replaceQueued replaces message id of account when it waits in a
// carrier queue of this instance: the router holds it there (no bind
// takes it meanwhile), the replacement is priced (a new reservation for
// a new price, refused, changing nothing, when the balance does not
// cover it; the old one given back once the change is stored), stored,
// and put back in the queue at its place, so the carrier gets the new
// text only. A queued message keeps its send time: a
// schedule_delivery_time later than now is refused, since the message is
// already due. A message not, or no longer, waiting in a queue reports
// false; the answer is then the scheduler's. A message whose row is not
// stored yet (fast mode, in the writer) is refused: its old text would
// be the one a restart sends.
func (sc *scheduler) replaceQueued(ctx context.Context, account int64, id sms.ID, q *pdu.ReplaceSM, now time.Time) (pdu.Status, bool) {
	s := sc.s
	h, ok := s.rt.Hold(id, account)
	if !ok {
		return 0, false
	}
	old := h.Msg()
	fail := func(st pdu.Status) (pdu.Status, bool) {
		s.rt.Resume(h, nil, nil)
		return st, true
	}
	if oldSegs, err := segments(nil, old); err != nil || len(oldSegs) != h.Segments() {
		return fail(pdu.StatusReplaceFail) // resumed after a restart with segments sent
	}
	nm, st := sc.replacement(old, q, now)
	if st != pdu.StatusOK {
		return fail(st)
	}
	if len(q.ScheduleDeliveryTime) > 0 && nm.SendAt.After(now) {
		return fail(pdu.StatusReplaceFail) // already due: not postponed
	}
	nm.SendAt = old.SendAt
	segs, err := segments(nil, nm)
	if err != nil {
		return fail(pdu.StatusReplaceFail)
	}
	// Billing: the reservation of the new price first, the old one given
	// back once the store took the change.
	var prev, next billing.Reservation
	hadPrev, hasNext, swapped := false, false, false
	if s.bill != nil && nm.Price != old.Price {
		if nm.Price > 0 {
			r, err := s.bill.Balances.Reserve(ctx, account, billing.Micros(nm.Price))
			if err != nil {
				if !errors.Is(err, billing.ErrInsufficientBalance) {
					s.log.Error("replace_sm: reserve", "id", id, "err", err)
				}
				return fail(pdu.StatusReplaceFail)
			}
			next, hasNext = r, true
		}
		prev, hadPrev = s.res.take(id)
		if hadPrev {
			next.PlanID = prev.PlanID
		}
		if hasNext {
			s.res.put(id, next)
		}
		swapped = true
	}
	stored, err := s.st.ReplaceQueued(ctx, nm)
	if err != nil {
		s.log.Error("replace_sm: store", "id", id, "err", err)
	}
	if !stored {
		if swapped {
			s.res.take(id)
			if hasNext {
				if err := s.bill.Balances.Refund(next); err != nil {
					s.log.Error("replace_sm: give back the new reservation", "id", id, "err", err)
				}
			}
			if hadPrev {
				s.res.put(id, prev)
			}
		}
		return fail(pdu.StatusReplaceFail)
	}
	if swapped && hadPrev {
		if err := s.bill.Balances.Refund(prev); err != nil {
			s.log.Error("replace_sm: give back the old reservation", "id", id, "err", err)
		}
	}
	// The flight follows the new message (receipts, callbacks, final
	// charge) before the carrier can answer it.
	s.tr.with(id, func(fl *flight) bool {
		fl.msg = nm
		n := nm.Segments // as dispatch tracks it
		if len(fl.segs) != n {
			if n <= inlineSegs {
				fl.segs = fl.inline[:n]
			} else {
				fl.segs = make([]sms.Status, n)
			}
			clear(fl.segs)
			fl.left = int32(n)
		}
		if !nm.ValidUntil.IsZero() {
			fl.expires = nm.ValidUntil.Add(time.Hour).UnixNano()
		}
		return false
	})
	if !s.rt.Resume(h, nm, segs) {
		// Stopping: the job went back to the gateway unchanged, unsent;
		// the store holds the replacement, which a restart sends.
		s.log.Warn("replace_sm: router stopped while replacing; the stored replacement is sent after a restart", "id", id)
	}
	return pdu.StatusOK, true
}
