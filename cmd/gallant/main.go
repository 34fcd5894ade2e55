// Command gallant is the Gallant SMS gateway.
//
//	gallant serve --config FILE       run the gateway
//	gallant demo                      run a self-contained demo (SQLite, simulated carrier)
//	gallant migrate --config FILE     apply database migrations
//	gallant admin account create --name NAME [--config FILE]
//	gallant admin topup --account ID --amount AMOUNT [--reference REF] [--config FILE]
//	gallant admin balance --account ID [--config FILE]
//	gallant admin plan create --name NAME --price PREFIX=AMOUNT ... [--config FILE]
//	gallant backup --out FILE [--config FILE]
//	gallant restore --from FILE [--data DIR | --config FILE]
//	gallant check-config --config FILE
//	gallant healthcheck [--url URL | --config FILE]
//	gallant version
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"

	appsvc "github.com/gallant-sms/gallant/app"
	"github.com/gallant-sms/gallant/internal/config"
	"github.com/gallant-sms/gallant/store"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

const usage = `usage: gallant COMMAND [flags]

commands:
  serve --config FILE                   run the gateway
  demo [--data DIR]                     run a demo: SQLite store, simulated carrier,
                                        HTTP on 127.0.0.1:8080, SMPP on 127.0.0.1:2775
  migrate --config FILE                 apply database migrations and exit
  admin account create --name NAME [--config FILE]
                                        create an account and its balance (at zero);
                                        prints its API key and SMPP credentials as JSON
  admin topup --account ID --amount AMOUNT [--reference REF] [--config FILE]
                                        add money to an account's balance, e.g.
                                        --amount 12.50; prints the new balance
  admin balance --account ID [--config FILE]
                                        print an account's balance, held credit,
                                        credit limit and currency
  admin plan create --name NAME --price PREFIX=AMOUNT [--price ...] [--currency CUR]
                    [--default] [--account ID] [--config FILE]
                                        create a price plan in force from now
                                        (price per segment by destination prefix,
                                        e.g. --price 44=0.035) and assign it to
                                        an account
` + appsvc.BackupUsage + `
  check-config --config FILE            load and validate a configuration
  healthcheck [--url URL] [--config FILE]
                                        exit 0 when the gateway answers GET /healthz
                                        (default: the address in http.listen)
  version                               print the version

Every configuration key can be set with a GALLANT_ environment variable,
e.g. GALLANT_STORE_DSN, GALLANT_HTTP_LISTEN, GALLANT_CARRIERS_0_PASSWORD.
`

func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	var err error
	switch args[0] {
	case "version":
		fmt.Fprintln(stdout, "gallant", version)
		return 0
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return 0
	case "serve":
		err = cmdServe(args[1:], stderr)
	case "demo":
		err = cmdDemo(args[1:], stdout, stderr)
	case "migrate":
		err = cmdMigrate(args[1:], stdout, stderr)
	case "admin":
		err = cmdAdmin(args[1:], stdout, stderr)
	case "check-config":
		err = cmdCheckConfig(args[1:], stdout, stderr)
	case "backup", "restore":
		err = cmdBackup(args, stdout, stderr)
	case "healthcheck":
		err = cmdHealthcheck(args[1:], stderr)
	default:
		fmt.Fprintf(stderr, "gallant: unknown command %q\n\n%s", args[0], usage)
		return 2
	}
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintln(stderr, "gallant:", err)
		var ue usageError
		if errors.As(err, &ue) {
			return 2
		}
		return 1
	}
	return 0
}

// usageError marks a mistake in the command line.
type usageError struct{ error }

func loadFromFlags(name string, args []string, stderr io.Writer, required bool, extra func(*flag.FlagSet)) (config.Config, error) {
	fs := flag.NewFlagSet("gallant "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	path := fs.String("config", "", "configuration file (YAML)")
	if extra != nil {
		extra(fs)
	}
	if err := fs.Parse(args); err != nil {
		return config.Config{}, err
	}
	if fs.NArg() > 0 {
		return config.Config{}, usageError{fmt.Errorf("%s: unexpected arguments %v", name, fs.Args())}
	}
	if required && *path == "" {
		return config.Config{}, usageError{errors.New(name + ": --config is required")}
	}
	return config.Load(*path, os.Environ())
}

func cmdServe(args []string, stderr io.Writer) error {
	cfg, err := loadFromFlags("serve", args, stderr, true, nil)
	if err != nil {
		return err
	}
	logger, err := config.NewLogger(cfg.Log)
	if err != nil {
		return err
	}
	if err := cfg.Runtime.Apply(logger); err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	a, err := newApp(ctx, cfg, logger)
	if err != nil {
		return err
	}
	if err := a.start(ctx); err != nil {
		sctx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
		defer cancel()
		return errors.Join(err, a.shutdown(sctx))
	}
	return runApp(ctx, a)
}

func cmdMigrate(args []string, stdout, stderr io.Writer) error {
	cfg, err := loadFromFlags("migrate", args, stderr, true, nil)
	if err != nil {
		return err
	}
	logger, err := config.NewLogger(cfg.Log)
	if err != nil {
		return err
	}
	st, err := openStore(context.Background(), cfg, logger)
	if err != nil {
		return err
	}
	defer st.Close()
	cur, known, err := st.SchemaVersion(context.Background())
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "schema version %d (code knows %d)\n", cur, known)
	return nil
}

func cmdCheckConfig(args []string, stdout, stderr io.Writer) error {
	cfg, err := loadFromFlags("check-config", args, stderr, true, nil)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "configuration OK: store %s, %d carriers, %d routes, durability %s\n",
		cfg.Store.Driver, len(cfg.Carriers), len(cfg.Routes), cfg.Durability)
	return nil
}

// cmdBackup runs "gallant backup|restore ..." (app.BackupCommand) and
// prints what it did as JSON.
func cmdBackup(args []string, stdout, stderr io.Writer) error {
	path, run, err := appsvc.BackupCommand(args, stderr)
	if err != nil && !errors.Is(err, flag.ErrHelp) {
		err = usageError{err}
	}
	if err != nil {
		return err
	}
	cfg, err := config.Load(path, os.Environ())
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	out, err := run(ctx, store.Config{Driver: cfg.Store.Driver, DSN: cfg.Store.DSN})
	if err != nil {
		return err
	}
	return json.NewEncoder(stdout).Encode(out)
}

// cmdHealthcheck is a container's HEALTHCHECK: GET /healthz at --url, or
// at the address the configuration (file and GALLANT_ variables) listens on.
func cmdHealthcheck(args []string, stderr io.Writer) error {
	var url *string
	var timeout *time.Duration
	cfg, err := loadFromFlags("healthcheck", args, stderr, false, func(fs *flag.FlagSet) {
		url = fs.String("url", "", "the /healthz address (default: from http.listen)")
		timeout = fs.Duration("timeout", 3*time.Second, "how long to wait for the answer")
	})
	if err != nil {
		return err
	}
	if *url == "" {
		if *url, err = appsvc.HealthURL(cfg.HTTP.Listen, cfg.HTTP.TLSCert != ""); err != nil {
			return err
		}
	}
	return appsvc.Healthcheck(context.Background(), *url, *timeout)
}
