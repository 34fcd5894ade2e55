package archtest

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// citation is a comment's reference to a section of docs/smpp.md:
// `docs/smpp.md, "Title"` (the title may continue on the next comment
// line, and in a Go string its quotes are escaped).
var citation = regexp.MustCompile(`docs/smpp\.md,\s*(?://\s*)?\\?"((?:[^"\\\n]|\n\s*//\s*)+)\\?"`)

// lineBreak is a title's break onto the next comment line.
var lineBreak = regexp.MustCompile(`\s*\n\s*//\s*`)

// TestSMPPCitationsNameSections: every comment that cites docs/smpp.md
// names a section heading that exists there, and nothing cites the
// protocol notes by number or outside the repository.
func TestSMPPCitationsNameSections(t *testing.T) {
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	doc, err := os.ReadFile(filepath.Join(root, "docs", "smpp.md"))
	if err != nil {
		t.Fatal(err)
	}
	titles := map[string]bool{}
	for line := range strings.Lines(string(doc)) {
		if strings.HasPrefix(line, "#") {
			titles[strings.TrimSpace(strings.TrimLeft(line, "#"))] = true
		}
	}
	cited := 0
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if name := d.Name(); path != root && (strings.HasPrefix(name, ".") || name == "node_modules" || name == "testdata") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "citations_test.go") {
			return nil
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		text := string(src)
		rel, _ := filepath.Rel(root, path)
		found := citation.FindAllStringSubmatch(text, -1)
		for _, m := range found {
			title := lineBreak.ReplaceAllString(m[1], " ")
			cited++
			if !titles[title] {
				t.Errorf("%s cites docs/smpp.md section %q, which does not exist", rel, title)
			}
		}
		if n := strings.Count(text, "smpp.md") - len(found); n > 0 {
			t.Errorf("%s mentions smpp.md %d times without citing a section by its title", rel, n)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if cited < 20 {
		t.Errorf("found %d citations of docs/smpp.md, want the protocol comments' (20 or more)", cited)
	}
}
