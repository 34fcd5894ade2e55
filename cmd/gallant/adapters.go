package main

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"strconv"
	"sync"
	"time"

	"github.com/gallant-sms/gallant/account"
	"github.com/gallant-sms/gallant/api"
	"github.com/gallant-sms/gallant/billing"
	"github.com/gallant-sms/gallant/gateway"
	"github.com/gallant-sms/gallant/smpp/pdutext"
	"github.com/gallant-sms/gallant/sms"
	"github.com/gallant-sms/gallant/store"
	"github.com/gallant-sms/gallant/webhook"
)

// The adapters below fit the services to the small interfaces package
// api declares; they only translate types and errors.

// apiAuth authenticates API keys through the account service and, when
// sessions is set, dashboard access tokens (identity.go).
type apiAuth struct {
	acc      *account.Service
	sessions *account.Sessions
}

func (a apiAuth) AuthenticateAPIKey(ctx context.Context, key string) (api.Principal, error) {
	if a.sessions != nil && account.LooksLikeAccessToken(key) {
		return authenticateSession(ctx, a.sessions, key)
	}
	p, err := a.acc.AuthenticateAPIKey(ctx, key)
	switch {
	case errors.Is(err, account.ErrUnauthorized):
		return api.Principal{}, api.ErrUnauthorized
	case errors.Is(err, account.ErrSuspended):
		return api.Principal{}, api.Forbidden("the account is suspended")
	case err != nil:
		return api.Principal{}, err
	}
	act := p.Actor()
	return api.Principal{AccountID: p.AccountID, KeyID: p.KeyID, Scopes: p.Scopes,
		Role: string(act.Role), CanSend: act.CanSend}, nil
}

// actorOf is the account.Actor an API caller acts as, for the account
// service's access policy.
func actorOf(p api.Principal) account.Actor {
	return account.Actor{UserID: p.UserID, AccountID: p.AccountID, Role: account.Role(p.Role), CanSend: p.CanSend,
		Unverified: p.Unverified}
}

// apiMessages serves the message endpoints from the gateway.
type apiMessages struct {
	gw      *gateway.Service
	st      *store.Store
	acc     *account.Service // refuses sends of unverified self-registered users
	tps     func(accountID int64) int
	billing bool // answers carry the price
}

// retryAfter is what a busy or rate-limited client is told to wait.
const retryAfter = time.Second

// apiError turns a gateway refusal into the API's problem.
func apiError(err error) error {
	var r *gateway.Refusal
	if !errors.As(err, &r) {
		return err
	}
	switch r.Problem {
	case gateway.ProblemInvalidNumber:
		return api.InvalidNumber(r.Field, r.Detail)
	case gateway.ProblemInvalidSender:
		return api.InvalidSender(r.Field, r.Detail)
	case gateway.ProblemInvalidURL:
		return api.InvalidURL(r.Field, r.Detail)
	case gateway.ProblemTooLong:
		return api.MessageTooLong(r.Field, r.Detail)
	case gateway.ProblemRateLimited:
		return api.RateLimited(r.Detail, retryAfter)
	case gateway.ProblemBackpressure:
		return api.Backpressure(r.Detail, retryAfter)
	case gateway.ProblemNoRoute:
		return api.NoRoute(r.Field, r.Detail)
	case gateway.ProblemSuppressed:
		return api.Suppressed(r.Field, r.Detail)
	case gateway.ProblemInternal:
		return api.Internal()
	case gateway.ProblemInsufficientBalance:
		return &api.Error{Type: gateway.ProblemInsufficientBalance, Title: "Insufficient balance", Status: 402, Detail: r.Detail}
	case gateway.ProblemScheduledLimit:
		return &api.Error{Type: gateway.ProblemScheduledLimit, Title: "Too many scheduled messages", Status: 422, Detail: r.Detail, Field: r.Field}
	case gateway.ProblemNotPriced:
		return &api.Error{Type: gateway.ProblemNotPriced, Title: "Destination not priced", Status: 422, Detail: r.Detail, Field: r.Field}
	}
	return api.InvalidRequest(r.Field, r.Detail)
}

// invalidURL turns a refusal of webhook.Guard into the API's invalid-url
// problem naming field; any other error (a cancelled context) is passed
// on.
func invalidURL(field string, err error) error {
	if ue, ok := errors.AsType[*webhook.URLError](err); ok {
		return api.InvalidURL(field, ue.Detail)
	}
	return err
}

func sendRequest(r api.SendRequest) gateway.SendRequest {
	return gateway.SendRequest{To: r.To, From: r.From, Text: r.Text, Binary: r.Binary, Encoding: r.Encoding,
		Flash: r.Flash, SendAt: r.SendAt, ValidUntil: r.ValidUntil, CallbackURL: r.CallbackURL,
		ClientRef: r.ClientRef, DeliveryReport: r.DeliveryReport}
}

func (a apiMessages) sendResult(r gateway.SendResult) api.SendResult {
	out := api.SendResult{ID: r.ID, Status: r.Status, Segments: r.Segments, Encoding: r.Encoding}
	if a.billing {
		p := r.Price
		out.Price = &p
	}
	return out
}

// verified refuses (email-unverified) a session of a self-registered
// user that has not verified its email yet.
func (a apiMessages) verified(p api.Principal) error {
	if a.acc != nil && a.acc.CheckVerified(actorOf(p)) != nil {
		return api.EmailUnverified()
	}
	return nil
}

func (a apiMessages) Send(ctx context.Context, p api.Principal, req api.SendRequest) (api.SendResult, error) {
	if err := a.verified(p); err != nil {
		return api.SendResult{}, err
	}
	res, err := a.gw.Send(ctx, p.AccountID, a.tps(p.AccountID), sendRequest(req))
	if err != nil {
		return api.SendResult{}, apiError(err)
	}
	return a.sendResult(res), nil
}

// Saturated lets the batch endpoint refuse a request before reading it
// when the gateway would refuse all of it.
func (a apiMessages) Saturated() bool { return a.gw.Saturated() }

var _ api.Saturation = apiMessages{}

func (a apiMessages) SendBatch(ctx context.Context, p api.Principal, reqs []api.SendRequest) ([]api.BatchItem, error) {
	if err := a.verified(p); err != nil {
		return nil, err
	}
	in := make([]gateway.SendRequest, len(reqs))
	for i := range reqs {
		in[i] = sendRequest(reqs[i])
	}
	res, errs := a.gw.SendBatch(ctx, p.AccountID, a.tps(p.AccountID), in)
	out := make([]api.BatchItem, len(reqs))
	for i := range out {
		if errs[i] != nil {
			out[i].Err = apiError(errs[i])
		} else {
			out[i].Result = a.sendResult(res[i])
		}
	}
	return out, nil
}

func (a apiMessages) Get(ctx context.Context, p api.Principal, id sms.ID) (api.MessageView, error) {
	m, events, err := a.gw.Message(ctx, p.AccountID, id)
	if errors.Is(err, store.ErrNotFound) {
		return api.MessageView{}, api.ErrNotFound
	}
	if err != nil {
		return api.MessageView{}, err
	}
	v := view(m, m.Status, m.CreatedAt)
	v.History = events
	if len(events) > 0 {
		v.UpdatedAt = events[len(events)-1].At
	}
	return v, nil
}

func (a apiMessages) List(ctx context.Context, p api.Principal, f api.ListFilter) (api.MessagePage, error) {
	sf := store.Filter{Status: f.Status, Dest: f.To, From: f.From, To: f.Until, Limit: f.Limit}
	if f.Cursor != "" {
		id, err := sms.ParseID(f.Cursor)
		if err != nil {
			return api.MessagePage{}, api.InvalidRequest("cursor", "malformed cursor")
		}
		sf.After = id
	}
	if sf.Dest != "" {
		if d, r := gateway.Destination(0, 0, sf.Dest); r == nil {
			sf.Dest = d.Addr
		}
	}
	items, next, err := a.gw.Messages(ctx, p.AccountID, sf)
	if err != nil {
		return api.MessagePage{}, err
	}
	page := api.MessagePage{Items: make([]api.MessageView, len(items))}
	for i := range items {
		page.Items[i] = view(&items[i].Message, items[i].Status, items[i].UpdatedAt)
	}
	if next != 0 {
		page.NextCursor = next.String()
	}
	return page, nil
}

// view shows a stored message through the API.
func view(m *sms.Message, st sms.Status, updated time.Time) api.MessageView {
	v := api.MessageView{ID: m.ID, To: "+" + m.Dest.Addr, From: m.Source.Addr, Segments: m.Segments,
		Status: st, DeliveryReport: m.RegisteredDelivery&0x03 != 0, SendAt: m.SendAt, ValidUntil: m.ValidUntil,
		CallbackURL: m.CallbackURL, ClientRef: m.ClientRef, CreatedAt: m.CreatedAt, UpdatedAt: updated}
	if m.Source.TON == 1 {
		v.From = "+" + v.From
	}
	dc := pdutext.DataCoding(m.DataCoding)
	if _, ok := dc.Class(); ok {
		if c, _ := dc.Class(); c == 0 {
			v.Flash = true
		}
	}
	switch dc.Alphabet() {
	case pdutext.AlphabetUCS2:
		v.Encoding = api.EncodingUCS2
	case pdutext.AlphabetBinary:
		v.Encoding = api.EncodingBinary
	default:
		v.Encoding = api.EncodingGSM7
	}
	if v.Encoding == api.EncodingBinary || m.HasUDH() {
		v.Binary = m.Body
	} else if t, err := pdutext.Decode(nil, m.Body, dc); err == nil {
		v.Text = string(t)
	}
	return v
}

// apiIdempotency keeps idempotent answers in the store for retention;
// an older record counts as absent (and is deleted), so the key sends
// again, as docs/api.md promises.
type apiIdempotency struct {
	st        *store.Store
	retention time.Duration
}

// idemEnvelope is how an API answer is kept in the store's response blob.
type idemEnvelope struct {
	ContentType string `json:"ct"`
	Location    string `json:"loc,omitempty"`
	Body        []byte `json:"body"`
}

func (a apiIdempotency) Get(ctx context.Context, accountID int64, key string) (api.IdempotencyRecord, bool, error) {
	r, err := a.st.GetIdempotent(ctx, accountID, key)
	if errors.Is(err, store.ErrNotFound) {
		return api.IdempotencyRecord{}, false, nil
	}
	if err != nil {
		return api.IdempotencyRecord{}, false, err
	}
	if cut := time.Now().Add(-a.retention); r.CreatedAt.Before(cut) {
		if _, err := a.st.ExpireIdempotent(ctx, accountID, key, cut); err != nil {
			return api.IdempotencyRecord{}, false, err
		}
		return api.IdempotencyRecord{}, false, nil
	}
	var env idemEnvelope
	if len(r.Response) > 0 {
		if err := json.Unmarshal(r.Response, &env); err != nil {
			return api.IdempotencyRecord{}, false, err
		}
	}
	rec := api.IdempotencyRecord{StatusCode: r.StatusCode, ContentType: env.ContentType, Location: env.Location,
		Body: env.Body, CreatedAt: r.CreatedAt}
	if h, err := hex.DecodeString(r.RequestHash); err == nil && len(h) == len(rec.RequestHash) {
		copy(rec.RequestHash[:], h)
	}
	return rec, true, nil
}

func (a apiIdempotency) Put(ctx context.Context, accountID int64, key string, rec api.IdempotencyRecord) error {
	resp, err := json.Marshal(idemEnvelope{ContentType: rec.ContentType, Location: rec.Location, Body: rec.Body})
	if err != nil {
		return err
	}
	err = a.st.PutIdempotent(ctx, &store.Idempotent{AccountID: accountID, Key: key,
		RequestHash: hex.EncodeToString(rec.RequestHash[:]), StatusCode: rec.StatusCode, Response: resp,
		CreatedAt: rec.CreatedAt})
	if errors.Is(err, store.ErrDuplicate) {
		return api.ErrIdempotencyConflict
	}
	return err
}

// accountTPS caches each account's rate limit for the HTTP path.
func accountTPS(st *store.Store) func(int64) int {
	type entry struct {
		tps     int
		expires time.Time
	}
	var mu sync.Mutex
	cache := map[int64]entry{}
	return func(id int64) int {
		now := time.Now()
		mu.Lock()
		e, ok := cache[id]
		mu.Unlock()
		if ok && now.Before(e.expires) {
			return e.tps
		}
		a, err := st.GetAccount(context.Background(), id)
		tps := 0
		if err == nil {
			tps = a.TPSLimit
		}
		mu.Lock()
		cache[id] = entry{tps: tps, expires: now.Add(30 * time.Second)}
		mu.Unlock()
		return tps
	}
}

// apiBilling serves the balance, ledger and pricing endpoints.
type apiBilling struct {
	st   *store.Store
	bill *gateway.Billing
}

func (b apiBilling) Balance(ctx context.Context, p api.Principal) (api.BalanceView, error) {
	a, err := b.st.GetBillingAccount(ctx, p.AccountID)
	if errors.Is(err, store.ErrNotFound) {
		return api.BalanceView{}, api.NotFound("the account has no prepaid balance yet")
	}
	if err != nil {
		return api.BalanceView{}, err
	}
	spendable, err := b.st.Spendable(ctx, p.AccountID)
	if err != nil {
		return api.BalanceView{}, err
	}
	return api.BalanceView{Currency: a.Currency, Balance: a.Balance, Held: a.Held, CreditLimit: a.CreditLimit,
		Available: spendable}, nil
}

func (b apiBilling) Ledger(ctx context.Context, p api.Principal, cursor string, limit int) (api.LedgerPage, error) {
	var after int64
	if cursor != "" {
		n, err := strconv.ParseInt(cursor, 10, 64)
		if err != nil || n < 0 {
			return api.LedgerPage{}, api.InvalidRequest("cursor", "malformed cursor")
		}
		after = n
	}
	rows, err := b.st.ListLedger(ctx, p.AccountID, after, limit)
	if err != nil {
		return api.LedgerPage{}, err
	}
	page := api.LedgerPage{Items: make([]api.LedgerItem, len(rows))}
	for i, r := range rows {
		page.Items[i] = api.LedgerItem{ID: r.ID, Kind: string(r.Kind), Amount: r.Amount, MessageID: r.MessageID,
			Reason: r.Reason, At: r.CreatedAt}
	}
	if len(rows) == limit {
		page.NextCursor = strconv.FormatInt(rows[len(rows)-1].ID, 10)
	}
	return page, nil
}

func (b apiBilling) Price(_ context.Context, p api.Principal, to string) (api.PriceView, error) {
	d, r := gateway.Destination(0, 0, to)
	if r != nil {
		return api.PriceView{}, api.InvalidNumber("to", r.Detail)
	}
	q, err := b.bill.Pricer.Price(p.AccountID, d.Addr, 1, time.Now())
	if errors.Is(err, billing.ErrNoPlan) || errors.Is(err, billing.ErrNoPrice) {
		return api.PriceView{}, &api.Error{Type: gateway.ProblemNotPriced, Title: "Destination not priced", Status: 422,
			Detail: "the account's price plan has no price for this destination", Field: "to"}
	}
	if err != nil {
		return api.PriceView{}, err
	}
	return api.PriceView{To: "+" + d.Addr, Currency: q.Currency, PerSegment: int64(q.PerSegment), PlanID: q.PlanID}, nil
}
