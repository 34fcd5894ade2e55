package store

import (
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gallant-sms/gallant/sms"
)

// segWorld is the hand-built set of contacts the segment tests run on.
type segWorld struct {
	s    *Store
	now  time.Time
	list int64 // account 7's list: Ann and Chloé
	lst8 int64 // account 8's list
}

// Phones of account 7's contacts.
const (
	pAnn   = "447700900001"
	pBob   = "447700900002"
	pChloe = "33612345678"
	pDan   = "447700900004"
)

func newSegWorld(t *testing.T, driver string) *segWorld {
	t.Helper()
	s := newTestStore(t, driver)
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	s.now = func() time.Time { return now }
	w := &segWorld{s: s, now: now}
	ctx := testCtx(t)
	day := 24 * time.Hour
	c7 := []Contact{
		{Phone: pAnn, FirstName: "Ann", LastName: "Lee", Email: "ann@example.com", Language: "en", TimeZone: "Europe/London",
			Fields: `{"age":"34","joined":"2026-11-20","vip":"true","city":"London"}`, Tags: []string{"vip", "news"}, CreatedAt: now.Add(-day)},
		{Phone: pBob, FirstName: "bob", LastName: "Smith", Language: "fr", TimeZone: "Europe/Paris",
			Fields: `{"age":19,"joined":"2025-01-01","vip":false}`, Tags: []string{"news"}, CreatedAt: now.Add(-40 * day)},
		{Phone: pChloe, FirstName: "Chloé", Email: "chloe@example.fr", CreatedAt: now.Add(-100 * day)},
		{Phone: pDan, FirstName: "Dan", LastName: "Newsome", Email: "dan@example.com", Fields: `{"age":"50","city":"Leeds","vip":true}`,
			Tags: []string{"vip2"}, CreatedAt: now.Add(-2 * day)},
	}
	if _, _, err := s.UpsertContacts(ctx, 7, c7); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.UpsertContacts(ctx, 8, []Contact{{Phone: pAnn, FirstName: "Ann", Tags: []string{"vip"}, Fields: `{"age":"99"}`}}); err != nil {
		t.Fatal(err)
	}
	exec := func(q string, args ...any) {
		t.Helper()
		if _, err := s.w.ExecContext(ctx, q, args...); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	for _, f := range [][2]string{{"age", "number"}, {"joined", "date"}, {"vip", "boolean"}, {"city", "text"}} {
		exec("INSERT INTO contact_fields (account_id, name, type, created_at) VALUES (?, ?, ?, ?)", 7, f[0], f[1], s.timeArg(now))
	}
	exec("INSERT INTO contact_fields (account_id, name, type, created_at) VALUES (?, ?, ?, ?)", 8, "age", "number", s.timeArg(now))
	exec("INSERT INTO contact_lists (account_id, name, created_at, updated_at) VALUES (?, ?, ?, ?)", 7, "members", s.timeArg(now), s.timeArg(now))
	exec("INSERT INTO contact_lists (account_id, name, created_at, updated_at) VALUES (?, ?, ?, ?)", 8, "members", s.timeArg(now), s.timeArg(now))
	if err := s.r.GetContext(ctx, &w.list, "SELECT id FROM contact_lists WHERE account_id = 7"); err != nil {
		t.Fatal(err)
	}
	if err := s.r.GetContext(ctx, &w.lst8, "SELECT id FROM contact_lists WHERE account_id = 8"); err != nil {
		t.Fatal(err)
	}
	id := func(account int64, phone string) int64 {
		c, err := s.ContactByPhone(ctx, account, phone)
		if err != nil {
			t.Fatal(err)
		}
		return c.ID
	}
	for _, p := range []string{pAnn, pChloe} {
		exec("INSERT INTO contact_list_members (list_id, contact_id, added_at) VALUES (?, ?, ?)", w.list, id(7, p), s.timeArg(now))
	}
	exec("INSERT INTO contact_list_members (list_id, contact_id, added_at) VALUES (?, ?, ?)", w.lst8, id(8, pAnn), s.timeArg(now))

	// Messages: id from the time, as the gateway's generator makes them.
	seq := uint64(0)
	msg := func(account int64, dst string, at time.Time, delivered bool) {
		t.Helper()
		seq++
		mid := sms.ID(uint64(idFloor(at)) + seq<<sms.NodeBits)
		exec("INSERT INTO messages (id, account_id, ingress, system_id, client_ref, src_ton, src_npi, src_addr, dst_ton, dst_npi, "+
			"dst_addr, data_coding, esm_class, protocol_id, priority, registered_delivery, body, segments, send_at, valid_until, "+
			"callback_url, created_at, status) VALUES (?, ?, 1, '', '', 5, 0, 'Gallant', 1, 1, ?, 0, 0, 0, 0, 1, ?, 1, NULL, NULL, '', ?, ?)",
			s.idArg(mid), account, dst, []byte("hi"), s.timeArg(at), int(sms.StatusAccepted))
		st := sms.StatusSubmitted
		if delivered {
			st = sms.StatusDelivered
		}
		exec("INSERT INTO message_events (message_id, account_id, status, at, segment, carrier, carrier_msg_id, error_code) "+
			"VALUES (?, ?, ?, ?, 0, 'c', 'x', '')", s.idArg(mid), account, int(st), s.timeArg(at))
	}
	msg(7, pAnn, now.Add(-2*day), true)
	msg(7, pBob, now.Add(-2*day), false)
	msg(7, pBob, now.Add(-60*day), true)
	msg(8, pDan, now.Add(-1*day), true) // another account's message to Dan's number
	mo := func(account int64, src string, at time.Time) {
		t.Helper()
		seq++
		exec("INSERT INTO mo_messages (id, account_id, carrier, src_ton, src_npi, src_addr, dst_ton, dst_npi, dst_addr, data_coding, "+
			"esm_class, body, received_at) VALUES (?, ?, 'c', 1, 1, ?, 0, 0, '12345', 0, 0, ?, ?)", s.idArg(sms.ID(uint64(idFloor(at))+seq<<sms.NodeBits)), account, src, []byte("yes"), s.timeArg(at))
	}
	mo(7, pDan, now.Add(-3*day))
	mo(7, pChloe, now.Add(-20*day))
	mo(8, pAnn, now.Add(-1*day))
	if err := s.AddOptOuts(ctx, []OptOut{
		{Scope: 2, AccountID: 7, Number: pBob, OptedOut: true, Source: "api"},
		{Scope: 2, AccountID: 7, Number: pChloe, OptedOut: true, Source: "api"},
		{Scope: 2, AccountID: 7, Number: pChloe, OptedOut: false, Source: "api"}, // opted in again
		{Scope: 1, AccountID: 0, Number: pDan, OptedOut: true, Source: "operator"},
		{Scope: 2, AccountID: 8, Number: pAnn, OptedOut: true, Source: "api"},
		{Scope: 3, AccountID: 7, Sender: "Shop", Number: pAnn, OptedOut: true, Source: "keyword"},
	}); err != nil {
		t.Fatal(err)
	}
	return w
}

// match returns the phones of account's contacts the rules select, in
// order, counted and listed.
func (w *segWorld) match(t *testing.T, account int64, rules string) []string {
	t.Helper()
	r, err := ParseSegmentRules([]byte(rules))
	if err != nil {
		t.Fatalf("%s: %v", rules, err)
	}
	ctx := testCtx(t)
	cond, args, err := w.s.SegmentRulesCondition(ctx, account, r)
	if err != nil {
		t.Fatalf("%s: %v", rules, err)
	}
	cs, err := w.s.ContactsWhere(ctx, account, cond, args, 0, 100)
	if err != nil {
		t.Fatalf("%s: %v (%s)", rules, err, cond)
	}
	n, err := w.s.CountContactsWhere(ctx, account, cond, args)
	if err != nil || n != len(cs) {
		t.Fatalf("%s: count %d, %v; listed %d", rules, n, err, len(cs))
	}
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = c.Phone
	}
	slices.Sort(out)
	return out
}

func one(field, op, value string) string {
	if value == "" {
		return `{"conditions":[{"field":"` + field + `","op":"` + op + `"}]}`
	}
	return `{"conditions":[{"field":"` + field + `","op":"` + op + `","value":` + value + `}]}`
}

// TestSegmentOperators: every field and operator selects exactly the
// hand-built contacts it should, on both drivers, and never another
// account's.
func TestSegmentOperators(t *testing.T) {
	forEachDialect(t, func(t *testing.T, driver string) {
		w := newSegWorld(t, driver)
		all := []string{pChloe, pAnn, pBob, pDan}
		slices.Sort(all)
		cases := []struct {
			name, rules string
			want        []string
		}{
			{"no conditions", `{"match":"all","conditions":[]}`, all},
			{"phone eq", one("phone", "eq", `"`+pBob+`"`), []string{pBob}},
			{"phone neq", one("phone", "neq", `"`+pBob+`"`), []string{pChloe, pAnn, pDan}},
			{"phone prefix", one("phone", "starts_with", `"+4477"`), []string{pAnn, pBob, pDan}},
			{"phone prefix 33", one("phone", "starts_with", `"336"`), []string{pChloe}},
			{"phone contains", one("phone", "contains", `"0900004"`), []string{pDan}},
			{"first_name eq exact", one("first_name", "eq", `"bob"`), []string{pBob}},
			{"first_name eq case", one("first_name", "eq", `"Bob"`), nil},
			{"first_name starts_with ignores case", one("first_name", "starts_with", `"BO"`), []string{pBob}},
			{"first_name starts_with accent", one("first_name", "starts_with", `"Chlo"`), []string{pChloe}},
			{"last_name contains", one("last_name", "contains", `"news"`), []string{pDan}},
			{"last_name empty", one("last_name", "empty", ""), []string{pChloe}},
			{"email not_empty", one("email", "not_empty", ""), []string{pChloe, pAnn, pDan}},
			{"email contains", one("email", "contains", `"example.com"`), []string{pAnn, pDan}},
			{"language eq", one("language", "eq", `"fr"`), []string{pBob}},
			{"language empty", one("language", "empty", ""), []string{pChloe, pDan}},
			{"time_zone starts_with", one("time_zone", "starts_with", `"europe/"`), []string{pAnn, pBob}},
			{"number gt", one("field.age", "gt", `30`), []string{pAnn, pDan}},
			{"number lt", one("field.age", "lt", `30`), []string{pBob}},
			{"number eq (JSON number)", one("field.age", "eq", `19`), []string{pBob}},
			{"number eq (text)", one("field.age", "eq", `34`), []string{pAnn}},
			{"number neq", one("field.age", "neq", `34`), []string{pBob, pDan}},
			{"number empty", one("field.age", "empty", ""), []string{pChloe}},
			{"number not_empty", one("field.age", "not_empty", ""), []string{pAnn, pBob, pDan}},
			{"date before", one("field.joined", "before", `"2026-01-01"`), []string{pBob}},
			{"date after", one("field.joined", "after", `"2026-01-01"`), []string{pAnn}},
			{"date within_last_days", one("field.joined", "within_last_days", `30`), []string{pAnn}},
			{"date within_last_days short", one("field.joined", "within_last_days", `5`), nil},
			{"date empty", one("field.joined", "empty", ""), []string{pChloe, pDan}},
			{"boolean is true", one("field.vip", "is", `true`), []string{pAnn, pDan}},
			{"boolean is false", one("field.vip", "is", `false`), []string{pChloe, pBob}},
			{"text eq", one("field.city", "eq", `"Leeds"`), []string{pDan}},
			{"text neq", one("field.city", "neq", `"Leeds"`), []string{pChloe, pAnn, pBob}},
			{"text contains", one("field.city", "contains", `"ON"`), []string{pAnn}},
			{"text starts_with", one("field.city", "starts_with", `"le"`), []string{pDan}},
			{"text empty", one("field.city", "empty", ""), []string{pChloe, pBob}},
			{"text not_empty", one("field.city", "not_empty", ""), []string{pAnn, pDan}},
			{"tag has", one("tags", "has", `"vip"`), []string{pAnn}},
			{"tag has whole tag only", one("tags", "has", `"vi"`), nil},
			{"tag has_not", one("tags", "has_not", `"news"`), []string{pChloe, pDan}},
			{"in_list", one("list", "in_list", jsonNum(w.list)), []string{pChloe, pAnn}},
			{"not_in_list", one("list", "not_in_list", jsonNum(w.list)), []string{pBob, pDan}},
			{"created within 7 days", one("created_at", "within_last_days", `7`), []string{pAnn, pDan}},
			{"created within 50 days", one("created_at", "within_last_days", `50`), []string{pAnn, pBob, pDan}},
			{"sent 7 days", one("sent", "within_last_days", `7`), []string{pAnn, pBob}},
			{"sent 90 days", one("sent", "within_last_days", `90`), []string{pAnn, pBob}},
			{"delivered 7 days", one("delivered", "within_last_days", `7`), []string{pAnn}},
			{"delivered 90 days", one("delivered", "within_last_days", `90`), []string{pAnn, pBob}},
			{"replied 7 days", one("replied", "within_last_days", `7`), []string{pDan}},
			{"replied 30 days", one("replied", "within_last_days", `30`), []string{pChloe, pDan}},
			{"opted out", one("opted_out", "is", `true`), []string{pBob, pDan}},
			{"not opted out", one("opted_out", "is", `false`), []string{pChloe, pAnn}},
			{"all of", `{"match":"all","conditions":[{"field":"tags","op":"has","value":"news"},{"field":"field.age","op":"gt","value":20}]}`, []string{pAnn}},
			{"any of", `{"match":"any","conditions":[{"field":"tags","op":"has","value":"vip2"},{"field":"language","op":"eq","value":"fr"}]}`, []string{pBob, pDan}},
			{"hostile value stays a value", one("first_name", "eq", `"x' OR '1'='1"`), nil},
		}
		for _, c := range cases {
			want := c.want
			if want == nil {
				want = []string{}
			}
			slices.Sort(want)
			if got := w.match(t, 7, c.rules); !slices.Equal(got, want) {
				t.Errorf("%s: got %v, want %v", c.name, got, want)
			}
		}
		// Account 8 sees only its own Ann, its list and its opt-out.
		if got := w.match(t, 8, one("tags", "has", `"vip"`)); !slices.Equal(got, []string{pAnn}) {
			t.Errorf("account 8 vip: %v", got)
		}
		if got := w.match(t, 8, one("opted_out", "is", `true`)); !slices.Equal(got, []string{pAnn}) {
			t.Errorf("account 8 opted out: %v", got)
		}
		if got := w.match(t, 8, one("replied", "within_last_days", `7`)); !slices.Equal(got, []string{pAnn}) {
			t.Errorf("account 8 replied: %v", got)
		}
		if got := w.match(t, 8, one("delivered", "within_last_days", `7`)); len(got) != 0 {
			t.Errorf("account 8 delivered: %v (its message went to a number it has no contact for)", got)
		}
	})
}

func jsonNum(n int64) string { b, _ := json.Marshal(n); return string(b) }

// TestSegmentRulesRefused: unknown fields, wrong operators for a type,
// bad values, another account's list and too many conditions are each a
// problem naming the condition.
func TestSegmentRulesRefused(t *testing.T) {
	forEachDialect(t, func(t *testing.T, driver string) {
		w := newSegWorld(t, driver)
		ctx := testCtx(t)
		cases := []struct{ rules, want string }{
			{one("nickname", "eq", `"x"`), `unknown field "nickname"`},
			{one("field.shoe", "eq", `"x"`), `unknown custom field "shoe"`},
			{one("field.age", "contains", `"3"`), `does not apply to a number field`},
			{one("field.age", "gt", `"old"`), `wants a number`},
			{one("field.joined", "before", `"12/01/2026"`), `YYYY-MM-DD`},
			{one("field.joined", "eq", `"2026-01-01"`), `does not apply to a date field`},
			{one("field.vip", "eq", `true`), `boolean field takes is`},
			{one("first_name", "gt", `"a"`), `does not apply to a text field`},
			{one("first_name", "eq", `12`), `wants a text value`},
			{one("phone", "starts_with", `"44-77"`), `phone prefix is digits`},
			{one("tags", "has", `"a,b"`), `no comma`},
			{one("tags", "eq", `"a"`), `has or has_not`},
			{one("list", "in_list", jsonNum(w.lst8)), `not the id of one of the account's lists`},
			{one("delivered", "within_last_days", `0`), `whole number of days`},
			{one("sent", "is", `true`), `takes within_last_days`},
			{one("opted_out", "is", `"yes"`), `true or false`},
			{`{"match":"some","conditions":[]}`, `match must be`},
		}
		for _, c := range cases {
			r, err := ParseSegmentRules([]byte(c.rules))
			if err == nil {
				err = w.s.CheckSegmentRules(ctx, 7, r)
			}
			var re *SegmentRulesError
			if !errors.As(err, &re) || !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), c.want) {
				t.Errorf("%s: %v, want a problem with %q", c.rules, err, c.want)
			}
		}
		var many SegmentRules
		for range MaxSegmentConditions + 1 {
			many.Conditions = append(many.Conditions, SegmentCondition{Field: "first_name", Op: "empty"})
		}
		if err := w.s.CheckSegmentRules(ctx, 7, many); err == nil || !strings.Contains(err.Error(), "at most 50 conditions") {
			t.Errorf("51 conditions: %v", err)
		}
		if _, err := ParseSegmentRules([]byte(`{"conditions":[],"extra":1}`)); err == nil {
			t.Error("unknown member accepted")
		}
		// Two problems are both reported.
		r, _ := ParseSegmentRules([]byte(`{"conditions":[{"field":"x","op":"eq"},{"field":"email","op":"is"}]}`))
		var re *SegmentRulesError
		if err := w.s.CheckSegmentRules(ctx, 7, r); !errors.As(err, &re) || len(re.Problems) != 2 || re.Problems[1].Index != 1 {
			t.Errorf("two problems: %v", err)
		}
	})
}

// TestSegmentCRUD: a segment is saved, read, renamed, used by
// SegmentCondition, invisible to other accounts, and deleted.
func TestSegmentCRUD(t *testing.T) {
	forEachDialect(t, func(t *testing.T, driver string) {
		w := newSegWorld(t, driver)
		s, ctx := w.s, testCtx(t)
		r, _ := ParseSegmentRules([]byte(one("tags", "has", `"vip"`)))
		seg := &Segment{AccountID: 7, Name: "VIPs", Rules: r}
		if err := s.CreateSegment(ctx, seg); err != nil || seg.ID == 0 {
			t.Fatalf("create: %+v %v", seg, err)
		}
		if err := s.CreateSegment(ctx, &Segment{AccountID: 7, Name: "VIPs", Rules: r}); !errors.Is(err, ErrDuplicate) {
			t.Fatalf("duplicate name: %v", err)
		}
		cond, args, err := s.SegmentCondition(ctx, 7, seg.ID)
		if err != nil {
			t.Fatal(err)
		}
		if n, err := s.CountContactsWhere(ctx, 7, cond, args); err != nil || n != 1 {
			t.Fatalf("count: %d %v", n, err)
		}
		if _, _, err := s.SegmentCondition(ctx, 8, seg.ID); !errors.Is(err, ErrNotFound) {
			t.Fatalf("account 8 uses account 7's segment: %v", err)
		}
		seg.Name = "Very important"
		seg.Rules.Conditions[0].Value = json.RawMessage(`"news"`)
		if err := s.UpdateSegment(ctx, seg); err != nil || seg.Name != "Very important" {
			t.Fatalf("update: %+v %v", seg, err)
		}
		if err := s.UpdateSegment(ctx, &Segment{ID: seg.ID, AccountID: 8, Name: "x", Rules: r}); !errors.Is(err, ErrNotFound) {
			t.Fatalf("account 8 updates it: %v", err)
		}
		list, err := s.Segments(ctx, 7, 0, 10)
		if err != nil || len(list) != 1 || string(list[0].Rules.Conditions[0].Value) != `"news"` {
			t.Fatalf("list: %+v %v", list, err)
		}
		if l8, _ := s.Segments(ctx, 8, 0, 10); len(l8) != 0 {
			t.Fatalf("account 8 lists %+v", l8)
		}
		// A saved segment over a list deleted since matches no one.
		lr, _ := ParseSegmentRules([]byte(one("list", "in_list", jsonNum(w.list))))
		ls := &Segment{AccountID: 7, Name: "members", Rules: lr}
		if err := s.CreateSegment(ctx, ls); err != nil {
			t.Fatal(err)
		}
		if _, err := s.w.ExecContext(ctx, "DELETE FROM contact_list_members WHERE list_id = ?", w.list); err != nil {
			t.Fatal(err)
		}
		if _, err := s.w.ExecContext(ctx, "DELETE FROM contact_lists WHERE id = ?", w.list); err != nil {
			t.Fatal(err)
		}
		if cond, args, err := s.SegmentCondition(ctx, 7, ls.ID); err != nil {
			t.Fatalf("segment over a deleted list: %v", err)
		} else if n, err := s.CountContactsWhere(ctx, 7, cond, args); err != nil || n != 0 {
			t.Fatalf("segment over a deleted list counts %d, %v", n, err)
		}
		if err := s.DeleteSegment(ctx, 8, seg.ID); !errors.Is(err, ErrNotFound) {
			t.Fatalf("account 8 deletes it: %v", err)
		}
		if err := s.DeleteSegment(ctx, 7, seg.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := s.GetSegment(ctx, 7, seg.ID); !errors.Is(err, ErrNotFound) {
			t.Fatalf("after delete: %v", err)
		}
	})
}
