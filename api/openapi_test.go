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

// TestOpenAPIDocument: the document cmd/openapi prints (for the
// dashboard's generated client) is the one served.
func TestOpenAPIDocument(t *testing.T) {
	doc, err := OpenAPIDocument()
	if err != nil {
		t.Fatal(err)
	}
	ts := newTestServer(t, Config{})
	if a := ts.do(t, "GET", "/openapi.json", "", nil); a.Code != 200 || string(a.Body) != string(doc) {
		t.Fatalf("served %d, %d bytes; OpenAPIDocument %d bytes", a.Code, len(a.Body), len(doc))
	}
	if !strings.Contains(string(doc), `"cookie"`) || !strings.Contains(string(doc), "SetRefreshCookie") {
		t.Fatal("the document does not describe the session cookie")
	}
}
