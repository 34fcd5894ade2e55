package store

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/gallant-sms/gallant/sms"
)

// Two test keys (32 bytes each, base64 and hex).
const (
	testKey1 = "1:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="
	testKey2 = "2:202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f"
)

func mustKeyring(t *testing.T, spec string) *Keyring {
	t.Helper()
	k, err := ParseKeyring(spec)
	if err != nil || k == nil {
		t.Fatalf("ParseKeyring(%q) = %v, %v", spec, k, err)
	}
	return k
}

func TestParseKeyring(t *testing.T) {
	if k, err := ParseKeyring("  "); k != nil || err != nil {
		t.Fatalf("empty spec: %v, %v", k, err)
	}
	for _, bad := range []string{
		"nokey", // no id
		"0:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=", // id 0
		"70000:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=",
		"1:c2hvcnQ=",              // 5 bytes
		testKey1 + "," + testKey1, // id twice
		"x:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=",
	} {
		if _, err := ParseKeyring(bad); err == nil {
			t.Errorf("ParseKeyring(%q) accepted", bad)
		} else if strings.Contains(err.Error(), "AAECAw") {
			t.Errorf("the error repeats the key: %v", err)
		}
	}
	k := mustKeyring(t, testKey2+", "+testKey1)
	if k.Current() != 2 {
		t.Fatalf("current key %d, want the first listed (2)", k.Current())
	}
}

func TestKeyringSealOpen(t *testing.T) {
	k1 := mustKeyring(t, testKey1)
	both := mustKeyring(t, testKey2+","+testKey1)
	plain := []byte("Your code is 424242")

	a, b := k1.Seal(plain), k1.Seal(plain)
	if bytes.Equal(a, b) {
		t.Fatal("two seals of one value are equal: the nonce repeats")
	}
	if bytes.Contains(a, []byte("424242")) || len(a) != len(plain)+sealOverhead {
		t.Fatalf("sealed %q (%d bytes)", a, len(a))
	}
	if id, ok := KeyOf(a); !ok || id != 1 {
		t.Fatalf("KeyOf = %d, %v", id, ok)
	}
	for _, k := range []*Keyring{k1, both} {
		got, err := k.Open(a)
		if err != nil || !bytes.Equal(got, plain) {
			t.Fatalf("Open = %q, %v", got, err)
		}
	}
	// Sealed under key 2, which k1 lacks; nil keyring; tampering.
	c := both.Seal(plain)
	if _, err := k1.Open(c); !errors.Is(err, ErrUnknownKey) {
		t.Fatalf("Open under a missing key: %v", err)
	}
	var none *Keyring
	if _, err := none.Open(c); !errors.Is(err, ErrUnknownKey) {
		t.Fatalf("nil keyring opened a sealed value: %v", err)
	}
	if got, err := none.Open(plain); err != nil || !bytes.Equal(got, plain) {
		t.Fatalf("nil keyring on clear text: %q, %v", got, err)
	}
	tampered := bytes.Clone(c)
	tampered[len(tampered)-1] ^= 1
	if got, _ := both.Open(tampered); bytes.Equal(got, plain) {
		t.Fatal("a tampered value opened to the plaintext")
	}
	// A binary body that merely starts like a sealed value is read as it is.
	odd := append(bytes.Clone(sealMagic), make([]byte, 40)...)
	odd[5] = 1
	if got, err := k1.Open(odd); err != nil || !bytes.Equal(got, odd) {
		t.Fatalf("look-alike: %q, %v", got, err)
	}

	s := both.SealText("whsec_abc")
	if !strings.HasPrefix(s, sealTextPrefix) || strings.Contains(s, "abc") {
		t.Fatalf("SealText = %q", s)
	}
	if got, err := both.OpenText(s); err != nil || got != "whsec_abc" {
		t.Fatalf("OpenText = %q, %v", got, err)
	}
	if _, err := k1.OpenText(s); !errors.Is(err, ErrUnknownKey) {
		t.Fatalf("OpenText under a missing key: %v", err)
	}
	if got, err := k1.OpenText("gs1:not-base64!"); err != nil || got != "gs1:not-base64!" {
		t.Fatalf("a clear secret starting with the prefix: %q, %v", got, err)
	}
}

// TestSealedAtRest: with a key, message and MO bodies, held receipts,
// queued webhooks, webhook secrets, carrier passwords and the privacy salt
// are sealed in the database and read back in clear; a store without the key cannot read them; rows written
// in clear before the key stay readable; Reseal moves everything to a new
// key (and seals the clear rows), after which the old key can go.
func TestSealedAtRest(t *testing.T) {
	forEachDialect(t, func(t *testing.T, driver string) {
		ctx := testCtx(t)
		cfg := testConfig(t, driver)
		clear := openTestStore(t, cfg)
		if _, err := clear.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		// Written before any key: in clear.
		old := testMessage(1, 5001)
		old.Body = []byte("written in clear 111")
		if err := clear.Insert(ctx, old); err != nil {
			t.Fatal(err)
		}
		oldCarrier := &CarrierConfig{Name: "old", Address: "127.0.0.1:2775", SystemID: "gw", Password: "clearpw777"}
		if err := clear.CreateCarrierConfig(ctx, oldCarrier); err != nil {
			t.Fatal(err)
		}

		keyed := cfg
		keyed.Keys = mustKeyring(t, testKey1)
		s := openTestStore(t, keyed)
		acct := &Account{Name: "Sealed", WebhookSecret: "whsec_secret_222"}
		if err := s.CreateAccount(ctx, acct); err != nil {
			t.Fatal(err)
		}
		m := testMessage(acct.ID, 5002)
		m.Body = []byte("your code 333333")
		mo := &sms.MO{ID: 5003, AccountID: acct.ID, Carrier: "c", Source: sms.Address{Addr: "447700900001"},
			Dest: sms.Address{Addr: "Shop"}, Body: []byte("reply 444444"), ReceivedAt: time.Now()}
		if err := s.Insert(ctx, m, mo); err != nil {
			t.Fatal(err)
		}
		if _, err := s.HoldReceipt(ctx, acct.ID, "sys", m.ID, []byte("id:5002 stat:DELIVRD text:555555"), time.Now().Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		if err := s.SaveWebhooks(ctx, []OutboxWebhook{{AccountID: acct.ID, MessageID: m.ID, URL: "https://example.com/h",
			Body: []byte(`{"text":"666666"}`)}}); err != nil {
			t.Fatal(err)
		}

		// A carrier password of the longest size fits its column sealed.
		longPW := strings.Repeat("p", maxCarrierSecret-3) + "888"
		if err := s.CreateCarrierConfig(ctx, &CarrierConfig{Name: "sealed", Address: "127.0.0.1:2775", SystemID: "gw",
			Password: longPW}); err != nil {
			t.Fatal(err)
		}
		upd := &CarrierConfig{Name: "old", Address: "127.0.0.1:2775", SystemID: "gw", Password: "updatedpw999"}
		if err := s.UpdateCarrierConfig(ctx, upd); err != nil {
			t.Fatal(err)
		}
		if err := clear.CreateCarrierConfig(ctx, &CarrierConfig{Name: "written-clear", Address: "127.0.0.1:2775",
			SystemID: "gw", Password: "clearpw777"}); err != nil {
			t.Fatal(err)
		}
		salt, err := s.PrivacySalt(ctx)
		if err != nil || len(salt) != privacySaltLen {
			t.Fatalf("PrivacySalt = %x, %v", salt, err)
		}

		secrets := []string{"333333", "444444", "555555", "666666", "whsec_secret_222", "888", "updatedpw999", string(salt)}
		rawHas := func(t *testing.T, needle string) bool {
			t.Helper()
			for _, c := range sealedColumns {
				var vals [][]byte
				if err := s.r.SelectContext(ctx, &vals, "SELECT "+c.column+" FROM "+c.table); err != nil {
					t.Fatal(err)
				}
				for _, v := range vals {
					if bytes.Contains(v, []byte(needle)) {
						return true
					}
				}
			}
			return false
		}
		for _, x := range secrets {
			if rawHas(t, x) {
				t.Errorf("%q is in the database in clear", x)
			}
		}
		if !rawHas(t, "written in clear 111") || !rawHas(t, "clearpw777") {
			t.Fatal("the rows written before the key are not as they were written")
		}

		// Read back in clear through the keyed store.
		got, _, err := s.GetMessage(ctx, acct.ID, m.ID)
		if err != nil || string(got.Body) != "your code 333333" {
			t.Fatalf("GetMessage = %+v, %v", got, err)
		}
		if got, _, err := s.GetMessage(ctx, 1, old.ID); err != nil || string(got.Body) != "written in clear 111" {
			t.Fatalf("the clear row: %+v, %v", got, err)
		}
		mos, _, err := s.ListMO(ctx, acct.ID, 0, 10)
		if err != nil || len(mos) != 1 || string(mos[0].Body) != "reply 444444" {
			t.Fatalf("ListMO = %+v, %v", mos, err)
		}
		held, err := s.HeldReceipts(ctx, acct.ID, "sys", 10)
		if err != nil || len(held) != 1 || !bytes.Contains(held[0].Payload, []byte("555555")) {
			t.Fatalf("HeldReceipts = %+v, %v", held, err)
		}
		claimed, err := s.ClaimHeldReceipts(ctx, acct.ID, "sys", "tok", time.Minute, 10)
		if err != nil || len(claimed) != 1 || !bytes.Contains(claimed[0].Payload, []byte("555555")) {
			t.Fatalf("ClaimHeldReceipts = %+v, %v", claimed, err)
		}
		hooks, err := s.ClaimWebhooks(ctx, "me", time.Minute, nil, 10)
		if err != nil || len(hooks) != 1 || string(hooks[0].Body) != `{"text":"666666"}` {
			t.Fatalf("ClaimWebhooks = %+v, %v", hooks, err)
		}
		if a, err := s.GetAccount(ctx, acct.ID); err != nil || a.WebhookSecret != "whsec_secret_222" {
			t.Fatalf("GetAccount = %+v, %v", a, err)
		}
		wantPW := map[string]string{"old": "updatedpw999", "sealed": longPW, "written-clear": "clearpw777"}
		checkCarriers := func(t *testing.T, st *Store) {
			t.Helper()
			cs, err := st.ListCarrierConfigs(ctx)
			if err != nil || len(cs) != len(wantPW) {
				t.Fatalf("ListCarrierConfigs = %+v, %v", cs, err)
			}
			for _, c := range cs {
				if c.Password != wantPW[c.Name] || c.SystemID != "gw" {
					t.Errorf("carrier %s: password %q, want %q", c.Name, c.Password, wantPW[c.Name])
				}
			}
			if c, err := st.CarrierConfigByName(ctx, "sealed"); err != nil || c.Password != longPW {
				t.Fatalf("CarrierConfigByName = %+v, %v", c, err)
			}
			if again, err := st.PrivacySalt(ctx); err != nil || !bytes.Equal(again, salt) {
				t.Fatalf("PrivacySalt read back %x, %v; want %x", again, err, salt)
			}
		}
		checkCarriers(t, s)

		// Without the key: a clear error, never the ciphertext as text.
		if _, _, err := clear.GetMessage(ctx, acct.ID, m.ID); !errors.Is(err, ErrUnknownKey) {
			t.Fatalf("GetMessage without the key: %v", err)
		}
		if _, err := clear.GetAccount(ctx, acct.ID); !errors.Is(err, ErrUnknownKey) {
			t.Fatalf("GetAccount without the key: %v", err)
		}
		if _, err := clear.CarrierConfigByName(ctx, "sealed"); !errors.Is(err, ErrUnknownKey) {
			t.Fatalf("CarrierConfigByName without the key: %v", err)
		}
		if _, err := clear.ListCarrierConfigs(ctx); !errors.Is(err, ErrUnknownKey) {
			t.Fatalf("ListCarrierConfigs without the key: %v", err)
		}
		if _, err := clear.PrivacySalt(ctx); !errors.Is(err, ErrUnknownKey) {
			t.Fatalf("PrivacySalt without the key: %v", err)
		}

		// Rotate: key 2 seals, key 1 still opens; Reseal moves every row.
		rotCfg := cfg
		rotCfg.Keys = mustKeyring(t, testKey2+","+testKey1)
		rot := openTestStore(t, rotCfg)
		var batches int
		rep, err := rot.Reseal(ctx, 1, 0, func(ResealProgress) { batches++ })
		if err != nil {
			t.Fatal(err)
		}
		resealed := map[string]int64{}
		for _, p := range rep {
			resealed[p.Table] = p.Resealed
		}
		// messages: the sealed one and the clear one; accounts: the one
		// secret; carriers: the three (one written in clear).
		want := map[string]int64{"messages": 2, "mo_messages": 1, "held_receipts": 1, "webhook_outbox": 1, "accounts": 1,
			"carrier_configs": 3, "privacy_keys": 1}
		for table, n := range want {
			if resealed[table] != n {
				t.Errorf("%s: %d resealed, want %d (%+v)", table, resealed[table], n, rep)
			}
		}
		if batches < 10 {
			t.Errorf("%d batches of one row, want at least one per row", batches)
		}
		if again, err := rot.Reseal(ctx, 100, 0, nil); err != nil {
			t.Fatal(err)
		} else {
			for _, p := range again {
				if p.Resealed != 0 {
					t.Errorf("a second Reseal resealed %d rows of %s", p.Resealed, p.Table)
				}
			}
		}
		if rawHas(t, "written in clear 111") || rawHas(t, "clearpw777") {
			t.Error("a clear row is still in clear after Reseal")
		}

		// Key 1 is gone: everything still reads.
		onlyCfg := cfg
		onlyCfg.Keys = mustKeyring(t, testKey2)
		only := openTestStore(t, onlyCfg)
		for id, body := range map[sms.ID]string{m.ID: "your code 333333"} {
			if got, _, err := only.GetMessage(ctx, acct.ID, id); err != nil || string(got.Body) != body {
				t.Fatalf("after rotation: %+v, %v", got, err)
			}
		}
		if got, _, err := only.GetMessage(ctx, 1, old.ID); err != nil || string(got.Body) != "written in clear 111" {
			t.Fatalf("the once-clear row after rotation: %+v, %v", got, err)
		}
		if a, err := only.GetAccount(ctx, acct.ID); err != nil || a.WebhookSecret != "whsec_secret_222" {
			t.Fatalf("secret after rotation: %+v, %v", a, err)
		}
		checkCarriers(t, only)
		if _, err := clear.Reseal(ctx, 10, 0, nil); !errors.Is(err, ErrNoKeys) {
			t.Fatalf("Reseal without a key: %v", err)
		}
	})
}

// TestEraseNumberSealed: erasing a number from a store that seals finds
// it inside sealed queued webhooks (which LIKE cannot), deletes them, and
// leaves the erased message's body empty and its number replaced.
func TestEraseNumberSealed(t *testing.T) {
	forEachDialect(t, func(t *testing.T, driver string) {
		ctx := testCtx(t)
		cfg := testConfig(t, driver)
		cfg.Keys = mustKeyring(t, testKey1)
		s := openTestStore(t, cfg)
		if _, err := s.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		const phone = "447700900777"
		m := testMessage(1, 6001)
		m.Dest.Addr, m.Body = phone, []byte("for the erased number")
		other := testMessage(1, 6002)
		other.Body = []byte("for someone else")
		if err := s.Insert(ctx, m, other); err != nil {
			t.Fatal(err)
		}
		if err := s.SaveWebhooks(ctx, []OutboxWebhook{
			{AccountID: 1, MessageID: m.ID, URL: "https://example.com/h", Body: []byte(`{"to":"` + phone + `"}`)},
			{AccountID: 1, MessageID: other.ID, URL: "https://example.com/h", Body: []byte(`{"to":"447700900000"}`)},
			{AccountID: 1, MessageID: m.ID, URL: "https://example.com/h", Body: []byte(`{"to":"` + phone + `","status":"delivered"}`)},
		}); err != nil {
			t.Fatal(err)
		}
		// Pages of one webhook, so the erasure reads several pages.
		defer func(n int) { outboxErasePage = n }(outboxErasePage)
		outboxErasePage = 1
		got, err := s.EraseNumber(ctx, 1, phone, "447*0123456789abcdef", 10)
		if err != nil {
			t.Fatal(err)
		}
		if got["webhook_outbox"] != 2 {
			t.Fatalf("erase counts %v: want the two queued webhooks naming the number", got)
		}
		if n := countRows(t, s, "webhook_outbox", ""); n != 1 {
			t.Fatalf("%d queued webhooks left, want the other one", n)
		}
		after, _, err := s.GetMessage(ctx, 1, m.ID)
		if err != nil || len(after.Body) != 0 || after.Dest.Addr == phone {
			t.Fatalf("erased message: %+v, %v", after, err)
		}
		if kept, _, err := s.GetMessage(ctx, 1, other.ID); err != nil || string(kept.Body) != "for someone else" {
			t.Fatalf("the other message: %+v, %v", kept, err)
		}
	})
}
