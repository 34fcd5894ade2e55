package app

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"time"

	"github.com/gallant-sms/gallant/store"
)

// RotateKeyUsage is the usage of "gallant admin rotate-key".
const RotateKeyUsage = `  gallant admin rotate-key [--batch N] [--pause DURATION] [--config FILE]`

// RotateKeyCommand parses "gallant admin rotate-key ..." (args after
// "rotate-key") and returns the --config path and the command that seals
// every sealed column again under the first key of secrets.key
// (store.Store.Reseal), while gateways may serve. It reports progress to
// progress every few seconds; the totals are what the command returns.
func RotateKeyCommand(args []string, stderr, progress io.Writer) (string, CarrierRun, error) {
	fs := flag.NewFlagSet("gallant admin rotate-key", flag.ContinueOnError)
	fs.SetOutput(stderr)
	path := fs.String("config", "", "configuration file (YAML)")
	batch := fs.Int("batch", 1000, "rows per transaction (1 to 10000)")
	pause := fs.Duration("pause", 20*time.Millisecond, "pause between batches")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return "", nil, err
		}
		return "", nil, fmt.Errorf("admin rotate-key: %w", err)
	}
	if fs.NArg() > 0 {
		return "", nil, fmt.Errorf("admin rotate-key: unexpected arguments %v", fs.Args())
	}
	return *path, func(ctx context.Context, st *store.Store) (any, error) {
		var last time.Time
		return st.Reseal(ctx, *batch, *pause, func(p store.ResealProgress) {
			if time.Since(last) >= 5*time.Second {
				last = time.Now()
				fmt.Fprintf(progress, "%s: %d read, %d sealed again\n", p.Table, p.Read, p.Resealed)
			}
		})
	}, nil
}
