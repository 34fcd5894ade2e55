// Package web holds the dashboard: a React single-page app built by Vite
// (npm run build, run by make build) into dist/app and embedded in the
// binary. A build without the app still compiles: dist holds only a
// README then, and [App] reports the app missing.
package web

import (
	"embed"
	"io/fs"
)

// dist is the built dashboard; "all:" keeps the files Vite names with a
// leading dot or underscore, and lets the directory hold only README.md.
//
//go:embed all:dist
var dist embed.FS

// App returns the built dashboard, rooted at its index.html, and whether
// it was built (index.html is there). Without a build it returns an empty
// file system and false.
func App() (fs.FS, bool) {
	app, err := fs.Sub(dist, "dist/app")
	if err != nil { // cannot happen: "dist/app" is a valid path
		return dist, false
	}
	if st, err := fs.Stat(app, "index.html"); err != nil || st.IsDir() {
		return app, false
	}
	return app, true
}
