package contact

import (
	"slices"
	"strings"
	"testing"
)

func TestNormalizePhone(t *testing.T) {
	for _, c := range []struct {
		raw, country, want string
	}{
		{"+44 7700 900123", "", "447700900123"},
		{"0044 7700 900123", "", "447700900123"},
		{"07700 900123", "GB", "447700900123"},
		{"06 12 34 56 78", "fr", "33612345678"},
		{"07700 900123", "", ""},
		{"12ab", "GB", ""},
		{"+44 7700 900123", "XX", ""},
		{"123", "", ""},
	} {
		got, err := NormalizePhone(c.raw, c.country)
		if got != c.want || (err == nil) != (c.want != "") {
			t.Errorf("NormalizePhone(%q, %q) = %q, %v; want %q", c.raw, c.country, got, err, c.want)
		}
	}
}

func TestNormalizeTags(t *testing.T) {
	got, err := NormalizeTags([]string{" vip ", "early  bird", "vip", "VIP"})
	if err != nil || !slices.Equal(got, []string{"vip", "early bird", "VIP"}) {
		t.Fatalf("%q, %v", got, err)
	}
	for _, bad := range [][]string{{""}, {"a,b"}, {"ctl\x01in"}, {strings.Repeat("t", MaxTag+1)}, make([]string, MaxTags+1)} {
		if _, err := NormalizeTags(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

func TestCheckPersonalFields(t *testing.T) {
	for lang, ok := range map[string]bool{"": true, "en": true, "pt-BR": true, "zh-Hant": true, "e": false, "english": false,
		"en_GB": false, "en-": false, "1a": false} {
		if err := CheckLanguage(lang); (err == nil) != ok {
			t.Errorf("CheckLanguage(%q) = %v", lang, err)
		}
	}
	for email, ok := range map[string]bool{"": true, "ada@example.com": true, "ada": false, "@example.com": false,
		"ada@example": false, "a b@example.com": false} {
		if err := CheckEmail(email); (err == nil) != ok {
			t.Errorf("CheckEmail(%q) = %v", email, err)
		}
	}
	if CheckName(strings.Repeat("n", MaxName+1)) == nil || CheckName("a\x01") == nil || CheckName("Zoë") != nil {
		t.Error("CheckName")
	}
}
