package gallant

import (
	"context"
	"encoding/json"
	"net/http"
	"time"
)

// The events a hook may subscribe to ([Client.CreateHook]).
const (
	EventMessageStatus     = "message.status"
	EventMessageInbound    = "message.inbound"
	EventContactCreated    = "contact.created"
	EventContactOptedOut   = "contact.opted_out"
	EventCampaignCompleted = "campaign.completed"
	EventBalanceLow        = "balance.low"
)

// Hook is a subscription of a URL to events of the account: each event is
// posted to the URL as a [HookEvent], signed like every webhook (verify it
// with [VerifyWebhookRequest]) and retried until the receiver answers 2xx.
type Hook struct {
	ID          int64     `json:"id"`
	URL         string    `json:"url"`
	Events      []string  `json:"events"`
	Description string    `json:"description"`
	CreatedAt   time.Time `json:"created_at"`
}

// HookInput subscribes a URL ([Client.CreateHook]).
type HookInput struct {
	// URL is an absolute http or https URL; the gateway refuses private
	// addresses unless its operator allows them.
	URL string `json:"url"`
	// Events are one or more of the Event constants.
	Events []string `json:"events"`
	// Description is the subscriber's own note.
	Description string `json:"description,omitempty"`
}

// HookEvent is the body of a hook delivery. Data is, by Type: the status
// callback's body ([StatusEvent]) for message.status, the inbound
// message for message.inbound, the contact ([Contact]) for
// contact.created, the opt-out for contact.opted_out, the campaign for
// campaign.completed, the low-balance alert for balance.low.
type HookEvent struct {
	// ID is the same in every delivery and retry of one event: receivers
	// may drop repeats by it.
	ID        string          `json:"id"`
	Type      string          `json:"type"`
	CreatedAt time.Time       `json:"created_at"`
	Data      json.RawMessage `json:"data"`
}

// CreateHook subscribes a URL to events (POST /v1/hooks); the REST-hook
// pattern automation platforms use: keep the hook's ID to unsubscribe.
func (c *Client) CreateHook(ctx context.Context, in *HookInput, opts ...CallOption) (*Hook, error) {
	var out Hook
	if err := c.do(ctx, http.MethodPost, "/v1/hooks", nil, in, &out, opts); err != nil {
		return nil, err
	}
	return &out, nil
}

// ListHooks returns the account's hooks (GET /v1/hooks).
func (c *Client) ListHooks(ctx context.Context) ([]Hook, error) {
	var out struct {
		Data []Hook `json:"data"`
	}
	if err := c.do(ctx, http.MethodGet, "/v1/hooks", nil, nil, &out, nil); err != nil {
		return nil, err
	}
	return out.Data, nil
}

// DeleteHook unsubscribes (DELETE /v1/hooks/{id}).
func (c *Client) DeleteHook(ctx context.Context, id int64) error {
	return c.do(ctx, http.MethodDelete, "/v1/hooks/"+pathID(id), nil, nil, nil, nil)
}
