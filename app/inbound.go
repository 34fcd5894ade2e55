package app

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/gallant-sms/gallant/gateway"
	"github.com/gallant-sms/gallant/sms"
	"github.com/gallant-sms/gallant/store"
)

// Inbound reads the MOs sent to the caller's account's numbers and its
// conversations: both directions with one counterpart. Every call reads
// p.AccountID only; the platform catch-all (MOs to no known number) is
// read by platform admins with Unrouted.
type Inbound struct {
	st *store.Store
}

// InboundQuery filters GET /v1/inbound.
type InboundQuery struct {
	Number   string    // the account's number it was sent to
	Sender   string    // who sent it
	Since    time.Time // received at or after
	Until    time.Time // received before
	Unrouted bool      // the platform catch-all (platform admins)
	Cursor   string
	Limit    int // 1 to 1,000; 0 means 100
}

// InboundMessage is the JSON form of a stored MO.
type InboundMessage struct {
	ID         sms.ID    `json:"id,string"`
	From       string    `json:"from"`
	To         string    `json:"to"`
	Text       string    `json:"text"`
	Encoding   string    `json:"encoding"`
	Parts      int       `json:"parts"`
	Partial    bool      `json:"partial"`
	Keyword    string    `json:"keyword,omitempty"`
	ReceivedAt time.Time `json:"received_at"`
}

// InboundPage is a page of MOs, newest first.
type InboundPage struct {
	Data       []InboundMessage `json:"data"`
	NextCursor string           `json:"next_cursor,omitempty"`
}

// ConversationSummary is one counterpart of the account.
type ConversationSummary struct {
	Counterpart string    `json:"counterpart"`
	LastAt      time.Time `json:"last_inbound_at"`
	Inbound     int       `json:"inbound"`
}

// ConversationList is a page of counterparts, most recent first.
type ConversationList struct {
	Data       []ConversationSummary `json:"data"`
	NextCursor string                `json:"next_cursor,omitempty"`
}

// ConversationMessage is one message of a conversation.
type ConversationMessage struct {
	Direction string    `json:"direction"` // inbound or outbound
	ID        sms.ID    `json:"id,string"`
	From      string    `json:"from"`
	To        string    `json:"to"`
	Text      string    `json:"text"`
	At        time.Time `json:"at"`
	Keyword   string    `json:"keyword,omitempty"`
	Partial   bool      `json:"partial,omitempty"`
}

// ConversationPage is a page of one conversation, newest first.
type ConversationPage struct {
	Counterpart string                `json:"counterpart"`
	Data        []ConversationMessage `json:"data"`
	NextCursor  string                `json:"next_cursor,omitempty"`
}

func inboundView(m *store.InboundMO) InboundMessage {
	return InboundMessage{ID: m.ID, From: m.Source.Addr, To: m.Dest.Addr, Text: gateway.DecodeText(m.Body, m.DataCoding),
		Encoding: gateway.MOEncoding(m.DataCoding), Parts: max(m.Parts, 1), Partial: m.Partial, Keyword: m.Keyword,
		ReceivedAt: m.ReceivedAt}
}

// listLimit checks a page size; 0 means 100.
func listLimit(n int) (int, error) {
	switch {
	case n == 0:
		return 100, nil
	case n < 0 || n > 1000:
		return 0, Invalid("limit", "must be an integer from 1 to 1000")
	}
	return n, nil
}

// List returns a page of the account's MOs (or the catch-all's).
func (s *Inbound) List(ctx context.Context, p Principal, q InboundQuery) (InboundPage, error) {
	acct := p.AccountID
	if q.Unrouted {
		if !isAdmin(p) {
			return InboundPage{}, Forbidden("only platform admins read the unrouted MOs")
		}
		acct = 0
	}
	limit, err := listLimit(q.Limit)
	if err != nil {
		return InboundPage{}, err
	}
	f := store.InboundFilter{Number: gateway.InboundDigits(q.Number), Sender: gateway.InboundDigits(q.Sender),
		Since: q.Since, Until: q.Until, Limit: limit}
	if q.Cursor != "" {
		id, err := sms.ParseID(q.Cursor)
		if err != nil {
			return InboundPage{}, Invalid("cursor", "is not a cursor this API gave")
		}
		f.After = id
	}
	ms, next, err := s.st.ListInbound(ctx, acct, f)
	if err != nil {
		return InboundPage{}, fmt.Errorf("list inbound: %w", err)
	}
	page := InboundPage{Data: make([]InboundMessage, len(ms))}
	for i := range ms {
		page.Data[i] = inboundView(&ms[i])
	}
	if next != 0 {
		page.NextCursor = next.String()
	}
	return page, nil
}

// parseTimeCursor reads a cursor of conversation pages: a time in unix
// microseconds.
func parseTimeCursor(c string) (time.Time, error) {
	if c == "" {
		return time.Time{}, nil
	}
	v, err := strconv.ParseInt(c, 10, 64)
	if err != nil || v <= 0 {
		return time.Time{}, Invalid("cursor", "is not a cursor this API gave")
	}
	return time.UnixMicro(v).UTC(), nil
}

// Conversations returns the account's counterparts, most recent first.
func (s *Inbound) Conversations(ctx context.Context, p Principal, cursor string, limit int) (ConversationList, error) {
	before, err := parseTimeCursor(cursor)
	if err != nil {
		return ConversationList{}, err
	}
	if limit, err = listLimit(limit); err != nil {
		return ConversationList{}, err
	}
	cs, err := s.st.Conversations(ctx, p.AccountID, before, limit)
	if err != nil {
		return ConversationList{}, fmt.Errorf("list conversations: %w", err)
	}
	out := ConversationList{Data: make([]ConversationSummary, len(cs))}
	for i, c := range cs {
		out.Data[i] = ConversationSummary{Counterpart: c.Counterpart, LastAt: c.LastAt, Inbound: c.Inbound}
	}
	if len(cs) == limit {
		out.NextCursor = strconv.FormatInt(cs[len(cs)-1].LastAt.UnixMicro(), 10)
	}
	return out, nil
}

// Conversation returns the messages between the account and
// counterpart, both directions, newest first.
func (s *Inbound) Conversation(ctx context.Context, p Principal, counterpart, cursor string, limit int) (ConversationPage, error) {
	num := gateway.InboundDigits(counterpart)
	if num == "" {
		return ConversationPage{}, Invalid("number", "name the counterpart's number")
	}
	before, err := parseTimeCursor(cursor)
	if err != nil {
		return ConversationPage{}, err
	}
	if limit, err = listLimit(limit); err != nil {
		return ConversationPage{}, err
	}
	items, err := s.st.ConversationPage(ctx, p.AccountID, num, before, limit)
	if err != nil {
		return ConversationPage{}, fmt.Errorf("read conversation: %w", err)
	}
	out := ConversationPage{Counterpart: num, Data: make([]ConversationMessage, len(items))}
	for i, it := range items {
		dir := "outbound"
		if it.Inbound {
			dir = "inbound"
		}
		text := ""
		if it.ESMClass&0x40 == 0 {
			text = gateway.DecodeText(it.Body, it.DataCoding)
		}
		out.Data[i] = ConversationMessage{Direction: dir, ID: it.ID, From: it.From, To: it.To, Text: text, At: it.At,
			Keyword: it.Keyword, Partial: it.Partial}
	}
	if len(items) == limit {
		out.NextCursor = strconv.FormatInt(items[len(items)-1].At.UnixMicro(), 10)
	}
	return out, nil
}
