package app

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/gallant-sms/gallant/gateway"
	"github.com/gallant-sms/gallant/store"
)

// DistLists manages the caller's account's distribution lists: named
// sets of destination numbers that a submit_multi names with a dl_name
// destination (SMPP 3.4 §4.5.1). Every call acts on p.AccountID only.
// Names and members obey the gateway's limits (gateway.DistListName,
// gateway.DistListMembers): a list stored here is one the send path can
// expand. Reading needs the read scope (checked by the API); changing a
// list needs a caller that may send.
type DistLists struct {
	st *store.Store
}

// DistListInput is a list to create or the new members of one.
type DistListInput struct {
	Name    string
	Numbers []string
}

// DistList is the JSON form of a distribution list.
type DistList struct {
	Name string `json:"name"`
	// Numbers are the members as E.164 digits; left out of listings.
	Numbers   []string  `json:"numbers,omitempty"`
	Count     int       `json:"count"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// DistListPage is the answer to a listing of lists.
type DistListPage struct {
	Data []DistList `json:"data"`
	// Total is how many lists the account has; Data holds at most
	// MaxDistListsListed of them, in name order.
	Total int `json:"total"`
}

// MaxDistListsListed bounds one listing.
const MaxDistListsListed = 1000

// mayChange refuses a caller that may not send for its account.
func (s *DistLists) mayChange(p Principal) error {
	if p.Unverified {
		return refuse(KindEmailUnverified, "", "verify your email before changing distribution lists")
	}
	if p.Role == RoleMember && !p.CanSend {
		return Forbidden("the caller may not send for this account, nor change its distribution lists")
	}
	return nil
}

// checkName refuses a name the gateway would not take.
func checkName(name string) error {
	if r := gateway.DistListName(name); r != nil {
		return Invalid("name", r.Detail)
	}
	return nil
}

// members checks and normalises numbers.
func members(numbers []string) ([]string, error) {
	if numbers == nil {
		return nil, Invalid("numbers", "give the list's numbers as an array of E.164 numbers")
	}
	out, bad, r := gateway.DistListMembers(numbers)
	switch {
	case r == nil:
		return out, nil
	case bad < 0:
		return nil, Invalid("numbers", r.Detail)
	default:
		return nil, refuse(KindInvalidNumber, "numbers["+strconv.Itoa(bad)+"]", r.Detail)
	}
}

func distListView(l *store.DistList) DistList {
	return DistList{Name: l.Name, Numbers: l.Numbers, Count: l.Count, CreatedAt: l.CreatedAt, UpdatedAt: l.UpdatedAt}
}

// Create stores a new list of the caller's account. A name in use is an
// unprocessable refusal (PUT replaces a list).
func (s *DistLists) Create(ctx context.Context, p Principal, in DistListInput) (DistList, error) {
	if err := s.mayChange(p); err != nil {
		return DistList{}, err
	}
	if err := checkName(in.Name); err != nil {
		return DistList{}, err
	}
	nums, err := members(in.Numbers)
	if err != nil {
		return DistList{}, err
	}
	l := &store.DistList{AccountID: p.AccountID, Name: in.Name, Numbers: nums}
	err = s.st.CreateDistList(ctx, l)
	if errors.Is(err, store.ErrDuplicate) {
		return DistList{}, refuse(KindUnprocessable, "name", "the account already has a list of this name; PUT replaces it")
	}
	if err != nil {
		return DistList{}, fmt.Errorf("create distribution list: %w", err)
	}
	return distListView(l), nil
}

// List returns the caller's account's lists, without their members.
func (s *DistLists) List(ctx context.Context, p Principal) (DistListPage, error) {
	ls, total, err := s.st.DistLists(ctx, p.AccountID, MaxDistListsListed)
	if err != nil {
		return DistListPage{}, fmt.Errorf("list distribution lists: %w", err)
	}
	page := DistListPage{Data: make([]DistList, len(ls)), Total: total}
	for i := range ls {
		page.Data[i] = distListView(&ls[i])
	}
	return page, nil
}

// Get returns the caller's account's list name with its members.
func (s *DistLists) Get(ctx context.Context, p Principal, name string) (DistList, error) {
	l, err := s.st.GetDistList(ctx, p.AccountID, name)
	if errors.Is(err, store.ErrNotFound) {
		return DistList{}, NotFound("no such distribution list")
	}
	if err != nil {
		return DistList{}, fmt.Errorf("get distribution list: %w", err)
	}
	return distListView(l), nil
}

// Replace replaces the members of the caller's account's list name.
func (s *DistLists) Replace(ctx context.Context, p Principal, name string, numbers []string) (DistList, error) {
	if err := s.mayChange(p); err != nil {
		return DistList{}, err
	}
	nums, err := members(numbers)
	if err != nil {
		return DistList{}, err
	}
	l := &store.DistList{AccountID: p.AccountID, Name: name, Numbers: nums}
	err = s.st.ReplaceDistList(ctx, l)
	if errors.Is(err, store.ErrNotFound) || errors.Is(err, store.ErrInvalid) {
		return DistList{}, NotFound("no such distribution list")
	}
	if err != nil {
		return DistList{}, fmt.Errorf("replace distribution list: %w", err)
	}
	return distListView(l), nil
}

// Delete deletes the caller's account's list name.
func (s *DistLists) Delete(ctx context.Context, p Principal, name string) error {
	if err := s.mayChange(p); err != nil {
		return err
	}
	err := s.st.DeleteDistList(ctx, p.AccountID, name)
	if errors.Is(err, store.ErrNotFound) {
		return NotFound("no such distribution list")
	}
	if err != nil {
		return fmt.Errorf("delete distribution list: %w", err)
	}
	return nil
}
