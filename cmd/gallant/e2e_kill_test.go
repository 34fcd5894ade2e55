package main

// Durability of the real binary: build gallant, run `gallant serve`
// against a store of each dialect and an in-process carrier, push
// messages over SMPP, and kill it (SIGKILL) or stop it (SIGTERM) in the
// middle of the load.

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/gallant-sms/gallant/account"
	"github.com/gallant-sms/gallant/smpp"
	"github.com/gallant-sms/gallant/smpp/pdu"
	"github.com/gallant-sms/gallant/smpp/smpptest"
	"github.com/gallant-sms/gallant/sms"
	"github.com/gallant-sms/gallant/store"
	"github.com/gallant-sms/gallant/store/storetest"
)

// buildGallant builds the binary into a temporary directory.
func buildGallant(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "gallant")
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "go", "build", "-o", bin, ".")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// gallantProc is a running `gallant serve`.
type gallantProc struct {
	cmd      *exec.Cmd
	smppAddr string
	// httpURL and metricsURL are the API's base URL and the metrics
	// page, as the process logged them.
	httpURL, metricsURL string
	exited              chan struct{}
	waitErr             error

	mu  sync.Mutex
	log strings.Builder // its stderr, for failures
}

// startGallant runs `bin serve --config cfgPath` and waits until it
// serves.
func startGallant(t *testing.T, bin, cfgPath string) *gallantProc {
	t.Helper()
	p := &gallantProc{exited: make(chan struct{})}
	p.cmd = exec.Command(bin, "serve", "--config", cfgPath)
	// The process's configuration is the file alone.
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "GALLANT_") {
			p.cmd.Env = append(p.cmd.Env, kv)
		}
	}
	stderr, err := p.cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	serving := make(chan [3]string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		for sc.Scan() {
			line := sc.Text()
			p.mu.Lock()
			if p.log.Len() < 1<<20 {
				p.log.WriteString(line)
				p.log.WriteByte('\n')
			}
			p.mu.Unlock()
			var rec struct {
				Msg     string `json:"msg"`
				SMPP    string `json:"smpp"`
				HTTP    string `json:"http"`
				Metrics string `json:"metrics"`
			}
			if json.Unmarshal([]byte(line), &rec) == nil && rec.Msg == "gallant serving" {
				serving <- [3]string{rec.SMPP, rec.HTTP, rec.Metrics}
			}
		}
		p.waitErr = p.cmd.Wait()
		close(p.exited)
	}()
	t.Cleanup(func() {
		select {
		case <-p.exited:
		default:
			_ = p.cmd.Process.Kill()
			<-p.exited
		}
	})
	select {
	case addrs := <-serving:
		p.smppAddr, p.httpURL, p.metricsURL = addrs[0], addrs[1], addrs[2]
	case <-p.exited:
		t.Fatalf("gallant exited before serving: %v\n%s", p.waitErr, p.logText())
	case <-time.After(waitLong):
		t.Fatalf("gallant did not start serving\n%s", p.logText())
	}
	return p
}

func (p *gallantProc) logText() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.log.String()
}

// stop sends SIGTERM and fails the test unless the process exits with
// code 0 within d.
func (p *gallantProc) stop(t *testing.T, d time.Duration) {
	t.Helper()
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if code := p.waitExit(t, d); code != 0 {
		t.Fatalf("exit code %d after SIGTERM\n%s", code, p.logText())
	}
}

// kill sends SIGKILL and waits for the process to end; it returns when
// the signal was sent.
func (p *gallantProc) kill(t *testing.T) time.Time {
	t.Helper()
	if err := p.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	killed := time.Now()
	p.waitExit(t, 10*time.Second)
	return killed
}

// waitExit waits for the process to end within d and returns its exit
// code.
func (p *gallantProc) waitExit(t *testing.T, d time.Duration) int {
	t.Helper()
	select {
	case <-p.exited:
	case <-time.After(d):
		t.Fatalf("gallant did not exit within %v\n%s", d, p.logText())
	}
	var ee *exec.ExitError
	switch {
	case p.waitErr == nil:
		return 0
	case errors.As(p.waitErr, &ee):
		return ee.ExitCode()
	}
	t.Fatalf("wait: %v", p.waitErr)
	return -1
}

// durabilityEnv is a store, a carrier recording every submit_sm by text,
// a customer and a configuration file for the binary.
type durabilityEnv struct {
	scfg    store.Config
	carrier *smpptest.Server
	cust    customer
	cfgPath string
	arr     *arrivalCarrier
}

func newDurabilityEnv(t *testing.T, driver string) *durabilityEnv {
	t.Helper()
	env := &durabilityEnv{scfg: storetest.Config(t, driver), arr: &arrivalCarrier{at: map[string][]time.Time{}}}
	env.carrier = newCarrier(t, env.arr.decide)
	ctx := testContext(t)
	st, err := store.Open(ctx, env.scfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	env.cust = newCustomer(t, st, account.New(st, nil), "Acme", "")
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	env.cfgPath = filepath.Join(t.TempDir(), "gallant.yaml")
	writeJSONConfig(t, env.cfgPath, serveConfig(env.scfg, env.carrier.Addr(), "3s", durabilityBinds))
	return env
}

// load submits unique texts over SMPP from several goroutines until stop
// is closed or the session fails, and records the acknowledged ones with
// the message ids the gateway gave them, and the refused ones with the
// status they got.
type load struct {
	esme        *smpptest.ESME
	untilClosed bool // refusals do not stop a worker: only the session's end does

	mu       sync.Mutex
	acked    map[string]string     // text -> the gateway's message id
	refused  map[string]pdu.Status // text -> its non-zero command_status
	marked   bool                  // mark was called
	late     int                   // submits begun after mark
	lateOK   int                   // of which acknowledged
	pending  int                   // submits sent and not answered yet
	busy     int                   // pending when mark was called
	sessDone int                   // workers ended by the session's failure or end
	wg       sync.WaitGroup
	stop     chan struct{}
	workers  int
}

func startLoad(t *testing.T, addr string, c customer, workers int) *load {
	t.Helper()
	return startLoadWith(t, addr, c, workers, false)
}

// startLoadWith starts a load; with untilClosed its workers keep
// submitting through refusals (pausing briefly after each) until the
// session ends.
func startLoadWith(t *testing.T, addr string, c customer, workers int, untilClosed bool) *load {
	t.Helper()
	e := bindESME(t, addr, c, smpp.Transmitter)
	l := &load{esme: e, untilClosed: untilClosed, acked: map[string]string{}, refused: map[string]pdu.Status{},
		stop: make(chan struct{}), workers: workers}
	for w := range workers {
		l.wg.Add(1)
		go func() {
			defer l.wg.Done()
			pause := time.NewTimer(time.Hour)
			defer pause.Stop()
			for i := 0; ; i++ {
				select {
				case <-l.stop:
					return
				default:
				}
				text := fmt.Sprintf("load %02d-%05d", w, i)
				l.mu.Lock()
				late := l.marked
				if late {
					l.late++
				}
				l.pending++
				l.mu.Unlock()
				ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
				id, err := e.Submit(ctx, &pdu.SubmitSM{Source: pdu.Address{TON: 5, Addr: []byte("Acme")},
					Dest: pdu.Address{TON: 1, NPI: 1, Addr: []byte("447700900123")}, ShortMessage: []byte(text)})
				cancel()
				var st pdu.Status
				refused := errors.As(err, &st)
				l.mu.Lock()
				l.pending--
				switch {
				case err == nil:
					l.acked[text] = id
					if late {
						l.lateOK++
					}
				case refused:
					l.refused[text] = st
				default:
					l.sessDone++
				}
				l.mu.Unlock()
				if err == nil {
					continue
				}
				if !refused || !l.untilClosed {
					return // the gateway went away, or refused
				}
				// Refused (throttled while the gateway unbinds): try again
				// shortly, until the session ends.
				pause.Reset(2 * time.Millisecond)
				select {
				case <-pause.C:
				case <-l.stop:
					return
				}
			}
		}()
	}
	return l
}

func (l *load) count() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.acked)
}

// mark notes that what the workers submit from now on comes after an
// event (a signal sent to the gateway).
func (l *load) mark() {
	l.mu.Lock()
	l.marked = true
	l.busy = l.pending
	l.mu.Unlock()
}

// finish stops the load and returns the acknowledged texts with their
// message ids.
func (l *load) finish() map[string]string {
	close(l.stop)
	l.wg.Wait()
	return l.acked
}

// waitAcked waits until the load has n acknowledged messages.
func (l *load) waitAcked(t *testing.T, n int) {
	t.Helper()
	eventually(t, fmt.Sprintf("%d acknowledged messages", n), func() (bool, string) {
		c := l.count()
		return c >= n, fmt.Sprint(c)
	})
}

// TestE2ESIGKILL: every message acknowledged before a SIGKILL reaches the
// carrier after a restart on the same store, and none twice unless it
// was in flight (unanswered) when the process died.
func TestE2ESIGKILL(t *testing.T) {
	t.Parallel()
	bin := buildGallant(t)
	eachDriver(t, func(t *testing.T, driver string) {
		env := newDurabilityEnv(t, driver)
		p := startGallant(t, bin, env.cfgPath)
		l := startLoad(t, p.smppAddr, env.cust, 16)
		l.waitAcked(t, 300)
		killed := p.kill(t)
		acked := l.finish()
		t.Logf("%d messages acknowledged before the kill", len(acked))

		p2 := startGallant(t, bin, env.cfgPath)
		eventually(t, "every acknowledged message at the carrier", func() (bool, string) {
			missing := 0
			for text := range acked {
				if len(env.arr.arrivals(text)) == 0 {
					missing++
				}
			}
			return missing == 0, fmt.Sprintf("%d of %d missing", missing, len(acked))
		})
		// Wait until the new process has nothing left to send.
		ctx := testContext(t)
		st, err := store.Open(ctx, env.scfg, nil)
		if err != nil {
			t.Fatal(err)
		}
		defer st.Close()
		eventually(t, "no unfinished message", func() (bool, string) {
			left, err := st.Unfinished(ctx, 0, 100)
			return err == nil && len(left) == 0, fmt.Sprintf("%d left, %v", len(left), err)
		})
		// A message answered by the carrier well before the kill had its
		// "submitted" event committed (group commit takes milliseconds):
		// it must not go out again. Only what was in flight may.
		const inFlight = time.Second
		dups := 0
		env.arr.mu.Lock()
		for text, at := range env.arr.at {
			if len(at) > 1 {
				dups++
				if at[0].Before(killed.Add(-inFlight)) {
					t.Errorf("%q reached the carrier %d times, first %v before the kill", text, len(at), killed.Sub(at[0]))
				}
			}
		}
		env.arr.mu.Unlock()
		t.Logf("%d messages sent twice (in flight at the kill)", dups)
		p2.stop(t, 30*time.Second)
	})
}

// TestE2ESIGTERM: SIGTERM under load stops the process within its
// deadline with exit code 0, after every acknowledged message reached the
// carrier, once. The load keeps submitting during the shutdown: whatever
// the gateway still acknowledges reaches the carrier, nothing it refuses
// does, and the customer's session ends with the gateway's unbind. After
// the exit the store holds every acknowledged message with the carrier's
// answer (the writer was flushed, nothing the carrier took is left to
// send again), and the carrier saw each bind of the gateway unbind after
// the last submit_sm.
func TestE2ESIGTERM(t *testing.T) {
	t.Parallel()
	bin := buildGallant(t)
	eachDriver(t, func(t *testing.T, driver string) {
		env := newDurabilityEnv(t, driver)
		p := startGallant(t, bin, env.cfgPath)
		l := startLoadWith(t, p.smppAddr, env.cust, 16, true)
		l.waitAcked(t, 300)
		if n := env.gatewayBinds(); n != durabilityBinds {
			t.Fatalf("the carrier has %d binds of the gateway, want %d", n, durabilityBinds)
		}
		signalled := time.Now()
		l.mark() // what the load submits from here on may come after the signal
		// shutdownTimeout bounds the drain; a little more for the exit.
		p.stop(t, shutdownTimeout+5*time.Second)
		// The workers stop by themselves: the session ended.
		eventually(t, "every load worker stopped by the end of its session", func() (bool, string) {
			l.mu.Lock()
			defer l.mu.Unlock()
			return l.sessDone == l.workers, fmt.Sprintf("%d of %d", l.sessDone, l.workers)
		})
		if r := l.esme.Session().CloseReason(); r != smpp.ClosePeerUnbind {
			t.Errorf("the customer's session ended by %v, want the gateway's unbind (%v)", r, smpp.ClosePeerUnbind)
		}
		acked := l.finish()

		// (a) Acknowledged means sent, once; refused means never sent.
		missing := 0
		for text := range acked {
			switch n := len(env.arr.arrivals(text)); {
			case n == 0:
				missing++
			case n > 1:
				t.Errorf("%q reached the carrier %d times", text, n)
			}
		}
		if missing > 0 {
			t.Errorf("%d of %d acknowledged messages did not reach the carrier before the exit\n%s",
				missing, len(acked), p.logText())
		}
		for text, st := range l.refused {
			if n := len(env.arr.arrivals(text)); n > 0 {
				t.Errorf("%q was refused (%v) yet reached the carrier %d times", text, st, n)
			}
		}
		// Under load: submits were waiting for their answers at the
		// signal, or began after it (a loaded machine may let the gateway
		// unbind before any worker starts another).
		if l.late == 0 && l.busy == 0 {
			t.Errorf("no submit_sm was in flight at the signal or sent after it: the shutdown was not under load")
		}
		t.Logf("%d messages acknowledged, all at the carrier; %d submits in flight at the signal; after it %d submits, %d acknowledged; %d refused in all",
			len(acked), l.busy, l.late, l.lateOK, len(l.refused))

		// (b) The writer was flushed: every acknowledged message is stored
		// with the carrier's id, and nothing the carrier took is pending.
		env.checkStoreFlushed(t, acked)

		// (c) Each bind of the gateway unbound, after the last submit_sm.
		var unbinds []smpptest.SessionEnd
		eventually(t, "the carrier to see the gateway's binds end", func() (bool, string) {
			unbinds = unbinds[:0]
			for _, e := range env.carrier.SessionEnds() {
				if e.SystemID == carrierSystemID && e.At.After(signalled) {
					unbinds = append(unbinds, e)
				}
			}
			return len(unbinds) >= durabilityBinds, fmt.Sprintf("%d ended", len(unbinds))
		})
		if len(unbinds) != durabilityBinds {
			t.Errorf("%d binds of the gateway ended after the signal, want %d", len(unbinds), durabilityBinds)
		}
		last := lastArrival(env.arr)
		for i, e := range unbinds {
			if e.Reason != smpp.ClosePeerUnbind {
				t.Errorf("bind %d of the gateway ended by %v, want its unbind (%v)", i, e.Reason, smpp.ClosePeerUnbind)
			}
			if !e.At.After(last) {
				t.Errorf("bind %d of the gateway ended %v before the last submit_sm reached the carrier", i, last.Sub(e.At))
			}
		}
	})
}

// The gateway's binds to the carrier in the durability tests.
const (
	carrierSystemID = "gallant"
	durabilityBinds = 2
)

// lastArrival returns when the last submit_sm reached c.
func lastArrival(c *arrivalCarrier) time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	var last time.Time
	for _, at := range c.at {
		for _, x := range at {
			if x.After(last) {
				last = x
			}
		}
	}
	return last
}

// gatewayBinds counts the gateway's bound sessions at the carrier.
func (env *durabilityEnv) gatewayBinds() int {
	n := 0
	for _, s := range env.carrier.Sessions() {
		if s.SystemID() == carrierSystemID && s.State().Bound() {
			n++
		}
	}
	return n
}

// checkStoreFlushed opens the store of a stopped gateway and checks that
// every acknowledged message (text -> id) is there with a submitted
// event carrying the id the carrier gave it, and that no message the
// carrier accepted is still unfinished (to be sent again).
func (env *durabilityEnv) checkStoreFlushed(t *testing.T, acked map[string]string) {
	t.Helper()
	ctx := testContext(t)
	st, err := store.Open(ctx, env.scfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	carrierID := map[string]string{} // text -> the carrier's message id
	for _, sub := range env.carrier.Submits() {
		if sub.Status == pdu.StatusOK {
			carrierID[string(sub.SM.Payload())] = sub.MessageID
		}
	}
	bad := 0
	for text, id := range acked {
		problem := env.storedProblem(ctx, st, text, id, carrierID[text])
		if problem == "" {
			continue
		}
		if bad++; bad <= 10 {
			t.Errorf("acknowledged %q (id %s): %s", text, id, problem)
		}
	}
	if bad > 10 {
		t.Errorf("... %d acknowledged messages in all are not stored as sent", bad)
	}
	var since sms.ID
	unfinished, taken := 0, 0
	for {
		page, err := st.Unfinished(ctx, since, 1000)
		if err != nil {
			t.Fatalf("unfinished: %v", err)
		}
		for _, pm := range page {
			unfinished++
			if id, ok := carrierID[string(pm.Message.Body)]; ok {
				if taken++; taken <= 10 {
					t.Errorf("message %v (%q) is unfinished in the store, but the carrier accepted it as %s",
						pm.Message.ID, pm.Message.Body, id)
				}
			}
		}
		if len(page) < 1000 {
			break
		}
		since = page[len(page)-1].Message.ID
	}
	if taken > 10 {
		t.Errorf("... %d messages the carrier accepted are unfinished in the store", taken)
	}
	t.Logf("store: %d acknowledged messages checked, %d unfinished (none sent)", len(acked), unfinished)
}

// storedProblem says what is wrong with the stored form of an
// acknowledged message, or "" when it is stored with text and a
// submitted event for carrierMsgID.
func (env *durabilityEnv) storedProblem(ctx context.Context, st *store.Store, text, id, carrierMsgID string) string {
	mid, err := sms.ParseID(id)
	if err != nil {
		return fmt.Sprintf("bad message id: %v", err)
	}
	m, evs, err := st.GetMessage(ctx, env.cust.AccountID, mid)
	if err != nil {
		return fmt.Sprintf("not in the store: %v", err)
	}
	if string(m.Body) != text {
		return fmt.Sprintf("stored with text %q", m.Body)
	}
	if carrierMsgID == "" {
		return "the carrier did not accept it"
	}
	for _, ev := range evs {
		if ev.Status == sms.StatusSubmitted && ev.Carrier == "c1" && ev.CarrierMsgID == carrierMsgID {
			return ""
		}
	}
	return fmt.Sprintf("no submitted event with the carrier's id %s in %+v", carrierMsgID, evs)
}
