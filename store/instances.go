package store

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
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

// LeaseNodeLocked is [Store.LeaseNode] for a server process, which keeps
// a node lock (see [NodeLockPath]) from now until [Store.Close]. When the
// lock's previous owner, a process of this host that has ended, still
// holds a node lease (it was killed), that node is taken over at once
// rather than after its ttl, and resumed reports it: the node's
// unfinished messages are the previous life's, to recover now. The
// recovery leases that process held are expired, for the next recovery
// pass. Without the lock (every slot held, no local disk) it leases as
// LeaseNode does and logs why.
func (s *Store) LeaseNodeLocked(ctx context.Context, name string, ttl time.Duration, lockPath string) (node int, resumed bool, err error) {
	if ttl <= 0 {
		return 0, false, fmt.Errorf("%w: lease ttl %v", ErrInvalid, ttl)
	}
	if s.nodeLock == nil {
		host, _ := os.Hostname()
		l, err := openNodeLock(lockPath, host)
		if err == nil {
			// Recorded before the lease is taken: the lease row never
			// carries a token the lock file does not name.
			if err = l.record(host, s.holder); err != nil {
				l.close()
			}
		}
		if err != nil {
			s.log.Warn("no node lock: after a crash, a restart waits for the node lease to expire", "err", err)
			node, err := s.LeaseNode(ctx, name, ttl)
			return node, false, err
		}
		s.nodeLock = l
	}
	if prev := s.nodeLock.prev; prev != "" {
		node, ok, err := s.resumeNode(ctx, prev, name, ttl)
		if err != nil || ok {
			return node, ok, err
		}
	}
	node, err = s.LeaseNode(ctx, name, ttl)
	return node, false, err
}

// resumeNode takes over the node lease held by prev, the holder token of
// an ended process, and expires the recovery leases prev held. It
// reports false when prev holds no node lease (it was released and taken,
// or a survivor claimed it).
func (s *Store) resumeNode(ctx context.Context, prev, name string, ttl time.Duration) (int, bool, error) {
	var rows []struct {
		Node int    `db:"node"`
		Name string `db:"name"`
	}
	if err := s.w.SelectContext(ctx, &rows, "SELECT node, name FROM instances WHERE holder = ? ORDER BY node", prev); err != nil {
		return 0, false, fmt.Errorf("store: resume node: %w", mapErr(err))
	}
	now := s.now()
	node, resumed := 0, false
	for _, r := range rows {
		if strings.HasPrefix(r.Name, recoveryPrefix) {
			if _, err := s.w.ExecContext(ctx, "UPDATE instances SET expires_at = ? WHERE node = ? AND holder = ? AND expires_at > ?",
				s.timeArg(now), r.Node, prev, s.timeArg(now)); err != nil {
				return 0, false, fmt.Errorf("store: expire recovery lease of node %d: %w", r.Node, mapErr(err))
			}
			continue
		}
		if resumed {
			continue // a process holds one node lease; leave any other to expire
		}
		res, err := s.w.ExecContext(ctx,
			"UPDATE instances SET name = ?, holder = ?, leased_at = ?, expires_at = ? WHERE node = ? AND holder = ?",
			name, s.holder, s.timeArg(now), s.timeArg(now.Add(ttl)), r.Node, prev)
		if err != nil {
			return 0, false, fmt.Errorf("store: resume node %d: %w", r.Node, mapErr(err))
		}
		if n, err := res.RowsAffected(); err != nil {
			return 0, false, fmt.Errorf("store: resume node %d: %w", r.Node, mapErr(err))
		} else if n == 1 {
			node, resumed = r.Node, true
			s.log.Info("node lease taken over from this host's previous process, which has ended", "node", node)
		}
	}
	return node, resumed, nil
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

// LiveInstances returns the number of instances whose node lease is live
// (rows held to recover a dead node's messages are not instances), the
// count a platform-wide budget is divided by when instances cannot share
// it (a carrier's TPS while Redis is down).
func (s *Store) LiveInstances(ctx context.Context) (int, error) {
	var n int
	if err := s.w.GetContext(ctx, &n, "SELECT COUNT(*) FROM instances WHERE expires_at > ? AND name NOT LIKE ?",
		s.timeArg(s.now()), recoveryPrefix+"%"); err != nil {
		return 0, fmt.Errorf("store: live instances: %w", mapErr(err))
	}
	return n, nil
}
