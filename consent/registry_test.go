package consent_test

import (
	"context"
	"strings"
	"testing"

	"github.com/gallant-sms/gallant/consent"
	"github.com/gallant-sms/gallant/store/storetest"
)

func TestRegistryNumber(t *testing.T) {
	cases := []struct {
		raw, cc, want string
	}{
		{"+44 7700 900123", "44", "447700900123"},
		{"0044 7700 900123", "44", "447700900123"},
		{"07700 900123", "44", "447700900123"},
		{"447700900123", "44", "447700900123"},
		{"7700900123", "44", "447700900123"},
		{"(212) 555-0100", "1", "12125550100"},
		{"12125550100", "1", "12125550100"},
		{"9876543210", "91", "919876543210"},
		{"+91 98765 43210", "91", "919876543210"},
	}
	for _, c := range cases {
		if got, ok := consent.RegistryNumber(c.raw, c.cc); !ok || got != c.want {
			t.Errorf("RegistryNumber(%q, %s) = %q, %v; want %q", c.raw, c.cc, got, ok, c.want)
		}
	}
	for _, bad := range []string{"", "phone", "+44", "12ab34567", "+0123456789"} {
		if got, ok := consent.RegistryNumber(bad, "44"); ok {
			t.Errorf("RegistryNumber(%q) = %q, want refused", bad, got)
		}
	}
}

// TestImportRegistry: a registry file (a header, national and
// international numbers, duplicates, bad lines) is stored; a second
// instance loads it and refuses the numbers for every account as
// platform-wide; a new import replaces it everywhere at the next check.
func TestImportRegistry(t *testing.T) {
	for _, driver := range storetest.Drivers {
		t.Run(driver, func(t *testing.T) {
			cfg := storetest.Config(t, driver)
			st := openStore(t, cfg)
			ctx := context.Background()
			file := "number,added\n07700900001,2026-01-01\n+447700900002\n447700900001\nnot a number\n\n0044 7700 900003\n"
			rep, err := consent.ImportRegistry(ctx, st, "gb", strings.NewReader(file))
			if err != nil {
				t.Fatal(err)
			}
			if rep.Country != "GB" || rep.Version != 1 || rep.Numbers != 3 || rep.Rejected != 1 || len(rep.FirstRejected) != 1 || rep.FirstRejected[0] != 5 {
				t.Fatalf("report %+v", rep)
			}
			idx := &consent.Index{}
			regs := consent.NewRegistries(openStore(t, cfg), idx, nil)
			if err := regs.Load(ctx); err != nil {
				t.Fatal(err)
			}
			for _, n := range []string{"447700900001", "447700900002", "447700900003"} {
				if s, ok := idx.Blocked(42, "Acme", n); !ok || s != consent.ScopeGlobal || idx.InRegistry(n) != "GB" {
					t.Fatalf("%s not refused by the registry", n)
				}
			}
			if _, ok := idx.Blocked(42, "Acme", "447700900004"); ok {
				t.Fatal("a number outside the registry is refused")
			}
			if _, err := consent.ImportRegistry(ctx, st, "GB", strings.NewReader("07700900004\n")); err != nil {
				t.Fatal(err)
			}
			if err := regs.Sync(ctx); err != nil {
				t.Fatal(err)
			}
			if _, ok := idx.Blocked(42, "Acme", "447700900001"); ok {
				t.Fatal("a number of the old registry is still refused")
			}
			if _, ok := idx.Blocked(42, "Acme", "447700900004"); !ok {
				t.Fatal("the new registry is not enforced")
			}
			if _, err := consent.ImportRegistry(ctx, st, "XX", strings.NewReader("1\n")); err == nil {
				t.Fatal("a country without a calling code was taken")
			}
		})
	}
}
