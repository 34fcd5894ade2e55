package gateway

import (
	"context"
	"time"

	"github.com/gallant-sms/gallant/smpp/pdu"
	"github.com/gallant-sms/gallant/sms"
	"github.com/gallant-sms/gallant/store"
)

// A carrier may send a receipt on another bind than the submit_sm's,
// and it may arrive before that bind has read the submit_sm_resp that
// gives the carrier's message id (docs/smpp.md, "Message ids and
// correlation"). Such a receipt is held
// for a moment and matched again, its deliver_sm_resp deferred, instead
// of being dropped as unknown.
const (
	// lateWait is how long a receipt is matched again before it is
	// answered as unknown; a submit_sm_resp is read within milliseconds,
	// but a carrier may be quick and the gateway loaded.
	lateWait = 5 * time.Second
	// lateRetry is how often held receipts are matched again.
	lateRetry = 20 * time.Millisecond
	// lateStore is how long a held receipt is matched in memory only
	// before the store is asked (a message another instance sent, or one
	// older than this process); the store is asked again after twice as
	// long each time, up to lateStoreMax apart, and once more when
	// lateWait ends. Short, because a receipt waiting here keeps its room
	// in the carrier's receipt window: with several instances most
	// receipts are for another instance's messages, and a 100 ms wait for
	// each held a carrier with a window of 100 to 1,000 receipts a second
	// a bind (bench/RESULTS.md, "several instances").
	lateStore = 20 * time.Millisecond
	// lateStoreMax bounds the time between two asks of the store.
	lateStoreMax = time.Second
	// maxLate bounds the held receipts that do not count against their
	// bind's MaxInbound (see holdLate). A carrier's window bounds them
	// anyway.
	maxLate = 10_000
)

// lateReceipt is a carrier receipt not matched yet.
type lateReceipt struct {
	c     *carrier
	req   carrierReq
	id    string
	st    sms.Status
	code  string
	until time.Time
	// storeAt is when the store is asked next, storeEvery the wait
	// after that ask.
	storeAt    time.Time
	storeEvery time.Duration
}

// holdLate keeps r to be matched again. Up to maxLate held receipts are
// detached from their bind's MaxInbound room: the submit_sm_resp they
// wait for may be unread on a bind that stopped reading, perhaps this
// one, and a bind full of receipts waiting for each other's reading
// would wait until lateWait and lose them all. Beyond maxLate a receipt
// keeps its room, so that the binds stop reading rather than hold
// receipts without bound. After shutdown has dropped the held receipts
// nothing would match r again: it is abandoned like them at once, or its
// bind would wait for its answer to unbind.
func (s *Service) holdLate(r *lateReceipt) {
	now := time.Now()
	r.until, r.storeAt, r.storeEvery = now.Add(lateWait), now.Add(lateStore), 2*lateStore
	s.lateMu.Lock()
	if s.lateClosed {
		s.lateMu.Unlock()
		s.abandon(r.req)
		return
	}
	if s.lateDetached < maxLate {
		s.lateDetached++
		r.req.sess.Detach(r.req.h)
		r.req.detached = true
	}
	s.late = append(s.late, r)
	s.lateMu.Unlock()
}

// lateDone counts a held receipt matched or answered.
func (s *Service) lateDone(r *lateReceipt) {
	if r.req.detached {
		s.lateMu.Lock()
		s.lateDetached--
		s.lateMu.Unlock()
	}
}

// retryLate matches held receipts again; those past their wait get a
// last look in the store and are then answered as unknown.
func (s *Service) retryLate() {
	if s.bill != nil {
		// Refunds of undelivered messages ride on this loop: like late
		// receipts they are rare, small and need the store.
		s.runRefunds()
	}
	s.lateMu.Lock()
	list := s.late
	s.late = nil
	s.lateMu.Unlock()
	if len(list) == 0 {
		return
	}
	now := time.Now()
	var keep, ask []*lateReceipt
	for _, r := range list {
		if ref, ok := s.tr.takeDLR(r.c.cfg.Name, normalizeCarrierID(r.id)); ok {
			s.lateDone(r)
			r.c.applyReceipt(r.req, ref, r.st, r.code)
			continue
		}
		if now.After(r.storeAt) || now.After(r.until) {
			ask = append(ask, r)
			continue
		}
		keep = append(keep, r)
	}
	if len(ask) > 0 {
		keep = append(keep, s.matchStored(ask, now)...)
	}
	if len(keep) > 0 {
		s.lateMu.Lock()
		s.late = append(keep, s.late...)
		s.lateMu.Unlock()
	}
}

// matchStored matches held receipts from the store: one lookup per
// carrier for all of them, and one read of the messages this instance
// does not track, instead of two queries a receipt (receipts for
// another instance's messages come by the thousand a second when a
// carrier spreads receipts over every bind of the platform). A receipt
// not found is held again until its wait ends, then answered as
// unknown; it returns those held again.
func (s *Service) matchStored(ask []*lateReceipt, now time.Time) (keep []*lateReceipt) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	ids := make(map[*carrier][]string)
	for _, r := range ask {
		r.storeAt = now.Add(r.storeEvery)
		r.storeEvery = min(2*r.storeEvery, lateStoreMax)
		ids[r.c] = append(ids[r.c], r.id)
	}
	found := make(map[*carrier]map[string]store.CarrierMatch, len(ids))
	for c, list := range ids {
		m, err := s.st.LookupCarrierMessages(ctx, c.cfg.Name, list)
		if err != nil {
			s.log.Warn("match receipts from the store", "carrier", c.cfg.Name, "receipts", len(list), "err", err)
		}
		found[c] = m // nil on failure: none found this time
	}
	var untracked []sms.ID
	for _, r := range ask {
		if mt, ok := found[r.c][r.id]; ok && !s.tr.with(mt.MessageID, func(*flight) bool { return false }) {
			untracked = append(untracked, mt.MessageID)
		}
	}
	var msgs map[sms.ID]*sms.Message
	if len(untracked) > 0 {
		var err error
		if msgs, err = s.st.MessagesByID(ctx, untracked); err != nil {
			// applyReceipt reads each one itself.
			s.log.Warn("read the messages of receipts", "messages", len(untracked), "err", err)
		}
	}
	for _, r := range ask {
		mt, ok := found[r.c][r.id]
		if !ok {
			if now.After(r.until) {
				s.lateDone(r)
				s.unmatched(r)
			} else {
				keep = append(keep, r)
			}
			continue
		}
		s.lateDone(r)
		ref := dlrRef{msg: mt.MessageID, account: mt.AccountID, seg: mt.Segment}
		r.c.applyReceiptStored(r.req, ref, r.st, r.code, msgs[mt.MessageID])
	}
	return keep
}

// unmatched answers a receipt for a message we do not know: it is
// acknowledged (the carrier must not send it forever) and counted.
func (s *Service) unmatched(r *lateReceipt) {
	s.m.receipts("unmatched")
	s.log.Debug("receipt for an unknown message", "carrier", r.c.cfg.Name, "id", r.id)
	r.req.respond(pdu.StatusOK, deliverRespBody)
}

// dropLate abandons the receipts still held at shutdown: unanswered,
// they stay the carrier's, which sends them again after a new bind (to
// this instance after a restart, which matches them from the store, or
// to another). A temporary error would lose them at the many carriers
// that do not send a refused receipt again.
func (s *Service) dropLate() {
	s.lateMu.Lock()
	list := s.late
	s.late, s.lateClosed = nil, true
	s.lateMu.Unlock()
	for _, r := range list {
		s.lateDone(r)
		s.abandon(r.req)
	}
	if len(list) > 0 {
		s.log.Info("held carrier receipts left unanswered at shutdown, for the carriers to send again", "receipts", len(list))
	}
}
