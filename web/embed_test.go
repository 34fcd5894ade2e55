package web

import (
	"io/fs"
	"testing"
)

// TestApp checks App agrees with what dist/app holds: a clean clone has
// only dist/README.md, a built tree has dist/app/index.html.
func TestApp(t *testing.T) {
	app, built := App()
	if app == nil {
		t.Fatal("App returned a nil file system")
	}
	_, err := fs.Stat(dist, "dist/app/index.html")
	if built != (err == nil) {
		t.Fatalf("App reports built=%v, but dist/app/index.html: %v", built, err)
	}
	if _, err := fs.Stat(dist, "dist/README.md"); err != nil {
		t.Fatalf("the placeholder is not embedded: %v", err)
	}
	if _, err := fs.Stat(app, "../README.md"); err == nil {
		t.Fatal("the app's file system reaches outside dist/app")
	}
}
