package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/gallant-sms/gallant/store"
	"github.com/gallant-sms/gallant/store/storetest"
)

// TestAdminRotateKey: `gallant admin rotate-key` seals what key 1 (and
// no key) left under key 2, the first of secrets.key, after which a
// configuration with key 2 alone reads every secret.
func TestAdminRotateKey(t *testing.T) {
	for _, driver := range storetest.Drivers {
		t.Run(driver, func(t *testing.T) {
			f := newAdminFixture(t, driver)
			if _, err := f.run("rotate-key"); err == nil || !strings.Contains(err.Error(), "no secrets key") {
				t.Fatalf("rotate-key without a key: %v", err)
			}
			const k1 = "1:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="
			const k2 = "2:ICEiIyQlJicoKSorLC0uLzAxMjM0NTY3ODk6Ozw9Pj8="
			var acct struct {
				ID     int64  `json:"account_id"`
				Secret string `json:"webhook_secret"`
			}
			f.cfg.Secrets.Key = k1
			out, err := f.run("account", "create", "--name", "Sealed")
			if err != nil {
				t.Fatal(err)
			}
			if err := json.Unmarshal([]byte(out), &acct); err != nil || acct.ID == 0 || acct.Secret == "" {
				t.Fatalf("account create: %q, %v", out, err)
			}
			secret := acct.Secret // sealed under key 1 by account create
			f.cfg.Secrets.Key = k2 + "," + k1
			var rep []store.ResealProgress
			f.ok(&rep, "rotate-key", "--batch", "10")
			var accounts int64 = -1
			for _, p := range rep {
				if p.Table == "accounts" {
					accounts = p.Resealed
				}
			}
			if len(rep) != 5 || accounts != 1 {
				t.Fatalf("report %+v: want five tables and the one secret resealed", rep)
			}
			f.cfg.Secrets.Key = k2
			if a, err := f.store().GetAccount(t.Context(), acct.ID); err != nil || a.WebhookSecret != secret {
				t.Fatalf("with key 2 alone: %+v, %v", a, err)
			}
		})
	}
}
