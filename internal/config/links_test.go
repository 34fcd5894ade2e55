package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestLinksConfig: links.domain is read from the file and the
// environment, empty by default, and refused unless an http(s) URL.
func TestLinksConfig(t *testing.T) {
	if c := Default(); c.Links.Domain != "" {
		t.Fatalf("default links.domain %q", c.Links.Domain)
	}
	path := filepath.Join(t.TempDir(), "c.yaml")
	if err := os.WriteFile(path, []byte("links:\n  domain: https://gal.example\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := Load(path, nil)
	if err != nil || c.Links.Domain != "https://gal.example" {
		t.Fatalf("load: %q %v", c.Links.Domain, err)
	}
	c, err = Load(path, []string{"GALLANT_LINKS_DOMAIN=http://l.example:8080/s"})
	if err != nil || c.Links.Domain != "http://l.example:8080/s" {
		t.Fatalf("env: %q %v", c.Links.Domain, err)
	}
	for _, bad := range []string{"gal.example", "ftp://gal.example", "https://", "https://gal.example/?a=b"} {
		if _, err := Load(path, []string{"GALLANT_LINKS_DOMAIN=" + bad}); err == nil || !strings.Contains(err.Error(), "links.domain") {
			t.Errorf("%q: %v", bad, err)
		}
	}
}
