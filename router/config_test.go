package router

import (
	"math"
	"strings"
	"testing"
	"time"
)

func TestValidate(t *testing.T) {
	a := newFakeSender("a", 0, 0)
	good := func() Config {
		return Config{
			Carriers: []Carrier{carrierCfg("A", 100, 0, a), carrierCfg("B", 0, 10, a)},
			Routes: []Route{
				{Prefix: "", Carriers: []Choice{{Carrier: "A"}}},
				{Prefix: "+44", Carriers: []Choice{{Carrier: "A", Weight: 2}, {Carrier: "B", Priority: 1}}},
			},
			AccountRoutes: map[int64][]Route{7: {{Prefix: "1", Carriers: []Choice{{Carrier: "B"}}}}},
		}
	}
	if err := func() *Config { c := good(); return &c }().Validate(); err != nil {
		t.Fatalf("good config: %v", err)
	}
	cases := []struct {
		name string
		edit func(*Config)
		want string
	}{
		{"empty carrier name", func(c *Config) { c.Carriers[1].Name = "" }, "empty name"},
		{"duplicate carrier", func(c *Config) { c.Carriers[1].Name = "A" }, `carrier "A": defined twice`},
		{"negative tps", func(c *Config) { c.Carriers[0].TPS = -1 }, "tps -1"},
		{"NaN tps", func(c *Config) { c.Carriers[0].TPS = math.NaN() }, "tps NaN"},
		{"negative queue", func(c *Config) { c.Carriers[0].QueueSize = -5 }, "queue size -5"},
		{"no binds", func(c *Config) { c.Carriers[0].Binds = nil }, `carrier "A": no binds`},
		{"nil bind", func(c *Config) { c.Carriers[0].Binds = []Sender{nil} }, "bind 0 is nil"},
		{"unknown carrier", func(c *Config) { c.Routes[0].Carriers[0].Carrier = "Z" }, `unknown carrier "Z"`},
		{"duplicate prefix", func(c *Config) { c.Routes = append(c.Routes, Route{Prefix: "44", Carriers: []Choice{{Carrier: "A"}}}) }, `prefix "44" listed twice`},
		{"letters in prefix", func(c *Config) { c.Routes[1].Prefix = "44a" }, `prefix "44a" is not`},
		{"long prefix", func(c *Config) { c.Routes[1].Prefix = strings.Repeat("1", 16) }, "is not up to 15"},
		{"no carriers", func(c *Config) { c.Routes[0].Carriers = nil }, "has no carriers"},
		{"carrier twice", func(c *Config) { c.Routes[0].Carriers = []Choice{{Carrier: "A"}, {Carrier: "A"}} }, `lists carrier "A" twice`},
		{"negative weight", func(c *Config) { c.Routes[0].Carriers[0].Weight = -1 }, "negative weight"},
		{"account plan", func(c *Config) { c.AccountRoutes[7][0].Carriers[0].Carrier = "Q" }, `account 7 plan: prefix "1" names unknown carrier "Q"`},
		{"too many shards", func(c *Config) { c.Shards = 5000 }, "shards 5000"},
		{"negative attempts", func(c *Config) { c.MaxAttempts = -1 }, "max attempts"},
		{"negative duration", func(c *Config) { c.BindPoll = -time.Second }, "negative"},
		{"backoff order", func(c *Config) { c.BackoffMin, c.BackoffMax = time.Minute, time.Second }, "backoff min"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := good()
			tc.edit(&c)
			err := c.Validate()
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Validate() = %v, want an error containing %q", err, tc.want)
			}
			if _, err := New(c, &nopRecorder{}, nil, nil); err == nil {
				t.Fatal("New accepted the config")
			}
		})
	}
	t.Run("several problems reported together", func(t *testing.T) {
		c := good()
		c.Carriers[0].TPS = -1
		c.Routes[0].Carriers[0].Carrier = "Z"
		err := c.Validate()
		if err == nil || !strings.Contains(err.Error(), "tps -1") || !strings.Contains(err.Error(), `"Z"`) {
			t.Fatalf("Validate() = %v, want both problems", err)
		}
	})
	if _, err := New(good(), nil, nil, nil); err == nil {
		t.Fatal("New accepted a nil Recorder")
	}
}

func TestDefaults(t *testing.T) {
	c := DefaultConfig()
	if c.MaxAttempts != 5 || c.BackoffMin != time.Second || c.BackoffMax != time.Minute ||
		c.ThrottlePause != time.Second || c.BindPoll != 100*time.Millisecond {
		t.Fatalf("DefaultConfig() = %+v", c)
	}
	for _, tc := range []struct {
		c    Carrier
		want int
	}{
		{Carrier{TPS: 0}, 10_000},
		{Carrier{TPS: 50}, 1000},
		{Carrier{TPS: 500}, 5000},
		{Carrier{TPS: 500, QueueSize: 7}, 7},
	} {
		if got := tc.c.queueSize(); got != tc.want {
			t.Errorf("queueSize(tps %v, size %d) = %d, want %d", tc.c.TPS, tc.c.QueueSize, got, tc.want)
		}
	}
}

func TestKindOf(t *testing.T) {
	cases := map[uint32]ErrorKind{0x58: Throttled, 0x14: Throttled, 0x08: Temporary, 0x64: Temporary, 0x0B: Permanent, 0x45: Permanent}
	for code, want := range cases {
		if got := KindOf(code); got != want {
			t.Errorf("KindOf(%#x) = %v, want %v", code, got, want)
		}
	}
	e := &SubmitError{Code: 0x58, Kind: Throttled}
	if got := e.Error(); got != "router: submit failed: throttled (command_status 0x58)" {
		t.Errorf("Error() = %q", got)
	}
	if k, c := classify(e); k != Throttled || c != 0x58 {
		t.Errorf("classify = %v, %#x", k, c)
	}
	if k, _ := classify(&SubmitError{}); k != Temporary {
		t.Errorf("zero kind classified as %v, want temporary", k)
	}
	if k, _ := classify(errExpired); k != Temporary {
		t.Errorf("plain error classified as %v, want temporary", k)
	}
	if ErrorKind(9).String() != "kind(9)" {
		t.Errorf("String of unknown kind = %q", ErrorKind(9).String())
	}
}
