package app

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gallant-sms/gallant/account"
	"github.com/gallant-sms/gallant/billing"
	"github.com/gallant-sms/gallant/campaign"
	"github.com/gallant-sms/gallant/consent"
	"github.com/gallant-sms/gallant/gateway"
	"github.com/gallant-sms/gallant/sms"
	"github.com/gallant-sms/gallant/store"
)

// Campaigns manages the caller's account's campaigns (issue 13): their
// definition while in draft, the estimate, launch, pause, resume and
// cancel, statistics and recipients; its engine sends them through the
// gateway's accept path. Reading needs the read scope (checked by the
// API); changing needs a caller that may send.
type Campaigns struct {
	st     *store.Store
	gw     *gateway.Service
	bill   *gateway.Billing // nil: billing off, campaigns cost nothing
	acc    *account.Service
	engine *campaign.Engine
	now    func() time.Time
	log    *slog.Logger

	// Clicks, when set, gives a campaign's link clicks (total, unique)
	// for its statistics: the links work wires store.CampaignClicks
	// here. Nil leaves clicks out of the statistics.
	Clicks func(ctx context.Context, accountID, campaignID int64) (total, unique int64, err error)
	// VariantClicks, when set, gives them per variant or drip step
	// (store.CampaignClicksByVariant), for the statistics' breakdown.
	VariantClicks func(ctx context.Context, accountID, campaignID int64) ([]store.VariantClicks, error)
}

// Limits of campaign input.
const (
	MaxCampaignNumbers  = 10000 // explicit numbers of one campaign
	MaxCampaignLists    = 50
	MaxCampaignSegments = 50
	MaxCampaignName     = 200
	MaxCampaignText     = 2000
	MaxCampaignsListed  = 100
	MaxCampaignRate     = 10000 // messages per second
	MaxSpreadHours      = 24 * 14
	MaxRecipientsListed = 1000
	maxCampaignValidity = 72 * time.Hour
	maxCampaignAhead    = 366 * 24 * time.Hour
)

// AudienceInput is a campaign's audience: the union of lists, segments
// and numbers, deduplicated by phone.
type AudienceInput struct {
	ListIDs    []int64  `json:"list_ids,omitempty"`
	SegmentIDs []int64  `json:"segment_ids,omitempty"`
	Numbers    []string `json:"numbers,omitempty"`
}

// CampaignInput is a campaign to create, or the fields to change in a
// draft (nil fields are left as they are).
type CampaignInput struct {
	Name        *string        `json:"name"`
	Kind        *string        `json:"kind"`
	From        *string        `json:"from"`
	Text        *string        `json:"text"`
	TemplateID  *int64         `json:"template_id"`
	Audience    *AudienceInput `json:"audience"`
	SendAt      *time.Time     `json:"send_at"`
	MaxRate     *float64       `json:"max_rate"`
	SpreadHours *float64       `json:"spread_hours"`
	Validity    *int64         `json:"validity"`   // seconds
	BudgetCap   *int64         `json:"budget_cap"` // micros
	// AB makes the campaign an A/B test (null: none).
	AB *ABTest `json:"ab"`
	// Drip makes the campaign a drip sequence (null: none).
	Drip *Drip `json:"drip"`
	// LocalTime ("09:00") sends each recipient at the first such time
	// of its own time zone from the start ("" : none).
	LocalTime *string `json:"local_time"`
}

// Drip is a drip sequence's settings ([campaign.Drip]).
type Drip = campaign.Drip

// ABTest is an A/B test's settings and outcome ([campaign.ABTest]).
type ABTest = campaign.ABTest

// CampaignView is the JSON form of a campaign.
type CampaignView struct {
	ID          int64         `json:"id"`
	Name        string        `json:"name"`
	Kind        string        `json:"kind"`
	State       string        `json:"state"`
	Reason      string        `json:"reason,omitempty"`
	From        string        `json:"from"`
	Text        string        `json:"text,omitempty"`
	TemplateID  int64         `json:"template_id,omitempty"`
	Audience    AudienceInput `json:"audience"`
	SendAt      *time.Time    `json:"send_at,omitempty"`
	MaxRate     float64       `json:"max_rate,omitempty"`
	SpreadHours float64       `json:"spread_hours,omitempty"`
	Validity    int64         `json:"validity,omitempty"`
	BudgetCap   int64         `json:"budget_cap,omitempty"`
	Targeted    int64         `json:"targeted"`
	Excluded    int64         `json:"excluded"`
	CreatedAt   time.Time     `json:"created_at"`
	UpdatedAt   time.Time     `json:"updated_at"`
	LaunchedAt  *time.Time    `json:"launched_at,omitempty"`
	FinishedAt  *time.Time    `json:"finished_at,omitempty"`
	AB          *ABTest       `json:"ab,omitempty"`
	Drip        *Drip         `json:"drip,omitempty"`
	LocalTime   string        `json:"local_time,omitempty"`
}

// CampaignPage is a page of campaigns, newest first.
type CampaignPage struct {
	Data       []CampaignView `json:"data"`
	NextCursor string         `json:"next_cursor,omitempty"`
}

func optTime(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

func campaignView(c *store.Campaign) CampaignView {
	v := CampaignView{ID: c.ID, Name: c.Name, Kind: c.Kind, State: c.State, Reason: c.Reason, From: c.Sender, Text: c.Body,
		TemplateID: c.TemplateID, Audience: AudienceInput{ListIDs: c.ListIDs, SegmentIDs: c.SegmentIDs, Numbers: c.Numbers},
		SendAt: optTime(c.SendAt), MaxRate: c.MaxRate, SpreadHours: c.SpreadHours, Validity: int64(c.Validity / time.Second),
		BudgetCap: c.BudgetCap, Targeted: c.Targeted, Excluded: c.Excluded, CreatedAt: c.CreatedAt, UpdatedAt: c.UpdatedAt,
		LaunchedAt: optTime(c.LaunchedAt), FinishedAt: optTime(c.FinishedAt)}
	if c.TemplateID > 0 {
		v.Text = ""
	}
	if o, err := campaign.ParseOptions(c.Options); err == nil {
		v.AB, v.Drip, v.LocalTime = o.AB, o.Drip, o.LocalTime
	}
	return v
}

// mayChange refuses a caller that may not send for its account.
func (s *Campaigns) mayChange(p Principal) error {
	if p.Unverified {
		return refuse(KindEmailUnverified, "", "verify your email before changing campaigns")
	}
	if p.Role == RoleMember && !p.CanSend {
		return Forbidden("the caller may not send for this account, nor change its campaigns")
	}
	return nil
}

// apply checks in and applies it to c.
func (s *Campaigns) apply(ctx context.Context, c *store.Campaign, in CampaignInput) error {
	if in.Name != nil {
		if *in.Name == "" || len(*in.Name) > MaxCampaignName {
			return Invalid("name", fmt.Sprintf("give a name of 1 to %d bytes", MaxCampaignName))
		}
		c.Name = *in.Name
	}
	if in.Kind != nil {
		if *in.Kind != campaign.KindMarketing && *in.Kind != campaign.KindTransactional {
			return Invalid("kind", "kind is marketing or transactional")
		}
		c.Kind = *in.Kind
	}
	if in.From != nil {
		if _, r := gateway.AutoSource(*in.From); r != nil {
			return refuse(KindInvalid, "from", r.Detail)
		}
		c.Sender = *in.From
	}
	if in.Text != nil {
		if len(*in.Text) > MaxCampaignText {
			return Invalid("text", fmt.Sprintf("the text has at most %d bytes", MaxCampaignText))
		}
		c.Body = *in.Text
	}
	if in.TemplateID != nil {
		if *in.TemplateID < 0 {
			return Invalid("template_id", "template_id is a template's id")
		}
		if *in.TemplateID > 0 {
			if _, err := s.st.TemplateByID(ctx, c.AccountID, *in.TemplateID); errors.Is(err, store.ErrNotFound) {
				return refuse(KindUnprocessable, "template_id", "no such template")
			} else if err != nil {
				return fmt.Errorf("campaign template: %w", err)
			}
		}
		c.TemplateID = *in.TemplateID
	}
	if a := in.Audience; a != nil {
		if len(a.ListIDs) > MaxCampaignLists || len(a.SegmentIDs) > MaxCampaignSegments {
			return Invalid("audience", fmt.Sprintf("at most %d lists and %d segments", MaxCampaignLists, MaxCampaignSegments))
		}
		if len(a.Numbers) > MaxCampaignNumbers {
			return Invalid("audience.numbers", fmt.Sprintf("at most %d numbers; put more in a list", MaxCampaignNumbers))
		}
		nums := make([]string, 0, len(a.Numbers))
		seen := make(map[string]bool, len(a.Numbers))
		for i, n := range a.Numbers {
			d, r := gateway.Destination(0, 0, n)
			if r != nil {
				return refuse(KindInvalidNumber, "audience.numbers["+strconv.Itoa(i)+"]", r.Detail)
			}
			if !seen[d.Addr] {
				seen[d.Addr] = true
				nums = append(nums, d.Addr)
			}
		}
		for _, id := range a.ListIDs {
			if id <= 0 {
				return Invalid("audience.list_ids", "list ids are positive")
			}
		}
		for _, id := range a.SegmentIDs {
			if _, _, err := s.st.SegmentCondition(ctx, c.AccountID, id); errors.Is(err, store.ErrNotFound) {
				return refuse(KindUnprocessable, "audience.segment_ids", fmt.Sprintf("no such segment: %d", id))
			} else if err != nil {
				return fmt.Errorf("campaign segment: %w", err)
			}
		}
		if err := s.checkLists(ctx, c.AccountID, a.ListIDs); err != nil {
			return err
		}
		c.ListIDs, c.SegmentIDs, c.Numbers = slices.Compact(slices.Sorted(slices.Values(a.ListIDs))),
			slices.Compact(slices.Sorted(slices.Values(a.SegmentIDs))), nums
	}
	if in.SendAt != nil {
		if !in.SendAt.IsZero() && in.SendAt.After(s.now().Add(maxCampaignAhead)) {
			return Invalid("send_at", "send_at is at most a year ahead")
		}
		c.SendAt = in.SendAt.UTC()
	}
	if in.MaxRate != nil {
		if *in.MaxRate < 0 || *in.MaxRate > MaxCampaignRate || math.IsNaN(*in.MaxRate) {
			return Invalid("max_rate", fmt.Sprintf("max_rate is 0 (the platform's cap) to %d messages per second", MaxCampaignRate))
		}
		c.MaxRate = *in.MaxRate
	}
	if in.SpreadHours != nil {
		if *in.SpreadHours < 0 || *in.SpreadHours > MaxSpreadHours || math.IsNaN(*in.SpreadHours) {
			return Invalid("spread_hours", fmt.Sprintf("spread_hours is 0 to %d", MaxSpreadHours))
		}
		c.SpreadHours = *in.SpreadHours
	}
	if in.Validity != nil {
		if *in.Validity < 0 || time.Duration(*in.Validity)*time.Second > maxCampaignValidity {
			return Invalid("validity", "validity is 0 (the default) to 259200 seconds")
		}
		c.Validity = time.Duration(*in.Validity) * time.Second
	}
	if in.BudgetCap != nil {
		if *in.BudgetCap < 0 {
			return Invalid("budget_cap", "budget_cap is an amount in micros, 0 for none")
		}
		c.BudgetCap = *in.BudgetCap
	}
	if in.AB != nil || in.Drip != nil || in.LocalTime != nil {
		opts, err := campaign.ParseOptions(c.Options)
		if err != nil {
			return fmt.Errorf("campaign options: %w", err)
		}
		if in.AB != nil {
			if opts.AB, err = s.checkAB(ctx, c.AccountID, *in.AB); err != nil {
				return err
			}
		}
		if in.Drip != nil {
			if opts.Drip, err = s.checkDrip(ctx, c.AccountID, *in.Drip); err != nil {
				return err
			}
		}
		if in.LocalTime != nil {
			if *in.LocalTime != "" {
				if err := campaign.CheckLocalTime(*in.LocalTime); err != nil {
					return Invalid("local_time", err.Error())
				}
			}
			opts.LocalTime = *in.LocalTime
		}
		if opts.AB != nil && opts.Drip != nil {
			return Invalid("ab", "a campaign is an A/B test or a drip sequence, not both")
		}
		c.Options = opts.JSON()
	}
	return nil
}

// checkTemplate refuses a template the account does not have.
func (s *Campaigns) checkTemplate(ctx context.Context, accountID, id int64, field string) error {
	if id <= 0 {
		return nil
	}
	if _, err := s.st.TemplateByID(ctx, accountID, id); errors.Is(err, store.ErrNotFound) {
		return refuse(KindUnprocessable, field, "no such template")
	} else if err != nil {
		return fmt.Errorf("campaign template: %w", err)
	}
	return nil
}

// checkAB checks an A/B test's settings; none (no variants) is nil.
func (s *Campaigns) checkAB(ctx context.Context, accountID int64, ab ABTest) (*ABTest, error) {
	if len(ab.Variants) == 0 {
		return nil, nil
	}
	ab.TestSentAt, ab.Winner, ab.Rates, ab.Reason = time.Time{}, 0, nil, ""
	if err := ab.Check(); err != nil {
		return nil, Invalid("ab", err.Error())
	}
	for i, v := range ab.Variants {
		if len(v.Text) > MaxCampaignText {
			return nil, Invalid("ab.variants", fmt.Sprintf("variant %d: the text has at most %d bytes", i+1, MaxCampaignText))
		}
		if err := s.checkTemplate(ctx, accountID, v.TemplateID, "ab.variants"); err != nil {
			return nil, err
		}
	}
	return &ab, nil
}

// checkDrip checks a drip sequence's settings; none (no steps) is nil.
// A bad step names its field ("drip.steps[1].at").
func (s *Campaigns) checkDrip(ctx context.Context, accountID int64, d Drip) (*Drip, error) {
	if len(d.Steps) == 0 {
		return nil, nil
	}
	d.EnrolledAt = time.Time{}
	if err := d.Check(); err != nil {
		if p, ok := errors.AsType[*campaign.DripProblem](err); ok {
			return nil, Invalid("drip."+p.Field, p.Detail)
		}
		return nil, Invalid("drip", err.Error())
	}
	for i, st := range d.Steps {
		f := fmt.Sprintf("drip.steps[%d]", i)
		if len(st.Text) > MaxCampaignText {
			return nil, Invalid(f+".text", fmt.Sprintf("the text has at most %d bytes", MaxCampaignText))
		}
		if err := s.checkTemplate(ctx, accountID, st.TemplateID, f+".template_id"); err != nil {
			return nil, err
		}
		if c := st.Condition; c != nil {
			if err := s.checkSegment(ctx, accountID, c.SegmentID, f+".condition.segment_id"); err != nil {
				return nil, err
			}
			if c.Rules != nil {
				err := s.st.CheckSegmentRules(ctx, accountID, *c.Rules)
				if re, ok := errors.AsType[*store.SegmentRulesError](err); ok {
					return nil, refuse(KindUnprocessable, f+".condition.rules", strings.TrimPrefix(re.Error(), "store: invalid segment rules: "))
				}
				if err != nil {
					return nil, fmt.Errorf("campaign drip condition: %w", err)
				}
			}
		}
	}
	if d.ListID > 0 {
		if err := s.checkLists(ctx, accountID, []int64{d.ListID}); err != nil {
			return nil, refuse(KindUnprocessable, "drip.list_id", fmt.Sprintf("no such list: %d", d.ListID))
		}
	}
	if err := s.checkSegment(ctx, accountID, d.SegmentID, "drip.segment_id"); err != nil {
		return nil, err
	}
	if d.DateField != "" {
		fields, err := s.st.ContactFields(ctx, accountID)
		if err != nil {
			return nil, fmt.Errorf("campaign drip date field: %w", err)
		}
		typ := ""
		for _, f := range fields {
			if f.Name == d.DateField {
				typ = f.Type
			}
		}
		switch typ {
		case "date":
		case "":
			return nil, refuse(KindUnprocessable, "drip.date_field", fmt.Sprintf("no custom field %q: declare it (type date) first", d.DateField))
		default:
			return nil, refuse(KindUnprocessable, "drip.date_field", fmt.Sprintf("custom field %q is of type %s, not date", d.DateField, typ))
		}
	}
	return &d, nil
}

// checkSegment refuses a segment id (0: none) the account does not
// have, or whose rules no longer fit it.
func (s *Campaigns) checkSegment(ctx context.Context, accountID, id int64, field string) error {
	if id <= 0 {
		return nil
	}
	_, _, err := s.st.SegmentCondition(ctx, accountID, id)
	if errors.Is(err, store.ErrNotFound) {
		return refuse(KindUnprocessable, field, fmt.Sprintf("no such segment: %d", id))
	}
	if re, ok := errors.AsType[*store.SegmentRulesError](err); ok {
		return refuse(KindUnprocessable, field, fmt.Sprintf("segment %d no longer fits the account: %s", id, re.Error()))
	}
	if err != nil {
		return fmt.Errorf("campaign segment: %w", err)
	}
	return nil
}

// checkLists refuses list ids the account does not have.
func (s *Campaigns) checkLists(ctx context.Context, accountID int64, ids []int64) error {
	for _, id := range ids {
		ok, err := s.st.ContactListExists(ctx, accountID, id)
		if err != nil {
			return fmt.Errorf("campaign lists: %w", err)
		}
		if !ok {
			return refuse(KindUnprocessable, "audience.list_ids", fmt.Sprintf("no such list: %d", id))
		}
	}
	return nil
}

func (s *Campaigns) get(ctx context.Context, p Principal, id int64) (store.Campaign, error) {
	c, err := s.st.CampaignByID(ctx, p.AccountID, id)
	if errors.Is(err, store.ErrNotFound) || (err == nil && c.AccountID != p.AccountID) {
		return store.Campaign{}, NotFound("no such campaign")
	}
	if err != nil {
		return store.Campaign{}, fmt.Errorf("get campaign: %w", err)
	}
	return c, nil
}

// Create stores a new draft campaign of the caller's account.
func (s *Campaigns) Create(ctx context.Context, p Principal, in CampaignInput) (CampaignView, error) {
	if err := s.mayChange(p); err != nil {
		return CampaignView{}, err
	}
	c := store.Campaign{AccountID: p.AccountID, Kind: campaign.KindMarketing, Name: "campaign", Sender: gateway.DefaultSender}
	if err := s.apply(ctx, &c, in); err != nil {
		return CampaignView{}, err
	}
	if err := s.st.CreateCampaign(ctx, &c); err != nil {
		return CampaignView{}, fmt.Errorf("create campaign: %w", err)
	}
	return campaignView(&c), nil
}

// Get returns one of the caller's account's campaigns.
func (s *Campaigns) Get(ctx context.Context, p Principal, id int64) (CampaignView, error) {
	c, err := s.get(ctx, p, id)
	if err != nil {
		return CampaignView{}, err
	}
	return campaignView(&c), nil
}

// List returns a page of the caller's account's campaigns, newest first.
func (s *Campaigns) List(ctx context.Context, p Principal, cursor string, limit int) (CampaignPage, error) {
	var before int64
	if cursor != "" {
		n, err := strconv.ParseInt(cursor, 10, 64)
		if err != nil || n <= 0 {
			return CampaignPage{}, Invalid("cursor", "malformed cursor")
		}
		before = n
	}
	if limit <= 0 || limit > MaxCampaignsListed {
		limit = MaxCampaignsListed
	}
	cs, err := s.st.Campaigns(ctx, p.AccountID, before, limit)
	if err != nil {
		return CampaignPage{}, fmt.Errorf("list campaigns: %w", err)
	}
	page := CampaignPage{Data: make([]CampaignView, len(cs))}
	for i := range cs {
		page.Data[i] = campaignView(&cs[i])
		page.Data[i].Audience.Numbers = nil // in the campaign itself
	}
	if len(cs) == limit {
		page.NextCursor = strconv.FormatInt(cs[len(cs)-1].ID, 10)
	}
	return page, nil
}

// Update changes a draft campaign.
func (s *Campaigns) Update(ctx context.Context, p Principal, id int64, in CampaignInput) (CampaignView, error) {
	if err := s.mayChange(p); err != nil {
		return CampaignView{}, err
	}
	c, err := s.get(ctx, p, id)
	if err != nil {
		return CampaignView{}, err
	}
	if c.State != store.CampaignDraft {
		return CampaignView{}, notDraft(c.State)
	}
	if err := s.apply(ctx, &c, in); err != nil {
		return CampaignView{}, err
	}
	err = s.st.UpdateCampaign(ctx, &c)
	if errors.Is(err, store.ErrCampaignState) {
		return CampaignView{}, notDraft("launched")
	}
	if err != nil {
		return CampaignView{}, fmt.Errorf("update campaign: %w", err)
	}
	return campaignView(&c), nil
}

func notDraft(state string) error {
	return refuse(KindUnprocessable, "", "the campaign is "+state+": only a draft can be changed or deleted")
}

// Delete deletes a draft campaign.
func (s *Campaigns) Delete(ctx context.Context, p Principal, id int64) error {
	if err := s.mayChange(p); err != nil {
		return err
	}
	err := s.st.DeleteCampaign(ctx, p.AccountID, id)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return NotFound("no such campaign")
	case errors.Is(err, store.ErrCampaignState):
		return notDraft("launched")
	case err != nil:
		return fmt.Errorf("delete campaign: %w", err)
	}
	return nil
}

// CountryCost is what a campaign costs to one country calling code.
type CountryCost struct {
	Country    string `json:"country"` // E.164 calling code
	Recipients int64  `json:"recipients"`
	Cost       int64  `json:"cost"` // micros
	Unpriced   int64  `json:"unpriced,omitempty"`
}

// CampaignEstimate is what a campaign would send and cost now.
type CampaignEstimate struct {
	// Recipients is the audience after opt-outs (and do-not-disturb
	// registries) are removed; OptedOut is how many were removed.
	Recipients int64 `json:"recipients"`
	OptedOut   int64 `json:"opted_out"`
	// Segments and Encoding are of one message as written (a template's
	// personal fields may change them per recipient).
	Segments  int           `json:"segments"`
	Encoding  string        `json:"encoding"`
	Currency  string        `json:"currency,omitempty"`
	Countries []CountryCost `json:"countries"`
	Total     int64         `json:"total"` // micros
	// Unpriced recipients have no price in the account's plan: the
	// gateway will refuse them.
	Unpriced int64 `json:"unpriced"`
	// Available is the spendable balance (absent without billing);
	// Shortfall what the total exceeds it by (0 when covered).
	Available *int64 `json:"available,omitempty"`
	Shortfall int64  `json:"shortfall"`
}

// estimator sums an estimate recipient by recipient.
type estimator struct {
	s        *Campaigns
	c        *store.Campaign
	est      CampaignEstimate
	byCC     map[string]*CountryCost
	optouts  *consent.Index
	now      time.Time
	segments int
}

func (s *Campaigns) newEstimator(ctx context.Context, c *store.Campaign) (*estimator, error) {
	msgs := []campaign.Variant{{Text: c.Body, TemplateID: c.TemplateID}}
	if o, _ := campaign.ParseOptions(c.Options); o.AB != nil {
		msgs = o.AB.Variants // the campaign's own text is not sent: the winner's is
	} else if o.Drip != nil {
		msgs = msgs[:0]
		for _, st := range o.Drip.Steps {
			msgs = append(msgs, campaign.Variant{Text: st.Text, TemplateID: st.TemplateID})
		}
	}
	body := "" // the longest message prices the estimate
	for _, m := range msgs {
		b := m.Text
		if m.TemplateID > 0 {
			t, err := s.st.TemplateByID(ctx, c.AccountID, m.TemplateID)
			if err != nil {
				return nil, refuse(KindUnprocessable, "template_id", "a template of the campaign cannot be read")
			}
			b = t.Body
		}
		if len(b) > len(body) {
			body = b
		}
	}
	if strings.TrimSpace(body) == "" {
		return nil, refuse(KindUnprocessable, "text", "the campaign has no text and no template")
	}
	content, r := gateway.TextContent(body, gateway.EncodingAuto, false, gateway.DefaultMaxSegments)
	if r != nil {
		return nil, refuse(KindUnprocessable, "text", r.Detail)
	}
	e := &estimator{s: s, c: c, byCC: map[string]*CountryCost{}, optouts: s.gw.OptOuts(), now: s.now(),
		segments: max(content.Segments, 1)}
	e.est.Segments = e.segments
	e.est.Encoding = gateway.EncodingGSM7
	if content.DataCoding == 0x08 {
		e.est.Encoding = gateway.EncodingUCS2
	}
	return e, nil
}

// add counts phone; it reports false for an opted-out number.
func (e *estimator) add(phone string) bool {
	if _, blocked := e.optouts.Blocked(e.c.AccountID, e.c.Sender, phone); blocked {
		e.est.OptedOut++
		return false
	}
	e.est.Recipients++
	cc := billing.CountryCode(phone)
	row := e.byCC[cc]
	if row == nil {
		row = &CountryCost{Country: cc}
		e.byCC[cc] = row
	}
	row.Recipients++
	if e.s.bill == nil {
		return true
	}
	q, err := e.s.bill.Pricer.Price(e.c.AccountID, phone, e.segments, e.now)
	if err != nil {
		row.Unpriced++
		e.est.Unpriced++
		return true
	}
	row.Cost += int64(q.Total)
	e.est.Total += int64(q.Total)
	e.est.Currency = q.Currency
	return true
}

func (e *estimator) finish(ctx context.Context) (CampaignEstimate, error) {
	e.est.Countries = make([]CountryCost, 0, len(e.byCC))
	for _, r := range e.byCC {
		e.est.Countries = append(e.est.Countries, *r)
	}
	slices.SortFunc(e.est.Countries, func(a, b CountryCost) int { return strings.Compare(a.Country, b.Country) })
	if e.s.bill != nil {
		avail, err := e.s.st.Spendable(ctx, e.c.AccountID)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return CampaignEstimate{}, fmt.Errorf("campaign estimate balance: %w", err)
		}
		e.est.Available = &avail
		if e.est.Total > avail {
			e.est.Shortfall = e.est.Total - avail
		}
	}
	return e.est, nil
}

// Estimate counts a campaign's audience (opt-outs removed) and prices
// it against the balance, reading the audience as a stream.
func (s *Campaigns) Estimate(ctx context.Context, p Principal, id int64) (CampaignEstimate, error) {
	c, err := s.get(ctx, p, id)
	if err != nil {
		return CampaignEstimate{}, err
	}
	e, err := s.newEstimator(ctx, &c)
	if err != nil {
		return CampaignEstimate{}, err
	}
	if err := s.st.StreamAudience(ctx, &c, func(a store.AudienceContact) error {
		e.add(a.Phone)
		return nil
	}); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return CampaignEstimate{}, refuse(KindUnprocessable, "audience", "a list or segment of the audience no longer exists")
		}
		return CampaignEstimate{}, fmt.Errorf("campaign estimate: %w", err)
	}
	return e.finish(ctx)
}

// Launch materializes the audience of a draft campaign (opt-outs
// removed), checks that the balance covers its estimate, and schedules
// it (send_at in the future) or starts it. Without enough balance it is
// refused with the shortfall and stays a draft.
func (s *Campaigns) Launch(ctx context.Context, p Principal, id int64) (CampaignView, error) {
	if err := s.mayChange(p); err != nil {
		return CampaignView{}, err
	}
	c, err := s.get(ctx, p, id)
	if err != nil {
		return CampaignView{}, err
	}
	if c.State == store.CampaignLaunching && s.now().Sub(c.UpdatedAt) > staleLaunch {
		// A launch that died half-way (its process was killed): undo it.
		if err := s.st.DropCampaignRecipients(ctx, id); err != nil {
			return CampaignView{}, fmt.Errorf("launch campaign: %w", err)
		}
		if err := s.st.SetCampaignState(ctx, p.AccountID, id, []string{store.CampaignLaunching}, store.CampaignDraft, ""); err != nil {
			return CampaignView{}, fmt.Errorf("launch campaign: %w", err)
		}
		c.State = store.CampaignDraft
	}
	if c.State != store.CampaignDraft {
		return CampaignView{}, refuse(KindUnprocessable, "", "the campaign is "+c.State+": only a draft can be launched")
	}
	if o, _ := campaign.ParseOptions(c.Options); o.Drip != nil {
		return s.launchDrip(ctx, p, &c)
	}
	if len(c.ListIDs)+len(c.SegmentIDs)+len(c.Numbers) == 0 {
		return CampaignView{}, refuse(KindUnprocessable, "audience", "the campaign has no audience")
	}
	e, err := s.newEstimator(ctx, &c)
	if err != nil {
		return CampaignView{}, err
	}
	err = s.st.SetCampaignState(ctx, p.AccountID, id, []string{store.CampaignDraft}, store.CampaignLaunching, "")
	if errors.Is(err, store.ErrCampaignState) {
		return CampaignView{}, refuse(KindUnprocessable, "", "the campaign is being launched already")
	}
	if err != nil {
		return CampaignView{}, fmt.Errorf("launch campaign: %w", err)
	}
	launched := false
	defer func() {
		if !launched { // back to draft, audience dropped
			bctx := context.WithoutCancel(ctx)
			if err := s.st.DropCampaignRecipients(bctx, id); err != nil {
				s.log.Error("campaign launch undo", "campaign", id, "err", err)
			}
			if err := s.st.SetCampaignState(bctx, p.AccountID, id, []string{store.CampaignLaunching}, store.CampaignDraft, ""); err != nil {
				s.log.Error("campaign launch undo", "campaign", id, "err", err)
			}
		}
	}()
	n, err := s.st.MaterializeCampaign(ctx, &c)
	if errors.Is(err, store.ErrNotFound) {
		return CampaignView{}, refuse(KindUnprocessable, "audience", "a list or segment of the audience no longer exists")
	}
	if err != nil {
		return CampaignView{}, fmt.Errorf("launch campaign: %w", err)
	}
	// Estimate over the materialized rows, excluding opted-out numbers.
	var after int64
	for {
		page, err := s.st.RecipientPhones(ctx, id, store.RecipientPending, after, 5000)
		if err != nil {
			return CampaignView{}, fmt.Errorf("launch campaign: %w", err)
		}
		if len(page) == 0 {
			break
		}
		var out []int64
		for _, r := range page {
			if !e.add(r.Phone) {
				out = append(out, r.ID)
			}
		}
		if err := s.st.ExcludeRecipients(ctx, id, out, "opted_out"); err != nil {
			return CampaignView{}, fmt.Errorf("launch campaign: %w", err)
		}
		after = page[len(page)-1].ID
	}
	est, err := e.finish(ctx)
	if err != nil {
		return CampaignView{}, err
	}
	if est.Recipients == 0 {
		return CampaignView{}, refuse(KindUnprocessable, "audience", "the audience is empty once opt-outs are removed")
	}
	if est.Shortfall > 0 {
		return CampaignView{}, insufficientBalance(fmt.Sprintf("the campaign's estimate (%s %s for %d recipients) exceeds the "+
			"available balance (%s) by %s: the shortfall", billing.Micros(est.Total), est.Currency, est.Recipients,
			billing.Micros(*est.Available), billing.Micros(est.Shortfall)))
	}
	var perVariant []int64
	if o, _ := campaign.ParseOptions(c.Options); o.AB != nil {
		splits := make([]int, len(o.AB.Variants))
		for i, v := range o.AB.Variants {
			splits[i] = v.Split
		}
		if perVariant, err = s.st.AssignVariants(ctx, id, o.AB.TestPercent, splits); err != nil {
			return CampaignView{}, fmt.Errorf("launch campaign: %w", err)
		}
	}
	scheduled := c.SendAt.After(s.now())
	if err := s.st.StartCampaign(ctx, p.AccountID, id, n-est.OptedOut, est.OptedOut, scheduled, perVariant); err != nil {
		return CampaignView{}, fmt.Errorf("launch campaign: %w", err)
	}
	launched = true
	return s.Get(ctx, p, id)
}

// launchDrip starts a drip sequence: its audience are the list's
// entries from now on (or from before, with include_existing), enrolled
// by the engine as they come; balance is checked per message.
func (s *Campaigns) launchDrip(ctx context.Context, p Principal, c *store.Campaign) (CampaignView, error) {
	err := s.st.SetCampaignState(ctx, p.AccountID, c.ID, []string{store.CampaignDraft}, store.CampaignLaunching, "")
	if errors.Is(err, store.ErrCampaignState) {
		return CampaignView{}, refuse(KindUnprocessable, "", "the campaign is being launched already")
	}
	if err != nil {
		return CampaignView{}, fmt.Errorf("launch drip campaign: %w", err)
	}
	if err := s.st.StartCampaign(ctx, p.AccountID, c.ID, 0, 0, c.SendAt.After(s.now()), []int64{}); err != nil {
		return CampaignView{}, fmt.Errorf("launch drip campaign: %w", err)
	}
	return s.Get(ctx, p, c.ID)
}

// staleLaunch is how long a campaign may stay launching before a new
// launch takes it as abandoned (its process died during the launch).
const staleLaunch = 15 * time.Minute

// transition moves a campaign between states for the caller.
func (s *Campaigns) transition(ctx context.Context, p Principal, id int64, from []string, to, verb string) (CampaignView, error) {
	if err := s.mayChange(p); err != nil {
		return CampaignView{}, err
	}
	c, err := s.get(ctx, p, id)
	if err != nil {
		return CampaignView{}, err
	}
	if to == store.CampaignRunning && c.SendAt.After(s.now()) {
		to = store.CampaignScheduled
	}
	err = s.st.SetCampaignState(ctx, p.AccountID, id, from, to, "")
	if errors.Is(err, store.ErrCampaignState) {
		return CampaignView{}, refuse(KindUnprocessable, "", fmt.Sprintf("a %s campaign cannot be %s", c.State, verb))
	}
	if err != nil {
		return CampaignView{}, fmt.Errorf("campaign %s: %w", verb, err)
	}
	return s.Get(ctx, p, id)
}

// Pause pauses a scheduled or running campaign: no more messages leave
// until it is resumed (a page in flight finishes).
func (s *Campaigns) Pause(ctx context.Context, p Principal, id int64) (CampaignView, error) {
	return s.transition(ctx, p, id, []string{store.CampaignScheduled, store.CampaignRunning}, store.CampaignPaused, "paused")
}

// Resume resumes a paused campaign.
func (s *Campaigns) Resume(ctx context.Context, p Principal, id int64) (CampaignView, error) {
	return s.transition(ctx, p, id, []string{store.CampaignPaused}, store.CampaignRunning, "resumed")
}

// Cancel cancels a scheduled, running or paused campaign for good: its
// recipients not yet sent are not sent.
func (s *Campaigns) Cancel(ctx context.Context, p Principal, id int64) (CampaignView, error) {
	return s.transition(ctx, p, id, []string{store.CampaignScheduled, store.CampaignRunning, store.CampaignPaused},
		store.CampaignCancelled, "cancelled")
}

// ChooseWinner decides a campaign's A/B test by hand: the held-back
// recipients get variant (1-based) and are released.
func (s *Campaigns) ChooseWinner(ctx context.Context, p Principal, id int64, variant int) (CampaignView, error) {
	if err := s.mayChange(p); err != nil {
		return CampaignView{}, err
	}
	// The engine may change the test's options at the same moment (it
	// notes when the test group was sent): read, decide and
	// compare-and-set, again if they changed.
	for range 5 {
		c, err := s.get(ctx, p, id)
		if err != nil {
			return CampaignView{}, err
		}
		o, err := campaign.ParseOptions(c.Options)
		if err != nil || o.AB == nil {
			return CampaignView{}, refuse(KindUnprocessable, "", "the campaign is no A/B test")
		}
		switch {
		case o.AB.Winner > 0:
			return CampaignView{}, refuse(KindUnprocessable, "", fmt.Sprintf("the test is decided already: variant %d", o.AB.Winner))
		case c.State != store.CampaignRunning && c.State != store.CampaignPaused && c.State != store.CampaignScheduled:
			return CampaignView{}, refuse(KindUnprocessable, "", "the campaign is "+c.State)
		case variant < 1 || variant > len(o.AB.Variants):
			return CampaignView{}, Invalid("variant", fmt.Sprintf("variant is 1 to %d", len(o.AB.Variants)))
		}
		o.AB.Winner, o.AB.Reason = variant, "chosen by hand"
		_, err = s.st.ChooseVariant(ctx, id, variant, c.Options, o.JSON())
		if errors.Is(err, store.ErrCampaignState) {
			continue // changed meanwhile: read again
		}
		if err != nil {
			return CampaignView{}, fmt.Errorf("choose winner: %w", err)
		}
		return s.Get(ctx, p, id)
	}
	return CampaignView{}, refuse(KindUnprocessable, "", "the test kept changing meanwhile: try again")
}

// CampaignCounts are a campaign's counters.
type CampaignCounts struct {
	Variant     *int  `json:"variant,omitempty"`
	Step        *int  `json:"step,omitempty"`
	Targeted    int64 `json:"targeted"`
	Sent        int64 `json:"sent"`
	Delivered   int64 `json:"delivered"`
	Failed      int64 `json:"failed"`
	Undelivered int64 `json:"undelivered"`
	Expired     int64 `json:"expired"`
	Rejected    int64 `json:"rejected"`
	// Pending are targeted recipients not yet sent or skipped;
	// InFlight sent messages without a final status yet.
	Pending  int64 `json:"pending"`
	InFlight int64 `json:"in_flight"`
	Skipped  int64 `json:"skipped"`
	Unknown  int64 `json:"unknown"`
	// OptedOut counts recipients who opted out during the campaign (at
	// send time, or after their message).
	OptedOut int64 `json:"opted_out"`
	Replies  int64 `json:"replies"`
	Spend    int64 `json:"spend"` // micros reserved at accept
	// DeliveryRate is delivered over messages with a final status.
	DeliveryRate float64 `json:"delivery_rate"`
	// Clicks are the link clicks of this variant or drip step (in a
	// breakdown, with tracked links on).
	Clicks *ClickCounts `json:"clicks,omitempty"`
}

func (c *CampaignCounts) add(r store.CampaignCounters) {
	c.Targeted += r.Targeted
	c.Sent += r.Sent
	c.Delivered += r.Delivered
	c.Failed += r.Failed
	c.Undelivered += r.Undelivered
	c.Expired += r.Expired
	c.Rejected += r.Rejected
	c.Skipped += r.Skipped
	c.Unknown += r.Unknown
	c.OptedOut += r.OptedOut
	c.Replies += r.Replies
	c.Spend += r.Spend
}

func (c *CampaignCounts) derive() {
	final := c.Delivered + c.Failed + c.Undelivered + c.Expired + c.Rejected
	c.Pending = max(0, c.Targeted-c.Sent-c.Skipped-c.Unknown)
	c.InFlight = max(0, c.Sent-final)
	if final > 0 {
		c.DeliveryRate = math.Round(float64(c.Delivered)/float64(final)*10000) / 10000
	}
}

// MinutePoint is one minute of a campaign's delivery series.
type MinutePoint struct {
	Minute    time.Time `json:"minute"`
	Sent      int64     `json:"sent"`
	Delivered int64     `json:"delivered"`
	Failed    int64     `json:"failed"` // every final status but delivered
}

// CampaignStats are a campaign's statistics: counters kept as events
// arrive (reading them reads a few rows, whatever the audience).
type CampaignStats struct {
	ID     int64          `json:"id"`
	State  string         `json:"state"`
	Totals CampaignCounts `json:"totals"`
	// Breakdown is per variant and step, when the campaign has several.
	Breakdown []CampaignCounts `json:"breakdown,omitempty"`
	Clicks    *ClickCounts     `json:"clicks,omitempty"`
	// Series is the per-minute series from the launch (at most the
	// last 24 hours).
	Series []MinutePoint `json:"series"`
}

// ClickCounts are a campaign's link clicks.
type ClickCounts struct {
	Total  int64 `json:"total"`
	Unique int64 `json:"unique"`
}

// maxSeriesMinutes bounds the series returned.
const maxSeriesMinutes = 1440

// Stats returns a campaign's statistics.
func (s *Campaigns) Stats(ctx context.Context, p Principal, id int64) (CampaignStats, error) {
	c, err := s.get(ctx, p, id)
	if err != nil {
		return CampaignStats{}, err
	}
	rows, err := s.st.CampaignStats(ctx, id)
	if err != nil {
		return CampaignStats{}, fmt.Errorf("campaign stats: %w", err)
	}
	out := CampaignStats{ID: id, State: c.State, Series: []MinutePoint{}}
	for _, r := range rows {
		out.Totals.add(r)
		if len(rows) > 1 {
			v, st := r.Variant, r.Step
			cc := CampaignCounts{Variant: &v, Step: &st}
			cc.add(r)
			cc.derive()
			out.Breakdown = append(out.Breakdown, cc)
		}
	}
	out.Totals.derive()
	if s.Clicks != nil {
		total, unique, err := s.Clicks(ctx, p.AccountID, id)
		if err != nil {
			return CampaignStats{}, fmt.Errorf("campaign clicks: %w", err)
		}
		out.Clicks = &ClickCounts{Total: total, Unique: unique}
	}
	if s.VariantClicks != nil && len(out.Breakdown) > 0 {
		vc, err := s.VariantClicks(ctx, p.AccountID, id)
		if err != nil {
			return CampaignStats{}, fmt.Errorf("campaign clicks by variant: %w", err)
		}
		for i := range out.Breakdown {
			b := &out.Breakdown[i]
			k := int64(*b.Variant) // links count A/B variants and drip steps apart (never both)
			if *b.Step > 0 {
				k = int64(*b.Step)
			}
			b.Clicks = &ClickCounts{}
			for _, v := range vc {
				if v.Variant == k {
					b.Clicks.Total, b.Clicks.Unique = v.Total, v.Unique
				}
			}
		}
	}
	if !c.LaunchedAt.IsZero() {
		from := c.LaunchedAt.Unix() / 60
		if end := s.now().Unix()/60 - maxSeriesMinutes; c.FinishedAt.IsZero() && end > from {
			from = end
		}
		pts, err := s.st.CampaignSeries(ctx, id, from, maxSeriesMinutes)
		if err != nil {
			return CampaignStats{}, fmt.Errorf("campaign series: %w", err)
		}
		for _, pt := range pts {
			out.Series = append(out.Series, MinutePoint{Minute: time.Unix(pt.Minute*60, 0).UTC(), Sent: pt.Sent,
				Delivered: pt.Delivered, Failed: pt.Failed})
		}
	}
	return out, nil
}

// RecipientView is one recipient of a campaign.
type RecipientView struct {
	ID        int64      `json:"id"`
	To        string     `json:"to"`
	ContactID int64      `json:"contact_id,omitempty"`
	Variant   int        `json:"variant"`
	Step      int        `json:"step"`
	State     string     `json:"state"`
	Status    string     `json:"status,omitempty"`
	MessageID string     `json:"message_id,omitempty"`
	Price     int64      `json:"price,omitempty"`
	Reason    string     `json:"reason,omitempty"`
	Replied   bool       `json:"replied,omitempty"`
	OptedOut  bool       `json:"opted_out,omitempty"`
	NotBefore *time.Time `json:"not_before,omitempty"`
	SentAt    *time.Time `json:"sent_at,omitempty"`
}

// RecipientPage is a page of recipients in id order.
type RecipientPage struct {
	Data       []RecipientView `json:"data"`
	NextCursor string          `json:"next_cursor,omitempty"`
}

// RecipientQuery filters the recipients.
type RecipientQuery struct {
	Cursor string
	State  string // pending, sending, sent, skipped, unknown; "" any
	Status string // a message status (delivered, ...); "" any
	Limit  int
}

var recipientStates = []string{store.RecipientPending: "pending", store.RecipientSending: "sending",
	store.RecipientSent: "sent", store.RecipientSkipped: "skipped", store.RecipientUnknown: "unknown"}

func recipientView(r *store.CampaignRecipient) RecipientView {
	v := RecipientView{ID: r.ID, To: "+" + r.Phone, ContactID: r.ContactID, Variant: r.Variant, Step: r.Step,
		Reason: r.Reason, Price: r.Price, Replied: r.Flags&store.RecipientReplied != 0,
		OptedOut: r.Flags&store.RecipientOptedOut != 0, SentAt: optTime(r.SentAt)}
	if r.State >= 0 && r.State < len(recipientStates) {
		v.State = recipientStates[r.State]
	}
	if r.Status != sms.StatusUnknown {
		v.Status = r.Status.String()
	}
	if r.MessageID != 0 {
		v.MessageID = r.MessageID.String()
	}
	// Held back for an A/B test's winner is no time (store.HeldBack is
	// past the year 9999, which JSON cannot show): it is left out.
	if r.State == store.RecipientPending && !r.NotBefore.IsZero() && r.NotBefore.UnixMicro() < store.HeldBack {
		v.NotBefore = optTime(r.NotBefore)
	}
	return v
}

func (s *Campaigns) recipientFilter(q RecipientQuery) (store.RecipientFilter, error) {
	f := store.RecipientFilter{State: -1, Limit: q.Limit}
	if f.Limit <= 0 || f.Limit > MaxRecipientsListed {
		f.Limit = MaxRecipientsListed
	}
	if q.Cursor != "" {
		n, err := strconv.ParseInt(q.Cursor, 10, 64)
		if err != nil || n < 0 {
			return f, Invalid("cursor", "malformed cursor")
		}
		f.After = n
	}
	if q.State != "" {
		f.State = slices.Index(recipientStates, q.State)
		if f.State < 0 {
			return f, Invalid("state", "state is pending, sending, sent, skipped or unknown")
		}
	}
	if q.Status != "" {
		st, err := sms.ParseStatus(q.Status)
		if err != nil {
			return f, Invalid("status", "no such message status")
		}
		f.Status = st
	}
	return f, nil
}

// Recipients returns a page of a campaign's recipients.
func (s *Campaigns) Recipients(ctx context.Context, p Principal, id int64, q RecipientQuery) (RecipientPage, error) {
	if _, err := s.get(ctx, p, id); err != nil {
		return RecipientPage{}, err
	}
	f, err := s.recipientFilter(q)
	if err != nil {
		return RecipientPage{}, err
	}
	rows, err := s.st.CampaignRecipients(ctx, id, f)
	if err != nil {
		return RecipientPage{}, fmt.Errorf("campaign recipients: %w", err)
	}
	page := RecipientPage{Data: make([]RecipientView, len(rows))}
	for i := range rows {
		page.Data[i] = recipientView(&rows[i])
	}
	if len(rows) == f.Limit {
		page.NextCursor = strconv.FormatInt(rows[len(rows)-1].ID, 10)
	}
	return page, nil
}

// CheckRecipients checks that the campaign and the query are valid
// before an export starts streaming.
func (s *Campaigns) CheckRecipients(ctx context.Context, p Principal, id int64, q RecipientQuery) error {
	if _, err := s.get(ctx, p, id); err != nil {
		return err
	}
	_, err := s.recipientFilter(q)
	return err
}

// ExportRecipients writes a campaign's recipients matching q (Limit and
// Cursor ignored) to w as CSV, page by page.
func (s *Campaigns) ExportRecipients(ctx context.Context, p Principal, id int64, q RecipientQuery, w io.Writer) error {
	if _, err := s.get(ctx, p, id); err != nil {
		return err
	}
	q.Cursor, q.Limit = "", 0
	f, err := s.recipientFilter(q)
	if err != nil {
		return err
	}
	f.Limit = 5000
	cw := csv.NewWriter(w)
	_ = cw.Write([]string{"id", "to", "contact_id", "variant", "step", "state", "status", "message_id", "price", "reason",
		"replied", "opted_out", "sent_at"})
	for {
		rows, err := s.st.CampaignRecipients(ctx, id, f)
		if err != nil {
			return fmt.Errorf("export campaign recipients: %w", err)
		}
		for i := range rows {
			v := recipientView(&rows[i])
			sent := ""
			if v.SentAt != nil {
				sent = v.SentAt.Format(time.RFC3339)
			}
			if err := cw.Write([]string{strconv.FormatInt(v.ID, 10), v.To, strconv.FormatInt(v.ContactID, 10),
				strconv.Itoa(v.Variant), strconv.Itoa(v.Step), v.State, v.Status, v.MessageID, strconv.FormatInt(v.Price, 10),
				v.Reason, strconv.FormatBool(v.Replied), strconv.FormatBool(v.OptedOut), sent}); err != nil {
				return fmt.Errorf("export campaign recipients: %w", err)
			}
		}
		cw.Flush()
		if err := cw.Error(); err != nil {
			return fmt.Errorf("export campaign recipients: %w", err)
		}
		if len(rows) < f.Limit {
			return nil
		}
		f.After = rows[len(rows)-1].ID
	}
}
