// Command smscsim is a carrier SMSC simulator for development, tests and
// benchmarks. It accepts SMPP 3.4 binds, acknowledges every submit_sm with
// a unique message id, sends delivery receipts after a delay with a
// configurable mix of outcomes, can inject faults (throttling, submit
// failures, slow answers, dropped connections, refused binds), can send MO
// messages at a rate, and prints a JSON summary of what it received when
// it gets SIGTERM or SIGINT. Like a real SMSC it keeps at most
// --receipt-window receipts unanswered per bind (0: no window), and with
// --no-resend drops a receipt answered with an error instead of sending
// it again. It listens on plain TCP and, with
// --tls-listen, for SMPP over TLS (1.2 or later) too.
//
// Run smscsim --help for the flags.
package main

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/gallant-sms/gallant/smpp"
	"github.com/gallant-sms/gallant/smpp/pdutext"
	"github.com/gallant-sms/gallant/smpp/smpptest"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

type options struct {
	listen        string
	tlsListen     string
	tlsCert       string
	tlsKey        string
	credentials   string
	refuseBinds   bool
	receiptDelay  time.Duration
	receiptMix    string
	throttleRatio float64
	failRatio     float64
	slowRatio     float64
	slowDelay     time.Duration
	dropEvery     int
	moRate        float64
	moDest        string
	moText        string
	moFrom        string
	moConcat      string
	hexIDs        bool
	maxPending    int
	receiptWindow int
	noResend      bool
	maxInbound    int
	logLevel      string
	shutdownWait  time.Duration
}

func parseFlags(args []string, stderr io.Writer) (options, error) {
	var o options
	fs := flag.NewFlagSet("smscsim", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(stderr, `usage: smscsim [flags]

smscsim simulates a carrier's SMSC over SMPP 3.4. It acks each submit_sm and
data_sm with a unique message id and sends a delivery receipt (appendix-B
text plus receipted_message_id and message_state TLVs) to a receiver or
transceiver bind of the same system_id, holding receipts while none is
bound. On SIGTERM or SIGINT it unbinds every session and prints a JSON
summary of what it received to standard output.

flags:
`)
		fs.PrintDefaults()
		fmt.Fprint(stderr, `
examples:
  smscsim --listen 127.0.0.1:2776
  smscsim --tls-listen 127.0.0.1:3551 --tls-cert cert.pem --tls-key key.pem
  smscsim --receipt-delay 50ms --receipt-mix DELIVRD=90,UNDELIV=5,EXPIRED=3,REJECTD=2
  smscsim --receipt-window 100 --receipt-delay 1s --no-resend
  smscsim --throttle-ratio 0.05 --fail-ratio 0.01 --drop-every 10000
  smscsim --credentials gw:secret,other:pw2 --mo-rate 5
  smscsim --mo-text "Привет, this long text arrives in parts" --mo-dest 447700900999 --mo-concat udh16
`)
	}
	fs.StringVar(&o.listen, "listen", "127.0.0.1:2776", "TCP address to listen on; empty for none (with --tls-listen)")
	fs.StringVar(&o.tlsListen, "tls-listen", "", "TCP address to listen on for SMPP over TLS (1.2 or later); needs --tls-cert and --tls-key")
	fs.StringVar(&o.tlsCert, "tls-cert", "", "PEM file of the TLS listener's certificate (chain)")
	fs.StringVar(&o.tlsKey, "tls-key", "", "PEM file of the TLS listener's private key")
	fs.StringVar(&o.credentials, "credentials", "", "accepted binds as system_id:password pairs separated by commas; empty accepts any credentials")
	fs.BoolVar(&o.refuseBinds, "refuse-binds", false, "refuse every bind with ESME_RBINDFAIL")
	fs.DurationVar(&o.receiptDelay, "receipt-delay", 100*time.Millisecond, "delay between a submit_sm_resp and its delivery receipt")
	fs.StringVar(&o.receiptMix, "receipt-mix", "DELIVRD=100", "receipt outcomes by weight: DELIVRD, UNDELIV, EXPIRED, REJECTD, DELETED, UNKNOWN, ACCEPTD, ENROUTE")
	fs.Float64Var(&o.throttleRatio, "throttle-ratio", 0, "share of submits answered 0x58 ESME_RTHROTTLED (0..1)")
	fs.Float64Var(&o.failRatio, "fail-ratio", 0, "share of submits answered 0x45 ESME_RSUBMITFAIL (0..1)")
	fs.Float64Var(&o.slowRatio, "slow-ratio", 0, "share of accepted submits answered after --slow-delay (0..1)")
	fs.DurationVar(&o.slowDelay, "slow-delay", 2*time.Second, "delay of a slow answer")
	fs.IntVar(&o.dropEvery, "drop-every", 0, "drop the connection carrying every Nth submit (0: never)")
	fs.Float64Var(&o.moRate, "mo-rate", 0, "MO messages per second sent to bound receivers (0: none)")
	fs.StringVar(&o.moDest, "mo-dest", "12345", "destination (short code) of MO messages")
	fs.StringVar(&o.moText, "mo-text", "", "send one MO with this text (in parts when long: GSM 7-bit, else UCS-2) once a receiver binds")
	fs.StringVar(&o.moFrom, "mo-from", "447700900123", "sender of the --mo-text MO")
	fs.StringVar(&o.moConcat, "mo-concat", "udh8", "how the parts of a long --mo-text MO are tied: udh8, udh16 or sar")
	fs.BoolVar(&o.hexIDs, "hex-ids", false, "hexadecimal message ids instead of decimal")
	fs.IntVar(&o.maxPending, "max-pending-receipts", 1_000_000, "receipts kept while waiting for their time or a receiver bind; beyond it they are dropped and counted")
	fs.IntVar(&o.receiptWindow, "receipt-window", 100, "deliver_sm (receipts and MO) a bind may have unanswered before the next waits, as an SMSC configures per bind; 0: unlimited, sent without waiting for answers")
	fs.IntVar(&o.receiptWindow, "window", 100, "older name of --receipt-window")
	fs.BoolVar(&o.noResend, "no-resend", false, "drop a receipt answered with an error (counted in receipts_refused and receipts_dropped) instead of sending it again after a temporary refusal, as many SMSCs do")
	fs.IntVar(&o.maxInbound, "max-inbound", 5000, "unanswered requests accepted from a peer before answering ESME_RTHROTTLED")
	fs.StringVar(&o.logLevel, "log-level", "info", "log level: debug, info, warn, error")
	fs.DurationVar(&o.shutdownWait, "shutdown-timeout", 5*time.Second, "how long to wait for sessions to unbind on SIGTERM")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if fs.NArg() > 0 {
		return o, fmt.Errorf("unexpected arguments: %v", fs.Args())
	}
	switch {
	case o.tlsListen != "" && (o.tlsCert == "" || o.tlsKey == ""):
		return o, errors.New("--tls-listen needs --tls-cert and --tls-key")
	case o.tlsListen == "" && (o.tlsCert != "" || o.tlsKey != ""):
		return o, errors.New("--tls-cert and --tls-key need --tls-listen")
	case o.listen == "" && o.tlsListen == "":
		return o, errors.New("--listen and --tls-listen are both empty: nothing to listen on")
	case o.receiptWindow < 0:
		return o, errors.New("--receipt-window must be 0 (unlimited) or more")
	case o.moConcat != "udh8" && o.moConcat != "udh16" && o.moConcat != "sar":
		return o, errors.New("--mo-concat must be udh8, udh16 or sar")
	}
	return o, nil
}

// receiptWindow maps --receipt-window (0 unlimited) to
// SimConfig.ReceiptWindow (negative unlimited).
func receiptWindow(n int) int {
	if n == 0 {
		return -1
	}
	return n
}

func parseCredentials(s string) (map[string]string, error) {
	if strings.TrimSpace(s) == "" {
		return nil, nil
	}
	creds := map[string]string{}
	for _, pair := range strings.Split(s, ",") {
		id, pw, ok := strings.Cut(strings.TrimSpace(pair), ":")
		if !ok || id == "" {
			return nil, fmt.Errorf("credentials: %q is not system_id:password", pair)
		}
		creds[id] = pw
	}
	return creds, nil
}

// tlsListener is a listener with the TLS configuration to serve it with.
type tlsListener struct {
	l   net.Listener
	cfg *tls.Config
}

// listen opens the listeners o asks for: plain (nil for none) and TLS
// (nil for none), loading the TLS certificate first.
func listen(o options) (net.Listener, *tlsListener, error) {
	var secure *tlsListener
	if o.tlsListen != "" {
		cert, err := tls.LoadX509KeyPair(o.tlsCert, o.tlsKey)
		if err != nil {
			return nil, nil, fmt.Errorf("tls certificate: %w", err)
		}
		l, err := net.Listen("tcp", o.tlsListen)
		if err != nil {
			return nil, nil, err
		}
		secure = &tlsListener{l: l, cfg: &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}}
	}
	if o.listen == "" {
		return nil, secure, nil
	}
	plain, err := net.Listen("tcp", o.listen)
	if err != nil {
		if secure != nil {
			secure.l.Close()
		}
		return nil, nil, err
	}
	return plain, secure, nil
}

func run(args []string, stdout, stderr io.Writer) int {
	o, err := parseFlags(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintln(stderr, "smscsim:", err)
		return 2
	}
	var level slog.Level
	if err := level.UnmarshalText([]byte(o.logLevel)); err != nil {
		fmt.Fprintln(stderr, "smscsim: --log-level:", err)
		return 2
	}
	logger := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level}))
	creds, err := parseCredentials(o.credentials)
	if err != nil {
		fmt.Fprintln(stderr, "smscsim:", err)
		return 2
	}
	mix, err := smpptest.ParseReceiptMix(o.receiptMix)
	if err != nil {
		fmt.Fprintln(stderr, "smscsim:", err)
		return 2
	}
	sim, err := smpptest.NewSimulator(smpptest.SimConfig{
		Credentials: creds, RefuseBinds: o.refuseBinds,
		ReceiptDelay: o.receiptDelay, ReceiptMix: mix,
		ThrottleRatio: o.throttleRatio, FailRatio: o.failRatio,
		SlowRatio: o.slowRatio, SlowDelay: o.slowDelay, DropEvery: o.dropEvery,
		MORate: o.moRate, MODest: o.moDest, HexIDs: o.hexIDs,
		MaxPendingReceipts: o.maxPending,
		ReceiptWindow:      receiptWindow(o.receiptWindow),
		NoResend:           o.noResend,
		Session:            smpp.SessionConfig{MaxInbound: o.maxInbound},
	}, logger)
	if err != nil {
		fmt.Fprintln(stderr, "smscsim:", err)
		return 2
	}
	plain, secure, err := listen(o)
	if err != nil {
		fmt.Fprintln(stderr, "smscsim:", err)
		return 1
	}

	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	served := make(chan error, 2)
	n := 0
	if plain != nil {
		logger.Info("smscsim listening", "addr", plain.Addr().String())
		n++
		go func() { served <- sim.Serve(plain) }()
	}
	if secure != nil {
		logger.Info("smscsim listening for TLS", "addr", secure.l.Addr().String())
		n++
		go func() { served <- sim.ServeTLS(secure.l, secure.cfg) }()
	}
	if o.moText != "" {
		if err := sendOneMO(ctx, sim, o, logger); err != nil {
			fmt.Fprintln(stderr, "smscsim:", err)
			return 2
		}
	}
	code := 0
	select {
	case <-ctx.Done():
		logger.Info("shutting down")
		sctx, cancel := context.WithTimeout(context.Background(), o.shutdownWait)
		if err := sim.Shutdown(sctx); err != nil {
			logger.Warn("shutdown deadline passed; closed remaining sessions", "err", err)
		}
		cancel()
	case err := <-served:
		n--
		if !errors.Is(err, smpp.ErrServerClosed) {
			fmt.Fprintln(stderr, "smscsim:", err)
			code = 1
		}
		sim.Close()
	}
	for ; n > 0; n-- {
		<-served
	}
	out, _ := json.Marshal(sim.Summary())
	fmt.Fprintln(stdout, string(out))
	return code
}

// sendOneMO sends the --mo-text MO, in the background, once a receiver
// binds; the outcome is logged.
func sendOneMO(ctx context.Context, sim *smpptest.Simulator, o options, logger *slog.Logger) error {
	concat := map[string]pdutext.Concat{"udh8": pdutext.Concat8, "udh16": pdutext.Concat16, "sar": pdutext.ConcatSAR}[o.moConcat]
	parts, err := smpptest.MOParts(o.moFrom, o.moDest, o.moText, concat, uint16(time.Now().UnixNano()))
	if err != nil {
		return err
	}
	go func() {
		err := sim.SendMOWhenBound(ctx, "", parts, 100*time.Millisecond)
		logger.Info("MO sent", "parts", len(parts), "err", err)
	}()
	return nil
}
