//go:build !race

package campaign

import "testing"

// TestRenderAlloc is the hot path's budget: a campaign renders its
// template once per recipient, so a typical template (three personal
// values, a default, a URL, {{optout}}) costs one allocation, the text,
// and two with link shortening (the text with its links replaced; the
// Link function's own cost aside).
func TestRenderAlloc(t *testing.T) {
	tpl, err := ParseTemplate(benchBody, testFields)
	if err != nil {
		t.Fatal(err)
	}
	r := Recipient{Contact: ada}
	if n := testing.AllocsPerRun(200, func() { _, _ = tpl.Render(r) }); n > 1 {
		t.Errorf("Render: %.0f allocations, want at most 1", n)
	}
	r.Link = func(string) (string, error) { return "https://gal.example/AbCdEfGhIj", nil }
	if n := testing.AllocsPerRun(200, func() { _, _ = tpl.Render(r) }); n > 2 {
		t.Errorf("Render with links: %.0f allocations, want at most 2", n)
	}
}
