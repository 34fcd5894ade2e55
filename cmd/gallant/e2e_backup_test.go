package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"maps"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gallant-sms/gallant/sms"
	"github.com/gallant-sms/gallant/store"
	"github.com/gallant-sms/gallant/store/storetest"
)

// backupPrice is what one message costs in TestE2EBackupUnderLoad.
const backupPrice = 10_000

// runGallant runs the binary with args, without the test's GALLANT_
// variables, and returns its exit code, stdout and stderr.
func runGallant(t *testing.T, bin string, args ...string) (int, string, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "GALLANT_") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	if ee := (*exec.ExitError)(nil); err != nil && !errors.As(err, &ee) {
		t.Fatalf("gallant %v: %v", args, err)
	}
	return cmd.ProcessState.ExitCode(), out.String(), errb.String()
}

// writeJSONConfig writes cfg as the binary's configuration file.
func writeJSONConfig(t *testing.T, path string, cfg map[string]any) {
	t.Helper()
	b, err := json.Marshal(cfg) // JSON is YAML
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
}

// TestE2EBackupUnderLoad: `gallant backup` copies the SQLite store of a
// running `gallant serve` under SMPP load, with billing on, without
// stopping it; `gallant restore` installs the copy in a new directory;
// the copy holds every message acknowledged before the backup began,
// with its account and text, and books that balance: the ledger sums to
// the balance and the credit held, every charge is of a message in the
// copy at its price, and none is charged twice. `gallant serve` then runs
// on the restored store and answers for those messages. Backups refuse
// an existing file, and MySQL stores are sent to their own tools.
func TestE2EBackupUnderLoad(t *testing.T) {
	bin := buildGallant(t)
	env := newDurabilityEnv(t, storetest.SQLite)
	ctx := testContext(t)

	st, err := store.Open(ctx, env.scfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	plan := &store.PricePlan{Name: "standard", Currency: "EUR", Default: true, ValidFrom: time.Now().Add(-time.Hour),
		Prices: []store.PlanPrice{{Prefix: "44", PriceMicros: backupPrice}}}
	if err := st.CreatePricePlan(ctx, plan); err != nil {
		t.Fatal(err)
	}
	if err := st.CreateBillingAccount(ctx, &store.BillingAccount{AccountID: env.cust.AccountID, Currency: "EUR"}); err != nil {
		t.Fatal(err)
	}
	if err := st.PostBalance(ctx, &store.LedgerEntry{AccountID: env.cust.AccountID, Kind: store.LedgerTopUp,
		Amount: 1_000_000_000, Reason: "test top-up"}); err != nil {
		t.Fatal(err)
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	var cfg map[string]any
	b, err := os.ReadFile(env.cfgPath)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &cfg); err != nil {
		t.Fatal(err)
	}
	cfg["billing"] = map[string]any{"enabled": true}
	writeJSONConfig(t, env.cfgPath, cfg)

	p := startGallant(t, bin, env.cfgPath)
	l := startLoad(t, p.smppAddr, env.cust, 8)
	l.waitAcked(t, 500)
	l.mu.Lock()
	before := maps.Clone(l.acked)
	l.mu.Unlock()

	dir := t.TempDir()
	out := filepath.Join(dir, "gallant.db.gz")
	start := time.Now()
	code, stdout, stderr := runGallant(t, bin, "backup", "--config", env.cfgPath, "--out", out)
	took := time.Since(start)
	if code != 0 {
		t.Fatalf("backup: exit %d\n%s%s", code, stdout, stderr)
	}
	var binfo store.BackupInfo
	if err := json.Unmarshal([]byte(stdout), &binfo); err != nil || binfo.Path != out || binfo.Bytes <= 0 {
		t.Fatalf("backup printed %q (%v)", stdout, err)
	}
	// The gateway kept acknowledging during and after the backup.
	l.waitAcked(t, len(before)+300)
	acked := l.finish()
	t.Logf("backup of a %d-byte store under load in %v (snapshot %v); %d messages acknowledged before it, %d in all",
		binfo.DatabaseBytes, took, binfo.Snapshot, len(before), len(acked))

	if code, _, stderr := runGallant(t, bin, "backup", "--config", env.cfgPath, "--out", out); code != 1 || !strings.Contains(stderr, "--force") {
		t.Fatalf("backup over an existing file: exit %d, %s", code, stderr)
	}
	p.stop(t, 30*time.Second)

	restored := filepath.Join(t.TempDir(), "restored")
	code, stdout, stderr = runGallant(t, bin, "restore", "--from", out, "--data", restored)
	if code != 0 {
		t.Fatalf("restore: exit %d\n%s%s", code, stdout, stderr)
	}
	var rinfo store.RestoreInfo
	if err := json.Unmarshal([]byte(stdout), &rinfo); err != nil || rinfo.SchemaVersion != binfo.SchemaVersion {
		t.Fatalf("restore printed %q (%v); backup schema %d", stdout, err, binfo.SchemaVersion)
	}
	if code, _, stderr := runGallant(t, bin, "restore", "--from", out, "--data", restored); code != 1 || !strings.Contains(stderr, "--force") {
		t.Fatalf("restore over a database: exit %d, %s", code, stderr)
	}

	rcfg := store.Config{Driver: store.DriverSQLite, DSN: filepath.Join(restored, "gallant.db")}
	rst := storetest.OpenConfig(t, rcfg)
	for text, sid := range before {
		id, err := sms.ParseID(sid)
		if err != nil {
			t.Fatal(err)
		}
		m, _, err := rst.GetMessage(ctx, env.cust.AccountID, id)
		if err != nil {
			t.Fatalf("message %s (%q), acknowledged before the backup: %v", sid, text, err)
		}
		if string(m.Body) != text || m.AccountID != env.cust.AccountID || m.Price != backupPrice {
			t.Fatalf("message %s restored as account %d, text %q, price %d; want %d, %q, %d",
				sid, m.AccountID, m.Body, m.Price, env.cust.AccountID, text, backupPrice)
		}
	}
	checkRestoredBooks(t, rcfg, env.cust.AccountID)

	// The restored store serves: a gateway starts on it and answers for a
	// message acknowledged before the backup.
	cfg["store"] = map[string]any{"driver": "sqlite", "dsn": rcfg.DSN, "node_lease_ttl": "3s"}
	rpath := filepath.Join(t.TempDir(), "restored.yaml")
	writeJSONConfig(t, rpath, cfg)
	p2 := startGallant(t, bin, rpath)
	for _, sid := range before {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, p2.httpURL+"/v1/messages/"+sid, nil)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Authorization", "Bearer "+env.cust.APIKey)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("GET /v1/messages/%s on the restored gateway: %d", sid, resp.StatusCode)
		}
		break
	}
	p2.stop(t, 30*time.Second)

	// A MySQL store is backed up with its own tools: the command says so.
	mcfg := map[string]any{"store": map[string]any{"driver": "mysql", "dsn": "gallant:pw@tcp(127.0.0.1:1)/gallant"}}
	mpath := filepath.Join(t.TempDir(), "mysql.yaml")
	writeJSONConfig(t, mpath, mcfg)
	if code, _, stderr := runGallant(t, bin, "backup", "--config", mpath, "--out", filepath.Join(dir, "m.db")); code != 1 ||
		!strings.Contains(stderr, "mariadb-dump --single-transaction") {
		t.Fatalf("backup of a MySQL store: exit %d, %s", code, stderr)
	}
}

// checkRestoredBooks checks account's books in the restored store: the
// credit held equals the ledger's holds and the open leases; the balance
// is the ledger's money less the charges and refunds of open leases
// (settled into it only when their lease is); every charge is of a
// message in the store, at its price, once.
func checkRestoredBooks(t *testing.T, cfg store.Config, account int64) {
	t.Helper()
	ctx := testContext(t)
	st := storetest.OpenConfig(t, cfg)
	a, err := st.GetBillingAccount(ctx, account)
	if err != nil {
		t.Fatal(err)
	}
	sum, hold, err := st.LedgerTotals(ctx, account)
	if err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("sqlite", cfg.DSN)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var leased, open, charges, orphans, mispriced, twice int64
	for q, v := range map[string]*int64{
		"SELECT COALESCE(SUM(amount), 0) FROM billing_leases WHERE account_id = ?": &leased,
		"SELECT COALESCE(SUM(l.amount), 0) FROM billing_ledger l JOIN billing_leases s ON s.id = l.lease_id " +
			"WHERE l.account_id = ? AND l.kind IN ('charge', 'refund')": &open,
		"SELECT COUNT(*) FROM billing_ledger WHERE account_id = ? AND kind = 'charge'": &charges,
		"SELECT COUNT(*) FROM billing_ledger l LEFT JOIN messages m ON m.id = l.message_id " +
			"WHERE l.account_id = ? AND l.kind = 'charge' AND m.id IS NULL": &orphans,
		"SELECT COUNT(*) FROM billing_ledger l JOIN messages m ON m.id = l.message_id " +
			"WHERE l.account_id = ? AND l.kind = 'charge' AND -l.amount <> m.price_micros": &mispriced,
		"SELECT COUNT(*) FROM (SELECT message_id FROM billing_ledger WHERE account_id = ? AND kind = 'charge' " +
			"GROUP BY message_id HAVING COUNT(*) > 1)": &twice,
	} {
		if err := db.QueryRowContext(ctx, q, account).Scan(v); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	if a.Held != hold || a.Held != leased {
		t.Errorf("held %d, ledger holds %d, open leases %d: want all equal", a.Held, hold, leased)
	}
	if a.Balance != sum-open {
		t.Errorf("balance %d, ledger money %d of which %d on open leases: want balance = %d", a.Balance, sum, open, sum-open)
	}
	if charges == 0 || orphans != 0 || mispriced != 0 || twice != 0 {
		t.Errorf("%d charges: %d of no message in the store, %d not at the message's price, %d messages charged twice",
			charges, orphans, mispriced, twice)
	}
	if -open > leased {
		t.Errorf("open leases hold %d but %d was charged from them", leased, -open)
	}
	t.Logf("restored books: balance %d, held %d, %d charges (%d on open leases)", a.Balance, a.Held, charges, -open)
}
