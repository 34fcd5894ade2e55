package gateway

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/gallant-sms/gallant/sms"
	"github.com/gallant-sms/gallant/store"
)

// Recovery of unfinished messages when several instances share a store.
//
// Every message id carries the node number of the instance that made it
// (see sms.ID), and each running instance leases its node in the store
// (store.LeaseNode). An instance sends again only the unfinished messages
// of nodes no instance serves:
//
//   - at Start, its own node's messages older than its first new id: the
//     number was free, so whoever had it before stopped or died (the same
//     process in its previous life, usually), or it was taken over from
//     this host's previous process, proven ended by its lock file
//     (store.LeaseNodeLocked), which is how a restart after kill -9
//     resumes its own unfinished messages at once;
//   - at Start and then every third of the lease ttl, those of every node
//     whose lease has expired (store.ExpiredNodes). It claims the node's
//     lease under a recovery name (store.ClaimExpiredNode: one
//     conditional write, so two survivors never both take a node), hands
//     back the node's scheduled-message claims, sends the node's
//     unfinished messages, renews the claim while any of them is still
//     unfinished in the store, and then deletes the node's row
//     (store.ForgetNode). A recovery cut short by Shutdown releases the
//     claim for the next instance; one cut short by a crash lets it expire.
//
// A stopping instance releases its node (the row stays, expired), so its
// unfinished messages are recovered at once by the next start or by a
// survivor; a killed one's wait for its lease to expire, unless the next
// process on the same host takes its node over (above). A message whose
// carrier answer was not committed when its instance died is sent again:
// the store cannot tell whether the carrier had it.
//
// A scheduled message still waiting belongs to the scheduler, not to
// recovery (store.Unfinished leaves it out). One taken from the schedule
// by another instance is in flight there under its accepting node's id:
// if that node is recovered meanwhile, it is sent again unless this
// instance is the one sending it (its tracker has the flight). If the
// taker dies while the accepting instance lives, the message waits for
// the accepting node to be recovered (its next start, or its death): the
// store does not record the taker.

// recoveryPage is how many messages one store read returns.
const recoveryPage = 1000

// defaultNodeTTL is the node lease ttl when Deps.NodeTTL is zero.
const defaultNodeTTL = time.Minute

// recovery holds the nodes this instance recovers for others. Only the
// goroutine of loop touches it once Start returned, and Shutdown after
// that goroutine ended.
type recovery struct {
	s    *Service
	node int
	name string
	ttl  time.Duration
	// held maps each node whose lease we hold for recovery to what we
	// sent for it.
	held map[int]*recovering
}

// recovering is a node being recovered: the ids sent for it that were
// still unfinished at the last look, and whether all its messages were
// read (a read cut short is done again, by the next pass).
type recovering struct {
	ids  []sms.ID
	read bool
}

func newRecovery(s *Service, node int, name string, ttl time.Duration) *recovery {
	if ttl <= 0 {
		ttl = defaultNodeTTL
	}
	if name == "" {
		name = "node " + strconv.Itoa(node)
	}
	return &recovery{s: s, node: node, name: name, ttl: ttl, held: map[int]*recovering{}}
}

// recover re-dispatches what this node's previous holder accepted, took
// from the store's schedule or never scheduled, but did not finish, and
// then the messages of nodes whose lease expired. Messages still waiting
// for their send time stay in the store for the scheduler.
func (s *Service) recover(ctx context.Context) error {
	if _, err := s.recoverNode(ctx, s.rec.node, s.ids.Next()); err != nil {
		return err
	}
	// Other nodes' are retried by the next pass.
	if err := s.rec.pass(ctx); err != nil {
		s.log.Error("recover other nodes' messages", "err", err)
	}
	return nil
}

// recoverNode dispatches node's unfinished messages with ids below before
// (0: all) and created within the furthest schedule plus the longest
// validity (oldestUnsent), and returns their
// ids. A message this instance already has in flight is left to it.
func (s *Service) recoverNode(ctx context.Context, node int, before sms.ID) ([]sms.ID, error) {
	since := sms.ID(0)
	if back := time.Now().Add(-s.oldestUnsent()).Sub(sms.Epoch); back > 0 {
		since = sms.ID(uint64(back/time.Millisecond) << (sms.NodeBits + sms.SeqBits))
	}
	var ids []sms.ID
	for {
		page, err := s.st.UnfinishedOfNode(ctx, node, since, before, recoveryPage)
		if err != nil {
			return ids, err
		}
		for i := range page {
			p := &page[i]
			m := p.Message
			since = m.ID
			if s.tr.with(m.ID, func(*flight) bool { return false }) {
				continue // taken from the schedule by this instance
			}
			if len(p.SubmittedSegments) == 0 {
				// Nothing reached a carrier: not charged yet, and not sent
				// at all if its recipient opted out meanwhile.
				if s.optedOutAtSend(&m) {
					continue
				}
				s.rereserve(&m)
			}
			s.dispatch(&m, p.SubmittedSegments)
			ids = append(ids, m.ID)
		}
		if len(page) < recoveryPage {
			break
		}
	}
	if len(ids) > 0 {
		s.log.Info("recovered unfinished messages", "node", node, "count", len(ids))
	}
	return ids, nil
}

// pass renews the recovery leases held, ends those whose messages are all
// finished, and claims and recovers the nodes whose lease expired.
func (r *recovery) pass(ctx context.Context) error {
	var errs []error
	for node, h := range r.held {
		if err := r.s.st.RenewNode(ctx, node, r.ttl); err != nil {
			if errors.Is(err, store.ErrLeaseLost) {
				// Another instance took it over after we failed to renew
				// in time: what we sent may be sent twice.
				r.s.log.Error("recovery lease lost", "node", node, "unfinished", len(h.ids))
				delete(r.held, node)
			}
			errs = append(errs, err)
			continue
		}
		if !h.read {
			if err := r.read(ctx, node, h); err != nil {
				errs = append(errs, err)
				continue
			}
		}
		left, err := r.stillUnfinished(ctx, h.ids)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		h.ids = left
		if len(left) == 0 {
			if err := r.s.st.ForgetNode(ctx, node); err != nil {
				errs = append(errs, err)
				continue
			}
			delete(r.held, node)
			r.s.log.Info("node recovered", "node", node)
		}
	}
	expired, err := r.s.st.ExpiredNodes(ctx)
	if err != nil {
		return errors.Join(append(errs, err)...)
	}
	for _, node := range expired {
		if node == r.node {
			continue // ours: our own lease lapsed, and our messages are in flight here
		}
		if _, ok := r.held[node]; ok {
			continue
		}
		if err := r.take(ctx, node); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// take claims node's expired lease and recovers its messages.
func (r *recovery) take(ctx context.Context, node int) error {
	ok, err := r.s.st.ClaimExpiredNode(ctx, node, r.name, r.ttl)
	if err != nil || !ok {
		return err
	}
	// Its claims on scheduled messages go back to the pool, for any
	// instance's scheduler.
	if _, err := r.s.st.UnclaimScheduled(ctx, node); err != nil {
		r.s.log.Warn("hand back a recovered node's scheduled claims", "node", node, "err", err)
	}
	h := &recovering{}
	r.held[node] = h // held, and renewed, even when the read fails half-way
	return r.read(ctx, node, h)
}

// read sends node's unfinished messages (those this instance has in
// flight already, read before, are left) and notes their ids in h.
func (r *recovery) read(ctx context.Context, node int, h *recovering) error {
	ids, err := r.s.recoverNode(ctx, node, 0)
	h.ids = append(h.ids, ids...)
	if err != nil {
		return fmt.Errorf("gateway: recover node %d: %w", node, err)
	}
	h.read = true
	return nil
}

// stillUnfinished returns those of ids the store has not settled yet.
func (r *recovery) stillUnfinished(ctx context.Context, ids []sms.ID) ([]sms.ID, error) {
	var left []sms.ID
	for len(ids) > 0 {
		n := min(len(ids), recoveryPage)
		got, err := r.s.st.StillUnfinished(ctx, ids[:n])
		if err != nil {
			return append(left, ids...), err
		}
		left = append(left, got...)
		ids = ids[n:]
	}
	return left, nil
}

// loop runs a pass every third of the lease ttl until Shutdown.
func (r *recovery) loop() {
	defer r.s.wg.Done()
	t := time.NewTicker(r.ttl / 3)
	defer t.Stop()
	for {
		select {
		case <-r.s.stop:
			return
		case <-t.C:
			ctx, cancel := context.WithTimeout(context.Background(), r.ttl/3)
			if err := r.pass(ctx); err != nil {
				r.s.log.Error("recover other nodes' messages", "err", err)
			}
			cancel()
		}
	}
}

// release gives up the recovery leases still held at shutdown, expired,
// so the next instance recovers what is left at once.
func (r *recovery) release(ctx context.Context) {
	for node := range r.held {
		if err := r.s.st.ReleaseNode(ctx, node); err != nil {
			r.s.log.Warn("release recovery lease", "node", node, "err", err)
		}
		delete(r.held, node)
	}
}
