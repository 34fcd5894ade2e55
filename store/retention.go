package store

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/gallant-sms/gallant/sms"
)

// Retention purges old rows in small batches (see app.Purger). Each call
// here is one batch: a few queries over a bounded range of primary keys,
// in one short transaction, so the writer is never held for long. The
// purger holds a lease ([Store.LeaseRetention]) so that one instance
// purges at a time.
//
// Purged messages leave their totals behind in message_rollups, added to
// in the transaction that deletes them; usage reports and statements read
// the rollups for purged messages and the rows for kept ones, so their
// totals are the same before and after a purge.

// MaxPurgeBatch bounds the rows one purge statement touches.
const MaxPurgeBatch = 10_000

// ErrPurgeRace means another purge deleted messages of the same batch
// first (its lease ran out mid-run): this batch rolled back; run again.
var ErrPurgeRace = errors.New("store: messages purged concurrently")

// retentionRow is the retention_state row of the purger.
const retentionRow = "purger"

// LeaseRetention takes or renews holder's lease on purging until until.
// It reports false while another holder's lease is live.
func (s *Store) LeaseRetention(ctx context.Context, holder string, now, until time.Time) (bool, error) {
	if err := s.ensureRetentionRow(ctx, s.w); err != nil {
		return false, err
	}
	res, err := s.w.ExecContext(ctx, "UPDATE retention_state SET holder = ?, lease_until = ? WHERE name = ? AND (holder = ? OR lease_until <= ?)",
		holder, until.UnixMicro(), retentionRow, holder, now.UnixMicro())
	if err != nil {
		return false, fmt.Errorf("store: lease retention: %w", mapErr(err))
	}
	if _, err := res.RowsAffected(); err != nil {
		return false, fmt.Errorf("store: lease retention: %w", mapErr(err))
	}
	var h string
	if err := s.w.GetContext(ctx, &h, "SELECT holder FROM retention_state WHERE name = ?", retentionRow); err != nil {
		return false, fmt.Errorf("store: lease retention: %w", mapErr(err))
	}
	return h == holder, nil
}

// ensureRetentionRow creates the purger's retention_state row.
func (s *Store) ensureRetentionRow(ctx context.Context, e sqlx.ExecerContext) error {
	ins := "INSERT INTO retention_state (name, holder, lease_until, messages_below) VALUES (?, '', 0, 0) ON CONFLICT DO NOTHING"
	if s.d == dialectMySQL {
		ins = "INSERT IGNORE INTO retention_state (name, holder, lease_until, messages_below) VALUES (?, '', 0, 0)"
	}
	if _, err := e.ExecContext(ctx, ins, retentionRow); err != nil {
		return fmt.Errorf("store: retention state: %w", mapErr(err))
	}
	return nil
}

// ReleaseRetention ends holder's lease on purging, if it holds it.
func (s *Store) ReleaseRetention(ctx context.Context, holder string) error {
	if _, err := s.w.ExecContext(ctx, "UPDATE retention_state SET holder = '', lease_until = 0 WHERE name = ? AND holder = ?",
		retentionRow, holder); err != nil {
		return fmt.Errorf("store: release retention: %w", mapErr(err))
	}
	return nil
}

// messagesBelow returns the id below which final messages may have been
// purged (0: none ever was).
func (s *Store) messagesBelow(ctx context.Context, q sqlx.QueryerContext) (sms.ID, error) {
	var ids []dbID
	if err := sqlx.SelectContext(ctx, q, &ids, "SELECT messages_below FROM retention_state WHERE name = ?", retentionRow); err != nil {
		return 0, fmt.Errorf("store: retention state: %w", mapErr(err))
	}
	if len(ids) == 0 {
		return 0, nil
	}
	return sms.ID(ids[0]), nil
}

// tailCheckpoint returns the last id campaign statistics tail name has
// read, or the largest int64 when there is no such tail (nothing waits
// to read the table). Rows above it are never purged: their counts are
// not taken yet.
func (s *Store) tailCheckpoint(ctx context.Context, q sqlx.QueryerContext, name string) (int64, error) {
	var last []int64
	if err := sqlx.SelectContext(ctx, q, &last, "SELECT last_id FROM campaign_tails WHERE name = ?", name); err != nil {
		return 0, fmt.Errorf("store: campaign tail %s: %w", name, mapErr(err))
	}
	if len(last) == 0 {
		return math.MaxInt64, nil
	}
	return last[0], nil
}

// PurgedMessages is what one batch of [Store.PurgeMessages] did.
type PurgedMessages struct {
	// Scanned counts the messages read; Next is the cursor for the next
	// batch (the last id read), and Done is true when the range is
	// exhausted.
	Scanned int
	Next    sms.ID
	Done    bool
	// Messages, Events and HeldReceipts count the rows deleted.
	Messages     int64
	Events       int64
	HeldReceipts int64
}

// purgeCandidate is one message read by PurgeMessages.
type purgeCandidate struct {
	ID         dbID   `db:"id"`
	AccountID  int64  `db:"account_id"`
	Dest       string `db:"dest"`
	Segments   int    `db:"segments"`
	Price      int64  `db:"price_micros"`
	Status     uint8  `db:"cur_status"`
	RegDlr     uint8  `db:"registered_delivery"`
	ValidUntil dbTime `db:"valid_until"`
	Scheduled  bool   `db:"sched"`
	Late       bool   `db:"late"`
	Unfinished bool   `db:"unfinished"`
}

// purgeable reports whether message c, older than the retention, may be
// purged: no further change of it is expected. A message waiting in the
// schedule, one the gateway has not finished sending (recovery would
// send it), and one with status events the campaign statistics have not
// counted yet are kept. A message is done when its status is final, or
// when a carrier took all of it and either no receipt was asked for or
// its validity ran out before the cutoff.
func (c *purgeCandidate) purgeable(before time.Time) bool {
	if c.Scheduled || c.Late || c.Unfinished {
		return false
	}
	st := sms.Status(c.Status)
	if st.Final() {
		return true
	}
	if st != sms.StatusSubmitted {
		return false
	}
	return c.RegDlr&3 == 0 || (!c.ValidUntil.IsZero() && c.ValidUntil.Before(before))
}

// rollupKey is a message_rollups row's key.
type rollupKey struct {
	account  int64
	day      int64
	dest     string
	status   uint8
	segments int
	price    int64
}

// rollupSums are a message_rollups row's sums.
type rollupSums struct{ messages, charges, charged, refunded int64 }

// PurgeMessages purges one batch: it reads up to batch (1 to
// [MaxPurgeBatch]) messages with ids above after and below the ids of
// before, and deletes those that are done (see purgeable) with their
// status events and held receipts, adding their totals to the rollups in
// the same transaction. Inbound messages are purged by [Store.PurgeInbound].
// Call it again with Next until Done.
func (s *Store) PurgeMessages(ctx context.Context, before time.Time, after sms.ID, batch int) (PurgedMessages, error) {
	var out PurgedMessages
	if batch < 1 || batch > MaxPurgeBatch {
		return out, fmt.Errorf("%w: purge batch %d not in 1..%d", ErrInvalid, batch, MaxPurgeBatch)
	}
	below := IDAt(before)
	tx, err := s.w.BeginTxx(ctx, nil)
	if err != nil {
		return out, fmt.Errorf("store: purge messages: %w", mapErr(err))
	}
	defer tx.Rollback()
	tail, err := s.tailCheckpoint(ctx, tx, tailEvents)
	if err != nil {
		return out, err
	}
	var cands []purgeCandidate
	q := "SELECT m.id, m.account_id, SUBSTR(m.dst_addr, 1, 3) AS dest, m.segments, m.price_micros, " +
		"COALESCE(e.status, m.status) AS cur_status, m.registered_delivery, m.valid_until, " +
		"EXISTS (SELECT 1 FROM scheduled_messages s WHERE s.message_id = m.id) AS sched, " +
		"EXISTS (SELECT 1 FROM message_events x WHERE x.message_id = m.id AND x.id > ?) AS late, " +
		"(" + unfinishedCond + ") AS unfinished " +
		"FROM messages m LEFT JOIN message_events e ON e.id = (" + latestEventID + ") " +
		"WHERE m.id > ? AND m.id < ? ORDER BY m.id LIMIT ?"
	if err := tx.SelectContext(ctx, &cands, q, tail, s.idArg(after), s.idArg(below), batch); err != nil {
		return out, fmt.Errorf("store: purge messages: %w", mapErr(err))
	}
	out.Scanned, out.Next, out.Done = len(cands), after, len(cands) < batch
	if len(cands) > 0 {
		out.Next = sms.ID(cands[len(cands)-1].ID)
	}
	byAccount := map[int64][]dbID{}
	var ids []dbID
	for i := range cands {
		if c := &cands[i]; c.purgeable(before) {
			byAccount[c.AccountID] = append(byAccount[c.AccountID], c.ID)
			ids = append(ids, c.ID)
		}
	}
	if len(ids) == 0 {
		return out, nil
	}
	// The messages go first: their rows are then locked by this
	// transaction, and a concurrent purge of the same batch (a lease that
	// ran out mid-batch) deletes fewer than it read and rolls back instead
	// of adding the same totals twice.
	list := s.idList(ids)
	if out.Messages, err = execCount(ctx, tx, "DELETE FROM messages WHERE id IN ("+list+")"); err != nil {
		return out, fmt.Errorf("store: purge messages: %w", err)
	}
	if out.Messages != int64(len(ids)) {
		return PurgedMessages{}, fmt.Errorf("store: purge messages: %d of %d already gone: %w", int64(len(ids))-out.Messages, len(ids), ErrPurgeRace)
	}
	// The ledger's charges and refunds of the purged messages (the
	// ledger itself is kept).
	type ledgerSum struct {
		MessageID dbID  `db:"message_id"`
		Charges   int64 `db:"charges"`
		Charged   int64 `db:"charged"`
		Refunded  int64 `db:"refunded"`
	}
	sums := map[sms.ID]ledgerSum{}
	for acc, mids := range byAccount {
		var ls []ledgerSum
		if err := tx.SelectContext(ctx, &ls, "SELECT message_id, "+
			"COALESCE(SUM(CASE WHEN kind = 'charge' THEN 1 ELSE 0 END), 0) AS charges, "+
			"COALESCE(SUM(CASE WHEN kind = 'charge' THEN -amount ELSE 0 END), 0) AS charged, "+
			"COALESCE(SUM(CASE WHEN kind = 'refund' THEN amount ELSE 0 END), 0) AS refunded "+
			"FROM billing_ledger WHERE account_id = ? AND message_id IN ("+s.idList(mids)+") "+
			"AND kind IN ('charge', 'refund') GROUP BY message_id", acc); err != nil {
			return out, fmt.Errorf("store: purge messages: ledger of account %d: %w", acc, mapErr(err))
		}
		for _, l := range ls {
			sums[sms.ID(l.MessageID)] = l
		}
	}
	roll := map[rollupKey]*rollupSums{}
	var keys []rollupKey
	for i := range cands {
		c := &cands[i]
		if !c.purgeable(before) {
			continue
		}
		k := rollupKey{account: c.AccountID, day: rollupDay(sms.ID(c.ID)), dest: c.Dest, status: c.Status,
			segments: c.Segments, price: c.Price}
		r := roll[k]
		if r == nil {
			r = &rollupSums{}
			roll[k] = r
			keys = append(keys, k)
		}
		l := sums[sms.ID(c.ID)]
		r.messages++
		r.charges += l.Charges
		r.charged += l.Charged
		r.refunded += l.Refunded
	}
	if err := s.addRollups(ctx, tx, keys, roll); err != nil {
		return out, err
	}
	if err := s.ensureRetentionRow(ctx, tx); err != nil {
		return out, err
	}
	if _, err := tx.ExecContext(ctx, "UPDATE retention_state SET messages_below = ? WHERE name = ? AND messages_below < ?",
		s.idArg(below), retentionRow, s.idArg(below)); err != nil {
		return out, fmt.Errorf("store: purge messages: mark: %w", mapErr(err))
	}
	if out.Events, err = execCount(ctx, tx, "DELETE FROM message_events WHERE message_id IN ("+list+")"); err != nil {
		return out, fmt.Errorf("store: purge messages: events: %w", err)
	}
	if out.HeldReceipts, err = execCount(ctx, tx, "DELETE FROM held_receipts WHERE message_id IN ("+list+")"); err != nil {
		return out, fmt.Errorf("store: purge messages: held receipts: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return PurgedMessages{}, fmt.Errorf("store: purge messages: %w", mapErr(err))
	}
	return out, nil
}

// rollupDay is the UTC day (days since [sms.Epoch]) of message id, as
// [Store.Usage] buckets it.
func rollupDay(id sms.ID) int64 {
	return int64(uint64(id)>>(sms.NodeBits+sms.SeqBits)) / msPerDay
}

// rollupRowsPerInsert bounds one upsert (10 parameters a row).
const rollupRowsPerInsert = 500

// addRollups adds sums to the message_rollups rows of keys.
func (s *Store) addRollups(ctx context.Context, tx *sqlx.Tx, keys []rollupKey, sums map[rollupKey]*rollupSums) error {
	for len(keys) > 0 {
		n := min(len(keys), rollupRowsPerInsert)
		var b strings.Builder
		b.WriteString("INSERT INTO message_rollups (account_id, day, dest, status, segments, price_micros, messages, charges, charged, refunded) VALUES ")
		args := make([]any, 0, n*10)
		for i, k := range keys[:n] {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString("(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
			r := sums[k]
			args = append(args, k.account, k.day, k.dest, k.status, k.segments, k.price, r.messages, r.charges, r.charged, r.refunded)
		}
		if s.d == dialectMySQL {
			b.WriteString(" ON DUPLICATE KEY UPDATE messages = messages + VALUES(messages), charges = charges + VALUES(charges), " +
				"charged = charged + VALUES(charged), refunded = refunded + VALUES(refunded)")
		} else {
			b.WriteString(" ON CONFLICT (account_id, day, dest, status, segments, price_micros) DO UPDATE SET " +
				"messages = messages + excluded.messages, charges = charges + excluded.charges, " +
				"charged = charged + excluded.charged, refunded = refunded + excluded.refunded")
		}
		if _, err := tx.ExecContext(ctx, b.String(), args...); err != nil {
			return fmt.Errorf("store: purge messages: rollups: %w", mapErr(err))
		}
		keys = keys[n:]
	}
	return nil
}

// execCount runs a statement and returns the rows it changed.
func execCount(ctx context.Context, e sqlx.ExecerContext, q string, args ...any) (int64, error) {
	res, err := e.ExecContext(ctx, q, args...)
	if err != nil {
		return 0, mapErr(err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, mapErr(err)
	}
	return n, nil
}

// PurgedEvents is what one batch of [Store.PurgeEvents] did.
type PurgedEvents struct {
	// Deleted counts the events deleted (each folded into its segment's
	// final event first).
	Deleted int64
	// Next is the cursor for the next batch; Done is true when the range
	// is exhausted.
	Next sms.ID
	Done bool
}

// historyEvent is one event read by PurgeEvents.
type historyEvent struct {
	ID           int64  `db:"id"`
	MessageID    dbID   `db:"message_id"`
	Segment      int    `db:"segment"`
	Status       uint8  `db:"status"`
	Carrier      string `db:"carrier"`
	CarrierMsgID string `db:"carrier_msg_id"`
	At           dbTime `db:"at"`
	SubmittedAt  dbTime `db:"submitted_at"`
}

// PurgeEvents compacts one batch of status history: of the events of
// the messages with ids at or above after and below the ids of before (up
// to batch, 1 to [MaxPurgeBatch], events read), a segment whose history
// is exactly one carrier acknowledgement ("submitted") and one final
// status from the same carrier has the acknowledgement folded into the
// final event (its submitted_at, as the gateway itself folds them under
// load) and deleted. Readers show a folded submission as its own event,
// the margin report counts it, and the message's status and settledness
// are unchanged; any other history (resubmissions, failovers) is kept
// whole. Events the campaign statistics have not read yet are left.
func (s *Store) PurgeEvents(ctx context.Context, before time.Time, after sms.ID, batch int) (PurgedEvents, error) {
	out := PurgedEvents{Next: after}
	if batch < 1 || batch > MaxPurgeBatch {
		return out, fmt.Errorf("%w: purge batch %d not in 1..%d", ErrInvalid, batch, MaxPurgeBatch)
	}
	tx, err := s.w.BeginTxx(ctx, nil)
	if err != nil {
		return out, fmt.Errorf("store: purge events: %w", mapErr(err))
	}
	defer tx.Rollback()
	tail, err := s.tailCheckpoint(ctx, tx, tailEvents)
	if err != nil {
		return out, err
	}
	var evs []historyEvent
	if err := tx.SelectContext(ctx, &evs, "SELECT id, message_id, segment, status, carrier, carrier_msg_id, at, submitted_at FROM message_events "+
		"WHERE message_id >= ? AND message_id < ? AND id <= ? ORDER BY message_id, id LIMIT ?",
		s.idArg(after), s.idArg(IDAt(before)), tail, batch); err != nil {
		return out, fmt.Errorf("store: purge events: %w", mapErr(err))
	}
	out.Done = len(evs) < batch
	if len(evs) == 0 {
		return out, nil
	}
	last := sms.ID(evs[len(evs)-1].MessageID)
	if !out.Done {
		// The last message may have more events past the page: it is
		// read again whole by the next batch, unless it fills the page
		// alone (then it is left as it is).
		keep := len(evs)
		for keep > 0 && sms.ID(evs[keep-1].MessageID) == last {
			keep--
		}
		if keep == 0 {
			out.Next = last + 1
			return out, nil
		}
		evs = evs[:keep]
	}
	out.Next = last
	if out.Done {
		out.Next = last + 1
	}
	type segKey struct {
		msg dbID
		seg int
	}
	groups := map[segKey][]historyEvent{}
	var order []segKey
	for _, e := range evs {
		k := segKey{e.MessageID, e.Segment}
		if groups[k] == nil {
			order = append(order, k)
		}
		groups[k] = append(groups[k], e)
	}
	var del []byte
	for _, k := range order {
		g := groups[k]
		if len(g) != 2 {
			continue
		}
		sub, fin := g[0], g[1]
		if sms.Status(sub.Status) != sms.StatusSubmitted || !sms.Status(fin.Status).Final() || sub.Carrier != fin.Carrier ||
			(fin.CarrierMsgID != "" && fin.CarrierMsgID != sub.CarrierMsgID) || !sub.SubmittedAt.IsZero() || !fin.SubmittedAt.IsZero() {
			continue
		}
		// A folded row holds the submission's carrier id (receipts are
		// matched by it), as the gateway's own folding does.
		if _, err := tx.ExecContext(ctx, "UPDATE message_events SET submitted_at = ?, carrier_msg_id = ? WHERE id = ?",
			s.timeArg(sub.At.Time), sub.CarrierMsgID, fin.ID); err != nil {
			return out, fmt.Errorf("store: purge events: fold: %w", mapErr(err))
		}
		if len(del) > 0 {
			del = append(del, ',')
		}
		del = strconv.AppendInt(del, sub.ID, 10)
	}
	if len(del) > 0 {
		n, err := execCount(ctx, tx, "DELETE FROM message_events WHERE id IN ("+string(del)+")")
		if err != nil {
			return out, fmt.Errorf("store: purge events: %w", err)
		}
		out.Deleted = n
	}
	if err := tx.Commit(); err != nil {
		return PurgedEvents{}, fmt.Errorf("store: purge events: %w", mapErr(err))
	}
	return out, nil
}

// PurgeInbound deletes up to batch (1 to [MaxPurgeBatch]) inbound
// messages (MOs) received before before (by their time-ordered ids),
// leaving those the campaign statistics have not read yet. Fewer than
// batch deleted means none is left.
func (s *Store) PurgeInbound(ctx context.Context, before time.Time, batch int) (int64, error) {
	if batch < 1 || batch > MaxPurgeBatch {
		return 0, fmt.Errorf("%w: purge batch %d not in 1..%d", ErrInvalid, batch, MaxPurgeBatch)
	}
	tail, err := s.tailCheckpoint(ctx, s.w, tailReplies)
	if err != nil {
		return 0, err
	}
	var ids []dbID
	if err := s.w.SelectContext(ctx, &ids, "SELECT id FROM mo_messages WHERE id < ? AND id <= ? ORDER BY id LIMIT ?",
		s.idArg(IDAt(before)), tail, batch); err != nil {
		return 0, fmt.Errorf("store: purge inbound: %w", mapErr(err))
	}
	if len(ids) == 0 {
		return 0, nil
	}
	n, err := execCount(ctx, s.w, "DELETE FROM mo_messages WHERE id IN ("+s.idList(ids)+")")
	if err != nil {
		return 0, fmt.Errorf("store: purge inbound: %w", err)
	}
	return n, nil
}

// PurgeWebhookAttempts deletes up to batch (1 to [MaxPurgeBatch])
// webhook delivery attempts made before before. Fewer than batch deleted
// means none is left.
func (s *Store) PurgeWebhookAttempts(ctx context.Context, before time.Time, batch int) (int64, error) {
	if batch < 1 || batch > MaxPurgeBatch {
		return 0, fmt.Errorf("%w: purge batch %d not in 1..%d", ErrInvalid, batch, MaxPurgeBatch)
	}
	var ids []int64
	if err := s.w.SelectContext(ctx, &ids, "SELECT id FROM webhook_attempts WHERE at < ? ORDER BY at LIMIT ?",
		s.timeArg(before), batch); err != nil {
		return 0, fmt.Errorf("store: purge webhook attempts: %w", mapErr(err))
	}
	if len(ids) == 0 {
		return 0, nil
	}
	q := make([]byte, 0, 40+len(ids)*20)
	q = append(q, "DELETE FROM webhook_attempts WHERE id IN ("...)
	for i, id := range ids {
		if i > 0 {
			q = append(q, ',')
		}
		q = strconv.AppendInt(q, id, 10)
	}
	q = append(q, ')')
	n, err := execCount(ctx, s.w, string(q))
	if err != nil {
		return 0, fmt.Errorf("store: purge webhook attempts: %w", err)
	}
	return n, nil
}

// RolledUpUsage sums the purged messages of one account in a period (see
// [Store.ChildRollups]).
type RolledUpUsage struct {
	AccountID int64 `db:"account_id"`
	Messages  int64 `db:"messages"`
	Segments  int64 `db:"segs"`
	// Charged and Refunded are what the ledger charged and refunded for
	// them, positive micros.
	Charged  int64 `db:"charged"`
	Refunded int64 `db:"refunded"`
	// Billable counts those charged more than refunded (by their rollup
	// rows: messages of one day, destination prefix, status, size and
	// price).
	Billable int64 `db:"billable"`
}

// ChildRollups returns, per direct sub-account of parent, the totals of
// its purged messages accepted on the UTC days that start in [from,
// until): what [Store.EachChildMessage] no longer reads.
func (s *Store) ChildRollups(ctx context.Context, parent int64, from, until time.Time) ([]RolledUpUsage, error) {
	if err := checkRange(from, until); err != nil {
		return nil, err
	}
	lo, hi := rollupDays(from, until)
	var out []RolledUpUsage
	if err := s.r.SelectContext(ctx, &out, "SELECT r.account_id, SUM(r.messages) AS messages, SUM(r.messages * r.segments) AS segs, "+
		"SUM(r.charged) AS charged, SUM(r.refunded) AS refunded, "+
		"SUM(CASE WHEN r.charged > r.refunded THEN r.messages ELSE 0 END) AS billable "+
		"FROM account_parents p JOIN message_rollups r ON r.account_id = p.account_id "+
		"WHERE p.parent_id = ? AND r.day >= ? AND r.day < ? GROUP BY r.account_id ORDER BY r.account_id",
		parent, lo, hi); err != nil {
		return nil, fmt.Errorf("store: rollups of sub-accounts of %d: %w", parent, mapErr(err))
	}
	return out, nil
}
