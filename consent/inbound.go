package consent

import (
	"context"

	"github.com/gallant-sms/gallant/sms"
)

// Inbound is a message a number sent to one of an account's numbers (an
// MO), as the keyword rules see it once the gateway has routed and stored
// it.
type Inbound struct {
	Account int64  // the owner of the number it was sent to
	From    string // the sender's number (E.164 digits)
	To      string // the account's number or short code
	Text    string // decoded text (reassembled when long)
	MOID    sms.ID
	// Shared is set when To is a shared short code (the account owns a
	// keyword on it, not the code): a STOP there follows the code's rules.
	Shared bool
}

// Keyword is the kind of keyword an MO was.
type Keyword uint8

// The kinds of keywords (issue 12).
const (
	KeywordNone  Keyword = iota // an ordinary message
	KeywordStop                 // STOP, STOPALL, UNSUBSCRIBE, ...: opt out
	KeywordStart                // START, YES, UNSTOP: opt in again
	KeywordHelp                 // HELP, INFO
)

// Outcome is what the keyword rules did with an MO.
type Outcome struct {
	Kind    Keyword
	Keyword string // the keyword as matched (upper case), when Kind is not KeywordNone
	// Reply, when not empty, is the auto-reply the gateway sends from To
	// to From on the account, billed like any message. ReplyExempt lets
	// it reach a number that has just opted out: the one confirmation
	// carriers require after a STOP.
	Reply       string
	ReplyExempt bool
}

// KeywordHandler applies the keyword rules to a routed, stored MO: it
// records opt-outs and opt-ins in the ledger and says what to answer. The
// gateway calls it once per MO, before delivering the MO to its owner,
// and once for an MO to a shared short code that no account's keyword
// claimed (Account 0, Shared set: the code's own rules).
type KeywordHandler interface {
	HandleInbound(ctx context.Context, in Inbound) (Outcome, error)
}
