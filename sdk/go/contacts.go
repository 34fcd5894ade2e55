package gallant

import (
	"context"
	"net/http"
	"net/url"
	"time"
)

// Contact is a person of the account's address book.
type Contact struct {
	ID int64 `json:"id"`
	// Phone is stored as E.164 digits, without '+'.
	Phone     string `json:"phone"`
	FirstName string `json:"first_name"`
	LastName  string `json:"last_name"`
	Email     string `json:"email"`
	Language  string `json:"language"`
	// TimeZone is an IANA zone, derived from the number when not given.
	TimeZone string `json:"time_zone"`
	// Fields holds the values of the account's custom fields, typed: a
	// string, a float64 (numbers), a bool, or a "YYYY-MM-DD" string (dates).
	Fields map[string]any `json:"fields"`
	Tags   []string       `json:"tags"`
	// ExternalID is the contact's id in another system (a CRM's); "" for
	// none.
	ExternalID string `json:"external_id"`
	// Lists are the ids of the lists the contact is in.
	Lists     []int64   `json:"lists"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
	// LastMessageAt is when the account last sent the number a message;
	// nil: never.
	LastMessageAt *time.Time `json:"last_message_at"`
	// OptedOut reports whether the number opted out of the account.
	OptedOut bool `json:"opted_out"`
}

// ContactInput creates a contact ([Client.CreateContact]). Phone is
// required; zero members are left out.
type ContactInput struct {
	Phone string `json:"phone"`
	// DefaultCountry (ISO 3166, "GB") reads a national Phone; empty: the
	// account's default country.
	DefaultCountry string         `json:"default_country,omitempty"`
	FirstName      string         `json:"first_name,omitempty"`
	LastName       string         `json:"last_name,omitempty"`
	Email          string         `json:"email,omitempty"`
	Language       string         `json:"language,omitempty"`
	TimeZone       string         `json:"time_zone,omitempty"`
	Fields         map[string]any `json:"fields,omitempty"`
	Tags           []string       `json:"tags,omitempty"`
	// ExternalID is the contact's id in another system, unique in the
	// account: [Client.UpsertContact] finds the contact by it.
	ExternalID string `json:"external_id,omitempty"`
}

// ContactUpdate changes a contact ([Client.UpdateContact]): nil members
// are left as they are, the others replace the stored values. Fields are
// merged into the stored ones, a nil value removing that field; a non-nil
// Tags (even empty) replaces every tag.
type ContactUpdate struct {
	Phone          *string        `json:"phone,omitempty"`
	DefaultCountry string         `json:"default_country,omitempty"`
	FirstName      *string        `json:"first_name,omitempty"`
	LastName       *string        `json:"last_name,omitempty"`
	Email          *string        `json:"email,omitempty"`
	Language       *string        `json:"language,omitempty"`
	TimeZone       *string        `json:"time_zone,omitempty"`
	Fields         map[string]any `json:"fields,omitempty"`
	Tags           []string       `json:"tags,omitzero"`
	// ExternalID sets the contact's id in another system; "" removes it.
	ExternalID *string `json:"external_id,omitempty"`
}

// ContactPage is one page of contacts in id order.
type ContactPage struct {
	Data       []Contact `json:"data"`
	NextCursor string    `json:"next_cursor,omitempty"`
}

// ListContactsParams filters [Client.ListContacts]; zero members are not
// sent, and filters combine.
type ListContactsParams struct {
	// Query keeps phones starting with its digits, or names starting with it.
	Query string
	// Tag keeps contacts with this exact tag.
	Tag string
	// List keeps the members of this list, Segment those of a segment.
	List, Segment int64
	// Limit is the page size, 1 to 500 (0: the gateway's 100).
	Limit int
	// Cursor is the previous page's NextCursor.
	Cursor string
}

// CreateContact creates a contact (POST /v1/contacts); a phone the account
// has already is a 409 conflict.
func (c *Client) CreateContact(ctx context.Context, in *ContactInput, opts ...CallOption) (*Contact, error) {
	var out Contact
	if err := c.do(ctx, http.MethodPost, "/v1/contacts", nil, in, &out, opts); err != nil {
		return nil, err
	}
	return &out, nil
}

// UpsertContact creates or updates one contact (POST
// /v1/contacts:upsert), found by in.ExternalID when set, else by
// in.Phone: what a CRM sync calls for each of its records, as often as it
// likes. A contact found is updated with in's non-zero members; none
// found, one is created (in.Phone then required).
func (c *Client) UpsertContact(ctx context.Context, in *ContactInput, opts ...CallOption) (*Contact, error) {
	var out Contact
	if err := c.do(ctx, http.MethodPost, "/v1/contacts:upsert", nil, in, &out, opts); err != nil {
		return nil, err
	}
	return &out, nil
}

// GetContact reads one contact (GET /v1/contacts/{id}).
func (c *Client) GetContact(ctx context.Context, id int64) (*Contact, error) {
	var out Contact
	if err := c.do(ctx, http.MethodGet, "/v1/contacts/"+pathID(id), nil, nil, &out, nil); err != nil {
		return nil, err
	}
	return &out, nil
}

// ListContacts reads one page of contacts in id order (GET /v1/contacts).
func (c *Client) ListContacts(ctx context.Context, p *ListContactsParams) (*ContactPage, error) {
	q := url.Values{}
	if p != nil {
		setStr(q, "q", p.Query)
		setStr(q, "tag", p.Tag)
		if p.List != 0 {
			q.Set("list", pathID(p.List))
		}
		if p.Segment != 0 {
			q.Set("segment", pathID(p.Segment))
		}
		setInt(q, "limit", p.Limit)
		setStr(q, "cursor", p.Cursor)
	}
	var out ContactPage
	if err := c.do(ctx, http.MethodGet, "/v1/contacts", q, nil, &out, nil); err != nil {
		return nil, err
	}
	return &out, nil
}

// UpdateContact changes a contact and returns it as stored (PATCH
// /v1/contacts/{id}).
func (c *Client) UpdateContact(ctx context.Context, id int64, u *ContactUpdate) (*Contact, error) {
	var out Contact
	if err := c.do(ctx, http.MethodPatch, "/v1/contacts/"+pathID(id), nil, u, &out, nil); err != nil {
		return nil, err
	}
	return &out, nil
}

// DeleteContact erases a contact with its personal data and list
// memberships (DELETE /v1/contacts/{id}).
func (c *Client) DeleteContact(ctx context.Context, id int64) error {
	return c.do(ctx, http.MethodDelete, "/v1/contacts/"+pathID(id), nil, nil, nil, nil)
}

// List is a static set of the account's contacts.
type List struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
	// Count is the number of members.
	Count     int       `json:"count"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// ListPage is one page of lists in id order.
type ListPage struct {
	Data       []List `json:"data"`
	NextCursor string `json:"next_cursor,omitempty"`
}

// ListMembers names contacts to add to or remove from a list, by id or by
// phone (at most 10,000 in all).
type ListMembers struct {
	ContactIDs []int64  `json:"contact_ids,omitempty"`
	Phones     []string `json:"phones,omitempty"`
	// DefaultCountry reads national Phones.
	DefaultCountry string `json:"default_country,omitempty"`
}

// MembersResult counts what [Client.AddListMembers] or
// [Client.RemoveListMembers] did: Matched contacts, memberships Added or
// Removed, and NotFound names that are no contact of the account.
type MembersResult struct {
	Matched  int `json:"matched"`
	Added    int `json:"added,omitempty"`
	Removed  int `json:"removed,omitempty"`
	NotFound int `json:"not_found"`
}

// CreateList creates a list (POST /v1/lists); a name in use is a 409.
func (c *Client) CreateList(ctx context.Context, name string, opts ...CallOption) (*List, error) {
	var out List
	if err := c.do(ctx, http.MethodPost, "/v1/lists", nil, map[string]string{"name": name}, &out, opts); err != nil {
		return nil, err
	}
	return &out, nil
}

// GetList reads one list with its member count (GET /v1/lists/{id}).
func (c *Client) GetList(ctx context.Context, id int64) (*List, error) {
	var out List
	if err := c.do(ctx, http.MethodGet, "/v1/lists/"+pathID(id), nil, nil, &out, nil); err != nil {
		return nil, err
	}
	return &out, nil
}

// ListLists reads one page of the account's lists (GET /v1/lists); limit
// 0 is the gateway's default.
func (c *Client) ListLists(ctx context.Context, cursor string, limit int) (*ListPage, error) {
	q := url.Values{}
	setStr(q, "cursor", cursor)
	setInt(q, "limit", limit)
	var out ListPage
	if err := c.do(ctx, http.MethodGet, "/v1/lists", q, nil, &out, nil); err != nil {
		return nil, err
	}
	return &out, nil
}

// DeleteList deletes a list and its memberships, never the contacts
// (DELETE /v1/lists/{id}).
func (c *Client) DeleteList(ctx context.Context, id int64) error {
	return c.do(ctx, http.MethodDelete, "/v1/lists/"+pathID(id), nil, nil, nil, nil)
}

// AddListMembers adds contacts to a list (POST /v1/lists/{id}/contacts).
func (c *Client) AddListMembers(ctx context.Context, id int64, m *ListMembers, opts ...CallOption) (*MembersResult, error) {
	var out MembersResult
	if err := c.do(ctx, http.MethodPost, "/v1/lists/"+pathID(id)+"/contacts", nil, m, &out, opts); err != nil {
		return nil, err
	}
	return &out, nil
}

// RemoveListMembers removes contacts from a list (DELETE
// /v1/lists/{id}/contacts).
func (c *Client) RemoveListMembers(ctx context.Context, id int64, m *ListMembers) (*MembersResult, error) {
	var out MembersResult
	if err := c.do(ctx, http.MethodDelete, "/v1/lists/"+pathID(id)+"/contacts", nil, m, &out, nil); err != nil {
		return nil, err
	}
	return &out, nil
}

// ListMembersPage reads one page of a list's members as contacts (GET
// /v1/lists/{id}/contacts).
func (c *Client) ListMembersPage(ctx context.Context, id int64, cursor string, limit int) (*ContactPage, error) {
	q := url.Values{}
	setStr(q, "cursor", cursor)
	setInt(q, "limit", limit)
	var out ContactPage
	if err := c.do(ctx, http.MethodGet, "/v1/lists/"+pathID(id)+"/contacts", q, nil, &out, nil); err != nil {
		return nil, err
	}
	return &out, nil
}
