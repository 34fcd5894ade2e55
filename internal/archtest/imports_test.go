package archtest

import (
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

const module = "github.com/gallant-sms/gallant/"

// allowed lists, for each package of the map, the packages of ours it may
// import from non-test files. A package missing here may import anything
// except cmd/..., api and bench (nothing imports those, but cmd/gallant,
// the wiring, imports api, and internal/config, the gateway binary's
// configuration file, builds api's configuration). Only cmd/gallant may
// import internal/config.
var allowed = map[string][]string{
	"api":             {"app", "gateway", "sms", "web"},
	"app":             {"account", "billing", "consent", "contact", "campaign", "gateway", "webhook", "store", "sms"},
	"gateway":         {"router", "throttle", "billing", "account", "consent", "webhook", "store", "smpp", "smpp/pdu", "smpp/pdutext", "smpp/proxyproto", "sms"},
	"router":          {"sms"},
	"throttle":        {},
	"billing":         {"store", "sms"},
	"account":         {"store"},
	"campaign":        {"contact", "consent", "store", "sms"},
	"consent":         {"store", "sms"},
	"contact":         {"consent", "store", "sms"},
	"webhook":         {"sms"},
	"store":           {"sms"},
	"smpp":            {"smpp/pdu", "smpp/pdutext", "smpp/proxyproto"},
	"smpp/pdu":        {},
	"smpp/proxyproto": {},
	"smpp/pdutext":    {},
	"smpp/smpptest":   {"smpp", "smpp/pdu", "smpp/pdutext"},
	"sms":             {},
	"web":             {},
	"bench":           {"smpp", "smpp/pdu", "smpp/pdutext", "smpp/smpptest"},
	"cmd/smscsim":     {"smpp", "smpp/pdu", "smpp/pdutext", "smpp/smpptest"},
	"cmd/smppbench":   {"smpp", "smpp/pdu", "smpp/pdutext", "smpp/smpptest", "bench"},
	// Prints api's OpenAPI document, for the dashboard's generated client.
	"cmd/openapi": {"api"},
	// The configuration file's schema and its conversion to the configs of
	// the packages it configures.
	"internal/config": {"api", "app", "account", "gateway", "router", "smpp", "smpp/proxyproto", "store", "webhook"},
}

func TestPackageMap(t *testing.T) {
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	imports := map[string]map[string]bool{} // package dir -> our imports
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			name := d.Name()
			if path != root && (strings.HasPrefix(name, ".") || name == "node_modules" || name == "testdata") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.ImportsOnly)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, filepath.Dir(path))
		rel = filepath.ToSlash(rel)
		for _, imp := range f.Imports {
			p := strings.Trim(imp.Path.Value, `"`)
			if !strings.HasPrefix(p, module) {
				continue
			}
			if imports[rel] == nil {
				imports[rel] = map[string]bool{}
			}
			imports[rel][strings.TrimPrefix(p, module)] = true
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "smpp", "pdu")); err != nil {
		t.Fatalf("repository layout not found from %s: %v", root, err)
	}
	var pkgs []string
	for p := range imports {
		pkgs = append(pkgs, p)
	}
	sort.Strings(pkgs)
	for _, pkg := range pkgs {
		allow, listed := allowed[pkg]
		for imp := range imports[pkg] {
			if imp == "internal/config" && pkg != "cmd/gallant" {
				t.Errorf("%s imports internal/config: only cmd/gallant may", pkg)
				continue
			}
			if strings.HasPrefix(imp, "internal/") {
				continue
			}
			// cmd/gallant wires everything together, so it alone may import
			// api, with internal/config, which builds api's configuration,
			// and cmd/openapi, which prints its OpenAPI document.
			if (imp == "api" && pkg != "cmd/gallant" && pkg != "internal/config" && pkg != "cmd/openapi") || (imp == "bench" && pkg != "cmd/smppbench") || strings.HasPrefix(imp, "cmd/") {
				t.Errorf("%s imports %s: nothing may import cmd, api or bench", pkg, imp)
				continue
			}
			if !listed {
				continue
			}
			ok := false
			for _, a := range allow {
				if imp == a {
					ok = true
				}
			}
			if !ok {
				t.Errorf("%s imports %s, which the package map does not allow (allowed: %v)", pkg, imp, allow)
			}
		}
	}
}
