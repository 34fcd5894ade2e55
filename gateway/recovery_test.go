package gateway_test

import (
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/gallant-sms/gallant/account"
	"github.com/gallant-sms/gallant/gateway"
	"github.com/gallant-sms/gallant/internal/testutil"
	"github.com/gallant-sms/gallant/smpp/pdu"
	"github.com/gallant-sms/gallant/sms"
	"github.com/gallant-sms/gallant/store"
	"github.com/gallant-sms/gallant/store/storetest"
)

// otherInstance is the store handle of another instance sharing the
// gateway's store, holding one node lease.
type otherInstance struct {
	st   *store.Store
	node int
}

func leaseOther(t *testing.T, scfg store.Config, name string, ttl time.Duration) otherInstance {
	t.Helper()
	ctx := testContext(t)
	st, err := store.Open(ctx, scfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	node, err := st.LeaseNode(ctx, name, ttl)
	if err != nil {
		t.Fatal(err)
	}
	return otherInstance{st: st, node: node}
}

// storeUnfinished writes n messages of account that node generated and
// nobody sent, texts prefix-0.., and returns the texts.
func storeUnfinished(t *testing.T, st *store.Store, node int, account int64, prefix string, n int) []string {
	t.Helper()
	ids, err := sms.NewIDGenerator(node, 0)
	if err != nil {
		t.Fatal(err)
	}
	return storeUnfinishedIDs(t, st, ids, account, prefix, n)
}

// storeUnfinishedIDs is storeUnfinished with the ids drawn from ids: a
// test that stores more messages of the node later draws them from the
// same generator, since two generators of one node may draw the same id
// within a millisecond.
func storeUnfinishedIDs(t *testing.T, st *store.Store, ids *sms.IDGenerator, account int64, prefix string, n int) []string {
	t.Helper()
	now := time.Now().UTC()
	var rows []store.Row
	var texts []string
	for i := range n {
		text := fmt.Sprintf("%s-%02d", prefix, i)
		texts = append(texts, text)
		rows = append(rows, &sms.Message{ID: ids.Next(), AccountID: account, Ingress: sms.IngressHTTP,
			Source: sms.Address{TON: 5, Addr: "Acme"}, Dest: sms.Address{TON: 1, NPI: 1, Addr: "447700900123"},
			Body: []byte(text), Segments: 1, ValidUntil: now.Add(time.Hour), CreatedAt: now, Status: sms.StatusAccepted})
	}
	if err := st.Insert(testContext(t), rows...); err != nil {
		t.Fatal(err)
	}
	return texts
}

// TestRecoveryOnlyOfNodesNobodyServes: a gateway sharing its store with
// other instances sends again its own node's unfinished messages at
// start; those of a node that released its lease (a clean stop) within a
// pass, without waiting for the ttl; those of a node whose lease was not
// renewed (a kill) only once the lease expired; never those of a node
// whose lease is live, nor a scheduled message still waiting. Each goes
// out once, and a recovered node's row is deleted once its messages are
// settled. (Before: every unfinished message in the store was sent at
// start, the live instance's and the not yet expired one's included, and
// nothing after.)
func TestRecoveryOnlyOfNodesNobodyServes(t *testing.T) {
	t.Parallel()
	eachDriver(t, func(t *testing.T, driver string) {
		ctx := testContext(t)
		scfg, setup, acct := recoverySetup(t, driver)
		const ttl = 3 * time.Second
		own := leaseOther(t, scfg, "gateway", 10*time.Minute) // the gateway's number (its previous life's messages)
		live := leaseOther(t, scfg, "live", 10*time.Minute)
		stopping := leaseOther(t, scfg, "stopping", 10*time.Minute)
		killed := leaseOther(t, scfg, "killed", ttl)
		killedExpiry := time.Now().Add(ttl)
		const per = 40
		ownTexts := storeUnfinished(t, setup, own.node, acct.AccountID, "own", per)
		liveTexts := storeUnfinished(t, setup, live.node, acct.AccountID, "live", per)
		sched, err := sms.NewIDGenerator(stopping.node, 0)
		if err != nil {
			t.Fatal(err)
		}
		stoppingTexts := storeUnfinishedIDs(t, setup, sched, acct.AccountID, "stopping", per)
		killedTexts := storeUnfinished(t, setup, killed.node, acct.AccountID, "killed", per)
		// A scheduled message of the stopping node, still waiting.
		now := time.Now().UTC()
		if err := setup.Insert(ctx, &sms.Message{ID: sched.Next(), AccountID: acct.AccountID, Ingress: sms.IngressHTTP,
			Source: sms.Address{TON: 5, Addr: "Acme"}, Dest: sms.Address{TON: 1, NPI: 1, Addr: "447700900123"},
			Body: []byte("scheduled"), Segments: 1, SendAt: now.Add(time.Hour), ValidUntil: now.Add(2 * time.Hour),
			CreatedAt: now, Status: sms.StatusScheduled}); err != nil {
			t.Fatal(err)
		}

		var mu sync.Mutex
		arrived := map[string][]time.Time{}
		c := newCarrier(t, carrierOpts{noReceipts: true, decide: func(_ int, sm *pdu.SubmitSM) pdu.Status {
			mu.Lock()
			arrived[string(sm.ShortMessage)] = append(arrived[string(sm.ShortMessage)], time.Now())
			mu.Unlock()
			return pdu.StatusOK
		}})
		arrivedAll := func(texts []string) (bool, string) {
			mu.Lock()
			defer mu.Unlock()
			n := 0
			for _, text := range texts {
				if len(arrived[text]) > 0 {
					n++
				}
			}
			return n == len(texts), fmt.Sprintf("%d of %d", n, len(texts))
		}
		g := startGatewayDeps(t, scfg, store.WriterConfig{}, gateway.Config{
			Carriers: []gateway.CarrierConfig{carrierConfig("c1", c.Addr())}}, routeAll("c1"),
			func(d *gateway.Deps) { d.Node, d.NodeName, d.NodeTTL = own.node, "gateway under test", ttl })
		testutil.Eventually(t, "the gateway's own node's messages at the carrier", func() (bool, string) {
			return arrivedAll(ownTexts)
		})

		// The stopping instance stops: a pass takes its messages, well
		// before its 10-minute lease would have expired.
		if err := stopping.st.ReleaseNode(ctx, stopping.node); err != nil {
			t.Fatal(err)
		}
		released := time.Now()
		testutil.Eventually(t, "the stopped instance's messages at the carrier", func() (bool, string) {
			return arrivedAll(stoppingTexts)
		})
		if d := time.Since(released); d > 2*ttl {
			t.Errorf("a released node's messages took %v to be recovered; a pass comes every %v", d, ttl/3)
		}
		testutil.Eventually(t, "the killed instance's messages at the carrier", func() (bool, string) {
			return arrivedAll(killedTexts)
		})
		// Both recovered nodes' rows go once their messages are settled:
		// their numbers are free for a new instance, and nothing is left
		// listed as expired.
		for _, want := range []int{stopping.node, killed.node} {
			testutil.Eventually(t, fmt.Sprintf("recovered node %d free", want), func() (bool, string) {
				n, err := setup.LeaseNode(ctx, "probe", time.Minute)
				if err != nil {
					return false, err.Error()
				}
				if n != want {
					if err := setup.ForgetNode(ctx, n); err != nil {
						return false, err.Error()
					}
				}
				return n == want, fmt.Sprintf("a new lease got %d", n)
			})
		}
		if exp, err := setup.ExpiredNodes(ctx); err != nil || len(exp) != 0 {
			t.Errorf("expired nodes left: %v, %v", exp, err)
		}

		mu.Lock()
		defer mu.Unlock()
		for _, text := range liveTexts {
			if n := len(arrived[text]); n > 0 {
				t.Errorf("%q of a live instance was sent %d times by the gateway", text, n)
			}
		}
		for _, text := range killedTexts {
			if at := arrived[text]; len(at) > 0 && at[0].Before(killedExpiry) {
				t.Errorf("%q of the killed instance was sent %v before its lease expired", text, killedExpiry.Sub(at[0]))
			}
		}
		if n := len(arrived["scheduled"]); n > 0 {
			t.Errorf("a scheduled message still waiting was sent %d times", n)
		}
		for text, at := range arrived {
			if len(at) != 1 {
				t.Errorf("%q reached the carrier %d times", text, len(at))
			}
		}
		want := slices.Concat(ownTexts, stoppingTexts, killedTexts)
		if len(arrived) != len(want) {
			t.Errorf("%d texts at the carrier, want %d", len(arrived), len(want))
		}
		g.stop()
	})
}

// TestRecoveryTwoSurvivors: two gateways share a store with a node whose
// instance died; once its lease expires exactly one of them claims it,
// and the carrier gets each of its messages once. (Before: both sent
// them all, at their start.)
func TestRecoveryTwoSurvivors(t *testing.T) {
	t.Parallel()
	eachDriver(t, func(t *testing.T, driver string) {
		ctx := testContext(t)
		scfg, setup, acct := recoverySetup(t, driver)
		const ttl = 2 * time.Second
		a := leaseOther(t, scfg, "a", 10*time.Minute)
		b := leaseOther(t, scfg, "b", 10*time.Minute)
		dead := leaseOther(t, scfg, "dead", ttl)
		texts := storeUnfinished(t, setup, dead.node, acct.AccountID, "dead", 300)

		var mu sync.Mutex
		arrived := map[string]int{}
		c := newCarrier(t, carrierOpts{noReceipts: true, decide: func(_ int, sm *pdu.SubmitSM) pdu.Status {
			mu.Lock()
			arrived[string(sm.ShortMessage)]++
			mu.Unlock()
			return pdu.StatusOK
		}})
		for _, node := range []int{a.node, b.node} {
			startGatewayDeps(t, scfg, store.WriterConfig{}, gateway.Config{
				Carriers: []gateway.CarrierConfig{carrierConfig("c1", c.Addr())}}, routeAll("c1"),
				func(d *gateway.Deps) { d.Node, d.NodeName, d.NodeTTL = node, fmt.Sprint("survivor ", node), ttl })
		}
		testutil.Eventually(t, "the dead instance's messages at the carrier", func() (bool, string) {
			mu.Lock()
			defer mu.Unlock()
			return len(arrived) == len(texts), fmt.Sprintf("%d of %d", len(arrived), len(texts))
		})
		// Once settled, the node's row goes: its number is free.
		testutil.Eventually(t, "the dead node's number free", func() (bool, string) {
			n, err := setup.LeaseNode(ctx, "probe", time.Minute)
			if err != nil {
				return false, err.Error()
			}
			if n != dead.node {
				if err := setup.ForgetNode(ctx, n); err != nil {
					return false, err.Error()
				}
			}
			return n == dead.node, fmt.Sprintf("a new lease got %d", n)
		})
		mu.Lock()
		defer mu.Unlock()
		for text, n := range arrived {
			if n != 1 {
				t.Errorf("%q reached the carrier %d times", text, n)
			}
		}
	})
}

// recoverySetup makes a fresh store of driver with an account, as the
// recovery tests' setup connection (closed when t ends).
func recoverySetup(t *testing.T, driver string) (store.Config, *store.Store, account.Created) {
	t.Helper()
	ctx := testContext(t)
	scfg := storetest.Config(t, driver)
	setup, err := store.Open(ctx, scfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { setup.Close() })
	if _, err := setup.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	acct, err := account.New(setup, nil).CreateAccount(ctx, "Acme")
	if err != nil {
		t.Fatal(err)
	}
	return scfg, setup, acct
}
