package api

import (
	"encoding/json"
	"strings"
	"testing"
	"testing/fstest"
)

func TestMergeOpenAPI(t *testing.T) {
	base := `{"openapi":"3.1.0","paths":{"/a":{"get":{}}},"components":{"schemas":{"A":{}}}}`
	t.Run("joins", func(t *testing.T) {
		fsys := fstest.MapFS{
			"openapi/base.json": {Data: []byte(base)},
			"openapi/more.json": {Data: []byte(`{"paths":{"/a":{"post":{}},"/b":{"get":{}}},"components":{"schemas":{"B":{}},"parameters":{"P":{}}}}`)},
		}
		out, err := mergeOpenAPI(fsys)
		if err != nil {
			t.Fatal(err)
		}
		var doc struct {
			Paths      map[string]map[string]any `json:"paths"`
			Components map[string]map[string]any `json:"components"`
		}
		if err := json.Unmarshal(out, &doc); err != nil {
			t.Fatal(err)
		}
		if len(doc.Paths["/a"]) != 2 || len(doc.Paths["/b"]) != 1 || len(doc.Components["schemas"]) != 2 || len(doc.Components["parameters"]) != 1 {
			t.Errorf("merged %s", out)
		}
	})
	for name, part := range map[string]string{
		"operation": `{"paths":{"/a":{"get":{}}}}`,
		"component": `{"components":{"schemas":{"A":{}}}}`,
		"bad json":  `{"paths":`,
	} {
		t.Run(name, func(t *testing.T) {
			fsys := fstest.MapFS{"openapi/base.json": {Data: []byte(base)}, "openapi/x.json": {Data: []byte(part)}}
			if _, err := mergeOpenAPI(fsys); err == nil || !strings.Contains(err.Error(), "x.json") {
				t.Errorf("err %v, want one naming x.json", err)
			}
		})
	}
}
