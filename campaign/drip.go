package campaign

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/gallant-sms/gallant/store"
)

// Drip is a drip sequence: a contact enters it by entering its
// audience, list ListID or segment SegmentID (exactly one), and gets
// Steps.
//
// Steps are timed from the contact's entry (Delay seconds after it, at
// the first At local time from then when At is set) or, with DateField,
// from the date in that custom field of type date (Days days after it,
// at At in the contact's time zone: "3 days after signup at 10:00").
//
// Entry into a list is its membership's added_at; entry into a segment
// is when an enrollment pass (every few seconds, over the segment in
// pages) first sees the contact match. Contacts in the audience at the
// launch are enrolled only with IncludeExisting (for a segment: those
// the first full cycle finds, which takes seconds, or minutes for a
// million contacts). With DateField every
// member of the audience with a date is enrolled, and a step whose time
// is more than [DripGrace] past when it is scheduled is not sent (no
// row: it does not count as targeted). A change of the date reschedules
// the steps not yet sent; one that moves a step into the past skips it
// ("date passed").
//
// A contact leaves the sequence (its later steps skipped) when it opts
// out (always), replies to a step (ExitOnReply), no longer belongs to
// the audience when a step is due (ExitOnLeave), or fails the Condition
// of a step whose OnFail is "exit". A contact enters a sequence once.
// A drip campaign runs until cancelled.
type Drip struct {
	ListID          int64      `json:"list_id,omitempty"`
	SegmentID       int64      `json:"segment_id,omitempty"`
	DateField       string     `json:"date_field,omitempty"`
	Steps           []DripStep `json:"steps"`
	ExitOnReply     bool       `json:"exit_on_reply,omitempty"`
	ExitOnLeave     bool       `json:"exit_on_leave,omitempty"`
	IncludeExisting bool       `json:"include_existing,omitempty"`
	// EnrolledAt is when entries were last enrolled (set as it runs):
	// for a list, the entries since then (less a minute) are enrolled
	// next; for a segment, when the first full pass ended.
	EnrolledAt time.Time `json:"enrolled_at,omitzero"`
}

// DripStep is one message of a drip sequence.
type DripStep struct {
	Delay      int64  `json:"delay,omitempty"` // seconds after the entry
	Days       int    `json:"days,omitempty"`  // days after the date field's date
	At         string `json:"at,omitempty"`    // "10:00": recipient local time
	Text       string `json:"text,omitempty"`
	TemplateID int64  `json:"template_id,omitempty"`
	// Condition, when set, must hold for the contact when the step is
	// due, else the step is skipped for it; OnFail says what follows:
	// "skip" (the default: the sequence goes on) or "exit" (it leaves
	// the sequence).
	Condition *StepCondition `json:"condition,omitempty"`
	OnFail    string         `json:"on_fail,omitempty"`
}

// StepCondition is a drip step's condition: a saved segment, or rules
// as segments write them (exactly one).
type StepCondition struct {
	SegmentID int64               `json:"segment_id,omitempty"`
	Rules     *store.SegmentRules `json:"rules,omitempty"`
}

// Drip step failure actions (DripStep.OnFail).
const (
	OnFailSkip = "skip"
	OnFailExit = "exit"
)

// Bounds of a drip sequence.
const (
	MaxDripSteps = 10
	MaxDripDays  = 3660 // days after (or, negative, before) a date
	maxDripDelay = 366 * 24 * 3600
)

// DripGrace is how late a date-field step may still be sent when it is
// scheduled: one due longer ago than this is not sent.
const DripGrace = time.Hour

// DripProblem is what is wrong with a drip sequence: the field at fault
// (relative to the drip object: "steps[1].at") and why.
type DripProblem struct {
	Field  string
	Detail string
}

// Error says where and what.
func (p *DripProblem) Error() string { return p.Field + ": " + p.Detail }

func dripProblem(field, format string, a ...any) *DripProblem {
	return &DripProblem{Field: field, Detail: fmt.Sprintf(format, a...)}
}

// Check checks a drip sequence's settings (not against the account:
// the app checks that its list, segment, field and templates exist). A
// problem is a [*DripProblem].
func (d *Drip) Check() error {
	switch {
	case d.ListID < 0 || d.SegmentID < 0:
		return dripProblem("list_id", "list_id and segment_id are ids")
	case (d.ListID == 0) == (d.SegmentID == 0):
		return dripProblem("list_id", "a drip sequence starts on entry into a list or a segment: give list_id or segment_id, not both")
	case len(d.Steps) < 1 || len(d.Steps) > MaxDripSteps:
		return dripProblem("steps", "a drip sequence has 1 to %d steps", MaxDripSteps)
	case len(d.DateField) > 64:
		return dripProblem("date_field", "date_field is the name of a custom field of type date")
	}
	for i, st := range d.Steps {
		f := fmt.Sprintf("steps[%d]", i)
		if d.DateField != "" {
			if st.Delay != 0 {
				return dripProblem(f+".delay", "with date_field a step is timed by days and at, not delay")
			}
			if st.Days < -MaxDripDays || st.Days > MaxDripDays {
				return dripProblem(f+".days", "days is -%d to %d (after the date; negative: before it)", MaxDripDays, MaxDripDays)
			}
			if st.At == "" {
				return dripProblem(f+".at", "with date_field a step needs at (HH:MM, the contact's local time)")
			}
		} else {
			if st.Days != 0 {
				return dripProblem(f+".days", "days applies with date_field; after an entry give delay in seconds")
			}
			if st.Delay < 0 || st.Delay > maxDripDelay {
				return dripProblem(f+".delay", "delay is 0 to %d seconds (a year) after the entry", maxDripDelay)
			}
		}
		if st.At != "" {
			if _, err := clockMinutes(st.At); err != nil {
				return dripProblem(f+".at", "at is HH:MM (00:00 to 23:59)")
			}
		}
		if (st.Text == "") == (st.TemplateID == 0) {
			return dripProblem(f, "give a text or a template_id")
		}
		if st.TemplateID < 0 {
			return dripProblem(f+".template_id", "template_id is a template's id")
		}
		switch st.OnFail {
		case "", OnFailSkip, OnFailExit:
		default:
			return dripProblem(f+".on_fail", `on_fail is "skip" (the sequence goes on) or "exit" (the contact leaves it)`)
		}
		if st.OnFail != "" && st.Condition == nil {
			return dripProblem(f+".on_fail", "on_fail applies to a step with a condition")
		}
		if c := st.Condition; c != nil {
			if (c.SegmentID == 0) == (c.Rules == nil) || c.SegmentID < 0 {
				return dripProblem(f+".condition", "a condition is a segment_id or rules (as a segment's), not both")
			}
		}
	}
	return nil
}

// dripAudience is the condition over contacts c of d's audience (list or
// segment).
func (e *Engine) dripAudience(ctx context.Context, accountID int64, d *Drip) (string, []any, error) {
	if d.SegmentID > 0 {
		return e.st.SegmentCondition(ctx, accountID, d.SegmentID)
	}
	return e.st.ContactListCondition(ctx, accountID, d.ListID)
}

// enrollEvery is how often a drip campaign enrolls new entries.
const enrollEvery = 10 * time.Second

// Enrollment over a segment or a date field runs in cycles over the
// audience's candidates, in pages of enrollPage contacts: a pass reads
// pages for up to enrollBudget of wall time (at most enrollPages), and
// the next pass (the engine's next tick) goes on from there. A page
// query reads a range of at most enrollSpan contact ids. A new cycle
// starts enrollEvery after the last one ended, or later for a large
// audience: at most 1/enrollShare of the time goes to enrollment.
const (
	enrollPage   = 1000
	enrollPages  = 20
	enrollBudget = 100 * time.Millisecond
	enrollShare  = 20
	enrollSpan   = 20_000
)

// enroll enrolls the new entries of r's drip sequence.
func (e *Engine) enroll(ctx context.Context, r *run, now time.Time) error {
	wait := max(enrollEvery, enrollShare*r.dripCost)
	if r.dripCursor != 0 {
		wait = 0 // a cycle under way goes on
	}
	if now.Sub(r.enrolled) < wait {
		return nil
	}
	base := r.c.Options
	opts, err := ParseOptions(base)
	if err != nil || opts.Drip == nil {
		return err
	}
	d := opts.Drip
	if d.SegmentID > 0 || d.DateField != "" {
		return e.enrollScan(ctx, r, opts, now)
	}
	since := d.EnrolledAt.Add(-time.Minute)
	if d.EnrolledAt.IsZero() {
		since = r.c.LaunchedAt
		if d.IncludeExisting {
			since = time.Unix(0, 0)
		}
	}
	delays := make([]time.Duration, len(d.Steps))
	for i, st := range d.Steps {
		delays[i] = time.Duration(st.Delay) * time.Second
	}
	// Entries are stamped by the store's clock, not the engine's.
	at := time.Now()
	if _, err := e.st.EnrollDrip(ctx, &r.c, d.ListID, delays, since); err != nil {
		return err
	}
	d.EnrolledAt, r.enrolled = at, now
	if ok, err := e.st.SetCampaignOptions(ctx, r.c.ID, base, opts.JSON()); err != nil || !ok {
		return err // changed meanwhile: the next enrollment overlaps this one
	}
	r.c.Options = opts.JSON()
	return nil
}

// enrollScan is a pass over the audience of a segment or date-field
// drip sequence, in pages from where the last one stopped: contacts not
// yet enrolled are (entry into a segment: each step Delay from now;
// date field: at its dated time), and with a date field the pending
// steps of enrolled ones follow a changed date. A segment's first full
// pass, without IncludeExisting, only marks the contacts already in it
// (a step-0 row, skipped "in the audience at launch"), so that they are
// not taken for entries later.
func (e *Engine) enrollScan(ctx context.Context, r *run, opts Options, now time.Time) error {
	d := opts.Drip
	cond, args, err := e.dripAudience(ctx, r.c.AccountID, d)
	if errors.Is(err, store.ErrNotFound) {
		return e.pause(ctx, r.c.ID, "the drip sequence's list or segment no longer exists")
	}
	var rulesErr *store.SegmentRulesError
	if errors.As(err, &rulesErr) {
		return e.pause(ctx, r.c.ID, "the drip sequence's segment no longer fits the account: "+err.Error())
	}
	if err != nil {
		return err
	}
	r.enrolled = now
	initial := d.EnrolledAt.IsZero() && d.DateField == "" && !d.IncludeExisting
	if r.dripCursor == 0 {
		// A new cycle over the audience: with a date field, contacts
		// changed since the last cycle began (a minute of overlap) are
		// looked at again; updated_at is the store's clock.
		if !r.dripCycle.IsZero() {
			r.dripSince = r.dripCycle.Add(-time.Minute)
		}
		r.dripCycle, r.dripCost = time.Now(), 0
		if r.dripTop, err = e.st.MaxContactID(ctx); err != nil {
			return err
		}
	}
	start := time.Now()
	defer func() { r.dripCost += time.Since(start) }()
	for k := 0; k < enrollPages && (k == 0 || time.Since(start) < enrollBudget); k++ {
		upTo := min(r.dripCursor+enrollSpan, r.dripTop)
		page, err := e.st.DripCandidates(ctx, r.c.AccountID, r.c.ID, cond, args, d.DateField != "", r.dripSince,
			r.dripCursor, upTo, enrollPage)
		if err != nil {
			return err
		}
		if len(page) > 0 {
			if err := e.enrollPage(ctx, r, d, page, initial, now); err != nil {
				return err
			}
		}
		if len(page) == enrollPage {
			r.dripCursor = page[len(page)-1].ID
			continue
		}
		if r.dripCursor = upTo; upTo < r.dripTop {
			continue
		}
		// The end: the next pass starts over; the first full pass is
		// noted (from then on, a segment's new matches are entries).
		r.dripCursor = 0
		if d.EnrolledAt.IsZero() {
			base := r.c.Options
			d.EnrolledAt = now
			if ok, err := e.st.SetCampaignOptions(ctx, r.c.ID, base, opts.JSON()); err != nil || !ok {
				return err
			}
			r.c.Options = opts.JSON()
		}
		return nil
	}
	return nil
}

// enrollPage enrolls one page of the audience.
func (e *Engine) enrollPage(ctx context.Context, r *run, d *Drip, page []store.Contact, initial bool, now time.Time) error {
	phones := make([]string, len(page))
	for i := range page {
		phones[i] = page[i].Phone
	}
	have, err := e.st.DripRows(ctx, r.c.ID, phones)
	if err != nil {
		return err
	}
	byPhone := make(map[string][]store.DripRow, len(have))
	for _, h := range have {
		byPhone[h.Phone] = append(byPhone[h.Phone], h)
	}
	var adds []store.DripEnrollment
	var moves []store.DripMove
	var passed []store.DripRow
	for i := range page {
		c := &page[i]
		rows := byPhone[c.Phone]
		if d.DateField == "" {
			if len(rows) > 0 {
				continue // entered once
			}
			if initial {
				adds = append(adds, store.DripEnrollment{Phone: c.Phone, ContactID: c.ID, Step: 0,
					Reason: "in the audience at launch: not an entry"})
				continue
			}
			for s, st := range d.Steps {
				adds = append(adds, store.DripEnrollment{Phone: c.Phone, ContactID: c.ID, Step: s + 1,
					NotBefore: now.Add(time.Duration(st.Delay) * time.Second)})
			}
			continue
		}
		date, ok := contactDate(c.Fields, d.DateField)
		anchor := "date " + date.Format(time.DateOnly)
		loc := e.quiet.Location(c.Phone, c.TimeZone)
		for s, st := range d.Steps {
			var row *store.DripRow
			for k := range rows {
				if rows[k].Step == s+1 {
					row = &rows[k]
				}
			}
			if row != nil {
				// Pending rows carry their date ("date 2026-03-05") until
				// the engine defers or sends them: only those follow a
				// change.
				switch {
				case row.State != store.RecipientPending || !strings.HasPrefix(row.Reason, "date "):
				case !ok:
					row.Reason = "no date: left the sequence"
					passed = append(passed, *row)
				case row.Reason != anchor:
					if due := dripDue(date, st, loc); due.Before(now.Add(-DripGrace)) {
						row.Reason = "date passed"
						passed = append(passed, *row)
					} else {
						moves = append(moves, store.DripMove{ID: row.ID, NotBefore: due, Reason: anchor})
					}
				}
				continue
			}
			if !ok {
				continue
			}
			if due := dripDue(date, st, loc); !due.Before(now.Add(-DripGrace)) {
				adds = append(adds, store.DripEnrollment{Phone: c.Phone, ContactID: c.ID, Step: s + 1, NotBefore: due,
					Reason: anchor})
			}
		}
	}
	if _, err := e.st.EnrollDripRows(ctx, r.c.ID, adds); err != nil {
		return err
	}
	if err := e.st.RescheduleDrip(ctx, r.c.ID, moves); err != nil {
		return err
	}
	return e.st.SkipDripRows(ctx, r.c.ID, passed)
}

// contactDate reads custom field name of a contact's fields (a JSON
// object) as a date (YYYY-MM-DD, any time after it ignored).
func contactDate(fields, name string) (time.Time, bool) {
	if fields == "" {
		return time.Time{}, false
	}
	var m map[string]any
	if err := json.Unmarshal([]byte(fields), &m); err != nil {
		return time.Time{}, false
	}
	s, _ := m[name].(string)
	if len(s) < 10 {
		return time.Time{}, false
	}
	t, err := time.Parse(time.DateOnly, s[:10])
	return t, err == nil
}

// dripDue is when date-field step st is due for a contact in loc: Days
// after date, at At local time.
func dripDue(date time.Time, st DripStep, loc *time.Location) time.Time {
	m, _ := clockMinutes(st.At)
	return time.Date(date.Year(), date.Month(), date.Day()+st.Days, m/60, m%60, 0, 0, loc)
}

// dripVerdict is why a claimed drip step is not sent, and whether the
// contact leaves the sequence.
type dripVerdict struct {
	reason string
	exit   bool
}

// dripChecks judges claimed drip steps at send time: a contact that
// opted out (flagged by the opt-out tail from the ledger) or, with
// ExitOnReply, replied leaves the sequence; with ExitOnLeave so does one
// no longer in the audience; a step whose condition the contact does
// not match is skipped (and with OnFail "exit" ends its sequence). It
// returns the verdicts by recipient id; the rest may be sent.
func (e *Engine) dripChecks(ctx context.Context, r *run, claimed []store.ClaimedRecipient) (map[int64]dripVerdict, error) {
	d := r.opts.Drip
	out := map[int64]dripVerdict{}
	phones := make([]string, 0, len(claimed))
	for i := range claimed {
		if claimed[i].Step >= 1 {
			phones = append(phones, claimed[i].Phone)
		}
	}
	if len(phones) == 0 {
		return out, nil
	}
	flags, err := e.st.DripExitFlags(ctx, r.c.ID, phones)
	if err != nil {
		return nil, err
	}
	for i := range claimed {
		rc := &claimed[i]
		if rc.Step < 1 {
			continue
		}
		switch f := flags[rc.Phone]; {
		case f&store.RecipientOptedOut != 0:
			out[rc.ID] = dripVerdict{reason: "opted out: left the sequence", exit: true}
		case d.ExitOnReply && f&store.RecipientReplied != 0:
			out[rc.ID] = dripVerdict{reason: "replied: left the sequence", exit: true}
		}
	}
	// match returns the claimed contacts (of step, 0: any) matching cond.
	match := func(cond string, args []any, step int) (map[int64]bool, error) {
		var ids []int64
		for i := range claimed {
			if rc := &claimed[i]; rc.Contact.ID > 0 && rc.Step >= 1 && (step == 0 || rc.Step == step) {
				ids = append(ids, rc.Contact.ID)
			}
		}
		return e.st.ContactIDsMatching(ctx, r.c.AccountID, cond, args, ids)
	}
	if d.ExitOnLeave {
		cond, args, err := e.dripAudience(ctx, r.c.AccountID, d)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return nil, err
		}
		in := map[int64]bool{}
		if err == nil {
			if in, err = match(cond, args, 0); err != nil {
				return nil, err
			}
		}
		for i := range claimed {
			rc := &claimed[i]
			if _, done := out[rc.ID]; done || rc.Step < 1 || in[rc.Contact.ID] {
				continue
			}
			out[rc.ID] = dripVerdict{reason: "left the audience: left the sequence", exit: true}
		}
	}
	for s, st := range d.Steps {
		c := st.Condition
		if c == nil {
			continue
		}
		due := false
		for i := range claimed {
			if _, done := out[claimed[i].ID]; !done && claimed[i].Step == s+1 {
				due = true
			}
		}
		if !due {
			continue
		}
		var cond string
		var args []any
		if c.SegmentID > 0 {
			cond, args, err = e.st.SegmentCondition(ctx, r.c.AccountID, c.SegmentID)
		} else {
			cond, args, err = e.st.SegmentRulesCondition(ctx, r.c.AccountID, *c.Rules)
		}
		var rulesErr *store.SegmentRulesError
		in := map[int64]bool{}
		switch {
		case errors.Is(err, store.ErrNotFound) || errors.As(err, &rulesErr):
			// The segment was deleted, or a field its rules name: nobody
			// matches.
		case err != nil:
			return nil, err
		default:
			if in, err = match(cond, args, s+1); err != nil {
				return nil, err
			}
		}
		for i := range claimed {
			rc := &claimed[i]
			if _, done := out[rc.ID]; done || rc.Step != s+1 || in[rc.Contact.ID] {
				continue
			}
			v := dripVerdict{reason: fmt.Sprintf("condition of step %d not met", s+1)}
			if st.OnFail == OnFailExit {
				v.reason, v.exit = v.reason+": left the sequence", true
			}
			out[rc.ID] = v
		}
	}
	// A contact leaving at one step leaves before any later step claimed
	// in the same page (due at once after a pause, say).
	type leave struct {
		step   int
		reason string
	}
	left := map[string]leave{}
	for i := range claimed {
		rc := &claimed[i]
		if v, ok := out[rc.ID]; ok && v.exit {
			if l, seen := left[rc.Phone]; !seen || rc.Step < l.step {
				left[rc.Phone] = leave{rc.Step, v.reason}
			}
		}
	}
	for i := range claimed {
		rc := &claimed[i]
		if l, ok := left[rc.Phone]; ok && rc.Step > l.step {
			out[rc.ID] = dripVerdict{reason: l.reason, exit: true}
		}
	}
	return out, nil
}

// endSequences skips the later pending steps of the contacts that left
// r's drip sequence.
func (e *Engine) endSequences(ctx context.Context, r *run, exits []store.DripExit) error {
	if len(exits) == 0 {
		return nil
	}
	return e.st.EndDripSequences(ctx, r.c.ID, exits)
}
