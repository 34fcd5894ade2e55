package store

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// Link is a tracked short link: a code standing for one URL sent to one
// recipient of a campaign. Package campaign makes the codes.
type Link struct {
	// Code is the short code (base62, case-sensitive, 8 to 16 bytes).
	Code        string
	AccountID   int64
	CampaignID  int64
	RecipientID int64
	// Variant is the campaign's variant or drip step the link was sent
	// in (0 for none): its clicks are also counted apart
	// ([Store.CampaignClicksByVariant]).
	Variant int64
	// URL is the target, an absolute http or https URL.
	URL       string
	CreatedAt time.Time // zero: when inserted
	// Clicks counts the code's clicks (read only).
	Clicks int64
}

// Bounds of link rows.
const (
	// MaxLinkURL bounds a target URL in bytes (the de facto browser
	// limit; an SMS cannot carry more anyway).
	MaxLinkURL = 2048
	// MaxClickUserAgent is how much of a click's User-Agent is kept.
	MaxClickUserAgent = 256
	// MaxLoggedClicks is how many clicks of one code are logged with
	// their time and user agent; later ones are only counted, so a bot
	// fetching one link in a loop cannot grow link_clicks without end.
	MaxLoggedClicks = 100
	minLinkCode     = 8
	maxLinkCode     = 16
	// linkInsertRows bounds the rows of one INSERT: 500 × 7 arguments is
	// far under MySQL's 65,535 placeholders and SQLite's 32,766.
	linkInsertRows = 500
)

const (
	linkColumns        = "code, account_id, campaign_id, recipient_id, variant, url, created_at"
	qLinkByCode        = "SELECT code, account_id, campaign_id, recipient_id, variant, url, created_at, clicks FROM link_codes WHERE code = ?"
	qFirstClick        = "UPDATE link_codes SET clicks = 1, first_click_at = ?, last_click_at = ? WHERE code = ? AND clicks = 0"
	qNextClick         = "UPDATE link_codes SET clicks = clicks + 1, last_click_at = ? WHERE code = ?"
	qClicksOf          = "SELECT clicks FROM link_codes WHERE code = ?"
	qLogClick          = "INSERT INTO link_clicks (code, account_id, campaign_id, clicked_at, user_agent) VALUES (?, ?, ?, ?, ?)"
	qCampaignClicks    = "SELECT COALESCE(SUM(total), 0) AS total, COALESCE(SUM(uniq), 0) AS uniq FROM campaign_clicks WHERE account_id = ? AND campaign_id = ?"
	qClicksByVariant   = "SELECT variant, total, uniq FROM campaign_clicks WHERE account_id = ? AND campaign_id = ? ORDER BY variant"
	qCountCampaignMy   = "INSERT INTO campaign_clicks (account_id, campaign_id, variant, total, uniq, updated_at) VALUES (?, ?, ?, 1, ?, ?) ON DUPLICATE KEY UPDATE total = total + 1, uniq = uniq + VALUES(uniq), updated_at = VALUES(updated_at)"
	qCountCampaignLite = "INSERT INTO campaign_clicks (account_id, campaign_id, variant, total, uniq, updated_at) VALUES (?, ?, ?, 1, ?, ?) ON CONFLICT (account_id, campaign_id, variant) DO UPDATE SET total = total + 1, uniq = uniq + excluded.uniq, updated_at = excluded.updated_at"
	qLinkClicks        = "SELECT clicked_at, user_agent FROM link_clicks WHERE code = ? ORDER BY id LIMIT ?"
)

// checkLink refuses what the table cannot hold.
func checkLink(l *Link) error {
	switch {
	case l.AccountID <= 0:
		return fmt.Errorf("%w: a link needs an account", ErrInvalid)
	case len(l.Code) < minLinkCode || len(l.Code) > maxLinkCode:
		return fmt.Errorf("%w: link code %q", ErrInvalid, l.Code)
	case l.URL == "" || len(l.URL) > MaxLinkURL || !utf8.ValidString(l.URL):
		return fmt.Errorf("%w: link URL of 1 to %d bytes of UTF-8", ErrInvalid, MaxLinkURL)
	}
	return nil
}

// InsertLinks stores links in one transaction, a multi-row INSERT per
// 500. A code already stored is [ErrDuplicate] and stores none of them.
func (s *Store) InsertLinks(ctx context.Context, links []Link) error {
	if len(links) == 0 {
		return nil
	}
	for i := range links {
		if err := checkLink(&links[i]); err != nil {
			return err
		}
	}
	now := s.timeArg(s.now().UTC().Truncate(time.Microsecond))
	tx, err := s.w.BeginTxx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: insert links: %w", mapErr(err))
	}
	defer tx.Rollback()
	var q strings.Builder
	args := make([]any, 0, 7*min(len(links), linkInsertRows))
	for start := 0; start < len(links); start += linkInsertRows {
		chunk := links[start:min(start+linkInsertRows, len(links))]
		q.Reset()
		args = args[:0]
		q.WriteString("INSERT INTO link_codes (" + linkColumns + ") VALUES ")
		for i := range chunk {
			l := &chunk[i]
			if i > 0 {
				q.WriteByte(',')
			}
			q.WriteString("(?,?,?,?,?,?,?)")
			created := now
			if !l.CreatedAt.IsZero() {
				created = s.timeArg(l.CreatedAt)
			}
			args = append(args, l.Code, l.AccountID, l.CampaignID, l.RecipientID, l.Variant, l.URL, created)
		}
		if _, err := tx.ExecContext(ctx, q.String(), args...); err != nil {
			return fmt.Errorf("store: insert %d links: %w", len(chunk), mapErr(err))
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("store: insert links: %w", mapErr(err))
	}
	return nil
}

// LinkByCode returns the link of code (any account's: the code is the
// secret), or [ErrNotFound].
func (s *Store) LinkByCode(ctx context.Context, code string) (Link, error) {
	if len(code) < minLinkCode || len(code) > maxLinkCode {
		return Link{}, fmt.Errorf("store: link %q: %w", code, ErrNotFound)
	}
	var r struct {
		Code        string `db:"code"`
		AccountID   int64  `db:"account_id"`
		CampaignID  int64  `db:"campaign_id"`
		RecipientID int64  `db:"recipient_id"`
		Variant     int64  `db:"variant"`
		URL         string `db:"url"`
		CreatedAt   dbTime `db:"created_at"`
		Clicks      int64  `db:"clicks"`
	}
	if err := s.r.GetContext(ctx, &r, qLinkByCode, code); err != nil {
		return Link{}, fmt.Errorf("store: link %q: %w", code, mapErr(err))
	}
	return Link{Code: r.Code, AccountID: r.AccountID, CampaignID: r.CampaignID, RecipientID: r.RecipientID, Variant: r.Variant, URL: r.URL,
		CreatedAt: r.CreatedAt.Time, Clicks: r.Clicks}, nil
}

// RecordClick counts a click of l (read with [Store.LinkByCode]) at at:
// the code's count, the campaign's total and, on the code's first click,
// its unique count, all in one transaction; the click is logged with the
// first [MaxClickUserAgent] bytes of userAgent while the code has at most
// [MaxLoggedClicks]. It reports whether this was the code's first click.
// A few statements per click: clicks are rare next to sends.
func (s *Store) RecordClick(ctx context.Context, l Link, at time.Time, userAgent string) (first bool, err error) {
	userAgent = clipUTF8(userAgent, MaxClickUserAgent)
	when := s.timeArg(at.UTC().Truncate(time.Microsecond))
	tx, err := s.w.BeginTxx(ctx, nil)
	if err != nil {
		return false, fmt.Errorf("store: record click: %w", mapErr(err))
	}
	defer tx.Rollback()
	res, err := tx.ExecContext(ctx, qFirstClick, when, when, l.Code)
	if err != nil {
		return false, fmt.Errorf("store: record click of %q: %w", l.Code, mapErr(err))
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("store: record click of %q: %w", l.Code, err)
	}
	first = n == 1
	clicks := int64(1)
	if !first {
		if _, err := tx.ExecContext(ctx, qNextClick, when, l.Code); err != nil {
			return false, fmt.Errorf("store: record click of %q: %w", l.Code, mapErr(err))
		}
		if err := tx.GetContext(ctx, &clicks, qClicksOf, l.Code); err != nil {
			return false, fmt.Errorf("store: record click of %q: %w", l.Code, mapErr(err))
		}
	}
	if clicks <= MaxLoggedClicks {
		if _, err := tx.ExecContext(ctx, qLogClick, l.Code, l.AccountID, l.CampaignID, when, userAgent); err != nil {
			return false, fmt.Errorf("store: log click of %q: %w", l.Code, mapErr(err))
		}
	}
	q := qCountCampaignLite
	if s.d == dialectMySQL {
		q = qCountCampaignMy
	}
	uniq := 0
	if first {
		uniq = 1
	}
	if _, err := tx.ExecContext(ctx, q, l.AccountID, l.CampaignID, l.Variant, uniq, when); err != nil {
		return false, fmt.Errorf("store: count click of campaign %d: %w", l.CampaignID, mapErr(err))
	}
	if err := tx.Commit(); err != nil {
		return false, fmt.Errorf("store: record click of %q: %w", l.Code, mapErr(err))
	}
	return first, nil
}

// clipUTF8 cuts s to at most n bytes without splitting a character.
func clipUTF8(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// CampaignClicks returns the clicks of the account's campaign: total
// clicks and unique ones (distinct codes clicked). It reads one counter
// row per variant (see [Link].Variant), whatever the campaign's size; a
// campaign never clicked is 0, 0.
func (s *Store) CampaignClicks(ctx context.Context, accountID, campaignID int64) (total, unique int64, err error) {
	var r struct {
		Total int64 `db:"total"`
		Uniq  int64 `db:"uniq"`
	}
	if err := s.r.GetContext(ctx, &r, qCampaignClicks, accountID, campaignID); err != nil {
		return 0, 0, fmt.Errorf("store: clicks of campaign %d: %w", campaignID, mapErr(err))
	}
	return r.Total, r.Uniq, nil
}

// VariantClicks are the clicks of one variant or drip step of a
// campaign.
type VariantClicks struct {
	Variant int64 `db:"variant"`
	Total   int64 `db:"total"`
	Unique  int64 `db:"uniq"`
}

// CampaignClicksByVariant returns the clicks of the account's campaign
// per variant or drip step ([Link].Variant; 0 for links sent outside
// any), in variant order, only those clicked: one counter row each.
func (s *Store) CampaignClicksByVariant(ctx context.Context, accountID, campaignID int64) ([]VariantClicks, error) {
	var out []VariantClicks
	if err := s.r.SelectContext(ctx, &out, qClicksByVariant, accountID, campaignID); err != nil {
		return nil, fmt.Errorf("store: clicks of campaign %d by variant: %w", campaignID, mapErr(err))
	}
	return out, nil
}

// Click is one logged click of a link.
type Click struct {
	At        time.Time
	UserAgent string
}

// LinkClicks returns up to limit (1 to MaxLoggedClicks) logged clicks of
// code, oldest first.
func (s *Store) LinkClicks(ctx context.Context, code string, limit int) ([]Click, error) {
	if limit < 1 || limit > MaxLoggedClicks {
		return nil, fmt.Errorf("%w: link clicks limit %d", ErrInvalid, limit)
	}
	var rows []struct {
		At        dbTime `db:"clicked_at"`
		UserAgent string `db:"user_agent"`
	}
	if err := s.r.SelectContext(ctx, &rows, qLinkClicks, code, limit); err != nil {
		return nil, fmt.Errorf("store: clicks of link %q: %w", code, mapErr(err))
	}
	out := make([]Click, len(rows))
	for i, r := range rows {
		out[i] = Click{At: r.At.Time, UserAgent: r.UserAgent}
	}
	return out, nil
}
