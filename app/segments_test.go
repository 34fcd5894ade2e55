package app

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/gallant-sms/gallant/store"
	"github.com/gallant-sms/gallant/store/storetest"
)

// TestSegmentsPolicy: a member who may not send reads and previews but
// does not change segments; bad rules are invalid-request naming the
// condition; another account's segment is not found.
func TestSegmentsPolicy(t *testing.T) {
	ctx := context.Background()
	st := storetest.Open(t, storetest.SQLite)
	s := &Segments{st: st}
	owner := Principal{AccountID: 1, Role: RoleOwner, CanSend: true}
	member := Principal{AccountID: 1, Role: RoleMember}
	stranger := Principal{AccountID: 2, Role: RoleOwner, CanSend: true}
	if _, _, err := st.UpsertContacts(ctx, 1, []store.Contact{{Phone: "447700900001", Tags: []string{"vip"}}, {Phone: "447700900002"}}); err != nil {
		t.Fatal(err)
	}
	name := "VIPs"
	rules := json.RawMessage(`{"match":"all","conditions":[{"field":"tags","op":"has","value":"vip"}]}`)
	seg, err := s.Create(ctx, owner, SegmentInput{Name: &name, Rules: rules})
	if err != nil || seg.ID == 0 || seg.Rules.Match != "all" {
		t.Fatalf("create: %+v %v", seg, err)
	}
	if _, err := s.Create(ctx, owner, SegmentInput{Name: &name, Rules: rules}); KindOf(err) != KindUnprocessable {
		t.Errorf("same name: %v", err)
	}
	if _, err := s.Create(ctx, member, SegmentInput{Name: &name, Rules: rules}); KindOf(err) != KindForbidden {
		t.Errorf("member create: %v", err)
	}
	other := "other"
	_, err = s.Create(ctx, owner, SegmentInput{Name: &other, Rules: json.RawMessage(`{"conditions":[{"field":"email","op":"eq","value":"a"},{"field":"shoe","op":"eq","value":"x"}]}`)})
	ae, ok := errors.AsType[*Error](err)
	if KindOf(err) != KindInvalid || !ok || ae.Field != "rules.conditions[1]" || !strings.Contains(ae.Detail, "shoe") {
		t.Errorf("bad rules: %v", err)
	}
	if _, err := s.Create(ctx, owner, SegmentInput{Name: &other}); KindOf(err) != KindInvalid {
		t.Errorf("no rules: %v", err)
	}
	pv, err := s.Preview(ctx, member, seg.ID)
	if err != nil || pv.Count != 1 || len(pv.Sample) != 1 || pv.Sample[0].Phone != "+447700900001" {
		t.Fatalf("member preview: %+v %v", pv, err)
	}
	if pv, err := s.PreviewRules(ctx, member, json.RawMessage(`{"match":"any","conditions":[]}`)); err != nil || pv.Count != 2 {
		t.Fatalf("preview rules: %+v %v", pv, err)
	}
	for _, f := range []func() error{
		func() error { _, err := s.Get(ctx, stranger, seg.ID); return err },
		func() error { _, err := s.Preview(ctx, stranger, seg.ID); return err },
		func() error { _, err := s.Update(ctx, stranger, seg.ID, SegmentInput{Name: &other}); return err },
		func() error { return s.Delete(ctx, stranger, seg.ID) },
	} {
		if err := f(); KindOf(err) != KindNotFound {
			t.Errorf("stranger: %v, want not found", err)
		}
	}
	if pv, _ := s.PreviewRules(ctx, stranger, json.RawMessage(`{"conditions":[]}`)); pv.Count != 0 {
		t.Errorf("stranger counts %d contacts", pv.Count)
	}
	renamed := "Very important"
	if got, err := s.Update(ctx, owner, seg.ID, SegmentInput{Name: &renamed}); err != nil || got.Name != renamed || len(got.Rules.Conditions) != 1 {
		t.Fatalf("rename: %+v %v", got, err)
	}
	if err := s.Delete(ctx, member, seg.ID); KindOf(err) != KindForbidden {
		t.Errorf("member delete: %v", err)
	}
	if page, err := s.List(ctx, member, 0, 0); err != nil || len(page.Data) != 1 {
		t.Errorf("list: %+v %v", page, err)
	}
}
