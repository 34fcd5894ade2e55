package api

import (
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"maps"
	"slices"
	"sync"

	"github.com/valyala/fasthttp"
)

// openAPIFiles holds the OpenAPI 3.1 description in parts: base.json is
// the document (info, security, shared components and the message
// routes); every other file adds the paths and components of one area of
// the API and holds only "paths" and "components".
//
//go:embed openapi/*.json
var openAPIFiles embed.FS

// openAPIDoc is the merged document, built once.
var openAPIDoc = sync.OnceValues(func() ([]byte, error) { return mergeOpenAPI(openAPIFiles) })

// mergeOpenAPI joins the parts in fsys into one document. A path operation
// or a component defined twice is an error.
func mergeOpenAPI(fsys fs.FS) ([]byte, error) {
	names, err := fs.Glob(fsys, "openapi/*.json")
	if err != nil {
		return nil, fmt.Errorf("api: openapi: %w", err)
	}
	var doc map[string]any
	if err := readJSON(fsys, "openapi/base.json", &doc); err != nil {
		return nil, err
	}
	paths, _ := doc["paths"].(map[string]any)
	comps, _ := doc["components"].(map[string]any)
	if paths == nil || comps == nil {
		return nil, fmt.Errorf("api: openapi: base.json lacks paths or components")
	}
	for _, name := range names {
		if name == "openapi/base.json" {
			continue
		}
		var part struct {
			Paths      map[string]map[string]any `json:"paths"`
			Components map[string]map[string]any `json:"components"`
		}
		if err := readJSON(fsys, name, &part); err != nil {
			return nil, err
		}
		for _, p := range slices.Sorted(maps.Keys(part.Paths)) {
			ops, _ := paths[p].(map[string]any)
			if ops == nil {
				ops = map[string]any{}
				paths[p] = ops
			}
			for m, op := range part.Paths[p] {
				if _, dup := ops[m]; dup {
					return nil, fmt.Errorf("api: openapi: %s: %s %s defined twice", name, m, p)
				}
				ops[m] = op
			}
		}
		for kind, defs := range part.Components {
			have, _ := comps[kind].(map[string]any)
			if have == nil {
				have = map[string]any{}
				comps[kind] = have
			}
			for k, v := range defs {
				if _, dup := have[k]; dup {
					return nil, fmt.Errorf("api: openapi: %s: component %s/%s defined twice", name, kind, k)
				}
				have[k] = v
			}
		}
	}
	out, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("api: openapi: %w", err)
	}
	return out, nil
}

func readJSON(fsys fs.FS, name string, v any) error {
	b, err := fs.ReadFile(fsys, name)
	if err != nil {
		return fmt.Errorf("api: openapi: %w", err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("api: openapi: %s: %w", name, err)
	}
	return nil
}

// serveOpenAPI serves GET /openapi.json.
func serveOpenAPI(ctx *fasthttp.RequestCtx) {
	doc, _ := openAPIDoc() // New has checked the error
	ctx.Response.Header.SetContentType(contentJSON)
	ctx.Response.SetBody(doc)
}

// OpenAPIDocument returns the merged OpenAPI 3.1 document served at
// GET /openapi.json (indented JSON), for tools that generate clients.
func OpenAPIDocument() ([]byte, error) { return openAPIDoc() }
