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

// segWorldT is the hand-built set of contacts the segment tests run on.
type segWorldT struct {
	s    *Store
	now  time.Time
	list int64 // account 7's list: Ann and Chloé
	lst8 int64 // account 8's list
}

// Phones of account 7's contacts.
const (
	segAnn   = "447700900001"
	segBob   = "447700900002"
	segChloe = "33612345678"
	segDan   = "447700900004"
)

func newSegWorldT(t *testing.T, driver string) *segWorldT {
	t.Helper()
	s := newTestStore(t, driver)
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	s.now = func() time.Time { return now }
	w := &segWorldT{s: s, now: now}
	ctx := testCtx(t)
	day := 24 * time.Hour
	c7 := []Contact{
		{Phone: segAnn, FirstName: "Ann", LastName: "Lee", Email: "ann@example.com", Language: "en", TimeZone: "Europe/London",
			Fields: `{"age":"34","joined":"2026-11-20","vip":"true","city":"London"}`, Tags: []string{"vip", "news"}, CreatedAt: now.Add(-day)},
		{Phone: segBob, FirstName: "bob", LastName: "Smith", Language: "fr", TimeZone: "Europe/Paris",
			Fields: `{"age":19,"joined":"2025-01-01","vip":false}`, Tags: []string{"news"}, CreatedAt: now.Add(-40 * day)},
		{Phone: segChloe, FirstName: "Chloé", Email: "chloe@example.fr", CreatedAt: now.Add(-100 * day)},
		{Phone: segDan, FirstName: "Dan", LastName: "Newsome", Email: "dan@example.com", Fields: `{"age":"50","city":"Leeds","vip":true}`,
			Tags: []string{"vip2"}, CreatedAt: now.Add(-2 * day)},
	}
	if _, _, err := s.UpsertContacts(ctx, 7, c7); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.UpsertContacts(ctx, 8, []Contact{{Phone: segAnn, FirstName: "Ann", Tags: []string{"vip"}, Fields: `{"age":"99"}`}}); err != nil {
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
	for _, p := range []string{segAnn, segChloe} {
		exec("INSERT INTO contact_list_members (list_id, contact_id, added_at) VALUES (?, ?, ?)", w.list, id(7, p), s.timeArg(now))
	}
	exec("INSERT INTO contact_list_members (list_id, contact_id, added_at) VALUES (?, ?, ?)", w.lst8, id(8, segAnn), s.timeArg(now))

	// Messages: id from the time, as the gateway's generator makes them.
	seq := uint64(0)
	msg := func(account int64, dst string, at time.Time, delivered bool) {
		t.Helper()
		seq++
		mid := sms.ID(uint64(segIDFloor(at)) + seq<<sms.NodeBits)
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
	msg(7, segAnn, now.Add(-2*day), true)
	msg(7, segBob, now.Add(-2*day), false)
	msg(7, segBob, now.Add(-60*day), true)
	msg(8, segDan, now.Add(-1*day), true) // another account's message to Dan's number
	mo := func(account int64, src string, at time.Time) {
		t.Helper()
		seq++
		exec("INSERT INTO mo_messages (id, account_id, carrier, src_ton, src_npi, src_addr, dst_ton, dst_npi, dst_addr, data_coding, "+
			"esm_class, body, received_at) VALUES (?, ?, 'c', 1, 1, ?, 0, 0, '12345', 0, 0, ?, ?)", s.idArg(sms.ID(uint64(segIDFloor(at))+seq<<sms.NodeBits)), account, src, []byte("yes"), s.timeArg(at))
	}
	mo(7, segDan, now.Add(-3*day))
	mo(7, segChloe, now.Add(-20*day))
	mo(8, segAnn, now.Add(-1*day))
	if err := s.AddOptOuts(ctx, []OptOut{
		{Scope: 2, AccountID: 7, Number: segBob, OptedOut: true, Source: "api"},
		{Scope: 2, AccountID: 7, Number: segChloe, OptedOut: true, Source: "api"},
		{Scope: 2, AccountID: 7, Number: segChloe, OptedOut: false, Source: "api"}, // opted in again
		{Scope: 1, AccountID: 0, Number: segDan, OptedOut: true, Source: "operator"},
		{Scope: 2, AccountID: 8, Number: segAnn, OptedOut: true, Source: "api"},
		{Scope: 3, AccountID: 7, Sender: "Shop", Number: segAnn, OptedOut: true, Source: "keyword"},
	}); err != nil {
		t.Fatal(err)
	}
	return w
}

// match returns the phones of account's contacts the rules select, in
// order, counted and listed.
func (w *segWorldT) match(t *testing.T, account int64, rules string) []string {
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
	cs, err := w.s.ContactsMatching(ctx, account, cond, args, 0, 100)
	if err != nil {
		t.Fatalf("%s: %v (%s)", rules, err, cond)
	}
	n, err := w.s.CountContactsMatching(ctx, account, cond, args)
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

func segOne(field, op, value string) string {
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
		w := newSegWorldT(t, driver)
		all := []string{segChloe, segAnn, segBob, segDan}
		slices.Sort(all)
		cases := []struct {
			name, rules string
			want        []string
		}{
			{"no conditions", `{"match":"all","conditions":[]}`, all},
			{"phone eq", segOne("phone", "eq", `"`+segBob+`"`), []string{segBob}},
			{"phone neq", segOne("phone", "neq", `"`+segBob+`"`), []string{segChloe, segAnn, segDan}},
			{"phone prefix", segOne("phone", "starts_with", `"+4477"`), []string{segAnn, segBob, segDan}},
			{"phone prefix 33", segOne("phone", "starts_with", `"336"`), []string{segChloe}},
			{"phone contains", segOne("phone", "contains", `"0900004"`), []string{segDan}},
			{"first_name eq exact", segOne("first_name", "eq", `"bob"`), []string{segBob}},
			{"first_name eq case", segOne("first_name", "eq", `"Bob"`), nil},
			{"first_name starts_with ignores case", segOne("first_name", "starts_with", `"BO"`), []string{segBob}},
			{"first_name starts_with accent", segOne("first_name", "starts_with", `"Chlo"`), []string{segChloe}},
			{"last_name contains", segOne("last_name", "contains", `"news"`), []string{segDan}},
			{"last_name empty", segOne("last_name", "empty", ""), []string{segChloe}},
			{"email not_empty", segOne("email", "not_empty", ""), []string{segChloe, segAnn, segDan}},
			{"email contains", segOne("email", "contains", `"example.com"`), []string{segAnn, segDan}},
			{"language eq", segOne("language", "eq", `"fr"`), []string{segBob}},
			{"language empty", segOne("language", "empty", ""), []string{segChloe, segDan}},
			{"time_zone starts_with", segOne("time_zone", "starts_with", `"europe/"`), []string{segAnn, segBob}},
			{"number gt", segOne("field.age", "gt", `30`), []string{segAnn, segDan}},
			{"number lt", segOne("field.age", "lt", `30`), []string{segBob}},
			{"number eq (JSON number)", segOne("field.age", "eq", `19`), []string{segBob}},
			{"number eq (text)", segOne("field.age", "eq", `34`), []string{segAnn}},
			{"number neq", segOne("field.age", "neq", `34`), []string{segBob, segDan}},
			{"number empty", segOne("field.age", "empty", ""), []string{segChloe}},
			{"number not_empty", segOne("field.age", "not_empty", ""), []string{segAnn, segBob, segDan}},
			{"date before", segOne("field.joined", "before", `"2026-01-01"`), []string{segBob}},
			{"date after", segOne("field.joined", "after", `"2026-01-01"`), []string{segAnn}},
			{"date within_last_days", segOne("field.joined", "within_last_days", `30`), []string{segAnn}},
			{"date within_last_days short", segOne("field.joined", "within_last_days", `5`), nil},
			{"date empty", segOne("field.joined", "empty", ""), []string{segChloe, segDan}},
			{"boolean is true", segOne("field.vip", "is", `true`), []string{segAnn, segDan}},
			{"boolean is false", segOne("field.vip", "is", `false`), []string{segChloe, segBob}},
			{"text eq", segOne("field.city", "eq", `"Leeds"`), []string{segDan}},
			{"text neq", segOne("field.city", "neq", `"Leeds"`), []string{segChloe, segAnn, segBob}},
			{"text contains", segOne("field.city", "contains", `"ON"`), []string{segAnn}},
			{"text starts_with", segOne("field.city", "starts_with", `"le"`), []string{segDan}},
			{"text empty", segOne("field.city", "empty", ""), []string{segChloe, segBob}},
			{"text not_empty", segOne("field.city", "not_empty", ""), []string{segAnn, segDan}},
			{"tag has", segOne("tags", "has", `"vip"`), []string{segAnn}},
			{"tag has whole tag only", segOne("tags", "has", `"vi"`), nil},
			{"tag has_not", segOne("tags", "has_not", `"news"`), []string{segChloe, segDan}},
			{"in_list", segOne("list", "in_list", segJSONNum(w.list)), []string{segChloe, segAnn}},
			{"not_in_list", segOne("list", "not_in_list", segJSONNum(w.list)), []string{segBob, segDan}},
			{"created within 7 days", segOne("created_at", "within_last_days", `7`), []string{segAnn, segDan}},
			{"created within 50 days", segOne("created_at", "within_last_days", `50`), []string{segAnn, segBob, segDan}},
			{"sent 7 days", segOne("sent", "within_last_days", `7`), []string{segAnn, segBob}},
			{"sent 90 days", segOne("sent", "within_last_days", `90`), []string{segAnn, segBob}},
			{"delivered 7 days", segOne("delivered", "within_last_days", `7`), []string{segAnn}},
			{"delivered 90 days", segOne("delivered", "within_last_days", `90`), []string{segAnn, segBob}},
			{"replied 7 days", segOne("replied", "within_last_days", `7`), []string{segDan}},
			{"replied 30 days", segOne("replied", "within_last_days", `30`), []string{segChloe, segDan}},
			{"opted out", segOne("opted_out", "is", `true`), []string{segBob, segDan}},
			{"not opted out", segOne("opted_out", "is", `false`), []string{segChloe, segAnn}},
			{"all of", `{"match":"all","conditions":[{"field":"tags","op":"has","value":"news"},{"field":"field.age","op":"gt","value":20}]}`, []string{segAnn}},
			{"any of", `{"match":"any","conditions":[{"field":"tags","op":"has","value":"vip2"},{"field":"language","op":"eq","value":"fr"}]}`, []string{segBob, segDan}},
			{"hostile value stays a value", segOne("first_name", "eq", `"x' OR '1'='1"`), nil},
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
		if got := w.match(t, 8, segOne("tags", "has", `"vip"`)); !slices.Equal(got, []string{segAnn}) {
			t.Errorf("account 8 vip: %v", got)
		}
		if got := w.match(t, 8, segOne("opted_out", "is", `true`)); !slices.Equal(got, []string{segAnn}) {
			t.Errorf("account 8 opted out: %v", got)
		}
		if got := w.match(t, 8, segOne("replied", "within_last_days", `7`)); !slices.Equal(got, []string{segAnn}) {
			t.Errorf("account 8 replied: %v", got)
		}
		if got := w.match(t, 8, segOne("delivered", "within_last_days", `7`)); len(got) != 0 {
			t.Errorf("account 8 delivered: %v (its message went to a number it has no contact for)", got)
		}
	})
}

func segJSONNum(n int64) string { b, _ := json.Marshal(n); return string(b) }

// TestSegmentRulesRefused: unknown fields, wrong operators for a type,
// bad values, another account's list and too many conditions are each a
// problem naming the condition.
func TestSegmentRulesRefused(t *testing.T) {
	forEachDialect(t, func(t *testing.T, driver string) {
		w := newSegWorldT(t, driver)
		ctx := testCtx(t)
		cases := []struct{ rules, want string }{
			{segOne("nickname", "eq", `"x"`), `unknown field "nickname"`},
			{segOne("field.shoe", "eq", `"x"`), `unknown custom field "shoe"`},
			{segOne("field.age", "contains", `"3"`), `does not apply to a number field`},
			{segOne("field.age", "gt", `"old"`), `wants a number`},
			{segOne("field.joined", "before", `"12/01/2026"`), `YYYY-MM-DD`},
			{segOne("field.joined", "eq", `"2026-01-01"`), `does not apply to a date field`},
			{segOne("field.vip", "eq", `true`), `boolean field takes is`},
			{segOne("first_name", "gt", `"a"`), `does not apply to a text field`},
			{segOne("first_name", "eq", `12`), `wants a text value`},
			{segOne("phone", "starts_with", `"44-77"`), `phone prefix is digits`},
			{segOne("tags", "has", `"a,b"`), `no comma`},
			{segOne("tags", "eq", `"a"`), `has or has_not`},
			{segOne("list", "in_list", segJSONNum(w.lst8)), `not the id of one of the account's lists`},
			{segOne("delivered", "within_last_days", `0`), `whole number of days`},
			{segOne("sent", "is", `true`), `takes within_last_days`},
			{segOne("opted_out", "is", `"yes"`), `true or false`},
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
		w := newSegWorldT(t, driver)
		s, ctx := w.s, testCtx(t)
		r, _ := ParseSegmentRules([]byte(segOne("tags", "has", `"vip"`)))
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
		if n, err := s.CountContactsMatching(ctx, 7, cond, args); err != nil || n != 1 {
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
		lr, _ := ParseSegmentRules([]byte(segOne("list", "in_list", segJSONNum(w.list))))
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
		} else if n, err := s.CountContactsMatching(ctx, 7, cond, args); err != nil || n != 0 {
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
