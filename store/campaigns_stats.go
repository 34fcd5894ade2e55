package store

import (
	"context"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/gallant-sms/gallant/sms"
)

// The statistics tails (campaign_tails.name): each reads a table by its
// auto-increment id from a checkpoint, under a lease.
const (
	tailEvents  = "events"   // message_events: delivery statuses
	tailReplies = "replies"  // mo_messages: replies of recipients
	tailOptOuts = "opt_outs" // opt_outs: opt-outs of recipients
)

// LeaseCampaignTails takes or renews holder's lease on the statistics
// tails until until, creating them (from the current end of their
// tables: campaign messages all come later) on first use. It reports
// false while another holder's lease is live.
func (s *Store) LeaseCampaignTails(ctx context.Context, holder string, now, until time.Time) (bool, error) {
	for _, t := range []struct{ name, table string }{{tailEvents, "message_events"}, {tailReplies, "mo_messages"},
		{tailOptOuts, "opt_outs"}} {
		var n int
		if err := s.w.GetContext(ctx, &n, "SELECT COUNT(*) FROM campaign_tails WHERE name = ?", t.name); err != nil {
			return false, fmt.Errorf("store: campaign tails: %w", mapErr(err))
		}
		if n == 0 {
			var last int64
			if err := s.w.GetContext(ctx, &last, "SELECT COALESCE(MAX(id), 0) FROM "+t.table); err != nil {
				return false, fmt.Errorf("store: campaign tails: %w", mapErr(err))
			}
			if _, err := s.w.ExecContext(ctx, s.insertIgnoreTail(), t.name, last); err != nil {
				return false, fmt.Errorf("store: campaign tails: %w", mapErr(err))
			}
		}
	}
	res, err := s.w.ExecContext(ctx, "UPDATE campaign_tails SET holder = ?, lease_until = ? WHERE holder = ? OR lease_until <= ?",
		holder, until.UnixMicro(), holder, now.UnixMicro())
	if err != nil {
		return false, fmt.Errorf("store: lease campaign tails: %w", mapErr(err))
	}
	if _, err := res.RowsAffected(); err != nil {
		return false, fmt.Errorf("store: lease campaign tails: %w", mapErr(err))
	}
	var mine int
	if err := s.w.GetContext(ctx, &mine, "SELECT COUNT(*) FROM campaign_tails WHERE holder = ?", holder); err != nil {
		return false, fmt.Errorf("store: lease campaign tails: %w", mapErr(err))
	}
	return mine == 3, nil
}

// ReleaseCampaignTails gives up holder's lease on the statistics tails
// (a clean shutdown), so another instance takes them at its next pass
// instead of when the lease would have expired.
func (s *Store) ReleaseCampaignTails(ctx context.Context, holder string) error {
	if _, err := s.w.ExecContext(ctx, "UPDATE campaign_tails SET holder = '', lease_until = 0 WHERE holder = ?", holder); err != nil {
		return fmt.Errorf("store: release campaign tails: %w", mapErr(err))
	}
	return nil
}

func (s *Store) insertIgnoreTail() string {
	if s.d == dialectMySQL {
		return "INSERT IGNORE INTO campaign_tails (name, last_id, holder, lease_until) VALUES (?, ?, '', 0)"
	}
	return "INSERT INTO campaign_tails (name, last_id, holder, lease_until) VALUES (?, ?, '', 0) ON CONFLICT DO NOTHING"
}

// tailStart opens a transaction on tail name held by holder and returns
// its checkpoint; the row is locked on MySQL.
func (s *Store) tailStart(ctx context.Context, name, holder string) (*sqlx.Tx, int64, error) {
	tx, err := s.w.BeginTxx(ctx, nil)
	if err != nil {
		return nil, 0, fmt.Errorf("store: campaign tail %s: %w", name, mapErr(err))
	}
	lock := ""
	if s.d == dialectMySQL {
		lock = " FOR UPDATE"
	}
	var last int64
	var h string
	if err := tx.QueryRowContext(ctx, "SELECT last_id, holder FROM campaign_tails WHERE name = ?"+lock, name).Scan(&last, &h); err != nil {
		tx.Rollback()
		return nil, 0, fmt.Errorf("store: campaign tail %s: %w", name, mapErr(err))
	}
	if h != holder {
		tx.Rollback()
		return nil, 0, fmt.Errorf("store: campaign tail %s: %w", name, ErrLeaseLost)
	}
	return tx, last, nil
}

// ApplyCampaignEvents applies up to limit (1 to 100,000) message events
// after the events tail's checkpoint to the campaigns' recipients and
// counters, and moves the checkpoint, in one transaction: each event
// counts once. A recipient's status follows the rule of a message's
// status (a final status is not undone by a later non-final event; a
// later final one replaces it, moving the count). It returns how many
// events it passed (0: caught up).
//
// On MySQL event ids may commit out of order (several writer
// connections, several instances): the tail stops below a missing id
// until it commits, or until an id above it has been the newest for
// maxEventGap (see contiguousEvents), so the counters lag by at most
// that while a gap is open and miss only an event that commits later
// still. SQLite has one writer: its ids commit in order.
func (s *Store) ApplyCampaignEvents(ctx context.Context, holder string, limit int) (int, error) {
	if limit < 1 || limit > 100000 {
		return 0, fmt.Errorf("%w: events limit %d", ErrInvalid, limit)
	}
	tx, last, err := s.tailStart(ctx, tailEvents, holder)
	if err != nil {
		return 0, err
	}
	defer tx.Rollback()
	var top int64
	if err := tx.GetContext(ctx, &top, "SELECT COALESCE(MAX(id), 0) FROM message_events"); err != nil {
		return 0, fmt.Errorf("store: campaign events: %w", mapErr(err))
	}
	hi := min(top, last+int64(limit))
	if hi <= last {
		return 0, nil
	}
	if s.d == dialectMySQL {
		if hi, err = s.contiguousEvents(ctx, tx, last, hi, top); err != nil || hi <= last {
			return 0, err
		}
	}
	var evs []struct {
		EventID    int64  `db:"eid"`
		Status     int    `db:"status"`
		At         dbTime `db:"at"`
		RID        int64  `db:"rid"`
		CampaignID int64  `db:"campaign_id"`
		Variant    int    `db:"variant"`
		Step       int    `db:"step"`
		RStatus    int    `db:"rstatus"`
	}
	if err := tx.SelectContext(ctx, &evs, "SELECT e.id AS eid, e.status, e.at, r.id AS rid, r.campaign_id, r.variant, r.step, "+
		"r.status AS rstatus FROM message_events e JOIN campaign_recipients r ON r.message_id = e.message_id "+
		"WHERE e.id > ? AND e.id <= ? AND r.message_id <> 0 ORDER BY e.id", last, hi); err != nil {
		return 0, fmt.Errorf("store: campaign events: %w", mapErr(err))
	}
	type ckey struct {
		campaign int64
		k        statKey
	}
	type mkey struct{ campaign, minute int64 }
	deltas := map[ckey]*statDelta{}
	series := map[mkey]*[2]int64{}
	cur := map[int64]sms.Status{}
	changed := map[int64]bool{}
	for _, e := range evs {
		old, ok := cur[e.RID]
		if !ok {
			old = sms.Status(e.RStatus)
		}
		st := sms.Status(e.Status)
		if old.Final() && (!st.Final() || st == old) {
			continue
		}
		if !old.Final() && st <= old && !st.Final() {
			continue
		}
		cur[e.RID], changed[e.RID] = st, true
		if !st.Final() {
			continue
		}
		k := ckey{e.CampaignID, statKey{e.Variant, e.Step}}
		if deltas[k] == nil {
			deltas[k] = &statDelta{}
		}
		if old.Final() {
			countFinal(deltas[k], old, -1)
		}
		countFinal(deltas[k], st, 1)
		at := e.At.Time
		if at.IsZero() {
			at = s.now()
		}
		mk := mkey{e.CampaignID, at.Unix() / 60}
		if series[mk] == nil {
			series[mk] = &[2]int64{}
		}
		if st == sms.StatusDelivered {
			series[mk][0]++
		} else {
			series[mk][1]++
		}
		if old == sms.StatusDelivered {
			series[mk][0]--
		} else if old.Final() {
			series[mk][1]--
		}
	}
	byStatus := map[sms.Status][]int64{}
	for rid := range changed {
		byStatus[cur[rid]] = append(byStatus[cur[rid]], rid)
	}
	if err := setStatuses(ctx, tx, byStatus); err != nil {
		return 0, fmt.Errorf("store: campaign events: %w", err)
	}
	for k, d := range deltas {
		if err := s.addStats(ctx, tx, k.campaign, k.k, d); err != nil {
			return 0, err
		}
	}
	for k, v := range series {
		if err := s.addSeries(ctx, tx, k.campaign, k.minute, 0, v[0], v[1]); err != nil {
			return 0, err
		}
	}
	if _, err := tx.ExecContext(ctx, "UPDATE campaign_tails SET last_id = ? WHERE name = ?", hi, tailEvents); err != nil {
		return 0, fmt.Errorf("store: campaign events: %w", mapErr(err))
	}
	if err := tx.Commit(); err != nil {
		return 0, fmt.Errorf("store: campaign events: %w", mapErr(err))
	}
	return int(hi - last), nil
}

// topSeen is the newest message event id at a time.
type topSeen struct {
	at  time.Time
	top int64
}

// maxEventGap is how long the campaign events tail waits for a missing
// event id to commit before it passes it (an id of a transaction rolled
// back, an insert that reserved more ids than it used, or history
// purged never comes).
const maxEventGap = 10 * time.Second

// contiguousEvents returns the highest id up to hi such that every event
// id in (last, id] is committed, or below an id that was the newest
// (top) at least [maxEventGap] ago: any transaction holding such an id
// has committed or never will. On MySQL several writers insert message
// events, so an id may commit after a higher one: a tail that passed it
// would never count that event (a delivery receipt lost from a
// campaign's statistics).
func (s *Store) contiguousEvents(ctx context.Context, tx *sqlx.Tx, last, hi, top int64) (int64, error) {
	g := &s.eventGap
	g.Lock()
	now := s.now()
	if n := len(g.seen); (n == 0 || g.seen[n-1].top != top) && n < 10000 {
		g.seen = append(g.seen, topSeen{at: now, top: top})
	}
	for len(g.seen) > 0 && now.Sub(g.seen[0].at) >= maxEventGap {
		g.safe = max(g.safe, g.seen[0].top)
		g.seen = g.seen[1:]
	}
	safe := g.safe
	g.Unlock()
	if safe >= hi {
		return hi, nil
	}
	var ids []int64
	if err := tx.SelectContext(ctx, &ids, "SELECT id FROM message_events WHERE id > ? AND id <= ? ORDER BY id", last, hi); err != nil {
		return 0, fmt.Errorf("store: campaign events: %w", mapErr(err))
	}
	end := last
	for _, id := range ids {
		if id != end+1 {
			break
		}
		end = id
	}
	return max(end, safe), nil
}

// campaignFlagWindow is how long after its launch a campaign counts
// replies and opt-outs of its recipients (a running one, such as a drip
// sequence, counts them as long as it runs).
const campaignFlagWindow = 30 * 24 * time.Hour

// ApplyCampaignReplies counts up to limit MOs after the replies tail's
// checkpoint as replies of the recipients they come from (once per
// recipient: the first reply sets its flag), in campaigns of the MO's
// account launched in the last 30 days or still running. It returns how
// many MOs it passed.
func (s *Store) ApplyCampaignReplies(ctx context.Context, holder string, limit int) (int, error) {
	return s.applyFlagTail(ctx, holder, tailReplies, "SELECT id, account_id, src_addr AS number FROM mo_messages "+
		"WHERE id > ? ORDER BY id LIMIT ?", RecipientReplied, limit)
}

// ApplyCampaignOptOuts counts up to limit opt-outs after the opt-outs
// tail's checkpoint as opt-outs during the campaigns of the recipients
// (sent a message, in a campaign of the account launched in the last 30
// days or still running), once per recipient. It returns how many rows it passed.
func (s *Store) ApplyCampaignOptOuts(ctx context.Context, holder string, limit int) (int, error) {
	return s.applyFlagTail(ctx, holder, tailOptOuts, "SELECT id, account_id, number FROM opt_outs "+
		"WHERE id > ? AND opted_out = 1 AND account_id <> 0 ORDER BY id LIMIT ?", RecipientOptedOut, limit)
}

func (s *Store) applyFlagTail(ctx context.Context, holder, name, q string, flag, limit int) (int, error) {
	if limit < 1 || limit > 10000 {
		return 0, fmt.Errorf("%w: tail limit %d", ErrInvalid, limit)
	}
	tx, last, err := s.tailStart(ctx, name, holder)
	if err != nil {
		return 0, err
	}
	defer tx.Rollback()
	var rows []struct {
		ID        int64  `db:"id"`
		AccountID int64  `db:"account_id"`
		Number    string `db:"number"`
	}
	if err := tx.SelectContext(ctx, &rows, q, last, limit); err != nil {
		return 0, fmt.Errorf("store: campaign tail %s: %w", name, mapErr(err))
	}
	if len(rows) == 0 {
		return 0, nil
	}
	since := s.timeArg(s.now().Add(-campaignFlagWindow))
	for _, r := range rows {
		var recs []struct {
			ID         int64 `db:"id"`
			CampaignID int64 `db:"campaign_id"`
			Variant    int   `db:"variant"`
			Step       int   `db:"step"`
			Flags      int   `db:"flags"`
		}
		if err := tx.SelectContext(ctx, &recs, "SELECT r.id, r.campaign_id, r.variant, r.step, r.flags FROM campaigns c "+
			"JOIN campaign_recipients r ON r.campaign_id = c.id AND r.phone = ? WHERE c.account_id = ? AND (c.launched_at >= ? "+
			"OR c.state = ?) AND r.state = ?", r.Number, r.AccountID, since, CampaignRunning, RecipientSent); err != nil {
			return 0, fmt.Errorf("store: campaign tail %s: %w", name, mapErr(err))
		}
		for _, rc := range recs {
			if rc.Flags&flag != 0 {
				continue
			}
			if _, err := tx.ExecContext(ctx, "UPDATE campaign_recipients SET flags = ? WHERE id = ?", rc.Flags|flag, rc.ID); err != nil {
				return 0, fmt.Errorf("store: campaign tail %s: %w", name, mapErr(err))
			}
			d := &statDelta{}
			if flag == RecipientReplied {
				d.replies = 1
			} else {
				d.optedOut = 1
			}
			if err := s.addStats(ctx, tx, rc.CampaignID, statKey{rc.Variant, rc.Step}, d); err != nil {
				return 0, err
			}
		}
	}
	if _, err := tx.ExecContext(ctx, "UPDATE campaign_tails SET last_id = ? WHERE name = ?", rows[len(rows)-1].ID, name); err != nil {
		return 0, fmt.Errorf("store: campaign tail %s: %w", name, mapErr(err))
	}
	if err := tx.Commit(); err != nil {
		return 0, fmt.Errorf("store: campaign tail %s: %w", name, mapErr(err))
	}
	return len(rows), nil
}

// CampaignCounters are a campaign's counters (of one variant and step,
// or summed).
type CampaignCounters struct {
	Variant     int   `db:"variant"`
	Step        int   `db:"step"`
	Targeted    int64 `db:"targeted"`
	Sent        int64 `db:"sent"`
	Delivered   int64 `db:"delivered"`
	Failed      int64 `db:"failed"`
	Undelivered int64 `db:"undelivered"`
	Expired     int64 `db:"expired"`
	Rejected    int64 `db:"rejected"`
	Skipped     int64 `db:"skipped"`
	Unknown     int64 `db:"unknown"`
	OptedOut    int64 `db:"opted_out"`
	Replies     int64 `db:"replies"`
	Spend       int64 `db:"spend"`
}

// CampaignStats returns campaign id's counters per variant and step (a
// handful of rows: no recipient is read).
func (s *Store) CampaignStats(ctx context.Context, id int64) ([]CampaignCounters, error) {
	var out []CampaignCounters
	if err := s.r.SelectContext(ctx, &out, "SELECT variant, step, targeted, sent, delivered, failed, undelivered, expired, "+
		"rejected, skipped, unknown, opted_out, replies, spend FROM campaign_stats WHERE campaign_id = ? ORDER BY step, variant",
		id); err != nil {
		return nil, fmt.Errorf("store: campaign %d stats: %w", id, mapErr(err))
	}
	return out, nil
}

// SeriesPoint is one minute of a campaign's per-minute series.
type SeriesPoint struct {
	Minute    int64 `db:"minute"` // unix minutes
	Sent      int64 `db:"sent"`
	Delivered int64 `db:"delivered"`
	Failed    int64 `db:"failed"`
}

// CampaignSeries returns up to limit (1 to 10,000) minutes of campaign
// id's series from minute from on, oldest first.
func (s *Store) CampaignSeries(ctx context.Context, id, from int64, limit int) ([]SeriesPoint, error) {
	if limit < 1 || limit > 10000 {
		return nil, fmt.Errorf("%w: series limit %d", ErrInvalid, limit)
	}
	var out []SeriesPoint
	if err := s.r.SelectContext(ctx, &out, "SELECT minute, sent, delivered, failed FROM campaign_series WHERE campaign_id = ? "+
		"AND minute >= ? ORDER BY minute LIMIT ?", id, from, limit); err != nil {
		return nil, fmt.Errorf("store: campaign %d series: %w", id, mapErr(err))
	}
	return out, nil
}

// CampaignRecipient is a row of campaign_recipients.
type CampaignRecipient struct {
	ID        int64
	Phone     string
	ContactID int64
	Step      int
	Variant   int
	State     int
	Status    sms.Status
	MessageID sms.ID
	Price     int64
	Reason    string
	Flags     int
	NotBefore time.Time
	SentAt    time.Time
}

// RecipientFilter selects a page of a campaign's recipients.
type RecipientFilter struct {
	After int64 // ids above
	// State (-1: any) and Status (0: any) filter.
	State  int
	Status sms.Status
	Limit  int // 1 to 10,000
}

// CampaignRecipients returns a page of campaign id's recipients in id
// order.
func (s *Store) CampaignRecipients(ctx context.Context, id int64, f RecipientFilter) ([]CampaignRecipient, error) {
	if f.Limit < 1 || f.Limit > 10000 {
		return nil, fmt.Errorf("%w: recipients limit %d", ErrInvalid, f.Limit)
	}
	q := "SELECT id, phone, contact_id, step, variant, state, status, message_id, price, reason, flags, not_before, sent_at " +
		"FROM campaign_recipients WHERE campaign_id = ? AND id > ?"
	args := []any{id, f.After}
	if f.State >= 0 {
		q += " AND state = ?"
		args = append(args, f.State)
	}
	if f.Status != 0 {
		q += " AND status = ?"
		args = append(args, int(f.Status))
	}
	q += " ORDER BY id LIMIT ?"
	args = append(args, f.Limit)
	var rows []struct {
		ID        int64  `db:"id"`
		Phone     string `db:"phone"`
		ContactID int64  `db:"contact_id"`
		Step      int    `db:"step"`
		Variant   int    `db:"variant"`
		State     int    `db:"state"`
		Status    int    `db:"status"`
		MessageID dbID   `db:"message_id"`
		Price     int64  `db:"price"`
		Reason    string `db:"reason"`
		Flags     int    `db:"flags"`
		NotBefore int64  `db:"not_before"`
		SentAt    dbTime `db:"sent_at"`
	}
	if err := s.r.SelectContext(ctx, &rows, q, args...); err != nil {
		return nil, fmt.Errorf("store: campaign %d recipients: %w", id, mapErr(err))
	}
	out := make([]CampaignRecipient, len(rows))
	for i, r := range rows {
		out[i] = CampaignRecipient{ID: r.ID, Phone: r.Phone, ContactID: r.ContactID, Step: r.Step, Variant: r.Variant,
			State: r.State, Status: sms.Status(r.Status), MessageID: sms.ID(r.MessageID), Price: r.Price, Reason: r.Reason,
			Flags: r.Flags, SentAt: r.SentAt.Time}
		if r.NotBefore > 0 {
			out[i].NotBefore = time.UnixMicro(r.NotBefore).UTC()
		}
	}
	return out, nil
}
