package app

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/gallant-sms/gallant/account"
	"github.com/gallant-sms/gallant/billing"
	"github.com/gallant-sms/gallant/store"
)

// TopUpAsk is the body of POST /v1/topup-requests: an account asks its
// reseller (or the platform) for money.
type TopUpAsk struct {
	// Amount is in micro-units of the account's currency.
	Amount int64  `json:"amount"`
	Note   string `json:"note"`
	IP     string `json:"-"`
}

// TopUpAskView is a top-up request as the API shows it.
type TopUpAskView struct {
	ID          int64  `json:"id,string"`
	AccountID   int64  `json:"account_id,string"`
	AccountName string `json:"account_name"`
	Amount      int64  `json:"amount"`
	Currency    string `json:"currency"`
	Note        string `json:"note"`
	// Status is pending, topped_up or declined.
	Status     string     `json:"status"`
	CreatedAt  time.Time  `json:"created_at"`
	ResolvedAt *time.Time `json:"resolved_at,omitempty"`
}

// TopUpAskPage is a page of top-up requests: the pending ones first,
// then the resolved ones, each newest first.
type TopUpAskPage struct {
	Items      []TopUpAskView `json:"items"`
	NextCursor string         `json:"next_cursor,omitempty"`
}

// Scopes of [Accounts.TopUpAsks].
const (
	AsksOwn     = "own"     // the caller's account's requests
	AsksManaged = "managed" // the requests to the caller (a reseller) or every request (an admin)
)

var errNoAsk = NotFound("no such top-up request")

func askView(r store.TopUpRequest) TopUpAskView {
	v := TopUpAskView{ID: r.ID, AccountID: r.AccountID, AccountName: r.AccountName, Amount: r.Amount, Currency: r.Currency,
		Note: r.Note, Status: r.Status, CreatedAt: r.CreatedAt}
	if !r.ResolvedAt.IsZero() {
		at := r.ResolvedAt
		v.ResolvedAt = &at
	}
	return v
}

// AskTopUp records p's account's request for a top-up from its reseller
// (or the platform's admins) and audits it. The account's owner asks; a
// platform admin tops up directly instead.
func (s *Accounts) AskTopUp(ctx context.Context, p Principal, req TopUpAsk) (TopUpAskView, error) {
	if role(p) == account.RoleAdmin {
		return TopUpAskView{}, Forbidden("a platform admin tops up accounts directly")
	}
	sum, err := s.visible(ctx, p, p.AccountID)
	if err != nil {
		return TopUpAskView{}, err
	}
	if err := s.may(ctx, p, account.ActionManage, p.AccountID, "ask for a top-up"); err != nil {
		return TopUpAskView{}, err
	}
	cur := s.currency
	if sum.Billing != nil {
		cur = sum.Billing.Currency
	}
	r := &store.TopUpRequest{AccountID: p.AccountID, AccountName: sum.Name, ParentID: sum.ParentID, Amount: req.Amount,
		Currency: cur, Note: strings.TrimSpace(req.Note), RequestedBy: p.UserID}
	if err := s.st.CreateTopUpRequest(ctx, r); err != nil {
		return TopUpAskView{}, fmt.Errorf("app: ask for a top-up: %w", err)
	}
	s.audit(ctx, p, p.AccountID, "balance.topup_request", fmt.Sprintf("topup_request:%d", r.ID),
		fmt.Sprintf("amount=%s %s parent=%d note=%s", billing.Micros(r.Amount), cur, r.ParentID, r.Note), req.IP)
	return askView(*r), nil
}

// TopUpAsks returns a page of top-up requests, pending first: with
// AsksOwn those of p's account, with AsksManaged those to p's account (a
// reseller's customers') or, for an admin, every account's.
func (s *Accounts) TopUpAsks(ctx context.Context, p Principal, scope, cursor string, limit int) (TopUpAskPage, error) {
	f := store.TopUpRequestFilter{AccountID: p.AccountID}
	switch scope {
	case AsksOwn:
	case AsksManaged:
		switch role(p) {
		case account.RoleAdmin:
			f = store.TopUpRequestFilter{Every: true}
		case account.RoleReseller:
			f = store.TopUpRequestFilter{ParentID: p.AccountID}
		default:
			return TopUpAskPage{}, Forbidden("only a reseller or an admin reads the requests made to it")
		}
	default:
		return TopUpAskPage{}, Invalid("scope", "scope is own or managed")
	}
	// The cursor is "p<id>" within the pending requests, "r<id>" within
	// the resolved ones.
	f.Pending = true
	if cursor != "" {
		n, err := strconv.ParseInt(cursor[1:], 10, 64)
		if err != nil || n <= 0 || (cursor[0] != 'p' && cursor[0] != 'r') {
			return TopUpAskPage{}, Invalid("cursor", "is not a cursor this API gave")
		}
		f.Pending, f.Before = cursor[0] == 'p', n
	}
	page := TopUpAskPage{Items: []TopUpAskView{}}
	for {
		f.Limit = limit - len(page.Items)
		rows, err := s.st.ListTopUpRequests(ctx, f)
		if err != nil {
			return TopUpAskPage{}, fmt.Errorf("app: top-up requests: %w", err)
		}
		for _, r := range rows {
			page.Items = append(page.Items, askView(r))
		}
		if len(rows) == f.Limit {
			mark := "r"
			if f.Pending {
				mark = "p"
			}
			page.NextCursor = mark + strconv.FormatInt(rows[len(rows)-1].ID, 10)
			return page, nil
		}
		if !f.Pending {
			return page, nil
		}
		f.Pending, f.Before = false, 0
	}
}

// DeclineTopUpAsk declines pending request id: the reseller above the
// account or an admin may.
func (s *Accounts) DeclineTopUpAsk(ctx context.Context, p Principal, id int64, ip string) (TopUpAskView, error) {
	r, err := s.st.GetTopUpRequest(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return TopUpAskView{}, errNoAsk
	}
	if err != nil {
		return TopUpAskView{}, err
	}
	if _, err := s.visible(ctx, p, r.AccountID); err != nil {
		if errors.Is(err, errNoAccount) {
			return TopUpAskView{}, errNoAsk
		}
		return TopUpAskView{}, err
	}
	if err := s.may(ctx, p, account.ActionSuspend, r.AccountID, "decline this request"); err != nil {
		return TopUpAskView{}, err
	}
	n, err := s.st.ResolveTopUpRequests(ctx, r.AccountID, id, store.TopUpDeclined, p.UserID)
	if err != nil {
		return TopUpAskView{}, err
	}
	if n == 0 {
		return TopUpAskView{}, refuse(KindConflict, "", "the request is "+r.Status+" already")
	}
	s.audit(ctx, p, r.AccountID, "balance.topup_request_decline", fmt.Sprintf("topup_request:%d", id),
		fmt.Sprintf("amount=%s %s", billing.Micros(r.Amount), r.Currency), ip)
	r, err = s.st.GetTopUpRequest(ctx, id)
	if err != nil {
		return TopUpAskView{}, err
	}
	return askView(r), nil
}

// resolveAsks marks account id's pending top-up requests topped up,
// after a top-up of it; a failure is logged, as the money has moved.
func (s *Accounts) resolveAsks(ctx context.Context, p Principal, id int64) {
	if _, err := s.st.ResolveTopUpRequests(ctx, id, 0, store.TopUpDone, p.UserID); err != nil {
		s.log.Warn("resolve top-up requests", "account_id", id, "err", err)
	}
}
