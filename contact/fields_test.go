package contact

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/gallant-sms/gallant/store"
)

// TestParseFieldValue: CSV text becomes the typed value, blank is no
// value, and what does not fit the type is refused.
func TestParseFieldValue(t *testing.T) {
	for _, c := range []struct {
		typ, raw string
		want     any
		bad      bool
	}{
		{TypeText, " gold ", "gold", false},
		{TypeText, strings.Repeat("x", MaxTextValue+1), nil, true},
		{TypeText, "\xff", nil, true},
		{TypeText, "a\x00b", nil, true},
		{TypeText, "line\nnext <b>", "line\nnext <b>", false},
		{TypeNumber, "42", 42.0, false},
		{TypeNumber, "-1.5e2", -150.0, false},
		{TypeNumber, "NaN", nil, true},
		{TypeNumber, "1e999", nil, true},
		{TypeNumber, "12abc", nil, true},
		{TypeBoolean, "YES", true, false},
		{TypeBoolean, "0", false, false},
		{TypeBoolean, "maybe", nil, true},
		{TypeDate, "2026-02-28", "2026-02-28", false},
		{TypeDate, "2026-12-07T10:00:00+01:00", "2026-12-07", false},
		{TypeDate, "2026-02-30", nil, true},
		{TypeDate, "07/12/2026", nil, true},
		{TypeNumber, "   ", nil, false},
		{"colour", "x", nil, true},
	} {
		got, err := ParseFieldValue(c.typ, c.raw)
		if (err != nil) != c.bad || got != c.want {
			t.Errorf("ParseFieldValue(%s, %q) = %v, %v; want %v (error %v)", c.typ, c.raw, got, err, c.want, c.bad)
		}
		if err != nil && !errors.Is(err, ErrField) {
			t.Errorf("%s %q: %v does not wrap ErrField", c.typ, c.raw, err)
		}
	}
}

// TestApplyFields: values are coerced to their declared types and merged
// into the stored ones; null removes one; an undeclared name or a wrong
// type is a FieldError naming the field; stale values are dropped.
func TestApplyFields(t *testing.T) {
	decl := []store.ContactField{{Name: "plan", Type: TypeText}, {Name: "score", Type: TypeNumber},
		{Name: "vip", Type: TypeBoolean}, {Name: "signup", Type: TypeDate}}
	stored := `{"plan":"silver","score":"7","gone":"x","signup":"2026-01-01"}`
	out, err := ApplyFields(decl, stored, map[string]any{"score": json.Number("8.5"), "vip": "true", "signup": nil})
	if err != nil {
		t.Fatal(err)
	}
	if out != `{"plan":"silver","score":8.5,"vip":true}` {
		t.Fatalf("merged %s", out)
	}
	for _, c := range []struct {
		values map[string]any
		field  string
	}{
		{map[string]any{"colour": "red"}, "colour"},
		{map[string]any{"score": "many"}, "score"},
		{map[string]any{"vip": 1.0}, "vip"},
		{map[string]any{"plan": 3.0}, "plan"},
		{map[string]any{"signup": "tomorrow"}, "signup"},
		{map[string]any{"score": ""}, "score"},
	} {
		_, err := ApplyFields(decl, stored, c.values)
		var fe *FieldError
		if !errors.As(err, &fe) || fe.Name != c.field {
			t.Errorf("%v: %v, want a FieldError for %s", c.values, err, c.field)
		}
	}
	// Escapes do not inflate text, and the whole stays within its column.
	if out, err := ApplyFields(decl, "{}", map[string]any{"plan": "<&>"}); err != nil || out != `{"plan":"<&>"}` {
		t.Fatalf("HTML characters: %s, %v", out, err)
	}
	many := make([]store.ContactField, 0, MaxFields)
	values := map[string]any{}
	for i := range MaxFields {
		name := fmt.Sprintf("f%d", i)
		many = append(many, store.ContactField{Name: name, Type: TypeText})
		values[name] = strings.Repeat("\"", MaxTextValue)
	}
	var fe *FieldError
	if _, err := ApplyFields(many, "{}", values); !errors.As(err, &fe) || fe.Name != "fields" {
		t.Fatalf("100 values of 500 quotes: %v", err)
	}
	// Shown: declared fields with values of their type only.
	got := Fields([]store.ContactField{{Name: "plan", Type: TypeNumber}, {Name: "score", Type: TypeNumber}}, stored)
	if len(got) != 1 || got["score"] != 7.0 {
		t.Fatalf("fields shown %v", got)
	}
	if got := Fields(decl, "not json"); len(got) != 0 {
		t.Fatalf("a broken object shows %v", got)
	}
}

// TestCheckFieldName: a letter, then letters, digits and underscores.
func TestCheckFieldName(t *testing.T) {
	for name, ok := range map[string]bool{"plan": true, "Plan_2": true, "a": true, strings.Repeat("a", MaxFieldName): true,
		"": false, "2plan": false, "_x": false, "plan type": false, "plan.type": false, "été": false,
		strings.Repeat("a", MaxFieldName+1): false} {
		if err := CheckFieldName(name); (err == nil) != ok {
			t.Errorf("CheckFieldName(%q) = %v", name, err)
		}
	}
	for typ, ok := range map[string]bool{"text": true, "number": true, "date": true, "boolean": true, "Text": false, "int": false} {
		if err := CheckFieldType(typ); (err == nil) != ok {
			t.Errorf("CheckFieldType(%q) = %v", typ, err)
		}
	}
}
