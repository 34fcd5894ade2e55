package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/gallant-sms/gallant/sms"
)

// LeaseNode leases the lowest node number (0..sms.MaxNode) that no live
// instance holds, for ttl, and returns it: the node of this process's
// [sms.IDGenerator]. name (a host name, say) is recorded for operators.
// Each claim is a single conditional write, so two instances racing for a
// number cannot both win it. Renew the lease well before ttl runs out
// ([Store.RenewNode]) and release it on shutdown. Expiry is judged by each
// instance's clock: keep ttl far above the clock skew between hosts.
// It returns [ErrNoFreeNode] when all numbers are taken.
func (s *Store) LeaseNode(ctx context.Context, name string, ttl time.Duration) (int, error) {
	if ttl <= 0 {
		return 0, fmt.Errorf("%w: lease ttl %v", ErrInvalid, ttl)
	}
	now := s.now()
	var live []int
	if err := s.w.SelectContext(ctx, &live, "SELECT node FROM instances WHERE expires_at > ?", s.timeArg(now)); err != nil {
		return 0, fmt.Errorf("store: lease node: %w", mapErr(err))
	}
	var taken [sms.MaxNode + 1]bool
	for _, n := range live {
		if n >= 0 && n <= sms.MaxNode {
			taken[n] = true
		}
	}
	exp := now.Add(ttl)
	for node := 0; node <= sms.MaxNode; node++ {
		if taken[node] {
			continue
		}
		ok, err := s.claimNode(ctx, node, name, now, exp)
		if err != nil {
			return 0, fmt.Errorf("store: lease node %d: %w", node, err)
		}
		if ok {
			return node, nil
		}
	}
	return 0, ErrNoFreeNode
}

// claimNode takes node if nobody holds it or its lease has expired.
func (s *Store) claimNode(ctx context.Context, node int, name string, now, exp time.Time) (bool, error) {
	_, err := s.w.ExecContext(ctx,
		"INSERT INTO instances (node, name, holder, leased_at, expires_at) VALUES (?, ?, ?, ?, ?)",
		node, name, s.holder, s.timeArg(now), s.timeArg(exp))
	if err == nil {
		return true, nil
	}
	if err = mapErr(err); !errors.Is(err, ErrDuplicate) {
		return false, err
	}
	res, err := s.w.ExecContext(ctx,
		"UPDATE instances SET name = ?, holder = ?, leased_at = ?, expires_at = ? WHERE node = ? AND expires_at <= ?",
		name, s.holder, s.timeArg(now), s.timeArg(exp), node, s.timeArg(now))
	if err != nil {
		return false, mapErr(err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, mapErr(err)
	}
	return n == 1, nil
}

// RenewNode extends this Store's lease on node to ttl from now. It returns
// [ErrLeaseLost] if the lease is no longer ours; the process must then stop
// generating ids with that node.
func (s *Store) RenewNode(ctx context.Context, node int, ttl time.Duration) error {
	if ttl <= 0 {
		return fmt.Errorf("%w: lease ttl %v", ErrInvalid, ttl)
	}
	res, err := s.w.ExecContext(ctx,
		"UPDATE instances SET expires_at = ? WHERE node = ? AND holder = ?",
		s.timeArg(s.now().Add(ttl)), node, s.holder)
	if err != nil {
		return fmt.Errorf("store: renew node %d: %w", node, mapErr(err))
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("store: renew node %d: %w", node, mapErr(err))
	} else if n != 1 {
		return fmt.Errorf("store: renew node %d: %w", node, ErrLeaseLost)
	}
	return nil
}

// ReleaseNode gives up this Store's lease on node at once: its row is
// kept, expired, so the next instance to lease the number, or a survivor
// ([Store.ExpiredNodes]), recovers the node's unfinished messages without
// waiting for the ttl. It returns [ErrLeaseLost] if the lease was no
// longer ours.
func (s *Store) ReleaseNode(ctx context.Context, node int) error {
	res, err := s.w.ExecContext(ctx, "UPDATE instances SET expires_at = ? WHERE node = ? AND holder = ?",
		s.timeArg(s.now()), node, s.holder)
	if err != nil {
		return fmt.Errorf("store: release node %d: %w", node, mapErr(err))
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("store: release node %d: %w", node, mapErr(err))
	} else if n != 1 {
		return fmt.Errorf("store: release node %d: %w", node, ErrLeaseLost)
	}
	return nil
}

// MaxMessageID returns the largest message or MO id stored (0 when there
// is none), the floor for [sms.NewIDGenerator].
func (s *Store) MaxMessageID(ctx context.Context) (sms.ID, error) {
	var ids []dbID
	err := s.r.SelectContext(ctx, &ids,
		"SELECT COALESCE(MAX(id), 0) FROM messages UNION ALL SELECT COALESCE(MAX(id), 0) FROM mo_messages")
	if err != nil {
		return 0, fmt.Errorf("store: max message id: %w", mapErr(err))
	}
	var top sms.ID
	for _, id := range ids {
		top = max(top, sms.ID(id))
	}
	return top, nil
}
