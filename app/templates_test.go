package app

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"

	"github.com/gallant-sms/gallant/store/storetest"
)

// TestUCS2Characters: exactly the characters outside GSM 03.38 (default
// and extension tables) are listed, with their character index.
func TestUCS2Characters(t *testing.T) {
	for _, c := range []struct{ text, want string }{
		{"plain ASCII {[~^|€]} é è ñ Ç ß Ø Å Δ Ω", ""},
		{"it’s", "’@2"},
		{"`tick`", "`@0 `@5"},
		{"ça va ç", "ç@0 ç@6"},
		{"ó😀x", "ó@0 😀@1"},
		{"tab\there", "\t@3"},
	} {
		var got []string
		for _, u := range ucs2Characters(c.text) {
			got = append(got, u.Char+"@"+strconv.Itoa(u.Index))
		}
		if strings.Join(got, " ") != c.want {
			t.Errorf("%q: %q, want %q", c.text, strings.Join(got, " "), c.want)
		}
	}
	if n := len(ucs2Characters(strings.Repeat("ó", 1000))); n != maxUCS2Listed {
		t.Errorf("%d listed, want the cap %d", n, maxUCS2Listed)
	}
}

// TestTemplatesPolicy: a member who may not send, or an unverified
// session, cannot change templates or settings; reading and previewing
// stay open to them.
func TestTemplatesPolicy(t *testing.T) {
	st := storetest.Open(t, storetest.SQLite)
	s := NewTemplates(st, nil, nil)
	ctx := context.Background()
	owner := Principal{AccountID: 1, Role: RoleOwner, CanSend: true}
	name, body := "n", "Hi {{first_name|there}}"
	tpl, err := s.Create(ctx, owner, TemplateInput{Name: &name, Body: &body})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []Principal{{AccountID: 1, Role: RoleMember}, {AccountID: 1, Role: RoleOwner, CanSend: true, Unverified: true}} {
		other := "m"
		if _, err := s.Create(ctx, p, TemplateInput{Name: &other, Body: &body}); KindOf(err) == 0 {
			t.Errorf("%+v created: %v", p, err)
		}
		if _, err := s.Update(ctx, p, tpl.ID, TemplateInput{Name: &other}); KindOf(err) == 0 {
			t.Errorf("%+v updated: %v", p, err)
		}
		if err := s.Delete(ctx, p, tpl.ID); KindOf(err) == 0 {
			t.Errorf("%+v deleted: %v", p, err)
		}
		if _, err := s.PutSettings(ctx, p, "x"); KindOf(err) == 0 {
			t.Errorf("%+v set the opt-out text: %v", p, err)
		}
		if _, err := s.Get(ctx, p, tpl.ID); err != nil {
			t.Errorf("%+v reads: %v", p, err)
		}
		if pv, err := s.Preview(ctx, p, PreviewInput{ID: tpl.ID}); err != nil || pv.Text != "Hi there" {
			t.Errorf("%+v previews: %+v %v", p, pv, err)
		}
	}
	if _, err := s.Get(ctx, Principal{AccountID: 2}, tpl.ID); KindOf(err) != KindNotFound {
		t.Errorf("account 2 reads account 1's template: %v", err)
	}
	var e *Error
	if _, err := s.Create(ctx, owner, TemplateInput{Name: &name, Body: &body}); !errors.As(err, &e) || e.Kind != KindConflict {
		t.Errorf("a name in use: %v", err)
	}
}
