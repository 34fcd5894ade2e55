package consent

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode"

	"github.com/gallant-sms/gallant/store"
)

// KeywordSet is the words of each kind, as [NormalizeKeyword] gives them.
type KeywordSet struct {
	Stop  []string `json:"stop"`
	Start []string `json:"start"`
	Help  []string `json:"help"`
}

// DefaultKeywords are the keywords every account answers to: the ones
// carriers and regulators expect (CTIA's list for STOP, START and HELP,
// with French additions), before an account's own.
var DefaultKeywords = KeywordSet{
	Stop:  []string{"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "REVOKE", "OPTOUT", "ARRET"},
	Start: []string{"START", "YES", "UNSTOP"},
	Help:  []string{"HELP", "INFO", "AIDE"},
}

// Replies are the auto-replies to each kind of keyword; an empty one
// sends nothing.
type Replies struct {
	Stop  string `json:"stop"`
	Start string `json:"start"`
	Help  string `json:"help"`
}

// DefaultReplies answer an account that set none of its own.
var DefaultReplies = Replies{
	Stop:  "You are unsubscribed and will receive no more messages from us. Reply START to subscribe again.",
	Start: "You are subscribed again. Reply STOP to unsubscribe, HELP for help.",
	Help:  "Reply STOP to unsubscribe, START to subscribe again. Message and data rates may apply.",
}

// AccountKeywords are an account's own keywords (added to the defaults)
// and replies (each empty one takes its default).
type AccountKeywords struct {
	Extra   KeywordSet
	Replies Replies
}

// maxKeywordLen bounds a keyword, as its column does.
const maxKeywordLen = 32

// maxExtraKeywords bounds an account's own keywords of one kind.
const maxExtraKeywords = 20

// maxReplyLen bounds an auto-reply: three GSM segments.
const maxReplyLen = 459

// NormalizeKeyword is how keywords and messages are compared: trimmed of
// spaces and surrounding punctuation, accents folded, upper case. It
// returns "" for a text that is not one word.
func NormalizeKeyword(text string) string {
	t := strings.TrimFunc(text, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsPunct(r) || unicode.IsSymbol(r) })
	if t == "" || len(t) > 4*maxKeywordLen || strings.IndexFunc(t, unicode.IsSpace) >= 0 {
		return ""
	}
	var b strings.Builder
	for _, r := range t {
		b.WriteString(foldAccent(unicode.ToUpper(r)))
	}
	return b.String()
}

// foldAccent maps an accented Latin capital to its base letter(s).
func foldAccent(r rune) string {
	switch r {
	case 'À', 'Á', 'Â', 'Ã', 'Ä', 'Å', 'Ā', 'Ă', 'Ą':
		return "A"
	case 'Æ':
		return "AE"
	case 'Ç', 'Ć', 'Č':
		return "C"
	case 'Ð', 'Ď':
		return "D"
	case 'È', 'É', 'Ê', 'Ë', 'Ē', 'Ė', 'Ę', 'Ě':
		return "E"
	case 'Ì', 'Í', 'Î', 'Ï', 'Ī', 'Į':
		return "I"
	case 'Ñ', 'Ń', 'Ň':
		return "N"
	case 'Ò', 'Ó', 'Ô', 'Õ', 'Ö', 'Ø', 'Ō', 'Ő':
		return "O"
	case 'Œ':
		return "OE"
	case 'Ś', 'Š', 'Ş':
		return "S"
	case 'ß':
		return "SS"
	case 'Ù', 'Ú', 'Û', 'Ü', 'Ū', 'Ů', 'Ű':
		return "U"
	case 'Ý', 'Ÿ':
		return "Y"
	case 'Ź', 'Ż', 'Ž':
		return "Z"
	}
	return string(r)
}

// CheckAccountKeywords refuses own keywords and replies the rules cannot
// use: a keyword that is not one word of 1 to 32 characters, more than 20
// of a kind, one word in two kinds, a reply longer than 459 characters.
// It returns k with its keywords normalized.
func CheckAccountKeywords(k AccountKeywords) (AccountKeywords, error) {
	seen := map[string]string{}
	norm := func(kind string, words []string) ([]string, error) {
		if len(words) > maxExtraKeywords {
			return nil, fmt.Errorf("at most %d %s keywords", maxExtraKeywords, kind)
		}
		out := make([]string, 0, len(words))
		for _, w := range words {
			n := NormalizeKeyword(w)
			if n == "" || len(n) > maxKeywordLen {
				return nil, fmt.Errorf("%s keyword %q: one word of 1 to %d characters", kind, w, maxKeywordLen)
			}
			if other, ok := seen[n]; ok && other != kind {
				return nil, fmt.Errorf("keyword %q is both %s and %s", w, other, kind)
			}
			seen[n] = kind
			if !slices.Contains(out, n) {
				out = append(out, n)
			}
		}
		return out, nil
	}
	for kind, def := range map[string][]string{"stop": DefaultKeywords.Stop, "start": DefaultKeywords.Start, "help": DefaultKeywords.Help} {
		for _, w := range def {
			seen[w] = kind
		}
	}
	var err error
	if k.Extra.Stop, err = norm("stop", k.Extra.Stop); err != nil {
		return k, err
	}
	if k.Extra.Start, err = norm("start", k.Extra.Start); err != nil {
		return k, err
	}
	if k.Extra.Help, err = norm("help", k.Extra.Help); err != nil {
		return k, err
	}
	for _, r := range []string{k.Replies.Stop, k.Replies.Start, k.Replies.Help} {
		if len([]rune(r)) > maxReplyLen {
			return k, fmt.Errorf("a reply has at most %d characters", maxReplyLen)
		}
	}
	return k, nil
}

// Match says which kind of keyword text is for an account with own
// keywords extra (nil: the defaults only), and the keyword matched. A
// keyword matches only as the whole message.
func Match(text string, extra *KeywordSet) (Keyword, string) {
	w := NormalizeKeyword(text)
	if w == "" {
		return KeywordNone, ""
	}
	for _, set := range []*KeywordSet{&DefaultKeywords, extra} {
		if set == nil {
			continue
		}
		switch {
		case slices.Contains(set.Stop, w):
			return KeywordStop, w
		case slices.Contains(set.Start, w):
			return KeywordStart, w
		case slices.Contains(set.Help, w):
			return KeywordHelp, w
		}
	}
	return KeywordNone, ""
}

// KeywordSettings reads an account's own keywords and replies (the zero
// value when it has none).
type KeywordSettings interface {
	AccountKeywords(ctx context.Context, account int64) (AccountKeywords, error)
}

// confirmWindow is how long the confirmation of a STOP may take to go
// out to the number that just opted out.
const confirmWindow = 10 * time.Minute

// Keywords is the [KeywordHandler] of the platform: STOP records an
// opt-out of the number's account (source keyword) and lets the one
// confirmation through; START reverses exactly what the number's STOPs
// did at that account; HELP answers. Each answers with the account's
// reply (or the default).
type Keywords struct {
	ledger   *Ledger
	st       *store.Store
	settings KeywordSettings
}

var _ KeywordHandler = (*Keywords)(nil)

// NewKeywords returns the keyword rules over ledger (and its store);
// settings may be nil (defaults for everyone).
func NewKeywords(ledger *Ledger, st *store.Store, settings KeywordSettings) *Keywords {
	return &Keywords{ledger: ledger, st: st, settings: settings}
}

// HandleInbound implements [KeywordHandler]. An MO to a shared short code
// that no account's keyword claimed (in.Account 0, in.Shared) follows
// the code's rules: the platform's keywords only, a STOP opting the
// number out of every account sending from the code (scope number,
// account 0) and START reversing it; no reply, since no account owns
// the message (the code's operator answers on the carrier's side).
func (k *Keywords) HandleInbound(ctx context.Context, in Inbound) (Outcome, error) {
	if in.Account == 0 {
		if !in.Shared {
			return Outcome{}, nil
		}
		return k.sharedCode(ctx, in)
	}
	var own AccountKeywords
	if k.settings != nil {
		var err error
		if own, err = k.settings.AccountKeywords(ctx, in.Account); err != nil {
			return Outcome{}, fmt.Errorf("consent: keywords of account %d: %w", in.Account, err)
		}
	}
	kind, word := Match(in.Text, &own.Extra)
	out := Outcome{Kind: kind, Keyword: word}
	replies := own.Replies
	switch kind {
	case KeywordNone:
		return out, nil
	case KeywordStop:
		rec := Record{Change: Change{Entry: Entry{Scope: ScopeAccount, Account: in.Account, Number: in.From}, OptOut: true},
			Source: SourceKeyword, Keyword: word, MOID: in.MOID}
		if err := k.ledger.Record(ctx, rec); err != nil {
			return Outcome{}, err
		}
		out.Reply = pick(replies.Stop, DefaultReplies.Stop)
		if out.Reply != "" {
			out.ReplyExempt = k.ledger.Index().AllowOnce(in.Account, in.From, time.Now().Add(confirmWindow))
		}
	case KeywordStart:
		if err := k.reverseStops(ctx, in, word); err != nil {
			return Outcome{}, err
		}
		out.Reply = pick(replies.Start, DefaultReplies.Start)
	case KeywordHelp:
		out.Reply = pick(replies.Help, DefaultReplies.Help)
	}
	return out, nil
}

// sharedCode applies the shared code's rules to an unclaimed MO.
func (k *Keywords) sharedCode(ctx context.Context, in Inbound) (Outcome, error) {
	kind, word := Match(in.Text, nil)
	out := Outcome{Kind: kind, Keyword: word}
	if kind != KeywordStop && kind != KeywordStart {
		return out, nil
	}
	rec := Record{Change: Change{Entry: Entry{Scope: ScopeSender, Sender: in.To, Number: in.From}, OptOut: kind == KeywordStop},
		Source: SourceKeyword, Keyword: word, MOID: in.MOID}
	if kind == KeywordStart {
		latest, err := k.st.LatestOptOut(ctx, uint8(ScopeSender), 0, in.To, in.From)
		if err != nil || !latest.OptedOut || latest.Source != string(SourceKeyword) {
			return out, nil // nothing the number's own STOP did to reverse
		}
	}
	return out, k.ledger.Record(ctx, rec)
}

// reverseStops opts in.From in again wherever its own keyword opted it
// out of in.Account and still holds: at account scope, and at the scope
// of each sender it stopped.
func (k *Keywords) reverseStops(ctx context.Context, in Inbound, word string) error {
	rows, err := k.st.OptOutHistory(ctx, in.Account, in.From, 1000)
	if err != nil {
		return fmt.Errorf("consent: start: %w", err)
	}
	type key struct {
		scope  uint8
		sender string
	}
	seen := map[key]bool{}
	var recs []Record
	for _, r := range rows { // newest first: the first row of a scope is its state
		kk := key{r.Scope, r.Sender}
		if seen[kk] || r.AccountID != in.Account {
			continue
		}
		seen[kk] = true
		if r.OptedOut && r.Source == string(SourceKeyword) {
			recs = append(recs, Record{Change: Change{Entry: Entry{Scope: Scope(r.Scope), Account: in.Account,
				Sender: r.Sender, Number: in.From}}, Source: SourceKeyword, Keyword: word, MOID: in.MOID})
		}
	}
	return k.ledger.Record(ctx, recs...)
}

func pick(own, def string) string {
	if own != "" {
		return own
	}
	return def
}

// StoreSettings reads accounts' own keywords and replies from the store.
type StoreSettings struct{ Store *store.Store }

// AccountKeywords implements [KeywordSettings].
func (s StoreSettings) AccountKeywords(ctx context.Context, account int64) (AccountKeywords, error) {
	k, err := s.Store.KeywordSettingsOf(ctx, account)
	if err != nil {
		return AccountKeywords{}, err
	}
	return AccountKeywords{Extra: KeywordSet{Stop: k.StopWords, Start: k.StartWords, Help: k.HelpWords},
		Replies: Replies{Stop: k.StopReply, Start: k.StartReply, Help: k.HelpReply}}, nil
}
