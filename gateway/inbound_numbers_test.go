package gateway

import (
	"testing"

	"github.com/gallant-sms/gallant/store"
)

// TestNumberIndexRoute: the exact number wins over a range, the longest
// prefix wins among ranges, a shared code routes by its first word (case
// and accents ignored, surrounding punctuation dropped), a carrier-bound
// row only matches its carrier, and a shared code with no matching
// keyword routes nowhere.
func TestNumberIndexRoute(t *testing.T) {
	x := newNumberIndex([]store.Number{
		{ID: 1, AccountID: 10, Number: "447700900999", Kind: store.NumberLong},
		{ID: 2, AccountID: 20, Number: "4477009", Kind: store.NumberRange},
		{ID: 3, AccountID: 30, Number: "447700901", Kind: store.NumberRange},
		{ID: 4, AccountID: 40, Number: "60000", Kind: store.NumberKeyword, Keyword: "CAFE"},
		{ID: 5, AccountID: 50, Number: "60000", Kind: store.NumberKeyword, Keyword: "PIZZA"},
		{ID: 6, AccountID: 60, Number: "70000", Kind: store.NumberShort, Carrier: "acme"},
		{ID: 7, AccountID: 70, Number: "80000", Kind: store.NumberShort},
		{ID: 8, AccountID: 80, Number: "80000", Kind: store.NumberKeyword, Keyword: "JOIN"},
	})
	for _, c := range []struct {
		carrier, dst, text string
		want               int64 // number row id; 0: none
		shared             bool
	}{
		{"c1", "447700900999", "hi", 1, false},
		{"c1", "+447700900999", "hi", 1, false},
		{"c1", "447700900998", "hi", 2, false},
		{"c1", "447700901000", "hi", 3, false},
		{"c1", "447800000000", "hi", 0, false},
		{"c1", "60000", "pizza please", 5, true},
		{"c1", "60000", "  Café, au lait", 4, true},
		{"c1", "60000", "¡CAFÉ!", 4, true},
		{"c1", "60000", "taxi", 0, true},
		{"c1", "60000", "", 0, true},
		{"c1", "70000", "x", 0, false},
		{"acme", "70000", "x", 6, false},
		{"c1", "80000", "join now", 8, true},
		{"c1", "80000", "hello", 7, true},
	} {
		n, shared, ok := x.route(c.carrier, c.dst, c.text)
		if (c.want == 0) == ok || (ok && n.ID != c.want) || shared != c.shared {
			t.Errorf("route(%s, %s, %q) = %d (ok %v, shared %v), want %d (shared %v)", c.carrier, c.dst, c.text, n.ID, ok, shared, c.want, c.shared)
		}
	}
	var none *numberIndex
	if _, _, ok := none.route("c1", "1", "x"); ok {
		t.Error("an empty index routed")
	}
}

func TestNormalizeKeyword(t *testing.T) {
	for in, want := range map[string]string{"stop": "STOP", "Arrêt": "ARRET", "¡Café!": "CAFE", "ÑANDÚ": "NANDU", "": "", "...": "", "B2B": "B2B"} {
		if got := NormalizeKeyword(in); got != want {
			t.Errorf("NormalizeKeyword(%q) = %q, want %q", in, got, want)
		}
	}
	if got := FirstKeyword("  pizza\tlarge"); got != "PIZZA" {
		t.Errorf("FirstKeyword = %q", got)
	}
}
