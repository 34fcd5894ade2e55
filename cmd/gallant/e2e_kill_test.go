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
	exited   chan struct{}
	waitErr  error

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
	serving := make(chan string, 1)
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
				Msg  string `json:"msg"`
				SMPP string `json:"smpp"`
			}
			if json.Unmarshal([]byte(line), &rec) == nil && rec.Msg == "gallant serving" {
				serving <- rec.SMPP
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
	case p.smppAddr = <-serving:
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
	cfg := map[string]any{
		"http":       map[string]any{"listen": "127.0.0.1:0"},
		"smpp":       map[string]any{"listen": "127.0.0.1:0"},
		"store":      map[string]any{"driver": env.scfg.Driver, "dsn": env.scfg.DSN},
		"durability": "durable",
		"log":        map[string]any{"level": "info", "format": "json"},
		"carriers": []any{map[string]any{"name": "c1", "address": env.carrier.Addr(), "system_id": "gallant",
			"password": "secret", "binds": 2, "window": 20}},
		"routes": []any{map[string]any{"prefix": "", "carriers": []string{"c1"}}},
	}
	b, err := json.Marshal(cfg) // JSON is YAML
	if err != nil {
		t.Fatal(err)
	}
	env.cfgPath = filepath.Join(t.TempDir(), "gallant.yaml")
	if err := os.WriteFile(env.cfgPath, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return env
}

// load submits unique texts over SMPP from several goroutines until stop
// is closed or the session fails, and records the acknowledged ones.
type load struct {
	mu    sync.Mutex
	acked map[string]bool
	wg    sync.WaitGroup
	stop  chan struct{}
}

func startLoad(t *testing.T, addr string, c customer, workers int) *load {
	t.Helper()
	e := bindESME(t, addr, c, smpp.Transmitter)
	l := &load{acked: map[string]bool{}, stop: make(chan struct{})}
	for w := range workers {
		l.wg.Add(1)
		go func() {
			defer l.wg.Done()
			for i := 0; ; i++ {
				select {
				case <-l.stop:
					return
				default:
				}
				text := fmt.Sprintf("load %02d-%05d", w, i)
				ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
				_, err := e.Submit(ctx, &pdu.SubmitSM{Source: pdu.Address{TON: 5, Addr: []byte("Acme")},
					Dest: pdu.Address{TON: 1, NPI: 1, Addr: []byte("447700900123")}, ShortMessage: []byte(text)})
				cancel()
				if err != nil {
					return // the gateway went away
				}
				l.mu.Lock()
				l.acked[text] = true
				l.mu.Unlock()
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

// finish stops the load and returns the acknowledged texts.
func (l *load) finish() map[string]bool {
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
		if err := p.cmd.Process.Signal(syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		killed := time.Now()
		p.waitExit(t, 10*time.Second)
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

		if err := p2.cmd.Process.Signal(syscall.SIGTERM); err != nil {
			t.Fatal(err)
		}
		if code := p2.waitExit(t, 30*time.Second); code != 0 {
			t.Errorf("exit code %d after SIGTERM\n%s", code, p2.logText())
		}
	})
}

// TestE2ESIGTERM: SIGTERM under load stops the process within its
// deadline with exit code 0, after every acknowledged message reached the
// carrier, once.
func TestE2ESIGTERM(t *testing.T) {
	t.Parallel()
	bin := buildGallant(t)
	eachDriver(t, func(t *testing.T, driver string) {
		env := newDurabilityEnv(t, driver)
		p := startGallant(t, bin, env.cfgPath)
		l := startLoad(t, p.smppAddr, env.cust, 16)
		l.waitAcked(t, 300)
		if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
			t.Fatal(err)
		}
		// shutdownTimeout bounds the drain; a little more for the exit.
		code := p.waitExit(t, shutdownTimeout+5*time.Second)
		acked := l.finish()
		if code != 0 {
			t.Fatalf("exit code %d after SIGTERM\n%s", code, p.logText())
		}
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
		t.Logf("%d messages acknowledged, all at the carrier", len(acked))
	})
}
