package app

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/gallant-sms/gallant/store"
)

// CarrierUsage is the usage of "gallant admin carrier" and "gallant
// admin route".
const CarrierUsage = `  gallant admin carrier list [--config FILE]
  gallant admin carrier add --name NAME --address HOST:PORT --system-id ID --tps N [--password P] [--binds N]
                            [--window N] [--bind-type TYPE] [--system-type T] [--tls] [--tls-ca FILE]
                            [--tls-server-name NAME] [--tls-insecure-skip-verify] [--outbind-listen HOST:PORT]
                            [--config FILE]
  gallant admin carrier set NAME [any flag of add but --name] [--config FILE]
  gallant admin carrier remove NAME [--config FILE]
  gallant admin route list [--account ID] [--config FILE]
  gallant admin route set [--account ID] (--route PREFIX=CARRIER[/PRIORITY[/WEIGHT]][,CARRIER...] ... |
                          --json '{"routes":[...]}') [--least-cost PREFIX ...] [--config FILE]`

// CarrierRun runs a parsed carrier or route command on st.
type CarrierRun func(ctx context.Context, st *store.Store) (any, error)

// CarrierCommand parses "gallant admin carrier|route ..." (args from
// "carrier" or "route" on) and returns the --config path and the command
// to run on the configuration's store, which returns what to print. It
// acts as a platform admin and is audited (ip "cli"); running instances
// apply route changes within seconds (see [CarrierConfigs]).
func CarrierCommand(args []string, stderr io.Writer) (string, CarrierRun, error) {
	if len(args) < 2 {
		return "", nil, fmt.Errorf("admin: carrier list|add|set|remove or route list|set?\n%s", CarrierUsage)
	}
	what := args[0] + " " + args[1]
	fs := flag.NewFlagSet("gallant admin "+what, flag.ContinueOnError)
	fs.SetOutput(stderr)
	path := fs.String("config", "", "configuration file (YAML)")
	var in CarrierInput
	var name, address, systemID, password, bindType, systemType, tlsCA, tlsName, outbind string
	var binds, window int
	var tps float64
	var useTLS, insecure bool
	defineCarrier := func(withName bool) {
		if withName {
			fs.StringVar(&name, "name", "", "the carrier's name")
		}
		fs.StringVar(&address, "address", "", "host:port of the SMSC")
		fs.StringVar(&systemID, "system-id", "", "the bind's system_id")
		fs.StringVar(&password, "password", "", "the bind's password (stored; never printed)")
		fs.StringVar(&bindType, "bind-type", "", "transceiver (default), transmitter or receiver")
		fs.StringVar(&systemType, "system-type", "", "the bind's system_type")
		fs.IntVar(&binds, "binds", 0, "persistent binds (default 1)")
		fs.IntVar(&window, "window", 0, "outstanding submits per bind (default 10)")
		fs.Float64Var(&tps, "tps", 0, "segments per second over all binds")
		fs.BoolVar(&useTLS, "tls", false, "connect over TLS")
		fs.StringVar(&tlsCA, "tls-ca", "", "PEM file of the CAs to trust")
		fs.StringVar(&tlsName, "tls-server-name", "", "name to verify")
		fs.BoolVar(&insecure, "tls-insecure-skip-verify", false, "test rigs only")
		fs.StringVar(&outbind, "outbind-listen", "", "host:port for the carrier's outbind")
	}
	var account int64
	if args[0] == "route" {
		fs.Int64Var(&account, "account", 0, "the account whose plan (0: the default plan)")
	}
	var routeSpecs, leastCost multiFlag
	var routesJSON string
	positional := ""
	rest := args[2:]
	switch what {
	case "carrier list", "route list":
	case "carrier add":
		defineCarrier(true)
	case "carrier set", "carrier remove":
		if what == "carrier set" {
			defineCarrier(false)
		}
		if len(rest) == 0 || strings.HasPrefix(rest[0], "-") {
			return "", nil, fmt.Errorf("admin %s: NAME first\n%s", what, CarrierUsage)
		}
		positional, rest = rest[0], rest[1:]
	case "route set":
		fs.Var(&routeSpecs, "route", "PREFIX=CARRIER[/PRIORITY[/WEIGHT]][,CARRIER...] (repeat for more routes)")
		fs.Var(&leastCost, "least-cost", "a PREFIX whose route is least-cost (repeatable)")
		fs.StringVar(&routesJSON, "json", "", `the plan as the API takes it: {"routes":[...]}`)
	default:
		return "", nil, fmt.Errorf("admin: unknown subcommand %q\n%s", what, CarrierUsage)
	}
	if err := fs.Parse(rest); err != nil {
		return "", nil, fmt.Errorf("admin %s: %w", what, err)
	}
	if fs.NArg() > 0 {
		return "", nil, fmt.Errorf("admin %s: unexpected arguments %v\n%s", what, fs.Args(), CarrierUsage)
	}
	fs.Visit(func(f *flag.Flag) {
		switch f.Name {
		case "name":
			in.Name = &name
		case "address":
			in.Address = &address
		case "system-id":
			in.SystemID = &systemID
		case "password":
			in.Password = &password
		case "bind-type":
			in.BindType = &bindType
		case "system-type":
			in.SystemType = &systemType
		case "binds":
			in.Binds = &binds
		case "window":
			in.Window = &window
		case "tps":
			in.TPS = &tps
		case "tls":
			in.TLS = &useTLS
		case "tls-ca":
			in.TLSCA = &tlsCA
		case "tls-server-name":
			in.TLSServerName = &tlsName
		case "tls-insecure-skip-verify":
			in.TLSInsecureSkipVerify = &insecure
		case "outbind-listen":
			in.OutbindListen = &outbind
		}
	})
	var routes []RouteInput
	if what == "route set" {
		var err error
		if routes, err = parseRouteFlags(routeSpecs, leastCost, routesJSON); err != nil {
			return "", nil, fmt.Errorf("admin route set: %w\n%s", err, CarrierUsage)
		}
	}
	return *path, func(ctx context.Context, st *store.Store) (any, error) {
		c := NewCarrierConfigs(st, nil, nil, nil)
		p := cliPlatformAdmin
		switch what {
		case "carrier list":
			return c.List(ctx, p)
		case "carrier add":
			return c.Create(ctx, p, in, "cli")
		case "carrier set":
			return c.Update(ctx, p, positional, in, "cli")
		case "carrier remove":
			if err := c.Delete(ctx, p, positional, "cli"); err != nil {
				return nil, err
			}
			return map[string]string{"removed": positional}, nil
		case "route list":
			return c.Routes(ctx, p, account)
		default: // route set
			return c.SetRoutes(ctx, p, account, routes, "cli")
		}
	}, nil
}

// parseRouteFlags builds a plan from --route specs and --least-cost
// prefixes, or from --json.
func parseRouteFlags(specs, leastCost []string, raw string) ([]RouteInput, error) {
	if raw != "" {
		if len(specs) > 0 {
			return nil, fmt.Errorf("--json or --route, not both")
		}
		var body struct {
			Routes []RouteInput `json:"routes"`
		}
		dec := json.NewDecoder(strings.NewReader(raw))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&body); err != nil {
			return nil, fmt.Errorf("--json: %w", err)
		}
		return body.Routes, nil
	}
	if len(specs) == 0 {
		return nil, fmt.Errorf("--route or --json needed (--json '{\"routes\":[]}' empties the plan)")
	}
	lcr := map[string]bool{}
	for _, p := range leastCost {
		lcr[strings.TrimPrefix(p, "+")] = true
	}
	routes := make([]RouteInput, 0, len(specs))
	for _, s := range specs {
		prefix, list, ok := strings.Cut(s, "=")
		if !ok || list == "" {
			return nil, fmt.Errorf("--route %q: want PREFIX=CARRIER[/PRIORITY[/WEIGHT]][,CARRIER...]", s)
		}
		r := RouteInput{Prefix: strings.TrimPrefix(prefix, "+"), LeastCost: lcr[strings.TrimPrefix(prefix, "+")]}
		for _, c := range strings.Split(list, ",") {
			parts := strings.Split(c, "/")
			ch := RouteChoiceInput{Carrier: parts[0]}
			var err error
			if len(parts) > 1 {
				if ch.Priority, err = strconv.Atoi(parts[1]); err != nil {
					return nil, fmt.Errorf("--route %q: priority %q is not a number", s, parts[1])
				}
			}
			if len(parts) > 2 {
				if ch.Weight, err = strconv.Atoi(parts[2]); err != nil {
					return nil, fmt.Errorf("--route %q: weight %q is not a number", s, parts[2])
				}
			}
			if len(parts) > 3 {
				return nil, fmt.Errorf("--route %q: CARRIER[/PRIORITY[/WEIGHT]]", s)
			}
			r.Carriers = append(r.Carriers, ch)
		}
		routes = append(routes, r)
	}
	return routes, nil
}

// multiFlag is a repeatable string flag.
type multiFlag []string

func (m *multiFlag) String() string { return strings.Join(*m, " ") }

// Set implements flag.Value.
func (m *multiFlag) Set(v string) error {
	*m = append(*m, v)
	return nil
}
