package store

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// Drip sequences keep their enrollments in campaign_recipients: one row
// per (campaign, phone, step), steps from 1. A step-0 row, skipped, marks
// a contact seen in a segment before it counted as an entry (see package
// campaign); it is not counted in the statistics.

// DripRow is a drip step row of a contact.
type DripRow struct {
	ID        int64
	Phone     string
	Step      int
	State     int
	Reason    string
	NotBefore time.Time
}

// maxDripPhones bounds the phones of one drip query.
const maxDripPhones = 10000

// DripRows returns the rows of campaign id (every step, marker included)
// of phones (at most 10,000).
func (s *Store) DripRows(ctx context.Context, id int64, phones []string) ([]DripRow, error) {
	if len(phones) == 0 {
		return nil, nil
	}
	if len(phones) > maxDripPhones {
		return nil, fmt.Errorf("%w: %d phones", ErrInvalid, len(phones))
	}
	args := make([]any, 0, len(phones)+1)
	args = append(args, id)
	for _, p := range phones {
		args = append(args, p)
	}
	var rows []struct {
		ID        int64  `db:"id"`
		Phone     string `db:"phone"`
		Step      int    `db:"step"`
		State     int    `db:"state"`
		Reason    string `db:"reason"`
		NotBefore int64  `db:"not_before"`
	}
	if err := s.w.SelectContext(ctx, &rows, "SELECT id, phone, step, state, reason, not_before FROM campaign_recipients "+
		"WHERE campaign_id = ? AND phone IN (?"+strings.Repeat(",?", len(phones)-1)+")", args...); err != nil {
		return nil, fmt.Errorf("store: campaign %d drip rows: %w", id, mapErr(err))
	}
	out := make([]DripRow, len(rows))
	for i, r := range rows {
		out[i] = DripRow{ID: r.ID, Phone: r.Phone, Step: r.Step, State: r.State, Reason: r.Reason}
		if r.NotBefore > 0 {
			out[i].NotBefore = time.UnixMicro(r.NotBefore).UTC()
		}
	}
	return out, nil
}

// DripEnrollment is a drip step row to add: pending, due at NotBefore,
// with Reason; Step 0 is a marker row (skipped, for Reason).
type DripEnrollment struct {
	Phone     string
	ContactID int64
	Step      int
	NotBefore time.Time
	Reason    string
}

// EnrollDripRows adds rows to campaign id, those whose (phone, step) is
// taken left out, and the new steps to their targeted counters, in one
// transaction. It returns how many step rows (markers not counted) it
// added.
func (s *Store) EnrollDripRows(ctx context.Context, id int64, rows []DripEnrollment) (int64, error) {
	if len(rows) == 0 {
		return 0, nil
	}
	bySteps := map[int][]*DripEnrollment{}
	for i := range rows {
		bySteps[rows[i].Step] = append(bySteps[rows[i].Step], &rows[i])
	}
	ins, tail := "INSERT INTO campaign_recipients ("+recipientInsertCols+") VALUES ", " ON CONFLICT DO NOTHING"
	if s.d == dialectMySQL {
		ins, tail = "INSERT IGNORE INTO campaign_recipients ("+recipientInsertCols+") VALUES ", ""
	}
	tx, err := s.w.BeginTxx(ctx, nil)
	if err != nil {
		return 0, fmt.Errorf("store: enroll campaign %d: %w", id, mapErr(err))
	}
	defer tx.Rollback()
	var total int64
	for step, part := range bySteps {
		var added int64
		for i := 0; i < len(part); i += 500 {
			chunk := part[i:min(i+500, len(part))]
			var b strings.Builder
			args := make([]any, 0, 7*len(chunk))
			for j, r := range chunk {
				if j > 0 {
					b.WriteByte(',')
				}
				state := RecipientPending
				if step == 0 {
					state = RecipientSkipped
				}
				b.WriteString("(?, ?, ?, ?, 0, ?, 0, 0, 0, ?, 0, ?)")
				args = append(args, id, r.Phone, r.ContactID, step, state, clipRecipientReason(r.Reason), r.NotBefore.UnixMicro())
			}
			res, err := tx.ExecContext(ctx, ins+b.String()+tail, args...)
			if err != nil {
				return 0, fmt.Errorf("store: enroll campaign %d step %d: %w", id, step, mapErr(err))
			}
			n, _ := res.RowsAffected()
			added += n
		}
		if step == 0 || added == 0 {
			continue
		}
		total += added
		if err := s.addStats(ctx, tx, id, statKey{0, step}, &statDelta{targeted: added}); err != nil {
			return 0, err
		}
	}
	if err := tx.Commit(); err != nil {
		return 0, fmt.Errorf("store: enroll campaign %d: %w", id, mapErr(err))
	}
	return total, nil
}

// DripMove reschedules a pending drip row: due at NotBefore, with Reason.
type DripMove struct {
	ID        int64
	NotBefore time.Time
	Reason    string
}

// RescheduleDrip moves pending rows of campaign id to their new times
// (rows no longer pending are left as they are).
func (s *Store) RescheduleDrip(ctx context.Context, id int64, moves []DripMove) error {
	for _, m := range moves {
		if _, err := s.w.ExecContext(ctx, "UPDATE campaign_recipients SET not_before = ?, reason = ?, updated_at = ? "+
			"WHERE id = ? AND campaign_id = ? AND state = ?", m.NotBefore.UnixMicro(), clipRecipientReason(m.Reason),
			s.timeArg(s.now()), m.ID, id, RecipientPending); err != nil {
			return fmt.Errorf("store: reschedule campaign %d: %w", id, mapErr(err))
		}
	}
	return nil
}

// SkipDripRows skips the rows of campaign id that are still pending, each
// for its Reason, and counts them skipped in their steps' counters, in
// one transaction.
func (s *Store) SkipDripRows(ctx context.Context, id int64, rows []DripRow) error {
	if len(rows) == 0 {
		return nil
	}
	type key struct {
		step   int
		reason string
	}
	groups := map[key][]int64{}
	for _, r := range rows {
		k := key{r.Step, clipRecipientReason(r.Reason)}
		groups[k] = append(groups[k], r.ID)
	}
	tx, err := s.w.BeginTxx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: skip campaign %d steps: %w", id, mapErr(err))
	}
	defer tx.Rollback()
	now := s.timeArg(s.now())
	for k, ids := range groups {
		for i := 0; i < len(ids); i += 1000 {
			part := ids[i:min(i+1000, len(ids))]
			res, err := tx.ExecContext(ctx, "UPDATE campaign_recipients SET state = ?, reason = ?, updated_at = ? "+
				"WHERE campaign_id = ? AND state = ? AND id IN ("+intList(part)+")", RecipientSkipped, k.reason, now, id,
				RecipientPending)
			if err != nil {
				return fmt.Errorf("store: skip campaign %d steps: %w", id, mapErr(err))
			}
			if n, _ := res.RowsAffected(); n > 0 && k.step > 0 {
				if err := s.addStats(ctx, tx, id, statKey{0, k.step}, &statDelta{skipped: n}); err != nil {
					return err
				}
			}
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("store: skip campaign %d steps: %w", id, mapErr(err))
	}
	return nil
}

// DripExit is a contact that left a drip sequence at step Step, for
// Reason.
type DripExit struct {
	Phone  string
	Step   int
	Reason string
}

// EndDripSequences skips the pending steps after exit.Step of each
// contact that left campaign id's sequence, for its reason.
func (s *Store) EndDripSequences(ctx context.Context, id int64, exits []DripExit) error {
	if len(exits) == 0 {
		return nil
	}
	if len(exits) > maxDripPhones {
		return fmt.Errorf("%w: %d exits", ErrInvalid, len(exits))
	}
	at := make(map[string]DripExit, len(exits))
	phones := make([]string, 0, len(exits))
	for _, x := range exits {
		if old, ok := at[x.Phone]; !ok || x.Step < old.Step {
			if !ok {
				phones = append(phones, x.Phone)
			}
			at[x.Phone] = x
		}
	}
	rows, err := s.DripRows(ctx, id, phones)
	if err != nil {
		return err
	}
	var skip []DripRow
	for _, r := range rows {
		if x := at[r.Phone]; r.State == RecipientPending && r.Step > x.Step {
			r.Reason = x.Reason
			skip = append(skip, r)
		}
	}
	return s.SkipDripRows(ctx, id, skip)
}

// DripExitFlags returns the reply and opt-out flags (RecipientReplied,
// RecipientOptedOut) that phones (at most 10,000) have on any step of
// campaign id, set by the replies and opt-outs tails; a phone without
// any is absent.
func (s *Store) DripExitFlags(ctx context.Context, id int64, phones []string) (map[string]int, error) {
	out := map[string]int{}
	if len(phones) == 0 {
		return out, nil
	}
	if len(phones) > maxDripPhones {
		return nil, fmt.Errorf("%w: %d phones", ErrInvalid, len(phones))
	}
	args := make([]any, 0, len(phones)+1)
	args = append(args, id)
	for _, p := range phones {
		args = append(args, p)
	}
	var rows []struct {
		Phone string `db:"phone"`
		Flags int    `db:"flags"`
	}
	if err := s.w.SelectContext(ctx, &rows, "SELECT phone, flags FROM campaign_recipients WHERE campaign_id = ? AND flags <> 0 "+
		"AND phone IN (?"+strings.Repeat(",?", len(phones)-1)+")", args...); err != nil {
		return nil, fmt.Errorf("store: campaign %d exits: %w", id, mapErr(err))
	}
	for _, r := range rows {
		out[r.Phone] |= r.Flags
	}
	return out, nil
}

// ContactIDsMatching returns which of ids (at most 10,000 contacts of
// account accountID) match cond (a condition over contacts aliased c,
// such as [Store.SegmentCondition] gives).
func (s *Store) ContactIDsMatching(ctx context.Context, accountID int64, cond string, args []any, ids []int64) (map[int64]bool, error) {
	out := map[int64]bool{}
	if len(ids) == 0 {
		return out, nil
	}
	if len(ids) > maxDripPhones {
		return nil, fmt.Errorf("%w: %d contacts", ErrInvalid, len(ids))
	}
	q, all := segWhereContacts("SELECT c.id FROM contacts c", accountID, cond, args)
	q += " AND c.id IN (" + intList(ids) + ")"
	var got []int64
	if err := s.r.SelectContext(ctx, &got, q, all...); err != nil {
		return nil, fmt.Errorf("store: contacts matching: %w", mapErr(err))
	}
	for _, id := range got {
		out[id] = true
	}
	return out, nil
}

// MaxContactID is the highest contact id of any account (0: none): where
// a cycle over contacts by id ranges ends.
func (s *Store) MaxContactID(ctx context.Context) (int64, error) {
	var n int64
	if err := s.r.GetContext(ctx, &n, "SELECT COALESCE(MAX(id), 0) FROM contacts"); err != nil {
		return 0, fmt.Errorf("store: max contact id: %w", mapErr(err))
	}
	return n, nil
}

// DripCandidates returns up to limit (1 to 10,000) of account accountID's
// contacts matching cond (over contacts c, as [Store.SegmentCondition]
// gives) with ids above after and at most upTo, in id order, that
// campaign id has no row for yet, or, when changed is set, that changed
// since changedSince (a zero changedSince: every match). The test of
// enrollment is an index lookup per contact in the store: pages carry
// only candidates, and the id range bounds what one call reads.
func (s *Store) DripCandidates(ctx context.Context, accountID, id int64, cond string, args []any, changed bool,
	changedSince time.Time, after, upTo int64, limit int) ([]Contact, error) {
	if cond == "" {
		cond = "1=1"
	}
	all := make([]any, 0, len(args)+3)
	all = append(all, args...)
	q := "(" + cond + ") AND c.id <= ?"
	all = append(all, upTo)
	if changed && changedSince.IsZero() {
		return s.ContactsMatching(ctx, accountID, q, all, after, limit)
	}
	q += " AND (NOT EXISTS (SELECT 1 FROM campaign_recipients r WHERE r.campaign_id = ? AND r.phone = c.phone)"
	all = append(all, id)
	if changed {
		q += " OR c.updated_at >= ?"
		all = append(all, s.timeArg(changedSince))
	}
	return s.ContactsMatching(ctx, accountID, q+")", all, after, limit)
}
