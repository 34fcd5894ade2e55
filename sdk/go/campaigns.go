package gallant

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"time"
)

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

// Audience is whom a campaign sends to: the union of lists, segments and
// numbers, deduplicated by phone (at most 50 lists, 50 segments and
// 10,000 numbers).
type Audience struct {
	ListIDs    []int64  `json:"list_ids,omitempty"`
	SegmentIDs []int64  `json:"segment_ids,omitempty"`
	Numbers    []string `json:"numbers,omitempty"`
}

// CampaignInput creates a draft campaign ([Client.CreateCampaign]). Name,
// one of Text and TemplateID, and an Audience (or Drip) are needed; zero
// members are left out.
type CampaignInput struct {
	Name string `json:"name"`
	// Kind is "marketing" (default; quiet hours apply) or "transactional".
	Kind string `json:"kind,omitempty"`
	From string `json:"from,omitempty"`
	// Text may hold placeholders ({{first_name|there}}, {{optout}}).
	Text       string    `json:"text,omitempty"`
	TemplateID int64     `json:"template_id,omitempty"`
	Audience   *Audience `json:"audience,omitempty"`
	// SendAt starts the campaign later; zero: at launch.
	SendAt time.Time `json:"send_at,omitzero"`
	// MaxRate is messages per second (0: the platform's cap).
	MaxRate float64 `json:"max_rate,omitempty"`
	// SpreadHours spreads the audience over that many hours.
	SpreadHours float64 `json:"spread_hours,omitempty"`
	// Validity of each message in seconds (0: the gateway's default).
	Validity int `json:"validity,omitempty"`
	// BudgetCap pauses the campaign at this spend, in micro-units (0: none).
	BudgetCap int64 `json:"budget_cap,omitempty"`
	// LocalTime ("09:00") sends to each recipient at that time of its zone.
	LocalTime string `json:"local_time,omitempty"`
	// AB and Drip are the A/B test and drip sequence definitions, as the
	// API documents them (any value encoding/json turns into that object).
	AB   any `json:"ab,omitempty"`
	Drip any `json:"drip,omitempty"`
}

// Campaign is a campaign as the API shows it.
type Campaign struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
	Kind string `json:"kind"`
	// State is one of the Campaign* constants.
	State string `json:"state"`
	// Reason says why the engine paused the campaign, if it did.
	Reason      string    `json:"reason,omitempty"`
	From        string    `json:"from"`
	Text        string    `json:"text,omitempty"`
	TemplateID  int64     `json:"template_id,omitempty"`
	Audience    Audience  `json:"audience"`
	SendAt      time.Time `json:"send_at,omitzero"`
	MaxRate     float64   `json:"max_rate,omitempty"`
	SpreadHours float64   `json:"spread_hours,omitempty"`
	Validity    int       `json:"validity,omitempty"`
	BudgetCap   int64     `json:"budget_cap,omitempty"`
	LocalTime   string    `json:"local_time,omitempty"`
	// Targeted is the audience size materialized at launch, Excluded the
	// opted-out numbers left out.
	Targeted   int             `json:"targeted"`
	Excluded   int             `json:"excluded"`
	CreatedAt  time.Time       `json:"created_at"`
	UpdatedAt  time.Time       `json:"updated_at"`
	LaunchedAt time.Time       `json:"launched_at,omitzero"`
	FinishedAt time.Time       `json:"finished_at,omitzero"`
	AB         json.RawMessage `json:"ab,omitempty"`
	Drip       json.RawMessage `json:"drip,omitempty"`
}

// CampaignPage is one page of campaigns, newest first.
type CampaignPage struct {
	Data       []Campaign `json:"data"`
	NextCursor string     `json:"next_cursor,omitempty"`
}

// CountryCost is an estimate's cost for one calling code.
type CountryCost struct {
	Country    string `json:"country"`
	Recipients int    `json:"recipients"`
	Cost       int64  `json:"cost"`
	Unpriced   int    `json:"unpriced,omitempty"`
}

// Estimate is what a campaign would cost now ([Client.EstimateCampaign]);
// amounts in micro-units.
type Estimate struct {
	// Recipients is the deduplicated audience without opted-out numbers.
	Recipients int           `json:"recipients"`
	OptedOut   int           `json:"opted_out"`
	Segments   int           `json:"segments"`
	Encoding   string        `json:"encoding"`
	Currency   string        `json:"currency,omitempty"`
	Countries  []CountryCost `json:"countries"`
	Total      int64         `json:"total"`
	Unpriced   int           `json:"unpriced"`
	Available  int64         `json:"available,omitempty"`
	Shortfall  int64         `json:"shortfall"`
}

// Clicks counts a campaign's tracked short links.
type Clicks struct {
	Total  int `json:"total"`
	Unique int `json:"unique"`
}

// CampaignCounts are a campaign's counters, in all or for one variant or
// drip step.
type CampaignCounts struct {
	Variant      int     `json:"variant,omitempty"`
	Step         int     `json:"step,omitempty"`
	Targeted     int     `json:"targeted"`
	Sent         int     `json:"sent"`
	Delivered    int     `json:"delivered"`
	Failed       int     `json:"failed"`
	Undelivered  int     `json:"undelivered"`
	Expired      int     `json:"expired"`
	Rejected     int     `json:"rejected"`
	Pending      int     `json:"pending"`
	InFlight     int     `json:"in_flight"`
	Skipped      int     `json:"skipped"`
	Unknown      int     `json:"unknown"`
	OptedOut     int     `json:"opted_out"`
	Replies      int     `json:"replies"`
	Spend        int64   `json:"spend"`
	DeliveryRate float64 `json:"delivery_rate"`
	Clicks       *Clicks `json:"clicks,omitempty"`
}

// SeriesPoint is one minute of a campaign's statistics.
type SeriesPoint struct {
	Minute    time.Time `json:"minute"`
	Sent      int       `json:"sent"`
	Delivered int       `json:"delivered"`
	Failed    int       `json:"failed"`
}

// CampaignStats are a campaign's statistics ([Client.CampaignStats]).
type CampaignStats struct {
	ID        int64            `json:"id"`
	State     string           `json:"state"`
	Totals    CampaignCounts   `json:"totals"`
	Breakdown []CampaignCounts `json:"breakdown,omitempty"`
	Clicks    *Clicks          `json:"clicks,omitempty"`
	Series    []SeriesPoint    `json:"series"`
}

// CreateCampaign creates a draft campaign (POST /v1/campaigns).
func (c *Client) CreateCampaign(ctx context.Context, in *CampaignInput, opts ...CallOption) (*Campaign, error) {
	var out Campaign
	if err := c.do(ctx, http.MethodPost, "/v1/campaigns", nil, in, &out, opts); err != nil {
		return nil, err
	}
	return &out, nil
}

// GetCampaign reads one campaign (GET /v1/campaigns/{id}).
func (c *Client) GetCampaign(ctx context.Context, id int64) (*Campaign, error) {
	var out Campaign
	if err := c.do(ctx, http.MethodGet, "/v1/campaigns/"+pathID(id), nil, nil, &out, nil); err != nil {
		return nil, err
	}
	return &out, nil
}

// ListCampaigns reads one page of campaigns, newest first (GET
// /v1/campaigns); limit up to 100, 0 for the default.
func (c *Client) ListCampaigns(ctx context.Context, cursor string, limit int) (*CampaignPage, error) {
	q := url.Values{}
	setStr(q, "cursor", cursor)
	setInt(q, "limit", limit)
	var out CampaignPage
	if err := c.do(ctx, http.MethodGet, "/v1/campaigns", q, nil, &out, nil); err != nil {
		return nil, err
	}
	return &out, nil
}

// EstimateCampaign prices a campaign's audience as it stands (POST
// /v1/campaigns/{id}/estimate); it changes nothing.
func (c *Client) EstimateCampaign(ctx context.Context, id int64) (*Estimate, error) {
	var out Estimate
	if err := c.do(ctx, http.MethodPost, "/v1/campaigns/"+pathID(id)+"/estimate", nil, nil, &out, nil); err != nil {
		return nil, err
	}
	return &out, nil
}

// LaunchCampaign materializes a draft's audience and starts it (POST
// /v1/campaigns/{id}/launch): the campaign is then "running" or
// "scheduled". A balance short of the estimate is a 402
// insufficient-balance and the campaign stays a draft.
func (c *Client) LaunchCampaign(ctx context.Context, id int64, opts ...CallOption) (*Campaign, error) {
	return c.campaignAction(ctx, id, "launch", opts)
}

// PauseCampaign stops sending until [Client.ResumeCampaign].
func (c *Client) PauseCampaign(ctx context.Context, id int64) (*Campaign, error) {
	return c.campaignAction(ctx, id, "pause", nil)
}

// ResumeCampaign resumes a paused campaign.
func (c *Client) ResumeCampaign(ctx context.Context, id int64) (*Campaign, error) {
	return c.campaignAction(ctx, id, "resume", nil)
}

// CancelCampaign cancels a campaign; its unsent recipients are never sent.
func (c *Client) CancelCampaign(ctx context.Context, id int64) (*Campaign, error) {
	return c.campaignAction(ctx, id, "cancel", nil)
}

func (c *Client) campaignAction(ctx context.Context, id int64, action string, opts []CallOption) (*Campaign, error) {
	var out Campaign
	if err := c.do(ctx, http.MethodPost, "/v1/campaigns/"+pathID(id)+"/"+action, nil, nil, &out, opts); err != nil {
		return nil, err
	}
	return &out, nil
}

// CampaignStats reads a campaign's counters (GET /v1/campaigns/{id}/stats).
func (c *Client) CampaignStats(ctx context.Context, id int64) (*CampaignStats, error) {
	var out CampaignStats
	if err := c.do(ctx, http.MethodGet, "/v1/campaigns/"+pathID(id)+"/stats", nil, nil, &out, nil); err != nil {
		return nil, err
	}
	return &out, nil
}
