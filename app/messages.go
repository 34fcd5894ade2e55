package app

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"strings"
	"time"

	"github.com/gallant-sms/gallant/account"
	"github.com/gallant-sms/gallant/gateway"
	"github.com/gallant-sms/gallant/sms"
	"github.com/gallant-sms/gallant/store"
	"github.com/gallant-sms/gallant/webhook"
)

// Auth authenticates API keys through the account service and, when
// sessions is set, dashboard access tokens.
type Auth struct {
	acc      *account.Service
	sessions *account.Sessions
}

// AuthenticateAPIKey returns the caller owning key: an API key, or a
// dashboard access token when sessions are on.
func (a Auth) AuthenticateAPIKey(ctx context.Context, key string) (Principal, error) {
	if a.sessions != nil && account.LooksLikeAccessToken(key) {
		return authenticateSession(ctx, a.sessions, key)
	}
	p, err := a.acc.AuthenticateAPIKey(ctx, key)
	switch {
	case errors.Is(err, account.ErrUnauthorized):
		return Principal{}, unauthorized("the API key is not valid")
	case errors.Is(err, account.ErrSuspended):
		return Principal{}, Forbidden("the account is suspended")
	case err != nil:
		return Principal{}, err
	}
	act := p.Actor()
	return Principal{AccountID: p.AccountID, KeyID: p.KeyID, Scopes: p.Scopes,
		Role: string(act.Role), CanSend: act.CanSend}, nil
}

// actorOf is the account.Actor an API caller acts as, for the account
// service's access policy.
func actorOf(p Principal) account.Actor {
	return account.Actor{UserID: p.UserID, AccountID: p.AccountID, Role: account.Role(p.Role), CanSend: p.CanSend,
		Unverified: p.Unverified}
}

// Messages serves the message endpoints from the gateway.
type Messages struct {
	gw      *gateway.Service
	st      *store.Store
	acc     *account.Service // refuses sends of unverified self-registered users
	billing bool             // answers carry the price
}

// invalidURL turns a refusal of webhook.Guard into the API's invalid-url
// problem naming field; any other error (a cancelled context) is passed
// on.
func invalidURL(field string, err error) error {
	if ue, ok := errors.AsType[*webhook.URLError](err); ok {
		return invalidURLRefusal(field, ue.Detail)
	}
	return err
}

func (a Messages) sendResult(r gateway.SendResult) SendResult {
	out := SendResult{ID: r.ID, Status: r.Status, Segments: r.Segments, Encoding: r.Encoding}
	if a.billing {
		p := r.Price
		out.Price = &p
	}
	return out
}

// verified refuses (email-unverified) a session of a self-registered
// user that has not verified its email yet.
func (a Messages) verified(p Principal) error {
	if a.acc != nil && a.acc.CheckVerified(actorOf(p)) != nil {
		return refuse(KindEmailUnverified, "", "verify your email address first")
	}
	return nil
}

// Send accepts one message for p's account (in durable mode, once it is
// committed).
func (a Messages) Send(ctx context.Context, p Principal, req gateway.SendRequest) (SendResult, error) {
	if err := a.verified(p); err != nil {
		return SendResult{}, err
	}
	res, err := a.gw.Send(ctx, p.AccountID, a.acc.TPSLimit(p.AccountID), req)
	if err != nil {
		return SendResult{}, err
	}
	return a.sendResult(res), nil
}

// Saturated lets the batch endpoint refuse a request before reading it
// when the gateway would refuse all of it.
func (a Messages) Saturated() bool { return a.gw.Saturated() }

// SendBatch accepts several messages for p's account, one result or
// refusal per request, in order.
func (a Messages) SendBatch(ctx context.Context, p Principal, reqs []gateway.SendRequest) ([]BatchItem, error) {
	if err := a.verified(p); err != nil {
		return nil, err
	}
	res, errs := a.gw.SendBatch(ctx, p.AccountID, a.acc.TPSLimit(p.AccountID), reqs)
	out := make([]BatchItem, len(reqs))
	for i := range out {
		if errs[i] != nil {
			out[i].Err = errs[i]
		} else {
			out[i].Result = a.sendResult(res[i])
		}
	}
	return out, nil
}

// Get returns one of p's messages with its status history.
func (a Messages) Get(ctx context.Context, p Principal, id sms.ID) (MessageView, error) {
	m, events, err := a.gw.Message(ctx, p.AccountID, id)
	if errors.Is(err, store.ErrNotFound) {
		return MessageView{}, NotFound("no such message")
	}
	if err != nil {
		return MessageView{}, err
	}
	v := a.view(m, m.CreatedAt)
	v.History = eventViews(events)
	if len(events) > 0 {
		v.UpdatedAt = events[len(events)-1].At
	}
	return v, nil
}

// List returns p's messages matching f, newest first.
func (a Messages) List(ctx context.Context, p Principal, f ListFilter) (MessagePage, error) {
	sf := store.Filter{Status: f.Status, Dest: f.To, Source: strings.TrimPrefix(f.Sender, "+"), Campaign: f.Campaign,
		From: f.From, To: f.Until, Limit: f.Limit}
	if f.Cursor != "" {
		id, err := sms.ParseID(f.Cursor)
		if err != nil {
			return MessagePage{}, Invalid("cursor", "malformed cursor")
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
		return MessagePage{}, err
	}
	page := MessagePage{Items: make([]MessageView, len(items))}
	for i := range items {
		page.Items[i] = a.view(&items[i].Message, items[i].UpdatedAt)
	}
	if next != 0 {
		page.NextCursor = next.String()
	}
	return page, nil
}

// view shows a stored message (with its current status in m.Status)
// through the API, with its price once billing exists (as sending
// answers it).
func (a Messages) view(m *sms.Message, updated time.Time) MessageView {
	v := MessageView{ID: m.ID, To: "+" + m.Dest.Addr, From: m.Source.Addr, Segments: m.Segments,
		Status: m.Status, DeliveryReport: m.RegisteredDelivery&0x03 != 0, SendAt: m.SendAt, ValidUntil: m.ValidUntil,
		CallbackURL: m.CallbackURL, ClientRef: m.ClientRef, CreatedAt: m.CreatedAt, UpdatedAt: updated}
	if m.Source.TON == 1 {
		v.From = "+" + v.From
	}
	if a.billing {
		p := m.Price
		v.Price = &p
	}
	d := gateway.Decode(m)
	v.Encoding, v.Text, v.Binary, v.Flash = d.Encoding, d.Text, d.Binary, d.Flash
	return v
}

// Idempotency keeps idempotent answers in the store for retention;
// an older record counts as absent (and is deleted), so the key sends
// again, as docs/api.md promises.
type Idempotency struct {
	st        *store.Store
	retention time.Duration
}

// idemEnvelope is how an API answer is kept in the store's response blob.
type idemEnvelope struct {
	ContentType string `json:"ct"`
	Location    string `json:"loc,omitempty"`
	Body        []byte `json:"body"`
}

// Get returns the answer stored under (accountID, key), if any and not
// older than the retention.
func (a Idempotency) Get(ctx context.Context, accountID int64, key string) (IdempotencyRecord, bool, error) {
	r, err := a.st.GetIdempotent(ctx, accountID, key)
	if errors.Is(err, store.ErrNotFound) {
		return IdempotencyRecord{}, false, nil
	}
	if err != nil {
		return IdempotencyRecord{}, false, err
	}
	if cut := time.Now().Add(-a.retention); r.CreatedAt.Before(cut) {
		if _, err := a.st.ExpireIdempotent(ctx, accountID, key, cut); err != nil {
			return IdempotencyRecord{}, false, err
		}
		return IdempotencyRecord{}, false, nil
	}
	var env idemEnvelope
	if len(r.Response) > 0 {
		if err := json.Unmarshal(r.Response, &env); err != nil {
			return IdempotencyRecord{}, false, err
		}
	}
	rec := IdempotencyRecord{StatusCode: r.StatusCode, ContentType: env.ContentType, Location: env.Location,
		Body: env.Body, CreatedAt: r.CreatedAt}
	if h, err := hex.DecodeString(r.RequestHash); err == nil && len(h) == len(rec.RequestHash) {
		copy(rec.RequestHash[:], h)
	}
	return rec, true, nil
}

// Put stores rec under (accountID, key); a key already stored is
// [ErrIdempotencyConflict].
func (a Idempotency) Put(ctx context.Context, accountID int64, key string, rec IdempotencyRecord) error {
	resp, err := json.Marshal(idemEnvelope{ContentType: rec.ContentType, Location: rec.Location, Body: rec.Body})
	if err != nil {
		return err
	}
	err = a.st.PutIdempotent(ctx, &store.Idempotent{AccountID: accountID, Key: key,
		RequestHash: hex.EncodeToString(rec.RequestHash[:]), StatusCode: rec.StatusCode, Response: resp,
		CreatedAt: rec.CreatedAt})
	if errors.Is(err, store.ErrDuplicate) {
		return ErrIdempotencyConflict
	}
	return err
}
