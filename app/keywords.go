package app

import (
	"context"
	"fmt"
	"time"

	"github.com/gallant-sms/gallant/consent"
	"github.com/gallant-sms/gallant/store"
)

// Keywords manages the caller's account's own opt-out keywords (added to
// the platform's STOP, START and HELP words) and its auto-replies.
type Keywords struct {
	st *store.Store
}

// KeywordSettings is the JSON form of an account's keyword settings: its
// own words, its replies (empty: the default, shown in Defaults), and the
// platform's words and replies for reference.
type KeywordSettings struct {
	Keywords  consent.KeywordSet `json:"keywords"`
	Replies   consent.Replies    `json:"replies"`
	Defaults  KeywordDefaults    `json:"defaults"`
	UpdatedAt time.Time          `json:"updated_at,omitzero"`
}

// KeywordDefaults are the platform's keywords and replies.
type KeywordDefaults struct {
	Keywords consent.KeywordSet `json:"keywords"`
	Replies  consent.Replies    `json:"replies"`
}

// KeywordSettingsInput is the body of PUT /v1/keywords.
type KeywordSettingsInput struct {
	Keywords consent.KeywordSet `json:"keywords"`
	Replies  consent.Replies    `json:"replies"`
}

func keywordView(k store.KeywordSettings) KeywordSettings {
	nonNil := func(s []string) []string {
		if s == nil {
			return []string{}
		}
		return s
	}
	return KeywordSettings{
		Keywords:  consent.KeywordSet{Stop: nonNil(k.StopWords), Start: nonNil(k.StartWords), Help: nonNil(k.HelpWords)},
		Replies:   consent.Replies{Stop: k.StopReply, Start: k.StartReply, Help: k.HelpReply},
		Defaults:  KeywordDefaults{Keywords: consent.DefaultKeywords, Replies: consent.DefaultReplies},
		UpdatedAt: k.UpdatedAt,
	}
}

// Get returns the caller's account's settings.
func (s *Keywords) Get(ctx context.Context, p Principal) (KeywordSettings, error) {
	k, err := s.st.KeywordSettingsOf(ctx, p.AccountID)
	if err != nil {
		return KeywordSettings{}, fmt.Errorf("keyword settings: %w", err)
	}
	return keywordView(k), nil
}

// Put replaces the caller's account's settings; it needs a caller that
// may send for the account.
func (s *Keywords) Put(ctx context.Context, p Principal, in KeywordSettingsInput) (KeywordSettings, error) {
	if p.Unverified {
		return KeywordSettings{}, refuse(KindEmailUnverified, "", "verify your email before changing keywords")
	}
	if p.Role == RoleMember && !p.CanSend {
		return KeywordSettings{}, Forbidden("the caller may not send for this account, nor change its keywords")
	}
	k, err := consent.CheckAccountKeywords(consent.AccountKeywords{Extra: in.Keywords, Replies: in.Replies})
	if err != nil {
		return KeywordSettings{}, Invalid("keywords", err.Error())
	}
	row := store.KeywordSettings{AccountID: p.AccountID, StopWords: k.Extra.Stop, StartWords: k.Extra.Start,
		HelpWords: k.Extra.Help, StopReply: k.Replies.Stop, StartReply: k.Replies.Start, HelpReply: k.Replies.Help}
	if err := s.st.PutKeywordSettings(ctx, &row); err != nil {
		return KeywordSettings{}, fmt.Errorf("keyword settings: %w", err)
	}
	return keywordView(row), nil
}
