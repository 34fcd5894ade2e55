package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Campaign is an account's campaign: its audience, message, schedule,
// pacing and state (package campaign drives it). The store keeps what it
// is given; package campaign and the app check it.
type Campaign struct {
	ID        int64
	AccountID int64
	Name      string
	// Kind is "marketing" (quiet hours apply) or "transactional".
	Kind  string
	State string
	// Sender is the source address of every message.
	Sender string
	// Body is the message text (a template body); TemplateID, when not
	// zero, names a stored template used instead.
	Body       string
	TemplateID int64
	// The audience: the union of the lists' members, the segments'
	// contacts and the explicit numbers (E.164 digits).
	ListIDs    []int64
	SegmentIDs []int64
	Numbers    []string
	// SendAt is when a launched campaign starts (zero: at once).
	SendAt time.Time
	// MaxRate is the messages per second (0: the platform's cap);
	// SpreadHours, when set, paces the audience over that many hours.
	MaxRate     float64
	SpreadHours float64
	// Validity is each message's validity (0: the gateway's default).
	Validity time.Duration
	// BudgetCap is the most the campaign may spend, in micros (0: none).
	BudgetCap int64
	// Options is a JSON object reserved for A/B variants and drip steps.
	Options string
	// Reason says why the campaign is in its state (paused by the budget
	// cap, say).
	Reason string
	// Targeted is how many recipients the launch materialized, less the
	// Excluded (opted out or in a do-not-disturb registry at launch).
	Targeted   int64
	Excluded   int64
	CreatedAt  time.Time
	UpdatedAt  time.Time
	LaunchedAt time.Time
	FinishedAt time.Time
}

// Campaign states.
const (
	CampaignDraft     = "draft"
	CampaignLaunching = "launching"
	CampaignScheduled = "scheduled"
	CampaignRunning   = "running"
	CampaignPaused    = "paused"
	CampaignCompleted = "completed"
	CampaignCancelled = "cancelled"
)

// Recipient states (campaign_recipients.state).
const (
	RecipientPending = 0 // waiting to be sent (not before NotBefore)
	RecipientSending = 1 // claimed by the engine, submission in progress
	RecipientSent    = 2 // accepted by the gateway: MessageID set
	RecipientSkipped = 3 // not sent: Reason says why
	RecipientUnknown = 4 // claimed by an instance that died; whether it was sent is unknown
)

// Recipient flags (campaign_recipients.flags).
const (
	RecipientReplied  = 1
	RecipientOptedOut = 2
)

const campaignColumns = "id, account_id, name, kind, state, sender, body, template_id, list_ids, segment_ids, numbers, " +
	"send_at, max_rate, spread_hours, validity_s, budget_cap, options, reason, targeted, excluded, created_at, updated_at, " +
	"launched_at, finished_at"

type campaignRow struct {
	ID          int64   `db:"id"`
	AccountID   int64   `db:"account_id"`
	Name        string  `db:"name"`
	Kind        string  `db:"kind"`
	State       string  `db:"state"`
	Sender      string  `db:"sender"`
	Body        string  `db:"body"`
	TemplateID  int64   `db:"template_id"`
	ListIDs     string  `db:"list_ids"`
	SegmentIDs  string  `db:"segment_ids"`
	Numbers     string  `db:"numbers"`
	SendAt      dbTime  `db:"send_at"`
	MaxRate     float64 `db:"max_rate"`
	SpreadHours float64 `db:"spread_hours"`
	ValidityS   int64   `db:"validity_s"`
	BudgetCap   int64   `db:"budget_cap"`
	Options     string  `db:"options"`
	Reason      string  `db:"reason"`
	Targeted    int64   `db:"targeted"`
	Excluded    int64   `db:"excluded"`
	CreatedAt   dbTime  `db:"created_at"`
	UpdatedAt   dbTime  `db:"updated_at"`
	LaunchedAt  dbTime  `db:"launched_at"`
	FinishedAt  dbTime  `db:"finished_at"`
}

func (r *campaignRow) campaign() Campaign {
	c := Campaign{ID: r.ID, AccountID: r.AccountID, Name: r.Name, Kind: r.Kind, State: r.State, Sender: r.Sender,
		Body: r.Body, TemplateID: r.TemplateID, ListIDs: splitInts(r.ListIDs), SegmentIDs: splitInts(r.SegmentIDs),
		SendAt: r.SendAt.Time, MaxRate: r.MaxRate, SpreadHours: r.SpreadHours,
		Validity: time.Duration(r.ValidityS) * time.Second, BudgetCap: r.BudgetCap, Options: r.Options, Reason: r.Reason,
		Targeted: r.Targeted, Excluded: r.Excluded, CreatedAt: r.CreatedAt.Time, UpdatedAt: r.UpdatedAt.Time,
		LaunchedAt: r.LaunchedAt.Time, FinishedAt: r.FinishedAt.Time}
	if r.Numbers != "" {
		c.Numbers = strings.Split(r.Numbers, ",")
	}
	return c
}

func joinInts(ids []int64) string {
	b := make([]byte, 0, len(ids)*8)
	for i, id := range ids {
		if i > 0 {
			b = append(b, ',')
		}
		b = strconv.AppendInt(b, id, 10)
	}
	return string(b)
}

func splitInts(s string) []int64 {
	if s == "" {
		return nil
	}
	parts := strings.Split(s, ",")
	out := make([]int64, 0, len(parts))
	for _, p := range parts {
		if n, err := strconv.ParseInt(p, 10, 64); err == nil {
			out = append(out, n)
		}
	}
	return out
}

// intList renders ids as a literal IN list ("1,2,3"); ids are integers,
// so nothing needs quoting.
func intList(ids []int64) string { return joinInts(ids) }

// Column bounds of the campaigns table.
const (
	maxCampaignName    = 200
	maxCampaignSender  = 32
	maxCampaignReason  = 500
	maxCampaignBody    = 10000
	maxCampaignNumbers = 100_000
)

func checkCampaign(c *Campaign) error {
	switch {
	case c.AccountID <= 0:
		return fmt.Errorf("%w: a campaign needs an account", ErrInvalid)
	case len(c.Name) > maxCampaignName || len(c.Sender) > maxCampaignSender || len(c.Body) > maxCampaignBody:
		return fmt.Errorf("%w: campaign name, sender or body too long", ErrInvalid)
	case len(c.Numbers) > maxCampaignNumbers:
		return fmt.Errorf("%w: campaign has more than %d numbers", ErrInvalid, maxCampaignNumbers)
	}
	for _, n := range c.Numbers {
		if n == "" || len(n) > maxContactPhone || strings.IndexByte(n, ',') >= 0 {
			return fmt.Errorf("%w: campaign number %q", ErrInvalid, n)
		}
	}
	return nil
}

func clipReason(s string) string {
	if len(s) > maxCampaignReason {
		return s[:maxCampaignReason]
	}
	return s
}

// CreateCampaign stores the new campaign c (in state draft unless set),
// setting its ID and times.
func (s *Store) CreateCampaign(ctx context.Context, c *Campaign) error {
	if err := checkCampaign(c); err != nil {
		return err
	}
	if c.State == "" {
		c.State = CampaignDraft
	}
	if c.Options == "" {
		c.Options = "{}"
	}
	now := s.now().UTC().Truncate(time.Microsecond)
	c.CreatedAt, c.UpdatedAt = now, now
	res, err := s.w.ExecContext(ctx, "INSERT INTO campaigns (account_id, name, kind, state, sender, body, template_id, "+
		"list_ids, segment_ids, numbers, send_at, max_rate, spread_hours, validity_s, budget_cap, options, reason, targeted, "+
		"excluded, created_at, updated_at, lease_holder, lease_until) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,0,0,?,?,'',0)",
		c.AccountID, c.Name, c.Kind, c.State, c.Sender, c.Body, c.TemplateID, joinInts(c.ListIDs), joinInts(c.SegmentIDs),
		strings.Join(c.Numbers, ","), s.timeArg(c.SendAt), c.MaxRate, c.SpreadHours, int64(c.Validity/time.Second),
		c.BudgetCap, c.Options, clipReason(c.Reason), s.timeArg(now), s.timeArg(now))
	if err != nil {
		return fmt.Errorf("store: create campaign: %w", mapErr(err))
	}
	if c.ID, err = res.LastInsertId(); err != nil {
		return fmt.Errorf("store: create campaign: %w", mapErr(err))
	}
	return nil
}

// CampaignByID returns account accountID's campaign id, or
// [ErrNotFound]. An accountID of 0 reads any account's (for the engine).
func (s *Store) CampaignByID(ctx context.Context, accountID, id int64) (Campaign, error) {
	var r campaignRow
	q := "SELECT " + campaignColumns + " FROM campaigns WHERE id = ? AND (account_id = ? OR ? = 0)"
	if err := s.w.GetContext(ctx, &r, q, id, accountID, accountID); err != nil {
		return Campaign{}, fmt.Errorf("store: campaign %d: %w", id, mapErr(err))
	}
	return r.campaign(), nil
}

// Campaigns returns up to limit (1 to 1000) of account accountID's
// campaigns with ids below before (0: from the newest), newest first.
func (s *Store) Campaigns(ctx context.Context, accountID, before int64, limit int) ([]Campaign, error) {
	if limit < 1 || limit > 1000 {
		return nil, fmt.Errorf("%w: campaigns limit %d", ErrInvalid, limit)
	}
	if before <= 0 {
		before = 1<<63 - 1
	}
	var rows []campaignRow
	if err := s.r.SelectContext(ctx, &rows, "SELECT "+campaignColumns+" FROM campaigns WHERE account_id = ? AND id < ? "+
		"ORDER BY id DESC LIMIT ?", accountID, before, limit); err != nil {
		return nil, fmt.Errorf("store: campaigns of account %d: %w", accountID, mapErr(err))
	}
	out := make([]Campaign, len(rows))
	for i := range rows {
		out[i] = rows[i].campaign()
	}
	return out, nil
}

// ErrCampaignState is a change the campaign's state does not allow (an
// edit after launch, a pause of a draft).
var ErrCampaignState = errors.New("store: not allowed in the campaign's state")

// UpdateCampaign replaces the definition of draft campaign c.ID of
// c.AccountID. A campaign that does not exist is [ErrNotFound], one no
// longer in draft [ErrCampaignState].
func (s *Store) UpdateCampaign(ctx context.Context, c *Campaign) error {
	if err := checkCampaign(c); err != nil {
		return err
	}
	now := s.now().UTC().Truncate(time.Microsecond)
	res, err := s.w.ExecContext(ctx, "UPDATE campaigns SET name = ?, kind = ?, sender = ?, body = ?, template_id = ?, "+
		"list_ids = ?, segment_ids = ?, numbers = ?, send_at = ?, max_rate = ?, spread_hours = ?, validity_s = ?, "+
		"budget_cap = ?, options = ?, updated_at = ? WHERE id = ? AND account_id = ? AND state = ?",
		c.Name, c.Kind, c.Sender, c.Body, c.TemplateID, joinInts(c.ListIDs), joinInts(c.SegmentIDs),
		strings.Join(c.Numbers, ","), s.timeArg(c.SendAt), c.MaxRate, c.SpreadHours, int64(c.Validity/time.Second),
		c.BudgetCap, c.Options, s.timeArg(now), c.ID, c.AccountID, CampaignDraft)
	if err != nil {
		return fmt.Errorf("store: update campaign %d: %w", c.ID, mapErr(err))
	}
	if err := s.stateMiss(ctx, res, c.AccountID, c.ID); err != nil {
		return err
	}
	got, err := s.CampaignByID(ctx, c.AccountID, c.ID)
	if err != nil {
		return err
	}
	*c = got
	return nil
}

// stateMiss turns a conditional change that touched no row into
// ErrNotFound or ErrCampaignState.
func (s *Store) stateMiss(ctx context.Context, res sql.Result, accountID, id int64) error {
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("store: campaign %d: %w", id, mapErr(err))
	}
	if n > 0 {
		return nil
	}
	if _, err := s.CampaignByID(ctx, accountID, id); err != nil {
		return err
	}
	return fmt.Errorf("store: campaign %d: %w", id, ErrCampaignState)
}

// DeleteCampaign deletes account accountID's draft campaign id.
func (s *Store) DeleteCampaign(ctx context.Context, accountID, id int64) error {
	res, err := s.w.ExecContext(ctx, "DELETE FROM campaigns WHERE id = ? AND account_id = ? AND state = ?", id, accountID,
		CampaignDraft)
	if err != nil {
		return fmt.Errorf("store: delete campaign %d: %w", id, mapErr(err))
	}
	return s.stateMiss(ctx, res, accountID, id)
}

// SetCampaignState moves account accountID's campaign id from one of the
// states from to state to, with reason. A campaign in another state is
// [ErrCampaignState]. Moving to completed or cancelled sets its
// finished time; every move drops the engine's lease unless to is
// running.
func (s *Store) SetCampaignState(ctx context.Context, accountID, id int64, from []string, to, reason string) error {
	if len(from) == 0 {
		return fmt.Errorf("%w: no from states", ErrInvalid)
	}
	now := s.now().UTC().Truncate(time.Microsecond)
	q := "UPDATE campaigns SET state = ?, reason = ?, updated_at = ?"
	args := []any{to, clipReason(reason), s.timeArg(now)}
	if to == CampaignCompleted || to == CampaignCancelled {
		q += ", finished_at = ?"
		args = append(args, s.timeArg(now))
	}
	q += " WHERE id = ? AND (account_id = ? OR ? = 0) AND state IN (?" + strings.Repeat(",?", len(from)-1) + ")"
	args = append(args, id, accountID, accountID)
	for _, f := range from {
		args = append(args, f)
	}
	res, err := s.w.ExecContext(ctx, q, args...)
	if err != nil {
		return fmt.Errorf("store: campaign %d to %s: %w", id, to, mapErr(err))
	}
	return s.stateMiss(ctx, res, accountID, id)
}

// audienceCondition is the condition over contacts c selecting c's
// audience from lists and segments (c.account_id is checked by the
// caller's query), or "" when it names neither.
func (s *Store) audienceCondition(ctx context.Context, c *Campaign) (string, []any, error) {
	var conds []string
	var args []any
	if len(c.ListIDs) > 0 {
		conds = append(conds, "c.id IN (SELECT m.contact_id FROM contact_list_members m JOIN contact_lists l ON l.id = m.list_id "+
			"WHERE l.account_id = ? AND m.list_id IN ("+intList(c.ListIDs)+"))")
		args = append(args, c.AccountID)
	}
	for _, seg := range c.SegmentIDs {
		cond, a, err := s.SegmentCondition(ctx, c.AccountID, seg)
		if err != nil {
			return "", nil, err
		}
		conds = append(conds, "("+cond+")")
		args = append(args, a...)
	}
	if len(conds) == 0 {
		return "", nil, nil
	}
	return strings.Join(conds, " OR "), args, nil
}

// AudienceContact is one member of a campaign's audience.
type AudienceContact struct {
	Phone     string
	ContactID int64 // 0 for an explicit number that is no contact
}

// StreamAudience calls fn for each member of c's audience (lists,
// segments, explicit numbers; deduplicated by phone), reading contacts
// as a stream: memory holds the explicit numbers only. An error from fn
// stops the stream and is returned.
func (s *Store) StreamAudience(ctx context.Context, c *Campaign, fn func(AudienceContact) error) error {
	explicit := make(map[string]bool, len(c.Numbers))
	for _, n := range c.Numbers {
		explicit[n] = true
	}
	cond, args, err := s.audienceCondition(ctx, c)
	if err != nil {
		return fmt.Errorf("store: campaign %d audience: %w", c.ID, err)
	}
	if cond != "" {
		rows, err := s.r.QueryContext(ctx, "SELECT c.id, c.phone FROM contacts c WHERE c.account_id = ? AND ("+cond+")",
			append([]any{c.AccountID}, args...)...)
		if err != nil {
			return fmt.Errorf("store: campaign %d audience: %w", c.ID, mapErr(err))
		}
		defer rows.Close()
		for rows.Next() {
			var a AudienceContact
			if err := rows.Scan(&a.ContactID, &a.Phone); err != nil {
				return fmt.Errorf("store: campaign %d audience: %w", c.ID, mapErr(err))
			}
			delete(explicit, a.Phone)
			if err := fn(a); err != nil {
				return err
			}
		}
		if err := rows.Err(); err != nil {
			return fmt.Errorf("store: campaign %d audience: %w", c.ID, mapErr(err))
		}
	}
	for _, n := range c.Numbers {
		if !explicit[n] {
			continue
		}
		delete(explicit, n)
		if err := fn(AudienceContact{Phone: n}); err != nil {
			return err
		}
	}
	return nil
}

// insertIgnore is an INSERT that skips rows whose unique key is taken.
func (s *Store) insertIgnore(table, cols, rest string) string {
	if s.d == dialectMySQL {
		return "INSERT INTO " + table + " (" + cols + ") " + rest + " ON DUPLICATE KEY UPDATE step = step"
	}
	return "INSERT INTO " + table + " (" + cols + ") " + rest + " ON CONFLICT DO NOTHING"
}

const recipientInsertCols = "campaign_id, phone, contact_id, step, variant, state, status, message_id, price, reason, flags, not_before"

// MaterializeCampaign writes campaign c's audience into
// campaign_recipients in one transaction (INSERT ... SELECT from the
// contacts, then the explicit numbers; a phone once per campaign),
// without reading it into memory, and returns how many rows it holds.
func (s *Store) MaterializeCampaign(ctx context.Context, c *Campaign) (int64, error) {
	cond, args, err := s.audienceCondition(ctx, c)
	if err != nil {
		return 0, fmt.Errorf("store: materialize campaign %d: %w", c.ID, err)
	}
	tx, err := s.w.BeginTxx(ctx, nil)
	if err != nil {
		return 0, fmt.Errorf("store: materialize campaign %d: %w", c.ID, mapErr(err))
	}
	defer tx.Rollback()
	if cond != "" {
		q := s.insertIgnore("campaign_recipients", recipientInsertCols,
			"SELECT ?, c.phone, c.id, 0, 0, 0, 0, 0, 0, '', 0, 0 FROM contacts c WHERE c.account_id = ? AND ("+cond+")")
		if _, err := tx.ExecContext(ctx, q, append([]any{c.ID, c.AccountID}, args...)...); err != nil {
			return 0, fmt.Errorf("store: materialize campaign %d: %w", c.ID, mapErr(err))
		}
	}
	const chunk = 500
	for i := 0; i < len(c.Numbers); i += chunk {
		part := c.Numbers[i:min(i+chunk, len(c.Numbers))]
		var b strings.Builder
		b.WriteString("VALUES ")
		vals := make([]any, 0, 2*len(part))
		for j, n := range part {
			if j > 0 {
				b.WriteByte(',')
			}
			b.WriteString("(?, ?, 0, 0, 0, 0, 0, 0, 0, '', 0, 0)")
			vals = append(vals, c.ID, n)
		}
		if _, err := tx.ExecContext(ctx, s.insertIgnore("campaign_recipients", recipientInsertCols, b.String()), vals...); err != nil {
			return 0, fmt.Errorf("store: materialize campaign %d numbers: %w", c.ID, mapErr(err))
		}
	}
	if len(c.Numbers) > 0 {
		if _, err := tx.ExecContext(ctx, "UPDATE campaign_recipients SET contact_id = COALESCE((SELECT c.id FROM contacts c "+
			"WHERE c.account_id = ? AND c.phone = campaign_recipients.phone), 0) WHERE campaign_id = ? AND contact_id = 0",
			c.AccountID, c.ID); err != nil {
			return 0, fmt.Errorf("store: materialize campaign %d contacts: %w", c.ID, mapErr(err))
		}
	}
	var n int64
	if err := tx.GetContext(ctx, &n, "SELECT COUNT(*) FROM campaign_recipients WHERE campaign_id = ?", c.ID); err != nil {
		return 0, fmt.Errorf("store: materialize campaign %d: %w", c.ID, mapErr(err))
	}
	if err := tx.Commit(); err != nil {
		return 0, fmt.Errorf("store: materialize campaign %d: %w", c.ID, mapErr(err))
	}
	return n, nil
}

// DropCampaignRecipients deletes campaign id's recipients and counters
// (a launch that was refused after materializing).
func (s *Store) DropCampaignRecipients(ctx context.Context, id int64) error {
	for _, q := range []string{"DELETE FROM campaign_recipients WHERE campaign_id = ?",
		"DELETE FROM campaign_stats WHERE campaign_id = ?", "DELETE FROM campaign_series WHERE campaign_id = ?"} {
		if _, err := s.w.ExecContext(ctx, q, id); err != nil {
			return fmt.Errorf("store: drop campaign %d recipients: %w", id, mapErr(err))
		}
	}
	return nil
}

// RecipientPhone is a recipient's id and phone.
type RecipientPhone struct {
	ID    int64  `db:"id"`
	Phone string `db:"phone"`
}

// RecipientPhones returns up to limit (1 to 10,000) recipients of
// campaign id in state state with ids above after, in id order, among
// those never deferred (not_before 0, as materialized: the launch's
// estimate). That is a range of the campaign_recipients_due index, read
// in order: a page costs its rows, not the campaign's (without
// not_before SQLite sorted the whole campaign for each page).
func (s *Store) RecipientPhones(ctx context.Context, id int64, state int, after int64, limit int) ([]RecipientPhone, error) {
	if limit < 1 || limit > 10000 {
		return nil, fmt.Errorf("%w: recipients limit %d", ErrInvalid, limit)
	}
	var out []RecipientPhone
	if err := s.w.SelectContext(ctx, &out, "SELECT id, phone FROM campaign_recipients WHERE campaign_id = ? AND state = ? "+
		"AND not_before = 0 AND id > ? ORDER BY id LIMIT ?", id, state, after, limit); err != nil {
		return nil, fmt.Errorf("store: campaign %d recipients: %w", id, mapErr(err))
	}
	return out, nil
}

// ExcludeRecipients marks pending recipients ids of campaign id skipped
// for reason before the campaign starts (they are not targeted).
func (s *Store) ExcludeRecipients(ctx context.Context, id int64, ids []int64, reason string) error {
	if len(ids) == 0 {
		return nil
	}
	if _, err := s.w.ExecContext(ctx, "UPDATE campaign_recipients SET state = ?, reason = ?, flags = ? WHERE +campaign_id = ? "+
		"AND +state = ? AND id IN ("+intList(ids)+")", RecipientSkipped, reason, RecipientOptedOut, id, RecipientPending); err != nil {
		return fmt.Errorf("store: exclude campaign %d recipients: %w", id, mapErr(err))
	}
	return nil
}

// StartCampaign records the launch of account accountID's campaign id,
// which holds targeted recipients (excluded more were left out): from
// launching to scheduled (sendAt in the future) or running, with its
// counters rows: one per variant of perVariant (targeted recipients by
// variant, after [Store.AssignVariants]), or one for all when nil.
func (s *Store) StartCampaign(ctx context.Context, accountID, id, targeted, excluded int64, scheduled bool, perVariant []int64) error {
	now := s.now().UTC().Truncate(time.Microsecond)
	to := CampaignRunning
	if scheduled {
		to = CampaignScheduled
	}
	tx, err := s.w.BeginTxx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: start campaign %d: %w", id, mapErr(err))
	}
	defer tx.Rollback()
	res, err := tx.ExecContext(ctx, "UPDATE campaigns SET state = ?, targeted = ?, excluded = ?, launched_at = ?, updated_at = ?, "+
		"reason = '' WHERE id = ? AND account_id = ? AND state = ?", to, targeted, excluded, s.timeArg(now), s.timeArg(now),
		id, accountID, CampaignLaunching)
	if err != nil {
		return fmt.Errorf("store: start campaign %d: %w", id, mapErr(err))
	}
	if n, err := res.RowsAffected(); err != nil || n != 1 {
		return fmt.Errorf("store: start campaign %d: %w", id, ErrCampaignState)
	}
	if perVariant == nil {
		perVariant = []int64{targeted}
	}
	for v, n := range perVariant {
		if _, err := tx.ExecContext(ctx, "INSERT INTO campaign_stats (campaign_id, variant, step, targeted) VALUES (?, ?, 0, ?)",
			id, v, n); err != nil {
			return fmt.Errorf("store: start campaign %d: %w", id, mapErr(err))
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("store: start campaign %d: %w", id, mapErr(err))
	}
	return nil
}

// ContactListExists reports whether account accountID has contact list
// id.
func (s *Store) ContactListExists(ctx context.Context, accountID, id int64) (bool, error) {
	var n int
	if err := s.r.GetContext(ctx, &n, "SELECT COUNT(*) FROM contact_lists WHERE id = ? AND account_id = ?", id, accountID); err != nil {
		return false, fmt.Errorf("store: contact list %d: %w", id, mapErr(err))
	}
	return n > 0, nil
}

// HeldBack is the not_before of recipients held back for the winner of
// an A/B test: never due until [Store.ChooseVariant] releases them.
const HeldBack = int64(1) << 62

// abBucket spreads recipients over 10,000 buckets by id (ids are
// consecutive, so the buckets are even).
const abBucket = "((id * 7919) % 10000)"

// AssignVariants splits campaign id's pending recipients for an A/B
// test: testPercent of them, by the buckets of their ids, go to
// variants 1 to len(splits) in proportion to splits (percentages adding
// up to 100); the rest stay variant 0, held back (not before
// [HeldBack]). It returns how many recipients each variant got (index 0:
// held back).
func (s *Store) AssignVariants(ctx context.Context, id int64, testPercent int, splits []int) ([]int64, error) {
	if testPercent < 1 || testPercent > 100 || len(splits) < 2 || len(splits) > 5 {
		return nil, fmt.Errorf("%w: A/B split", ErrInvalid)
	}
	var b strings.Builder
	b.WriteString("CASE")
	test, cum := testPercent*100, 0
	for v, sp := range splits {
		cum += sp
		fmt.Fprintf(&b, " WHEN %s < %d THEN %d", abBucket, test*cum/100, v+1)
	}
	b.WriteString(" ELSE 0 END")
	q := fmt.Sprintf("UPDATE campaign_recipients SET variant = %s, not_before = CASE WHEN %s < %d THEN not_before ELSE %d END "+
		"WHERE campaign_id = ? AND state = ?", b.String(), abBucket, test, HeldBack)
	if _, err := s.w.ExecContext(ctx, q, id, RecipientPending); err != nil {
		return nil, fmt.Errorf("store: campaign %d variants: %w", id, mapErr(err))
	}
	var rows []struct {
		Variant int   `db:"variant"`
		N       int64 `db:"n"`
	}
	if err := s.w.SelectContext(ctx, &rows, "SELECT variant, COUNT(*) AS n FROM campaign_recipients WHERE campaign_id = ? "+
		"AND state = ? GROUP BY variant", id, RecipientPending); err != nil {
		return nil, fmt.Errorf("store: campaign %d variants: %w", id, mapErr(err))
	}
	out := make([]int64, len(splits)+1)
	for _, r := range rows {
		if r.Variant >= 0 && r.Variant < len(out) {
			out[r.Variant] = r.N
		}
	}
	return out, nil
}

// TestGroupLeft reports whether campaign id still has A/B test
// recipients (variant above 0) pending or sending.
func (s *Store) TestGroupLeft(ctx context.Context, id int64) (bool, error) {
	var n int
	if err := s.w.GetContext(ctx, &n, "SELECT COUNT(*) FROM (SELECT 1 FROM campaign_recipients WHERE campaign_id = ? "+
		"AND state IN (?, ?) AND variant > 0 LIMIT 1) x", id, RecipientPending, RecipientSending); err != nil {
		return false, fmt.Errorf("store: campaign %d test group: %w", id, mapErr(err))
	}
	return n > 0, nil
}

// SetCampaignOptions replaces campaign id's options (JSON) with next if
// they are still old (a compare-and-set: the engine and a person
// deciding an A/B test may change them at once), and reports whether it
// did.
func (s *Store) SetCampaignOptions(ctx context.Context, id int64, old, next string) (bool, error) {
	res, err := s.w.ExecContext(ctx, "UPDATE campaigns SET options = ?, updated_at = ? WHERE id = ? AND options = ?", next,
		s.timeArg(s.now()), id, old)
	if err != nil {
		return false, fmt.Errorf("store: campaign %d options: %w", id, mapErr(err))
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("store: campaign %d options: %w", id, mapErr(err))
	}
	return n == 1, nil
}

// ChooseVariant gives the held-back recipients of campaign id variant
// winner and releases them, moves their targeted count, and replaces the
// options old with next (the A/B test's outcome), in one transaction.
// It returns how many it released; options no longer old (changed
// meanwhile) are [ErrCampaignState] and change nothing.
func (s *Store) ChooseVariant(ctx context.Context, id int64, winner int, old, next string) (int64, error) {
	tx, err := s.w.BeginTxx(ctx, nil)
	if err != nil {
		return 0, fmt.Errorf("store: campaign %d winner: %w", id, mapErr(err))
	}
	defer tx.Rollback()
	cas, err := tx.ExecContext(ctx, "UPDATE campaigns SET options = ?, updated_at = ? WHERE id = ? AND options = ?", next,
		s.timeArg(s.now()), id, old)
	if err != nil {
		return 0, fmt.Errorf("store: campaign %d winner: %w", id, mapErr(err))
	}
	if k, err := cas.RowsAffected(); err != nil || k != 1 {
		return 0, fmt.Errorf("store: campaign %d winner: options changed meanwhile: %w", id, ErrCampaignState)
	}
	res, err := tx.ExecContext(ctx, "UPDATE campaign_recipients SET variant = ?, not_before = 0 WHERE campaign_id = ? "+
		"AND variant = 0 AND state = ? AND not_before = ?", winner, id, RecipientPending, HeldBack)
	if err != nil {
		return 0, fmt.Errorf("store: campaign %d winner: %w", id, mapErr(err))
	}
	n, _ := res.RowsAffected()
	if _, err := tx.ExecContext(ctx, "UPDATE campaign_stats SET targeted = targeted - ? WHERE campaign_id = ? AND variant = 0 "+
		"AND step = 0", n, id); err != nil {
		return 0, fmt.Errorf("store: campaign %d winner: %w", id, mapErr(err))
	}
	if err := s.addStats(ctx, tx, id, statKey{winner, 0}, &statDelta{}); err != nil {
		return 0, err
	}
	if _, err := tx.ExecContext(ctx, "UPDATE campaign_stats SET targeted = targeted + ? WHERE campaign_id = ? AND variant = ? "+
		"AND step = 0", n, id, winner); err != nil {
		return 0, fmt.Errorf("store: campaign %d winner: %w", id, mapErr(err))
	}
	if err := tx.Commit(); err != nil {
		return 0, fmt.Errorf("store: campaign %d winner: %w", id, mapErr(err))
	}
	return n, nil
}

// EnrollDrip adds step rows (steps 1 to len(delays)) for the contacts
// that entered list listID of campaign c's account at or after since:
// each step is due delays[i] after the entry. A (contact, step) is
// enrolled once, however often this runs. It adds the new rows to the
// steps' targeted counts and returns how many it added in all.
func (s *Store) EnrollDrip(ctx context.Context, c *Campaign, listID int64, delays []time.Duration, since time.Time) (int64, error) {
	entered := "m.added_at"
	if s.d == dialectMySQL {
		entered = "TIMESTAMPDIFF(MICROSECOND, '1970-01-01 00:00:00', m.added_at)"
	}
	ins := "INSERT INTO campaign_recipients (" + recipientInsertCols + ") "
	tail := " ON CONFLICT DO NOTHING"
	if s.d == dialectMySQL {
		ins, tail = "INSERT IGNORE INTO campaign_recipients ("+recipientInsertCols+") ", ""
	}
	var total int64
	for i, d := range delays {
		step := i + 1
		q := ins + "SELECT ?, c.phone, c.id, ?, 0, 0, 0, 0, 0, '', 0, " + entered + " + ? FROM contact_list_members m " +
			"JOIN contact_lists l ON l.id = m.list_id JOIN contacts c ON c.id = m.contact_id " +
			"WHERE m.list_id = ? AND l.account_id = ? AND c.account_id = ? AND m.added_at >= ?" + tail
		res, err := s.w.ExecContext(ctx, q, c.ID, step, d.Microseconds(), listID, c.AccountID, c.AccountID, s.timeArg(since))
		if err != nil {
			return total, fmt.Errorf("store: enroll campaign %d step %d: %w", c.ID, step, mapErr(err))
		}
		n, _ := res.RowsAffected()
		if n == 0 {
			continue
		}
		total += n
		if err := s.addStats(ctx, s.w, c.ID, statKey{0, step}, &statDelta{targeted: n}); err != nil {
			return total, err
		}
	}
	return total, nil
}
