package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gallant-sms/gallant/smpp/smpptest"
	"go.uber.org/goleak"
)

// TestMain fails the package if any test leaves a goroutine behind. The
// one exception is fasthttp's idle-connection cleaner: RunHTTP closes its
// connections, but the cleaner notices only after its sleep of up to
// idleConn (1 s), and then exits on its own.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m, goleak.IgnoreAnyFunction("github.com/valyala/fasthttp.(*HostClient).connsCleaner"))
}

// runCmd runs the command with args and returns its exit status and
// output streams.
func runCmd(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	var stdout, stderr bytes.Buffer
	code := run(ctx, args, &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

func TestHelpDocumentsEveryFlag(t *testing.T) {
	code, stdout, stderr := runCmd(t, "--help")
	if code != exitOK || stdout != "" {
		t.Fatalf("--help: exit %d, stdout %q", code, stdout)
	}
	fs := flag.NewFlagSet("x", flag.ContinueOnError)
	var f rawFlags
	var o options
	f.define(fs, &o)
	n := 0
	fs.VisitAll(func(fl *flag.Flag) {
		n++
		if !strings.Contains(stderr, "--"+fl.Name+" ") && !strings.Contains(stderr, "--"+fl.Name+"\n") {
			t.Errorf("--help does not document --%s", fl.Name)
		}
	})
	if n < 25 {
		t.Errorf("only %d flags defined", n)
	}
	for _, s := range []string{"Examples:", "accepted_per_second", "submit_latency", "receipts{expected", "status_codes", "Exit status"} {
		if !strings.Contains(stderr, s) {
			t.Errorf("--help lacks %q", s)
		}
	}
}

func TestSMPPRunJSON(t *testing.T) {
	sim, addr := startSim(t, smpptest.SimConfig{})
	code, stdout, stderr := runCmd(t, "--addr", addr, "--binds", "2", "--window", "50", "--count", "600",
		"--mix", "gsm7=4,ucs2=1,long=1", "--receipt-wait", "5s", "--json")
	if code != exitOK {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	var rep map[string]any
	if err := json.Unmarshal([]byte(stdout), &rep); err != nil {
		t.Fatalf("stdout is not one JSON object: %v\n%s", err, stdout)
	}
	// 600 messages: 400 gsm7, 100 ucs2, 100 long in 3 segments.
	if rep["messages"] != 600.0 || rep["submit_ok"] != 800.0 || rep["complete"] != true || rep["bind_type"] != "transceiver" {
		t.Errorf("report %s", stdout)
	}
	if r := rep["receipts"].(map[string]any); r["matched"] != 800.0 || r["missing"] != 0.0 {
		t.Errorf("receipts %v", r)
	}
	if !strings.Contains(stderr, "accepted") || !strings.Contains(stderr, "ESME_ROK") {
		t.Errorf("no table on stderr with --json:\n%s", stderr)
	}
	if n := sim.Summary().SubmitSM; n != 800 {
		t.Errorf("simulator got %d submit_sm", n)
	}
}

func TestSMPPMissingReceiptsExitStatus(t *testing.T) {
	_, addr := startSim(t, smpptest.SimConfig{ReceiptDelay: time.Minute})
	args := []string{"--addr", addr, "--count", "20", "--mix", "gsm7=1", "--receipt-wait", "50ms"}
	code, stdout, stderr := runCmd(t, args...)
	if code != exitFailed || !strings.Contains(stderr, "20 of 20 receipts missing") {
		t.Errorf("missing receipts: exit %d, stderr %q", code, stderr)
	}
	if !strings.Contains(stdout, "receipts") {
		t.Errorf("no table on stdout:\n%s", stdout)
	}
	if code, _, stderr := runCmd(t, append(args, "--no-check")...); code != exitOK {
		t.Errorf("--no-check: exit %d\n%s", code, stderr)
	}
	// Without registered delivery nothing is missing.
	if code, _, stderr := runCmd(t, append(args, "--registered-delivery=false")...); code != exitOK {
		t.Errorf("--registered-delivery=false: exit %d\n%s", code, stderr)
	}
}

func TestSMPPBindRefusedExitStatus(t *testing.T) {
	_, addr := startSim(t, smpptest.SimConfig{RefuseBinds: true})
	code, _, stderr := runCmd(t, "--addr", addr, "--count", "1")
	if code != exitFailed || !strings.Contains(stderr, "bind") {
		t.Errorf("refused bind: exit %d, stderr %q", code, stderr)
	}
}

func TestHTTPRun(t *testing.T) {
	var got int
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		got++ // one connection: --concurrency 1
		if r.URL.Path != "/v1/messages/batch" || r.Header.Get("Authorization") != "Bearer K" {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		w.WriteHeader(http.StatusAccepted)
		fmt.Fprint(w, `{"items":[],"accepted":10,"rejected":0}`)
	}))
	defer srv.Close()
	code, stdout, stderr := runCmd(t, "--http", srv.URL, "--api-key", "K", "--endpoint", "batch",
		"--batch-size", "10", "--concurrency", "1", "--count", "50", "--json")
	if code != exitOK {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	var rep map[string]any
	if err := json.Unmarshal([]byte(stdout), &rep); err != nil {
		t.Fatalf("stdout: %v\n%s", err, stdout)
	}
	if rep["mode"] != "http" || rep["requests"] != 5.0 || rep["accepted"] != 50.0 || got != 5 {
		t.Errorf("report %s, server saw %d requests", stdout, got)
	}
	if codes := rep["status_codes"].(map[string]any); codes["202"] != 5.0 {
		t.Errorf("status codes %v", codes)
	}
}

func TestHTTPNothingAcceptedExitStatus(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusUnauthorized)
	}))
	defer srv.Close()
	code, stdout, stderr := runCmd(t, "--http", srv.URL, "--count", "3", "--concurrency", "1")
	if code != exitFailed || !strings.Contains(stderr, "no message was accepted") || !strings.Contains(stdout, "HTTP 401 3") {
		t.Errorf("all 401: exit %d\nstdout %s\nstderr %s", code, stdout, stderr)
	}
}

func TestBadFlags(t *testing.T) {
	for _, args := range [][]string{
		{"--endpoint", "batch"},                   // HTTP flag in SMPP mode
		{"--http", "http://x:1", "--window", "5"}, // SMPP flag in HTTP mode
		{"--bind-type", "receiver"},               // not a sending bind
		{"--mix", "gsm7=0"},                       // weights add up to zero
		{"--long-as", "sar"},                      // unknown
		{"--duration", "0s"},                      // unbounded
		{"--to", "+447700900000"},                 // not digits
		{"--http", "ftp://x"},                     // not HTTP
		{"--http", "http://x:1", "--endpoint", "batch", "--batch-size", "0"}, // no recipients
		{"--http", "http://x:1", "--batch-size", "10"},                       // not a batch
		{"--log-level", "loud"},
		{"--binds", "2", "extra"},
		{"--no-such-flag"},
	} {
		code, stdout, stderr := runCmd(t, args...)
		if code != exitUsage || stdout != "" || !strings.Contains(stderr, "smppbench:") {
			t.Errorf("%v: exit %d, stdout %q, stderr %q", args, code, stdout, stderr)
		}
	}
}
