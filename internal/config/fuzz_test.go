package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// FuzzLoadConfig feeds the loader a YAML file and GALLANT_ variables
// (one per line): it never panics; a configuration it accepts validates
// again, and written back as YAML it loads to the same configuration.
func FuzzLoadConfig(f *testing.F) {
	for _, name := range []string{"dev.yaml", "production.yaml"} {
		b, err := os.ReadFile(filepath.Join("..", "..", "configs", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b, "")
	}
	f.Add([]byte(goodConfig), "GALLANT_CARRIERS_0_PASSWORD=x\nGALLANT_HTTP_MAX_BODY=1KiB")
	f.Add([]byte("http:\n  trusted_proxies: [10.0.0.0/8]\n  max_conns_per_ip: 0\n"), "GALLANT_HTTP_READ_TIMEOUT=1s")
	f.Add([]byte("routes: [{prefix: '1', carriers: [a]}]\ncarriers: [{name: a, address: x}]\n"), "GALLANT_ROUTES_0_CARRIERS_0_WEIGHT=3")
	f.Add([]byte("carriers: [{name: a, address: x}]\n"), "GALLANT_CARRIERS_7_NAME=b")
	f.Add([]byte(""), "GALLANT_CARRIERS=[{name: a, address: x, tls: true}]\nGALLANT_METRICS_LISTEN=")
	f.Add([]byte("messages: {default_validity: 1h}\nruntime: {memory_limit: 1GiB}\n"), "GALLANT_STORE_WRITER=x")
	f.Add([]byte("store: &a {driver: sqlite}\nredis: *a\n"), "")
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, file []byte, envText string) {
		p := filepath.Join(dir, "c.yaml")
		if err := os.WriteFile(p, file, 0o600); err != nil {
			t.Fatal(err)
		}
		var env []string
		for _, kv := range strings.SplitN(envText, "\n", 16) {
			if kv != "" {
				env = append(env, kv)
			}
		}
		cfg, err := Load(p, env)
		if err != nil {
			return
		}
		if err := cfg.Validate(); err != nil {
			t.Fatalf("loaded, then invalid: %v", err)
		}
		out, err := yaml.Marshal(&cfg)
		if err != nil {
			t.Fatalf("marshal: %v", err)
		}
		if err := os.WriteFile(p, out, 0o600); err != nil {
			t.Fatal(err)
		}
		again, err := Load(p, nil)
		if err != nil {
			t.Fatalf("written back:\n%s\ndoes not load: %v", out, err)
		}
		out2, err := yaml.Marshal(&again)
		if err != nil {
			t.Fatalf("marshal: %v", err)
		}
		if string(out) != string(out2) {
			t.Fatalf("written back and loaded again, the configuration changed:\n%s\n---\n%s", out, out2)
		}
	})
}
