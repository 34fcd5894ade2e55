package gallant

import (
	"context"
	"fmt"
	"iter"
	"net/http"
	"net/url"
	"strconv"
	"time"
)

// Status is a message's delivery status.
type Status string

// Message statuses. The last five are final.
const (
	StatusAccepted    Status = "accepted"
	StatusScheduled   Status = "scheduled"
	StatusQueued      Status = "queued"
	StatusSubmitted   Status = "submitted"
	StatusDelivered   Status = "delivered"
	StatusUndelivered Status = "undelivered"
	StatusExpired     Status = "expired"
	StatusRejected    Status = "rejected"
	StatusFailed      Status = "failed"
)

// Final reports whether s is a final status: the message will not change
// any more.
func (s Status) Final() bool {
	switch s {
	case StatusDelivered, StatusUndelivered, StatusExpired, StatusRejected, StatusFailed:
		return true
	}
	return false
}

// SendRequest is one message for [Client.SendMessage]. To and exactly one
// of Text and Binary are required; zero members are left out, so the
// gateway's defaults apply.
type SendRequest struct {
	// To is the destination, E.164 with or without '+'.
	To string `json:"to"`
	// From is the sender: a number or an alphanumeric name of up to 11
	// characters; empty: the account's default.
	From string `json:"from,omitempty"`
	// Text is the message text, split into segments by the gateway.
	Text string `json:"text,omitempty"`
	// Binary is an 8-bit body instead of Text (sent base64-encoded).
	Binary []byte `json:"binary,omitempty"`
	// Encoding is "auto" (default), "gsm7" or "ucs2".
	Encoding string `json:"encoding,omitempty"`
	// Flash sends a class 0 message.
	Flash bool `json:"flash,omitempty"`
	// SendAt holds the message until then (at most 30 days ahead).
	SendAt time.Time `json:"send_at,omitzero"`
	// ValidUntil gives up on the message (status expired) after it.
	ValidUntil time.Time `json:"valid_until,omitzero"`
	// CallbackURL receives the message's status webhooks instead of the
	// account's webhook URL.
	CallbackURL string `json:"callback_url,omitempty"`
	// ClientRef is echoed in webhooks (at most 64 bytes).
	ClientRef string `json:"client_ref,omitempty"`
	// DeliveryReport asks for carrier receipts; nil: true.
	DeliveryReport *bool `json:"delivery_report,omitempty"`
}

// SendResult is the gateway's answer to an accepted message.
type SendResult struct {
	// ID is the message's id, a decimal string.
	ID string `json:"id"`
	// Status is "accepted" or "scheduled".
	Status Status `json:"status"`
	// Segments is how many SMS the text takes.
	Segments int `json:"segments"`
	// Encoding is "gsm7", "ucs2" or "binary".
	Encoding string `json:"encoding,omitempty"`
	// Price is the total in micro-units of the account's currency (0
	// without billing).
	Price int64 `json:"price,omitempty"`
}

// SendMessage sends one message (POST /v1/messages). Pass
// [IdempotencyKey] to make retrying it safe.
func (c *Client) SendMessage(ctx context.Context, m *SendRequest, opts ...CallOption) (*SendResult, error) {
	var out SendResult
	if err := c.do(ctx, http.MethodPost, "/v1/messages", nil, m, &out, opts); err != nil {
		return nil, err
	}
	return &out, nil
}

// BatchRequest is a batch for [Client.SendBatch]: either one text to many
// numbers (To and the shared members) or a list of Messages (and no shared
// member). At most 10,000 messages.
type BatchRequest struct {
	// To lists the destinations of one shared message.
	To []string `json:"to,omitempty"`
	// Messages lists distinct messages, instead of To.
	Messages []SendRequest `json:"messages,omitempty"`

	// From and the members below are shared by every destination of To;
	// see [SendRequest].
	From           string    `json:"from,omitempty"`
	Text           string    `json:"text,omitempty"`
	Binary         []byte    `json:"binary,omitempty"`
	Encoding       string    `json:"encoding,omitempty"`
	Flash          bool      `json:"flash,omitempty"`
	SendAt         time.Time `json:"send_at,omitzero"`
	ValidUntil     time.Time `json:"valid_until,omitzero"`
	CallbackURL    string    `json:"callback_url,omitempty"`
	ClientRef      string    `json:"client_ref,omitempty"`
	DeliveryReport *bool     `json:"delivery_report,omitempty"`
}

// BatchItem is the outcome of one message of a batch: accepted (ID set)
// or rejected (Error set, its Field relative to that message).
type BatchItem struct {
	ID       string `json:"id,omitempty"`
	Status   Status `json:"status,omitempty"`
	Segments int    `json:"segments,omitempty"`
	Price    int64  `json:"price,omitempty"`
	Error    *Error `json:"error,omitempty"`
}

// BatchResult answers [Client.SendBatch]: one item per message, in
// request order.
type BatchResult struct {
	Items    []BatchItem `json:"items"`
	Accepted int         `json:"accepted"`
	Rejected int         `json:"rejected"`
}

// SendBatch sends up to 10,000 messages at once (POST
// /v1/messages/batch). A message that fails on its own is rejected in its
// item only; a request that cannot be read is an *Error.
func (c *Client) SendBatch(ctx context.Context, b *BatchRequest, opts ...CallOption) (*BatchResult, error) {
	var out BatchResult
	if err := c.do(ctx, http.MethodPost, "/v1/messages/batch", nil, b, &out, opts); err != nil {
		return nil, err
	}
	return &out, nil
}

// Event is one status change of a message.
type Event struct {
	Status Status    `json:"status"`
	At     time.Time `json:"at"`
	// Segment is the 1-based segment the change is about, 0 for the whole
	// message.
	Segment int `json:"segment,omitempty"`
	// ErrorCode is the carrier's error code, if it gave one.
	ErrorCode string `json:"error_code,omitempty"`
}

// Message is a sent message with its current status; History is filled
// by [Client.GetMessage] only.
type Message struct {
	ID             string    `json:"id"`
	To             string    `json:"to"`
	From           string    `json:"from,omitempty"`
	Text           string    `json:"text,omitempty"`
	Binary         []byte    `json:"binary,omitempty"`
	Encoding       string    `json:"encoding,omitempty"`
	Segments       int       `json:"segments"`
	Status         Status    `json:"status"`
	Flash          bool      `json:"flash"`
	DeliveryReport bool      `json:"delivery_report"`
	SendAt         time.Time `json:"send_at,omitzero"`
	ValidUntil     time.Time `json:"valid_until,omitzero"`
	CallbackURL    string    `json:"callback_url,omitempty"`
	ClientRef      string    `json:"client_ref,omitempty"`
	CreatedAt      time.Time `json:"created_at"`
	UpdatedAt      time.Time `json:"updated_at,omitzero"`
	Price          int64     `json:"price,omitempty"`
	// History lists every status change, oldest first.
	History []Event `json:"history,omitempty"`
}

// GetMessage reads one message with its status history (GET
// /v1/messages/{id}). Another account's message is a 404 like a missing one.
func (c *Client) GetMessage(ctx context.Context, id string) (*Message, error) {
	var out Message
	if err := c.do(ctx, http.MethodGet, "/v1/messages/"+url.PathEscape(id), nil, nil, &out, nil); err != nil {
		return nil, err
	}
	return &out, nil
}

// ListMessagesParams filters [Client.ListMessages]; zero members are not
// sent.
type ListMessagesParams struct {
	// Status keeps messages now in this status.
	Status Status
	// To keeps messages to this number.
	To string
	// From and Until keep messages created at or after From, before Until.
	From, Until time.Time
	// Limit is the page size, 1 to 500 (0: the gateway's 50).
	Limit int
	// Cursor is the previous page's NextCursor.
	Cursor string
}

// WaitForFinal polls [Client.GetMessage] every interval (0: 250 ms) until
// the message reaches a final status, and returns it; it gives up with
// ctx's error when ctx ends, so give ctx a deadline.
func (c *Client) WaitForFinal(ctx context.Context, id string, interval time.Duration) (*Message, error) {
	if interval <= 0 {
		interval = 250 * time.Millisecond
	}
	for {
		m, err := c.GetMessage(ctx, id)
		if err != nil {
			return nil, err
		}
		if m.Status.Final() {
			return m, nil
		}
		if err := c.sleep(ctx, interval); err != nil {
			return m, fmt.Errorf("gallant: message %s still %s: %w", id, m.Status, err)
		}
	}
}

// MessagePage is one page of messages, newest first; NextCursor is empty
// on the last page.
type MessagePage struct {
	Items      []Message `json:"items"`
	NextCursor string    `json:"next_cursor,omitempty"`
}

// ListMessages reads one page of the account's messages, newest first
// (GET /v1/messages). See [Client.Messages] to range over all of them.
func (c *Client) ListMessages(ctx context.Context, p *ListMessagesParams) (*MessagePage, error) {
	q := url.Values{}
	if p != nil {
		setStr(q, "status", string(p.Status))
		setStr(q, "to", p.To)
		setTime(q, "from", p.From)
		setTime(q, "until", p.Until)
		setInt(q, "limit", p.Limit)
		setStr(q, "cursor", p.Cursor)
	}
	var out MessagePage
	if err := c.do(ctx, http.MethodGet, "/v1/messages", q, nil, &out, nil); err != nil {
		return nil, err
	}
	return &out, nil
}

// Messages ranges over every message p selects, page after page, newest
// first; it stops at the first error, which it yields.
func (c *Client) Messages(ctx context.Context, p ListMessagesParams) iter.Seq2[Message, error] {
	return func(yield func(Message, error) bool) {
		for {
			page, err := c.ListMessages(ctx, &p)
			if err != nil {
				yield(Message{}, err)
				return
			}
			for _, m := range page.Items {
				if !yield(m, nil) {
					return
				}
			}
			if page.NextCursor == "" || len(page.Items) == 0 {
				return
			}
			p.Cursor = page.NextCursor
		}
	}
}

// InboundMessage is a message a handset sent to one of the account's
// numbers (an MO), reassembled when long.
type InboundMessage struct {
	ID   string `json:"id"`
	From string `json:"from"`
	To   string `json:"to"`
	Text string `json:"text"`
	// Encoding is gsm7, ucs2, latin1, ascii or binary (Text is then empty).
	Encoding string `json:"encoding"`
	Parts    int    `json:"parts"`
	// Partial is true when parts were still missing at the reassembly
	// timeout.
	Partial    bool      `json:"partial"`
	Keyword    string    `json:"keyword,omitempty"`
	ReceivedAt time.Time `json:"received_at"`
}

// ListInboundParams filters [Client.ListInbound]; zero members are not sent.
type ListInboundParams struct {
	// Number keeps MOs to this number of the account.
	Number string
	// Sender keeps MOs from this number.
	Sender string
	// Since and Until bound the receive time.
	Since, Until time.Time
	// Limit is the page size, 1 to 1,000.
	Limit int
	// Cursor is the previous page's NextCursor.
	Cursor string
}

// InboundPage is one page of inbound messages, newest first.
type InboundPage struct {
	Data       []InboundMessage `json:"data"`
	NextCursor string           `json:"next_cursor,omitempty"`
}

// ListInbound reads one page of the account's inbound messages, newest
// first (GET /v1/inbound).
func (c *Client) ListInbound(ctx context.Context, p *ListInboundParams) (*InboundPage, error) {
	q := url.Values{}
	if p != nil {
		setStr(q, "number", p.Number)
		setStr(q, "sender", p.Sender)
		setTime(q, "since", p.Since)
		setTime(q, "until", p.Until)
		setInt(q, "limit", p.Limit)
		setStr(q, "cursor", p.Cursor)
	}
	var out InboundPage
	if err := c.do(ctx, http.MethodGet, "/v1/inbound", q, nil, &out, nil); err != nil {
		return nil, err
	}
	return &out, nil
}

// Balance is the account's prepaid balance, in micro-units of Currency
// (1 unit = 1,000,000).
type Balance struct {
	Currency string `json:"currency"`
	// Balance is the ledger's sum.
	Balance int64 `json:"balance"`
	// Held is credit leased to gateway instances for messages in flight.
	Held int64 `json:"held"`
	// CreditLimit is the lowest the balance may reach.
	CreditLimit int64 `json:"credit_limit"`
	// Available is what new messages may still spend.
	Available int64 `json:"available"`
}

// Balance reads the account's balance (GET /v1/balance; 404 when the
// gateway runs without billing).
func (c *Client) Balance(ctx context.Context) (*Balance, error) {
	var out Balance
	if err := c.do(ctx, http.MethodGet, "/v1/balance", nil, nil, &out, nil); err != nil {
		return nil, err
	}
	return &out, nil
}

// Bool returns a pointer to v, for the optional boolean members.
func Bool(v bool) *bool { return &v }

// String returns a pointer to v, for the optional members of updates.
func String(v string) *string { return &v }

func setStr(q url.Values, k, v string) {
	if v != "" {
		q.Set(k, v)
	}
}

func setInt(q url.Values, k string, v int) {
	if v != 0 {
		q.Set(k, strconv.Itoa(v))
	}
}

func setTime(q url.Values, k string, t time.Time) {
	if !t.IsZero() {
		q.Set(k, t.UTC().Format(time.RFC3339Nano))
	}
}
