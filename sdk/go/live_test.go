package gallant

// Tests against a running gateway (a `gallant demo`). sdk/test.sh starts
// one and sets GALLANT_SDK_TEST_URL, GALLANT_SDK_TEST_KEY and
// GALLANT_SDK_TEST_WEBHOOK_SECRET; without them, TestMain starts a demo
// itself when GALLANT_SDK_TEST_BIN names a gallant binary, and otherwise
// these tests fail saying how to run them. None is skipped.

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestMain(m *testing.M) {
	os.Exit(runMain(m))
}

func runMain(m *testing.M) int {
	if os.Getenv("GALLANT_SDK_TEST_URL") == "" && os.Getenv("GALLANT_SDK_TEST_BIN") != "" {
		stop, err := startDemo(os.Getenv("GALLANT_SDK_TEST_BIN"))
		if err != nil {
			fmt.Fprintln(os.Stderr, "start the demo:", err)
			return 1
		}
		defer stop()
	}
	return m.Run()
}

// startDemo runs `bin demo` on free loopback ports in a temporary data
// directory and sets the GALLANT_SDK_TEST_* variables from what it prints
// and stores.
func startDemo(bin string) (func(), error) {
	dir, err := os.MkdirTemp("", "gallant-sdk-go-")
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(bin, "demo", "--data", dir, "--http", "127.0.0.1:0", "--smpp", "127.0.0.1:0", "--metrics", "")
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	var errOut strings.Builder
	cmd.Stderr = &errOut
	// The gateway reads GALLANT_* variables as configuration and refuses
	// unknown ones: keep this test's own out of its environment.
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "GALLANT_SDK_TEST_") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	stop := func() {
		cmd.Process.Signal(os.Interrupt)
		done := make(chan struct{})
		go func() { cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			cmd.Process.Kill()
			<-done
		}
		os.RemoveAll(dir)
	}
	found := make(chan string, 1)
	go func() {
		defer close(found)
		re := regexp.MustCompile(`HTTP API\s+(http://\S+)`)
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if mm := re.FindStringSubmatch(sc.Text()); mm != nil {
				found <- mm[1]
				break
			}
		}
		io.Copy(io.Discard, out)
	}()
	select {
	case base, ok := <-found:
		if !ok {
			stop()
			return nil, fmt.Errorf("the demo ended: %s", errOut.String())
		}
		var creds struct {
			APIKey        string `json:"api_key"`
			WebhookSecret string `json:"webhook_secret"`
		}
		b, err := os.ReadFile(filepath.Join(dir, "demo-account.json"))
		if err == nil {
			err = json.Unmarshal(b, &creds)
		}
		if err != nil {
			stop()
			return nil, err
		}
		os.Setenv("GALLANT_SDK_TEST_URL", base)
		os.Setenv("GALLANT_SDK_TEST_KEY", creds.APIKey)
		os.Setenv("GALLANT_SDK_TEST_WEBHOOK_SECRET", creds.WebhookSecret)
		return stop, nil
	case <-time.After(60 * time.Second):
		stop()
		return nil, errors.New("the demo printed no HTTP API line within 60 s")
	}
}

// live returns a client for the test gateway, or fails the test.
func live(t *testing.T) *Client {
	t.Helper()
	u, k := os.Getenv("GALLANT_SDK_TEST_URL"), os.Getenv("GALLANT_SDK_TEST_KEY")
	if u == "" || k == "" {
		t.Fatal("GALLANT_SDK_TEST_URL and GALLANT_SDK_TEST_KEY are not set: run sdk/test.sh from the repository root " +
			"(or set GALLANT_SDK_TEST_BIN to a gallant binary and this test starts a demo)")
	}
	return NewClient(u, k)
}

func ctxT(t *testing.T, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}

// phone returns a random UK test number, so reruns against one demo and
// the Python tests do not collide.
func phone() string { return fmt.Sprintf("+4477009%05d", rand.IntN(100000)) }

// eventually polls cond every 100 ms until it is true or d passes.
func eventually(t *testing.T, d time.Duration, what string, cond func() (bool, error)) {
	t.Helper()
	deadline := time.Now().Add(d)
	for {
		ok, err := cond()
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		if ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within %v", what, d)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func TestLiveSendDelivered(t *testing.T) {
	c := live(t)
	ctx := ctxT(t, 30*time.Second)
	to := phone()
	key := fmt.Sprintf("sdk-go-%d", rand.Int64())
	req := &SendRequest{To: to, From: "Gallant", Text: "Hello from the Go SDK", ClientRef: "go-sdk"}
	res, err := c.SendMessage(ctx, req, IdempotencyKey(key))
	if err != nil {
		t.Fatal(err)
	}
	if res.ID == "" || res.Status != StatusAccepted || res.Segments != 1 || res.Encoding != "gsm7" {
		t.Fatalf("send result %+v", res)
	}
	again, err := c.SendMessage(ctx, req, IdempotencyKey(key))
	if err != nil || again.ID != res.ID {
		t.Fatalf("idempotent retry: %+v, %v; want id %s", again, err, res.ID)
	}
	var m *Message
	eventually(t, 15*time.Second, "message delivered", func() (bool, error) {
		var err error
		m, err = c.GetMessage(ctx, res.ID)
		return err == nil && m.Status == StatusDelivered, err
	})
	if m.To != to || m.Text != req.Text || m.ClientRef != "go-sdk" || !m.Status.Final() {
		t.Fatalf("message %+v", m)
	}
	if len(m.History) < 2 || m.History[0].Status != StatusSubmitted || m.History[len(m.History)-1].Status != StatusDelivered ||
		m.History[0].At.After(m.History[len(m.History)-1].At) {
		t.Fatalf("history %+v", m.History)
	}
	found := false
	for msg, err := range c.Messages(ctx, ListMessagesParams{To: to, Limit: 5}) {
		if err != nil {
			t.Fatal(err)
		}
		if msg.ID == res.ID {
			found = msg.Status == StatusDelivered
			break
		}
	}
	if !found {
		t.Fatalf("message %s not listed as delivered for to=%s", res.ID, to)
	}
	page, err := c.ListMessages(ctx, &ListMessagesParams{Status: StatusDelivered, Limit: 2})
	if err != nil || len(page.Items) == 0 || page.Items[0].Status != StatusDelivered {
		t.Fatalf("list delivered: %+v, %v", page, err)
	}
}

func TestLiveBatch(t *testing.T) {
	c := live(t)
	ctx := ctxT(t, 20*time.Second)
	res, err := c.SendBatch(ctx, &BatchRequest{To: []string{phone(), "12", phone()}, Text: "Batch from Go"})
	if err != nil {
		t.Fatal(err)
	}
	if res.Accepted != 2 || res.Rejected != 1 || len(res.Items) != 3 {
		t.Fatalf("batch %+v", res)
	}
	if e := res.Items[1].Error; e == nil || e.Slug() != ProblemInvalidNumber || e.Field != "to" || e.Status != 400 {
		t.Fatalf("item 1 %+v", res.Items[1])
	}
	if res.Items[0].ID == "" || res.Items[2].ID == "" || res.Items[0].Error != nil {
		t.Fatalf("items %+v", res.Items)
	}
	res, err = c.SendBatch(ctx, &BatchRequest{Messages: []SendRequest{
		{To: phone(), Text: "Hi Ann"}, {To: phone(), Text: "Hi Bob", Flash: true},
	}})
	if err != nil || res.Accepted != 2 || res.Rejected != 0 {
		t.Fatalf("messages batch %+v, %v", res, err)
	}
	wctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	m, err := c.WaitForFinal(wctx, res.Items[1].ID, 100*time.Millisecond)
	if err != nil || m.Status != StatusDelivered || !m.Flash || m.Text != "Hi Bob" {
		t.Fatalf("batch message %+v, %v", m, err)
	}
}

func TestLiveProblems(t *testing.T) {
	c := live(t)
	ctx := ctxT(t, 10*time.Second)
	_, err := c.SendMessage(ctx, &SendRequest{To: "12", Text: "x"})
	var ge *Error
	if !errors.As(err, &ge) || ge.Status != 400 || ge.Slug() != ProblemInvalidNumber || ge.Field != "to" || ge.Detail == "" || ge.Title == "" {
		t.Fatalf("bad number: %#v", err)
	}
	_, err = c.SendMessage(ctx, &SendRequest{To: phone(), Text: "x", Encoding: "latin9"})
	if !errors.As(err, &ge) || ge.Slug() != ProblemInvalidRequest || ge.Field != "encoding" {
		t.Fatalf("bad encoding: %#v", err)
	}
	_, err = c.SendBatch(ctx, &BatchRequest{To: []string{phone()}, Messages: []SendRequest{{To: phone(), Text: "x"}}, Text: "x"})
	if !errors.As(err, &ge) || ge.Status != 400 {
		t.Fatalf("mixed batch: %#v", err)
	}
	_, err = c.GetMessage(ctx, "999999999999")
	if !errors.As(err, &ge) || ge.Status != 404 || ge.Slug() != ProblemNotFound {
		t.Fatalf("missing message: %#v", err)
	}
	_, err = NewClient(os.Getenv("GALLANT_SDK_TEST_URL"), "gal_nobody_xxxxxxxxxxxxxxxxxxxxxxxx").Balance(ctx)
	if !errors.As(err, &ge) || ge.Status != 401 || ge.Slug() != ProblemUnauthorized {
		t.Fatalf("bad key: %#v", err)
	}
}

func TestLiveContactsAndLists(t *testing.T) {
	c := live(t)
	ctx := ctxT(t, 20*time.Second)
	p := phone()
	ct, err := c.CreateContact(ctx, &ContactInput{Phone: p, FirstName: "Ada", LastName: "Lovelace", Tags: []string{"sdk", "go"}})
	if err != nil {
		t.Fatal(err)
	}
	if ct.ID == 0 || ct.Phone != strings.TrimPrefix(p, "+") || ct.FirstName != "Ada" || ct.TimeZone != "Europe/London" || len(ct.Tags) != 2 {
		t.Fatalf("created %+v", ct)
	}
	_, err = c.CreateContact(ctx, &ContactInput{Phone: p})
	var ge *Error
	if !errors.As(err, &ge) || ge.Status != 409 || ge.Slug() != ProblemConflict {
		t.Fatalf("duplicate phone: %#v", err)
	}
	up, err := c.UpdateContact(ctx, ct.ID, &ContactUpdate{LastName: String("King"), Tags: []string{"vip"}})
	if err != nil || up.LastName != "King" || up.FirstName != "Ada" || len(up.Tags) != 1 || up.Tags[0] != "vip" {
		t.Fatalf("updated %+v, %v", up, err)
	}
	got, err := c.GetContact(ctx, ct.ID)
	if err != nil || got.LastName != "King" {
		t.Fatalf("get %+v, %v", got, err)
	}
	page, err := c.ListContacts(ctx, &ListContactsParams{Query: p, Limit: 10})
	if err != nil || len(page.Data) != 1 || page.Data[0].ID != ct.ID {
		t.Fatalf("search %+v, %v", page, err)
	}
	// A CRM sync: the first upsert links the contact found by phone to the
	// record's id; the next finds it by that id, whatever the phone says.
	crm := fmt.Sprintf("crm-%d", rand.Int64())
	linked, err := c.UpsertContact(ctx, &ContactInput{Phone: p, ExternalID: crm, Email: "ada@example.com"})
	if err != nil || linked.ID != ct.ID || linked.ExternalID != crm || linked.Email != "ada@example.com" || linked.LastName != "King" {
		t.Fatalf("upsert by phone %+v, %v", linked, err)
	}
	p2 := phone()
	moved, err := c.UpsertContact(ctx, &ContactInput{Phone: p2, ExternalID: crm})
	if err != nil || moved.ID != ct.ID || moved.Phone != strings.TrimPrefix(p2, "+") {
		t.Fatalf("upsert by external id %+v, %v", moved, err)
	}
	fresh, err := c.UpsertContact(ctx, &ContactInput{Phone: phone(), ExternalID: crm + "-new"})
	if err != nil || fresh.ID == ct.ID || fresh.ExternalID != crm+"-new" {
		t.Fatalf("upsert of a new record %+v, %v", fresh, err)
	}

	l, err := c.CreateList(ctx, fmt.Sprintf("sdk-go-%d", rand.Int64()))
	if err != nil || l.ID == 0 || l.Count != 0 {
		t.Fatalf("list %+v, %v", l, err)
	}
	second, err := c.CreateContact(ctx, &ContactInput{Phone: phone(), FirstName: "Bob"})
	if err != nil {
		t.Fatal(err)
	}
	r, err := c.AddListMembers(ctx, l.ID, &ListMembers{ContactIDs: []int64{ct.ID}, Phones: []string{second.Phone, "+447700999999999"}})
	if err != nil || r.Matched != 2 || r.Added != 2 || r.NotFound != 1 {
		t.Fatalf("add members %+v, %v", r, err)
	}
	if l, err = c.GetList(ctx, l.ID); err != nil || l.Count != 2 {
		t.Fatalf("list after add %+v, %v", l, err)
	}
	members, err := c.ListContacts(ctx, &ListContactsParams{List: l.ID})
	if err != nil || len(members.Data) != 2 {
		t.Fatalf("members %+v, %v", members, err)
	}
	r, err = c.RemoveListMembers(ctx, l.ID, &ListMembers{ContactIDs: []int64{second.ID}})
	if err != nil || r.Removed != 1 {
		t.Fatalf("remove %+v, %v", r, err)
	}
	if err := c.DeleteContact(ctx, ct.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := c.GetContact(ctx, ct.ID); !errors.As(err, &ge) || ge.Status != 404 {
		t.Fatalf("deleted contact: %#v", err)
	}
	if l, err = c.GetList(ctx, l.ID); err != nil || l.Count != 0 {
		t.Fatalf("list after delete %+v, %v", l, err)
	}
	if err := c.DeleteList(ctx, l.ID); err != nil {
		t.Fatal(err)
	}
}

func TestLiveCampaign(t *testing.T) {
	c := live(t)
	ctx := ctxT(t, 40*time.Second)
	l, err := c.CreateList(ctx, fmt.Sprintf("sdk-go-campaign-%d", rand.Int64()))
	if err != nil {
		t.Fatal(err)
	}
	var phones []string
	for range 3 {
		ct, err := c.CreateContact(ctx, &ContactInput{Phone: phone(), FirstName: "Cam"})
		if err != nil {
			t.Fatal(err)
		}
		phones = append(phones, ct.Phone)
	}
	if _, err := c.AddListMembers(ctx, l.ID, &ListMembers{Phones: phones}); err != nil {
		t.Fatal(err)
	}
	// Transactional: quiet hours (recipient local time) do not hold it back.
	cp, err := c.CreateCampaign(ctx, &CampaignInput{Name: "SDK Go", Kind: "transactional", From: "Shop",
		Text: "Hi {{first_name|there}}", Audience: &Audience{ListIDs: []int64{l.ID}}})
	if err != nil || cp.State != CampaignDraft || len(cp.Audience.ListIDs) != 1 {
		t.Fatalf("campaign %+v, %v", cp, err)
	}
	est, err := c.EstimateCampaign(ctx, cp.ID)
	if err != nil || est.Recipients != 3 || est.Total <= 0 || est.Shortfall != 0 || len(est.Countries) != 1 {
		t.Fatalf("estimate %+v, %v", est, err)
	}
	cp, err = c.LaunchCampaign(ctx, cp.ID)
	if err != nil || (cp.State != CampaignRunning && cp.State != CampaignCompleted) || cp.Targeted != 3 {
		t.Fatalf("launched %+v, %v", cp, err)
	}
	var st *CampaignStats
	eventually(t, 30*time.Second, "campaign delivered to its 3 recipients", func() (bool, error) {
		var err error
		st, err = c.CampaignStats(ctx, cp.ID)
		return err == nil && st.Totals.Delivered == 3, err
	})
	if st.Totals.Targeted != 3 || st.Totals.Sent != 3 || st.Totals.Spend != est.Total {
		t.Fatalf("stats %+v (estimate %d)", st.Totals, est.Total)
	}
	eventually(t, 10*time.Second, "campaign completed", func() (bool, error) {
		got, err := c.GetCampaign(ctx, cp.ID)
		return err == nil && got.State == CampaignCompleted, err
	})
}

func TestLiveInboundAndBalance(t *testing.T) {
	c := live(t)
	ctx := ctxT(t, 20*time.Second)
	b, err := c.Balance(ctx)
	if err != nil || b.Currency != "EUR" || b.Available <= 0 {
		t.Fatalf("balance %+v, %v", b, err)
	}
	// The demo's simulated carrier texts the account's short code every 5 s.
	var page *InboundPage
	eventually(t, 15*time.Second, "an inbound message", func() (bool, error) {
		var err error
		page, err = c.ListInbound(ctx, &ListInboundParams{Limit: 5})
		return err == nil && len(page.Data) > 0, err
	})
	mo := page.Data[0]
	if mo.ID == "" || mo.From == "" || mo.To == "" || mo.ReceivedAt.IsZero() {
		t.Fatalf("inbound %+v", mo)
	}
	one, err := c.ListInbound(ctx, &ListInboundParams{Sender: mo.From, Limit: 1})
	if err != nil || len(one.Data) != 1 || one.Data[0].From != mo.From {
		t.Fatalf("by sender %+v, %v", one, err)
	}
}

// TestLiveWebhookDelivery receives the gateway's real status callbacks for
// a message on a local listener and checks them with the SDK's verifiers.
func TestLiveWebhookDelivery(t *testing.T) {
	c := live(t)
	secret := os.Getenv("GALLANT_SDK_TEST_WEBHOOK_SECRET")
	if secret == "" {
		t.Fatal("GALLANT_SDK_TEST_WEBHOOK_SECRET is not set: run sdk/test.sh (it reads the demo's demo-account.json)")
	}
	ctx := ctxT(t, 30*time.Second)
	type delivery struct {
		header, bodyHeader string
		body               []byte
		at                 time.Time
	}
	var mu sync.Mutex
	var got []delivery
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		mu.Lock()
		got = append(got, delivery{r.Header.Get(SignatureHeader), r.Header.Get(BodySignatureHeader), body, time.Now()})
		mu.Unlock()
		w.WriteHeader(http.StatusNoContent)
	}))
	startOnLoopback(t, srv)

	res, err := c.SendMessage(ctx, &SendRequest{To: phone(), Text: "webhook test", ClientRef: "hook-go",
		CallbackURL: srv.URL + "/hooks/gallant"})
	if err != nil {
		t.Fatal(err)
	}
	var delivered delivery
	eventually(t, 20*time.Second, "a delivered webhook", func() (bool, error) {
		mu.Lock()
		defer mu.Unlock()
		for _, d := range got {
			var ev StatusEvent
			if json.Unmarshal(d.body, &ev) == nil && ev.ID == res.ID && ev.Status == StatusDelivered {
				delivered = d
				return true, nil
			}
		}
		return false, nil
	})
	mu.Lock()
	all := append([]delivery(nil), got...)
	mu.Unlock()
	for _, d := range all {
		if err := VerifyWebhook(secret, d.header, d.body, d.at, 0); err != nil {
			t.Fatalf("real delivery %s: %v (header %q)", d.body, err, d.header)
		}
		if err := VerifyWebhookBody(secret, d.bodyHeader, d.body); err != nil {
			t.Fatalf("real delivery body signature: %v", err)
		}
	}
	var ev StatusEvent
	if err := json.Unmarshal(delivered.body, &ev); err != nil || ev.ClientRef != "hook-go" || ev.EventID == "" || ev.At.IsZero() {
		t.Fatalf("event %+v, %v", ev, err)
	}
	d := delivered
	tampered := []byte(strings.Replace(string(d.body), "delivered", "failed", 1))
	if err := VerifyWebhook(secret, d.header, tampered, d.at, 0); !errors.Is(err, ErrSignatureMismatch) {
		t.Fatalf("tampered body: %v", err)
	}
	if err := VerifyWebhook(secret+"x", d.header, d.body, d.at, 0); !errors.Is(err, ErrSignatureMismatch) {
		t.Fatalf("wrong secret: %v", err)
	}
	if err := VerifyWebhook(secret, d.header, d.body, d.at.Add(10*time.Minute), 0); !errors.Is(err, ErrSignatureExpired) {
		t.Fatalf("replayed 10 minutes later: %v", err)
	}
	req := httptest.NewRequest(http.MethodPost, "/hooks/gallant", strings.NewReader(string(d.body)))
	req.Header.Set(SignatureHeader, d.header)
	if body, err := VerifyWebhookRequest(req, secret, 0); err != nil || string(body) != string(d.body) {
		t.Fatalf("VerifyWebhookRequest: %v", err)
	}
}

// TestLiveHooks: a hook subscribed to contact.created receives the
// contact the account creates, signed with the account's secret; once
// deleted it is gone from the list.
func TestLiveHooks(t *testing.T) {
	c := live(t)
	secret := os.Getenv("GALLANT_SDK_TEST_WEBHOOK_SECRET")
	if secret == "" {
		t.Fatal("GALLANT_SDK_TEST_WEBHOOK_SECRET is not set: run sdk/test.sh (it reads the demo's demo-account.json)")
	}
	ctx := ctxT(t, 30*time.Second)
	var mu sync.Mutex
	var got []HookEvent
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := VerifyWebhookRequest(r, secret, 0)
		if err != nil {
			t.Errorf("hook delivery: %v", err)
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		var ev HookEvent
		if err := json.Unmarshal(body, &ev); err != nil {
			t.Errorf("hook delivery %s: %v", body, err)
		}
		mu.Lock()
		got = append(got, ev)
		mu.Unlock()
		w.WriteHeader(http.StatusNoContent)
	}))
	startOnLoopback(t, srv)

	h, err := c.CreateHook(ctx, &HookInput{URL: srv.URL + "/zap", Events: []string{EventContactCreated}, Description: "sdk-go"})
	if err != nil || h.ID == 0 || len(h.Events) != 1 || h.Events[0] != EventContactCreated {
		t.Fatalf("create hook %+v, %v", h, err)
	}
	_, err = c.CreateHook(ctx, &HookInput{URL: srv.URL, Events: []string{"contact.deleted"}})
	var ge *Error
	if !errors.As(err, &ge) || ge.Status != 400 {
		t.Fatalf("an unknown event: %#v", err)
	}
	ct, err := c.CreateContact(ctx, &ContactInput{Phone: phone(), FirstName: "Hooked"})
	if err != nil {
		t.Fatal(err)
	}
	eventually(t, 20*time.Second, "the contact.created delivery", func() (bool, error) {
		mu.Lock()
		defer mu.Unlock()
		for _, ev := range got {
			var data Contact
			if ev.Type == EventContactCreated && json.Unmarshal(ev.Data, &data) == nil && data.ID == ct.ID {
				if ev.ID == "" || data.FirstName != "Hooked" {
					return false, fmt.Errorf("event %+v", ev)
				}
				return true, nil
			}
		}
		return false, nil
	})
	hooks, err := c.ListHooks(ctx)
	if err != nil || !slices.ContainsFunc(hooks, func(x Hook) bool { return x.ID == h.ID }) {
		t.Fatalf("list %+v, %v", hooks, err)
	}
	if err := c.DeleteHook(ctx, h.ID); err != nil {
		t.Fatal(err)
	}
	hooks, err = c.ListHooks(ctx)
	if err != nil || slices.ContainsFunc(hooks, func(x Hook) bool { return x.ID == h.ID }) {
		t.Fatalf("after delete %+v, %v", hooks, err)
	}
	if err := c.DeleteHook(ctx, h.ID); !errors.As(err, &ge) || ge.Status != 404 {
		t.Fatalf("delete twice: %#v", err)
	}
}

// startOnLoopback starts srv on a free port of 127.0.0.1, where the
// demo's webhook client may post, until the test ends.
func startOnLoopback(t *testing.T, srv *httptest.Server) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv.Listener = ln
	srv.Start()
	t.Cleanup(srv.Close)
}
