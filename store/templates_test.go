package store

import (
	"errors"
	"strings"
	"testing"
)

// TestTemplates: templates are created once per account and name, read,
// listed by id with a cursor, renamed, deleted; one account never sees or
// changes another's; what the table cannot hold is refused. The opt-out
// text setting defaults to empty and is replaced by a put.
func TestTemplates(t *testing.T) {
	forEachDialect(t, func(t *testing.T, driver string) {
		s := newTestStore(t, driver)
		ctx := testCtx(t)
		a := &Template{AccountID: 7, Name: "Welcome", Body: "Hi {{first_name|there}} 😀"}
		if err := s.CreateTemplate(ctx, a); err != nil || a.ID == 0 || a.CreatedAt.IsZero() {
			t.Fatalf("create: %+v %v", a, err)
		}
		if err := s.CreateTemplate(ctx, &Template{AccountID: 7, Name: "Welcome", Body: "x"}); !errors.Is(err, ErrDuplicate) {
			t.Fatalf("second Welcome: %v, want ErrDuplicate", err)
		}
		other := &Template{AccountID: 8, Name: "Welcome", Body: "Hallo"}
		if err := s.CreateTemplate(ctx, other); err != nil {
			t.Fatalf("account 8's Welcome: %v", err)
		}
		b := &Template{AccountID: 7, Name: "Promo", Body: strings.Repeat("é", maxTemplateBody)}
		if err := s.CreateTemplate(ctx, b); err != nil {
			t.Fatalf("a body at the limit: %v", err)
		}
		for _, bad := range []Template{{AccountID: 7, Name: "", Body: "x"}, {AccountID: 0, Name: "n", Body: "x"},
			{AccountID: 7, Name: strings.Repeat("n", maxTemplateName+1), Body: "x"},
			{AccountID: 7, Name: "long", Body: strings.Repeat("é", maxTemplateBody+1)}} {
			if err := s.CreateTemplate(ctx, &bad); !errors.Is(err, ErrInvalid) {
				t.Errorf("create %.40q: %v, want ErrInvalid", bad.Name, err)
			}
		}
		got, err := s.TemplateByID(ctx, 7, a.ID)
		if err != nil || got.Body != a.Body || got.Name != "Welcome" || !got.CreatedAt.Equal(a.CreatedAt) {
			t.Fatalf("get: %+v %v", got, err)
		}
		if _, err := s.TemplateByID(ctx, 8, a.ID); !errors.Is(err, ErrNotFound) {
			t.Fatalf("account 8 reads account 7's template: %v", err)
		}
		page, err := s.Templates(ctx, 7, 0, 1)
		if err != nil || len(page) != 1 || page[0].ID != a.ID {
			t.Fatalf("first page: %+v %v", page, err)
		}
		page, err = s.Templates(ctx, 7, page[0].ID, 10)
		if err != nil || len(page) != 1 || page[0].ID != b.ID {
			t.Fatalf("second page: %+v %v", page, err)
		}
		if n, err := s.CountTemplates(ctx, 7); err != nil || n != 2 {
			t.Fatalf("count: %d %v", n, err)
		}
		if _, err := s.Templates(ctx, 7, 0, 0); !errors.Is(err, ErrInvalid) {
			t.Fatalf("limit 0: %v", err)
		}
		up := &Template{ID: a.ID, AccountID: 7, Name: "Hello", Body: "Hello {{first_name}}"}
		if err := s.UpdateTemplate(ctx, up); err != nil || up.Name != "Hello" || !up.CreatedAt.Equal(a.CreatedAt) || up.UpdatedAt.Before(a.UpdatedAt) {
			t.Fatalf("update: %+v %v", up, err)
		}
		if err := s.UpdateTemplate(ctx, &Template{ID: a.ID, AccountID: 7, Name: "Promo", Body: "x"}); !errors.Is(err, ErrDuplicate) {
			t.Fatalf("rename onto Promo: %v, want ErrDuplicate", err)
		}
		if err := s.UpdateTemplate(ctx, &Template{ID: a.ID, AccountID: 8, Name: "pwned", Body: "x"}); !errors.Is(err, ErrNotFound) {
			t.Fatalf("account 8 updates account 7's template: %v", err)
		}
		if err := s.DeleteTemplate(ctx, 8, a.ID); !errors.Is(err, ErrNotFound) {
			t.Fatalf("account 8 deletes account 7's template: %v", err)
		}
		if err := s.DeleteTemplate(ctx, 7, a.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := s.TemplateByID(ctx, 7, a.ID); !errors.Is(err, ErrNotFound) {
			t.Fatalf("after delete: %v", err)
		}
		if got, err := s.TemplateByID(ctx, 8, other.ID); err != nil || got.Body != "Hallo" {
			t.Fatalf("account 8's template after account 7's changes: %+v %v", got, err)
		}

		ts, err := s.TemplateSettingsOf(ctx, 7)
		if err != nil || ts.OptOutText != "" || !ts.UpdatedAt.IsZero() {
			t.Fatalf("default settings: %+v %v", ts, err)
		}
		for _, text := range []string{"Text STOP to 60123", "Réponds STOP"} {
			if err := s.PutTemplateSettings(ctx, &TemplateSettings{AccountID: 7, OptOutText: text}); err != nil {
				t.Fatal(err)
			}
		}
		if ts, err := s.TemplateSettingsOf(ctx, 7); err != nil || ts.OptOutText != "Réponds STOP" || ts.UpdatedAt.IsZero() {
			t.Fatalf("settings: %+v %v", ts, err)
		}
		if ts, err := s.TemplateSettingsOf(ctx, 8); err != nil || ts.OptOutText != "" {
			t.Fatalf("account 8's settings: %+v %v", ts, err)
		}
		if err := s.PutTemplateSettings(ctx, &TemplateSettings{AccountID: 7, OptOutText: strings.Repeat("x", maxOptOutText+1)}); !errors.Is(err, ErrInvalid) {
			t.Fatalf("a long text: %v", err)
		}
	})
}
