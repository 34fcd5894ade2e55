package app

import (
	"encoding/json"
	"time"

	"github.com/gallant-sms/gallant/gateway"
	"github.com/gallant-sms/gallant/sms"
	"github.com/gallant-sms/gallant/store"
)

// The items of a data-subject export (GET /v1/privacy/export). Ids are
// strings, as everywhere in the API; numbers are E.164 with "+".

// PrivacyMessage is a message sent to the subject.
type PrivacyMessage struct {
	ID        sms.ID     `json:"id,string"`
	AccountID int64      `json:"account_id,string"`
	From      string     `json:"from"`
	To        string     `json:"to"`
	Text      string     `json:"text,omitempty"`
	Binary    []byte     `json:"binary,omitempty"`
	Encoding  string     `json:"encoding,omitempty"`
	Segments  int        `json:"segments"`
	Status    sms.Status `json:"status"`
	Price     int64      `json:"price"`
	ClientRef string     `json:"client_ref,omitempty"`
	SendAt    time.Time  `json:"send_at,omitzero"`
	CreatedAt time.Time  `json:"created_at"`
}

func subjectMessageView(m *store.SubjectMessage) PrivacyMessage {
	v := PrivacyMessage{ID: m.ID, AccountID: m.AccountID, From: m.Source.Addr, To: "+" + m.Dest.Addr,
		Segments: m.Segments, Status: m.Current, Price: m.Price, ClientRef: m.ClientRef, SendAt: m.SendAt.UTC(),
		CreatedAt: m.CreatedAt.UTC()}
	if m.SendAt.IsZero() {
		v.SendAt = time.Time{}
	}
	if m.Source.TON == 1 {
		v.From = "+" + v.From
	}
	d := gateway.Decode(&m.Message)
	v.Encoding, v.Text, v.Binary = d.Encoding, d.Text, d.Binary
	return v
}

// PrivacyInbound is a message the subject sent (an MO).
type PrivacyInbound struct {
	ID         sms.ID    `json:"id,string"`
	AccountID  int64     `json:"account_id,string"`
	From       string    `json:"from"`
	To         string    `json:"to"`
	Text       string    `json:"text"`
	Keyword    string    `json:"keyword,omitempty"`
	ReceivedAt time.Time `json:"received_at"`
}

// PrivacyList is a contact list the subject's contact is in.
type PrivacyList struct {
	ID   int64  `json:"id,string"`
	Name string `json:"name"`
}

// PrivacyContact is the subject's contact record in one account.
type PrivacyContact struct {
	ID        int64           `json:"id,string"`
	AccountID int64           `json:"account_id,string"`
	Phone     string          `json:"phone"`
	FirstName string          `json:"first_name,omitempty"`
	LastName  string          `json:"last_name,omitempty"`
	Email     string          `json:"email,omitempty"`
	Language  string          `json:"language,omitempty"`
	TimeZone  string          `json:"time_zone,omitempty"`
	Fields    json.RawMessage `json:"fields"`
	Tags      []string        `json:"tags"`
	// ExternalID is the contact's id in another system, if any.
	ExternalID string        `json:"external_id,omitempty"`
	Lists      []PrivacyList `json:"lists"`
	CreatedAt  time.Time     `json:"created_at"`
	UpdatedAt  time.Time     `json:"updated_at"`
}

// PrivacyRecipient is the subject as a campaign's recipient.
type PrivacyRecipient struct {
	AccountID  int64      `json:"account_id,string"`
	CampaignID int64      `json:"campaign_id,string"`
	Step       int        `json:"step"`
	MessageID  string     `json:"message_id,omitempty"`
	Reason     string     `json:"reason,omitempty"`
	SentAt     *time.Time `json:"sent_at,omitempty"`
}

// PrivacyOptOut is one opt-out ledger row about the subject.
type PrivacyOptOut struct {
	AccountID int64     `json:"account_id,string"`
	Number    string    `json:"number"`
	Scope     string    `json:"scope"`
	Sender    string    `json:"sender,omitempty"`
	OptedOut  bool      `json:"opted_out"`
	Source    string    `json:"source"`
	Keyword   string    `json:"keyword,omitempty"`
	At        time.Time `json:"at"`
}

// PrivacyUser is a dashboard user's record (no password hash).
type PrivacyUser struct {
	ID              int64      `json:"id,string"`
	AccountID       int64      `json:"account_id,string"`
	Email           string     `json:"email"`
	Role            string     `json:"role"`
	CanSend         bool       `json:"can_send"`
	SelfRegistered  bool       `json:"self_registered"`
	EmailVerifiedAt *time.Time `json:"email_verified_at,omitempty"`
	DisabledAt      *time.Time `json:"disabled_at,omitempty"`
	CreatedAt       time.Time  `json:"created_at"`
}

// PrivacySession is one of a user's dashboard sessions (no token).
type PrivacySession struct {
	ID        int64      `json:"id,string"`
	CreatedAt time.Time  `json:"created_at"`
	ExpiresAt time.Time  `json:"expires_at"`
	RevokedAt *time.Time `json:"revoked_at,omitempty"`
}
