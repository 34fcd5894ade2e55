package store

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/gallant-sms/gallant/sms"
)

// Reports read usage, statements and margins. Every query is bounded: a
// time range of at most [MaxReportRange], turned into a range of message
// ids (ids are time-ordered, so the (account_id, id) index serves it),
// and the streaming reads stop after a caller-given number of rows. Every
// query but [Store.EachSubmittedSegment] (a platform report) is scoped by
// account id.

// MaxReportRange is the longest time range a report may cover.
const MaxReportRange = 366 * 24 * time.Hour

// maxGroupRows bounds the grouped answers (buckets × statuses, invoice
// lines); real ones are far smaller.
const maxGroupRows = 20_000

// ErrReportTooLarge means a report would read more rows than its caller
// allowed: narrow the time range.
var ErrReportTooLarge = errors.New("store: report too large")

// UsageKey says how [Store.Usage] buckets an account's messages.
type UsageKey uint8

// The usage buckets.
const (
	// UsageByDay buckets by the UTC day the message was accepted.
	UsageByDay UsageKey = iota + 1
	// UsageByDest buckets by the first three characters of the
	// destination address (enough to find its E.164 country code).
	UsageByDest
)

// UsageRow is one bucket of [Store.Usage] for one current status.
type UsageRow struct {
	// Day is the bucket's UTC day (midnight) for UsageByDay.
	Day time.Time
	// Dest is the bucket's destination prefix for UsageByDest.
	Dest string
	// Status is the messages' current status (see [Store.GetMessage]).
	Status   sms.Status
	Messages int64
	Segments int64
	// Charged is the money the ledger charged for the messages and
	// Refunded what it gave back, both positive micros.
	Charged  int64
	Refunded int64
}

// LedgerKindSum sums one kind of an account's ledger rows in a period.
type LedgerKindSum struct {
	Kind LedgerKind
	// Credits is the sum of the positive amounts, Debits of the negative
	// ones (zero or below).
	Credits int64
	Debits  int64
	Rows    int64
}

// ChargeLine sums the charges of a period for messages to one
// destination prefix at one price.
type ChargeLine struct {
	// Dest is the first three characters of the destination address;
	// empty for charges without a stored message.
	Dest string
	// Segments and Price are the segment count and total price of each
	// message of the line.
	Segments int64
	Price    int64
	Messages int64
	// Amount is the money charged, positive micros.
	Amount int64
}

// StatementData is what a monthly statement is built from.
type StatementData struct {
	// Opening is the sum of the ledger before the period.
	Opening int64
	Kinds   []LedgerKindSum
	Lines   []ChargeLine
}

// BilledMessage is one message of [Store.EachChildMessage].
type BilledMessage struct {
	AccountID int64
	ID        sms.ID
	Dest      string
	Segments  int
	// Charged and Refunded are the message's ledger charges and refunds,
	// positive micros.
	Charged  int64
	Refunded int64
}

// SubmittedSegment is one segment a carrier acknowledged, for
// [Store.EachSubmittedSegment].
type SubmittedSegment struct {
	MessageID sms.ID
	Segment   int
	Carrier   string
	At        time.Time
	AccountID int64
	Dest      string
	// Segments is the message's segment count.
	Segments int
	// Currency is the account's billing currency; empty without one.
	Currency string
	// Charged and Refunded are the whole message's ledger charges and
	// refunds, positive micros.
	Charged  int64
	Refunded int64
}

// IDAt returns the smallest message id generated at or after t (0 before
// [sms.Epoch]): ids compare like their generation times.
func IDAt(t time.Time) sms.ID {
	ms := t.Sub(sms.Epoch).Milliseconds()
	if t.Before(sms.Epoch) || ms < 0 {
		return 0
	}
	if ms >= 1<<41 {
		return sms.ID(1<<64 - 1)
	}
	return sms.ID(uint64(ms) << (sms.NodeBits + sms.SeqBits))
}

// checkRange validates a report's time range.
func checkRange(from, until time.Time) error {
	if from.IsZero() || until.IsZero() || !until.After(from) || until.Sub(from) > MaxReportRange {
		return fmt.Errorf("%w: report range %v to %v: want from before until, at most %v apart", ErrInvalid, from, until, MaxReportRange)
	}
	return nil
}

// intDiv is the integer division operator of s's dialect.
func (s *Store) intDiv() string {
	if s.d == dialectMySQL {
		return " DIV "
	}
	return " / "
}

// msPerDay is the number of milliseconds in a day.
const msPerDay = 24 * 60 * 60 * 1000

// Usage returns account accountID's messages accepted in [from, until),
// grouped by key and by current status: counts, segments, and the money
// the ledger charged and refunded for them.
func (s *Store) Usage(ctx context.Context, accountID int64, from, until time.Time, key UsageKey) ([]UsageRow, error) {
	if err := checkRange(from, until); err != nil {
		return nil, err
	}
	var bucket string
	switch key {
	case UsageByDay:
		bucket = "(m.id >> " + fmt.Sprint(sms.NodeBits+sms.SeqBits) + ")" + s.intDiv() + fmt.Sprint(msPerDay)
	case UsageByDest:
		bucket = "SUBSTR(m.dst_addr, 1, 3)"
	default:
		return nil, fmt.Errorf("%w: usage key %d", ErrInvalid, key)
	}
	lo, hi := s.idArg(IDAt(from)), s.idArg(IDAt(until))
	q := "SELECT " + bucket + " AS bucket, COALESCE(e.status, m.status) AS cur_status, COUNT(*) AS messages, " +
		"COALESCE(SUM(m.segments), 0) AS segs, COALESCE(SUM(l.charged), 0) AS charged, " +
		"COALESCE(SUM(l.refunded), 0) AS refunded " +
		"FROM messages m LEFT JOIN message_events e ON e.id = (" + latestEventID + ") " +
		"LEFT JOIN (SELECT message_id, SUM(CASE WHEN kind = 'charge' THEN -amount ELSE 0 END) AS charged, " +
		"SUM(CASE WHEN kind = 'refund' THEN amount ELSE 0 END) AS refunded FROM billing_ledger " +
		"WHERE account_id = ? AND message_id >= ? AND message_id < ? AND kind IN ('charge', 'refund') " +
		"GROUP BY message_id) l ON l.message_id = m.id " +
		"WHERE m.account_id = ? AND m.id >= ? AND m.id < ? " +
		"GROUP BY bucket, cur_status ORDER BY bucket, cur_status LIMIT ?"
	var rows []struct {
		Bucket   string `db:"bucket"`
		Status   uint8  `db:"cur_status"`
		Messages int64  `db:"messages"`
		Segments int64  `db:"segs"`
		Charged  int64  `db:"charged"`
		Refunded int64  `db:"refunded"`
	}
	if err := s.r.SelectContext(ctx, &rows, q, accountID, lo, hi, accountID, lo, hi, maxGroupRows+1); err != nil {
		return nil, fmt.Errorf("store: usage of account %d: %w", accountID, mapErr(err))
	}
	if len(rows) > maxGroupRows {
		return nil, fmt.Errorf("%w: usage of account %d has more than %d buckets", ErrReportTooLarge, accountID, maxGroupRows)
	}
	// Purged messages count from their rollups (see PurgeMessages).
	rbucket := "dest"
	if key == UsageByDay {
		rbucket = "day"
	}
	dLo, dHi := rollupDays(from, until)
	var rolled []struct {
		Bucket   string `db:"bucket"`
		Status   uint8  `db:"cur_status"`
		Messages int64  `db:"messages"`
		Segments int64  `db:"segs"`
		Charged  int64  `db:"charged"`
		Refunded int64  `db:"refunded"`
	}
	if err := s.r.SelectContext(ctx, &rolled, "SELECT "+rbucket+" AS bucket, status AS cur_status, SUM(messages) AS messages, "+
		"SUM(messages * segments) AS segs, SUM(charged) AS charged, SUM(refunded) AS refunded FROM message_rollups "+
		"WHERE account_id = ? AND day >= ? AND day < ? GROUP BY "+rbucket+", status LIMIT ?",
		accountID, dLo, dHi, maxGroupRows+1); err != nil {
		return nil, fmt.Errorf("store: usage rollups of account %d: %w", accountID, mapErr(err))
	}
	type bucketKey struct {
		bucket string
		status uint8
	}
	index := make(map[bucketKey]int, len(rows))
	for i, r := range rows {
		index[bucketKey{r.Bucket, r.Status}] = i
	}
	for _, r := range rolled {
		if i, ok := index[bucketKey{r.Bucket, r.Status}]; ok {
			rows[i].Messages += r.Messages
			rows[i].Segments += r.Segments
			rows[i].Charged += r.Charged
			rows[i].Refunded += r.Refunded
			continue
		}
		index[bucketKey{r.Bucket, r.Status}] = len(rows)
		rows = append(rows, r)
	}
	if len(rows) > maxGroupRows {
		return nil, fmt.Errorf("%w: usage of account %d has more than %d buckets", ErrReportTooLarge, accountID, maxGroupRows)
	}
	out := make([]UsageRow, len(rows))
	for i, r := range rows {
		u := UsageRow{Status: sms.Status(r.Status), Messages: r.Messages, Segments: r.Segments,
			Charged: r.Charged, Refunded: r.Refunded}
		if key == UsageByDay {
			var d int64
			if _, err := fmt.Sscan(r.Bucket, &d); err != nil {
				return nil, fmt.Errorf("store: usage of account %d: bad day %q: %w", accountID, r.Bucket, err)
			}
			u.Day = sms.Epoch.AddDate(0, 0, int(d))
		} else {
			u.Dest = r.Bucket
		}
		out[i] = u
	}
	slices.SortFunc(out, func(a, b UsageRow) int {
		if c := a.Day.Compare(b.Day); c != 0 {
			return c
		}
		if c := strings.Compare(a.Dest, b.Dest); c != 0 {
			return c
		}
		return cmp.Compare(a.Status, b.Status)
	})
	return out, nil
}

// rollupDays returns the range [lo, hi) of rollup days (see rollupDay)
// that start in [from, until): purged messages count by whole UTC days.
func rollupDays(from, until time.Time) (lo, hi int64) {
	day := func(t time.Time) int64 {
		d := t.Sub(sms.Epoch)
		if d <= 0 {
			return 0
		}
		return int64((d + 24*time.Hour - 1) / (24 * time.Hour))
	}
	return day(from), day(until)
}

// Statement returns what account accountID's statement of [from, until)
// is built from: the ledger's sum before from, the period's rows summed
// by kind (rows without money, leases and releases, left out) and its
// charges by destination prefix and price. Rows count in the period of
// their created_at.
func (s *Store) Statement(ctx context.Context, accountID int64, from, until time.Time) (*StatementData, error) {
	if err := checkRange(from, until); err != nil {
		return nil, err
	}
	below, err := s.messagesBelow(ctx, s.r)
	if err != nil {
		return nil, err
	}
	out := &StatementData{}
	if err := s.r.GetContext(ctx, &out.Opening,
		"SELECT COALESCE(SUM(amount), 0) FROM billing_ledger WHERE account_id = ? AND created_at < ?",
		accountID, s.timeArg(from)); err != nil {
		return nil, fmt.Errorf("store: opening balance of account %d: %w", accountID, mapErr(err))
	}
	var kinds []struct {
		Kind    string `db:"kind"`
		Credits int64  `db:"credits"`
		Debits  int64  `db:"debits"`
		Rows    int64  `db:"n"`
	}
	if err := s.r.SelectContext(ctx, &kinds,
		"SELECT kind, COALESCE(SUM(CASE WHEN amount > 0 THEN amount ELSE 0 END), 0) AS credits, "+
			"COALESCE(SUM(CASE WHEN amount < 0 THEN amount ELSE 0 END), 0) AS debits, COUNT(*) AS n "+
			"FROM billing_ledger WHERE account_id = ? AND created_at >= ? AND created_at < ? AND amount <> 0 "+
			"GROUP BY kind ORDER BY kind",
		accountID, s.timeArg(from), s.timeArg(until)); err != nil {
		return nil, fmt.Errorf("store: ledger of account %d by kind: %w", accountID, mapErr(err))
	}
	for _, k := range kinds {
		out.Kinds = append(out.Kinds, LedgerKindSum{Kind: LedgerKind(k.Kind), Credits: k.Credits, Debits: k.Debits, Rows: k.Rows})
	}
	var lines []chargeLineRow
	if err := s.r.SelectContext(ctx, &lines,
		"SELECT COALESCE(SUBSTR(m.dst_addr, 1, 3), '') AS pfx, COALESCE(m.segments, 0) AS segs, "+
			"COALESCE(m.price_micros, 0) AS price, COUNT(*) AS messages, COALESCE(SUM(-l.amount), 0) AS amount "+
			"FROM billing_ledger l LEFT JOIN messages m ON m.id = l.message_id AND m.account_id = l.account_id "+
			"WHERE l.account_id = ? AND l.kind = 'charge' AND l.created_at >= ? AND l.created_at < ? "+
			// A purged message's charges are in the rollups.
			"AND (m.id IS NOT NULL OR l.message_id = 0 OR l.message_id >= ?) "+
			"GROUP BY pfx, segs, price ORDER BY pfx, segs, price LIMIT ?",
		accountID, s.timeArg(from), s.timeArg(until), s.idArg(below), maxGroupRows+1); err != nil {
		return nil, fmt.Errorf("store: charges of account %d: %w", accountID, mapErr(err))
	}
	dLo, dHi := rollupDays(from, until)
	var rolled []chargeLineRow
	if err := s.r.SelectContext(ctx, &rolled, "SELECT dest AS pfx, segments AS segs, price_micros AS price, "+
		"SUM(charges) AS messages, SUM(charged) AS amount FROM message_rollups "+
		"WHERE account_id = ? AND day >= ? AND day < ? AND charges > 0 GROUP BY dest, segments, price_micros LIMIT ?",
		accountID, dLo, dHi, maxGroupRows+1); err != nil {
		return nil, fmt.Errorf("store: charge rollups of account %d: %w", accountID, mapErr(err))
	}
	type lineKey struct {
		dest        string
		segs, price int64
	}
	index := make(map[lineKey]int, len(lines))
	for i, l := range lines {
		index[lineKey{l.Dest, l.Segments, l.Price}] = i
	}
	for _, r := range rolled {
		if i, ok := index[lineKey{r.Dest, r.Segments, r.Price}]; ok {
			lines[i].Messages += r.Messages
			lines[i].Amount += r.Amount
			continue
		}
		index[lineKey{r.Dest, r.Segments, r.Price}] = len(lines)
		lines = append(lines, r)
	}
	slices.SortFunc(lines, func(a, b chargeLineRow) int {
		if c := strings.Compare(a.Dest, b.Dest); c != 0 {
			return c
		}
		if c := cmp.Compare(a.Segments, b.Segments); c != 0 {
			return c
		}
		return cmp.Compare(a.Price, b.Price)
	})
	if len(lines) > maxGroupRows {
		return nil, fmt.Errorf("%w: charges of account %d have more than %d lines", ErrReportTooLarge, accountID, maxGroupRows)
	}
	for _, l := range lines {
		out.Lines = append(out.Lines, ChargeLine(l))
	}
	return out, nil
}

// chargeLineRow is a scanned [ChargeLine].
type chargeLineRow struct {
	Dest     string `db:"pfx"`
	Segments int64  `db:"segs"`
	Price    int64  `db:"price"`
	Messages int64  `db:"messages"`
	Amount   int64  `db:"amount"`
}

// ledgerOfMessage sums the charges or the refunds of message m (as
// positive micros), through the (account_id, message_id) index.
func ledgerOfMessage(kind, sign string) string {
	return "COALESCE((SELECT SUM(" + sign + "l.amount) FROM billing_ledger l WHERE l.account_id = m.account_id " +
		"AND l.message_id = m.id AND l.kind = '" + kind + "'), 0)"
}

// EachChildMessage calls f for each message accepted in [from, until) by
// the direct sub-accounts of parent (see [Store.ChildAccounts]), by
// account then id. It reads at most max messages: one more is
// [ErrReportTooLarge]. An error from f stops it and is returned.
func (s *Store) EachChildMessage(ctx context.Context, parent int64, from, until time.Time, max int,
	f func(*BilledMessage) error) error {
	if err := checkRange(from, until); err != nil {
		return err
	}
	rows, err := s.r.QueryxContext(ctx,
		"SELECT m.account_id, m.id, m.dst_addr, m.segments, "+ledgerOfMessage("charge", "-")+" AS charged, "+
			ledgerOfMessage("refund", "")+" AS refunded "+
			"FROM account_parents p JOIN messages m ON m.account_id = p.account_id "+
			"WHERE p.parent_id = ? AND m.id >= ? AND m.id < ? ORDER BY m.account_id, m.id LIMIT ?",
		parent, s.idArg(IDAt(from)), s.idArg(IDAt(until)), max+1)
	if err != nil {
		return fmt.Errorf("store: messages of sub-accounts of %d: %w", parent, mapErr(err))
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		var r struct {
			AccountID int64  `db:"account_id"`
			ID        dbID   `db:"id"`
			Dest      string `db:"dst_addr"`
			Segments  int    `db:"segments"`
			Charged   int64  `db:"charged"`
			Refunded  int64  `db:"refunded"`
		}
		if err := rows.StructScan(&r); err != nil {
			return fmt.Errorf("store: messages of sub-accounts of %d: %w", parent, mapErr(err))
		}
		if n++; n > max {
			return fmt.Errorf("%w: sub-accounts of %d sent more than %d messages in the range", ErrReportTooLarge, parent, max)
		}
		if err := f(&BilledMessage{AccountID: r.AccountID, ID: sms.ID(r.ID), Dest: r.Dest, Segments: r.Segments,
			Charged: r.Charged, Refunded: r.Refunded}); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("store: messages of sub-accounts of %d: %w", parent, mapErr(err))
	}
	return nil
}

// EachSubmittedSegment calls f for each segment a carrier acknowledged
// (a "submitted" event naming the carrier) of the messages of every
// account accepted in [from, until), by message id then event. It is a
// platform report: callers must allow only administrators. It reads at
// most max events: one more is [ErrReportTooLarge]. An error from f stops
// it and is returned.
func (s *Store) EachSubmittedSegment(ctx context.Context, from, until time.Time, max int,
	f func(*SubmittedSegment) error) error {
	if err := checkRange(from, until); err != nil {
		return err
	}
	rows, err := s.r.QueryxContext(ctx,
		"SELECT e.message_id, e.segment, e.carrier, COALESCE(e.submitted_at, e.at) AS at, m.account_id, m.dst_addr, m.segments, "+
			"COALESCE(b.currency, '') AS currency, "+ledgerOfMessage("charge", "-")+" AS charged, "+
			ledgerOfMessage("refund", "")+" AS refunded "+
			"FROM message_events e JOIN messages m ON m.id = e.message_id AND m.account_id = e.account_id "+
			"LEFT JOIN billing_accounts b ON b.account_id = m.account_id "+
			"WHERE e.message_id >= ? AND e.message_id < ? "+
			// A final event with submitted_at also records its submission.
			"AND (e.status = "+submittedStatus+" OR e.submitted_at IS NOT NULL) AND e.carrier <> '' "+
			"ORDER BY e.message_id, e.id LIMIT ?",
		s.idArg(IDAt(from)), s.idArg(IDAt(until)), max+1)
	if err != nil {
		return fmt.Errorf("store: submitted segments: %w", mapErr(err))
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		var r struct {
			MessageID dbID   `db:"message_id"`
			Segment   int    `db:"segment"`
			Carrier   string `db:"carrier"`
			At        dbTime `db:"at"`
			AccountID int64  `db:"account_id"`
			Dest      string `db:"dst_addr"`
			Segments  int    `db:"segments"`
			Currency  string `db:"currency"`
			Charged   int64  `db:"charged"`
			Refunded  int64  `db:"refunded"`
		}
		if err := rows.StructScan(&r); err != nil {
			return fmt.Errorf("store: submitted segments: %w", mapErr(err))
		}
		if n++; n > max {
			return fmt.Errorf("%w: more than %d submitted segments in the range", ErrReportTooLarge, max)
		}
		if err := f(&SubmittedSegment{MessageID: sms.ID(r.MessageID), Segment: r.Segment, Carrier: r.Carrier, At: r.At.Time,
			AccountID: r.AccountID, Dest: r.Dest, Segments: r.Segments, Currency: r.Currency,
			Charged: r.Charged, Refunded: r.Refunded}); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("store: submitted segments: %w", mapErr(err))
	}
	return nil
}
