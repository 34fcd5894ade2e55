package config

import (
	"strings"
	"testing"
	"time"

	"github.com/gallant-sms/gallant/gateway"
)

// TestMaxScheduleAhead: messages.max_schedule_ahead reaches the gateway,
// defaults to the gateway's own limit, and may not be negative.
func TestMaxScheduleAhead(t *testing.T) {
	cfg, err := Load(writeConfig(t, goodConfig), nil)
	if err != nil {
		t.Fatal(err)
	}
	g, _, _, err := cfg.Gateway()
	if err != nil {
		t.Fatal(err)
	}
	if g.MaxScheduleAhead != gateway.DefaultMaxScheduleAhead {
		t.Fatalf("default max_schedule_ahead %v, want %v", g.MaxScheduleAhead, gateway.DefaultMaxScheduleAhead)
	}
	cfg, err = Load(writeConfig(t, goodConfig), []string{"GALLANT_MESSAGES_MAX_SCHEDULE_AHEAD=96h"})
	if err != nil {
		t.Fatal(err)
	}
	if g, _, _, _ = cfg.Gateway(); g.MaxScheduleAhead != 96*time.Hour {
		t.Fatalf("max_schedule_ahead from the environment %v, want 96h", g.MaxScheduleAhead)
	}
	_, err = Load(writeConfig(t, goodConfig), []string{"GALLANT_MESSAGES_MAX_SCHEDULE_AHEAD=-1h"})
	if err == nil || !strings.Contains(err.Error(), "max_schedule_ahead") {
		t.Fatalf("negative max_schedule_ahead: %v, want an error naming it", err)
	}
}
