package app

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/gallant-sms/gallant/store"
)

// Segments manages the caller's account's segments: saved filters over
// its contacts, evaluated in the store (see [store.SegmentCondition] for
// the rules). Reading needs the read scope, changing a caller that may
// send. Every call acts on p.AccountID only.
type Segments struct {
	st *store.Store
}

// SegmentInput is a segment to create, or the changes of a PATCH (a nil
// field is left as it is).
type SegmentInput struct {
	Name  *string
	Rules json.RawMessage
}

// Segment is the JSON form of a segment.
type Segment struct {
	ID        int64              `json:"id"`
	Name      string             `json:"name"`
	Rules     store.SegmentRules `json:"rules"`
	CreatedAt time.Time          `json:"created_at"`
	UpdatedAt time.Time          `json:"updated_at"`
}

// SegmentPage is a page of segments in id order; NextAfter, when not 0,
// is the after of the next page.
type SegmentPage struct {
	Data      []Segment `json:"data"`
	NextAfter int64     `json:"next_after,omitempty"`
}

// SegmentPreview is a segment's size and a sample of its contacts.
type SegmentPreview struct {
	Count  int             `json:"count"`
	Sample []ContactSample `json:"sample"`
}

// ContactSample is a contact as a preview shows it.
type ContactSample struct {
	ID        int64           `json:"id"`
	Phone     string          `json:"phone"`
	FirstName string          `json:"first_name"`
	LastName  string          `json:"last_name"`
	Email     string          `json:"email"`
	Language  string          `json:"language"`
	TimeZone  string          `json:"time_zone"`
	Fields    json.RawMessage `json:"fields"`
	Tags      []string        `json:"tags"`
}

// Limits of segment listings and previews.
const (
	MaxSegmentsListed    = 100
	SegmentSampleSize    = 10
	maxSegmentsAnAccount = 1000
)

func segmentSampleOf(c *store.Contact) ContactSample {
	f := json.RawMessage(c.Fields)
	if !json.Valid(f) {
		f = json.RawMessage("{}")
	}
	tags := c.Tags
	if tags == nil {
		tags = []string{}
	}
	return ContactSample{ID: c.ID, Phone: "+" + c.Phone, FirstName: c.FirstName, LastName: c.LastName, Email: c.Email,
		Language: c.Language, TimeZone: c.TimeZone, Fields: f, Tags: tags}
}

func segmentView(s *store.Segment) Segment {
	r := s.Rules
	if r.Match == "" {
		r.Match = "all"
	}
	if r.Conditions == nil {
		r.Conditions = []store.SegmentCondition{}
	}
	return Segment{ID: s.ID, Name: s.Name, Rules: r, CreatedAt: s.CreatedAt, UpdatedAt: s.UpdatedAt}
}

// segmentErr turns the store's refusals into the caller's.
func segmentErr(what string, err error) error {
	var re *store.SegmentRulesError
	switch {
	case errors.As(err, &re):
		p := re.Problems[0]
		field := "rules"
		if p.Field == "name" {
			field = "name"
		} else if p.Index >= 0 {
			field = "rules.conditions[" + strconv.Itoa(p.Index) + "]"
		}
		details := make([]string, len(re.Problems))
		for i, q := range re.Problems {
			if q.Index >= 0 {
				details[i] = "conditions[" + strconv.Itoa(q.Index) + "]: " + q.Detail
			} else {
				details[i] = q.Detail
			}
		}
		return Invalid(field, strings.Join(details, "; "))
	case errors.Is(err, store.ErrNotFound):
		return NotFound("no such segment")
	case errors.Is(err, store.ErrDuplicate):
		return refuse(KindUnprocessable, "name", "the account already has a segment of this name")
	}
	return fmt.Errorf("%s: %w", what, err)
}

// mayChangeSegmentsImports refuses a caller that may not send for its account.
func mayChangeSegmentsImports(p Principal, what string) error {
	if p.Unverified {
		return refuse(KindEmailUnverified, "", "verify your email before changing "+what)
	}
	if p.Role == RoleMember && !p.CanSend {
		return Forbidden("the caller may not send for this account, nor change its " + what)
	}
	return nil
}

// parseRules reads a rule set from JSON.
func parseRules(raw json.RawMessage) (store.SegmentRules, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return store.SegmentRules{}, Invalid("rules", `give the rules: {"match":"all","conditions":[...]}`)
	}
	r, err := store.ParseSegmentRules(raw)
	if err != nil {
		return r, segmentErr("segment rules", err)
	}
	return r, nil
}

// Create stores a new segment of the caller's account.
func (s *Segments) Create(ctx context.Context, p Principal, in SegmentInput) (Segment, error) {
	if err := mayChangeSegmentsImports(p, "segments"); err != nil {
		return Segment{}, err
	}
	if in.Name == nil {
		return Segment{}, Invalid("name", "give the segment a name")
	}
	rules, err := parseRules(in.Rules)
	if err != nil {
		return Segment{}, err
	}
	if page, err := s.st.Segments(ctx, p.AccountID, 0, 1000); err != nil {
		return Segment{}, fmt.Errorf("create segment: %w", err)
	} else if len(page) >= maxSegmentsAnAccount {
		return Segment{}, refuse(KindUnprocessable, "", fmt.Sprintf("an account has at most %d segments", maxSegmentsAnAccount))
	}
	seg := &store.Segment{AccountID: p.AccountID, Name: strings.TrimSpace(*in.Name), Rules: rules}
	if err := s.st.CreateSegment(ctx, seg); err != nil {
		return Segment{}, segmentErr("create segment", err)
	}
	return segmentView(seg), nil
}

// List returns a page of the caller's account's segments after id after.
func (s *Segments) List(ctx context.Context, p Principal, after int64, limit int) (SegmentPage, error) {
	if limit <= 0 || limit > MaxSegmentsListed {
		limit = MaxSegmentsListed
	}
	segs, err := s.st.Segments(ctx, p.AccountID, after, limit+1)
	if err != nil {
		return SegmentPage{}, fmt.Errorf("list segments: %w", err)
	}
	page := SegmentPage{Data: make([]Segment, 0, min(len(segs), limit))}
	for i := range segs {
		if i == limit {
			page.NextAfter = segs[i-1].ID
			break
		}
		page.Data = append(page.Data, segmentView(&segs[i]))
	}
	return page, nil
}

// Get returns segment id of the caller's account.
func (s *Segments) Get(ctx context.Context, p Principal, id int64) (Segment, error) {
	seg, err := s.st.GetSegment(ctx, p.AccountID, id)
	if err != nil {
		return Segment{}, segmentErr("get segment", err)
	}
	return segmentView(&seg), nil
}

// Update changes the name and/or rules of segment id.
func (s *Segments) Update(ctx context.Context, p Principal, id int64, in SegmentInput) (Segment, error) {
	if err := mayChangeSegmentsImports(p, "segments"); err != nil {
		return Segment{}, err
	}
	seg, err := s.st.GetSegment(ctx, p.AccountID, id)
	if err != nil {
		return Segment{}, segmentErr("update segment", err)
	}
	if in.Name != nil {
		seg.Name = strings.TrimSpace(*in.Name)
	}
	if in.Rules != nil {
		if seg.Rules, err = parseRules(in.Rules); err != nil {
			return Segment{}, err
		}
	}
	if err := s.st.UpdateSegment(ctx, &seg); err != nil {
		return Segment{}, segmentErr("update segment", err)
	}
	return segmentView(&seg), nil
}

// Delete deletes segment id.
func (s *Segments) Delete(ctx context.Context, p Principal, id int64) error {
	if err := mayChangeSegmentsImports(p, "segments"); err != nil {
		return err
	}
	if err := s.st.DeleteSegment(ctx, p.AccountID, id); err != nil {
		return segmentErr("delete segment", err)
	}
	return nil
}

// Preview counts segment id's contacts and samples the first ten.
func (s *Segments) Preview(ctx context.Context, p Principal, id int64) (SegmentPreview, error) {
	cond, args, err := s.st.SegmentCondition(ctx, p.AccountID, id)
	if err != nil {
		return SegmentPreview{}, segmentErr("preview segment", err)
	}
	return s.preview(ctx, p, cond, args)
}

// PreviewRules counts and samples the contacts an unsaved rule set
// matches.
func (s *Segments) PreviewRules(ctx context.Context, p Principal, raw json.RawMessage) (SegmentPreview, error) {
	rules, err := parseRules(raw)
	if err != nil {
		return SegmentPreview{}, err
	}
	cond, args, err := s.st.SegmentRulesCondition(ctx, p.AccountID, rules)
	if err != nil {
		return SegmentPreview{}, segmentErr("preview rules", err)
	}
	return s.preview(ctx, p, cond, args)
}

func (s *Segments) preview(ctx context.Context, p Principal, cond string, args []any) (SegmentPreview, error) {
	n, err := s.st.CountContactsMatching(ctx, p.AccountID, cond, args)
	if err != nil {
		return SegmentPreview{}, fmt.Errorf("preview segment: %w", err)
	}
	cs, err := s.st.ContactsMatching(ctx, p.AccountID, cond, args, 0, SegmentSampleSize)
	if err != nil {
		return SegmentPreview{}, fmt.Errorf("preview segment: %w", err)
	}
	out := SegmentPreview{Count: n, Sample: make([]ContactSample, len(cs))}
	for i := range cs {
		out.Sample[i] = segmentSampleOf(&cs[i])
	}
	return out, nil
}
