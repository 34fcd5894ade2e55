package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestComposeShipped: deploy/compose.yaml passes.
func TestComposeShipped(t *testing.T) {
	if errs := checkCompose("../compose.yaml"); len(errs) > 0 {
		t.Fatalf("deploy/compose.yaml: %v", errs)
	}
}

// TestComposeMistakes: each mistake checkCompose looks for is reported,
// naming the service, including a depends_on reached through a merge key.
func TestComposeMistakes(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "here.yml"), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	compose := filepath.Join(dir, "compose.yaml")
	body := `
x-deps: &deps
  ghost: {condition: service_started}
services:
  a:
    image: x
    volumes: ["./here.yml:/etc/here.yml", "./missing.yml:/etc/m.yml", "undeclared:/data", "declared:/d"]
  b:
    depends_on:
      <<: *deps
      a: {condition: service_started}
  c:
    build: .
    depends_on: [a, nobody]
volumes:
  declared:
`
	if err := os.WriteFile(compose, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, err := range checkCompose(compose) {
		got = append(got, err.Error())
	}
	all := strings.Join(got, "\n")
	for _, want := range []string{
		"service a mounts ./missing.yml",
		"service a uses volume undeclared",
		"service b has neither image nor build",
		"service b depends on ghost",
		"service c depends on nobody",
	} {
		if !strings.Contains(all, want) {
			t.Errorf("no error containing %q in:\n%s", want, all)
		}
	}
	if len(got) != 5 {
		t.Errorf("%d errors, want 5:\n%s", len(got), all)
	}
	if errs := checkCompose(filepath.Join(dir, "nonexistent.yaml")); len(errs) != 1 {
		t.Errorf("a missing file: %v, want one error", errs)
	}
}
