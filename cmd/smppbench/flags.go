package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/gallant-sms/gallant/smpp"
)

// usage is the --help text. Every flag defined in parseFlags appears in
// it (TestHelpDocumentsEveryFlag).
const usage = `usage: smppbench [flags]

smppbench is the load generator of the Gallant SMS gateway. It submits
messages over SMPP (default) or the HTTP API (--http) on keep-alive
connections, and reports throughput, latency percentiles, command statuses
and, over SMPP, delivery-receipt completeness. A run always ends: after
--duration (default 10s) or --count messages, whichever comes first.

SMPP mode (default):
  --addr HOST:PORT          the SMPP server (gateway or smscsim) (default 127.0.0.1:2775)
  --system-id ID            bind system_id (default "bench")
  --password PW             bind password
  --system-type T           bind system_type (default "")
  --binds N                 sending binds (default 1)
  --bind-type T             transceiver or transmitter; with transmitter and
                            registered delivery, each transmitter gets its own
                            receiver bind for the receipts (default transceiver)
  --window W                outstanding submit_sm per bind (default 10); a bind
                            pauses 10 ms after ESME_RTHROTTLED or ESME_RMSGQFUL,
                            and HTTP workers after a refused message, as
                            well-behaved clients do
  --mix K=W,...             message kinds by weight (default gsm7=80,ucs2=10,long=10):
                              gsm7  a 55-character GSM 7-bit text, one submit_sm
                              ucs2  a UCS-2 text with an emoji, one submit_sm
                              long  400 GSM characters: 3 submit_sm with a UDH
  --long-as HOW             udh (3 segments) or payload (one submit_sm with
                            message_payload) (default udh)
  --registered-delivery     ask for a receipt for every submit_sm, answer every
                            deliver_sm and pair receipts with message ids;
                            --registered-delivery=false turns it off (default true)
  --receipt-wait D          wait this long after the last response for missing
                            receipts (default 30s)

HTTP mode:
  --http URL                the API's base URL, e.g. http://127.0.0.1:8080
  --api-key KEY             sent as Authorization: Bearer KEY
  --concurrency C           workers, one keep-alive connection and one request in
                            flight each (default 16)
  --endpoint E              single (POST /v1/messages) or batch (POST
                            /v1/messages/batch, one text to many) (default single)
  --batch-size N            recipients per batch request, at most 10000 (default 100)
  --mix, --registered-delivery as above (false sends "delivery_report": false)

Both modes:
  --rate R                  messages per second in total, 0 = flat out (default 0)
  --duration D              length of the send phase (default 10s)
  --count N                 stop after N messages, 0 = no limit (default 0)
  --from S                  sender: alphanumeric or digits (default Gallant)
  --to DIGITS               first destination (default 447700900000)
  --to-spread N             destinations used: --to .. --to+N-1 (default 1000)
  --response-timeout D      wait for a submit_sm_resp or HTTP answer (default 10s)
  --json                    print one JSON object on stdout; the table goes to stderr
  --no-check                exit 0 even when receipts are missing or none accepted
  --progress D              print counters to stderr every D, 0 = never (default 0)
  --log-level L             debug, info, warn or error (default warn)
  --cpuprofile FILE         write a CPU profile of the run (go tool pprof)
  --help                    this text

Exit status: 0 on success; 1 when the run failed (bind refused, server down),
nothing was accepted, or a receipt asked for is missing (not with --no-check);
2 for bad flags.

JSON (--json): one object. SMPP mode:
  mode "smpp", addr, binds, bind_type, window, rate, mix{kind:weight}, long_as,
  registered_delivery, interrupted,
  messages, messages_by_kind{gsm7,ucs2,long}   messages whose submit_sm all went out
  submit_sm, submit_ok, submit_refused, submit_timeouts, submit_lost,
  send_errors, generic_nacks, bad_responses     submit_sm counts by outcome
  send_seconds                                  first submit_sm to last OK response
  accepted_per_second, messages_per_second      submit_ok and messages over send_seconds
  submit_latency{count,mean_us,p50_us,p90_us,p99_us,p999_us,max_us}
  statuses[{status:"0x00000058",name:"ESME_RTHROTTLED",count}]
  receipts{expected,received,matched,missing,duplicates,unknown,intermediate,
           invalid,states{DELIVERED:n,...},seconds,per_second,wait_seconds,
           latency{...}}                         latency = submit_sm sent to receipt
  mo_received, complete                         complete: no receipt missing
HTTP mode:
  mode "http", url, endpoint, batch_size, concurrency, rate, mix, interrupted,
  requests, errors, messages, accepted, rejected, seconds,
  requests_per_second, messages_per_second (accepted), latency{...},
  status_codes{"202":n,...}

Examples:
  # raw ceiling: straight to the simulator, 4 binds, window 100, 10 s
  smscsim --listen 127.0.0.1:2776 --receipt-delay 10ms &
  smppbench --addr 127.0.0.1:2776 --binds 4 --window 100 --duration 10s

  # the gateway over SMPP: 20,000 messages at 5,000/s, JSON for scripts
  smppbench --addr 127.0.0.1:2775 --system-id acme --password secret \
      --binds 4 --window 100 --rate 5000 --count 20000 --json

  # transmitter binds with separate receivers, long messages as payload
  smppbench --bind-type transmitter --binds 2 --mix gsm7=50,long=50 --long-as payload

  # HTTP: single POSTs, 64 connections, 30 s
  smppbench --http http://127.0.0.1:8080 --api-key KEY --concurrency 64 --duration 30s

  # HTTP: batches of 500 recipients
  smppbench --http http://127.0.0.1:8080 --api-key KEY --endpoint batch --batch-size 500
`

// options are the parsed flags.
type options struct {
	smpp       SMPPConfig
	http       HTTPConfig
	isHTTP     bool
	json       bool
	noCheck    bool
	logLevel   string
	progress   time.Duration
	cpuProfile string
}

// rawFlags holds the flag values before they become configurations.
type rawFlags struct {
	addr, systemID, password, systemType string
	binds, window, concurrency, batch    int
	spread                               int
	bindType, mix, longAs, endpoint      string
	httpURL, apiKey, from, to            string
	rate                                 float64
	duration, receiptWait, respTimeout   time.Duration
	count                                int64
	rd                                   bool
}

// define declares every flag on fs, into f and o. Defaults are in the
// usage text, not in flag help strings: fs prints nothing itself.
func (f *rawFlags) define(fs *flag.FlagSet, o *options) {
	fs.StringVar(&f.addr, "addr", "127.0.0.1:2775", "")
	fs.StringVar(&f.systemID, "system-id", "bench", "")
	fs.StringVar(&f.password, "password", "", "")
	fs.StringVar(&f.systemType, "system-type", "", "")
	fs.IntVar(&f.binds, "binds", 1, "")
	fs.StringVar(&f.bindType, "bind-type", "transceiver", "")
	fs.IntVar(&f.window, "window", smpp.DefaultWindow, "")
	fs.StringVar(&f.mix, "mix", DefaultMix().String(), "")
	fs.StringVar(&f.longAs, "long-as", "udh", "")
	fs.BoolVar(&f.rd, "registered-delivery", true, "")
	fs.DurationVar(&f.receiptWait, "receipt-wait", DefaultReceiptWait, "")
	fs.StringVar(&f.httpURL, "http", "", "")
	fs.StringVar(&f.apiKey, "api-key", "", "")
	fs.IntVar(&f.concurrency, "concurrency", DefaultConcurrency, "")
	fs.StringVar(&f.endpoint, "endpoint", "single", "")
	fs.IntVar(&f.batch, "batch-size", DefaultBatchSize, "")
	fs.Float64Var(&f.rate, "rate", 0, "")
	fs.DurationVar(&f.duration, "duration", DefaultDuration, "")
	fs.Int64Var(&f.count, "count", 0, "")
	fs.StringVar(&f.from, "from", "Gallant", "")
	fs.StringVar(&f.to, "to", "447700900000", "")
	fs.IntVar(&f.spread, "to-spread", 1000, "")
	fs.DurationVar(&f.respTimeout, "response-timeout", DefaultResponseTimeout, "")
	fs.BoolVar(&o.json, "json", false, "")
	fs.BoolVar(&o.noCheck, "no-check", false, "")
	fs.DurationVar(&o.progress, "progress", 0, "")
	fs.StringVar(&o.logLevel, "log-level", "warn", "")
	fs.StringVar(&o.cpuProfile, "cpuprofile", "", "")
}

// parseFlags reads the command line. --help returns flag.ErrHelp after
// printing the usage to stderr.
func parseFlags(args []string, stderr io.Writer) (options, error) {
	var o options
	var f rawFlags
	fs := flag.NewFlagSet("smppbench", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	f.define(fs, &o)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprint(stderr, usage)
		}
		return o, err
	}
	if fs.NArg() > 0 {
		return o, fmt.Errorf("unexpected arguments: %s", strings.Join(fs.Args(), " "))
	}
	o.isHTTP = f.httpURL != ""
	set := map[string]bool{}
	fs.Visit(func(fl *flag.Flag) { set[fl.Name] = true })
	// Flags that belong to the other mode are mistakes, not no-ops.
	wrong := []string{"addr", "system-id", "password", "system-type", "binds", "bind-type", "window", "long-as", "receipt-wait"}
	if !o.isHTTP {
		wrong = []string{"api-key", "concurrency", "endpoint", "batch-size"}
	}
	for _, name := range wrong {
		if set[name] {
			mode := "SMPP"
			if !o.isHTTP {
				mode = "HTTP"
			}
			return o, fmt.Errorf("--%s is for %s mode only", name, mode)
		}
	}
	if f.duration <= 0 {
		return o, errors.New("--duration must be positive: a run is always bounded")
	}

	m, err := ParseMix(f.mix)
	if err != nil {
		return o, fmt.Errorf("--mix: %w", err)
	}
	addressing := Addressing{From: f.from, To: f.to, Spread: f.spread}
	if o.isHTTP {
		ep, err := ParseEndpoint(f.endpoint)
		if err != nil {
			return o, fmt.Errorf("--endpoint: %w", err)
		}
		switch {
		case set["batch-size"] && ep != Batch:
			return o, errors.New("--batch-size needs --endpoint batch")
		case f.batch < 1 || f.batch > MaxBatchSize:
			return o, fmt.Errorf("--batch-size must be from 1 to %d", MaxBatchSize)
		}
		c := DefaultHTTPConfig()
		c.URL, c.APIKey, c.Concurrency, c.Endpoint, c.BatchSize = f.httpURL, f.apiKey, f.concurrency, ep, f.batch
		c.Rate, c.Duration, c.Count, c.Mix, c.Addressing = f.rate, f.duration, f.count, m, addressing
		c.NoDeliveryReport, c.Timeout = !f.rd, f.respTimeout
		if err := c.Validate(); err != nil {
			return o, err
		}
		o.http = c
		return o, nil
	}
	la, err := ParseLongAs(f.longAs)
	if err != nil {
		return o, fmt.Errorf("--long-as: %w", err)
	}
	c := DefaultSMPPConfig()
	switch f.bindType {
	case "transceiver":
		c.BindType = smpp.Transceiver
	case "transmitter":
		c.BindType = smpp.Transmitter
	default:
		return o, fmt.Errorf("--bind-type %q: want transceiver or transmitter", f.bindType)
	}
	c.Addr, c.SystemID, c.Password, c.SystemType = f.addr, f.systemID, f.password, f.systemType
	c.Binds, c.Window, c.Rate, c.Duration, c.Count = f.binds, f.window, f.rate, f.duration, f.count
	c.Mix, c.LongAs, c.Addressing = m, la, addressing
	c.RegisteredDelivery, c.ReceiptWait, c.ResponseTimeout = f.rd, f.receiptWait, f.respTimeout
	if f.receiptWait == 0 {
		c.ReceiptWait = -1 // --receipt-wait 0: do not wait
	}
	if err := c.Validate(); err != nil {
		return o, err
	}
	o.smpp = c
	return o, nil
}
