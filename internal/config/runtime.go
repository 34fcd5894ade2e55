package config

import (
	"fmt"
	"log/slog"
	"os"
	"runtime/debug"
	"strconv"
	"strings"
)

// RuntimeConfig tunes the Go runtime of serve and demo.
type RuntimeConfig struct {
	// MemoryLimit is a soft limit on the Go heap (runtime/debug
	// SetMemoryLimit) such as "256MiB" or "1GiB": the garbage collector
	// works harder as the heap nears it, instead of letting it grow to
	// twice the live data. Empty means 200MiB unless the GOMEMLIMIT
	// environment variable sets one; "off" sets none.
	MemoryLimit string `yaml:"memory_limit"`
}

// DefaultMemoryLimit keeps a saturated gateway under 300 MiB of resident
// memory with the default messages.max_in_flight (SQLite's own caches,
// about 80 MiB, come on top; see bench/RESULTS.md).
const DefaultMemoryLimit = 200 << 20

// parseByteSize parses "512", "64KiB", "256MiB", "1GiB" (also KB, MB, GB
// as powers of 1024, and B).
func parseByteSize(s string) (int64, error) {
	s = strings.TrimSpace(s)
	mult := int64(1)
	for _, u := range []struct {
		suffix string
		mult   int64
	}{{"KiB", 1 << 10}, {"MiB", 1 << 20}, {"GiB", 1 << 30}, {"KB", 1 << 10}, {"MB", 1 << 20}, {"GB", 1 << 30}, {"B", 1}} {
		if v, ok := strings.CutSuffix(s, u.suffix); ok {
			s, mult = strings.TrimSpace(v), u.mult
			break
		}
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n <= 0 || n > (1<<50)/mult {
		return 0, fmt.Errorf("size %q: want a positive number of bytes such as 256MiB", s)
	}
	return n * mult, nil
}

// MemoryLimitBytes returns the limit cfg asks for, 0 for none.
func (c RuntimeConfig) MemoryLimitBytes(env func(string) string) (int64, error) {
	switch strings.ToLower(strings.TrimSpace(c.MemoryLimit)) {
	case "off", "none":
		return 0, nil
	case "":
		if env("GOMEMLIMIT") != "" {
			return 0, nil // the runtime has read it already
		}
		return DefaultMemoryLimit, nil
	}
	n, err := parseByteSize(c.MemoryLimit)
	if err != nil {
		return 0, fmt.Errorf("config: runtime.memory_limit: %w", err)
	}
	return n, nil
}

// Apply sets the process-wide runtime limits of the section. Only serve
// and demo call it: tests run many apps in one process.
func (c RuntimeConfig) Apply(log *slog.Logger) error {
	n, err := c.MemoryLimitBytes(os.Getenv)
	if err != nil {
		return err
	}
	if n > 0 {
		debug.SetMemoryLimit(n)
		log.Info("memory limit", "bytes", n)
	}
	return nil
}
