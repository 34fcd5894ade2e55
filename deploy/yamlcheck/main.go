// Command yamlcheck parses YAML files and checks a Compose file without a
// container engine, for make package-check (deploy/check.sh):
//
//	go run ./deploy/yamlcheck [--compose FILE] [FILE ...]
//
// Every FILE must parse as YAML. The Compose file must also parse, name
// its services, give each an image or a build, and every bind-mounted
// local path it names (./x or ../x, relative to the file) must exist;
// named volumes must be declared, and depends_on must name services.
package main

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"
)

func main() {
	compose := flag.String("compose", "", "a Compose file to check")
	flag.Parse()
	var errs []error
	for _, f := range flag.Args() {
		var v any
		if err := parseFile(f, &v); err != nil {
			errs = append(errs, err)
		}
	}
	if *compose != "" {
		errs = append(errs, checkCompose(*compose)...)
	}
	if err := errors.Join(errs...); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

func parseFile(path string, v any) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	if err := yaml.Unmarshal(b, v); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}

// service is what checkCompose reads of a Compose service. depends_on is
// a list or a map of service names.
type service struct {
	Image     string    `yaml:"image"`
	Build     any       `yaml:"build"`
	Volumes   []string  `yaml:"volumes"`
	DependsOn yaml.Node `yaml:"depends_on"`
}

func checkCompose(path string) []error {
	var f struct {
		Services map[string]service `yaml:"services"`
		Volumes  map[string]any     `yaml:"volumes"`
	}
	if err := parseFile(path, &f); err != nil {
		return []error{err}
	}
	if len(f.Services) == 0 {
		return []error{fmt.Errorf("%s: no services", path)}
	}
	dir := filepath.Dir(path)
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf(path+": "+format, args...)) }
	names := make([]string, 0, len(f.Services))
	for n := range f.Services {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		s := f.Services[n]
		if s.Image == "" && s.Build == nil {
			bad("service %s has neither image nor build", n)
		}
		for _, v := range s.Volumes {
			src, _, ok := strings.Cut(v, ":")
			if !ok {
				continue // an anonymous volume
			}
			if strings.HasPrefix(src, ".") || strings.HasPrefix(src, "/") {
				if _, err := os.Stat(filepath.Join(dir, src)); err != nil && !filepath.IsAbs(src) {
					bad("service %s mounts %s, which does not exist", n, src)
				}
			} else if _, ok := f.Volumes[src]; !ok {
				bad("service %s uses volume %s, not declared under volumes", n, src)
			}
		}
		for _, d := range dependsOn(s.DependsOn) {
			if _, ok := f.Services[d]; !ok {
				bad("service %s depends on %s, which is not a service", n, d)
			}
		}
	}
	return errs
}

// dependsOn returns the service names of a depends_on node.
func dependsOn(n yaml.Node) []string {
	var out []string
	switch n.Kind {
	case yaml.SequenceNode:
		for _, c := range n.Content {
			out = append(out, c.Value)
		}
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			if k, v := n.Content[i], n.Content[i+1]; k.Value == "<<" {
				if v.Kind == yaml.AliasNode && v.Alias != nil {
					v = v.Alias
				}
				out = append(out, dependsOn(*v)...) // a merged mapping
			} else {
				out = append(out, k.Value)
			}
		}
	}
	return out
}
