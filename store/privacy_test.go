package store

import (
	"strings"
	"testing"
	"time"

	"github.com/gallant-sms/gallant/sms"
)

// TestEraseNumber: after EraseNumber (in batches of 2, so several
// transactions) the number remains, in any column of any table, only in
// the opt-out ledger; every message keeps its row, segments, price and
// status; another account's data about the same number and the account's
// data about another number are untouched; a second run changes nothing.
func TestEraseNumber(t *testing.T) {
	forEachDialect(t, func(t *testing.T, driver string) {
		s := newTestStore(t, driver)
		ctx := testCtx(t)
		const (
			phone = "447700955123"
			other = "447700955999"
			token = "447*0123456789abcdef"
			body  = "Secretbody8812"
		)
		msg := func(acct int64, id sms.ID, to string) {
			m := testMessage(acct, id)
			m.Dest.Addr, m.Body, m.Segments, m.Price = to, []byte(body), 2, 1500
			if err := s.Insert(ctx, m); err != nil {
				t.Fatal(err)
			}
		}
		for i := range 5 {
			msg(1, sms.ID(100+i), phone)
		}
		msg(1, 200, other)
		msg(2, 300, phone) // another account's
		mo := &InboundMO{MO: sms.MO{ID: 400, AccountID: 1, Carrier: "c1", Source: sms.Address{Addr: phone},
			Dest: sms.Address{Addr: "60000"}, Body: []byte("STOP " + body), ReceivedAt: time.Now().UTC()}, Parts: 1}
		if err := s.Insert(ctx, mo); err != nil {
			t.Fatal(err)
		}
		c := &Contact{AccountID: 1, Phone: phone, FirstName: "Ann", Fields: "{}"}
		if err := s.CreateContact(ctx, c); err != nil {
			t.Fatal(err)
		}
		l := &ContactList{AccountID: 1, Name: "vip"}
		if err := s.CreateContactList(ctx, l); err != nil {
			t.Fatal(err)
		}
		if _, err := s.AddToList(ctx, 1, l.ID, []int64{c.ID}); err != nil {
			t.Fatal(err)
		}
		if err := s.AddOptOuts(ctx, []OptOut{{Scope: 2, AccountID: 1, Number: phone, OptedOut: true, Source: "api"}}); err != nil {
			t.Fatal(err)
		}
		if err := s.CreateDistList(ctx, &DistList{AccountID: 1, Name: "team", Numbers: []string{other, phone}}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.HoldReceipt(ctx, 1, "esme1", 101, []byte("id:1 to:"+phone), time.Now().Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		if err := s.PutIdempotent(ctx, &Idempotent{AccountID: 1, Key: "k1", StatusCode: 200,
			Response: []byte(`{"numbers":["` + phone + `"]}`)}); err != nil {
			t.Fatal(err)
		}
		if err := s.SaveWebhooks(ctx, []OutboxWebhook{{AccountID: 1, MessageID: 101, URL: "https://h.example/",
			Body: []byte(`{"to":"+` + phone + `"}`)}}); err != nil {
			t.Fatal(err)
		}
		if err := s.AppendAudit(ctx, &AuditEntry{AccountID: 1, Action: "opt_out.add", Target: "number:" + phone}); err != nil {
			t.Fatal(err)
		}
		camp := &Campaign{AccountID: 1, Name: "spring", Kind: "blast", Numbers: []string{other, phone}}
		if err := s.CreateCampaign(ctx, camp); err != nil {
			t.Fatal(err)
		}
		if n, err := s.MaterializeCampaign(ctx, camp); err != nil || n != 2 {
			t.Fatalf("materialize: %d, %v", n, err)
		}
		var recipient int64
		if err := s.r.GetContext(ctx, &recipient, "SELECT id FROM campaign_recipients WHERE phone = ?", phone); err != nil {
			t.Fatal(err)
		}
		if err := s.InsertLinks(ctx, []Link{{Code: "Abc12345xyz", AccountID: 1, CampaignID: camp.ID, RecipientID: recipient,
			URL: "https://shop.example/?m=" + phone}}); err != nil {
			t.Fatal(err)
		}
		l1, err := s.LinkByCode(ctx, "Abc12345xyz")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.RecordClick(ctx, l1, time.Now(), "Mozilla/5.0"); err != nil {
			t.Fatal(err)
		}
		imp := &ContactImport{AccountID: 1}
		if err := s.CreateContactImport(ctx, imp); err != nil {
			t.Fatal(err)
		}
		if err := s.AddContactImportRejections(ctx, imp.ID, []ContactImportRejection{{Line: 2, Reason: "bad email",
			Record: "+" + phone + ",Ann,not-an-email"}}); err != nil {
			t.Fatal(err)
		}
		if where := s.countEverywhere(t, phone); len(where) < 12 {
			t.Fatalf("the number is seeded in only %v: the scan would prove little", where)
		}

		got, err := s.EraseNumber(ctx, 1, phone, token, 2)
		if err != nil {
			t.Fatal(err)
		}
		want := map[string]int64{"messages": 5, "mo_messages": 1, "contacts": 1, "held_receipts": 1,
			"distribution_lists": 1, "idempotency_keys": 1, "webhook_outbox": 1, "audit_log": 1, "campaigns": 1,
			"campaign_recipients": 1, "link_codes": 1, "link_clicks": 1, "contact_import_rejections": 1}
		for k, v := range want {
			if got[k] != v {
				t.Errorf("erased %d rows of %s, want %d (all: %v)", got[k], k, v, got)
			}
		}
		for _, where := range s.countEverywhere(t, phone) {
			// Opt-outs are kept (so the number stays blocked); account 2's
			// message is another account's data.
			if where != "opt_outs.number" && where != "messages.dst_addr" {
				t.Errorf("the number remains in %s", where)
			}
		}
		if n := countRows(t, s, "messages", "dst_addr = ?", phone); n != 1 {
			t.Errorf("%d messages to the number remain, want account 2's one", n)
		}
		if n := countRows(t, s, "messages", "account_id = 2 AND dst_addr = ?", phone); n != 1 {
			t.Errorf("account 2's message was changed")
		}
		for _, where := range s.countEverywhere(t, body) {
			if where != "messages.body" {
				t.Errorf("the body remains in %s", where)
			}
		}
		if n := countRows(t, s, "messages", "account_id = 1 AND dst_addr = ? AND segments = 2 AND price_micros = 1500", token); n != 5 {
			t.Errorf("%d redacted messages keep their segments and price, want 5", n)
		}
		if n := countRows(t, s, "messages", "account_id = 1"); n != 6 {
			t.Errorf("account 1 holds %d messages, want 6", n)
		}
		if n := countRows(t, s, "messages", "dst_addr = ?", other); n != 1 {
			t.Errorf("the other number's message changed")
		}
		dl, err := s.GetDistList(ctx, 1, "team")
		if err != nil || len(dl.Numbers) != 1 || dl.Numbers[0] != other || dl.Count != 1 {
			t.Errorf("distribution list after: %+v, %v", dl, err)
		}
		if n := countRows(t, s, "campaign_recipients", "campaign_id = ? AND phone = ?", camp.ID, token); n != 1 {
			t.Errorf("%d recipient rows carry the token, want 1", n)
		}
		if n := countRows(t, s, "campaign_recipients", "campaign_id = ?", camp.ID); n != 2 {
			t.Errorf("the campaign has %d recipients, want 2", n)
		}
		idem, err := s.GetIdempotent(ctx, 1, "k1")
		if err != nil || !strings.Contains(string(idem.Response), token) {
			t.Errorf("idempotent answer after: %+v, %v", idem, err)
		}
		again, err := s.EraseNumber(ctx, 1, phone, token, 2)
		if err != nil || again.Total() != 0 {
			t.Errorf("a second erasure changed %v, %v", again, err)
		}
		// A later message to the number is not affected.
		msg(1, 500, phone)
		ms, err := s.SubjectMessages(ctx, 1, phone, 0, 10)
		if err != nil || len(ms) != 1 || ms[0].ID != 500 || string(ms[0].Body) != body {
			t.Errorf("messages after the erasure: %+v, %v", ms, err)
		}
	})
}

// TestPrivacyRequestsAndSalt: the salt is made once and read back the
// same; requests are listed per account, newest first.
func TestPrivacyRequestsAndSalt(t *testing.T) {
	forEachDialect(t, func(t *testing.T, driver string) {
		s := newTestStore(t, driver)
		ctx := testCtx(t)
		a, err := s.PrivacySalt(ctx)
		if err != nil {
			t.Fatal(err)
		}
		b, err := s.PrivacySalt(ctx)
		if err != nil || string(a) != string(b) || len(a) != privacySaltLen {
			t.Fatalf("salts %x then %x, %v", a, b, err)
		}
		for i, acct := range []int64{1, 2, 1} {
			r := &PrivacyRequest{AccountID: acct, ActorAccountID: acct, Kind: []string{"export", "erase", "erase"}[i],
				SubjectKind: "phone", Subject: "h" + string(rune('a'+i)), Rows: int64(i)}
			if err := s.AddPrivacyRequest(ctx, r); err != nil {
				t.Fatal(err)
			}
		}
		got, err := s.PrivacyRequests(ctx, 1, 0, 10)
		if err != nil || len(got) != 2 || got[0].Subject != "hc" || got[1].Subject != "ha" || got[0].Kind != "erase" {
			t.Fatalf("account 1's requests: %+v, %v", got, err)
		}
		all, err := s.PrivacyRequests(ctx, AuditAllAccounts, 0, 10)
		if err != nil || len(all) != 3 {
			t.Fatalf("all requests: %+v, %v", all, err)
		}
		if err := s.AddPrivacyRequest(ctx, &PrivacyRequest{Kind: "delete", Subject: "x"}); err == nil {
			t.Fatal("an unknown kind was recorded")
		}
	})
}
