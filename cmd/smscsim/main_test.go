package main

import (
	"bytes"
	"strings"
	"testing"
)

func TestHelpDocumentsEveryFlag(t *testing.T) {
	var out, errb bytes.Buffer
	if code := run([]string{"--help"}, &out, &errb); code != 0 {
		t.Fatalf("--help exit %d", code)
	}
	help := errb.String()
	if _, err := parseFlags([]string{}, &bytes.Buffer{}); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"listen", "credentials", "refuse-binds", "receipt-delay", "receipt-mix",
		"throttle-ratio", "fail-ratio", "slow-ratio", "slow-delay", "drop-every", "mo-rate", "mo-dest",
		"hex-ids", "max-pending-receipts", "window", "receipt-window", "no-resend", "max-inbound", "log-level", "shutdown-timeout",
		"tls-listen", "tls-cert", "tls-key"} {
		if !strings.Contains(help, "-"+name) {
			t.Errorf("--help does not document -%s", name)
		}
	}
}

func TestBadArgumentsExitTwo(t *testing.T) {
	for _, args := range [][]string{
		{"--nope"},
		{"--receipt-mix", "BOGUS=1"},
		{"--credentials", "nocolon"},
		{"--throttle-ratio", "0.8", "--fail-ratio", "0.8"},
		{"--log-level", "loud"},
		{"extra"},
		{"--tls-listen", "127.0.0.1:0"},
		{"--tls-listen", "127.0.0.1:0", "--tls-cert", "c.pem"},
		{"--tls-cert", "c.pem", "--tls-key", "k.pem"},
		{"--listen", ""},
		{"--receipt-window", "-1"},
		{"--receipt-window", "many"},
		{"--mo-concat", "udh9"},
	} {
		var out, errb bytes.Buffer
		if code := run(args, &out, &errb); code != 2 {
			t.Errorf("%v: exit %d, want 2 (stderr %q)", args, code, errb.String())
		}
	}
}

func TestParseCredentials(t *testing.T) {
	c, err := parseCredentials("gw:secret, other:pw2")
	if err != nil || len(c) != 2 || c["gw"] != "secret" || c["other"] != "pw2" {
		t.Fatalf("%v %v", c, err)
	}
	if c, err := parseCredentials(""); err != nil || c != nil {
		t.Fatalf("empty: %v %v", c, err)
	}
	if _, err := parseCredentials(":pw"); err == nil {
		t.Fatal("empty system_id accepted")
	}
}

// TestReceiptWindowFlags: --receipt-window sets the simulator's window
// per bind (0 unlimited), --window is its older name, and --no-resend is
// parsed.
func TestReceiptWindowFlags(t *testing.T) {
	cases := []struct {
		args     []string
		window   int // SimConfig.ReceiptWindow
		noResend bool
	}{
		{nil, 100, false},
		{[]string{"--receipt-window", "200", "--no-resend"}, 200, true},
		{[]string{"--receipt-window", "0"}, -1, false},
		{[]string{"--window", "7"}, 7, false},
		{[]string{"--receipt-window", "1", "--receipt-delay", "1s", "--no-resend"}, 1, true},
	}
	for _, c := range cases {
		o, err := parseFlags(c.args, &bytes.Buffer{})
		if err != nil {
			t.Fatalf("%v: %v", c.args, err)
		}
		if got := receiptWindow(o.receiptWindow); got != c.window || o.noResend != c.noResend {
			t.Errorf("%v: window %d no-resend %v, want %d %v", c.args, got, o.noResend, c.window, c.noResend)
		}
	}
}
