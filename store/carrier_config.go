package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
)

// ErrReferenced means a row cannot be deleted because others refer to it (a
// carrier that routes still name).
var ErrReferenced = errors.New("store: still in use")

// CarrierConfig is a carrier as stored (table carrier_configs): every
// setting of the YAML carriers section. Password is sealed at rest when
// the store has a key (see [Keyring]; rows written before a key was
// configured are read as they are, and [Store.Reseal] seals them); the
// API never returns it and nothing logs it.
type CarrierConfig struct {
	Name     string `json:"-"`
	Password string `json:"-"`
	// Settings below are stored as one JSON document.
	Address               string   `json:"address"`
	SystemID              string   `json:"system_id"`
	SystemType            string   `json:"system_type,omitempty"`
	BindType              string   `json:"bind_type,omitempty"`
	Binds                 int      `json:"binds"`
	Window                int      `json:"window"`
	TPS                   float64  `json:"tps"`
	MaxInbound            int      `json:"max_inbound,omitempty"`
	OptOutErrors          []string `json:"optout_errors,omitempty"`
	TLS                   bool     `json:"tls,omitempty"`
	TLSCA                 string   `json:"tls_ca,omitempty"`
	TLSServerName         string   `json:"tls_server_name,omitempty"`
	TLSInsecureSkipVerify bool     `json:"tls_insecure_skip_verify,omitempty"`
	OutbindListen         string   `json:"outbind_listen,omitempty"`

	CreatedAt time.Time `json:"-"` // set by the store
	UpdatedAt time.Time `json:"-"` // set by the store
}

// RouteChoice is one carrier of a stored route.
type RouteChoice struct {
	Carrier  string `json:"carrier"`
	Priority int    `json:"priority"`
	Weight   int    `json:"weight"`
}

// RouteConfig is a stored route (table routes): destinations starting
// with Prefix go to Choices. AccountID 0 is the default plan.
type RouteConfig struct {
	AccountID int64
	Prefix    string
	Choices   []RouteChoice
	LeastCost bool
	SenderTPS float64
}

// Bounds of the stored configuration.
const (
	maxCarrierName   = 64
	maxCarrierSecret = 255
	maxRoutesPerPlan = 10_000
	maxRouteChoices  = 64
)

// ConfigVersion returns the version of the carriers and routes: it grows
// with every change, in the change's transaction.
func (s *Store) ConfigVersion(ctx context.Context) (int64, error) {
	var v int64
	if err := s.r.GetContext(ctx, &v, "SELECT version FROM config_state WHERE id = 1"); err != nil {
		return 0, fmt.Errorf("store: config version: %w", mapErr(err))
	}
	return v, nil
}

// ConfigImported reports whether carriers and routes were imported from
// the YAML already ([Store.ImportCarrierConfig]).
func (s *Store) ConfigImported(ctx context.Context) (bool, error) {
	var at dbTime
	if err := s.r.GetContext(ctx, &at, "SELECT imported_at FROM config_state WHERE id = 1"); err != nil {
		return false, fmt.Errorf("store: config imported: %w", mapErr(err))
	}
	return !at.IsZero(), nil
}

// ImportCarrierConfig writes carriers and routes (the YAML's bootstrap)
// and records the import, once: when an import was recorded before, or
// the store holds carriers or routes already, it writes nothing and
// returns false. Instances starting together import at most once.
func (s *Store) ImportCarrierConfig(ctx context.Context, carriers []CarrierConfig, routes []RouteConfig) (bool, error) {
	for i := range carriers {
		if err := checkCarrier(&carriers[i]); err != nil {
			return false, err
		}
	}
	imported := false
	err := s.configTx(ctx, func(tx *sqlx.Tx) error {
		// Take the state row first: a second instance waits here.
		res, err := tx.ExecContext(ctx, "UPDATE config_state SET imported_at = ? WHERE id = 1 AND imported_at IS NULL",
			s.timeArg(s.now().UTC()))
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil
		}
		var n int
		if err := tx.GetContext(ctx, &n, "SELECT (SELECT COUNT(*) FROM carrier_configs) + (SELECT COUNT(*) FROM routes)"); err != nil {
			return err
		}
		if n > 0 {
			return nil // edited before any import: keep what is there
		}
		for i := range carriers {
			if err := s.insertCarrier(ctx, tx, &carriers[i]); err != nil {
				return err
			}
		}
		plans := map[int64][]RouteConfig{}
		for _, r := range routes {
			plans[r.AccountID] = append(plans[r.AccountID], r)
		}
		for acct, plan := range plans {
			if err := s.writeRoutes(ctx, tx, acct, plan); err != nil {
				return err
			}
		}
		imported = true
		return nil
	})
	if err != nil {
		return false, fmt.Errorf("store: import carriers and routes: %w", err)
	}
	return imported, nil
}

// checkCarrier validates what the store needs of c.
func checkCarrier(c *CarrierConfig) error {
	if c.Name == "" || len(c.Name) > maxCarrierName || len(c.Password) > maxCarrierSecret || len(c.Address) > 255 ||
		len(c.SystemID) > 16 || len(c.SystemType) > 13 {
		return fmt.Errorf("%w: carrier needs a name of 1 to %d bytes, an address, a system_id of up to 16 bytes, a system_type of up to 13 and a password of up to %d", ErrInvalid, maxCarrierName, maxCarrierSecret)
	}
	return nil
}

// ListCarrierConfigs returns every stored carrier by name.
func (s *Store) ListCarrierConfigs(ctx context.Context) ([]CarrierConfig, error) {
	var rows []carrierRow
	if err := s.r.SelectContext(ctx, &rows, "SELECT name, settings, password, created_at, updated_at FROM carrier_configs ORDER BY name"); err != nil {
		return nil, fmt.Errorf("store: list carriers: %w", mapErr(err))
	}
	out := make([]CarrierConfig, 0, len(rows))
	for _, r := range rows {
		c, err := r.config(s.keys)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, nil
}

// CarrierConfigByName returns the stored carrier name, or [ErrNotFound].
func (s *Store) CarrierConfigByName(ctx context.Context, name string) (CarrierConfig, error) {
	var r carrierRow
	if err := s.r.GetContext(ctx, &r, "SELECT name, settings, password, created_at, updated_at FROM carrier_configs WHERE name = ?", name); err != nil {
		return CarrierConfig{}, fmt.Errorf("store: carrier %q: %w", name, mapErr(err))
	}
	return r.config(s.keys)
}

type carrierRow struct {
	Name      string `db:"name"`
	Settings  string `db:"settings"`
	Password  string `db:"password"`
	CreatedAt dbTime `db:"created_at"`
	UpdatedAt dbTime `db:"updated_at"`
}

// config decodes r, opening its sealed password with keys (nil: only a
// password stored in clear opens).
func (r carrierRow) config(keys *Keyring) (CarrierConfig, error) {
	var c CarrierConfig
	if err := json.Unmarshal([]byte(r.Settings), &c); err != nil {
		return CarrierConfig{}, fmt.Errorf("store: carrier %q: settings: %w", r.Name, err)
	}
	password, err := keys.OpenText(r.Password)
	if err != nil {
		return CarrierConfig{}, fmt.Errorf("store: carrier %q: password: %w", r.Name, err)
	}
	c.Name, c.Password, c.CreatedAt, c.UpdatedAt = r.Name, password, r.CreatedAt.Time, r.UpdatedAt.Time
	return c, nil
}

// CreateCarrierConfig stores a new carrier; a name in use is
// [ErrDuplicate].
func (s *Store) CreateCarrierConfig(ctx context.Context, c *CarrierConfig) error {
	if err := checkCarrier(c); err != nil {
		return err
	}
	err := s.configTx(ctx, func(tx *sqlx.Tx) error {
		if err := s.insertCarrier(ctx, tx, c); err != nil {
			return err
		}
		return bumpConfig(ctx, tx)
	})
	if err != nil {
		return fmt.Errorf("store: create carrier %q: %w", c.Name, err)
	}
	return nil
}

func (s *Store) insertCarrier(ctx context.Context, tx *sqlx.Tx, c *CarrierConfig) error {
	settings, err := json.Marshal(c)
	if err != nil {
		return err
	}
	now := s.now().UTC().Truncate(time.Microsecond)
	if _, err := tx.ExecContext(ctx, "INSERT INTO carrier_configs (name, settings, password, created_at, updated_at) VALUES (?, ?, ?, ?, ?)",
		c.Name, string(settings), s.sealText(c.Password), s.timeArg(now), s.timeArg(now)); err != nil {
		return err
	}
	c.CreatedAt, c.UpdatedAt = now, now
	return nil
}

// UpdateCarrierConfig replaces the settings (and the password) of the
// stored carrier c.Name; an unknown name is [ErrNotFound].
func (s *Store) UpdateCarrierConfig(ctx context.Context, c *CarrierConfig) error {
	if err := checkCarrier(c); err != nil {
		return err
	}
	settings, err := json.Marshal(c)
	if err != nil {
		return fmt.Errorf("store: update carrier %q: %w", c.Name, err)
	}
	now := s.now().UTC().Truncate(time.Microsecond)
	err = s.configTx(ctx, func(tx *sqlx.Tx) error {
		res, err := tx.ExecContext(ctx, "UPDATE carrier_configs SET settings = ?, password = ?, updated_at = ? WHERE name = ?",
			string(settings), s.sealText(c.Password), s.timeArg(now), c.Name)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			// MySQL counts changed rows: tell "same values" from "absent".
			var one int
			if err := tx.GetContext(ctx, &one, "SELECT 1 FROM carrier_configs WHERE name = ?", c.Name); err != nil {
				return err
			}
		}
		return bumpConfig(ctx, tx)
	})
	if err != nil {
		return fmt.Errorf("store: update carrier %q: %w", c.Name, err)
	}
	c.UpdatedAt = now
	return nil
}

// DeleteCarrierConfig deletes the stored carrier name. A carrier that a
// route still names is [ErrReferenced]; an unknown one [ErrNotFound].
func (s *Store) DeleteCarrierConfig(ctx context.Context, name string) error {
	err := s.configTx(ctx, func(tx *sqlx.Tx) error {
		var plans []struct {
			AccountID int64  `db:"account_id"`
			Prefix    string `db:"prefix"`
			Choices   string `db:"choices"`
		}
		if err := tx.SelectContext(ctx, &plans, "SELECT account_id, prefix, choices FROM routes"); err != nil {
			return err
		}
		for _, p := range plans {
			var cs []RouteChoice
			if err := json.Unmarshal([]byte(p.Choices), &cs); err != nil {
				return err
			}
			for _, c := range cs {
				if c.Carrier == name {
					return fmt.Errorf("%w: the route %q of plan %d names it", ErrReferenced, p.Prefix, p.AccountID)
				}
			}
		}
		res, err := tx.ExecContext(ctx, "DELETE FROM carrier_configs WHERE name = ?", name)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return ErrNotFound
		}
		return bumpConfig(ctx, tx)
	})
	if err != nil {
		return fmt.Errorf("store: delete carrier %q: %w", name, err)
	}
	return nil
}

// ListRouteConfigs returns every stored route: the default plan's
// (account 0) first, then each account's, each plan in its stored order.
func (s *Store) ListRouteConfigs(ctx context.Context) ([]RouteConfig, error) {
	return s.listRoutes(ctx, "SELECT account_id, prefix, choices, least_cost, sender_tps FROM routes ORDER BY account_id, position")
}

// RouteConfigsOf returns the stored routes of one plan (0: the default).
func (s *Store) RouteConfigsOf(ctx context.Context, accountID int64) ([]RouteConfig, error) {
	return s.listRoutes(ctx, "SELECT account_id, prefix, choices, least_cost, sender_tps FROM routes WHERE account_id = ? ORDER BY position", accountID)
}

func (s *Store) listRoutes(ctx context.Context, q string, args ...any) ([]RouteConfig, error) {
	var rows []struct {
		AccountID int64   `db:"account_id"`
		Prefix    string  `db:"prefix"`
		Choices   string  `db:"choices"`
		LeastCost bool    `db:"least_cost"`
		SenderTPS float64 `db:"sender_tps"`
	}
	if err := s.r.SelectContext(ctx, &rows, q, args...); err != nil {
		return nil, fmt.Errorf("store: list routes: %w", mapErr(err))
	}
	out := make([]RouteConfig, 0, len(rows))
	for _, r := range rows {
		rc := RouteConfig{AccountID: r.AccountID, Prefix: r.Prefix, LeastCost: r.LeastCost, SenderTPS: r.SenderTPS}
		if err := json.Unmarshal([]byte(r.Choices), &rc.Choices); err != nil {
			return nil, fmt.Errorf("store: route %q of plan %d: %w", r.Prefix, r.AccountID, err)
		}
		out = append(out, rc)
	}
	return out, nil
}

// ReplaceRoutes replaces the plan of accountID (0: the default plan) by
// routes, in one transaction. Every carrier a route names must be stored
// ([ErrInvalid] otherwise); prefixes are at most 15 digits ("" matches
// every destination), once each.
func (s *Store) ReplaceRoutes(ctx context.Context, accountID int64, routes []RouteConfig) error {
	if len(routes) > maxRoutesPerPlan {
		return fmt.Errorf("%w: %d routes, at most %d per plan", ErrInvalid, len(routes), maxRoutesPerPlan)
	}
	err := s.configTx(ctx, func(tx *sqlx.Tx) error {
		var names []string
		if err := tx.SelectContext(ctx, &names, "SELECT name FROM carrier_configs"); err != nil {
			return err
		}
		known := make(map[string]bool, len(names))
		for _, n := range names {
			known[n] = true
		}
		for _, r := range routes {
			for _, c := range r.Choices {
				if !known[c.Carrier] {
					return fmt.Errorf("%w: route %q names unknown carrier %q", ErrInvalid, r.Prefix, c.Carrier)
				}
			}
		}
		if _, err := tx.ExecContext(ctx, "DELETE FROM routes WHERE account_id = ?", accountID); err != nil {
			return err
		}
		if err := s.writeRoutes(ctx, tx, accountID, routes); err != nil {
			return err
		}
		return bumpConfig(ctx, tx)
	})
	if err != nil {
		return fmt.Errorf("store: replace routes of plan %d: %w", accountID, err)
	}
	return nil
}

// writeRoutes inserts the routes of one plan.
func (s *Store) writeRoutes(ctx context.Context, tx *sqlx.Tx, accountID int64, routes []RouteConfig) error {
	seen := make(map[string]bool, len(routes))
	for i, r := range routes {
		if (r.Prefix != "" && !ValidPrefix(r.Prefix)) || seen[r.Prefix] || len(r.Choices) == 0 || len(r.Choices) > maxRouteChoices {
			return fmt.Errorf("%w: route %q: a prefix of up to 15 digits, once per plan, with 1 to %d carriers", ErrInvalid, r.Prefix, maxRouteChoices)
		}
		seen[r.Prefix] = true
		choices, err := json.Marshal(r.Choices)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, "INSERT INTO routes (account_id, prefix, position, choices, least_cost, sender_tps) VALUES (?, ?, ?, ?, ?, ?)",
			accountID, r.Prefix, i, string(choices), r.LeastCost, r.SenderTPS); err != nil {
			return err
		}
	}
	return nil
}

// bumpConfig grows the configuration version inside tx.
func bumpConfig(ctx context.Context, tx *sqlx.Tx) error {
	_, err := tx.ExecContext(ctx, "UPDATE config_state SET version = version + 1 WHERE id = 1")
	return err
}

// configTx runs f in a write transaction, committing when it returns nil.
// Errors are mapped to the store's sentinels.
func (s *Store) configTx(ctx context.Context, f func(tx *sqlx.Tx) error) error {
	tx, err := s.w.BeginTxx(ctx, nil)
	if err != nil {
		return mapErr(err)
	}
	if err := f(tx); err != nil {
		_ = tx.Rollback()
		if errors.Is(err, ErrInvalid) || errors.Is(err, ErrReferenced) || errors.Is(err, ErrNotFound) {
			return err
		}
		return mapErr(err)
	}
	if err := tx.Commit(); err != nil {
		return mapErr(err)
	}
	return nil
}

// ListBuyRates returns every stored buy rate, by carrier, prefix and
// start.
func (s *Store) ListBuyRates(ctx context.Context) ([]BuyRate, error) {
	var rows []struct {
		Carrier   string `db:"carrier"`
		Prefix    string `db:"prefix"`
		Price     int64  `db:"price_micros"`
		Currency  string `db:"currency"`
		ValidFrom dbTime `db:"valid_from"`
		ValidTo   dbTime `db:"valid_to"`
	}
	if err := s.r.SelectContext(ctx, &rows, qLoadBuyRates); err != nil {
		return nil, fmt.Errorf("store: list buy rates: %w", mapErr(err))
	}
	out := make([]BuyRate, 0, len(rows))
	for _, r := range rows {
		out = append(out, BuyRate{Carrier: r.Carrier, Prefix: r.Prefix, PriceMicros: r.Price, Currency: r.Currency,
			ValidFrom: r.ValidFrom.Time, ValidTo: r.ValidTo.Time})
	}
	return out, nil
}

// DeleteBuyRate deletes the buy rate of carrier for prefix starting at
// validFrom (to the microsecond); none is [ErrNotFound].
func (s *Store) DeleteBuyRate(ctx context.Context, carrier, prefix string, validFrom time.Time) error {
	err := s.configTx(ctx, func(tx *sqlx.Tx) error {
		res, err := tx.ExecContext(ctx, "DELETE FROM billing_buy_rates WHERE carrier = ? AND prefix = ? AND valid_from = ?",
			carrier, prefix, s.timeArg(validFrom.UTC().Truncate(time.Microsecond)))
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return ErrNotFound
		}
		return bumpConfig(ctx, tx)
	})
	if err != nil {
		return fmt.Errorf("store: delete buy rate %s/%s: %w", carrier, prefix, err)
	}
	return nil
}
