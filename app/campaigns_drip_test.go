package app

import (
	"context"
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gallant-sms/gallant/store"
	"github.com/gallant-sms/gallant/store/storetest"
)

// TestCampaignDripValidation: each bad drip definition is a problem
// naming the field at fault, and a good one passes.
func TestCampaignDripValidation(t *testing.T) {
	ctx := context.Background()
	st := storetest.Open(t, storetest.SQLite)
	s := &Campaigns{st: st, now: time.Now}
	for _, f := range []store.ContactField{{Name: "signup", Type: "date"}, {Name: "tier", Type: "text"}} {
		if err := st.CreateContactField(ctx, 1, f); err != nil {
			t.Fatal(err)
		}
	}
	l := &store.ContactList{AccountID: 1, Name: "signups"}
	if err := st.CreateContactList(ctx, l); err != nil {
		t.Fatal(err)
	}
	seg := &store.Segment{AccountID: 1, Name: "gold", Rules: store.SegmentRules{Conditions: []store.SegmentCondition{
		{Field: "field.tier", Op: "eq", Value: json.RawMessage(`"gold"`)}}}}
	if err := st.CreateSegment(ctx, seg); err != nil {
		t.Fatal(err)
	}
	parse := func(s string) Drip {
		var d Drip
		if err := json.Unmarshal([]byte(strings.ReplaceAll(strings.ReplaceAll(s, "LIST", itoa(l.ID)), "SEG", itoa(seg.ID))), &d); err != nil {
			t.Fatal(err)
		}
		return d
	}
	good := []string{
		`{"list_id":LIST,"steps":[{"delay":0,"text":"Hi"}]}`,
		`{"segment_id":SEG,"exit_on_leave":true,"steps":[{"delay":3600,"at":"10:00","text":"Hi"}]}`,
		`{"list_id":LIST,"date_field":"signup","steps":[{"days":3,"at":"10:00","text":"Hi"},{"days":-1,"at":"09:30","text":"Eve"}]}`,
		`{"list_id":LIST,"steps":[{"delay":0,"text":"Hi","condition":{"segment_id":SEG},"on_fail":"exit"},
			{"delay":60,"text":"Hi","condition":{"rules":{"match":"any","conditions":[{"field":"tags","op":"has","value":"vip"}]}}}]}`,
	}
	for _, g := range good {
		if d, err := s.checkDrip(ctx, 1, parse(g)); err != nil || d == nil {
			t.Errorf("%s: %v", g, err)
		}
	}
	bad := []struct{ in, field, detail string }{
		{`{"steps":[{"text":"Hi"}]}`, "drip.list_id", "list or a segment"},
		{`{"list_id":LIST,"segment_id":SEG,"steps":[{"text":"Hi"}]}`, "drip.list_id", "not both"},
		{`{"list_id":LIST,"steps":[{"delay":-1,"text":"Hi"}]}`, "drip.steps[0].delay", "0 to"},
		{`{"list_id":LIST,"steps":[{"text":"Hi"},{"at":"25:00","text":"Hi"}]}`, "drip.steps[1].at", "HH:MM"},
		{`{"list_id":LIST,"steps":[{"text":"Hi","template_id":3}]}`, "drip.steps[0]", "a text or a template_id"},
		{`{"list_id":LIST,"steps":[{"days":2,"text":"Hi"}]}`, "drip.steps[0].days", "date_field"},
		{`{"list_id":LIST,"date_field":"signup","steps":[{"days":2,"text":"Hi"}]}`, "drip.steps[0].at", "needs at"},
		{`{"list_id":LIST,"date_field":"signup","steps":[{"delay":60,"at":"10:00","text":"Hi"}]}`, "drip.steps[0].delay", "days and at"},
		{`{"list_id":LIST,"date_field":"signup","steps":[{"days":9999,"at":"10:00","text":"Hi"}]}`, "drip.steps[0].days", "days is"},
		{`{"list_id":LIST,"date_field":"tier","steps":[{"days":1,"at":"10:00","text":"Hi"}]}`, "drip.date_field", "not date"},
		{`{"list_id":LIST,"date_field":"birthday","steps":[{"days":1,"at":"10:00","text":"Hi"}]}`, "drip.date_field", "no custom field"},
		{`{"list_id":LIST,"steps":[{"text":"Hi","on_fail":"stop","condition":{"segment_id":SEG}}]}`, "drip.steps[0].on_fail", "skip"},
		{`{"list_id":LIST,"steps":[{"text":"Hi","on_fail":"exit"}]}`, "drip.steps[0].on_fail", "with a condition"},
		{`{"list_id":LIST,"steps":[{"text":"Hi","condition":{}}]}`, "drip.steps[0].condition", "segment_id or rules"},
		{`{"list_id":LIST,"steps":[{"text":"Hi","condition":{"segment_id":999}}]}`, "drip.steps[0].condition.segment_id", "no such segment"},
		{`{"list_id":LIST,"steps":[{"text":"Hi","condition":{"rules":{"conditions":[{"field":"shoe","op":"eq","value":"x"}]}}}]}`,
			"drip.steps[0].condition.rules", "conditions[0]"},
		{`{"list_id":999,"steps":[{"text":"Hi"}]}`, "drip.list_id", "no such list"},
		{`{"segment_id":999,"steps":[{"text":"Hi"}]}`, "drip.segment_id", "no such segment"},
		{`{"list_id":LIST,"steps":[{"template_id":77}]}`, "drip.steps[0].template_id", "no such template"},
	}
	for _, b := range bad {
		_, err := s.checkDrip(ctx, 1, parse(b.in))
		ae, ok := errors.AsType[*Error](err)
		if !ok || ae.Field != b.field || !strings.Contains(ae.Detail, b.detail) {
			t.Errorf("%s: %v (field %q), want %s: …%s…", b.in, err, fieldOf(ae), b.field, b.detail)
		}
	}
}

func fieldOf(e *Error) string {
	if e == nil {
		return ""
	}
	return e.Field
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
