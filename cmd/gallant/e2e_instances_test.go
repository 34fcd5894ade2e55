package main

// Several instances on one store, and restarts: each instance sends
// again only the unfinished messages of nodes nobody serves (see
// gateway/recovery.go), and a restarted gateway matches the receipts of
// what its previous life sent.

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gallant-sms/gallant/account"
	"github.com/gallant-sms/gallant/smpp"
	"github.com/gallant-sms/gallant/smpp/pdu"
	"github.com/gallant-sms/gallant/smpp/pdutext"
	"github.com/gallant-sms/gallant/smpp/smpptest"
	"github.com/gallant-sms/gallant/sms"
	"github.com/gallant-sms/gallant/store"
	"github.com/gallant-sms/gallant/store/storetest"
)

// twoInstanceMessages is how many messages TestE2ETwoInstancesNoResend
// sends; GALLANT_TEST_TWO_INSTANCE_MESSAGES overrides it.
func twoInstanceMessages(t *testing.T) int {
	n := 50_000
	if v := os.Getenv("GALLANT_TEST_TWO_INSTANCE_MESSAGES"); v != "" {
		var err error
		if n, err = strconv.Atoi(v); err != nil || n < 1000 {
			t.Fatalf("GALLANT_TEST_TWO_INSTANCE_MESSAGES=%q: want a count of at least 1000", v)
		}
	}
	return n - n%1000
}

// TestE2ETwoInstancesNoResend: a second gateway starts on the same MySQL
// database while the first sends 50,000 messages; the carrier receives
// each exactly once. (Before: the second instance's start sent again
// every message the first had not finished.)
func TestE2ETwoInstancesNoResend(t *testing.T) {
	t.Run(storetest.MySQL, func(t *testing.T) {
		n := twoInstanceMessages(t)
		var mu sync.Mutex
		count := make(map[string]int, n)
		total := 0
		c := newCarrier(t, func(_ int, sm *pdu.SubmitSM) pdu.Status {
			mu.Lock()
			count[string(sm.ShortMessage)]++
			total++
			mu.Unlock()
			return pdu.StatusOK
		})
		arrived := func() (distinct, all int) {
			mu.Lock()
			defer mu.Unlock()
			return len(count), total
		}
		// Answers take 50 ms: with 2 binds of window 100 the carrier
		// takes at most 4,000 msg/s, so the first instance has a backlog.
		c.SetDelay(50 * time.Millisecond)
		cfg := testConfig(t, storetest.MySQL, c.Addr())
		cfg.HTTP.RateLimitPerKey, cfg.HTTP.RateLimitPerIP = 0, 0
		cfg.Carriers[0].Binds, cfg.Carriers[0].Window = 2, 100
		a1 := startApp(t, cfg)
		cust := a1.customer(t, "Shared", "")

		// All to the first instance, in batches, from one goroutine.
		start := time.Now()
		const batch = 1000
		posted := make(chan error, 1)
		go func() {
			client := &http.Client{Timeout: time.Minute}
			for b := range n / batch {
				items := make([]map[string]any, batch)
				for i := range items {
					items[i] = map[string]any{"to": "+447700900123", "text": fmt.Sprintf("two instances %06d", b*batch+i)}
				}
				body, _ := json.Marshal(map[string]any{"messages": items})
				req, _ := http.NewRequest(http.MethodPost, a1.base+"/v1/messages/batch", strings.NewReader(string(body)))
				req.Header.Set("Authorization", "Bearer "+cust.APIKey)
				req.Header.Set("Content-Type", "application/json")
				resp, err := client.Do(req)
				if err != nil {
					posted <- err
					return
				}
				resp.Body.Close()
				if resp.StatusCode != http.StatusAccepted {
					posted <- fmt.Errorf("batch %d: status %d", b, resp.StatusCode)
					return
				}
			}
			posted <- nil
		}()
		// Every message is accepted by the first; the second starts while
		// the first sends them.
		if err := <-posted; err != nil {
			t.Fatal(err)
		}
		a2 := startApp(t, cfg)
		secondAt := time.Now()
		atSecond, _ := arrived()
		if atSecond == n {
			t.Fatalf("all %d messages reached the carrier before the second instance started", n)
		}
		waitFor(t, 5*time.Minute, "every message at the carrier", func() (bool, string) {
			d, _ := arrived()
			return d == n, fmt.Sprintf("%d of %d", d, n)
		})
		sent := time.Since(start)
		// Nothing is left to send anywhere, and both instances are up.
		waitFor(t, time.Minute, "no unfinished message", func() (bool, string) {
			left, err := a1.st.Unfinished(testContext(t), 0, 1)
			return err == nil && len(left) == 0, fmt.Sprintf("%d, %v", len(left), err)
		})
		if err := a2.gw.Ready(testContext(t)); err != nil {
			t.Errorf("second instance: %v", err)
		}
		d, all := arrived()
		mu.Lock()
		dups := 0
		for text, k := range count {
			if k != 1 {
				if dups++; dups <= 10 {
					t.Errorf("%q reached the carrier %d times", text, k)
				}
			}
		}
		mu.Unlock()
		if dups > 0 || all != n || d != n {
			t.Errorf("%d messages: %d submit_sm for %d texts, %d sent more than once", n, all, d, dups)
		}
		t.Logf("%d messages sent in %v, the second instance started %v in, when %d had arrived; %d submit_sm",
			n, sent.Round(time.Millisecond), secondAt.Sub(start).Round(time.Millisecond), atSecond, all)
	})
}

// waitFor polls cond every 20 ms until it holds, failing after d.
func waitFor(t *testing.T, d time.Duration, what string, cond func() (bool, string)) {
	t.Helper()
	deadline := time.Now().Add(d)
	for {
		ok, state := cond()
		if ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s: %s", d, what, state)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestE2EKilledInstanceTakenOver: two gateway processes on one MySQL
// database with a 3 s node lease; the first is killed (SIGKILL) under
// load; the second, which never restarts, sends every message the first
// acknowledged once the first's lease expired, and sends twice only what
// was in flight (no carrier answer committed) at the kill. (Before: the
// survivor never sent the dead instance's messages.)
func TestE2EKilledInstanceTakenOver(t *testing.T) {
	t.Parallel()
	bin := buildGallant(t)
	t.Run(storetest.MySQL, func(t *testing.T) {
		env := newDurabilityEnv(t, storetest.MySQL) // node_lease_ttl 3s
		// A slow carrier (2 binds x window 20 / 50 ms = 800 msg/s) leaves
		// most acknowledged messages queued in the first instance.
		env.carrier.SetDelay(50 * time.Millisecond)
		p1 := startGallant(t, bin, env.cfgPath)
		p2 := startGallant(t, bin, env.cfgPath)
		acked, atKill, killed := killUnderLoad(t, env, p1, 2000)

		eventually(t, "every message the killed instance acknowledged at the carrier", func() (bool, string) {
			missing := 0
			for text := range acked {
				if len(env.arr.arrivals(text)) == 0 {
					missing++
				}
			}
			return missing == 0, fmt.Sprintf("%d of %d missing", missing, len(acked))
		})
		tookOver := time.Since(killed)
		if !strings.Contains(p2.logText(), "recovered unfinished messages") {
			t.Errorf("the survivor did not log its recovery:\n%s", p2.logText())
		}
		// Only what had no committed carrier answer at the kill goes out
		// twice (see TestE2ESIGKILL).
		const inFlight = time.Second
		dups, resent := 0, 0
		// The lease was renewed a third of its 3 s before the kill at
		// most (two thirds if a renewal ran late): nothing is sent again
		// within a second of the kill.
		expiredBy := killed.Add(time.Second)
		env.arr.mu.Lock()
		for text, at := range env.arr.at {
			if len(at) > 1 {
				dups++
				if at[0].Before(killed.Add(-inFlight)) {
					t.Errorf("%q reached the carrier %d times, first %v before the kill", text, len(at), killed.Sub(at[0]))
				}
			}
			if last := at[len(at)-1]; last.After(killed) {
				resent++
				if last.Before(expiredBy) {
					t.Errorf("%q was sent again %v after the kill, before the lease could expire", text, last.Sub(killed))
				}
			}
		}
		env.arr.mu.Unlock()
		t.Logf("%d acknowledged before the kill, %d of them at the carrier then; %d sent by the survivor, all at the carrier %v after the kill; %d sent twice",
			len(acked), atKill, resent, tookOver.Round(time.Millisecond), dups)
		p2.stop(t, 30*time.Second)
	})
}

// TestE2EReceiptsAfterKill: the carrier answers every submit_sm but holds
// its receipts; the gateway is killed (SIGKILL) once the answers are
// committed, and restarted; then the carrier sends the receipts. Each
// matches its message from the store, and reaches the customer.
func TestE2EReceiptsAfterKill(t *testing.T) {
	t.Parallel()
	bin := buildGallant(t)
	eachDriver(t, func(t *testing.T, driver string) {
		scfg := storetest.Config(t, driver)
		c := smpptest.NewUnstartedServer() // Receipts off: the test sends them
		if err := c.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		ctx := testContext(t)
		st, err := store.Open(ctx, scfg, nil)
		if err != nil {
			t.Fatal(err)
		}
		defer st.Close()
		if _, err := st.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		cust := newCustomer(t, st, account.New(st, nil), "Acme", "")
		cfgPath := writeServeConfig(t, scfg, c.Addr(), "3s")

		p1 := startGallant(t, bin, cfgPath)
		tx := bindESME(t, p1.smppAddr, cust, smpp.Transmitter)
		const n = 200
		texts := map[string]string{} // our message id -> text
		for i := range n {
			text := fmt.Sprintf("receipt after restart %03d", i)
			id, err := tx.Submit(ctx, &pdu.SubmitSM{Source: pdu.Address{TON: 5, Addr: []byte("Acme")},
				Dest: pdu.Address{TON: 1, NPI: 1, Addr: []byte("447700900123")}, RegisteredDelivery: 1,
				ShortMessage: []byte(text)})
			if err != nil {
				t.Fatalf("submit %d: %v", i, err)
			}
			texts[id] = text
		}
		// Kill once every carrier answer is in the store.
		eventually(t, "every carrier answer committed", func() (bool, string) {
			missing := 0
			for id := range texts {
				if !hasStatus(ctx, st, cust.AccountID, id, sms.StatusSubmitted) {
					missing++
				}
			}
			return missing == 0, fmt.Sprintf("%d of %d", missing, n)
		})
		p1.kill(t)

		p2 := startGallant(t, bin, cfgPath)
		rx := bindESME(t, p2.smppAddr, cust, smpp.Receiver)
		for _, sub := range c.Submits() {
			dm := carrierReceipt(sub)
			// The killed process's binds may linger at the carrier for a
			// moment: retry until the new one takes the receipt.
			eventually(t, "the carrier's receipt for "+sub.MessageID+" taken", func() (bool, string) {
				dctx, cancel := context.WithTimeout(ctx, 5*time.Second)
				defer cancel()
				h, err := c.Deliver(dctx, carrierSystemID, dm)
				return err == nil && h.Status == pdu.StatusOK, fmt.Sprintf("%v %v", h.Status, err)
			})
		}
		ds, err := rx.WaitDelivers(ctx, n)
		if err != nil {
			t.Fatalf("receipts at the customer: %v", err)
		}
		got := map[string]int{}
		for _, d := range ds {
			rid, _ := d.DM.TLVs.CString(pdu.TagReceiptedMessageID)
			got[string(rid)]++
			if d.DM.ESMClass&0x3c != 0x04 {
				t.Errorf("deliver_sm for %s is not a receipt: esm_class %#x", rid, d.DM.ESMClass)
			}
		}
		for id := range texts {
			if got[id] != 1 {
				t.Errorf("message %s: %d receipts at the customer", id, got[id])
			}
			if !hasStatus(ctx, st, cust.AccountID, id, sms.StatusDelivered) {
				t.Errorf("message %s is not delivered in the store", id)
			}
		}
		if k := len(c.Submits()); k != n {
			t.Errorf("the carrier got %d submit_sm for %d messages", k, n)
		}
	})
}

// hasStatus reports whether message id of account has an event of st.
func hasStatus(ctx context.Context, st *store.Store, accountID int64, id string, want sms.Status) bool {
	mid, err := sms.ParseID(id)
	if err != nil {
		return false
	}
	_, evs, err := st.GetMessage(ctx, accountID, mid)
	if err != nil {
		return false
	}
	for _, ev := range evs {
		if ev.Status == want {
			return true
		}
	}
	return false
}

// carrierReceipt is the DELIVRD receipt a carrier sends for sub.
func carrierReceipt(sub smpptest.Submit) *pdu.DeliverSM {
	now := time.Now()
	text := pdutext.AppendReceipt(nil, pdutext.Receipt{ID: sub.MessageID, Sub: 1, Dlvrd: 1, SubmitDate: now,
		DoneDate: now, Stat: pdutext.StatDelivered, Err: "000", Text: string(sub.SM.ShortMessage)})
	var tlvs []byte
	tlvs = pdu.AppendTLVCString(tlvs, pdu.TagReceiptedMessageID, []byte(sub.MessageID))
	tlvs = pdu.AppendTLVByte(tlvs, pdu.TagMessageState, byte(pdutext.StatDelivered.State()))
	return &pdu.DeliverSM{Source: sub.SM.Dest, Dest: sub.SM.Source, ESMClass: 0x04, ShortMessage: text, TLVs: tlvs}
}

// writeServeConfig writes a configuration for `gallant serve` on scfg's
// store with one carrier at carrierAddr and the given node lease ttl.
func writeServeConfig(t *testing.T, scfg store.Config, carrierAddr, leaseTTL string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "gallant.yaml")
	writeJSONConfig(t, path, serveConfig(scfg, carrierAddr, leaseTTL, 1))
	return path
}

// serveConfig is a configuration for `gallant serve` on scfg's store,
// durable, listening on free loopback ports, logging JSON at info, with
// one carrier "c1" at carrierAddr (binds connections of window 20) that
// takes every route, and the given node lease ttl. Write it with
// writeJSONConfig (JSON is YAML).
func serveConfig(scfg store.Config, carrierAddr, leaseTTL string, binds int) map[string]any {
	return map[string]any{
		"http":       map[string]any{"listen": "127.0.0.1:0"},
		"metrics":    map[string]any{"listen": "127.0.0.1:0"},
		"smpp":       map[string]any{"listen": "127.0.0.1:0"},
		"store":      map[string]any{"driver": scfg.Driver, "dsn": scfg.DSN, "node_lease_ttl": leaseTTL},
		"durability": "durable",
		"log":        map[string]any{"level": "info", "format": "json"},
		"carriers": []any{map[string]any{"name": "c1", "address": carrierAddr, "system_id": carrierSystemID,
			"password": "secret", "binds": binds, "window": 20}},
		"routes": []any{map[string]any{"prefix": "", "carriers": []string{"c1"}}},
	}
}

// TestE2ECleanRestartRecoversAtOnce: a gateway stopped (cleanly, with a
// short deadline) while its carrier is slow leaves messages unsent; its
// node lease is released, so the next start, with the default one-minute
// lease, gets the same node back and sends them at once, each once
// unless it was in flight at the stop.
func TestE2ECleanRestartRecoversAtOnce(t *testing.T) {
	t.Parallel()
	eachDriver(t, func(t *testing.T, driver string) {
		ac := &arrivalCarrier{at: map[string][]time.Time{}}
		c := newCarrier(t, ac.decide)
		c.SetDelay(300 * time.Millisecond) // window 10: about 33 msg/s
		cfg := testConfig(t, driver, c.Addr())
		cfg.HTTP.RateLimitPerKey, cfg.HTTP.RateLimitPerIP = 0, 0
		a1 := startApp(t, cfg)
		cust := a1.customer(t, "Acme", "")
		const n = 200
		items := make([]map[string]any, n)
		for i := range items {
			items[i] = map[string]any{"to": "+447700900123", "text": fmt.Sprintf("restart %03d", i)}
		}
		body, _ := json.Marshal(map[string]any{"messages": items})
		if r := a1.do(t, http.MethodPost, "/v1/messages/batch", cust.APIKey, string(body)); r.status != http.StatusAccepted {
			t.Fatalf("batch: %d %s", r.status, r.body)
		}
		eventually(t, "the first messages at the carrier", func() (bool, string) {
			return len(c.Submits()) > 0, "none"
		})
		// Stop with a short drain: most messages are left in the store.
		a1.once.Do(func() {
			ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
			defer cancel()
			_ = a1.shutdown(ctx) // the router reports what it left unsent
		})
		stopped := time.Now()
		atStop := len(c.Submits())
		if atStop >= n {
			t.Fatalf("all %d messages reached the carrier before the stop", n)
		}
		c.SetDelay(0)
		a2 := startApp(t, cfg)
		if a2.node != a1.node {
			t.Errorf("the restart got node %d, the stopped instance had %d", a2.node, a1.node)
		}
		eventually(t, "every message at the carrier", func() (bool, string) {
			missing := 0
			for _, it := range items {
				if len(ac.arrivals(it["text"].(string))) == 0 {
					missing++
				}
			}
			return missing == 0, fmt.Sprintf("%d of %d missing", missing, n)
		})
		if d := time.Since(stopped); d > 30*time.Second {
			t.Errorf("the restart took %v to send what the stop left: it waited for the lease to expire", d)
		}
		dups := 0
		ac.mu.Lock()
		for _, at := range ac.at {
			if len(at) > 1 {
				dups++
			}
		}
		ac.mu.Unlock()
		if dups > cfg.Carriers[0].Window*cfg.Carriers[0].Binds {
			t.Errorf("%d messages sent twice; at most the %d in flight at the stop may be", dups,
				cfg.Carriers[0].Window*cfg.Carriers[0].Binds)
		}
		t.Logf("%d of %d at the carrier at the stop; all %v after it; %d sent twice (in flight at the stop)",
			atStop, n, time.Since(stopped).Round(time.Millisecond), dups)
	})
}

// TestE2EKillRestartResumesAtOnce: a gateway killed (SIGKILL) under load
// and started again on the same host and store, with a five-minute node
// lease, sends what its previous life acknowledged but had not sent
// within seconds, not after the lease: its lock file proves the previous
// process gone, so it takes its node over. Each message reaches the
// carrier once, except those in flight (no carrier answer committed) at
// the kill. (Before: the restart leased another node and the previous
// one's messages waited for its lease to expire.)
func TestE2EKillRestartResumesAtOnce(t *testing.T) {
	t.Parallel()
	bin := buildGallant(t)
	eachDriver(t, func(t *testing.T, driver string) {
		env := newDurabilityEnv(t, driver)
		const ttl = 5 * time.Minute
		env.setLeaseTTL(t, ttl)
		// A slow carrier (2 binds x window 20 / 50 ms = 800 msg/s) leaves
		// acknowledged messages queued at the kill.
		env.carrier.SetDelay(50 * time.Millisecond)
		p1 := startGallant(t, bin, env.cfgPath)
		acked, atKill, killed := killUnderLoad(t, env, p1, 1500)
		env.carrier.SetDelay(0)

		p2 := startGallant(t, bin, env.cfgPath)
		eventually(t, "every message the killed process acknowledged at the carrier", func() (bool, string) {
			missing := 0
			for text := range acked {
				if len(env.arr.arrivals(text)) == 0 {
					missing++
				}
			}
			return missing == 0, fmt.Sprintf("%d of %d missing", missing, len(acked))
		})
		took := time.Since(killed)
		if took > ttl/5 {
			t.Errorf("the restart took %v to send what the killed process left: it waited for the lease", took)
		}
		if !strings.Contains(p2.logText(), "node lease taken over") {
			t.Errorf("the restart did not take its previous life's node over:\n%s", p2.logText())
		}
		// Only what had no committed carrier answer at the kill goes out
		// twice (see TestE2ESIGKILL).
		const inFlight = time.Second
		dups := 0
		env.arr.mu.Lock()
		for text, at := range env.arr.at {
			if len(at) > 1 {
				dups++
				if len(at) > 2 || at[0].Before(killed.Add(-inFlight)) {
					t.Errorf("%q reached the carrier %d times, first %v before the kill", text, len(at), killed.Sub(at[0]))
				}
			}
		}
		env.arr.mu.Unlock()
		t.Logf("%d acknowledged before the kill, %d of them at the carrier then; all at the carrier %v after the kill; %d sent twice (in flight at the kill)",
			len(acked), atKill, took.Round(time.Millisecond), dups)
		p2.stop(t, 30*time.Second)
	})
}

// setLeaseTTL rewrites env's configuration file with node_lease_ttl d.
func (env *durabilityEnv) setLeaseTTL(t *testing.T, d time.Duration) {
	t.Helper()
	b, err := os.ReadFile(env.cfgPath)
	if err != nil {
		t.Fatal(err)
	}
	var cfg map[string]any
	if err := json.Unmarshal(b, &cfg); err != nil {
		t.Fatal(err)
	}
	cfg["store"].(map[string]any)["node_lease_ttl"] = d.String()
	if b, err = json.Marshal(cfg); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(env.cfgPath, b, 0o600); err != nil {
		t.Fatal(err)
	}
}

// killUnderLoad sends to p until n messages are acknowledged, kills it
// (SIGKILL) and returns the acknowledged messages, how many of them had
// reached the carrier at the kill, and when it died. It fails t when all
// had: nothing would be left to take over or resume.
func killUnderLoad(t *testing.T, env *durabilityEnv, p *gallantProc, n int) (acked map[string]string, atKill int, killed time.Time) {
	t.Helper()
	l := startLoad(t, p.smppAddr, env.cust, 16)
	l.waitAcked(t, n)
	killed = p.kill(t)
	acked = l.finish()
	for text := range acked {
		if len(env.arr.arrivals(text)) > 0 {
			atKill++
		}
	}
	if atKill == len(acked) {
		t.Fatalf("all %d acknowledged messages reached the carrier before the kill: nothing left unsent", len(acked))
	}
	return acked, atKill, killed
}
