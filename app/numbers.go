package app

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/gallant-sms/gallant/gateway"
	"github.com/gallant-sms/gallant/store"
	"github.com/gallant-sms/gallant/webhook"
)

// Numbers manages the inbound numbers: long numbers, short codes, ranges
// and keywords on shared short codes, each owned by one account, with
// where its MOs go (a webhook, the account's SMPP receiver binds, or
// both). Platform admins assign numbers to accounts, change and remove
// them; an account's owner reads its own numbers and sets their delivery
// (webhook_url and smpp); members read them.
type Numbers struct {
	st   *store.Store
	gw   *gateway.Service // reloads its routing after a change; nil: none
	urls *webhook.Guard
}

// NewNumbers returns the numbers use case over st (for the admin
// command, which runs without a gateway); gw may be nil.
func NewNumbers(st *store.Store, gw *gateway.Service, urls *webhook.Guard) *Numbers {
	return &Numbers{st: st, gw: gw, urls: urls}
}

// NumberInput is a number to assign.
type NumberInput struct {
	AccountID int64 // the owner; required
	Number    string
	// Kind is long, short, range or keyword; empty means long.
	Kind       string
	Keyword    string // for kind keyword: the first word MOs start with
	Carrier    string // limits the number to MOs from this carrier
	WebhookURL string
	SMPP       bool
}

// NumberPatch changes a number's delivery (and, for admins, carrier);
// nil fields stay as they are.
type NumberPatch struct {
	Carrier    *string
	WebhookURL *string
	SMPP       *bool
}

// Number is the JSON form of an inbound number.
type Number struct {
	ID         int64     `json:"id"`
	AccountID  int64     `json:"account_id"`
	Number     string    `json:"number"`
	Kind       string    `json:"kind"`
	Keyword    string    `json:"keyword,omitempty"`
	Carrier    string    `json:"carrier,omitempty"`
	WebhookURL string    `json:"webhook_url,omitempty"`
	SMPP       bool      `json:"smpp"`
	CreatedAt  time.Time `json:"created_at"`
	UpdatedAt  time.Time `json:"updated_at"`
}

// NumberPage is a page of numbers.
type NumberPage struct {
	Data       []Number `json:"data"`
	NextCursor string   `json:"next_cursor,omitempty"`
}

func numberView(n *store.Number) Number {
	return Number{ID: n.ID, AccountID: n.AccountID, Number: n.Number, Kind: n.Kind.String(), Keyword: n.Keyword,
		Carrier: n.Carrier, WebhookURL: n.WebhookURL, SMPP: n.SMPP, CreatedAt: n.CreatedAt, UpdatedAt: n.UpdatedAt}
}

// checkNumber validates and normalises in into a store row.
func checkNumber(in NumberInput) (store.Number, error) {
	if in.AccountID <= 0 {
		return store.Number{}, Invalid("account_id", "name the account that owns the number")
	}
	kind := store.NumberLong
	if in.Kind != "" {
		k, ok := store.ParseNumberKind(in.Kind)
		if !ok {
			return store.Number{}, Invalid("kind", "must be long, short, range or keyword")
		}
		kind = k
	}
	num := gateway.InboundDigits(in.Number)
	lo, hi := 6, 15
	switch kind {
	case store.NumberShort, store.NumberKeyword:
		lo, hi = 3, 8
	case store.NumberRange:
		lo = 1
	}
	if len(num) < lo || len(num) > hi || strings.Trim(num, "0123456789") != "" {
		return store.Number{}, Invalid("number", fmt.Sprintf("a %s number has %d to %d digits", kind, lo, hi))
	}
	kw := ""
	if kind == store.NumberKeyword {
		kw = gateway.NormalizeKeyword(in.Keyword)
		if kw == "" || len(kw) > 32 || strings.ContainsAny(strings.TrimSpace(in.Keyword), " \t") {
			return store.Number{}, Invalid("keyword", "a keyword number needs one word of letters or digits (at most 32)")
		}
	} else if in.Keyword != "" {
		return store.Number{}, Invalid("keyword", "only keyword numbers have a keyword")
	}
	if len(in.Carrier) > 64 {
		return store.Number{}, Invalid("carrier", "at most 64 characters")
	}
	return store.Number{AccountID: in.AccountID, Number: num, Kind: kind, Keyword: kw, Carrier: in.Carrier,
		WebhookURL: in.WebhookURL, SMPP: in.SMPP}, nil
}

// checkURL judges a webhook_url under the webhook address policy.
func (s *Numbers) checkURL(ctx context.Context, url string) error {
	if url == "" || s.urls == nil {
		return nil
	}
	if err := s.urls.CheckStoredURL(ctx, url); err != nil {
		return invalidURL("webhook_url", err)
	}
	return nil
}

// reload makes this instance's gateway route with the change at once.
func (s *Numbers) reload(ctx context.Context) {
	if s.gw != nil {
		_ = s.gw.ReloadNumbers(ctx) // else within a second, by the gateway's own reload
	}
}

func isAdmin(p Principal) bool { return p.Role == RoleAdmin }

// Add assigns a number to an account: platform admins only.
func (s *Numbers) Add(ctx context.Context, p Principal, in NumberInput) (Number, error) {
	if !isAdmin(p) {
		return Number{}, Forbidden("only platform admins assign numbers")
	}
	n, err := checkNumber(in)
	if err != nil {
		return Number{}, err
	}
	if err := s.checkURL(ctx, n.WebhookURL); err != nil {
		return Number{}, err
	}
	if _, err := s.st.GetAccount(ctx, n.AccountID); errors.Is(err, store.ErrNotFound) {
		return Number{}, Invalid("account_id", "no such account")
	} else if err != nil {
		return Number{}, fmt.Errorf("add number: %w", err)
	}
	err = s.st.AddNumber(ctx, &n)
	if errors.Is(err, store.ErrDuplicate) {
		return Number{}, refuse(KindUnprocessable, "number", "this number (and keyword) is already assigned")
	}
	if err != nil {
		return Number{}, fmt.Errorf("add number: %w", err)
	}
	s.reload(ctx)
	return numberView(&n), nil
}

// List returns a page of numbers: the caller's account's, or for a
// platform admin every account's (accountID > 0: that account's only).
// cursor is the NextCursor of the previous page.
func (s *Numbers) List(ctx context.Context, p Principal, accountID int64, cursor string, limit int) (NumberPage, error) {
	var after int64
	if cursor != "" {
		v, err := strconv.ParseInt(cursor, 10, 64)
		if err != nil || v < 0 {
			return NumberPage{}, Invalid("cursor", "is not a cursor this API gave")
		}
		after = v
	}
	if limit <= 0 || limit > 1000 {
		limit = 100
	}
	var ns []store.Number
	var err error
	switch {
	case isAdmin(p) && accountID == 0:
		ns, err = s.st.AllNumbers(ctx, after, limit+1)
	case isAdmin(p):
		ns, err = s.st.AccountNumbers(ctx, accountID, after, limit+1)
	case accountID != 0 && accountID != p.AccountID:
		return NumberPage{}, Forbidden("only platform admins list other accounts' numbers")
	default:
		ns, err = s.st.AccountNumbers(ctx, p.AccountID, after, limit+1)
	}
	if err != nil {
		return NumberPage{}, fmt.Errorf("list numbers: %w", err)
	}
	page := NumberPage{Data: make([]Number, 0, len(ns))}
	if len(ns) > limit {
		ns = ns[:limit]
		page.NextCursor = strconv.FormatInt(ns[limit-1].ID, 10)
	}
	for i := range ns {
		page.Data = append(page.Data, numberView(&ns[i]))
	}
	return page, nil
}

// get returns number id as p may see it: its own account's, or any for
// a platform admin.
func (s *Numbers) get(ctx context.Context, p Principal, id int64) (*store.Number, error) {
	var n *store.Number
	var err error
	if isAdmin(p) {
		n, err = s.st.NumberByID(ctx, id)
	} else {
		n, err = s.st.GetNumber(ctx, p.AccountID, id)
	}
	if errors.Is(err, store.ErrNotFound) {
		return nil, NotFound("no such number")
	}
	if err != nil {
		return nil, fmt.Errorf("get number: %w", err)
	}
	return n, nil
}

// Get returns number id.
func (s *Numbers) Get(ctx context.Context, p Principal, id int64) (Number, error) {
	n, err := s.get(ctx, p, id)
	if err != nil {
		return Number{}, err
	}
	return numberView(n), nil
}

// Update changes number id's delivery: its account's owner or a platform
// admin; only an admin changes its carrier.
func (s *Numbers) Update(ctx context.Context, p Principal, id int64, in NumberPatch) (Number, error) {
	if !isAdmin(p) && p.Role != RoleOwner {
		return Number{}, Forbidden("only the account's owner or a platform admin changes a number's delivery")
	}
	if p.Unverified {
		return Number{}, refuse(KindEmailUnverified, "", "verify your email before changing numbers")
	}
	n, err := s.get(ctx, p, id)
	if err != nil {
		return Number{}, err
	}
	if in.Carrier != nil {
		if !isAdmin(p) {
			return Number{}, Forbidden("only platform admins change a number's carrier")
		}
		if len(*in.Carrier) > 64 {
			return Number{}, Invalid("carrier", "at most 64 characters")
		}
		n.Carrier = *in.Carrier
	}
	if in.WebhookURL != nil {
		if err := s.checkURL(ctx, *in.WebhookURL); err != nil {
			return Number{}, err
		}
		n.WebhookURL = *in.WebhookURL
	}
	if in.SMPP != nil {
		n.SMPP = *in.SMPP
	}
	if err := s.st.UpdateNumber(ctx, n); err != nil {
		return Number{}, fmt.Errorf("update number: %w", err)
	}
	s.reload(ctx)
	return numberView(n), nil
}

// Remove takes number id back from its account: platform admins only.
func (s *Numbers) Remove(ctx context.Context, p Principal, id int64) error {
	if !isAdmin(p) {
		return Forbidden("only platform admins remove numbers")
	}
	n, err := s.get(ctx, p, id)
	if err != nil {
		return err
	}
	if err := s.st.DeleteNumber(ctx, n.AccountID, n.ID); err != nil {
		return fmt.Errorf("remove number: %w", err)
	}
	s.reload(ctx)
	return nil
}
