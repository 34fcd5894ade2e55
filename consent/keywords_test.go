package consent_test

import (
	"context"
	"testing"
	"time"

	"github.com/gallant-sms/gallant/consent"
	"github.com/gallant-sms/gallant/sms"
	"github.com/gallant-sms/gallant/store"
	"github.com/gallant-sms/gallant/store/storetest"
)

func TestMatch(t *testing.T) {
	own := &consent.KeywordSet{Stop: []string{"HALT"}, Help: []string{"SOS"}}
	cases := []struct {
		text string
		kind consent.Keyword
		word string
	}{
		{"STOP", consent.KeywordStop, "STOP"},
		{"  stop\n", consent.KeywordStop, "STOP"},
		{"Stop!", consent.KeywordStop, "STOP"},
		{"\"unsubscribe.\"", consent.KeywordStop, "UNSUBSCRIBE"},
		{"Arrêt", consent.KeywordStop, "ARRET"},
		{"halt", consent.KeywordStop, "HALT"},
		{"yes", consent.KeywordStart, "YES"},
		{"Help?", consent.KeywordHelp, "HELP"},
		{"sos", consent.KeywordHelp, "SOS"},
		{"please stop by later", consent.KeywordNone, ""},
		{"STOP NOW", consent.KeywordNone, ""},
		{"stopping", consent.KeywordNone, ""},
		{"", consent.KeywordNone, ""},
		{"!!!", consent.KeywordNone, ""},
	}
	for _, c := range cases {
		kind, word := consent.Match(c.text, own)
		if kind != c.kind || word != c.word {
			t.Errorf("Match(%q) = %v %q, want %v %q", c.text, kind, word, c.kind, c.word)
		}
	}
	if kind, _ := consent.Match("halt", nil); kind != consent.KeywordNone {
		t.Error("another account's own keyword matched")
	}
}

func TestCheckAccountKeywords(t *testing.T) {
	k, err := consent.CheckAccountKeywords(consent.AccountKeywords{Extra: consent.KeywordSet{Stop: []string{"halt", "Halt!", "Arrête"}}})
	if err != nil || len(k.Extra.Stop) != 2 || k.Extra.Stop[0] != "HALT" || k.Extra.Stop[1] != "ARRETE" {
		t.Fatalf("normalized: %+v, %v", k, err)
	}
	bad := []consent.AccountKeywords{
		{Extra: consent.KeywordSet{Stop: []string{"two words"}}},
		{Extra: consent.KeywordSet{Stop: []string{"START"}}}, // a default START
		{Extra: consent.KeywordSet{Stop: []string{"X"}, Help: []string{"x"}}},
		{Extra: consent.KeywordSet{Help: []string{""}}},
		{Replies: consent.Replies{Help: string(make([]rune, 460))}},
	}
	for i, b := range bad {
		if _, err := consent.CheckAccountKeywords(b); err == nil {
			t.Errorf("bad settings %d accepted", i)
		}
	}
}

// TestKeywordsHandleInbound: STOP records an account opt-out from the
// keyword (with its MO) and lets one confirmation through; HELP answers
// with the account's own text; START reverses the STOPs and only them; a
// sentence does nothing.
func TestKeywordsHandleInbound(t *testing.T) {
	cfg := storetest.Config(t, storetest.SQLite)
	st := openStore(t, cfg)
	l := consent.NewLedger(st, &consent.Index{}, consent.LedgerConfig{})
	ctx := context.Background()
	if err := st.PutKeywordSettings(ctx, &store.KeywordSettings{AccountID: 7, HelpWords: []string{"SOS"}, HelpReply: "Acme help: 0800 123"}); err != nil {
		t.Fatal(err)
	}
	k := consent.NewKeywords(l, st, consent.StoreSettings{Store: st})
	const from = "447700900001"
	in := func(text string, mo sms.ID) consent.Inbound {
		return consent.Inbound{Account: 7, From: from, To: "12345", Text: text, MOID: mo}
	}

	out, err := k.HandleInbound(ctx, in("please stop by later", 1))
	if err != nil || out.Kind != consent.KeywordNone || out.Reply != "" || l.Index().Len() != 0 {
		t.Fatalf("a sentence: %+v, %v", out, err)
	}
	// The account had opted the number out of one sender itself.
	if err := l.Record(ctx, consent.Record{Change: consent.Change{Entry: consent.Entry{Scope: consent.ScopeSender, Account: 7,
		Sender: "Promo", Number: from}, OptOut: true}, Source: consent.SourceAPI}); err != nil {
		t.Fatal(err)
	}
	out, err = k.HandleInbound(ctx, in("Stop", 2))
	if err != nil || out.Kind != consent.KeywordStop || out.Keyword != "STOP" || out.Reply != consent.DefaultReplies.Stop || !out.ReplyExempt {
		t.Fatalf("STOP: %+v, %v", out, err)
	}
	if s, ok := l.Index().Blocked(7, "Acme", from); !ok || s != consent.ScopeAccount {
		t.Fatal("STOP did not opt the number out of the account")
	}
	if !l.Index().TakeAllowance(7, from, time.Now()) || l.Index().TakeAllowance(7, from, time.Now()) {
		t.Fatal("not exactly one confirmation allowed")
	}
	rows, err := st.OptOutHistory(ctx, 7, from, 10)
	if err != nil || len(rows) != 2 || rows[0].Source != "keyword" || rows[0].Keyword != "STOP" || rows[0].MOID != 2 {
		t.Fatalf("ledger after STOP: %+v, %v", rows, err)
	}

	out, err = k.HandleInbound(ctx, in("sos", 3))
	if err != nil || out.Kind != consent.KeywordHelp || out.Reply != "Acme help: 0800 123" || out.ReplyExempt {
		t.Fatalf("HELP: %+v, %v", out, err)
	}
	out, err = k.HandleInbound(ctx, in("START", 4))
	if err != nil || out.Kind != consent.KeywordStart || out.Reply != consent.DefaultReplies.Start {
		t.Fatalf("START: %+v, %v", out, err)
	}
	if _, ok := l.Index().Blocked(7, "Acme", from); ok {
		t.Fatal("START left the account opt-out")
	}
	if s, ok := l.Index().Blocked(7, "Promo", from); !ok || s != consent.ScopeSender {
		t.Fatal("START lifted the opt-out the account recorded itself")
	}
	// Another account is untouched by all of it.
	if _, ok := l.Index().Blocked(8, "Acme", from); ok {
		t.Fatal("another account is blocked")
	}
}

// TestKeywordsSharedCode: a STOP to a shared short code that no account's
// keyword claimed opts the number out of every account sending from that
// code, and of nothing else; START reverses it; HELP does nothing; an MO
// of no account that is not to a shared code does nothing.
func TestKeywordsSharedCode(t *testing.T) {
	cfg := storetest.Config(t, storetest.SQLite)
	st := openStore(t, cfg)
	l := consent.NewLedger(st, &consent.Index{}, consent.LedgerConfig{})
	k := consent.NewKeywords(l, st, nil)
	ctx := context.Background()
	const code, from = "12345", "447700900001"
	shared := func(text string, mo sms.ID) consent.Outcome {
		t.Helper()
		out, err := k.HandleInbound(ctx, consent.Inbound{From: from, To: code, Text: text, MOID: mo, Shared: true})
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	if out, err := k.HandleInbound(ctx, consent.Inbound{From: from, To: "447700900999", Text: "STOP"}); err != nil || out.Kind != consent.KeywordNone || l.Index().Len() != 0 {
		t.Fatalf("an unrouted MO to a long number: %+v, %v", out, err)
	}
	if out := shared("STOP", 1); out.Kind != consent.KeywordStop || out.Reply != "" {
		t.Fatalf("STOP to the shared code: %+v", out)
	}
	for _, account := range []int64{7, 8} {
		if s, ok := l.Index().Blocked(account, code, from); !ok || s != consent.ScopeSender {
			t.Fatalf("account %d may still send from the shared code", account)
		}
		if _, ok := l.Index().Blocked(account, "Acme", from); ok {
			t.Fatalf("account %d is blocked from another sender", account)
		}
	}
	shared("HELP", 2)
	shared("START", 3)
	if _, ok := l.Index().Blocked(7, code, from); ok {
		t.Fatal("START on the shared code did not reverse its STOP")
	}
	if rows, err := st.OptOutHistory(ctx, 7, from, 10); err != nil || len(rows) != 2 || rows[0].OptedOut || rows[1].Sender != code {
		t.Fatalf("ledger: %+v, %v", rows, err)
	}
}

// TestLedgerOnRecorded: the ledger tells its observer of every change it
// records (a STOP keyword's opt-out, a START's opt-in again), with the
// rows as stored, once each and only on the ledger that recorded them;
// a nil observer stops it.
func TestLedgerOnRecorded(t *testing.T) {
	cfg := storetest.Config(t, storetest.SQLite)
	st := openStore(t, cfg)
	l := consent.NewLedger(st, &consent.Index{}, consent.LedgerConfig{})
	other := consent.NewLedger(st, &consent.Index{}, consent.LedgerConfig{})
	ctx := context.Background()
	var got, elsewhere []store.OptOut
	l.OnRecorded(func(rows []store.OptOut) { got = append(got, rows...) })
	other.OnRecorded(func(rows []store.OptOut) { elsewhere = append(elsewhere, rows...) })
	k := consent.NewKeywords(l, st, nil)
	const from = "447700900002"
	if _, err := k.HandleInbound(ctx, consent.Inbound{Account: 7, From: from, To: "12345", Text: "STOP", MOID: 9}); err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].AccountID != 7 || got[0].Number != from || !got[0].OptedOut || got[0].Source != "keyword" ||
		got[0].Keyword != "STOP" || got[0].MOID != 9 {
		t.Fatalf("after STOP: %+v", got)
	}
	if _, err := k.HandleInbound(ctx, consent.Inbound{Account: 7, From: from, To: "12345", Text: "START", MOID: 10}); err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[1].OptedOut || got[1].Number != from {
		t.Fatalf("after START: %+v", got)
	}
	if _, err := other.Sync(ctx); err != nil || len(elsewhere) != 0 {
		t.Fatalf("another ledger reading the tail reported %+v, %v", elsewhere, err)
	}
	l.OnRecorded(nil)
	if err := l.Record(ctx, consent.Record{Change: consent.Change{Entry: consent.Entry{Scope: consent.ScopeAccount, Account: 7,
		Number: "447700900003"}, OptOut: true}, Source: consent.SourceAPI}); err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 {
		t.Fatalf("a removed observer was told: %+v", got)
	}
}
