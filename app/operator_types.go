package app

import "time"

// CarriersView is the answer of GET /v1/operator/carriers: this
// instance's carriers at At.
type CarriersView struct {
	At time.Time `json:"at"`
	// RateWindowSeconds is how far back submits per second may be
	// measured from (the caller's earlier reads).
	RateWindowSeconds int           `json:"rate_window_seconds"`
	Carriers          []CarrierView `json:"carriers"`
}

// CarrierView is one carrier: its queue, its totals and its binds.
type CarrierView struct {
	Name string `json:"name"`
	// TPSLimit is the carrier's configured rate over all binds (0: none).
	TPSLimit float64 `json:"tps_limit"`
	// Queued segments wait for a bind; QueueCapacity is the most the
	// carrier takes; Reserved are assigned and not yet answered (queued,
	// awaiting a retry or in flight).
	Queued        int `json:"queued"`
	QueueCapacity int `json:"queue_capacity"`
	Reserved      int `json:"reserved"`
	// InFlight, Submitted and SubmitsPerSecond sum the binds'.
	InFlight         int        `json:"in_flight"`
	Submitted        uint64     `json:"submitted"`
	SubmitsPerSecond *float64   `json:"submits_per_second"`
	Binds            []BindView `json:"binds"`
}

// BindView is one carrier bind.
type BindView struct {
	Index int `json:"index"`
	// State is bound, connecting or down, since Since (null before the
	// bind's first change).
	State     string     `json:"state"`
	Since     *time.Time `json:"since"`
	LastError string     `json:"last_error,omitempty"`
	// Submitted counts the segments the carrier acknowledged on the bind
	// since the instance started; SubmitsPerSecond is their rate over
	// the last seconds, null until a second read measures it.
	Submitted        uint64   `json:"submitted"`
	SubmitsPerSecond *float64 `json:"submits_per_second"`
	// InFlight submits await the carrier's answer; Window is the most
	// there may be.
	InFlight int `json:"in_flight"`
	Window   int `json:"window"`
}

// RoutesView is the answer of GET /v1/operator/routes.
type RoutesView struct {
	// Routes is the default plan; AccountRoutes the accounts' own plans.
	Routes        []RouteView         `json:"routes"`
	AccountRoutes []AccountRoutesView `json:"account_routes"`
	// BuyRates are the carriers' rates in force, by carrier and prefix.
	BuyRates []BuyRateView `json:"buy_rates"`
}

// RouteView is one route: a destination prefix and its carriers.
type RouteView struct {
	Prefix    string         `json:"prefix"`
	LeastCost bool           `json:"least_cost"`
	SenderTPS float64        `json:"sender_tps"`
	Carriers  []RouteCarrier `json:"carriers"`
}

// RouteCarrier is one carrier choice of a route.
type RouteCarrier struct {
	Carrier  string `json:"carrier"`
	Priority int    `json:"priority"`
	Weight   int    `json:"weight"`
}

// AccountRoutesView is one account's own route plan.
type AccountRoutesView struct {
	AccountID string      `json:"account_id"`
	Routes    []RouteView `json:"routes"`
}

// BuyRateView is a carrier's price per segment to a prefix, in
// micro-units of Currency.
type BuyRateView struct {
	Carrier  string `json:"carrier"`
	Prefix   string `json:"prefix"`
	Price    int64  `json:"price"`
	Currency string `json:"currency"`
}
