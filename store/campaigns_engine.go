package store

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/gallant-sms/gallant/sms"
)

// StartDueCampaigns moves scheduled campaigns whose send time has come
// to running, and returns how many it moved.
func (s *Store) StartDueCampaigns(ctx context.Context, now time.Time) (int64, error) {
	var due int
	if err := s.r.GetContext(ctx, &due, "SELECT COUNT(*) FROM (SELECT 1 FROM campaigns WHERE state = ? AND "+
		"(send_at IS NULL OR send_at <= ?) LIMIT 1) x", CampaignScheduled, s.timeArg(now)); err != nil {
		return 0, fmt.Errorf("store: start due campaigns: %w", mapErr(err))
	}
	if due == 0 {
		return 0, nil // no write when nothing is due (the engine asks every tick)
	}
	res, err := s.w.ExecContext(ctx, "UPDATE campaigns SET state = ?, updated_at = ? WHERE state = ? AND "+
		"(send_at IS NULL OR send_at <= ?)", CampaignRunning, s.timeArg(now), CampaignScheduled, s.timeArg(now))
	if err != nil {
		return 0, fmt.Errorf("store: start due campaigns: %w", mapErr(err))
	}
	n, _ := res.RowsAffected()
	return n, nil
}

// RunningCampaigns returns up to limit running campaigns, oldest first.
func (s *Store) RunningCampaigns(ctx context.Context, limit int) ([]Campaign, error) {
	var rows []campaignRow
	cols := strings.Replace(campaignColumns, "numbers", "'' AS numbers", 1) // not needed to run, and large
	if err := s.r.SelectContext(ctx, &rows, "SELECT "+cols+" FROM campaigns WHERE state = ? ORDER BY id LIMIT ?",
		CampaignRunning, limit); err != nil {
		return nil, fmt.Errorf("store: running campaigns: %w", mapErr(err))
	}
	out := make([]Campaign, len(rows))
	for i := range rows {
		out[i] = rows[i].campaign()
	}
	return out, nil
}

// LeaseCampaign takes or renews holder's lease on running campaign id
// until until; it reports false when another holder's lease is live or
// the campaign is no longer running. prev is the holder that had it
// ("" when none or holder itself).
func (s *Store) LeaseCampaign(ctx context.Context, id int64, holder string, now, until time.Time) (bool, error) {
	res, err := s.w.ExecContext(ctx, "UPDATE campaigns SET lease_holder = ?, lease_until = ? WHERE id = ? AND state = ? AND "+
		"(lease_holder = ? OR lease_until <= ?)", holder, until.UnixMicro(), id, CampaignRunning, holder, now.UnixMicro())
	if err != nil {
		return false, fmt.Errorf("store: lease campaign %d: %w", id, mapErr(err))
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("store: lease campaign %d: %w", id, mapErr(err))
	}
	if n == 1 {
		return true, nil
	}
	// MySQL counts changed rows: a renewal to the same instant changes
	// nothing. Check.
	var h string
	var u int64
	err = s.w.QueryRowContext(ctx, "SELECT lease_holder, lease_until FROM campaigns WHERE id = ? AND state = ?", id,
		CampaignRunning).Scan(&h, &u)
	if err != nil {
		return false, nil //nolint:nilerr // not running (or gone): not ours
	}
	return h == holder && u == until.UnixMicro(), nil
}

// ReleaseCampaign gives up holder's lease on campaign id.
func (s *Store) ReleaseCampaign(ctx context.Context, id int64, holder string) error {
	if _, err := s.w.ExecContext(ctx, "UPDATE campaigns SET lease_holder = '', lease_until = 0 WHERE id = ? AND lease_holder = ?",
		id, holder); err != nil {
		return fmt.Errorf("store: release campaign %d: %w", id, mapErr(err))
	}
	return nil
}

// ClaimedRecipient is a recipient claimed for sending, with its contact
// (zero when the number is no contact, or the contact was deleted).
type ClaimedRecipient struct {
	ID      int64
	Phone   string
	Step    int
	Variant int
	// Reason is why it was last put back (a deferral's reason).
	Reason  string
	Contact Contact
	// Erased is set when the recipient's contact was deleted since it
	// was targeted (Contact then holds only the phone).
	Erased bool
}

// ClaimRecipients claims up to limit (1 to 10,000) pending recipients of
// campaign id due at now (not_before passed), in (not_before, id) order:
// in one transaction, checked against holder's lease, they move to
// sending. Their contacts are read after.
func (s *Store) ClaimRecipients(ctx context.Context, id int64, holder string, now time.Time, limit int) ([]ClaimedRecipient, error) {
	if limit < 1 || limit > 10000 {
		return nil, fmt.Errorf("%w: claim limit %d", ErrInvalid, limit)
	}
	tx, err := s.w.BeginTxx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("store: claim campaign %d: %w", id, mapErr(err))
	}
	defer tx.Rollback()
	lock := ""
	if s.d == dialectMySQL {
		lock = " FOR UPDATE"
	}
	var h string
	var state string
	if err := tx.QueryRowContext(ctx, "SELECT lease_holder, state FROM campaigns WHERE id = ?"+lock, id).Scan(&h, &state); err != nil {
		return nil, fmt.Errorf("store: claim campaign %d: %w", id, mapErr(err))
	}
	if h != holder || state != CampaignRunning {
		return nil, fmt.Errorf("store: claim campaign %d: %w", id, ErrLeaseLost)
	}
	var rows []struct {
		ID        int64  `db:"id"`
		Phone     string `db:"phone"`
		ContactID int64  `db:"contact_id"`
		Step      int    `db:"step"`
		Variant   int    `db:"variant"`
		Reason    string `db:"reason"`
	}
	if err := tx.SelectContext(ctx, &rows, "SELECT id, phone, contact_id, step, variant, reason FROM campaign_recipients "+
		"WHERE campaign_id = ? AND state = ? AND not_before <= ? ORDER BY not_before, id LIMIT ?"+lock,
		id, RecipientPending, now.UnixMicro(), limit); err != nil {
		return nil, fmt.Errorf("store: claim campaign %d: %w", id, mapErr(err))
	}
	if len(rows) == 0 {
		return nil, nil
	}
	ids := make([]int64, len(rows))
	for i, r := range rows {
		ids[i] = r.ID
	}
	if _, err := tx.ExecContext(ctx, "UPDATE campaign_recipients SET state = ?, updated_at = ? WHERE id IN ("+intList(ids)+")",
		RecipientSending, s.timeArg(now)); err != nil {
		return nil, fmt.Errorf("store: claim campaign %d: %w", id, mapErr(err))
	}
	if err := tx.Commit(); err != nil {
		return nil, fmt.Errorf("store: claim campaign %d: %w", id, mapErr(err))
	}
	out := make([]ClaimedRecipient, len(rows))
	var cids []int64
	for i, r := range rows {
		out[i] = ClaimedRecipient{ID: r.ID, Phone: r.Phone, Step: r.Step, Variant: r.Variant, Reason: r.Reason}
		out[i].Contact.Phone = r.Phone
		if r.ContactID > 0 {
			out[i].Contact.ID = r.ContactID
			cids = append(cids, r.ContactID)
		}
	}
	if len(cids) > 0 {
		contacts, err := s.contactsByID(ctx, cids)
		if err != nil {
			return nil, err
		}
		for i := range out {
			if c, ok := contacts[out[i].Contact.ID]; ok {
				out[i].Contact = c
			} else if out[i].Contact.ID > 0 {
				out[i].Erased = true
			}
		}
	}
	return out, nil
}

// contactsByID reads contacts by id.
func (s *Store) contactsByID(ctx context.Context, ids []int64) (map[int64]Contact, error) {
	var rows []struct {
		ID        int64  `db:"id"`
		AccountID int64  `db:"account_id"`
		Phone     string `db:"phone"`
		FirstName string `db:"first_name"`
		LastName  string `db:"last_name"`
		Email     string `db:"email"`
		Language  string `db:"language"`
		TimeZone  string `db:"time_zone"`
		Fields    string `db:"fields"`
		Tags      string `db:"tags"`
	}
	if err := s.w.SelectContext(ctx, &rows, "SELECT id, account_id, phone, first_name, last_name, email, language, time_zone, "+
		"fields, tags FROM contacts WHERE id IN ("+intList(ids)+")"); err != nil {
		return nil, fmt.Errorf("store: contacts: %w", mapErr(err))
	}
	out := make(map[int64]Contact, len(rows))
	for _, r := range rows {
		out[r.ID] = Contact{ID: r.ID, AccountID: r.AccountID, Phone: r.Phone, FirstName: r.FirstName, LastName: r.LastName,
			Email: r.Email, Language: r.Language, TimeZone: r.TimeZone, Fields: r.Fields, Tags: splitWords(r.Tags, ",")}
	}
	return out, nil
}

// RecipientOutcome is what became of a claimed recipient.
type RecipientOutcome struct {
	ID      int64
	Variant int
	Step    int
	// State is RecipientSent (MessageID, Price set), RecipientSkipped
	// (Reason), RecipientUnknown, or RecipientPending (retry not before
	// NotBefore).
	State     int
	MessageID sms.ID
	Price     int64
	Reason    string
	// OptedOut counts the skip as an opt-out during the campaign.
	OptedOut  bool
	NotBefore time.Time
}

type statKey struct{ variant, step int }

type statDelta struct {
	targeted                                          int64
	sent, skipped, unknown, optedOut, spend           int64
	delivered, failed, undelivered, expired, rejected int64
	replies                                           int64
}

// RecordOutcomes stores the outcomes of claimed recipients of campaign
// id and adds them to its counters and per-minute series, in one
// transaction. Final statuses that the events tail already passed for
// these messages are applied at once (the tail saw them before the
// message id was known).
func (s *Store) RecordOutcomes(ctx context.Context, id int64, now time.Time, outs []RecipientOutcome) error {
	if len(outs) == 0 {
		return nil
	}
	tx, err := s.w.BeginTxx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: record campaign %d outcomes: %w", id, mapErr(err))
	}
	defer tx.Rollback()
	// Serialize with the events tail (MySQL): its checkpoint row.
	var tailLast int64
	lock := ""
	if s.d == dialectMySQL {
		lock = " FOR UPDATE"
	}
	if err := tx.QueryRowContext(ctx, "SELECT last_id FROM campaign_tails WHERE name = ?"+lock, tailEvents).Scan(&tailLast); err != nil {
		tailLast = 0 // no tail yet: it will see every event
	}
	deltas := map[statKey]*statDelta{}
	d := func(o *RecipientOutcome) *statDelta {
		k := statKey{o.Variant, o.Step}
		if deltas[k] == nil {
			deltas[k] = &statDelta{}
		}
		return deltas[k]
	}
	nowArg := s.timeArg(now)
	var sentIDs []sms.ID
	sentRow := map[sms.ID]*RecipientOutcome{}
	// Grouped updates: one statement per group of up to a page of ids
	// (a statement per recipient costs a round trip each on MySQL).
	type group struct {
		state    int
		reason   string
		flags    int
		notBefor int64
	}
	groups := map[group][]int64{}
	var sent []*RecipientOutcome
	for i := range outs {
		o := &outs[i]
		switch o.State {
		case RecipientSent:
			sent = append(sent, o)
			dd := d(o)
			dd.sent++
			dd.spend += o.Price
			sentIDs = append(sentIDs, o.MessageID)
			sentRow[o.MessageID] = o
		case RecipientSkipped:
			g := group{state: RecipientSkipped, reason: clipRecipientReason(o.Reason)}
			dd := d(o)
			dd.skipped++
			if o.OptedOut {
				g.flags = RecipientOptedOut
				dd.optedOut++
			}
			groups[g] = append(groups[g], o.ID)
		case RecipientUnknown:
			g := group{state: RecipientUnknown, reason: clipRecipientReason(o.Reason)}
			groups[g] = append(groups[g], o.ID)
			d(o).unknown++
		default:
			g := group{state: RecipientPending, reason: clipRecipientReason(o.Reason), notBefor: o.NotBefore.UnixMicro()}
			groups[g] = append(groups[g], o.ID)
		}
	}
	const chunk = 500
	for i := 0; i < len(sent); i += chunk {
		part := sent[i:min(i+chunk, len(sent))]
		var mids, prices, ids []byte
		for j, o := range part {
			if j > 0 {
				ids = append(ids, ',')
			}
			mids = append(mids, " WHEN "...)
			mids = strconv.AppendInt(mids, o.ID, 10)
			mids = append(mids, " THEN "...)
			mids = s.appendID(mids, o.MessageID)
			prices = append(prices, " WHEN "...)
			prices = strconv.AppendInt(prices, o.ID, 10)
			prices = append(prices, " THEN "...)
			prices = strconv.AppendInt(prices, o.Price, 10)
			ids = strconv.AppendInt(ids, o.ID, 10)
		}
		if _, err := tx.ExecContext(ctx, "UPDATE campaign_recipients SET state = ?, status = ?, sent_at = ?, updated_at = ?, "+
			"message_id = CASE id"+string(mids)+" END, price = CASE id"+string(prices)+" END WHERE +campaign_id = ? AND id IN ("+
			string(ids)+")", RecipientSent, int(sms.StatusAccepted), nowArg, nowArg, id); err != nil {
			return fmt.Errorf("store: record campaign %d outcomes: %w", id, mapErr(err))
		}
	}
	for g, gids := range groups {
		for i := 0; i < len(gids); i += 1000 {
			part := gids[i:min(i+1000, len(gids))]
			var err error
			if g.state == RecipientPending {
				_, err = tx.ExecContext(ctx, "UPDATE campaign_recipients SET state = ?, reason = ?, not_before = ?, updated_at = ? "+
					"WHERE +campaign_id = ? AND id IN ("+intList(part)+")", g.state, g.reason, g.notBefor, nowArg, id)
			} else {
				_, err = tx.ExecContext(ctx, "UPDATE campaign_recipients SET state = ?, reason = ?, flags = flags | ?, updated_at = ? "+
					"WHERE +campaign_id = ? AND id IN ("+intList(part)+")", g.state, g.reason, g.flags, nowArg, id)
			}
			if err != nil {
				return fmt.Errorf("store: record campaign %d outcomes: %w", id, mapErr(err))
			}
		}
	}
	// Events the tail has passed already for these messages.
	var sentNow int64
	for _, dd := range deltas {
		sentNow += dd.sent
	}
	if len(sentIDs) > 0 && tailLast > 0 {
		var b []byte
		for i, mid := range sentIDs {
			if i > 0 {
				b = append(b, ',')
			}
			b = s.appendID(b, mid)
		}
		var evs []struct {
			MessageID dbID `db:"message_id"`
			Status    int  `db:"status"`
		}
		if err := tx.SelectContext(ctx, &evs, "SELECT message_id, status FROM message_events WHERE id <= ? AND message_id IN ("+
			string(b)+") ORDER BY id", tailLast); err != nil {
			return fmt.Errorf("store: record campaign %d outcomes: %w", id, mapErr(err))
		}
		cur := map[sms.ID]sms.Status{}
		for _, e := range evs {
			old := cur[sms.ID(e.MessageID)]
			st := sms.Status(e.Status)
			if old.Final() && !st.Final() {
				continue
			}
			cur[sms.ID(e.MessageID)] = st
		}
		byStatus := map[sms.Status][]int64{}
		for mid, st := range cur {
			if o := sentRow[mid]; o != nil {
				byStatus[st] = append(byStatus[st], o.ID)
			}
		}
		if err := setStatuses(ctx, tx, byStatus); err != nil {
			return fmt.Errorf("store: record campaign %d outcomes: %w", id, err)
		}
		for mid, st := range cur {
			o := sentRow[mid]
			if o == nil {
				continue
			}
			if st.Final() {
				countFinal(d(o), st, 1)
				var del, fail int64 = 0, 1
				if st == sms.StatusDelivered {
					del, fail = 1, 0
				}
				if err := s.addSeries(ctx, tx, id, now.Unix()/60, 0, del, fail); err != nil {
					return err
				}
			}
		}
	}
	for k, dd := range deltas {
		if err := s.addStats(ctx, tx, id, k, dd); err != nil {
			return err
		}
	}
	if sentNow > 0 {
		if err := s.addSeries(ctx, tx, id, now.Unix()/60, sentNow, 0, 0); err != nil {
			return err
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("store: record campaign %d outcomes: %w", id, mapErr(err))
	}
	return nil
}

// setStatuses sets the status of recipients by status, a statement per
// status and thousand ids.
func setStatuses(ctx context.Context, tx txExec, byStatus map[sms.Status][]int64) error {
	for st, ids := range byStatus {
		for i := 0; i < len(ids); i += 1000 {
			part := ids[i:min(i+1000, len(ids))]
			if _, err := tx.ExecContext(ctx, "UPDATE campaign_recipients SET status = ? WHERE id IN ("+intList(part)+")",
				int(st)); err != nil {
				return mapErr(err)
			}
		}
	}
	return nil
}

func clipRecipientReason(s string) string {
	if len(s) > 200 {
		return s[:200]
	}
	return s
}

// countFinal adds n to the counter of final status st.
func countFinal(d *statDelta, st sms.Status, n int64) {
	switch st {
	case sms.StatusDelivered:
		d.delivered += n
	case sms.StatusUndelivered:
		d.undelivered += n
	case sms.StatusExpired:
		d.expired += n
	case sms.StatusRejected:
		d.rejected += n
	case sms.StatusFailed:
		d.failed += n
	}
}

// txExec is a transaction (or a pool) to execute statements on.
type txExec interface {
	ExecContext(ctx context.Context, q string, args ...any) (sql.Result, error)
}

// addStats adds d to the counters of (campaign id, k), creating the row.
func (s *Store) addStats(ctx context.Context, tx txExec, id int64, k statKey, d *statDelta) error {
	up := "targeted = targeted + ?, sent = sent + ?, skipped = skipped + ?, unknown = unknown + ?, opted_out = opted_out + ?, spend = spend + ?, " +
		"delivered = delivered + ?, failed = failed + ?, undelivered = undelivered + ?, expired = expired + ?, " +
		"rejected = rejected + ?, replies = replies + ?"
	args := []any{d.targeted, d.sent, d.skipped, d.unknown, d.optedOut, d.spend, d.delivered, d.failed, d.undelivered, d.expired,
		d.rejected, d.replies}
	res, err := tx.ExecContext(ctx, "UPDATE campaign_stats SET "+up+" WHERE campaign_id = ? AND variant = ? AND step = ?",
		append(args, id, k.variant, k.step)...)
	if err != nil {
		return fmt.Errorf("store: campaign %d counters: %w", id, mapErr(err))
	}
	if n, _ := res.RowsAffected(); n > 0 {
		return nil
	}
	if _, err := tx.ExecContext(ctx, "INSERT INTO campaign_stats (campaign_id, variant, step, targeted, sent, skipped, unknown, "+
		"opted_out, spend, delivered, failed, undelivered, expired, rejected, replies) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
		append([]any{id, k.variant, k.step}, args...)...); err != nil {
		return fmt.Errorf("store: campaign %d counters: %w", id, mapErr(err))
	}
	return nil
}

// addSeries adds to campaign id's per-minute series at minute (unix
// minutes).
func (s *Store) addSeries(ctx context.Context, tx txExec, id, minute, sent, delivered, failed int64) error {
	var q string
	if s.d == dialectMySQL {
		q = "INSERT INTO campaign_series (campaign_id, minute, sent, delivered, failed) VALUES (?,?,?,?,?) " +
			"ON DUPLICATE KEY UPDATE sent = sent + VALUES(sent), delivered = delivered + VALUES(delivered), failed = failed + VALUES(failed)"
	} else {
		q = "INSERT INTO campaign_series (campaign_id, minute, sent, delivered, failed) VALUES (?,?,?,?,?) " +
			"ON CONFLICT (campaign_id, minute) DO UPDATE SET sent = sent + excluded.sent, delivered = delivered + excluded.delivered, " +
			"failed = failed + excluded.failed"
	}
	if _, err := tx.ExecContext(ctx, q, id, minute, sent, delivered, failed); err != nil {
		return fmt.Errorf("store: campaign %d series: %w", id, mapErr(err))
	}
	return nil
}

// ResolveSending settles the recipients of campaign accountID/id left in
// sending by an instance that stopped between claiming and recording
// them: a recipient whose message the gateway stored (found by its
// client reference, ref(recipient id)) is sent; one without is pending
// again when resend is true (the gateway acknowledges only stored
// messages: durable mode) and unknown otherwise (fast mode: it may have
// gone out unrecorded). It returns how many it settled.
func (s *Store) ResolveSending(ctx context.Context, accountID, id int64, now time.Time, resend bool, ref func(int64) string) (int, error) {
	total := 0
	for range 1000 { // bounded: 10,000 per page
		var rows []struct {
			ID      int64  `db:"id"`
			Phone   string `db:"phone"`
			Step    int    `db:"step"`
			Variant int    `db:"variant"`
		}
		if err := s.w.SelectContext(ctx, &rows, "SELECT id, phone, step, variant FROM campaign_recipients WHERE campaign_id = ? "+
			"AND state = ? ORDER BY id LIMIT 10000", id, RecipientSending); err != nil {
			return total, fmt.Errorf("store: resolve campaign %d: %w", id, mapErr(err))
		}
		if len(rows) == 0 {
			return total, nil
		}
		outs := make([]RecipientOutcome, 0, len(rows))
		for _, r := range rows {
			var m struct {
				ID    dbID  `db:"id"`
				Price int64 `db:"price_micros"`
			}
			err := s.w.GetContext(ctx, &m, "SELECT id, price_micros FROM messages WHERE account_id = ? AND dst_addr = ? "+
				"AND client_ref = ? ORDER BY id DESC LIMIT 1", accountID, r.Phone, ref(r.ID))
			o := RecipientOutcome{ID: r.ID, Step: r.Step, Variant: r.Variant}
			switch {
			case err == nil:
				o.State, o.MessageID, o.Price = RecipientSent, sms.ID(m.ID), m.Price
			case mapErr(err) == ErrNotFound && resend:
				o.State, o.NotBefore = RecipientPending, now
			case mapErr(err) == ErrNotFound:
				o.State, o.Reason = RecipientUnknown, "the instance sending it stopped; whether it was sent is unknown"
			default:
				return total, fmt.Errorf("store: resolve campaign %d: %w", id, mapErr(err))
			}
			outs = append(outs, o)
		}
		if err := s.RecordOutcomes(ctx, id, now, outs); err != nil {
			return total, err
		}
		total += len(outs)
	}
	return total, nil
}

// FinishCampaign completes running campaign id when none of its
// recipients is pending or sending, and reports whether it did.
func (s *Store) FinishCampaign(ctx context.Context, id int64) (bool, error) {
	var left int
	if err := s.w.GetContext(ctx, &left, "SELECT COUNT(*) FROM (SELECT 1 FROM campaign_recipients WHERE campaign_id = ? "+
		"AND state IN (?, ?) LIMIT 1) x", id, RecipientPending, RecipientSending); err != nil {
		return false, fmt.Errorf("store: finish campaign %d: %w", id, mapErr(err))
	}
	if left > 0 {
		return false, nil
	}
	err := s.SetCampaignState(ctx, 0, id, []string{CampaignRunning}, CampaignCompleted, "")
	if err != nil {
		return false, err
	}
	if _, err := s.w.ExecContext(ctx, "UPDATE campaigns SET lease_holder = '', lease_until = 0 WHERE id = ?", id); err != nil {
		return true, fmt.Errorf("store: finish campaign %d: %w", id, mapErr(err))
	}
	return true, nil
}

// CampaignSpend returns campaign id's spend so far, in micros.
func (s *Store) CampaignSpend(ctx context.Context, id int64) (int64, error) {
	var n int64
	if err := s.w.GetContext(ctx, &n, "SELECT COALESCE(SUM(spend), 0) FROM campaign_stats WHERE campaign_id = ?", id); err != nil {
		return 0, fmt.Errorf("store: campaign %d spend: %w", id, mapErr(err))
	}
	return n, nil
}
