package store

import (
	"context"
	"fmt"
	"math"
	"strconv"
	"time"

	"github.com/gallant-sms/gallant/sms"
)

// Recovery of the messages of a node no instance serves any more.
//
// A row of instances outlives its lease: a process that stops releases
// its node by expiring the row ([Store.ReleaseNode]), one that dies
// leaves it to expire. An expired row says "this node may have left
// unfinished messages". The instance that leases the number again
// ([Store.LeaseNode]) recovers them as its own; a survivor that finds the
// row ([Store.ExpiredNodes]) takes the node's lease under a recovery name
// ([Store.ClaimExpiredNode]), reads the node's unfinished messages
// ([Store.UnfinishedOfNode]) and sends them, renews the lease
// ([Store.RenewNode]) while they are in flight ([Store.StillUnfinished]),
// and deletes the row once none is left ([Store.ForgetNode]). A claim is
// one conditional write, so two survivors never both take a node; a
// survivor that dies lets the recovery lease expire for another.
//
// A message's node is the low [sms.NodeBits] bits of its id, so a node's
// messages are found by scanning the id range (the primary key) from
// "now minus the longest validity" and filtering on those bits: no index
// serves them, and none is needed for a pass that runs once per dead node.

// recoveryPrefix starts the name of an instances row held for recovery.
const recoveryPrefix = "recovering: "

// ExpiredNodes returns, in ascending order, the nodes whose instances row
// has expired: each may have unfinished messages no instance is sending.
func (s *Store) ExpiredNodes(ctx context.Context) ([]int, error) {
	var nodes []int
	if err := s.w.SelectContext(ctx, &nodes, "SELECT node FROM instances WHERE expires_at <= ? ORDER BY node",
		s.timeArg(s.now())); err != nil {
		return nil, fmt.Errorf("store: expired nodes: %w", mapErr(err))
	}
	return nodes, nil
}

// ClaimExpiredNode takes the expired lease of node for ttl, to recover
// its messages, and reports whether it did: false when the row is live
// (another instance leased or recovers the node) or gone (recovered).
// by names the recovering instance for operators; the row's name says
// it recovers. Renew the claim with [Store.RenewNode], end it with
// [Store.ForgetNode] once the node's messages are finished, or with
// [Store.ReleaseNode] to leave them to another instance.
func (s *Store) ClaimExpiredNode(ctx context.Context, node int, by string, ttl time.Duration) (bool, error) {
	if ttl <= 0 {
		return false, fmt.Errorf("%w: lease ttl %v", ErrInvalid, ttl)
	}
	if node < 0 || node > sms.MaxNode {
		return false, fmt.Errorf("%w: node %d", ErrInvalid, node)
	}
	now := s.now()
	res, err := s.w.ExecContext(ctx,
		"UPDATE instances SET name = ?, holder = ?, leased_at = ?, expires_at = ? WHERE node = ? AND expires_at <= ?",
		recoveryPrefix+by, s.holder, s.timeArg(now), s.timeArg(now.Add(ttl)), node, s.timeArg(now))
	if err != nil {
		return false, fmt.Errorf("store: claim expired node %d: %w", node, mapErr(err))
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("store: claim expired node %d: %w", node, mapErr(err))
	}
	return n == 1, nil
}

// ForgetNode deletes the row of node, whose lease this Store holds: the
// node has no unfinished message left, and its number is free. It
// returns [ErrLeaseLost] if the lease was not ours.
func (s *Store) ForgetNode(ctx context.Context, node int) error {
	res, err := s.w.ExecContext(ctx, "DELETE FROM instances WHERE node = ? AND holder = ?", node, s.holder)
	if err != nil {
		return fmt.Errorf("store: forget node %d: %w", node, mapErr(err))
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("store: forget node %d: %w", node, mapErr(err))
	} else if n != 1 {
		return fmt.Errorf("store: forget node %d: %w", node, ErrLeaseLost)
	}
	return nil
}

// unfinishedNodeQuery is unfinishedQuery for one node's ids below a bound.
var unfinishedNodeQuery = "SELECT " + messageColumns + " FROM messages m WHERE m.id > ? AND m.id < ? " +
	"AND (m.id & " + strconv.Itoa(sms.MaxNode) + ") = ? AND " + unfinishedCond + " ORDER BY m.id LIMIT ?"

// UnfinishedOfNode is [Store.Unfinished] for the messages of one node
// (generated with that node number) with ids above since and below
// before (0: no bound), up to limit (1 to 10,000) in id order. The
// caller holds node's lease (its own, or a recovery claim), so nobody
// else sends them.
func (s *Store) UnfinishedOfNode(ctx context.Context, node int, since, before sms.ID, limit int) ([]Pending, error) {
	if limit < 1 || limit > maxUnfinishedLimit {
		return nil, fmt.Errorf("%w: unfinished limit %d not in 1..%d", ErrInvalid, limit, maxUnfinishedLimit)
	}
	if node < 0 || node > sms.MaxNode {
		return nil, fmt.Errorf("%w: node %d", ErrInvalid, node)
	}
	if before == 0 || before > math.MaxInt64 {
		before = math.MaxInt64
	}
	var rows []messageRow
	if err := s.r.SelectContext(ctx, &rows, unfinishedNodeQuery, s.idArg(since), s.idArg(before), node, limit); err != nil {
		return nil, fmt.Errorf("store: unfinished messages of node %d: %w", node, mapErr(err))
	}
	return s.pending(ctx, rows)
}

// maxStillUnfinished bounds the ids one [Store.StillUnfinished] checks.
const maxStillUnfinished = 10000

// StillUnfinished returns, in ascending order, those of ids (at most
// 10,000) that are stored and not settled yet (see [Pending]).
func (s *Store) StillUnfinished(ctx context.Context, ids []sms.ID) ([]sms.ID, error) {
	if len(ids) > maxStillUnfinished {
		return nil, fmt.Errorf("%w: %d ids, at most %d", ErrInvalid, len(ids), maxStillUnfinished)
	}
	if len(ids) == 0 {
		return nil, nil
	}
	var left []dbID
	if err := s.r.SelectContext(ctx, &left, s.stillUnfinishedQuery(ids)); err != nil {
		return nil, fmt.Errorf("store: still unfinished: %w", mapErr(err))
	}
	out := make([]sms.ID, len(left))
	for i, id := range left {
		out[i] = sms.ID(id)
	}
	return out, nil
}

// stillUnfinishedQuery selects those of ids that are not settled.
func (s *Store) stillUnfinishedQuery(ids []sms.ID) string {
	q := make([]byte, 0, 600+len(ids)*21)
	q = append(q, "SELECT m.id FROM messages m WHERE m.id IN ("...)
	for i, id := range ids {
		if i > 0 {
			q = append(q, ',')
		}
		q = s.appendID(q, id)
	}
	q = append(q, ") AND "...)
	q = append(q, unfinishedCond...)
	q = append(q, " ORDER BY m.id"...)
	return string(q)
}
