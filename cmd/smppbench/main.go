// Command smppbench is the load generator of the Gallant SMS gateway: it
// submits messages over SMPP (N binds, a window each, a message mix,
// registered delivery with every receipt paired to its submit) or the
// HTTP API (C keep-alive connections, single or batch endpoint), and
// reports throughput, latency percentiles and status counts as a table
// or as one JSON object. Pointed at smscsim it measures the raw ceiling
// of the protocol layer; pointed at the gateway, the gateway.
//
// It is built not to be the bottleneck on a small machine that also runs
// the gateway, its database and the simulator: one sender goroutine per
// bind and one worker per HTTP connection (never one per message),
// submit_sm bodies encoded once and patched in place, responses handled
// by a pointer [smpp.Responder] per outstanding request (no channel and
// no allocation per message), latencies counted in fixed-size [Histogram]s
// owned by one goroutine each and merged at the end. [RunSMPP] and
// [RunHTTP] are the two engines; the rest of this file wires them to
// flags.
//
// Run smppbench --help for the flags, the JSON fields and examples.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"runtime/pprof"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// Exit statuses.
const (
	exitOK     = 0
	exitFailed = 1 // the run failed or its check did
	exitUsage  = 2
)

// report is what both modes print.
type report interface {
	WriteTable(w io.Writer) error
}

// run is the whole command, with its streams, for tests.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	o, err := parseFlags(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return exitOK
	}
	if err != nil {
		fmt.Fprintln(stderr, "smppbench:", err)
		fmt.Fprintln(stderr, "run smppbench --help for the flags")
		return exitUsage
	}
	var level slog.Level
	if err := level.UnmarshalText([]byte(o.logLevel)); err != nil {
		fmt.Fprintln(stderr, "smppbench: --log-level:", err)
		return exitUsage
	}
	logger := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level}))
	var progress io.Writer
	if o.progress > 0 {
		progress = stderr
	}
	if o.cpuProfile != "" {
		f, err := os.Create(o.cpuProfile)
		if err != nil {
			fmt.Fprintln(stderr, "smppbench: --cpuprofile:", err)
			return exitUsage
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			fmt.Fprintln(stderr, "smppbench: --cpuprofile:", err)
			return exitUsage
		}
		defer pprof.StopCPUProfile()
	}

	var rep report
	var failed []string
	if o.isHTTP {
		cfg := o.http
		cfg.Progress, cfg.ProgressEvery = progress, o.progress
		r, err := RunHTTP(ctx, cfg)
		if err != nil {
			fmt.Fprintln(stderr, "smppbench:", err)
			return exitFailed
		}
		rep = r
		if r.Accepted == 0 {
			failed = append(failed, "no message was accepted")
		}
	} else {
		cfg := o.smpp
		cfg.Progress, cfg.ProgressEvery, cfg.Logger = progress, o.progress, logger
		r, err := RunSMPP(ctx, cfg)
		if err != nil {
			fmt.Fprintln(stderr, "smppbench:", err)
			return exitFailed
		}
		rep = r
		if r.SubmitOK == 0 {
			failed = append(failed, "no submit_sm was accepted")
		}
		if !r.Complete {
			failed = append(failed, fmt.Sprintf("%d of %d receipts missing", r.Receipts.Missing, r.Receipts.Expected))
		}
	}

	table := stdout
	if o.json {
		table = stderr
	}
	if err := rep.WriteTable(table); err != nil {
		fmt.Fprintln(stderr, "smppbench: write table:", err)
		return exitFailed
	}
	if o.json {
		b, err := json.Marshal(rep)
		if err != nil {
			fmt.Fprintln(stderr, "smppbench: encode JSON:", err)
			return exitFailed
		}
		if _, err := fmt.Fprintln(stdout, string(b)); err != nil {
			return exitFailed
		}
	}
	if len(failed) > 0 && !o.noCheck {
		for _, f := range failed {
			fmt.Fprintln(stderr, "smppbench: check failed:", f)
		}
		return exitFailed
	}
	return exitOK
}
