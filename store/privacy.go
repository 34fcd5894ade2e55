package store

import (
	"bytes"
	"context"
	"crypto/rand"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/gallant-sms/gallant/sms"
)

// This file holds the queries of data-subject requests (issue 15): the
// readers an export pages through and the batched erasure of a number
// from one account's data. The privacy service in package app decides
// who may ask and what the erased number becomes; every query here is
// scoped to one account.

// privacySaltLen is the size of the installation's privacy salt: 32
// random bytes key an HMAC-SHA-256 as well as any key can.
const privacySaltLen = 32

// PrivacySalt returns the installation's random privacy salt, making it
// on first use. Every instance reads the same one: the first to insert
// it wins and the others read it back. The salt keys the hashes of
// numbers, so it is sealed at rest when the store has a key (one stored
// before a key was configured is read as it is; [Store.Reseal] seals it).
func (s *Store) PrivacySalt(ctx context.Context) ([]byte, error) {
	var stored []byte
	err := s.r.GetContext(ctx, &stored, "SELECT salt FROM privacy_keys WHERE id = 1")
	if err == nil {
		return s.openSalt(stored)
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("store: privacy salt: %w", mapErr(err))
	}
	fresh := make([]byte, privacySaltLen)
	if _, err := rand.Read(fresh); err != nil {
		return nil, fmt.Errorf("store: privacy salt: %w", err)
	}
	q := "INSERT INTO privacy_keys (id, salt, created_at) VALUES (1, ?, ?) ON CONFLICT DO NOTHING"
	if s.d == dialectMySQL {
		q = "INSERT IGNORE INTO privacy_keys (id, salt, created_at) VALUES (1, ?, ?)"
	}
	if _, err := s.w.ExecContext(ctx, q, s.seal(fresh), s.timeArg(s.now().UTC())); err != nil {
		return nil, fmt.Errorf("store: make privacy salt: %w", mapErr(err))
	}
	if err := s.w.GetContext(ctx, &stored, "SELECT salt FROM privacy_keys WHERE id = 1"); err != nil {
		return nil, fmt.Errorf("store: privacy salt: %w", mapErr(err))
	}
	return s.openSalt(stored)
}

// openSalt opens the stored privacy salt and checks its size.
func (s *Store) openSalt(stored []byte) ([]byte, error) {
	salt, err := s.keys.Open(stored)
	if err != nil {
		return nil, fmt.Errorf("store: privacy salt: %w", err)
	}
	if len(salt) != privacySaltLen {
		return nil, fmt.Errorf("store: privacy salt of %d bytes", len(salt))
	}
	return salt, nil
}

// PrivacyRequest is one data-subject request as recorded.
type PrivacyRequest struct {
	ID int64
	// AccountID is the account whose data the request concerned; 0 for a
	// platform-wide one.
	AccountID int64
	// ActorAccountID, ActorUserID (0 for an API key) and ActorKeyID (0
	// for a dashboard session) are who asked.
	ActorAccountID int64
	ActorUserID    int64
	ActorKeyID     int64
	// Kind is "export" or "erase"; SubjectKind "phone" or "user".
	Kind        string
	SubjectKind string
	// Subject is the keyed hash of the number (never the number) or
	// "user:ID".
	Subject string
	// Rows is how many rows the export returned or the erasure changed.
	Rows      int64
	CreatedAt time.Time
}

type privacyRequestRow struct {
	ID             int64  `db:"id"`
	AccountID      int64  `db:"account_id"`
	ActorAccountID int64  `db:"actor_account_id"`
	ActorUserID    int64  `db:"actor_user_id"`
	ActorKeyID     int64  `db:"actor_key_id"`
	Kind           string `db:"kind"`
	SubjectKind    string `db:"subject_kind"`
	Subject        string `db:"subject"`
	Rows           int64  `db:"rows_affected"`
	CreatedAt      dbTime `db:"created_at"`
}

// AddPrivacyRequest records r and sets its ID (and CreatedAt when zero).
func (s *Store) AddPrivacyRequest(ctx context.Context, r *PrivacyRequest) error {
	if (r.Kind != "export" && r.Kind != "erase") || r.Subject == "" || len(r.Subject) > 80 {
		return fmt.Errorf("%w: privacy request %q of %q", ErrInvalid, r.Kind, r.Subject)
	}
	if r.CreatedAt.IsZero() {
		r.CreatedAt = s.now().UTC().Truncate(time.Microsecond)
	}
	res, err := s.w.ExecContext(ctx, "INSERT INTO privacy_requests (account_id, actor_account_id, actor_user_id, "+
		"actor_key_id, kind, subject_kind, subject, rows_affected, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
		r.AccountID, r.ActorAccountID, r.ActorUserID, r.ActorKeyID, r.Kind, r.SubjectKind, r.Subject, r.Rows,
		s.timeArg(r.CreatedAt))
	if err != nil {
		return fmt.Errorf("store: add privacy request: %w", mapErr(err))
	}
	if r.ID, err = res.LastInsertId(); err != nil {
		return fmt.Errorf("store: add privacy request: %w", mapErr(err))
	}
	return nil
}

// PrivacyRequests returns up to limit (1 to 1,000) requests concerning
// accountID (every request for [AuditAllAccounts]), newest first, with
// ids below before (0: from the newest).
func (s *Store) PrivacyRequests(ctx context.Context, accountID, before int64, limit int) ([]PrivacyRequest, error) {
	if limit < 1 || limit > maxListLimit {
		return nil, fmt.Errorf("%w: privacy requests limit %d not in 1..%d", ErrInvalid, limit, maxListLimit)
	}
	if before <= 0 {
		before = 1<<63 - 1
	}
	q := "SELECT id, account_id, actor_account_id, actor_user_id, actor_key_id, kind, subject_kind, subject, " +
		"rows_affected, created_at FROM privacy_requests WHERE id < ?"
	args := []any{before}
	if accountID != AuditAllAccounts {
		q += " AND account_id = ?"
		args = append(args, accountID)
	}
	q += " ORDER BY id DESC LIMIT ?"
	args = append(args, limit)
	var rows []privacyRequestRow
	if err := s.r.SelectContext(ctx, &rows, q, args...); err != nil {
		return nil, fmt.Errorf("store: privacy requests: %w", mapErr(err))
	}
	out := make([]PrivacyRequest, len(rows))
	for i, r := range rows {
		out[i] = PrivacyRequest{ID: r.ID, AccountID: r.AccountID, ActorAccountID: r.ActorAccountID,
			ActorUserID: r.ActorUserID, ActorKeyID: r.ActorKeyID, Kind: r.Kind, SubjectKind: r.SubjectKind,
			Subject: r.Subject, Rows: r.Rows, CreatedAt: r.CreatedAt.Time}
	}
	return out, nil
}

// SubjectMessage is a message to a data subject with its current status.
type SubjectMessage struct {
	sms.Message
	// Current is the status of its newest event (its stored status when
	// it has none).
	Current sms.Status
}

// SubjectMessages returns up to limit (1 to 1,000) of account accountID's
// messages to phone with ids above after, oldest first. It walks the
// account's messages by id (on MySQL through (account_id, dst_addr, id)),
// so paging through millions keeps one page in memory.
func (s *Store) SubjectMessages(ctx context.Context, accountID int64, phone string, after sms.ID, limit int) ([]SubjectMessage, error) {
	if limit < 1 || limit > maxListLimit {
		return nil, fmt.Errorf("%w: subject messages limit %d not in 1..%d", ErrInvalid, limit, maxListLimit)
	}
	var rows []struct {
		messageRow
		Current sql.NullInt64 `db:"cur_status"`
	}
	q := "SELECT " + messageColumns + ", (SELECT e.status FROM message_events e WHERE e.id = (" + latestEventID +
		")) AS cur_status FROM messages m WHERE m.account_id = ? AND m.dst_addr = ? AND m.id > ? ORDER BY m.id LIMIT ?"
	if err := s.r.SelectContext(ctx, &rows, q, accountID, phone, s.idArg(after), limit); err != nil {
		return nil, fmt.Errorf("store: messages of a subject in account %d: %w", accountID, mapErr(err))
	}
	out := make([]SubjectMessage, len(rows))
	for i := range rows {
		m, err := rows[i].message(s.keys)
		if err != nil {
			return nil, err
		}
		out[i].Message = m
		out[i].Current = out[i].Status
		if rows[i].Current.Valid {
			out[i].Current = sms.Status(rows[i].Current.Int64)
		}
	}
	return out, nil
}

// SubjectInbound returns up to limit (1 to 1,000) of account accountID's
// MOs from phone with ids above after, oldest first, through
// mo_messages_sender (account_id, src_addr, id).
func (s *Store) SubjectInbound(ctx context.Context, accountID int64, phone string, after sms.ID, limit int) ([]InboundMO, error) {
	if limit < 1 || limit > maxListLimit {
		return nil, fmt.Errorf("%w: subject inbound limit %d not in 1..%d", ErrInvalid, limit, maxListLimit)
	}
	var rows []inboundRow
	if err := s.r.SelectContext(ctx, &rows, "SELECT "+inboundColumns+" FROM mo_messages "+
		"WHERE account_id = ? AND src_addr = ? AND id > ? ORDER BY id LIMIT ?",
		accountID, phone, s.idArg(after), limit); err != nil {
		return nil, fmt.Errorf("store: inbound of a subject in account %d: %w", accountID, mapErr(err))
	}
	out := make([]InboundMO, len(rows))
	for i := range rows {
		m, err := rows[i].mo(s.keys)
		if err != nil {
			return nil, err
		}
		out[i] = m
	}
	return out, nil
}

// SubjectList is a contact list a data subject's contact belongs to.
type SubjectList struct {
	ID   int64  `db:"id"`
	Name string `db:"name"`
}

// ContactListsOf returns the lists of account accountID that contact id
// belongs to, by id.
func (s *Store) ContactListsOf(ctx context.Context, accountID, id int64) ([]SubjectList, error) {
	var out []SubjectList
	if err := s.r.SelectContext(ctx, &out, "SELECT l.id, l.name FROM contact_lists l JOIN contact_list_members cm "+
		"ON cm.list_id = l.id WHERE l.account_id = ? AND cm.contact_id = ? ORDER BY l.id", accountID, id); err != nil {
		return nil, fmt.Errorf("store: lists of contact %d: %w", id, mapErr(err))
	}
	return out, nil
}

// SubjectRecipient is a campaign recipient row of a data subject.
type SubjectRecipient struct {
	ID         int64  `db:"id"`
	CampaignID int64  `db:"campaign_id"`
	Step       int    `db:"step"`
	MessageID  dbID   `db:"message_id"`
	Reason     string `db:"reason"`
	SentAt     dbTime `db:"sent_at"`
}

// SubjectRecipients returns up to limit (1 to 1,000) of the campaign
// recipient rows of phone in account accountID's campaigns, with ids
// above after, by id.
func (s *Store) SubjectRecipients(ctx context.Context, accountID int64, phone string, after int64, limit int) ([]SubjectRecipient, error) {
	if limit < 1 || limit > maxListLimit {
		return nil, fmt.Errorf("%w: subject recipients limit %d not in 1..%d", ErrInvalid, limit, maxListLimit)
	}
	var out []SubjectRecipient
	if err := s.r.SelectContext(ctx, &out, "SELECT r.id, r.campaign_id, r.step, r.message_id, r.reason, r.sent_at "+
		"FROM campaign_recipients r WHERE r.campaign_id IN (SELECT id FROM campaigns WHERE account_id = ?) "+
		"AND r.phone = ? AND r.id > ? ORDER BY r.id LIMIT ?", accountID, phone, after, limit); err != nil {
		return nil, fmt.Errorf("store: campaign recipients of a subject in account %d: %w", accountID, mapErr(err))
	}
	return out, nil
}

// SubjectAudit returns up to limit (1 to 1,000) of account accountID's
// audit entries whose target or details contain needle, or whose target
// is one of targets, newest first, with ids below before (0: from the
// newest). It walks the account's entries by id.
func (s *Store) SubjectAudit(ctx context.Context, accountID int64, needle string, targets []string, before int64, limit int) ([]AuditEntry, error) {
	pat := "%" + likeEscape(needle) + "%"
	cond, args := "(target LIKE ? ESCAPE '!' OR details LIKE ? ESCAPE '!'", []any{pat, pat}
	for _, t := range targets {
		cond += " OR target = ?"
		args = append(args, t)
	}
	return s.auditWhere(ctx, "account_id = ? AND "+cond+")", append([]any{accountID}, args...), before, limit)
}

// UserAudit returns up to limit (1 to 1,000) audit entries of every
// account made by user id, or whose target is one of targets (such as
// "user:ID" and "email:ADDRESS"), newest first, with ids below before.
func (s *Store) UserAudit(ctx context.Context, id int64, targets []string, before int64, limit int) ([]AuditEntry, error) {
	cond, args := "(actor_user_id = ?", []any{id}
	for _, t := range targets {
		cond += " OR target = ?"
		args = append(args, t)
	}
	return s.auditWhere(ctx, cond+")", args, before, limit)
}

func (s *Store) auditWhere(ctx context.Context, cond string, args []any, before int64, limit int) ([]AuditEntry, error) {
	if limit < 1 || limit > maxListLimit {
		return nil, fmt.Errorf("%w: audit limit %d not in 1..%d", ErrInvalid, limit, maxListLimit)
	}
	return s.selectAudit(ctx, "audit of a subject", cond, args, before, limit)
}

// selectAudit reads up to limit audit entries matching cond (with args)
// whose ids are below before (0: any), newest first; what names the read
// in errors.
func (s *Store) selectAudit(ctx context.Context, what, cond string, args []any, before int64, limit int) ([]AuditEntry, error) {
	if before <= 0 {
		before = 1<<63 - 1
	}
	var rows []struct {
		ID          int64  `db:"id"`
		AccountID   int64  `db:"account_id"`
		ActorUserID int64  `db:"actor_user_id"`
		Action      string `db:"action"`
		Target      string `db:"target"`
		Details     string `db:"details"`
		IP          string `db:"ip"`
		At          dbTime `db:"at"`
	}
	q := "SELECT id, account_id, actor_user_id, action, target, details, ip, at FROM audit_log WHERE id < ? AND " +
		cond + " ORDER BY id DESC LIMIT ?"
	if err := s.r.SelectContext(ctx, &rows, q, append(append([]any{before}, args...), limit)...); err != nil {
		return nil, fmt.Errorf("store: %s: %w", what, mapErr(err))
	}
	out := make([]AuditEntry, len(rows))
	for i, r := range rows {
		out[i] = AuditEntry{ID: r.ID, AccountID: r.AccountID, ActorUserID: r.ActorUserID, Action: r.Action,
			Target: r.Target, Details: r.Details, IP: r.IP, At: r.At.Time}
	}
	return out, nil
}

// UserSession is one dashboard session (a refresh token family member)
// as an export shows it: no token or hash.
type UserSession struct {
	ID        int64     `json:"id"`
	Family    string    `json:"-"`
	CreatedAt time.Time `json:"created_at"`
	ExpiresAt time.Time `json:"expires_at"`
	RevokedAt time.Time `json:"revoked_at"`
}

// UserSessions returns up to limit (1 to 1,000) of user id's refresh
// tokens with ids above after, by id.
func (s *Store) UserSessions(ctx context.Context, id, after int64, limit int) ([]UserSession, error) {
	if limit < 1 || limit > maxListLimit {
		return nil, fmt.Errorf("%w: user sessions limit %d not in 1..%d", ErrInvalid, limit, maxListLimit)
	}
	var rows []struct {
		ID        int64  `db:"id"`
		Family    string `db:"family"`
		CreatedAt dbTime `db:"created_at"`
		ExpiresAt dbTime `db:"expires_at"`
		RevokedAt dbTime `db:"revoked_at"`
	}
	if err := s.r.SelectContext(ctx, &rows, "SELECT id, family, created_at, expires_at, revoked_at FROM refresh_tokens "+
		"WHERE user_id = ? AND id > ? ORDER BY id LIMIT ?", id, after, limit); err != nil {
		return nil, fmt.Errorf("store: sessions of user %d: %w", id, mapErr(err))
	}
	out := make([]UserSession, len(rows))
	for i, r := range rows {
		out[i] = UserSession{ID: r.ID, Family: r.Family, CreatedAt: r.CreatedAt.Time, ExpiresAt: r.ExpiresAt.Time,
			RevokedAt: r.RevokedAt.Time}
	}
	return out, nil
}

// ScheduledTo returns up to limit (1 to 1,000) ids of account accountID's
// messages to phone that still wait for their send time, by id.
func (s *Store) ScheduledTo(ctx context.Context, accountID int64, phone string, limit int) ([]sms.ID, error) {
	if limit < 1 || limit > maxListLimit {
		return nil, fmt.Errorf("%w: scheduled limit %d not in 1..%d", ErrInvalid, limit, maxListLimit)
	}
	var ids []dbID
	if err := s.r.SelectContext(ctx, &ids, "SELECT m.id FROM scheduled_messages sm JOIN messages m ON m.id = sm.message_id "+
		"WHERE sm.account_id = ? AND m.account_id = ? AND m.dst_addr = ? ORDER BY m.id LIMIT ?",
		accountID, accountID, phone, limit); err != nil {
		return nil, fmt.Errorf("store: scheduled messages of a subject in account %d: %w", accountID, mapErr(err))
	}
	out := make([]sms.ID, len(ids))
	for i, id := range ids {
		out[i] = sms.ID(id)
	}
	return out, nil
}

// EraseCounts are the rows an erasure changed or deleted, by table.
type EraseCounts map[string]int64

// Total is the sum of c.
func (c EraseCounts) Total() int64 {
	var n int64
	for _, v := range c {
		n += v
	}
	return n
}

// MaxEraseBatch bounds the messages one erasure transaction changes.
const MaxEraseBatch = 5000

// EraseNumber erases phone from account accountID's data, replacing it
// by token wherever a row must stay, and returns what it changed:
//
//   - messages to phone: dst_addr becomes token and the body empty;
//     their held receipts (which carry both) are deleted. Counts,
//     segments, statuses, prices, times and events stay.
//   - MOs from phone: src_addr becomes token and the body empty.
//   - the contact with phone is deleted with its list memberships and
//     short links ([Store.DeleteContact]).
//   - campaign recipients: phone becomes token; their short links and
//     clicks are deleted. Explicit numbers of campaigns and distribution
//     lists lose phone.
//   - contact import rejections, webhook outbox rows and idempotent
//     answers containing phone: the first two are deleted, the last has
//     phone replaced by token (so a retry is still answered, not redone).
//   - audit entries mentioning phone have it replaced by token.
//
// Opt-outs are kept: they are what stops the number being messaged again.
// Messages are changed batch messages at a time, one transaction each, so
// a number with millions of messages never holds a long lock; running it
// again (after a crash, say) finishes the job and changes nothing more.
// Scheduled messages should be cancelled first (see [Store.ScheduledTo]).
func (s *Store) EraseNumber(ctx context.Context, accountID int64, phone, token string, batch int) (EraseCounts, error) {
	if phone == "" || token == "" || phone == token || strings.ContainsAny(phone, "%_!,") {
		return nil, fmt.Errorf("%w: erase %q as %q", ErrInvalid, phone, token)
	}
	if batch < 1 || batch > MaxEraseBatch {
		return nil, fmt.Errorf("%w: erase batch %d not in 1..%d", ErrInvalid, batch, MaxEraseBatch)
	}
	c := EraseCounts{}
	if err := s.eraseMessages(ctx, c, accountID, phone, token, batch); err != nil {
		return c, err
	}
	if err := s.eraseInbound(ctx, c, accountID, phone, token, batch); err != nil {
		return c, err
	}
	if err := s.eraseRest(ctx, c, accountID, phone, token); err != nil {
		return c, err
	}
	contact, err := s.ContactByPhone(ctx, accountID, phone)
	switch {
	case err == nil:
		if err := s.DeleteContact(ctx, accountID, contact.ID); err != nil && !errors.Is(err, ErrNotFound) {
			return c, err
		}
		c["contacts"]++
	case !errors.Is(err, ErrNotFound):
		return c, err
	}
	return c, nil
}

// eraseMessages redacts account accountID's messages to phone, a batch
// per transaction, walking them by id.
func (s *Store) eraseMessages(ctx context.Context, c EraseCounts, accountID int64, phone, token string, batch int) error {
	var after dbID
	for {
		n, last, err := s.eraseBatch(ctx, c, "messages", "dst_addr", accountID, phone, token, after, batch)
		if err != nil {
			return err
		}
		if n < batch {
			return nil
		}
		after = last
	}
}

// eraseInbound redacts account accountID's MOs from phone, a batch per
// transaction.
func (s *Store) eraseInbound(ctx context.Context, c EraseCounts, accountID int64, phone, token string, batch int) error {
	var after dbID
	for {
		n, last, err := s.eraseBatch(ctx, c, "mo_messages", "src_addr", accountID, phone, token, after, batch)
		if err != nil {
			return err
		}
		if n < batch {
			return nil
		}
		after = last
	}
}

// eraseBatch redacts up to batch rows of table (messages or mo_messages)
// whose column is phone, with ids above after, in one transaction, and
// returns how many it found and the last id.
func (s *Store) eraseBatch(ctx context.Context, c EraseCounts, table, column string, accountID int64, phone, token string,
	after dbID, batch int) (int, dbID, error) {
	var ids []dbID
	err := retryLockConflicts(ctx, func() error {
		ids = ids[:0]
		tx, err := s.w.BeginTxx(ctx, nil)
		if err != nil {
			return err
		}
		defer func() { _ = tx.Rollback() }()
		if err := tx.SelectContext(ctx, &ids, "SELECT id FROM "+table+" WHERE account_id = ? AND "+column+
			" = ? AND id > ? ORDER BY id LIMIT ?", accountID, phone, s.idArg(sms.ID(after)), batch); err != nil {
			return err
		}
		if len(ids) == 0 {
			return nil
		}
		in := s.idList(ids)
		if _, err := tx.ExecContext(ctx, "UPDATE "+table+" SET "+column+" = ?, body = ? WHERE account_id = ? AND id IN ("+
			in+")", token, []byte{}, accountID); err != nil {
			return err
		}
		if table == "messages" {
			res, err := tx.ExecContext(ctx, "DELETE FROM held_receipts WHERE account_id = ? AND message_id IN ("+in+")",
				accountID)
			if err != nil {
				return err
			}
			if n, err := res.RowsAffected(); err == nil {
				c["held_receipts"] += n
			}
		}
		return tx.Commit()
	})
	if err != nil {
		return 0, 0, fmt.Errorf("store: erase a number from %s of account %d: %w", table, accountID, mapErr(err))
	}
	c[table] += int64(len(ids))
	if len(ids) == 0 {
		return 0, after, nil
	}
	return len(ids), ids[len(ids)-1], nil
}

// eraseRest erases phone from the account's smaller tables in one
// transaction.
func (s *Store) eraseRest(ctx context.Context, c EraseCounts, accountID int64, phone, token string) error {
	like := "%" + phone + "%"
	recipients := "SELECT id FROM campaign_recipients WHERE campaign_id IN (SELECT id FROM campaigns WHERE account_id = ?) " +
		"AND phone = ?"
	// SQLite's LIKE and REPLACE see a BLOB only as TEXT; MySQL's work
	// on binary strings as they are.
	blobText := "CAST(response AS TEXT)"
	replaced := "CAST(REPLACE(CAST(response AS TEXT), ?, ?) AS BLOB)"
	if s.d == dialectMySQL {
		blobText, replaced = "response", "REPLACE(response, ?, ?)"
	}
	steps := []struct {
		key  string
		q    string
		args []any
	}{
		{"link_clicks", "DELETE FROM link_clicks WHERE code IN (SELECT code FROM link_codes WHERE account_id = ? AND " +
			"recipient_id IN (" + recipients + "))", []any{accountID, accountID, phone}},
		{"link_codes", "DELETE FROM link_codes WHERE account_id = ? AND recipient_id IN (" + recipients + ")",
			[]any{accountID, accountID, phone}},
		{"campaign_recipients", "UPDATE campaign_recipients SET phone = ? WHERE campaign_id IN " +
			"(SELECT id FROM campaigns WHERE account_id = ?) AND phone = ?", []any{token, accountID, phone}},
		{"contact_import_rejections", "DELETE FROM contact_import_rejections WHERE import_id IN " +
			"(SELECT id FROM contact_imports WHERE account_id = ?) AND record LIKE ?", []any{accountID, like}},
		{"idempotency_keys", "UPDATE idempotency_keys SET response = " + replaced + " WHERE account_id = ? AND " +
			blobText + " LIKE ?", []any{phone, token, accountID, like}},
		{"audit_log", "UPDATE audit_log SET target = REPLACE(target, ?, ?), details = REPLACE(details, ?, ?) " +
			"WHERE account_id = ? AND (target LIKE ? OR details LIKE ?)",
			[]any{phone, token, phone, token, accountID, like, like}},
	}
	return retryLockConflicts(ctx, func() error {
		tx, err := s.w.BeginTxx(ctx, nil)
		if err != nil {
			return fmt.Errorf("store: erase a number in account %d: %w", accountID, mapErr(err))
		}
		defer func() { _ = tx.Rollback() }()
		done := EraseCounts{}
		if err := s.eraseFromOutbox(ctx, tx, done, accountID, phone); err != nil {
			return err
		}
		for _, st := range steps {
			res, err := tx.ExecContext(ctx, st.q, st.args...)
			if err != nil {
				return fmt.Errorf("store: erase a number from %s of account %d: %w", st.key, accountID, mapErr(err))
			}
			if n, err := res.RowsAffected(); err == nil {
				done[st.key] += n
			}
		}
		if err := s.eraseFromLists(ctx, tx, done, accountID, phone); err != nil {
			return err
		}
		if err := tx.Commit(); err != nil {
			return fmt.Errorf("store: erase a number in account %d: %w", accountID, mapErr(err))
		}
		for k, v := range done {
			c[k] += v
		}
		return nil
	})
}

// eraseFromLists removes phone from the comma-separated numbers of the
// account's distribution lists and campaigns.
func (s *Store) eraseFromLists(ctx context.Context, tx *sqlx.Tx, c EraseCounts, accountID int64, phone string) error {
	like := "%" + phone + "%"
	var lists []struct {
		Name    string `db:"name"`
		Numbers string `db:"numbers"`
	}
	if err := tx.SelectContext(ctx, &lists, "SELECT name, numbers FROM distribution_lists WHERE account_id = ? AND numbers LIKE ?",
		accountID, like); err != nil {
		return fmt.Errorf("store: erase a number from distribution lists of account %d: %w", accountID, mapErr(err))
	}
	for _, l := range lists {
		kept, ok := withoutNumber(l.Numbers, phone)
		if !ok {
			continue
		}
		if _, err := tx.ExecContext(ctx, "UPDATE distribution_lists SET numbers = ?, number_count = ? WHERE account_id = ? AND name = ?",
			strings.Join(kept, ","), len(kept), accountID, l.Name); err != nil {
			return fmt.Errorf("store: erase a number from distribution list of account %d: %w", accountID, mapErr(err))
		}
		c["distribution_lists"]++
	}
	var camps []struct {
		ID      int64  `db:"id"`
		Numbers string `db:"numbers"`
	}
	if err := tx.SelectContext(ctx, &camps, "SELECT id, numbers FROM campaigns WHERE account_id = ? AND numbers LIKE ?",
		accountID, like); err != nil {
		return fmt.Errorf("store: erase a number from campaigns of account %d: %w", accountID, mapErr(err))
	}
	for _, cp := range camps {
		kept, ok := withoutNumber(cp.Numbers, phone)
		if !ok {
			continue
		}
		if _, err := tx.ExecContext(ctx, "UPDATE campaigns SET numbers = ? WHERE account_id = ? AND id = ?",
			strings.Join(kept, ","), accountID, cp.ID); err != nil {
			return fmt.Errorf("store: erase a number from campaign %d: %w", cp.ID, mapErr(err))
		}
		c["campaigns"]++
	}
	return nil
}

// withoutNumber returns the comma-separated list without phone, and
// whether phone was in it.
func withoutNumber(list, phone string) ([]string, bool) {
	parts := strings.Split(list, ",")
	kept := parts[:0]
	found := false
	for _, p := range parts {
		if p == phone || strings.TrimPrefix(p, "+") == phone {
			found = true
			continue
		}
		kept = append(kept, p)
	}
	return kept, found
}

// eraseFromOutbox deletes the account's queued webhooks whose body
// mentions phone. The bodies may be sealed (seal.go), so they are opened
// and searched here rather than matched with LIKE, a page of
// outboxErasePage rows at a time so that a long backlog is never read
// into memory at once.
func (s *Store) eraseFromOutbox(ctx context.Context, tx *sqlx.Tx, c EraseCounts, accountID int64, phone string) error {
	var after int64
	for {
		var rows []struct {
			ID   int64  `db:"id"`
			Body []byte `db:"body"`
		}
		if err := tx.SelectContext(ctx, &rows, "SELECT id, body FROM webhook_outbox WHERE account_id = ? AND id > ? ORDER BY id LIMIT ?",
			accountID, after, outboxErasePage); err != nil {
			return fmt.Errorf("store: erase a number from webhook_outbox of account %d: %w", accountID, mapErr(err))
		}
		var ids []int64
		for _, r := range rows {
			body, err := s.keys.Open(r.Body)
			if err != nil {
				return fmt.Errorf("store: erase a number from webhook %d: %w", r.ID, err)
			}
			if bytes.Contains(body, []byte(phone)) {
				ids = append(ids, r.ID)
			}
		}
		if len(ids) > 0 {
			q := make([]byte, 0, 64+len(ids)*12)
			q = append(q, "DELETE FROM webhook_outbox WHERE id IN ("...)
			q = appendInts(q, ids)
			q = append(q, ')')
			res, err := tx.ExecContext(ctx, string(q))
			if err != nil {
				return fmt.Errorf("store: erase a number from webhook_outbox of account %d: %w", accountID, mapErr(err))
			}
			if n, err := res.RowsAffected(); err == nil {
				c["webhook_outbox"] += n
			}
		}
		if len(rows) < outboxErasePage {
			return nil
		}
		after = rows[len(rows)-1].ID
	}
}

// outboxErasePage is how many queued webhooks eraseFromOutbox reads at a
// time (a variable for tests).
var outboxErasePage = 1000
