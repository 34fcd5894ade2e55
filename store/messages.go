package store

import (
	"context"
	"fmt"
	"slices"
	"strconv"

	"github.com/gallant-sms/gallant/sms"
)

// messageColumns selects every column of messages m, in messageRow's order.
const messageColumns = "m.id, m.account_id, m.ingress, m.system_id, m.client_ref, " +
	"m.src_ton, m.src_npi, m.src_addr, m.dst_ton, m.dst_npi, m.dst_addr, " +
	"m.data_coding, m.esm_class, m.protocol_id, m.priority, m.registered_delivery, " +
	"m.body, m.segments, m.send_at, m.valid_until, m.callback_url, m.created_at, m.status, " +
	"m.price_micros"

// finalStatus is the smallest final status, submittedStatus the status a
// carrier's acknowledgement records, as SQL literals.
var (
	finalStatus     = strconv.Itoa(int(sms.StatusDelivered))
	submittedStatus = strconv.Itoa(int(sms.StatusSubmitted))
)

// latestEventID is a scalar subquery giving the id of the event that holds
// the current status of message m: the newest final event if there is one
// (a late non-final event, such as a submit acknowledgement recorded after
// its receipt, does not undo a final status), else the newest event.
// Events are ordered by their auto-increment id, which follows the order
// the gateway recorded them in; their "at" comes from the carrier's clock,
// at minute precision in receipts, so it cannot order them.
var latestEventID = "SELECT e2.id FROM message_events e2 WHERE e2.message_id = m.id " +
	"ORDER BY CASE WHEN e2.status >= " + finalStatus + " THEN 1 ELSE 0 END DESC, e2.id DESC LIMIT 1"

// messageRow is a scanned messages row.
type messageRow struct {
	ID                 dbID   `db:"id"`
	AccountID          int64  `db:"account_id"`
	Ingress            uint8  `db:"ingress"`
	SystemID           string `db:"system_id"`
	ClientRef          string `db:"client_ref"`
	SrcTON             uint8  `db:"src_ton"`
	SrcNPI             uint8  `db:"src_npi"`
	SrcAddr            string `db:"src_addr"`
	DstTON             uint8  `db:"dst_ton"`
	DstNPI             uint8  `db:"dst_npi"`
	DstAddr            string `db:"dst_addr"`
	DataCoding         uint8  `db:"data_coding"`
	ESMClass           uint8  `db:"esm_class"`
	ProtocolID         uint8  `db:"protocol_id"`
	Priority           uint8  `db:"priority"`
	RegisteredDelivery uint8  `db:"registered_delivery"`
	Body               []byte `db:"body"`
	Segments           int    `db:"segments"`
	SendAt             dbTime `db:"send_at"`
	ValidUntil         dbTime `db:"valid_until"`
	CallbackURL        string `db:"callback_url"`
	CreatedAt          dbTime `db:"created_at"`
	Status             uint8  `db:"status"`
	PriceMicros        int64  `db:"price_micros"`
}

// message is the row's message, its body opened with k (see [Keyring]).
func (r *messageRow) message(k *Keyring) (sms.Message, error) {
	body, err := k.Open(r.Body)
	if err != nil {
		return sms.Message{}, fmt.Errorf("store: message %v body: %w", sms.ID(r.ID), err)
	}
	if body == nil {
		body = []byte{}
	}
	return sms.Message{
		ID:                 sms.ID(r.ID),
		AccountID:          r.AccountID,
		Ingress:            sms.Ingress(r.Ingress),
		SystemID:           r.SystemID,
		ClientRef:          r.ClientRef,
		Source:             sms.Address{TON: r.SrcTON, NPI: r.SrcNPI, Addr: r.SrcAddr},
		Dest:               sms.Address{TON: r.DstTON, NPI: r.DstNPI, Addr: r.DstAddr},
		DataCoding:         r.DataCoding,
		ESMClass:           r.ESMClass,
		ProtocolID:         r.ProtocolID,
		Priority:           r.Priority,
		RegisteredDelivery: r.RegisteredDelivery,
		Body:               body,
		Segments:           r.Segments,
		SendAt:             r.SendAt.Time,
		ValidUntil:         r.ValidUntil.Time,
		CallbackURL:        r.CallbackURL,
		CreatedAt:          r.CreatedAt.Time,
		Status:             sms.Status(r.Status),
		Price:              r.PriceMicros,
	}, nil
}

// eventRow is a scanned message_events row.
type eventRow struct {
	MessageID    dbID   `db:"message_id"`
	Status       uint8  `db:"status"`
	At           dbTime `db:"at"`
	Segment      int    `db:"segment"`
	Carrier      string `db:"carrier"`
	CarrierMsgID string `db:"carrier_msg_id"`
	ErrorCode    string `db:"error_code"`
	SubmittedAt  dbTime `db:"submitted_at"`
}

func (r *eventRow) event() sms.Event {
	return sms.Event{
		MessageID:    sms.ID(r.MessageID),
		Status:       sms.Status(r.Status),
		At:           r.At.Time,
		Segment:      r.Segment,
		Carrier:      r.Carrier,
		CarrierMsgID: r.CarrierMsgID,
		ErrorCode:    r.ErrorCode,
	}
}

// historyOf turns event rows, in reading order, into a status history. A
// final event that also records its segment's submission (submitted_at,
// see [Event]) stands for two events: the "submitted" one goes in at its
// own time, before the final one.
func historyOf(evs []eventRow) []sms.Event {
	events := make([]sms.Event, 0, len(evs))
	folded := false
	for i := range evs {
		if sub := evs[i].SubmittedAt.Time; !sub.IsZero() {
			e := evs[i].event()
			events = append(events, sms.Event{MessageID: e.MessageID, Status: sms.StatusSubmitted, At: sub,
				Segment: e.Segment, Carrier: e.Carrier, CarrierMsgID: e.CarrierMsgID})
			folded = true
			e.CarrierMsgID = "" // the submission holds it, as when not folded
			events = append(events, e)
			continue
		}
		events = append(events, evs[i].event())
	}
	if folded {
		// Stable: rows of equal times keep their recording order, and
		// a submission never sorts after its own final event.
		slices.SortStableFunc(events, func(a, b sms.Event) int { return a.At.Compare(b.At) })
	}
	return events
}

// currentEvent picks the event holding the current status from a history
// in recording order, by the rule of latestEventID.
func currentEvent(events []sms.Event) (sms.Event, bool) {
	if len(events) == 0 {
		return sms.Event{}, false
	}
	for i := len(events) - 1; i >= 0; i-- {
		if events[i].Status.Final() {
			return events[i], true
		}
	}
	return events[len(events)-1], true
}

// GetMessage returns message id of account accountID with its status
// history in the order it was recorded. The message's Status is its
// current status: that of its newest final event, else of its newest
// event, else the status it was accepted with. A message of another
// account is [ErrNotFound].
func (s *Store) GetMessage(ctx context.Context, accountID int64, id sms.ID) (*sms.Message, []sms.Event, error) {
	var row messageRow
	err := s.r.GetContext(ctx, &row,
		"SELECT "+messageColumns+" FROM messages m WHERE m.id = ? AND m.account_id = ?",
		s.idArg(id), accountID)
	if err != nil {
		return nil, nil, fmt.Errorf("store: get message %v: %w", id, mapErr(err))
	}
	var evs []eventRow
	err = s.r.SelectContext(ctx, &evs,
		"SELECT message_id, status, at, segment, carrier, carrier_msg_id, error_code, submitted_at "+
			// By time, then insertion: with more than one writer worker a
			// later batch can commit first.
			"FROM message_events WHERE message_id = ? AND account_id = ? ORDER BY at, id",
		s.idArg(id), accountID)
	if err != nil {
		return nil, nil, fmt.Errorf("store: get message %v events: %w", id, mapErr(err))
	}
	m, err := row.message(s.keys)
	if err != nil {
		return nil, nil, err
	}
	events := historyOf(evs)
	if cur, ok := currentEvent(events); ok {
		m.Status = cur.Status
	}
	return &m, events, nil
}

// LatestStatus returns the event holding the current status of message id
// of account accountID (see [Store.GetMessage]), for query_sm. A message
// with no events yet gives an event with its initial status at its
// creation time. A message of another account is [ErrNotFound].
func (s *Store) LatestStatus(ctx context.Context, accountID int64, id sms.ID) (sms.Event, error) {
	var row eventRow
	err := s.r.GetContext(ctx, &row,
		"SELECT m.id AS message_id, COALESCE(e.status, m.status) AS status, "+
			"COALESCE(e.at, m.created_at) AS at, COALESCE(e.segment, 0) AS segment, "+
			"COALESCE(e.carrier, '') AS carrier, COALESCE(e.carrier_msg_id, '') AS carrier_msg_id, "+
			"COALESCE(e.error_code, '') AS error_code "+
			"FROM messages m LEFT JOIN message_events e ON e.id = ("+latestEventID+") "+
			"WHERE m.id = ? AND m.account_id = ?",
		s.idArg(id), accountID)
	if err != nil {
		return sms.Event{}, fmt.Errorf("store: latest status of %v: %w", id, mapErr(err))
	}
	return row.event(), nil
}

// LookupCarrierMessage finds the message a carrier's receipt is about, by
// the carrier's name and the message id it gave in submit_sm_resp (as
// recorded in an event's CarrierMsgID). When a carrier has reused an id,
// the most recent message wins. It returns [ErrNotFound] when no event
// carries the id, which also happens while the submit event is still in a
// Writer's batch: callers should keep recent correlations in memory or
// retry.
func (s *Store) LookupCarrierMessage(ctx context.Context, carrier, carrierMsgID string) (id sms.ID, accountID int64, segment int, err error) {
	var row struct {
		MessageID dbID  `db:"message_id"`
		AccountID int64 `db:"account_id"`
		Segment   int   `db:"segment"`
	}
	err = s.r.GetContext(ctx, &row,
		"SELECT message_id, account_id, segment FROM message_events "+
			"WHERE carrier = ? AND carrier_msg_id = ? ORDER BY id DESC LIMIT 1",
		carrier, carrierMsgID)
	if err != nil {
		return 0, 0, 0, fmt.Errorf("store: look up %s message %q: %w", carrier, carrierMsgID, mapErr(err))
	}
	return sms.ID(row.MessageID), row.AccountID, row.Segment, nil
}

// CarrierMatch is the message segment a carrier's message id belongs to
// (see [Store.LookupCarrierMessages]).
type CarrierMatch struct {
	MessageID sms.ID
	AccountID int64
	Segment   int
}

// maxLookupBatch bounds the ids of one IN list in the batched lookups.
const maxLookupBatch = 500

// LookupCarrierMessages is [Store.LookupCarrierMessage] for many ids of
// one carrier at once, a query per 500: the receipts a busy instance
// must match from the store (another instance sent their messages) come
// by the thousand a second, more than one query each can keep up with.
// Ids no event carries are absent from the map.
func (s *Store) LookupCarrierMessages(ctx context.Context, carrier string, carrierMsgIDs []string) (map[string]CarrierMatch, error) {
	out := make(map[string]CarrierMatch, len(carrierMsgIDs))
	best := make(map[string]int64, len(carrierMsgIDs)) // the event id of out's entry: the most recent wins
	for len(carrierMsgIDs) > 0 {
		n := min(len(carrierMsgIDs), maxLookupBatch)
		args := make([]any, 0, n+1)
		args = append(args, carrier)
		for _, id := range carrierMsgIDs[:n] {
			args = append(args, id)
		}
		carrierMsgIDs = carrierMsgIDs[n:]
		var rows []struct {
			ID           int64  `db:"id"`
			CarrierMsgID string `db:"carrier_msg_id"`
			MessageID    dbID   `db:"message_id"`
			AccountID    int64  `db:"account_id"`
			Segment      int    `db:"segment"`
		}
		if err := s.r.SelectContext(ctx, &rows,
			"SELECT id, carrier_msg_id, message_id, account_id, segment FROM message_events "+
				"WHERE carrier = ? AND carrier_msg_id IN "+placeholders(n), args...); err != nil {
			return nil, fmt.Errorf("store: look up %d %s messages: %w", n, carrier, mapErr(err))
		}
		for _, r := range rows {
			if prev, ok := best[r.CarrierMsgID]; ok && prev > r.ID {
				continue
			}
			best[r.CarrierMsgID] = r.ID
			out[r.CarrierMsgID] = CarrierMatch{MessageID: sms.ID(r.MessageID), AccountID: r.AccountID, Segment: r.Segment}
		}
	}
	return out, nil
}

// MessagesByID reads the messages ids (of any account), a query per 500,
// without their status history: Status is the status each was accepted
// with. Ids not stored are absent from the map.
func (s *Store) MessagesByID(ctx context.Context, ids []sms.ID) (map[sms.ID]*sms.Message, error) {
	out := make(map[sms.ID]*sms.Message, len(ids))
	for len(ids) > 0 {
		n := min(len(ids), maxLookupBatch)
		args := make([]any, n)
		for i, id := range ids[:n] {
			args[i] = s.idArg(id)
		}
		ids = ids[n:]
		var rows []messageRow
		if err := s.r.SelectContext(ctx, &rows,
			"SELECT "+messageColumns+" FROM messages m WHERE m.id IN "+placeholders(n), args...); err != nil {
			return nil, fmt.Errorf("store: read %d messages: %w", n, mapErr(err))
		}
		for i := range rows {
			m, err := rows[i].message(s.keys)
			if err != nil {
				return nil, err
			}
			out[m.ID] = &m
		}
	}
	return out, nil
}
