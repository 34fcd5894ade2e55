package router

import (
	"testing"
)

func TestLookup(t *testing.T) {
	names := map[string]int32{"X": 0, "A": 1, "B": 2, "C": 3, "D": 4}
	def := []Route{
		{Prefix: "", Carriers: []Choice{{Carrier: "X"}}},
		{Prefix: "44", Carriers: []Choice{{Carrier: "A"}}},
		{Prefix: "+447", Carriers: []Choice{{Carrier: "B"}}},
		{Prefix: "4477", Carriers: []Choice{{Carrier: "C"}}},
	}
	acct := map[int64][]Route{7: {{Prefix: "447", Carriers: []Choice{{Carrier: "D"}}}}}
	tbl, err := buildTable(def, acct, names)
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		acct int64
		dest string
		want int32
	}{
		{0, "447700900123", 3},
		{0, "+447812345678", 2},
		{0, "442071234567", 1},
		{0, "44", 1},
		{0, "4", 0},
		{0, "15551234567", 0},
		{0, "", 0},
		{0, "44abc", 1},
		{0, "ALPHA", 0},
		{7, "447812345678", 4}, // the account's plan first
		{7, "447700900123", 4}, // even where the default plan matches longer
		{7, "442071234567", 1}, // no account route: default plan
		{7, "15551234567", 0},
		{8, "447700900123", 3}, // another account: default plan
	}
	for _, tc := range cases {
		rt := tbl.lookup(tc.acct, tc.dest)
		if rt == nil {
			t.Errorf("lookup(%d, %q) = nil", tc.acct, tc.dest)
			continue
		}
		if got := rt.choices[0].carrier; got != tc.want {
			t.Errorf("lookup(%d, %q) = carrier %d, want %d", tc.acct, tc.dest, got, tc.want)
		}
	}

	noCatchAll, err := buildTable(def[1:], nil, names)
	if err != nil {
		t.Fatal(err)
	}
	for _, dest := range []string{"15551234567", "4", "", "+"} {
		if rt := noCatchAll.lookup(0, dest); rt != nil {
			t.Errorf("lookup(%q) without a catch-all = %q, want nil", dest, rt.prefix)
		}
	}
}

func TestBuildTableSortsByPriority(t *testing.T) {
	names := map[string]int32{"A": 0, "B": 1, "C": 2}
	tbl, err := buildTable([]Route{{Prefix: "1", Carriers: []Choice{
		{Carrier: "A", Priority: 5}, {Carrier: "B", Priority: -1}, {Carrier: "C", Priority: 5, Weight: 3},
	}}}, nil, names)
	if err != nil {
		t.Fatal(err)
	}
	got := tbl.lookup(0, "1").choices
	want := []choice{{1, -1, 1}, {0, 5, 1}, {2, 5, 3}}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("choices = %v, want %v", got, want)
		}
	}
}
