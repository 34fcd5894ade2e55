// Command openapi prints the gateway's merged OpenAPI document, the one
// served at GET /openapi.json; make generates the dashboard's TypeScript
// client from it (go run ./cmd/openapi > web/openapi.json).
package main

import (
	"fmt"
	"os"

	"github.com/gallant-sms/gallant/api"
)

func main() {
	doc, err := api.OpenAPIDocument()
	if err == nil {
		_, err = os.Stdout.Write(append(doc, '\n'))
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "openapi:", err)
		os.Exit(1)
	}
}
