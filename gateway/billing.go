package gateway

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/gallant-sms/gallant/billing"
	"github.com/gallant-sms/gallant/smpp/pdu"
	"github.com/gallant-sms/gallant/sms"
)

// Billing prices and charges messages: at accept a message is priced by
// its account's plan (per segment, longest prefix) and the amount is
// reserved from the prepaid balance; the reservation becomes a charge when
// a carrier accepts the first segment, and is given back when the message
// ends without reaching a carrier (no route, expired, cancelled, every
// segment refused). A message that reached a carrier stays charged
// whatever its receipt says.
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
