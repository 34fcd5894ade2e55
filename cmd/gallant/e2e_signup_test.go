package main

import (
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/gallant-sms/gallant/internal/config"
	"github.com/gallant-sms/gallant/store"
	"github.com/gallant-sms/gallant/store/storetest"
)

// TestE2ESignupToFirstPaidMessage: the customer journey from nothing to a
// paid message, over the API only: register, verify the email from the
// mail, log in, find the balance empty (a send is refused as
// insufficient-balance), be topped up by the operator, make an API key
// from the dashboard session, send, and find the message delivered,
// charged exactly its price once, in the ledger and the month's
// statement.
func TestE2ESignupToFirstPaidMessage(t *testing.T) {
	t.Parallel()
	eachDriver(t, func(t *testing.T, driver string) {
		ctx := testContext(t)
		sink := newMailSink(t)
		host, port, _ := net.SplitHostPort(sink.ln.Addr().String())
		carrier := newCarrier(t, nil)
		cfg := testConfig(t, driver, carrier.Addr())
		cfg.Billing.Enabled = true
		cfg.Mail = config.MailConfig{SMTPHost: host, From: "noreply@gallant.test"}
		cfg.Mail.SMTPPort, _ = strconv.Atoi(port)
		cfg.Auth.TokenSecret = strings.Repeat("signup-", 6)
		cfg.Auth.OpenRegistration = true
		st := storetest.OpenConfig(t, store.Config{Driver: cfg.Store.Driver, DSN: cfg.Store.DSN})
		if err := st.CreatePricePlan(ctx, &store.PricePlan{Name: "list prices", Currency: "EUR", Default: true,
			ValidFrom: time.Now().Add(-time.Hour), Prices: []store.PlanPrice{{Prefix: "44", PriceMicros: 40_000}}}); err != nil {
			t.Fatal(err)
		}
		a := startApp(t, cfg)
		a.acc.SetPasswordCost(bcrypt.MinCost)
		_, adminKey := a.platformAdmin(t, "ops")

		const email, pw = "founder@startup.example", "a long enough password"
		r := a.do(t, http.MethodPost, "/v1/auth/register", "",
			jsonBody(t, map[string]string{"email": email, "password": pw, "account_name": "Startup Ltd"}))
		want(t, "register", r, http.StatusAccepted, "")
		want(t, "verify", a.do(t, http.MethodPost, "/v1/auth/verify-email", "",
			jsonBody(t, map[string]string{"token": sink.token(t, email)})), http.StatusOK, "")
		s := a.login(t, email, pw)
		session := s.AccessToken
		reg := struct{ AccountID string }{s.User.AccountID}

		msg := `{"to":"+447700900123","text":"our first message"}`
		want(t, "send before paying", a.do(t, http.MethodPost, "/v1/messages", session, msg),
			http.StatusPaymentRequired, "insufficient-balance")
		want(t, "operator tops up", a.do(t, http.MethodPost, "/v1/accounts/"+reg.AccountID+"/topups", adminKey,
			`{"amount":"5.00","reference":"bank transfer 1001"}`), http.StatusCreated, "")

		r = a.do(t, http.MethodPost, "/v1/accounts/"+reg.AccountID+"/keys", session, `{"name":"backend","scopes":["send","read"]}`)
		want(t, "key from the dashboard", r, http.StatusCreated, "")
		var key struct {
			Key string `json:"key"`
		}
		r.json(t, &key)
		r = a.do(t, http.MethodPost, "/v1/messages", key.Key, msg)
		want(t, "first paid message", r, http.StatusAccepted, "")
		var ans struct {
			ID    string `json:"id"`
			Price int64  `json:"price"`
		}
		r.json(t, &ans)
		if ans.Price != 40_000 {
			t.Fatalf("price %d, want 40000 micros (0.04 EUR, one UK segment): %s", ans.Price, r.body)
		}
		a.waitStatus(t, key.Key, ans.ID, "delivered")

		// Charged once, in the ledger and on the month's statement.
		var ledger struct {
			Items []struct {
				Kind      string `json:"kind"`
				Amount    int64  `json:"amount"`
				MessageID string `json:"message_id"`
			} `json:"items"`
		}
		eventually(t, "the charge in the ledger", func() (bool, string) {
			r := a.do(t, http.MethodGet, "/v1/ledger", key.Key, "")
			r.json(t, &ledger)
			charged := 0
			for _, it := range ledger.Items {
				if it.Kind == "charge" && it.MessageID == ans.ID && it.Amount == -40_000 {
					charged++
				}
			}
			return charged == 1, string(r.body)
		})
		var bal struct {
			Available int64 `json:"available"`
		}
		br := a.do(t, http.MethodGet, "/v1/balance", session, "")
		br.json(t, &bal)
		if bal.Available != 5_000_000-40_000 {
			t.Fatalf("available %d, want %d: %s", bal.Available, 5_000_000-40_000, br.body)
		}
		var stmt struct {
			Charges int64 `json:"charges"`
			TopUps  int64 `json:"top_ups"`
		}
		month := time.Now().UTC().Format("2006-01")
		r = a.do(t, http.MethodGet, "/v1/accounts/"+reg.AccountID+"/statements/"+month, session, "")
		want(t, "statement", r, http.StatusOK, "")
		r.json(t, &stmt)
		if stmt.Charges != -40_000 && stmt.Charges != 40_000 {
			t.Fatalf("statement charges %d, want the one 0.04 charge: %s", stmt.Charges, r.body)
		}
	})
}

// TestE2EClosedRegistration: self sign-up is closed by default (403,
// nothing created; logins still work); auth.closed_registration, the key
// open_registration replaced, is refused with a message saying so.
func TestE2EClosedRegistration(t *testing.T) {
	t.Parallel()
	cfg, err := config.Load("", []string{"GALLANT_AUTH_OPEN_REGISTRATION=true"})
	if err != nil || !cfg.Auth.OpenRegistration {
		t.Fatalf("GALLANT_AUTH_OPEN_REGISTRATION: %v, %v", cfg.Auth.OpenRegistration, err)
	}
	if cfg, err := config.Load("", nil); err != nil || cfg.Auth.OpenRegistration {
		t.Fatalf("default open_registration %v, %v; want false", cfg.Auth.OpenRegistration, err)
	}
	old := filepath.Join(t.TempDir(), "old.yaml")
	if err := os.WriteFile(old, []byte("auth:\n  closed_registration: false\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := config.Load(old, nil); err == nil || !strings.Contains(err.Error(), "open_registration") {
		t.Fatalf("closed_registration in YAML: %v, want a refusal naming open_registration", err)
	}
	carrier := newCarrier(t, nil)
	a := startApp(t, testConfig(t, "sqlite", carrier.Addr()))
	r := a.do(t, http.MethodPost, "/v1/auth/register", "",
		jsonBody(t, map[string]string{"email": "walk-in@example.com", "password": "a long enough password", "account_name": "Walk-in"}))
	want(t, "register when closed", r, http.StatusForbidden, "forbidden")
	if _, err := a.st.UserByEmail(testContext(t), "walk-in@example.com"); err == nil {
		t.Fatal("a refused sign-up created its user")
	}
}

// TestE2EChargesByEncoding: each message is charged per segment exactly
// as a handset counts them: GSM 7-bit 160/153, an extension character
// two septets, UCS-2 70/67; the ledger holds one charge per message of
// exactly its price.
func TestE2EChargesByEncoding(t *testing.T) {
	t.Parallel()
	eachDriver(t, func(t *testing.T, driver string) {
		ctx := testContext(t)
		carrier := newCarrier(t, nil)
		cfg := testConfig(t, driver, carrier.Addr())
		cfg.Billing.Enabled = true
		st := storetest.OpenConfig(t, store.Config{Driver: cfg.Store.Driver, DSN: cfg.Store.DSN})
		if err := st.CreatePricePlan(ctx, &store.PricePlan{Name: "uk", Currency: "EUR", Default: true,
			ValidFrom: time.Now().Add(-time.Hour), Prices: []store.PlanPrice{{Prefix: "44", PriceMicros: 10_000}}}); err != nil {
			t.Fatal(err)
		}
		a := startApp(t, cfg)
		c := a.customer(t, "Counter", "")
		if err := a.st.CreateBillingAccount(ctx, &store.BillingAccount{AccountID: c.AccountID, Currency: "EUR"}); err != nil {
			t.Fatal(err)
		}
		if err := a.st.PostBalance(ctx, &store.LedgerEntry{AccountID: c.AccountID, Kind: store.LedgerTopUp,
			Amount: 10_000_000, Reason: "test"}); err != nil {
			t.Fatal(err)
		}
		for _, tc := range []struct {
			name, text, encoding string
			segments             int
		}{
			{"gsm 160", strings.Repeat("a", 160), "gsm7", 1},
			{"gsm 161", strings.Repeat("a", 161), "gsm7", 2},
			{"gsm 306", strings.Repeat("a", 306), "gsm7", 2},
			{"gsm 307", strings.Repeat("a", 307), "gsm7", 3},
			{"euro 80", strings.Repeat("€", 80), "gsm7", 1}, // 160 septets
			{"euro 81", strings.Repeat("€", 81), "gsm7", 2},
			{"ucs2 70", strings.Repeat("Ж", 70), "ucs2", 1},
			{"ucs2 71", strings.Repeat("Ж", 71), "ucs2", 2},
			{"ucs2 134", strings.Repeat("Ж", 134), "ucs2", 2},
			{"ucs2 135", strings.Repeat("Ж", 135), "ucs2", 3},
		} {
			r := a.do(t, http.MethodPost, "/v1/messages", c.APIKey, jsonBody(t, map[string]string{"to": "+447700900123", "text": tc.text}))
			var ans struct {
				ID       string `json:"id"`
				Segments int    `json:"segments"`
				Encoding string `json:"encoding"`
				Price    int64  `json:"price"`
			}
			if r.status != http.StatusAccepted {
				t.Fatalf("%s: %d %s", tc.name, r.status, r.body)
			}
			r.json(t, &ans)
			if ans.Segments != tc.segments || ans.Encoding != tc.encoding || ans.Price != int64(tc.segments)*10_000 {
				t.Errorf("%s: %d segments %s price %d; want %d %s %d", tc.name, ans.Segments, ans.Encoding, ans.Price,
					tc.segments, tc.encoding, tc.segments*10_000)
			}
			eventually(t, "the charge of "+tc.name, func() (bool, string) {
				var led struct {
					Items []struct {
						Kind      string `json:"kind"`
						Amount    int64  `json:"amount"`
						MessageID string `json:"message_id"`
					} `json:"items"`
				}
				lr := a.do(t, http.MethodGet, "/v1/ledger?limit=500", c.APIKey, "")
				lr.json(t, &led)
				var sum int64
				n := 0
				for _, it := range led.Items {
					if it.Kind == "charge" && it.MessageID == ans.ID {
						sum += it.Amount
						n++
					}
				}
				return n == 1 && sum == -ans.Price, fmt.Sprintf("%d charges summing %d", n, sum)
			})
		}
	})
}
