package gateway

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/gallant-sms/gallant/billing"
	"github.com/gallant-sms/gallant/router"
	"github.com/gallant-sms/gallant/smpp/pdu"
	"github.com/gallant-sms/gallant/sms"
	"github.com/gallant-sms/gallant/store"
)

// Billing prices and charges messages: at accept a message is priced by
// its account's plan (per segment, longest prefix) and the amount is
// reserved from the prepaid balance; the reservation becomes a charge when
// a carrier accepts the first segment, and is given back when the message
// ends without reaching a carrier (no route, expired, cancelled, every
// segment refused). A message that reached a carrier stays charged
// whatever its receipt says, unless the plan that priced it refunds
// undelivered messages (store.PricePlan.RefundUndelivered): then a final
// status other than delivered refunds the charge, once (see
// Service.finalCharge).
type Billing struct {
	Pricer   *billing.Pricer
	Balances *billing.Balances
}

// Refusals of the billing step.
var (
	errInsufficient = refuse(pdu.StatusSubmitFail, ProblemInsufficientBalance, 402, "",
		"the account's balance does not cover this message")
	errNotPriced = refuse(pdu.StatusInvDstAdr, ProblemNotPriced, 422, "to",
		"the account's price plan has no price for this destination")
)

// Problem types of billing refusals.
const (
	ProblemInsufficientBalance = "insufficient-balance"
	ProblemNotPriced           = "not-priced"
)

// reserveTimeout bounds the database lease a reservation may need.
const reserveTimeout = 5 * time.Second

// reserve prices m (setting m.Price) and reserves the amount. It runs
// after m has its id; nil billing is free.
func (s *Service) reserve(m *sms.Message, now time.Time) *Refusal {
	if s.bill == nil {
		return nil
	}
	q, err := s.bill.Pricer.Price(m.AccountID, m.Dest.Addr, max(m.Segments, 1), now)
	if err != nil {
		if errors.Is(err, billing.ErrNoPlan) || errors.Is(err, billing.ErrNoPrice) {
			return errNotPriced
		}
		s.log.Error("price message", "account", m.AccountID, "err", err)
		return errNotPriced
	}
	m.Price = int64(q.Total)
	if q.Total == 0 {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), reserveTimeout)
	defer cancel()
	r, err := s.bill.Balances.Reserve(ctx, m.AccountID, q.Total)
	if err != nil {
		if !errors.Is(err, billing.ErrInsufficientBalance) {
			s.log.Error("reserve balance", "account", m.AccountID, "err", err)
		}
		return errInsufficient
	}
	r.PlanID = q.PlanID
	s.res.put(m.ID, r)
	return nil
}

// charge confirms m's reservation when a carrier accepted a segment.
func (s *Service) charge(id sms.ID) {
	if s.bill == nil {
		return
	}
	if r, ok := s.res.take(id); ok {
		if err := s.bill.Balances.Confirm(r, id); err != nil {
			s.log.Error("confirm charge", "id", id, "err", err)
			return
		}
		s.tr.with(id, func(fl *flight) bool {
			fl.charged, fl.planID = true, r.PlanID
			return false
		})
	}
}

// refundJob is a refund of a charged message waiting for the store.
type refundJob struct {
	account  int64
	id       sms.ID
	amount   billing.Micros
	reason   string
	attempts int
	// due is when the next attempt may run; zero: at once.
	due time.Time
}

// refundBackoff is the wait before attempt n+1 of a refund: 50 ms
// doubling to 12.8 s, so the 20 attempts span about three minutes (a
// charge still in the writer's queue, a database briefly away).
func refundBackoff(n int) time.Duration {
	return 50 * time.Millisecond << min(n, 8)
}

// Refund retries: a refund the store did not take is tried again on
// later ticks of the late-receipt loop, up to maxRefundAttempts times.
const (
	maxRefundAttempts = 20
	refundsPerTick    = 200
)

// finalCharge applies the refund policy to message m, which ended in st.
// charged and planID are what the flight knew (tracked: m was followed
// in memory since its accept or recovery); a message not tracked (after
// a restart, or swept) reached a carrier, since a receipt ends it, so it
// was charged, and its plan is found again from its creation time. The
// refund itself is queued: it is a database transaction, and this runs
// on a carrier's reader goroutine.
func (s *Service) finalCharge(m *sms.Message, st sms.Status, tracked, charged bool, planID int64) {
	if s.bill == nil || m.Price <= 0 || !billing.RefundableStatus(st) {
		return
	}
	if tracked && !charged {
		return // its reservation is (or was) given back instead
	}
	pol := billing.RefundPolicy{Pricer: s.bill.Pricer}
	if planID == 0 {
		planID = pol.PlanOf(m.AccountID, m.Dest.Addr, m.CreatedAt)
	}
	if !pol.Refunds(planID, st) {
		return
	}
	if !s.res.queueRefund(&refundJob{account: m.AccountID, id: m.ID, amount: billing.Micros(m.Price),
		reason: "refund: message " + st.String()}) {
		s.log.Error("refund dropped: too many waiting", "id", m.ID, "account", m.AccountID, "amount", m.Price)
	}
}

// runRefunds gives back the queued refunds (called from the late-receipt
// loop). The store refunds a message at most once, so a refund asked
// again (a duplicate receipt, another instance, a restart) is harmless.
func (s *Service) runRefunds() {
	jobs := s.res.takeRefunds(refundsPerTick)
	if len(jobs) == 0 {
		return
	}
	var again []*refundJob
	now := time.Now()
	for _, j := range jobs {
		if now.Before(j.due) {
			again = append(again, j)
			continue
		}
		ctx, cancel := context.WithTimeout(context.Background(), reserveTimeout)
		done, err := s.bill.Balances.RefundMessage(ctx, j.account, j.id, j.amount, j.reason)
		cancel()
		switch {
		case err == nil && done:
			s.m.refundsVec.WithLabelValues("refunded").Inc()
			s.log.Debug("message refunded", "id", j.id, "account", j.account, "amount", j.amount.String())
		case err == nil:
			s.m.refundsVec.WithLabelValues("already").Inc() // refunded before
		case j.attempts+1 >= maxRefundAttempts && errors.Is(err, store.ErrNotCharged):
			// Never charged (it ended before a carrier took it, and the
			// flight that knew was gone): nothing to give back.
			s.m.refundsVec.WithLabelValues("never_charged").Inc()
			s.log.Warn("refund skipped: the message was never charged", "id", j.id, "account", j.account)
		case j.attempts+1 >= maxRefundAttempts:
			s.m.refundsVec.WithLabelValues("given_up").Inc()
			s.log.Error("refund given up", "id", j.id, "account", j.account, "amount", j.amount.String(), "err", err)
		default:
			j.attempts++
			j.due = now.Add(refundBackoff(j.attempts))
			again = append(again, j)
		}
	}
	for _, j := range again {
		if !s.res.queueRefund(j) {
			s.log.Error("refund dropped: too many waiting", "id", j.id, "account", j.account)
		}
	}
}

// refund gives m's reservation back when it ended without a carrier.
func (s *Service) refund(id sms.ID) {
	if s.bill == nil {
		return
	}
	if r, ok := s.res.take(id); ok {
		if err := s.bill.Balances.Refund(r); err != nil {
			s.log.Error("refund reservation", "id", id, "err", err)
		}
	}
}

// rereserve reserves again for a message recovered after a restart (the
// previous process's reservations died with it). When the balance no
// longer covers it the message is still sent — it was accepted — and
// goes uncharged, which is logged.
func (s *Service) rereserve(m *sms.Message) {
	if s.bill == nil || m.Price <= 0 {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), reserveTimeout)
	defer cancel()
	r, err := s.bill.Balances.Reserve(ctx, m.AccountID, billing.Micros(m.Price))
	if err != nil {
		s.log.Warn("recovered message sent without a reservation", "id", m.ID, "account", m.AccountID, "err", err)
		return
	}
	s.res.put(m.ID, r)
}

const reservationShards = 64

// reservations maps message ids to their open reservation, sharded.
type reservations struct {
	shards [reservationShards]struct {
		mu sync.Mutex
		m  map[sms.ID]billing.Reservation
		_  [40]byte
	}

	refundMu sync.Mutex
	refunds  []*refundJob // waiting for runRefunds
}

// maxQueuedRefunds bounds the refunds waiting (they are rare: failed
// messages under plans that refund); beyond it a refund is logged and
// dropped.
const maxQueuedRefunds = 100_000

// queueRefund adds j to the refunds waiting, and reports false when too
// many wait.
func (r *reservations) queueRefund(j *refundJob) bool {
	r.refundMu.Lock()
	defer r.refundMu.Unlock()
	if len(r.refunds) >= maxQueuedRefunds {
		return false
	}
	r.refunds = append(r.refunds, j)
	return true
}

// takeRefunds removes and returns up to n waiting refunds, oldest first.
func (r *reservations) takeRefunds(n int) []*refundJob {
	r.refundMu.Lock()
	defer r.refundMu.Unlock()
	n = min(n, len(r.refunds))
	if n == 0 {
		return nil
	}
	out := append([]*refundJob(nil), r.refunds[:n]...)
	r.refunds = append(r.refunds[:0], r.refunds[n:]...)
	return out
}

func newReservations() *reservations {
	r := &reservations{}
	for i := range r.shards {
		r.shards[i].m = map[sms.ID]billing.Reservation{}
	}
	return r
}

func (r *reservations) shard(id sms.ID) int {
	return int(uint64(id) * 0x9E3779B97F4A7C15 >> 58 & (reservationShards - 1))
}

func (r *reservations) put(id sms.ID, res billing.Reservation) {
	sh := &r.shards[r.shard(id)]
	sh.mu.Lock()
	sh.m[id] = res
	sh.mu.Unlock()
}

// has reports whether id has a reservation.
func (r *reservations) has(id sms.ID) bool {
	sh := &r.shards[r.shard(id)]
	sh.mu.Lock()
	_, ok := sh.m[id]
	sh.mu.Unlock()
	return ok
}

// take removes and returns id's reservation.
func (r *reservations) take(id sms.ID) (billing.Reservation, bool) {
	sh := &r.shards[r.shard(id)]
	sh.mu.Lock()
	res, ok := sh.m[id]
	if ok {
		delete(sh.m, id)
	}
	sh.mu.Unlock()
	return res, ok
}

// RefreshBuyRates gives the router the carriers' buy rates in force now,
// for least-cost routes. Call it after the Pricer loads new plans and
// rates (and periodically: rates start and end in time). Without billing
// it does nothing: least-cost routes then share by weight.
func (s *Service) RefreshBuyRates() error {
	if s.bill == nil {
		return nil
	}
	in := s.bill.Pricer.BuyRatesAt(time.Now())
	rates := make(map[string][]router.BuyRate, len(in))
	for carrier, list := range in {
		if s.carrierNamed(carrier) == nil {
			continue
		}
		out := make([]router.BuyRate, len(list))
		for i, r := range list {
			out[i] = router.BuyRate{Prefix: r.Prefix, Price: int64(r.Price)}
		}
		rates[carrier] = out
	}
	if err := s.rt.SetBuyRates(rates); err != nil {
		return fmt.Errorf("gateway: buy rates: %w", err)
	}
	return nil
}
