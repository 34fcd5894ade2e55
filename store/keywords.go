package store

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
)

// KeywordSettings are an account's own opt-out keywords, added to the
// platform's defaults, and its auto-replies (an empty one takes the
// default). The store keeps what it is given: the consent package checks
// and normalizes it first.
type KeywordSettings struct {
	AccountID                        int64
	StopWords, StartWords, HelpWords []string
	StopReply, StartReply, HelpReply string
	UpdatedAt                        time.Time
}

// Column bounds of keyword_settings.
const (
	maxKeywordWordsLen = 1024
	maxKeywordReplyLen = 2048
)

const (
	keywordColumns = "account_id, stop_words, start_words, help_words, stop_reply, start_reply, help_reply, updated_at"
	qGetKeywords   = "SELECT " + keywordColumns + " FROM keyword_settings WHERE account_id = ?"
	qPutKeywordsMy = "INSERT INTO keyword_settings (" + keywordColumns + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?) " +
		"ON DUPLICATE KEY UPDATE stop_words = VALUES(stop_words), start_words = VALUES(start_words), " +
		"help_words = VALUES(help_words), stop_reply = VALUES(stop_reply), start_reply = VALUES(start_reply), " +
		"help_reply = VALUES(help_reply), updated_at = VALUES(updated_at)"
	qPutKeywordsLite = "INSERT INTO keyword_settings (" + keywordColumns + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?) " +
		"ON CONFLICT (account_id) DO UPDATE SET stop_words = excluded.stop_words, start_words = excluded.start_words, " +
		"help_words = excluded.help_words, stop_reply = excluded.stop_reply, start_reply = excluded.start_reply, " +
		"help_reply = excluded.help_reply, updated_at = excluded.updated_at"
)

// KeywordSettingsOf returns account accountID's settings; an account
// that set none gets the zero value (with its AccountID).
func (s *Store) KeywordSettingsOf(ctx context.Context, accountID int64) (KeywordSettings, error) {
	var r struct {
		AccountID  int64  `db:"account_id"`
		StopWords  string `db:"stop_words"`
		StartWords string `db:"start_words"`
		HelpWords  string `db:"help_words"`
		StopReply  string `db:"stop_reply"`
		StartReply string `db:"start_reply"`
		HelpReply  string `db:"help_reply"`
		UpdatedAt  dbTime `db:"updated_at"`
	}
	err := s.r.GetContext(ctx, &r, qGetKeywords, accountID)
	if errors.Is(mapErr(err), ErrNotFound) {
		return KeywordSettings{AccountID: accountID}, nil
	}
	if err != nil {
		return KeywordSettings{}, fmt.Errorf("store: keyword settings of %d: %w", accountID, mapErr(err))
	}
	return KeywordSettings{AccountID: r.AccountID, StopWords: splitWords(r.StopWords, ","), StartWords: splitWords(r.StartWords, ","),
		HelpWords: splitWords(r.HelpWords, ","), StopReply: r.StopReply, StartReply: r.StartReply, HelpReply: r.HelpReply,
		UpdatedAt: r.UpdatedAt.Time}, nil
}

// PutKeywordSettings stores k for its account, replacing what it had, and
// sets its UpdatedAt.
func (s *Store) PutKeywordSettings(ctx context.Context, k *KeywordSettings) error {
	words := [3]string{strings.Join(k.StopWords, ","), strings.Join(k.StartWords, ","), strings.Join(k.HelpWords, ",")}
	for _, w := range words {
		if len(w) > maxKeywordWordsLen {
			return fmt.Errorf("%w: keywords longer than %d bytes", ErrInvalid, maxKeywordWordsLen)
		}
	}
	for _, r := range []string{k.StopReply, k.StartReply, k.HelpReply} {
		if len(r) > maxKeywordReplyLen {
			return fmt.Errorf("%w: a reply longer than %d bytes", ErrInvalid, maxKeywordReplyLen)
		}
	}
	if k.AccountID <= 0 {
		return fmt.Errorf("%w: keyword settings need an account", ErrInvalid)
	}
	k.UpdatedAt = s.now().UTC().Truncate(time.Microsecond)
	q := qPutKeywordsLite
	if s.d == dialectMySQL {
		q = qPutKeywordsMy
	}
	if _, err := s.w.ExecContext(ctx, q, k.AccountID, words[0], words[1], words[2], k.StopReply, k.StartReply,
		k.HelpReply, s.timeArg(k.UpdatedAt)); err != nil {
		return fmt.Errorf("store: put keyword settings of %d: %w", k.AccountID, mapErr(err))
	}
	return nil
}
