package app

import "time"

// Contact is the JSON form of a contact.
type Contact struct {
	ID int64 `json:"id"`
	// Phone is the number as E.164 digits (no "+").
	Phone     string `json:"phone"`
	FirstName string `json:"first_name"`
	LastName  string `json:"last_name"`
	Email     string `json:"email"`
	Language  string `json:"language"`
	// TimeZone is an IANA zone; derived from the number when not given.
	TimeZone string `json:"time_zone"`
	// Fields are the custom values, typed as their fields are declared.
	Fields map[string]any `json:"fields"`
	Tags   []string       `json:"tags"`
	// ExternalID is the contact's id in another system (a CRM's record
	// id), unique in the account; "" for none.
	ExternalID string `json:"external_id"`
	// Lists are the ids of the lists the contact is a member of.
	Lists     []int64   `json:"lists"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
	// LastMessageAt is when the account last sent the number a message
	// (null: never, or not among the account's newest 50,000 messages on
	// the SQLite store).
	LastMessageAt *time.Time `json:"last_message_at"`
	// OptedOut is true when the number has opted out of the account's
	// messages, or platform-wide, in the opt-out ledger (an opt-out from
	// one sender only does not count).
	OptedOut bool `json:"opted_out"`
}

// ContactInput is a contact to create (Phone required) or the changes of
// a PATCH (nil members are left as they are).
type ContactInput struct {
	Phone *string `json:"phone"`
	// DefaultCountry (ISO 3166 alpha-2) reads a national Phone; empty:
	// the account's (see ContactSettings), if any.
	DefaultCountry string  `json:"default_country"`
	FirstName      *string `json:"first_name"`
	LastName       *string `json:"last_name"`
	Email          *string `json:"email"`
	Language       *string `json:"language"`
	// TimeZone: empty or absent derives it from the number.
	TimeZone *string `json:"time_zone"`
	// Fields are custom values by field name; on PATCH they are merged,
	// null removing a value.
	Fields map[string]any `json:"fields"`
	// Tags replace the contact's tags.
	Tags *[]string `json:"tags"`
	// ExternalID sets the contact's id in another system (1 to 128
	// printable characters, unique in the account); "" removes it.
	ExternalID *string `json:"external_id"`
}

// ContactQuery selects contacts for a listing.
type ContactQuery struct {
	// Q searches: digits (with an optional "+", spaces, dashes) are a
	// phone prefix (national, "07…", in the account's default country);
	// other text a prefix of the first or last name (two
	// words: of the first and of the last name), ASCII case ignored.
	Q string
	// Tag keeps contacts with this exact tag.
	Tag string
	// List and Segment keep the members of the list or segment (ids).
	List, Segment int64
	Cursor        string
	// Limit is 1 to MaxContactsListed (0: 100).
	Limit int
}

// ContactPage is a page of contacts; NextCursor is empty on the last one.
type ContactPage struct {
	Data       []Contact `json:"data"`
	NextCursor string    `json:"next_cursor,omitempty"`
}

// ContactField is a custom field declaration.
type ContactField struct {
	Name string `json:"name"`
	// Type is text, number, date or boolean.
	Type string `json:"type"`
}

// ContactFieldList lists an account's custom fields in name order.
type ContactFieldList struct {
	Data []ContactField `json:"data"`
}

// ContactSettings are an account's contact settings.
type ContactSettings struct {
	// DefaultCountry (ISO 3166 alpha-2, "" for none) reads national
	// numbers given to the contacts API without a default_country.
	DefaultCountry string `json:"default_country"`
}

// ContactList is the JSON form of a static contact list.
type ContactList struct {
	ID        int64     `json:"id"`
	Name      string    `json:"name"`
	Count     int       `json:"count"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// ContactListPage is a page of lists; NextCursor is empty on the last.
type ContactListPage struct {
	Data       []ContactList `json:"data"`
	NextCursor string        `json:"next_cursor,omitempty"`
}

// ListMembersInput names contacts to add to or remove from a list: by id
// and by phone (national numbers read with DefaultCountry or the
// account's), at most MaxListMembersPerCall in all.
type ListMembersInput struct {
	ContactIDs     []FlexID `json:"contact_ids"`
	Phones         []string `json:"phones"`
	DefaultCountry string   `json:"default_country"`
}

// ListAddResult says what adding members did: Matched contacts of the
// account among those named, Added memberships (members already are not
// counted), and NotFound names that are no contact of the account.
type ListAddResult struct {
	Matched  int `json:"matched"`
	Added    int `json:"added"`
	NotFound int `json:"not_found"`
}

// ListRemoveResult says what removing members did, as [ListAddResult].
type ListRemoveResult struct {
	Matched  int `json:"matched"`
	Removed  int `json:"removed"`
	NotFound int `json:"not_found"`
}
