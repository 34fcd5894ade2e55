package app

import (
	"bufio"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/gallant-sms/gallant/consent"
	"github.com/gallant-sms/gallant/gateway"
	"github.com/gallant-sms/gallant/store"
	"github.com/gallant-sms/gallant/webhook"
)

// OptOuts manages opt-outs through the API: an account records that
// numbers may no longer be messaged by it (scope "account") or by one of
// its senders (scope "number"); a platform admin also platform-wide
// ("global"). Everything goes to the consent ledger, which every instance
// enforces within a second; nothing is ever overwritten (an opt-in again
// is a row of its own).
//
// An account may lift only what it recorded itself (source api or
// import): a number that opted out by keyword, through its carrier or a
// do-not-disturb registry opts in again itself (START), or an operator
// lifts it.
type OptOuts struct {
	st     *store.Store
	ledger *consent.Ledger
}

// MaxOptOutsPerRequest bounds the numbers of one POST /v1/opt-outs (CSV
// imports take more).
const MaxOptOutsPerRequest = 1000

// OptOutInput is the body of POST /v1/opt-outs: one number or many, at a
// scope ("account" when empty), with the sender for scope "number".
type OptOutInput struct {
	Number  string   `json:"number,omitempty"`
	Numbers []string `json:"numbers,omitempty"`
	Scope   string   `json:"scope,omitempty"`
	Sender  string   `json:"sender,omitempty"`
}

// OptOutResult answers POST /v1/opt-outs: the numbers recorded, as E.164
// digits, at their scope.
type OptOutResult struct {
	Recorded int      `json:"recorded"`
	Numbers  []string `json:"numbers"`
	Scope    string   `json:"scope"`
	Sender   string   `json:"sender,omitempty"`
}

// OptOutEntry is one ledger row as the API shows it.
type OptOutEntry struct {
	Number   string    `json:"number"`
	Scope    string    `json:"scope"`
	Sender   string    `json:"sender,omitempty"`
	OptedOut bool      `json:"opted_out"`
	Source   string    `json:"source"`
	Keyword  string    `json:"keyword,omitempty"`
	At       time.Time `json:"at"`
}

// OptOutPage is a page of current opt-outs; NextCursor is empty on the
// last page.
type OptOutPage struct {
	Data       []OptOutEntry `json:"data"`
	NextCursor string        `json:"next_cursor,omitempty"`
}

// OptOutStatus answers GET /v1/opt-outs/{number}: whether the account may
// message the number now (Blocked, and the scopes that hold it: a
// do-not-disturb registry shows as "registry:CC"), and the
// number's history for the account and platform-wide, newest first.
type OptOutStatus struct {
	Number  string        `json:"number"`
	Blocked bool          `json:"blocked"`
	Scopes  []string      `json:"scopes"`
	History []OptOutEntry `json:"history"`
}

// optOutHistoryLen bounds the history shown for one number.
const optOutHistoryLen = 100

func entryOf(r *store.OptOut) OptOutEntry {
	return OptOutEntry{Number: r.Number, Scope: consent.Scope(r.Scope).String(), Sender: r.Sender, OptedOut: r.OptedOut,
		Source: r.Source, Keyword: r.Keyword, At: r.CreatedAt}
}

// optOutHooks returns what the consent ledger calls with the rows it
// recorded: each opt-out of one account's (account or sender scope) is a
// contact.opted_out event of that account, its data an [OptOutEntry].
// Opt-ins again and platform-wide entries are no event.
func optOutHooks(fan *webhook.Hooks) func([]store.OptOut) {
	return func(rows []store.OptOut) {
		for i := range rows {
			r := &rows[i]
			if !r.OptedOut || r.AccountID == 0 || !fan.Wants(r.AccountID, webhook.HookContactOptedOut) {
				continue
			}
			e := entryOf(r)
			if e.At.IsZero() {
				e.At = time.Now().UTC()
			}
			fan.Publish(r.AccountID, webhook.HookContactOptedOut, 0, "", e)
		}
	}
}

// mayChange refuses a caller that may not change the account's opt-outs:
// the same callers that may send for it.
func (o *OptOuts) mayChange(p Principal) error {
	if p.Unverified {
		return refuse(KindEmailUnverified, "", "verify your email before changing opt-outs")
	}
	if p.Role == RoleMember && !p.CanSend {
		return Forbidden("the caller may not send for this account, nor change its opt-outs")
	}
	return nil
}

// scopeOf checks a scope and its sender; global needs a platform admin.
func scopeOf(p Principal, name, sender string) (consent.Scope, string, error) {
	if name == "" {
		name = "account"
	}
	scope, ok := consent.ParseScope(name)
	if !ok {
		return 0, "", Invalid("scope", "scope is account, number or global")
	}
	sender = strings.TrimPrefix(sender, "+")
	switch scope {
	case consent.ScopeSender:
		if sender == "" || len(sender) > 32 {
			return 0, "", Invalid("sender", "scope number needs the sender (the account's number or short code) it applies to")
		}
	case consent.ScopeGlobal:
		if p.Role != RoleAdmin {
			return 0, "", Forbidden("only platform administrators record platform-wide opt-outs")
		}
		sender = ""
	default:
		sender = ""
	}
	return scope, sender, nil
}

// number checks and normalises one number as the send path does.
func optOutNumber(field, n string) (string, error) {
	a, r := gateway.Destination(0, 0, n)
	if r != nil {
		return "", refuse(KindInvalidNumber, field, r.Detail)
	}
	return a.Addr, nil
}

// Add records opt-outs for the caller's account (platform-wide for a
// platform admin asking for scope global).
func (o *OptOuts) Add(ctx context.Context, p Principal, in OptOutInput) (OptOutResult, error) {
	if err := o.mayChange(p); err != nil {
		return OptOutResult{}, err
	}
	scope, sender, err := scopeOf(p, in.Scope, in.Sender)
	if err != nil {
		return OptOutResult{}, err
	}
	numbers := in.Numbers
	field := "numbers"
	if in.Number != "" {
		if len(in.Numbers) > 0 {
			return OptOutResult{}, Invalid("number", "give number or numbers, not both")
		}
		numbers, field = []string{in.Number}, "number"
	}
	if len(numbers) == 0 || len(numbers) > MaxOptOutsPerRequest {
		return OptOutResult{}, Invalid("numbers", fmt.Sprintf("give 1 to %d numbers (CSV imports take more)", MaxOptOutsPerRequest))
	}
	source := consent.SourceAPI
	if scope == consent.ScopeGlobal {
		source = consent.SourceOperator
	}
	recs := make([]consent.Record, 0, len(numbers))
	out := OptOutResult{Numbers: make([]string, 0, len(numbers)), Scope: scope.String(), Sender: sender}
	seen := make(map[string]bool, len(numbers))
	for i, n := range numbers {
		f := field
		if field == "numbers" {
			f = "numbers[" + strconv.Itoa(i) + "]"
		}
		d, err := optOutNumber(f, n)
		if err != nil {
			return OptOutResult{}, err
		}
		if seen[d] {
			continue
		}
		seen[d] = true
		out.Numbers = append(out.Numbers, d)
		recs = append(recs, consent.Record{Change: consent.Change{Entry: consent.Entry{Scope: scope, Account: p.AccountID,
			Sender: sender, Number: d}, OptOut: true}, Source: source})
	}
	if err := o.ledger.Record(ctx, recs...); err != nil {
		return OptOutResult{}, fmt.Errorf("record opt-outs: %w", err)
	}
	out.Recorded = len(recs)
	return out, nil
}

// Remove opts number in again for the caller's account at scope (with
// sender for scope number): only an opt-out the account recorded itself,
// unless the caller is a platform admin.
func (o *OptOuts) Remove(ctx context.Context, p Principal, number, scopeName, sender string) error {
	if err := o.mayChange(p); err != nil {
		return err
	}
	scope, sender, err := scopeOf(p, scopeName, sender)
	if err != nil {
		return err
	}
	d, err := optOutNumber("number", number)
	if err != nil {
		return err
	}
	account := p.AccountID
	if scope == consent.ScopeGlobal {
		account = 0
	}
	latest, err := o.st.LatestOptOut(ctx, uint8(scope), account, sender, d)
	if errors.Is(err, store.ErrNotFound) || (err == nil && !latest.OptedOut) {
		return NotFound("the number has not opted out at this scope")
	}
	if err != nil {
		return fmt.Errorf("remove opt-out: %w", err)
	}
	if p.Role != RoleAdmin && latest.Source != string(consent.SourceAPI) && latest.Source != string(consent.SourceImport) {
		return refuse(KindUnprocessable, "number", "the number opted out itself ("+latest.Source+
			"); it opts in again by replying START, or the platform's operator lifts it")
	}
	source := consent.SourceAPI
	if p.Role == RoleAdmin {
		source = consent.SourceOperator
	}
	rec := consent.Record{Change: consent.Change{Entry: consent.Entry{Scope: scope, Account: account, Sender: sender,
		Number: d}}, Source: source}
	if err := o.ledger.Record(ctx, rec); err != nil {
		return fmt.Errorf("remove opt-out: %w", err)
	}
	return nil
}

// Status says whether the caller's account may message number, and its
// opt-out history.
func (o *OptOuts) Status(ctx context.Context, p Principal, number string) (OptOutStatus, error) {
	d, err := optOutNumber("number", number)
	if err != nil {
		return OptOutStatus{}, err
	}
	rows, err := o.st.OptOutHistory(ctx, p.AccountID, d, optOutHistoryLen)
	if err != nil {
		return OptOutStatus{}, fmt.Errorf("opt-out status: %w", err)
	}
	st := OptOutStatus{Number: d, Scopes: []string{}, History: make([]OptOutEntry, len(rows))}
	for i := range rows {
		st.History[i] = entryOf(&rows[i])
	}
	// The scopes that hold it now, from the index the send path reads.
	idx := o.ledger.Index()
	held := map[string]bool{}
	for _, r := range rows {
		e := consent.Entry{Scope: consent.Scope(r.Scope), Account: r.AccountID, Sender: r.Sender, Number: d}
		name := e.Scope.String()
		if r.Sender != "" {
			name += ":" + r.Sender
		}
		if !held[name] && idx.Has(e) {
			held[name] = true
			st.Scopes = append(st.Scopes, name)
		}
	}
	if country := idx.InRegistry(d); country != "" {
		st.Scopes = append(st.Scopes, "registry:"+country)
	}
	st.Blocked = len(st.Scopes) > 0
	return st, nil
}

// List returns a page of the caller's account's current opt-outs (a
// platform admin asking for scope global: the platform-wide ones), in
// number order. cursor is empty for the first page, then the NextCursor
// of the previous one; limit is 1 to 1,000 (0: 100).
func (o *OptOuts) List(ctx context.Context, p Principal, scopeName, cursor string, limit int) (OptOutPage, error) {
	account := p.AccountID
	if scopeName == "global" {
		if p.Role != RoleAdmin {
			return OptOutPage{}, Forbidden("only platform administrators list platform-wide opt-outs")
		}
		account = 0
	}
	if limit == 0 {
		limit = 100
	}
	if limit < 1 || limit > 1000 {
		return OptOutPage{}, Invalid("limit", "limit is 1 to 1000")
	}
	var after store.OptOutCursor
	if cursor != "" {
		num, id, ok := strings.Cut(cursor, ".")
		n, err := strconv.ParseInt(id, 10, 64)
		if !ok || err != nil || num == "" {
			return OptOutPage{}, Invalid("cursor", "not a cursor this endpoint gave")
		}
		after = store.OptOutCursor{Number: num, ID: n}
	}
	rows, err := o.st.CurrentOptOuts(ctx, account, after, limit+1)
	if err != nil {
		return OptOutPage{}, fmt.Errorf("list opt-outs: %w", err)
	}
	page := OptOutPage{Data: make([]OptOutEntry, 0, min(len(rows), limit))}
	for i := range rows {
		if i == limit {
			last := rows[limit-1]
			page.NextCursor = last.Number + "." + strconv.FormatInt(last.ID, 10)
			break
		}
		page.Data = append(page.Data, entryOf(&rows[i]))
	}
	return page, nil
}

// OptOutImport reports a CSV import of opt-outs.
type OptOutImport struct {
	Lines    int `json:"lines"`
	Recorded int `json:"recorded"`
	Rejected int `json:"rejected"`
	// FirstRejected are the first rejected lines (up to 20).
	FirstRejected []RejectedLine `json:"first_rejected,omitempty"`
}

// RejectedLine is a line of an import that was not taken, and why.
type RejectedLine struct {
	Line   int    `json:"line"`
	Reason string `json:"reason"`
}

// importChunk is the opt-outs recorded per ledger transaction of an
// import.
const importChunk = 10_000

// Import records an opt-out (source import) for each number of a CSV
// read from r: one number per line, or the number in the first column;
// a first line that is not a number is a header. scope and sender apply
// to every line, as in Add. Lines that are not numbers are reported, not
// fatal; numbers are recorded in chunks as they are read, so an import
// cut short keeps what it recorded.
func (o *OptOuts) Import(ctx context.Context, p Principal, r io.Reader, scopeName, sender string) (OptOutImport, error) {
	var rep OptOutImport
	if err := o.mayChange(p); err != nil {
		return rep, err
	}
	scope, sender, err := scopeOf(p, scopeName, sender)
	if err != nil {
		return rep, err
	}
	source := consent.SourceImport
	if scope == consent.ScopeGlobal {
		source = consent.SourceOperator
	}
	recs := make([]consent.Record, 0, importChunk)
	flush := func() error {
		if len(recs) == 0 {
			return nil
		}
		if err := o.ledger.Record(ctx, recs...); err != nil {
			return fmt.Errorf("import opt-outs: %w", err)
		}
		rep.Recorded += len(recs)
		recs = recs[:0]
		return nil
	}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 4096), 4096)
	for sc.Scan() {
		rep.Lines++
		field, _, _ := strings.Cut(sc.Text(), ",")
		field = strings.Trim(strings.TrimSpace(field), "\"")
		if field == "" {
			continue
		}
		a, refusal := gateway.Destination(0, 0, field)
		if refusal != nil {
			if rep.Lines == 1 {
				continue // a header
			}
			rep.Rejected++
			if len(rep.FirstRejected) < 20 {
				rep.FirstRejected = append(rep.FirstRejected, RejectedLine{Line: rep.Lines, Reason: refusal.Detail})
			}
			continue
		}
		recs = append(recs, consent.Record{Change: consent.Change{Entry: consent.Entry{Scope: scope, Account: p.AccountID,
			Sender: sender, Number: a.Addr}, OptOut: true}, Source: source})
		if len(recs) == importChunk {
			if err := flush(); err != nil {
				return rep, err
			}
		}
	}
	if err := sc.Err(); err != nil {
		return rep, Invalid("body", "line "+strconv.Itoa(rep.Lines+1)+": "+err.Error())
	}
	return rep, flush()
}

// Export writes the caller's account's current opt-outs (platform-wide
// ones for scope global, admins only) to w as CSV, a page at a time:
// number, scope, sender, source, keyword, at.
func (o *OptOuts) Export(ctx context.Context, p Principal, scopeName string, w io.Writer) error {
	account := p.AccountID
	if scopeName == "global" {
		if p.Role != RoleAdmin {
			return Forbidden("only platform administrators export platform-wide opt-outs")
		}
		account = 0
	}
	cw := csv.NewWriter(w)
	if err := cw.Write([]string{"number", "scope", "sender", "source", "keyword", "at"}); err != nil {
		return err
	}
	var after store.OptOutCursor
	for {
		rows, err := o.st.CurrentOptOuts(ctx, account, after, 1000)
		if err != nil {
			return fmt.Errorf("export opt-outs: %w", err)
		}
		for i := range rows {
			r := &rows[i]
			if err := cw.Write([]string{r.Number, consent.Scope(r.Scope).String(), r.Sender, r.Source, r.Keyword,
				r.CreatedAt.UTC().Format(time.RFC3339)}); err != nil {
				return err
			}
		}
		cw.Flush()
		if err := cw.Error(); err != nil {
			return err
		}
		if len(rows) < 1000 {
			return nil
		}
		after = store.OptOutCursor{Number: rows[len(rows)-1].Number, ID: rows[len(rows)-1].ID}
	}
}
