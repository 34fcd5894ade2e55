package main

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/gallant-sms/gallant/store"
	"github.com/gallant-sms/gallant/store/storetest"
)

// TestAdminRotateKey: `gallant admin rotate-key` seals what key 1 (and
// no key) left under key 2, the first of secrets.key, after which a
// configuration with key 2 alone reads every secret: the account's
// webhook secret, the carriers' passwords and the privacy salt.
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
			f.cfg.Secrets.Key = ""
			clearCarrier := store.CarrierConfig{Name: "clear", Address: "127.0.0.1:2775", SystemID: "gw", Password: "pw-in-clear"}
			if err := f.store().CreateCarrierConfig(t.Context(), &clearCarrier); err != nil {
				t.Fatal(err)
			}
			f.cfg.Secrets.Key = k1
			sealed := store.CarrierConfig{Name: "sealed", Address: "127.0.0.1:2775", SystemID: "gw", Password: "pw-under-key-1"}
			if err := f.store().CreateCarrierConfig(t.Context(), &sealed); err != nil {
				t.Fatal(err)
			}
			salt, err := f.store().PrivacySalt(t.Context())
			if err != nil {
				t.Fatal(err)
			}
			f.cfg.Secrets.Key = k2 + "," + k1
			var rep []store.ResealProgress
			f.ok(&rep, "rotate-key", "--batch", "10")
			resealed := map[string]int64{}
			for _, p := range rep {
				resealed[p.Table] = p.Resealed
			}
			if len(rep) != 7 || resealed["accounts"] != 1 || resealed["carrier_configs"] != 2 || resealed["privacy_keys"] != 1 {
				t.Fatalf("report %+v: want seven tables, the one secret, the two carrier passwords and the salt resealed", rep)
			}
			f.cfg.Secrets.Key = k2
			st := f.store()
			if a, err := st.GetAccount(t.Context(), acct.ID); err != nil || a.WebhookSecret != secret {
				t.Fatalf("with key 2 alone: %+v, %v", a, err)
			}
			for name, pw := range map[string]string{"clear": "pw-in-clear", "sealed": "pw-under-key-1"} {
				if c, err := st.CarrierConfigByName(t.Context(), name); err != nil || c.Password != pw {
					t.Fatalf("carrier %s with key 2 alone: %+v, %v", name, c, err)
				}
			}
			if again, err := st.PrivacySalt(t.Context()); err != nil || !bytes.Equal(again, salt) {
				t.Fatalf("privacy salt with key 2 alone: %x, %v; want %x", again, err, salt)
			}
		})
	}
}
