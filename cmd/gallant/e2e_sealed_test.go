package main

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"testing"

	"github.com/gallant-sms/gallant/sms"
	"github.com/gallant-sms/gallant/store"
	"github.com/gallant-sms/gallant/store/storetest"
)

// TestE2ESealedAtRest: with secrets.key set, a message posted over HTTP
// reaches the carrier in clear, its signed webhooks verify with the
// account's own secret, GET shows its text, and the database holds
// neither the text nor the secret in clear.
func TestE2ESealedAtRest(t *testing.T) {
	t.Parallel()
	eachDriver(t, func(t *testing.T, driver string) {
		c := newCarrier(t, nil)
		cfg := testConfig(t, driver, c.Addr())
		cfg.Secrets.Key = "7:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="
		a := startApp(t, cfg)
		h := newHooks(t)
		cust := a.customer(t, "Sealed", "whsec-sealed-own-secret")
		const text = "Sealed text 8675309"
		s := a.send(t, cust.APIKey, map[string]any{"to": "+447700900123", "from": "Acme", "text": text,
			"callback_url": h.URL + "/sealed"})
		eventually(t, "webhooks submitted and delivered", func() (bool, string) {
			got := statuses(h.of(s.ID))
			return got == "submitted,delivered", got
		})
		checkSigned(t, h.of(s.ID), "whsec-sealed-own-secret", testWebhookSecret)
		if subs := c.Submits(); len(subs) != 1 || string(subs[0].SM.ShortMessage) != text {
			t.Fatalf("carrier got %+v", subs)
		}
		if v := a.waitStatus(t, cust.APIKey, s.ID, "delivered"); v.Text != text {
			t.Fatalf("GET text %q", v.Text)
		}
		// The raw columns, read without the key.
		raw, err := store.Open(context.Background(), store.Config{Driver: cfg.Store.Driver, DSN: cfg.Store.DSN}, nil)
		if err != nil {
			t.Fatal(err)
		}
		defer raw.Close()
		if _, err := raw.GetAccount(context.Background(), cust.AccountID); !errors.Is(err, store.ErrUnknownKey) {
			t.Fatalf("the account without the key: %v", err)
		}
		id, err := sms.ParseID(s.ID)
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := raw.GetMessage(context.Background(), cust.AccountID, id); !errors.Is(err, store.ErrUnknownKey) {
			t.Fatalf("the message without the key: %v", err)
		}
		driverName := "mysql"
		if cfg.Store.Driver == storetest.SQLite {
			driverName = "sqlite"
		}
		db, err := sql.Open(driverName, cfg.Store.DSN)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		for _, q := range []string{"SELECT body FROM messages", "SELECT webhook_secret FROM accounts",
			"SELECT body FROM webhook_outbox", "SELECT payload FROM held_receipts"} {
			rows, err := db.Query(q)
			if err != nil {
				t.Fatal(err)
			}
			for rows.Next() {
				var v []byte
				if err := rows.Scan(&v); err != nil {
					t.Fatal(err)
				}
				if bytes.Contains(v, []byte("8675309")) || bytes.Contains(v, []byte("sealed-own-secret")) {
					t.Fatalf("%s: %q in clear", q, v)
				}
			}
			rows.Close()
		}
	})
}
