package campaign

import (
	"errors"
	"strings"
	"testing"

	"github.com/gallant-sms/gallant/store"
)

var testFields = []store.ContactField{
	{Name: "city", Type: "text"},
	{Name: "points", Type: "number"},
	{Name: "renewal", Type: "date"},
	{Name: "vip", Type: "boolean"},
}

var ada = store.Contact{ID: 7, AccountID: 1, Phone: "447700900123", FirstName: "Ada", LastName: "Lovelace",
	Email: "ada@example.com", Fields: `{"city":"London","points":1250,"renewal":"2027-01-31","vip":true}`}

// TestParseTemplateRefuses: unknown placeholders and malformed braces
// are refused with the placeholder and its character offset named.
func TestParseTemplateRefuses(t *testing.T) {
	for _, c := range []struct {
		name, body, placeholder string
		offset                  int
		reason                  string
	}{
		{"unknown", "Hi {{nickname}}!", "nickname", 3, "unknown placeholder"},
		{"unknown after unicode", "Grüße {{frist_name}}", "frist_name", 6, "unknown placeholder"},
		{"undeclared field", "In {{field.town}}", "field.town", 3, `no custom field "town"`},
		{"case matters", "{{First_Name}}", "First_Name", 0, "unknown placeholder"},
		{"empty", "a {{ }} b", "", 2, "empty placeholder"},
		{"empty with default", "a {{|x}} b", "|x", 2, "empty placeholder"},
		{"unclosed", "Hi {{first_name", "", 3, "never closed"},
		{"unclosed before next", "Hi {{first_name {{last_name}}", "", 3, "before the next"},
		{"lone close", "Hi first_name}} there", "", 13, `"}}" without`},
		{"close before open", "}} {{first_name}}", "", 0, `"}}" without`},
		{"brace in default", "{{first_name|{x}}}", "first_name|{x", 0, "braces"},
		{"optout default", "{{optout|stop}}", "optout|stop", 0, "takes no default"},
		{"empty body", "", "", 0, "empty"},
		{"bad utf8", "a\xffb", "", 0, "UTF-8"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := ParseTemplate(c.body, testFields)
			var te *TemplateError
			if !errors.As(err, &te) {
				t.Fatalf("%q: %v, want a TemplateError", c.body, err)
			}
			if te.Placeholder != c.placeholder || te.Offset != c.offset || !strings.Contains(te.Reason, c.reason) {
				t.Fatalf("%q: %+v, want placeholder %q at %d, reason with %q", c.body, te, c.placeholder, c.offset, c.reason)
			}
			if c.placeholder != "" && !strings.Contains(err.Error(), "{{"+c.placeholder+"}}") {
				t.Fatalf("error %q does not name the placeholder", err)
			}
		})
	}
	if _, err := ParseTemplate(strings.Repeat("é", MaxTemplateChars+1), nil); !errors.Is(err, ErrTemplateTooLong) {
		t.Fatalf("a body over the cap: %v", err)
	}
	if _, err := ParseTemplate(strings.Repeat("é", MaxTemplateChars), nil); err != nil {
		t.Fatalf("a body at the cap: %v", err)
	}
	if _, err := ParseTemplate(strings.Repeat("{{phone}} ", maxPlaceholders+1), nil); err == nil {
		t.Fatal("too many placeholders taken")
	}
	if _, err := ParseTemplate(strings.Repeat("{{phone}} ", maxPlaceholders), nil); err != nil {
		t.Fatalf("%d placeholders: %v", maxPlaceholders, err)
	}
}

// TestRender: placeholders, defaults, custom fields of each type, the
// opt-out text and single braces render; a missing value without a
// default skips the recipient with a reason, never a literal {{...}}.
func TestRender(t *testing.T) {
	noName := ada
	noName.FirstName = ""
	noFields := ada
	noFields.Fields = "{}"
	emptyFields := ada
	emptyFields.Fields = ""
	escaped := ada
	escaped.Fields = `{"city":"S\u00e3o Paulo \"SP\" \ud83d\ude00\n", "points": -3.50e2, "vip": false, "renewal": null}`
	nested := ada
	nested.Fields = `{"x":{"city":"wrong","a":[1,{"b":"}"}]},"city" : "Oslo" }`
	badJSON := ada
	badJSON.Fields = `{"city":"Oslo"`
	for _, c := range []struct {
		name, body string
		c          store.Contact
		optout     string
		want       string
		skip       string // a reason's part, when the recipient is skipped
	}{
		{"names", "Hi {{first_name}} {{last_name}}!", ada, "", "Hi Ada Lovelace!", ""},
		{"spaces", "Hi {{ first_name | there }}!", ada, "", "Hi Ada!", ""},
		{"phone and email", "{{phone}} {{email}}", ada, "", "+447700900123 ada@example.com", ""},
		{"default used", "Hi {{first_name|there}}!", noName, "", "Hi there!", ""},
		{"empty default", "Hi{{first_name|}}!", noName, "", "Hi!", ""},
		{"missing skipped", "Hi {{first_name}}!", noName, "", "", "first_name is empty"},
		{"text field", "See you in {{field.city}}", ada, "", "See you in London", ""},
		{"number field", "{{field.points}} points", ada, "", "1250 points", ""},
		{"date field", "renews {{field.renewal}}", ada, "", "renews 2027-01-31", ""},
		{"boolean field", "vip: {{field.vip}}", ada, "", "vip: true", ""},
		{"field missing skipped", "{{field.city}}", noFields, "", "", "custom field city is missing"},
		{"field missing default", "in {{field.city|town}}", emptyFields, "", "in town", ""},
		{"null field skipped", "{{field.renewal}}", escaped, "", "", "custom field renewal"},
		{"escaped field", "{{field.city}}|{{field.points}}|{{field.vip}}", escaped, "", "São Paulo \"SP\" 😀\n|-3.50e2|false", ""},
		{"nested skipped over", "{{field.city}}", nested, "", "Oslo", ""},
		{"bad fields skipped", "{{field.city}}", badJSON, "", "", "not a valid JSON object"},
		{"optout default", "Sale! {{optout}}", ada, "", "Sale! Reply STOP to unsubscribe", ""},
		{"optout account text", "Sale! {{optout}}", ada, "Text STOP to 60123", "Sale! Text STOP to 60123", ""},
		{"single braces", "{a} {{first_name}} }b{", ada, "", "{a} Ada }b{", ""},
		{"repeated", "{{first_name}}{{first_name}}{{field.city}}{{field.city}}", ada, "", "AdaAdaLondonLondon", ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			tpl, err := ParseTemplate(c.body, testFields)
			if err != nil {
				t.Fatal(err)
			}
			got, err := tpl.Render(Recipient{Contact: c.c, OptOutText: c.optout})
			if c.skip != "" {
				var se *SkipError
				if !errors.As(err, &se) || !strings.Contains(se.Reason, c.skip) || got != "" {
					t.Fatalf("got %q, %v; want a SkipError with %q", got, err, c.skip)
				}
				return
			}
			if err != nil || got != c.want {
				t.Fatalf("got %q, %v; want %q", got, err, c.want)
			}
			if strings.Contains(got, "{{") {
				t.Fatalf("a placeholder was sent: %q", got)
			}
		})
	}
}

// TestTemplateAccessors: placeholders and custom fields are listed once,
// in order; {{optout}} is noticed.
func TestTemplateAccessors(t *testing.T) {
	tpl, err := ParseTemplate("{{field.city}} {{first_name|x}} {{field.city}} {{optout}} {{field.vip}}", testFields)
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(tpl.Placeholders(), ","); got != "field.city,first_name,optout,field.vip" {
		t.Fatalf("placeholders %s", got)
	}
	if got := strings.Join(tpl.Fields(), ","); got != "city,vip" || !tpl.HasOptOut() {
		t.Fatalf("fields %s, optout %v", got, tpl.HasOptOut())
	}
	if plain, _ := ParseTemplate("no placeholders", nil); plain.HasOptOut() || len(plain.Placeholders()) != 0 {
		t.Fatal("a plain body has placeholders")
	}
}

// TestRenderLinks: each URL of the rendered text, also one built from a
// placeholder, goes through Link; trailing punctuation stays outside;
// text without a URL is left alone; a Link error fails the render.
func TestRenderLinks(t *testing.T) {
	tpl, err := ParseTemplate("Hi {{first_name}}: https://shop.example/x?c={{field.city}}. Or (HTTP://a.example/b_(c)), xhttp://no, http:// ftp://x", testFields)
	if err != nil {
		t.Fatal(err)
	}
	var seen []string
	link := func(u string) (string, error) {
		seen = append(seen, u)
		return "https://gal.example/" + strings.Repeat("A", len(seen)), nil
	}
	got, err := tpl.Render(Recipient{Contact: ada, Link: link})
	if err != nil {
		t.Fatal(err)
	}
	want := "Hi Ada: https://gal.example/A. Or (https://gal.example/AA), xhttp://no, http:// ftp://x"
	if got != want || strings.Join(seen, " ") != "https://shop.example/x?c=London HTTP://a.example/b_(c)" {
		t.Fatalf("got %q\nwant %q\nurls %q", got, want, seen)
	}
	if _, err := tpl.Render(Recipient{Contact: ada, Link: func(string) (string, error) { return "", errors.New("store down") }}); err == nil ||
		!strings.Contains(err.Error(), "store down") {
		t.Fatalf("a link error: %v", err)
	}
	if urls := FindURLs("a https://x.example/1, b http://y.example/2?"); strings.Join(urls, " ") != "https://x.example/1 http://y.example/2" {
		t.Fatalf("FindURLs: %q", urls)
	}
}

// FuzzRender: any body either is refused or renders without a panic and
// without a "{{" it did not hold as text; any fields JSON is read or
// refused.
func FuzzRender(f *testing.F) {
	f.Add("Hi {{first_name|there}} {{field.city}} https://x.example/a", `{"city":"Oslo"}`)
	f.Add("{{optout}}", `{"city":"\ud83d"}`)
	f.Add("}}{{", `{"a":[{"b":"}"}]}`)
	f.Fuzz(func(t *testing.T, body, fields string) {
		tpl, err := ParseTemplate(body, testFields)
		if err != nil {
			return
		}
		c := ada
		c.Fields = fields
		out, err := tpl.Render(Recipient{Contact: c, Link: func(string) (string, error) { return "L", nil }})
		var se *SkipError
		if err != nil && !errors.As(err, &se) {
			t.Fatalf("render: %v", err)
		}
		if err == nil && strings.Count(out, "{{") > strings.Count(body, "{{")+strings.Count(fields, "{{") {
			t.Fatalf("%q rendered %q", body, out)
		}
	})
}

// benchBody is a typical marketing text with three personal values and a
// link.
const benchBody = "Hi {{first_name|there}}, your {{field.points}} points in {{field.city}} expire on {{field.renewal}}. Shop: https://shop.example/sale {{optout}}"

// BenchmarkRender renders a typical template for one recipient: the cost
// per recipient of a campaign, without and with link shortening.
func BenchmarkRender(b *testing.B) {
	tpl, err := ParseTemplate(benchBody, testFields)
	if err != nil {
		b.Fatal(err)
	}
	r := Recipient{Contact: ada}
	b.Run("plain", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := tpl.Render(r); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("link", func(b *testing.B) {
		const short = "https://gal.example/AbCdEfGhIj"
		r := r
		r.Link = func(string) (string, error) { return short, nil }
		b.ReportAllocs()
		for b.Loop() {
			if _, err := tpl.Render(r); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkParseTemplate parses the typical template (once per campaign).
func BenchmarkParseTemplate(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseTemplate(benchBody, testFields); err != nil {
			b.Fatal(err)
		}
	}
}
