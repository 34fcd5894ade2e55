package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/gallant-sms/gallant/account"
	appsvc "github.com/gallant-sms/gallant/app"
	"github.com/gallant-sms/gallant/billing"
	"github.com/gallant-sms/gallant/internal/config"
	"github.com/gallant-sms/gallant/smpp"
	"github.com/gallant-sms/gallant/smpp/smpptest"
	"github.com/gallant-sms/gallant/web"
)

func cmdDemo(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("gallant demo", flag.ContinueOnError)
	fs.SetOutput(stderr)
	data := fs.String("data", "data", "directory for the SQLite database and the demo credentials")
	httpAddr := fs.String("http", "127.0.0.1:8080", "HTTP listen address")
	smppAddr := fs.String("smpp", "127.0.0.1:2775", "SMPP listen address")
	metricsAddr := fs.String("metrics", "127.0.0.1:9464", "Prometheus metrics listen address (empty: none)")
	delay := fs.Duration("receipt-delay", 200*time.Millisecond, "simulated carrier's receipt delay")
	durability := fs.String("durability", "durable", "durable or fast")
	if err := fs.Parse(args); err != nil {
		return err
	}
	logger := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()

	// The simulated carrier, in process on loopback.
	sim, err := smpptest.NewSimulator(smpptest.SimConfig{ReceiptDelay: *delay, MORate: 0.2, MODest: appsvc.DemoNumber,
		Credentials: map[string]string{"gallant": "secret"}}, logger.With("component", "carrier-sim"))
	if err != nil {
		return err
	}
	simLn, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	simDone := make(chan error, 1)
	go func() { simDone <- sim.Serve(simLn) }()
	defer func() {
		sim.Close()
		if err := <-simDone; err != nil && !errors.Is(err, smpp.ErrServerClosed) {
			logger.Error("carrier simulator", "err", err)
		}
	}()

	cfg := config.Demo(*data, *httpAddr, *smppAddr, *metricsAddr, *durability, simLn.Addr().String())
	if err := cfg.Complete(os.Environ()); err != nil {
		return err
	}
	if err := cfg.Runtime.Apply(logger); err != nil {
		return err
	}
	a, err := newApp(ctx, cfg, logger)
	if err != nil {
		return err
	}
	creds, err := appsvc.DemoAccount(ctx, a.acc, *data)
	if err == nil {
		err = appsvc.SeedDemo(ctx, a.st, a.bill.Pricer, creds.AccountID)
	}
	var user, operator appsvc.DemoLogin
	if err == nil {
		user, operator, err = appsvc.DemoLogins(ctx, a.st, a.acc, a.users, creds.AccountID, *data)
	}
	if err != nil {
		return errors.Join(err, a.shutdown(context.Background()))
	}
	if err := a.start(ctx); err != nil {
		return errors.Join(err, a.shutdown(context.Background()))
	}
	printDemo(stdout, a, creds, user)
	fmt.Fprintf(stdout, "Operator user   %s  password %s  (platform admin: the Operator and Reseller pages)\n\n", operator.Email, operator.ShownPassword())
	fmt.Fprint(stdout, "Stop with Ctrl-C.\n")
	return runApp(ctx, a)
}

func printDemo(w io.Writer, a *app, c account.Created, l appsvc.DemoLogin) {
	base, pw := "http://"+a.httpAddr.String(), l.Password
	if pw == "" {
		pw = "(unknown: reset it with POST /v1/auth/password-reset; the mail is logged)"
	}
	unbuilt := ""
	if _, built := web.App(); !built {
		unbuilt = "\n             (not built into this binary: run make build)"
	}
	metrics := "off"
	if a.metricsAddr != nil {
		metrics = "http://" + a.metricsAddr.String() + "/metrics"
	}
	balance := "?"
	if b, err := a.st.GetBillingAccount(context.Background(), c.AccountID); err == nil {
		balance = billing.Micros(b.Balance).String()
	}
	secret := c.WebhookSecret // the account's own; the gateway's signs for accounts without one
	if secret == "" {
		secret = a.cfg.Webhooks.Secret
	}
	fmt.Fprintf(w, `
Gallant SMS demo is running (SQLite store, simulated carrier, %s mode).

  Dashboard  %s/  (sign in as %s / %s)%s
  HTTP API   %s      (OpenAPI %s/openapi.json; metrics %s)
  SMPP       %s    system_id %s  password %s
  API key    %s
  Balance    %s EUR prepaid; 0.01 EUR a segment (0.035 to +44), the price is in every answer
  Webhooks   signed with the secret "%s" (check X-Gallant-Signature: it binds the time);
             may go to local receivers here (webhooks.allow_private, off in serve)
  Inbound    the simulated carrier texts the account's short code %s every 5 s:
             GET %s/v1/inbound, or bind a receiver; STOP, START and HELP from a number are applied

Send a message and read its status (delivered after the simulated receipt):

  id=$(curl -s -X POST %s/v1/messages -H 'Authorization: Bearer %s' -H 'Content-Type: application/json' -d '{"to":"+447700900123","from":"Gallant","text":"Hello from Gallant"}' | sed -E 's/.*"id":"?([0-9]+).*/\1/'); sleep 1; curl -s %s/v1/messages/$id -H 'Authorization: Bearer %s'; echo

Log in over the API as the dashboard user (the answer holds an access and a refresh token):

  curl -s -X POST %s/v1/auth/login -H 'Content-Type: application/json' -d '{"email":"%s","password":"%s"}'; echo

`, a.cfg.Durability, base, l.Email, pw, unbuilt, base, base, metrics, a.smppAddr, c.SystemID, c.SMPPPassword, c.APIKey, balance, secret,
		appsvc.DemoNumber, base, base, c.APIKey, base, c.APIKey, base, l.Email, l.Password)
}
