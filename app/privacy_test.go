package app

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/gallant-sms/gallant/account"
	"github.com/gallant-sms/gallant/sms"
	"github.com/gallant-sms/gallant/store"
	"github.com/gallant-sms/gallant/store/storetest"
)

// privacyExport is the decoded JSON of an export.
type privacyExport struct {
	Subject  map[string]string `json:"subject"`
	Messages []PrivacyMessage  `json:"messages"`
	Inbound  []PrivacyInbound  `json:"inbound"`
	Contacts []PrivacyContact  `json:"contacts"`
	OptOuts  []PrivacyOptOut   `json:"opt_outs"`
	Audit    []AuditItem       `json:"audit"`
	Sessions []PrivacySession  `json:"sessions"`
	User     *PrivacyUser      `json:"user"`
}

func runExport(t *testing.T, pv *Privacy, p Principal, q PrivacyQuery) (privacyExport, string, error) {
	t.Helper()
	ctx := context.Background()
	write, err := pv.PrepareExport(ctx, p, q)
	if err != nil {
		return privacyExport{}, "", err
	}
	var buf bytes.Buffer
	if err := write(ctx, &buf); err != nil {
		t.Fatalf("export: %v", err)
	}
	var out privacyExport
	if err := json.Unmarshal(buf.Bytes(), &out); err != nil {
		t.Fatalf("export is not JSON: %v\n%s", err, buf.String())
	}
	return out, buf.String(), nil
}

func kindOf(err error) Kind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return 0
}

// TestPrivacyExportAndErase: an owner's export of a number returns its
// messages both ways, its contact, opt-outs and audit entries, and
// nothing of another number or account; members, other accounts and bad
// numbers are refused. After the erasure no table holds the number
// (except the opt-out ledger, kept so the number stays blocked, and
// another account's message) nor a body or a contact field; the usage
// report is the same to the row; the requests are listed and audited
// without the number; a platform admin exports a dashboard user.
func TestPrivacyExportAndErase(t *testing.T) {
	// Pages and batches of two: three messages take two of each.
	page, batch := exportPage, eraseBatch
	exportPage, eraseBatch = 2, 2
	t.Cleanup(func() { exportPage, eraseBatch = page, batch })
	forEachDriver(t, func(t *testing.T, driver string) {
		ctx := context.Background()
		cfg := storetest.Config(t, driver)
		st := storetest.OpenConfig(t, cfg)
		acc := account.New(st, nil)
		acc.SetPasswordCost(bcrypt.MinCost)
		a := New(Deps{Store: st, Accounts: acc})
		pv := a.Privacy
		mk := func(name string, kind store.AccountKind) int64 {
			c, err := acc.CreateAccountWith(ctx, account.AccountSpec{Name: name, Kind: kind})
			if err != nil {
				t.Fatal(err)
			}
			return c.AccountID
		}
		platform, ida, idb := mk("Platform", store.KindPlatform), mk("A", ""), mk("B", "")
		admin := Principal{AccountID: platform, KeyID: 1, Role: RoleAdmin, Scopes: []string{ScopeAdmin}}
		owner := Principal{AccountID: ida, KeyID: 2, Role: RoleOwner, Scopes: []string{ScopeAdmin}}
		member := Principal{AccountID: ida, KeyID: 3, Role: RoleMember, Scopes: []string{ScopeRead, ScopeSend}}
		ownerB := Principal{AccountID: idb, KeyID: 4, Role: RoleOwner, Scopes: []string{ScopeAdmin}}

		const (
			phone = "447700966321"
			other = "447700966999"
		)
		gen, err := sms.NewIDGenerator(1, 0)
		if err != nil {
			t.Fatal(err)
		}
		now := time.Now().UTC().Truncate(time.Millisecond)
		mt := func(acct int64, to, body string) sms.ID {
			m := &sms.Message{ID: gen.Next(), AccountID: acct, Ingress: sms.IngressHTTP, Source: sms.Address{Addr: "Shop"},
				Dest: sms.Address{TON: 1, NPI: 1, Addr: to}, Body: []byte(body), Segments: 2, Price: 2500,
				CreatedAt: now, Status: sms.StatusAccepted}
			if err := st.Insert(ctx, m); err != nil {
				t.Fatal(err)
			}
			return m.ID
		}
		var mine []sms.ID
		for _, b := range []string{"Parcelcode7731 one", "Parcelcode7731 two", "Parcelcode7731 three"} {
			mine = append(mine, mt(ida, phone, b))
		}
		mt(ida, other, "For the other number")
		bMsg := mt(idb, phone, "B keeps this")
		for _, b := range []string{"Replytext5512 yes", "STOP"} {
			mo := &store.InboundMO{MO: sms.MO{ID: gen.Next(), AccountID: ida, Carrier: "c1", Source: sms.Address{Addr: phone},
				Dest: sms.Address{Addr: "60000"}, Body: []byte(b), ReceivedAt: now}, Parts: 1}
			if err := st.Insert(ctx, mo); err != nil {
				t.Fatal(err)
			}
		}
		c := &store.Contact{AccountID: ida, Phone: phone, FirstName: "Zephyrine", LastName: "Quarles", Fields: `{"plan":"gold"}`}
		if err := st.CreateContact(ctx, c); err != nil {
			t.Fatal(err)
		}
		if err := st.AddOptOuts(ctx, []store.OptOut{{Scope: 2, AccountID: ida, Number: phone, OptedOut: true, Source: "keyword",
			Keyword: "STOP"}}); err != nil {
			t.Fatal(err)
		}
		if err := st.AppendAudit(ctx, &store.AuditEntry{AccountID: ida, Action: "opt_out.lift", Target: "number:" + phone}); err != nil {
			t.Fatal(err)
		}
		if err := st.AppendAudit(ctx, &store.AuditEntry{AccountID: idb, Action: "opt_out.lift", Target: "number:" + phone}); err != nil {
			t.Fatal(err)
		}

		// Refusals come before anything is written.
		for _, tc := range []struct {
			name string
			p    Principal
			q    PrivacyQuery
			want Kind
		}{
			{"member", member, PrivacyQuery{Phone: phone}, KindForbidden},
			{"another account", owner, PrivacyQuery{Phone: phone, AccountID: idb}, KindForbidden},
			{"bad number", owner, PrivacyQuery{Phone: "12ab"}, KindInvalid},
			{"no number", owner, PrivacyQuery{}, KindInvalid},
			{"user by an owner", owner, PrivacyQuery{UserID: 1}, KindForbidden},
		} {
			if _, _, err := runExport(t, pv, tc.p, tc.q); kindOf(err) != tc.want {
				t.Errorf("export by %s: %v, want kind %d", tc.name, err, tc.want)
			}
		}
		if _, err := pv.Erase(ctx, member, PrivacyQuery{Phone: phone}); kindOf(err) != KindForbidden {
			t.Errorf("erase by a member: %v", err)
		}
		if _, err := pv.Erase(ctx, owner, PrivacyQuery{Phone: phone, AccountID: idb}); kindOf(err) != KindForbidden {
			t.Errorf("erase in another account: %v", err)
		}

		ex, raw, err := runExport(t, pv, owner, PrivacyQuery{Phone: "+44 7700 966321"})
		if err != nil {
			t.Fatal(err)
		}
		if len(ex.Messages) != 3 || len(ex.Inbound) != 2 || len(ex.Contacts) != 1 || len(ex.OptOuts) != 1 || len(ex.Audit) != 1 {
			t.Fatalf("export holds %d messages, %d inbound, %d contacts, %d opt-outs, %d audit entries; want 3, 2, 1, 1, 1:\n%s",
				len(ex.Messages), len(ex.Inbound), len(ex.Contacts), len(ex.OptOuts), len(ex.Audit), raw)
		}
		for i, m := range ex.Messages {
			if m.ID != mine[i] || m.To != "+"+phone || !strings.HasPrefix(m.Text, "Parcelcode7731") || m.AccountID != ida || m.Price != 2500 {
				t.Errorf("message %d: %+v", i, m)
			}
		}
		if ex.Inbound[0].Text != "Replytext5512 yes" || ex.Inbound[0].From != "+"+phone {
			t.Errorf("inbound: %+v", ex.Inbound)
		}
		if ex.Contacts[0].FirstName != "Zephyrine" || string(ex.Contacts[0].Fields) != `{"plan":"gold"}` {
			t.Errorf("contact: %+v", ex.Contacts[0])
		}
		if !ex.OptOuts[0].OptedOut || ex.OptOuts[0].Keyword != "STOP" {
			t.Errorf("opt-out: %+v", ex.OptOuts[0])
		}
		if strings.Contains(raw, other) || strings.Contains(raw, bMsg.String()) || strings.Contains(raw, "B keeps") {
			t.Errorf("the export holds another number's or account's data:\n%s", raw)
		}

		before, err := st.Usage(ctx, ida, now.Add(-time.Hour), now.Add(time.Hour), store.UsageByDest)
		if err != nil || len(before) == 0 {
			t.Fatalf("usage before: %+v, %v", before, err)
		}
		res, err := pv.Erase(ctx, owner, PrivacyQuery{Phone: phone, IP: "192.0.2.7"})
		if err != nil {
			t.Fatal(err)
		}
		if res.Rows["messages"] != 3 || res.Rows["mo_messages"] != 2 || res.Rows["contacts"] != 1 || res.Rows["audit_log"] != 1 ||
			!strings.HasPrefix(res.Token, "447*") || len(res.Token) != 20 {
			t.Errorf("erase result %+v", res)
		}
		for _, where := range storetest.FindEverywhere(t, cfg, phone) {
			// Account B's message and audit entry are B's data.
			if where != "opt_outs.number" && where != "messages.dst_addr" && where != "audit_log.target" {
				t.Errorf("the number remains in %s", where)
			}
		}
		for _, v := range []string{"Parcelcode7731", "Replytext5512", "Zephyrine", "Quarles"} {
			if where := storetest.FindEverywhere(t, cfg, v); len(where) > 0 {
				t.Errorf("%q remains in %v", v, where)
			}
		}
		if ms, err := st.SubjectMessages(ctx, idb, phone, 0, 10); err != nil || len(ms) != 1 || string(ms[0].Body) != "B keeps this" {
			t.Errorf("account B's message: %+v, %v", ms, err)
		}
		after, err := st.Usage(ctx, ida, now.Add(-time.Hour), now.Add(time.Hour), store.UsageByDest)
		if err != nil || !reflect.DeepEqual(before, after) {
			t.Errorf("usage by destination changed:\n before %+v\n after  %+v (%v)", before, after, err)
		}
		blocked, err := st.OptedOutNumbers(ctx, ida, []string{phone})
		if err != nil || !blocked[phone] {
			t.Errorf("the opt-out is gone after the erasure: %v, %v", blocked, err)
		}
		again, err := pv.Erase(ctx, owner, PrivacyQuery{Phone: phone})
		if err != nil || again.Total != 0 || again.Token != res.Token {
			t.Errorf("a second erasure: %+v, %v", again, err)
		}

		ex, raw, err = runExport(t, pv, owner, PrivacyQuery{Phone: phone})
		if err != nil {
			t.Fatal(err)
		}
		if len(ex.Messages)+len(ex.Inbound)+len(ex.Contacts) != 0 || len(ex.OptOuts) != 1 {
			t.Errorf("export after the erasure:\n%s", raw)
		}
		for _, e := range ex.Audit {
			if !strings.HasPrefix(e.Action, "privacy.") || e.Target != "phone:"+res.Subject {
				t.Errorf("audit entry after the erasure: %+v", e)
			}
		}

		page, err := pv.Requests(ctx, owner, 0, 0, 10)
		if err != nil {
			t.Fatal(err)
		}
		var kinds []string
		for _, r := range page.Items {
			kinds = append(kinds, r.Kind)
			if r.Subject != res.Subject || r.AccountID != ida || r.ActorKeyID != 2 || strings.Contains(r.Subject, phone) {
				t.Errorf("request %+v", r)
			}
		}
		if strings.Join(kinds, ",") != "export,erase,erase,export" {
			t.Errorf("requests listed: %v", kinds)
		}
		if pb, err := pv.Requests(ctx, ownerB, 0, 0, 10); err != nil || len(pb.Items) != 0 {
			t.Errorf("account B sees requests: %+v, %v", pb, err)
		}
		audit, err := st.ListAudit(ctx, ida, 0, 100)
		if err != nil {
			t.Fatal(err)
		}
		erases := 0
		for _, e := range audit {
			if e.Action == "privacy.erase" {
				erases++
				if e.IP != "192.0.2.7" && e.IP != "" {
					t.Errorf("erase audited from %q", e.IP)
				}
			}
		}
		if erases != 2 {
			t.Errorf("%d privacy.erase audit entries, want 2", erases)
		}

		// A platform admin: platform-wide erasure reaches account B; a
		// dashboard user's export.
		res, err = pv.Erase(ctx, admin, PrivacyQuery{Phone: phone})
		if err != nil || res.Rows["messages"] != 1 {
			t.Fatalf("platform-wide erasure: %+v, %v", res, err)
		}
		for _, where := range storetest.FindEverywhere(t, cfg, phone) {
			if where != "opt_outs.number" {
				t.Errorf("the number remains in %s after the platform-wide erasure", where)
			}
		}
		u := &store.User{AccountID: ida, Email: "dana7@privacy.example", PasswordHash: "x", Role: "owner"}
		if err := st.CreateUser(ctx, u); err != nil {
			t.Fatal(err)
		}
		if err := st.AppendAudit(ctx, &store.AuditEntry{AccountID: ida, ActorUserID: u.ID, Action: "login"}); err != nil {
			t.Fatal(err)
		}
		if err := st.AppendAudit(ctx, &store.AuditEntry{AccountID: ida, ActorUserID: u.ID + 1, Action: "login"}); err != nil {
			t.Fatal(err)
		}
		ux, raw, err := runExport(t, pv, admin, PrivacyQuery{Email: "Dana7@privacy.example"})
		if err != nil {
			t.Fatal(err)
		}
		if ux.User == nil || ux.User.Email != u.Email || len(ux.Audit) != 1 || ux.Audit[0].ActorUserID != u.ID ||
			strings.Contains(raw, "password") {
			t.Errorf("user export:\n%s", raw)
		}
		if _, _, err := runExport(t, pv, admin, PrivacyQuery{UserID: u.ID + 100}); kindOf(err) != KindNotFound {
			t.Errorf("unknown user: %v", err)
		}

		// A reseller answers for its sub-accounts, not for others.
		rs, err := acc.CreateAccountWith(ctx, account.AccountSpec{Name: "R", Kind: store.KindReseller})
		if err != nil {
			t.Fatal(err)
		}
		sub, err := acc.CreateAccountWith(ctx, account.AccountSpec{Name: "R's customer", Parent: rs.AccountID})
		if err != nil {
			t.Fatal(err)
		}
		mt(sub.AccountID, other, "Subtext6612")
		reseller := Principal{AccountID: rs.AccountID, KeyID: 9, Role: RoleReseller, Scopes: []string{ScopeAdmin}}
		sx, _, err := runExport(t, pv, reseller, PrivacyQuery{Phone: other, AccountID: sub.AccountID})
		if err != nil || len(sx.Messages) != 1 || sx.Messages[0].Text != "Subtext6612" {
			t.Errorf("the reseller's export of its sub-account: %+v, %v", sx.Messages, err)
		}
		if _, _, err := runExport(t, pv, reseller, PrivacyQuery{Phone: other, AccountID: ida}); kindOf(err) != KindForbidden {
			t.Errorf("a reseller's export of an account not below it: %v", err)
		}
		if _, err := pv.Erase(ctx, reseller, PrivacyQuery{Phone: other, AccountID: sub.AccountID}); err != nil {
			t.Errorf("the reseller's erasure in its sub-account: %v", err)
		}
		if ms, err := st.SubjectMessages(ctx, ida, other, 0, 10); err != nil || len(ms) != 1 {
			t.Errorf("account A's message to the other number after the reseller's erasure: %+v, %v", ms, err)
		}
	})
}
