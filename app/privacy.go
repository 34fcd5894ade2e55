package app

import (
	"bufio"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gallant-sms/gallant/account"
	"github.com/gallant-sms/gallant/contact"
	"github.com/gallant-sms/gallant/gateway"
	"github.com/gallant-sms/gallant/sms"
	"github.com/gallant-sms/gallant/store"
)

// Privacy answers data-subject requests: the export of everything held
// about a phone number (or, for platform admins, a dashboard user) and
// the erasure of a number.
//
// Who may ask: a caller that may manage the account (an owner, or an API
// key with the admin scope, for its own account; a reseller for its own
// account and its sub-accounts, naming one with account_id; a platform
// admin for any account, and platform-wide when it names none). Members
// and keys without the admin scope may not. Every query is scoped to one
// account; a platform-wide request walks the accounts one by one.
//
// Each request is recorded (privacy_requests) and audited, with the
// number as a keyed hash, never in clear. See docs/security.md,
// "Data-subject requests", for what an erasure changes and keeps.
type Privacy struct {
	st  *store.Store
	acc *account.Service
	// cancel cancels the number's scheduled messages before they are
	// erased (the gateway: refunded, sender told); nil cancels them in
	// the store only (an instance without a gateway has no billing).
	cancel ScheduledCanceller
	log    *slog.Logger
	now    func() time.Time

	mu   sync.Mutex
	salt []byte // the store's privacy salt, read once
}

// ScheduledCanceller cancels a message still waiting for its send time
// (gateway.Service).
type ScheduledCanceller interface {
	CancelScheduled(account int64, id sms.ID) (bool, error)
}

// NewPrivacy returns the privacy service over st, acc's access policy and
// cancel (nil: see [Privacy]).
func NewPrivacy(st *store.Store, acc *account.Service, cancel ScheduledCanceller, log *slog.Logger) *Privacy {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Privacy{st: st, acc: acc, cancel: cancel, log: log, now: time.Now}
}

// exportPage is how many rows an export reads at a time, and eraseBatch
// how many messages one erasure transaction changes: a few hundred
// kilobytes per page, a transaction of well under a second.
var (
	exportPage = 500
	eraseBatch = 1000
)

// PrivacyQuery names the subject of a request and where to look.
type PrivacyQuery struct {
	// Phone is the number, in any form contact.NormalizePhone takes with
	// its country code ("+44 7700 900123").
	Phone string
	// UserID or Email name a dashboard user (platform admins only, for an
	// export); set one of Phone, UserID and Email.
	UserID int64
	Email  string
	// AccountID is the account to search (0: the caller's own, or every
	// account for a platform admin).
	AccountID int64
	// IP is the caller's address, for the audit log.
	IP string
}

// privacyScope is where a request looks: one account, or every account
// (accountID 0) for a platform admin.
type privacyScope struct {
	accountID int64
	platform  bool
}

// scope checks that p may make a data-subject request about account id
// (0: its own, or platform-wide for an admin).
func (s *Privacy) scope(ctx context.Context, p Principal, id int64) (privacyScope, error) {
	if p.Role != RoleAdmin && p.Role != RoleReseller && p.Role != RoleOwner {
		return privacyScope{}, Forbidden("data-subject requests need an owner, reseller or platform admin (or an API key with the admin scope)")
	}
	if id == 0 {
		if p.Role == RoleAdmin {
			return privacyScope{platform: true}, nil
		}
		id = p.AccountID
	}
	err := s.acc.Can(ctx, actorOf(p), account.ActionManage, id)
	switch {
	case errors.Is(err, account.ErrForbidden):
		return privacyScope{}, Forbidden("you may not make data-subject requests about this account")
	case errors.Is(err, account.ErrEmailUnverified):
		return privacyScope{}, refuse(KindEmailUnverified, "", "verify your email address first")
	case err != nil:
		return privacyScope{}, fmt.Errorf("privacy: check access: %w", err)
	}
	return privacyScope{accountID: id}, nil
}

// accounts calls f with each account of sc: its one account, or every
// account and then 0 (the MOs no number routed) when platform-wide.
func (s *Privacy) accounts(ctx context.Context, sc privacyScope, f func(id int64) error) error {
	if !sc.platform {
		return f(sc.accountID)
	}
	var after int64
	for {
		page, err := s.st.ListAccounts(ctx, 0, after, 500)
		if err != nil {
			return fmt.Errorf("privacy: list accounts: %w", err)
		}
		for _, a := range page {
			if err := f(a.ID); err != nil {
				return err
			}
			after = a.ID
		}
		if len(page) < 500 {
			return f(0)
		}
	}
}

// normalizePhone checks and normalizes the number of a request.
func normalizePhone(raw string) (string, error) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return "", Invalid("phone", "give the number, with its country code (such as +447700900123)")
	}
	if len(raw) > 32 {
		return "", Invalid("phone", "a number has at most 15 digits")
	}
	phone, err := contact.NormalizePhone(raw, "")
	if err != nil {
		return "", Invalid("phone", "not an E.164 number: give 7 to 15 digits with the country code, such as +447700900123")
	}
	return phone, nil
}

// keyed returns the hex HMAC-SHA-256 of what under the store's salt.
func (s *Privacy) keyed(ctx context.Context, what string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.salt == nil {
		salt, err := s.st.PrivacySalt(ctx)
		if err != nil {
			return "", fmt.Errorf("privacy: %w", err)
		}
		s.salt = salt
	}
	m := hmac.New(sha256.New, s.salt)
	m.Write([]byte(what))
	return hex.EncodeToString(m.Sum(nil)), nil
}

// SubjectHash returns the keyed hash by which requests and audit entries
// name phone (E.164 digits): 64 hex digits, the same for the same number
// on every instance, which nobody without the store's salt can turn back
// into the number.
func (s *Privacy) SubjectHash(ctx context.Context, phone string) (string, error) {
	return s.keyed(ctx, "subject:"+phone)
}

// ErasedToken returns what phone (E.164 digits) becomes where an erased
// row stays: its first three digits (the country code, which statements
// and usage by destination group by), "*", and 16 hex digits of a keyed
// hash. It is 20 characters, fits every number column, can never be a
// number (so nothing is sent to it and a later message to the number is
// not confused with it), and is the same for the same number, so erased
// rows of one number still count as one recipient and a second erasure
// changes nothing.
func (s *Privacy) ErasedToken(ctx context.Context, phone string) (string, error) {
	h, err := s.keyed(ctx, "token:"+phone)
	if err != nil {
		return "", err
	}
	return phone[:3] + "*" + h[:16], nil
}

// record writes the request and its audit entry. A failure is returned:
// an unrecorded erasure must not look like a recorded one.
func (s *Privacy) record(ctx context.Context, p Principal, sc privacyScope, kind, subjectKind, subject string, rows int64, ip string) (int64, error) {
	r := &store.PrivacyRequest{AccountID: sc.accountID, ActorAccountID: p.AccountID, ActorUserID: p.UserID,
		ActorKeyID: p.KeyID, Kind: kind, SubjectKind: subjectKind, Subject: subject, Rows: rows}
	if err := s.st.AddPrivacyRequest(ctx, r); err != nil {
		return 0, fmt.Errorf("privacy: record the request: %w", err)
	}
	where := "account:" + strconv.FormatInt(sc.accountID, 10)
	if sc.platform {
		where = "platform"
	}
	details := fmt.Sprintf("request=%d scope=%s rows=%d", r.ID, where, rows)
	if p.UserID == 0 && p.KeyID != 0 {
		details += fmt.Sprintf(" by_key=%d by_account=%d", p.KeyID, p.AccountID)
	}
	if err := s.st.AppendAudit(ctx, &store.AuditEntry{AccountID: sc.accountID, ActorUserID: p.UserID,
		Action: "privacy." + kind, Target: subjectKind + ":" + subject, Details: details, IP: ip}); err != nil {
		return r.ID, fmt.Errorf("privacy: audit the request: %w", err)
	}
	return r.ID, nil
}

// EraseResult answers POST /v1/privacy/erase.
type EraseResult struct {
	// RequestID is the privacy_requests row that records the erasure.
	RequestID string `json:"request_id"`
	// Subject is the number's keyed hash, as requests list it.
	Subject string `json:"subject"`
	// Token is what the number became in the rows that stay.
	Token string `json:"token"`
	// Rows counts the rows changed or deleted, by table; Cancelled the
	// scheduled messages cancelled first.
	Rows      map[string]int64 `json:"rows"`
	Cancelled int64            `json:"cancelled"`
	Total     int64            `json:"total"`
}

// Erase erases q.Phone from the data of q.AccountID (see [Privacy] for
// who may; platform-wide for an admin naming no account): scheduled
// messages to it are cancelled, then [store.Store.EraseNumber] redacts it
// account by account. Opt-outs are kept, so the number stays blocked.
// Running it again is harmless.
func (s *Privacy) Erase(ctx context.Context, p Principal, q PrivacyQuery) (EraseResult, error) {
	if q.UserID != 0 || q.Email != "" {
		return EraseResult{}, Invalid("phone", "an erasure names a phone number")
	}
	phone, err := normalizePhone(q.Phone)
	if err != nil {
		return EraseResult{}, err
	}
	sc, err := s.scope(ctx, p, q.AccountID)
	if err != nil {
		return EraseResult{}, err
	}
	subject, err := s.SubjectHash(ctx, phone)
	if err != nil {
		return EraseResult{}, err
	}
	token, err := s.ErasedToken(ctx, phone)
	if err != nil {
		return EraseResult{}, err
	}
	res := EraseResult{Subject: subject, Token: token, Rows: map[string]int64{}}
	err = s.accounts(ctx, sc, func(id int64) error {
		n, err := s.cancelScheduled(ctx, id, phone)
		res.Cancelled += n
		if err != nil {
			return err
		}
		counts, err := s.st.EraseNumber(ctx, id, phone, token, eraseBatch)
		for k, v := range counts {
			res.Rows[k] += v
		}
		if err != nil {
			return fmt.Errorf("privacy: erase in account %d: %w", id, err)
		}
		return nil
	})
	for _, v := range res.Rows {
		res.Total += v
	}
	res.Total += res.Cancelled
	// Recorded even when it failed part way: what it did is done.
	reqID, rerr := s.record(context.WithoutCancel(ctx), p, sc, "erase", "phone", subject, res.Total, q.IP)
	if err = errors.Join(err, rerr); err != nil {
		return EraseResult{}, err
	}
	res.RequestID = strconv.FormatInt(reqID, 10)
	return res, nil
}

// cancelScheduled cancels account id's messages to phone that wait for
// their send time, and returns how many.
func (s *Privacy) cancelScheduled(ctx context.Context, id int64, phone string) (int64, error) {
	var n int64
	// Each round cancels what it finds; one that cancels nothing new ends
	// it (a message sent meanwhile is no longer waiting).
	for range 1000 {
		ids, err := s.st.ScheduledTo(ctx, id, phone, 1000)
		if err != nil {
			return n, fmt.Errorf("privacy: scheduled messages: %w", err)
		}
		progress := false
		for _, mid := range ids {
			var ok bool
			if s.cancel != nil {
				ok, err = s.cancel.CancelScheduled(id, mid)
			} else {
				ok, err = s.st.CancelScheduled(ctx, id, mid, sms.Event{MessageID: mid, Status: sms.StatusRejected,
					At: s.now().UTC(), ErrorCode: "cancelled"})
			}
			if err != nil {
				return n, fmt.Errorf("privacy: cancel scheduled message %v: %w", mid, err)
			}
			if ok {
				n++
				progress = true
			}
		}
		if len(ids) == 0 || !progress {
			return n, nil
		}
	}
	return n, nil
}

// PrepareExport checks q and p's rights and returns the function that
// writes the export as JSON to w, a page of the store at a time, and
// records the request once it is written. Errors it returns (bad number,
// missing rights) come before anything is written.
func (s *Privacy) PrepareExport(ctx context.Context, p Principal, q PrivacyQuery) (func(ctx context.Context, w io.Writer) error, error) {
	if q.UserID != 0 || q.Email != "" {
		return s.prepareUserExport(ctx, p, q)
	}
	phone, err := normalizePhone(q.Phone)
	if err != nil {
		return nil, err
	}
	sc, err := s.scope(ctx, p, q.AccountID)
	if err != nil {
		return nil, err
	}
	subject, err := s.SubjectHash(ctx, phone)
	if err != nil {
		return nil, err
	}
	return func(ctx context.Context, w io.Writer) error {
		jw := &jsonWriter{w: bufio.NewWriterSize(w, 32<<10)}
		head := map[string]any{"kind": "phone", "number": "+" + phone, "subject": subject}
		if sc.platform {
			head["scope"] = "platform"
		} else {
			head["scope"] = "account"
			head["account_id"] = strconv.FormatInt(sc.accountID, 10)
		}
		jw.raw(`{"subject":`)
		jw.value(head)
		jw.raw(`,"generated_at":`)
		jw.value(s.now().UTC())
		// A failure leaves the document unclosed, so a reader cannot take
		// a cut-short export for a whole one.
		err := s.exportPhone(ctx, jw, sc, phone, subject)
		if err == nil {
			jw.raw("}\n")
			err = jw.flush()
		}
		if _, rerr := s.record(context.WithoutCancel(ctx), p, sc, "export", "phone", subject, jw.items, q.IP); rerr != nil {
			err = errors.Join(err, rerr)
		}
		return err
	}, nil
}

// exportPhone writes the sections of a number's export.
func (s *Privacy) exportPhone(ctx context.Context, jw *jsonWriter, sc privacyScope, phone, subject string) error {
	sections := []struct {
		name  string
		write func(id int64) error
	}{
		{"messages", func(id int64) error {
			var after sms.ID
			for {
				page, err := s.st.SubjectMessages(ctx, id, phone, after, exportPage)
				if err != nil {
					return err
				}
				for i := range page {
					jw.item(subjectMessageView(&page[i]))
					after = page[i].ID
				}
				if err := jw.err; err != nil || len(page) < exportPage {
					return err
				}
			}
		}},
		{"inbound", func(id int64) error {
			var after sms.ID
			for {
				page, err := s.st.SubjectInbound(ctx, id, phone, after, exportPage)
				if err != nil {
					return err
				}
				for i := range page {
					m := &page[i]
					jw.item(PrivacyInbound{ID: m.ID, AccountID: m.AccountID, From: "+" + m.Source.Addr, To: m.Dest.Addr,
						Text: gateway.DecodeText(m.Body, m.DataCoding), Keyword: m.Keyword, ReceivedAt: m.ReceivedAt.UTC()})
					after = m.ID
				}
				if err := jw.err; err != nil || len(page) < exportPage {
					return err
				}
			}
		}},
		{"contacts", func(id int64) error {
			c, err := s.st.ContactByPhone(ctx, id, phone)
			if errors.Is(err, store.ErrNotFound) {
				return nil
			}
			if err != nil {
				return err
			}
			lists, err := s.st.ContactListsOf(ctx, id, c.ID)
			if err != nil {
				return err
			}
			v := PrivacyContact{ID: c.ID, AccountID: c.AccountID, Phone: "+" + c.Phone, FirstName: c.FirstName,
				LastName: c.LastName, Email: c.Email, Language: c.Language, TimeZone: c.TimeZone,
				Fields: json.RawMessage(c.Fields), Tags: c.Tags, ExternalID: c.ExternalID, Lists: []PrivacyList{}, CreatedAt: c.CreatedAt.UTC(),
				UpdatedAt: c.UpdatedAt.UTC()}
			if !json.Valid(v.Fields) {
				v.Fields = json.RawMessage("{}")
			}
			for _, l := range lists {
				v.Lists = append(v.Lists, PrivacyList{ID: l.ID, Name: l.Name})
			}
			jw.item(v)
			return jw.err
		}},
		{"campaign_recipients", func(id int64) error {
			var after int64
			for {
				page, err := s.st.SubjectRecipients(ctx, id, phone, after, exportPage)
				if err != nil {
					return err
				}
				for _, r := range page {
					v := PrivacyRecipient{AccountID: id, CampaignID: r.CampaignID, Step: r.Step, Reason: r.Reason}
					if r.MessageID != 0 {
						v.MessageID = sms.ID(r.MessageID).String()
					}
					if !r.SentAt.IsZero() {
						t := r.SentAt.UTC()
						v.SentAt = &t
					}
					jw.item(v)
					after = r.ID
				}
				if err := jw.err; err != nil || len(page) < exportPage {
					return err
				}
			}
		}},
		{"opt_outs", func(id int64) error {
			rows, err := s.st.OptOutHistory(ctx, id, phone, 1000)
			if err != nil {
				return err
			}
			for _, o := range rows {
				// Platform-wide rows (account 0) show once: with account 0
				// itself, or with the one account asked about.
				if o.AccountID != id && (sc.platform || o.AccountID != 0) {
					continue
				}
				jw.item(PrivacyOptOut{AccountID: o.AccountID, Number: "+" + o.Number, Scope: optOutScopeName(o.Scope),
					Sender: o.Sender, OptedOut: o.OptedOut, Source: o.Source, Keyword: o.Keyword, At: o.CreatedAt.UTC()})
			}
			return jw.err
		}},
		{"audit", func(id int64) error {
			var before int64
			for {
				page, err := s.st.SubjectAudit(ctx, id, phone, []string{"phone:" + subject}, before, exportPage)
				if err != nil {
					return err
				}
				for _, e := range page {
					jw.item(AuditItem{ID: e.ID, AccountID: e.AccountID, ActorUserID: e.ActorUserID, Action: e.Action,
						Target: e.Target, Details: e.Details, IP: e.IP, At: e.At.UTC()})
					before = e.ID
				}
				if err := jw.err; err != nil || len(page) < exportPage {
					return err
				}
			}
		}},
	}
	for _, sec := range sections {
		jw.raw(`,"` + sec.name + `":[`)
		jw.first = true
		if err := s.accounts(ctx, sc, sec.write); err != nil {
			return fmt.Errorf("privacy: export %s: %w", sec.name, err)
		}
		jw.raw("]")
		if jw.err != nil {
			return jw.err
		}
	}
	return nil
}

// optOutScopeName names an opt-out ledger scope as the API does.
func optOutScopeName(scope uint8) string {
	switch scope {
	case 1:
		return "global"
	case 3:
		return "number"
	}
	return "account"
}

// prepareUserExport is PrepareExport for a dashboard user: platform
// admins only.
func (s *Privacy) prepareUserExport(ctx context.Context, p Principal, q PrivacyQuery) (func(ctx context.Context, w io.Writer) error, error) {
	if q.Phone != "" || (q.UserID != 0 && q.Email != "") {
		return nil, Invalid("user_id", "name one subject: a phone, a user id or an email")
	}
	if p.Role != RoleAdmin {
		return nil, Forbidden("exports about a dashboard user are for platform admins")
	}
	var (
		u   *store.User
		err error
	)
	if q.UserID != 0 {
		u, err = s.st.GetUser(ctx, q.UserID)
	} else {
		u, err = s.st.UserByEmail(ctx, strings.ToLower(strings.TrimSpace(q.Email)))
	}
	if errors.Is(err, store.ErrNotFound) {
		return nil, NotFound("no such user")
	}
	if err != nil {
		return nil, fmt.Errorf("privacy: read the user: %w", err)
	}
	sc := privacyScope{accountID: u.AccountID}
	subject := "user:" + strconv.FormatInt(u.ID, 10)
	return func(ctx context.Context, w io.Writer) error {
		jw := &jsonWriter{w: bufio.NewWriterSize(w, 32<<10)}
		jw.raw(`{"subject":`)
		jw.value(map[string]any{"kind": "user", "user_id": strconv.FormatInt(u.ID, 10)})
		jw.raw(`,"generated_at":`)
		jw.value(s.now().UTC())
		v := PrivacyUser{ID: u.ID, AccountID: u.AccountID, Email: u.Email, Role: u.Role, CanSend: u.CanSend,
			SelfRegistered: u.SelfRegistered, CreatedAt: u.CreatedAt.UTC()}
		if !u.EmailVerifiedAt.IsZero() {
			t := u.EmailVerifiedAt.UTC()
			v.EmailVerifiedAt = &t
		}
		if !u.DisabledAt.IsZero() {
			t := u.DisabledAt.UTC()
			v.DisabledAt = &t
		}
		jw.raw(`,"user":`)
		jw.value(v)
		jw.items++
		err := s.exportUser(ctx, jw, u)
		if err == nil {
			jw.raw("}\n")
			err = jw.flush()
		}
		if _, rerr := s.record(context.WithoutCancel(ctx), p, sc, "export", "user", subject, jw.items, q.IP); rerr != nil {
			err = errors.Join(err, rerr)
		}
		return err
	}, nil
}

// exportUser writes a user's sessions and audit entries.
func (s *Privacy) exportUser(ctx context.Context, jw *jsonWriter, u *store.User) error {
	jw.raw(`,"sessions":[`)
	jw.first = true
	var after int64
	for {
		page, err := s.st.UserSessions(ctx, u.ID, after, exportPage)
		if err != nil {
			return fmt.Errorf("privacy: export sessions: %w", err)
		}
		for _, ss := range page {
			v := PrivacySession{ID: ss.ID, CreatedAt: ss.CreatedAt.UTC(), ExpiresAt: ss.ExpiresAt.UTC()}
			if !ss.RevokedAt.IsZero() {
				t := ss.RevokedAt.UTC()
				v.RevokedAt = &t
			}
			jw.item(v)
			after = ss.ID
		}
		if jw.err != nil {
			return jw.err
		}
		if len(page) < exportPage {
			break
		}
	}
	jw.raw(`],"audit":[`)
	jw.first = true
	targets := []string{"user:" + strconv.FormatInt(u.ID, 10), "email:" + u.Email}
	var before int64
	for {
		page, err := s.st.UserAudit(ctx, u.ID, targets, before, exportPage)
		if err != nil {
			return fmt.Errorf("privacy: export audit: %w", err)
		}
		for _, e := range page {
			jw.item(AuditItem{ID: e.ID, AccountID: e.AccountID, ActorUserID: e.ActorUserID, Action: e.Action,
				Target: e.Target, Details: e.Details, IP: e.IP, At: e.At.UTC()})
			before = e.ID
		}
		if jw.err != nil {
			return jw.err
		}
		if len(page) < exportPage {
			break
		}
	}
	jw.raw("]")
	return jw.err
}

// PrivacyRequestView is one recorded request as GET /v1/privacy/requests
// lists it.
type PrivacyRequestView struct {
	ID             int64     `json:"id,string"`
	AccountID      int64     `json:"account_id,string"`
	ActorAccountID int64     `json:"actor_account_id,string"`
	ActorUserID    int64     `json:"actor_user_id,string,omitempty"`
	ActorKeyID     int64     `json:"actor_key_id,string,omitempty"`
	Kind           string    `json:"kind"`
	SubjectKind    string    `json:"subject_kind"`
	Subject        string    `json:"subject"`
	Rows           int64     `json:"rows"`
	CreatedAt      time.Time `json:"created_at"`
}

// PrivacyRequestPage is a page of requests, newest first; NextBefore is
// the before= of the next page (empty on the last).
type PrivacyRequestPage struct {
	Items      []PrivacyRequestView `json:"items"`
	NextBefore string               `json:"next_before,omitempty"`
}

// Requests lists the requests about account accountID (0: the caller's
// own, or every account's for a platform admin), newest first, with ids
// below before (0: from the newest). The same rights as a request apply.
func (s *Privacy) Requests(ctx context.Context, p Principal, accountID, before int64, limit int) (PrivacyRequestPage, error) {
	sc, err := s.scope(ctx, p, accountID)
	if err != nil {
		return PrivacyRequestPage{}, err
	}
	id := sc.accountID
	if sc.platform {
		id = store.AuditAllAccounts
	}
	if limit <= 0 {
		limit = 100
	}
	rows, err := s.st.PrivacyRequests(ctx, id, before, limit)
	if err != nil {
		return PrivacyRequestPage{}, fmt.Errorf("privacy: list requests: %w", err)
	}
	page := PrivacyRequestPage{Items: make([]PrivacyRequestView, 0, len(rows))}
	for _, r := range rows {
		page.Items = append(page.Items, PrivacyRequestView{ID: r.ID, AccountID: r.AccountID,
			ActorAccountID: r.ActorAccountID, ActorUserID: r.ActorUserID, ActorKeyID: r.ActorKeyID, Kind: r.Kind,
			SubjectKind: r.SubjectKind, Subject: r.Subject, Rows: r.Rows, CreatedAt: r.CreatedAt.UTC()})
	}
	if len(rows) == limit {
		page.NextBefore = strconv.FormatInt(rows[len(rows)-1].ID, 10)
	}
	return page, nil
}

// jsonWriter writes an export's JSON a value at a time, keeping the
// first error.
type jsonWriter struct {
	w     *bufio.Writer
	err   error
	first bool  // the next item opens its array
	items int64 // the items written
}

func (j *jsonWriter) raw(s string) {
	if j.err == nil {
		_, j.err = j.w.WriteString(s)
	}
}

func (j *jsonWriter) value(v any) {
	if j.err != nil {
		return
	}
	b, err := json.Marshal(v)
	if err != nil {
		j.err = fmt.Errorf("privacy: encode: %w", err)
		return
	}
	_, j.err = j.w.Write(b)
}

// item writes v as the next element of the open array.
func (j *jsonWriter) item(v any) {
	if !j.first {
		j.raw(",")
	}
	j.first = false
	j.value(v)
	j.items++
}

func (j *jsonWriter) flush() error {
	if j.err != nil {
		return j.err
	}
	return j.w.Flush()
}
