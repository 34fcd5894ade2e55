package config

import "testing"

func TestRuntimeMemoryLimit(t *testing.T) {
	noEnv := func(string) string { return "" }
	for _, c := range []struct {
		in   string
		env  string
		want int64
	}{
		{"", "", DefaultMemoryLimit},
		{"", "1GiB", 0}, // GOMEMLIMIT wins: the runtime applied it
		{"off", "", 0},
		{"512MiB", "", 512 << 20},
		{"2GiB", "", 2 << 30},
		{"64 KB", "", 64 << 10},
		{"1048576", "", 1 << 20},
	} {
		env := noEnv
		if c.env != "" {
			env = func(k string) string {
				if k == "GOMEMLIMIT" {
					return c.env
				}
				return ""
			}
		}
		got, err := RuntimeConfig{MemoryLimit: c.in}.MemoryLimitBytes(env)
		if err != nil || got != c.want {
			t.Errorf("%q (GOMEMLIMIT %q): %d, %v; want %d", c.in, c.env, got, err, c.want)
		}
	}
	for _, bad := range []string{"-1", "lots", "0", "1TiB", "12XB"} {
		if _, err := (RuntimeConfig{MemoryLimit: bad}).MemoryLimitBytes(noEnv); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
	cfg, err := Load("", []string{"GALLANT_RUNTIME_MEMORY_LIMIT=bogus"})
	if err == nil {
		t.Errorf("a bad runtime.memory_limit passed the config check: %+v", cfg.Runtime)
	}
}

func TestMaxInFlightConfig(t *testing.T) {
	cfg, err := Load("", []string{"GALLANT_MESSAGES_MAX_IN_FLIGHT=1000"})
	if err != nil || cfg.Messages.MaxInFlight != 1000 {
		t.Fatalf("max_in_flight %d, %v", cfg.Messages.MaxInFlight, err)
	}
	g, _, _, err := cfg.Gateway()
	if err != nil || g.MaxInFlight != 1000 {
		t.Fatalf("gateway config %d, %v", g.MaxInFlight, err)
	}
	if _, err := Load("", []string{"GALLANT_MESSAGES_MAX_IN_FLIGHT=-1"}); err == nil {
		t.Error("a negative max_in_flight accepted")
	}
}

func TestCustomerWindowConfig(t *testing.T) {
	cfg, err := Load("", []string{"GALLANT_SMPP_WINDOW=7", "GALLANT_SMPP_MAX_INBOUND=9"})
	if err != nil {
		t.Fatal(err)
	}
	g, _, _, err := cfg.Gateway()
	if err != nil || g.CustomerSession.Window != 7 || g.CustomerSession.MaxInbound != 9 {
		t.Fatalf("customer session %+v, %v", g.CustomerSession, err)
	}
	for _, bad := range []string{"GALLANT_SMPP_WINDOW=-1", "GALLANT_SMPP_MAX_INBOUND=-1"} {
		if _, err := Load("", []string{bad}); err == nil {
			t.Errorf("%s accepted", bad)
		}
	}
}
