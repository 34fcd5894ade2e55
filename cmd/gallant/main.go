// Command gallant is the Gallant SMS gateway: `gallant serve --config FILE`
// runs it, `gallant demo` runs a self-contained demo, `gallant migrate`
// applies database migrations, `gallant admin` manages accounts, and
// `gallant version` prints the build.
package main

import (
	"fmt"
	"os"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

func main() {
	os.Exit(run(os.Args[1:]))
}

func run(args []string) int {
	if len(args) == 0 {
		usage()
		return 2
	}
	switch args[0] {
	case "version":
		fmt.Println("gallant", version)
		return 0
	case "help", "-h", "--help":
		usage()
		return 0
	}
	fmt.Fprintf(os.Stderr, "gallant: unknown command %q\n", args[0])
	usage()
	return 2
}

func usage() {
	fmt.Fprint(os.Stderr, `usage: gallant COMMAND [flags]

commands:
  version    print the version
`)
}
