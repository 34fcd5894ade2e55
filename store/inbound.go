package store

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/gallant-sms/gallant/sms"
)

// InboundMO is a routed MO: an [sms.MO] with what routing and
// reassembly found. *InboundMO is a [Record] of mo_messages, so the
// gateway stores it through a [Writer] and answers the carrier once it
// is committed.
type InboundMO struct {
	sms.MO
	// NumberID is the number row that routed it; 0 for the platform
	// catch-all (AccountID 0).
	NumberID int64
	// Keyword is the keyword of a shared code it matched, upper case.
	Keyword string
	// Parts is how many parts it was sent in (1 for a short MO);
	// Partial is set when some never arrived and it holds those that did.
	Parts   int
	Partial bool
}

// inboundTable is mo_messages with the columns of migration 0015.
var inboundTable = mustTable("mo_messages", true,
	"id", "account_id", "carrier", "src_ton", "src_npi", "src_addr",
	"dst_ton", "dst_npi", "dst_addr", "data_coding", "esm_class", "body", "received_at",
	"number_id", "keyword", "parts", "partial")

// Table implements [Record].
func (m *InboundMO) Table() *Table { return inboundTable }

// AppendValues implements [Record].
func (m *InboundMO) AppendValues(v *Values) {
	appendMO(v, &m.MO, time.Now())
	v.Int(m.NumberID)
	v.String(m.Keyword)
	v.Int(int64(max(m.Parts, 1)))
	v.Bool(m.Partial)
}

// InboundFilter selects an account's MOs for [Store.ListInbound].
type InboundFilter struct {
	Number string    // the account's number it was sent to; empty: any
	Sender string    // who sent it; empty: anyone
	Since  time.Time // received at or after; zero: no bound
	Until  time.Time // received before; zero: no bound
	After  sms.ID    // the cursor: ids below it (newest first); zero: first page
	Limit  int       // 1 to 1,000; zero means 100
}

const inboundColumns = "id, account_id, carrier, src_ton, src_npi, src_addr, dst_ton, dst_npi, dst_addr, " +
	"data_coding, esm_class, body, received_at, number_id, keyword, parts, partial"

type inboundRow struct {
	ID         dbID   `db:"id"`
	AccountID  int64  `db:"account_id"`
	Carrier    string `db:"carrier"`
	SrcTON     uint8  `db:"src_ton"`
	SrcNPI     uint8  `db:"src_npi"`
	SrcAddr    string `db:"src_addr"`
	DstTON     uint8  `db:"dst_ton"`
	DstNPI     uint8  `db:"dst_npi"`
	DstAddr    string `db:"dst_addr"`
	DataCoding uint8  `db:"data_coding"`
	ESMClass   uint8  `db:"esm_class"`
	Body       []byte `db:"body"`
	ReceivedAt dbTime `db:"received_at"`
	NumberID   int64  `db:"number_id"`
	Keyword    string `db:"keyword"`
	Parts      int    `db:"parts"`
	Partial    bool   `db:"partial"`
}

// mo is the row's MO, its body opened with k (see [Keyring]).
func (r *inboundRow) mo(k *Keyring) (InboundMO, error) {
	body, err := k.Open(r.Body)
	if err != nil {
		return InboundMO{}, fmt.Errorf("store: MO %v body: %w", sms.ID(r.ID), err)
	}
	if body == nil {
		body = []byte{}
	}
	return InboundMO{MO: sms.MO{ID: sms.ID(r.ID), AccountID: r.AccountID, Carrier: r.Carrier,
		Source:     sms.Address{TON: r.SrcTON, NPI: r.SrcNPI, Addr: r.SrcAddr},
		Dest:       sms.Address{TON: r.DstTON, NPI: r.DstNPI, Addr: r.DstAddr},
		DataCoding: r.DataCoding, ESMClass: r.ESMClass, Body: body, ReceivedAt: r.ReceivedAt.Time},
		NumberID: r.NumberID, Keyword: r.Keyword, Parts: r.Parts, Partial: r.Partial}, nil
}

// ListInbound returns a page of account accountID's MOs matching f,
// newest first, and the cursor of the next page (zero on the last).
// Account 0 is the platform catch-all: the MOs no number routed.
func (s *Store) ListInbound(ctx context.Context, accountID int64, f InboundFilter) ([]InboundMO, sms.ID, error) {
	limit := f.Limit
	switch {
	case limit == 0:
		limit = defaultListLimit
	case limit < 0 || limit > maxListLimit:
		return nil, 0, fmt.Errorf("%w: list limit %d not in 1..%d", ErrInvalid, limit, maxListLimit)
	}
	q := "SELECT " + inboundColumns + " FROM mo_messages WHERE account_id = ?"
	args := []any{accountID}
	if f.Sender != "" {
		q += " AND src_addr = ?"
		args = append(args, f.Sender)
	}
	if f.Number != "" {
		q += " AND dst_addr = ?"
		args = append(args, f.Number)
	}
	if !f.Since.IsZero() {
		q += " AND received_at >= ?"
		args = append(args, s.timeArg(f.Since))
	}
	if !f.Until.IsZero() {
		q += " AND received_at < ?"
		args = append(args, s.timeArg(f.Until))
	}
	if f.After != 0 {
		q += " AND id < ?"
		args = append(args, s.idArg(f.After))
	}
	q += " ORDER BY id DESC LIMIT ?"
	args = append(args, limit+1)
	var rows []inboundRow
	if err := s.r.SelectContext(ctx, &rows, q, args...); err != nil {
		return nil, 0, fmt.Errorf("store: list inbound of account %d: %w", accountID, mapErr(err))
	}
	var next sms.ID
	if len(rows) > limit {
		rows = rows[:limit]
		next = sms.ID(rows[limit-1].ID)
	}
	out := make([]InboundMO, len(rows))
	for i := range rows {
		m, err := rows[i].mo(s.keys)
		if err != nil {
			return nil, 0, err
		}
		out[i] = m
	}
	return out, next, nil
}

// Conversation is one counterpart an account exchanged messages with:
// a number that sent MOs to the account's numbers.
type Conversation struct {
	Counterpart string    // the sender's number
	LastAt      time.Time // its newest MO
	Inbound     int       // how many MOs it sent
}

// Conversations returns up to limit (1 to 1,000) counterparts of the
// account, newest first, with a received_at before before (zero: now).
func (s *Store) Conversations(ctx context.Context, accountID int64, before time.Time, limit int) ([]Conversation, error) {
	if limit < 1 || limit > maxListLimit {
		return nil, fmt.Errorf("%w: list limit %d not in 1..%d", ErrInvalid, limit, maxListLimit)
	}
	q := "SELECT src_addr, MAX(received_at) AS last_at, COUNT(*) AS n FROM mo_messages WHERE account_id = ? GROUP BY src_addr"
	args := []any{accountID}
	if !before.IsZero() {
		q += " HAVING MAX(received_at) < ?"
		args = append(args, s.timeArg(before))
	}
	q += " ORDER BY last_at DESC LIMIT ?"
	args = append(args, limit)
	var rows []struct {
		Src  string `db:"src_addr"`
		Last dbTime `db:"last_at"`
		N    int    `db:"n"`
	}
	if err := s.r.SelectContext(ctx, &rows, q, args...); err != nil {
		return nil, fmt.Errorf("store: conversations of account %d: %w", accountID, mapErr(err))
	}
	out := make([]Conversation, len(rows))
	for i, r := range rows {
		out[i] = Conversation{Counterpart: r.Src, LastAt: r.Last.Time, Inbound: r.N}
	}
	return out, nil
}

// ConversationItem is one message of a conversation: an MO from the
// counterpart (Inbound set) or a message the account sent to it.
type ConversationItem struct {
	Inbound    bool
	ID         sms.ID
	From, To   string
	DataCoding byte
	ESMClass   byte
	Body       []byte
	At         time.Time // received (MO) or created (sent)
	Keyword    string    // of an MO
	Partial    bool      // of an MO
}

// ConversationPage returns up to limit (1 to 1,000) messages between the
// account and counterpart, both directions, newest first, dated before
// before (zero: no bound). The next page is asked with the oldest At
// returned.
func (s *Store) ConversationPage(ctx context.Context, accountID int64, counterpart string, before time.Time, limit int) ([]ConversationItem, error) {
	if limit < 1 || limit > maxListLimit {
		return nil, fmt.Errorf("%w: list limit %d not in 1..%d", ErrInvalid, limit, maxListLimit)
	}
	qi := "SELECT " + inboundColumns + " FROM mo_messages WHERE account_id = ? AND src_addr = ?"
	args := []any{accountID, counterpart}
	if !before.IsZero() {
		qi += " AND received_at < ?"
		args = append(args, s.timeArg(before))
	}
	qi += " ORDER BY id DESC LIMIT ?"
	var in []inboundRow
	if err := s.r.SelectContext(ctx, &in, qi, append(args, limit)...); err != nil {
		return nil, fmt.Errorf("store: conversation of account %d: %w", accountID, mapErr(err))
	}
	qo := "SELECT id, src_addr, dst_addr, data_coding, esm_class, body, created_at FROM messages " +
		"WHERE account_id = ? AND dst_addr = ?"
	if !before.IsZero() {
		qo += " AND created_at < ?"
	}
	qo += " ORDER BY id DESC LIMIT ?"
	var out []struct {
		ID         dbID   `db:"id"`
		Src        string `db:"src_addr"`
		Dst        string `db:"dst_addr"`
		DataCoding uint8  `db:"data_coding"`
		ESMClass   uint8  `db:"esm_class"`
		Body       []byte `db:"body"`
		Created    dbTime `db:"created_at"`
	}
	if err := s.r.SelectContext(ctx, &out, qo, append(args, limit)...); err != nil {
		return nil, fmt.Errorf("store: conversation of account %d: %w", accountID, mapErr(err))
	}
	items := make([]ConversationItem, 0, len(in)+len(out))
	for i := range in {
		m, err := in[i].mo(s.keys)
		if err != nil {
			return nil, err
		}
		items = append(items, ConversationItem{Inbound: true, ID: m.ID, From: m.Source.Addr, To: m.Dest.Addr,
			DataCoding: m.DataCoding, ESMClass: m.ESMClass, Body: m.Body, At: m.ReceivedAt, Keyword: m.Keyword, Partial: m.Partial})
	}
	for _, o := range out {
		body, err := s.keys.Open(o.Body)
		if err != nil {
			return nil, fmt.Errorf("store: message %v body: %w", sms.ID(o.ID), err)
		}
		items = append(items, ConversationItem{ID: sms.ID(o.ID), From: o.Src, To: o.Dst, DataCoding: o.DataCoding,
			ESMClass: o.ESMClass, Body: body, At: o.Created.Time})
	}
	slices.SortStableFunc(items, func(a, b ConversationItem) int { return b.At.Compare(a.At) })
	if len(items) > limit {
		items = items[:limit]
	}
	return items, nil
}
